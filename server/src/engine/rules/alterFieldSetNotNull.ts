// SET NOT NULL makes the database check every row while it holds an exclusive lock.
import { hasColumn } from '../django/fields';
import type { FileRule } from './rule';
import { isNullable, presentArg } from '../django/columns';
import { kwargSpanOr, readFieldOperation } from './fieldFacts';
import { changesExistingTable } from './operationFacts';

export const alterFieldSetNotNull: FileRule = {
  id: 'alter-field-set-not-null',
  title: 'AlterField makes a nullable column NOT NULL',
  severity: 'warning',
  vendors: 'all',
  category: 'compatibility',
  scope: 'file',
  explanation: {
    summary:
      'Turning `null=True` into NOT NULL makes the database scan the whole table to prove there is no NULL, holding an ACCESS EXCLUSIVE lock the whole time. With a `default=` Django first UPDATEs every NULL row in the same transaction. The migration fails if a NULL is left, and old code that still writes NULL breaks.',
    sql: 'UPDATE "shop_order" SET "total" = 0 WHERE "total" IS NULL;  -- only when a default is given\nALTER TABLE "shop_order" ALTER COLUMN "total" SET NOT NULL;',
    lock: 'ACCESS EXCLUSIVE on the table for the whole validation scan (and the UPDATE), held until the migration commits.',
    blocks: 'All reads and writes of the table wait for the scan; old code that still inserts NULL fails afterwards.',
    rewrite: 'Full table scan on PostgreSQL (no rewrite); MySQL copies the table; SQLite rebuilds it.',
    safeAlternative:
      'On PostgreSQL: backfill the NULLs in batches, add `CHECK (col IS NOT NULL) NOT VALID` (brief lock), `VALIDATE CONSTRAINT` (SHARE UPDATE EXCLUSIVE: reads and writes go on), then `SET NOT NULL`, which PostgreSQL >= 12 proves from the valid check without a scan, and drop the check.',
    safeCode: `class Migration(migrations.Migration):
    atomic = False  # each step commits on its own

    dependencies = [("shop", "0009_backfill_order_total")]

    operations = [
        migrations.RunSQL(
            'ALTER TABLE "shop_order" ADD CONSTRAINT "order_total_not_null" '
            'CHECK ("total" IS NOT NULL) NOT VALID;',
            reverse_sql='ALTER TABLE "shop_order" DROP CONSTRAINT "order_total_not_null";',
        ),
        migrations.RunSQL(
            'ALTER TABLE "shop_order" VALIDATE CONSTRAINT "order_total_not_null";',
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    'ALTER TABLE "shop_order" ALTER COLUMN "total" SET NOT NULL;'
                    'ALTER TABLE "shop_order" DROP CONSTRAINT "order_total_not_null";',
                    reverse_sql='ALTER TABLE "shop_order" ALTER COLUMN "total" DROP NOT NULL;',
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="order",
                    name="total",
                    field=models.DecimalField(max_digits=10, decimal_places=2),
                ),
            ],
        ),
    ]`,
    safeCodeLanguage: 'python',
  },
  operations: ['AlterField'],
  checkOperation(ctx, op) {
    if (!changesExistingTable(ctx, op)) return;
    const change = readFieldOperation(ctx, op);
    if (!change || !hasColumn(change.after) || isNullable(change.after) !== false) return;
    let unknown = '';
    if (change.before) {
      if (!hasColumn(change.before) || isNullable(change.before) !== true) return;
    } else {
      // Without history only an explicit null=False says the nullability changes (makemigrations never writes it).
      if (!change.after.kwargs['null']) return;
      unknown = ' (previous definition unknown)';
    }
    const hasDefault = presentArg(change.after, 'default') !== undefined;
    const backfill = hasDefault ? 'UPDATEs the NULL rows to the default and ' : '';
    const cost =
      ctx.database === 'postgresql'
        ? `${backfill}scans the whole table under an ACCESS EXCLUSIVE lock`
        : ctx.database === 'mysql'
          ? `${backfill}copies the whole table`
          : `${backfill}rebuilds the table`;
    ctx.report({
      span: kwargSpanOr(change.after, 'null', op.span),
      message: `AlterField ${change.label}: making the column NOT NULL${unknown} ${cost}${hasDefault ? '' : ', and fails if a NULL remains'}`,
      // From PostgreSQL 12, SET NOT NULL skips its scan when a valid CHECK (col IS NOT NULL) proves it.
      ...(ctx.database === 'postgresql' && ctx.config.postgresVersion >= 12
        ? { advice: 'backfill, add CHECK (column IS NOT NULL) NOT VALID, validate it, then SET NOT NULL' }
        : {}),
      operation: op,
    });
  },
};
