// Renaming a column breaks the old code that is still running during the deploy: it SELECTs the old name.
import { fieldColumnName, isManyToMany } from '../django/fields';
import type { Operation } from '../python/model';
import type { FileContext, FileRule } from './rule';
import { kwargSpanOr, readAlteredColumn, readFieldTarget } from './fieldFacts';
import { changesExistingTable } from './operationFacts';
import { opArg, stringValue } from '../django/operations';

export const renameField: FileRule = {
  id: 'rename-field',
  title: 'Renaming a column breaks the code that is still running',
  severity: 'error',
  vendors: 'all',
  category: 'compatibility',
  scope: 'file',
  explanation: {
    summary:
      'Django SELECTs every column by name. The moment the column is renamed, the old release (still serving requests during a rolling deploy, and again after a rollback) queries a column that no longer exists and every query on the model fails.',
    sql: 'ALTER TABLE "shop_order" RENAME COLUMN "note" TO "comment";',
    lock: 'ACCESS EXCLUSIVE on the table, brief (catalog-only), queued behind every running query on the table.',
    blocks: "Every SELECT, INSERT and UPDATE of the model by the old code fails with `column \"note\" does not exist` until the new code is live.",
    rewrite: 'No rewrite on PostgreSQL or MySQL 8; SQLite may copy the table.',
    safeAlternative:
      'Keep the database column and rename only the Python attribute: give the renamed field `db_column="old_name"` so the column never changes. When the column name itself must change, expand and contract: add the new field, write both, backfill, switch reads, then drop the old field in a later release.',
    safeCode: `class Migration(migrations.Migration):
    dependencies = [("shop", "0007_order_status")]

    operations = [
        # 1. Pin the column: db_column equals the current column name, so no SQL runs
        migrations.AlterField(
            model_name="order",
            name="note",
            field=models.TextField(blank=True, db_column="note"),
        ),
        # 2. Rename the Python attribute only: the column keeps its name, no SQL runs
        migrations.RenameField(model_name="order", old_name="note", new_name="comment"),
    ]`,
    safeCodeLanguage: 'python',
  },
  operations: ['RenameField', 'AlterField'],
  checkOperation(ctx, op) {
    if (!changesExistingTable(ctx, op)) return;
    if (op.name === 'RenameField') checkRenameField(ctx, op);
    else if (op.name === 'AlterField') checkColumnChange(ctx, op);
  },
};

function checkRenameField(ctx: FileContext, op: Operation): void {
  const renamed = readFieldTarget(ctx, op);
  const newName = stringValue(opArg(op, 'new_name'));
  if (!renamed || !newName) return;
  const { names, fieldName: oldName, label, before: field } = renamed;
  if (!field) {
    ctx.report({
      span: op.span,
      message: `RenameField ${label} -> ${newName}: renames column ${oldName} of ${names.table} unless the field sets db_column (previous definition unknown); old code still SELECTs the old name`,
      operation: op,
    });
    return;
  }
  if (isManyToMany(field)) {
    // The through table is named after the field unless `db_table` pins it.
    if (field.kwargs['db_table'] || field.kwargs['through']) return;
    ctx.report({
      span: op.span,
      message: `RenameField ${label} -> ${newName}: renames the many-to-many table ${names.table}_${oldName} while old code still queries it`,
      operation: op,
    });
    return;
  }
  const before = fieldColumnName(oldName, field);
  const after = fieldColumnName(newName, field);
  if (before === undefined || before === after) return;
  ctx.report({
    span: op.span,
    message: `RenameField ${label} -> ${newName}: renames column ${before} to ${after} in ${names.table}; old code still SELECTs ${before}`,
    operation: op,
  });
}

function checkColumnChange(ctx: FileContext, op: Operation): void {
  const change = readAlteredColumn(ctx, op);
  if (!change) return;
  const before = fieldColumnName(change.fieldName, change.before);
  const after = fieldColumnName(change.fieldName, change.after);
  if (before === undefined || after === undefined || before === after) return;
  ctx.report({
    span: kwargSpanOr(change.after, 'db_column', op.span),
    message: `AlterField ${change.label}: renames column ${before} to ${after} in ${change.names.table}; old code still SELECTs ${before}`,
    operation: op,
  });
}
