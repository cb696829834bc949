import { parseDropDatabaseOrSchema } from '../../sql/statements';
import { operationSqlStatements, reportStatement, SQL_OPERATIONS } from '../migrationSql';
import type { FileRule } from '../rule';

export const sqlDropDatabaseOrSchema: FileRule = {
  id: 'sql-drop-database-or-schema',
  title: 'DROP DATABASE or DROP SCHEMA in RunSQL',
  severity: 'error',
  vendors: 'all',
  category: 'hygiene',
  scope: 'file',
  explanation: {
    summary:
      '`DROP SCHEMA` (especially with CASCADE) or `DROP DATABASE` in a migration destroys every table in it on every environment the migration reaches, production included.',
    sql: 'DROP SCHEMA reporting CASCADE;',
    lock: 'ACCESS EXCLUSIVE on every object dropped.',
    blocks: 'Everything that uses the schema or database, permanently.',
    rewrite: 'Everything in it is deleted.',
    safeAlternative:
      'Never drop schemas or databases from migrations. Drop the individual tables the app owns (after removing their models in an earlier release), and leave schema and database lifecycle to infrastructure tooling.',
    safeCode: `# release N: remove the models from state; release N+1:
migrations.RunSQL(
    sql="DROP TABLE IF EXISTS reporting.shop_dailytotal;",
    reverse_sql=migrations.RunSQL.noop,
)`,
    safeCodeLanguage: 'python',
  },
  operations: SQL_OPERATIONS,
  checkOperation(ctx, op) {
    for (const item of operationSqlStatements(ctx, op)) {
      const drop = parseDropDatabaseOrSchema(item.statement);
      if (!drop) continue;
      const names = drop.names.map((name) => name.text).join(', ');
      reportStatement(ctx, item, `DROP ${drop.object}${names ? ` ${names}` : ''} in a migration deletes everything in it`);
    }
  },
};
