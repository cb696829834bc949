// Text and JSON output of `migration-guard sql`: each migration as sqlmigrate prints it (BEGIN/COMMIT when atomic,
// a comment naming each operation, deferred statements last), each statement followed by the lock it takes.
// Everything that comes from a file (names, RunSQL text) is made terminal-safe before it is printed.
import { operationLabel, statementEffects } from '../django/sql/statementEffects';
import type { OperationSql } from '../django/sql/migrationSql';
import { opArg, stringValue } from '../django/operations';
import type { SqlReport } from '../projectSql';
import { terminalSafe } from './text';

const VENDOR_NAMES = { postgresql: 'PostgreSQL', mysql: 'MySQL', sqlite: 'SQLite' } as const;

/** `AddField product.subtitle`, `RunSQL`, `CreateModel Order`. */
export function describeOperation(operation: OperationSql['operation']): string {
  const model = stringValue(opArg(operation, 'model_name')) ?? stringValue(opArg(operation, 'name')) ?? stringValue(opArg(operation, 'old_name'));
  const field = operation.name === 'RenameField' ? stringValue(opArg(operation, 'old_name')) : opArg(operation, 'model_name') ? stringValue(opArg(operation, 'name')) : undefined;
  if (!model) return operation.name;
  if (/^(RemoveIndex|RemoveConstraint|RenameIndex)/.test(operation.name)) return `${operation.name} ${model}: ${stringValue(opArg(operation, 'name')) ?? stringValue(opArg(operation, 'new_name')) ?? ''}`;
  return `${operation.name} ${model}${field ? `.${field}` : ''}`;
}

export function formatSqlText(report: SqlReport): string {
  const vendor = `${VENDOR_NAMES[report.database]}${report.database === 'postgresql' ? ` ${report.postgresVersion}` : ''}`;
  const out: string[] = [];
  for (const migration of report.migrations) {
    out.push(`-- ${terminalSafe(migration.path)}: ${terminalSafe(migration.migration)} · ${vendor} · Django ${report.djangoVersion}${report.djangoVersionFrom ? ` (from ${terminalSafe(report.djangoVersionFrom)})` : ''} (generated without Django)`);
    const { sql } = migration;
    if (sql.atomic) out.push('BEGIN;');
    else out.push('-- atomic = False: each statement commits on its own');
    const deferred: string[] = [];
    for (const operation of sql.operations) {
      out.push('--', `-- ${terminalSafe(describeOperation(operation.operation))}`, '--');
      if (operation.unknown) out.push(`-- (SQL not known statically: ${terminalSafe(operation.unknown)})`);
      else if (operation.note && operation.statements.length === 0) out.push(`-- (${operation.note})`);
      else if (operation.statements.length === 0) out.push('-- (no SQL: nothing Django stores in the database changes)');
      for (const statement of operation.statements) {
        const lines = statementEffects(statement, report.database, report.postgresVersion).flatMap((entry) => {
          const comment = entry.effect ? `  -- ${entry.effect.locks.length > 0 || entry.effect.work !== 'none' ? summary(entry.effect) : 'no lock'}` : '';
          return [`${terminalSafe(entry.sql)}${comment}`];
        });
        (statement.deferred ? deferred : out).push(...lines, ...(statement.computed ? ['--   (a value Django computes when the migration runs)'] : []));
      }
    }
    if (deferred.length > 0) out.push('--', '-- Deferred by Django to the end of the migration', '--', ...deferred);
    if (sql.atomic) out.push('COMMIT;');
    out.push('');
  }
  if (report.migrations.length === 0) out.push('-- no migrations under the given paths');
  return `${out.join('\n')}\n`;
}

function summary(effect: NonNullable<ReturnType<typeof statementEffects>[number]['effect']>): string {
  const locks = effect.locks.map((lock) => `${lock.mode} on ${lock.relation}`).join(', ');
  const work = { catalog: 'catalog only', rewrite: 'rewrites the table', scan: 'scans the table', 'index-build': 'builds an index', data: 'changes rows', none: '', unknown: 'work unknown' }[effect.work];
  return [locks, work].filter(Boolean).join(' · ');
}

/** One operation's statements as JSON: the SQL, whether deferred, its locks and table work (PostgreSQL). */
export function operationStatementsJson(operation: OperationSql, report: Pick<SqlReport, 'database' | 'postgresVersion'>): unknown[] {
  return operation.statements.flatMap((statement) =>
    statementEffects(statement, report.database, report.postgresVersion).map((entry) => ({
      sql: entry.sql,
      deferred: statement.deferred === true,
      ...(statement.computed ? { computedValue: true } : {}),
      ...(entry.effect ? { locks: entry.effect.locks.map((lock) => ({ mode: lock.mode, relation: lock.relation, kind: lock.kind })), work: entry.effect.work, blocks: entry.effect.blocks, noTransaction: entry.effect.noTransaction } : {}),
    })),
  );
}

export function formatSqlJson(report: SqlReport): string {
  return `${JSON.stringify(
    {
      database: report.database,
      djangoVersion: report.djangoVersion,
      ...(report.djangoVersionFrom ? { djangoVersionFrom: report.djangoVersionFrom } : {}),
      postgresVersion: report.postgresVersion,
      migrations: report.migrations.map((migration) => ({
        path: migration.path,
        migration: migration.migration,
        atomic: migration.sql.atomic,
        operations: migration.sql.operations.map((operation) => ({
          operation: describeOperation(operation.operation),
          label: operationLabel(operation, report.database, report.postgresVersion) ?? null,
          ...(operation.unknown ? { unknown: operation.unknown } : {}),
          ...(operation.note ? { note: operation.note } : {}),
          statements: operationStatementsJson(operation, report),
        })),
      })),
    },
    null,
    2,
  )}\n`;
}
