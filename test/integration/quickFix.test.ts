// Quick fixes as the editor asks for them (the lightbulb's provider), applied as a workspace edit: the document
// changes as the fix says and the diagnostic it fixes goes away.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAllEditors, extensionApi, MIGRATIONS, openMigration, ourDiagnostics, revert, ruleOf, waitForNoRule, waitForRule } from './support';

async function codeActionsAt(uri: vscode.Uri, range: vscode.Range): Promise<vscode.CodeAction[]> {
  const actions = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>('vscode.executeCodeActionProvider', uri, range, vscode.CodeActionKind.QuickFix.value);
  return actions.filter((action): action is vscode.CodeAction => 'title' in action && !('command' in action && typeof action.command === 'string'));
}

describe('quick fixes', function () {
  before(async function () {
    await extensionApi();
  });

  afterEach(async function () {
    for (const document of vscode.workspace.textDocuments) await revert(document);
    await closeAllEditors();
  });

  it('adds reverse_code to RunPython and the warning goes away', async function () {
    const editor = await openMigration(MIGRATIONS.namesBackfill);
    const uri = editor.document.uri;
    const diagnostic = await waitForRule(uri, 'runpython-no-reverse', 30_000);

    const actions = await codeActionsAt(uri, diagnostic.range);
    const fix = actions.find((action) => /reverse_code/.test(action.title));
    assert.ok(fix, `a reverse_code fix among: ${actions.map((action) => action.title).join(' | ')}`);
    assert.equal(fix.kind?.value, vscode.CodeActionKind.QuickFix.value);
    assert.ok(fix.edit, 'the fix carries its edit');
    // The ignore and documentation actions are offered too, after the real fix.
    assert.ok(actions.some((action) => action.title === 'Ignore runpython-no-reverse for this operation'));
    assert.ok(actions.findIndex((action) => action === fix) < actions.findIndex((action) => action.title.startsWith('Ignore ')));

    assert.equal(await vscode.workspace.applyEdit(fix.edit), true);
    assert.match(editor.document.getText(), /migrations\.RunPython\(name_unnamed_products, reverse_code=migrations\.RunPython\.noop\)/);
    await waitForNoRule(uri, 'runpython-no-reverse');
    assert.deepEqual(ourDiagnostics(uri).map(ruleOf), []);
  });

  it('silences a rule for one operation with an ignore comment', async function () {
    const editor = await openMigration(MIGRATIONS.nameIndex);
    const uri = editor.document.uri;
    const diagnostic = await waitForRule(uri, 'add-index-non-concurrent', 30_000);
    const ignore = (await codeActionsAt(uri, diagnostic.range)).find((action) => action.title === 'Ignore add-index-non-concurrent for this operation');
    assert.ok(ignore?.edit);
    assert.equal(await vscode.workspace.applyEdit(ignore.edit), true);
    assert.match(editor.document.getText(), /# migration-guard: ignore add-index-non-concurrent/);
    await waitForNoRule(uri, 'add-index-non-concurrent');
  });

  it('rewrites AddIndex to AddIndexConcurrently with atomic = False', async function () {
    const editor = await openMigration(MIGRATIONS.nameIndex);
    const uri = editor.document.uri;
    const diagnostic = await waitForRule(uri, 'add-index-non-concurrent', 30_000);
    const actions = await codeActionsAt(uri, diagnostic.range);
    const fix = actions.find((action) => action.isPreferred);
    assert.ok(fix?.edit, `a preferred fix among: ${actions.map((action) => action.title).join(' | ')}`);
    assert.match(fix.title, /AddIndexConcurrently/);
    assert.equal(await vscode.workspace.applyEdit(fix.edit), true);
    const text = editor.document.getText();
    assert.match(text, /AddIndexConcurrently\(/);
    assert.match(text, /atomic = False/);
    await waitForNoRule(uri, 'add-index-non-concurrent');
    // The rewritten migration is clean: the concurrent build runs outside a transaction.
    assert.equal(ourDiagnostics(uri).some((remaining) => ruleOf(remaining) === 'concurrent-op-in-atomic-migration'), false);
  });
});
