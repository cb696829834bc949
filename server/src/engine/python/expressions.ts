// Converting Python expressions from the lezer tree into the model's Expr values. This is most of the work of
// building a model (operations are nearly the whole file), so it walks with one TreeCursor: moving a cursor through
// the packed node buffers allocates nothing, where SyntaxNode navigation allocates an object per node visited.
import type { SyntaxNode, TreeCursor } from '@lezer/common';
import type { CallExpr, Expr, NameExpr, Span } from './model';
import { decodeStringLiteral } from './stringLiteral';

/**
 * Deeper expressions become `other`: real migrations nest a handful of levels, and the cap keeps both this reader
 * and every rule that walks an Expr recursively safe from stack overflows on pathological input.
 */
const MAX_EXPRESSION_DEPTH = 100;

/** Tokens that separate expressions inside brackets and argument lists. */
const PUNCTUATION = new Set(['(', ')', '[', ']', '{', '}', ',', ':', '.', 'AssignOp', 'Comment']);

interface Arguments {
  args: Expr[];
  kwargs: Record<string, Expr>;
  kwargSpans: Record<string, Span>;
  hasStarArgs: boolean;
}

export class ExpressionReader {
  private depth = 0;
  /** Calls an earlier parse of the same text already converted (see exprReuse.ts). */
  reuse: ((from: number, to: number) => CallExpr | undefined) | undefined;

  constructor(
    private readonly text: string,
    /** Resolves a dotted name's first part through the file's imports. */
    private readonly qualify: (dotted: string) => string,
    /**
     * Where `text` starts in the file: a piece of a broken file parsed on its own (see listRecovery.ts) still gets
     * spans in file offsets.
     */
    private readonly offset = 0,
  ) {}

  read(node: SyntaxNode): Expr {
    return this.at(node.cursor());
  }

  /** The arguments of an `ArgList` node (class bases, for instance). */
  readArguments(argList: SyntaxNode): Arguments {
    return this.arguments(argList.cursor());
  }

  /** Converts the node at the cursor; the cursor is back on that node when this returns. */
  private at(cursor: TreeCursor): Expr {
    if (this.depth >= MAX_EXPRESSION_DEPTH) return this.other(cursor.from, cursor.to);
    this.depth++;
    try {
      return this.convert(cursor);
    } finally {
      this.depth--;
    }
  }

  private convert(cursor: TreeCursor): Expr {
    const { from, to } = cursor;
    switch (cursor.name) {
      case 'String':
      case 'FormatString': {
        const { value, formatted } = this.stringPart(cursor);
        return { kind: 'string', value, formatted, span: this.span(from, to), text: this.text.slice(from, to) };
      }
      case 'ContinuedString':
        return this.continuedString(cursor);
      case 'Number': {
        const text = this.text.slice(from, to);
        return { kind: 'number', value: parseNumber(text), span: this.span(from, to), text };
      }
      case 'Boolean': {
        const text = this.text.slice(from, to);
        return { kind: 'bool', value: text === 'True', span: this.span(from, to), text };
      }
      case 'None':
        return { kind: 'none', span: this.span(from, to), text: this.text.slice(from, to) };
      case 'VariableName':
      case 'MemberExpression': {
        const dotted = this.dotted(cursor);
        return dotted === undefined ? this.other(from, to) : this.name(dotted, from, to);
      }
      case 'CallExpression':
        return (this.reuse && this.offset === 0 ? this.reuse(from, to) : undefined) ?? this.callExpression(cursor);
      case 'ArrayExpression':
        return { kind: 'list', items: this.items(cursor), span: this.span(from, to), text: this.text.slice(from, to) };
      case 'ArrayComprehensionExpression':
        // Half-typed lists (`[op(...` at the end of the file) are recovered as comprehensions without a `for`.
        if (this.hasChild(cursor, 'for')) return this.other(from, to);
        return { kind: 'list', items: this.items(cursor), span: this.span(from, to), text: this.text.slice(from, to) };
      case 'TupleExpression':
        return { kind: 'tuple', items: this.items(cursor), span: this.span(from, to), text: this.text.slice(from, to) };
      case 'SetExpression':
        return { kind: 'set', items: this.items(cursor), span: this.span(from, to), text: this.text.slice(from, to) };
      case 'DictionaryExpression':
        return this.dict(cursor);
      case 'ParenthesizedExpression':
        return this.parenthesized(cursor);
      case 'BinaryExpression':
        return this.binary(cursor);
      case 'UnaryExpression':
        return this.unary(cursor);
      default:
        return this.other(from, to);
    }
  }

  /** A String or FormatString node: decoded, with f-string replacement fields left out. */
  private stringPart(cursor: TreeCursor): { value: string; formatted: boolean } {
    const { from, to } = cursor;
    const holes: { from: number; to: number }[] = [];
    if (cursor.name === 'FormatString' && cursor.firstChild()) {
      do {
        if (nodeName(cursor) === 'FormatReplacement') holes.push({ from: cursor.from - from, to: cursor.to - from });
      } while (cursor.nextSibling());
      cursor.parent();
    }
    return decodeStringLiteral(this.text.slice(from, to), holes);
  }

  private continuedString(cursor: TreeCursor): Expr {
    const { from, to } = cursor;
    let value = '';
    let formatted = false;
    if (cursor.firstChild()) {
      do {
        if (cursor.name !== 'String' && cursor.name !== 'FormatString') continue;
        const part = this.stringPart(cursor);
        value += part.value;
        formatted ||= part.formatted;
      } while (cursor.nextSibling());
      cursor.parent();
    }
    return { kind: 'string', value, formatted, span: this.span(from, to), text: this.text.slice(from, to) };
  }

  private name(dotted: string, from: number, to: number): NameExpr {
    return { kind: 'name', dotted, qualified: this.qualify(dotted), span: this.span(from, to), text: this.text.slice(from, to) };
  }

  /** `a.b.c` for chains of plain attribute access; undefined for subscripts, calls and the like. */
  private dotted(cursor: TreeCursor): string | undefined {
    if (cursor.name === 'VariableName') return this.text.slice(cursor.from, cursor.to);
    if (cursor.name !== 'MemberExpression' || !cursor.firstChild()) return undefined;
    let result: string | undefined;
    const base = this.dotted(cursor);
    if (base !== undefined && cursor.nextSibling() && nodeName(cursor) === '.' && cursor.nextSibling() && nodeName(cursor) === 'PropertyName') {
      const property = this.text.slice(cursor.from, cursor.to);
      if (!cursor.nextSibling()) result = `${base}.${property}`;
    }
    cursor.parent();
    return result;
  }

  private callExpression(cursor: TreeCursor): Expr {
    const { from, to } = cursor;
    if (!cursor.firstChild()) return this.other(from, to);
    const callee = this.at(cursor);
    let result: Expr | undefined;
    while (cursor.nextSibling()) {
      if (cursor.name !== 'ArgList') continue;
      const argListSpan = this.span(cursor.from, cursor.to);
      const call: CallExpr = { kind: 'call', callee, ...this.arguments(cursor), argListSpan, span: this.span(from, to), text: this.text.slice(from, to) };
      result = call;
      break;
    }
    cursor.parent();
    return result ?? this.other(from, to);
  }

  /** Reads an ArgList at the cursor (and leaves the cursor on it). */
  private arguments(cursor: TreeCursor): Arguments {
    const args: Expr[] = [];
    const kwargs: Record<string, Expr> = {};
    const kwargSpans: Record<string, Span> = {};
    let hasStarArgs = false;
    if (!cursor.firstChild()) return { args, kwargs, kwargSpans, hasStarArgs };
    do {
      const name = cursor.name;
      if (PUNCTUATION.has(name) || cursor.type.isError) continue;
      if (name === '*' || name === '**') {
        hasStarArgs = true;
        const starFrom = cursor.from;
        if (!cursor.nextSibling()) break;
        if (name === '*') args.push(this.other(starFrom, cursor.to));
        continue;
      }
      if (name === 'VariableName') {
        const keywordFrom = cursor.from;
        const keywordTo = cursor.to;
        if (cursor.nextSibling()) {
          if (cursor.name === 'AssignOp') {
            // `name=value`; a keyword without a value (half-typed) is skipped with whatever follows it.
            if (cursor.nextSibling() && !PUNCTUATION.has(cursor.name) && !cursor.type.isError) {
              const keyword = this.text.slice(keywordFrom, keywordTo);
              kwargs[keyword] = this.at(cursor);
              kwargSpans[keyword] = this.span(keywordFrom, cursor.to);
            }
            continue;
          }
          cursor.prevSibling();
        }
      }
      args.push(this.at(cursor));
    } while (cursor.nextSibling());
    cursor.parent();
    return { args, kwargs, kwargSpans, hasStarArgs };
  }

  private items(cursor: TreeCursor): Expr[] {
    const items: Expr[] = [];
    if (!cursor.firstChild()) return items;
    do {
      if (PUNCTUATION.has(cursor.name) || cursor.type.isError) continue;
      if (cursor.name === '*') {
        const starFrom = cursor.from;
        if (!cursor.nextSibling()) break;
        items.push(this.other(starFrom, cursor.to));
        continue;
      }
      items.push(this.at(cursor));
    } while (cursor.nextSibling());
    cursor.parent();
    return items;
  }

  private dict(cursor: TreeCursor): Expr {
    const { from, to } = cursor;
    const entries: { key: Expr; value: Expr }[] = [];
    if (cursor.firstChild()) {
      do {
        if (PUNCTUATION.has(cursor.name) || cursor.type.isError) continue;
        if (cursor.name === '**') {
          if (!cursor.nextSibling()) break;
          continue;
        }
        const key = this.at(cursor);
        if (!cursor.nextSibling()) break;
        if (cursor.name !== ':' || !cursor.nextSibling()) continue;
        if (PUNCTUATION.has(cursor.name) || cursor.type.isError) continue;
        entries.push({ key, value: this.at(cursor) });
      } while (cursor.nextSibling());
      cursor.parent();
    }
    return { kind: 'dict', entries, span: this.span(from, to), text: this.text.slice(from, to) };
  }

  private parenthesized(cursor: TreeCursor): Expr {
    const { from, to } = cursor;
    let inner: Expr | undefined;
    if (cursor.firstChild()) {
      do {
        if (PUNCTUATION.has(cursor.name) || cursor.type.isError) continue;
        inner = this.at(cursor);
        break;
      } while (cursor.nextSibling());
      cursor.parent();
    }
    return inner ?? this.other(from, to);
  }

  private binary(cursor: TreeCursor): Expr {
    const { from, to } = cursor;
    if (!cursor.firstChild()) return this.other(from, to);
    const leftTo = cursor.to;
    const left = this.at(cursor);
    const hasOperator = cursor.nextSibling();
    cursor.parent();
    cursor.lastChild();
    const rightFrom = cursor.from;
    const usable = hasOperator && rightFrom >= leftTo && !cursor.type.isError && rightFrom > from;
    const right = usable ? this.at(cursor) : undefined;
    cursor.parent();
    if (!right) return this.other(from, to);
    return { kind: 'binary', operator: this.text.slice(leftTo, rightFrom).trim(), left, right, span: this.span(from, to), text: this.text.slice(from, to) };
  }

  private unary(cursor: TreeCursor): Expr {
    const { from, to } = cursor;
    if (!cursor.firstChild()) return this.other(from, to);
    const sign = cursor.name === 'ArithOp' ? this.text.slice(cursor.from, cursor.to) : undefined;
    let result: Expr | undefined;
    if (sign && cursor.nextSibling() && cursor.name === 'Number') {
      const magnitude = parseNumber(this.text.slice(cursor.from, cursor.to));
      result = { kind: 'number', value: sign === '-' ? -magnitude : magnitude, span: this.span(from, to), text: this.text.slice(from, to) };
    }
    cursor.parent();
    return result ?? this.other(from, to);
  }

  private hasChild(cursor: TreeCursor, name: string): boolean {
    if (!cursor.firstChild()) return false;
    let found = false;
    do {
      if (cursor.name === name) found = true;
    } while (!found && cursor.nextSibling());
    cursor.parent();
    return found;
  }

  private span(from: number, to: number): Span {
    return { start: from + this.offset, end: to + this.offset };
  }

  private other(from: number, to: number): Expr {
    return { kind: 'other', span: this.span(from, to), text: this.text.slice(from, to) };
  }
}

/** The cursor's current node name, read through a call so TypeScript does not keep an earlier narrowing after moves. */
function nodeName(cursor: TreeCursor): string {
  return cursor.name;
}

function parseNumber(literal: string): number {
  const clean = literal.split('_').join('').toLowerCase();
  if (clean.endsWith('j')) return NaN;
  if (clean.startsWith('0x')) return parseInt(clean.slice(2), 16);
  if (clean.startsWith('0o')) return parseInt(clean.slice(2), 8);
  if (clean.startsWith('0b')) return parseInt(clean.slice(2), 2);
  return Number(clean);
}
