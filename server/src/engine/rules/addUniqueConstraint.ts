// A new unique constraint builds a unique index while blocking the table, and fails on existing duplicates.
import type { CallExpr, Expr, Operation } from '../python/model';
import { migrationAtomic } from '../django/migrationClass';
import { operationsOf } from './dispatch';
import { opArg, stringValue, targetModel } from '../django/operations';
import type { FileContext, FileRule } from './rule';
import { isPrimaryKey, isUnique } from '../django/columns';
import { addedTogetherSets, kwargSpanOr, readAlteredColumn } from './fieldFacts';
import { isIndexOnlyUniqueConstraint } from '../django/modelOptions';
import { changesExistingTable, readAddedConstraint } from './operationFacts';

export const addUniqueConstraint: FileRule = {
  id: 'add-unique-constraint',
  title: 'Unique constraint added to an existing table',
  severity: 'warning',
  vendors: 'all',
  category: 'locking',
  scope: 'file',
  explanation: {
    summary:
      'Adding a unique constraint builds a unique index over the whole table. On PostgreSQL `ADD CONSTRAINT ... UNIQUE` holds an ACCESS EXCLUSIVE lock for the whole build (reads and writes wait), and the migration fails at the end if any duplicate exists.',
    sql: 'ALTER TABLE "shop_order" ADD CONSTRAINT "shop_order_number_key" UNIQUE ("number");',
    lock: 'PostgreSQL: ACCESS EXCLUSIVE for the whole index build (SHARE for a partial or expression UniqueConstraint, built as CREATE UNIQUE INDEX), held until COMMIT. MySQL: online index build, but a metadata lock at start and end.',
    blocks: 'PostgreSQL: reads and writes of the table during the build. Everywhere: the deploy fails on the first duplicate value.',
    rewrite: 'No rewrite; a full scan and sort to build the index.',
    safeAlternative:
      'Remove duplicates first, build the index with `CREATE UNIQUE INDEX CONCURRENTLY` in a non-atomic migration, then attach it with `ALTER TABLE ... ADD CONSTRAINT ... UNIQUE USING INDEX` (brief lock), keeping Django\'s state in sync with `SeparateDatabaseAndState`.',
    safeCode: `class Migration(migrations.Migration):
    atomic = False

    dependencies = [("shop", "0010_dedupe_order_numbers")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "order_number_uniq" ON "shop_order" ("number");',
                    reverse_sql='DROP INDEX CONCURRENTLY IF EXISTS "order_number_uniq";',
                ),
                migrations.RunSQL(
                    'ALTER TABLE "shop_order" ADD CONSTRAINT "order_number_uniq" UNIQUE USING INDEX "order_number_uniq";',
                    reverse_sql='ALTER TABLE "shop_order" DROP CONSTRAINT "order_number_uniq";',
                ),
            ],
            state_operations=[
                migrations.AddConstraint(
                    model_name="order",
                    constraint=models.UniqueConstraint(fields=["number"], name="order_number_uniq"),
                ),
            ],
        ),
    ]`,
    safeCodeLanguage: 'python',
  },
  operations: ['AlterField', 'AddConstraint', 'AlterUniqueTogether'],
  checkOperation(ctx, op) {
    if (!changesExistingTable(ctx, op)) return;
    if (op.name === 'AlterField') checkAlterField(ctx, op);
    else if (op.name === 'AddConstraint') checkAddConstraint(ctx, op);
    else if (op.name === 'AlterUniqueTogether') checkUniqueTogether(ctx, op);
  },
};

/** What adding the constraint costs; `heldUntilNow` when the same constraint was in force until this migration removed it. */
function cost(ctx: FileContext, lock: 'ACCESS EXCLUSIVE' | 'SHARE', heldUntilNow = false): string {
  const duplicates = heldUntilNow ? '; the same constraint held until this migration dropped it, so no row conflicts' : ' and fails on existing duplicates';
  if (ctx.database === 'postgresql') {
    const blocked = lock === 'SHARE' ? 'writes' : 'reads and writes';
    return `builds a unique index under ${lock === 'SHARE' ? 'a SHARE' : 'an ACCESS EXCLUSIVE'} lock (${blocked} wait)${duplicates}`;
  }
  if (ctx.database === 'mysql') return `builds a unique index over the whole table${duplicates}`;
  return `builds a unique index (SQLite locks the whole database meanwhile)${duplicates}`;
}

/**
 * True when an atomic migration re-adds a unique constraint that an earlier RemoveConstraint of it dropped, with the
 * same definition (typically to rebuild a badly formed index), and no RunSQL or RunPython runs before it: the
 * constraint held until that removal, and inside the one transaction nothing can have written a duplicate since.
 */
function reAddsConstraintInForce(ctx: FileContext, op: Operation, call: CallExpr, app: string, key: string, name: string | undefined): boolean {
  if (name === undefined || migrationAtomic(ctx.file) !== true) return false;
  const before = (other: Operation): boolean => other.span.start < op.span.start;
  if (operationsOf(ctx.file, ['RunSQL', 'RunPython']).some(before)) return false;
  const definition = canonical(call);
  return operationsOf(ctx.file, ['RemoveConstraint']).some((removal) => {
    if (!before(removal) || stringValue(opArg(removal, 'name')) !== name || targetModel(removal) !== key) return false;
    const constraints = ctx.stateBefore(removal).model(app, key)?.options['constraints'];
    if (!constraints || (constraints.kind !== 'list' && constraints.kind !== 'tuple')) return false;
    return constraints.items.some((item) => item.kind === 'call' && stringValue(item.kwargs['name']) === name && canonical(item) === definition);
  });
}

/** An expression written another way but meaning the same (quotes, spacing, tuple or list, keyword order) gives the same text. */
function canonical(expr: Expr, depth = 0): string {
  if (depth > 16) return expr.text;
  switch (expr.kind) {
    case 'string':
      return JSON.stringify(expr.value);
    case 'list':
    case 'tuple':
      return `[${expr.items.map((item) => canonical(item, depth + 1)).join(',')}]`;
    case 'call': {
      const kwargs = Object.keys(expr.kwargs)
        .sort()
        .map((key) => `${key}=${canonical(expr.kwargs[key]!, depth + 1)}`);
      return `${canonical(expr.callee, depth + 1)}(${[...expr.args.map((arg) => canonical(arg, depth + 1)), ...kwargs].join(',')}${expr.hasStarArgs ? ',*' : ''})`;
    }
    default:
      // Anything else compares as written: a difference only means the re-added constraint is not recognised.
      return expr.text.replace(/\s+/g, '');
  }
}

function checkAlterField(ctx: FileContext, op: Operation): void {
  const change = readAlteredColumn(ctx, op);
  if (!change || isUnique(change.before) !== false || isUnique(change.after) !== true) return;
  if (isPrimaryKey(change.before) === true) return;
  ctx.report({
    span: kwargSpanOr(change.after, 'unique', op.span),
    message: `AlterField ${change.label}: unique=True on ${change.names.table} ${cost(ctx, 'ACCESS EXCLUSIVE')}`,
    operation: op,
  });
}

function checkAddConstraint(ctx: FileContext, op: Operation): void {
  const added = readAddedConstraint(ctx, op, 'UniqueConstraint');
  if (!added) return;
  const { names, name } = added;
  const indexOnly = isIndexOnlyUniqueConstraint(added.call);
  ctx.report({
    span: op.span,
    message: `AddConstraint ${names.label}: UniqueConstraint${name ? ` ${name}` : ''} on ${names.table} ${cost(ctx, indexOnly ? 'SHARE' : 'ACCESS EXCLUSIVE', reAddsConstraintInForce(ctx, op, added.call, names.app, names.key, name))}`,
    operation: op,
  });
}

function checkUniqueTogether(ctx: FileContext, op: Operation): void {
  const together = addedTogetherSets(ctx, op);
  if (!together || together.added.length === 0) return;
  const { names, added } = together;
  ctx.report({
    span: op.span,
    message: `AlterUniqueTogether ${names.label}: unique (${added.join('), (')}) on ${names.table} ${cost(ctx, 'ACCESS EXCLUSIVE')}`,
    operation: op,
  });
}
