// Helpers shared by rules: reading operation arguments by Django's signatures, literal values, field attributes.
import type { CallExpr, Dependency, Expr, MigrationModel, Operation, Span } from '../python/model';
import type { FieldDef, GraphNode } from '../state/types';
import type { FileContext } from './rule';

/** Positional parameter names of Django's migration operations (after `self`). */
const OPERATION_PARAMS: Record<string, readonly string[]> = {
  CreateModel: ['name', 'fields', 'options', 'bases', 'managers'],
  DeleteModel: ['name'],
  RenameModel: ['old_name', 'new_name'],
  AlterModelTable: ['name', 'table'],
  AlterModelTableComment: ['name', 'table_comment'],
  AlterModelOptions: ['name', 'options'],
  AlterModelManagers: ['name', 'managers'],
  AlterUniqueTogether: ['name', 'unique_together'],
  AlterIndexTogether: ['name', 'index_together'],
  AlterOrderWithRespectTo: ['name', 'order_with_respect_to'],
  AddField: ['model_name', 'name', 'field', 'preserve_default'],
  RemoveField: ['model_name', 'name'],
  AlterField: ['model_name', 'name', 'field', 'preserve_default'],
  RenameField: ['model_name', 'old_name', 'new_name'],
  AddIndex: ['model_name', 'index'],
  RemoveIndex: ['model_name', 'name'],
  RenameIndex: ['model_name', 'new_name', 'old_name', 'old_fields'],
  AddIndexConcurrently: ['model_name', 'index'],
  RemoveIndexConcurrently: ['model_name', 'name'],
  AddConstraint: ['model_name', 'constraint'],
  RemoveConstraint: ['model_name', 'name'],
  AlterConstraint: ['model_name', 'name', 'constraint'],
  AddConstraintNotValid: ['model_name', 'constraint'],
  ValidateConstraint: ['model_name', 'name'],
  RunSQL: ['sql', 'reverse_sql', 'state_operations', 'hints', 'elidable'],
  RunPython: ['code', 'reverse_code', 'atomic', 'hints', 'elidable'],
  SeparateDatabaseAndState: ['database_operations', 'state_operations'],
};

/** An operation's argument by Django's parameter name, whether passed by keyword or by position. */
export function opArg(op: Operation, param: string): Expr | undefined {
  const byKeyword = op.call.kwargs[param];
  if (byKeyword) return byKeyword;
  const position = OPERATION_PARAMS[op.name]?.indexOf(param) ?? -1;
  return position >= 0 ? op.call.args[position] : undefined;
}

/** The string value of a literal expression, else undefined. */
export function stringValue(expr: Expr | undefined): string | undefined {
  return expr?.kind === 'string' && !expr.formatted ? expr.value : undefined;
}

/** The boolean meaning of a literal (`True`, `False`, `None`, numbers, strings); undefined when not literal. */
export function literalTruth(expr: Expr | undefined): boolean | undefined {
  if (!expr) return undefined;
  switch (expr.kind) {
    case 'bool':
      return expr.value;
    case 'none':
      return false;
    case 'number':
      return expr.value !== 0;
    case 'string':
      return expr.formatted ? undefined : expr.value.length > 0;
    default:
      return undefined;
  }
}

/** A keyword argument's literal truth, with Django's default when the argument is absent. */
export function kwargFlag(call: { kwargs: Record<string, Expr> }, name: string, defaultValue: boolean): boolean | undefined {
  const expr = call.kwargs[name];
  return expr ? literalTruth(expr) : defaultValue;
}

/** The model name as written in the operation (`model_name`, or `name` for model-level operations). */
export function writtenModelName(op: Operation): string | undefined {
  return stringValue(opArg(op, 'model_name')) ?? (isModelOperation(op.name) ? stringValue(opArg(op, 'name')) : undefined);
}

/** Lower-cased model name an operation targets (`model_name` or `name` for model-level operations). */
export function targetModel(op: Operation): string | undefined {
  return writtenModelName(op)?.toLowerCase();
}

function isModelOperation(name: string): boolean {
  return name === 'CreateModel' || name === 'DeleteModel' || name.startsWith('AlterModel') || name === 'AlterUniqueTogether' || name === 'AlterIndexTogether' || name === 'AlterOrderWithRespectTo';
}

/** The field call of AddField/AlterField (`field=models.X(...)`), when it is a call. */
export function fieldCall(op: Operation): CallExpr | undefined {
  const field = opArg(op, 'field');
  return field?.kind === 'call' ? field : undefined;
}

/** The constraint call of AddConstraint/AddConstraintNotValid (`constraint=models.CheckConstraint(...)`), when it is a call. */
export function constraintCall(op: Operation): CallExpr | undefined {
  const constraint = opArg(op, 'constraint');
  return constraint?.kind === 'call' ? constraint : undefined;
}

/** The last dotted part of a callee: `models.ForeignKey` -> `ForeignKey`. */
export function calleeName(call: CallExpr): string {
  const callee = call.callee;
  if (callee.kind === 'name') return callee.dotted.split('.').pop() ?? callee.dotted;
  return callee.text;
}

/** True when the table behind the operation's model exists before this migration (not created earlier in it). */
export function isExistingTable(ctx: FileContext, op: Operation): boolean {
  const model = targetModel(op);
  if (!model) return true;
  return !ctx.stateBefore(op).createdInSameMigration(ctx.file.app, model);
}

/** A field call written in an operation (`field=models.CharField(...)`) as a FieldDef, like the replayed state's. */
export function fieldShape(call: CallExpr): FieldDef {
  const callee = call.callee;
  return { type: calleeName(call), qualifiedType: callee.kind === 'name' ? callee.qualified : callee.text, call, kwargs: call.kwargs };
}

/**
 * A keyword flag of a field call or FieldDef with Django's default when absent (e.g. `null` defaults to False).
 * Undefined when not a literal, or absent from a call that also passes `**kwargs` (the flag may hide there).
 */
export function kwargFlag(field: CallExpr | FieldDef, name: string, defaultValue: boolean): boolean | undefined {
  const expr = field.kwargs[name];
  if (expr) return literalTruth(expr);
  const starArgs = 'hasStarArgs' in field ? field.hasStarArgs : field.call?.hasStarArgs;
  return starArgs ? undefined : defaultValue;
}

export function isManyToManyType(type: string): boolean {
  return type === 'ManyToManyField' || type === 'ParentalManyToManyField' || type === 'TaggableManager';
}

/** Relation classes that own a `<name>_id` column (ForeignObject and generic relations have none). */
const FOREIGN_KEY_COLUMN_TYPES = new Set(['ForeignKey', 'OneToOneField', 'ParentalKey', 'TreeForeignKey']);

export function hasForeignKeyColumn(field: { type: string }): boolean {
  return FOREIGN_KEY_COLUMN_TYPES.has(field.type);
}

/**
 * False for fields without a column of their own on the model's table: many-to-many (a separate table),
 * ForeignObject and GenericRelation (they reuse other columns), CompositePrimaryKey (a constraint over other fields).
 */
export function hasColumn(field: { type: string }): boolean {
  return !isManyToManyType(field.type) && field.type !== 'ForeignObject' && field.type !== 'GenericRelation' && field.type !== 'CompositePrimaryKey';
}

/**
 * The column a field creates: `db_column` when given (not None), else the field name (`<name>_id` for foreign keys).
 * Undefined when the field has no column of its own or `db_column` is not a literal.
 */
export function fieldColumnName(fieldName: string, field: { type: string; kwargs: Record<string, Expr> }): string | undefined {
  if (!hasColumn(field)) return undefined;
  const dbColumn = field.kwargs['db_column'];
  if (dbColumn && dbColumn.kind !== 'none') return stringValue(dbColumn);
  return hasForeignKeyColumn(field) ? `${fieldName}_id` : fieldName;
}

// --- hygiene and graph helpers: CreateModel fields, columns, heavy table work, the squash-aware migration graph ---

/** One `('name', models.X(...))` entry of a CreateModel's `fields` list. */
export interface ModelFieldEntry {
  name: string;
  nameExpr: Expr;
  /** The field call, when the entry's second item is a call. */
  field?: CallExpr;
  entry: Expr;
}

/** The literal entries of CreateModel's `fields`; entries that are not `(string, expr)` pairs are skipped. */
export function createModelFields(op: Operation): ModelFieldEntry[] {
  const fields = opArg(op, 'fields');
  if (!fields || (fields.kind !== 'list' && fields.kind !== 'tuple')) return [];
  const entries: ModelFieldEntry[] = [];
  for (const entry of fields.items) {
    if ((entry.kind !== 'tuple' && entry.kind !== 'list') || entry.items.length < 2) continue;
    const [nameExpr, value] = entry.items as [Expr, Expr];
    const name = stringValue(nameExpr);
    if (name === undefined) continue;
    entries.push({ name, nameExpr, field: value.kind === 'call' ? value : undefined, entry });
  }
  return entries;
}

/** The entry of a literal dict whose key is the string `key`. */
export function dictEntry(expr: Expr | undefined, key: string): { key: Expr; value: Expr } | undefined {
  if (expr?.kind !== 'dict') return undefined;
  return expr.entries.find((entry) => stringValue(entry.key) === key);
}

/** `app:name`, the key of a migration in graph maps. */
export function migrationKey(app: string, name: string): string {
  return `${app}:${name}`;
}

/**
 * Django skips modules whose name starts with `_` or `~` when it loads an app's migrations, so such files are no
 * graph nodes.
 */
export function isLoadableMigrationName(name: string): boolean {
  return name.length > 0 && name[0] !== '_' && name[0] !== '~';
}

/**
 * For every migration replaced by a squashed migration present in the workspace: that squashed migration.
 * Django then treats dependencies on the replaced migration as dependencies on the squashed one. Squashes of
 * squashes resolve to the outermost squashed migration.
 */
export function squashReplacements(nodes: readonly GraphNode[]): Map<string, GraphNode> {
  const direct = new Map<string, GraphNode>();
  for (const node of nodes) {
    if (!isLoadableMigrationName(node.name)) continue;
    for (const replaced of node.replaces) direct.set(migrationKey(replaced.app, replaced.name), node);
  }
  const resolved = new Map<string, GraphNode>();
  for (const [key, squash] of direct) {
    let outer = squash;
    const seen = new Set<string>([key]);
    for (;;) {
      const outerKey = migrationKey(outer.app, outer.name);
      const next = direct.get(outerKey);
      if (!next || seen.has(outerKey)) break;
      seen.add(outerKey);
      outer = next;
    }
    resolved.set(key, outer);
  }
  return resolved;
}

// --- compatibility and locking helpers: names, versions, managed tables ---

/** True when a dotted version such as "4.2" is at least `minimum` ("5.0"); unparsable parts count as 0. */
export function versionAtLeast(version: string, minimum: string): boolean {
  const have = version.split('.').map((part) => parseInt(part, 10) || 0);
  const want = minimum.split('.').map((part) => parseInt(part, 10) || 0);
  for (let index = 0; index < Math.max(have.length, want.length); index++) {
    const a = have[index] ?? 0;
    const b = want[index] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}

/** The field an operation names: `name` of AddField/AlterField/RemoveField, `old_name` of RenameField. */
export function targetFieldName(op: Operation): string | undefined {
  return stringValue(opArg(op, op.name === 'RenameField' ? 'old_name' : 'name'));
}

/** How messages name a model and its table: `shop.Order` and `shop_order` (or its explicit `db_table`). */
export interface ModelNames {
  app: string;
  /** Lower-cased model name, as Django keys it. */
  key: string;
  /** `app.ModelName`, with the model's name as written in its CreateModel when the state knows it. */
  label: string;
  table: string;
  /** True when `table` comes from an explicit `db_table` option. */
  explicitTable: boolean;
}

/** Names of the model an operation targets, read from the state right before it. */
export function modelNames(ctx: FileContext, op: Operation): ModelNames | undefined {
  const key = targetModel(op);
  if (!key) return undefined;
  const app = ctx.file.app;
  const model = ctx.stateBefore(op).model(app, key);
  const written = stringValue(opArg(op, 'model_name')) ?? stringValue(opArg(op, 'name')) ?? key;
  const dbTable = stringValue(model?.options['db_table']);
  return {
    app,
    key,
    label: `${app}.${model?.name ?? written}`,
    table: dbTable ?? `${app}_${key}`,
    explicitTable: dbTable !== undefined,
  };
}

/** True when Django issues no SQL for the model: `managed=False` or a proxy model in the replayed state. */
export function isUnmanagedModel(ctx: FileContext, op: Operation): boolean {
  const key = targetModel(op);
  if (!key) return false;
  const model = ctx.stateBefore(op).model(ctx.file.app, key);
  if (!model) return false;
  return literalTruth(model.options['managed']) === false || literalTruth(model.options['proxy']) === true;
}

/** The operation runs SQL against a table that already holds rows: not state-only, not a table created
 *  earlier in this migration, not an unmanaged or proxy model. */
export function changesExistingTable(ctx: FileContext, op: Operation): boolean {
  return ctx.touchesDatabase(op) && isExistingTable(ctx, op) && !isUnmanagedModel(ctx, op);
}

/** The Migration class's `atomic`: true (Django's default), false, or undefined when not a literal. */
export function migrationAtomic(ctx: FileContext): boolean | undefined {
  const atomic = ctx.file.migrationClass?.atomic;
  return atomic ? atomic.value : true;
}

/** Span of the migration name inside a literal dependency tuple (`("shop", "0002_x")` -> `0002_x`), for rename fixes. */
export function dependencyNameSpan(file: { text: string }, dependency: Dependency): Span | undefined {
  if (dependency.dynamic) return undefined;
  const text = file.text.slice(dependency.span.start, dependency.span.end);
  const at = text.lastIndexOf(dependency.name);
  return at < 0 ? undefined : { start: dependency.span.start + at, end: dependency.span.start + at + dependency.name.length };
}

/**
 * Migration files in an order Django could apply them: every migration after the ones it depends on (dependencies
 * on replaced migrations count as dependencies on their squashed migration). Ties and cycles fall back to path order,
 * so the result is deterministic for any input.
 */
export function migrationApplyOrder<T extends { path: string }>(files: readonly T[], nodes: readonly GraphNode[]): T[] {
  const replacements = squashReplacements(nodes);
  const byKey = new Map<string, GraphNode>();
  for (const node of nodes) byKey.set(migrationKey(node.app, node.name), node);
  const fileByPath = new Map(files.map((file) => [file.path, file]));
  const parents = new Map<string, Set<string>>();
  for (const node of nodes) {
    if (!fileByPath.has(node.path)) continue;
    const nodeParents = new Set<string>();
    for (const dependency of node.dependencies) {
      const key = migrationKey(dependency.app, dependency.name);
      const parent = replacements.get(key) ?? byKey.get(key);
      if (parent && parent.path !== node.path && fileByPath.has(parent.path)) nodeParents.add(parent.path);
    }
    parents.set(node.path, nodeParents);
  }
  const ordered: T[] = [];
  const done = new Set<string>();
  const pending = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  while (pending.length > 0) {
    const readyIndex = pending.findIndex((file) => [...(parents.get(file.path) ?? [])].every((parent) => done.has(parent)));
    // A cycle (or a broken graph) takes the first remaining file, so the loop always advances.
    const [next] = pending.splice(readyIndex >= 0 ? readyIndex : 0, 1) as [T];
    ordered.push(next);
    done.add(next.path);
  }
  return ordered;
}

/** The operation that last defined a field, at the end of the workspace's history. */
export interface LatestFieldDefinition {
  file: MigrationModel;
  /** CreateModel (the field is one of its entries), AddField or AlterField. */
  op: Operation;
  app: string;
  /** Lower-cased model name. */
  model: string;
  /** The model name as written in the operation, for messages. */
  modelLabel: string;
  field: string;
  call: CallExpr;
}

/**
 * For every field that still exists after the last migration, the operation that defined it last, walking the
 * migrations in apply order (originals replaced by a present squashed migration are skipped, as Django skips them).
 * Fields that were removed, renamed (the column's fate is then unsure) or whose model was deleted or renamed are left
 * out, so graph rules judge a field by what it finally is (e.g. an AutoField later altered to BigAutoField is fixed).
 */
export function latestFieldDefinitions(files: readonly MigrationModel[], nodes: readonly GraphNode[]): LatestFieldDefinition[] {
  // Graph rules of one analysis share the same files array: compute once for all of them.
  const cached = latestDefinitionsCache.get(files);
  if (cached) return cached;
  const replacements = squashReplacements(nodes);
  /** `app:model` -> lower-cased field name -> latest definition (undefined once removed or renamed). */
  const models = new Map<string, Map<string, LatestFieldDefinition | undefined>>();
  for (const file of migrationApplyOrder(files, nodes)) {
    if (replacements.has(migrationKey(file.app, file.name))) continue;
    for (const op of file.allOperations) {
      const model = op.name === 'RenameModel' ? stringValue(opArg(op, 'old_name'))?.toLowerCase() : targetModel(op);
      if (!model) continue;
      const modelKey = `${file.app}:${model}`;
      const define = (field: string | undefined, call: CallExpr | undefined): void => {
        if (field === undefined) return;
        const fields = models.get(modelKey) ?? new Map<string, LatestFieldDefinition | undefined>();
        models.set(modelKey, fields);
        const modelLabel = stringValue(opArg(op, op.name === 'CreateModel' ? 'name' : 'model_name')) ?? model;
        fields.set(field.toLowerCase(), call ? { file, op, app: file.app, model, modelLabel, field, call } : undefined);
      };
      switch (op.name) {
        case 'CreateModel':
          models.delete(modelKey);
          for (const entry of createModelFields(op)) define(entry.name, entry.field);
          break;
        case 'AddField':
        case 'AlterField':
          define(stringValue(opArg(op, 'name')), fieldCall(op));
          break;
        case 'RemoveField':
          define(stringValue(opArg(op, 'name')), undefined);
          break;
        case 'RenameField':
          define(stringValue(opArg(op, 'old_name')), undefined);
          define(stringValue(opArg(op, 'new_name')), undefined);
          break;
        case 'DeleteModel':
        case 'RenameModel':
          models.delete(modelKey);
          break;
      }
    }
  }
  const result: LatestFieldDefinition[] = [];
  for (const fields of models.values()) {
    for (const definition of fields.values()) if (definition) result.push(definition);
  }
  latestDefinitionsCache.set(files, result);
  return result;
}

const latestDefinitionsCache = new WeakMap<readonly MigrationModel[], LatestFieldDefinition[]>();

/** False when the operation sits in a `state_operations` list (directly or through nesting): it changes state only. */
export function runsAgainstDatabase(op: Operation): boolean {
  for (let current: Operation | undefined = op; current; current = current.parent) {
    if (current.context === 'state_operations') return false;
  }
  return true;
}
