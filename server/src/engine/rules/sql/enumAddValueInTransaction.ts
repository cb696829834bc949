import { parseAddEnumValue } from '../../sql/statements';
import { SQL_OPERATIONS, migrationSqlStatements, operationSqlStatements, reportStatement, type MigrationSqlStatement } from '../migrationSql';
import type { FileContext, FileRule } from '../rule';
import { runPythonCode, walkDescendants } from '../runPythonCode';
import { migrationAtomic } from '../../django/migrationClass';
import { operationsOf } from '../dispatch';

export const sqlEnumAddValueInTransaction: FileRule = {
  id: 'sql-enum-add-value-in-transaction',
  title: 'ALTER TYPE ... ADD VALUE inside a transaction',
  severity: 'error',
  vendors: ['postgresql'],
  category: 'sql',
  scope: 'file',
  explanation: {
    summary:
      'PostgreSQL before 12 refuses `ALTER TYPE ... ADD VALUE` inside a transaction block, so an atomic migration fails. From 12 on it runs, but the new value cannot be used until the transaction commits: a later statement of the same atomic migration that uses it fails with `unsafe use of new value`.',
    sql: "ALTER TYPE order_status ADD VALUE 'refunded';\nUPDATE shop_order SET status = 'refunded' WHERE ...;  -- same transaction: fails",
    lock: 'ACCESS EXCLUSIVE on the type (brief).',
    blocks: 'The migration itself: it errors and rolls back.',
    rewrite: 'No rewrite.',
    safeAlternative:
      'Add the enum value in its own migration with `atomic = False` (use `IF NOT EXISTS` so a retry is harmless), and use the value only in later migrations.',
    safeCode: `class Migration(migrations.Migration):
    atomic = False

    operations = [
        migrations.RunSQL(
            "ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'refunded';",
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]`,
    safeCodeLanguage: 'python',
  },
  operations: SQL_OPERATIONS,
  checkOperation(ctx, op) {
    if (migrationAtomic(ctx.file) !== true) return;
    for (const item of operationSqlStatements(ctx, op)) {
      const added = parseAddEnumValue(item.statement);
      if (!added) continue;
      const type = added.type?.text ?? 'the enum type';
      if (ctx.config.postgresVersion < 12) {
        reportStatement(ctx, item, `ALTER TYPE ${type} ADD VALUE cannot run inside a transaction block on PostgreSQL ${ctx.config.postgresVersion}: set atomic = False`);
      } else if (added.value !== undefined && usedLater(ctx, migrationSqlStatements(ctx), item, added.value)) {
        reportStatement(ctx, item, `The new value '${added.value}' of ${type} is used later in the same transaction, which PostgreSQL rejects until ADD VALUE commits`);
      }
    }
  },
};

/** True when a later SQL statement or RunPython function of the migration mentions the value as a string literal. */
function usedLater(ctx: FileContext, statements: readonly MigrationSqlStatement[], item: MigrationSqlStatement, value: string): boolean {
  const inSql = statements.some((other) => other.order > item.order && other.statement.tokens.some((token) => token.kind === 'string' && token.value === value));
  if (inSql) return true;
  for (const op of operationsOf(ctx.file, ['RunPython'], { touchingDatabase: true })) {
    if (op.span.start < item.op.span.end) continue;
    const code = runPythonCode(ctx.file, op, 'code');
    if (!code) continue;
    let found = false;
    walkDescendants(code.body, (node) => {
      if (found) return false;
      if (node.name === 'String' && pythonStringContent(ctx.file.text.slice(node.from, node.to)) === value) found = true;
      return undefined;
    });
    if (found) return true;
  }
  return false;
}

function pythonStringContent(literal: string): string | undefined {
  const match = /^[rRbBuU]?('''|"""|'|")([\s\S]*)\1$/.exec(literal);
  return match?.[2];
}
