// Read-only documents for what the commands show: dry runs, plans, SQL, process output, rule documentation.
// Served by a content provider, so closing them never asks to save and the language server never lints them.
import * as vscode from 'vscode';

const PREVIEW_SCHEME = 'migration-guard-preview';

/** Enough recent previews for back-and-forth navigation; older ones are released. */
const MAX_PREVIEWS = 50;

export class PreviewDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  /** Each preview gets a URI of its own, so a stored text never changes and no change event is needed. */
  private readonly contents = new Map<string, string>();
  private counter = 0;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '(This preview is no longer available; run the command again.)';
  }

  /**
   * Stores a preview; the file name's extension picks the language (`.sql`, `.py`, `.md`, `.txt`). The same name
   * reused gets a fresh URI so an open editor of an older preview is never silently replaced.
   */
  create(fileName: string, content: string): vscode.Uri {
    const safeName = fileName.replace(/[\\/:*?"<>|#]/g, '_');
    const uri = vscode.Uri.from({ scheme: PREVIEW_SCHEME, path: `/${++this.counter}/${safeName}` });
    this.contents.set(uri.toString(), content);
    while (this.contents.size > MAX_PREVIEWS) this.contents.delete(this.contents.keys().next().value as string);
    return uri;
  }

  async show(fileName: string, content: string, options: { beside?: boolean } = {}): Promise<vscode.TextEditor> {
    const uri = this.create(fileName, content);
    const document = await vscode.workspace.openTextDocument(uri);
    return vscode.window.showTextDocument(document, {
      preview: true,
      preserveFocus: false,
      viewColumn: options.beside ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active,
    });
  }

  /** Markdown rendered by VS Code's built-in preview; the raw text is shown when the preview is unavailable. */
  async showMarkdown(fileName: string, markdown: string): Promise<void> {
    const uri = this.create(fileName, markdown);
    try {
      await vscode.commands.executeCommand('markdown.showPreview', uri);
    } catch {
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: true });
    }
  }

  register(): vscode.Disposable {
    return vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, this);
  }

  dispose(): void {
    this.contents.clear();
  }
}
