// Classification of scanned SQL statements: what a statement does (create index, alter table actions, truncate,
// transaction control, ...) as far as migration rules care. Every parser is best-effort and returns undefined
// for statements it does not recognise rather than guessing.
import type { SqlStatement, SqlToken } from './scanner';

/** A possibly schema-qualified name such as `public."Order"`. */
export interface SqlName {
  /** The name as written. */
  text: string;
  /** The last part, unquoted; lower-cased when it was not quoted (PostgreSQL folds unquoted names). */
  name: string;
  start: number;
  end: number;
}

/** Reads tokens of one statement with keyword matching. */
class SqlCursor {
  private position: number;

  constructor(
    readonly tokens: readonly SqlToken[],
    start = 0,
  ) {
    this.position = start;
  }

  get index(): number {
    return this.position;
  }

  get atEnd(): boolean {
    return this.position >= this.tokens.length;
  }

  peek(offset = 0): SqlToken | undefined {
    return this.tokens[this.position + offset];
  }

  /** The upper-cased keyword at the cursor (+offset), or undefined when that token is not a bare word. */
  word(offset = 0): string | undefined {
    const token = this.peek(offset);
    return token?.kind === 'word' ? token.value : undefined;
  }

  isPunct(value: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token?.kind === 'punct' && token.value === value;
  }

  /** Consumes the keywords when they all follow in order; otherwise consumes nothing. */
  accept(...words: string[]): boolean {
    for (let i = 0; i < words.length; i++) {
      if (this.word(i) !== words[i]) return false;
    }
    this.position += words.length;
    return true;
  }

  /** Consumes one keyword from the set and returns it. */
  acceptOneOf(words: ReadonlySet<string>): string | undefined {
    const word = this.word();
    if (word !== undefined && words.has(word)) {
      this.position++;
      return word;
    }
    return undefined;
  }

  next(): SqlToken | undefined {
    const token = this.peek();
    if (token) this.position++;
    return token;
  }

  /** Reads an identifier, possibly qualified with dots (`schema.table`). */
  name(): SqlName | undefined {
    const first = this.peek();
    if (!first || (first.kind !== 'word' && first.kind !== 'quoted')) return undefined;
    let last = first;
    this.position++;
    while (this.isPunct('.') && (this.peek(1)?.kind === 'word' || this.peek(1)?.kind === 'quoted')) {
      last = this.peek(1)!;
      this.position += 2;
    }
    return {
      text: this.tokens.slice(this.tokens.indexOf(first), this.position).map((t) => t.text).join(''),
      name: identifierName(last),
      start: first.start,
      end: last.end,
    };
  }

  /** Reads a dotted name and returns each part (`schema.table.column` -> three names). */
  nameParts(): SqlName[] {
    const parts: SqlName[] = [];
    for (;;) {
      const token = this.peek();
      if (!token || (token.kind !== 'word' && token.kind !== 'quoted')) break;
      this.position++;
      parts.push({ text: token.text, name: identifierName(token), start: token.start, end: token.end });
      if (!this.isPunct('.')) break;
      this.position++;
    }
    return parts;
  }

  /** Skips a parenthesised group when the cursor is on `(`. */
  skipParens(): void {
    if (!this.isPunct('(')) return;
    let depth = 0;
    while (!this.atEnd) {
      const token = this.next()!;
      if (token.kind !== 'punct') continue;
      if (token.value === '(') depth++;
      else if (token.value === ')' && --depth === 0) return;
    }
  }
}

function identifierName(token: SqlToken): string {
  return token.kind === 'quoted' ? token.value : token.text.toLowerCase();
}

function words(statement: SqlStatement): string[] {
  return statement.tokens.map((t) => (t.kind === 'word' ? t.value : ''));
}

/** The statement's leading keyword, upper-cased (`UPDATE`, `DO`, `REFRESH`...). */
export function firstWord(statement: SqlStatement): string | undefined {
  const token = statement.tokens[0];
  return token?.kind === 'word' ? token.value : undefined;
}

/** True when the statement contains the keyword as a bare word (not inside strings, comments or quotes). */
export function hasKeyword(statement: SqlStatement, keyword: string): boolean {
  return statement.tokens.some((t) => t.kind === 'word' && t.value === keyword);
}

// ---------------------------------------------------------------- indexes

export interface CreateIndexInfo {
  unique: boolean;
  concurrently: boolean;
  ifNotExists: boolean;
  index?: SqlName;
  table?: SqlName;
}

export function parseCreateIndex(statement: SqlStatement): CreateIndexInfo | undefined {
  const cursor = new SqlCursor(statement.tokens);
  if (!cursor.accept('CREATE')) return undefined;
  const unique = cursor.accept('UNIQUE');
  if (!cursor.accept('INDEX')) return undefined;
  const concurrently = cursor.accept('CONCURRENTLY');
  const ifNotExists = cursor.accept('IF', 'NOT', 'EXISTS');
  const index = cursor.word() === 'ON' ? undefined : cursor.name();
  if (!cursor.accept('ON')) return { unique, concurrently, ifNotExists, index };
  cursor.accept('ONLY');
  return { unique, concurrently, ifNotExists, index, table: cursor.name() };
}

export interface DropIndexInfo {
  concurrently: boolean;
  ifExists: boolean;
  indexes: SqlName[];
}

export function parseDropIndex(statement: SqlStatement): DropIndexInfo | undefined {
  const cursor = new SqlCursor(statement.tokens);
  if (!cursor.accept('DROP', 'INDEX')) return undefined;
  const concurrently = cursor.accept('CONCURRENTLY');
  const ifExists = cursor.accept('IF', 'EXISTS');
  return { concurrently, ifExists, indexes: nameList(cursor) };
}

function nameList(cursor: SqlCursor): SqlName[] {
  const names: SqlName[] = [];
  for (;;) {
    const name = cursor.name();
    if (!name || RESERVED_AFTER_NAMES.has(name.text.toUpperCase())) break;
    names.push(name);
    if (!cursor.isPunct(',')) break;
    cursor.next();
  }
  return names;
}

const RESERVED_AFTER_NAMES = new Set(['CASCADE', 'RESTRICT', 'IN', 'NOWAIT', 'RESTART', 'CONTINUE']);

export type ReindexTarget = 'INDEX' | 'TABLE' | 'SCHEMA' | 'DATABASE' | 'SYSTEM';

export interface ReindexInfo {
  concurrently: boolean;
  target?: ReindexTarget;
  name?: SqlName;
}

export function parseReindex(statement: SqlStatement): ReindexInfo | undefined {
  const cursor = new SqlCursor(statement.tokens);
  if (!cursor.accept('REINDEX')) return undefined;
  // PostgreSQL >= 14 also accepts CONCURRENTLY among the parenthesised options: `REINDEX (CONCURRENTLY, VERBOSE) TABLE t`.
  let concurrently = false;
  if (cursor.isPunct('(')) {
    const optionsStart = cursor.index;
    cursor.skipParens();
    concurrently = enabledOptions(statement.tokens.slice(optionsStart + 1, cursor.index - 1)).has('CONCURRENTLY');
  }
  const target = cursor.acceptOneOf(REINDEX_TARGETS) as ReindexTarget | undefined;
  concurrently = cursor.accept('CONCURRENTLY') || concurrently;
  return { concurrently, target, name: cursor.name() };
}

/** Names of the enabled options in a parenthesised option list such as `(FULL, ANALYZE false)`. */
function enabledOptions(tokens: readonly SqlToken[]): Set<string> {
  const enabled = new Set<string>();
  for (const option of splitTopLevel(tokens, 0, ',')) {
    const [name, value] = option;
    if (name?.kind !== 'word') continue;
    if (value === undefined || !['FALSE', 'OFF', '0'].includes(value.value.toUpperCase())) enabled.add(name.value);
  }
  return enabled;
}

const REINDEX_TARGETS: ReadonlySet<string> = new Set(['INDEX', 'TABLE', 'SCHEMA', 'DATABASE', 'SYSTEM']);

export interface AlterIndexInfo {
  ifExists: boolean;
  index?: SqlName;
  /** `RENAME TO new`; undefined for the other ALTER INDEX forms. */
  renameTo?: SqlName;
}

/** `ALTER INDEX [IF EXISTS] i RENAME TO j` (other ALTER INDEX forms come back without renameTo). */
export function parseAlterIndex(statement: SqlStatement): AlterIndexInfo | undefined {
  const cursor = new SqlCursor(statement.tokens);
  if (!cursor.accept('ALTER', 'INDEX')) return undefined;
  const ifExists = cursor.accept('IF', 'EXISTS');
  const index = cursor.name();
  if (!cursor.accept('RENAME', 'TO')) return { ifExists, index };
  const renameTo = cursor.name();
  return { ifExists, index, ...(renameTo && cursor.atEnd ? { renameTo } : {}) };
}

// ---------------------------------------------------------------- sequences

export interface AlterSequenceInfo {
  ifExists: boolean;
  sequence?: SqlName;
  /** `RENAME TO new`. */
  renameTo?: SqlName;
  /** `OWNED BY t.c`: the table (undefined for OWNED BY NONE). */
  ownedByTable?: SqlName;
  /** Sequence options only (OWNED BY, RESTART, INCREMENT, ...), as opposed to RENAME, SET SCHEMA, OWNER TO. */
  optionsOnly: boolean;
}

const SEQUENCE_OPTION_WORDS = new Set(['OWNED', 'RESTART', 'INCREMENT', 'MINVALUE', 'MAXVALUE', 'NO', 'START', 'CACHE', 'CYCLE', 'AS']);

export function parseAlterSequence(statement: SqlStatement): AlterSequenceInfo | undefined {
  const cursor = new SqlCursor(statement.tokens);
  if (!cursor.accept('ALTER', 'SEQUENCE')) return undefined;
  const ifExists = cursor.accept('IF', 'EXISTS');
  const sequence = cursor.name();
  if (cursor.accept('RENAME', 'TO')) {
    const renameTo = cursor.name();
    return { ifExists, sequence, optionsOnly: false, ...(renameTo && cursor.atEnd ? { renameTo } : {}) };
  }
  const optionsOnly = cursor.word() !== undefined && SEQUENCE_OPTION_WORDS.has(cursor.word()!);
  let ownedByTable: SqlName | undefined;
  for (let i = cursor.index; i + 2 < statement.tokens.length; i++) {
    const token = statement.tokens[i]!;
    if (token.kind === 'word' && token.value === 'OWNED' && statement.tokens[i + 1]?.value === 'BY') {
      const parts = new SqlCursor(statement.tokens, i + 2).nameParts();
      if (parts.length >= 2) ownedByTable = parts[parts.length - 2];
    }
  }
  return { ifExists, sequence, optionsOnly, ...(ownedByTable ? { ownedByTable } : {}) };
}

/** `CREATE [TEMP] SEQUENCE [IF NOT EXISTS] s ...`. */
export function parseCreateSequence(statement: SqlStatement): { sequence?: SqlName } | undefined {
  const cursor = new SqlCursor(statement.tokens);
  if (!cursor.accept('CREATE')) return undefined;
  cursor.acceptOneOf(new Set(['TEMP', 'TEMPORARY', 'UNLOGGED']));
  if (!cursor.accept('SEQUENCE')) return undefined;
  cursor.accept('IF', 'NOT', 'EXISTS');
  return { sequence: cursor.name() };
}

/** `DROP SEQUENCE [IF EXISTS] s [, ...] [CASCADE | RESTRICT]`. */
export function parseDropSequence(statement: SqlStatement): { ifExists: boolean; sequences: SqlName[]; cascade: boolean } | undefined {
  const cursor = new SqlCursor(statement.tokens);
  if (!cursor.accept('DROP', 'SEQUENCE')) return undefined;
  const ifExists = cursor.accept('IF', 'EXISTS');
  const sequences = nameList(cursor);
  return { ifExists, sequences, cascade: cursor.accept('CASCADE') };
}

/**
 * The relation a `'...'::regclass`-style string names, as PostgreSQL resolves it: the last dotted part, unquoted, and
 * lower-cased unless it was double-quoted (`'"shop_Order_id_seq"'`, `'public.shop_order_id_seq'`).
 */
export function regclassName(text: string): string | undefined {
  const parts: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === '"') {
      let value = '';
      i++;
      while (i < text.length) {
        if (text[i] === '"' && text[i + 1] === '"') {
          value += '"';
          i += 2;
        } else if (text[i] === '"') {
          i++;
          break;
        } else value += text[i++];
      }
      parts.push(value);
    } else {
      const end = text.indexOf('.', i);
      const raw = text.slice(i, end < 0 ? text.length : end).trim();
      if (!/^[A-Za-z_][A-Za-z0-9_$]*$/.test(raw)) return undefined;
      parts.push(raw.toLowerCase());
      i = end < 0 ? text.length : end;
    }
    if (i < text.length) {
      if (text[i] !== '.') return undefined;
      i++;
    }
  }
  return parts.length > 0 && parts.length <= 3 ? parts[parts.length - 1] : undefined;
}

// ---------------------------------------------------------------- comments, constraints mode, cluster

export interface CommentInfo {
  /** What the comment is on: TABLE, COLUMN, INDEX, ... */
  object: string;
  /** TABLE t / COLUMN t.c: the table. */
  table?: SqlName;
}

/** `COMMENT ON TABLE t IS '...'`, `COMMENT ON COLUMN t.c IS '...'` (other objects come back without a table). */
export function parseComment(statement: SqlStatement): CommentInfo | undefined {
  const cursor = new SqlCursor(statement.tokens);
  if (!cursor.accept('COMMENT', 'ON')) return undefined;
  const object = cursor.word();
  if (object === undefined) return undefined;
  cursor.next();
  const parts = cursor.nameParts();
  if (!cursor.accept('IS')) return undefined;
  if (object === 'TABLE' && parts.length >= 1) return { object, table: parts[parts.length - 1] };
  if (object === 'COLUMN' && parts.length >= 2) return { object, table: parts[parts.length - 2] };
  return { object };
}

/** `SET CONSTRAINTS { ALL | name [, ...] } { DEFERRED | IMMEDIATE }`. */
export function parseSetConstraints(statement: SqlStatement): { all: boolean; mode: 'DEFERRED' | 'IMMEDIATE' } | undefined {
  const cursor = new SqlCursor(statement.tokens);
  if (!cursor.accept('SET', 'CONSTRAINTS')) return undefined;
  const all = cursor.accept('ALL');
  if (!all) nameList(cursor);
  const mode = cursor.acceptOneOf(new Set(['DEFERRED', 'IMMEDIATE']));
  return mode && cursor.atEnd ? { all, mode: mode as 'DEFERRED' | 'IMMEDIATE' } : undefined;
}

/** `CLUSTER [VERBOSE] t [USING i]`; `table` is undefined for a bare CLUSTER (every clustered table). */
export function parseCluster(statement: SqlStatement): { table?: SqlName; index?: SqlName } | undefined {
  const cursor = new SqlCursor(statement.tokens);
  if (!cursor.accept('CLUSTER')) return undefined;
  if (cursor.isPunct('(')) cursor.skipParens();
  cursor.accept('VERBOSE');
  const table = cursor.name();
  if (!table) return {};
  return cursor.accept('USING') ? { table, index: cursor.name() } : { table };
}

/** `CREATE EXTENSION [IF NOT EXISTS] name ...`. */
export function parseCreateExtension(statement: SqlStatement): { extension?: SqlName } | undefined {
  const cursor = new SqlCursor(statement.tokens);
  if (!cursor.accept('CREATE', 'EXTENSION')) return undefined;
  cursor.accept('IF', 'NOT', 'EXISTS');
  return { extension: cursor.name() };
}

// ---------------------------------------------------------------- queries

export interface DataStatementInfo {
  verb: 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';
  /** Tables written (INSERT INTO, UPDATE, DELETE FROM). */
  written: SqlName[];
  /** Tables only read (FROM, JOIN, USING, ...). */
  read: SqlName[];
  /** `FOR UPDATE / NO KEY UPDATE / SHARE / KEY SHARE`: the read tables' rows are locked. */
  rowLocks: boolean;
  /** Sequences changed by `nextval('s')` / `setval('s', ...)` (the string literal); `undefined` when the name is not a literal. */
  sequencesChanged: (SqlName | undefined)[];
}

const DATA_VERBS = new Set(['SELECT', 'INSERT', 'UPDATE', 'DELETE']);
/** Words after which `(` is not a function call's argument list. */
const NON_CALL_WORDS = new Set(['FROM', 'JOIN', 'IN', 'EXISTS', 'AS', 'ON', 'USING', 'WHERE', 'AND', 'OR', 'NOT', 'SELECT', 'VALUES', 'ANY', 'ALL', 'SOME', 'LATERAL', 'WITH', 'INTO', 'SET', 'THEN', 'ELSE', 'WHEN', 'CASE', 'RETURNING', 'BY', 'OVER', 'FILTER', 'UNION', 'INTERSECT', 'EXCEPT']);
const SEQUENCE_FUNCTIONS = new Set(['NEXTVAL', 'SETVAL']);

/**
 * SELECT / INSERT / UPDATE / DELETE (also behind WITH): the tables written and read. Names inside function calls
 * (`EXTRACT(YEAR FROM d)`) are not tables; a FROM item followed by `(` is a function, not a table.
 */
export function parseDataStatement(statement: SqlStatement): DataStatementInfo | undefined {
  const tokens = statement.tokens;
  let verb: DataStatementInfo['verb'] | undefined;
  const head = firstWord(statement);
  if (head !== undefined && DATA_VERBS.has(head)) verb = head as DataStatementInfo['verb'];
  const written: SqlName[] = [];
  const read: SqlName[] = [];
  const sequencesChanged: (SqlName | undefined)[] = [];
  let rowLocks = false;
  // Parenthesis kinds: true for a function call's arguments.
  const calls: boolean[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const previous = tokens[i - 1];
    if (token.kind === 'punct' && token.value === '(') {
      calls.push(previous !== undefined && (previous.kind === 'word' || previous.kind === 'quoted') && !NON_CALL_WORDS.has(previous.value));
      continue;
    }
    if (token.kind === 'punct' && token.value === ')') {
      calls.pop();
      continue;
    }
    if (token.kind !== 'word') continue;
    if (SEQUENCE_FUNCTIONS.has(token.value) && tokens[i + 1]?.value === '(') {
      const argument = tokens[i + 2];
      const name = argument?.kind === 'string' ? regclassName(argument.value) : undefined;
      sequencesChanged.push(name !== undefined ? { text: argument!.text, name, start: argument!.start, end: argument!.end } : undefined);
      continue;
    }
    if (calls.includes(true)) continue;
    if (verb === undefined && head === 'WITH' && DATA_VERBS.has(token.value) && calls.length === 0) verb = token.value as DataStatementInfo['verb'];
    const cursor = new SqlCursor(tokens, i + 1);
    if (token.value === 'UPDATE' && previous?.value !== 'FOR' && previous?.value !== 'KEY') {
      cursor.accept('ONLY');
      const name = tableName(cursor);
      if (name) written.push(name);
    } else if (token.value === 'INTO' && previous?.value === 'INSERT') {
      // `INSERT INTO t (a, b)`: the parenthesis is the column list.
      const name = cursor.name();
      if (name) written.push(name);
    } else if (token.value === 'FROM' && previous?.value === 'DELETE') {
      cursor.accept('ONLY');
      const name = tableName(cursor);
      if (name) written.push(name);
    } else if ((token.value === 'FROM' && previous?.value !== 'DISTINCT') || token.value === 'JOIN' || (token.value === 'USING' && written.length > 0 && previous?.kind !== 'punct')) {
      read.push(...fromItems(cursor));
    } else if (token.value === 'FOR' && ['UPDATE', 'SHARE', 'NO', 'KEY'].includes(tokens[i + 1]?.value ?? '')) {
      rowLocks = true;
    }
  }
  if (verb === undefined) return undefined;
  return { verb, written, read, rowLocks, sequencesChanged };
}

/** A table name at the cursor, unless it is a function call (`generate_series(...)`) or a keyword. */
function tableName(cursor: SqlCursor): SqlName | undefined {
  if (cursor.word() !== undefined && QUERY_KEYWORDS.has(cursor.word()!)) return undefined;
  const name = cursor.name();
  if (!name || cursor.isPunct('(')) return undefined;
  return name;
}

const QUERY_KEYWORDS = new Set(['SELECT', 'LATERAL', 'ONLY', 'WHERE', 'VALUES', 'DEFAULT', 'SET', 'ON', 'USING', 'ROWS', 'UNNEST']);

/** The comma-separated FROM items at the cursor: `a x, b AS y`. */
function fromItems(cursor: SqlCursor): SqlName[] {
  const names: SqlName[] = [];
  for (let guard = 0; guard < 1000; guard++) {
    cursor.accept('ONLY');
    const name = tableName(cursor);
    if (name) names.push(name);
    else if (cursor.isPunct('(')) cursor.skipParens();
    else if (cursor.word() !== undefined && cursor.peek(1)?.value === '(') {
      cursor.next();
      cursor.skipParens();
    }
    cursor.accept('AS');
    if ((cursor.peek()?.kind === 'word' && !ALIAS_STOP_WORDS.has(cursor.word()!)) || cursor.peek()?.kind === 'quoted') cursor.next();
    if (!cursor.isPunct(',')) break;
    cursor.next();
  }
  return names;
}

const ALIAS_STOP_WORDS = new Set(['WHERE', 'JOIN', 'INNER', 'LEFT', 'RIGHT', 'FULL', 'CROSS', 'NATURAL', 'ON', 'USING', 'GROUP', 'ORDER', 'LIMIT', 'OFFSET', 'HAVING', 'WINDOW', 'UNION', 'INTERSECT', 'EXCEPT', 'FOR', 'RETURNING', 'SET', 'FETCH']);

// ---------------------------------------------------------------- tables

export interface CreateTableInfo {
  temporary: boolean;
  ifNotExists: boolean;
  table?: SqlName;
  /**
   * `columns`: a column list, nothing else (`CREATE TABLE t (...)` with optional WITH/TABLESPACE); `other`: AS
   * SELECT, PARTITION OF, INHERITS, LIKE, OF type: forms that read or attach to other tables.
   */
  form: 'columns' | 'other';
  /** Tables named by REFERENCES in column or table constraints. */
  references: SqlName[];
}

export function parseCreateTable(statement: SqlStatement): CreateTableInfo | undefined {
  const cursor = new SqlCursor(statement.tokens);
  if (!cursor.accept('CREATE')) return undefined;
  cursor.accept('OR', 'REPLACE');
  cursor.acceptOneOf(new Set(['GLOBAL', 'LOCAL']));
  const temporary = cursor.acceptOneOf(new Set(['TEMP', 'TEMPORARY'])) !== undefined;
  cursor.accept('UNLOGGED');
  if (!cursor.accept('TABLE')) return undefined;
  const ifNotExists = cursor.accept('IF', 'NOT', 'EXISTS');
  const table = cursor.name();
  let form: CreateTableInfo['form'] = 'other';
  if (cursor.isPunct('(')) {
    const listStart = cursor.index;
    cursor.skipParens();
    const list = statement.tokens.slice(listStart, cursor.index);
    const after = statement.tokens.slice(cursor.index).map((t) => (t.kind === 'word' ? t.value : ''));
    const attaches = after.some((word) => word === 'INHERITS' || word === 'PARTITION' || word === 'AS');
    form = attaches || list.some((t) => t.kind === 'word' && t.value === 'LIKE') ? 'other' : 'columns';
  }
  return { temporary, ifNotExists, table, form, references: referencedTables(statement.tokens, 0) };
}

/** Every name following REFERENCES in tokens[from..]. */
function referencedTables(tokens: readonly SqlToken[], from: number): SqlName[] {
  const names: SqlName[] = [];
  for (let i = from; i < tokens.length; i++) {
    if (tokens[i]!.kind !== 'word' || tokens[i]!.value !== 'REFERENCES') continue;
    const name = new SqlCursor(tokens, i + 1).name();
    if (name) names.push(name);
  }
  return names;
}

export interface DropTableInfo {
  /** `DROP TEMPORARY TABLE` (MySQL): session-only tables without lasting data. */
  temporary: boolean;
  ifExists: boolean;
  tables: SqlName[];
}

export function parseDropTable(statement: SqlStatement): DropTableInfo | undefined {
  const cursor = new SqlCursor(statement.tokens);
  if (!cursor.accept('DROP')) return undefined;
  const temporary = cursor.acceptOneOf(new Set(['TEMP', 'TEMPORARY'])) !== undefined;
  if (!cursor.accept('TABLE')) return undefined;
  const ifExists = cursor.accept('IF', 'EXISTS');
  return { temporary, ifExists, tables: nameList(cursor) };
}

/** `DROP DATABASE x` / `DROP SCHEMA x` (PostgreSQL and MySQL). */
export function parseDropDatabaseOrSchema(statement: SqlStatement): { object: 'DATABASE' | 'SCHEMA'; ifExists: boolean; names: SqlName[] } | undefined {
  const cursor = new SqlCursor(statement.tokens);
  if (!cursor.accept('DROP')) return undefined;
  const object = cursor.acceptOneOf(new Set(['DATABASE', 'SCHEMA']));
  if (!object) return undefined;
  const ifExists = cursor.accept('IF', 'EXISTS');
  return { object: object as 'DATABASE' | 'SCHEMA', ifExists, names: nameList(cursor) };
}

export interface TruncateInfo {
  tables: SqlName[];
  /** CASCADE: also truncates every table with a foreign key to these. */
  cascade: boolean;
}

export function parseTruncate(statement: SqlStatement): TruncateInfo | undefined {
  const cursor = new SqlCursor(statement.tokens);
  if (!cursor.accept('TRUNCATE')) return undefined;
  cursor.accept('TABLE');
  cursor.accept('ONLY');
  return { tables: nameList(cursor), cascade: hasKeyword(statement, 'CASCADE') };
}

export interface LockTableInfo {
  tables: SqlName[];
  /** Upper-cased lock mode; PostgreSQL's default is ACCESS EXCLUSIVE. For MySQL `LOCK TABLES t WRITE` it is WRITE/READ. */
  mode: string;
}

export function parseLockTable(statement: SqlStatement): LockTableInfo | undefined {
  const cursor = new SqlCursor(statement.tokens);
  if (!cursor.accept('LOCK')) return undefined;
  if (cursor.accept('TABLES')) {
    const tables: SqlName[] = [];
    let mode = 'READ';
    while (!cursor.atEnd) {
      const name = cursor.name();
      if (!name) break;
      tables.push(name);
      cursor.accept('AS');
      if (cursor.word() !== 'READ' && cursor.word() !== 'WRITE' && cursor.word() !== 'LOW_PRIORITY') cursor.name();
      const lockWords: string[] = [];
      while (cursor.word() !== undefined) lockWords.push(cursor.next()!.value);
      if (lockWords.includes('WRITE')) mode = 'WRITE';
      if (!cursor.isPunct(',')) break;
      cursor.next();
    }
    return { tables, mode };
  }
  cursor.accept('TABLE');
  cursor.accept('ONLY');
  const tables = nameList(cursor);
  let mode = 'ACCESS EXCLUSIVE';
  if (cursor.accept('IN')) {
    const modeWords: string[] = [];
    while (cursor.word() !== undefined && cursor.word() !== 'MODE') modeWords.push(cursor.next()!.value);
    if (modeWords.length > 0) mode = modeWords.join(' ');
  }
  return { tables, mode };
}

/** `RENAME TABLE a TO b` (MySQL). */
export function parseRenameTable(statement: SqlStatement): { from?: SqlName; to?: SqlName } | undefined {
  const cursor = new SqlCursor(statement.tokens);
  if (!cursor.accept('RENAME', 'TABLE')) return undefined;
  const from = cursor.name();
  cursor.accept('TO');
  return { from, to: cursor.name() };
}

// ---------------------------------------------------------------- ALTER TABLE

export type AlterTableActionKind =
  | 'add-column'
  | 'drop-column'
  | 'alter-column-type'
  | 'set-not-null'
  | 'drop-not-null'
  | 'set-default'
  | 'drop-default'
  | 'add-constraint'
  | 'drop-constraint'
  | 'validate-constraint'
  | 'rename-table'
  | 'rename-column'
  | 'rename-constraint'
  | 'set-statistics'
  /** `SET ( storage_parameter = ... )` / `RESET ( ... )` on the table. */
  | 'set-storage-parameters'
  /** `ALTER COLUMN c ADD GENERATED ... AS IDENTITY` (Django >= 4.1 AutoField changes). */
  | 'add-identity'
  /** `ALTER COLUMN c DROP IDENTITY [IF EXISTS]`. */
  | 'drop-identity'
  /** `ENABLE` / `DISABLE [ REPLICA | ALWAYS ] TRIGGER ...`. */
  | 'toggle-trigger'
  /** `CLUSTER ON index` / `SET WITHOUT CLUSTER`. */
  | 'cluster-on'
  | 'other';

export type ConstraintType = 'foreign-key' | 'check' | 'unique' | 'primary-key' | 'exclude' | 'other';

export interface AlterTableAction {
  kind: AlterTableActionKind;
  /** Offsets of the action's text within the SQL string. */
  start: number;
  end: number;
  column?: SqlName;
  /** RENAME targets: the new name. */
  newName?: SqlName;
  /** ADD COLUMN: declared NOT NULL (or PRIMARY KEY). */
  notNull?: boolean;
  /** ADD COLUMN: has a DEFAULT clause (or is GENERATED, which fills existing rows). */
  hasDefault?: boolean;
  /** IF [NOT] EXISTS on the action (PostgreSQL: ADD COLUMN IF NOT EXISTS, DROP COLUMN IF EXISTS, ...). */
  ifExists?: boolean;
  constraintName?: SqlName;
  constraintType?: ConstraintType;
  /** ADD CONSTRAINT ... NOT VALID */
  notValid?: boolean;
  /** ADD COLUMN ... REFERENCES t / ADD CONSTRAINT ... FOREIGN KEY ... REFERENCES t: the referenced table. */
  references?: SqlName;
  /** ADD COLUMN: the tokens of the DEFAULT expression, when there is one. */
  defaultTokens?: SqlToken[];
  /** ADD COLUMN: values every existing row gets from a sequence or an expression (serial, identity, GENERATED ... STORED). */
  generated?: 'serial' | 'identity' | 'stored';
  /** ADD COLUMN ... UNIQUE / PRIMARY KEY: builds an index. */
  inlineIndex?: boolean;
  /** ADD COLUMN ... CHECK (...): checked against every existing row. */
  inlineCheck?: boolean;
  /** ADD CONSTRAINT ... UNIQUE / PRIMARY KEY USING INDEX i: adopts an existing index instead of building one. */
  usingIndex?: boolean;
}

export interface AlterTableInfo {
  table?: SqlName;
  ifExists: boolean;
  actions: AlterTableAction[];
}

/** `ALTER TABLE [IF EXISTS] [ONLY] t action [, action ...]`, split into its comma-separated actions. */
export function parseAlterTable(statement: SqlStatement): AlterTableInfo | undefined {
  const cursor = new SqlCursor(statement.tokens);
  if (!cursor.accept('ALTER')) return undefined;
  cursor.accept('ONLINE');
  cursor.accept('IGNORE');
  if (!cursor.accept('TABLE')) return undefined;
  const ifExists = cursor.accept('IF', 'EXISTS');
  cursor.accept('ONLY');
  const table = cursor.name();
  if (cursor.isPunct('*')) cursor.next();
  const actions = splitTopLevel(statement.tokens, cursor.index, ',').map(parseAlterAction);
  return { table, ifExists, actions: actions.filter((a): a is AlterTableAction => a !== undefined) };
}

/** Splits tokens[from..] on a separator outside parentheses. */
function splitTopLevel(tokens: readonly SqlToken[], from: number, separator: string): SqlToken[][] {
  const parts: SqlToken[][] = [];
  let current: SqlToken[] = [];
  let depth = 0;
  for (let i = from; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.kind === 'punct') {
      if (token.value === '(') depth++;
      else if (token.value === ')') depth = Math.max(0, depth - 1);
      else if (token.value === separator && depth === 0) {
        parts.push(current);
        current = [];
        continue;
      }
    }
    current.push(token);
  }
  parts.push(current);
  return parts.filter((part) => part.length > 0);
}

/** Words that can follow DROP in ALTER TABLE without meaning a column. */
const DROP_NON_COLUMN = new Set(['CONSTRAINT', 'INDEX', 'KEY', 'PRIMARY', 'FOREIGN', 'CHECK', 'PARTITION', 'TRIGGER', 'RULE', 'DEFAULT']);
const ADD_NON_COLUMN = new Set(['CONSTRAINT', 'INDEX', 'KEY', 'UNIQUE', 'PRIMARY', 'FOREIGN', 'CHECK', 'EXCLUDE', 'FULLTEXT', 'SPATIAL', 'PARTITION']);

function parseAlterAction(tokens: SqlToken[]): AlterTableAction | undefined {
  const first = tokens[0];
  const last = tokens[tokens.length - 1];
  if (!first || !last) return undefined;
  const base = { start: first.start, end: last.end };
  const cursor = new SqlCursor(tokens);

  if (cursor.accept('ADD')) {
    if (cursor.accept('COLUMN') || !ADD_NON_COLUMN.has(cursor.word() ?? '')) {
      const ifExists = cursor.accept('IF', 'NOT', 'EXISTS');
      const column = cursor.name();
      const rest = tokens.slice(cursor.index);
      const restWords = rest.map((t) => (t.kind === 'word' ? t.value : ''));
      const notNull = containsSequence(restWords, ['NOT', 'NULL']) || containsSequence(restWords, ['PRIMARY', 'KEY']);
      const hasDefault = restWords.includes('DEFAULT') || restWords.includes('GENERATED') || restWords.includes('AUTO_INCREMENT') || restWords.some((w) => SERIAL_TYPES.has(w));
      const generated = restWords.some((w) => SERIAL_TYPES.has(w)) ? 'serial' : containsSequence(restWords, ['AS', 'IDENTITY']) ? 'identity' : restWords.includes('GENERATED') ? 'stored' : undefined;
      const references = referencedTables(rest, 0)[0];
      return {
        ...base,
        kind: 'add-column',
        column,
        notNull,
        hasDefault,
        ifExists,
        ...(references ? { references } : {}),
        ...(generated ? { generated } : {}),
        ...columnDefault(rest),
        inlineIndex: restWords.includes('UNIQUE') || containsSequence(restWords, ['PRIMARY', 'KEY']),
        inlineCheck: restWords.includes('CHECK'),
      };
    }
    return { ...base, kind: 'add-constraint', ...parseConstraint(cursor, tokens) };
  }

  if (cursor.accept('DROP')) {
    if (cursor.accept('CONSTRAINT')) {
      const ifExists = cursor.accept('IF', 'EXISTS');
      return { ...base, kind: 'drop-constraint', constraintName: cursor.name(), ifExists };
    }
    if (cursor.accept('COLUMN') || (cursor.peek() !== undefined && !DROP_NON_COLUMN.has(cursor.word() ?? ''))) {
      const ifExists = cursor.accept('IF', 'EXISTS');
      return { ...base, kind: 'drop-column', column: cursor.name(), ifExists };
    }
    return { ...base, kind: 'other' };
  }

  if ((cursor.word() === 'SET' || cursor.word() === 'RESET') && cursor.isPunct('(', 1)) return { ...base, kind: 'set-storage-parameters' };
  if (cursor.accept('CLUSTER', 'ON') || cursor.accept('SET', 'WITHOUT', 'CLUSTER')) return { ...base, kind: 'cluster-on' };
  if (cursor.word() === 'ENABLE' || cursor.word() === 'DISABLE') {
    cursor.next();
    cursor.acceptOneOf(new Set(['REPLICA', 'ALWAYS']));
    if (cursor.accept('TRIGGER')) return { ...base, kind: 'toggle-trigger' };
    return { ...base, kind: 'other' };
  }

  if (cursor.accept('VALIDATE', 'CONSTRAINT')) {
    return { ...base, kind: 'validate-constraint', constraintName: cursor.name() };
  }

  if (cursor.accept('RENAME')) {
    if (cursor.accept('TO') || cursor.accept('AS')) return { ...base, kind: 'rename-table', newName: cursor.name() };
    if (cursor.accept('CONSTRAINT')) {
      const constraintName = cursor.name();
      cursor.accept('TO');
      return { ...base, kind: 'rename-constraint', constraintName, newName: cursor.name() };
    }
    if (cursor.acceptOneOf(new Set(['INDEX', 'KEY']))) return { ...base, kind: 'other' };
    cursor.accept('COLUMN');
    const column = cursor.name();
    cursor.accept('TO');
    return { ...base, kind: 'rename-column', column, newName: cursor.name() };
  }

  // MySQL: MODIFY [COLUMN] c type, CHANGE [COLUMN] old new type.
  if (cursor.accept('MODIFY')) {
    cursor.accept('COLUMN');
    return { ...base, kind: 'alter-column-type', column: cursor.name() };
  }
  if (cursor.accept('CHANGE')) {
    cursor.accept('COLUMN');
    const column = cursor.name();
    const newName = cursor.name();
    if (column && newName && column.name.toLowerCase() !== newName.name.toLowerCase()) return { ...base, kind: 'rename-column', column, newName };
    return { ...base, kind: 'alter-column-type', column };
  }

  if (cursor.accept('ALTER')) {
    if (cursor.accept('CONSTRAINT')) return { ...base, kind: 'other', constraintName: cursor.name() };
    cursor.accept('COLUMN');
    const column = cursor.name();
    if (cursor.accept('SET', 'DATA', 'TYPE') || cursor.accept('TYPE')) return { ...base, kind: 'alter-column-type', column };
    if (cursor.accept('SET', 'NOT', 'NULL')) return { ...base, kind: 'set-not-null', column };
    if (cursor.accept('DROP', 'NOT', 'NULL')) return { ...base, kind: 'drop-not-null', column };
    if (cursor.accept('SET', 'DEFAULT')) return { ...base, kind: 'set-default', column };
    if (cursor.accept('DROP', 'DEFAULT')) return { ...base, kind: 'drop-default', column };
    if (cursor.accept('SET', 'STATISTICS')) return { ...base, kind: 'set-statistics', column };
    if (cursor.accept('ADD', 'GENERATED')) return { ...base, kind: 'add-identity', column };
    if (cursor.accept('DROP', 'IDENTITY')) return { ...base, kind: 'drop-identity', column, ifExists: cursor.accept('IF', 'EXISTS') };
    return { ...base, kind: 'other', column };
  }
  return { ...base, kind: 'other' };
}

const SERIAL_TYPES = new Set(['SERIAL', 'BIGSERIAL', 'SMALLSERIAL', 'SERIAL2', 'SERIAL4', 'SERIAL8']);

/** The tokens of a column definition's DEFAULT expression: up to the next constraint keyword outside parentheses. */
function columnDefault(rest: readonly SqlToken[]): Pick<AlterTableAction, 'defaultTokens'> {
  const start = rest.findIndex((t) => t.kind === 'word' && t.value === 'DEFAULT');
  if (start < 0) return {};
  const expression: SqlToken[] = [];
  let depth = 0;
  for (let i = start + 1; i < rest.length; i++) {
    const token = rest[i]!;
    if (token.kind === 'punct' && token.value === '(') depth++;
    if (token.kind === 'punct' && token.value === ')') depth--;
    // `DEFAULT NULL`: NULL is the expression here, not the start of a NULL constraint.
    const nullDefault = expression.length === 0 && token.kind === 'word' && token.value === 'NULL';
    if (depth === 0 && token.kind === 'word' && COLUMN_CONSTRAINT_WORDS.has(token.value) && !nullDefault) break;
    expression.push(token);
  }
  return { defaultTokens: expression };
}

const COLUMN_CONSTRAINT_WORDS = new Set(['NOT', 'NULL', 'CONSTRAINT', 'CHECK', 'UNIQUE', 'PRIMARY', 'REFERENCES', 'COLLATE', 'GENERATED', 'DEFERRABLE', 'INITIALLY']);

function parseConstraint(cursor: SqlCursor, tokens: SqlToken[]): Pick<AlterTableAction, 'constraintName' | 'constraintType' | 'notValid' | 'ifExists' | 'references' | 'usingIndex'> {
  let constraintName: SqlName | undefined;
  if (cursor.accept('CONSTRAINT')) constraintName = cursor.name();
  const head = cursor.word();
  let constraintType: ConstraintType = 'other';
  if (head === 'FOREIGN') constraintType = 'foreign-key';
  else if (head === 'CHECK') constraintType = 'check';
  else if (head === 'UNIQUE') constraintType = 'unique';
  else if (head === 'PRIMARY') constraintType = 'primary-key';
  else if (head === 'EXCLUDE') constraintType = 'exclude';
  const restWords = tokens.slice(cursor.index).map((t) => (t.kind === 'word' ? t.value : ''));
  const references = constraintType === 'foreign-key' ? referencedTables(tokens, cursor.index)[0] : undefined;
  return {
    constraintName,
    constraintType,
    notValid: containsSequence(restWords, ['NOT', 'VALID']),
    ...(references ? { references } : {}),
    ...(containsSequence(restWords, ['USING', 'INDEX']) ? { usingIndex: true } : {}),
  };
}

function containsSequence(haystack: readonly string[], needle: readonly string[]): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

// ---------------------------------------------------------------- types, maintenance, transactions

export interface AddEnumValueInfo {
  type?: SqlName;
  value?: string;
  ifNotExists: boolean;
}

/** `ALTER TYPE t ADD VALUE [IF NOT EXISTS] 'v' [BEFORE|AFTER 'w']`. */
export function parseAddEnumValue(statement: SqlStatement): AddEnumValueInfo | undefined {
  const cursor = new SqlCursor(statement.tokens);
  if (!cursor.accept('ALTER', 'TYPE')) return undefined;
  const type = cursor.name();
  if (!cursor.accept('ADD', 'VALUE')) return undefined;
  const ifNotExists = cursor.accept('IF', 'NOT', 'EXISTS');
  const valueToken = cursor.peek();
  return { type, ifNotExists, value: valueToken?.kind === 'string' ? valueToken.value : undefined };
}

/** `VACUUM FULL`, `VACUUM (FULL)`, `VACUUM (FULL true, ANALYZE)`: returns the tables (empty = whole database). */
export function parseVacuumFull(statement: SqlStatement): { tables: SqlName[] } | undefined {
  const cursor = new SqlCursor(statement.tokens);
  if (!cursor.accept('VACUUM')) return undefined;
  let full = false;
  if (cursor.isPunct('(')) {
    const optionsStart = cursor.index;
    cursor.skipParens();
    full = enabledOptions(statement.tokens.slice(optionsStart + 1, cursor.index - 1)).has('FULL');
  } else {
    full = cursor.accept('FULL');
    while (cursor.acceptOneOf(new Set(['FREEZE', 'VERBOSE', 'ANALYZE', 'ANALYSE']))) {
      // options in the old syntax may follow FULL in any order
    }
  }
  if (!full) return undefined;
  return { tables: nameList(cursor) };
}

const BEGIN_MODIFIERS = new Set(['WORK', 'TRANSACTION', 'ISOLATION', 'READ', 'NOT', 'DEFERRABLE', 'IMMEDIATE', 'EXCLUSIVE', 'DEFERRED']);

export type TransactionControl = 'begin' | 'commit' | 'rollback';

/** BEGIN / START TRANSACTION / COMMIT / END / ROLLBACK / ABORT. Savepoint handling (ROLLBACK TO, RELEASE) is not control. */
export function transactionControl(statement: SqlStatement): TransactionControl | undefined {
  const cursor = new SqlCursor(statement.tokens);
  const head = cursor.word();
  if (head === 'BEGIN') {
    // MySQL/PL blocks (`BEGIN ... END` without dollar quoting) contain more statements; `BEGIN WORK`/`BEGIN ISOLATION ...` are control.
    const second = cursor.word(1);
    if (statement.tokens.length === 1 || (second !== undefined && BEGIN_MODIFIERS.has(second))) return 'begin';
    return undefined;
  }
  if (cursor.accept('START', 'TRANSACTION')) return 'begin';
  if (head === 'COMMIT' || head === 'END') return 'commit';
  if (head === 'ROLLBACK' || head === 'ABORT') {
    const rest = words(statement);
    return rest.includes('TO') ? undefined : 'rollback';
  }
  return undefined;
}

/** `SET [SESSION|LOCAL] lock_timeout ...` or `SELECT set_config('lock_timeout', ...)`. MySQL: `SET lock_wait_timeout`. */
export function setsLockTimeout(statement: SqlStatement): { local: boolean } | undefined {
  const cursor = new SqlCursor(statement.tokens);
  if (cursor.accept('SET')) {
    const scope = cursor.acceptOneOf(new Set(['SESSION', 'LOCAL']));
    const name = cursor.name();
    if (name && (name.name === 'lock_timeout' || name.name === 'lock_wait_timeout')) return { local: scope === 'LOCAL' };
    return undefined;
  }
  if (cursor.word() === 'SELECT') {
    const tokens = statement.tokens;
    for (let i = 0; i + 2 < tokens.length; i++) {
      if (tokens[i]!.kind === 'word' && tokens[i]!.value === 'SET_CONFIG' && tokens[i + 1]!.value === '(' && tokens[i + 2]!.kind === 'string' && tokens[i + 2]!.value.toLowerCase() === 'lock_timeout') {
        const isLocal = tokens.slice(i + 3).find((t) => t.kind === 'word' && (t.value === 'TRUE' || t.value === 'FALSE'));
        return { local: isLocal?.value === 'TRUE' };
      }
    }
  }
  return undefined;
}

const DML_HEADS = new Set(['INSERT', 'UPDATE', 'DELETE', 'COPY', 'MERGE', 'REPLACE', 'UPSERT']);

/** Data-modifying statement (INSERT/UPDATE/DELETE/COPY/MERGE, also inside a WITH query). Returns the verb. */
export function dmlVerb(statement: SqlStatement): string | undefined {
  const head = firstWord(statement);
  if (head === undefined) return undefined;
  if (DML_HEADS.has(head)) return head;
  if (head === 'WITH') {
    const verb = statement.tokens.find((t) => t.kind === 'word' && (t.value === 'INSERT' || t.value === 'UPDATE' || t.value === 'DELETE' || t.value === 'MERGE'));
    return verb?.value;
  }
  return undefined;
}

const DDL_HEADS = new Set(['CREATE', 'ALTER', 'DROP', 'TRUNCATE', 'RENAME', 'COMMENT', 'REINDEX', 'CLUSTER', 'VACUUM', 'GRANT', 'REVOKE']);

/** Schema-changing statement (CREATE/ALTER/DROP/TRUNCATE/...). */
export function isDdl(statement: SqlStatement): boolean {
  const head = firstWord(statement);
  return head !== undefined && DDL_HEADS.has(head);
}

/** `CREATE|ALTER|DROP EXTENSION ...`: DDL that installs or removes database code and locks no table. */
export function isExtensionStatement(statement: SqlStatement): boolean {
  const [head, object] = statement.tokens;
  return head?.kind === 'word' && (head.value === 'CREATE' || head.value === 'ALTER' || head.value === 'DROP') && object?.kind === 'word' && object.value === 'EXTENSION';
}

/** True when the statement contains CONCURRENTLY in a form that cannot run inside a transaction block. */
export function requiresNoTransaction(statement: SqlStatement): boolean {
  if (!hasKeyword(statement, 'CONCURRENTLY')) return false;
  // REFRESH MATERIALIZED VIEW CONCURRENTLY is allowed inside a transaction.
  return firstWord(statement) !== 'REFRESH';
}

/**
 * Whether re-running the statement after it already succeeded is harmless: guarded DDL (`IF [NOT] EXISTS`,
 * `OR REPLACE`), settings, reads, maintenance, and UPDATE/DELETE. Unguarded CREATE/ALTER ADD/DROP and INSERT are not.
 */
export function isIdempotent(statement: SqlStatement): boolean {
  const head = firstWord(statement);
  if (head === undefined) return true;
  const all = words(statement);
  switch (head) {
    case 'CREATE':
      return containsSequence(all, ['IF', 'NOT', 'EXISTS']) || containsSequence(all, ['OR', 'REPLACE']);
    case 'DROP':
      return containsSequence(all, ['IF', 'EXISTS']);
    case 'ALTER': {
      const table = parseAlterTable(statement);
      if (table) return table.actions.every(isIdempotentAction);
      const enumValue = parseAddEnumValue(statement);
      if (enumValue) return enumValue.ifNotExists;
      return !all.includes('RENAME') && !all.includes('ADD');
    }
    case 'INSERT':
      // INSERT ... ON CONFLICT DO NOTHING/UPDATE (PostgreSQL) and INSERT IGNORE (MySQL) tolerate existing rows.
      return all.includes('CONFLICT') || all[1] === 'IGNORE';
    case 'RENAME':
    case 'COPY':
    case 'MERGE':
      return false;
    default:
      return true;
  }
}

function isIdempotentAction(action: AlterTableAction): boolean {
  switch (action.kind) {
    case 'add-column':
    case 'drop-column':
    case 'drop-constraint':
      return action.ifExists === true;
    case 'add-constraint':
    case 'rename-table':
    case 'rename-column':
    case 'rename-constraint':
      return false;
    default:
      return true;
  }
}

/** Statements that create a table (so later statements on it in the same migration touch an empty table). */
export function createdTable(statement: SqlStatement): SqlName | undefined {
  return parseCreateTable(statement)?.table;
}
