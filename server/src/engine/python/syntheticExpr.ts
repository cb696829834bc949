// Expressions the engine builds itself (a renamed index, an auto-created join table's fields, a constraint known
// only by name): shaped like parsed ones, with an empty span, so the code that reads parsed expressions reads them.
import type { CallExpr, Expr } from './model';

const NO_SPAN = { start: 0, end: 0 };

export function syntheticString(value: string): Expr {
  return { kind: 'string', value, formatted: false, span: NO_SPAN, text: JSON.stringify(value) };
}

export function syntheticBool(value: boolean): Expr {
  return { kind: 'bool', value, span: NO_SPAN, text: value ? 'True' : 'False' };
}

export function syntheticNumber(value: number): Expr {
  return { kind: 'number', value, span: NO_SPAN, text: String(value) };
}

export function syntheticTuple(items: Expr[]): Expr {
  return { kind: 'tuple', items, span: NO_SPAN, text: '' };
}

export function syntheticList(items: Expr[]): Expr {
  return { kind: 'list', items, span: NO_SPAN, text: '' };
}

/** `Name(key=value, ...)`: a call with keyword arguments only. */
export function syntheticCall(name: string, kwargs: Record<string, Expr>): CallExpr {
  const callee: Expr = { kind: 'name', dotted: name, qualified: name, span: NO_SPAN, text: name };
  return { kind: 'call', callee, args: [], kwargs, kwargSpans: {}, hasStarArgs: false, argListSpan: NO_SPAN, span: NO_SPAN, text: '' };
}
