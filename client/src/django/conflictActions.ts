// Offers "Merge conflicting migrations" on the language server's `conflicting-leaf-migrations` diagnostic.
import * as vscode from 'vscode';
import { COMMANDS } from './commands';

const CONFLICT_RULE = 'conflicting-leaf-migrations';

export class ConflictMergeActions implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const conflicts = context.diagnostics.filter((diagnostic) => diagnosticCode(diagnostic) === CONFLICT_RULE);
    if (conflicts.length === 0) return [];
    const action = new vscode.CodeAction('Merge conflicting migrations (makemigrations --merge)', vscode.CodeActionKind.QuickFix);
    action.diagnostics = conflicts;
    action.command = { command: COMMANDS.mergeMigrations, title: 'Merge Conflicting Migrations', arguments: [document.uri] };
    return [action];
  }
}

function diagnosticCode(diagnostic: vscode.Diagnostic): string | undefined {
  const code = diagnostic.code;
  if (typeof code === 'string') return code;
  if (typeof code === 'number') return String(code);
  return code ? String(code.value) : undefined;
}
