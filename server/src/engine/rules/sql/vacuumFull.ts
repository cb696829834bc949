import { parseVacuumFull } from '../../sql/statements';
import { operationSqlStatements, reportStatement, SQL_OPERATIONS } from '../migrationSql';
import type { FileRule } from '../rule';

export const sqlVacuumFull: FileRule = {
  id: 'sql-vacuum-full',
  title: 'VACUUM FULL in RunSQL',
  severity: 'warning',
  vendors: ['postgresql'],
  category: 'sql',
  scope: 'file',
  explanation: {
    summary:
      '`VACUUM FULL` rewrites the whole table into a new file while holding ACCESS EXCLUSIVE: the table is unavailable for the entire copy. It also cannot run inside a transaction, so an atomic migration fails outright.',
    sql: 'VACUUM FULL shop_event;',
    lock: 'ACCESS EXCLUSIVE on each table for the whole rewrite.',
    blocks: 'All reads and writes on the table.',
    rewrite: 'Yes, a full table and index rewrite (needs free disk space equal to the table).',
    safeAlternative:
      'Let autovacuum (or a plain `VACUUM`, which takes only SHARE UPDATE EXCLUSIVE) handle bloat; to reclaim space online use an extension such as pg_repack or pg_squeeze, outside migrations.',
    safeCode: `-- outside migrations, during low traffic:
VACUUM (ANALYZE) shop_event;
-- or, to reclaim space online:  pg_repack --table=shop_event`,
    safeCodeLanguage: 'sql',
  },
  operations: SQL_OPERATIONS,
  checkOperation(ctx, op) {
    for (const item of operationSqlStatements(ctx, op)) {
      const vacuum = parseVacuumFull(item.statement);
      if (!vacuum) continue;
      const target = vacuum.tables.length > 0 ? vacuum.tables.map((table) => table.text).join(', ') : 'every table of the database';
      reportStatement(ctx, item, `VACUUM FULL rewrites ${target} under an ACCESS EXCLUSIVE lock`);
    }
  },
};
