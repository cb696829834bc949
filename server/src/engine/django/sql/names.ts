// The identifiers Django's schema editor writes: quoting per vendor, truncate_name, names_digest and
// _create_index_name (django/db/backends/utils.py and base/schema.py), and the names PostgreSQL itself gives to
// constraints declared inline (`UNIQUE`, `CHECK`, `PRIMARY KEY` in a column definition), which Django later finds
// by introspection and drops by that name.
import { createHash } from 'node:crypto';
import type { Database } from '../../config/types';

/** NAMEDATALEN - 1: the longest identifier PostgreSQL keeps (connection.ops.max_name_length()). */
export const POSTGRES_MAX_NAME_LENGTH = 63;

/** Django's `max_name_length()` per vendor; SQLite has none and Django then uses 200 for index names. */
export function maxNameLength(database: Database): number | undefined {
  if (database === 'postgresql') return POSTGRES_MAX_NAME_LENGTH;
  if (database === 'mysql') return 64;
  return undefined;
}

/** `connection.ops.quote_name`: double quotes on PostgreSQL and SQLite, backticks on MySQL; already quoted names stay. */
export function quoteName(name: string, database: Database): string {
  if (database === 'mysql') return name.startsWith('`') && name.endsWith('`') ? name : `\`${name}\``;
  return name.startsWith('"') && name.endsWith('"') ? name : `"${name}"`;
}

/** `names_digest(*args, length)`: the first `length` hex digits of the MD5 of the arguments concatenated. */
export function namesDigest(parts: readonly string[], length: number): string {
  const hash = createHash('md5');
  for (const part of parts) hash.update(part, 'utf8');
  return hash.digest('hex').slice(0, length);
}

/** `truncate_name(identifier, length, hash_len=4)` for unqualified names. */
export function truncateName(identifier: string, length: number | undefined, hashLength = 4): string {
  if (length === undefined || identifier.length <= length) return identifier;
  return identifier.slice(0, length - hashLength) + namesDigest([identifier], hashLength);
}

/** `split_identifier`: the name part of `"schema"."table"`. */
function unqualified(identifier: string): string {
  if (!identifier.includes('"')) return identifier;
  const parts = identifier.split('"."');
  return (parts.length === 2 ? (parts[1] as string) : identifier).replace(/^"|"$/g, '');
}

const INDEX_NAMES = new Map<string, string>();

/** `BaseDatabaseSchemaEditor._create_index_name(table_name, column_names, suffix)` (memoised: it hashes). */
export function createIndexName(tableName: string, columnNames: readonly string[], suffix: string, database: Database): string {
  const key = `${database}\u0000${tableName}\u0000${suffix}\u0000${columnNames.join('\u0000')}`;
  let name = INDEX_NAMES.get(key);
  if (name === undefined) {
    if (INDEX_NAMES.size > 50_000) INDEX_NAMES.clear();
    name = computeIndexName(tableName, columnNames, suffix, database);
    INDEX_NAMES.set(key, name);
  }
  return name;
}

function computeIndexName(tableName: string, columnNames: readonly string[], suffix: string, database: Database): string {
  const table = unqualified(tableName);
  let hashSuffixPart = `${namesDigest([table, ...columnNames], 8)}${suffix}`;
  const maxLength = maxNameLength(database) ?? 200;
  const full = `${table}_${columnNames.join('_')}_${hashSuffixPart}`;
  if (full.length <= maxLength) return full;
  if (hashSuffixPart.length > maxLength / 3) hashSuffixPart = hashSuffixPart.slice(0, Math.floor(maxLength / 3));
  const otherLength = Math.floor((maxLength - hashSuffixPart.length) / 2) - 1;
  let name = `${table.slice(0, otherLength)}_${columnNames.join('_').slice(0, otherLength)}_${hashSuffixPart}`;
  if (name.startsWith('_') || /^\d/.test(name)) name = `D${name.slice(0, -1)}`;
  return name;
}

/** The name of the foreign key constraint Django creates (`_fk_constraint_name` with `_fk_%(to_table)s_%(to_column)s`). */
export function foreignKeyName(table: string, column: string, toTable: string, toColumn: string, database: Database, suffix = '_fk_%(to_table)s_%(to_column)s'): string {
  const rendered = suffix.replace('%(to_table)s', unqualified(toTable)).replace('%(to_column)s', toColumn);
  return createIndexName(table, [column], rendered, database);
}

/**
 * PostgreSQL's makeObjectName (src/backend/commands/indexcmds.c): `name1_name2_label`, shortening the longer of
 * name1 and name2 one character at a time until the whole fits in 63 bytes. Used by ChooseConstraintName for
 * inline constraints: `<table>_<column>_key`, `<table>_<column>_check`, `<table>_pkey`.
 */
export function postgresObjectName(name1: string, name2: string | undefined, label: string): string {
  let overhead = label.length + 1;
  if (name2 !== undefined) overhead += 1;
  const available = POSTGRES_MAX_NAME_LENGTH - overhead;
  let length1 = Buffer.byteLength(name1);
  let length2 = name2 === undefined ? 0 : Buffer.byteLength(name2);
  while (length1 + length2 > available) {
    if (length1 > length2) length1--;
    else length2--;
  }
  const clip = (text: string, bytes: number): string => {
    let out = '';
    for (const char of text) {
      if (Buffer.byteLength(out + char) > bytes) break;
      out += char;
    }
    return out;
  };
  return [clip(name1, length1), ...(name2 === undefined ? [] : [clip(name2, length2)]), label].join('_');
}
