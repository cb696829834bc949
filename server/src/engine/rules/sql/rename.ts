import { parseAlterTable, parseRenameTable } from '../../sql/statements';
import { isNewTable, operationSqlStatements, reportStatement, SQL_OPERATIONS } from '../migrationSql';
import type { FileRule } from '../rule';

export const sqlRename: FileRule = {
  id: 'sql-rename',
  title: 'Table or column rename in RunSQL',
  severity: 'error',
  vendors: 'all',
  category: 'sql',
  scope: 'file',
  explanation: {
    summary:
      'Renaming a table or column breaks the code that is still running during a rolling deploy (and the new code after a rollback): its queries use the old name and fail at once.',
    sql: 'ALTER TABLE shop_order RENAME COLUMN total TO total_amount;',
    lock: 'ACCESS EXCLUSIVE on the table, briefly (catalog change), queued behind every running query.',
    blocks: 'Reads and writes while the lock is held; afterwards every query of code that uses the old name.',
    rewrite: 'No rewrite.',
    safeAlternative:
      'Keep the database name and rename only in Python (`db_column="total"` on the field, `db_table` on the model), or expand/contract: add the new column, write both, backfill, switch reads, drop the old one in a later release. Renaming constraints and indexes is harmless and not reported.',
    safeCode: `# rename in Python only: the column keeps its name
migrations.AlterField(
    model_name="order",
    name="total_amount",
    field=models.DecimalField(max_digits=10, decimal_places=2, db_column="total"),
)`,
    safeCodeLanguage: 'python',
  },
  operations: SQL_OPERATIONS,
  checkOperation(ctx, op) {
    for (const item of operationSqlStatements(ctx, op)) {
      const renameTable = parseRenameTable(item.statement);
      if (renameTable) {
        if (isNewTable(ctx, item, renameTable.from)) continue;
        reportStatement(ctx, item, `RENAME TABLE ${renameTable.from?.text ?? '?'} TO ${renameTable.to?.text ?? '?'} breaks old code that still uses the old table name`);
        continue;
      }
      const alter = parseAlterTable(item.statement);
      if (!alter || isNewTable(ctx, item, alter.table)) continue;
      const table = alter.table?.text ?? 'the table';
      const action = alter.actions.find((a) => a.kind === 'rename-table' || a.kind === 'rename-column');
      if (!action) continue;
      const message =
        action.kind === 'rename-table'
          ? `Renaming table ${table} to ${action.newName?.text ?? '?'} breaks old code that still uses the old table name`
          : `Renaming column ${table}.${action.column?.text ?? '?'} to ${action.newName?.text ?? '?'} breaks old code that still selects the old column`;
      reportStatement(ctx, item, message);
    }
  },
};
