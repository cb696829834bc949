import { transactionControl } from '../sql/statements';
import { SQL_OPERATIONS, operationSqlStatements, reportStatement, statementExcerpt } from './migrationSql';
import type { FileRule } from './rule';
import { migrationAtomic } from '../django/migrationClass';

export const runsqlTransactionControl: FileRule = {
  id: 'runsql-transaction-control',
  title: 'BEGIN/COMMIT/ROLLBACK inside RunSQL of an atomic migration',
  severity: 'error',
  vendors: ['postgresql'],
  category: 'transactions',
  scope: 'file',
  explanation: {
    summary:
      'Django already runs an atomic migration in a transaction. A `COMMIT` in RunSQL ends it half way (earlier operations become permanent, later ones run outside any transaction, and Django\'s own COMMIT then warns or fails); a `ROLLBACK` silently undoes the operations before it while Django records the migration as applied.',
    sql: 'BEGIN;\nUPDATE shop_order SET status = \'new\' WHERE status IS NULL;\nCOMMIT;',
    lock: 'Whatever the statements take; the problem is the broken transaction boundary.',
    blocks: 'Correctness: a partly applied migration recorded as done, or a failed deploy.',
    rewrite: 'No.',
    safeAlternative:
      'Remove the transaction statements and let Django manage the transaction. If the SQL must run outside a transaction (or commit in steps), set `atomic = False` on the Migration and split the work into separate operations.',
    safeCode: `migrations.RunSQL(
    sql="UPDATE shop_order SET status = 'new' WHERE status IS NULL;",
    reverse_sql=migrations.RunSQL.noop,
)`,
    safeCodeLanguage: 'python',
  },
  operations: SQL_OPERATIONS,
  checkOperation(ctx, op) {
    if (migrationAtomic(ctx.file) !== true || !ctx.file.migrationClass) return;
    // Once per operation: its first transaction-control statement.
    for (const item of operationSqlStatements(ctx, op)) {
      const control = transactionControl(item.statement);
      if (!control) continue;
      const effect = control === 'begin' ? 'starts a transaction inside Django\'s' : control === 'commit' ? "commits Django's transaction half way" : "rolls back Django's transaction while the migration is recorded as applied";
      reportStatement(ctx, item, `RunSQL \`${statementExcerpt(item.statement, 30)}\` ${effect} in an atomic migration`);
      return;
    }
  },
};
