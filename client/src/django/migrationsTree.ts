// The "Django Migrations" view: one project's apps and their migrations from `showmigrations --list`, applied or
// not, with the migration open in the editor highlighted. It runs manage.py only when asked (Show Migrations,
// Refresh); otherwise it shows what the store last learned.
import { existsSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import type { FileFindings, FindingsResult } from '../../../server/src/lsp/clientContract';
import type { Log } from '../log';
import { COMMANDS, guarded, type CommandResult, type MigrationArgument } from './commands';
import type { AppMigrations, ListedMigration } from './djangoOutput';
import { migrationFilePath, migrationOfFile } from './migrationFiles';
import { findingBadge, findingsTooltip } from './previewText';
import type { MigrationStateStore } from './migrationState';
import type { ProjectResolver, ResolvedProject } from './projects';
import { captured } from './tasks';

const MIGRATIONS_VIEW = 'migrationGuard.migrations';
/** Context key: the view has data (its welcome text explains how to load it otherwise). */
const LOADED_CONTEXT = 'migrationGuard.migrationsLoaded';
/** Diagnostics change in bursts while the server analyses: the counts are fetched once the burst settles. */
const FINDINGS_REFRESH_MS = 400;
/** The settings that change which project, interpreter or environment manage.py runs with. */
const LAUNCH_SETTINGS = ['migrationGuard.env', 'migrationGuard.pythonPath', 'migrationGuard.managePyPath', 'migrationGuard.commandPrefix'];

export interface MigrationsTreeSources {
  projects: ProjectResolver;
  /** Every workspace migration with findings, from the language server (undefined while it is not running). */
  workspaceFindings(): Promise<FindingsResult | undefined>;
  /** Fires when the Python extension's selected interpreter changes. */
  onDidChangeInterpreter: vscode.Event<unknown>;
}

type AppNode = { kind: 'app'; managePy: string; app: AppMigrations };
/** Also a MigrationArgument, so the context-menu commands, which receive the node, need no conversion. */
type MigrationNode = MigrationArgument & { kind: 'migration'; migration: ListedMigration };
type Node = AppNode | MigrationNode;

export class MigrationsTree implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly view: vscode.TreeView<Node>;
  private project: ResolvedProject | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];
  /** Finding counts by file path. */
  private findings = new Map<string, FileFindings>();
  private findingsTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly state: MigrationStateStore,
    private readonly log: Log,
    private readonly sources: MigrationsTreeSources,
  ) {
    this.view = vscode.window.createTreeView(MIGRATIONS_VIEW, { treeDataProvider: this, showCollapseAll: true });
    this.subscriptions.push(
      this.view,
      state.onDidChange((managePy) => {
        if (managePy === this.project?.managePy) this.changed.fire(undefined);
      }),
      vscode.window.onDidChangeActiveTextEditor(() => {
        this.changed.fire(undefined);
        void this.revealActive();
      }),
      vscode.commands.registerCommand(COMMANDS.refreshMigrations, () => guarded(log, 'Refresh Migrations', () => this.refresh())),
      vscode.languages.onDidChangeDiagnostics(() => this.scheduleFindings()),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (LAUNCH_SETTINGS.some((section) => event.affectsConfiguration(section))) void this.launchChanged();
      }),
      sources.onDidChangeInterpreter(() => void this.launchChanged()),
      { dispose: () => clearTimeout(this.findingsTimer) },
    );
    void vscode.commands.executeCommand('setContext', LOADED_CONTEXT, false);
  }

  /** Loads a project's migrations into the view and reveals it. */
  async show(project: ResolvedProject): Promise<void> {
    this.project = project;
    this.view.description = basename(dirname(project.managePy));
    await this.load();
    await vscode.commands.executeCommand(`${MIGRATIONS_VIEW}.focus`);
    await this.revealActive();
  }

  /** The interpreter, environment or manage.py changed: what the view shows came from the old ones. */
  private async launchChanged(): Promise<void> {
    const previous = this.project;
    // Applied states read with the old settings (by a command, or this view) may describe another database: the
    // status item, CodeLens and the pending Problems must not keep showing them.
    this.state.forgetMigrations();
    // Nothing was loaded without trust (manage.py runs the project's code), so there is nothing to refresh.
    if (!previous || !vscode.workspace.isTrusted) return;
    await guarded(this.log, 'Refresh Migrations', async () => {
      const resolved = await this.sources.projects.resolve(vscode.Uri.file(previous.managePy));
      if (!resolved) return { status: 'cancelled' };
      this.project = resolved;
      this.view.description = basename(dirname(resolved.managePy));
      await this.load({ rereadSettings: true });
      return { status: 'done' };
    });
  }

  private scheduleFindings(): void {
    if (!this.project) return;
    clearTimeout(this.findingsTimer);
    this.findingsTimer = setTimeout(() => void this.loadFindings(), FINDINGS_REFRESH_MS);
  }

  private async loadFindings(): Promise<void> {
    let result: FindingsResult | undefined;
    try {
      result = await this.sources.workspaceFindings();
    } catch (error) {
      this.log.warn(`The finding counts for the Django Migrations view are unavailable: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    const findings = new Map<string, FileFindings>();
    for (const file of result?.files ?? []) findings.set(vscode.Uri.parse(file.uri).fsPath, file);
    this.findings = findings;
    this.changed.fire(undefined);
  }

  async refresh(): Promise<CommandResult> {
    if (!this.project) {
      await vscode.commands.executeCommand(COMMANDS.showMigrations);
      return { status: 'done' };
    }
    await this.load();
    return { status: 'done' };
  }

  private async load(options: { rereadSettings?: boolean } = {}): Promise<void> {
    const project = this.project!;
    const known = options.rereadSettings ? undefined : this.state.get(project.managePy);
    const settings = known?.settings ?? (await captured('Reading the Django settings…', this.log, (call) => project.project.settings(call)));
    if (!known?.settings) this.state.setSettings(project.managePy, settings);
    void this.loadFindings();
    const apps = await captured('Reading the migrations…', this.log, (call) => project.project.listMigrations([], call));
    this.state.setMigrations(project.managePy, apps);
    await vscode.commands.executeCommand('setContext', LOADED_CONTEXT, true);
  }

  getChildren(node?: Node): Node[] {
    const project = this.project;
    if (!project) return [];
    const known = this.state.get(project.managePy);
    if (!node) return (known?.apps ?? []).map((app) => ({ kind: 'app', managePy: project.managePy, app }));
    if (node.kind === 'app') {
      return node.app.migrations.map((migration) => {
        const file = migrationFilePath(migration, known?.settings?.apps);
        const migrationNode: MigrationNode = { kind: 'migration', managePy: node.managePy, app: migration.app, name: migration.name, migration };
        if (file && existsSync(file)) migrationNode.file = file;
        return migrationNode;
      });
    }
    return [];
  }

  getParent(node: Node): Node | undefined {
    if (node.kind === 'app') return undefined;
    const app = this.state.get(node.managePy)?.apps?.find((candidate) => candidate.app === node.migration.app);
    return app && { kind: 'app', managePy: node.managePy, app };
  }

  getTreeItem(node: Node): vscode.TreeItem {
    const active = this.activeMigration();
    if (node.kind === 'app') {
      const unapplied = node.app.migrations.filter((migration) => migration.state !== 'applied').length;
      const containsActive = active?.app === node.app.app;
      const item = new vscode.TreeItem(node.app.app, containsActive || unapplied > 0 ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `${node.managePy}::${node.app.app}`;
      item.description = node.app.migrations.length === 0 ? 'no migrations' : unapplied > 0 ? `${unapplied} unapplied` : 'all applied';
      item.iconPath = new vscode.ThemeIcon('package');
      item.contextValue = 'app';
      return item;
    }
    const { migration } = node;
    const isActive = active?.app === migration.app && active.name === migration.name;
    const label: vscode.TreeItemLabel = isActive ? { label: migration.name, highlights: [[0, migration.name.length]] } : { label: migration.name };
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
    item.id = `${node.managePy}::${migration.app}.${migration.name}`;
    const stateText = migration.state === 'applied' ? 'applied' : migration.state === 'partial' ? 'partly applied' : 'not applied';
    const findings = node.file ? this.findings.get(node.file) : undefined;
    item.description = [stateText, findingBadge(findings), migration.squashedCount ? `squashes ${migration.squashedCount}` : '', isActive ? '● open in editor' : ''].filter(Boolean).join(' · ');
    item.tooltip = findingsTooltip(`${migration.app}.${migration.name}: ${stateText}${node.file ? `\n${node.file}` : ''}`, findings);
    item.iconPath =
      migration.state === 'applied'
        ? new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('testing.iconPassed'))
        : migration.state === 'partial'
          ? new vscode.ThemeIcon('circle-large-filled', new vscode.ThemeColor('list.warningForeground'))
          : new vscode.ThemeIcon('circle-large-outline');
    // Both actions make sense on a partly applied squashed migration.
    item.contextValue = migration.state === 'applied' ? 'migration.applied' : migration.state === 'partial' ? 'migration.partial' : 'migration.unapplied';
    if (node.file) {
      item.resourceUri = vscode.Uri.file(node.file);
      item.command = { command: COMMANDS.openMigration, title: 'Open Migration', arguments: [node] };
    }
    return item;
  }

  private activeMigration(): { app: string; name: string } | undefined {
    const document = vscode.window.activeTextEditor?.document;
    if (!document || document.uri.scheme !== 'file' || !this.project) return undefined;
    return migrationOfFile(document.uri.fsPath, this.state.get(this.project.managePy)?.settings?.apps);
  }

  private async revealActive(): Promise<void> {
    const active = this.activeMigration();
    if (!active || !this.view.visible || !this.project) return;
    const node = this.getChildren()
      .flatMap((app) => this.getChildren(app))
      .find((candidate) => candidate.kind === 'migration' && candidate.migration.app === active.app && candidate.migration.name === active.name);
    if (node) await Promise.resolve(this.view.reveal(node, { select: false, focus: false })).catch(() => undefined);
  }

  dispose(): void {
    vscode.Disposable.from(...this.subscriptions).dispose();
    this.changed.dispose();
  }
}

