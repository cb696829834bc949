import { SQL_OPERATIONS, existingTableAlters, reportStatement } from '../migrationSql';
import type { FileRule } from '../rule';

export const sqlAddConstraintNotValidMissing: FileRule = {
  id: 'sql-add-constraint-not-valid-missing',
  title: 'FOREIGN KEY or CHECK constraint added without NOT VALID in RunSQL',
  severity: 'warning',
  vendors: ['postgresql'],
  category: 'sql',
  scope: 'file',
  explanation: {
    summary:
      'Adding a foreign key or check constraint validates every existing row while holding a lock that blocks writes (a check: reads too), for as long as the scan takes.',
    sql: 'ALTER TABLE shop_order ADD CONSTRAINT shop_order_customer_fk FOREIGN KEY (customer_id) REFERENCES shop_customer (id);',
    lock: 'FOREIGN KEY: SHARE ROW EXCLUSIVE on both tables; CHECK: ACCESS EXCLUSIVE on the table; held for the whole validation scan.',
    blocks: 'Writes to both tables (FK) or all access to the table (CHECK) during the scan.',
    rewrite: 'No rewrite, but a full scan of the table (and lookups in the referenced table).',
    safeAlternative:
      'Add the constraint with `NOT VALID` (only new rows are checked, the lock is brief), then `VALIDATE CONSTRAINT` in a later migration: validation takes only SHARE UPDATE EXCLUSIVE, which blocks neither reads nor writes.',
    safeCode: `-- migration 1
ALTER TABLE shop_order ADD CONSTRAINT shop_order_customer_fk
    FOREIGN KEY (customer_id) REFERENCES shop_customer (id) NOT VALID;
-- migration 2 (separate transaction)
ALTER TABLE shop_order VALIDATE CONSTRAINT shop_order_customer_fk;`,
    safeCodeLanguage: 'sql',
  },
  operations: SQL_OPERATIONS,
  checkOperation(ctx, op) {
    for (const { item, alter } of existingTableAlters(ctx, op)) {
      for (const action of alter.actions) {
        if (action.kind !== 'add-constraint' || action.notValid) continue;
        if (action.constraintType !== 'foreign-key' && action.constraintType !== 'check') continue;
        const kind = action.constraintType === 'foreign-key' ? 'FOREIGN KEY' : 'CHECK';
        const name = action.constraintName ? ` ${action.constraintName.text}` : '';
        reportStatement(ctx, item, `${kind} constraint${name} on ${alter.table?.text ?? 'the table'} is validated while locking the table: add it NOT VALID and VALIDATE it later`);
        break;
      }
    }
  },
};
