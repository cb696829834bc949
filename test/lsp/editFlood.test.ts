// An edit flood over the real protocol (issue #10): 300 didChange notifications on a 190 KB migration as fast as
// the client can send them, then hovers. The server's own counters (the test-only request of workCounters.ts) say
// what it did: a bounded number of analyses, never one per version, and hovers answered from the last result
// rather than after analyses of versions already replaced. Counts, not timings.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Hover, MarkupContent } from 'vscode-languageserver-protocol';
import { TEST_COUNTERS_ENV, TEST_COUNTERS_REQUEST, type WorkCountersSnapshot } from '../../server/src/lsp/workCounters';
import { LspClient, copyFixture, removeWorkspace, uriOf } from './lspClient';

const EDITS = 300;
/** Far below one analysis per edit; what coalescing allows on a slow, shared machine. */
const MAX_ANALYSES = 40;

function markdown(hover: Hover | null): string {
  assert.ok(hover, 'no hover');
  return (hover.contents as MarkupContent).value;
}

/** The fixture's 0002 migration as a new leaf, grown to about 190 KB with AddFields after its AddIndex. */
function bigMigration(workspace: string): string {
  const source = readFileSync(join(workspace, 'shop/migrations/0002_order_changes.py'), 'utf8').replace('("shop", "0001_initial")', '("shop", "0002_order_changes")');
  const fields = Array.from(
    { length: 1250 },
    (_, index) => `        migrations.AddField(\n            model_name="order",\n            name="extra_${index}",\n            field=models.IntegerField(null=True),\n        ),\n`,
  ).join('');
  return source.replace('        migrations.RemoveField(', `${fields}        migrations.RemoveField(`);
}

describe('LSP edit flood', function () {
  this.timeout(120_000);
  let workspace: string;
  let client: LspClient;

  before(async () => {
    workspace = copyFixture('project');
    client = await LspClient.start({ workspace, env: { [TEST_COUNTERS_ENV]: '1' } });
    await client.waitForIndexing();
  });

  after(async () => {
    await client?.dispose();
    removeWorkspace(workspace);
  });

  const counters = (): Promise<WorkCountersSnapshot> => client.connection.sendRequest(TEST_COUNTERS_REQUEST);

  it('coalesces 300 queued edits into a bounded number of analyses and answers hovers from the last result', async () => {
    const path = join(workspace, 'shop/migrations/0004_flood.py');
    const text = bigMigration(workspace);
    assert.ok(text.length > 180_000 && text.length < 200_000, `${text.length} characters`);
    await client.open(path, text);
    const uri = uriOf(path);
    const before = (await counters()).analyses.filter((record) => record.uri === uri).length;
    assert.ok(before >= 1, 'the opened version was analysed');

    const at = client.positionOf(uri, 'AddIndex(');
    let version = 0;
    const sent: Promise<number>[] = [];
    for (let edit = 0; edit < EDITS; edit++) {
      const end = client.text(uri).split('\n').length - 1;
      // Not awaited one by one: the notifications queue up in the server as they do behind a fast typist.
      sent.push(client.sendChange(uri, [{ range: { start: { line: end, character: 0 }, end: { line: end, character: 0 } }, newText: `# typing ${edit}\n` }]));
    }
    version = Math.max(...(await Promise.all(sent)));
    const hover = await client.hover(uri, at.line, at.character + 3);
    assert.match(markdown(hover), /CREATE INDEX "order_created_idx"/);

    const afterHover = await counters();
    const hoverRecord = afterHover.hovers.filter((record) => record.uri === uri).at(-1);
    assert.ok(hoverRecord, 'the hover was recorded');
    assert.equal(hoverRecord.version, version, 'the hover arrived after every edit');
    // Either the line reads the same in the last analysed text, or the newest version was analysed: never a wait for
    // analyses of versions the edits had already replaced.
    assert.ok(['last-result', 'cache', 'analysis'].includes(hoverRecord.answeredFrom), JSON.stringify(hoverRecord));
    assert.ok(hoverRecord.analysesWhileAnswering <= 1, JSON.stringify(hoverRecord));
    if (hoverRecord.answeredFrom !== 'last-result') assert.equal(hoverRecord.analysisVersion, version, JSON.stringify(hoverRecord));
    if (hoverRecord.answeredFrom === 'last-result') {
      const firstKept = afterHover.analysesRun - afterHover.analyses.length + 1;
      const latestThen = afterHover.analyses.slice(0, hoverRecord.analysesBefore - firstKept + 1).filter((record) => record.uri === uri).at(-1);
      assert.equal(hoverRecord.analysisVersion, latestThen?.version, 'the hover used the latest analysis there was when it arrived');
    }
    console.log(`      ${EDITS} edits: hover answered from ${hoverRecord.answeredFrom} (version ${hoverRecord.analysisVersion} of ${version}), ${hoverRecord.analysesWhileAnswering} analyses while answering`);

    const settled = await client.waitForDiagnostics(uri, (params) => params.version === version, 0, 60_000);
    assert.ok(settled.diagnostics.some((diagnostic) => diagnostic.code === 'add-index-non-concurrent'));
    const analysed = (await counters()).analyses.filter((record) => record.uri === uri).slice(before);
    console.log(`      ${analysed.length} analyses for ${EDITS} edits (versions ${analysed.map((record) => record.version).join(', ')})`);
    assert.ok(analysed.length >= 1 && analysed.length <= MAX_ANALYSES, `${analysed.length} analyses for ${EDITS} edits: ${analysed.map((record) => record.version).join(',')}`);
    assert.equal(analysed.at(-1)!.version, version, 'the latest version was analysed');
    const versions = analysed.map((record) => record.version);
    assert.deepEqual(versions, [...new Set(versions)].sort((a, b) => a - b), 'each version analysed at most once, in order');

    // A hover on the line being typed cannot use an older analysis: it analyses the newest version, once.
    const typed = await client.sendChange(uri, [{ range: { start: { line: at.line, character: 0 }, end: { line: at.line, character: 0 } }, newText: '        # typed above\n' }]);
    const onNewLine = await client.hover(uri, at.line, 10);
    assert.equal(onNewLine, null, 'a comment line has no hover');
    const record = (await counters()).hovers.filter((entry) => entry.uri === uri).at(-1)!;
    assert.equal(record.version, typed);
    assert.notEqual(record.answeredFrom, 'last-result');
    assert.equal(record.analysisVersion, typed);
    assert.ok(record.analysesWhileAnswering <= 1, JSON.stringify(record));
    await client.close(uri);
  });

  it('the counters request exists only when the environment asks for it', async () => {
    const plain = await LspClient.start({ workspace });
    try {
      await assert.rejects(plain.connection.sendRequest(TEST_COUNTERS_REQUEST), /Unhandled method|MethodNotFound|not found/i);
    } finally {
      await plain.dispose();
    }
  });
});
