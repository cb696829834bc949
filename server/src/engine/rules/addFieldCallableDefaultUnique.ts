// Django computes an AddField default once and writes that one value into every existing row: a unique column
// then fails with a duplicate key as soon as the table has two rows.
import type { FileRule } from './rule';
import { isPrimaryKey, isUnique, presentArg } from '../django/columns';
import { kwargSpanOr, readAddedColumn, snippet } from './fieldFacts';

export const addFieldCallableDefaultUnique: FileRule = {
  id: 'add-field-callable-default-unique',
  title: 'Unique column added with a default evaluated once',
  severity: 'error',
  vendors: 'all',
  category: 'compatibility',
  scope: 'file',
  explanation: {
    summary:
      'To fill existing rows, AddField evaluates the default once (a callable such as `uuid.uuid4` is called a single time) and sends it as the column DEFAULT: every existing row gets the same value, so the unique constraint fails with a duplicate key on any table with two or more rows.',
    sql: "ALTER TABLE \"shop_order\" ADD COLUMN \"public_id\" uuid DEFAULT '4b0c...'::uuid NOT NULL UNIQUE;",
    lock: 'ACCESS EXCLUSIVE on the table while the unique index is built, then the migration fails and rolls back.',
    blocks: 'The deploy: the migration aborts with `could not create unique index ... is duplicated`.',
    rewrite: 'The unique index build scans the table before failing.',
    safeAlternative:
      'Add the field nullable and without `unique`, backfill a distinct value per row in a `RunPython` (batched), then add the unique index concurrently and make the field NOT NULL in later migrations.',
    safeCode: `def fill_public_ids(apps, schema_editor):
    Order = apps.get_model("shop", "Order")
    for order in Order.objects.filter(public_id__isnull=True).only("pk").iterator(chunk_size=1000):
        Order.objects.filter(pk=order.pk).update(public_id=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("shop", "0007_order_status")]

    operations = [
        migrations.AddField(
            model_name="order",
            name="public_id",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop),
    ]
# Then, in a non-atomic migration: CREATE UNIQUE INDEX CONCURRENTLY and attach it as the
# unique constraint (see add-unique-constraint), and make the field NOT NULL safely.`,
    safeCodeLanguage: 'python',
  },
  operations: ['AddField'],
  checkOperation(ctx, op) {
    const added = readAddedColumn(ctx, op);
    if (!added) return;
    const field = added.after;
    if (isUnique(field) !== true && isPrimaryKey(field) !== true) return;
    const defaultExpr = presentArg(field, 'default');
    // A db_default fills the existing rows instead of the Python default.
    if (!defaultExpr || presentArg(field, 'db_default')) return;
    const how =
      defaultExpr.kind === 'name' || defaultExpr.kind === 'other'
        ? `Django calls ${snippet(defaultExpr.text)} once`
        : defaultExpr.kind === 'call'
          ? `${snippet(defaultExpr.text)} is evaluated once`
          : `default=${snippet(defaultExpr.text)} is a single value`;
    ctx.report({
      span: kwargSpanOr(field, 'default', op.span),
      message: `AddField ${added.label}: unique column with a default: ${how}, so every existing row of ${added.names.table} gets the same value and the unique constraint fails`,
      operation: op,
    });
  },
};
