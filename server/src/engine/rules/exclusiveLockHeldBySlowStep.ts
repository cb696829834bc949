// In an atomic migration every lock is held until COMMIT: a slow step after an exclusive lock keeps the table
// blocked for the slow step's whole duration.
import { runPythonDoesNoDataWork } from './runPythonCode';
import { fieldColumnName, hasColumn, isManyToMany } from '../django/fields';
import type { Operation } from '../python/model';
import { computeLineStarts, lineOfOffset } from '../python/textPositions';
import { scanSql, type SqlStatement } from '../sql/scanner';
import { blocksWrites, LOCK_MODES, strongestStatementLock, type LockMode } from '../sql/locks';
import { dmlVerb, firstWord, hasKeyword, parseAlterTable, parseCreateIndex } from '../sql/statements';
import { changesSchema, hasPlainIndex, schemaChange } from '../django/columns';
import { operationSqlStatements, statementExcerpt } from './migrationSql';
import type { DeclaredFix, FileContext, FileRule } from './rule';
import { migrationNameFragment, moveToNewMigrations } from '../fixes/newMigration';
import { MAYBE_HEAVY_OPERATIONS, heavyTableWork } from './tableWork';
import { isIndexOnlyUniqueConstraint } from '../django/modelOptions';
import { readFieldOperation, readFieldTarget } from './fieldFacts';
import { calleeName, constraintCall, isForwardNoopRunPython, opArg, stringValue } from '../django/operations';
import { changesExistingTable, modelNames } from './operationFacts';
import { migrationAtomic } from '../django/migrationClass';
import { operationsOf, WHOLE_MIGRATION } from './dispatch';

/** PostgreSQL lock modes that block writes (and, for ACCESS EXCLUSIVE, reads) while they are held (see docs/locks.md). */
type HeavyLock = Extract<LockMode, 'ACCESS EXCLUSIVE' | 'EXCLUSIVE' | 'SHARE ROW EXCLUSIVE' | 'SHARE'>;

export const exclusiveLockHeldBySlowStep: FileRule = {
  id: 'exclusive-lock-held-by-slow-step',
  title: 'Exclusive lock held through a slow step',
  severity: 'warning',
  vendors: ['postgresql'],
  category: 'locking',
  scope: 'file',
  // File-level: a lock taken by one operation is held while a later one runs.
  operations: (kind) => LOCKING_OPERATIONS.has(kind.name) || SLOW_OPERATIONS.has(kind.name) || MAYBE_HEAVY_OPERATIONS.has(kind.name),
  explanation: {
    summary:
      'On PostgreSQL an atomic migration holds every lock it took until COMMIT. When an operation that takes an ACCESS EXCLUSIVE (or SHARE) lock on an existing table is followed, in the same migration, by a slow step (a data backfill in `RunPython`, DML in `RunSQL`, an index build, a constraint validation or a table rewrite), the table stays blocked for the slow step\'s whole duration, even if the first operation was instant. The finding is reported on the slow step and names the operation whose lock it prolongs (once per migration). Each operation\'s lock is read from the SQL Django runs for it, so an AlterField that only gives a foreign key a default (Django drops and re-adds the constraint) counts, and one that changes nothing in the database does not.',
    sql: 'BEGIN;\nALTER TABLE "shop_order" ADD COLUMN "total" numeric(10, 2) NULL;  -- ACCESS EXCLUSIVE, instant\nUPDATE "shop_order" SET "total" = ...;  -- minutes, the lock is still held\nCOMMIT;',
    lock: 'The first ACCESS EXCLUSIVE/SHARE lock, held until the migration commits, i.e. through every later step.',
    blocks: 'ACCESS EXCLUSIVE: every read and write of the table for the whole migration; SHARE: every write.',
    rewrite: 'Depends on the slow step; the point is the lock duration, not the work.',
    safeAlternative:
      'Split the migration: the quick schema change in one migration (it commits and releases its lock at once), the backfill or index build in the next one, ideally with `atomic = False` and batches so each batch commits on its own.',
    safeCode: `# 0008_order_total.py: the schema change alone, commits at once
operations = [
    migrations.AddField(
        model_name="order",
        name="total",
        field=models.DecimalField(max_digits=10, decimal_places=2, null=True),
    ),
]


# 0009_backfill_order_total.py: the slow part, outside that lock
class Migration(migrations.Migration):
    atomic = False

    dependencies = [("shop", "0008_order_total")]

    operations = [
        migrations.RunPython(backfill_order_totals, migrations.RunPython.noop),
    ]`,
    safeCodeLanguage: 'python',
    notReported: [
      'locks on a table the same migration drops: the running code loses it anyway (delete-model reports that)',
      'RunPython steps that only log, print, pass or return early on the configured database',
      '`atomic = False` migrations: each statement commits on its own',
    ],
  },
  check(ctx) {
    if (migrationAtomic(ctx.file) !== true) return;
    // A table this migration drops is gone for the running code either way (delete-model says so): its lock is no
    // extra hazard.
    const dropped = new Set(
      operationsOf(ctx.file, ['DeleteModel'], { touchingDatabase: true }).map((op) => modelNames(ctx, op)?.table).filter((table) => table !== undefined),
    );
    const steps = operationsOf(ctx.file, (kind) => kind.name !== 'SeparateDatabaseAndState', { touchingDatabase: true });
    // Locks matter only before a slow step: most migrations have none, and then no lock (nor its SQL) is computed.
    let lastSlow = -1;
    for (let index = steps.length - 1; index > 0 && lastSlow < 0; index--) if (slowStep(ctx, steps[index] as Operation)) lastSlow = index;
    const holders: LockHolder[] = [];
    for (const op of steps.slice(0, lastSlow + 1)) {
      const lock = lockTaken(ctx, op);
      const slow = holders.length > 0 ? slowStep(ctx, op) : undefined;
      const prolonged = slow ? holders.find((holder) => prolongs(holder, lock)) : undefined;
      if (slow && prolonged) {
        ctx.report({
          span: op.span,
          message: `${slow} runs while the ${prolonged.lock} lock taken by ${prolonged.what} (line ${lineOf(ctx, prolonged.op)}) is held until COMMIT`,
          advice: 'split the migration',
          operation: op,
          fixes: splitFixes(ctx, op),
        });
        return;
      }
      if (lock && !(lock.table !== undefined && dropped.has(lock.table))) holders.push({ op, ...lock });
    }
  },
};

/**
 * Split the migration at the slow step: it and every later operation go to new migrations depending on this one, so
 * this one commits (and releases its locks) first; the moved operations are cut again wherever a slow step would
 * follow a lock taken before it in the same new migration. Only while nothing depends on this migration yet.
 */
function splitFixes(ctx: FileContext, slow: Operation): DeclaredFix[] {
  if (ctx.standing.hasDependents) return [];
  const top = topLevelOf(slow);
  // The fix (not the check) needs the migration's layout: the top-level operations from the slow step's on.
  const moved = operationsOf(ctx.file, WHOLE_MIGRATION).filter((op) => op.parent === undefined && op.span.start >= top.span.start);
  const groups = splitGroups(ctx, moved);
  if (!groups) return [];
  const edits = moveToNewMigrations(ctx.file, groups, groups.map((group) => ({ nameFragment: migrationNameFragment(group[0]!), atomic: true })));
  if (edits.length === 0) return [];
  const what = moved.length > 1 ? `${top.name} and what follows` : top.name;
  const where = groups.length > 1 ? `${groups.length} new migrations` : 'a new migration';
  return [{ title: `Split the migration: move ${what} to ${where}`, safe: false, edits }];
}

function topLevelOf(op: Operation): Operation {
  let top = op;
  for (let depth = 0; top.parent && depth < 16; depth++) top = top.parent;
  return top;
}

/** More new migrations than this is a restructuring for a human to plan, not a quick fix. */
const MAX_SPLIT_MIGRATIONS = 3;

/**
 * Consecutive groups of top-level operations, a new one at each slow step that follows a lock of its group; undefined
 * when that takes more than MAX_SPLIT_MIGRATIONS.
 */
function splitGroups(ctx: FileContext, ops: readonly Operation[]): Operation[][] | undefined {
  const groups: Operation[][] = [];
  let current: Operation[] = [];
  let locked = false;
  const stepsOf = new Map<Operation, Operation[]>();
  for (const step of operationsOf(ctx.file, WHOLE_MIGRATION)) {
    if (step.name === 'SeparateDatabaseAndState' || !ctx.touchesDatabase(step)) continue;
    const top = topLevelOf(step);
    stepsOf.set(top, [...(stepsOf.get(top) ?? []), step]);
  }
  for (const op of ops) {
    const steps = stepsOf.get(op) ?? [];
    if (locked && current.length > 0 && steps.some((step) => slowStep(ctx, step))) {
      if (groups.length + 1 >= MAX_SPLIT_MIGRATIONS) return undefined;
      groups.push(current);
      current = [];
      locked = false;
    }
    current.push(op);
    if (steps.some((step) => lockTaken(ctx, step))) locked = true;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

interface TakenLock {
  lock: HeavyLock;
  what: string;
  /** The locked table, when known. */
  table?: string;
}

interface LockHolder extends TakenLock {
  op: Operation;
}

/**
 * An earlier lock makes a slow step worse unless the step itself locks the same table at least as strongly
 * (an AddField that builds its own index blocks its table anyway; an earlier ADD COLUMN on it adds nothing).
 */
function prolongs(holder: LockHolder, stepLock: TakenLock | undefined): boolean {
  if (!stepLock || holder.table === undefined || stepLock.table !== holder.table) return true;
  return holder.lock === 'ACCESS EXCLUSIVE' && stepLock.lock !== 'ACCESS EXCLUSIVE';
}

function lineOf(ctx: FileContext, op: Operation): number {
  return lineOfOffset(computeLineStarts(ctx.file.text), op.span.start) + 1;
}

const FIELD_OPERATIONS = new Set(['AddField', 'AlterField', 'RemoveField', 'RenameField']);

function label(ctx: FileContext, op: Operation): string {
  const target = FIELD_OPERATIONS.has(op.name) ? readFieldTarget(ctx, op) : undefined;
  if (target) return `${op.name} ${target.label}`;
  const names = modelNames(ctx, op);
  return names ? `${op.name} ${names.label}` : op.name;
}

// --- which operations take a heavy lock on an existing table ---

/** Operations that lock a table that holds rows (when they change it, see lockTaken), besides RunSQL. */
const LOCKING_OPERATIONS = new Set([
  'AddField',
  'RemoveField',
  'DeleteModel',
  'AlterModelTable',
  'AddConstraint',
  'RemoveConstraint',
  'AddConstraintNotValid',
  'AlterUniqueTogether',
  'AlterOrderWithRespectTo',
  'RemoveIndex',
  'AddIndex',
  'AlterIndexTogether',
  'RenameField',
  'AlterField',
  'RenameModel',
]);

/** Operations that lock or run slowly besides those above and heavyTableWork's (see lockTaken and slowStep). */
const SLOW_OPERATIONS = new Set(['RunSQL', 'RunPython', 'ValidateConstraint']);

/**
 * The statement by which each operation takes its lock, in the shape Django's schema editor emits it. The lock mode is
 * read from it through sql/locks.ts, the one lock table: this rule keeps none of its own.
 */
export const LOCKING_STATEMENTS = {
  addColumn: 'ALTER TABLE "t" ADD COLUMN "c" integer NULL',
  joinTable: 'CREATE TABLE "t_m" ("id" integer NOT NULL PRIMARY KEY, "t_id" integer NOT NULL REFERENCES "t" ("id") DEFERRABLE INITIALLY DEFERRED)',
  dropColumn: 'ALTER TABLE "t" DROP COLUMN "c" CASCADE',
  dropTable: 'DROP TABLE "t" CASCADE',
  renameTable: 'ALTER TABLE "t" RENAME TO "u"',
  addConstraint: 'ALTER TABLE "t" ADD CONSTRAINT "k" CHECK ("c" >= 0)',
  addConstraintNotValid: 'ALTER TABLE "t" ADD CONSTRAINT "k" CHECK ("c" >= 0) NOT VALID',
  addUnique: 'ALTER TABLE "t" ADD CONSTRAINT "k" UNIQUE ("c")',
  uniqueIndex: 'CREATE UNIQUE INDEX "k" ON "t" ("c")',
  dropConstraint: 'ALTER TABLE "t" DROP CONSTRAINT "k"',
  createIndex: 'CREATE INDEX "i" ON "t" ("c")',
  dropIndex: 'DROP INDEX "i"',
  renameColumn: 'ALTER TABLE "t" RENAME COLUMN "c" TO "d"',
  alterColumn: 'ALTER TABLE "t" ALTER COLUMN "c" TYPE bigint USING "c"::bigint',
} as const;

type LockingStatement = keyof typeof LOCKING_STATEMENTS;

const OPERATION_STATEMENTS: Record<string, LockingStatement> = {
  AddField: 'addColumn',
  RemoveField: 'dropColumn',
  DeleteModel: 'dropTable',
  AlterModelTable: 'renameTable',
  RenameModel: 'renameTable',
  AddConstraint: 'addConstraint',
  RemoveConstraint: 'dropConstraint',
  AddConstraintNotValid: 'addConstraintNotValid',
  AlterUniqueTogether: 'addUnique',
  AlterOrderWithRespectTo: 'addColumn',
  RemoveIndex: 'dropIndex',
  AddIndex: 'createIndex',
  AlterIndexTogether: 'createIndex',
  RenameField: 'renameColumn',
  AlterField: 'alterColumn',
};

const statementLocks = new Map<string, HeavyLock | undefined>();

/** The write-blocking lock sql/locks.ts gives the statement shape (computed once per shape and PostgreSQL version). */
function shapeLock(shape: LockingStatement, postgresVersion: number): HeavyLock | undefined {
  const key = `${shape}:${postgresVersion}`;
  if (!statementLocks.has(key)) {
    const statement = scanSql(LOCKING_STATEMENTS[shape])[0];
    statementLocks.set(key, statement ? statementLock(statement, postgresVersion) : undefined);
  }
  return statementLocks.get(key);
}

function lockTaken(ctx: FileContext, op: Operation): TakenLock | undefined {
  if (op.name === 'RunSQL') {
    for (const statement of runSqlStatements(ctx, op)) {
      const lock = statementLock(statement, ctx.config.postgresVersion);
      if (lock) return { lock, what: `RunSQL \`${statementExcerpt(statement, 40)}\`` };
    }
    return undefined;
  }
  const generated = generatedLock(ctx, op);
  const shape = generated === undefined ? lockingStatement(ctx, op) : undefined;
  const lock = generated === undefined ? shape && shapeLock(shape, ctx.config.postgresVersion) : generated?.mode;
  if (!lock) return undefined;
  if (op.name === 'RenameModel') {
    const oldName = stringValue(opArg(op, 'old_name')) as string;
    return { lock, what: `RenameModel ${ctx.file.app}.${oldName}`, table: `${ctx.file.app}_${oldName.toLowerCase()}` };
  }
  const table = generated?.relation ?? modelNames(ctx, op)?.table;
  return table === undefined ? { lock, what: label(ctx, op) } : { lock, what: label(ctx, op), table };
}

/**
 * The write-blocking lock the operation's own SQL takes where it stands (django/sql: the statements Django runs, each
 * read through the one lock table), strongest first: null when none of them blocks writes, undefined when the SQL is
 * not known or a statement is not modelled (lockingStatement then judges from the operation kind). Deferred
 * statements run at the end of the migration, after the later steps, so they do not count here.
 */
function generatedLock(ctx: FileContext, op: Operation): { mode: HeavyLock; relation: string } | null | undefined {
  // An AlterField's statements depend on everything that changed (Django drops and re-adds a foreign key's constraint
  // for any alteration), so its kind alone does not say its lock; every other kind locks as its shape says.
  if (op.parent || op.name !== 'AlterField') return undefined;
  if (!changesExistingTable(ctx, op)) return null;
  const sql = ctx.facts(op).lockSql;
  if (!sql || sql.generated.unknown !== undefined) return undefined;
  let strongest: { mode: HeavyLock; relation: string } | null = null;
  for (const statement of sql.statements) {
    if (statement.emitted.deferred) continue;
    if (!statement.effect) return undefined;
    for (const lock of statement.effect.locks) {
      if (lock.kind !== 'table' || !blocksWrites(lock.mode)) continue;
      if (!strongest || LOCK_MODES.indexOf(lock.mode) > LOCK_MODES.indexOf(strongest.mode)) strongest = { mode: lock.mode as HeavyLock, relation: lock.relation };
    }
  }
  return strongest;
}

/** The statement by which the operation locks a table that already holds rows, or undefined when it locks none. */
function lockingStatement(ctx: FileContext, op: Operation): LockingStatement | undefined {
  if (op.name === 'RenameModel') {
    const oldName = stringValue(opArg(op, 'old_name'))?.toLowerCase();
    const state = ctx.stateBefore(op);
    if (!oldName || state.createdInSameMigration(ctx.file.app, oldName)) return undefined;
    const model = state.model(ctx.file.app, oldName);
    const dbTable = model?.options['db_table'];
    if (dbTable && dbTable.kind !== 'none') return undefined;
    return 'renameTable';
  }
  if (!LOCKING_OPERATIONS.has(op.name) || !changesExistingTable(ctx, op)) return undefined;
  if (op.name === 'AddConstraint') {
    const constraint = constraintCall(op);
    const indexOnly = constraint !== undefined && calleeName(constraint) === 'UniqueConstraint' && isIndexOnlyUniqueConstraint(constraint);
    return indexOnly ? 'uniqueIndex' : 'addConstraint';
  }
  if (op.name === 'AddField') {
    const added = readFieldOperation(ctx, op)?.after;
    // No column on this table. A many-to-many gets a new join table whose foreign key to this table blocks writes
    // to it (unless a `through` model owns the join table); other column-less fields run no SQL.
    if (added && !hasColumn(added)) return isManyToMany(added) && !added.kwargs['through'] ? 'joinTable' : undefined;
  }
  if (op.name === 'RenameField') {
    const renamed = readFieldTarget(ctx, op);
    const newName = stringValue(opArg(op, 'new_name'));
    if (renamed?.before && newName && fieldColumnName(renamed.fieldName, renamed.before) === fieldColumnName(newName, renamed.before)) return undefined;
  }
  if (op.name === 'AlterField') {
    const change = readFieldOperation(ctx, op);
    // An AlterField whose previous definition is unknown may change nothing in the database: not counted.
    if (!change?.before) return undefined;
    const diff = schemaChange(change.fieldName, change.before, change.after, ctx.database, change.resolveRelated);
    if (changesSchema(diff) !== true) return undefined;
    const onlyNewIndex = diff.indexChanged && hasPlainIndex(change.after) === true && !diff.nullChanged && !diff.uniqueChanged && !diff.columnChanged && !diff.foreignKeyChanged && !diff.primaryKeyChanged && !diff.collationChanged && !diff.dbDefaultChanged && diff.type?.kind === 'none';
    return onlyNewIndex ? 'createIndex' : 'alterColumn';
  }
  return OPERATION_STATEMENTS[op.name];
}

// --- which operations are slow ---

function slowStep(ctx: FileContext, op: Operation): string | undefined {
  if (op.name === 'RunPython') {
    if (isForwardNoopRunPython(op) || runPythonDoesNoDataWork(ctx, op)) return undefined;
    const code = opArg(op, 'code');
    return `RunPython ${code?.kind === 'name' ? code.dotted : 'code'}`;
  }
  if (op.name === 'RunSQL') {
    const slow = runSqlStatements(ctx, op).map(statementSlowness).find((found) => found !== undefined);
    return slow ? `RunSQL (${slow})` : undefined;
  }
  if (op.name === 'ValidateConstraint') return `ValidateConstraint (validation scan)`;
  const work = heavyTableWork(ctx, op);
  return work ? `${label(ctx, op)} (${work.reason})` : undefined;
}

// --- RunSQL statements ---

function runSqlStatements(ctx: FileContext, op: Operation): SqlStatement[] {
  return operationSqlStatements(ctx, op).map((item) => item.statement);
}

/** The statement's strongest lock when it blocks writes (the lock modes are sql/locks.ts's). */
function statementLock(statement: SqlStatement, postgresVersion: number): HeavyLock | undefined {
  const mode = strongestStatementLock(statement, postgresVersion);
  return mode !== undefined && blocksWrites(mode) ? (mode as HeavyLock) : undefined;
}

function statementSlowness(statement: SqlStatement): string | undefined {
  const verb = dmlVerb(statement);
  if (verb) return verb;
  const head = firstWord(statement);
  if (head === 'DO') return 'DO block';
  const index = parseCreateIndex(statement);
  if (index && !index.concurrently) return 'CREATE INDEX';
  if (parseAlterTable(statement)?.actions.some((action) => action.kind === 'validate-constraint')) return 'VALIDATE CONSTRAINT';
  if (head === 'REFRESH' && !hasKeyword(statement, 'CONCURRENTLY')) return 'REFRESH MATERIALIZED VIEW';
  return undefined;
}
