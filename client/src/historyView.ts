// "Django Migrations: Show Field History": every operation that created, altered, renamed or removed the field (or
// model) under the cursor, in migration order, with each version's definition, in VS Code's Markdown preview. The
// language server answers it (migrationGuard/history) from the history it already replayed.
import * as vscode from 'vscode';
import { HISTORY_REQUEST, SHOW_HISTORY_COMMAND, type HistoryResponse } from '../../server/src/lsp/clientContract';
import type { MigrationGuardClient } from './languageClient';
import type { Log } from './log';
import type { PreviewDocuments } from './previewDocuments';

/** Registers the command; it resolves with the history shown (undefined when there was none), for the tests. */
export function registerHistoryCommand(client: MigrationGuardClient, previews: PreviewDocuments, log: Log): vscode.Disposable {
  return vscode.commands.registerCommand(SHOW_HISTORY_COMMAND, async (): Promise<HistoryResponse | undefined> => {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      log.fail({ message: 'Show Field History works on the field or model under the cursor: open a migration first.' });
      return undefined;
    }
    const { document, selection } = editor;
    let response: HistoryResponse | null | undefined;
    try {
      response = await client.request<HistoryResponse | null>(HISTORY_REQUEST, {
        textDocument: { uri: document.uri.toString() },
        position: { line: selection.active.line, character: selection.active.character },
      });
    } catch (error) {
      log.fail({ message: `The language server could not answer: ${error instanceof Error ? error.message : String(error)}` });
      return undefined;
    }
    if (response === undefined) {
      log.fail({ message: 'The Django Migration Guard language server is not running. Run "Django Migrations: Restart Server".' });
      return undefined;
    }
    if (!response) {
      void vscode.window.showInformationMessage('No field or model here: put the cursor in an operation such as AlterField, or on a model or field name.');
      return undefined;
    }
    await previews.showMarkdown(`History of ${response.subject}.md`, response.markdown);
    return response;
  });
}
