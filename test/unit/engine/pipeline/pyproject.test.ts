// [tool.migration-guard] in pyproject.toml: parsing, validation messages, discovery by walking up, layer merging.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, findConfig, loadConfigFile, parseConfigText, resolveConfig, unknownRuleIds } from '../../../../server/src/engine/config/pyproject';
import { DEFAULT_CONFIG } from '../../../../server/src/engine/config/types';

function configError(text: string): string {
  try {
    parseConfigText(text, 'pyproject.toml');
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.message;
  }
  assert.fail('expected a ConfigError');
}

describe('pyproject config', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mg-pyproject-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads every key into a ConfigLayer', () => {
    const layer = parseConfigText(
      `[project]\nname = "x"\n\n[tool.migration-guard]\ndatabase = "mysql"\npostgres-version = 13\ndjango-version = "3.2"\n` +
        `select = ["remove-field", "rename-field"]\nignore = ["auto-named-migration"]\nexclude = ["legacy/**"]\nbaseline = "mg-baseline.json"\n\n` +
        `[tool.migration-guard.severity]\nremove-field = "warning"\nreserved-word-column = "off"\n`,
      'pyproject.toml',
    );
    assert.deepEqual(layer, {
      database: 'mysql',
      postgresVersion: 13,
      djangoVersion: '3.2',
      select: ['remove-field', 'rename-field'],
      ignore: ['auto-named-migration'],
      exclude: ['legacy/**'],
      baseline: 'mg-baseline.json',
      severity: { 'remove-field': 'warning', 'reserved-word-column': 'off' },
    });
  });

  it('returns undefined for a pyproject without the table', () => {
    assert.equal(parseConfigText('[tool.ruff]\nline-length = 100\n', 'pyproject.toml'), undefined);
  });

  it('normalises a patch version of django-version', () => {
    assert.equal(parseConfigText('[tool.migration-guard]\ndjango-version = "4.2.11"\n', 'p.toml')?.djangoVersion, '4.2');
  });

  it('explains invalid TOML with its position', () => {
    assert.match(configError('[tool.migration-guard]\ndatabase = \n'), /^pyproject\.toml:2:\d+: invalid TOML/);
  });

  it('rejects unknown keys with a suggestion', () => {
    assert.match(configError('[tool.migration-guard]\npostgres_version = 15\n'), /unknown key "postgres_version" \(did you mean "postgres-version"\?\)/);
    assert.match(configError('[tool.migration-guard]\nfoo = 1\n'), /unknown key "foo"; known keys: database, /);
  });

  it('rejects values of the wrong type with clear messages', () => {
    assert.match(configError('[tool.migration-guard]\ndatabase = "postgres"\n'), /"database" must be one of "postgresql", "mysql", "sqlite", not the string "postgres" \(did you mean "postgresql"\?\)/);
    assert.match(configError('[tool.migration-guard]\ndjango-version = 3.1\n'), /"django-version" must be a quoted string/);
    assert.match(configError('[tool.migration-guard]\ndjango-version = "four"\n'), /must look like "4\.2"/);
    assert.match(configError('[tool.migration-guard]\npostgres-version = "15"\n'), /"postgres-version" must be a major version as an integer/);
    assert.match(configError('[tool.migration-guard]\nselect = "remove-field"\n'), /"select" must be an array of strings/);
    assert.match(configError('[tool.migration-guard]\nexclude = [1, 2]\n'), /"exclude" must be an array of strings/);
    assert.match(configError('[tool.migration-guard]\nseverity = "high"\n'), /"severity" must be a table/);
    assert.match(configError('[tool.migration-guard.severity]\nremove-field = "eror"\n'), /severity of "remove-field" must be .* \(did you mean "error"\?\)/);
    assert.match(configError('[tool.migration-guard]\nbaseline = 3\n'), /"baseline" must be a file path string/);
    assert.match(configError('[tool]\nmigration-guard = 1\n'), /\[tool\.migration-guard\] must be a table/);
    assert.match(configError('[tool.migration_guard]\ndatabase = "mysql"\n'), /the table is named \[tool\.migration-guard\]/);
  });

  it('finds the nearest pyproject.toml holding the table, walking up from a path', () => {
    mkdirSync(join(dir, 'inner', 'app', 'migrations'), { recursive: true });
    writeFileSync(join(dir, 'pyproject.toml'), '[tool.migration-guard]\ndatabase = "sqlite"\n');
    writeFileSync(join(dir, 'inner', 'pyproject.toml'), '[tool.black]\nline-length = 100\n');
    const found = findConfig(join(dir, 'inner', 'app', 'migrations'));
    assert.equal(found?.file, join(dir, 'pyproject.toml'));
    assert.equal(found?.root, dir);
    assert.deepEqual(found?.layer, { database: 'sqlite' });

    writeFileSync(join(dir, 'inner', 'pyproject.toml'), '[tool.migration-guard]\ndatabase = "mysql"\n');
    assert.equal(findConfig(join(dir, 'inner', 'app', 'migrations', '0001_initial.py'))?.root, join(dir, 'inner'));
  });

  it('loads an explicit config file and insists on the table', () => {
    writeFileSync(join(dir, 'guard.toml'), '[tool.migration-guard]\nignore = ["remove-field"]\n');
    writeFileSync(join(dir, 'other.toml'), 'x = 1\n');
    assert.deepEqual(loadConfigFile(join(dir, 'guard.toml')).layer, { ignore: ['remove-field'] });
    assert.throws(() => loadConfigFile(join(dir, 'other.toml')), /no \[tool\.migration-guard\] table/);
    assert.throws(() => loadConfigFile(join(dir, 'missing.toml')), /cannot read config file .*missing\.toml: file not found/);
  });

  it('merges defaults < file < flags, severity per rule', () => {
    const config = resolveConfig(
      '/project',
      { database: 'mysql', ignore: ['a'], severity: { x: 'warning', y: 'off' }, exclude: ['old/**'], djangoVersion: '3.2' },
      { database: 'sqlite', severity: { x: 'error' }, select: ['x'] },
    );
    assert.deepEqual(config, {
      ...DEFAULT_CONFIG,
      root: '/project',
      database: 'sqlite',
      djangoVersion: '3.2',
      ignore: ['a'],
      select: ['x'],
      severity: { x: 'error', y: 'off' },
      exclude: ['old/**'],
    });
    assert.equal(resolveConfig('/p').database, undefined, 'no database means detect it from settings');
  });

  it('names rule ids that do not exist, with a suggestion', () => {
    const known = new Set(['remove-field', 'rename-field']);
    assert.deepEqual(unknownRuleIds({ select: ['remove-field'], ignore: ['remove-feild'], severity: { nope: 'off' } }, known), ['"remove-feild" (did you mean "remove-field"?)', '"nope"']);
  });
});
