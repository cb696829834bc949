// Values Django inlines into the SQL it prints: a field's effective default as `quote_value` renders it per vendor,
// and the WHERE/CHECK text of a `Q(...)` as the query compiler writes it for simple lookups. A value computed when
// the migration runs (a callable default, auto_now) is shown as a placeholder naming what computes it.
import type { Database } from '../../config/types';
import type { Expr } from '../../python/model';
import type { FieldDef } from '../../state/types';
import { calleeName, stringValue } from '../operations';

export interface SqlValue {
  sql: string;
  /** True when Django computes the value at migrate time (the printed SQL then differs run to run). */
  computed?: boolean;
}

const STRING_CLASSES = new Set(['CharField', 'TextField', 'SlugField', 'EmailField', 'URLField', 'FileField', 'ImageField', 'FilePathField', 'GenericIPAddressField', 'IPAddressField']);
const DATE_CLASSES = new Set(['DateField', 'DateTimeField', 'TimeField']);

/** `quote_value` of a string: single quotes doubled (psycopg2 and SQLite agree for plain text). */
export function quoteString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * `effective_default(field)` rendered as SQL; undefined when the field has no effective default (Django then adds
 * the column without one), `null` when it cannot be told statically.
 */
export function effectiveDefaultSql(def: FieldDef, database: Database): SqlValue | undefined | null {
  const expr = def.kwargs['default'];
  if (expr && expr.kind !== 'none') return literalSql(expr, def, database);
  const blank = def.kwargs['blank'];
  const nullable = def.kwargs['null'];
  if (blank?.kind === 'bool' && blank.value && !(nullable?.kind === 'bool' && nullable.value) && (STRING_CLASSES.has(def.type) || def.type === 'BinaryField')) {
    return { sql: def.type === 'BinaryField' ? (database === 'postgresql' ? "'\\x'::bytea" : "X''") : "''" };
  }
  if (DATE_CLASSES.has(def.type)) {
    const autoNow = def.kwargs['auto_now'] ?? def.kwargs['auto_now_add'];
    if (autoNow?.kind === 'bool' && autoNow.value) return { sql: `<the time migrate runs>`, computed: true };
  }
  return undefined;
}

function literalSql(expr: Expr, def: FieldDef, database: Database): SqlValue | null {
  switch (expr.kind) {
    case 'bool':
      return { sql: database === 'postgresql' ? String(expr.value) : expr.value ? '1' : '0' };
    case 'number':
      if (def.type === 'DecimalField') return decimalSql(expr.text, def);
      if (def.type === 'FloatField') return { sql: Number.isInteger(expr.value) && !/[.eE]/.test(expr.text) ? `${expr.value}.0` : expr.text };
      if (def.type === 'BooleanField') return { sql: database === 'postgresql' ? String(expr.value !== 0) : expr.value !== 0 ? '1' : '0' };
      return { sql: expr.text.replace(/_/g, '') };
    case 'string': {
      const value = stringValue(expr);
      if (value === undefined) return null;
      if (def.type === 'JSONField') return { sql: quoteString(JSON.stringify(value)) };
      return { sql: quoteString(value) };
    }
    case 'name':
      if (def.type === 'JSONField' && (expr.dotted === 'dict' || expr.dotted === 'list')) return { sql: expr.dotted === 'dict' ? "'{}'" : "'[]'" };
      return { sql: `<value of ${expr.dotted}() at migrate time>`, computed: true };
    case 'dict':
    case 'list':
      if (def.type === 'JSONField' && expr.kind === 'dict' && expr.entries.length === 0) return { sql: "'{}'" };
      if (def.type === 'JSONField' && expr.kind === 'list' && expr.items.length === 0) return { sql: "'[]'" };
      return null;
    case 'call':
      if (calleeName(expr) === 'Decimal' && def.type === 'DecimalField') {
        const argument = expr.args[0];
        const text = argument?.kind === 'string' ? argument.value : argument?.kind === 'number' ? argument.text : undefined;
        return text === undefined ? null : decimalSql(text, def);
      }
      return null;
    default:
      return null;
  }
}

/** adapt_decimalfield_value: `format_number(value, max_digits, decimal_places)`, a quoted string. */
function decimalSql(text: string, def: FieldDef): SqlValue | null {
  const places = def.kwargs['decimal_places'];
  const value = Number(text);
  if (!Number.isFinite(value) || places?.kind !== 'number') return null;
  return { sql: quoteString(value.toFixed(places.value)) };
}

// --- Q objects ---------------------------------------------------------------------------------------------------

const LOOKUP_OPERATORS: Record<string, string> = { exact: '=', gt: '>', gte: '>=', lt: '<', lte: '<=' };

export type ColumnOf = (fieldName: string) => { column: string; def: FieldDef } | undefined;

/**
 * The SQL Django compiles a `Q(...)` into for a CHECK constraint or a partial index: `"price" >= 0`, `"active"`,
 * `("a" = 1 AND "b" IS NULL)`, `NOT ("a")`. Undefined for anything beyond simple lookups on local fields.
 */
export function compileQ(expr: Expr | undefined, columnOf: ColumnOf, database: Database): string | undefined {
  const node = qNode(expr, columnOf, database);
  return node?.sql;
}

interface CompiledNode {
  sql: string;
}

function qNode(expr: Expr | undefined, columnOf: ColumnOf, database: Database, depth = 0): CompiledNode | undefined {
  if (!expr || depth > 12) return undefined;
  if (expr.kind === 'binary' && (expr.operator === '&' || expr.operator === '|')) {
    const connector = expr.operator === '&' ? 'AND' : 'OR';
    const left = qNode(expr.left, columnOf, database, depth + 1);
    const right = qNode(expr.right, columnOf, database, depth + 1);
    if (!left || !right) return undefined;
    return { sql: `(${left.sql} ${connector} ${right.sql})` };
  }
  if (expr.kind === 'other' && expr.text.trim().startsWith('~')) return undefined;
  if (expr.kind !== 'call' || calleeName(expr) !== 'Q' || expr.hasStarArgs) return undefined;
  const conditions: string[] = [];
  for (const arg of expr.args) {
    // Django >= 4.0 deconstructs Q(price__gte=0) as Q(("price__gte", 0)): a (lookup, value) pair per child.
    if (arg.kind === 'tuple' && arg.items.length === 2 && arg.items[0]?.kind === 'string') {
      const condition = lookupSql((arg.items[0] as { value: string }).value, arg.items[1] as Expr, columnOf, database);
      if (condition === undefined) return undefined;
      conditions.push(condition);
      continue;
    }
    const inner = qNode(arg, columnOf, database, depth + 1);
    if (!inner) return undefined;
    conditions.push(inner.sql);
  }
  let connector = 'AND';
  let negated = false;
  for (const [key, value] of Object.entries(expr.kwargs)) {
    if (key === '_connector') {
      const text = stringValue(value) ?? (value.kind === 'name' ? value.dotted.split('.').pop() : undefined);
      if (text !== 'AND' && text !== 'OR') return undefined;
      connector = text;
      continue;
    }
    if (key === '_negated') {
      if (value.kind !== 'bool') return undefined;
      negated = value.value;
      continue;
    }
    const condition = lookupSql(key, value, columnOf, database);
    if (condition === undefined) return undefined;
    conditions.push(condition);
  }
  if (conditions.length === 0) return undefined;
  let sql = conditions.join(` ${connector} `);
  if (negated) sql = `NOT (${sql})`;
  else if (conditions.length > 1) sql = `(${sql})`;
  return { sql };
}

function lookupSql(key: string, value: Expr, columnOf: ColumnOf, database: Database): string | undefined {
  const parts = key.split('__');
  const lookup = parts.length > 1 && (parts[parts.length - 1] as string) in { ...LOOKUP_OPERATORS, isnull: 1, in: 1 } ? (parts.pop() as string) : 'exact';
  if (parts.length !== 1) return undefined;
  const target = columnOf(parts[0] as string);
  if (!target) return undefined;
  const column = `"${target.column}"`;
  if (lookup === 'isnull') {
    if (value.kind !== 'bool') return undefined;
    return `${column} IS ${value.value ? '' : 'NOT '}NULL`;
  }
  if (lookup === 'in') {
    if (value.kind !== 'list' && value.kind !== 'tuple' && value.kind !== 'set') return undefined;
    const items = value.items.map((item) => rhsSql(item, target.def, columnOf, database));
    if (items.some((item) => item === undefined)) return undefined;
    return `${column} IN (${items.join(', ')})`;
  }
  if (lookup === 'exact' && value.kind === 'none') return `${column} IS NULL`;
  if (lookup === 'exact' && value.kind === 'bool' && (target.def.type === 'BooleanField' || target.def.type === 'NullBooleanField')) {
    return value.value ? column : `NOT ${column}`;
  }
  const rhs = rhsSql(value, target.def, columnOf, database);
  return rhs === undefined ? undefined : `${column} ${LOOKUP_OPERATORS[lookup]} ${rhs}`;
}

function rhsSql(value: Expr, def: FieldDef, columnOf: ColumnOf, database: Database): string | undefined {
  if (value.kind === 'call' && calleeName(value) === 'F') {
    const name = stringValue(value.args[0]);
    const target = name ? columnOf(name) : undefined;
    return target ? `"${target.column}"` : undefined;
  }
  if (value.kind === 'number') {
    // SQLite's adapt_decimalfield_value gives a string, which quote_value quotes; psycopg2 passes a number.
    const number = value.text.replace(/_/g, '');
    return def.type === 'DecimalField' && database === 'sqlite' ? quoteString(number) : number;
  }
  if (value.kind === 'string') return stringValue(value) === undefined ? undefined : quoteString(value.value);
  if (value.kind === 'bool') return database === 'postgresql' ? String(value.value) : value.value ? '1' : '0';
  return undefined;
}

/** Database functions Django compiles to a fixed SQL expression on PostgreSQL (db_default wraps them in parentheses). */
const POSTGRES_FUNCTION_SQL: Record<string, string> = { Now: 'STATEMENT_TIMESTAMP()', RandomUUID: 'GEN_RANDOM_UUID()', Pi: 'PI()' };

/**
 * `db_default_sql` (Django 5.0+): a literal as a quoted value (`Value(...)` too), a known database function in
 * parentheses; undefined for expressions it cannot compile statically.
 */
export function dbDefaultSql(expr: Expr, def: FieldDef, database: Database): string | undefined {
  if (expr.kind === 'call') {
    const name = calleeName(expr);
    if (name === 'Value' && expr.args[0]) return dbDefaultSql(expr.args[0], def, database);
    const sql = database === 'postgresql' && expr.args.length === 0 ? POSTGRES_FUNCTION_SQL[name] : undefined;
    return sql ? `(${sql})` : undefined;
  }
  const value = literalSql(expr, def, database);
  return value && !value.computed ? value.sql : undefined;
}
