// The SQL of whole migrations, as `sqlmigrate` prints it, for every migration of a project: the migrations are
// run in one dependency order through the schema editor, each operation against the replayed state it sees, so the
// constraint names that Django finds by introspection (what AlterField drops) are those earlier migrations created.
// Linear: each migration is generated once per replay; a migration's result and its schema are cached.
import type { Expr, MigrationModel, Operation } from '../../python/model';
import type { MigrationGraph, MigrationKey } from '../../state/graph';
import { migrationKey } from '../../state/graph';
import type { StateReplayer } from '../../state/replay';
import type { FieldDef, StateView } from '../../state/types';
import { relationTarget } from '../columns';
import { fieldShape } from '../fields';
import { opArg, stringValue } from '../operations';
import { syntheticCall, syntheticList, syntheticNumber, syntheticString } from '../../python/syntheticExpr';
import { PhysicalSchema } from './physicalSchema';
import { SchemaEditor, UnknownSql, type EmittedStatement } from './schemaEditor';
import { fieldColumn, fieldNamed, hasOrderField, ORDER_FIELD, sqlModel, tableName, togetherSets, versionAtLeast, withField, withOrderField, type SchemaOptions, type SqlField, type SqlModel } from './tables';

export interface OperationSql {
  operation: Operation;
  /** Statements the operation runs where it stands (deferred ones are in the migration's list, at the end). */
  statements: EmittedStatement[];
  /** Why the SQL cannot be known statically (a custom field type, a dynamic argument...). */
  unknown?: string;
  /** For operations Django runs without SQL of its own (RunPython, AlterModelOptions...): what they do. */
  note?: string;
}

export interface MigrationSql {
  /** Every statement in the order sqlmigrate prints them, deferred ones last. */
  statements: EmittedStatement[];
  operations: OperationSql[];
  atomic: boolean;
}

const STATE_ONLY: Record<string, string> = {
  AlterModelOptions: 'changes Python-side model options only (no SQL)',
  AlterModelManagers: 'changes managers only (no SQL)',
  RunPython: 'runs Python code: data changes of unknown size, not expressible as SQL',
};

const FIELD_OPERATIONS = new Set(['AddField', 'AlterField', 'RemoveField', 'RenameField']);

/**
 * Generates and caches the SQL of the migrations of one graph + replay, in one global dependency order. A request
 * generates up to the migration asked for; an edited migration (its model object replaced in the graph) invalidates
 * its result and everything after it, so editing the newest migration regenerates only that one.
 */
export class SqlReplay {
  private order: MigrationKey[] | undefined;
  private position = new Map<MigrationKey, number>();
  private readonly cache: { model: MigrationModel; result: MigrationSql; after: PhysicalSchema }[] = [];
  /** How many migrations were generated, for tests that check edits stay cheap. */
  readonly work = { generated: 0 };

  constructor(
    private readonly graph: MigrationGraph,
    private readonly replayer: StateReplayer,
    private readonly options: SchemaOptions,
  ) {}

  /** The project version the cache was last checked against: unchanged, the cached prefix needs no re-check. */
  private checkedAt: number | undefined;

  /** `version`: the project's change counter, so that asking for every migration in turn stays linear. */
  sqlFor(model: MigrationModel, version?: number): MigrationSql | undefined {
    if (!this.order) {
      this.order = this.globalOrder().map((entry) => entry.key);
      this.position = new Map(this.order.map((key, index) => [key, index]));
    }
    const index = this.position.get(migrationKey(model.app, model.name));
    if (index === undefined) return undefined;
    const order = this.order;
    if (version === undefined || version !== this.checkedAt) {
      let valid = 0;
      while (valid < this.cache.length && this.cache[valid]?.model === this.graph.entries.get(order[valid] as MigrationKey)?.model) valid++;
      this.cache.length = valid;
      this.checkedAt = version;
    }
    const valid = Math.min(this.cache.length, index + 1);
    const schema = valid === 0 ? new PhysicalSchema() : (this.cache[valid - 1] as { after: PhysicalSchema }).after.snapshot();
    for (let i = valid; i <= index; i++) {
      const current = this.graph.entries.get(order[i] as MigrationKey)?.model;
      if (!current) return undefined;
      this.work.generated++;
      const result = generateMigration(current, schema, this.options, (op) => this.replayer.viewBefore(current, op));
      this.cache.push({ model: current, result, after: schema.snapshot() });
    }
    const cached = this.cache[index];
    return cached && cached.model === model ? cached.result : undefined;
  }

  /** Main-path migrations of every app, each after everything it depends on (Kahn's algorithm, bounded by the entry count). */
  private globalOrder(): { key: MigrationKey; model: MigrationModel }[] {
    const entries = this.graph.apps().flatMap((app) => this.graph.mainPath(app));
    const keys = new Set(entries.map((entry) => entry.key));
    const waiting = new Map<MigrationKey, number>();
    const dependents = new Map<MigrationKey, MigrationKey[]>();
    for (const entry of entries) {
      const deps = new Set<MigrationKey>(entry.parents.filter((parent) => keys.has(parent)));
      for (const dependency of entry.node.dependencies) {
        const resolved = this.graph.resolve(dependency.app, dependency.name);
        if (resolved && keys.has(resolved) && resolved !== entry.key) deps.add(resolved);
      }
      waiting.set(entry.key, deps.size);
      for (const dep of deps) {
        const list = dependents.get(dep);
        if (list) list.push(entry.key);
        else dependents.set(dep, [entry.key]);
      }
    }
    const byKey = new Map(entries.map((entry) => [entry.key, entry]));
    const ready = entries.filter((entry) => waiting.get(entry.key) === 0).map((entry) => entry.key);
    const order: { key: MigrationKey; model: MigrationModel }[] = [];
    const placed = new Set<MigrationKey>();
    // A queue read by index: shift() would re-copy the array for every migration.
    for (let next = 0; next < ready.length; next++) {
      const key = ready[next] as MigrationKey;
      placed.add(key);
      order.push({ key, model: (byKey.get(key) as { model: MigrationModel }).model });
      for (const dependent of dependents.get(key) ?? []) {
        const left = (waiting.get(dependent) ?? 1) - 1;
        waiting.set(dependent, left);
        if (left === 0) ready.push(dependent);
      }
    }
    // Cycles: what is left runs in the per-app order, so every migration still gets its SQL.
    for (const entry of entries) if (!placed.has(entry.key)) order.push({ key: entry.key, model: entry.model });
    return order;
  }
}

/** Runs one migration's operations through the schema editor, updating `schema` in place. */
export function generateMigration(model: MigrationModel, schema: PhysicalSchema, options: SchemaOptions, viewBefore: (op: Operation) => StateView): MigrationSql {
  const operations: OperationSql[] = [];
  const modelsOf = (view: StateView): (() => SqlModel[]) => () => view.apps().flatMap((app) => view.models(app)).map((state) => sqlModel(state, options.database)).filter((m): m is SqlModel => m !== undefined);
  const lookupOf = (view: StateView) => (app: string, key: string): SqlModel | undefined => {
    const state = view.model(app, key);
    return state ? sqlModel(state, options.database) : undefined;
  };
  // One editor for the whole migration, as Django's: deferred statements run at its end, and a DeleteModel or
  // RemoveField drops the pending ones of that table or column.
  const editor = new SchemaEditor(schema, options, () => undefined, () => []);
  let fieldOperations = 0;
  for (const op of model.operations) {
    editor.opFieldFirst = fieldOperations === 0;
    if (FIELD_OPERATIONS.has(op.name)) fieldOperations++;
    const view = viewBefore(op);
    editor.stateLookup = lookupOf(view);
    editor.allModels = modelsOf(view);
    editor.overrides.clear();
    editor.operation = op;
    const result: OperationSql = { operation: op, statements: [] };
    try {
      runOperation(editor, model, op, view, options);
    } catch (error) {
      // Never let one operation stop the rest (or the hover, or the CLI): a bug reads as unknown SQL, named.
      result.unknown = error instanceof UnknownSql ? error.message : `an internal error while generating it (${error instanceof Error ? error.message : String(error)})`;
    }
    if (STATE_ONLY[op.name]) result.note = STATE_ONLY[op.name];
    result.statements = [...editor.statements.splice(0)];
    operations.push(result);
  }
  const immediate = operations.flatMap((entry) => entry.statements);
  editor.flush();
  const deferred = editor.statements.splice(0);
  const byOperation = new Map(operations.map((entry) => [entry.operation, entry]));
  for (const statement of deferred) if (statement.operation) byOperation.get(statement.operation)?.statements.push(statement);
  return { statements: [...immediate, ...deferred], operations, atomic: model.migrationClass?.atomic?.value !== false };
}

/**
 * One top-level operation on its own, in a fresh editor over `schema` (its deferred statements flushed after it):
 * what the rules read an operation's locks from without generating the rest of its migration.
 */
export function generateOperation(model: MigrationModel, op: Operation, schema: PhysicalSchema, options: SchemaOptions, view: StateView): OperationSql {
  const editor = new SchemaEditor(schema, options, (app, key) => {
    const state = view.model(app, key);
    return state ? sqlModel(state, options.database) : undefined;
  }, () => view.apps().flatMap((app) => view.models(app)).map((state) => sqlModel(state, options.database)).filter((m): m is SqlModel => m !== undefined));
  editor.opFieldFirst = true;
  editor.operation = op;
  const result: OperationSql = { operation: op, statements: [] };
  try {
    runOperation(editor, model, op, view, options);
  } catch (error) {
    result.unknown = error instanceof UnknownSql ? error.message : `an internal error while generating it (${error instanceof Error ? error.message : String(error)})`;
  }
  if (STATE_ONLY[op.name]) result.note = STATE_ONLY[op.name];
  editor.flush();
  result.statements = editor.statements.splice(0);
  return result;
}

function runOperation(editor: SchemaEditor, migration: MigrationModel, op: Operation, view: StateView, options: SchemaOptions): void {
  const app = migration.app;
  const modelNamed = (param: string): SqlModel => {
    const name = stringValue(opArg(op, param));
    const state = name ? view.model(app, name) : undefined;
    const model = state ? sqlModel(state, options.database) : undefined;
    if (!model) throw new UnknownSql(`the model ${name ?? opArg(op, param)?.text ?? ''} in the replayed history`);
    return model;
  };
  switch (op.name) {
    case 'CreateModel': {
      const created = modelFromCreate(app, op, options);
      editor.overrides.set(`${app}.${created.key}`, created);
      editor.createModel(created);
      return;
    }
    case 'DeleteModel':
      editor.deleteModel(modelNamed('name'));
      return;
    case 'AddField': {
      const model = modelNamed('model_name');
      const field = newField(op);
      editor.addField(withField(model, field), field);
      return;
    }
    case 'RemoveField': {
      const model = modelNamed('model_name');
      editor.removeField(model, fieldOf(model, stringValue(opArg(op, 'name'))));
      return;
    }
    case 'AlterField': {
      const model = modelNamed('model_name');
      const old = fieldOf(model, stringValue(opArg(op, 'name')));
      const field = newField(op);
      const altered = withField(model, field, old);
      editor.alterField(model, old, field, altered);
      return;
    }
    case 'RenameField': {
      const model = modelNamed('model_name');
      const old = fieldOf(model, stringValue(opArg(op, 'old_name')));
      const name = stringValue(opArg(op, 'new_name'))?.toLowerCase();
      if (!name) throw new UnknownSql('the new field name');
      const column = fieldColumn(name, old.def);
      const renamed: SqlField = column === undefined ? { name, def: old.def } : { name, def: old.def, column };
      editor.alterField(model, old, renamed, withField(model, renamed, old));
      return;
    }
    case 'AlterModelTable': {
      const model = modelNamed('name');
      const table = opArg(op, 'table');
      const newTable = tableName(model.app, model.key, table && table.kind !== 'none' ? { db_table: table } : {}, options.database);
      if (!newTable) throw new UnknownSql('the new table name');
      editor.alterDbTable(model.table, newTable);
      for (const field of model.fields) {
        if (field.def.type !== 'ManyToManyField' || field.def.kwargs['through']) continue;
        editor.alterDbTable(`${model.table}_${field.name}`, `${newTable}_${field.name}`);
      }
      return;
    }
    case 'RenameModel':
      renameModel(editor, app, op, view, options);
      return;
    case 'AddIndex':
    case 'AddIndexConcurrently':
      editor.addIndex(modelNamed('model_name'), opArg(op, 'index'), op.name === 'AddIndexConcurrently');
      return;
    case 'RemoveIndex':
    case 'RemoveIndexConcurrently': {
      const name = stringValue(opArg(op, 'name'));
      if (!name) throw new UnknownSql('the index name');
      editor.removeIndex(modelNamed('model_name'), name, op.name === 'RemoveIndexConcurrently');
      return;
    }
    case 'AddConstraint': {
      const model = modelNamed('model_name');
      const constraint = opArg(op, 'constraint');
      const existing = model.options['constraints'];
      const items = existing && (existing.kind === 'list' || existing.kind === 'tuple') ? existing.items : [];
      const after: SqlModel = { ...model, options: { ...model.options, constraints: syntheticList(constraint ? [...items, constraint] : items) } };
      editor.addConstraint(model, constraint, after);
      return;
    }
    case 'RemoveConstraint': {
      const model = modelNamed('model_name');
      const name = stringValue(opArg(op, 'name'));
      const constraints = model.options['constraints'];
      const found = constraints && (constraints.kind === 'list' || constraints.kind === 'tuple') ? constraints.items.find((item) => item.kind === 'call' && stringValue(item.kwargs['name']) === name) : undefined;
      const remaining = constraints && (constraints.kind === 'list' || constraints.kind === 'tuple') ? constraints.items.filter((item) => item !== found) : [];
      editor.removeConstraint(model, found ?? syntheticConstraint(name), { ...model, options: { ...model.options, constraints: syntheticList(remaining) } });
      return;
    }
    case 'AlterUniqueTogether':
    case 'AlterIndexTogether': {
      const model = modelNamed('name');
      const option = op.name === 'AlterUniqueTogether' ? 'unique_together' : 'index_together';
      const olds = togetherSets(model.options[option]);
      const news = togetherSets(opArg(op, option));
      if (!olds || !news) throw new UnknownSql(option);
      if (op.name === 'AlterUniqueTogether') editor.alterUniqueTogether(model, olds, news);
      else editor.alterIndexTogether(model, olds, news);
      return;
    }
    case 'AddConstraintNotValid':
      editor.addConstraintNotValid(modelNamed('model_name'), opArg(op, 'constraint'));
      return;
    case 'ValidateConstraint': {
      const name = stringValue(opArg(op, 'name'));
      if (!name) throw new UnknownSql('the constraint name');
      editor.validateConstraint(modelNamed('model_name'), name);
      return;
    }
    case 'RenameIndex': {
      if (!versionAtLeast(options.djangoVersion, '4.1')) throw new UnknownSql(`RenameIndex on Django ${options.djangoVersion} (it was added in Django 4.1)`);
      const newName = stringValue(opArg(op, 'new_name'));
      const oldFields = opArg(op, 'old_fields');
      if (!newName) throw new UnknownSql('the new index name');
      if (oldFields && oldFields.kind !== 'none') {
        const fields = oldFields.kind === 'list' || oldFields.kind === 'tuple' ? oldFields.items.map((item) => stringValue(item)) : [undefined];
        if (!fields.every((field): field is string => field !== undefined)) throw new UnknownSql(`old_fields ${oldFields.text}`);
        editor.renameIndex(modelNamed('model_name'), { fields }, newName);
      } else {
        const oldName = stringValue(opArg(op, 'old_name'));
        if (!oldName) throw new UnknownSql('the old index name');
        editor.renameIndex(modelNamed('model_name'), { name: oldName }, newName);
      }
      return;
    }
    case 'AlterModelTableComment':
      editor.alterTableComment(modelNamed('name'), opArg(op, 'table_comment'));
      return;
    case 'AlterOrderWithRespectTo': {
      // Adds the _order column (default 0 for the existing rows) when ordering starts, drops it when it stops.
      const model = modelNamed('name');
      const target = opArg(op, 'order_with_respect_to');
      const ordered = target !== undefined && target.kind !== 'none';
      if (hasOrderField(model.options) && !ordered) editor.removeField(model, ORDER_FIELD);
      else if (!hasOrderField(model.options) && ordered) {
        const field: SqlField = { ...ORDER_FIELD, def: { ...ORDER_FIELD.def, kwargs: { default: syntheticNumber(0) } } };
        editor.addField(withField(model, field), field);
      }
      return;
    }
    case 'RunSQL':
      for (const sql of runSqlStatements(opArg(op, 'sql'))) editor.execute(sql);
      return;
    case 'SeparateDatabaseAndState': {
      const database = opArg(op, 'database_operations');
      if (database && database.kind !== 'list' && database.kind !== 'tuple') throw new UnknownSql('database_operations');
      for (const inner of migration.allOperations) {
        if (inner.parent !== op || inner.context !== 'database_operations') continue;
        runOperation(editor, migration, inner, view, options);
      }
      return;
    }
    case 'CreateExtension':
    case 'BtreeGinExtension':
    case 'BtreeGistExtension':
    case 'CITextExtension':
    case 'CryptoExtension':
    case 'HStoreExtension':
    case 'TrigramExtension':
    case 'UnaccentExtension': {
      const name = EXTENSION_NAMES[op.name] ?? stringValue(opArg(op, 'name'));
      if (!name) throw new UnknownSql('the extension name');
      editor.execute(`CREATE EXTENSION IF NOT EXISTS "${name}"`);
      return;
    }
    default:
      if (STATE_ONLY[op.name]) return;
      throw new UnknownSql(`the operation ${op.name}`);
  }
}

const EXTENSION_NAMES: Record<string, string> = {
  BtreeGinExtension: 'btree_gin',
  BtreeGistExtension: 'btree_gist',
  CITextExtension: 'citext',
  CryptoExtension: 'pgcrypto',
  HStoreExtension: 'hstore',
  TrigramExtension: 'pg_trgm',
  UnaccentExtension: 'unaccent',
};

function syntheticConstraint(name: string | undefined): Expr {
  if (!name) throw new UnknownSql('the constraint name');
  return syntheticCall('Constraint', { name: syntheticString(name) });
}

/** RunSQL's `sql`: a string, or a list of strings and (sql, params) pairs; each runs as one execute(). */
export function runSqlStatements(expr: Expr | undefined): string[] {
  if (!expr) throw new UnknownSql('the SQL');
  if (expr.kind === 'string') {
    const value = stringValue(expr);
    if (value === undefined) throw new UnknownSql('an f-string');
    return [value.trim()];
  }
  if (expr.kind === 'list' || expr.kind === 'tuple') {
    return expr.items.map((item) => {
      if (item.kind === 'string' && stringValue(item) !== undefined) return (stringValue(item) as string).trim();
      throw new UnknownSql(`the statement ${item.text}`);
    });
  }
  if (expr.kind === 'name' && expr.dotted.endsWith('RunSQL.noop')) return [];
  throw new UnknownSql(`the SQL ${expr.text}`);
}

function newField(op: Operation): SqlField {
  const name = stringValue(opArg(op, 'name'))?.toLowerCase();
  const call = opArg(op, 'field');
  if (!name || call?.kind !== 'call') throw new UnknownSql('the field definition');
  const def = fieldShape(call);
  const column = fieldColumn(name, def);
  return column === undefined ? { name, def } : { name, def, column };
}

function fieldOf(model: SqlModel, name: string | undefined): SqlField {
  const field = name ? fieldNamed(model, name) : undefined;
  if (!field) throw new UnknownSql(`the field ${name ?? ''} of ${model.name} in the replayed history`);
  return field;
}

function modelFromCreate(app: string, op: Operation, options: SchemaOptions): SqlModel {
  const name = stringValue(opArg(op, 'name'));
  const fieldsExpr = opArg(op, 'fields');
  const optionsExpr = opArg(op, 'options');
  if (!name || (fieldsExpr?.kind !== 'list' && fieldsExpr?.kind !== 'tuple')) throw new UnknownSql('the model definition');
  const modelOptions: Record<string, Expr> = {};
  if (optionsExpr?.kind === 'dict') {
    for (const entry of optionsExpr.entries) {
      const key = stringValue(entry.key);
      if (key) modelOptions[key] = entry.value;
    }
  } else if (optionsExpr && optionsExpr.kind !== 'none') throw new UnknownSql('the model options');
  const fields: SqlField[] = fieldsExpr.items.map((item) => {
    if (item.kind !== 'tuple' && item.kind !== 'list') throw new UnknownSql(item.text);
    const fieldName = stringValue(item.items[0])?.toLowerCase();
    const call = item.items[1];
    if (!fieldName || call?.kind !== 'call') throw new UnknownSql(item.text);
    const def: FieldDef = fieldShape(call);
    const column = fieldColumn(fieldName, def);
    return column === undefined ? { name: fieldName, def } : { name: fieldName, def, column };
  });
  const key = name.toLowerCase();
  const table = tableName(app, key, modelOptions, options.database);
  if (!table) throw new UnknownSql('db_table');
  return { app, key, name, table, fields: withOrderField(fields, modelOptions), options: modelOptions };
}

/** RenameModel: the table, the foreign keys and M2M columns that point at it, as Django 3.2's database_forwards. */
function renameModel(editor: SchemaEditor, app: string, op: Operation, view: StateView, options: SchemaOptions): void {
  const oldName = stringValue(opArg(op, 'old_name'));
  const newName = stringValue(opArg(op, 'new_name'));
  const state = oldName ? view.model(app, oldName) : undefined;
  const old = state ? sqlModel(state, options.database) : undefined;
  if (!old || !newName) throw new UnknownSql('the renamed model in the replayed history');
  const newKey = newName.toLowerCase();
  const newTable = tableName(app, newKey, old.options, options.database);
  if (!newTable) throw new UnknownSql('db_table');
  const renamed: SqlModel = { ...old, key: newKey, name: newName, table: newTable };
  editor.overrides.set(`${app}.${newKey}`, renamed);
  editor.alterDbTable(old.table, newTable);
  const pointsAtOld = (field: SqlField, owner: SqlModel): boolean => relationTarget(field.def, owner.app, owner.key)?.toLowerCase() === `${app}.${old.key}`;
  const retarget = (field: SqlField): SqlField => {
    const kwargs = { ...field.def.kwargs };
    kwargs['to'] = syntheticString(`${app}.${newKey}`);
    return { ...field, def: { ...field.def, kwargs } };
  };
  for (const appLabel of view.apps()) {
    for (const other of view.models(appLabel)) {
      const owner = other.app === app && other.key === old.key ? old : sqlModel(other, options.database);
      if (!owner) continue;
      for (const field of owner.fields) {
        if (!pointsAtOld(field, owner)) continue;
        const ownerNow = owner === old ? renamed : owner;
        editor.alterField(ownerNow, field, retarget(field), ownerNow);
      }
    }
  }
}

