// Big inputs (issue #10): memory a file's analysis keeps must be a constant per input byte and must go when the
// analysis does; a file with hundreds of thousands of findings must neither crash nor take quadratic time to
// fingerprint. No timings here (they go in `npm run bench:scaling`): these tests count what is kept and done.
import { strict as assert } from 'node:assert';
import { Hash } from 'node:crypto';
import { Tree } from '@lezer/common';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Project, analyze } from '../../../../server/src/engine/analyze';
import { createBaseline, fingerprinter } from '../../../../server/src/engine/config/baseline';
import { DEFAULT_CONFIG } from '../../../../server/src/engine/config/types';
import { SqlOffsets, decodePythonStrings } from '../../../../server/src/engine/rules/runSqlText';
import { tokenizeSql } from '../../../../server/src/engine/sql/scanner';

function runSqlMigration(sql: string): string {
  return `from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    operations = [\n        migrations.RunSQL("${sql}"),\n    ]\n`;
}

/** A full garbage collection (mocha does not start node with --expose-gc). */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

describe('big inputs', () => {
  it('an analysis keeps nothing of the file alive once it returned', async () => {
    let project: Project | undefined = new Project();
    project.setFile('shop/migrations/0001_initial.py', runSqlMigration('CREATE INDEX i ON t (a); '.repeat(50)));
    project.analyzeAll(DEFAULT_CONFIG);
    const model = new WeakRef(project.model('shop/migrations/0001_initial.py')!);
    project = undefined;
    // WeakRefs are cleared only after the current job, and the rules' memos must not hold the last file's context.
    for (let attempt = 0; attempt < 5 && model.deref() !== undefined; attempt++) {
      await new Promise((resolve) => setImmediate(resolve));
      collectGarbage();
    }
    assert.equal(model.deref(), undefined, 'the model (and its tree, replayed states and memos) is still reachable');
  });

  it('a file with 200,000 findings is reported, not a stack overflow', function () {
    this.timeout(60_000);
    const result = analyze([{ path: 'shop/migrations/0001_locks.py', text: runSqlMigration('LOCK t;'.repeat(200_000)) }], { config: DEFAULT_CONFIG });
    assert.deepEqual(result.errors, []);
    assert.equal(result.findings.filter((finding) => finding.rule === 'sql-lock-table').length, 200_000);
  });

  it('fingerprints of many findings on one long operation hash its text once per rule, not once per finding', function () {
    this.timeout(60_000);
    const text = runSqlMigration('LOCK t;'.repeat(20_000));
    const findings = analyze([{ path: 'shop/migrations/0001_locks.py', text }], { config: DEFAULT_CONFIG }).findings;
    assert.ok(findings.length > 20_000);
    const update = Hash.prototype.update;
    let hashed = 0;
    Hash.prototype.update = function (this: Hash, data: string | NodeJS.ArrayBufferView, ...rest: unknown[]) {
      hashed += typeof data === 'string' ? data.length : data.byteLength;
      return (update as (...args: unknown[]) => Hash).call(this, data, ...rest);
    } as typeof update;
    try {
      createBaseline(findings, () => text, 'mg-baseline.json', '/project');
      const fingerprint = fingerprinter(() => text);
      for (const finding of findings) fingerprint(finding);
    } finally {
      Hash.prototype.update = update;
    }
    // Twice (baseline, then SARIF's fingerprints), three rules each: about 6 times the file, plus each statement.
    assert.ok(hashed < 20 * text.length, `hashed ${hashed} characters for a ${text.length}-character file`);
  });

  it('comment lines are found in one walk of the tree, not looked up one by one', () => {
    const text = `${'# a comment line\n'.repeat(20_000)}from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    operations = []\n`;
    const resolveInner = Tree.prototype.resolveInner;
    let lookups = 0;
    Tree.prototype.resolveInner = function (this: Tree, ...args: Parameters<Tree['resolveInner']>) {
      lookups++;
      return resolveInner.apply(this, args);
    };
    let comments: number;
    try {
      const project = new Project();
      project.setFile('shop/migrations/0001_comments.py', text);
      comments = project.model('shop/migrations/0001_comments.py')!.comments.length;
    } finally {
      Tree.prototype.resolveInner = resolveInner;
    }
    assert.equal(comments, 20_000);
    // A lookup per comment scanned the top level's siblings each time: quadratic in comment lines.
    assert.ok(lookups < 100, `${lookups} tree lookups for 20,000 comment lines`);
  });

  it('SQL tokens and offset maps keep no copy of the text per token or per character', () => {
    const sql = 'CREATE INDEX i ON t (a); '.repeat(2000);
    const tokens = tokenizeSql(sql);
    assert.equal(tokens.length, 18_000);
    for (const token of tokens.slice(0, 16)) assert.equal(token.text, sql.slice(token.start, token.end));
    assert.ok(tokens.every((token) => !Object.prototype.hasOwnProperty.call(token, 'text')), 'a token stores its text');

    const literal = `("${'x'.repeat(50_000)}\\t${'y'.repeat(50_000)}" 'z')`;
    const decoded = decodePythonStrings(literal, 0, literal.length)!;
    assert.equal(decoded.value.length, 100_002);
    assert.equal(decoded.offsets.length, decoded.value.length + 1);
    assert.ok(decoded.offsets.runCount <= 5, `${decoded.offsets.runCount} runs for a literal with one escape`);
  });

  it('offset maps give every position a plain array would, and join like one', () => {
    let seed = 7;
    const random = (limit: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % limit;
    };
    for (let round = 0; round < 200; round++) {
      const plain: number[][] = [[], []];
      const maps = [new SqlOffsets(), new SqlOffsets()];
      for (const side of [0, 1]) {
        let position = random(50);
        for (let index = random(40) + 1; index > 0; index--) {
          position += [0, 1, 1, 1, 2, 5][random(6)]!;
          plain[side]!.push(position);
          maps[side]!.push(position);
        }
      }
      for (const side of [0, 1]) {
        assert.equal(maps[side]!.length, plain[side]!.length);
        for (let index = -1; index <= plain[side]!.length; index++) assert.equal(maps[side]!.at(index), plain[side]![index], `round ${round} index ${index}`);
      }
      const joined = SqlOffsets.concatenate(maps[0]!, maps[1]!);
      const expected = [...plain[0]!.slice(0, -1), ...plain[1]!];
      assert.equal(joined.length, expected.length);
      for (let index = 0; index < expected.length; index++) assert.equal(joined.at(index), expected[index]);
    }
  });
});
