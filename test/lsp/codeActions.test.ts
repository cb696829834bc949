// Code actions over the real protocol: each quick fix applied to the document as an editor would, then re-analysed
// by the server: its diagnostic goes away and the file still parses. Also the ignore comments, the documentation
// command and source.fixAll.migration-guard.
import { strict as assert } from 'node:assert';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CodeAction, Diagnostic, TextDocumentEdit, TextEdit } from 'vscode-languageserver-protocol';
import { Project } from '../../server/src/engine/analyze';
import { LspClient, copyFixture, editsFor, removeWorkspace, uriOf } from './lspClient';

const CHANGES = 'shop/migrations/0002_order_changes.py';

/** The engine's own parse of a text: what "the file still parses" means. */
function syntaxErrors(text: string): number {
  const project = new Project();
  project.setFile(CHANGES, text);
  const model = project.model(CHANGES);
  assert.ok(model?.migrationClass, 'the Migration class is gone');
  return model.syntaxErrors.length;
}

describe('LSP code actions', function () {
  this.timeout(20000);
  let workspace: string;
  let client: LspClient;
  let uri: string;
  let original: string;

  before(async () => {
    workspace = copyFixture('project');
    client = await LspClient.start({ workspace });
    await client.waitForIndexing();
    const path = join(workspace, CHANGES);
    uri = uriOf(path);
    original = readFileSync(path, 'utf8');
    await client.open(path, original);
  });

  after(async () => {
    await client?.dispose();
    removeWorkspace(workspace);
  });

  beforeEach(async () => {
    if (client.text(uri) !== original) await client.replaceText(uri, original);
  });

  function diagnostic(rule: string): Diagnostic {
    const found = client.latestDiagnostics(uri).find((candidate) => candidate.code === rule);
    assert.ok(found, `no ${rule} diagnostic; have ${client.latestDiagnostics(uri).map((d) => d.code).join(', ')}`);
    return found;
  }

  async function actionsFor(rule: string): Promise<{ diagnostic: Diagnostic; actions: CodeAction[] }> {
    const found = diagnostic(rule);
    return { diagnostic: found, actions: await client.codeActions(uri, found.range, [found]) };
  }

  function titled(actions: CodeAction[], pattern: RegExp): CodeAction {
    const action = actions.find((candidate) => pattern.test(candidate.title));
    assert.ok(action, `no action matching ${pattern}; have: ${actions.map((a) => a.title).join(' | ')}`);
    return action;
  }

  // `preferred: false`: the fix's result gains a finding in this migration of several operations (fixCheck.ts).
  const quickFixes: { rule: string; title: RegExp; expect: RegExp; preferred?: false }[] = [
    {
      rule: 'add-index-non-concurrent',
      title: /^Use AddIndexConcurrently and atomic = False \(then non-atomic-mixed-operations reports it\)$/,
      expect: /from django\.contrib\.postgres\.operations import AddIndexConcurrently\nfrom django\.db import migrations, models\n[\s\S]*atomic = False[\s\S]*AddIndexConcurrently\(/,
      preferred: false,
    },
    { rule: 'runpython-no-reverse', title: /reverse_code=migrations\.RunPython\.noop/, expect: /migrations\.RunPython\(fill_totals, reverse_code=migrations\.RunPython\.noop\)/ },
    { rule: 'runsql-no-reverse', title: /reverse_sql=migrations\.RunSQL\.noop/, expect: /reverse_sql=migrations\.RunSQL\.noop\)/ },
    { rule: 'add-field-not-null-no-default', title: /null=True/, expect: /field=models\.TextField\(null=True\)/ },
    { rule: 'remove-field', title: /SeparateDatabaseAndState/, expect: /migrations\.SeparateDatabaseAndState\(\n {12}state_operations=\[\n {16}migrations\.RemoveField\(/ },
  ];

  for (const { rule, title, expect, preferred } of quickFixes) {
    it(`fixes ${rule}: the diagnostic goes away and the file still parses`, async () => {
      const { actions } = await actionsFor(rule);
      const fix = titled(actions, title);
      assert.equal(fix.kind, 'quickfix');
      assert.equal(fix.isPreferred, preferred ?? true);
      assert.deepEqual(fix.diagnostics?.map((d) => d.code), [rule]);
      const change = fix.edit?.documentChanges?.[0] as TextDocumentEdit;
      assert.equal(change.textDocument.version, client.version(uri), 'edits are tied to the version they were computed for');
      const published = await client.applyAction(uri, fix);
      assert.match(client.text(uri), expect);
      assert.equal(syntaxErrors(client.text(uri)), 0, client.text(uri));
      assert.equal(published.diagnostics.filter((d) => d.code === rule).length, 0, `${rule} still reported after "${fix.title}"`);
      assert.ok(published.diagnostics.length > 0, 'the other findings are still there');
    });
  }

  it('offers "Set atomic = False" for a concurrent operation in an atomic migration', async () => {
    const concurrent = original
      .replace('from django.db import migrations, models\n', 'from django.contrib.postgres.operations import AddIndexConcurrently\nfrom django.db import migrations, models\n')
      .replace('migrations.AddIndex(', 'AddIndexConcurrently(');
    await client.replaceText(uri, concurrent);
    const { actions } = await actionsFor('concurrent-op-in-atomic-migration');
    const published = await client.applyAction(uri, titled(actions, /atomic = False/));
    assert.match(client.text(uri), /class Migration\(migrations\.Migration\):\n {4}atomic = False\n {4}dependencies/);
    assert.equal(published.diagnostics.filter((d) => d.code === 'concurrent-op-in-atomic-migration').length, 0);
  });

  it('"Ignore RULE for this operation" writes the comment above the operation, with its indentation', async () => {
    const { actions } = await actionsFor('remove-field');
    const published = await client.applyAction(uri, titled(actions, /^Ignore remove-field for this operation$/));
    assert.match(client.text(uri), /\n {8}# migration-guard: ignore remove-field\n {8}migrations\.RemoveField\(/);
    assert.equal(published.diagnostics.filter((d) => d.code === 'remove-field').length, 0);
    assert.equal(published.diagnostics.filter((d) => d.code === 'unused-ignore').length, 0);
    assert.ok(published.diagnostics.some((d) => d.code === 'add-index-non-concurrent'));
    assert.equal(syntaxErrors(client.text(uri)), 0);
  });

  it('"Ignore RULE for this file" writes one ignore-file comment after the imports', async () => {
    const { actions } = await actionsFor('mixed-schema-and-data');
    const published = await client.applyAction(uri, titled(actions, /^Ignore mixed-schema-and-data for this file$/));
    assert.match(client.text(uri), /^from django\.db import migrations, models\n# migration-guard: ignore-file mixed-schema-and-data\n/);
    assert.equal(published.diagnostics.filter((d) => d.code === 'mixed-schema-and-data').length, 0, 'both RunPython and RunSQL findings are gone');
    assert.equal(syntaxErrors(client.text(uri)), 0);
  });

  it('"Show documentation for RULE" runs migrationGuard.showRuleDocs with the rule id', async () => {
    const { actions } = await actionsFor('add-index-non-concurrent');
    const docs = titled(actions, /^Show documentation for add-index-non-concurrent$/);
    assert.deepEqual(docs.command, {
      title: 'Show documentation for add-index-non-concurrent',
      command: 'migrationGuard.showRuleDocs',
      arguments: ['add-index-non-concurrent'],
    });
  });

  it('source.fixAll.migration-guard applies every safe fix at once and leaves the rest', async () => {
    const all = await client.codeActions(uri, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, [], ['source.fixAll.migration-guard']);
    assert.equal(all.length, 1);
    const [fixAll] = all;
    assert.equal(fixAll?.kind, 'source.fixAll.migration-guard');
    const published = await client.applyAction(uri, fixAll!);
    const text = client.text(uri);
    assert.equal(syntaxErrors(text), 0, text);
    const codes = new Set(published.diagnostics.map((d) => d.code));
    for (const fixed of ['runpython-no-reverse', 'runsql-no-reverse']) assert.ok(!codes.has(fixed), `${fixed} still reported`);
    // Decisions a human must make are not taken by fix-all.
    for (const kept of ['remove-field', 'add-field-not-null-no-default']) assert.ok(codes.has(kept), `${kept} was fixed by fix-all`);
    // Nor a fix that trades its finding for another: `atomic = False` here would make non-atomic-mixed-operations fire.
    assert.ok(codes.has('add-index-non-concurrent'));
    assert.ok(!codes.has('non-atomic-mixed-operations'));
    assert.doesNotMatch(text, /atomic = False/);
  });

  it('source.fixAll.migration-guard applies the concurrent build where it leaves a clean migration', async () => {
    const indexesOnly = original.replace(/ {8}migrations\.RemoveField\([\s\S]*?\n {4}\]/, '    ]');
    await client.replaceText(uri, indexesOnly);
    const [fixAll] = await client.codeActions(uri, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, [], ['source.fixAll.migration-guard']);
    assert.ok(fixAll, 'no fix-all action');
    const published = await client.applyAction(uri, fixAll);
    assert.equal(client.text(uri).match(/atomic = False/g)?.length, 1, client.text(uri));
    assert.deepEqual(published.diagnostics.map((d) => d.code), []);
  });

  it('prefers moving the AddIndex to a new non-atomic migration: a new file, the operation gone from this one', async () => {
    const { actions } = await actionsFor('add-index-non-concurrent');
    const move = titled(actions, /^Move to a new non-atomic migration as AddIndexConcurrently$/);
    assert.equal(move.isPreferred, true);
    const newPath = join(workspace, 'shop/migrations/0003_order_order_created_idx.py');
    const [create, newText] = move.edit?.documentChanges ?? [];
    assert.deepEqual(create, { kind: 'create', uri: uriOf(newPath), options: { overwrite: false, ignoreIfExists: false } });
    const written = ((newText as TextDocumentEdit).edits[0] as TextEdit).newText;
    assert.equal(
      written,
      [
        'from django.contrib.postgres.operations import AddIndexConcurrently',
        'from django.db import migrations, models',
        '',
        '',
        'class Migration(migrations.Migration):',
        '    atomic = False',
        '',
        '    dependencies = [',
        '        ("shop", "0002_order_changes"),',
        '    ]',
        '',
        '    operations = [',
        '        AddIndexConcurrently(',
        '            model_name="order",',
        '            index=models.Index(fields=["created"], name="order_created_idx"),',
        '        ),',
        '    ]',
        '',
      ].join('\n'),
    );
    // What an editor does with the workspace edit: create the file, then edit this document.
    writeFileSync(newPath, written);
    try {
      await client.filesChanged([{ path: newPath, type: 1 }]);
      const published = await client.applyAction(uri, move);
      assert.doesNotMatch(client.text(uri), /AddIndex/);
      assert.equal(syntaxErrors(client.text(uri)), 0);
      assert.equal(published.diagnostics.filter((d) => d.code === 'add-index-non-concurrent').length, 0);
      const opened = await client.open(newPath, written);
      assert.deepEqual(opened.diagnostics.map((d) => d.code), [], 'the new migration is clean');
      await client.close(uriOf(newPath));
    } finally {
      rmSync(newPath, { force: true });
      await client.filesChanged([{ path: newPath, type: 3 }]);
    }
  });

  it('splits the migration at the slow step that holds the lock: the RunPython, its function and what follows move', async () => {
    const { actions } = await actionsFor('exclusive-lock-held-by-slow-step');
    const split = titled(actions, /^Split the migration: move RunPython and what follows to a new migration$/);
    assert.equal(split.isPreferred, true);
    const [create, newText] = split.edit?.documentChanges ?? [];
    assert.equal((create as { uri: string }).uri, uriOf(join(workspace, 'shop/migrations/0003_fill_totals.py')));
    const written = ((newText as TextDocumentEdit).edits[0] as TextEdit).newText;
    assert.match(written, /^from django\.db import migrations\n\n\ndef fill_totals\(apps, schema_editor\):\n/);
    assert.match(written, /\("shop", "0002_order_changes"\),[\s\S]*migrations\.RunPython\(fill_totals\),\n {8}migrations\.RunSQL\(/);
    assert.doesNotMatch(written, /atomic/);
    const published = await client.change(uri, editsFor(split.edit, uri));
    assert.doesNotMatch(client.text(uri), /fill_totals|RunPython|RunSQL/);
    assert.equal(syntaxErrors(client.text(uri)), 0);
    assert.equal(published.diagnostics.filter((d) => d.code === 'exclusive-lock-held-by-slow-step').length, 0);
  });

  it('offers no fix from a diagnostic published for an earlier text of the document', async () => {
    const stale = diagnostic('runpython-no-reverse');
    await client.change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: '# moved down a line\n' }]);
    const fromStale = await client.codeActions(uri, stale.range, [stale], ['quickfix']);
    assert.deepEqual(fromStale.map((action) => action.title), [], 'edits computed for the other text would land one line off');
    const fresh = await client.codeActions(uri, diagnostic('runpython-no-reverse').range, [diagnostic('runpython-no-reverse')], ['quickfix']);
    const fix = titled(fresh, /reverse_code=migrations\.RunPython\.noop/);
    await client.applyAction(uri, fix);
    assert.match(client.text(uri), /migrations\.RunPython\(fill_totals, reverse_code=migrations\.RunPython\.noop\)/);
  });

  it('matches a diagnostic sent back without its data (a client without dataSupport) to the current finding', async () => {
    const { data, ...bare } = diagnostic('runsql-no-reverse');
    assert.ok(data);
    const actions = await client.codeActions(uri, bare.range, [bare], ['quickfix']);
    const published = await client.applyAction(uri, titled(actions, /reverse_sql=migrations\.RunSQL\.noop/));
    assert.equal(published.diagnostics.filter((d) => d.code === 'runsql-no-reverse').length, 0);
  });

  it('answers only quick fixes when asked for quick fixes', async () => {
    const found = diagnostic('remove-field');
    const actions = await client.codeActions(uri, found.range, [found], ['quickfix']);
    assert.ok(actions.length >= 3);
    assert.ok(actions.every((action) => action.kind === 'quickfix'));
  });
});
