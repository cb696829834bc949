// Edit primitives over one operation: swap its class (with the import), set a keyword argument of a call, wrap it in
// SeparateDatabaseAndState(state_operations=[...]), or replace a span. Each reads the model once, when the rule
// reports, and yields edit intents (quickFixes.ts writes the imports they need).
import type { CallExpr, MigrationModel, Operation, Span } from '../python/model';
import { MIGRATIONS_MODULE, importsOf, symbolReference } from './imports';
import { indentUnit, leadingWhitespace, lineStart, startsItsLine, validSpan } from './text';
import type { EditIntent, TextEdit } from './types';

export function replaceText(span: Span, newText: string): EditIntent {
  return { kind: 'edit', edit: { span, newText } };
}

/** `migrations.AddIndex(` becomes `AddIndexConcurrently(`, written as the file's imports allow, imported when needed. */
export function swapOperation(model: MigrationModel, op: Operation, module: string, name: string): EditIntent[] {
  if (!validSpan(op.nameSpan, model.text)) return [];
  const reference = symbolReference(model, module, name);
  return [replaceText(op.nameSpan, reference.text), ...importsOf(reference)];
}

/** Sets `keyword=value` in a call: replaces an existing value, else appends the argument in the call's style. */
export function setKeywordArgument(model: MigrationModel, call: CallExpr, keyword: string, value: string): EditIntent[] {
  const text = model.text;
  const argListSpan = call.argListSpan;
  if (!validSpan(argListSpan, text) || text[argListSpan.start] !== '(' || text[argListSpan.end - 1] !== ')') return [];
  const existing = call.kwargs[keyword];
  if (existing) return existing.text === value ? [] : [replaceText(existing.span, value)];
  return appendArgumentEdits(model, argListSpan, `${keyword}=${value}`).map((edit) => ({ kind: 'edit', edit }));
}

function appendArgumentEdits(model: MigrationModel, argListSpan: Span, argument: string): TextEdit[] {
  const text = model.text;
  const open = argListSpan.start;
  const close = argListSpan.end - 1;
  const lastCodeEnd = endOfCodeBefore(model, close, open + 1);
  if (lastCodeEnd === open + 1) return [{ span: { start: open + 1, end: open + 1 }, newText: argument }];
  const hasTrailingComma = text[lastCodeEnd - 1] === ',';
  const closeLineStart = lineStart(text, close);
  const closeOnOwnLine = text.slice(closeLineStart, close).trim() === '' && closeLineStart > open;
  if (!closeOnOwnLine) {
    const newText = hasTrailingComma ? ` ${argument}` : `, ${argument}`;
    return [{ span: { start: lastCodeEnd, end: lastCodeEnd }, newText }];
  }
  // One argument per line: a new line with the last argument's indentation, keeping the trailing-comma style.
  const lastArgumentLineStart = lineStart(text, lastCodeEnd - 1);
  const indent =
    lastArgumentLineStart > open
      ? leadingWhitespace(text, lastArgumentLineStart)
      : leadingWhitespace(text, closeLineStart) + indentUnit(model);
  const edits: TextEdit[] = [];
  if (!hasTrailingComma) edits.push({ span: { start: lastCodeEnd, end: lastCodeEnd }, newText: ',' });
  edits.push({ span: { start: closeLineStart, end: closeLineStart }, newText: `${indent}${argument},\n` });
  return edits;
}

/** The offset just after the last code character before `offset` (skipping whitespace and comments), not below `floor`. */
function endOfCodeBefore(model: MigrationModel, offset: number, floor: number): number {
  const text = model.text;
  let position = offset;
  for (let steps = 0; position > floor && steps <= offset; steps++) {
    const char = text[position - 1]!;
    if (char === ' ' || char === '\t' || char === '\n' || char === '\r' || char === '\\') {
      position--;
      continue;
    }
    const comment = model.comments.find((c) => c.span.start < position && position <= c.span.end);
    if (comment) {
      position = comment.span.start;
      continue;
    }
    break;
  }
  return position;
}

/**
 * `migrations.RemoveField(...)` becomes `migrations.SeparateDatabaseAndState(state_operations=[...])`: Django forgets
 * it, the database keeps it. `note` is written as a comment inside the wrapper, saying what to do later.
 */
export function wrapInSeparateDatabaseAndState(model: MigrationModel, op: Operation, note: string): EditIntent[] {
  const text = model.text;
  const operationSpan = op.span;
  if (!validSpan(operationSpan, text)) return [];
  const operationText = text.slice(operationSpan.start, operationSpan.end);
  const reference = symbolReference(model, MIGRATIONS_MODULE, 'SeparateDatabaseAndState');
  let newText: string;
  if (!startsItsLine(text, operationSpan.start)) {
    newText = `${reference.text}(state_operations=[${operationText}])`;
  } else {
    const indent = leadingWhitespace(text, lineStart(text, operationSpan.start));
    const unit = indentUnit(model);
    const inner = operationText
      .split('\n')
      .map((line, index) => (index === 0 || line.trim() === '' ? line : `${unit}${unit}${line}`))
      .join('\n');
    newText = [
      `${reference.text}(`,
      `${indent}${unit}state_operations=[`,
      `${indent}${unit}${unit}${inner},`,
      `${indent}${unit}],`,
      `${indent}${unit}# ${note}`,
      `${indent})`,
    ].join('\n');
  }
  return [replaceText(operationSpan, newText), ...importsOf(reference)];
}
