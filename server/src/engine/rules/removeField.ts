// RemoveField drops the column while the old code, still running during the deploy, SELECTs it.
import { fieldColumnName, isManyToMany } from '../django/fields';
import type { FileRule } from './rule';
import { wrapInSeparateDatabaseAndState } from '../fixes/operations';
import { isNullable, presentArg } from '../django/columns';
import { readFieldTarget } from './fieldFacts';
import { changesExistingTable } from './operationFacts';

export const removeField: FileRule = {
  id: 'remove-field',
  title: 'RemoveField drops a column the running code still reads',
  severity: 'error',
  vendors: 'all',
  category: 'compatibility',
  scope: 'file',
  explanation: {
    summary:
      'Django SELECTs every column a model declares. While the migration runs, the old release is still serving traffic with the field in its model, so every query on the table fails with "column does not exist" until the new code is live. On rollback the column and its data are gone for good.',
    sql: 'ALTER TABLE "shop_order" DROP COLUMN "note" CASCADE;',
    lock: 'ACCESS EXCLUSIVE on the table, brief (catalog-only), but it waits behind every running query on the table and everything queued after it waits too.',
    blocks: "Old code's SELECTs, INSERTs and UPDATEs of the model fail as soon as the column is gone; the data cannot be recovered by rolling back the code.",
    rewrite: 'No rewrite on PostgreSQL (the column is only marked dropped); MySQL may rebuild the table; SQLite copies it.',
    safeAlternative:
      'Release 1: stop using the field in code and remove it from the model, but only from the migration state with `SeparateDatabaseAndState(state_operations=[RemoveField(...)])`. Release 2, once no running code reads it: drop the column with `RunSQL`.',
    safeCode: `# Release 1: code no longer uses Order.note; the column stays in the table
class Migration(migrations.Migration):
    dependencies = [("shop", "0007_order_status")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="order", name="note"),
            ],
        ),
    ]


# Release 2 (a later deploy): nothing reads the column any more
class Migration(migrations.Migration):
    dependencies = [("shop", "0008_remove_order_note_state")]

    operations = [
        migrations.RunSQL(
            sql='ALTER TABLE "shop_order" DROP COLUMN IF EXISTS "note";',
            reverse_sql='ALTER TABLE "shop_order" ADD COLUMN "note" text NULL;',
        ),
    ]`,
    safeCodeLanguage: 'python',
    notReported: [
      'migrations that run after the deploy (`Safe.after_deploy()`, `is_post_deployment = True`, `post-deploy` globs) when the column is nullable or has a database default: no running code needs it',
      'a RemoveField before a DeleteModel of the same model in the same migration: reported once, on the DeleteModel',
      'state-only removals (SeparateDatabaseAndState)',
    ],
  },
  operations: ['RemoveField'],
  checkOperation(ctx, op) {
    if (!changesExistingTable(ctx, op)) return;
    const removed = readFieldTarget(ctx, op);
    if (!removed) return;
    const { names, fieldName, before } = removed;
    if (ctx.standing.phase.phase === 'after-deploy') {
      // After the deploy no running code reads the column: the drop is the safe last step, unless the new code's
      // INSERTs (which no longer set it) still need it to be nullable or to have a database default.
      if (before && (isManyToMany(before) || isNullable(before) !== false || presentArg(before, 'db_default'))) return;
      const known = before ? 'is NOT NULL without a database default' : 'may be NOT NULL without a database default (its definition is unknown)';
      ctx.report({
        span: op.span,
        message: `RemoveField ${removed.label} after the deploy (${ctx.standing.phase.reason}): column ${(before && fieldColumnName(fieldName, before)) ?? fieldName} ${known}, so the new code's INSERTs fail until this runs`,
        advice: 'make it null=True in the release that stops using it',
        operation: op,
      });
      return;
    }
    const dropped =
      before && isManyToMany(before)
        ? 'drops its many-to-many table (data loss) while old code still queries it'
        : `drops column ${(before && fieldColumnName(fieldName, before)) ?? fieldName} from ${names.table} (data loss) while old code still SELECTs it`;
    ctx.report({
      span: op.span,
      message: `RemoveField ${removed.label}: ${dropped}`,
      advice: 'remove it from the migration state only (SeparateDatabaseAndState) and drop the column in a later release',
      operation: op,
      // Turning it into a state-only removal only makes sense for a top-level operation.
      fixes:
        op.context === 'operations'
          ? [
              {
                title: 'Remove the field from the state only (SeparateDatabaseAndState), drop the column in a later release',
                safe: false,
                edits: wrapInSeparateDatabaseAndState(ctx.file, op, 'The column stays for the code still running; drop it in a later release.'),
              },
            ]
          : [],
    });
  },
};
