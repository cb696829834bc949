// unanalysed-operations: the operations list is built in a way a static reader cannot follow (a function call, a
// comprehension, a name bound elsewhere). Saying so beats checking less in silence: the user knows this migration
// got no lock, data or compatibility checks, and can write the list out or check its SQL with sqlmigrate.
import type { Expr, Operation } from '../python/model';
import type { FileRule } from './rule';
import { opArg, writtenModelName } from '../django/operations';

export const unanalysedOperations: FileRule = {
  id: 'unanalysed-operations',
  title: 'Operations the engine cannot read statically',
  severity: 'info',
  vendors: 'all',
  category: 'hygiene',
  scope: 'file',
  explanation: {
    summary:
      'Migration Guard reads migrations without running them. This `operations` list (or a nested list of SeparateDatabaseAndState or RunSQL) is computed when the migration runs, so none of its operations were checked. ' +
      'Lists written out, concatenated with `+`, named from module or class level, or extended under `if connection.vendor == ...` are followed; calls and comprehensions are not.',
    sql: 'Unknown until the migration runs: `python manage.py sqlmigrate <app> <migration>` prints it.',
    lock: 'Unknown.',
    blocks: 'Unknown.',
    rewrite: 'Unknown.',
    safeAlternative: 'Write the operations out as a list (per vendor under `if connection.vendor == "postgresql":` when needed), or review `sqlmigrate` output for this migration by hand.',
    safeCode:
      'from django.db import connection, migrations\n\n' +
      'operations = [migrations.AddField(...)]\n' +
      'if connection.vendor == "postgresql":\n' +
      '    operations += [migrations.RunSQL("CREATE EXTENSION IF NOT EXISTS pg_trgm", migrations.RunSQL.noop)]\n\n' +
      'class Migration(migrations.Migration):\n' +
      '    dependencies = [("shop", "0007_order_status")]\n' +
      '    operations = operations\n',
    safeCodeLanguage: 'python',
  },
  check(ctx) {
    const unresolved = ctx.file.migrationClass?.unresolvedOperations;
    if (unresolved) {
      ctx.report({
        span: unresolved.span,
        message: `Operations not checked: ${unresolved.reason}, so Migration Guard cannot see what this migration does`,
        advice: 'write the list out or review `sqlmigrate` output',
      });
    }
  },
  // Definitions built in code leave the replayed history incomplete: later checks of the model know less.
  operations: ['CreateModel', 'AddField', 'AlterField'],
  checkOperation(ctx, op) {
    const unreadable = unreadableDefinition(op);
    if (!unreadable) return;
    ctx.report({
      span: unreadable.span,
      operation: op,
      message: `${op.name} ${writtenModelName(op) ?? ''}: \`${unreadable.param}\` is computed when the migration runs, so the history of this model is not followed past here and later migrations' checks of it know less`,
    });
  },
};

/** The part of a model or field definition written as code the replay cannot read (a name, a call, a comprehension). */
function unreadableDefinition(op: Operation): { param: string; span: Expr['span'] } | undefined {
  const check = (param: string, readable: (value: Expr) => boolean) => {
    const value = opArg(op, param);
    return value && !readable(value) ? { param, span: value.span } : undefined;
  };
  if (op.name === 'CreateModel') return check('fields', (value) => value.kind === 'list' || value.kind === 'tuple');
  // A field is a class instantiated in place (`models.CharField(...)`); a helper call (`money_field()`) hides it.
  if (op.name === 'AddField' || op.name === 'AlterField') return check('field', (value) => value.kind === 'call' && /(^|\.)[A-Z]\w*$/.test(value.callee.text));
  return undefined;
}
