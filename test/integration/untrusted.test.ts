// A window whose folder is not trusted (workspace trust on, the folder never trusted): the migration checks still
// work, because they only read text; every command that would run the project's manage.py refuses, and the
// settings that name what to execute are not applied.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { UNTRUSTED_WORKSPACE_PYTHON } from './results';
import { closeAllEditors, extensionApi, fixturePath, MIGRATIONS, openMigration, ScriptedPrompter, waitForRule, withPrompter } from './support';

interface CommandResult {
  status: string;
  message?: string;
}

describe('untrusted workspace', function () {
  before(async function () {
    await extensionApi();
  });

  after(async function () {
    await closeAllEditors();
  });

  it('is not trusted', function () {
    assert.equal(vscode.workspace.isTrusted, false, 'the runner must open this window without trusting the folder');
  });

  it('still shows the diagnostics and hovers', async function () {
    const editor = await openMigration(MIGRATIONS.nameIndex);
    await waitForRule(editor.document.uri, 'add-index-non-concurrent', 30_000);
    const position = editor.document.positionAt(editor.document.getText().indexOf('AddIndex') + 3);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, position);
    assert.ok(hovers.length > 0, 'a hover on AddIndex');
  });

  for (const [command, argument] of [
    ['migrationGuard.migrate', undefined],
    ['migrationGuard.makeMigrations', undefined],
    ['migrationGuard.showMigrations', undefined],
    ['migrationGuard.checkMissingMigrations', undefined],
    ['migrationGuard.rollback', 'migration'],
    ['migrationGuard.showSql', 'migration'],
  ] as const) {
    it(`refuses ${command} without running manage.py or asking anything`, async function () {
      await openMigration(MIGRATIONS.nameIndex);
      const prompter = new ScriptedPrompter([]);
      const args = argument === 'migration' ? [{ managePy: fixturePath('manage.py'), app: 'shop', name: '0003_product_name_idx' }] : [];
      const result = await withPrompter(prompter, async () => vscode.commands.executeCommand<CommandResult | undefined>(command, ...args));
      assert.equal(result?.status, 'untrusted', `result: ${JSON.stringify(result)}`);
      assert.match(result.message ?? '', /[Tt]rust/);
      assert.deepEqual(prompter.asked, []);
      // manage.py never ran: Django would have created the SQLite database next to it.
      assert.equal(existsSync(fixturePath('db.sqlite3')), false);
    });
  }

  it('ignores the settings that name what to execute', function () {
    // The runner put pythonPath in this folder's .vscode/settings.json; a restricted setting's workspace value
    // only counts once the folder is trusted.
    assert.ok(readFileSync(fixturePath('.vscode', 'settings.json'), 'utf8').includes(UNTRUSTED_WORKSPACE_PYTHON), 'the runner wrote the workspace value');
    assert.notEqual(vscode.workspace.getConfiguration('migrationGuard').get('pythonPath'), UNTRUSTED_WORKSPACE_PYTHON);
  });
});
