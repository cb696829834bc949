// Keystroke-cheap model building: the operations of a migration that an edit did not touch are not converted from the
// syntax tree again. An operation's call that lies wholly before the edited range is the previous parse's object as
// it was (same text at the same offsets); one wholly after it is that object moved by the edit's length change.
// Everything else, and every call when the file's imports changed (they qualify the names), is read afresh.
import type { ChangedRange } from '@lezer/common';
import type { CallExpr, Expr, MigrationModel, Span } from './model';

export type CallReuse = (from: number, to: number) => CallExpr | undefined;

export function callReuse(previous: MigrationModel, range: ChangedRange, newLength: number): CallReuse | undefined {
  if (previous.operations.length === 0) return undefined;
  const byStart = new Map<number, CallExpr>();
  for (const op of previous.operations) byStart.set(op.call.span.start, op.call);
  const delta = newLength - previous.text.length;
  return (from, to) => {
    if (to <= range.fromB) {
      const call = byStart.get(from);
      return call && call.span.end === to ? call : undefined;
    }
    if (from >= range.toB) {
      const call = byStart.get(from - delta);
      if (!call || call.span.end !== to - delta) return undefined;
      return delta === 0 ? call : (shifted(call, delta) as CallExpr);
    }
    return undefined;
  };
}

/** A deep copy with every span moved by `delta` (texts and values are unchanged). */
function shifted(expr: Expr, delta: number): Expr {
  const move = (span: Span): Span => ({ start: span.start + delta, end: span.end + delta });
  switch (expr.kind) {
    case 'call': {
      const kwargs: Record<string, Expr> = {};
      for (const key of Object.keys(expr.kwargs)) kwargs[key] = shifted(expr.kwargs[key] as Expr, delta);
      const kwargSpans: Record<string, Span> = {};
      for (const key of Object.keys(expr.kwargSpans)) kwargSpans[key] = move(expr.kwargSpans[key] as Span);
      return { ...expr, span: move(expr.span), callee: shifted(expr.callee, delta), args: expr.args.map((arg) => shifted(arg, delta)), kwargs, kwargSpans, argListSpan: move(expr.argListSpan) };
    }
    case 'list':
    case 'tuple':
    case 'set':
      return { ...expr, span: move(expr.span), items: expr.items.map((item) => shifted(item, delta)) };
    case 'dict':
      return { ...expr, span: move(expr.span), entries: expr.entries.map((entry) => ({ ...entry, key: shifted(entry.key, delta), value: shifted(entry.value, delta) })) };
    case 'binary':
      return { ...expr, span: move(expr.span), left: shifted(expr.left, delta), right: shifted(expr.right, delta) };
    default:
      return { ...expr, span: move(expr.span) };
  }
}
