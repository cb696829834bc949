// Observes what one statement really does on PostgreSQL: the relation locks its session holds (strongest mode per
// relation, read from pg_locks by a second session), which tables got a new file (pg_class.relfilenode) and which
// were sequentially scanned (pg_stat_xact_user_tables). Statements that cannot run in a transaction block are run on
// their own while another session holds ROW EXCLUSIVE on the table, so they stop at their first wait and their locks
// can be read then.
import { LOCK_MODES, type LockMode, type RelationKind, type StatementEffect } from '../../server/src/engine/sql/locks';
import type { LockShape } from './lockShapes';
import { PsqlSession, SqlError, psqlOnce, type Connection } from './psqlSession';

/** The first OID of user objects; lower OIDs are the system catalogs. */
const FIRST_NORMAL_OBJECT_ID = 16384;

const MODE_BY_PG_NAME: Record<string, LockMode> = {
  AccessShareLock: 'ACCESS SHARE',
  RowShareLock: 'ROW SHARE',
  RowExclusiveLock: 'ROW EXCLUSIVE',
  ShareUpdateExclusiveLock: 'SHARE UPDATE EXCLUSIVE',
  ShareLock: 'SHARE',
  ShareRowExclusiveLock: 'SHARE ROW EXCLUSIVE',
  ExclusiveLock: 'EXCLUSIVE',
  AccessExclusiveLock: 'ACCESS EXCLUSIVE',
};

export interface ObservedLock {
  relation: string;
  /** pg_class.relkind: r table, i index, S sequence, ... */
  relkind: string;
  mode: LockMode;
  /** The statement created the relation (no one else can see it before COMMIT). */
  created: boolean;
  granted: boolean;
}

export interface Observation {
  locks: ObservedLock[];
  /** Relations that existed before and got a new file. */
  newFile: string[];
  /** Tables sequentially scanned by the statement (only known for statements run in a transaction). */
  seqScanned?: string[];
  /** The error PostgreSQL gives when the statement is run in a transaction block, if any. */
  inTransactionError?: string;
}

interface RelationRow {
  oid: number;
  name: string;
  relkind: string;
  relfilenode: string;
  namespace: string;
}

const RELATIONS_SQL = `SELECT c.oid, c.relname, c.relkind, c.relfilenode, n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid >= ${FIRST_NORMAL_OBJECT_ID}`;

async function relations(session: PsqlSession): Promise<Map<number, RelationRow>> {
  const found = new Map<number, RelationRow>();
  for (const [oid, name, relkind, relfilenode, namespace] of await session.query(RELATIONS_SQL)) {
    found.set(Number(oid), { oid: Number(oid), name: name!, relkind: relkind!, relfilenode: relfilenode!, namespace: namespace! });
  }
  return found;
}

interface RawLock {
  oid: number;
  mode: LockMode;
  granted: boolean;
}

function locksOf(connection: Connection, pid: string): { relationLocks: RawLock[]; waiting: boolean } {
  const found = psqlOnce(connection, `SELECT locktype, relation, mode, granted FROM pg_locks WHERE pid = ${Number(pid)}`);
  const relationLocks: RawLock[] = [];
  let waiting = false;
  for (const [locktype, relation, mode, granted] of found) {
    if (granted === 'f') waiting = true;
    if (locktype !== 'relation' || !relation) continue;
    const lockMode = MODE_BY_PG_NAME[mode!];
    if (!lockMode) throw new Error(`unknown lock mode ${String(mode)}`);
    relationLocks.push({ oid: Number(relation), mode: lockMode, granted: granted === 't' });
  }
  return { relationLocks, waiting };
}

export function strongerMode(a: LockMode, b: LockMode): LockMode {
  return LOCK_MODES.indexOf(a) >= LOCK_MODES.indexOf(b) ? a : b;
}

function strongestPerRelation(raw: RawLock[], before: Map<number, RelationRow>, after: Map<number, RelationRow>): ObservedLock[] {
  const byOid = new Map<number, ObservedLock>();
  for (const lock of raw) {
    if (lock.oid < FIRST_NORMAL_OBJECT_ID) continue;
    const existing = before.get(lock.oid);
    const row = existing ?? after.get(lock.oid);
    // Dropped-and-gone or TOAST relations follow their table; they are not part of the model.
    if (!row || row.namespace === 'pg_toast') continue;
    const seen = byOid.get(lock.oid);
    if (seen) {
      seen.mode = strongerMode(seen.mode, lock.mode);
      seen.granted = seen.granted && lock.granted;
    } else {
      byOid.set(lock.oid, { relation: row.name, relkind: row.relkind, mode: lock.mode, created: existing === undefined, granted: lock.granted });
    }
  }
  return [...byOid.values()].sort((a, b) => a.relation.localeCompare(b.relation));
}

function newFiles(before: Map<number, RelationRow>, after: Map<number, RelationRow>): string[] {
  return [...before.values()]
    .filter((row) => row.namespace !== 'pg_toast' && after.has(row.oid) && after.get(row.oid)!.relfilenode !== row.relfilenode)
    .map((row) => row.name)
    .sort();
}

/** Runs `BEGIN; <statement>`, reads the locks while the transaction is open, then rolls back. */
async function observeInTransaction(connection: Connection, shape: LockShape): Promise<Observation> {
  const session = new PsqlSession(connection);
  try {
    const [[pid]] = (await session.query('SELECT pg_backend_pid()')) as [[string]];
    const before = await relations(session);
    await session.query('BEGIN');
    await session.query(shape.statement);
    const { relationLocks } = locksOf(connection, pid);
    const after = await relations(session);
    const scans = await session.query('SELECT relname, seq_scan FROM pg_stat_xact_user_tables WHERE seq_scan > 0');
    await session.query('ROLLBACK');
    return {
      locks: strongestPerRelation(relationLocks, before, after),
      newFile: newFiles(before, after),
      seqScanned: scans.map(([name]) => name!).sort(),
    };
  } finally {
    await session.close();
  }
}

/** How long to wait for a statement to stop at its first lock wait. */
const WAIT_POLLS = 100;
const WAIT_POLL_MS = 100;

/**
 * For statements that refuse a transaction block: records that refusal, then runs the statement while another
 * session holds ROW EXCLUSIVE on `shape.holdTable`, reads its locks once it waits, and lets it finish.
 */
async function observeOutsideTransaction(connection: Connection, shape: LockShape): Promise<Observation> {
  const session = new PsqlSession(connection);
  const holder = new PsqlSession(connection);
  try {
    let inTransactionError: string | undefined;
    await session.query('BEGIN');
    try {
      await session.query(shape.statement);
    } catch (error) {
      if (!(error instanceof SqlError)) throw error;
      inTransactionError = error.message;
    }
    await session.query('ROLLBACK');

    const [[pid]] = (await session.query('SELECT pg_backend_pid()')) as [[string]];
    const before = await relations(session);
    const table = shape.holdTable;
    if (!table) throw new Error(`${shape.id}: a statement run outside a transaction needs holdTable`);
    await holder.query(`BEGIN; LOCK TABLE "${table.replace(/"/g, '""')}" IN ROW EXCLUSIVE MODE`);
    const running = session.query(shape.statement, 60_000);
    running.catch(() => undefined);
    let observed: RawLock[] | undefined;
    for (let poll = 0; poll < WAIT_POLLS && observed === undefined; poll++) {
      const { relationLocks, waiting } = locksOf(connection, pid);
      if (waiting) observed = relationLocks;
      else await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS));
    }
    await holder.query('ROLLBACK');
    await running;
    if (!observed) throw new Error(`${shape.id}: the statement never waited for the session holding ${table}`);
    const after = await relations(session);
    return { locks: strongestPerRelation(observed, before, after), newFile: newFiles(before, after), inTransactionError };
  } finally {
    await holder.close();
    await session.close();
  }
}

/** `outsideTransaction`: the model says the statement cannot run in a transaction block. */
export async function observe(connection: Connection, shape: LockShape, outsideTransaction: boolean): Promise<Observation> {
  if (shape.setup) psqlOnce(connection, shape.setup);
  return outsideTransaction ? observeOutsideTransaction(connection, shape) : observeInTransaction(connection, shape);
}

const KIND_BY_RELKIND: Record<string, RelationKind> = { r: 'table', p: 'table', i: 'index', I: 'index', S: 'sequence' };

/**
 * Where the model and PostgreSQL disagree (empty when they agree):
 * - every lock the model names must be what PostgreSQL took on that relation (strongest mode);
 * - every lock PostgreSQL took on an existing table must be in the model (locks on the indexes and sequences the
 *   statement does not name follow their table and are not listed; relations the statement creates are invisible
 *   to other sessions until COMMIT);
 * - the model's tables got a new file exactly when it says rewrite (or TRUNCATE empties them);
 * - catalog-only statements read no row of an existing table, scans and index builds do;
 * - statements the model says cannot run in a transaction block are refused in one.
 */
export function disagreements(shape: LockShape, effect: StatementEffect, observation: Observation): string[] {
  const problems: string[] = [];
  const existing = observation.locks.filter((lock) => !lock.created);
  const observedByName = new Map(existing.map((lock) => [lock.relation, lock]));
  for (const lock of effect.locks) {
    const seen = observedByName.get(lock.relation);
    if (!seen) problems.push(`model: ${lock.mode} on ${lock.relation}; PostgreSQL took no lock on it`);
    else {
      if (seen.mode !== lock.mode) problems.push(`model: ${lock.mode} on ${lock.relation}; PostgreSQL: ${seen.mode}`);
      if (KIND_BY_RELKIND[seen.relkind] !== lock.kind) problems.push(`model: ${lock.relation} is a ${lock.kind}; PostgreSQL: relkind ${seen.relkind}`);
    }
  }
  const modelled = new Set(effect.locks.map((lock) => lock.relation));
  for (const lock of existing) {
    if (KIND_BY_RELKIND[lock.relkind] === 'table' && !modelled.has(lock.relation)) problems.push(`PostgreSQL took ${lock.mode} on table ${lock.relation}; the model does not say`);
  }

  const tables = new Set(existing.filter((lock) => KIND_BY_RELKIND[lock.relkind] === 'table').map((lock) => lock.relation));
  const newTableFiles = observation.newFile.filter((name) => tables.has(name));
  const expectNewFile = effect.work === 'rewrite' || shape.emptiesTable === true;
  const expectedFiles = expectNewFile ? effect.locks.filter((lock) => lock.kind === 'table' && lock.mode === 'ACCESS EXCLUSIVE').map((lock) => lock.relation).sort() : [];
  if (newTableFiles.join(',') !== expectedFiles.join(',')) problems.push(`model: work ${effect.work}, new file for [${expectedFiles.join(', ')}]; PostgreSQL gave a new file to [${newTableFiles.join(', ')}]`);

  if (observation.seqScanned) {
    const scanned = observation.seqScanned.filter((name) => tables.has(name) || effect.locks.some((lock) => lock.relation === name));
    if ((effect.work === 'catalog' || effect.work === 'none') && scanned.length > 0) problems.push(`model: work ${effect.work}; PostgreSQL scanned [${scanned.join(', ')}]`);
    if ((effect.work === 'scan' || effect.work === 'index-build' || effect.work === 'rewrite') && scanned.length === 0) problems.push(`model: work ${effect.work}; PostgreSQL scanned no existing table`);
  }

  if (effect.noTransaction && !/cannot run inside a transaction block/.test(observation.inTransactionError ?? '')) {
    problems.push(`model: cannot run in a transaction block; PostgreSQL ran it in one (${observation.inTransactionError ?? 'no error'})`);
  }
  return problems;
}
