import { parseLockTable } from '../../sql/statements';
import { existingTables, migrationSqlStatements, reportStatement } from '../migrationSql';
import type { FileRule } from '../rule';

/** Lock modes that let ordinary reads and writes continue. */
const HARMLESS_MODES = new Set(['ACCESS SHARE', 'ROW SHARE', 'ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'READ']);

export const sqlLockTable: FileRule = {
  id: 'sql-lock-table',
  title: 'Explicit LOCK TABLE in RunSQL',
  severity: 'warning',
  vendors: ['postgresql', 'mysql'],
  category: 'sql',
  scope: 'file',
  explanation: {
    summary:
      'An explicit `LOCK TABLE` (ACCESS EXCLUSIVE by default) is held until the migration\'s transaction commits, so everything that runs after it in the migration runs with the table unavailable.',
    sql: 'LOCK TABLE shop_order IN ACCESS EXCLUSIVE MODE;',
    lock: 'The named mode (ACCESS EXCLUSIVE when none is given) until COMMIT.',
    blocks: 'ACCESS EXCLUSIVE/EXCLUSIVE: reads and writes; SHARE/SHARE ROW EXCLUSIVE: writes. Waiting for it also queues every later query on the table.',
    rewrite: 'No rewrite.',
    safeAlternative:
      'Avoid explicit locks: use operations that need weaker locks (CONCURRENTLY, NOT VALID + VALIDATE), keep the locked part of the work tiny and alone in its migration, and set `lock_timeout` so the migration gives up instead of queueing traffic.',
    safeCode: `SET lock_timeout = '5s';
-- the one short statement that really needs the lock, alone in its migration`,
    safeCodeLanguage: 'sql',
  },
  check(ctx) {
    for (const item of migrationSqlStatements(ctx)) {
      const lock = parseLockTable(item.statement);
      if (!lock || HARMLESS_MODES.has(lock.mode)) continue;
      const existing = existingTables(ctx, item, lock.tables);
      if (!existing) continue;
      const tables = existing.map((table) => table.text).join(', ');
      reportStatement(ctx, item, `LOCK TABLE ${tables} in ${lock.mode} mode keeps the table locked until the migration commits`);
    }
  },
};
