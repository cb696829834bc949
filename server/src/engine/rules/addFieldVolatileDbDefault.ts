// A db_default the database must compute per row (a volatile function) rewrites the whole table when the column
// is added; constant defaults are stored once in the catalog.
import type { Expr } from '../python/model';
import type { FileRule } from './rule';
import { dbDefaultComputedPerRow, presentArg } from '../django/columns';
import { kwargSpanOr, readAddedColumn, snippet } from './fieldFacts';
import { calleeName } from '../django/operations';

export const addFieldVolatileDbDefault: FileRule = {
  id: 'add-field-volatile-db-default',
  title: 'Column added with a computed db_default',
  severity: 'warning',
  vendors: ['postgresql', 'mysql'],
  category: 'locking',
  scope: 'file',
  explanation: {
    summary:
      'A `db_default` that is a database function the database must compute for every row (`RandomUUID()`, a custom `Func`) makes `ADD COLUMN` rewrite the whole table under an ACCESS EXCLUSIVE lock. Constant defaults (and, on PostgreSQL >= 11, non-volatile functions such as `Now()`, evaluated once) are stored in the catalog instead and are not reported.',
    sql: 'ALTER TABLE "shop_order" ADD COLUMN "token" uuid DEFAULT GEN_RANDOM_UUID() NOT NULL;',
    lock: 'ACCESS EXCLUSIVE on the table for the whole rewrite, held until the migration commits.',
    blocks: 'All reads and writes of the table during the rewrite.',
    rewrite: 'Full table rewrite (every row gets its own computed value) and every index rebuilt; MySQL copies the table.',
    safeAlternative:
      'Add the column nullable without a default, then `ALTER COLUMN ... SET DEFAULT` (applies to new rows only, catalog-only), backfill existing rows in batches, and make it NOT NULL safely afterwards.',
    safeCode: `# 0008: nullable, no default: catalog-only
migrations.AddField(
    model_name="order",
    name="token",
    field=models.UUIDField(null=True),
)

# 0009: default for new rows only (no rewrite), keeping Django's state in sync
migrations.SeparateDatabaseAndState(
    database_operations=[
        migrations.RunSQL(
            'ALTER TABLE "shop_order" ALTER COLUMN "token" SET DEFAULT gen_random_uuid();',
            reverse_sql='ALTER TABLE "shop_order" ALTER COLUMN "token" DROP DEFAULT;',
        ),
    ],
    state_operations=[
        migrations.AlterField(
            model_name="order",
            name="token",
            field=models.UUIDField(null=True, db_default=RandomUUID()),
        ),
    ],
)

# 0010 (atomic = False): backfill existing rows in batches, then NOT NULL`,
    safeCodeLanguage: 'python',
    notReported: [
      'IMMUTABLE or STABLE functions on PostgreSQL >= 11 (`Now()`, `Pi()`, `Lower()`, `MD5()`...): evaluated once and stored in the catalog',
    ],
  },
  operations: ['AddField'],
  checkOperation(ctx, op) {
    const catalogDefaults = ctx.database === 'postgresql' && ctx.config.postgresVersion >= 11;
    const added = readAddedColumn(ctx, op);
    const dbDefault = added && presentArg(added.after, 'db_default');
    if (!added || !dbDefault || !dbDefaultComputedPerRow(dbDefault, ctx.database, ctx.config.postgresVersion)) return;
    const effect =
      ctx.database === 'mysql'
        ? `is computed per row, so adding the column makes MySQL copy ${added.names.table}`
        : catalogDefaults
          ? `is computed per row, so adding the column rewrites every row of ${added.names.table} under an ACCESS EXCLUSIVE lock`
          : `makes PostgreSQL ${ctx.config.postgresVersion} rewrite every row of ${added.names.table} under an ACCESS EXCLUSIVE lock`;
    ctx.report({
      span: kwargSpanOr(added.after, 'db_default', op.span),
      message: `AddField ${added.label}: db_default=${describeCall(dbDefault)} ${effect}`,
      operation: op,
    });
  },
};

/** `RandomUUID()` for `django.contrib.postgres.functions.RandomUUID()`: the function, not its import path. */
function describeCall(expr: Expr): string {
  if (expr.kind !== 'call') return snippet(expr.text);
  return `${calleeName(expr)}(${expr.args.length > 0 || Object.keys(expr.kwargs).length > 0 ? '...' : ''})`;
}
