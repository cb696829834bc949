import type { FileRule } from './rule';
import { noopReverseFix } from '../fixes/composed';
import { operationSqlStatements, statementExcerpt } from './migrationSql';
import { opArg } from '../django/operations';

export const runsqlNoReverse: FileRule = {
  id: 'runsql-no-reverse',
  title: 'RunSQL without reverse_sql',
  severity: 'warning',
  vendors: 'all',
  category: 'transactions',
  scope: 'file',
  explanation: {
    summary:
      'Without `reverse_sql` the migration is irreversible: `migrate` backwards stops with `IrreversibleError`, which blocks rolling back a bad deploy and unapplying migrations in development.',
    sql: 'Forwards: the given SQL. Backwards: nothing to run, so Django raises `IrreversibleError` before touching the database.',
    lock: '',
    blocks: 'Rolling back past this migration, in production after a bad deploy and in development.',
    rewrite: 'No.',
    safeAlternative: 'Pass `reverse_sql` with SQL that undoes the change, or `migrations.RunSQL.noop` when there is nothing to undo (quick fix).',
    safeCode: `migrations.RunSQL(
    sql="CREATE INDEX CONCURRENTLY IF NOT EXISTS shop_order_created_idx ON shop_order (created_at);",
    reverse_sql="DROP INDEX CONCURRENTLY IF EXISTS shop_order_created_idx;",
)`,
    safeCodeLanguage: 'python',
  },
  operations: ['RunSQL'],
  checkOperation(ctx, op) {
    if (!ctx.touchesDatabase(op) || op.call.hasStarArgs) return;
    const reverse = opArg(op, 'reverse_sql');
    if (reverse && reverse.kind !== 'none') return;
    const first = operationSqlStatements(ctx, op)[0];
    const what = first ? `RunSQL \`${statementExcerpt(first.statement, 40)}\`` : 'RunSQL';
    ctx.report({ span: op.span, message: `${what} has no reverse_sql, so this migration cannot be unapplied`, advice: 'pass reverse_sql (migrations.RunSQL.noop when there is nothing to undo)', operation: op, fixes: [noopReverseFix(ctx.file, op, 'RunSQL', reverse)] });
  },
};
