import { parseCreateIndex } from '../../sql/statements';
import { isNewTable, operationSqlStatements, reportStatement, SQL_OPERATIONS } from '../migrationSql';
import type { FileRule } from '../rule';

export const sqlCreateIndexNonConcurrent: FileRule = {
  id: 'sql-create-index-non-concurrent',
  title: 'CREATE INDEX without CONCURRENTLY in RunSQL',
  severity: 'warning',
  vendors: ['postgresql'],
  category: 'sql',
  scope: 'file',
  explanation: {
    summary:
      'A plain `CREATE INDEX` blocks every INSERT, UPDATE and DELETE on the table for as long as the index takes to build, which is minutes on a large table.',
    sql: 'CREATE INDEX shop_order_created_idx ON shop_order (created_at);',
    lock: 'SHARE on the table for the whole build (and, in an atomic migration, every lock taken earlier stays held until COMMIT).',
    blocks: 'All writes to the table; reads keep working.',
    rewrite: 'No rewrite, but a full scan of the table and a sort to build the index.',
    safeAlternative:
      'Build the index with `CREATE INDEX CONCURRENTLY` (add `IF NOT EXISTS` so a retry is harmless) in a migration with `atomic = False`, alone in that migration. Indexes on a table created earlier in the same migration are fine as they are.',
    safeCode: `class Migration(migrations.Migration):
    atomic = False

    operations = [
        migrations.RunSQL(
            sql="CREATE INDEX CONCURRENTLY IF NOT EXISTS shop_order_created_idx ON shop_order (created_at);",
            reverse_sql="DROP INDEX CONCURRENTLY IF EXISTS shop_order_created_idx;",
        ),
    ]`,
    safeCodeLanguage: 'python',
  },
  operations: SQL_OPERATIONS,
  checkOperation(ctx, op) {
    for (const item of operationSqlStatements(ctx, op)) {
      const index = parseCreateIndex(item.statement);
      if (!index || index.concurrently || isNewTable(ctx, item, index.table)) continue;
      const name = index.index ? ` ${index.index.text}` : '';
      const table = index.table ? ` on ${index.table.text}` : '';
      reportStatement(ctx, item, `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX${name}${table} without CONCURRENTLY blocks writes to the table while the index builds`);
    }
  },
};
