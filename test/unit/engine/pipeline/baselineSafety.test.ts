// Nothing clobbered, nothing echoed (issue #10): --write-baseline replaces atomically and only a baseline, never
// through a symlink; a baseline path from config stays inside the project; a bad baseline's text is not quoted;
// a baseline saved with a UTF-8 BOM is read.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBaseline, writeBaseline, type Baseline } from '../../../../server/src/engine/config/baseline';
import { ConfigError, parseConfigText } from '../../../../server/src/engine/config/pyproject';

const EMPTY: Baseline = { version: 1, findings: [] };

describe('baseline safety', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mg-baseline-safety-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('replaces an existing baseline and leaves no temporary file behind', () => {
    writeBaseline(EMPTY, 'baseline.json', dir);
    writeBaseline({ version: 1, findings: [{ file: 'a.py', rule: 'r', fingerprint: 'f', count: 1 }] }, 'baseline.json', dir);
    assert.equal(readBaseline('baseline.json', dir).findings.length, 1);
    assert.deepEqual(readdirSync(dir), ['baseline.json']);
  });

  it('refuses to overwrite a file that is not a baseline, unless forced', () => {
    writeFileSync(join(dir, 'pyproject.toml'), '[project]\nname = "shop"\n');
    assert.throws(() => writeBaseline(EMPTY, 'pyproject.toml', dir), /refusing to overwrite pyproject\.toml: it is not a migration-guard baseline \(use --force/);
    assert.equal(readFileSync(join(dir, 'pyproject.toml'), 'utf8'), '[project]\nname = "shop"\n');
    writeBaseline(EMPTY, 'pyproject.toml', dir, true);
    assert.deepEqual(readBaseline('pyproject.toml', dir), EMPTY);
  });

  it('never writes through a symlink', () => {
    writeFileSync(join(dir, 'target.json'), JSON.stringify(EMPTY));
    symlinkSync(join(dir, 'target.json'), join(dir, 'link.json'));
    assert.throws(() => writeBaseline(EMPTY, 'link.json', dir, true), /it is a symbolic link/);
    assert.equal(readFileSync(join(dir, 'target.json'), 'utf8'), JSON.stringify(EMPTY));
  });

  it('accepts a UTF-8 BOM and never quotes the content of a file that is not JSON', () => {
    writeFileSync(join(dir, 'bom.json'), `\uFEFF${JSON.stringify(EMPTY)}`);
    assert.deepEqual(readBaseline('bom.json', dir), EMPTY);
    writeFileSync(join(dir, 'secret.json'), 'SECRET_KEY = "hunter2"\n');
    assert.throws(
      () => readBaseline('secret.json', dir),
      (error: Error) => error instanceof ConfigError && /is not valid JSON/.test(error.message) && !error.message.includes('SECRET') && !error.message.includes('hunter2'),
    );
  });

  it('a baseline path in config must stay inside the project', () => {
    for (const path of ['/etc/passwd', '../outside.json', 'a/../../outside.json']) {
      assert.throws(() => parseConfigText(`[tool.migration-guard]\nbaseline = ${JSON.stringify(path)}\n`, 'pyproject.toml'), /"baseline" must be a path inside the project/);
    }
    assert.equal(parseConfigText('[tool.migration-guard]\nbaseline = "ci/baseline.json"\n', 'pyproject.toml')?.baseline, 'ci/baseline.json');
  });
});
