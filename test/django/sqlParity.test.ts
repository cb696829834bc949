// Parity with Django's own sqlmigrate: the fixture project in test/fixtures/sqlparity (every operation kind Django
// ships, common field types and options, two apps with an apps.py label) is run through Debian's Django 3.2 on a
// private PostgreSQL 15 and on SQLite, collecting each migration's SQL the way sqlmigrate does; the statements the
// engine generates for django-version 3.2 must match, normalised only for whitespace.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from '../../server/src/engine/config/types';
import type { EmittedStatement } from '../../server/src/engine/django/sql/schemaEditor';
import { projectSql } from '../../server/src/engine/projectSql';
import { scanSql } from '../../server/src/engine/sql/scanner';
import { interpreterForTests, postgresUnavailableReason, requireHost, startPostgres, type Postgres } from './support';

const FIXTURE = join(__dirname, '..', 'fixtures', 'sqlparity');

interface Collected {
  django: string;
  vendor: string;
  migrations: { app: string; name: string; statements?: string[]; error?: string }[];
}

interface Parity {
  identical: number;
  total: number;
  /** Statements of ours with no identical Django statement, and whether they hold a value computed at migrate time. */
  unmatched: { sql: string; computed: boolean; migration: string }[];
  missing: { sql: string; migration: string }[];
}

function normalised(sql: string): string[] {
  return scanSql(sql)
    .map((statement) => statement.text.trim().replace(/;$/, '').replace(/\s+/g, ' ').trim())
    .filter((text) => text.length > 0 && !text.startsWith('--'));
}

/** Longest common subsequence of the two statement lists: identical statements in the same order. */
function compare(theirs: string[], ours: { sql: string; computed: boolean }[], migration: string, into: Parity): void {
  const n = theirs.length;
  const m = ours.length;
  const table = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) table[i]![j] = theirs[i] === ours[j]!.sql ? table[i + 1]![j + 1]! + 1 : Math.max(table[i + 1]![j]!, table[i]![j + 1]!);
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && theirs[i] === ours[j]!.sql) {
      into.identical++;
      i++;
      j++;
    } else if (j >= m || (i < n && table[i + 1]![j]! >= table[i]![j + 1]!)) {
      into.missing.push({ sql: theirs[i]!, migration });
      i++;
    } else {
      into.unmatched.push({ ...ours[j]!, migration });
      j++;
    }
  }
  into.total += n;
}

function collect(python: string, env: Record<string, string>, root: string): Collected {
  const result = spawnSync(python, [join(root, 'collect_sql.py')], { cwd: root, encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } });
  assert.equal(result.status, 0, `collect_sql.py failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as Collected;
}

function parityOf(collected: Collected, root: string, database: Database): Parity {
  const report = projectSql([root], root, { database, djangoVersion: '3.2', postgresVersion: 15 });
  const parity: Parity = { identical: 0, total: 0, unmatched: [], missing: [] };
  for (const migration of collected.migrations) {
    const label = `${migration.app}.${migration.name}`;
    const ours = report.migrations.find((entry) => entry.migration === label);
    assert.ok(ours, `the engine generated nothing for ${label}`);
    if (migration.error) continue; // Django itself refuses (AddIndexConcurrently on SQLite): nothing to compare.
    const generated = ours.sql.statements.flatMap((statement: EmittedStatement) => normalised(statement.sql).map((sql) => ({ sql, computed: statement.computed === true })));
    compare((migration.statements ?? []).flatMap(normalised), generated, label, parity);
  }
  return parity;
}

function report(vendor: string, parity: Parity): number {
  const percent = (100 * parity.identical) / parity.total;
  console.log(`      sqlmigrate parity on ${vendor} (Django 3.2): ${parity.identical}/${parity.total} statements identical (${percent.toFixed(1)}%)`);
  for (const entry of parity.missing) console.log(`        Django only (${entry.migration}): ${entry.sql.slice(0, 160)}`);
  return percent;
}

describe('static SQL: parity with Django 3.2 sqlmigrate', function () {
  this.timeout(240_000);
  let python: string | undefined;
  let postgres: Postgres | undefined;
  let parent: string | undefined;
  let root = '';

  before(async function () {
    python = await interpreterForTests();
    requireHost(this, python !== undefined, 'no Python with Django importable (apt-get install python3-django)');
    parent = mkdtempSync(join(tmpdir(), 'mg-parity-'));
    root = join(parent, 'project');
    cpSync(FIXTURE, root, { recursive: true, filter: (source) => !/(__pycache__|\.sqlite3)$/.test(source) });
  });

  after(() => {
    postgres?.stop();
    if (parent) rmSync(parent, { recursive: true, force: true });
  });

  it('PostgreSQL 15: at least 95% of the statements are identical, and every difference is a value Django computes at migrate time', async function () {
    const unavailable = postgresUnavailableReason();
    requireHost(this, unavailable === undefined, unavailable ?? '');
    postgres = await startPostgres();
    postgres.createDatabase('parity');
    const collected = collect(python as string, { PARITY_DB_ENGINE: 'postgresql', PARITY_DB_PORT: String(postgres.port), PARITY_DB_NAME: 'parity' }, root);
    assert.match(collected.django, /^3\.2/);
    const parity = parityOf(collected, root, 'postgresql');
    assert.ok(report('PostgreSQL 15', parity) >= 95, 'parity under 95%');
    assert.deepEqual(parity.unmatched.filter((entry) => !entry.computed), [], 'statements of ours that Django does not emit (and that hold no computed value)');
  });

  it('SQLite: at least 95% of the statements are identical (table rebuilds included), and every difference is a computed value', function () {
    const collected = collect(python as string, { PARITY_DB_NAME: join(parent as string, 'parity.sqlite3') }, root);
    const parity = parityOf(collected, root, 'sqlite');
    assert.ok(report('SQLite', parity) >= 95, 'parity under 95%');
    assert.deepEqual(parity.unmatched.filter((entry) => !entry.computed), [], 'statements of ours that Django does not emit (and that hold no computed value)');
  });
});
