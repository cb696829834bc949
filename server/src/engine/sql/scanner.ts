// A tolerant lexer and statement splitter for the SQL found in RunSQL strings. It understands just enough of
// PostgreSQL/MySQL lexical structure (comments, string literals, dollar quoting, quoted identifiers) to find
// statement boundaries and keywords reliably; it never throws and never loops: every step consumes input.

export type SqlTokenKind =
  /** Keyword or unquoted identifier; `value` is upper-cased for keyword matching. */
  | 'word'
  /** Quoted identifier ("x" or MySQL `x`); `value` is the unescaped name, case preserved. */
  | 'quoted'
  /** String literal ('x', E'x', N'x', $tag$x$tag$); `value` is the (approximately) unescaped content. */
  | 'string'
  | 'number'
  /** Query parameter: `%s`, `%(name)s`, `$1`, `?`. */
  | 'param'
  /** Any other single character (operators, parentheses, commas, dots, `;`). */
  | 'punct';

export interface SqlToken {
  readonly kind: SqlTokenKind;
  /** The exact source text. */
  readonly text: string;
  readonly value: string;
  /** Half-open offsets into the scanned SQL string. */
  readonly start: number;
  readonly end: number;
}

/**
 * Statements keep their tokens as long as the file's model lives, and a RunSQL holds about one token per three
 * characters: the source text is sliced when asked for rather than stored, and equal keywords share one string.
 */
class ScannedToken implements SqlToken {
  constructor(
    readonly kind: SqlTokenKind,
    readonly value: string,
    readonly start: number,
    readonly end: number,
    private readonly sql: string,
  ) {}

  get text(): string {
    return this.sql.slice(this.start, this.end);
  }
}

export interface SqlStatement {
  /** 0-based position among the statements of the scanned string. */
  index: number;
  /** Offset of the first token (leading whitespace and comments excluded). */
  start: number;
  /** Offset just after the last token (the terminating `;` excluded). */
  end: number;
  /** Source text from start to end. */
  text: string;
  /** Tokens without comments and without the terminating `;`. */
  tokens: SqlToken[];
}

const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;
const DIGIT = /[0-9]/;
/** Letters that may prefix a string literal: E'escapes', N'national', B'bits', X'hex'. */
const STRING_PREFIXES = new Set(['E', 'e', 'N', 'n', 'B', 'b', 'X', 'x']);
const DOLLAR_TAG = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/;

/** Splits SQL into tokens, skipping whitespace and comments. Unterminated constructs run to the end of input. */
export function tokenizeSql(sql: string): SqlToken[] {
  const tokens: SqlToken[] = [];
  const length = sql.length;
  let pos = 0;
  const push = (kind: SqlTokenKind, start: number, end: number, value: string): void => {
    tokens.push(new ScannedToken(kind, value, start, end, sql));
  };
  const keywords = new Map<string, string>();
  const shared = (word: string): string => {
    const known = keywords.get(word);
    if (known !== undefined) return known;
    keywords.set(word, word);
    return word;
  };

  while (pos < length) {
    const ch = sql[pos]!;
    const next = sql[pos + 1];

    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\f' || ch === '\v') {
      pos++;
      continue;
    }
    if (ch === '-' && next === '-') {
      const newline = sql.indexOf('\n', pos + 2);
      pos = newline < 0 ? length : newline + 1;
      continue;
    }
    if (ch === '/' && next === '*') {
      pos = skipBlockComment(sql, pos);
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '`') {
      const literal = scanQuoted(sql, pos, false);
      push(ch === "'" ? 'string' : 'quoted', pos, literal.end, literal.value);
      pos = literal.end;
      continue;
    }
    if (next === "'" && STRING_PREFIXES.has(ch)) {
      const literal = scanQuoted(sql, pos + 1, ch === 'E' || ch === 'e');
      push('string', pos, literal.end, literal.value);
      pos = literal.end;
      continue;
    }
    if (ch === '$') {
      const tag = DOLLAR_TAG.exec(sql.slice(pos, pos + 64));
      if (tag) {
        const delimiter = tag[0];
        const close = sql.indexOf(delimiter, pos + delimiter.length);
        const end = close < 0 ? length : close + delimiter.length;
        const bodyEnd = close < 0 ? length : close;
        push('string', pos, end, sql.slice(pos + delimiter.length, bodyEnd));
        pos = end;
        continue;
      }
      if (next !== undefined && DIGIT.test(next)) {
        let end = pos + 1;
        while (end < length && DIGIT.test(sql[end]!)) end++;
        push('param', pos, end, sql.slice(pos, end));
        pos = end;
        continue;
      }
    }
    if (ch === '%' && (next === 's' || next === '(')) {
      const end = next === 's' ? pos + 2 : scanNamedParam(sql, pos);
      if (end > pos + 1) {
        push('param', pos, end, sql.slice(pos, end));
        pos = end;
        continue;
      }
    }
    if (ch === '?') {
      push('param', pos, pos + 1, '?');
      pos++;
      continue;
    }
    if (DIGIT.test(ch) || (ch === '.' && next !== undefined && DIGIT.test(next))) {
      const end = scanNumber(sql, pos);
      push('number', pos, end, sql.slice(pos, end));
      pos = end;
      continue;
    }
    if (WORD_START.test(ch)) {
      let end = pos + 1;
      while (end < length && WORD_PART.test(sql[end]!)) end++;
      push('word', pos, end, shared(sql.slice(pos, end).toUpperCase()));
      pos = end;
      continue;
    }
    push('punct', pos, pos + 1, ch);
    pos++;
  }
  return tokens;
}

/** PostgreSQL block comments nest. Returns the offset after the comment (end of input when unterminated). */
function skipBlockComment(sql: string, start: number): number {
  let depth = 0;
  let pos = start;
  while (pos < sql.length) {
    if (sql[pos] === '/' && sql[pos + 1] === '*') {
      depth++;
      pos += 2;
    } else if (sql[pos] === '*' && sql[pos + 1] === '/') {
      depth--;
      pos += 2;
      if (depth === 0) return pos;
    } else {
      pos++;
    }
  }
  return sql.length;
}

/**
 * Scans a literal whose opening quote is at `start`; a doubled quote is an escaped quote, and with
 * `backslashEscapes` (E'...') so is a backslash. Unterminated literals run to the end of input.
 */
function scanQuoted(sql: string, start: number, backslashEscapes: boolean): { end: number; value: string } {
  const quote = sql[start]!;
  let value = '';
  let pos = start + 1;
  while (pos < sql.length) {
    const ch = sql[pos]!;
    if (backslashEscapes && ch === '\\' && pos + 1 < sql.length) {
      value += BACKSLASH_ESCAPES[sql[pos + 1]!] ?? sql[pos + 1]!;
      pos += 2;
      continue;
    }
    if (ch === quote) {
      if (sql[pos + 1] !== quote) return { end: pos + 1, value };
      value += quote;
      pos += 2;
      continue;
    }
    value += ch;
    pos++;
  }
  return { end: sql.length, value };
}

const BACKSLASH_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' };

function scanNamedParam(sql: string, start: number): number {
  const close = sql.indexOf(')', start + 2);
  if (close < 0 || close - start > 100 || sql[close + 1] !== 's') return start;
  return close + 2;
}

function scanNumber(sql: string, start: number): number {
  let pos = start;
  while (pos < sql.length && DIGIT.test(sql[pos]!)) pos++;
  if (sql[pos] === '.') {
    pos++;
    while (pos < sql.length && DIGIT.test(sql[pos]!)) pos++;
  }
  if ((sql[pos] === 'e' || sql[pos] === 'E') && /[0-9+-]/.test(sql[pos + 1] ?? '')) {
    pos += 2;
    while (pos < sql.length && DIGIT.test(sql[pos]!)) pos++;
  }
  return Math.max(pos, start + 1);
}

/**
 * Splits SQL into statements on `;` outside strings, comments, dollar quotes and routine bodies written without
 * dollar quoting (PostgreSQL `CREATE FUNCTION ... BEGIN ATOMIC ...; END`, MySQL `CREATE TRIGGER ... BEGIN ...; END`).
 * Empty statements are dropped.
 */
export function scanSql(sql: string): SqlStatement[] {
  const tokens = tokenizeSql(sql);
  const statements: SqlStatement[] = [];
  let current: SqlToken[] = [];
  let blockDepth = 0;

  const flush = (): void => {
    if (current.length === 0) return;
    const start = current[0]!.start;
    const end = current[current.length - 1]!.end;
    statements.push({ index: statements.length, start, end, text: sql.slice(start, end), tokens: current });
    current = [];
  };

  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.kind === 'punct' && token.value === ';' && blockDepth === 0) {
      flush();
      continue;
    }
    if (token.kind === 'word' && current.length > 0 && current[0]!.kind === 'word' && current[0]!.value === 'CREATE') {
      blockDepth = Math.max(0, blockDepth + blockDepthChange(token.value, tokens[i + 1], blockDepth));
    }
    current.push(token);
  }
  flush();
  return statements;
}

/** Nesting change of a keyword inside a CREATE statement: BEGIN and CASE open, END closes (END IF / END LOOP close constructs never counted). */
function blockDepthChange(word: string, next: SqlToken | undefined, depth: number): number {
  if (word === 'BEGIN') return 1;
  if (depth === 0) return 0;
  if (word === 'CASE') return 1;
  if (word === 'END') {
    const closes = next?.kind === 'word' ? next.value : undefined;
    return closes === 'IF' || closes === 'LOOP' || closes === 'WHILE' || closes === 'REPEAT' ? 0 : -1;
  }
  return 0;
}
