// composite-primary-key-change: Django 5.2's CompositePrimaryKey can only be created with the table. Adding one to an
// existing model (or altering/removing it) is not supported by the schema editor: the migration either does not do
// what the state claims or fails half way, and the state and the database disagree about the primary key.
import type { CallExpr, Operation } from '../python/model';
import type { FileContext, FileRule } from './rule';
import { calleeName, fieldCall, opArg, stringValue, targetModel } from '../django/operations';
import { changesExistingTable, modelNames } from './operationFacts';

const COMPOSITE = 'CompositePrimaryKey';

export const compositePrimaryKeyChange: FileRule = {
  id: 'composite-primary-key-change',
  title: 'Composite primary key changed on an existing table',
  severity: 'error',
  vendors: 'all',
  category: 'hygiene',
  scope: 'file',
  explanation: {
    summary:
      'Django (5.2+) creates a `CompositePrimaryKey` only together with its table. It does not support migrating an existing table to or from a composite primary key, nor adding or removing fields of one: ' +
      'the migration leaves the database with its old primary key while Django\'s state (and the model) assume the new one, so lookups by `pk`, relations and `save()` misbehave.',
    sql: 'Django emits no correct DDL for it. What is needed is `ALTER TABLE shop_orderline DROP CONSTRAINT shop_orderline_pkey, ADD PRIMARY KEY (order_id, product_id)`, which Django does not generate.',
    lock: 'The manual change takes ACCESS EXCLUSIVE on the table, and building the new primary key index scans it (unless the index is built CONCURRENTLY first).',
    blocks: 'All reads and writes while the key is swapped; until then, code that relies on the composite key misbehaves.',
    rewrite: 'Builds a new unique index (scan); dropping the old `id` column afterwards is catalog-only.',
    safeAlternative:
      'Change the key in the database yourself (build the unique index concurrently, then swap the primary key using it), and tell Django only about the new state with `SeparateDatabaseAndState(state_operations=[...])`. Remove the old `id` field from code before dropping its column in a later release.',
    safeCode:
      'class Migration(migrations.Migration):\n' +
      '    atomic = False\n' +
      '    operations = [\n' +
      '        migrations.SeparateDatabaseAndState(\n' +
      '            database_operations=[\n' +
      '                migrations.RunSQL(\n' +
      '                    "CREATE UNIQUE INDEX CONCURRENTLY orderline_pk_idx ON shop_orderline (order_id, product_id)",\n' +
      '                    reverse_sql="DROP INDEX CONCURRENTLY orderline_pk_idx",\n' +
      '                ),\n' +
      '                migrations.RunSQL(\n' +
      '                    "ALTER TABLE shop_orderline DROP CONSTRAINT shop_orderline_pkey, "\n' +
      '                    "ADD CONSTRAINT shop_orderline_pkey PRIMARY KEY USING INDEX orderline_pk_idx",\n' +
      '                    reverse_sql=migrations.RunSQL.noop,\n' +
      '                ),\n' +
      '            ],\n' +
      '            state_operations=[\n' +
      '                migrations.AddField(\n' +
      '                    model_name="orderline",\n' +
      '                    name="pk",\n' +
      '                    field=models.CompositePrimaryKey("order", "product", blank=True, editable=False, primary_key=True, serialize=False),\n' +
      '                ),\n' +
      '            ],\n' +
      '        ),\n' +
      '    ]\n',
    safeCodeLanguage: 'python',
  },
  operations: ['AddField', 'AlterField', 'RemoveField'],
  checkOperation(ctx, op) {
    // State-only operations are the supported way to record a key changed by hand; unmanaged models get no SQL.
    if (!changesExistingTable(ctx, op)) return;
    const message = describeChange(ctx, op);
    if (message) ctx.report({ span: op.span, operation: op, message });
  },
};

function describeChange(ctx: FileContext, op: Operation): string | undefined {
  const model = targetModel(op);
  const fieldName = stringValue(opArg(op, 'name'));
  if (!model || fieldName === undefined) return undefined;
  const label = `\`${modelNames(ctx, op)?.label ?? `${ctx.file.app}.${model}`}\``;
  const call = fieldCall(op);
  const becomesComposite = call !== undefined && calleeName(call) === COMPOSITE;
  if (op.name === 'AddField') {
    return becomesComposite
      ? `AddField adds a CompositePrimaryKey to existing model ${label}: Django cannot migrate an existing table to a composite primary key; change the key with RunSQL and record it with SeparateDatabaseAndState.`
      : undefined;
  }
  const before = ctx.stateBefore(op).field(ctx.file.app, model, fieldName);
  const wasComposite = before?.type === COMPOSITE;
  if (op.name === 'RemoveField') {
    return wasComposite
      ? `RemoveField removes the CompositePrimaryKey of existing model ${label}: Django cannot migrate a table away from a composite primary key.`
      : undefined;
  }
  if (becomesComposite && wasComposite) {
    if (before.call && keyFields(before.call) === keyFields(call)) return undefined;
    return `AlterField changes the fields of the CompositePrimaryKey of existing model ${label}: Django does not support adding or removing fields of a composite primary key.`;
  }
  if (becomesComposite) {
    return `AlterField turns \`${fieldName}\` of existing model ${label} into a CompositePrimaryKey: Django cannot migrate an existing table to a composite primary key.`;
  }
  return wasComposite ? `AlterField replaces the CompositePrimaryKey of existing model ${label}: Django cannot migrate a table away from a composite primary key.` : undefined;
}

/** The key's field names in order, e.g. `order,product`; positional arguments that are not literal keep their text. */
function keyFields(call: CallExpr): string {
  return call.args.map((arg) => stringValue(arg) ?? arg.text).join(',');
}
