// Every SQL statement a migration runs through RunSQL (top-level or in SeparateDatabaseAndState.database_operations)
// or through `schema_editor.execute` / `cursor.execute` with literal text in a RunPython function, in execution
// order, with its file span and what the migration created before it. Shared by the SQL rules so the scanning
// happens once per file.
import type { MigrationModel, Operation, Span } from '../python/model';
import { scanSql, type SqlStatement } from '../sql/scanner';
import { createdTable, parseAlterTable, type AlterTableInfo, type SqlName } from '../sql/statements';
import type { DeclaredFix, FileContext } from './rule';
import { runPythonSqlTexts, runSqlTexts, sqlSpan, type RunSqlText } from './runSqlText';
import type { ModelState, StateView } from '../state/types';
import { dictEntry, opArg, stringValue } from '../django/operations';
import { fieldColumnName } from '../django/fields';
import { operationsOf, WHOLE_MIGRATION } from './dispatch';

export interface MigrationSqlStatement {
  /** The RunSQL operation. */
  op: Operation;
  text: RunSqlText;
  statement: SqlStatement;
  /** The statement's span in the file (the string literal's span when it cannot be mapped exactly). */
  span: Span;
  /** Position among all SQL statements of the migration. */
  order: number;
}

const cache = new WeakMap<MigrationModel, MigrationSqlStatement[]>();

/** The forward SQL statements of every RunSQL that runs against the database, in execution order. */
export function migrationSqlStatements(ctx: FileContext): MigrationSqlStatement[] {
  const cached = cache.get(ctx.file);
  if (cached) return cached;
  const statements: MigrationSqlStatement[] = [];
  for (const op of runSqlOperations(ctx)) {
    for (const text of op.name === 'RunSQL' ? runSqlTexts(ctx.file, op) : runPythonSqlTexts(ctx.file, op)) {
      for (const statement of scanSql(text.sql)) {
        statements.push({ op, text, statement, span: sqlSpan(text, statement.start, statement.end), order: statements.length });
      }
    }
  }
  cache.set(ctx.file, statements);
  return statements;
}

const byOperationCache = new WeakMap<MigrationModel, Map<Operation, MigrationSqlStatement[]>>();

/** The statements one operation runs, in order: a lookup, so rules asking per operation stay linear in the file. */
export function operationSqlStatements(ctx: FileContext, op: Operation): readonly MigrationSqlStatement[] {
  let byOperation = byOperationCache.get(ctx.file);
  if (!byOperation) {
    byOperation = new Map();
    for (const item of migrationSqlStatements(ctx)) {
      const list = byOperation.get(item.op);
      if (list) list.push(item);
      else byOperation.set(item.op, [item]);
    }
    byOperationCache.set(ctx.file, byOperation);
  }
  return byOperation.get(op) ?? [];
}

/** RunSQL and RunPython operations that run against the database (state_operations excluded), in source order. */
function runSqlOperations(ctx: FileContext): Operation[] {
  return operationsOf(ctx.file, ['RunSQL', 'RunPython'], { touchingDatabase: true });
}

/**
 * Where each table is first created in the migration, so "created before this statement?" is a lookup rather than a
 * re-scan of everything earlier (which made many-statement RunSQL quadratic). A CreateModel counts for statements of
 * operations that start after every operation up to and including it; a CREATE TABLE for later statements.
 */
interface TableCreations {
  /** Table -> the smallest "operations up to here all start before" position of a CreateModel that creates it. */
  byCreateModel: Map<string, number>;
  /** Table -> order of the first statement that creates it. */
  byStatement: Map<string, number>;
}

const creationsCache = new WeakMap<MigrationModel, TableCreations>();

function tableCreations(ctx: FileContext): TableCreations {
  const cached = creationsCache.get(ctx.file);
  if (cached) return cached;
  const byCreateModel = new Map<string, number>();
  let latestStart = -Infinity;
  for (const op of operationsOf(ctx.file, WHOLE_MIGRATION)) {
    latestStart = Math.max(latestStart, op.span.start);
    if (op.name !== 'CreateModel' || !ctx.touchesDatabase(op)) continue;
    const table = createModelTable(ctx.file.app, op);
    if (table && !byCreateModel.has(table)) byCreateModel.set(table, latestStart);
  }
  const byStatement = new Map<string, number>();
  for (const item of migrationSqlStatements(ctx)) {
    const created = createdTable(item.statement);
    if (created && !byStatement.has(tableKey(created))) byStatement.set(tableKey(created), item.order);
  }
  const creations = { byCreateModel, byStatement };
  creationsCache.set(ctx.file, creations);
  return creations;
}

/** True when the lower-cased table was created before a statement in the same migration: by CreateModel or CREATE TABLE. */
function createdBefore(ctx: FileContext, item: MigrationSqlStatement, table: string): boolean {
  const { byCreateModel, byStatement } = tableCreations(ctx);
  return (byCreateModel.get(table) ?? Infinity) < item.op.span.start || (byStatement.get(table) ?? Infinity) < item.order;
}

/** True when the named table was created earlier in this migration (an empty table nobody else uses yet). */
export function isNewTable(ctx: FileContext, item: MigrationSqlStatement, table: SqlName | undefined): boolean {
  return table !== undefined && createdBefore(ctx, item, tableKey(table));
}

/**
 * The tables a statement names that existed before the migration (those it created earlier are left out). Undefined
 * when every named table is new, so the statement touches no existing data; a statement naming no table gives [].
 */
export function existingTables(ctx: FileContext, item: MigrationSqlStatement, tables: readonly SqlName[]): SqlName[] | undefined {
  const existing = tables.filter((table) => !createdBefore(ctx, item, tableKey(table)));
  return tables.length > 0 && existing.length === 0 ? undefined : existing;
}

/** The ALTER TABLE statements one operation runs, except those on a table the migration created earlier (see isNewTable). */
export function existingTableAlters(ctx: FileContext, op: Operation): { item: MigrationSqlStatement; alter: AlterTableInfo }[] {
  const alters: { item: MigrationSqlStatement; alter: AlterTableInfo }[] = [];
  for (const item of operationSqlStatements(ctx, op)) {
    const alter = parseAlterTable(item.statement);
    if (alter && !isNewTable(ctx, item, alter.table)) alters.push({ item, alter });
  }
  return alters;
}

/** The operations whose SQL text the statement rules read: RunSQL, and RunPython's literal `execute` calls. */
export const SQL_OPERATIONS = ['RunSQL', 'RunPython'] as const;

export function tableKey(name: SqlName): string {
  return name.name.toLowerCase();
}

function createModelTable(app: string, op: Operation): string | undefined {
  const name = stringValue(opArg(op, 'name'));
  if (!name) return undefined;
  const dbTable = stringValue(dictEntry(opArg(op, 'options'), 'db_table')?.value);
  return (dbTable ?? `${app}_${name}`).toLowerCase();
}

/** Reports a finding on one SQL statement. */
export function reportStatement(ctx: FileContext, item: MigrationSqlStatement, message: string, fixes?: DeclaredFix[], advice?: string): void {
  ctx.report({ span: item.span, message, operation: item.op, ...(advice ? { advice } : {}), ...(fixes ? { fixes } : {}) });
}

/** A short, single-line excerpt of a statement for messages: `CREATE INDEX idx ON shop_order ...`. */
export function statementExcerpt(statement: SqlStatement, maxLength = 60): string {
  const oneLine = statement.text.replace(/\s+/g, ' ').trim();
  return oneLine.length <= maxLength ? oneLine : `${oneLine.slice(0, maxLength - 3).trimEnd()}...`;
}

/**
 * What Django's state right before a statement says of a table: the model that owns it, `absent` when no model of
 * an app whose history is complete owns it although its name is that app's (a DeleteModel, or the state-only first
 * release of a staged drop, removed it), or undefined when the state cannot tell (unknown history, a table that is
 * not named like any app's).
 */
export function tableInDjangoState(ctx: FileContext, item: MigrationSqlStatement, table: SqlName): { model: ModelState } | 'absent' | undefined {
  const state = ctx.stateBefore(item.op);
  const key = tableKey(table);
  const model = tableOwners(state).get(key);
  if (model) return { model };
  const apps = state.apps().filter((label) => key.startsWith(`${label.toLowerCase()}_`));
  return apps.length > 0 && apps.every((app) => state.historyComplete(app)) ? 'absent' : undefined;
}

const ownersByState = new WeakMap<StateView, Map<string, ModelState>>();

/** Every model's table in a state, built once per state view (a migration's statements share their operation's). */
function tableOwners(state: StateView): Map<string, ModelState> {
  let owners = ownersByState.get(state);
  if (!owners) {
    owners = new Map();
    for (const app of state.apps()) {
      for (const model of state.models(app)) owners.set((stringValue(model.options['db_table']) ?? `${app}_${model.key}`).toLowerCase(), model);
    }
    ownersByState.set(state, owners);
  }
  return owners;
}

/** True when the model declares a field whose column is `column`: Django's code selects it. */
export function modelHasColumn(model: ModelState, column: string): boolean {
  const wanted = column.toLowerCase();
  for (const [name, field] of model.fields) {
    if (fieldColumnName(name, field)?.toLowerCase() === wanted) return true;
  }
  return false;
}
