import { SQL_OPERATIONS, existingTableAlters, modelHasColumn, reportStatement, tableInDjangoState } from '../migrationSql';
import type { FileRule } from '../rule';

export const sqlDropColumn: FileRule = {
  id: 'sql-drop-column',
  title: 'DROP COLUMN in RunSQL',
  severity: 'error',
  vendors: 'all',
  category: 'sql',
  scope: 'file',
  explanation: {
    summary:
      'Dropping a column loses its data, and during a rolling deploy the old code still SELECTs it: Django lists every declared column in its queries, so they fail with `column ... does not exist` until the new code is everywhere.',
    sql: 'ALTER TABLE shop_order DROP COLUMN legacy_code;',
    lock: 'ACCESS EXCLUSIVE on the table, briefly (PostgreSQL only marks the column dropped), queued behind every running query.',
    blocks: "Reads and writes while the lock is held; afterwards every query of code that still declares the field.",
    rewrite: 'No rewrite on PostgreSQL (space is reclaimed by later updates/VACUUM FULL); MySQL may copy the table. The data is gone.',
    safeAlternative:
      'Release code that no longer uses the field first (remove it from the model with `SeparateDatabaseAndState(state_operations=[RemoveField(...)])`), then drop the column in a later release.',
    safeCode: `# release N: stop using the column, keep it in the database
migrations.SeparateDatabaseAndState(
    state_operations=[migrations.RemoveField(model_name="order", name="legacy_code")],
)
# release N+1: drop it
migrations.RunSQL(
    sql="ALTER TABLE shop_order DROP COLUMN IF EXISTS legacy_code;",
    reverse_sql=migrations.RunSQL.noop,
)`,
    safeCodeLanguage: 'python',
    notReported: [
      "the staged drop's second release: a column Django's replayed state no longer has (removed state-only earlier) is selected by no running code",
    ],
  },
  operations: SQL_OPERATIONS,
  checkOperation(ctx, op) {
    for (const { item, alter } of existingTableAlters(ctx, op)) {
      // The staged drop's second release: a column Django's state no longer has is selected by no running code.
      const inState = alter.table ? tableInDjangoState(ctx, item, alter.table) : undefined;
      if (inState === 'absent') continue;
      const dropped = alter.actions
        .filter((action) => action.kind === 'drop-column')
        .filter((action) => !inState || !action.column || !ctx.stateBefore(item.op).historyComplete(inState.model.app) || modelHasColumn(inState.model, action.column.name))
        .map((action) => action.column?.text ?? '?');
      if (dropped.length === 0) continue;
      reportStatement(ctx, item, `DROP COLUMN ${dropped.join(', ')} on ${alter.table?.text ?? 'the table'} loses data and breaks old code that still selects it`);
    }
  },
};
