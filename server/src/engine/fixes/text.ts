// Small text helpers the fix primitives share: lines, indentation and the file's own line ending.
import type { MigrationModel, Span } from '../python/model';

export function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The offset just after the line break that ends the line holding `offset` (the text's end on the last line). */
export function nextLineStart(text: string, offset: number): number {
  const at = text.indexOf('\n', offset);
  return at < 0 ? text.length : at + 1;
}

export function leadingWhitespace(text: string, start: number): string {
  let end = start;
  while (end < text.length && (text[end] === ' ' || text[end] === '\t')) end++;
  return text.slice(start, end);
}

/** The file's indentation step: the Migration class body's indentation, else four spaces. */
export function indentUnit(model: MigrationModel): string {
  const indent = model.migrationClass?.bodyIndent;
  return indent && indent.length > 0 ? indent : '    ';
}

/** The file's own line ending (its first line break), `\n` when it has none. */
export function lineEndingOf(text: string): string {
  const at = text.search(/\r\n?|\n/);
  if (at < 0 || text[at] === '\n') return '\n';
  return text[at + 1] === '\n' ? '\r\n' : '\r';
}

export function validSpan(span: Span, text: string): boolean {
  return span.start >= 0 && span.end >= span.start && span.end <= text.length;
}

/** True when only whitespace separates `offset` from the start of its line. */
export function startsItsLine(text: string, offset: number): boolean {
  return text.slice(lineStart(text, offset), offset).trim() === '';
}
