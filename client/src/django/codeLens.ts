// "Migrate to here · Show SQL" above the Migration class of a migration file, after whether it is applied when
// manage.py showmigrations last said so. Shown only in a trusted workspace (both run manage.py) and while
// migrationGuard.codeLens is on. The language server adds its own lens there: how many migrations depend on it.
import * as vscode from 'vscode';
import { COMMANDS } from './commands';
import type { AppliedState } from './djangoOutput';
import { migrationClassLine, migrationOfFile } from './migrationFiles';
import type { MigrationStateStore } from './migrationState';

const APPLIED_TITLES: Record<AppliedState, string> = { applied: 'Applied', unapplied: 'Not applied', partial: 'Partly applied' };

export class MigrationCodeLenses implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly state: MigrationStateStore) {
    this.subscriptions = [
      state.onDidChange(() => this.changed.fire()),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('migrationGuard.codeLens')) this.changed.fire();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.changed.fire()),
    ];
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!vscode.workspace.isTrusted || !vscode.workspace.getConfiguration('migrationGuard', document.uri).get<boolean>('codeLens', true)) return [];
    const line = migrationClassLine(document.getText());
    if (line === undefined) return [];
    const range = document.lineAt(line).range;
    const applied = this.appliedState(document.uri.fsPath);
    return [
      ...(applied ? [new vscode.CodeLens(range, { title: APPLIED_TITLES[applied], tooltip: 'As manage.py showmigrations last reported', command: COMMANDS.showMigrations })] : []),
      new vscode.CodeLens(range, { title: 'Migrate to here', tooltip: 'migrate APP MIGRATION (shows the plan and asks first)', command: COMMANDS.migrateToHere, arguments: [document.uri] }),
      new vscode.CodeLens(range, { title: 'Show SQL', tooltip: 'sqlmigrate, forwards and backwards', command: COMMANDS.showSql, arguments: [document.uri] }),
    ];
  }

  /** Whether the migration is applied, when the extension has listed its project's migrations. */
  private appliedState(file: string): AppliedState | undefined {
    const managePy = this.state.projectOfFile(file);
    const known = managePy ? this.state.get(managePy) : undefined;
    const migration = known ? migrationOfFile(file, known.settings?.apps) : undefined;
    if (!known?.apps || !migration) return undefined;
    return known.apps.find((app) => app.app === migration.app)?.migrations.find((listed) => listed.name === migration.name)?.state;
  }

  dispose(): void {
    vscode.Disposable.from(...this.subscriptions).dispose();
    this.changed.dispose();
  }
}
