// The four reporters on hand-made findings: 1-based positions, JSON shape, SARIF structure GitHub needs,
// GitHub annotation escaping, and the text summary.
import { strict as assert } from 'node:assert';
import { escapeData, escapeProperty, formatGithub } from '../../../../server/src/engine/format/github';
import { formatJson, type JsonReport } from '../../../../server/src/engine/format/json';
import type { Report, ReportContext } from '../../../../server/src/engine/format/report';
import { buildSarif } from '../../../../server/src/engine/format/sarif';
import { formatText, summaryLine } from '../../../../server/src/engine/format/text';
import { ruleDocsUrl } from '../../../../server/src/engine/docsUrl';
import type { Finding, RuleMeta, Severity } from '../../../../server/src/engine/rules/rule';

function finding(file: string, rule: string, severity: Severity, message: string, start: [number, number], end: [number, number]): Finding {
  return {
    rule,
    severity,
    message,
    file,
    span: { start: 10 * start[0] + start[1], end: 10 * end[0] + end[1] },
    start: { line: start[0], character: start[1] },
    end: { line: end[0], character: end[1] },
    fixes: [],
  };
}

const removeFieldMeta: RuleMeta = {
  id: 'remove-field',
  title: 'Removing a field drops its column while old code still selects it',
  severity: 'error',
  vendors: 'all',
  category: 'compatibility',
  explanation: {
    summary: 'Old code still SELECTs the column during the deploy.',
    sql: '`ALTER TABLE ... DROP COLUMN ...`',
    lock: 'ACCESS EXCLUSIVE, brief',
    blocks: 'every query on the table while it waits',
    rewrite: 'no rewrite',
    safeAlternative: 'Remove it from state first.',
    safeCode: 'migrations.SeparateDatabaseAndState(state_operations=[...])',
  },
};

const report: Report = {
  findings: [
    finding('shop/migrations/0002_b.py', 'add-index-non-concurrent', 'warning', 'Index on "shop_product" blocks writes', [4, 8], [7, 9]),
    finding('shop/migrations/0001_a.py', 'remove-field', 'error', 'Dropping column "legacy" of "shop_product"', [11, 8], [14, 9]),
    finding('shop/migrations/0001_a.py', 'auto-named-migration', 'info', 'Name says nothing', [0, 0], [0, 5]),
  ],
  errors: [{ file: 'shop/migrations/0003_bad.py', message: 'not valid UTF-8 (first invalid byte on line 2)' }],
  fileCount: 3,
};

const context: ReportContext = { rules: [removeFieldMeta], version: '9.9.9', cwd: '/repo', color: false, fingerprint: (f) => `fp-${f.rule}` };

describe('formatters', () => {
  describe('json', () => {
    const parsed = JSON.parse(formatJson(report)) as JsonReport;

    it('has the documented top-level shape', () => {
      assert.deepEqual(Object.keys(parsed), ['version', 'findings', 'errors']);
      assert.equal(parsed.version, 1);
      assert.deepEqual(parsed.errors, [{ file: 'shop/migrations/0003_bad.py', message: 'not valid UTF-8 (first invalid byte on line 2)' }]);
    });

    it('lists findings sorted by file and position with 1-based positions', () => {
      assert.deepEqual(parsed.findings[0], {
        file: 'shop/migrations/0001_a.py',
        line: 1,
        column: 1,
        endLine: 1,
        endColumn: 6,
        rule: 'auto-named-migration',
        severity: 'info',
        message: 'Name says nothing',
      });
      assert.deepEqual(
        parsed.findings.map((f) => [f.file, f.line, f.column, f.endLine, f.endColumn]),
        [
          ['shop/migrations/0001_a.py', 1, 1, 1, 6],
          ['shop/migrations/0001_a.py', 12, 9, 15, 10],
          ['shop/migrations/0002_b.py', 5, 9, 8, 10],
        ],
      );
    });
  });

  describe('sarif', () => {
    const log = buildSarif(report, context);
    const run = log.runs[0]!;

    it('is SARIF 2.1.0 with a driver that lists rules with help and docs links', () => {
      assert.equal(log.version, '2.1.0');
      assert.match(log.$schema ?? '', /sarif-2\.1\.0/);
      assert.equal(run.tool.driver.name, 'migration-guard');
      assert.equal(run.tool.driver.version, '9.9.9');
      const rule = run.tool.driver.rules!.find((r) => r.id === 'remove-field')!;
      assert.equal(rule.shortDescription?.text, removeFieldMeta.title);
      assert.equal(rule.fullDescription?.text, removeFieldMeta.explanation.summary);
      assert.equal(rule.helpUri, ruleDocsUrl('remove-field'));
      assert.equal(rule.defaultConfiguration?.level, 'error');
      assert.match(rule.help?.markdown ?? '', /```python\nmigrations\.SeparateDatabaseAndState/);
      assert.ok(rule.help?.text);
    });

    it('gives every result a valid ruleIndex, a level and a relative, 1-based location', () => {
      assert.equal(run.results!.length, 3);
      for (const result of run.results!) {
        assert.equal(run.tool.driver.rules![result.ruleIndex!]!.id, result.ruleId);
        assert.ok(['error', 'warning', 'note'].includes(result.level!));
        const location = result.locations![0]!.physicalLocation!;
        assert.equal(location.artifactLocation!.uriBaseId, '%SRCROOT%');
        assert.ok(!location.artifactLocation!.uri!.startsWith('/'));
        assert.ok(location.region!.startLine! >= 1 && location.region!.startColumn! >= 1);
        assert.equal(result.partialFingerprints!['migrationGuard/v1'], `fp-${result.ruleId}`);
      }
      const info = run.results!.find((r) => r.ruleId === 'auto-named-migration')!;
      assert.equal(info.level, 'note');
      assert.deepEqual(info.locations![0]!.physicalLocation!.region, { startLine: 1, startColumn: 1, endLine: 1, endColumn: 6 });
      assert.equal(run.originalUriBaseIds!['%SRCROOT%']!.uri, 'file:///repo/');
      assert.equal(run.columnKind, 'utf16CodeUnits');
    });

    it('reports files it could not analyse as tool notifications', () => {
      const notes = run.invocations![0]!.toolExecutionNotifications!;
      assert.equal(notes.length, 1);
      assert.equal(notes[0]!.level, 'error');
      assert.match(notes[0]!.message.text!, /0003_bad\.py: not valid UTF-8/);
    });

    it('percent-encodes artifact URIs and keeps absolute paths as file URIs', () => {
      const odd = buildSarif({ findings: [finding('my app/migrations/0001_ä.py', 'remove-field', 'error', 'x', [0, 0], [0, 1]), finding('/elsewhere/a/migrations/0001_x.py', 'remove-field', 'error', 'x', [0, 0], [0, 1])], errors: [], fileCount: 2 }, context);
      const uris = odd.runs[0]!.results!.map((r) => r.locations![0]!.physicalLocation!.artifactLocation!);
      assert.deepEqual(uris, [{ uri: 'file:///elsewhere/a/migrations/0001_x.py' }, { uri: 'my%20app/migrations/0001_%C3%A4.py', uriBaseId: '%SRCROOT%' }]);
    });
  });

  describe('github', () => {
    it('escapes %, CR and LF in messages and also : and , in properties', () => {
      assert.equal(escapeData('100% done\r\nnext: a, b'), '100%25 done%0D%0Anext: a, b');
      assert.equal(escapeProperty('a:b,c%\n'), 'a%3Ab%2Cc%25%0A');
    });

    it('writes one workflow command per finding with 1-based positions and notice for info', () => {
      const lines = formatGithub(report).trimEnd().split('\n');
      assert.deepEqual(lines, [
        '::notice file=shop/migrations/0001_a.py,line=1,col=1,endLine=1,endColumn=6,title=auto-named-migration::Name says nothing',
        '::error file=shop/migrations/0001_a.py,line=12,col=9,endLine=15,endColumn=10,title=remove-field::Dropping column "legacy" of "shop_product"',
        '::warning file=shop/migrations/0002_b.py,line=5,col=9,endLine=8,endColumn=10,title=add-index-non-concurrent::Index on "shop_product" blocks writes',
        '::error file=shop/migrations/0003_bad.py,title=migration-guard could not analyse this file::not valid UTF-8 (first invalid byte on line 2)',
      ]);
    });

    it('escapes file names and multi-line messages', () => {
      const tricky = formatGithub({ findings: [finding('a,b:c/migrations/0001_x.py', 'remove-field', 'error', 'line one\nline two 50%', [0, 0], [0, 1])], errors: [], fileCount: 1 });
      assert.equal(tricky, '::error file=a%2Cb%3Ac/migrations/0001_x.py,line=1,col=1,endLine=1,endColumn=2,title=remove-field::line one%0Aline two 50%25\n');
    });
  });

  describe('text', () => {
    it('prints path:line:col: severity rule message lines and a summary', () => {
      const text = formatText(report, false);
      const lines = text.split('\n');
      assert.equal(lines[0], 'shop/migrations/0001_a.py:1:1: info auto-named-migration Name says nothing');
      assert.equal(lines[1], 'shop/migrations/0001_a.py:12:9: error remove-field Dropping column "legacy" of "shop_product"');
      assert.equal(lines[2], 'shop/migrations/0002_b.py:5:9: warning add-index-non-concurrent Index on "shop_product" blocks writes');
      assert.match(lines[3]!, /^shop\/migrations\/0003_bad\.py: error could not analyse: not valid UTF-8/);
      assert.ok(text.includes('1 error, 1 warning, 1 info in 3 files (1 file could not be analysed)'));
      assert.ok(!text.includes('\u001b['), 'no colour codes without colour');
    });

    it('shows control characters from a file (ESC, OSC, C1) as escapes, never raw', () => {
      const hostile = 'name \u001b[2K\u001b]8;;https://example.com\u0007link\u009b31m end';
      const text = formatText({ findings: [finding(`shop/migrations/0001_\u001b[31mx.py`, 'remove-field', 'error', hostile, [0, 0], [0, 1])], errors: [{ file: 'a\u0085.py', message: hostile }], fileCount: 1 }, false);
      assert.doesNotMatch(text, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
      assert.ok(text.includes('name \\u{1b}[2K\\u{1b}]8;;https://example.com\\u{7}link\\u{9b}31m end'), text);
    });

    it('colours output when asked', () => {
      assert.ok(formatText(report, true).includes('\u001b[31merror'));
    });

    it('pluralises and mentions baseline matches', () => {
      assert.equal(summaryLine({ findings: [], errors: [], fileCount: 1, baselineSuppressed: 2 }, false), '0 errors, 0 warnings, 0 info in 1 file (2 findings accepted by the baseline)');
    });
  });
});
