// Dropping NOT NULL is cheap for the database but hands NULLs to code that never expected them.
import type { FileRule } from './rule';
import { isNullable } from '../django/columns';
import { kwargSpanOr, readAlteredColumn } from './fieldFacts';

export const alterFieldDropNotNull: FileRule = {
  id: 'alter-field-drop-not-null',
  title: 'AlterField makes a NOT NULL column nullable',
  severity: 'info',
  vendors: 'all',
  category: 'compatibility',
  scope: 'file',
  explanation: {
    summary:
      'The column may now hold NULL. The change itself is cheap, but every reader (old code during the deploy, reports, other services, `order_by`, aggregates, Python code doing arithmetic on the value) must handle `None`; after a rollback the old code meets the NULLs the new code wrote.',
    sql: 'ALTER TABLE "shop_order" ALTER COLUMN "note" DROP NOT NULL;',
    lock: 'ACCESS EXCLUSIVE on the table, brief (catalog-only), queued behind every running query on it.',
    blocks: 'Nothing for long; code that assumes a value is always present may crash on NULL.',
    rewrite: 'No rewrite on PostgreSQL; MySQL may copy the table; SQLite rebuilds it.',
    safeAlternative: 'Make sure every reader handles NULL before new code starts writing NULLs; keep rollbacks in mind (the old code will see them too).',
    safeCode: `# Readers handle None before the column may hold NULL
total = order.discount or Decimal("0")

migrations.AlterField(
    model_name="order",
    name="discount",
    field=models.DecimalField(max_digits=10, decimal_places=2, null=True),
)`,
    safeCodeLanguage: 'python',
  },
  operations: ['AlterField'],
  checkOperation(ctx, op) {
    const change = readAlteredColumn(ctx, op);
    if (!change || isNullable(change.before) !== false || isNullable(change.after) !== true) return;
    ctx.report({
      span: kwargSpanOr(change.after, 'null', op.span),
      message: `AlterField ${change.label}: the column becomes nullable; every reader of ${change.names.table} must handle NULL`,
      operation: op,
    });
  },
};
