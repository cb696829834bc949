// The manage.py commands against the fixture project with real Django (SQLite next to manage.py, created by the
// first migrate). Confirmations are answered by a scripted Prompter, the way a user answers the dialogs, and every
// effect is checked independently with `manage.py showmigrations` and the files on disk. The tests run in order:
// each one starts from the database state the previous one left.
import * as assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import {
  appliedMigrations,
  byLabel,
  closeAllEditors,
  describeQuestion,
  extensionApi,
  fixturePath,
  MIGRATIONS,
  openMigration,
  ScriptedPrompter,
  waitFor,
  waitForRule,
  withPrompter,
} from './support';

/** The text of the plan preview the last migrate or roll back opened. */
function planPreview(): string {
  // Each preview gets a fresh path, /N/migrate plan.txt: the highest N is the latest.
  const number = (document: vscode.TextDocument) => Number(/^\/(\d+)\//.exec(document.uri.path)?.[1] ?? -1);
  const documents = vscode.workspace.textDocuments.filter((document) => document.uri.path.endsWith('/migrate plan.txt')).sort((a, b) => number(a) - number(b));
  assert.ok(documents.length > 0, 'the plan preview is open');
  return documents[documents.length - 1]!.getText();
}

interface CommandResult {
  status: string;
  message?: string;
  files?: string[];
  plan?: { app: string; name: string; operations: string[] }[];
}

/** Waits until the migration's code lenses include one titled `title` (the applied state the extension knows). */
async function waitForLens(relativePath: string, title: string): Promise<void> {
  const uri = vscode.Uri.file(fixturePath(relativePath));
  await waitFor(`a "${title}" code lens on ${relativePath}`, async () => {
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    return lenses.some((lens) => lens.command?.title === title) || undefined;
  });
}

const SHOP = ['shop.0001_initial', 'shop.0002_name_products', 'shop.0003_product_name_idx'];
const CONTENTTYPES = ['contenttypes.0001_initial', 'contenttypes.0002_remove_content_type_name'];

function run(command: string, prompter: ScriptedPrompter, ...args: unknown[]): Promise<CommandResult> {
  return withPrompter(prompter, async () => {
    const result = await vscode.commands.executeCommand<CommandResult | undefined>(command, ...args);
    assert.ok(result, `${command} returned no result`);
    return result;
  });
}

function migrationArgument(name: string): { managePy: string; app: string; name: string } {
  return { managePy: fixturePath('manage.py'), app: 'shop', name };
}

/** `app.migration -> description` of every row of the Django Migrations view. */
async function viewRows(): Promise<Map<string, string>> {
  const view = (await extensionApi()).migrationsView;
  const labelOf = (item: vscode.TreeItem): string => (typeof item.label === 'string' ? item.label : (item.label?.label ?? ''));
  const rows = new Map<string, string>();
  for (const app of (await view.getChildren()) ?? []) {
    const appLabel = labelOf(await view.getTreeItem(app));
    for (const migration of (await view.getChildren(app)) ?? []) {
      const item = await view.getTreeItem(migration);
      rows.set(`${appLabel}.${labelOf(item)}`, typeof item.description === 'string' ? item.description : '');
    }
  }
  return rows;
}

/** Waits until the view shows each migration in the given state (`applied` or `not applied`). */
async function waitForView(expected: Record<string, 'applied' | 'not applied'>): Promise<void> {
  let rows = new Map<string, string>();
  await waitFor(
    `the Django Migrations view to show ${JSON.stringify(expected)}`,
    async () => {
      rows = await viewRows();
      return Object.entries(expected).every(([migration, state]) => rows.get(migration)?.split(' · ')[0] === state) || undefined;
    },
    20_000,
  ).catch((error: Error) => {
    throw new Error(`${error.message}\nrows: ${JSON.stringify([...rows])}`);
  });
}

function states(migrations: string[], state: 'applied' | 'not applied'): Record<string, 'applied' | 'not applied'> {
  return Object.fromEntries(migrations.map((migration) => [migration, state]));
}

describe('manage.py commands with Django', function () {
  this.timeout(120_000);

  before(async function () {
    await extensionApi();
    assert.equal(existsSync(fixturePath('db.sqlite3')), false, 'the runner starts from a copy without a database');
  });

  after(async function () {
    await closeAllEditors();
  });

  it('lists every migration as not applied in the Django Migrations view (showmigrations)', async function () {
    const prompter = new ScriptedPrompter([]);
    const result = await run('migrationGuard.showMigrations', prompter);
    assert.equal(result.status, 'done', result.message);
    await waitForView(states([...CONTENTTYPES, ...SHOP], 'not applied'));
    const rows = await viewRows();
    assert.deepEqual([...rows.keys()].filter((key) => key.startsWith('shop.')), SHOP, 'the view lists the app migrations in order');
    await waitForLens(MIGRATIONS.nameIndex, 'Not applied');
  });

  it("shows each migration's finding counts from the language server, with the findings in the tooltip", async function () {
    const view = (await extensionApi()).migrationsView;
    const row = await waitFor('the warning badge on shop.0002_name_products', async () => {
      const shop = ((await view.getChildren()) ?? []).find((app) => (app as { app?: { app: string } }).app?.app === 'shop');
      const migration = ((await view.getChildren(shop)) ?? []).find((node) => (node as { name?: string }).name === '0002_name_products');
      const item: vscode.TreeItem | undefined = migration === undefined ? undefined : await view.getTreeItem(migration);
      return item && typeof item.description === 'string' && item.description.includes('⚠ 1') ? item : undefined;
    });
    assert.equal(row.description, 'not applied · ⚠ 1');
    assert.match(String(row.tooltip), /\n\n0 errors, 1 warning:\nline 18 warning runpython-no-reverse: RunPython\(name_unnamed_products\) has no reverse_code/);
    const rows = await viewRows();
    assert.equal(rows.get('shop.0001_initial'), 'not applied', 'no badge without findings');
  });

  it('migrates all apps once the plan is confirmed', async function () {
    await openMigration(MIGRATIONS.nameIndex);
    const prompter = new ScriptedPrompter([{ pick: byLabel('All apps') }, { confirm: true }]);
    const result = await run('migrationGuard.migrate', prompter);
    assert.equal(result.status, 'done', `${result.message}; asked: ${prompter.asked.map(describeQuestion).join(' | ')}`);
    prompter.assertAllAnswered();

    const [pick, confirm] = prompter.asked;
    assert.ok(pick?.kind === 'pick' && pick.items.some((item) => item.label === 'Up to shop.0003_product_name_idx'), 'offers the migration in the editor as a target');
    assert.ok(confirm?.kind === 'confirm');
    assert.match(confirm.request.message, /apply 5 migrations on database ".*db\.sqlite3" \(sqlite3\)/);
    // The modal is a short question with the counts; the verdict and the plan are in the preview document.
    assert.match(confirm.request.detail ?? '', /Settings: e2esite\.settings/);
    assert.match(confirm.request.detail ?? '', /\nNo errors in the 3 migrations checked, 2 migrations have warnings\. 2 migrations from installed packages not checked\.\n/);
    assert.doesNotMatch(confirm.request.detail ?? '', /Apply shop\.0003_product_name_idx/);
    assert.equal(confirm.request.confirmLabel, 'Migrate');
    const preview = planPreview();
    // The workspace settings say PostgreSQL, so 0003's AddIndex warns too.
    assert.match(preview, /^No errors in the 3 migrations checked\.\n\n2 migrations with warnings:\n  shop\.0002_name_products\n    line 18: warning runpython-no-reverse: [^\n]*\n  shop\.0003_product_name_idx\n    line 11: warning add-index-non-concurrent: /);
    assert.match(preview, /\nApply shop\.0002_name_products {4}\(1 warning\)\n[^]*\nApply shop\.0003_product_name_idx {4}\(1 warning\)\n/);
    assert.deepEqual(result.plan?.map((step) => `${step.app}.${step.name}`).filter((name) => name.startsWith('shop.')), SHOP);

    const applied = await appliedMigrations();
    assert.deepEqual(SHOP.map((migration) => applied.get(migration)), [true, true, true]);
    await waitForView(states([...CONTENTTYPES, ...SHOP], 'applied'));
    await waitForLens(MIGRATIONS.nameIndex, 'Applied');
  });

  it('shows the SQL of a migration (sqlmigrate, both directions)', async function () {
    const result = await run('migrationGuard.showSql', new ScriptedPrompter([]), migrationArgument('0003_product_name_idx'));
    assert.equal(result.status, 'done', result.message);
    // sqlmigrate's SQL, with the generated SQL opened beside it (which takes the focus).
    const text = await waitFor(`the SQL preview to be shown (visible: ${vscode.window.visibleTextEditors.map((editor) => editor.document.uri.path).join(', ')})`, () => {
      const document = vscode.window.visibleTextEditors.map((editor) => editor.document).find((candidate) => candidate.uri.path.endsWith('shop.0003_product_name_idx.sql'));
      return document?.getText();
    });
    assert.match(text, /CREATE INDEX "shop_product_name_idx" ON "shop_product" \("name"\)/);
    assert.match(text, /DROP INDEX "shop_product_name_idx"/);
  });

  it('changes nothing when the rollback confirmation is declined', async function () {
    const prompter = new ScriptedPrompter([{ confirm: false }]);
    const result = await run('migrationGuard.rollback', prompter, migrationArgument('0003_product_name_idx'));
    assert.equal(result.status, 'declined');
    assert.equal((await appliedMigrations()).get('shop.0003_product_name_idx'), true);
  });

  it('rolls back to before a migration once confirmed', async function () {
    const prompter = new ScriptedPrompter([{ confirm: true }]);
    const result = await run('migrationGuard.rollback', prompter, migrationArgument('0003_product_name_idx'));
    assert.equal(result.status, 'done', result.message);
    const [confirm] = prompter.asked;
    assert.ok(confirm?.kind === 'confirm');
    assert.match(confirm.request.message, /Roll back shop to 0002_name_products: UNAPPLY 1 migration/);
    assert.equal(confirm.request.confirmLabel, 'Roll Back');

    const applied = await appliedMigrations();
    assert.equal(applied.get('shop.0002_name_products'), true);
    assert.equal(applied.get('shop.0003_product_name_idx'), false);
    await waitForView({ 'shop.0002_name_products': 'applied', 'shop.0003_product_name_idx': 'not applied' });
  });

  it('migrates up to the migration in the editor (Migrate to Here)', async function () {
    await openMigration(MIGRATIONS.nameIndex);
    const prompter = new ScriptedPrompter([{ confirm: true }]);
    const result = await run('migrationGuard.migrateToHere', prompter);
    assert.equal(result.status, 'done', result.message);
    assert.deepEqual(result.plan?.map((step) => step.name), ['0003_product_name_idx']);
    assert.equal((await appliedMigrations()).get('shop.0003_product_name_idx'), true);
    await waitForView(states(SHOP, 'applied'));
  });

  it('asks to type the database name before migrating to a migration with errors, and shows why first', async function () {
    const file = fixturePath('shop', 'migrations', '0004_remove_product_name.py');
    writeFileSync(
      file,
      "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n\n    dependencies = [\n        ('shop', '0003_product_name_idx'),\n    ]\n\n    operations = [\n        migrations.RemoveField(\n            model_name='product',\n            name='name',\n        ),\n    ]\n",
    );
    try {
      await openMigration('shop/migrations/0004_remove_product_name.py');
      await waitForRule(vscode.Uri.file(file), 'remove-field');
      const prompter = new ScriptedPrompter([{ confirmByTyping: false }]);
      const result = await run('migrationGuard.migrateToHere', prompter, migrationArgument('0004_remove_product_name'));
      assert.equal(result.status, 'declined', result.message);
      const [typed] = prompter.asked;
      assert.ok(typed?.kind === 'confirmByTyping', prompter.asked.map(describeQuestion).join(' | '));
      assert.equal(typed.request.expected, 'db.sqlite3');
      assert.equal(typed.request.title, 'Confirm a plan with errors');
      assert.match(typed.request.detail ?? '', /\n1 migration in this plan has errors \(1 error\)\.\n/);
      assert.match(planPreview(), /^1 migration in this plan has errors:\n  shop\.0004_remove_product_name\n    line 11: error remove-field: RemoveField shop\.Product\.name: drops column name /);
      assert.equal((await appliedMigrations()).get('shop.0004_remove_product_name'), false, 'nothing ran');
    } finally {
      await closeAllEditors();
      rmSync(file, { force: true });
    }
  });

  it('reloads the view when migrationGuard.env changes (another settings module, another database)', async function () {
    const otherSettings = fixturePath('e2esite', 'settings_other.py');
    writeFileSync(otherSettings, "from .settings import *  # noqa: F401,F403\n\nDATABASES['default']['NAME'] = str(BASE_DIR / 'other.sqlite3')\n");
    const config = vscode.workspace.getConfiguration('migrationGuard');
    try {
      await config.update('env', { DJANGO_SETTINGS_MODULE: 'e2esite.settings_other' }, vscode.ConfigurationTarget.Workspace);
      await waitForView(states(SHOP, 'not applied'));
    } finally {
      await config.update('env', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await waitForView(states(SHOP, 'applied'));
    rmSync(otherSettings, { force: true });
    rmSync(fixturePath('other.sqlite3'), { force: true });
  });

  it('lints the dry run before writing: the findings in the preview, errors asked about, the file opened at the error', async function () {
    const models = fixturePath('shop', 'models.py');
    const original = readFileSync(models, 'utf8');
    // Dropping the field (and its index) makes makemigrations propose a RemoveField: an error before it is written.
    writeFileSync(models, 'from django.db import models\n\n\nclass Product(models.Model):\n    pass\n');
    const written = fixturePath('shop', 'migrations', '0004_drop_product_name.py');
    try {
      const declining = new ScriptedPrompter([{ pick: byLabel('shop') }, { input: 'drop_product_name' }, { confirm: false }]);
      const declined = await run('migrationGuard.makeMigrations', declining);
      assert.equal(declined.status, 'declined', `${declined.message}; asked: ${declining.asked.map(describeQuestion).join(' | ')}`);
      const question = declining.asked[2];
      assert.ok(question?.kind === 'confirm');
      const previewText = vscode.workspace.textDocuments.filter((document) => document.uri.path.endsWith('/makemigrations dry run.py')).pop()?.getText() ?? '';
      assert.equal(question.request.message, 'The proposed migrations have 1 error. Write 1 migration file anyway?', previewText.split('# Generated by')[0]);
      assert.equal(question.request.confirmLabel, 'Write Despite Errors');
      assert.match(question.request.detail ?? '', /^shop\/migrations\/0004_drop_product_name\.py {2}\(1 error(, \d+ warnings?)?\)\n/);
      assert.match(previewText, /\n#   line \d+: error remove-field: RemoveField shop\.Product\.name: [^\n]*\n#       quick fix: Remove the field from the state only/);
      assert.ok(!existsSync(written), 'nothing written when declined');

      const writing = new ScriptedPrompter([{ pick: byLabel('shop') }, { input: 'drop_product_name' }, { confirm: true }]);
      const result = await run('migrationGuard.makeMigrations', writing);
      assert.equal(result.status, 'done', result.message);
      assert.match(result.message ?? '', /^1 error, \d+ warnings? in the proposed migrations \(\d+ with a quick fix\)\./);
      const editor = await waitFor('the written migration to open at the RemoveField', () => {
        const active = vscode.window.activeTextEditor;
        return active?.document.uri.fsPath === written && active.document.lineAt(active.selection.active.line).text.includes('RemoveField') ? active : undefined;
      });
      const diagnostic = await waitForRule(editor.document.uri, 'remove-field');
      assert.equal(diagnostic.range.start.line, editor.selection.active.line, 'the cursor is on the finding the preview named');
    } finally {
      writeFileSync(models, original);
      await closeAllEditors();
      // The next dry run must not count it although VS Code may hold the closed document a while longer.
      rmSync(written, { force: true });
    }
  });

  it('reports model changes without a migration, then writes one (makemigrations)', async function () {
    const models = fixturePath('shop', 'models.py');
    const original = readFileSync(models, 'utf8');
    appendFileSync(models, '\n\nclass Supplier(models.Model):\n    name = models.CharField(max_length=100)\n');
    try {
      const check = await run('migrationGuard.checkMissingMigrations', new ScriptedPrompter([]));
      assert.equal(check.status, 'done');
      assert.match(check.message ?? '', /Models have changes without a migration in shop/);

      const prompter = new ScriptedPrompter([{ pick: byLabel('shop') }, { input: 'supplier' }, { confirm: true }]);
      const result = await run('migrationGuard.makeMigrations', prompter);
      assert.equal(result.status, 'done', `${result.message}; asked: ${prompter.asked.map(describeQuestion).join(' | ')}`);
      prompter.assertAllAnswered();
      const written = fixturePath('shop', 'migrations', '0004_supplier.py');
      assert.deepEqual(result.files, [written]);
      const confirm = prompter.asked[2];
      assert.ok(confirm?.kind === 'confirm');
      assert.equal(confirm.request.message, 'Write 1 migration file?');
      assert.match(confirm.request.detail ?? '', /Create model Supplier/);

      assert.match(readFileSync(written, 'utf8'), /migrations\.CreateModel\(\s*name='Supplier'/);
      await waitFor('the new migration to open in the editor', () => vscode.window.activeTextEditor?.document.uri.fsPath === written || undefined);
      const again = await run('migrationGuard.checkMissingMigrations', new ScriptedPrompter([]));
      assert.match(again.message ?? '', /No missing migrations/);
    } finally {
      writeFileSync(models, original);
    }
  });
});
