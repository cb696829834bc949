import { blocksWrites, isLockMode } from '../../sql/locks';
import { parseLockTable } from '../../sql/statements';
import { existingTables, operationSqlStatements, reportStatement, SQL_OPERATIONS } from '../migrationSql';
import type { FileRule } from '../rule';

/**
 * Whether ordinary reads and writes go on under the mode: PostgreSQL modes per sql/locks.ts (docs/locks.md); MySQL's
 * `LOCK TABLES t READ` is left alone, `WRITE` and unknown words are not.
 */
function letsTrafficThrough(mode: string): boolean {
  if (mode === 'READ') return true;
  return isLockMode(mode) && !blocksWrites(mode);
}

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
    blocks: 'ACCESS EXCLUSIVE: reads and writes; EXCLUSIVE, SHARE ROW EXCLUSIVE, SHARE: writes (EXCLUSIVE also SELECT ... FOR UPDATE; plain reads go on). Waiting for it also queues every later query on the table.',
    rewrite: 'No rewrite.',
    safeAlternative:
      'Avoid explicit locks: use operations that need weaker locks (CONCURRENTLY, NOT VALID + VALIDATE), keep the locked part of the work tiny and alone in its migration, and set `lock_timeout` so the migration gives up instead of queueing traffic.',
    safeCode: `SET lock_timeout = '5s';
-- the one short statement that really needs the lock, alone in its migration`,
    safeCodeLanguage: 'sql',
  },
  operations: SQL_OPERATIONS,
  checkOperation(ctx, op) {
    for (const item of operationSqlStatements(ctx, op)) {
      const lock = parseLockTable(item.statement);
      if (!lock || letsTrafficThrough(lock.mode)) continue;
      const existing = existingTables(ctx, item, lock.tables);
      if (!existing) continue;
      const tables = existing.map((table) => table.text).join(', ');
      reportStatement(ctx, item, `LOCK TABLE ${tables} in ${lock.mode} mode keeps the table locked until the migration commits`);
    }
  },
};
