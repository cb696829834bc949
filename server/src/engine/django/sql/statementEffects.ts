// Each generated statement with what it does to the database, from the one lock table (sql/locks.ts): the locks,
// whether it rewrites, scans or only changes the catalog, and the short label hovers, inlay hints and the CLI print
// (`ACCESS EXCLUSIVE shop_product · rewrite`, `SHARE shop_order · index build`, `catalog only`).
import type { Database } from '../../config/types';
import { LOCK_MODES, postgresStatementEffect, type LockMode, type StatementEffect, type TableWork } from '../../sql/locks';
import { scanSql } from '../../sql/scanner';
import { parseAlterTable, parseDropTable } from '../../sql/statements';
import type { EmittedStatement } from './schemaEditor';
import type { OperationSql } from './migrationSql';

export interface StatementWithEffect {
  /** One statement (Django sometimes emits two in one execute(): `SET CONSTRAINTS ...; ALTER TABLE ...`). */
  sql: string;
  emitted: EmittedStatement;
  /** PostgreSQL only; undefined when the lock table does not know the statement. */
  effect?: StatementEffect;
}

/** Statements are scanned once per vendor and version: hovers, inlay hints and the CLI ask for the same ones again. */
const EFFECTS = new WeakMap<EmittedStatement, { key: string; effects: StatementWithEffect[] }>();

export function statementEffects(emitted: EmittedStatement, database: Database, postgresVersion: number): StatementWithEffect[] {
  const key = `${database}:${postgresVersion}`;
  const cached = EFFECTS.get(emitted);
  if (cached?.key === key) return cached.effects;
  const effects = computeEffects(emitted, database, postgresVersion);
  EFFECTS.set(emitted, { key, effects });
  return effects;
}

function computeEffects(emitted: EmittedStatement, database: Database, postgresVersion: number): StatementWithEffect[] {
  const parts = scanSql(emitted.sql).filter((statement) => statement.tokens.length > 0);
  return parts.map((statement) => {
    const sql = `${statement.text.trim().replace(/;$/, '')};`;
    const effect = database === 'postgresql' ? postgresStatementEffect(statement, postgresVersion, emitted.hints ?? {}) : undefined;
    return effect ? { sql, emitted, effect } : { sql, emitted };
  });
}

const WORK_LABELS: Record<TableWork, string> = {
  catalog: 'catalog only',
  rewrite: 'rewrite',
  scan: 'scan',
  'index-build': 'index build',
  data: 'data change',
  none: 'no lock',
  unknown: 'work unknown',
};

/** Heaviest first: what an operation's label leads with. */
const WORK_WEIGHT: TableWork[] = ['rewrite', 'index-build', 'scan', 'data', 'unknown', 'catalog', 'none'];

/** `ACCESS EXCLUSIVE catalog_items · rewrite` for one statement (the strongest lock on a named table). */
export function effectLabel(effect: StatementEffect, sql = ''): string {
  const lock = strongestTableLock(effect);
  const work = WORK_LABELS[effect.work];
  if (!lock && /^\s*CREATE\s+TABLE\b/i.test(sql)) return 'new table';
  if (!lock) return work;
  return effect.work === 'catalog' || effect.work === 'none' ? `${lock.mode} ${lock.relation} · catalog only` : `${lock.mode} ${lock.relation} · ${work}`;
}

function strongestTableLock(effect: StatementEffect): { mode: LockMode; relation: string } | undefined {
  let best: { mode: LockMode; relation: string } | undefined;
  for (const lock of effect.locks) {
    if (lock.kind !== 'table') continue;
    if (!best || LOCK_MODES.indexOf(lock.mode) > LOCK_MODES.indexOf(best.mode)) best = lock;
  }
  return best;
}

/**
 * One label for an operation: its strongest lock on a table and its heaviest work, e.g. for an AddField with a
 * default `ACCESS EXCLUSIVE shop_order · catalog only`. Undefined when it runs no SQL or the SQL is not known.
 */
export function operationLabel(operation: OperationSql, database: Database, postgresVersion: number): string | undefined {
  if (operation.unknown) return undefined;
  const effects = operation.statements.flatMap((statement) => statementEffects(statement, database, postgresVersion));
  if (effects.length === 0) return operation.note ? 'no SQL' : undefined;
  if (database !== 'postgresql') return `${effects.length} statement${effects.length === 1 ? '' : 's'}`;
  const known = effects.flatMap((entry) => (entry.effect ? [entry.effect] : []));
  if (known.length === 0) return undefined;
  let lock: { mode: LockMode; relation: string } | undefined;
  for (const effect of known) {
    const candidate = strongestTableLock(effect);
    if (candidate && (!lock || LOCK_MODES.indexOf(candidate.mode) > LOCK_MODES.indexOf(lock.mode))) lock = candidate;
  }
  const work = WORK_WEIGHT.find((kind) => known.some((effect) => effect.work === kind)) ?? 'unknown';
  const unknownPart = known.length < effects.length ? ' · some statements not modelled' : '';
  if (!lock) return `${WORK_LABELS[work]}${unknownPart}`;
  return `${lock.mode} ${lock.relation} · ${work === 'none' ? 'catalog only' : WORK_LABELS[work]}${unknownPart}`;
}

/**
 * What the code still running during a deploy (phrased to follow "while the old code runs, ...") (it knows the schema before this operation) gets from the
 * operation's statements, read in order: a column that is dropped or renamed breaks its SELECTs and writes, a
 * NOT NULL column left without a database default breaks its INSERTs, a renamed or dropped table breaks everything
 * on it. Undefined when nothing in the statements breaks old code (as far as the statements tell).
 */
export function oldCodeBreaks(operation: OperationSql): string | undefined {
  const breaks: string[] = [];
  const notNullWithoutDefault = new Map<string, string>();
  for (const statement of operation.statements) {
    for (const parsed of scanSql(statement.sql)) {
      const alter = parseAlterTable(parsed);
      if (alter) {
        const table = alter.table?.name ?? 'the table';
        for (const action of alter.actions) {
          const column = action.column?.name;
          if (action.kind === 'drop-column' && column) breaks.push(`its queries naming ${table}.${column} fail (SELECT, INSERT and UPDATE)`);
          else if (action.kind === 'rename-column' && column) breaks.push(`its queries naming ${table}.${column} fail (the column is now ${action.newName?.name ?? '?'})`);
          else if (action.kind === 'rename-table') breaks.push(`every query on ${table} fails (the table is now ${action.newName?.name ?? '?'})`);
          else if (action.kind === 'add-column' && column && action.notNull && !action.hasDefault) notNullWithoutDefault.set(`${table}.${column}`, `its INSERTs into ${table} fail: they omit the new NOT NULL column ${column}`);
          else if (action.kind === 'add-column' && column && action.notNull && action.hasDefault) notNullWithoutDefault.set(`${table}.${column}`, '');
          else if (action.kind === 'drop-default' && column && notNullWithoutDefault.get(`${table}.${column}`) === '') {
            notNullWithoutDefault.set(`${table}.${column}`, `its INSERTs into ${table} fail once the default is dropped: they omit the new NOT NULL column ${column}`);
          } else if (action.kind === 'set-not-null' && column) breaks.push(`its writes of NULL to ${table}.${column} fail`);
        }
        continue;
      }
      const drop = parseDropTable(parsed);
      if (drop && !drop.temporary) for (const table of drop.tables) breaks.push(`every query on ${table.name} fails (the table is dropped)`);
    }
  }
  for (const message of notNullWithoutDefault.values()) if (message) breaks.push(message);
  return breaks.length > 0 ? `${[...new Set(breaks)].join('; ')}.` : undefined;
}
