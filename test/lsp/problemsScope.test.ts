// migrationGuard.problems.scope over the real protocol: which closed migrations get their findings in Problems.
// `pending` (default): unapplied per the client's showmigrations (migrationGuard/appliedMigrations) and new or changed
// per git, minus what the baseline accepts; `workspace`: every migration; `open`: open files only.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../server/src/engine/analyze';
import { createBaseline, writeBaseline } from '../../server/src/engine/config/baseline';
import { DEFAULT_CONFIG } from '../../server/src/engine/config/types';
import { APPLIED_MIGRATIONS_NOTIFICATION, WORKSPACE_TRUST_NOTIFICATION, type AppliedMigrationsParams } from '../../server/src/lsp/clientContract';
import { LspClient, copyFixture, removeWorkspace, uriOf } from './lspClient';

const REMOVE_FIELD_AND_MORE = 8; // 0002_order_changes: 2 errors, 5 warnings, 1 info

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', '-c', 'commit.gpgsign=false', ...args], { cwd, stdio: 'ignore' });
}

const NEW_MIGRATION = [
  'from django.db import migrations',
  '',
  '',
  'class Migration(migrations.Migration):',
  '    dependencies = [("shop", "0002_order_changes")]',
  '',
  '    operations = [',
  '        migrations.RemoveField(model_name="order", name="note"),',
  '    ]',
  '',
].join('\n');

describe('LSP: migrationGuard.problems.scope', function () {
  this.timeout(30000);
  let workspace: string;
  let client: LspClient;
  let settings: Record<string, unknown>;
  let changes: string;
  let initial: string;

  const applied = (migrations: Record<string, boolean>): Promise<void> =>
    client.connection.sendNotification(APPLIED_MIGRATIONS_NOTIFICATION, {
      projectUri: uriOf(workspace),
      apps: [{ app: 'shop', migrations: Object.entries(migrations).map(([name, isApplied]) => ({ name, applied: isApplied })) }],
    } satisfies AppliedMigrationsParams);
  const published = (path: string, count: number, since: number) => client.waitForDiagnostics(uriOf(path), (params) => params.diagnostics.length === count, since);

  beforeEach(async () => {
    workspace = copyFixture('project');
    changes = join(workspace, 'shop/migrations/0002_order_changes.py');
    initial = join(workspace, 'shop/migrations/0001_initial.py');
    settings = {};
  });

  afterEach(async () => {
    await client?.dispose();
    removeWorkspace(workspace);
  });

  async function start(initializationOptions?: unknown): Promise<void> {
    client = await LspClient.start({ workspace, settings: () => settings, ...(initializationOptions !== undefined ? { initializationOptions } : {}) });
    await client.waitForIndexing();
  }

  it('pending: lists the unapplied migrations once the client says which are applied, and drops them once applied', async () => {
    await start();
    // Not a git repository and no applied state yet: nothing closed is listed.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(client.publishCount(uriOf(changes)), 0);
    let since = client.publishCount(uriOf(changes));
    await applied({ '0001_initial': true, '0002_order_changes': false });
    const shown = await published(changes, REMOVE_FIELD_AND_MORE, since);
    assert.deepEqual(shown.diagnostics.filter((d) => d.severity === 1).map((d) => d.code), ['remove-field', 'add-field-not-null-no-default']);
    assert.equal(client.publishCount(uriOf(initial)), 0, 'an applied migration is not listed');
    since = client.publishCount(uriOf(changes));
    await applied({ '0001_initial': true, '0002_order_changes': true });
    await published(changes, 0, since);
  });

  it('pending: a migration that a listed app lacks is newer than the listing, so unapplied', async () => {
    await start();
    const since = client.publishCount(uriOf(changes));
    await applied({ '0001_initial': true });
    await published(changes, REMOVE_FIELD_AND_MORE, since);
  });

  it('pending: lists what git reports as new or changed, only in a trusted workspace', async () => {
    git(workspace, 'init', '-q');
    git(workspace, 'add', '-A');
    git(workspace, 'commit', '-q', '-m', 'history');
    await start({ workspaceTrusted: false });
    const fresh = join(workspace, 'shop/migrations/0003_drop_note.py');
    writeFileSync(fresh, NEW_MIGRATION);
    await client.filesChanged([{ path: fresh, type: 1 }]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(client.publishCount(uriOf(fresh)), 0, 'no git without trust');
    const since = client.publishCount(uriOf(fresh));
    await client.connection.sendNotification(WORKSPACE_TRUST_NOTIFICATION, { trusted: true });
    const shown = await published(fresh, 1, since);
    assert.equal(shown.diagnostics[0]!.code, 'remove-field');
    assert.equal(client.publishCount(uriOf(changes)), 0, 'the committed migration is not pending');
    // An edit on disk makes a committed migration "changed".
    appendFileSync(changes, '# touched\n');
    await client.filesChanged([{ path: changes, type: 2 }]);
    await published(changes, REMOVE_FIELD_AND_MORE, 0);
  });

  it('pending: leaves out the findings the baseline accepts, keeps the new ones', async () => {
    // Accept today's findings of 0002, then add a new risky operation to it.
    const texts = [initial, changes].map((path) => ({ path, text: readFileSync(path, 'utf8') }));
    const findings = analyze(texts, { config: { ...DEFAULT_CONFIG, root: workspace, postgresVersion: 15 } }).findings;
    writeBaseline(createBaseline(findings, (file) => texts.find((entry) => entry.path === file)?.text, 'baseline.json', workspace), 'baseline.json', workspace);
    appendFileSync(join(workspace, 'pyproject.toml'), 'baseline = "baseline.json"\n');
    writeFileSync(changes, readFileSync(changes, 'utf8').replace('    operations = [\n', '    operations = [\n        migrations.RemoveField(model_name="order", name="created"),\n'));
    await start();
    const since = client.publishCount(uriOf(changes));
    await applied({ '0001_initial': true });
    const shown = await published(changes, 3, since);
    // The new RemoveField, and the two findings it changed; none of the 8 accepted ones (legacy_code, note, ...).
    assert.deepEqual(shown.diagnostics.map((d) => d.code), ['remove-field', 'exclusive-lock-held-by-slow-step', 'mixed-schema-and-data']);
    assert.match(String(shown.diagnostics[0]!.message), /RemoveField shop\.Order\.created/);
    assert.ok(shown.diagnostics.every((d) => !String(d.message).includes('legacy_code')));
  });

  it('workspace: the baseline holds back what it accepts there too', async () => {
    const texts = [initial, changes].map((path) => ({ path, text: readFileSync(path, 'utf8') }));
    const findings = analyze(texts, { config: { ...DEFAULT_CONFIG, root: workspace, postgresVersion: 15 } }).findings;
    writeBaseline(createBaseline(findings, (file) => texts.find((entry) => entry.path === file)?.text, 'baseline.json', workspace), 'baseline.json', workspace);
    appendFileSync(join(workspace, 'pyproject.toml'), 'baseline = "baseline.json"\n');
    writeFileSync(changes, readFileSync(changes, 'utf8').replace('    operations = [\n', '    operations = [\n        migrations.RemoveField(model_name="order", name="created"),\n'));
    settings = { problems: { scope: 'workspace' } };
    await start();
    const shown = await published(changes, 3, 0);
    assert.deepEqual(shown.diagnostics.map((d) => d.code), ['remove-field', 'exclusive-lock-held-by-slow-step', 'mixed-schema-and-data']);
    assert.ok(shown.diagnostics.every((d) => !String(d.message).includes('legacy_code')));
  });

  it('workspace lists every migration, open lists none of the closed ones', async () => {
    settings = { problems: { scope: 'workspace' } };
    await start();
    await published(changes, REMOVE_FIELD_AND_MORE, 0);
    const since = client.publishCount(uriOf(changes));
    settings = { problems: { scope: 'open' } };
    await client.changeSettings();
    await published(changes, 0, since);
  });
});
