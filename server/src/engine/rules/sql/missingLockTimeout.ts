import { accessExclusiveLock } from '../../sql/locks';
import { setsLockTimeout } from '../../sql/statements';
import type { MigrationModel } from '../../python/model';
import { SQL_OPERATIONS, isNewTable, migrationSqlStatements, operationSqlStatements, reportStatement, statementExcerpt } from '../migrationSql';
import type { FileContext, FileRule } from '../rule';
import { migrationAtomic } from '../../django/migrationClass';

export const sqlMissingLockTimeout: FileRule = {
  id: 'sql-missing-lock-timeout',
  title: 'RunSQL takes an ACCESS EXCLUSIVE lock without lock_timeout',
  severity: 'info',
  vendors: ['postgresql'],
  category: 'hygiene',
  scope: 'file',
  explanation: {
    summary:
      'A statement that needs ACCESS EXCLUSIVE waits behind every query running on the table, and every query that arrives after it waits behind the statement: one slow report can turn a millisecond ALTER into minutes of downtime. `lock_timeout` makes the migration give up (and retry later) instead.',
    sql: "SET lock_timeout = '5s';\nALTER TABLE shop_order ADD COLUMN note text NULL;",
    lock: 'ACCESS EXCLUSIVE, requested behind the running queries.',
    blocks: 'While waiting for the lock: every new query on the table, reads included.',
    rewrite: 'Depends on the statement; the outage comes from the lock queue, not the work.',
    safeAlternative:
      'Start the migration\'s SQL with `SET lock_timeout` (a few seconds) so a blocked ALTER fails fast; in an atomic migration `SET LOCAL` keeps the setting inside the transaction. Retry the deploy when it times out.',
    safeCode: `migrations.RunSQL(
    sql=[
        "SET LOCAL lock_timeout = '5s';",
        "ALTER TABLE shop_order ADD COLUMN note text NULL;",
    ],
    reverse_sql="ALTER TABLE shop_order DROP COLUMN note;",
)`,
    safeCodeLanguage: 'python',
  },
  operations: SQL_OPERATIONS,
  checkOperation(ctx, op) {
    const coveredFrom = lockTimeoutSetAt(ctx);
    for (const item of operationSqlStatements(ctx, op)) {
      if (item.order >= coveredFrom) return;
      const lock = accessExclusiveLock(item.statement, ctx.config.postgresVersion);
      if (!lock || isNewTable(ctx, item, lock.table)) continue;
      // Once per operation: its first such statement.
      reportStatement(ctx, item, `\`${statementExcerpt(item.statement)}\` takes an ACCESS EXCLUSIVE lock with no SET lock_timeout before it in this migration`);
      return;
    }
  },
};

const timeoutCache = new WeakMap<MigrationModel, number>();

/** The position (among the migration's SQL statements) of the first SET lock_timeout that covers what follows it. */
function lockTimeoutSetAt(ctx: FileContext): number {
  const cached = timeoutCache.get(ctx.file);
  if (cached !== undefined) return cached;
  const atomic = migrationAtomic(ctx.file) === true;
  // SET LOCAL only lasts for the current transaction: in a non-atomic migration that is the SET itself.
  const first = migrationSqlStatements(ctx).find((item) => {
    const setting = setsLockTimeout(item.statement);
    return setting !== undefined && (!setting.local || atomic);
  });
  const at = first ? first.order : Infinity;
  timeoutCache.set(ctx.file, at);
  return at;
}
