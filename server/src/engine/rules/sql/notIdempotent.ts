import type { SqlStatement } from '../../sql/scanner';
import { parseCreateIndex, parseCreateTable, parseDropIndex, parseDropTable, type SqlName } from '../../sql/statements';
import { operationSqlStatements, SQL_OPERATIONS, reportStatement } from '../migrationSql';
import type { FileRule } from '../rule';
import { migrationAtomic } from '../../django/migrationClass';

export const sqlNotIdempotent: FileRule = {
  id: 'sql-not-idempotent',
  title: 'CREATE/DROP without IF [NOT] EXISTS in a non-atomic migration',
  severity: 'info',
  vendors: ['postgresql'],
  category: 'hygiene',
  scope: 'file',
  explanation: {
    summary:
      'In a migration with `atomic = False` every statement commits on its own. If a later step fails, the earlier ones stay applied but the migration is not recorded, so the re-run fails at the first `CREATE` (`already exists`) or `DROP` (`does not exist`).',
    sql: 'CREATE INDEX CONCURRENTLY shop_order_created_idx ON shop_order (created_at);',
    lock: '',
    blocks: 'Re-running the migration after a partial failure.',
    rewrite: 'No rewrite.',
    safeAlternative:
      'Guard the statements: `CREATE ... IF NOT EXISTS`, `DROP ... IF EXISTS`. Note that a failed `CREATE INDEX CONCURRENTLY` leaves an INVALID index behind that `IF NOT EXISTS` keeps: drop it (`DROP INDEX CONCURRENTLY IF EXISTS`) before retrying.',
    safeCode: `CREATE INDEX CONCURRENTLY IF NOT EXISTS shop_order_created_idx ON shop_order (created_at);
DROP INDEX CONCURRENTLY IF EXISTS shop_order_old_idx;`,
    safeCodeLanguage: 'sql',
    notReported: [
      'statements non-atomic-mixed-operations reports: one finding per risk',
    ],
  },
  operations: SQL_OPERATIONS,
  checkOperation(ctx, op) {
    if (migrationAtomic(ctx.file) !== false) return;
    for (const item of operationSqlStatements(ctx, op)) {
      const problem = unguarded(item.statement);
      if (problem) reportStatement(ctx, item, `${problem} is not idempotent: re-running this non-atomic migration after a partial failure fails here`);
    }
  },
};

function unguarded(statement: SqlStatement): string | undefined {
  const index = parseCreateIndex(statement);
  if (index) return index.ifNotExists ? undefined : describe('CREATE INDEX', index.index ? [index.index] : [], 'IF NOT EXISTS');
  const table = parseCreateTable(statement);
  if (table) return table.ifNotExists || table.temporary ? undefined : describe('CREATE TABLE', table.table ? [table.table] : [], 'IF NOT EXISTS');
  const dropIndex = parseDropIndex(statement);
  if (dropIndex) return dropIndex.ifExists ? undefined : describe('DROP INDEX', dropIndex.indexes, 'IF EXISTS');
  const dropTable = parseDropTable(statement);
  if (dropTable) return dropTable.ifExists || dropTable.temporary ? undefined : describe('DROP TABLE', dropTable.tables, 'IF EXISTS');
  return undefined;
}

function describe(verb: string, names: readonly SqlName[], guard: string): string {
  const named = names.length > 0 ? `${verb} ${names.map((name) => name.text).join(', ')}` : verb;
  return `${named} without ${guard}`;
}
