import type { DeclaredFix, FileRule } from './rule';
import type { Expr, MigrationModel, Operation } from '../python/model';
import { MIGRATIONS_MODULE, importsOf, symbolReference } from '../fixes/imports';
import { replaceText, setKeywordArgument } from '../fixes/operations';
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
    ctx.report({ span: op.span, message: `${what} has no reverse_sql, so this migration cannot be unapplied`, advice: 'pass reverse_sql (migrations.RunSQL.noop when there is nothing to undo)', operation: op, fixes: [reverseSqlFix(ctx.file, op, reverse)] });
  },
};

/** `reverse_sql=migrations.RunSQL.noop`: in place of an explicit None, else as a new keyword argument. */
function reverseSqlFix(file: MigrationModel, op: Operation, explicitNone: Expr | undefined): DeclaredFix {
  if (explicitNone) {
    const noop = `${op.call.callee.text}.noop`;
    return { title: `Use ${noop} as reverse_sql`, safe: false, edits: [replaceText(explicitNone.span, noop)] };
  }
  const runSql = symbolReference(file, MIGRATIONS_MODULE, 'RunSQL');
  const edits = setKeywordArgument(file, op.call, 'reverse_sql', `${runSql.text}.noop`);
  return { title: `Add reverse_sql=${runSql.text}.noop`, safe: true, edits: edits.length > 0 ? [...edits, ...importsOf(runSql)] : [] };
}
