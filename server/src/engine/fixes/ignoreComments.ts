// The "Ignore RULE for this operation / file" edits, in the syntax config/ignoreComments.ts reads: an existing
// directive for the same line (or the file) gets the rule added, so ignores do not pile up.
import type { Comment, MigrationModel } from '../python/model';
import { collectIgnoreDirectives, formatIgnoreComment } from '../config/ignoreComments';
import { computeLineStarts, lineOfOffset } from '../python/textPositions';
import { findImportStatements, moduleHeaderEnd } from './imports';
import { leadingWhitespace, lineEndingOf } from './text';
import type { TextEdit } from './types';

/**
 * `# migration-guard: ignore RULE` on its own line directly above the operation's first line, with that line's
 * indentation. An ignore comment that already targets that line (above it, or trailing it) gets the rule added.
 */
export function ignoreForOperationEdit(model: MigrationModel, anchorOffset: number, ruleId: string): TextEdit {
  const text = model.text;
  const anchor = Math.max(0, Math.min(anchorOffset, text.length));
  // Lines as Python counts them (\n, \r\n or a lone \r), so a CR-only file gets its comment above the right line.
  const lineStarts = model.lineStarts ?? computeLineStarts(text);
  const anchorLine = lineOfOffset(lineStarts, anchor);
  const start = lineStarts[anchorLine] ?? 0;
  const existing = collectIgnoreDirectives(model).find((directive) => directive.scope === 'line' && directive.targetLine === anchorLine);
  if (existing) return extendIgnoreComment(existing.comment, existing.ruleIds, ruleId);
  return { span: { start, end: start }, newText: `${leadingWhitespace(text, start)}${formatIgnoreComment('line', [ruleId])}${lineEndingOf(text)}` };
}

/** Extends an existing `ignore-file` comment, else adds one after the imports (or at the top). */
export function ignoreForFileEdit(model: MigrationModel, ruleId: string): TextEdit {
  const existing = collectIgnoreDirectives(model).find((directive) => directive.scope === 'file');
  if (existing) return extendIgnoreComment(existing.comment, existing.ruleIds, ruleId);
  const line = formatIgnoreComment('file', [ruleId]);
  const eol = lineEndingOf(model.text);
  const statements = findImportStatements(model);
  const last = statements[statements.length - 1];
  if (last) return { span: { start: last.node.to, end: last.node.to }, newText: `${eol}${line}` };
  const offset = moduleHeaderEnd(model);
  return { span: { start: offset, end: offset }, newText: offset === 0 ? `${line}${eol}` : `${eol}${line}` };
}

/** Appends a rule id to a directive's rule list, before any `-- reason`; an empty edit when it is already listed. */
function extendIgnoreComment(comment: Comment, listed: readonly string[], ruleId: string): TextEdit {
  // comment.text is what follows `#`, so it ends where the comment ends.
  const bodyStart = comment.span.end - comment.text.length;
  const reasonAt = comment.text.indexOf('--');
  const ruleListText = reasonAt >= 0 ? comment.text.slice(0, reasonAt) : comment.text;
  const insertAt = bodyStart + ruleListText.trimEnd().length;
  if (listed.includes(ruleId)) return { span: { start: insertAt, end: insertAt }, newText: '' };
  return { span: { start: insertAt, end: insertAt }, newText: listed.length > 0 ? `, ${ruleId}` : ` ${ruleId}` };
}
