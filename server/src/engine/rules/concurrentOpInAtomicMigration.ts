import { requiresNoTransaction } from '../sql/statements';
import { SQL_OPERATIONS, operationSqlStatements, reportStatement, statementExcerpt } from './migrationSql';
import type { DeclaredFix, FileRule } from './rule';
import { setAtomicFalse } from '../fixes/atomic';
import { migrationAtomic } from '../django/migrationClass';
import { modelNames } from './operationFacts';

const CONCURRENT_OPERATIONS: ReadonlySet<string> = new Set(['AddIndexConcurrently', 'RemoveIndexConcurrently']);

export const concurrentOpInAtomicMigration: FileRule = {
  id: 'concurrent-op-in-atomic-migration',
  title: 'Concurrent index operation in an atomic migration',
  severity: 'error',
  vendors: ['postgresql'],
  category: 'transactions',
  scope: 'file',
  explanation: {
    summary:
      '`CREATE INDEX CONCURRENTLY`, `DROP INDEX CONCURRENTLY` and `REINDEX CONCURRENTLY` cannot run inside a transaction block. Django wraps migrations in a transaction unless the class says `atomic = False`, so the migration fails with `cannot run inside a transaction block`.',
    sql: 'BEGIN;\nCREATE INDEX CONCURRENTLY shop_order_created_idx ON shop_order (created_at);  -- ERROR\n',
    lock: 'None taken: the statement is rejected.',
    blocks: 'The deploy: the migration errors and rolls back.',
    rewrite: 'No.',
    safeAlternative: 'Set `atomic = False` on the Migration class (quick fix) and keep the concurrent operation alone in that migration.',
    safeCode: `from django.contrib.postgres.operations import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("shop", "0011_order_created_at")]

    operations = [
        AddIndexConcurrently(
            "order",
            models.Index(fields=["created_at"], name="shop_order_created_idx"),
        ),
    ]`,
    safeCodeLanguage: 'python',
  },
  operations: [...CONCURRENT_OPERATIONS, ...SQL_OPERATIONS],
  checkOperation(ctx, op) {
    if (migrationAtomic(ctx.file) !== true || !ctx.file.migrationClass || !ctx.touchesDatabase(op)) return;
    const fixes: DeclaredFix[] = [{ title: 'Set atomic = False on the migration', safe: true, edits: [setAtomicFalse()] }];
    if (CONCURRENT_OPERATIONS.has(op.name)) {
      const table = modelNames(ctx, op)?.table;
      ctx.report({ span: op.span, message: `${op.name}${table ? ` on ${table}` : ''} cannot run inside the transaction of an atomic migration`, advice: 'set atomic = False', operation: op, fixes });
      return;
    }
    // Once per operation: its first statement that cannot run in a transaction.
    const item = operationSqlStatements(ctx, op).find((candidate) => requiresNoTransaction(candidate.statement));
    if (item) reportStatement(ctx, item, `RunSQL \`${statementExcerpt(item.statement, 50)}\` cannot run inside the transaction of an atomic migration`, fixes, 'set atomic = False');
  },
};
