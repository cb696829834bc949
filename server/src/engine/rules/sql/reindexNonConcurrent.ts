import { parseReindex } from '../../sql/statements';
import { operationSqlStatements, reportStatement, SQL_OPERATIONS } from '../migrationSql';
import type { FileRule } from '../rule';

export const sqlReindexNonConcurrent: FileRule = {
  id: 'sql-reindex-non-concurrent',
  title: 'REINDEX without CONCURRENTLY in RunSQL',
  severity: 'warning',
  vendors: ['postgresql'],
  category: 'sql',
  scope: 'file',
  explanation: {
    summary:
      'A plain `REINDEX` blocks writes to the table and locks the index being rebuilt exclusively, so queries that would use it wait too, for the whole rebuild.',
    sql: 'REINDEX INDEX shop_order_created_idx;',
    lock: 'SHARE on the table plus ACCESS EXCLUSIVE on the index for the whole rebuild.',
    blocks: 'All writes to the table and every query planned to use the index.',
    rewrite: 'The index is rebuilt from a full scan of the table.',
    safeAlternative:
      'Use `REINDEX ... CONCURRENTLY` (PostgreSQL >= 12) in a migration with `atomic = False`; it cannot run inside a transaction block.',
    safeCode: `class Migration(migrations.Migration):
    atomic = False

    operations = [
        migrations.RunSQL(
            "REINDEX INDEX CONCURRENTLY shop_order_created_idx;",
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]`,
    safeCodeLanguage: 'python',
  },
  operations: SQL_OPERATIONS,
  checkOperation(ctx, op) {
    for (const item of operationSqlStatements(ctx, op)) {
      const reindex = parseReindex(item.statement);
      if (!reindex || reindex.concurrently) continue;
      const target = [reindex.target, reindex.name?.text].filter((part) => part !== undefined).join(' ');
      reportStatement(ctx, item, `REINDEX ${target} without CONCURRENTLY blocks writes to the table while the index is rebuilt`);
    }
  },
};
