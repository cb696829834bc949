// A stored generated column is computed and written for every existing row when it is added.
import type { FileRule } from './rule';
import { isStoredGenerated } from '../django/columns';
import { kwargSpanOr, readAddedColumn } from './fieldFacts';

export const addFieldStoredGenerated: FileRule = {
  id: 'add-field-stored-generated',
  title: 'Stored generated column added to an existing table',
  severity: 'warning',
  vendors: ['postgresql', 'mysql'],
  category: 'locking',
  scope: 'file',
  explanation: {
    summary:
      '`GeneratedField(db_persist=True)` adds a STORED generated column: the database computes the expression for every existing row and writes it, rewriting the whole table under an ACCESS EXCLUSIVE lock (MySQL copies the table).',
    sql: 'ALTER TABLE "shop_orderline" ADD COLUMN "total" numeric(12, 2) GENERATED ALWAYS AS (("price" * "quantity")) STORED;',
    lock: 'ACCESS EXCLUSIVE on the table for the whole rewrite, held until the migration commits.',
    blocks: 'All reads and writes of the table during the rewrite.',
    rewrite: 'Full table rewrite and every index rebuilt (MySQL: table copy; a VIRTUAL column, `db_persist=False`, is instant on MySQL).',
    safeAlternative:
      'Add a plain nullable column, keep it in sync from the code (or a trigger), backfill it in batches; or, on MySQL, use a virtual column (`db_persist=False`).',
    safeCode: `# 0008: plain nullable column, catalog-only
migrations.AddField(
    model_name="orderline",
    name="total",
    field=models.DecimalField(max_digits=12, decimal_places=2, null=True),
)

# 0009 (atomic = False): backfill in batches; the model's save() keeps it in sync
def fill_totals(apps, schema_editor):
    OrderLine = apps.get_model("shop", "OrderLine")
    OrderLine.objects.filter(total__isnull=True).update(total=models.F("price") * models.F("quantity"))`,
    safeCodeLanguage: 'python',
  },
  operations: ['AddField'],
  checkOperation(ctx, op) {
    const added = readAddedColumn(ctx, op);
    // db_persist is required (no default); PostgreSQL < 18 only supports stored columns.
    if (!added || !isStoredGenerated(added.after)) return;
    const effect = ctx.database === 'mysql' ? `makes MySQL copy ${added.names.table}` : `rewrites every row of ${added.names.table} under an ACCESS EXCLUSIVE lock`;
    ctx.report({
      span: kwargSpanOr(added.after, 'db_persist', op.span),
      message: `AddField ${added.label}: a stored generated column is computed for every existing row, which ${effect}`,
      operation: op,
    });
  },
};
