// The findings of migrations nobody opened, over the real protocol: the files of a migrate plan
// (migrationGuard/migrationFindings) and every migration of the workspace (migrationGuard/workspaceFindings), as the
// CLI finds them; an open document answers with its editor text; nothing outside the workspace folders is read.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATION_FINDINGS_REQUEST, WORKSPACE_FINDINGS_REQUEST, type FindingsResult } from '../../server/src/lsp/clientContract';
import { LspClient, copyFixture, removeWorkspace, uriOf } from './lspClient';

describe('LSP: findings of migrations for the client (pre-flight, migrations tree)', function () {
  this.timeout(20000);
  let workspace: string;
  let outside: string;
  let client: LspClient;
  let changes: string;
  let initial: string;

  before(async () => {
    workspace = copyFixture('project');
    outside = mkdtempSync(join(tmpdir(), 'mg-outside-'));
    client = await LspClient.start({ workspace });
    await client.waitForIndexing();
    changes = join(workspace, 'shop/migrations/0002_order_changes.py');
    initial = join(workspace, 'shop/migrations/0001_initial.py');
  });

  after(async () => {
    await client?.dispose();
    removeWorkspace(workspace);
    rmSync(outside, { recursive: true, force: true });
  });

  const request = (method: string, params: unknown) => client.connection.sendRequest(method, params) as Promise<FindingsResult>;

  it('answers for the files asked about that the workspace holds, with the counts the CLI reports', async () => {
    const stray = join(outside, 'app', 'migrations', '0001_initial.py');
    mkdirSync(join(outside, 'app', 'migrations'), { recursive: true });
    writeFileSync(stray, readFileSync(changes, 'utf8'));
    const result = await request(MIGRATION_FINDINGS_REQUEST, { uris: [uriOf(changes), uriOf(initial), uriOf(stray), 'untitled:Untitled-1'] });
    assert.deepEqual(
      result.files.map((file) => [file.uri, file.counts]),
      [
        [uriOf(changes), { error: 2, warning: 5, info: 1 }],
        [uriOf(initial), { error: 0, warning: 0, info: 0 }],
      ],
    );
    const [first] = result.files;
    assert.deepEqual(
      first!.findings.filter((finding) => finding.severity === 'error').map((finding) => [finding.rule, finding.line]),
      [
        ['remove-field', 18],
        ['add-field-not-null-no-default', 22],
      ],
    );
    assert.match(first!.findings.find((finding) => finding.rule === 'remove-field')!.message, /^RemoveField shop\.Order\.legacy_code: drops column legacy_code/);
  });

  it("answers for an open document from the editor's text", async () => {
    const text = readFileSync(changes, 'utf8');
    const withoutRemoveField = text.replace(/ {8}migrations\.RemoveField\([^)]*\),\n/, '');
    assert.notEqual(withoutRemoveField, text);
    await client.open(changes, withoutRemoveField);
    try {
      const result = await request(MIGRATION_FINDINGS_REQUEST, { uris: [uriOf(changes)] });
      assert.deepEqual(result.files[0]?.counts, { error: 1, warning: 5, info: 1 });
    } finally {
      await client.close(uriOf(changes));
    }
  });

  it('lists every workspace migration with findings', async () => {
    const result = await request(WORKSPACE_FINDINGS_REQUEST, {});
    assert.deepEqual(
      result.files.map((file) => [file.uri, file.counts]),
      [[uriOf(changes), { error: 2, warning: 5, info: 1 }]],
    );
  });

  it('checks a planned migration written after indexing, before its file-watch event arrived', async () => {
    // Make Migrations then Migrate at once: the new file is in the plan before the watcher reports it.
    const fresh = join(workspace, 'shop/migrations/0003_drop_note.py');
    writeFileSync(
      fresh,
      [
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
      ].join('\n'),
    );
    try {
      const result = await request(MIGRATION_FINDINGS_REQUEST, { uris: [uriOf(changes), uriOf(fresh)] });
      assert.deepEqual(
        result.files.map((file) => [file.uri, file.counts.error]),
        [
          [uriOf(changes), 2],
          [uriOf(fresh), 1],
        ],
      );
      assert.equal(result.files[1]!.findings[0]!.rule, 'remove-field');
      // The workspace index took it in: the tree's listing has it too.
      const workspaceResult = await request(WORKSPACE_FINDINGS_REQUEST, {});
      assert.ok(workspaceResult.files.some((file) => file.uri === uriOf(fresh)));
    } finally {
      rmSync(fresh);
      await client.filesChanged([{ path: fresh, type: 3 }]);
    }
  });

  it('ignores malformed parameters', async () => {
    assert.deepEqual(await request(MIGRATION_FINDINGS_REQUEST, { uris: 'file:///etc/passwd' }), { files: [] });
    assert.deepEqual(await request(MIGRATION_FINDINGS_REQUEST, null), { files: [] });
  });
});
