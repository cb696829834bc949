// "Migrate to here · Show SQL" above the Migration class of a migration file. Shown only in a trusted workspace
// (both run manage.py) and while migrationGuard.codeLens is on.
import * as vscode from 'vscode';
import { COMMANDS } from './commands';
import { migrationClassLine } from './migrationFiles';

export class MigrationCodeLenses implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor() {
    this.subscriptions = [
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
    return [
      new vscode.CodeLens(range, { title: 'Migrate to here', tooltip: 'migrate APP MIGRATION (shows the plan and asks first)', command: COMMANDS.migrateToHere, arguments: [document.uri] }),
      new vscode.CodeLens(range, { title: 'Show SQL', tooltip: 'sqlmigrate, forwards and backwards', command: COMMANDS.showSql, arguments: [document.uri] }),
    ];
  }

  dispose(): void {
    vscode.Disposable.from(...this.subscriptions).dispose();
    this.changed.dispose();
  }
}
