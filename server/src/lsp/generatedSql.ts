// The `migrationGuard/generatedSql` request: a migration's SQL as `migration-guard sql` prints it, for the client's
// Show SQL, which opens it without running Django and puts it beside sqlmigrate's output when that can run.
import { formatSqlText } from '../engine/format/sqlText';
import { scanSql } from '../engine/sql/scanner';
import type { DocumentAnalysis } from './analysisService';
import type { GeneratedSqlResult } from './clientContract';

function normalised(sql: string): string[] {
  return scanSql(sql)
    .map((statement) => statement.text.trim().replace(/;$/, '').replace(/\s+/g, ' ').trim())
    .filter((text) => text.length > 0 && !text.startsWith('--'));
}

export function generatedSql(analysis: DocumentAnalysis): GeneratedSqlResult | null {
  const project = analysis.entry.project;
  const sql = project.migrationSql(analysis.path, analysis.config);
  const model = analysis.model;
  if (!sql || !model) return null;
  const report = {
    database: analysis.database,
    djangoVersion: analysis.config.djangoVersion,
    postgresVersion: analysis.config.postgresVersion,
    migrations: [{ path: analysis.path, migration: `${model.app}.${model.name}`, sql }],
  };
  return {
    text: formatSqlText(report),
    statements: sql.statements.flatMap((statement) => normalised(statement.sql)),
    computedStatements: sql.statements.filter((statement) => statement.computed).flatMap((statement) => normalised(statement.sql)),
    database: analysis.database,
    djangoVersion: analysis.config.djangoVersion,
  };
}
