// Bad input over the real protocol: binary and non-UTF-8 files on disk, a syntax error, half-typed code, a binary
// document, a 5 MB document, a cancelled request. After each, the server must still answer a hover.
import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MarkupContent } from 'vscode-languageserver-protocol';
import { CancellationTokenSource } from 'vscode-languageserver-protocol/node';
import { LspClient, copyFixture, messageOf, removeWorkspace, uriOf } from './lspClient';

describe('LSP robustness', function () {
  this.timeout(30000);
  let workspace: string;
  let client: LspClient;
  let healthyUri: string;

  before(async () => {
    workspace = copyFixture('project');
    const binary = Buffer.alloc(4096);
    for (let index = 0; index < binary.length; index++) binary[index] = (index * 7919) % 256;
    writeFileSync(join(workspace, 'shop/migrations/0003_binary.py'), binary);
    writeFileSync(join(workspace, 'shop/migrations/0004_latin1.py'), Buffer.from('# caf\xe9\nfrom django.db import migrations\n', 'latin1'));
    client = await LspClient.start({ workspace });
    await client.waitForIndexing();
    const healthy = join(workspace, 'shop/migrations/0002_order_changes.py');
    healthyUri = uriOf(healthy);
    await client.open(healthy, readFileSync(healthy, 'utf8'));
  });

  after(async () => {
    await client?.dispose();
    removeWorkspace(workspace);
  });

  /** The server still answers a hover with real content. */
  async function stillAnswers(): Promise<void> {
    const at = client.positionOf(healthyUri, 'AddIndex(');
    const hover = await client.hover(healthyUri, at.line, at.character);
    assert.match((hover?.contents as MarkupContent).value, /CREATE INDEX/);
  }

  it('skips binary and non-UTF-8 migrations on disk with a log line, and keeps going', async () => {
    assert.ok(client.logs.some((line) => line.includes('0003_binary.py') && /binary/.test(line)), client.logs.join('\n'));
    assert.ok(client.logs.some((line) => line.includes('0004_latin1.py') && /UTF-8/.test(line)), client.logs.join('\n'));
    await stillAnswers();
  });

  it('survives a syntax error and still explains the operations it can read', async () => {
    const path = join(workspace, 'shop/migrations/0005_broken.py');
    const text = readFileSync(join(workspace, 'shop/migrations/0002_order_changes.py'), 'utf8')
      .replace('Order = apps.get_model', 'Order = = apps.get_model');
    const published = await client.open(path, text);
    assert.equal(published.version, 1);
    assert.ok(published.diagnostics.some((d) => d.code === 'remove-field'), 'best-effort findings for the readable part');
    const uri = uriOf(path);
    const at = client.positionOf(uri, 'RemoveField(');
    const hover = await client.hover(uri, at.line, at.character);
    assert.match((hover?.contents as MarkupContent | undefined)?.value ?? '', /DROP COLUMN/);
    await stillAnswers();
  });

  it('follows half-typed code keystroke by keystroke', async () => {
    const path = join(workspace, 'shop/migrations/0006_typing.py');
    const uri = uriOf(path);
    await client.open(path, 'from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    operations = [\n        \n    ]\n');
    const typed = 'migrations.RunSQL("CREATE INDEX idx ON shop_order (total)")';
    let version = 1;
    for (let index = 0; index < typed.length; index++) {
      const at = { line: 5, character: 8 + index };
      version = await client.sendChange(uri, [{ range: { start: at, end: at }, newText: typed[index]! }]);
    }
    const published = await client.waitForDiagnostics(uri, (p) => p.version === version);
    assert.ok(published.diagnostics.some((d) => d.code === 'runsql-no-reverse'), published.diagnostics.map((d) => d.code).join(', '));
    await stillAnswers();
  });

  it('publishes nothing for a document with binary content, and does not crash', async () => {
    const path = join(workspace, 'shop/migrations/0007_nul.py');
    const published = await client.open(path, 'from django.db import migrations\n\u0000\u0001\u0002\u0000class Migration:\n');
    assert.deepEqual(published.diagnostics, []);
    assert.equal(await client.hover(uriOf(path), 0, 5), null);
    await stillAnswers();
  });

  it('does not stall on a 5 MB document: an information notice instead of live analysis, hovers stay fast', async function () {
    this.timeout(60000);
    const path = join(workspace, 'shop/migrations/0008_huge.py');
    const uri = uriOf(path);
    const operations: string[] = [];
    let length = 0;
    for (let index = 0; length < 5_000_000; index++) {
      const line = `        migrations.AddField(model_name="order", name="f${index}", field=models.IntegerField(null=True)),\n`;
      operations.push(line);
      length += line.length;
    }
    const text = `from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    dependencies = [("shop", "0002_order_changes")]\n\n    operations = [\n${operations.join('')}    ]\n`;
    // Generous waits: parsing 5 MB once takes about a second here, more on a busy machine.
    const published = await client.open(path, text, 20000);
    assert.equal(published.diagnostics.length, 1);
    assert.equal(published.diagnostics[0]?.severity, 3);
    assert.match(published.diagnostics[0] ? messageOf(published.diagnostics[0]) : '', /5\.0 MB/);
    const edited = await client.change(uri, [{ range: { start: { line: 7, character: 0 }, end: { line: 7, character: 0 } }, newText: '        # a comment\n' }], 20000);
    assert.equal(edited.version, 2);
    const hover = await client.hover(uri, 8, 20);
    assert.match((hover?.contents as MarkupContent).value, /ADD COLUMN/);
    await stillAnswers();
    await client.close(uri);
  });

  it('cancels a request on $/cancelRequest and keeps serving', async () => {
    const source = new CancellationTokenSource();
    const at = client.positionOf(healthyUri, 'RemoveField(');
    const pending = client.connection.sendRequest('textDocument/hover', { textDocument: { uri: healthyUri }, position: at }, source.token);
    source.cancel();
    // Cancelled before it ran: an error with code RequestCancelled; already answered: a normal result.
    const outcome = await pending.then(
      () => 'answered',
      (error: { code?: number }) => error.code,
    );
    assert.ok(outcome === 'answered' || outcome === -32800, `unexpected outcome ${String(outcome)}`);
    await stillAnswers();
  });
});
