// migrationGuard/proposedMigrationFindings over the real protocol: the texts of a real `makemigrations --dry-run -v 3`
// (Django 3.2) analysed with the indexed history as if written, without the index taking them in.
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMakemigrationsPreview } from '../../client/src/django/djangoOutput';
import {
  MIGRATION_FINDINGS_REQUEST,
  PROPOSED_MIGRATION_FINDINGS_REQUEST,
  WORKSPACE_FINDINGS_REQUEST,
  type FindingsResult,
  type ProposedMigrationFindingsResult,
} from '../../server/src/lsp/clientContract';
import { LspClient, copyFixture, removeWorkspace, uriOf } from './lspClient';

const DRY_RUN = readFileSync(join(__dirname, '..', 'fixtures', 'django-output', 'makemigrations-dry-run-v3.txt'), 'utf8');

describe('LSP: findings of the migrations Make Migrations would write', function () {
  this.timeout(20000);
  let workspace: string;
  let client: LspClient;

  before(async () => {
    workspace = copyFixture('proposed');
    client = await LspClient.start({ workspace });
    await client.waitForIndexing();
  });

  after(async () => {
    await client?.dispose();
    removeWorkspace(workspace);
  });

  const request = (files: { uri: string; text: string }[]) =>
    client.connection.sendRequest(PROPOSED_MIGRATION_FINDINGS_REQUEST, { files }) as Promise<ProposedMigrationFindingsResult>;

  it('answers with each file\'s counts, findings and quick-fix titles, and writes nothing', async () => {
    const preview = parseMakemigrationsPreview(DRY_RUN);
    const files = preview.migrations.map((migration) => ({ uri: uriOf(join(workspace, migration.path)), text: migration.content ?? '' }));
    const result = await request(files);
    assert.deepEqual(result.notChecked, []);
    assert.deepEqual(
      result.files.map((file) => [file.uri, file.counts]),
      [
        [files[0]!.uri, { error: 1, warning: 4, info: 0 }],
        [files[1]!.uri, { error: 0, warning: 0, info: 0 }],
      ],
    );
    const [removeField] = result.files[0]!.findings;
    assert.deepEqual([removeField!.rule, removeField!.line, removeField!.fixes.length], ['remove-field', 13, 1]);
    assert.ok(!existsSync(join(workspace, preview.migrations[0]!.path)));
    // The index still holds only what is on disk.
    const workspaceFindings = (await client.connection.sendRequest(WORKSPACE_FINDINGS_REQUEST, {})) as FindingsResult;
    assert.deepEqual(workspaceFindings.files, []);
  });

  it('keeps in the history a migration opened while the server started (before it knew the folder)', async () => {
    const early = await LspClient.start({ workspace });
    try {
      // Sent at once: the server is still registering its watchers, the workspace folder not yet indexed.
      const initial = join(workspace, 'shop/migrations/0001_initial.py');
      const opened = early.open(initial, readFileSync(initial, 'utf8'));
      await early.waitForIndexing();
      await opened;
      const migration = parseMakemigrationsPreview(DRY_RUN).migrations[0]!;
      const result = (await early.connection.sendRequest(PROPOSED_MIGRATION_FINDINGS_REQUEST, {
        files: [{ uri: uriOf(join(workspace, migration.path)), text: migration.content ?? '' }],
      })) as ProposedMigrationFindingsResult;
      // Alone (orders' file not sent), the shop migration is a leaf, so its timestamp name is worth an info too.
      assert.deepEqual(result.files[0]?.counts, { error: 1, warning: 4, info: 1 });
      assert.match(result.files[0]!.findings.find((finding) => finding.rule === 'remove-field')!.message, /^RemoveField shop\.Product\.legacy_code/);
    } finally {
      await early.dispose();
    }
  });

  it('leaves out a migration deleted before its file-watch event arrived', async () => {
    // Another leaf of shop, on disk when indexed, deleted without telling the server: it must not make a conflict.
    const other = join(workspace, 'shop/migrations/0002_other.py');
    writeFileSync(other, 'from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    dependencies = [("shop", "0001_initial")]\n    operations = []\n');
    await client.filesChanged([{ path: other, type: 1 }]);
    const indexed = (await client.connection.sendRequest(MIGRATION_FINDINGS_REQUEST, { uris: [uriOf(other)] })) as FindingsResult;
    assert.equal(indexed.files.length, 1, 'the server holds it');
    rmSync(other);
    const preview = parseMakemigrationsPreview(DRY_RUN);
    const result = await request(preview.migrations.map((migration) => ({ uri: uriOf(join(workspace, migration.path)), text: migration.content ?? '' })));
    assert.deepEqual(result.files[0]?.counts, { error: 1, warning: 4, info: 0 });
    // Still open in an editor after the deletion (VS Code releases documents late): Django does not see it either.
    await client.open(other, 'from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    dependencies = [("shop", "0001_initial")]\n    operations = []\n');
    const whileOpen = await request(preview.migrations.map((migration) => ({ uri: uriOf(join(workspace, migration.path)), text: migration.content ?? '' })));
    assert.deepEqual(whileOpen.files[0]?.counts, { error: 1, warning: 4, info: 0 });
    await client.close(uriOf(other));
    await client.filesChanged([{ path: other, type: 3 }]);
  });

  it('says which files it did not check, and why', async () => {
    const result = await request([
      { uri: 'file:///elsewhere/app/migrations/0002_x.py', text: 'x' },
      { uri: uriOf(join(workspace, 'shop', 'models_draft.py')), text: 'from django.db import migrations\n' },
    ]);
    assert.deepEqual(result.files, []);
    assert.deepEqual(result.notChecked.map((entry) => entry.reason), ['outside the workspace folders', 'not a migration of this project (its folder is not a migrations package)']);
    assert.deepEqual(await client.connection.sendRequest(PROPOSED_MIGRATION_FINDINGS_REQUEST, { files: 'nope' }), { files: [], notChecked: [] });
  });
});
