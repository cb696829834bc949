// What Django makes of a model's options and constraints: `unique_together` / `index_together` as written in any
// makemigrations era, proxy and unmanaged models (no SQL of their own), and which unique constraints are indexes.
import type { CallExpr, Expr } from '../python/model';
import type { ModelState, StateView } from '../state/types';
import { literalTruth, stringValue } from './operations';

const OLD_SET_CALLS = new Set(['set', 'frozenset', 'tuple', 'list']);

/** The field-name sets of `unique_together` / `index_together`: `[("a", "b")]`, `(("a", "b"),)` or a single `("a", "b")`. */
export function togetherSets(expr: Expr | undefined): Set<string> | undefined {
  if (!expr || expr.kind === 'none') return new Set();
  // Old makemigrations output: `set([("a", "b")])`, `set()`, and frozenset / tuple / list of the same.
  if (expr.kind === 'call' && expr.callee.kind === 'name' && OLD_SET_CALLS.has(expr.callee.dotted) && !expr.hasStarArgs && Object.keys(expr.kwargs).length === 0) {
    if (expr.args.length === 0) return new Set();
    const inner = expr.args[0];
    return expr.args.length === 1 && inner && (inner.kind === 'list' || inner.kind === 'tuple' || inner.kind === 'set') ? togetherSets(inner) : undefined;
  }
  if (expr.kind !== 'list' && expr.kind !== 'tuple' && expr.kind !== 'set') return undefined;
  const asNames = (item: Expr): string | undefined => {
    if (item.kind !== 'list' && item.kind !== 'tuple') return undefined;
    const names = item.items.map(stringValue);
    return names.every((name) => name !== undefined) ? names.join(', ') : undefined;
  };
  // A flat tuple of strings is one set (Django's normalize_together accepts it).
  if (expr.items.length > 0 && expr.items.every((item) => stringValue(item) !== undefined)) {
    return new Set([expr.items.map((item) => stringValue(item)).join(', ')]);
  }
  const result = new Set<string>();
  for (const item of expr.items) {
    const names = asNames(item);
    if (names === undefined) return undefined;
    result.add(names);
  }
  return result;
}

/**
 * Partial, expression, covering and opclass UniqueConstraints are created with CREATE UNIQUE INDEX (a SHARE lock)
 * rather than ALTER TABLE ... ADD CONSTRAINT (ACCESS EXCLUSIVE).
 */
export function isIndexOnlyUniqueConstraint(constraint: CallExpr): boolean {
  return ['condition', 'include', 'opclasses', 'expressions'].some((kw) => constraint.kwargs[kw] !== undefined) || constraint.args.length > 0;
}

/** True when Django issues no SQL for the model's table: `managed=False` or a proxy model. */
export function isUnmanagedOrProxy(model: ModelState): boolean {
  return literalTruth(model.options['managed']) === false || literalTruth(model.options['proxy']) === true;
}

/** The model whose table a proxy model uses: its bases followed while they are proxies (a few levels at most). */
export function concreteModel(state: StateView, model: ModelState): ModelState {
  let current = model;
  for (let depth = 0; depth < 8 && literalTruth(current.options['proxy']) === true; depth++) {
    const parent = (current.bases ?? []).map((label) => {
      const dot = label.indexOf('.');
      return state.model(label.slice(0, dot), label.slice(dot + 1));
    }).find((candidate) => candidate !== undefined);
    if (!parent) break;
    current = parent;
  }
  return current;
}
