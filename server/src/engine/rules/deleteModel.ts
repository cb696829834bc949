// DeleteModel drops the table (and its rows) while the old release still queries it.
import type { FileRule } from './rule';
import { changesExistingTable, modelNames } from './operationFacts';

export const deleteModel: FileRule = {
  id: 'delete-model',
  title: 'DeleteModel drops a table the running code still uses',
  severity: 'error',
  vendors: 'all',
  category: 'compatibility',
  scope: 'file',
  explanation: {
    summary:
      'The table and every row in it are gone the moment the migration commits, while the old release is still serving requests that query the model. A rollback of the code cannot bring the data back.',
    sql: 'DROP TABLE "shop_coupon" CASCADE;',
    lock: 'ACCESS EXCLUSIVE on the table (and on tables whose foreign keys point at it, to drop those constraints), queued behind every running query on them.',
    blocks: 'Every query on the model by the old code fails with `relation "shop_coupon" does not exist`; the data is lost.',
    rewrite: 'No rewrite: the table files are removed.',
    safeAlternative:
      'Release 1: remove every use of the model from the code and remove it from the migration state only (`SeparateDatabaseAndState(state_operations=[DeleteModel(...)])`). Release 2, after a backup and once nothing reads it: drop the table with `RunSQL`.',
    safeCode: `# Release 1: the code no longer uses Coupon; the table stays
class Migration(migrations.Migration):
    dependencies = [("shop", "0011_order_coupon_code")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Coupon")],
        ),
    ]


# Release 2 (a later deploy, after a backup)
class Migration(migrations.Migration):
    dependencies = [("shop", "0012_delete_coupon_state")]

    operations = [
        migrations.RunSQL(
            sql='DROP TABLE IF EXISTS "shop_coupon";',
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]`,
    safeCodeLanguage: 'python',
    notReported: [
      'post-deploy migrations: the old code that used the table is gone',
      'state-only deletions (SeparateDatabaseAndState)',
    ],
  },
  operations: ['DeleteModel'],
  checkOperation(ctx, op) {
    if (!changesExistingTable(ctx, op)) return;
    // After the deploy no running code uses the table: dropping it then is the safe last step.
    if (ctx.standing.phase.phase === 'after-deploy') return;
    const names = modelNames(ctx, op);
    if (!names) return;
    ctx.report({
      span: op.span,
      message: `DeleteModel ${names.label}: drops table ${names.table} with all its rows while old code still queries it`,
      advice: 'remove it from the migration state only (SeparateDatabaseAndState) and drop the table in a later release',
      operation: op,
    });
  },
};
