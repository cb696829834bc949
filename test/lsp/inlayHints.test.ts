// Inlay hints over the real protocol: after each operation's first line, the lock it takes and what it does to the
// table, from the SQL generated for the project's database; none where the SQL is unknown, none when switched off.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InlayHint } from 'vscode-languageserver-protocol';
import { LspClient, copyFixture, removeWorkspace, uriOf } from './lspClient';

async function hints(client: LspClient, uri: string, lines: number): Promise<{ line: number; label: string }[]> {
  const result = (await client.connection.sendRequest('textDocument/inlayHint', {
    textDocument: { uri },
    range: { start: { line: 0, character: 0 }, end: { line: lines, character: 0 } },
  })) as InlayHint[] | null;
  return (result ?? []).map((hint) => ({ line: hint.position.line, label: typeof hint.label === 'string' ? hint.label : hint.label.map((part) => part.value).join('') }));
}

describe('LSP inlay hints', function () {
  this.timeout(20000);
  let workspace: string;
  let path: string;
  let text: string;

  before(() => {
    workspace = copyFixture('project');
    path = join(workspace, 'shop/migrations/0002_order_changes.py');
    text = readFileSync(path, 'utf8');
  });

  after(() => removeWorkspace(workspace));

  it("label each operation's first line with its lock and table work on PostgreSQL", async () => {
    const client = await LspClient.start({ workspace });
    try {
      await client.waitForIndexing();
      await client.open(path, text);
      const lines = text.split('\n');
      const lineOf = (needle: string): number => lines.findIndex((line) => line.includes(needle));
      const got = await hints(client, uriOf(path), lines.length);
      assert.deepEqual(got, [
        { line: lineOf('migrations.AddIndex('), label: 'SHARE shop_order · index build' },
        { line: lineOf('migrations.RemoveField('), label: 'ACCESS EXCLUSIVE shop_order · catalog only' },
        // NOT NULL without a default: PostgreSQL reads the table to check it (and fails if it holds rows).
        { line: lineOf('migrations.AddField('), label: 'ACCESS EXCLUSIVE shop_order · scan' },
        { line: lineOf('migrations.RunPython('), label: 'no SQL' },
        { line: lineOf('migrations.RunSQL('), label: 'ROW EXCLUSIVE shop_order · data change' },
      ]);
    } finally {
      await client.dispose();
    }
  });

  it('shows none when migrationGuard.inlayHints is false', async () => {
    const client = await LspClient.start({ workspace, settings: () => ({ inlayHints: false }) });
    try {
      await client.waitForIndexing();
      await client.open(path, text);
      assert.deepEqual(await hints(client, uriOf(path), 40), []);
    } finally {
      await client.dispose();
    }
  });
});
