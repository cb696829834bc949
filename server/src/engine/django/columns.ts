// What the database does with a Django field, per vendor: the SQL type Django declares for a field class (the
// `data_types` of Django's postgresql, mysql and sqlite3 backends), whether it carries an index, a unique or a foreign
// key constraint, whether a db_default is computed per row, and what changing one definition into another does to
// the table (nothing, a catalog-only change, or a rewrite).
import type { Database } from '../config/types';
import type { Expr } from '../python/model';
import type { FieldDef, StateView } from '../state/types';
import { CONSTANT_WRAPPERS, NON_VOLATILE_ON_POSTGRES } from './dbFunctions';
import { fieldColumnName, fieldShape, hasColumn, hasForeignKeyColumn } from './fields';
import { calleeName, kwargFlag, literalTruth, stringValue } from './operations';

/** A keyword argument that is present and not `None` (`default=None` means no default to Django). */
export function presentArg(field: FieldDef, name: string): Expr | undefined {
  const expr = field.kwargs[name];
  return expr && expr.kind !== 'none' ? expr : undefined;
}


export function isPrimaryKey(field: FieldDef): boolean | undefined {
  return kwargFlag(field, 'primary_key', false);
}

/** A unique constraint on the column: `unique=True` or a OneToOneField (primary keys are reported separately). */
export function isUnique(field: FieldDef): boolean | undefined {
  if (field.type === 'OneToOneField') return true;
  return kwargFlag(field, 'unique', false);
}

/** Whether the column accepts NULL. NullBooleanField (removed in Django 4.0) is nullable whatever `null` says. */
export function isNullable(field: FieldDef): boolean | undefined {
  if (field.type === 'NullBooleanField') return true;
  return kwargFlag(field, 'null', false);
}

/** Django's `db_index` default for the field class: True for foreign keys and SlugField, False otherwise. */
export function indexedByDefault(field: FieldDef): boolean {
  return hasForeignKeyColumn(field) || field.type === 'SlugField';
}

/**
 * A plain (non-unique) index on the column, as Django decides it: `db_index` (see indexedByDefault) and not
 * already covered by a unique constraint or the primary key.
 */
export function hasPlainIndex(field: FieldDef): boolean | undefined {
  const dbIndex = kwargFlag(field, 'db_index', indexedByDefault(field));
  const unique = isUnique(field);
  const primary = isPrimaryKey(field);
  if (dbIndex === undefined || unique === undefined || primary === undefined) return undefined;
  return dbIndex && !unique && !primary;
}

/** A foreign key constraint in the database (`db_constraint` defaults to True). */
export function hasForeignKeyConstraint(field: FieldDef): boolean | undefined {
  if (!hasForeignKeyColumn(field)) return false;
  return kwargFlag(field, 'db_constraint', true);
}

/** A GeneratedField stored in the table (`db_persist=True`): adding it computes and writes it for every row. */
export function isStoredGenerated(field: FieldDef): boolean {
  return field.type === 'GeneratedField' && kwargFlag(field, 'db_persist', false) === true;
}

/**
 * True when adding a column with this `db_default` makes the database compute it for every existing row (a rewrite
 * on PostgreSQL, a table copy on MySQL): any function call except constant wrappers and, on PostgreSQL >= 11, the
 * functions it evaluates once. Functions it does not know count as per row.
 */
export function dbDefaultComputedPerRow(dbDefault: Expr, database: Database, postgresVersion: number): boolean {
  const functions = calledFunctions(dbDefault).filter((name) => !CONSTANT_WRAPPERS.has(name));
  if (functions.length === 0) return false;
  const catalogDefaults = database === 'postgresql' && postgresVersion >= 11;
  return !(catalogDefaults && functions.every((name) => NON_VOLATILE_ON_POSTGRES.has(name)));
}

/** Names of every function called in an expression (`Concat(Lower("a"), Value("b"))` -> Concat, Lower, Value). */
function calledFunctions(expr: Expr, depth = 0): string[] {
  if (depth > 20) return [];
  switch (expr.kind) {
    case 'call':
      return [calleeName(expr), ...expr.args.flatMap((arg) => calledFunctions(arg, depth + 1)), ...Object.values(expr.kwargs).flatMap((arg) => calledFunctions(arg, depth + 1))];
    case 'list':
    case 'tuple':
    case 'set':
      return expr.items.flatMap((item) => calledFunctions(item, depth + 1));
    case 'binary':
      return [...calledFunctions(expr.left, depth + 1), ...calledFunctions(expr.right, depth + 1)];
    default:
      return [];
  }
}

/** A relation's target as `app.modelkey` (lower-cased), resolving `'Model'` and `'self'` against the given model. */
export function relationTarget(field: FieldDef, app: string, selfKey: string): string | undefined {
  const to = field.kwargs['to'] ?? field.call?.args[0];
  const value = stringValue(to);
  if (value === undefined) return to ? `expr:${to.text.replace(/\s+/g, '')}` : undefined;
  if (value === 'self') return `${app}.${selfKey}`;
  const dot = value.lastIndexOf('.');
  return dot < 0 ? `${app}.${value.toLowerCase()}` : `${value.slice(0, dot)}.${value.slice(dot + 1).toLowerCase()}`;
}

/** Resolves a relation's target field (its `to_field`, else the target's primary key) in a state. */
export function relatedFieldResolver(state: StateView, app: string, selfKey: string): RelatedFieldResolver {
  return (field) => {
    const target = relationTarget(field, app, selfKey);
    if (!target || target.startsWith('expr:')) return undefined;
    const dot = target.lastIndexOf('.');
    const model = state.model(target.slice(0, dot), target.slice(dot + 1));
    if (!model) return undefined;
    const toField = stringValue(field.kwargs['to_field']);
    if (toField) return model.fields.get(toField.toLowerCase());
    for (const candidate of model.fields.values()) if (kwargFlag(candidate, 'primary_key', false)) return candidate;
    return undefined;
  };
}

// --- column types ---

/** The SQL type Django declares for a column, split into the parts that decide whether a change rewrites. */
export interface ColumnType {
  /** Base type as the vendor spells it: `varchar`, `text`, `integer`, `numeric`, `timestamp with time zone`. */
  base: string;
  /** varchar length; null for an unlimited varchar (PostgreSQL, Django >= 4.2 without max_length). */
  length?: number | null;
  precision?: number;
  scale?: number;
  /** The full spelling for messages: `varchar(100)`, `numeric(10, 2)`, `integer[]`. */
  sql: string;
}

type TypeTable = Record<string, string>;

const VARCHAR_FIELDS: Record<string, number | undefined> = {
  CharField: undefined,
  EmailField: 254,
  URLField: 200,
  SlugField: 50,
  FileField: 100,
  ImageField: 100,
  FilePathField: 100,
  CommaSeparatedIntegerField: undefined,
  CICharField: undefined,
  CIEmailField: 254,
};

const COMMON_TYPES: TypeTable = {
  DateField: 'date',
  IntegerField: 'integer',
  BigIntegerField: 'bigint',
  SmallIntegerField: 'smallint',
  FloatField: 'double precision',
};

const POSTGRES_TYPES: TypeTable = {
  ...COMMON_TYPES,
  AutoField: 'integer',
  BigAutoField: 'bigint',
  SmallAutoField: 'smallint',
  BinaryField: 'bytea',
  BooleanField: 'boolean',
  NullBooleanField: 'boolean',
  DateTimeField: 'timestamp with time zone',
  DurationField: 'interval',
  PositiveIntegerField: 'integer',
  PositiveBigIntegerField: 'bigint',
  PositiveSmallIntegerField: 'smallint',
  IPAddressField: 'inet',
  GenericIPAddressField: 'inet',
  JSONField: 'jsonb',
  TextField: 'text',
  TimeField: 'time',
  UUIDField: 'uuid',
  CITextField: 'citext',
  HStoreField: 'hstore',
  IntegerRangeField: 'int4range',
  BigIntegerRangeField: 'int8range',
  DecimalRangeField: 'numrange',
  DateTimeRangeField: 'tstzrange',
  DateRangeField: 'daterange',
};

const MYSQL_TYPES: TypeTable = {
  ...COMMON_TYPES,
  AutoField: 'integer',
  BigAutoField: 'bigint',
  SmallAutoField: 'smallint',
  BinaryField: 'longblob',
  BooleanField: 'bool',
  NullBooleanField: 'bool',
  DateTimeField: 'datetime(6)',
  DurationField: 'bigint',
  PositiveIntegerField: 'integer UNSIGNED',
  PositiveBigIntegerField: 'bigint UNSIGNED',
  PositiveSmallIntegerField: 'smallint UNSIGNED',
  IPAddressField: 'char(15)',
  GenericIPAddressField: 'char(39)',
  JSONField: 'json',
  TextField: 'longtext',
  TimeField: 'time(6)',
  UUIDField: 'char(32)',
};

const SQLITE_TYPES: TypeTable = {
  ...COMMON_TYPES,
  AutoField: 'integer',
  BigAutoField: 'integer',
  SmallAutoField: 'integer',
  BinaryField: 'BLOB',
  BooleanField: 'bool',
  NullBooleanField: 'bool',
  DateTimeField: 'datetime',
  DecimalField: 'decimal',
  DurationField: 'bigint',
  FloatField: 'real',
  PositiveIntegerField: 'integer unsigned',
  PositiveBigIntegerField: 'bigint unsigned',
  PositiveSmallIntegerField: 'smallint unsigned',
  IPAddressField: 'char(15)',
  GenericIPAddressField: 'char(39)',
  JSONField: 'text',
  TextField: 'text',
  TimeField: 'time',
  UUIDField: 'char(32)',
};

const TYPE_TABLES: Record<Database, TypeTable> = { postgresql: POSTGRES_TYPES, mysql: MYSQL_TYPES, sqlite: SQLITE_TYPES };

/** Finds the field a relation points at (the target's primary key, or `to_field`), for the FK column's type. */
export type RelatedFieldResolver = (field: FieldDef) => FieldDef | undefined;

/**
 * The column type Django declares for a field on a vendor; undefined for custom field classes, fields without a
 * column, and arguments that are not literals. Foreign keys take their target's type through `resolveRelated`.
 */
export function columnType(field: FieldDef, database: Database, resolveRelated?: RelatedFieldResolver, depth = 0): ColumnType | undefined {
  if (depth > 4 || !hasColumn(field)) return undefined;
  if (hasForeignKeyColumn(field)) {
    const target = resolveRelated?.(field);
    if (!target) return undefined;
    const autoCounterpart: Record<string, string> = { AutoField: 'IntegerField', BigAutoField: 'BigIntegerField', SmallAutoField: 'SmallIntegerField' };
    const relType = autoCounterpart[target.type];
    return columnType(relType ? { ...target, type: relType } : target, database, resolveRelated, depth + 1);
  }
  if (field.type in VARCHAR_FIELDS) {
    const maxLength = field.kwargs['max_length'];
    if (maxLength && maxLength.kind !== 'number' && maxLength.kind !== 'none') return undefined;
    const length = maxLength?.kind === 'number' ? maxLength.value : VARCHAR_FIELDS[field.type];
    const base = field.type.startsWith('CI') ? 'citext' : 'varchar';
    if (base === 'citext') return database === 'postgresql' ? { base, sql: base } : undefined;
    if (length === undefined) return database === 'postgresql' ? { base, length: null, sql: 'varchar' } : undefined;
    return { base, length, sql: `varchar(${length})` };
  }
  if (field.type === 'DecimalField' && database !== 'sqlite') {
    const digits = field.kwargs['max_digits'];
    const places = field.kwargs['decimal_places'];
    if (digits?.kind !== 'number' || places?.kind !== 'number') return undefined;
    return { base: 'numeric', precision: digits.value, scale: places.value, sql: `numeric(${digits.value}, ${places.value})` };
  }
  if (field.type === 'ArrayField' && database === 'postgresql') {
    const inner = field.kwargs['base_field'] ?? field.call?.args[0];
    if (inner?.kind !== 'call') return undefined;
    const element = columnType(fieldShape(inner), database, resolveRelated, depth + 1);
    return element ? { base: `${element.sql}[]`, sql: `${element.sql}[]` } : undefined;
  }
  const base = TYPE_TABLES[database][field.type];
  return base ? { base, sql: base } : undefined;
}

export type TypeChangeKind = 'none' | 'in-place' | 'rewrite';

export interface TypeChange {
  kind: TypeChangeKind;
  /** `integer to bigint`. */
  description: string;
  /** What changes, as a phrase for messages (`shortening varchar(20) to varchar(12) (fails on longer values)`). */
  reason: string;
  /** The keyword argument responsible, when one is. */
  cause?: 'max_length' | 'max_digits' | 'decimal_places';
}

/** What changing a column from `before` to `after` costs on the vendor. */
export function compareColumnTypes(before: ColumnType, after: ColumnType, database: Database): TypeChange {
  const description = `${before.sql} to ${after.sql}`;
  if (before.sql === after.sql) return { kind: 'none', description, reason: 'same column type' };
  if (database === 'sqlite') return compareSqlite(before, after, description);
  if (isTextual(before) && isTextual(after)) return compareTextual(before, after, database, description);
  if (before.base === 'numeric' && after.base === 'numeric') return compareNumeric(before, after, database, description);
  return { kind: 'rewrite', description, reason: `changing ${description}` };
}

function isTextual(type: ColumnType): boolean {
  return type.base === 'varchar' || type.base === 'text';
}

/** Max characters, null for unlimited (`text`, bare `varchar`). MySQL's longtext is not varchar: never in place. */
function textLength(type: ColumnType): number | null {
  return type.base === 'text' ? null : (type.length ?? null);
}

function compareTextual(before: ColumnType, after: ColumnType, database: Database, description: string): TypeChange {
  const was = textLength(before);
  const now = textLength(after);
  if (database === 'postgresql') {
    if (now === null) return { kind: 'in-place', description, reason: 'widening to an unlimited varchar/text is a catalog-only change on PostgreSQL' };
    if (was !== null && now >= was) return { kind: 'in-place', description, reason: 'growing a varchar is a catalog-only change on PostgreSQL' };
    return { kind: 'rewrite', description, reason: `shortening ${description} (fails on longer values)`, cause: 'max_length' };
  }
  // MySQL: VARCHAR growth is in place only while the length prefix stays 1 byte (<= 255 bytes) or stays 2 bytes;
  // utf8mb4 (4 bytes per character), the default since MySQL 8, is assumed.
  if (was !== null && now !== null && before.base === 'varchar' && after.base === 'varchar') {
    if (now >= was && lengthPrefixBytes(was) === lengthPrefixBytes(now)) {
      return { kind: 'in-place', description, reason: 'growing a VARCHAR within the same length-prefix size is in place on MySQL' };
    }
    if (now >= was) {
      return { kind: 'rewrite', description, reason: `growing ${description} past the 255-byte length prefix (utf8mb4)`, cause: 'max_length' };
    }
    return { kind: 'rewrite', description, reason: `shortening ${description} (fails on longer values)`, cause: 'max_length' };
  }
  return { kind: 'rewrite', description, reason: `changing ${description}` };
}

function lengthPrefixBytes(characters: number): number {
  return characters * 4 <= 255 ? 1 : 2;
}

function compareNumeric(before: ColumnType, after: ColumnType, database: Database, description: string): TypeChange {
  if (before.scale !== after.scale) {
    return { kind: 'rewrite', description, reason: `changing the decimal scale (${description})`, cause: 'decimal_places' };
  }
  if ((after.precision ?? 0) < (before.precision ?? 0)) {
    return { kind: 'rewrite', description, reason: `reducing the precision (${description}, fails on values that no longer fit)`, cause: 'max_digits' };
  }
  if (database === 'postgresql') return { kind: 'in-place', description, reason: 'raising numeric precision with the same scale is catalog-only on PostgreSQL' };
  return { kind: 'rewrite', description, reason: `changing ${description}`, cause: 'max_digits' };
}

/** SQLite's type affinity rules (https://sqlite.org/datatype3.html, 3.1). */
function sqliteAffinity(declared: string): 'INTEGER' | 'TEXT' | 'BLOB' | 'REAL' | 'NUMERIC' {
  const type = declared.toUpperCase();
  if (type.includes('INT')) return 'INTEGER';
  if (type.includes('CHAR') || type.includes('CLOB') || type.includes('TEXT')) return 'TEXT';
  if (type.includes('BLOB') || type === '') return 'BLOB';
  if (type.includes('REAL') || type.includes('FLOA') || type.includes('DOUB')) return 'REAL';
  return 'NUMERIC';
}

function compareSqlite(before: ColumnType, after: ColumnType, description: string): TypeChange {
  const was = sqliteAffinity(before.base);
  const now = sqliteAffinity(after.base);
  if (was === now) return { kind: 'in-place', description, reason: `both have ${was} affinity on SQLite, so the copied values do not change` };
  return { kind: 'rewrite', description, reason: `changing ${description} (${was} to ${now} affinity)` };
}

// --- comparing two definitions of the same field ---

/**
 * Attributes that never change the table: Django's `Field.non_db_attrs` (`db_column` is compared as the column name)
 * plus `default`, which the catalogue's no-op list includes (a Python-side default; Django only sends it to the
 * database to fill rows when a column is added or becomes NOT NULL, which the null comparison covers).
 */
const NON_DB_ATTRS = new Set([
  'default',
  'blank',
  'choices',
  'db_column',
  'editable',
  'error_messages',
  'help_text',
  'limit_choices_to',
  'on_delete',
  'related_name',
  'related_query_name',
  'validators',
  'verbose_name',
]);

/** Keyword values equal to Django's defaults are left out of `deconstruct()`, so `null=False` equals no `null`. */
const DEFAULT_FLAGS: Record<string, boolean> = { null: false, unique: false, primary_key: false, db_index: false, serialize: true, auto_created: false, db_constraint: true };

function canonicalKwargs(field: FieldDef): Map<string, string> {
  const result = new Map<string, string>();
  for (const [name, expr] of Object.entries(field.kwargs)) {
    if (NON_DB_ATTRS.has(name)) continue;
    const defaultFlag = name === 'db_index' ? indexedByDefault(field) : DEFAULT_FLAGS[name];
    if (defaultFlag !== undefined && literalTruth(expr) === defaultFlag) continue;
    result.set(name, canonicalText(expr));
  }
  return result;
}

/** Expression text for equality: quotes normalised, whitespace ignored. */
export function canonicalText(expr: Expr): string {
  const value = stringValue(expr);
  if (value !== undefined) return JSON.stringify(value);
  return expr.text.replace(/\s+/g, '').replace(/'/g, '"').replace(/,([)\]}])/g, '$1');
}

/**
 * Django's `_field_should_be_altered`: false when only attributes the database never sees changed (help_text,
 * verbose_name, choices, ...) and the column name stayed the same. Undefined when a definition is not readable.
 */
export function fieldShouldBeAltered(fieldName: string, before: FieldDef, after: FieldDef): boolean | undefined {
  if (before.call?.hasStarArgs || after.call?.hasStarArgs) return undefined;
  if (fieldColumnName(fieldName, before) !== fieldColumnName(fieldName, after)) return true;
  return definitionDiffers(before, after);
}

/** True when the definitions differ in anything but the attributes the database never sees and the column name. */
export function definitionDiffers(before: FieldDef, after: FieldDef): boolean {
  if (before.type !== after.type) return true;
  const was = canonicalKwargs(before);
  const now = canonicalKwargs(after);
  if (was.size !== now.size) return true;
  for (const [name, value] of was) if (now.get(name) !== value) return true;
  const wasArgs = (before.call?.args ?? []).map(canonicalText).join('|');
  const nowArgs = (after.call?.args ?? []).map(canonicalText).join('|');
  return wasArgs !== nowArgs;
}

/** Schema-level facets that make PostgreSQL and MySQL run DDL when they change. */
export interface SchemaChange {
  type?: TypeChange;
  /** True when the two types could not be compared (custom classes, non-literal arguments). */
  typeUnknown: boolean;
  nullChanged: boolean;
  uniqueChanged: boolean;
  indexChanged: boolean;
  primaryKeyChanged: boolean;
  columnChanged: boolean;
  collationChanged: boolean;
  dbDefaultChanged: boolean;
  foreignKeyChanged: boolean;
}

export function schemaChange(fieldName: string, before: FieldDef, after: FieldDef, database: Database, resolveRelated?: RelatedFieldResolver): SchemaChange {
  const beforeType = columnType(before, database, resolveRelated);
  const afterType = columnType(after, database, resolveRelated);
  const sameRelation = hasForeignKeyColumn(before) && hasForeignKeyColumn(after) && argText(before, 'to', 0) === argText(after, 'to', 0) && argText(before, 'to_field') === argText(after, 'to_field');
  let type: TypeChange | undefined;
  let typeUnknown = false;
  if (beforeType && afterType) type = compareColumnTypes(beforeType, afterType, database);
  else if (sameRelation) type = { kind: 'none', description: 'same foreign key target', reason: 'same column type' };
  else if (before.type === after.type && typeParams(before) === typeParams(after)) type = { kind: 'none', description: `${before.type} unchanged`, reason: 'same column type' };
  else typeUnknown = true;
  return {
    type,
    typeUnknown,
    nullChanged: isNullable(before) !== isNullable(after),
    uniqueChanged: isUnique(before) !== isUnique(after),
    indexChanged: hasPlainIndex(before) !== hasPlainIndex(after),
    primaryKeyChanged: isPrimaryKey(before) !== isPrimaryKey(after),
    columnChanged: fieldColumnName(fieldName, before) !== fieldColumnName(fieldName, after),
    collationChanged: argText(before, 'db_collation') !== argText(after, 'db_collation'),
    dbDefaultChanged: argText(before, 'db_default') !== argText(after, 'db_default'),
    foreignKeyChanged:
      hasForeignKeyConstraint(before) !== hasForeignKeyConstraint(after) ||
      (hasForeignKeyColumn(before) && hasForeignKeyColumn(after) && !sameRelation),
  };
}

/** True when PostgreSQL/MySQL would run any DDL for the change; undefined when a type could not be compared. */
export function changesSchema(change: SchemaChange): boolean | undefined {
  const facets =
    change.nullChanged ||
    change.uniqueChanged ||
    change.indexChanged ||
    change.primaryKeyChanged ||
    change.columnChanged ||
    change.collationChanged ||
    change.dbDefaultChanged ||
    change.foreignKeyChanged ||
    (change.type !== undefined && change.type.kind !== 'none');
  if (facets) return true;
  return change.typeUnknown ? undefined : false;
}

const TYPE_PARAMS = ['max_length', 'max_digits', 'decimal_places', 'base_field', 'size', 'output_field', 'expression', 'db_persist', 'srid', 'dim', 'geography'];

function typeParams(field: FieldDef): string {
  return TYPE_PARAMS.map((name) => argText(field, name)).join('|') + '|' + (field.call?.args ?? []).map(canonicalText).join('|');
}

function argText(field: FieldDef, name: string, position?: number): string {
  const expr = field.kwargs[name] ?? (position === undefined ? undefined : field.call?.args[position]);
  return expr ? canonicalText(expr) : '';
}

