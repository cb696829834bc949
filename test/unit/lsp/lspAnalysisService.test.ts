// The language server's analysis layer without the protocol: per-version caching, exclusion, the size limit, and a
// rule that throws being contained (logged once; every other rule still reports).
import { strict as assert } from 'node:assert';
import type { Connection, TextDocuments } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { ALL_RULES } from '../../../server/src/engine/rules/index';
import type { Rule } from '../../../server/src/engine/rules/rule';
import { AnalysisService, MAX_LIVE_ANALYSIS_CHARS, pathToUri } from '../../../server/src/lsp/analysisService';
import { SettingsStore } from '../../../server/src/lsp/settings';
import { WorkspaceIndex } from '../../../server/src/lsp/workspaceIndex';
import { viewOnUnchangedLine } from '../../../server/src/lsp/lastResult';

const ROOT = '/virtual/project';
const PATH = `${ROOT}/shop/migrations/0002_remove.py`;
const TEXT = `from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]

    operations = [
        migrations.RemoveField(model_name="order", name="legacy"),
    ]
`;

function setUp(text: string, settings: unknown = {}) {
  let document = TextDocument.create(pathToUri(PATH), 'python', 1, text);
  const documents = { get: (uri: string) => (uri === document.uri ? document : undefined), all: () => [document] } as unknown as TextDocuments<TextDocument>;
  const edit = (newText: string) => {
    document = TextDocument.update(document, [{ text: newText }], document.version + 1);
    return document;
  };
  const logs: string[] = [];
  // Nothing is read from disk in these tests: the only file is the open document.
  const index = new WorkspaceIndex((message) => logs.push(message), (path) => path === PATH, () => ({ ok: false, message: 'not on disk' }));
  index.addWorkspaceFolder(ROOT, pathToUri(ROOT));
  const connection = { console: { warn: () => undefined } } as unknown as Connection;
  const store = new SettingsStore(connection, { pullConfiguration: false, reportConfigProblem: (message) => logs.push(message) }, settings);
  const service = new AnalysisService(documents, index, store, { log: (message) => logs.push(message), contentChanged: () => undefined });
  return { service, logs, uri: document.uri, edit };
}

describe('LSP analysis service', () => {
  it('analyses a migration document and caches the result per version', async () => {
    const { service, uri } = setUp(TEXT);
    const first = await service.analyse(uri);
    assert.ok(first?.findings.some((finding) => finding.rule === 'remove-field'));
    assert.equal(await service.analyse(uri), first, 'the same version is not analysed twice');
    service.invalidateAll();
    assert.notEqual(await service.analyse(uri), first);
  });

  it('an edit flood below an operation: hovers on it come from the last result, and 200 versions cost 2 analyses', async () => {
    const { service, uri, edit } = setUp(TEXT);
    await service.analyse(uri);
    let current = edit(TEXT);
    for (let version = 0; version < 200; version++) {
      current = edit(`${TEXT}# typing ${version}\n`);
      const line = TEXT.split('\n').findIndex((text) => text.includes('RemoveField'));
      const view = viewOnUnchangedLine(service.lastResult(uri)!, current, { line, character: 20 });
      assert.ok(view?.analysis.findings.some((finding) => finding.rule === 'remove-field'), `version ${current.version}`);
    }
    assert.equal(service.analysesRun, 1, 'no analysis while the edits come');
    assert.equal((await service.analyse(uri))?.version, current.version);
    assert.equal(service.analysesRun, 2);
    const moved = edit(`# a line above\n${TEXT}`);
    assert.equal(viewOnUnchangedLine(service.lastResult(uri)!, moved, { line: 7, character: 20 }), undefined, 'a changed line is never answered from old text');
  });

  it('contains a rule that throws: it is logged once and the other rules still report', async () => {
    const exploding: Rule = {
      id: 'explodes-on-purpose',
      title: 'A rule that throws',
      severity: 'error',
      vendors: 'all',
      category: 'hygiene',
      scope: 'file',
      explanation: { summary: '', sql: '', lock: '', blocks: '', rewrite: '', safeAlternative: '', safeCode: '' },
      check() {
        throw new Error('boom');
      },
    };
    const rules = ALL_RULES as Rule[];
    rules.push(exploding);
    try {
      const { service, logs, uri } = setUp(TEXT);
      const analysis = await service.analyse(uri);
      assert.ok(analysis?.findings.some((finding) => finding.rule === 'remove-field'));
      service.invalidateAll();
      await service.analyse(uri);
      const failures = logs.filter((line) => line.includes('explodes-on-purpose') && line.includes('boom'));
      assert.equal(failures.length, 1, logs.join('\n'));
    } finally {
      rules.splice(rules.indexOf(exploding), 1);
    }
  });

  it('reports nothing for an excluded file, but still models it', async () => {
    const { service, uri } = setUp(TEXT, { exclude: ['shop/migrations/0002_*.py'] });
    const analysis = await service.analyse(uri);
    assert.equal(analysis?.excluded, true);
    assert.deepEqual(analysis?.findings, []);
    assert.ok(analysis?.model?.operations.length);
  });

  it('does not run the rules on a document over the live-analysis limit, and says so', async () => {
    const padding = `# ${'x'.repeat(98)}\n`.repeat(Math.ceil(MAX_LIVE_ANALYSIS_CHARS / 100) + 1);
    const { service, uri } = setUp(TEXT + padding);
    const analysis = await service.analyse(uri);
    assert.deepEqual(analysis?.findings, []);
    assert.match(analysis?.notice ?? '', /limit is 2 MB/);
  });

  it('ignores documents that are not migrations', async () => {
    const { service } = setUp(TEXT);
    assert.equal(await service.analyse(pathToUri(`${ROOT}/shop/models.py`)), undefined);
  });
});
