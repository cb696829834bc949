// A new unique constraint builds a unique index while blocking the table, and fails on existing duplicates.
import type { Operation } from '../python/model';
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

function cost(ctx: FileContext, lock: 'ACCESS EXCLUSIVE' | 'SHARE'): string {
  if (ctx.database === 'postgresql') {
    const blocked = lock === 'SHARE' ? 'writes' : 'reads and writes';
    return `builds a unique index under ${lock === 'SHARE' ? 'a SHARE' : 'an ACCESS EXCLUSIVE'} lock (${blocked} wait) and fails on existing duplicates`;
  }
  if (ctx.database === 'mysql') return 'builds a unique index over the whole table and fails on existing duplicates';
  return 'builds a unique index (SQLite locks the whole database meanwhile) and fails on existing duplicates';
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
    message: `AddConstraint ${names.label}: UniqueConstraint${name ? ` ${name}` : ''} on ${names.table} ${cost(ctx, indexOnly ? 'SHARE' : 'ACCESS EXCLUSIVE')}`,
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
