// Diagnostics over the real protocol: on open and after incremental edits, with the document version, rule id as
// code, documentation link, source, severity and the operation's precise range; nothing for non-migration files.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { LspClient, copyFixture, messageOf, removeWorkspace, uriOf } from './lspClient';

const CHANGES = 'shop/migrations/0002_order_changes.py';

function byRule(diagnostics: Diagnostic[], rule: string): Diagnostic[] {
  return diagnostics.filter((diagnostic) => diagnostic.code === rule);
}

describe('LSP diagnostics', function () {
  this.timeout(20000);
  let workspace: string;
  let client: LspClient;
  let path: string;
  let uri: string;
  let original: string;

  before(async () => {
    workspace = copyFixture('project');
    client = await LspClient.start({ workspace });
    await client.waitForIndexing();
    path = join(workspace, CHANGES);
    uri = uriOf(path);
    original = readFileSync(path, 'utf8');
  });

  after(async () => {
    await client?.dispose();
    removeWorkspace(workspace);
  });

  it('advertises incremental sync, hovers and the code action kinds', () => {
    const capabilities = client.initializeResult.capabilities;
    assert.deepEqual(capabilities.textDocumentSync, { openClose: true, change: 2 });
    assert.equal(capabilities.hoverProvider, true);
    assert.deepEqual((capabilities.codeActionProvider as { codeActionKinds: string[] }).codeActionKinds, ['quickfix', 'source.fixAll.migration-guard']);
  });

  it('publishes the findings of a migration on open, for version 1', async () => {
    const published = await client.open(path, original);
    assert.equal(published.version, 1);
    const codes = new Set(published.diagnostics.map((diagnostic) => diagnostic.code));
    for (const rule of ['add-index-non-concurrent', 'remove-field', 'add-field-not-null-no-default', 'runpython-no-reverse', 'runsql-no-reverse']) {
      assert.ok(codes.has(rule), `missing ${rule} in ${[...codes].join(', ')}`);
    }
    const [addIndex] = byRule(published.diagnostics, 'add-index-non-concurrent');
    assert.ok(addIndex);
    assert.equal(addIndex.source, 'migration-guard');
    assert.equal(addIndex.severity, 2, 'warning by default');
    assert.equal(addIndex.codeDescription?.href, 'https://github.com/migration-guard/django-migration-guard/blob/main/docs/rules.md#add-index-non-concurrent');
    // The operation's name (`migrations.AddIndex`), not its whole four-line call.
    assert.deepEqual(addIndex.range, { start: { line: 14, character: 8 }, end: { line: 14, character: 8 + 'migrations.AddIndex'.length } });
    assert.match(messageOf(addIndex), /shop_order/);
    // Problems truncates long messages: the advice comes first there (the CLI keeps "what happens; what to do").
    assert.match(messageOf(addIndex), /^Use AddIndexConcurrently in a migration with atomic = False\. AddIndex shop\.\w+: builds index \w+ on shop_order without CONCURRENTLY; the SHARE lock blocks writes for the whole build$/);
    // The fixes travel resolved into edits, with the fingerprint of the text they were computed for.
    const data = addIndex.data as { rule: string; text: string; fixes: { title: string; edits: { newText: string }[]; newFiles: { path: string }[] }[] };
    assert.equal(data.rule, 'add-index-non-concurrent');
    assert.match(data.text, /^\d+:[0-9a-f]+$/);
    const concurrent = data.fixes.find((fix) => /^Use AddIndexConcurrently/.test(fix.title));
    assert.ok(concurrent?.edits.some((edit) => edit.newText === 'AddIndexConcurrently'), JSON.stringify(data.fixes));
    const move = data.fixes.find((fix) => /^Move to a new non-atomic migration/.test(fix.title));
    assert.match(move?.newFiles[0]?.path ?? '', /\/shop\/migrations\/0003_order_order_created_idx\.py$/);
    const [removeField] = byRule(published.diagnostics, 'remove-field');
    assert.equal(removeField?.severity, 1, 'remove-field is an error');
  });

  it('re-publishes after an incremental edit, for the new version, with ranges that follow the text', async () => {
    const before = client.latestDiagnostics(uri);
    const published = await client.change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: '# A comment line.\n' }]);
    assert.equal(published.version, client.version(uri));
    assert.equal(published.version, 2);
    const moved = byRule(published.diagnostics, 'add-index-non-concurrent')[0];
    const was = byRule(before, 'add-index-non-concurrent')[0];
    assert.equal(moved?.range.start.line, (was?.range.start.line ?? 0) + 1);

    const runPython = client.positionOf(uri, 'migrations.RunPython(fill_totals)');
    const closing = { line: runPython.line, character: runPython.character + 'migrations.RunPython(fill_totals'.length };
    const fixed = await client.change(uri, [{ range: { start: closing, end: closing }, newText: ', reverse_code=migrations.RunPython.noop' }]);
    assert.equal(fixed.version, 3);
    assert.equal(byRule(fixed.diagnostics, 'runpython-no-reverse').length, 0);
    assert.equal(byRule(fixed.diagnostics, 'remove-field').length, 1, 'the other findings stay');
  });

  it('keeps up with fast typing: every keystroke sent at once, the last version is published', async () => {
    const anchor = client.positionOf(uri, 'migrations.RunSQL(');
    const typed = 'migrations.AddField(model_name="order", name="flag", field=models.BooleanField(null=True)),\n        ';
    let version = 0;
    for (let index = 0; index < typed.length; index++) {
      const at = { line: anchor.line, character: anchor.character + index };
      version = await client.sendChange(uri, [{ range: { start: at, end: at }, newText: typed[index]! }]);
    }
    const published = await client.waitForDiagnostics(uri, (params) => params.version === version);
    assert.ok(published.diagnostics.length > 0);
    assert.equal(client.text(uri).includes('name="flag"'), true);
    await client.replaceText(uri, original);
  });

  it('publishes nothing for Python files outside a migrations/ folder', async () => {
    const settings = join(workspace, 'mysite/settings.py');
    const settingsUri = uriOf(settings);
    await client.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri: settingsUri, languageId: 'python', version: 1, text: readFileSync(settings, 'utf8') },
    });
    // A request after the notification is answered only once the notification was handled.
    assert.equal(await client.hover(settingsUri, 1, 5), null);
    const initial = join(workspace, 'shop/migrations/0001_initial.py');
    await client.open(initial, readFileSync(initial, 'utf8'));
    assert.equal(client.publishCount(settingsUri), 0);
  });

  it('clears a document\'s diagnostics when it closes', async () => {
    const since = client.publishCount(uri);
    await client.close(uri);
    const cleared = await client.waitForDiagnostics(uri, (params) => params.diagnostics.length === 0, since);
    assert.equal(cleared.diagnostics.length, 0);
  });
});
