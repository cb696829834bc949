// The one table of PostgreSQL lock semantics in the project: for a SQL statement (as Django's schema editor or a
// RunSQL emits it), the relation locks it takes, whether it rewrites, scans or only changes the catalog, and what the
// locks block. Verified statement by statement on a real PostgreSQL 15 by test/postgres/locks.test.ts; the verified
// table is docs/locks.md. Statements it does not know return undefined rather than a guess.
import type { SqlStatement, SqlToken } from './scanner';
import {
  firstWord,
  parseAddEnumValue,
  parseAlterIndex,
  parseAlterSequence,
  parseAlterTable,
  parseCluster,
  parseComment,
  parseCreateExtension,
  parseCreateIndex,
  parseCreateSequence,
  parseCreateTable,
  parseDataStatement,
  parseDropIndex,
  parseDropSequence,
  parseDropTable,
  parseLockTable,
  parseReindex,
  parseSetConstraints,
  parseTruncate,
  parseVacuumFull,
  type AlterTableAction,
  type SqlName,
} from './statements';
import { CONSTANT_POSTGRES_CONSTRUCTS, NON_VOLATILE_POSTGRES_FUNCTIONS, STABLE_POSTGRES_KEYWORDS, VOLATILE_POSTGRES_FUNCTIONS } from '../django/dbFunctions';

/** PostgreSQL's table lock modes, weakest first (the order of the documentation's conflict table). */
export const LOCK_MODES = ['ACCESS SHARE', 'ROW SHARE', 'ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'] as const;
export type LockMode = (typeof LOCK_MODES)[number];

/** What happens to the rows: only the catalog changes, the table is copied, read in full, indexed, or its rows worked on. */
export type TableWork = 'catalog' | 'rewrite' | 'scan' | 'index-build' | 'data' | 'none' | 'unknown';

export type RelationKind = 'table' | 'index' | 'sequence' | 'other';

export interface RelationLock {
  mode: LockMode;
  /** Unquoted name as PostgreSQL stores it. */
  relation: string;
  kind: RelationKind;
  /** Where the statement names the relation (absent when it came from a hint). */
  at?: SqlName;
}

/** A lock on relations the statement does not name (the index's table, every index of the table, ...). */
export interface UnnamedLock {
  mode: LockMode;
  /** Plain words: "the index's table". */
  what: string;
}

export type Blocked = 'reads and writes' | 'writes' | 'nothing' | 'schema changes';

export interface StatementEffect {
  /** Locks on existing relations the statement names (or the hints name), strongest per relation. */
  locks: RelationLock[];
  /** Locks on relations it reaches without naming them. */
  unnamedLocks: UnnamedLock[];
  work: TableWork;
  /** Plain words for hovers. */
  summary: string;
  /** True when the statement cannot run in a transaction block. */
  noTransaction: boolean;
  /** What the strongest lock makes other sessions wait for. */
  blocks: Blocked;
}

/** What the caller knows that the statement does not say. */
export interface StatementHints {
  /** ALTER COLUMN ... TYPE: whether PostgreSQL rewrites (int to bigint does; varchar(10) to varchar(20) does not). */
  typeChangeRewrites?: boolean;
  /**
   * Tables at the other end of foreign keys the statement drops or validates (DROP TABLE, DROP COLUMN, DROP
   * CONSTRAINT: locked ACCESS EXCLUSIVE; VALIDATE CONSTRAINT: ROW SHARE on the referenced table), or whose column
   * defaults a DROP SEQUENCE ... CASCADE removes.
   */
  linkedTables?: string[];
  /** DROP INDEX, ALTER INDEX, REINDEX INDEX: the index's table. */
  indexTable?: string;
}

export function isLockMode(text: string): text is LockMode {
  return (LOCK_MODES as readonly string[]).includes(text);
}

export function strongestMode(modes: Iterable<LockMode>): LockMode | undefined {
  let strongest: LockMode | undefined;
  for (const mode of modes) if (strongest === undefined || LOCK_MODES.indexOf(mode) > LOCK_MODES.indexOf(strongest)) strongest = mode;
  return strongest;
}

/** PostgreSQL's conflict table: for each mode, the modes it conflicts with. */
const CONFLICTS: Record<LockMode, readonly LockMode[]> = {
  'ACCESS SHARE': ['ACCESS EXCLUSIVE'],
  'ROW SHARE': ['EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  'ROW EXCLUSIVE': ['SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  'SHARE UPDATE EXCLUSIVE': ['SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  SHARE: ['ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  'SHARE ROW EXCLUSIVE': ['ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  EXCLUSIVE: ['ROW SHARE', 'ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  'ACCESS EXCLUSIVE': LOCK_MODES,
};

export function lockModesConflict(a: LockMode, b: LockMode): boolean {
  return CONFLICTS[a].includes(b);
}

/**
 * What a held lock makes others wait for: plain reads take ACCESS SHARE, INSERT/UPDATE/DELETE ROW EXCLUSIVE; a mode
 * that conflicts with neither only blocks schema changes (ALTER TABLE, index builds, VACUUM).
 */
export function whatModeBlocks(mode: LockMode): Exclude<Blocked, 'nothing'> {
  if (lockModesConflict(mode, 'ACCESS SHARE')) return 'reads and writes';
  if (lockModesConflict(mode, 'ROW EXCLUSIVE')) return 'writes';
  return 'schema changes';
}

/** True for the modes that make INSERT, UPDATE and DELETE wait. */
export function blocksWrites(mode: LockMode): boolean {
  return lockModesConflict(mode, 'ROW EXCLUSIVE');
}

// ---------------------------------------------------------------------------------------------------------------

/** An effect before merging: locks may repeat per relation. */
interface Draft {
  locks: RelationLock[];
  unnamedLocks?: UnnamedLock[];
  work: TableWork;
  noTransaction?: boolean;
  /** Extra plain-words remarks for the summary. */
  notes?: string[];
}

/**
 * What the statement does on PostgreSQL `postgresVersion` (major version), or undefined for statements this table
 * does not know.
 */
export function postgresStatementEffect(statement: SqlStatement, postgresVersion: number, hints: StatementHints = {}): StatementEffect | undefined {
  const draft = draftEffect(statement, postgresVersion, hints);
  return draft ? finish(draft) : undefined;
}

/**
 * The locks on tables and their indexes (named or not): what the table-centred rules weigh. A sequence's lock only
 * delays nextval() callers and is left to the effect's full list.
 */
function tableLocks(effect: StatementEffect): LockMode[] {
  return [...effect.locks.filter((lock) => lock.kind !== 'sequence'), ...effect.unnamedLocks].map((lock) => lock.mode);
}

/**
 * When the statement takes ACCESS EXCLUSIVE on a table or index: the table it names that is locked (undefined when
 * the statement names no table, e.g. DROP INDEX). Undefined when it takes no such lock or is unknown.
 */
export function accessExclusiveLock(statement: SqlStatement, postgresVersion: number): { table?: SqlName } | undefined {
  const effect = postgresStatementEffect(statement, postgresVersion);
  if (!effect || strongestMode(tableLocks(effect)) !== 'ACCESS EXCLUSIVE') return undefined;
  const tables = effect.locks.filter((lock) => lock.kind === 'table');
  const table = tables.find((lock) => lock.mode === 'ACCESS EXCLUSIVE') ?? tables[0];
  return table?.at ? { table: table.at } : {};
}

/** The strongest lock the statement takes on a table or index, or undefined when it takes none or is unknown. */
export function strongestStatementLock(statement: SqlStatement, postgresVersion: number): LockMode | undefined {
  const effect = postgresStatementEffect(statement, postgresVersion);
  return effect ? strongestMode(tableLocks(effect)) : undefined;
}

function draftEffect(statement: SqlStatement, version: number, hints: StatementHints): Draft | undefined {
  const head = firstWord(statement);
  switch (head) {
    case 'CREATE':
      return createEffect(statement);
    case 'DROP':
      return dropEffect(statement, hints);
    case 'ALTER':
      return alterEffect(statement, version, hints);
    case 'COMMENT': {
      const comment = parseComment(statement);
      if (!comment?.table) return undefined;
      return { locks: [table(comment.table, 'SHARE UPDATE EXCLUSIVE')], work: 'catalog' };
    }
    case 'SET': {
      const constraints = parseSetConstraints(statement);
      if (!constraints) return undefined;
      const notes = constraints.mode === 'IMMEDIATE' ? ['runs the deferred foreign key checks already queued in this transaction'] : [];
      return { locks: [], work: 'none', notes };
    }
    case 'LOCK': {
      if (statement.tokens[1]?.kind === 'word' && statement.tokens[1].value === 'TABLES') return undefined; // MySQL
      const lock = parseLockTable(statement);
      if (!lock || !isLockMode(lock.mode) || lock.tables.length === 0) return undefined;
      const mode = lock.mode;
      return { locks: lock.tables.map((name) => table(name, mode)), work: 'none', notes: ['held until the transaction ends'] };
    }
    case 'TRUNCATE': {
      const truncate = parseTruncate(statement);
      if (!truncate || truncate.tables.length === 0) return undefined;
      return {
        locks: truncate.tables.map((name) => table(name, 'ACCESS EXCLUSIVE')),
        unnamedLocks: truncate.cascade ? [{ mode: 'ACCESS EXCLUSIVE', what: 'every table with a foreign key to them (CASCADE)' }] : [],
        work: 'data',
        notes: ['empties the table into a new file (no row is copied)'],
      };
    }
    case 'VACUUM': {
      const vacuum = parseVacuumFull(statement);
      if (!vacuum) return undefined;
      return {
        locks: vacuum.tables.map((name) => table(name, 'ACCESS EXCLUSIVE')),
        unnamedLocks: vacuum.tables.length === 0 ? [{ mode: 'ACCESS EXCLUSIVE', what: 'every table of the database, one after the other' }] : [],
        work: 'rewrite',
        noTransaction: true,
      };
    }
    case 'REINDEX':
      return reindexEffect(statement, hints);
    case 'CLUSTER': {
      const cluster = parseCluster(statement);
      if (!cluster) return undefined;
      if (!cluster.table) return { locks: [], unnamedLocks: [{ mode: 'ACCESS EXCLUSIVE', what: 'every table clustered before, one after the other' }], work: 'rewrite', noTransaction: true };
      return { locks: [table(cluster.table, 'ACCESS EXCLUSIVE'), ...(cluster.index ? [index(cluster.index, 'ACCESS EXCLUSIVE')] : [])], work: 'rewrite' };
    }
    case 'SELECT':
    case 'INSERT':
    case 'UPDATE':
    case 'DELETE':
    case 'WITH':
      return dataEffect(statement);
    default:
      return undefined;
  }
}

function table(name: SqlName, mode: LockMode): RelationLock {
  return { mode, relation: name.name, kind: 'table', at: name };
}

function index(name: SqlName, mode: LockMode): RelationLock {
  return { mode, relation: name.name, kind: 'index', at: name };
}

function sequence(name: SqlName, mode: LockMode): RelationLock {
  return { mode, relation: name.name, kind: 'sequence', at: name };
}

function hinted(relation: string, mode: LockMode, kind: RelationKind = 'table'): RelationLock {
  return { mode, relation, kind };
}

/** Hinted linked tables, or one unnamed lock saying which tables they would be. */
function linked(hints: StatementHints, mode: LockMode, what: string): Pick<Draft, 'locks' | 'unnamedLocks'> {
  if (hints.linkedTables) return { locks: hints.linkedTables.map((name) => hinted(name, mode)), unnamedLocks: [] };
  return { locks: [], unnamedLocks: [{ mode, what }] };
}

function indexTable(hints: StatementHints, mode: LockMode): Pick<Draft, 'locks' | 'unnamedLocks'> {
  if (hints.indexTable !== undefined) return { locks: [hinted(hints.indexTable, mode)], unnamedLocks: [] };
  return { locks: [], unnamedLocks: [{ mode, what: "the index's table" }] };
}

// ---------------------------------------------------------------- CREATE / DROP

function createEffect(statement: SqlStatement): Draft | undefined {
  const createTable = parseCreateTable(statement);
  if (createTable) {
    if (!createTable.table || createTable.form !== 'columns') return undefined;
    const created = createTable.table.name;
    // A foreign key adds triggers on the referenced table: SHARE ROW EXCLUSIVE there, as ADD FOREIGN KEY takes.
    const references = createTable.references.filter((name) => name.name !== created);
    return { locks: references.map((name) => table(name, 'SHARE ROW EXCLUSIVE')), work: 'catalog' };
  }
  const createIndex = parseCreateIndex(statement);
  if (createIndex) {
    if (!createIndex.table) return undefined;
    const mode: LockMode = createIndex.concurrently ? 'SHARE UPDATE EXCLUSIVE' : 'SHARE';
    return { locks: [table(createIndex.table, mode)], work: 'index-build', noTransaction: createIndex.concurrently };
  }
  if (parseCreateSequence(statement)?.sequence) return { locks: [], work: 'catalog' };
  if (parseCreateExtension(statement)?.extension) return { locks: [], work: 'catalog', notes: ["installs the extension's objects"] };
  return undefined;
}

function dropEffect(statement: SqlStatement, hints: StatementHints): Draft | undefined {
  const dropTable = parseDropTable(statement);
  if (dropTable) {
    if (dropTable.temporary || dropTable.tables.length === 0) return undefined;
    const others = linked(hints, 'ACCESS EXCLUSIVE', 'the tables it has foreign keys to or from (their triggers are dropped)');
    return { locks: [...dropTable.tables.map((name) => table(name, 'ACCESS EXCLUSIVE')), ...others.locks], unnamedLocks: others.unnamedLocks, work: 'catalog' };
  }
  const dropIndex = parseDropIndex(statement);
  if (dropIndex) {
    if (dropIndex.indexes.length === 0) return undefined;
    // CONCURRENTLY waits out every query that could use the index; it takes ACCESS EXCLUSIVE on the index itself only
    // at the very end, once no query can use it.
    const mode: LockMode = dropIndex.concurrently ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE';
    const parent = indexTable(hints, mode);
    return {
      locks: [...dropIndex.indexes.map((name) => index(name, mode)), ...parent.locks],
      unnamedLocks: parent.unnamedLocks,
      work: 'catalog',
      noTransaction: dropIndex.concurrently,
    };
  }
  const dropSequence = parseDropSequence(statement);
  if (dropSequence) {
    if (dropSequence.sequences.length === 0) return undefined;
    const others = dropSequence.cascade ? linked(hints, 'ACCESS EXCLUSIVE', 'the tables whose column defaults use it (CASCADE)') : { locks: [], unnamedLocks: [] };
    return { locks: [...dropSequence.sequences.map((name) => sequence(name, 'ACCESS EXCLUSIVE')), ...others.locks], unnamedLocks: others.unnamedLocks, work: 'catalog' };
  }
  return undefined;
}

// ---------------------------------------------------------------- ALTER

function alterEffect(statement: SqlStatement, version: number, hints: StatementHints): Draft | undefined {
  const alterTable = parseAlterTable(statement);
  if (alterTable) {
    if (!alterTable.table || alterTable.actions.length === 0) return undefined;
    const drafts = alterTable.actions.map((action) => alterTableAction(action, alterTable.table!, version, hints));
    if (drafts.some((draft) => draft === undefined)) return undefined;
    return combine(drafts as Draft[]);
  }
  const alterIndex = parseAlterIndex(statement);
  if (alterIndex) {
    if (!alterIndex.index || !alterIndex.renameTo) return undefined;
    // PostgreSQL 12 lowered ALTER INDEX ... RENAME to SHARE UPDATE EXCLUSIVE on the index; its table is not locked.
    return { locks: [index(alterIndex.index, version >= 12 ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE')], work: 'catalog' };
  }
  const alterSequence = parseAlterSequence(statement);
  if (alterSequence) {
    if (!alterSequence.sequence) return undefined;
    if (alterSequence.renameTo) return { locks: [sequence(alterSequence.sequence, 'ACCESS EXCLUSIVE')], work: 'catalog' };
    if (!alterSequence.optionsOnly) return undefined;
    const owner = alterSequence.ownedByTable ? [table(alterSequence.ownedByTable, 'ACCESS SHARE')] : [];
    return { locks: [sequence(alterSequence.sequence, 'SHARE ROW EXCLUSIVE'), ...owner], work: 'catalog' };
  }
  const enumValue = parseAddEnumValue(statement);
  if (enumValue?.type) {
    return { locks: [], work: 'catalog', noTransaction: version < 12, notes: ['locks the type, no table'] };
  }
  return undefined;
}

function alterTableAction(action: AlterTableAction, name: SqlName, version: number, hints: StatementHints): Draft | undefined {
  const on = (mode: LockMode, work: TableWork, extra: Partial<Draft> = {}): Draft => ({ ...extra, locks: [table(name, mode), ...(extra.locks ?? [])], work });
  switch (action.kind) {
    case 'add-column':
      return addColumn(action, name, version);
    case 'drop-column':
      return on('ACCESS EXCLUSIVE', 'catalog', linked(hints, 'ACCESS EXCLUSIVE', 'the table a foreign key on the column references, if any'));
    case 'alter-column-type': {
      const work: TableWork = hints.typeChangeRewrites === undefined ? 'unknown' : hints.typeChangeRewrites ? 'rewrite' : 'catalog';
      return on('ACCESS EXCLUSIVE', work, work === 'unknown' ? { notes: ['rewrites the table and its indexes unless the new type is binary-compatible (e.g. a longer varchar)'] } : {});
    }
    case 'set-not-null':
      return on('ACCESS EXCLUSIVE', 'scan', { notes: ['PostgreSQL 12+ skips the scan when a valid CHECK (col IS NOT NULL) exists'] });
    case 'drop-not-null':
    case 'set-default':
    case 'drop-default':
    case 'rename-table':
    case 'rename-column':
    case 'rename-constraint':
    case 'add-identity':
    case 'drop-identity':
      return on('ACCESS EXCLUSIVE', 'catalog');
    case 'add-constraint':
      return addConstraint(action, name);
    case 'drop-constraint':
      return on('ACCESS EXCLUSIVE', 'catalog', linked(hints, 'ACCESS EXCLUSIVE', 'the referenced table, when the constraint is a foreign key'));
    case 'validate-constraint':
      return on('SHARE UPDATE EXCLUSIVE', 'scan', linked(hints, 'ROW SHARE', 'the referenced table, when the constraint is a foreign key'));
    case 'set-statistics':
    case 'set-storage-parameters':
    case 'cluster-on':
      return on('SHARE UPDATE EXCLUSIVE', 'catalog');
    case 'toggle-trigger':
      return on('SHARE ROW EXCLUSIVE', 'catalog');
    case 'other':
      // "An ACCESS EXCLUSIVE lock is acquired unless explicitly noted" (ALTER TABLE's documentation); the work is unknown.
      return on('ACCESS EXCLUSIVE', 'unknown');
  }
}

function addColumn(action: AlterTableAction, name: SqlName, version: number): Draft {
  const locks = [table(name, 'ACCESS EXCLUSIVE'), ...(action.references ? [table(action.references, 'SHARE ROW EXCLUSIVE')] : [])];
  const notes: string[] = [];
  let work: TableWork = 'catalog';
  const fill = action.generated ? 'volatile' : action.defaultTokens ? defaultVolatility(action.defaultTokens) : 'null';
  if (fill === 'volatile') {
    work = 'rewrite';
    notes.push('every existing row gets its own value');
  } else if (fill === 'unknown') {
    work = 'unknown';
    notes.push('rewrites the table if the default is volatile');
  } else if (fill !== 'null' && version < 11) {
    work = 'rewrite';
    notes.push(`PostgreSQL ${version} writes the default into every row (11+ keeps it in the catalog)`);
  }
  if (work === 'catalog') {
    // A new index, a CHECK or a NOT NULL without default is checked against every existing row; a foreign key on a
    // column every row has NULL in is not.
    if (action.inlineIndex) work = 'index-build';
    else if (action.inlineCheck || (action.notNull && fill === 'null') || (action.references && fill !== 'null')) work = 'scan';
  }
  return { locks, work, notes };
}

/** How a column default fills existing rows: NULL, one value computed once, a value per row, or unknown. */
function defaultVolatility(tokens: readonly SqlToken[]): 'null' | 'once' | 'volatile' | 'unknown' {
  if (tokens.length === 1 && tokens[0]!.kind === 'word' && tokens[0]!.value === 'NULL') return 'null';
  let result: 'once' | 'unknown' = 'once';
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.kind !== 'word') continue;
    const previous = tokens[i - 1];
    // `::varchar(20)`: a type name, not a call.
    if (previous?.kind === 'punct' && previous.value === ':' && tokens[i - 2]?.value === ':') continue;
    const called = tokens[i + 1]?.kind === 'punct' && tokens[i + 1]!.value === '(';
    if (!called) continue;
    if (VOLATILE_POSTGRES_FUNCTIONS.has(token.value)) return 'volatile';
    if (!NON_VOLATILE_POSTGRES_FUNCTIONS.has(token.value) && !CONSTANT_POSTGRES_CONSTRUCTS.has(token.value) && !STABLE_POSTGRES_KEYWORDS.has(token.value)) result = 'unknown';
  }
  return result;
}

function addConstraint(action: AlterTableAction, name: SqlName): Draft | undefined {
  switch (action.constraintType) {
    case 'foreign-key':
      // PostgreSQL 9.5+: SHARE ROW EXCLUSIVE on both tables (triggers are added to each); NOT VALID skips the check of existing rows.
      if (!action.references) return undefined;
      return { locks: [table(name, 'SHARE ROW EXCLUSIVE'), table(action.references, 'SHARE ROW EXCLUSIVE')], work: action.notValid ? 'catalog' : 'scan' };
    case 'check':
      return { locks: [table(name, 'ACCESS EXCLUSIVE')], work: action.notValid ? 'catalog' : 'scan' };
    case 'unique':
    case 'primary-key':
      return { locks: [table(name, 'ACCESS EXCLUSIVE')], work: action.usingIndex ? 'catalog' : 'index-build' };
    case 'exclude':
      return { locks: [table(name, 'ACCESS EXCLUSIVE')], work: 'index-build' };
    default:
      return undefined;
  }
}

const WORK_WEIGHT: Record<TableWork, number> = { none: 0, catalog: 1, data: 2, scan: 3, 'index-build': 4, unknown: 5, rewrite: 6 };

function combine(drafts: Draft[]): Draft {
  const work = drafts.map((draft) => draft.work).reduce((a, b) => (WORK_WEIGHT[a] >= WORK_WEIGHT[b] ? a : b));
  return {
    locks: drafts.flatMap((draft) => draft.locks),
    unnamedLocks: drafts.flatMap((draft) => draft.unnamedLocks ?? []),
    work,
    noTransaction: drafts.some((draft) => draft.noTransaction === true),
    notes: [...new Set(drafts.flatMap((draft) => draft.notes ?? []))],
  };
}

// ---------------------------------------------------------------- maintenance

function reindexEffect(statement: SqlStatement, hints: StatementHints): Draft | undefined {
  const reindex = parseReindex(statement);
  if (!reindex?.target) return undefined;
  const { concurrently, target, name } = reindex;
  if (target === 'INDEX') {
    if (!name) return undefined;
    const parent = indexTable(hints, concurrently ? 'SHARE UPDATE EXCLUSIVE' : 'SHARE');
    return { locks: [index(name, concurrently ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE'), ...parent.locks], unnamedLocks: parent.unnamedLocks, work: 'index-build', noTransaction: concurrently };
  }
  if (target === 'TABLE') {
    if (!name) return undefined;
    return {
      locks: [table(name, concurrently ? 'SHARE UPDATE EXCLUSIVE' : 'SHARE')],
      unnamedLocks: [{ mode: concurrently ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE', what: 'every index of the table' }],
      work: 'index-build',
      noTransaction: concurrently,
    };
  }
  // SCHEMA, DATABASE, SYSTEM: one table after the other, never in a transaction block.
  return {
    locks: [],
    unnamedLocks: concurrently
      ? [{ mode: 'SHARE UPDATE EXCLUSIVE', what: `every table and index of the ${target.toLowerCase()}, one table after the other` }]
      : [
          { mode: 'SHARE', what: `every table of the ${target.toLowerCase()}, one after the other` },
          { mode: 'ACCESS EXCLUSIVE', what: 'the indexes of the table being processed' },
        ],
    work: 'index-build',
    noTransaction: true,
  };
}

// ---------------------------------------------------------------- queries

function dataEffect(statement: SqlStatement): Draft | undefined {
  const data = parseDataStatement(statement);
  if (!data) return undefined;
  const written = data.written.map((name) => table(name, 'ROW EXCLUSIVE'));
  const writtenNames = new Set(written.map((lock) => lock.relation));
  const read = data.read.filter((name) => !writtenNames.has(name.name)).map((name) => table(name, data.rowLocks ? 'ROW SHARE' : 'ACCESS SHARE'));
  const sequences: RelationLock[] = [];
  const unnamedLocks: UnnamedLock[] = [];
  for (const changed of data.sequencesChanged) {
    if (changed === undefined) unnamedLocks.push({ mode: 'ROW EXCLUSIVE', what: 'the sequence nextval()/setval() changes' });
    else sequences.push(sequence(changed, 'ROW EXCLUSIVE'));
  }
  if (data.verb === 'INSERT') unnamedLocks.push({ mode: 'ROW EXCLUSIVE', what: 'the sequences of its serial and identity columns' });
  if (data.verb === 'INSERT' || data.verb === 'UPDATE') unnamedLocks.push({ mode: 'ROW SHARE', what: 'tables its foreign keys reference, when checked' });
  if (data.verb === 'UPDATE' || data.verb === 'DELETE') unnamedLocks.push({ mode: 'ROW SHARE', what: 'tables with foreign keys to it, when checked' });
  const locks = [...written, ...read, ...sequences];
  return { locks, unnamedLocks, work: locks.length === 0 && unnamedLocks.length === 0 ? 'none' : 'data' };
}

// ---------------------------------------------------------------- summary

function finish(draft: Draft): StatementEffect {
  const merged = new Map<string, RelationLock>();
  for (const lock of draft.locks) {
    const key = `${lock.kind}:${lock.relation}`;
    const seen = merged.get(key);
    if (!seen) merged.set(key, { ...lock });
    else if (LOCK_MODES.indexOf(lock.mode) > LOCK_MODES.indexOf(seen.mode)) merged.set(key, { ...lock, at: seen.at ?? lock.at });
  }
  const locks = [...merged.values()];
  const unnamedLocks = draft.unnamedLocks ?? [];
  const strongest = strongestMode([...locks, ...unnamedLocks].map((lock) => lock.mode));
  const blocks: Blocked = strongest === undefined ? 'nothing' : whatModeBlocks(strongest);
  return { locks, unnamedLocks, work: draft.work, summary: summary(locks, unnamedLocks, draft), noTransaction: draft.noTransaction === true, blocks };
}

const WORK_WORDS: Record<TableWork, string> = {
  catalog: 'catalog change only, no row is read',
  rewrite: 'rewrites the table and its indexes',
  scan: 'reads every row to check it',
  'index-build': 'builds an index by reading every row',
  data: 'reads or writes the rows it touches',
  none: 'no table work',
  unknown: 'the table work depends on more than the statement',
};

function summary(locks: RelationLock[], unnamedLocks: UnnamedLock[], draft: Draft): string {
  const lockWords = [
    ...locks.map((lock) => `${lock.mode} on ${lock.kind === 'table' ? '' : `${lock.kind} `}${lock.relation} (${whatModeBlocks(lock.mode)} wait)`),
    ...unnamedLocks.map((lock) => `${lock.mode} on ${lock.what}`),
  ];
  const parts = [lockWords.length > 0 ? lockWords.join(', ') : 'no lock on an existing table', WORK_WORDS[draft.work], ...(draft.notes ?? [])];
  if (draft.noTransaction) parts.push('cannot run inside a transaction block');
  return `${parts.join('; ')}.`;
}
