// reserved-word-column: a column named `order`, `user`, `group`... Django quotes every identifier it generates, so
// the ORM is fine; hand-written SQL (RunSQL, raw(), dashboards, psql) breaks or silently means something else.
import type { CallExpr, Expr, Operation, Span } from '../python/model';
import { databasesReserving, isReservedWord } from '../sql/reservedWords';
import type { FileContext, FileRule } from './rule';
import { createModelFields, dictEntry, fieldCall, literalTruth, opArg, stringValue, targetModel, writtenModelName } from '../django/operations';
import { fieldColumnName, fieldShape } from '../django/fields';
import { isUnmanagedModel } from './operationFacts';

export const reservedWordColumn: FileRule = {
  id: 'reserved-word-column',
  title: 'Column named with an SQL reserved word',
  severity: 'info',
  vendors: 'all',
  category: 'hygiene',
  scope: 'file',
  explanation: {
    summary:
      'The column name is a reserved word of the database (`order`, `user`, `group`, `limit`, `offset`...). Django quotes identifiers, so the ORM works, ' +
      'but every hand-written query, `RunSQL` data fix, reporting tool and psql session must remember to quote it: unquoted it is a syntax error, or worse, means something else (`SELECT user FROM ...` returns the database role).',
    sql: '`ALTER TABLE "shop_order" ADD COLUMN "order" integer` works (quoted); `SELECT order FROM shop_order` fails with `syntax error at or near "order"`.',
    lock: '',
    blocks: 'Nothing in Django; raw SQL that forgets the quotes fails at run time, often in a hurried production fix.',
    rewrite: 'No.',
    safeAlternative:
      'Pick a non-reserved name (`position`, `sort_order`, `owner`, `group_name`), or keep the Python attribute and give the column a safe name with `db_column=`.',
    safeCode:
      'migrations.AddField(\n' +
      '    model_name="task",\n' +
      '    name="order",\n' +
      '    # the Python attribute stays `order`; the column is not a reserved word\n' +
      '    field=models.PositiveIntegerField(default=0, db_column="sort_order"),\n' +
      ')\n',
    safeCodeLanguage: 'python',
  },
  operations: ['CreateModel', 'AddField', 'AlterField', 'RenameField'],
  checkOperation(ctx, op) {
    // Columns of unmanaged models are named by whoever owns the table, not by this migration.
    if (!ctx.touchesDatabase(op) || isUnmanagedModel(ctx, op)) return;
    switch (op.name) {
      case 'CreateModel':
        if (literalTruth(dictEntry(opArg(op, 'options'), 'managed')?.value) === false) break;
        for (const entry of createModelFields(op)) {
          if (entry.field) checkColumn(ctx, op, entry.name, entry.nameExpr.span, entry.field);
        }
        break;
      case 'AddField': {
        const name = opArg(op, 'name');
        const call = fieldCall(op);
        const fieldName = stringValue(name);
        if (call && fieldName !== undefined && name) checkColumn(ctx, op, fieldName, argumentSpan(op, 'name', name), call);
        break;
      }
      case 'AlterField':
        checkAlteredColumn(ctx, op);
        break;
      case 'RenameField': {
        const newName = opArg(op, 'new_name');
        const fieldName = stringValue(newName);
        const model = targetModel(op);
        if (fieldName === undefined || !newName || !model) break;
        const oldName = stringValue(opArg(op, 'old_name'));
        // The column follows the new name only when the field has no db_column of its own; without the previous
        // definition (FK `_id` suffix, db_column) the new column name is unknown, so stay silent.
        const before = oldName ? ctx.stateBefore(op).field(ctx.file.app, model, oldName) : undefined;
        if (!before || before.kwargs['db_column']) break;
        const column = fieldColumnName(fieldName, before);
        if (column !== undefined) reportIfReserved(ctx, op, column, argumentSpan(op, 'new_name', newName), `field \`${ctx.file.app}.${modelLabel(op)}.${fieldName}\``);
        break;
      }
    }
  },
};

/** CreateModel/AddField: the column a new field creates. */
function checkColumn(ctx: FileContext, op: Operation, fieldName: string, nameSpan: Span, call: CallExpr): void {
  const column = fieldColumnName(fieldName, fieldShape(call));
  if (column === undefined) return;
  const model = modelLabel(op);
  const dbColumn = call.kwargs['db_column'];
  // Point at what must change: `db_column=` when it names the column, else the field name.
  const span = dbColumn && dbColumn.kind === 'string' ? call.kwargSpans['db_column'] ?? nameSpan : nameSpan;
  reportIfReserved(ctx, op, column, span, `field \`${ctx.file.app}.${model}.${fieldName}\``);
}

/** AlterField: only a newly chosen `db_column` introduces a column name; the field's own name was checked where it was added. */
function checkAlteredColumn(ctx: FileContext, op: Operation): void {
  const call = fieldCall(op);
  const column = stringValue(call?.kwargs['db_column']);
  const model = targetModel(op);
  const fieldName = stringValue(opArg(op, 'name'));
  if (!call || column === undefined || !model || fieldName === undefined) return;
  const before = ctx.stateBefore(op).field(ctx.file.app, model, fieldName);
  if (before && fieldColumnName(fieldName, before)?.toLowerCase() === column.toLowerCase()) return;
  reportIfReserved(ctx, op, column, call.kwargSpans['db_column'] ?? op.span, `field \`${ctx.file.app}.${modelLabel(op)}.${fieldName}\``);
}

function reportIfReserved(ctx: FileContext, op: Operation, column: string, span: Span, subject: string): void {
  if (!isReservedWord(column, ctx.database)) return;
  const reservedIn = databasesReserving(column).join(', ');
  ctx.report({
    span,
    operation: op,
    message: `Column \`${column}\` of ${subject} is a reserved word (${reservedIn}): raw SQL must quote it`,
    advice: 'consider another name or `db_column=`',
  });
}

/** The span of `name=value` when passed by keyword, else of the positional value. */
function argumentSpan(op: Operation, param: string, value: Expr): Span {
  return op.call.kwargSpans[param] ?? value.span;
}

/** The model name as written (`ChecklistItem` in CreateModel, usually lower case in field operations). */
function modelLabel(op: Operation): string {
  return writtenModelName(op) ?? '?';
}
