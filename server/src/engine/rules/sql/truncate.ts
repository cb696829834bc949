import { parseTruncate } from '../../sql/statements';
import { existingTables, operationSqlStatements, reportStatement, SQL_OPERATIONS } from '../migrationSql';
import type { FileRule } from '../rule';

export const sqlTruncate: FileRule = {
  id: 'sql-truncate',
  title: 'TRUNCATE in RunSQL',
  severity: 'error',
  vendors: 'all',
  category: 'sql',
  scope: 'file',
  explanation: {
    summary: '`TRUNCATE` deletes every row of the table, cannot be filtered, and (with CASCADE) empties referencing tables too. In a migration it runs against production data on every environment.',
    sql: 'TRUNCATE shop_cartitem;',
    lock: 'ACCESS EXCLUSIVE on the table (and on every table truncated through CASCADE) until COMMIT.',
    blocks: 'All reads and writes on the table.',
    rewrite: 'The table is replaced by an empty one; the data is gone.',
    safeAlternative:
      'Delete only what must go, in batches (`DELETE ... WHERE id IN (SELECT id ... LIMIT 10000)`), or do one-off cleanups with a management command run deliberately instead of a migration.',
    safeCode: `DELETE FROM shop_cartitem
WHERE id IN (SELECT id FROM shop_cartitem WHERE created_at < now() - interval '90 days' LIMIT 10000);`,
    safeCodeLanguage: 'sql',
  },
  operations: SQL_OPERATIONS,
  checkOperation(ctx, op) {
    for (const item of operationSqlStatements(ctx, op)) {
      const truncate = parseTruncate(item.statement);
      if (!truncate) continue;
      const existing = existingTables(ctx, item, truncate.tables);
      if (!existing) continue;
      reportStatement(ctx, item, `TRUNCATE ${existing.map((table) => table.text).join(', ') || 'the table'} deletes every row`);
    }
  },
};
