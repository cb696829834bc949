// The field and model history as Markdown: the hover section on a model or field name of an operation, and the
// document the "Show Field History" command opens. Every version's definition is file text, so it goes into a
// fenced block whose fence no backtick run inside can close; names go through codeSpanSafe.
import { MarkupKind, type Hover } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { historyAtCursor } from '../engine/navigation/definition';
import type { History, HistoryEvent } from '../engine/navigation/history';
import { cursorTarget } from '../engine/navigation/target';
import { computeLineStarts, lineOfOffset } from '../engine/python/textPositions';
import { pathToUri, type DocumentAnalysis } from './analysisService';
import { codeSpanSafe } from './markdownSafe';

/** The history hover on a model or field name (`model_name="order"`, `name="code"`); null elsewhere. */
export function historyHover(analysis: DocumentAnalysis, document: TextDocument, offset: number): Hover | null {
  const model = analysis.model;
  if (!model) return null;
  const target = cursorTarget(model, offset);
  const history = target?.kind === 'name' ? historyAtCursor(analysis.entry.project.navigation(), model, offset, false) : undefined;
  if (target?.kind !== 'name' || !history || history.events.length === 0) return null;
  const range = { start: document.positionAt(target.content.start), end: document.positionAt(target.content.end) };
  return { contents: { kind: MarkupKind.Markdown, value: historyMarkdown(history) }, range };
}

/** `shop.Order.code` as the asking operation names it (the new name for a rename). */
export function historySubject(history: History): string {
  const current = history.events.find((event) => event.current) ?? history.events[history.events.length - 1];
  return `${history.app}.${current?.label ?? '?'}`;
}

export function historyMarkdown(history: History): string {
  const count = history.events.length;
  const sections = [`**History of ${history.refers} \`${codeSpanSafe(historySubject(history))}\`**: ${count} operation${count === 1 ? '' : 's'}, in migration order`];
  history.events.forEach((event, index) => {
    const place = `[\`${codeSpanSafe(`${event.migration.app}.${event.migration.name}`)}\`](${linkTo(event)})`;
    const what = `${event.change} by \`${codeSpanSafe(event.op.name)}\`${event.stateOnly ? ' (state only)' : ''}`;
    sections.push(`${index + 1}. ${place} · ${what}${event.current ? ' · **this operation**' : ''}`);
    if (event.definition) sections.push(fence(event.definition));
  });
  return sections.join('\n\n');
}

function linkTo(event: HistoryEvent): string {
  const lineStarts = event.migration.lineStarts ?? computeLineStarts(event.migration.text);
  const line = lineOfOffset(lineStarts, event.op.span.start) + 1;
  // Parentheses would end the Markdown link target early.
  return `${pathToUri(event.migration.path).replace(/\(/g, '%28').replace(/\)/g, '%29')}#L${line}`;
}

function fence(code: string): string {
  const longestRun = Math.max(2, ...[...code.matchAll(/`+/g)].map((match) => match[0].length));
  const marks = '`'.repeat(longestRun + 1);
  return `${marks}python\n${code}\n${marks}`;
}
