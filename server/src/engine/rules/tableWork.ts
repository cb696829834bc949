// Work proportional to the size of an existing table that one operation does on PostgreSQL while holding its lock.
// several-heavy-ops-one-table counts these passes and exclusive-lock-held-by-slow-step treats them as slow steps; both
// decide from the same field facts as the single-operation rules (alter-field-type, add-field-with-index,
// add-field-volatile-db-default...), so they cannot disagree about what rewrites or scans a table.
import { AUTO_FIELD_TYPES, hasForeignKeyColumn } from '../django/fields';
import type { Operation } from '../python/model';
import type { FileContext } from './rule';
import { dbDefaultComputedPerRow, hasForeignKeyConstraint, hasPlainIndex, isNullable, isPrimaryKey, isStoredGenerated, isUnique, presentArg } from '../django/columns';
import { addedTogetherSets, columnTypeChange, readAddedColumn, readAlteredColumn } from './fieldFacts';
import { calleeName, constraintCall, targetModel } from '../django/operations';
import { changesExistingTable, perOperationFact } from './operationFacts';

export interface HeavyTableWork {
  app: string;
  /** Lower-cased model name. */
  model: string;
  /** `rewrite`: every row is written again; `scan`: every row is read (index build, validation). */
  kind: 'rewrite' | 'scan';
  /** What the operation does to the table, e.g. `builds an index`. */
  reason: string;
}

/**
 * Deliberately conservative: only what is certain from the migration and the replayed state counts.
 * - rewrite: AddField of an auto-increment field, a stored GeneratedField, a `db_default` computed per row, any
 *   default before PostgreSQL 11; AlterField that changes the column type (per compareColumnTypes).
 * - scan: AddField that builds an index or validates a foreign key (only with a default: PostgreSQL skips
 *   validating a new column that is all NULL); AlterField setting NOT NULL, adding a unique
 *   constraint, an index or a foreign key constraint; AddIndex; AddConstraint of a Check/Unique/Exclusion
 *   constraint; AlterUniqueTogether/AlterIndexTogether adding a set.
 * Not counted: concurrent index builds, NOT VALID constraints, removals and renames (catalog-only), anything on a
 * table created in the same migration or not managed by Django, state-only operations, and AlterFields and together
 * changes whose previous state is unknown.
 */
export const heavyTableWork = perOperationFact((ctx: FileContext, op: Operation): HeavyTableWork | undefined => {
  if (!MAYBE_HEAVY_OPERATIONS.has(op.name)) return undefined;
  const model = targetModel(op);
  if (!model || !changesExistingTable(ctx, op)) return undefined;
  const work = (kind: HeavyTableWork['kind'], reason: string): HeavyTableWork => ({ app: ctx.file.app, model, kind, reason });
  switch (op.name) {
    case 'AddField': {
      const reason = addFieldWork(ctx, op);
      return reason ? work(reason.kind, reason.reason) : undefined;
    }
    case 'AlterField': {
      const reason = alterFieldWork(ctx, op);
      return reason ? work(reason.kind, reason.reason) : undefined;
    }
    case 'AddIndex':
      return work('scan', 'builds an index');
    case 'AddConstraint': {
      const constraint = constraintCall(op);
      const kind = constraint ? calleeName(constraint) : undefined;
      if (kind === 'CheckConstraint') return work('scan', 'validates a CHECK constraint');
      if (kind === 'UniqueConstraint') return work('scan', 'builds a unique index');
      if (kind === 'ExclusionConstraint') return work('scan', 'builds an exclusion constraint index');
      return undefined;
    }
    case 'AlterUniqueTogether':
    case 'AlterIndexTogether': {
      const added = addedTogetherSets(ctx, op)?.added;
      return added && added.length > 0 ? work('scan', `builds an index on (${added[0]})`) : undefined;
    }
    default:
      return undefined;
  }
});

/** The operations heavyTableWork may count (checked first: the other facts need the replayed state). */
export const MAYBE_HEAVY_OPERATIONS: ReadonlySet<string> = new Set(['AddField', 'AlterField', 'AddIndex', 'AddConstraint', 'AlterUniqueTogether', 'AlterIndexTogether']);

type Pass = Pick<HeavyTableWork, 'kind' | 'reason'>;

function addFieldWork(ctx: FileContext, op: Operation): Pass | undefined {
  const added = readAddedColumn(ctx, op);
  if (!added) return undefined;
  const field = added.after;
  const name = added.fieldName;
  if (AUTO_FIELD_TYPES.has(field.type)) return { kind: 'rewrite', reason: `adds auto-increment column \`${name}\`, filling every row` };
  if (isStoredGenerated(field)) return { kind: 'rewrite', reason: 'adds a stored generated column, computed for every row' };
  const dbDefault = presentArg(field, 'db_default');
  if (dbDefault && dbDefaultComputedPerRow(dbDefault, ctx.database, ctx.config.postgresVersion)) {
    return { kind: 'rewrite', reason: `adds a column with the db_default \`${dbDefault.text}\`, computed for every row` };
  }
  // Before PostgreSQL 11, ADD COLUMN ... DEFAULT writes the value into every row, nullable or not.
  if (ctx.config.postgresVersion < 11 && (presentArg(field, 'default') || dbDefault)) {
    return { kind: 'rewrite', reason: `adds column \`${name}\` with a default, which PostgreSQL < 11 writes into every row` };
  }
  if (isPrimaryKey(field) === true || isUnique(field) === true || hasPlainIndex(field) === true) {
    return { kind: 'scan', reason: `builds an index on the new column \`${name}\`` };
  }
  // PostgreSQL skips validating a foreign key added with its column unless the column gets a non-null default.
  if (hasForeignKeyConstraint(field) === true && (presentArg(field, 'default') || dbDefault)) {
    return { kind: 'scan', reason: `validates the new foreign key \`${name}\`` };
  }
  return undefined;
}

function alterFieldWork(ctx: FileContext, op: Operation): Pass | undefined {
  const change = readAlteredColumn(ctx, op);
  if (!change) return undefined;
  const { before, after, fieldName } = change;
  const typeChange = columnTypeChange(change, ctx.database);
  if (typeChange?.kind === 'rewrite') return { kind: 'rewrite', reason: `changes \`${fieldName}\` from ${typeChange.description}` };
  if (isNullable(before) === true && isNullable(after) === false) return { kind: 'scan', reason: `sets \`${fieldName}\` NOT NULL, checking every row` };
  if (isUnique(before) === false && isPrimaryKey(before) === false && isUnique(after) === true) return { kind: 'scan', reason: `builds a unique index on \`${fieldName}\`` };
  if (hasPlainIndex(before) === false && hasPlainIndex(after) === true) return { kind: 'scan', reason: `builds an index on \`${fieldName}\`` };
  const constraintAdded = hasForeignKeyConstraint(after) === true && (!hasForeignKeyColumn(before) || hasForeignKeyConstraint(before) === false);
  if (constraintAdded) return { kind: 'scan', reason: `validates a new foreign key on \`${fieldName}\`` };
  return undefined;
}
