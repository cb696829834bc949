// In an atomic migration every lock is held until COMMIT: a slow step after an exclusive lock keeps the table
// blocked for the slow step's whole duration.
import type { Expr, Operation } from '../python/model';
import type { FileContext, FileRule } from './rule';
import {
  AUTO_FIELD_TYPES,
  addedTogetherSets,
  changesSchema,
  columnName,
  columnType,
  compareColumnTypes,
  flag,
  hasColumn,
  hasForeignKeyColumn,
  hasForeignKeyConstraint,
  hasPlainIndex,
  isIndexOnlyUniqueConstraint,
  isPrimaryKey,
  isUnique,
  presentArg,
  previousField,
  previousModel,
  readFieldOperation,
  schemaChange,
  togetherSets,
} from './fieldTypes';
import { calleeName, changesExistingTable, migrationAtomic, modelNames, opArg, stringValue } from './support';

type HeavyLock = 'ACCESS EXCLUSIVE' | 'SHARE';

export const exclusiveLockHeldBySlowStep: FileRule = {
  id: 'exclusive-lock-held-by-slow-step',
  title: 'Exclusive lock held through a slow step',
  severity: 'warning',
  vendors: ['postgresql'],
  category: 'locking',
  scope: 'file',
  explanation: {
    summary:
      'On PostgreSQL an atomic migration holds every lock it took until COMMIT. When an operation that takes an ACCESS EXCLUSIVE (or SHARE) lock on an existing table is followed, in the same migration, by a slow step (a data backfill in `RunPython`, DML in `RunSQL`, an index build, a constraint validation or a table rewrite), the table stays blocked for the slow step\'s whole duration, even if the first operation was instant. The finding is reported on the slow step and names the operation whose lock it prolongs (once per migration).',
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
  },
  check(ctx) {
    if (migrationAtomic(ctx) !== true) return;
    const holders: LockHolder[] = [];
    for (const op of ctx.file.allOperations) {
      if (op.name === 'SeparateDatabaseAndState' || !ctx.touchesDatabase(op)) continue;
      const lock = lockTaken(ctx, op);
      const slow = holders.length > 0 ? slowStep(ctx, op) : undefined;
      const prolonged = slow ? holders.find((holder) => prolongs(holder, lock)) : undefined;
      if (slow && prolonged) {
        ctx.report({
          span: op.span,
          message: `${slow} runs while the ${prolonged.lock} lock taken by ${prolonged.what} (line ${lineOf(ctx, prolonged.op)}) is held until COMMIT; split the migration`,
          operation: op,
        });
        return;
      }
      if (lock) holders.push({ op, ...lock });
    }
  },
};

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
  let line = 1;
  const text = ctx.file.text;
  for (let index = text.indexOf('\n'); index >= 0 && index < op.span.start; index = text.indexOf('\n', index + 1)) line++;
  return line;
}

function label(ctx: FileContext, op: Operation): string {
  const names = modelNames(ctx, op);
  const field = stringValue(opArg(op, op.name === 'RenameField' ? 'old_name' : 'name'));
  const fieldOps = new Set(['AddField', 'AlterField', 'RemoveField', 'RenameField']);
  if (!names) return op.name;
  return `${op.name} ${names.label}${fieldOps.has(op.name) && field ? `.${field}` : ''}`;
}

// --- which operations take a heavy lock on an existing table ---

const ACCESS_EXCLUSIVE_OPERATIONS = new Set([
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
]);

function lockTaken(ctx: FileContext, op: Operation): TakenLock | undefined {
  if (op.name === 'RunSQL') {
    const lock = sqlStatements(op).map(statementLock).find((found) => found !== undefined);
    return lock ? { lock: lock.lock, what: `RunSQL ${lock.statement}` } : undefined;
  }
  if (op.name === 'RenameModel') {
    const oldName = stringValue(opArg(op, 'old_name'))?.toLowerCase();
    const state = ctx.stateBefore(op);
    if (!oldName || state.createdInSameMigration(ctx.file.app, oldName)) return undefined;
    const model = state.model(ctx.file.app, oldName);
    const dbTable = model?.options['db_table'];
    if (dbTable && dbTable.kind !== 'none') return undefined;
    return { lock: 'ACCESS EXCLUSIVE', what: `RenameModel ${ctx.file.app}.${stringValue(opArg(op, 'old_name'))}`, table: `${ctx.file.app}_${oldName}` };
  }
  if (!changesExistingTable(ctx, op)) return undefined;
  const table = modelNames(ctx, op)?.table;
  const taken = (lock: HeavyLock): TakenLock => (table === undefined ? { lock, what: label(ctx, op) } : { lock, what: label(ctx, op), table });
  if (op.name === 'AddConstraint') {
    const constraint = opArg(op, 'constraint');
    const indexOnly = constraint?.kind === 'call' && calleeName(constraint) === 'UniqueConstraint' && isIndexOnlyUniqueConstraint(constraint);
    return taken(indexOnly ? 'SHARE' : 'ACCESS EXCLUSIVE');
  }
  if (ACCESS_EXCLUSIVE_OPERATIONS.has(op.name)) return taken('ACCESS EXCLUSIVE');
  if (op.name === 'AddIndex' || op.name === 'AlterIndexTogether') return taken('SHARE');
  if (op.name === 'RenameField') {
    const names = modelNames(ctx, op);
    const oldName = stringValue(opArg(op, 'old_name'));
    const newName = stringValue(opArg(op, 'new_name'));
    const field = names && oldName ? previousField(ctx, op, names.key, oldName) : undefined;
    if (field && oldName && newName && columnName(oldName, field) === columnName(newName, field)) return undefined;
    return taken('ACCESS EXCLUSIVE');
  }
  if (op.name === 'AlterField') {
    const change = readFieldOperation(ctx, op);
    // An AlterField whose previous definition is unknown may change nothing in the database: not counted.
    if (!change?.before) return undefined;
    const diff = schemaChange(change.fieldName, change.before, change.after, ctx.database, change.resolveRelated);
    if (changesSchema(diff) !== true) return undefined;
    const onlyNewIndex = diff.indexChanged && hasPlainIndex(change.after) === true && !diff.nullChanged && !diff.uniqueChanged && !diff.columnChanged && !diff.foreignKeyChanged && !diff.primaryKeyChanged && !diff.collationChanged && !diff.dbDefaultChanged && diff.type?.kind === 'none';
    return taken(onlyNewIndex ? 'SHARE' : 'ACCESS EXCLUSIVE');
  }
  return undefined;
}

// --- which operations are slow ---

function slowStep(ctx: FileContext, op: Operation): string | undefined {
  if (op.name === 'RunPython') {
    const code = opArg(op, 'code');
    return `RunPython ${code?.kind === 'name' ? code.dotted : 'code'}`;
  }
  if (op.name === 'RunSQL') {
    const slow = sqlStatements(op).map(statementSlowness).find((found) => found !== undefined);
    return slow ? `RunSQL (${slow})` : undefined;
  }
  if (op.name === 'ValidateConstraint') return `ValidateConstraint (validation scan)`;
  if (!changesExistingTable(ctx, op)) return undefined;
  switch (op.name) {
    case 'AddIndex':
      return `${label(ctx, op)} (index build)`;
    case 'AddConstraint': {
      const constraint = opArg(op, 'constraint');
      const kind = constraint?.kind === 'call' ? calleeName(constraint) : '';
      if (kind === 'UniqueConstraint' || kind === 'ExclusionConstraint') return `${label(ctx, op)} (index build)`;
      if (kind === 'CheckConstraint') return `${label(ctx, op)} (validation scan)`;
      return undefined;
    }
    case 'AlterUniqueTogether':
    case 'AlterIndexTogether': {
      const names = modelNames(ctx, op);
      const model = names && previousModel(ctx, op, names.key);
      const option = op.name === 'AlterUniqueTogether' ? 'unique_together' : 'index_together';
      const before = model ? togetherSets(model.options[option]) : undefined;
      const after = togetherSets(opArg(op, option));
      return before && after && addedTogetherSets(before, after).length > 0 ? `${label(ctx, op)} (index build)` : undefined;
    }
    case 'AddField':
      return addFieldSlowness(ctx, op);
    case 'AlterField':
      return alterFieldSlowness(ctx, op);
    default:
      return undefined;
  }
}

function addFieldSlowness(ctx: FileContext, op: Operation): string | undefined {
  const added = readFieldOperation(ctx, op);
  if (!added || !hasColumn(added.after)) return undefined;
  const field = added.after;
  const what = label(ctx, op);
  if (isUnique(field) === true || isPrimaryKey(field) === true || hasPlainIndex(field) === true) return `${what} (index build)`;
  if (hasForeignKeyConstraint(field) === true) return `${what} (foreign key validation)`;
  if (AUTO_FIELD_TYPES.has(field.type) || (field.type === 'GeneratedField' && flag(field, 'db_persist', false) === true)) return `${what} (table rewrite)`;
  const dbDefault = presentArg(field, 'db_default');
  if (dbDefault?.kind === 'call' && calleeName(dbDefault) !== 'Value') return `${what} (computed default)`;
  if (ctx.config.postgresVersion < 11 && (presentArg(field, 'default') || dbDefault)) return `${what} (table rewrite for the default)`;
  return undefined;
}

function alterFieldSlowness(ctx: FileContext, op: Operation): string | undefined {
  const change = readFieldOperation(ctx, op);
  const before = change?.before;
  if (!change || !before || !hasColumn(before) || !hasColumn(change.after)) return undefined;
  const what = label(ctx, op);
  const beforeType = columnType(before, ctx.database, change.resolveRelated);
  const afterType = columnType(change.after, ctx.database, change.resolveRelated);
  if (beforeType && afterType && compareColumnTypes(beforeType, afterType, ctx.database).kind === 'rewrite') return `${what} (table rewrite)`;
  if (flag(before, 'null', false) === true && flag(change.after, 'null', false) === false) return `${what} (NOT NULL scan)`;
  if (isUnique(before) === false && isUnique(change.after) === true) return `${what} (unique index build)`;
  if (hasPlainIndex(before) === false && hasPlainIndex(change.after) === true) return `${what} (index build)`;
  const constraintAdded = hasForeignKeyConstraint(change.after) === true && (!hasForeignKeyColumn(before) || hasForeignKeyConstraint(before) === false);
  if (constraintAdded) return `${what} (foreign key validation)`;
  return undefined;
}

// --- a tolerant look at RunSQL text: statement keywords only ---

function sqlStatements(op: Operation): string[][] {
  const texts: string[] = [];
  collectSql(opArg(op, 'sql'), texts, 0);
  return texts.flatMap(splitStatements);
}

function collectSql(expr: Expr | undefined, out: string[], depth: number): void {
  if (!expr || depth > 3) return;
  const value = stringValue(expr);
  if (value !== undefined) {
    out.push(value);
    return;
  }
  if (expr.kind === 'string') {
    out.push(expr.value);
    return;
  }
  if (expr.kind === 'list' || expr.kind === 'tuple') {
    // `(sql, params)` pairs: only the first item is SQL.
    const pair = expr.kind === 'tuple' && expr.items.length === 2 && expr.items[0]?.kind === 'string' && expr.items[1]?.kind !== 'string';
    const items = pair ? expr.items.slice(0, 1) : expr.items;
    for (const item of items) collectSql(item, out, depth + 1);
  }
}

/** Upper-cased words of each statement, with comments, quoted strings and dollar-quoted bodies removed. */
function splitStatements(sql: string): string[][] {
  const cleaned = sql
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/\$([A-Za-z_]*)\$[\s\S]*?\$\1\$/g, ' $body$ ')
    .replace(/'(?:[^']|'')*'/g, ' ')
    .replace(/"(?:[^"]|"")*"/g, ' ident ');
  return cleaned
    .split(';')
    .map((statement) => statement.toUpperCase().match(/[A-Z_]+/g) ?? [])
    .filter((words) => words.length > 0);
}

const DML = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'COPY']);

function statementSlowness(words: string[]): string | undefined {
  const first = words[0];
  if (first && DML.has(first)) return `${first}`;
  if (first === 'WITH' && words.some((word) => DML.has(word))) return 'DML';
  if (first === 'DO') return 'DO block';
  if (first === 'CREATE' && isIndexBuild(words)) return 'CREATE INDEX';
  if (first === 'ALTER' && words.includes('VALIDATE')) return 'VALIDATE CONSTRAINT';
  if (first === 'REFRESH' && !words.includes('CONCURRENTLY')) return 'REFRESH MATERIALIZED VIEW';
  return undefined;
}

function statementLock(words: string[]): { lock: HeavyLock; statement: string } | undefined {
  const [first, second] = words;
  if (first === 'CREATE' && isIndexBuild(words)) return { lock: 'SHARE', statement: 'CREATE INDEX' };
  if (first === 'ALTER' && second === 'TABLE' && !words.includes('VALIDATE')) return { lock: 'ACCESS EXCLUSIVE', statement: 'ALTER TABLE' };
  if (first === 'LOCK' || first === 'TRUNCATE') return { lock: 'ACCESS EXCLUSIVE', statement: first };
  if (first === 'DROP' && (second === 'TABLE' || second === 'INDEX') && !words.includes('CONCURRENTLY')) return { lock: 'ACCESS EXCLUSIVE', statement: `DROP ${second}` };
  return undefined;
}

function isIndexBuild(words: string[]): boolean {
  const indexAt = words.indexOf('INDEX');
  return indexAt >= 1 && indexAt <= 2 && (indexAt === 1 || words[1] === 'UNIQUE') && words[indexAt + 1] !== 'CONCURRENTLY';
}
