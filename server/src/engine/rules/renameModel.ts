// RenameModel and AlterModelTable rename the table under the old code that still queries the old name.
import type { Operation } from '../python/model';
import type { FileContext, FileRule } from './rule';
import { previousModel } from './fieldFacts';
import { changesExistingTable, modelNames } from './operationFacts';
import { literalTruth, opArg, stringValue } from '../django/operations';

export const renameModel: FileRule = {
  id: 'rename-model',
  title: 'Renaming a table breaks the code that is still running',
  severity: 'error',
  vendors: 'all',
  category: 'compatibility',
  scope: 'file',
  explanation: {
    summary:
      "`RenameModel` renames the model's table (and its many-to-many tables) unless `Meta.db_table` pins the name; `AlterModelTable` renames it explicitly. The old release, still running during the deploy, queries the old table name and fails.",
    sql: 'ALTER TABLE "shop_coupon" RENAME TO "shop_voucher";',
    lock: 'ACCESS EXCLUSIVE on the table, brief (catalog-only), queued behind every running query on it; foreign keys that point at it are touched too.',
    blocks: 'Every query of the old code on the model fails with `relation "shop_coupon" does not exist` until the new code is live, and again after a code rollback.',
    rewrite: 'No rewrite on PostgreSQL or MySQL; SQLite may rebuild referencing tables.',
    safeAlternative:
      'Rename the Python class only: keep `Meta.db_table` pointing at the old table (set it in the same release as the rename), so Django issues no SQL. Rename the table itself, if ever, behind a view or in a maintenance window.',
    safeCode: `# models.py
class Voucher(models.Model):
    code = models.CharField(max_length=32)

    class Meta:
        db_table = "shop_coupon"  # the table keeps its name


# migration: set db_table first, then rename the class; neither issues SQL
class Migration(migrations.Migration):
    dependencies = [("shop", "0011_order_coupon_code")]

    operations = [
        migrations.AlterModelTable(name="coupon", table="shop_coupon"),
        migrations.RenameModel(old_name="Coupon", new_name="Voucher"),
    ]`,
    safeCodeLanguage: 'python',
  },
  operations: ['RenameModel', 'AlterModelTable'],
  checkOperation(ctx, op) {
    if (!changesExistingTable(ctx, op)) return;
    if (op.name === 'RenameModel') checkRenameModel(ctx, op);
    else if (op.name === 'AlterModelTable') checkAlterModelTable(ctx, op);
  },
};

function checkRenameModel(ctx: FileContext, op: Operation): void {
  const oldName = stringValue(opArg(op, 'old_name'));
  const newName = stringValue(opArg(op, 'new_name'));
  if (!oldName || !newName) return;
  const app = ctx.file.app;
  const state = ctx.stateBefore(op);
  // RenameModel names its model by old_name, which targetModel() does not read: apply the exemptions here.
  if (state.createdInSameMigration(app, oldName.toLowerCase())) return;
  const model = previousModel(ctx, op, oldName.toLowerCase());
  if (model && (literalTruth(model.options['managed']) === false || literalTruth(model.options['proxy']) === true)) return;
  // An explicit db_table survives the rename, so the table keeps its name.
  const dbTable = model?.options['db_table'];
  if (dbTable && dbTable.kind !== 'none') return;
  const oldTable = `${app}_${oldName.toLowerCase()}`;
  const newTable = `${app}_${newName.toLowerCase()}`;
  const unknown = model ? '' : ' (previous definition unknown: safe only if Meta.db_table is set)';
  ctx.report({
    span: op.span,
    message: `RenameModel ${app}.${oldName} -> ${newName}: renames table ${oldTable} to ${newTable}${unknown}; old code still queries ${oldTable}`,
    operation: op,
  });
}

function checkAlterModelTable(ctx: FileContext, op: Operation): void {
  const names = modelNames(ctx, op);
  const tableArg = opArg(op, 'table');
  if (!names || !tableArg) return;
  const defaultTable = `${names.app}_${names.key}`;
  const newTable = tableArg.kind === 'none' ? defaultTable : stringValue(tableArg);
  if (newTable === undefined) return;
  const model = previousModel(ctx, op, names.key);
  // Without history the old name is a guess: the default name is the only one worth assuming.
  const oldTable = model ? names.table : defaultTable;
  if (oldTable === newTable) return;
  const unknown = model ? '' : ' (previous db_table unknown)';
  ctx.report({
    span: op.span,
    message: `AlterModelTable ${names.label}: renames table ${oldTable} to ${newTable}${unknown}; old code still queries ${oldTable}`,
    operation: op,
  });
}
