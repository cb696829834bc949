// Settings over the real protocol: the server asks for `migrationGuard` per document (scopeUri = the document),
// merges the answer over pyproject.toml, and re-analyses open files on didChangeConfiguration and on a changed
// pyproject.toml.
import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LspClient, copyFixture, removeWorkspace, uriOf } from './lspClient';

describe('LSP settings', function () {
  this.timeout(20000);
  let workspace: string;
  let client: LspClient;
  let uri: string;
  let settings: Record<string, unknown>;

  before(async () => {
    workspace = copyFixture('project');
    settings = {};
    client = await LspClient.start({ workspace, settings: () => settings });
    await client.waitForIndexing();
    const path = join(workspace, 'shop/migrations/0002_order_changes.py');
    uri = uriOf(path);
    await client.open(path, readFileSync(path, 'utf8'));
  });

  after(async () => {
    await client?.dispose();
    removeWorkspace(workspace);
  });

  async function reconfigure(next: Record<string, unknown>): Promise<Set<string>> {
    settings = next;
    const since = client.publishCount(uri);
    await client.changeSettings();
    const published = await client.waitForDiagnostics(uri, () => true, since);
    return new Set(published.diagnostics.map((d) => String(d.code)));
  }

  it('asks for the migrationGuard section with the document as scope', () => {
    const items = client.configurationRequests.flatMap((request) => request.items);
    assert.ok(items.some((item) => item.section === 'migrationGuard' && item.scopeUri === uri), JSON.stringify(items));
  });

  it('registers for configuration changes and for the watched files', () => {
    const methods = client.registrations.flatMap((params) => params.registrations.map((registration) => registration.method));
    assert.ok(methods.includes('workspace/didChangeConfiguration'));
    const watch = client.registrations.flatMap((params) => params.registrations).find((registration) => registration.method === 'workspace/didChangeWatchedFiles');
    const globs = (watch?.registerOptions as { watchers: { globPattern: string }[] }).watchers.map((watcher) => watcher.globPattern);
    for (const glob of ['**/migrations/*.py', '**/pyproject.toml', '**/settings*.py']) assert.ok(globs.includes(glob), `not watching ${glob}`);
  });

  it('a rule set to "off" disappears; a rule set to "error" is reported as an error', async () => {
    const codes = await reconfigure({ rules: { 'remove-field': 'off', 'add-index-non-concurrent': 'error' } });
    assert.ok(!codes.has('remove-field'));
    const addIndex = client.latestDiagnostics(uri).find((d) => d.code === 'add-index-non-concurrent');
    assert.equal(addIndex?.severity, 1);
    const back = await reconfigure({});
    assert.ok(back.has('remove-field'));
  });

  it('database "sqlite" changes the set of rules that run', async () => {
    const original = client.text(uri);
    // A nullability change: on SQLite Django rebuilds the table for it.
    await client.replaceText(uri, original.replace('    operations = [\n', '    operations = [\n        migrations.AlterField(model_name="order", name="total", field=models.IntegerField(null=True)),\n'));
    const postgres = await reconfigure({ database: 'postgresql' });
    assert.ok(postgres.has('add-index-non-concurrent'));
    assert.ok(!postgres.has('sqlite-table-rebuild'));
    const sqlite = await reconfigure({ database: 'sqlite' });
    assert.ok(!sqlite.has('add-index-non-concurrent'), 'a PostgreSQL-only rule still ran on SQLite');
    assert.ok(sqlite.has('sqlite-table-rebuild'), `no sqlite-table-rebuild in ${[...sqlite].join(', ')}`);
    await reconfigure({});
    await client.replaceText(uri, original);
  });

  it('exclude globs (relative to the workspace folder) silence a file', async () => {
    const excluded = await reconfigure({ exclude: ['shop/migrations/0002_*.py'] });
    assert.equal(excluded.size, 0);
    const included = await reconfigure({ exclude: ['other/**'] });
    assert.ok(included.size > 0);
    await reconfigure({});
  });

  it('re-reads pyproject.toml when it changes on disk', async () => {
    const pyproject = join(workspace, 'pyproject.toml');
    const before = readFileSync(pyproject, 'utf8');
    writeFileSync(pyproject, `${before}\n[tool.migration-guard.severity]\n"runsql-no-reverse" = "off"\n`);
    let since = client.publishCount(uri);
    await client.filesChanged([{ path: pyproject, type: 2 }]);
    let published = await client.waitForDiagnostics(uri, () => true, since);
    assert.ok(!published.diagnostics.some((d) => d.code === 'runsql-no-reverse'));

    writeFileSync(pyproject, before);
    since = client.publishCount(uri);
    await client.filesChanged([{ path: pyproject, type: 2 }]);
    published = await client.waitForDiagnostics(uri, () => true, since);
    assert.ok(published.diagnostics.some((d) => d.code === 'runsql-no-reverse'));
  });

  it('the editor setting wins over pyproject.toml', async () => {
    const at = client.positionOf(uri, 'AddIndex(');
    const fromPyproject = await client.hover(uri, at.line, at.character);
    assert.match(JSON.stringify(fromPyproject), /PostgreSQL 15/);
    await reconfigure({ postgresVersion: 12 });
    const fromEditor = await client.hover(uri, at.line, at.character);
    assert.match(JSON.stringify(fromEditor), /PostgreSQL 12/);
    await reconfigure({});
  });

  it('reports a broken pyproject.toml once, and keeps analysing with the defaults', async () => {
    const pyproject = join(workspace, 'pyproject.toml');
    const before = readFileSync(pyproject, 'utf8');
    writeFileSync(pyproject, '[tool.migration-guard]\ndatabase = "oracle"\n');
    const since = client.publishCount(uri);
    await client.filesChanged([{ path: pyproject, type: 2 }]);
    const published = await client.waitForDiagnostics(uri, () => true, since);
    assert.ok(published.diagnostics.length > 0);
    await client.waitFor('the config problem to be shown', () => client.logs.find((line) => line.startsWith('[shown]') && line.includes('oracle')));
    writeFileSync(pyproject, before);
    await client.filesChanged([{ path: pyproject, type: 2 }]);
  });
});
