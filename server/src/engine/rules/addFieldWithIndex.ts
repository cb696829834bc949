// AddField with an index builds it right after ADD COLUMN, in the same transaction: the exclusive lock of the
// ADD COLUMN is held for the whole index build.
import { hasForeignKeyColumn } from '../django/fields';
import type { FileRule } from './rule';
import { hasPlainIndex, isPrimaryKey, isUnique } from '../django/columns';
import { migrationAtomic } from '../django/migrationClass';
import { kwargSpanOr, readAddedColumn } from './fieldFacts';


export const addFieldWithIndex: FileRule = {
  id: 'add-field-with-index',
  title: 'AddField builds an index without CONCURRENTLY',
  severity: 'warning',
  vendors: ['postgresql'],
  category: 'locking',
  scope: 'file',
  explanation: {
    summary:
      '`db_index=True`, `unique=True`, a `ForeignKey` (indexed by default) or a `OneToOneField` make AddField build an index right after adding the column, in the same transaction. The build scans the whole table while the ACCESS EXCLUSIVE lock of the ADD COLUMN is still held.',
    sql: 'ALTER TABLE "shop_order" ADD COLUMN "customer_id" bigint NULL;\nCREATE INDEX "shop_order_customer_id_4e1b2a7c" ON "shop_order" ("customer_id");',
    lock: 'ACCESS EXCLUSIVE from the ADD COLUMN, held through the index build (which alone would take SHARE) until the migration commits.',
    blocks: 'Reads and writes of the table for the whole index build.',
    rewrite: 'No rewrite, but a full table scan and sort to build the index.',
    safeAlternative:
      'Add the field with `db_index=False` (for a unique field: without `unique`), then build the index with `AddIndexConcurrently` in a separate migration with `atomic = False`, and move the index into the field definition in the state only.',
    safeCode: `# 0008: the column alone (brief lock)
migrations.AddField(
    model_name="order",
    name="customer",
    field=models.ForeignKey(
        null=True,
        on_delete=django.db.models.deletion.PROTECT,
        to="shop.customer",
        db_index=False,
    ),
)

# 0009: atomic = False
AddIndexConcurrently(
    model_name="order",
    index=models.Index(fields=["customer"], name="order_customer_idx"),
)`,
    safeCodeLanguage: 'python',
  },
  operations: ['AddField'],
  checkOperation(ctx, op) {
    const added = readAddedColumn(ctx, op);
    if (!added) return;
    const field = added.after;
    let what: string;
    let cause: string | undefined;
    if (isPrimaryKey(field) === true) {
      what = 'the primary key index';
      cause = 'primary_key';
    } else if (isUnique(field) === true) {
      what = field.type === 'OneToOneField' && !field.kwargs['unique'] ? "the one-to-one field's unique index" : 'the unique index';
      cause = 'unique';
    } else if (hasPlainIndex(field) === true) {
      what = hasForeignKeyColumn(field) && !field.kwargs['db_index'] ? "the foreign key's index" : 'the index';
      cause = 'db_index';
    } else return;
    // Without a transaction the ADD COLUMN commits first; the index build then holds SHARE, which lets reads through.
    const lock =
      migrationAtomic(ctx.file) === false
        ? `after ADD COLUMN has committed (atomic = False); its SHARE lock blocks writes to ${added.names.table} (not reads) for the whole build`
        : `while ADD COLUMN's ACCESS EXCLUSIVE lock is held; reads and writes of ${added.names.table} wait for the whole build`;
    ctx.report({
      span: kwargSpanOr(field, cause, op.span),
      message: `AddField ${added.label}: ${what} is built without CONCURRENTLY ${lock}`,
      operation: op,
    });
  },
};
