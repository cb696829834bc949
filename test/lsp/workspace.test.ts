// Workspace awareness over the real protocol: indexing with $/progress, the graph kept current by file-watch
// events (a second leaf created on disk gives conflicting-leaf-migrations on both files, deleting it clears them),
// graph problems from edits, state replay from files that are only on disk, and closing a document.
import { strict as assert } from 'node:assert';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LspClient, copyFixture, removeWorkspace, uriOf } from './lspClient';

const SECOND_LEAF = `from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0001_initial"),
    ]

    operations = [
        migrations.AddField(model_name="order", name="coupon", field=models.CharField(max_length=20, null=True)),
    ]
`;

describe('LSP workspace', function () {
  this.timeout(20000);
  let workspace: string;
  let client: LspClient;
  let changesPath: string;
  let changesUri: string;
  let original: string;

  before(async () => {
    workspace = copyFixture('project');
    client = await LspClient.start({ workspace });
    await client.waitForIndexing();
    changesPath = join(workspace, 'shop/migrations/0002_order_changes.py');
    changesUri = uriOf(changesPath);
    original = readFileSync(changesPath, 'utf8');
    await client.open(changesPath, original);
  });

  after(async () => {
    await client?.dispose();
    removeWorkspace(workspace);
  });

  const codes = (uri: string) => client.latestDiagnostics(uri).map((d) => String(d.code));

  it('reports indexing with $/progress begin, report and end', () => {
    const kinds = client.progress.map((p) => p.value.kind);
    assert.equal(kinds[0], 'begin');
    assert.equal(kinds[kinds.length - 1], 'end');
  });

  it('replays the state from migrations that are only on disk', async () => {
    // Whether this AlterField makes legacy_code NOT NULL is known only from 0001_initial.py, which is not open.
    const published = await client.replaceText(
      changesUri,
      original.replace('    operations = [\n', '    operations = [\n        migrations.AlterField(model_name="order", name="legacy_code", field=models.CharField(max_length=20)),\n'),
    );
    assert.ok(published.diagnostics.some((d) => d.code === 'alter-field-set-not-null'), published.diagnostics.map((d) => d.code).join(', '));
    await client.replaceText(changesUri, original);
  });

  it('a second leaf created on disk gives conflicting-leaf-migrations on both leaves; deleting it clears them', async () => {
    const otherPath = join(workspace, 'shop/migrations/0002_order_coupon.py');
    const otherUri = uriOf(otherPath);
    writeFileSync(otherPath, SECOND_LEAF);
    let since = client.publishCount(changesUri);
    await client.filesChanged([{ path: otherPath, type: 1 }]);
    const conflicted = await client.waitForDiagnostics(changesUri, (p) => p.diagnostics.some((d) => d.code === 'conflicting-leaf-migrations'), since);
    const conflict = conflicted.diagnostics.find((d) => d.code === 'conflicting-leaf-migrations');
    assert.equal(conflict?.severity, 1);
    // The new file is not open: it gets the graph problem all the same.
    await client.waitFor('the conflict on the closed file', () => (codes(otherUri).includes('conflicting-leaf-migrations') ? true : undefined));
    assert.ok(!codes(otherUri).includes('add-field-not-null-no-default'), 'closed files only carry workspace problems');

    rmSync(otherPath);
    since = client.publishCount(changesUri);
    await client.filesChanged([{ path: otherPath, type: 3 }]);
    await client.waitForDiagnostics(changesUri, (p) => !p.diagnostics.some((d) => d.code === 'conflicting-leaf-migrations'), since);
    await client.waitFor('the closed file to be cleared', () => (client.publishCount(otherUri) > 0 && codes(otherUri).length === 0 ? true : undefined));
  });

  it('a rename on disk (delete + create) moves the file in the graph', async () => {
    const firstPath = join(workspace, 'shop/migrations/0002_order_coupon.py');
    const renamedPath = join(workspace, 'shop/migrations/0003_order_coupon.py');
    writeFileSync(firstPath, SECOND_LEAF);
    let since = client.publishCount(changesUri);
    await client.filesChanged([{ path: firstPath, type: 1 }]);
    await client.waitForDiagnostics(changesUri, (p) => p.diagnostics.some((d) => d.code === 'conflicting-leaf-migrations'), since);
    // Renamed and made to follow 0002: one leaf again.
    renameSync(firstPath, renamedPath);
    writeFileSync(renamedPath, SECOND_LEAF.replace('"0001_initial"', '"0002_order_changes"'));
    since = client.publishCount(changesUri);
    await client.filesChanged([
      { path: firstPath, type: 3 },
      { path: renamedPath, type: 1 },
    ]);
    await client.waitForDiagnostics(changesUri, (p) => !p.diagnostics.some((d) => d.code === 'conflicting-leaf-migrations'), since);
    rmSync(renamedPath);
    await client.filesChanged([{ path: renamedPath, type: 3 }]);
  });

  it('an edited dependency that does not exist gives missing-dependency, fixed by editing it back', async () => {
    const broken = await client.replaceText(changesUri, original.replace('("shop", "0001_initial")', '("shop", "0001_initail")'));
    const missing = broken.diagnostics.find((d) => d.code === 'missing-dependency');
    assert.ok(missing, `no missing-dependency in ${broken.diagnostics.map((d) => d.code).join(', ')}`);
    assert.equal(missing.range.start.line, client.positionOf(changesUri, '("shop", "0001_initail")').line);
    const fixed = await client.replaceText(changesUri, original);
    assert.ok(!fixed.diagnostics.some((d) => d.code === 'missing-dependency'));
  });

  it('editing one open migration re-analyses the other open migrations of the project', async () => {
    const initialPath = join(workspace, 'shop/migrations/0001_initial.py');
    const initialUri = uriOf(initialPath);
    await client.open(initialPath, readFileSync(initialPath, 'utf8'));
    // 0002 makes legacy_code NOT NULL; whether that is a change depends on 0001's definition (state replay).
    const setNotNull = await client.replaceText(
      changesUri,
      original.replace('    operations = [\n', '    operations = [\n        migrations.AlterField(model_name="order", name="legacy_code", field=models.CharField(max_length=20)),\n'),
    );
    assert.ok(setNotNull.diagnostics.some((d) => d.code === 'alter-field-set-not-null'), setNotNull.diagnostics.map((d) => d.code).join(', '));
    const since = client.publishCount(changesUri);
    await client.replaceText(initialUri, client.text(initialUri).replace('models.CharField(max_length=20, null=True)', 'models.CharField(max_length=20)'));
    const republished = await client.waitForDiagnostics(changesUri, (p) => !p.diagnostics.some((d) => d.code === 'alter-field-set-not-null'), since);
    assert.equal(republished.version, client.version(changesUri), 'republished for the version the editor shows');
    await client.close(initialUri);
    await client.replaceText(changesUri, original);
  });

  it('closing a document falls back to its text on disk', async () => {
    // The disk copy differs from the editor's: while open, the editor's text is the truth.
    writeFileSync(changesPath, original.replace('("shop", "0001_initial")', '("shop", "0009_missing")'));
    const since = client.publishCount(changesUri);
    await client.filesChanged([{ path: changesPath, type: 2 }]);
    await client.replaceText(changesUri, original);
    assert.ok(!client.latestDiagnostics(changesUri).some((d) => d.code === 'missing-dependency'));
    await client.close(changesUri);
    // Closed, the file is analysed from disk again: its missing dependency is published as a workspace problem.
    await client.waitForDiagnostics(changesUri, (p) => p.diagnostics.some((d) => d.code === 'missing-dependency'), since);
    writeFileSync(changesPath, original);
    await client.filesChanged([{ path: changesPath, type: 2 }]);
    await client.waitForDiagnostics(changesUri, (p) => p.diagnostics.length === 0);
  });

  it('withdraws a removed workspace folder\'s workspace problems', async () => {
    const otherPath = join(workspace, 'shop/migrations/0002_order_coupon.py');
    const otherUri = uriOf(otherPath);
    writeFileSync(otherPath, SECOND_LEAF);
    await client.filesChanged([{ path: otherPath, type: 1 }]);
    await client.waitFor('the conflict on the closed file', () => (codes(otherUri).includes('conflicting-leaf-migrations') ? true : undefined));
    const since = client.publishCount(otherUri);
    await client.connection.sendNotification('workspace/didChangeWorkspaceFolders', {
      event: { added: [], removed: [{ uri: uriOf(workspace), name: 'fixture' }] },
    });
    await client.waitForDiagnostics(otherUri, (p) => p.diagnostics.length === 0, since);
  });
});
