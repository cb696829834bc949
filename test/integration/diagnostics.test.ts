// Diagnostics and hovers in a real editor: the language server starts from the extension, lints the migrations of
// the fixture project as they open and as they are edited (without saving), and explains an operation on hover.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAllEditors, extensionApi, MIGRATIONS, openMigration, ourDiagnostics, revert, ruleOf, waitFor, waitForNoRule, waitForRule } from './support';

describe('diagnostics', function () {
  before(async function () {
    await extensionApi();
  });

  afterEach(async function () {
    for (const document of vscode.workspace.textDocuments) await revert(document);
    await closeAllEditors();
  });

  it('starts the language server', async function () {
    const api = await extensionApi();
    await waitFor('the language server to be running', () => api.serverState() === 'running' || undefined, 30_000);
  });

  it('flags a non-concurrent index build on the AddIndex operation', async function () {
    const editor = await openMigration(MIGRATIONS.nameIndex);
    const diagnostic = await waitForRule(editor.document.uri, 'add-index-non-concurrent', 30_000);
    assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Warning);
    // The squiggle is the operation's name, `migrations.AddIndex` (line 11 in the file, 0-based 10), not the whole call.
    assert.equal(diagnostic.range.start.line, 10);
    assert.equal(editor.document.getText(diagnostic.range), 'migrations.AddIndex');
    assert.match(diagnostic.message, /shop_product_name_idx/);
    assert.match(diagnostic.message, /^Use AddIndexConcurrently/, 'the advice leads the message in Problems');
    assert.ok(typeof diagnostic.code === 'object' && diagnostic.code.target.toString().startsWith('http'), 'the rule id links to its documentation');
  });

  it('flags RunPython without reverse_code', async function () {
    const editor = await openMigration(MIGRATIONS.namesBackfill);
    const diagnostic = await waitForRule(editor.document.uri, 'runpython-no-reverse');
    assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Warning);
    assert.equal(diagnostic.range.start.line, 17);
  });

  it('re-lints while typing, before the file is saved', async function () {
    const editor = await openMigration(MIGRATIONS.nameIndex);
    const uri = editor.document.uri;
    await waitForRule(uri, 'add-index-non-concurrent', 30_000);
    assert.equal(ourDiagnostics(uri).some((diagnostic) => ruleOf(diagnostic) === 'remove-field'), false);

    const text = editor.document.getText();
    const anchor = text.indexOf('    ]\n', text.indexOf('operations = ['));
    assert.ok(anchor > 0, 'the operations list of the fixture ends with "    ]"');
    await editor.edit((edit) => edit.insert(editor.document.positionAt(anchor), "        migrations.RemoveField(model_name='product', name='name'),\n"));
    const removal = await waitForRule(uri, 'remove-field');
    assert.equal(removal.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(removal.range.start.line, 14);
    assert.equal(editor.document.isDirty, true);

    await revert(editor.document);
    await waitForNoRule(uri, 'remove-field');
    await waitForRule(uri, 'add-index-non-concurrent');
  });

  it('explains the operation and its risk on hover', async function () {
    const editor = await openMigration(MIGRATIONS.nameIndex);
    await waitForRule(editor.document.uri, 'add-index-non-concurrent', 30_000);
    const position = editor.document.positionAt(editor.document.getText().indexOf('AddIndex') + 3);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, position);
    const text = hovers
      .flatMap((hover) => hover.contents)
      .map((content) => (typeof content === 'string' ? content : content.value))
      .join('\n');
    assert.match(text, /AddIndex/);
    assert.match(text, /shop_product/);
    assert.match(text, /SHARE/, 'names the lock the index build takes');
    assert.match(text, /AddIndexConcurrently|CONCURRENTLY/, 'shows the safe alternative');
    assert.match(text, /command:migrationGuard\.reviewRule/, 'links to the flashcard');
  });
});
