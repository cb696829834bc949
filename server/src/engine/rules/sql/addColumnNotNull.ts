import { SQL_OPERATIONS, existingTableAlters, reportStatement } from '../migrationSql';
import type { FileRule } from '../rule';

export const sqlAddColumnNotNull: FileRule = {
  id: 'sql-add-column-not-null',
  title: 'ADD COLUMN ... NOT NULL without DEFAULT in RunSQL',
  severity: 'error',
  vendors: 'all',
  category: 'sql',
  scope: 'file',
  explanation: {
    summary:
      '`ALTER TABLE ... ADD COLUMN ... NOT NULL` without a `DEFAULT` fails outright as soon as the table has rows, and even on an empty table the old code, which does not know the column, can no longer INSERT.',
    sql: 'ALTER TABLE shop_order ADD COLUMN status varchar(20) NOT NULL;',
    lock: 'ACCESS EXCLUSIVE on the table, briefly (catalog change), queued behind every running query.',
    blocks: "Reads and writes while the lock is held; afterwards every INSERT from code that does not set the column fails with a NOT NULL violation.",
    rewrite: 'No rewrite, but the statement errors if any row exists (`column "status" contains null values`).',
    safeAlternative:
      'Add the column nullable (or with a constant `DEFAULT`, which PostgreSQL >= 11 stores without rewriting), backfill in batches, then add a `CHECK (col IS NOT NULL) NOT VALID`, `VALIDATE` it and `SET NOT NULL` in a later migration.',
    safeCode: `ALTER TABLE shop_order ADD COLUMN status varchar(20) NULL;
-- later, after a batched backfill:
ALTER TABLE shop_order ADD CONSTRAINT shop_order_status_not_null CHECK (status IS NOT NULL) NOT VALID;
ALTER TABLE shop_order VALIDATE CONSTRAINT shop_order_status_not_null;
ALTER TABLE shop_order ALTER COLUMN status SET NOT NULL;
ALTER TABLE shop_order DROP CONSTRAINT shop_order_status_not_null;`,
    safeCodeLanguage: 'sql',
  },
  operations: SQL_OPERATIONS,
  checkOperation(ctx, op) {
    for (const { item, alter } of existingTableAlters(ctx, op)) {
      for (const action of alter.actions) {
        if (action.kind !== 'add-column' || !action.notNull || action.hasDefault) continue;
        const column = action.column?.text ?? 'a column';
        reportStatement(ctx, item, `ADD COLUMN ${column} NOT NULL without DEFAULT on ${alter.table?.text ?? 'the table'}: fails when rows exist and breaks INSERTs from old code`);
        break;
      }
    }
  },
};
