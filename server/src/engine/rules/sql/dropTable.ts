import { parseDropTable } from '../../sql/statements';
import { existingTables, operationSqlStatements, reportStatement, tableInDjangoState, SQL_OPERATIONS } from '../migrationSql';
import type { FileRule } from '../rule';

export const sqlDropTable: FileRule = {
  id: 'sql-drop-table',
  title: 'DROP TABLE in RunSQL',
  severity: 'error',
  vendors: 'all',
  category: 'sql',
  scope: 'file',
  explanation: {
    summary: 'Dropping a table deletes its data for good, and old code still running during the deploy fails on every query that touches it.',
    sql: 'DROP TABLE shop_legacyinvoice;',
    lock: 'ACCESS EXCLUSIVE on the table (and on tables referencing it with CASCADE), queued behind every running query.',
    blocks: 'Everything on the table; afterwards every query of code that still uses the model.',
    rewrite: 'No rewrite; the data is removed.',
    safeAlternative:
      'Remove all code that uses the table first (state-only `DeleteModel` inside `SeparateDatabaseAndState`), take a backup, and drop the table in a later release.',
    safeCode: `# release N: forget the model, keep the table
migrations.SeparateDatabaseAndState(
    state_operations=[migrations.DeleteModel(name="LegacyInvoice")],
)
# release N+1, once nothing reads it:
migrations.RunSQL(sql="DROP TABLE IF EXISTS shop_legacyinvoice;", reverse_sql=migrations.RunSQL.noop)`,
    safeCodeLanguage: 'python',
    notReported: [
      "the staged drop's second release: a table no model of Django's replayed state owns any more",
    ],
  },
  operations: SQL_OPERATIONS,
  checkOperation(ctx, op) {
    for (const item of operationSqlStatements(ctx, op)) {
      const drop = parseDropTable(item.statement);
      if (!drop || drop.temporary) continue;
      // The staged drop's second release: a table no model of Django's state owns is queried by no running code.
      const existing = existingTables(ctx, item, drop.tables)?.filter((table) => tableInDjangoState(ctx, item, table) !== 'absent');
      if (!existing || (drop.tables.length > 0 && existing.length === 0)) continue;
      const names = existing.map((table) => table.text).join(', ') || 'a table';
      reportStatement(ctx, item, `DROP TABLE ${names} deletes its data and breaks old code that still queries it`);
    }
  },
};
