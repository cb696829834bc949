// Which rules inspect which operations: a map from operation class name to the rules that declared it, plus the few
// rules that declared a predicate (third-party or qualified names). The analysis asks it once per operation, so the
// cost of an operation does not grow with the number of rules that never look at its kind. A rule that judges a
// migration as a whole (the order of its steps, what else runs in its transaction) asks `operationsOf` for the kinds
// it reads instead of walking the file's operations itself.
import { runsAgainstDatabase } from '../django/operations';
import type { MigrationModel, Operation } from '../python/model';
import type { OperationKind, OperationKinds } from './rule';

/** Every operation of the migration: for the few rules whose judgement needs each step (see operationsOf). */
export const WHOLE_MIGRATION = 'whole-migration';

/** True when the operation's kind is one `kinds` names. */
export function matchesKinds(kinds: OperationKinds | typeof WHOLE_MIGRATION, kind: OperationKind): boolean {
  if (kinds === WHOLE_MIGRATION) return true;
  return typeof kinds === 'function' ? kinds(kind) : kinds.includes(kind.name);
}

/**
 * The operations of a migration whose kind `kinds` names (nested ones included, in source order, as the analysis
 * dispatches them to `checkOperation`); with `touchingDatabase`, only those that run against the database (not
 * inside `state_operations`).
 */
export function operationsOf(file: Pick<MigrationModel, 'allOperations'>, kinds: OperationKinds | typeof WHOLE_MIGRATION, options: { touchingDatabase?: boolean } = {}): Operation[] {
  return file.allOperations.filter((op) => matchesKinds(kinds, op) && (!options.touchingDatabase || runsAgainstDatabase(op)));
}

export class RuleDispatch<T> {
  private readonly byName = new Map<string, T[]>();
  private readonly byPredicate: { item: T; matches: (kind: OperationKind) => boolean; order: number }[] = [];
  private readonly order = new Map<T, number>();
  /** Per operation name: the named rules and the matching predicate rules, in catalogue order (predicates see the qualified name too). */
  private readonly merged = new Map<string, readonly T[]>();

  constructor(items: readonly T[], kindsOf: (item: T) => OperationKinds | undefined) {
    items.forEach((item, index) => {
      this.order.set(item, index);
      const kinds = kindsOf(item);
      if (!kinds) return;
      if (typeof kinds === 'function') {
        this.byPredicate.push({ item, matches: kinds, order: index });
        return;
      }
      for (const name of new Set(kinds)) {
        const list = this.byName.get(name);
        if (list) list.push(item);
        else this.byName.set(name, [item]);
      }
    });
  }

  /** The rules for one operation, in the order they were given. */
  rulesFor(kind: OperationKind): readonly T[] {
    const named = this.byName.get(kind.name) ?? EMPTY;
    if (this.byPredicate.length === 0) return named;
    const cacheKey = `${kind.name}\u0000${kind.qualifiedName}`;
    const known = this.merged.get(cacheKey);
    if (known) return known;
    const matching = this.byPredicate.filter((entry) => entry.matches(kind)).map((entry) => entry.item);
    const all = matching.length === 0 ? named : [...named, ...matching].sort((a, b) => (this.order.get(a) as number) - (this.order.get(b) as number));
    // Bounded: a file names few distinct operation classes, but a pathological project could name many.
    if (this.merged.size < 1024) this.merged.set(cacheKey, all);
    return all;
  }
}

const EMPTY: readonly never[] = [];
