// Persistent (immutable, structure-sharing) maps for the replayed state. Every operation of a migration gets its own
// snapshot of the state, so a change must not copy what it leaves alone: with plain Maps, 50,000 AddFields on one
// model copied its growing field map 50,000 times (quadratic time and memory). A treap with path copying changes
// O(log n) nodes per update and shares the rest with the previous version.

interface TreapNode<K, V> {
  readonly key: K;
  readonly value: V;
  /** Heap order on random priorities keeps the tree balanced in expectation, whatever order keys arrive in. */
  readonly priority: number;
  readonly left: TreapNode<K, V> | undefined;
  readonly right: TreapNode<K, V> | undefined;
}

type Compare<K> = (a: K, b: K) => number;

/**
 * xorshift32: priorities only shape the tree, never a result, but a seeded generator keeps runs reproducible. Kept
 * below 2^30 so V8 stores them as small integers inside the node instead of boxing each one.
 */
let prioritySeed = 0x9e3779b9 | 0;
function nextPriority(): number {
  prioritySeed ^= prioritySeed << 13;
  prioritySeed ^= prioritySeed >>> 17;
  prioritySeed ^= prioritySeed << 5;
  return prioritySeed >>> 2;
}

function node<K, V>(key: K, value: V, priority: number, left: TreapNode<K, V> | undefined, right: TreapNode<K, V> | undefined): TreapNode<K, V> {
  return { key, value, priority, left, right };
}

function lookup<K, V>(root: TreapNode<K, V> | undefined, key: K, compare: Compare<K>): TreapNode<K, V> | undefined {
  let current = root;
  while (current) {
    const order = compare(key, current.key);
    if (order === 0) return current;
    current = order < 0 ? current.left : current.right;
  }
  return undefined;
}

/** A new tree with `key` set to `value` (replacing the value in place when the key exists). */
function insert<K, V>(root: TreapNode<K, V> | undefined, key: K, value: V, compare: Compare<K>): TreapNode<K, V> {
  if (!root) return node(key, value, nextPriority(), undefined, undefined);
  const order = compare(key, root.key);
  if (order === 0) return node(key, value, root.priority, root.left, root.right);
  if (order < 0) {
    const left = insert(root.left, key, value, compare);
    // Rotate right when the new child outranks its parent.
    if (left.priority > root.priority) return node(left.key, left.value, left.priority, left.left, node(root.key, root.value, root.priority, left.right, root.right));
    return node(root.key, root.value, root.priority, left, root.right);
  }
  const right = insert(root.right, key, value, compare);
  if (right.priority > root.priority) return node(right.key, right.value, right.priority, node(root.key, root.value, root.priority, root.left, right.left), right.right);
  return node(root.key, root.value, root.priority, root.left, right);
}

/** Joins two trees whose keys are all smaller in `low` than in `high`. */
function join<K, V>(low: TreapNode<K, V> | undefined, high: TreapNode<K, V> | undefined): TreapNode<K, V> | undefined {
  if (!low) return high;
  if (!high) return low;
  if (low.priority > high.priority) return node(low.key, low.value, low.priority, low.left, join(low.right, high));
  return node(high.key, high.value, high.priority, join(low, high.left), high.right);
}

/** A new tree without `key` (the same tree when the key is absent). */
function remove<K, V>(root: TreapNode<K, V> | undefined, key: K, compare: Compare<K>): TreapNode<K, V> | undefined {
  if (!root) return undefined;
  const order = compare(key, root.key);
  if (order === 0) return join(root.left, root.right);
  if (order < 0) {
    const left = remove(root.left, key, compare);
    return left === root.left ? root : node(root.key, root.value, root.priority, left, root.right);
  }
  const right = remove(root.right, key, compare);
  return right === root.right ? root : node(root.key, root.value, root.priority, root.left, right);
}

/** In-order traversal with an explicit stack (no recursion, lazy: stopping early costs O(log n)). */
function* inOrder<K, V>(root: TreapNode<K, V> | undefined): Generator<TreapNode<K, V>, undefined, undefined> {
  const stack: TreapNode<K, V>[] = [];
  let current = root;
  while (current || stack.length > 0) {
    while (current) {
      stack.push(current);
      current = current.left;
    }
    const next = stack.pop() as TreapNode<K, V>;
    yield next;
    current = next.right;
  }
  return undefined;
}

const compareStrings: Compare<string> = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
const compareNumbers: Compare<number> = (a, b) => a - b;

/** A persistent map from strings, iterated in key order. */
export class PersistentStringMap<V> {
  static empty<V>(): PersistentStringMap<V> {
    return new PersistentStringMap<V>(undefined, 0);
  }

  private constructor(
    private readonly root: TreapNode<string, V> | undefined,
    readonly size: number,
  ) {}

  get(key: string): V | undefined {
    return lookup(this.root, key, compareStrings)?.value;
  }

  has(key: string): boolean {
    return lookup(this.root, key, compareStrings) !== undefined;
  }

  set(key: string, value: V): PersistentStringMap<V> {
    const grows = !this.has(key);
    return new PersistentStringMap(insert(this.root, key, value, compareStrings), grows ? this.size + 1 : this.size);
  }

  delete(key: string): PersistentStringMap<V> {
    if (!this.has(key)) return this;
    return new PersistentStringMap(remove(this.root, key, compareStrings), this.size - 1);
  }

  *values(): Generator<V, undefined, undefined> {
    for (const entry of inOrder(this.root)) yield entry.value;
    return undefined;
  }
}

/** One field of a FieldMap: its declaration position travels with it through alterations and renames. */
interface FieldSlot<V> {
  readonly key: string;
  readonly position: number;
  readonly value: V;
}

/**
 * A persistent map that iterates in insertion (declaration) order like a JavaScript Map: setting an existing key
 * keeps its position, a deleted and re-added key goes to the end, and a rename keeps the position. Reads work like
 * a ReadonlyMap, so rules use it exactly as they would use a Map.
 */
export class PersistentOrderedMap<V> implements ReadonlyMap<string, V> {
  static empty<V>(): PersistentOrderedMap<V> {
    return new PersistentOrderedMap<V>(undefined, undefined, 0, 0);
  }

  static from<V>(entries: Iterable<readonly [string, V]>): PersistentOrderedMap<V> {
    let map = PersistentOrderedMap.empty<V>();
    for (const [key, value] of entries) map = map.with(key, value);
    return map;
  }

  private constructor(
    private readonly byKey: TreapNode<string, FieldSlot<V>> | undefined,
    private readonly byPosition: TreapNode<number, FieldSlot<V>> | undefined,
    readonly size: number,
    /** Next declaration position; only grows, so positions stay unique within every version derived from this one. */
    private readonly nextPosition: number,
  ) {}

  get(key: string): V | undefined {
    return lookup(this.byKey, key, compareStrings)?.value.value;
  }

  has(key: string): boolean {
    return lookup(this.byKey, key, compareStrings) !== undefined;
  }

  /** A new map with `key` set: in place when present, else at the end. */
  with(key: string, value: V): PersistentOrderedMap<V> {
    const existing = lookup(this.byKey, key, compareStrings)?.value;
    const position = existing ? existing.position : this.nextPosition;
    return this.withSlot({ key, position, value }, existing ? 0 : 1, existing ? this.nextPosition : this.nextPosition + 1);
  }

  /** A new map without `key` (this map when absent). */
  without(key: string): PersistentOrderedMap<V> {
    const existing = lookup(this.byKey, key, compareStrings)?.value;
    if (!existing) return this;
    return new PersistentOrderedMap(
      remove(this.byKey, key, compareStrings),
      remove(this.byPosition, existing.position, compareNumbers),
      this.size - 1,
      this.nextPosition,
    );
  }

  /**
   * A new map where `oldKey` is called `newKey`, at the old key's position. When `newKey` already exists the result
   * is what rebuilding a Map entry by entry with the key replaced gives: the earlier position, the later value.
   */
  renamed(oldKey: string, newKey: string): PersistentOrderedMap<V> {
    const old = lookup(this.byKey, oldKey, compareStrings)?.value;
    if (!old || oldKey === newKey) return this;
    const clash = lookup(this.byKey, newKey, compareStrings)?.value;
    const withoutOld = this.without(oldKey);
    if (!clash) return withoutOld.withSlot({ key: newKey, position: old.position, value: old.value }, 1, this.nextPosition);
    const merged = { key: newKey, position: Math.min(old.position, clash.position), value: old.position > clash.position ? old.value : clash.value };
    const withoutBoth = withoutOld.without(newKey);
    return withoutBoth.withSlot(merged, 1, this.nextPosition);
  }

  private withSlot(slot: FieldSlot<V>, growth: number, nextPosition: number): PersistentOrderedMap<V> {
    return new PersistentOrderedMap(
      insert(this.byKey, slot.key, slot, compareStrings),
      insert(this.byPosition, slot.position, slot, compareNumbers),
      this.size + growth,
      nextPosition,
    );
  }

  *entries(): MapIterator<[string, V]> {
    for (const entry of inOrder(this.byPosition)) yield [entry.value.key, entry.value.value];
    return undefined;
  }

  *keys(): MapIterator<string> {
    for (const entry of inOrder(this.byPosition)) yield entry.value.key;
    return undefined;
  }

  *values(): MapIterator<V> {
    for (const entry of inOrder(this.byPosition)) yield entry.value.value;
    return undefined;
  }

  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }

  forEach(callback: (value: V, key: string, map: ReadonlyMap<string, V>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.entries()) callback.call(thisArg, value, key, this);
  }
}
