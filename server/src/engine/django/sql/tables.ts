// Models as Django's schema editor sees them: the table, each local field's column, declared type, nullability,
// keys and relation target, read from the replayed state (or from the operation that is creating or changing the
// model). Everything unknown (a custom field class, a non-literal argument) is `undefined`, never guessed.
import type { Database } from '../../config/types';
import type { Expr } from '../../python/model';
import type { FieldDef, ModelState } from '../../state/types';
import { columnType, relationTarget } from '../columns';
import { AUTO_FIELD_TYPES, hasColumn, hasForeignKeyColumn, isManyToMany } from '../fields';
import { kwargFlag, stringValue, versionAtLeast } from '../operations';
import { maxNameLength, truncateName } from './names';
import { syntheticBool, syntheticString, syntheticTuple } from '../../python/syntheticExpr';

export interface SchemaOptions {
  database: Database;
  /** major.minor, e.g. "3.2" or "5.2". */
  djangoVersion: string;
  postgresVersion: number;
  /** DEFAULT_AUTO_FIELD's class name, for auto-created M2M tables. */
  defaultAutoField: string;
  /** AUTH_USER_MODEL as `app.Model` (Django's default `auth.User`). */
  authUserModel?: string;
}

export interface SqlField {
  name: string;
  def: FieldDef;
  /** The column, undefined for fields without one (M2M) or with a non-literal db_column. */
  column?: string;
}

export interface SqlModel {
  app: string;
  key: string;
  name: string;
  table: string;
  fields: SqlField[];
  options: Record<string, Expr>;
  /** True for auto-created M2M tables (their definition comes from the field). */
  autoCreated?: boolean;
  /** Finds a field by lower-cased name without walking `fields` (models read from the replayed state). */
  fieldNamed?(name: string): SqlField | undefined;
}

/** A field by name: through the model's index when it has one (O(log n)), else by walking its fields. */
export function fieldNamed(model: SqlModel, name: string): SqlField | undefined {
  const key = name.toLowerCase();
  return model.fieldNamed ? model.fieldNamed(key) : model.fields.find((field) => field.name === key);
}

/**
 * The model with `field` added, or replacing `replaced`: its field list is only built when something walks it, so
 * a migration adding thousands of fields to one model stays linear.
 */
export function withField(model: SqlModel, field: SqlField, replaced?: SqlField): SqlModel {
  let fields: SqlField[] | undefined;
  // No spread: it would read (build) the original's lazy field list.
  const derived: SqlModel = {
    app: model.app,
    key: model.key,
    name: model.name,
    table: model.table,
    options: model.options,
    ...(model.autoCreated ? { autoCreated: true } : {}),
    get fields() {
      fields ??= replaced ? model.fields.map((candidate) => (candidate === replaced ? field : candidate)) : [...model.fields, field];
      return fields;
    },
    fieldNamed: (name) => (name === field.name ? field : replaced && name === replaced.name ? undefined : fieldNamed(model, name)),
  };
  return derived;
}

/** Finds a model of the replayed state by `app.key` for relation targets. */
export type ModelLookup = (app: string, key: string) => SqlModel | undefined;

export { versionAtLeast };

/** Options.db_table: `db_table`, else `<app_label>_<model_name>` truncated to the vendor's identifier length. */
export function tableName(app: string, key: string, options: Record<string, Expr>, database: Database): string | undefined {
  const explicit = options['db_table'];
  if (explicit && explicit.kind !== 'none') return stringValue(explicit);
  return truncateName(`${app}_${key}`, maxNameLength(database));
}

export function fieldColumn(name: string, def: FieldDef): string | undefined {
  if (!hasColumn(def)) return undefined;
  const dbColumn = def.kwargs['db_column'];
  if (dbColumn && dbColumn.kind !== 'none') return stringValue(dbColumn);
  return hasForeignKeyColumn(def) ? `${name}_id` : name;
}

const SQL_MODELS: Record<Database, WeakMap<ModelState, SqlModel | null>> = { postgresql: new WeakMap(), mysql: new WeakMap(), sqlite: new WeakMap() };

function sqlField(name: string, def: FieldDef): SqlField {
  const column = fieldColumn(name, def);
  return column === undefined ? { name, def } : { name, def, column };
}

/** The model of a replayed state, memoised per state object; fields are read from the state's map on demand. */
export function sqlModel(state: ModelState, database: Database): SqlModel | undefined {
  const cache = SQL_MODELS[database];
  const cached = cache.get(state);
  if (cached !== undefined) return cached ?? undefined;
  const table = tableName(state.app, state.key, state.options, database);
  if (table === undefined) {
    cache.set(state, null);
    return undefined;
  }
  let fields: SqlField[] | undefined;
  const byName = new Map<string, SqlField>();
  const model: SqlModel = {
    app: state.app,
    key: state.key,
    name: state.name,
    table,
    options: state.options,
    get fields() {
      fields ??= withOrderField([...state.fields].map(([name, def]) => byName.get(name) ?? sqlField(name, def)), state.options);
      return fields;
    },
    fieldNamed: (name) => {
      let field = byName.get(name);
      if (!field) {
        if (name === ORDER_FIELD.name && hasOrderField(state.options)) return ORDER_FIELD;
        const def = state.fields.get(name);
        if (!def) return undefined;
        field = sqlField(name, def);
        byName.set(name, field);
      }
      return field;
    },
  };
  cache.set(state, model);
  return model;
}

/** The `_order` column Django adds (last) to a model with Meta.order_with_respect_to (OrderWrt, an IntegerField). */
export const ORDER_FIELD: SqlField = { name: '_order', def: { type: 'IntegerField', qualifiedType: 'django.db.models.IntegerField', kwargs: {} }, column: '_order' };

export function hasOrderField(options: Record<string, Expr>): boolean {
  const value = options['order_with_respect_to'];
  return value !== undefined && value.kind !== 'none';
}

export function withOrderField(fields: SqlField[], options: Record<string, Expr>): SqlField[] {
  return hasOrderField(options) && !fields.some((field) => field.name === ORDER_FIELD.name) ? [...fields, ORDER_FIELD] : fields;
}

export function isManaged(model: SqlModel): boolean {
  const managed = model.options['managed'];
  const proxy = model.options['proxy'];
  return !(managed?.kind === 'bool' && !managed.value) && !(proxy?.kind === 'bool' && proxy.value);
}

const PRIMARY_KEYS = new WeakMap<SqlModel, SqlField | null>();

export function primaryKey(model: SqlModel): SqlField | undefined {
  let primary = PRIMARY_KEYS.get(model);
  if (primary === undefined) {
    // makemigrations writes the primary key first: the common case stops at once.
    primary = model.fields.find((field) => kwargFlag(field.def, 'primary_key', false) === true) ?? null;
    PRIMARY_KEYS.set(model, primary);
  }
  return primary ?? undefined;
}

/**
 * Django's own models that projects point foreign keys at without having their migrations in the workspace
 * (django.contrib's): their tables and integer `id` keys are the same in every version.
 */
const CONTRIB_MODELS: Record<string, { table: string; name: string }> = {
  'auth.user': { table: 'auth_user', name: 'User' },
  'auth.group': { table: 'auth_group', name: 'Group' },
  'auth.permission': { table: 'auth_permission', name: 'Permission' },
  'contenttypes.contenttype': { table: 'django_content_type', name: 'ContentType' },
  'sites.site': { table: 'django_site', name: 'Site' },
};

function contribModel(target: string): SqlModel | undefined {
  const known = CONTRIB_MODELS[target];
  if (!known) return undefined;
  const dot = target.indexOf('.');
  const id: SqlField = { name: 'id', def: { type: 'AutoField', qualifiedType: 'django.db.models.AutoField', kwargs: { primary_key: syntheticBool(true) } }, column: 'id' };
  return { app: target.slice(0, dot), key: target.slice(dot + 1), name: known.name, table: known.table, fields: [id], options: {} };
}

/** `settings.AUTH_USER_MODEL` (how makemigrations writes a foreign key to the user model) as `app.model`. */
const AUTH_USER_MODEL_EXPR = /^expr:(?:django\.conf\.)?settings\.AUTH_USER_MODEL$/;

/** The field a relation points at: `to_field`, else the target's primary key. */
export function relationTargetField(model: SqlModel, field: SqlField, lookup: ModelLookup, authUserModel = 'auth.user'): { model: SqlModel; field: SqlField } | undefined {
  let target = relationTarget(field.def, model.app, model.key);
  if (target && AUTH_USER_MODEL_EXPR.test(target)) target = authUserModel.toLowerCase();
  if (!target || target.startsWith('expr:')) return undefined;
  const dot = target.lastIndexOf('.');
  const app = target.slice(0, dot);
  const key = target.slice(dot + 1);
  const targetModel = app === model.app && key === model.key ? model : (lookup(app, key) ?? contribModel(target));
  if (!targetModel) return undefined;
  const toField = stringValue(field.def.kwargs['to_field']);
  const targetField = toField ? fieldNamed(targetModel, toField) : primaryKey(targetModel);
  return targetField ? { model: targetModel, field: targetField } : undefined;
}

const POSITIVE_FIELDS = new Set(['PositiveIntegerField', 'PositiveSmallIntegerField', 'PositiveBigIntegerField']);
const POSTGRES_SERIAL: Record<string, string> = { AutoField: 'serial', BigAutoField: 'bigserial', SmallAutoField: 'smallserial' };
const POSTGRES_IDENTITY: Record<string, string> = { AutoField: 'integer', BigAutoField: 'bigint', SmallAutoField: 'smallint' };

/** db_parameters(connection): the type a column is created with and its CHECK, as Django declares them. */
export interface DbParams {
  /** `varchar(100)`, `serial`, `integer`; undefined when unknown. */
  type?: string;
  /** The type a foreign key to this field takes (rel_db_type): `integer` for an AutoField. */
  relType?: string;
  check?: string;
  /** Written after the type and check (SQLite's AUTOINCREMENT, identity columns on Django >= 4.1). */
  suffix?: string;
}

export function dbParams(model: SqlModel, field: SqlField, lookup: ModelLookup, options: SchemaOptions, depth = 0): DbParams {
  const { database } = options;
  const def = field.def;
  if (depth > 4 || !hasColumn(def)) return {};
  if (hasForeignKeyColumn(def)) {
    const target = relationTargetField(model, field, lookup, options.authUserModel);
    if (!target) return {};
    return { type: dbParams(target.model, target.field, lookup, options, depth + 1).relType };
  }
  const plain = columnType(def, database)?.sql;
  const params: DbParams = {};
  if (AUTO_FIELD_TYPES.has(def.type)) {
    const identity = versionAtLeast(options.djangoVersion, '4.1');
    if (database === 'postgresql') {
      params.type = identity ? POSTGRES_IDENTITY[def.type] : POSTGRES_SERIAL[def.type];
      if (identity) params.suffix = 'GENERATED BY DEFAULT AS IDENTITY';
    } else if (database === 'sqlite') {
      params.type = 'integer';
      params.suffix = 'AUTOINCREMENT';
    } else {
      params.type = plain;
      params.suffix = 'AUTO_INCREMENT';
    }
    params.relType = database === 'sqlite' ? (def.type === 'AutoField' ? 'integer' : def.type === 'BigAutoField' ? 'bigint' : 'smallint') : POSTGRES_IDENTITY[def.type];
    return params;
  }
  if (plain !== undefined) params.type = plain;
  // rel_db_type: the same type without the CHECK a positive integer field adds.
  if (plain !== undefined) params.relType = plain;
  if (POSITIVE_FIELDS.has(def.type) && database !== 'mysql' && field.column !== undefined) params.check = `"${field.column}" >= 0`;
  if (def.type === 'JSONField' && database === 'sqlite' && field.column !== undefined) params.check = `(JSON_VALID("${field.column}") OR "${field.column}" IS NULL)`;
  return params;
}

export function isNull(def: FieldDef): boolean | undefined {
  if (def.type === 'NullBooleanField') return true;
  return kwargFlag(def, 'null', false);
}

export function isPrimary(def: FieldDef): boolean | undefined {
  return kwargFlag(def, 'primary_key', false);
}

/** Field.unique: `unique` or primary_key (Django's `unique` property is true for primary keys), OneToOneField. */
export function isUniqueField(def: FieldDef): boolean | undefined {
  if (def.type === 'OneToOneField' && def.kwargs['unique'] === undefined) return true;
  const primary = isPrimary(def);
  const unique = kwargFlag(def, 'unique', false);
  if (primary === undefined || unique === undefined) return undefined;
  return primary || unique;
}

/** db_index as Django defaults it: True for ForeignKey (not OneToOneField, which is unique) and SlugField. */
export function isDbIndex(def: FieldDef): boolean | undefined {
  return kwargFlag(def, 'db_index', hasForeignKeyColumn(def) || def.type === 'SlugField');
}

export function hasDbConstraint(def: FieldDef): boolean | undefined {
  return hasForeignKeyColumn(def) ? kwargFlag(def, 'db_constraint', true) : false;
}

export function isAutoCreatedManyToMany(def: FieldDef): boolean {
  return isManyToMany(def) && def.kwargs['through'] === undefined && def.type === 'ManyToManyField';
}

/**
 * The auto-created through model of a ManyToManyField (create_many_to_many_intermediary_model): table
 * `<table>_<field>` (or db_table), an auto id, and two foreign keys named after the models (`from_`/`to_` when
 * the relation points at its own model), unique together.
 */
export function throughModel(model: SqlModel, field: SqlField, lookup: ModelLookup, options: SchemaOptions): SqlModel | undefined {
  const target = relationTarget(field.def, model.app, model.key);
  if (!target || target.startsWith('expr:')) return undefined;
  const dot = target.lastIndexOf('.');
  const targetApp = target.slice(0, dot);
  const targetKey = target.slice(dot + 1);
  const targetModel = targetApp === model.app && targetKey === model.key ? model : lookup(targetApp, targetKey);
  if (!targetModel) return undefined;
  const explicit = stringValue(field.def.kwargs['db_table']);
  const table = explicit ?? truncateName(`${model.table}_${field.name}`, maxNameLength(options.database));
  const self = targetModel === model;
  const fromName = self ? `from_${model.key}` : model.key;
  const toName = self ? `to_${targetModel.key}` : targetModel.key;
  const fk = (name: string, to: SqlModel): SqlField => {
    const def: FieldDef = { type: 'ForeignKey', qualifiedType: 'django.db.models.ForeignKey', kwargs: { to: syntheticString(`${to.app}.${to.key}`) } };
    return { name, def, column: `${name}_id` };
  };
  const id: SqlField = { name: 'id', def: { type: options.defaultAutoField, qualifiedType: `django.db.models.${options.defaultAutoField}`, kwargs: { primary_key: syntheticBool(true) } }, column: 'id' };
  const key = `${model.key}_${field.name}`;
  return {
    app: model.app,
    key,
    name: key,
    table,
    fields: [id, fk(fromName, model), fk(toName, targetModel)],
    options: { unique_together: syntheticTuple([syntheticTuple([syntheticString(fromName), syntheticString(toName)])]) },
    autoCreated: true,
  };
}

/** `unique_together` / `index_together` as lists of field-name lists (single tuple form normalised). */
export function togetherSets(expr: Expr | undefined): string[][] | undefined {
  if (!expr || expr.kind === 'none') return [];
  if (expr.kind === 'call' && expr.args.length === 0 && expr.callee.kind === 'name' && ['set', 'list', 'tuple'].includes(expr.callee.dotted)) return [];
  if (expr.kind !== 'list' && expr.kind !== 'tuple' && expr.kind !== 'set') return undefined;
  if (expr.items.length === 0) return [];
  if (expr.items.every((item) => item.kind === 'string')) {
    const names = expr.items.map((item) => stringValue(item));
    return names.every((name): name is string => name !== undefined) ? [names] : undefined;
  }
  const sets: string[][] = [];
  for (const item of expr.items) {
    if (item.kind !== 'list' && item.kind !== 'tuple' && item.kind !== 'set') return undefined;
    const names = item.items.map((name) => stringValue(name));
    if (!names.every((name): name is string => name !== undefined)) return undefined;
    sets.push(names);
  }
  return sets;
}
