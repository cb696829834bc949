// Finding the items of a list whose syntax is broken, from the text itself. While the user types, one missing comma
// or parenthesis inside `operations = [...]` can make the parser's error recovery swallow every following
// operation into a nonsense node. The brackets, strings and line layout the user wrote still show where each item
// starts and ends, so the model builder re-reads each item on its own and one broken operation costs only itself.
import type { Span } from './model';

/** Words that continue an expression rather than start one (`x if y else z`, `a and b`, comprehensions). */
const KEYWORDS = new Set([
  'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else', 'except',
  'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass',
  'raise', 'return', 'try', 'while', 'with', 'yield',
]);

const OPENERS: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
const CLOSERS = new Set([')', ']', '}']);
/** A line that starts an operation: a (dotted) name called with an open parenthesis. */
const CALL_START = /^[\p{L}_][\p{L}\p{N}_]*(?:\s*\.\s*[\p{L}_][\p{L}\p{N}_]*)*\s*\(/u;
const IDENTIFIER_START = /[\p{L}_]/u;
const IDENTIFIER_PART = /[\p{L}\p{N}_]/u;
const STRING_PREFIX = /^(?:[rRbBuUfF]|[rR][bBfF]|[bBfF][rR])?(?:'|")/;

export interface ListItems {
  /** Each item, trimmed to its first and last token. */
  items: Span[];
  /** The offset after the list's closing bracket, or the end of the text when it is never closed. */
  end: number;
}

/**
 * The items of the list or tuple whose opening bracket is at `openOffset`. Items end at a top-level comma, where a
 * new expression starts right after a complete one (a missing comma), or where a line at the items' indentation or
 * less starts a call while brackets are still open (a missing closing parenthesis). The list ends at its closing
 * bracket when that is on the opening line or starts a line left of the items; another stray closing bracket is
 * skipped. An unclosed list runs to the end of the text.
 */
export function splitListItems(text: string, openOffset: number): ListItems {
  const closer = OPENERS[text[openOffset] ?? ''];
  const items: Span[] = [];
  if (!closer) return { items, end: openOffset };
  /** Brackets open inside the current item. */
  const open: string[] = [];
  let itemStart = -1;
  let itemEnd = -1;
  let itemColumn = 0;
  /** Column of the list's first item: where every item of a formatted list starts. */
  let listColumn: number | undefined;
  const openingLineEnd = lineEnd(text, openOffset);
  /** The last token completes an expression (a name, literal or closing bracket): a name right after it is a new item. */
  let afterExpression = false;
  let atLineStart = false;
  const flush = (): void => {
    if (itemStart >= 0) items.push({ start: itemStart, end: itemEnd });
    itemStart = -1;
    afterExpression = false;
    open.length = 0;
  };
  const token = (start: number, end: number, completesExpression: boolean): void => {
    if (itemStart < 0) {
      itemStart = start;
      itemColumn = columnOf(text, start);
      listColumn ??= itemColumn;
    }
    itemEnd = end;
    afterExpression = completesExpression;
    atLineStart = false;
  };

  let position = openOffset + 1;
  while (position < text.length) {
    const char = text[position] as string;
    if (char === '\n') {
      atLineStart = true;
      position++;
      continue;
    }
    if (char === ' ' || char === '\t' || char === '\r' || char === '\f') {
      position++;
      continue;
    }
    if (char === '\\') {
      position += 2;
      continue;
    }
    if (char === '#') {
      while (position < text.length && text[position] !== '\n') position++;
      continue;
    }
    const prefix = STRING_PREFIX.exec(text.slice(position, position + 4));
    if (prefix) {
      const end = stringEnd(text, position + prefix[0].length - 1);
      token(position, end, true);
      position = end;
      continue;
    }
    if (IDENTIFIER_START.test(char)) {
      let end = position + 1;
      while (end < text.length && IDENTIFIER_PART.test(text[end] as string)) end++;
      const word = text.slice(position, end);
      const keyword = KEYWORDS.has(word);
      if (!keyword && itemStart >= 0) {
        const missingComma = open.length === 0 && afterExpression;
        const missingCloser =
          open.length > 0 &&
          atLineStart &&
          columnOf(text, position) <= Math.max(itemColumn, listColumn ?? 0) &&
          CALL_START.test(text.slice(position, lineEnd(text, position)));
        if (missingComma || missingCloser) flush();
      }
      token(position, end, !keyword);
      position = end;
      continue;
    }
    if (OPENERS[char]) {
      token(position, position + 1, false);
      open.push(OPENERS[char] as string);
      position++;
      continue;
    }
    if (CLOSERS.has(char)) {
      const innermost = open.lastIndexOf(char);
      const closesList =
        char === closer &&
        innermost < 0 &&
        (position < openingLineEnd || listColumn === undefined || (atLineStart && columnOf(text, position) < listColumn));
      if (closesList) {
        flush();
        return { items, end: position + 1 };
      }
      if (open.length === 0) {
        // A stray closing bracket (an extra one, or a nested list's end after an early close): skip it.
        atLineStart = false;
        position++;
        continue;
      }
      // A closer for an outer bracket closes the inner ones left open; an unmatched one is most likely a typo for
      // the innermost.
      open.length = innermost < 0 ? open.length - 1 : innermost;
      token(position, position + 1, true);
      position++;
      continue;
    }
    if (char === ',' && open.length === 0) {
      flush();
      position++;
      continue;
    }
    if (/[0-9]/.test(char) || (char === '.' && /[0-9]/.test(text[position + 1] ?? ''))) {
      let end = position + 1;
      while (end < text.length && /[\p{L}\p{N}_.]/u.test(text[end] as string)) end++;
      token(position, end, true);
      position = end;
      continue;
    }
    token(position, position + 1, false);
    position++;
  }
  flush();
  return { items, end: text.length };
}

/**
 * The offset after the string literal whose opening quote is at `quote`. A backslash always takes the next character
 * along (even in a raw string it keeps a quote from closing it); a single-quoted string left open ends at the line's end.
 */
function stringEnd(text: string, quote: number): number {
  const mark = text[quote] as string;
  const triple = text.startsWith(mark.repeat(3), quote);
  const delimiter = triple ? mark.repeat(3) : mark;
  let position = quote + delimiter.length;
  while (position < text.length) {
    const char = text[position];
    if (char === '\\') {
      position += 2;
      continue;
    }
    if (!triple && char === '\n') return position;
    if (text.startsWith(delimiter, position)) return position + delimiter.length;
    position++;
  }
  return text.length;
}

function columnOf(text: string, offset: number): number {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return offset - lineStart;
}

function lineEnd(text: string, offset: number): number {
  const end = text.indexOf('\n', offset);
  return end < 0 ? text.length : end;
}
