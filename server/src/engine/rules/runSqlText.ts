// The SQL texts of a RunSQL operation (a string, a list/tuple of strings, `(sql, params)` pairs, or a module-level
// string constant), each with a map from SQL offsets back to file offsets, so findings can underline the offending
// statement inside the Python string literal instead of the whole operation.
import type { SyntaxNode } from '@lezer/common';
import type { Expr, MigrationModel, Operation, Span } from '../python/model';
import { ExpressionReader } from '../python/expressions';
import { SIMPLE_ESCAPES } from '../python/stringLiteral';
import { runPythonCode, walkDescendants } from './runPythonCode';
import { opArg } from '../django/operations';

export interface RunSqlText {
  /** The SQL as Python evaluates the literal. */
  sql: string;
  /** The expression it came from (a string literal, or the name of a module-level constant). */
  source: Expr;
  /** File offset of each SQL offset (length sql.length + 1), or undefined when only `source.span` is known. */
  offsets?: SqlOffsets;
}

/**
 * Where each character of a decoded string literal sits in the file, stored as runs rather than one number per
 * character (which cost 8 to 12 bytes per byte of SQL, kept as long as the file's model): inside a run of plain
 * characters the file offset grows with the SQL offset, inside an escape's output it stays on the backslash.
 */
export class SqlOffsets {
  /** Per run: the SQL offset it starts at, the file offset there, and 1 (plain characters) or 0 (one escape's units). */
  private readonly runs: number[] = [];
  private count = 0;

  /** How many SQL offsets are mapped. */
  get length(): number {
    return this.count;
  }

  /** How many runs hold them (what the map costs). */
  get runCount(): number {
    return this.runs.length / 3;
  }

  /** Maps the next SQL offset to `fileOffset`. */
  push(fileOffset: number): void {
    const runs = this.runs;
    const last = runs.length - 3;
    if (last >= 0) {
      const runLength = this.count - runs[last]!;
      const runFile = runs[last + 1]!;
      if (runLength === 1 && (fileOffset === runFile || fileOffset === runFile + 1)) runs[last + 2] = fileOffset - runFile;
      if (runFile + runs[last + 2]! * runLength === fileOffset) {
        this.count++;
        return;
      }
    }
    runs.push(this.count, fileOffset, 1);
    this.count++;
  }

  /** The file offset of SQL offset `index`, undefined outside 0..length-1. */
  at(index: number): number | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= this.count) return undefined;
    let low = 0;
    let high = this.runs.length / 3 - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.runs[middle * 3]! <= index) low = middle;
      else high = middle - 1;
    }
    const run = low * 3;
    return this.runs[run + 1]! + this.runs[run + 2]! * (index - this.runs[run]!);
  }

  /** The offsets of `left` without its end position, followed by those of `right`: the map of the joined text. */
  static concatenate(left: SqlOffsets, right: SqlOffsets): SqlOffsets {
    const joined = new SqlOffsets();
    for (const part of [left, right]) {
      const end = part === left ? part.count - 1 : part.count;
      for (let run = 0; run < part.runs.length; run += 3) {
        const start = part.runs[run]!;
        const stop = Math.min(end, run + 3 < part.runs.length ? part.runs[run + 3]! : part.count);
        for (let index = start; index < stop; index++) joined.push(part.runs[run + 1]! + part.runs[run + 2]! * (index - start));
      }
    }
    return joined;
  }
}

/** The file span of SQL offsets [start, end) of a text; falls back to the source expression's span. */
export function sqlSpan(text: RunSqlText, start: number, end: number): Span {
  const offsets = text.offsets;
  if (!offsets) return text.source.span;
  const from = offsets.at(Math.max(0, Math.min(start, offsets.length - 1)));
  const lastChar = offsets.at(Math.max(0, Math.min(end - 1, offsets.length - 1)));
  if (from === undefined || lastChar === undefined || end <= start) return text.source.span;
  return { start: from, end: Math.max(from + 1, lastChar + 1) };
}

/** The SQL strings of a RunSQL operation's `sql` (or `reverse_sql`) argument. Non-literal parts are skipped. */
export function runSqlTexts(model: MigrationModel, op: Operation, param: 'sql' | 'reverse_sql' = 'sql'): RunSqlText[] {
  const argument = opArg(op, param);
  if (!argument) return [];
  const texts: RunSqlText[] = [];
  collectTexts(model, argument, texts, 0);
  return texts;
}

function collectTexts(model: MigrationModel, expr: Expr, into: RunSqlText[], depth: number): void {
  switch (expr.kind) {
    case 'string':
      into.push(literalText(model, expr));
      return;
    case 'list':
    case 'tuple':
      if (depth > 0) {
        // An item of the top-level list that is itself a sequence is a `(sql, params)` pair.
        const first = expr.items[0];
        if (first) collectTexts(model, first, into, depth + 1);
        return;
      }
      for (const item of expr.items) collectTexts(model, item, into, depth + 1);
      return;
    case 'name': {
      const constant = moduleStringConstant(model, expr.dotted);
      if (constant !== undefined) into.push({ sql: constant, source: expr });
      return;
    }
    case 'binary': {
      // `"..." % params`: the left side still shows the statement's shape.
      if (expr.operator === '%') collectTexts(model, expr.left, into, depth);
      if (expr.operator !== '+') return;
      if (isSequence(expr.left) || isSequence(expr.right)) {
        // `["..."] + ["..."]` is one longer list of statements.
        collectTexts(model, expr.left, into, depth);
        collectTexts(model, expr.right, into, depth);
        return;
      }
      const left: RunSqlText[] = [];
      const right: RunSqlText[] = [];
      collectTexts(model, expr.left, left, depth + 1);
      collectTexts(model, expr.right, right, depth + 1);
      if (left.length === 1 && right.length === 1) into.push(concatenate(left[0]!, right[0]!, expr));
      return;
    }
    default:
      return;
  }
}

function isSequence(expr: Expr): boolean {
  return expr.kind === 'list' || expr.kind === 'tuple';
}

/** `"ALTER TABLE t " + "ADD ..."`: one SQL text; the offset map survives when both sides have one. */
function concatenate(left: RunSqlText, right: RunSqlText, source: Expr): RunSqlText {
  const sql = left.sql + right.sql;
  if (!left.offsets || !right.offsets) return { sql, source };
  return { sql, source, offsets: SqlOffsets.concatenate(left.offsets, right.offsets) };
}

function literalText(model: MigrationModel, expr: Extract<Expr, { kind: 'string' }>): RunSqlText {
  const decoded = decodePythonStrings(model.text, expr.span.start, expr.span.end);
  if (decoded && decoded.value === expr.value) return { sql: expr.value, source: expr, offsets: decoded.offsets };
  return { sql: expr.value, source: expr };
}

// ---------------------------------------------------------------- module-level constants

const constantCache = new WeakMap<MigrationModel, Map<string, string>>();

/** The value of a module-level `NAME = "..."` string constant (last plain-literal assignment wins). */
export function moduleStringConstant(model: MigrationModel, name: string): string | undefined {
  let constants = constantCache.get(model);
  if (!constants) {
    constants = readModuleConstants(model);
    constantCache.set(model, constants);
  }
  return constants.get(name);
}

function readModuleConstants(model: MigrationModel): Map<string, string> {
  const constants = new Map<string, string>();
  for (let statement = model.tree.topNode.firstChild; statement; statement = statement.nextSibling) {
    if (statement.name !== 'AssignStatement') continue;
    const target = statement.firstChild;
    const operator = target?.nextSibling;
    const value = operator?.nextSibling;
    if (!target || target.name !== 'VariableName' || operator?.name !== 'AssignOp' || !value || value.nextSibling) continue;
    const literal = unwrapParentheses(value);
    if (literal.name !== 'String' && literal.name !== 'ContinuedString') continue;
    const decoded = decodePythonStrings(model.text, literal.from, literal.to);
    if (decoded) constants.set(model.text.slice(target.from, target.to), decoded.value);
  }
  return constants;
}

function unwrapParentheses(node: SyntaxNode): SyntaxNode {
  let current = node;
  while (current.name === 'ParenthesizedExpression') {
    const inner = current.firstChild?.nextSibling;
    if (!inner || inner.name === ')') break;
    current = inner;
  }
  return current;
}

// ---------------------------------------------------------------- Python string literal decoding

interface Decoded {
  value: string;
  offsets: SqlOffsets;
}

/**
 * Decodes the adjacent Python string literals in text[start, end) (implicit concatenation, with whitespace,
 * line continuations, comments and parentheses between them) and records each character's file offset.
 * Returns undefined for anything it does not fully understand (f-strings with fields, unknown \N{} names).
 */
export function decodePythonStrings(text: string, start: number, end: number): Decoded | undefined {
  let value = '';
  const offsets = new SqlOffsets();
  let pos = start;
  let literals = 0;
  while (pos < end) {
    const ch = text[pos]!;
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '(' || ch === ')' || ch === '\f') {
      pos++;
      continue;
    }
    if (ch === '\\' && (text[pos + 1] === '\n' || text[pos + 1] === '\r')) {
      pos += 2;
      continue;
    }
    if (ch === '#') {
      while (pos < end && text[pos] !== '\n') pos++;
      continue;
    }
    const prefix = /^[rRbBuUfF]{0,2}/.exec(text.slice(pos, pos + 2))![0];
    const quoteStart = pos + prefix.length;
    const quoteChar = text[quoteStart];
    if (quoteChar !== "'" && quoteChar !== '"') return undefined;
    const raw = /[rR]/.test(prefix);
    const formatted = /[fF]/.test(prefix);
    const triple = text.startsWith(quoteChar.repeat(3), quoteStart);
    const delimiter = triple ? quoteChar.repeat(3) : quoteChar;
    pos = quoteStart + delimiter.length;
    let closed = false;
    while (pos < end) {
      const c = text[pos]!;
      if (text.startsWith(delimiter, pos)) {
        pos += delimiter.length;
        closed = true;
        break;
      }
      if (!triple && c === '\n') return undefined;
      if (formatted && (c === '{' || c === '}')) {
        if (text[pos + 1] !== c) return undefined;
        value += c;
        offsets.push(pos);
        pos += 2;
        continue;
      }
      if (c === '\\') {
        const escaped = decodeEscape(text, pos, raw);
        if (!escaped) return undefined;
        // Every UTF-16 unit (two for a surrogate pair from \U escapes) maps to the escape's position.
        for (let unit = 0; unit < escaped.value.length; unit++) {
          value += escaped.value[unit]!;
          offsets.push(pos);
        }
        pos = escaped.end;
        continue;
      }
      value += c;
      offsets.push(pos);
      pos++;
    }
    if (!closed) return undefined;
    literals++;
  }
  if (literals === 0) return undefined;
  offsets.push(end);
  return value.length + 1 === offsets.length ? { value, offsets } : undefined;
}

function decodeEscape(text: string, pos: number, raw: boolean): { value: string; end: number } | undefined {
  const next = text[pos + 1];
  if (next === undefined) return undefined;
  if (raw) {
    // In raw strings a backslash stays, and it still keeps the following quote from closing the literal.
    return { value: '\\' + next, end: pos + 2 };
  }
  if (next === '\n') return { value: '', end: pos + 2 };
  if (next === '\r') return { value: '', end: text[pos + 2] === '\n' ? pos + 3 : pos + 2 };
  const simple = SIMPLE_ESCAPES[next];
  if (simple !== undefined) return { value: simple, end: pos + 2 };
  const octal = /^[0-7]{1,3}/.exec(text.slice(pos + 1, pos + 4));
  if (octal) return { value: String.fromCharCode(parseInt(octal[0], 8)), end: pos + 1 + octal[0].length };
  const hexLength = next === 'x' ? 2 : next === 'u' ? 4 : next === 'U' ? 8 : 0;
  if (hexLength > 0) {
    const hex = text.slice(pos + 2, pos + 2 + hexLength);
    if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== hexLength) return undefined;
    const codePoint = parseInt(hex, 16);
    if (codePoint > 0x10ffff) return undefined;
    return { value: String.fromCodePoint(codePoint), end: pos + 2 + hexLength };
  }
  if (next === 'N') return undefined;
  return { value: '\\' + next, end: pos + 2 };
}

/**
 * Literal SQL a RunPython function defined in this file runs itself: `schema_editor.execute("...")`,
 * `cursor.execute("...")` (first argument a string literal or a module-level string constant). It gets the same
 * SQL checks as RunSQL.
 */
export function runPythonSqlTexts(model: MigrationModel, op: Operation): RunSqlText[] {
  const code = runPythonCode(model, op, 'code');
  if (!code) return [];
  const reader = new ExpressionReader(model.text, (dotted) => dotted);
  const texts: RunSqlText[] = [];
  walkDescendants(
    code.body,
    (node) => {
      const callee = node.firstChild;
      const args = node.getChild('ArgList');
      if (!callee || !args || !/\.execute$/.test(model.text.slice(callee.from, callee.to).replace(/\s+/g, ''))) return;
      const first = reader.readArguments(args).args[0];
      if (first?.kind === 'string' && !first.formatted) texts.push(literalText(model, first));
      else if (first?.kind === 'name') {
        const constant = moduleStringConstant(model, first.dotted);
        if (constant !== undefined) texts.push({ sql: constant, source: first });
      }
    },
    CALL_NODES,
  );
  return texts;
}

const CALL_NODES: ReadonlySet<string> = new Set(['CallExpression']);
