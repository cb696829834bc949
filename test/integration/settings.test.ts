// Settings take effect without a restart: the client forwards `migrationGuard.*` changes to the language server,
// which re-lints the open migrations.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAllEditors, extensionApi, MIGRATIONS, openMigration, ourDiagnostics, ruleOf, waitFor, waitForNoRule, waitForRule } from './support';

async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('migrationGuard').update(key, value, vscode.ConfigurationTarget.Workspace);
}

describe('settings', function () {
  before(async function () {
    await extensionApi();
  });

  afterEach(async function () {
    await setSetting('rules', undefined);
    // The fixture's .vscode/settings.json says PostgreSQL; put that back.
    await setSetting('database', 'postgresql');
    await closeAllEditors();
  });

  it('turns a rule off with migrationGuard.rules, and back on', async function () {
    const editor = await openMigration(MIGRATIONS.nameIndex);
    const uri = editor.document.uri;
    await waitForRule(uri, 'add-index-non-concurrent', 30_000);

    await setSetting('rules', { 'add-index-non-concurrent': 'off' });
    await waitForNoRule(uri, 'add-index-non-concurrent');

    await setSetting('rules', undefined);
    await waitForRule(uri, 'add-index-non-concurrent');
  });

  it('changes a rule severity with migrationGuard.rules', async function () {
    const editor = await openMigration(MIGRATIONS.nameIndex);
    const uri = editor.document.uri;
    await waitForRule(uri, 'add-index-non-concurrent', 30_000);
    await setSetting('rules', { 'add-index-non-concurrent': 'error' });
    const diagnostic = await waitFor('the index warning to become an error', () =>
      ourDiagnostics(uri).find((candidate) => ruleOf(candidate) === 'add-index-non-concurrent' && candidate.severity === vscode.DiagnosticSeverity.Error),
    );
    assert.equal(diagnostic.range.start.line, 10);
  });

  it('drops the PostgreSQL-only rules when migrationGuard.database is sqlite', async function () {
    const editor = await openMigration(MIGRATIONS.nameIndex);
    const uri = editor.document.uri;
    await waitForRule(uri, 'add-index-non-concurrent', 30_000);
    await setSetting('database', 'sqlite');
    await waitForNoRule(uri, 'add-index-non-concurrent');
    await setSetting('database', 'postgresql');
    await waitForRule(uri, 'add-index-non-concurrent');
  });
});
