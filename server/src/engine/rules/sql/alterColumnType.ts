import { SQL_OPERATIONS, existingTableAlters, reportStatement } from '../migrationSql';
import type { FileRule } from '../rule';

export const sqlAlterColumnType: FileRule = {
  id: 'sql-alter-column-type',
  title: 'Column type change in RunSQL',
  severity: 'warning',
  vendors: 'all',
  category: 'sql',
  scope: 'file',
  explanation: {
    summary:
      'Changing a column type usually rewrites the whole table and every index on it while holding the strongest lock: the table is unavailable for the duration, minutes to hours on a large table. Only a few changes are catalog-only (varchar(n) to a longer varchar or to text).',
    sql: 'ALTER TABLE shop_order ALTER COLUMN quantity TYPE bigint;',
    lock: 'ACCESS EXCLUSIVE on the table for the whole rewrite.',
    blocks: 'All reads and writes on the table.',
    rewrite: 'Yes, a full table and index rewrite for most type changes (MySQL: a table copy).',
    safeAlternative:
      'Expand/contract: add a new column of the new type, keep both in sync (code or trigger), backfill in batches, switch reads, then drop the old column in a later release.',
    safeCode: `ALTER TABLE shop_order ADD COLUMN quantity_big bigint NULL;
-- trigger or dual writes keep quantity_big in sync; backfill in batches:
UPDATE shop_order SET quantity_big = quantity WHERE id BETWEEN 1 AND 10000;
-- later release: switch the field to quantity_big (db_column) and drop quantity`,
    safeCodeLanguage: 'sql',
  },
  operations: SQL_OPERATIONS,
  checkOperation(ctx, op) {
    for (const { item, alter } of existingTableAlters(ctx, op)) {
      const changed = alter.actions.filter((action) => action.kind === 'alter-column-type').map((action) => action.column?.text ?? '?');
      if (changed.length === 0) continue;
      const table = alter.table?.text ?? 'the table';
      reportStatement(ctx, item, `Changing the type of ${changed.map((column) => `${table}.${column}`).join(', ')} can rewrite the table under an ACCESS EXCLUSIVE lock`);
    }
  },
};
