// Adding a foreign key constraint validates every existing row while blocking writes on both tables.
import { hasForeignKeyColumn } from '../django/fields';
import type { FieldDef } from '../state/types';
import type { FileContext, FileRule } from './rule';
import type { Operation } from '../python/model';
import { hasForeignKeyConstraint, presentArg, relationTarget } from '../django/columns';
import { type AlteredColumn, type FieldOperation, kwargSpanOr, readAddedColumn, readAlteredColumn } from './fieldFacts';
import { stringValue } from '../django/operations';

export const addForeignKeyValidating: FileRule = {
  id: 'add-foreign-key-validating',
  title: 'Foreign key constraint validated on an existing table',
  severity: 'warning',
  vendors: ['postgresql', 'mysql'],
  category: 'locking',
  scope: 'file',
  explanation: {
    summary:
      'Adding a foreign key constraint to existing data makes the database check every existing row against the referenced table (PostgreSQL skips the check only for a brand-new column with no default, where every row is NULL). On PostgreSQL that takes a SHARE ROW EXCLUSIVE lock on both tables for the whole scan, so writes to the table and to the referenced table (often a hot one such as the users table) wait. MySQL copies the table when foreign_key_checks is on.',
    sql: 'ALTER TABLE "shop_order" ADD CONSTRAINT "shop_order_customer_id_fk" FOREIGN KEY ("customer_id") REFERENCES "shop_customer" ("id") DEFERRABLE INITIALLY DEFERRED;',
    lock: 'SHARE ROW EXCLUSIVE on both tables for the whole validation scan, held until the migration commits (on top of the ACCESS EXCLUSIVE lock of an ADD COLUMN in the same migration).',
    blocks: 'Writes to both tables during the validation; reads continue on PostgreSQL.',
    rewrite: 'PostgreSQL: full scan of the table (no rewrite). MySQL: table copy (ALGORITHM=COPY) unless foreign_key_checks is off.',
    safeAlternative:
      'Add the field with `db_constraint=False`, then add the constraint as `NOT VALID` (brief lock, checks only new rows) and `VALIDATE CONSTRAINT` in a later migration (SHARE UPDATE EXCLUSIVE: reads and writes go on); keep the state with `SeparateDatabaseAndState`.',
    safeCode: `# 0008: column and index, no constraint yet
migrations.AddField(
    model_name="order",
    name="customer",
    field=models.ForeignKey(
        null=True,
        on_delete=django.db.models.deletion.PROTECT,
        to="shop.customer",
        db_constraint=False,
    ),
)

# 0009: constraint without a scan, then validation that does not block writes
migrations.RunSQL(
    'ALTER TABLE "shop_order" ADD CONSTRAINT "order_customer_fk" FOREIGN KEY ("customer_id") '
    'REFERENCES "shop_customer" ("id") DEFERRABLE INITIALLY DEFERRED NOT VALID;',
    reverse_sql='ALTER TABLE "shop_order" DROP CONSTRAINT "order_customer_fk";',
)
migrations.RunSQL(
    'ALTER TABLE "shop_order" VALIDATE CONSTRAINT "order_customer_fk";',
    reverse_sql=migrations.RunSQL.noop,
)`,
    safeCodeLanguage: 'python',
  },
  operations: ['AddField', 'AlterField'],
  checkOperation(ctx, op) {
    // Without history most AlterFields of a foreign key keep the constraint: only known changes count.
    const altered = readAlteredColumn(ctx, op);
    const field = readAddedColumn(ctx, op) ?? altered;
    if (!field || hasForeignKeyConstraint(field.after) !== true) return;
    if (altered && !addsConstraint(altered)) return;
    if (!altered && ctx.database === 'postgresql' && startsAllNull(field.after)) return;
    ctx.report({
      span: op.name === 'AlterField' ? kwargSpanOr(field.after, 'db_constraint', op.span) : op.span,
      message: `${op.name} ${field.label}: ${validation(ctx, op, field)}`,
      ...(ctx.database === 'postgresql' ? { advice: 'add it with db_constraint=False, then add the constraint NOT VALID and VALIDATE it in a later migration' } : {}),
      operation: op,
    });
  },
};

/**
 * PostgreSQL skips validating a foreign key added inline with a new column that has no default (every row is NULL,
 * so nothing can violate it); Django adds foreign keys inline on PostgreSQL, so such an AddField takes brief locks only.
 */
function startsAllNull(field: FieldDef): boolean {
  return !presentArg(field, 'default') && !presentArg(field, 'db_default');
}

/** An AlterField adds (or re-creates) the constraint when there was none or it pointed elsewhere. */
function addsConstraint(field: AlteredColumn): boolean {
  const before = field.before;
  if (!hasForeignKeyColumn(before)) return true;
  const hadConstraint = hasForeignKeyConstraint(before);
  if (hadConstraint === false) return true;
  if (hadConstraint === undefined) return false;
  const app = field.names.app;
  return relationTarget(before, app, field.names.key) !== relationTarget(field.after, app, field.names.key);
}

function validation(ctx: FileContext, op: Operation, field: FieldOperation): string {
  const target = targetTable(ctx, op, field.after, field);
  if (ctx.database === 'mysql') return `adding the foreign key to ${target} copies ${field.names.table} while foreign_key_checks is on`;
  return `the foreign key to ${target} is validated by a full scan of ${field.names.table} under SHARE ROW EXCLUSIVE locks on both tables (writes wait)`;
}

function targetTable(ctx: FileContext, op: Operation, after: FieldDef, field: FieldOperation): string {
  const target = relationTarget(after, field.names.app, field.names.key);
  if (!target) return 'the referenced table';
  if (target.startsWith('expr:')) return target.slice('expr:'.length);
  const dot = target.lastIndexOf('.');
  const app = target.slice(0, dot);
  const key = target.slice(dot + 1);
  const model = ctx.stateBefore(op).model(app, key);
  return stringValue(model?.options['db_table']) ?? `${app}_${key}`;
}
