// A status bar item while migrations have errors or warnings: the counts of what the Problems panel lists for them
// (every open, pending or, with migrationGuard.problems.scope = workspace, every migration), hidden when there are
// none; the tooltip names the files and, from the server's workspace index, what the scope leaves out. Click: Problems.
import * as vscode from 'vscode';
import { DIAGNOSTIC_SOURCE, type FindingsResult } from '../../server/src/lsp/clientContract';
import { findingsStatus, type FileCounts } from './findingsSummary';
import type { ServerState } from './languageClient';

/** Diagnostics arrive in bursts while the server analyses: the item updates once a burst settles. */
const REFRESH_MS = 300;

export interface FindingsStatusSources {
  workspaceFindings(): Promise<FindingsResult | undefined>;
  onDidChangeServerState: vscode.Event<ServerState>;
  log(message: string): void;
}

export class MigrationFindingsStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('migrationGuard.findings', vscode.StatusBarAlignment.Left, 10);
  private readonly subscriptions: vscode.Disposable[];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private generation = 0;

  constructor(private readonly sources: FindingsStatusSources) {
    this.item.name = 'Django Migration Guard Findings';
    // Focuses the Problems view (opening the panel if needed); the toggle command would close a visible one.
    this.item.command = { title: 'Show Problems', command: 'workbench.panel.markers.view.focus' };
    this.subscriptions = [
      this.item,
      vscode.languages.onDidChangeDiagnostics(() => this.schedule()),
      sources.onDidChangeServerState(() => this.schedule()),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('migrationGuard')) this.schedule();
      }),
      { dispose: () => clearTimeout(this.timer) },
    ];
    this.schedule();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.update(), REFRESH_MS);
  }

  private async update(): Promise<void> {
    const generation = ++this.generation;
    const files: FileCounts[] = [];
    for (const [uri, diagnostics] of vscode.languages.getDiagnostics()) {
      const ours = diagnostics.filter((diagnostic) => diagnostic.source === DIAGNOSTIC_SOURCE);
      if (ours.length === 0) continue;
      files.push({
        path: vscode.workspace.asRelativePath(uri),
        error: ours.filter((diagnostic) => diagnostic.severity === vscode.DiagnosticSeverity.Error).length,
        warning: ours.filter((diagnostic) => diagnostic.severity === vscode.DiagnosticSeverity.Warning).length,
      });
    }
    let workspace: { error: number; warning: number; files: number } | undefined;
    if (files.length > 0) {
      try {
        const result = await this.sources.workspaceFindings();
        if (result) workspace = { error: sum(result, 'error'), warning: sum(result, 'warning'), files: result.files.length };
      } catch (error) {
        this.sources.log(`The workspace finding counts are unavailable: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (generation !== this.generation) return; // a newer update is on its way
    const scope = vscode.workspace.getConfiguration('migrationGuard').get<string>('problems.scope', 'pending');
    const status = findingsStatus(files, scope, workspace);
    if (!status) {
      this.item.hide();
      return;
    }
    this.item.text = status.text;
    this.item.tooltip = status.tooltip;
    this.item.accessibilityInformation = { label: status.tooltip.split('\n')[0]!, role: 'button' };
    this.item.show();
  }

  dispose(): void {
    vscode.Disposable.from(...this.subscriptions).dispose();
  }
}

function sum(result: FindingsResult, severity: 'error' | 'warning'): number {
  return result.files.reduce((total, file) => total + file.counts[severity], 0);
}
