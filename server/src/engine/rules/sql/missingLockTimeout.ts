import { accessExclusiveLock } from '../../sql/locks';
import { setsLockTimeout } from '../../sql/statements';
import { isNewTable, migrationSqlStatements, reportStatement, statementExcerpt } from '../migrationSql';
import type { FileRule } from '../rule';
import { migrationAtomic } from '../support';

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
  check(ctx) {
    const atomic = migrationAtomic(ctx) === true;
    let timeoutSet = false;
    const reported = new Set<unknown>();
    for (const item of migrationSqlStatements(ctx)) {
      const setting = setsLockTimeout(item.statement);
      // SET LOCAL only lasts for the current transaction: in a non-atomic migration that is the SET itself.
      if (setting && (!setting.local || atomic)) timeoutSet = true;
      if (timeoutSet || reported.has(item.op)) continue;
      const lock = accessExclusiveLock(item.statement, ctx.config.postgresVersion);
      if (!lock || isNewTable(ctx, item, lock.table)) continue;
      reported.add(item.op);
      reportStatement(ctx, item, `\`${statementExcerpt(item.statement)}\` takes an ACCESS EXCLUSIVE lock with no SET lock_timeout before it in this migration`);
    }
  },
};
