// The language server reads a project as Django does: app labels from apps.py, migrations where MIGRATION_MODULES
// (settings or pyproject) puts them, and an apps.py edited on disk re-labels the app.
import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LspClient, copyFixture, messageOf, removeWorkspace, uriOf } from './lspClient';

describe('LSP project layout', function () {
  this.timeout(30000);
  const clients: LspClient[] = [];
  const workspaces: string[] = [];

  async function open(project: string): Promise<{ client: LspClient; workspace: string }> {
    const workspace = copyFixture(project, 'test/fixtures/projects');
    workspaces.push(workspace);
    const client = await LspClient.start({ workspace });
    clients.push(client);
    await client.waitForIndexing();
    return { client, workspace };
  }

  after(async () => {
    for (const client of clients) await client.dispose();
    for (const workspace of workspaces) removeWorkspace(workspace);
  });

  it('analyses migrations in the packages MIGRATION_MODULES names (settings and pyproject)', async () => {
    const { client, workspace } = await open('moved-migrations');
    const billing = join(workspace, 'billing/db_migrations/0002_invoice_due_date.py');
    const published = await client.open(billing, readFileSync(billing, 'utf8'));
    assert.deepEqual(published.diagnostics.map((d) => String(d.code)), ['add-field-not-null-no-default']);
    assert.match(messageOf(published.diagnostics[0]!), /AddField billing\.Invoice\.due_date/);
    const catalog = join(workspace, 'catalog/schema_migrations/0002_alter_product_price.py');
    const altered = await client.open(catalog, readFileSync(catalog, 'utf8'));
    // Replay needs 0001 of the same moved package, which is only on disk.
    assert.deepEqual(altered.diagnostics.map((d) => String(d.code)), ['alter-field-type']);
  });

  it('keys apps by their AppConfig label, and follows an apps.py edited on disk', async () => {
    const { client, workspace } = await open('library-labels');
    const path = join(workspace, 'quarry/search/migrations/0002_rename_body_indexentry_content.py');
    const uri = uriOf(path);
    const first = await client.open(path, readFileSync(path, 'utf8'));
    assert.deepEqual(first.diagnostics.map((d) => String(d.code)), ['rename-field']);
    assert.match(messageOf(first.diagnostics[0]!), /quarrysearch_indexentry/);

    // Relabelled: the migrations' dependencies on "quarrysearch" no longer name their own app.
    const appsPath = join(workspace, 'quarry/search/apps.py');
    const original = readFileSync(appsPath, 'utf8');
    writeFileSync(appsPath, original.replace('label = "quarrysearch"', 'label = "qsearch"'));
    let since = client.publishCount(uri);
    await client.filesChanged([{ path: appsPath, type: 2 }]);
    await client.waitForDiagnostics(uri, (p) => p.diagnostics.some((d) => d.code === 'conflicting-leaf-migrations'), since);

    writeFileSync(appsPath, original);
    since = client.publishCount(uri);
    await client.filesChanged([{ path: appsPath, type: 2 }]);
    await client.waitForDiagnostics(uri, (p) => !p.diagnostics.some((d) => d.code === 'conflicting-leaf-migrations'), since);
  });
});
