// The language status item shown for migration files: the server's state, the findings in the active file, and
// the project's unapplied migrations once a manage.py command has told us (nothing runs just to fill it in).
import * as vscode from 'vscode';
import { MIGRATION_FILES, type ServerState } from './languageClient';
import { plural } from './django/confirmation';
import type { MigrationStateStore } from './django/migrationState';
import { DIAGNOSTIC_SOURCE } from '../../server/src/lsp/clientContract';

export interface StatusSources {
  serverState(): ServerState;
  onDidChangeServerState: vscode.Event<ServerState>;
  migrations: MigrationStateStore;
}

export class MigrationStatus implements vscode.Disposable {
  private readonly item: vscode.LanguageStatusItem;
  private readonly subscriptions: vscode.Disposable[];
  private dueCards = 0;

  constructor(private readonly sources: StatusSources) {
    this.item = vscode.languages.createLanguageStatusItem('migrationGuard.status', MIGRATION_FILES);
    this.item.name = 'Django Migration Guard';
    this.subscriptions = [
      this.item,
      sources.onDidChangeServerState(() => this.update()),
      sources.migrations.onDidChange(() => this.update()),
      vscode.languages.onDidChangeDiagnostics(() => this.update()),
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
    ];
    this.update();
  }

  /** Told by the review panel how many cards can be studied now. */
  setDueCards(count: number): void {
    this.dueCards = count;
    this.update();
  }

  private update(): void {
    const state = this.sources.serverState();
    const document = vscode.window.activeTextEditor?.document;
    const findings = document ? vscode.languages.getDiagnostics(document.uri).filter((diagnostic) => diagnostic.source === DIAGNOSTIC_SOURCE) : [];
    const managePy = document?.uri.scheme === 'file' ? this.sources.migrations.projectOfFile(document.uri.fsPath) : undefined;
    const unapplied = managePy ? this.sources.migrations.unappliedCount(managePy) : undefined;

    this.item.busy = state === 'starting';
    this.item.severity = state === 'failed' ? vscode.LanguageStatusSeverity.Error : vscode.LanguageStatusSeverity.Information;
    if (state === 'failed' || state === 'stopped') {
      this.item.text = state === 'failed' ? '$(error) Migration Guard stopped' : 'Migration Guard stopped';
      this.item.detail = 'The language server is not running';
      this.item.command = { title: 'Restart Server', command: 'migrationGuard.restartServer' };
      return;
    }
    const errors = findings.filter((diagnostic) => diagnostic.severity === vscode.DiagnosticSeverity.Error).length;
    this.item.text = state === 'starting' ? 'Migration Guard starting' : findings.length === 0 ? '$(check) No migration risks' : `$(warning) ${plural(findings.length, 'finding')}${errors > 0 ? ` (${plural(errors, 'error')})` : ''}`;
    const details = [unapplied === undefined ? '' : unapplied === 0 ? 'all migrations applied' : `${plural(unapplied, 'unapplied migration')}`, this.dueCards > 0 ? `${plural(this.dueCards, 'card')} to review` : ''];
    this.item.detail = details.filter(Boolean).join(' · ') || 'Django Migration Guard';
    this.item.command =
      this.dueCards > 0
        ? { title: 'Review Flashcards', command: 'migrationGuard.reviewFlashcards' }
        : { title: 'Show Migrations', command: 'migrationGuard.showMigrations' };
  }

  dispose(): void {
    vscode.Disposable.from(...this.subscriptions).dispose();
  }
}
