// The editor features in a real editor: a dependency completed from the history and followed with Go to
// Definition, the field history command, the server's code lens. Edits are never saved and are reverted.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { HistoryResponse } from '../../server/src/lsp/clientContract';
import { closeAllEditors, extensionApi, MIGRATIONS, openMigration, ourDiagnostics, revert, ruleOf, waitFor, waitForRule } from './support';

describe('editor features', function () {
  before(async function () {
    await extensionApi();
  });

  afterEach(async function () {
    for (const document of vscode.workspace.textDocuments) await revert(document);
    await closeAllEditors();
  });

  it('completes a dependency from the migration history and jumps to it', async function () {
    const editor = await openMigration(MIGRATIONS.nameIndex);
    const { document } = editor;
    await waitForRule(document.uri, 'add-index-non-concurrent', 30_000);
    const original = document.getText();
    try {
      await completeAndJump(editor);
    } finally {
      await restoreText(document, original);
    }
    // The next tests count this file's lines and dependents: the server must have its own text again.
    await waitFor('the diagnostics of the restored text', () =>
      ourDiagnostics(document.uri).some((diagnostic) => ruleOf(diagnostic) === 'add-index-non-concurrent' && diagnostic.range.start.line === 10) || undefined,
    );
  });

  it('shows the history of the model under the cursor', async function () {
    const editor = await openMigration(MIGRATIONS.nameIndex);
    await waitForRule(editor.document.uri, 'add-index-non-concurrent', 30_000);
    const position = editor.document.positionAt(editor.document.getText().indexOf("'product'") + 3);
    editor.selection = new vscode.Selection(position, position);
    const history = await vscode.commands.executeCommand<HistoryResponse | undefined>('migrationGuard.showFieldHistory');
    assert.equal(history?.subject, 'shop.product');
    assert.match(history!.markdown, /created by `CreateModel`[\s\S]*changed by `AddIndex` · \*\*this operation\*\*/);
  });

  it('counts the dependents of a migration in a code lens', async function () {
    const editor = await openMigration(MIGRATIONS.initial);
    let titles: string[] = [];
    await waitFor('the dependents code lens', async () => {
      const found = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri);
      titles = found.map((lens) => lens.command?.title ?? '');
      // Only 0002_name_products depends on it.
      return titles.includes('1 migration depends on this one') || undefined;
    }).catch((error: Error) => assert.fail(`${error.message}; lenses: ${titles.join(' | ')}`));
  });
});

/** Types an empty dependency, picks 0001_initial from the completions and follows it with Go to Definition. */
async function completeAndJump(editor: vscode.TextEditor): Promise<void> {
  const { document } = editor;
  const anchor = document.getText().indexOf("('shop', '0002_name_products'),");
  assert.ok(anchor > 0, 'the fixture depends on 0002_name_products');
  await editor.edit((edit) => edit.insert(document.positionAt(anchor), "('shop', ''),\n        "));
  const inside = document.positionAt(anchor + "('shop', '".length);

  const completions = await waitFor('dependency completions', async () => {
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', document.uri, inside);
    const labels = list.items.map((item) => (typeof item.label === 'string' ? item.label : item.label.label));
    return labels.includes('0001_initial') ? list : undefined;
  });
  const labels = completions.items.map((item) => (typeof item.label === 'string' ? item.label : item.label.label));
  // Newest first; the migration itself is never offered.
  assert.deepEqual(labels.filter((label) => /^\d{4}_/.test(label)), ['0002_name_products', '0001_initial']);

  const initial = completions.items.find((item) => (typeof item.label === 'string' ? item.label : item.label.label) === '0001_initial')!;
  const range = initial.range instanceof vscode.Range ? initial.range : (initial.range?.replacing ?? new vscode.Range(inside, inside));
  const insertText = typeof initial.insertText === 'string' ? initial.insertText : (initial.insertText?.value ?? '0001_initial');
  await editor.edit((edit) => edit.replace(range, insertText));
  assert.ok(document.getText().includes("('shop', '0001_initial'),\n        ('shop', '0002_name_products'),"), document.getText());

  editor.selection = new vscode.Selection(inside.translate(0, 2), inside.translate(0, 2));
  await waitFor('the definition of the completed dependency', async () => {
    const locations = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>('vscode.executeDefinitionProvider', document.uri, editor.selection.active);
    return locations.some((location) => ('uri' in location ? location.uri : location.targetUri).path.endsWith(MIGRATIONS.initial)) || undefined;
  });
  await vscode.commands.executeCommand('editor.action.revealDefinition');
  await waitFor('Go to Definition to open 0001_initial.py', () => vscode.window.activeTextEditor?.document.uri.path.endsWith(MIGRATIONS.initial) || undefined);
  const landed = vscode.window.activeTextEditor!;
  assert.match(landed.document.lineAt(landed.selection.active.line).text, /^class Migration\(/);
}

/**
 * Puts the file back as it was. code-server saves edits after a delay (the web default of files.autoSave), so a
 * revert alone may find nothing to revert while the file on disk holds the edit.
 */
async function restoreText(document: vscode.TextDocument, original: string): Promise<void> {
  await revert(document);
  if (document.getText() === original) return;
  const editor = await vscode.window.showTextDocument(document);
  await editor.edit((edit) => edit.replace(new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length)), original));
  await document.save();
}
