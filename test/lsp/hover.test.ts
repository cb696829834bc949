// Hovers over the real protocol: on a flagged operation (SQL, lock, what it blocks, rewrite, old code, the rule's
// safe alternative as a python block, the review link), on an unflagged one, and on a rule id in an ignore comment.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Hover, MarkupContent } from 'vscode-languageserver-protocol';
import { LspClient, copyFixture, removeWorkspace, uriOf } from './lspClient';

function markdown(hover: Hover | null): string {
  assert.ok(hover, 'no hover');
  const contents = hover.contents as MarkupContent;
  assert.equal(contents.kind, 'markdown');
  return contents.value;
}

function reviewLink(rule: string): string {
  return `[Review this in the flashcards](command:migrationGuard.reviewRule?${encodeURIComponent(JSON.stringify([rule]))})`;
}

describe('LSP hover', function () {
  this.timeout(20000);
  let workspace: string;
  let client: LspClient;
  let changesUri: string;
  let initialUri: string;

  before(async () => {
    workspace = copyFixture('project');
    client = await LspClient.start({ workspace });
    await client.waitForIndexing();
    const changes = join(workspace, 'shop/migrations/0002_order_changes.py');
    const initial = join(workspace, 'shop/migrations/0001_initial.py');
    changesUri = uriOf(changes);
    initialUri = uriOf(initial);
    await client.open(changes, readFileSync(changes, 'utf8'));
    await client.open(initial, readFileSync(initial, 'utf8'));
  });

  after(async () => {
    await client?.dispose();
    removeWorkspace(workspace);
  });

  it('explains a flagged AddIndex: SQL, lock, blocks, rewrite, old code, safe alternative and review link', async () => {
    const at = client.positionOf(changesUri, 'AddIndex(');
    const hover = await client.hover(changesUri, at.line, at.character + 3);
    const text = markdown(hover);
    // The pyproject.toml of the fixture says postgres-version = 15; settings.py names the PostgreSQL engine.
    assert.match(text, /on PostgreSQL 15/);
    assert.match(text, /CREATE INDEX "order_created_idx" ON "shop_order"/);
    assert.match(text, /\*\*Lock:\*\* SHARE/);
    assert.match(text, /\*\*Blocks:\*\* INSERT, UPDATE and DELETE/);
    assert.match(text, /\*\*Rewrite \/ scan:\*\*/);
    assert.match(text, /\*\*Old code during the deploy:\*\*/);
    assert.match(text, /add-index-non-concurrent/);
    assert.match(text, /\*\*Safe alternative:\*\*/);
    assert.match(text, /```python\n[\s\S]*AddIndexConcurrently[\s\S]*\n```/);
    assert.ok(text.trimEnd().endsWith(reviewLink('add-index-non-concurrent')), text.slice(-200));
    // The hover covers the operation's name.
    assert.deepEqual(hover?.range?.start, { line: at.line, character: at.character - 'migrations.'.length });
  });

  it('names the table and column of a RemoveField and says old code breaks', async () => {
    const at = client.positionOf(changesUri, 'RemoveField(');
    const text = markdown(await client.hover(changesUri, at.line, at.character));
    assert.match(text, /DROP COLUMN "legacy_code"/);
    assert.match(text, /Breaks at once/);
    assert.match(text, /SeparateDatabaseAndState/);
    assert.ok(text.includes(reviewLink('remove-field')));
  });

  it('explains an operation no rule flags, and links its most related card', async () => {
    const at = client.positionOf(initialUri, 'CreateModel(');
    const text = markdown(await client.hover(initialUri, at.line, at.character + 2));
    assert.match(text, /CREATE TABLE "shop_order"/);
    assert.doesNotMatch(text, /\*\*Safe alternative:\*\*/);
    assert.ok(text.includes('command:migrationGuard.reviewRule?'));
  });

  it('says which deploy phase a migration runs in and how that was decided', async () => {
    const path = join(workspace, 'shop/migrations/0009_drop_order_note.py');
    const text = [
      'from django.db import migrations',
      'from django_safemigrate import Safe',
      '',
      '',
      'class Migration(migrations.Migration):',
      '    safe = Safe.after_deploy()',
      '    dependencies = [("shop", "0002_order_changes")]',
      '    operations = [',
      '        migrations.DeleteModel(name="Order"),',
      '    ]',
      '',
    ].join('\n');
    await client.open(path, text);
    const uri = uriOf(path);
    const at = client.positionOf(uri, 'DeleteModel(');
    const hover = markdown(await client.hover(uri, at.line, at.character + 2));
    assert.ok(hover.includes('Runs after the new code is deployed (decided by `safe = Safe.after_deploy() (django-safemigrate)`).'), hover.slice(0, 300));
    assert.doesNotMatch(hover, /\*\*error · /);
  });

  it('explains a rule named in a `# migration-guard:` comment', async () => {
    const text = client.text(changesUri).replace('        migrations.RemoveField(', '        # migration-guard: ignore remove-field -- gone from the code since 2.3\n        migrations.RemoveField(');
    await client.replaceText(changesUri, text);
    const at = client.positionOf(changesUri, 'ignore remove-field');
    const hover = await client.hover(changesUri, at.line, at.character + 'ignore re'.length);
    const value = markdown(hover);
    assert.match(value, /remove-field/);
    assert.match(value, /\*\*Safe alternative:\*\*/);
    assert.ok(value.includes(reviewLink('remove-field')));
    assert.deepEqual(hover?.range, {
      start: { line: at.line, character: at.character + 'ignore '.length },
      end: { line: at.line, character: at.character + 'ignore remove-field'.length },
    });
  });

  it('answers null away from operations and rule ids', async () => {
    assert.equal(await client.hover(changesUri, 0, 0), null);
    const blank = client.positionOf(changesUri, '\n\n\ndef fill_totals');
    assert.equal(await client.hover(changesUri, blank.line + 1, 0), null);
  });

  it('follows the database: on SQLite the same AddIndex is described for SQLite', async () => {
    const sqlite = await LspClient.start({ workspace, settings: () => ({ database: 'sqlite' }) });
    try {
      await sqlite.waitForIndexing();
      const path = join(workspace, 'shop/migrations/0002_order_changes.py');
      await sqlite.open(path, readFileSync(path, 'utf8'));
      const at = sqlite.positionOf(changesUri, 'AddIndex(');
      const text = markdown(await sqlite.hover(changesUri, at.line, at.character));
      assert.match(text, /on SQLite/);
      assert.match(text, /locks the whole database/);
    } finally {
      await sqlite.dispose();
    }
  });

  it('renders nothing a migration file smuggles into names and messages: no code span break-out, image, link or HTML', async () => {
    const evil = 'x`![t](https://example.com/t.png)<img src=x>[link](https://example.com)';
    const path = join(workspace, 'shop/migrations/0003_hostile_names.py');
    const text = [
      'from django.db import migrations, models',
      '',
      '',
      'class Migration(migrations.Migration):',
      '    dependencies = [("shop", "0002_order_changes")]',
      '',
      '    operations = [',
      `        migrations.AddIndex(model_name="order", index=models.Index(fields=["created"], name=${JSON.stringify(evil)})),`,
      `        migrations.RemoveField(model_name="order", name=${JSON.stringify(evil)}),`,
      '    ]',
      '',
    ].join('\n');
    await client.open(path, text);
    const uri = uriOf(path);
    for (const needle of ['AddIndex(', 'RemoveField(']) {
      const at = client.positionOf(uri, needle);
      const value = markdown(await client.hover(uri, at.line, at.character + 2));
      assert.doesNotMatch(value, /(?<!\\)!\[t\]/, `an image survives in the ${needle} hover:\n${value}`);
      assert.doesNotMatch(value, /(?<!\\)<img/, `HTML survives in the ${needle} hover`);
      assert.doesNotMatch(value, /(?<!\\)\[link\]\(/, `a link survives in the ${needle} hover`);
    }
  });

  it('answers hovers during an edit flood, and settles on the latest version', async function () {
    this.timeout(30000);
    const path = join(workspace, 'shop/migrations/0004_flood.py');
    const source = readFileSync(join(workspace, 'shop/migrations/0002_order_changes.py'), 'utf8').replace('("shop", "0001_initial")', '("shop", "0002_order_changes")');
    await client.open(path, source);
    const uri = uriOf(path);
    const at = client.positionOf(uri, 'AddIndex(');
    const hovers: Promise<Hover | null>[] = [];
    let version = 0;
    for (let edit = 0; edit < 150; edit++) {
      const end = client.text(uri).split('\n').length - 1;
      version = await client.sendChange(uri, [{ range: { start: { line: end, character: 0 }, end: { line: end, character: 0 } }, newText: `# typing ${edit}\n` }]);
      if (edit % 10 === 0) hovers.push(client.hover(uri, at.line, at.character + 3));
    }
    for (const hover of await Promise.all(hovers)) {
      assert.match(markdown(hover), /CREATE INDEX "order_created_idx"/);
      assert.equal(hover?.range?.start.line, at.line);
    }
    const settled = await client.waitForDiagnostics(uri, (params) => params.version === version, 0, 20000);
    assert.ok(settled.diagnostics.some((diagnostic) => diagnostic.code === 'add-index-non-concurrent'));
    await client.close(uri);
  });
});
