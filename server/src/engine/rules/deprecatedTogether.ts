// deprecated-together: `index_together` (Meta option and AlterIndexTogether) was deprecated in Django 4.2 and the
// Meta option removed in 5.1. `unique_together` is not deprecated and stays silent.
import type { Expr, Operation } from '../python/model';
import type { FileRule } from './rule';
import { dictEntry, opArg, writtenModelName } from '../django/operations';

const OPTION_OPERATIONS = new Set(['CreateModel', 'AlterModelOptions']);

export const deprecatedTogether: FileRule = {
  id: 'deprecated-together',
  title: 'index_together is deprecated',
  severity: 'info',
  vendors: 'all',
  category: 'graph',
  scope: 'file',
  explanation: {
    summary:
      '`index_together` was deprecated in Django 4.2 in favour of `Meta.indexes`, and the `Meta` option was removed in Django 5.1. ' +
      '`AlterIndexTogether` survives only so that historical migrations keep loading; new migrations that use it, or models still declaring `index_together`, block the upgrade.',
    sql: '`CREATE INDEX shop_order_customer_id_created_3f1a2b_idx ON shop_order (customer_id, created)` (or `DROP INDEX ...`), exactly like `AddIndex`.',
    lock: 'SHARE while the index is built (writes wait), like any non-concurrent `CREATE INDEX`.',
    blocks: 'INSERT/UPDATE/DELETE on the table during the build; and the upgrade to Django 5.1+, where `index_together` in a model fails the system checks.',
    rewrite: 'No rewrite; the index build scans the table.',
    safeAlternative:
      'Declare the index in `Meta.indexes` with an explicit name. To adopt an index created by `index_together` without rebuilding it, run `makemigrations` after the switch: Django 4.1+ emits `RenameIndex(old_fields=...)`, a catalog-only rename. Squash old migrations that still contain `AlterIndexTogether` once every environment has applied them.',
    safeCode:
      '# models.py\n' +
      'class Meta:\n' +
      '    indexes = [models.Index(fields=["customer", "created"], name="order_customer_created_idx")]\n\n' +
      '# the migration makemigrations writes: renames the existing index, no rebuild\n' +
      'migrations.RenameIndex(\n' +
      '    model_name="order",\n' +
      '    new_name="order_customer_created_idx",\n' +
      '    old_fields=("customer", "created"),\n' +
      ')\n',
    safeCodeLanguage: 'python',
    notReported: [
      'historical migrations something already depends on: Django still loads them, and they cannot be changed; `hygiene-scope = "all"` reports them too',
    ],
  },
  operations: ['AlterIndexTogether', 'CreateModel', 'AlterModelOptions'],
  checkOperation(ctx, op) {
    // A shipped migration keeps its historical operations (Django still loads them); only new ones are worth changing.
    if (ctx.config.hygieneScope === 'leaves' && ctx.standing.hasDependents) return;
    if (op.name === 'AlterIndexTogether') {
      ctx.report({
        span: op.span,
        operation: op,
        message: `AlterIndexTogether on \`${modelLabel(op)}\`: index_together is deprecated since Django 4.2`,
        advice: 'use AddIndex/RemoveIndex (or RenameIndex(old_fields=...) to adopt the existing index)',
      });
    } else if (OPTION_OPERATIONS.has(op.name)) {
      const entry = dictEntry(opArg(op, 'options'), 'index_together');
      if (!entry) return;
      ctx.report({
        span: { start: entry.key.span.start, end: entry.value.span.end },
        operation: op,
        message: `${op.name} \`${modelLabel(op)}\` sets index_together ${describe(entry.value)}: deprecated since Django 4.2 and removed from models in 5.1`,
        advice: 'declare Meta.indexes instead',
      });
    }
  },
};

function modelLabel(op: Operation): string {
  return writtenModelName(op) ?? '?';
}

function describe(value: Expr): string {
  const text = value.text.replace(/\s+/g, ' ');
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
