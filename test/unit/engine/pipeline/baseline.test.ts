// Baseline files: written from findings, read back, matched by file + rule + a fingerprint of the operation text
// that survives line shifts, with counts for identical findings.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyBaseline, createBaseline, findingFingerprint, readBaseline, writeBaseline } from '../../../../server/src/engine/config/baseline';
import type { Finding } from '../../../../server/src/engine/rules/rule';

/** A finding on the first occurrence of `operation` in `text`. */
function findingOn(file: string, text: string, operation: string, rule = 'remove-field', occurrence = 0): Finding {
  let start = -1;
  for (let i = 0; i <= occurrence; i++) start = text.indexOf(operation, start + 1);
  assert.ok(start >= 0, `operation not in text: ${operation}`);
  const line = text.slice(0, start).split('\n').length - 1;
  const span = { start, end: start + operation.length };
  return { rule, severity: 'error', message: `${rule} here`, file, span, operationSpan: span, start: { line, character: 8 }, end: { line, character: 9 }, fixes: [] };
}

const REMOVE = 'migrations.RemoveField(model_name="product", name="legacy")';
const ORIGINAL = `class Migration(migrations.Migration):\n    operations = [\n        ${REMOVE},\n    ]\n`;

describe('baseline', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mg-baseline-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('fingerprints survive line shifts and re-indentation but not a changed operation', () => {
    const before = findingFingerprint(findingOn('a.py', ORIGINAL, REMOVE), ORIGINAL);
    const shifted = `# a new comment\n\n${ORIGINAL}`;
    assert.equal(findingFingerprint(findingOn('a.py', shifted, REMOVE), shifted), before);
    const reflowedOp = 'migrations.RemoveField(\n            model_name="product",\n            name="legacy",\n        )';
    const reflowed = ORIGINAL.replace(REMOVE, reflowedOp);
    assert.equal(findingFingerprint(findingOn('a.py', reflowed, reflowedOp), reflowed), before, 'layout-only changes keep the fingerprint');
    const changed = ORIGINAL.replace('legacy', 'sku');
    assert.notEqual(findingFingerprint(findingOn('a.py', changed, REMOVE.replace('legacy', 'sku')), changed), before);
    assert.notEqual(findingFingerprint(findingOn('a.py', ORIGINAL, REMOVE, 'delete-model'), ORIGINAL), before, 'the rule is part of it');
  });

  it('writes a sorted, reviewable file and reads it back', () => {
    const sources = new Map([['app/migrations/0002_x.py', ORIGINAL]]);
    const findings = [findingOn('app/migrations/0002_x.py', ORIGINAL, REMOVE)];
    const baseline = createBaseline(findings, (f) => sources.get(f), 'baseline.json', dir);
    writeBaseline(baseline, 'baseline.json', dir);
    const written = JSON.parse(readFileSync(join(dir, 'baseline.json'), 'utf8')) as { version: number; findings: { file: string; rule: string; count: number; message: string }[] };
    assert.equal(written.version, 1);
    assert.deepEqual(written.findings.map((f) => [f.file, f.rule, f.count, f.message]), [['app/migrations/0002_x.py', 'remove-field', 1, 'remove-field here']]);
    assert.deepEqual(readBaseline('baseline.json', dir).findings, baseline.findings.map(({ message: _message, ...rest }) => rest));
  });

  it('suppresses accepted findings, even after a line shift, and keeps new ones', () => {
    const file = 'app/migrations/0002_x.py';
    const baseline = createBaseline([findingOn(file, ORIGINAL, REMOVE)], () => ORIGINAL, 'baseline.json', dir);
    const edited = `${ORIGINAL.replace('    ]\n', `        migrations.RemoveField(model_name="product", name="price"),\n    ]\n`)}`.replace('class', '\n\nclass');
    const now = [findingOn(file, edited, REMOVE), findingOn(file, edited, 'migrations.RemoveField(model_name="product", name="price")')];
    const { kept, suppressed } = applyBaseline(now, baseline, () => edited, 'baseline.json', dir);
    assert.equal(suppressed, 1);
    assert.deepEqual(kept.map((f) => f.span.start), [now[1]!.span.start]);
  });

  it('keys paths relative to the baseline file, so another working directory matches too', () => {
    const baseline = createBaseline([findingOn('proj/app/migrations/0002_x.py', ORIGINAL, REMOVE)], () => ORIGINAL, 'proj/baseline.json', dir);
    assert.equal(baseline.findings[0]!.file, 'app/migrations/0002_x.py');
    const fromInside = applyBaseline([findingOn('app/migrations/0002_x.py', ORIGINAL, REMOVE)], baseline, () => ORIGINAL, 'baseline.json', join(dir, 'proj'));
    assert.equal(fromInside.suppressed, 1);
  });

  it('counts identical findings: a third copy of an accepted pair is new', () => {
    const twice = `${ORIGINAL}${ORIGINAL}`;
    const file = 'app/migrations/0003_y.py';
    const baseline = createBaseline([findingOn(file, twice, REMOVE, 'remove-field', 0), findingOn(file, twice, REMOVE, 'remove-field', 1)], () => twice, 'b.json', dir);
    assert.equal(baseline.findings.length, 1);
    assert.equal(baseline.findings[0]!.count, 2);
    const thrice = `${twice}${ORIGINAL}`;
    const now = [0, 1, 2].map((n) => findingOn(file, thrice, REMOVE, 'remove-field', n));
    const { kept, suppressed } = applyBaseline(now, baseline, () => thrice, 'b.json', dir);
    assert.equal(suppressed, 2);
    assert.equal(kept.length, 1);
  });

  it('rejects missing or malformed baseline files with clear messages', () => {
    assert.throws(() => readBaseline('nope.json', dir), /cannot read baseline nope\.json: file not found \(create it with --write-baseline\)/);
    writeFileSync(join(dir, 'bad.json'), '{ nope');
    assert.throws(() => readBaseline('bad.json', dir), /baseline bad\.json is not valid JSON/);
    writeFileSync(join(dir, 'shape.json'), '{"version": 1, "findings": [{"file": 3}]}');
    assert.throws(() => readBaseline('shape.json', dir), /entry 0 needs "file", "rule" and "fingerprint"/);
    writeFileSync(join(dir, 'future.json'), '{"version": 7, "findings": []}');
    assert.throws(() => readBaseline('future.json', dir), /has version 7/);
  });
});
