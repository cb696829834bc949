// The migration graph of every app found among the files: dependencies resolved the way Django's loader resolves
// them (squashed `replaces`, `__first__`/`__latest__`), leaves, and a topological order per app that tolerates cycles.
import { isLoadableMigrationName } from '../django/migrationClass';
import type { Dependency, MigrationModel } from '../python/model';
import type { GraphNode } from './types';

/** Key of a migration in the graph: `app/name` (neither part can contain a slash). */
export type MigrationKey = string;

export function migrationKey(app: string, name: string): MigrationKey {
  return `${app}/${name}`;
}

export interface GraphEntry {
  key: MigrationKey;
  node: GraphNode;
  model: MigrationModel;
  /**
   * Set when a squashing migration that replaces this one is present: Django then uses the squashed migration
   * and drops this one from the graph, so it is replayed on a side path only (for its own file's analysis).
   */
  replacedBy?: MigrationKey;
  /** Resolved parents in the same app (what the state before this migration is built from). */
  parents: MigrationKey[];
  /** Dependencies (any app) that could not be resolved to a migration in the workspace, with the app's presence. */
  unresolved: { app: string; name: string; appPresent: boolean }[];
  /** Position in the app's topological order (side-path originals included). */
  order: number;
  /** True when the node sits on a dependency cycle (its order is then arbitrary). */
  inCycle: boolean;
}

export class MigrationGraph {
  readonly entries = new Map<MigrationKey, GraphEntry>();
  /** Per app: every entry in topological order (main path and side paths). */
  readonly orderByApp = new Map<string, GraphEntry[]>();
  private readonly childrenByKey = new Map<MigrationKey, MigrationKey[]>();
  private readonly completeByKey = new Map<MigrationKey, boolean>();
  /** `app/name` of every replaced migration -> the squashing migration that replaces it. */
  private readonly replacements = new Map<MigrationKey, MigrationKey>();

  constructor(models: Iterable<MigrationModel>) {
    for (const model of models) {
      if (!model.app || !model.name) continue;
      const key = migrationKey(model.app, model.name);
      // Two files claiming the same app and name (e.g. two projects in one workspace): the first one wins.
      if (this.entries.has(key)) continue;
      const dependencies = (model.migrationClass?.dependencies ?? []).filter((dep) => dep.app && dep.name).map(({ app, name }) => ({ app, name }));
      const replaces = (model.migrationClass?.replaces ?? []).filter((dep) => dep.app && dep.name).map(({ app, name }) => ({ app, name }));
      const node: GraphNode = { app: model.app, name: model.name, path: model.path, dependencies, replaces };
      this.entries.set(key, { key, node, model, parents: [], unresolved: [], order: 0, inCycle: false });
    }
    for (const entry of this.entries.values()) {
      for (const replaced of entry.node.replaces) {
        const replacedKey = migrationKey(replaced.app, replaced.name);
        if (replacedKey === entry.key) continue;
        if (!this.replacements.has(replacedKey)) this.replacements.set(replacedKey, entry.key);
        const original = this.entries.get(replacedKey);
        if (original && !original.replacedBy) original.replacedBy = entry.key;
      }
    }
    this.resolveParents();
    this.orderApps();
  }

  get nodes(): GraphNode[] {
    return [...this.entries.values()].map((entry) => entry.node);
  }

  apps(): string[] {
    return [...this.orderByApp.keys()];
  }

  entryFor(model: MigrationModel): GraphEntry | undefined {
    const entry = this.entries.get(migrationKey(model.app, model.name));
    return entry && entry.model.path === model.path ? entry : undefined;
  }

  /**
   * Resolves a dependency as Django would for a migration on the main path: replaced migrations resolve to their
   * squashing migration, `__first__` to the app's root and `__latest__` to its leaf.
   */
  resolve(app: string, name: string, fromSidePath = false): MigrationKey | undefined {
    if (name === '__first__' || name === '__latest__') {
      const mainPath = this.mainPath(app);
      if (mainPath.length === 0) return undefined;
      if (name === '__first__') return (mainPath.find((entry) => this.mainParents(entry).length === 0) ?? mainPath[0])?.key;
      return this.leaves(app)[0]?.key;
    }
    const entry = this.entries.get(migrationKey(app, name));
    if (!entry) return this.replacementOf(app, name);
    if (entry.replacedBy && !fromSidePath) return entry.replacedBy;
    return entry.key;
  }

  /** Entries of an app that Django would use (squashed originals left out), in topological order. */
  mainPath(app: string): GraphEntry[] {
    return (this.orderByApp.get(app) ?? []).filter((entry) => !entry.replacedBy);
  }

  /** Main-path migrations of the app that no other main-path migration of the same app depends on. */
  leaves(app: string): GraphEntry[] {
    const mainPath = this.mainPath(app);
    const hasChild = new Set<MigrationKey>();
    for (const entry of mainPath) for (const parent of this.mainParents(entry)) hasChild.add(parent);
    return mainPath.filter((entry) => !hasChild.has(entry.key));
  }

  /** Same-app entries that list this one as a parent. */
  children(key: MigrationKey): MigrationKey[] {
    return this.childrenByKey.get(key) ?? [];
  }

  /** Every same-app entry that (transitively) depends on this one. */
  descendants(key: MigrationKey): Set<MigrationKey> {
    const seen = new Set<MigrationKey>();
    const stack = [...this.children(key)];
    while (stack.length > 0) {
      const next = stack.pop() as MigrationKey;
      if (seen.has(next)) continue;
      seen.add(next);
      for (const child of this.children(next)) stack.push(child);
    }
    return seen;
  }

  /** Every same-app entry this one (transitively) depends on. */
  ancestors(key: MigrationKey): Set<MigrationKey> {
    const seen = new Set<MigrationKey>();
    const stack = [...(this.entries.get(key)?.parents ?? [])];
    while (stack.length > 0) {
      const next = stack.pop() as MigrationKey;
      if (seen.has(next)) continue;
      seen.add(next);
      for (const parent of this.entries.get(next)?.parents ?? []) stack.push(parent);
    }
    return seen;
  }

  /**
   * True when this migration was parsed, all its same-app dependencies exist, and so on transitively: the state
   * replayed up to it is then the full story.
   */
  isComplete(key: MigrationKey): boolean {
    const known = this.completeByKey.get(key);
    if (known !== undefined) return known;
    const entry = this.entries.get(key);
    if (!entry) return false;
    // One pass over the app in topological order: parents come first, so no recursion is needed. A parent not yet
    // decided at its child's turn sits on a cycle, and cycles count as incomplete.
    for (const candidate of this.orderByApp.get(entry.node.app) ?? []) {
      if (this.completeByKey.has(candidate.key)) continue;
      const complete =
        !candidate.inCycle &&
        parsedCleanly(candidate.model) &&
        candidate.unresolved.every((dep) => dep.app !== candidate.node.app) &&
        candidate.parents.every((parent) => this.completeByKey.get(parent) === true);
      this.completeByKey.set(candidate.key, complete);
    }
    return this.completeByKey.get(key) ?? false;
  }

  /** True when the history before a migration (its dependencies, not itself) is complete. */
  isHistoryCompleteBefore(model: MigrationModel): boolean {
    const entry = this.entryFor(model);
    const { parents, unresolved } = entry ?? this.parentsOf(model, false);
    return unresolved.every((dep) => dep.app !== model.app) && parents.every((parent) => this.isComplete(parent));
  }

  /** Same-app parents and unresolved dependencies of a model (also for files that are not graph entries). */
  parentsOf(model: MigrationModel, fromSidePath: boolean): { parents: MigrationKey[]; unresolved: GraphEntry['unresolved'] } {
    const parents: MigrationKey[] = [];
    const unresolved: GraphEntry['unresolved'] = [];
    for (const dep of model.migrationClass?.dependencies ?? []) {
      if (!dep.app || !dep.name) continue;
      const resolved = this.resolve(dep.app, dep.name, fromSidePath);
      if (!resolved) {
        unresolved.push({ app: dep.app, name: dep.name, appPresent: this.hasApp(dep.app) });
        continue;
      }
      if (dep.app === model.app && resolved !== migrationKey(model.app, model.name) && !parents.includes(resolved)) parents.push(resolved);
    }
    return { parents, unresolved };
  }

  /**
   * True when another migration (of any app) depends on this one, or this one names an existing migration in
   * `run_before`: it is then no longer the newest of its line and may well be applied somewhere already.
   */
  hasDependents(key: MigrationKey): boolean {
    if (!this.dependedOn) {
      const dependedOn = new Set<MigrationKey>();
      for (const entry of this.entries.values()) {
        for (const dep of entry.model.migrationClass?.dependencies ?? []) {
          if (!dep.app || !dep.name) continue;
          // Both the migration Django runs (a squash, for a replaced one) and the one named: a migration a squash
          // replaces, still in the tree, has shipped as much as the ones after it that name it.
          for (const key of [this.resolve(dep.app, dep.name), this.resolve(dep.app, dep.name, true)]) {
            if (key && key !== entry.key) dependedOn.add(key);
          }
        }
        const runsBefore = (entry.model.migrationClass?.runBefore ?? []).some((dep) => dep.app && dep.name && this.resolve(dep.app, dep.name));
        if (runsBefore) dependedOn.add(entry.key);
      }
      this.dependedOn = dependedOn;
    }
    return this.dependedOn.has(key);
  }

  private dependedOn: Set<MigrationKey> | undefined;

  /**
   * A squashed migration whose replaced migrations are all gone from the tree: every existing database recorded
   * them as applied, so Django marks the squash applied there too, and only fresh, empty databases run it.
   */
  runsOnFreshDatabasesOnly(model: MigrationModel): boolean {
    const replaces = model.migrationClass?.replaces ?? [];
    if (replaces.length === 0 || replaces.some((dep) => dep.dynamic || !dep.app)) return false;
    return replaces.every((dep) => !this.entries.has(migrationKey(dep.app, dep.name)));
  }

  /**
   * For every migration replaced by a squashed migration Django loads: that squashed migration, the outermost one for
   * squashes of squashes. Django treats dependencies on a replaced migration as dependencies on it. The graph rules
   * judge dependencies by this; the replay's own resolution is `resolve`.
   */
  squashReplacements(): ReadonlyMap<MigrationKey, GraphNode> {
    if (this.squashes) return this.squashes;
    const direct = new Map<MigrationKey, GraphNode>();
    for (const { node } of this.entries.values()) {
      if (!isLoadableMigrationName(node.name)) continue;
      for (const replaced of node.replaces) direct.set(migrationKey(replaced.app, replaced.name), node);
    }
    const resolved = new Map<MigrationKey, GraphNode>();
    for (const [key, squash] of direct) {
      let outer = squash;
      const seen = new Set<MigrationKey>([key]);
      // Bounded: every step visits a new key of `direct`.
      for (;;) {
        const outerKey = migrationKey(outer.app, outer.name);
        const next = direct.get(outerKey);
        if (!next || seen.has(outerKey)) break;
        seen.add(outerKey);
        outer = next;
      }
      resolved.set(key, outer);
    }
    this.squashes = resolved;
    return resolved;
  }

  private squashes: Map<MigrationKey, GraphNode> | undefined;

  /** The nodes Django's loader picks up (module names not starting with `_` or `~`), by key. */
  loadableNodes(): ReadonlyMap<MigrationKey, GraphNode> {
    if (!this.loadable) {
      this.loadable = new Map();
      for (const [key, { node }] of this.entries) if (isLoadableMigrationName(node.name)) this.loadable.set(key, node);
    }
    return this.loadable;
  }

  private loadable: Map<MigrationKey, GraphNode> | undefined;

  /**
   * The given files of one app in the graph's topological order for that app (ties by name), followed by those the
   * graph does not hold (a second file claiming the same app and name) in path order.
   */
  inAppOrder<T extends { path: string; app: string }>(app: string, files: readonly T[]): T[] {
    const byPath = new Map(files.filter((file) => file.app === app).map((file) => [file.path, file]));
    const ordered: T[] = [];
    for (const entry of this.orderByApp.get(app) ?? []) {
      const file = byPath.get(entry.node.path);
      if (!file) continue;
      ordered.push(file);
      byPath.delete(entry.node.path);
    }
    return [...ordered, ...[...byPath.values()].sort((a, b) => compareNames(a.path, b.path))];
  }

  private hasApp(app: string): boolean {
    if (!this.appNames) this.appNames = new Set([...this.entries.values()].map((entry) => entry.node.app));
    return this.appNames.has(app);
  }

  private appNames: Set<string> | undefined;

  /**
   * Swaps in a re-parsed model whose graph shape (identity, dependencies, replaces) is unchanged, so an edit does
   * not rebuild the graph. Completeness is recomputed lazily since the file may now parse differently.
   */
  updateModel(model: MigrationModel): boolean {
    const entry = this.entries.get(migrationKey(model.app, model.name));
    if (!entry || entry.model.path !== model.path) return false;
    entry.model = model;
    this.completeByKey.clear();
    return true;
  }

  /** Parents as seen on the main path (a side-path original's parents are irrelevant there). */
  private mainParents(entry: GraphEntry): MigrationKey[] {
    return entry.parents.filter((parent) => !this.entries.get(parent)?.replacedBy);
  }

  private replacementOf(app: string, name: string): MigrationKey | undefined {
    return this.replacements.get(migrationKey(app, name));
  }

  private resolveParents(): void {
    for (const entry of this.entries.values()) {
      const { parents, unresolved } = this.parentsOf(entry.model, entry.replacedBy !== undefined);
      entry.parents = parents;
      entry.unresolved = unresolved;
      for (const parent of parents) {
        const children = this.childrenByKey.get(parent);
        if (children) children.push(entry.key);
        else this.childrenByKey.set(parent, [entry.key]);
      }
    }
  }

  /** Kahn's algorithm per app, ties broken by name; nodes left on cycles are appended in name order. */
  private orderApps(): void {
    const byApp = new Map<string, GraphEntry[]>();
    for (const entry of this.entries.values()) {
      const list = byApp.get(entry.node.app);
      if (list) list.push(entry);
      else byApp.set(entry.node.app, [entry]);
    }
    for (const [app, entries] of byApp) {
      entries.sort((a, b) => compareNames(a.node.name, b.node.name));
      const pendingParents = new Map<MigrationKey, number>();
      for (const entry of entries) pendingParents.set(entry.key, entry.parents.length);
      const ready = entries.filter((entry) => entry.parents.length === 0);
      const ordered: GraphEntry[] = [];
      const placed = new Set<MigrationKey>();
      while (ordered.length < entries.length) {
        let next = ready.shift();
        if (!next) {
          // A cycle: break it at the first unplaced node by name, and remember the order there is arbitrary.
          next = entries.find((entry) => !placed.has(entry.key)) as GraphEntry;
          next.inCycle = true;
        }
        if (placed.has(next.key)) continue;
        placed.add(next.key);
        next.order = ordered.length;
        ordered.push(next);
        const newlyReady: GraphEntry[] = [];
        for (const child of this.children(next.key)) {
          const remaining = (pendingParents.get(child) ?? 0) - 1;
          pendingParents.set(child, remaining);
          const childEntry = this.entries.get(child);
          if (remaining === 0 && childEntry && !placed.has(child)) newlyReady.push(childEntry);
        }
        if (newlyReady.length > 0) {
          for (const entry of newlyReady) ready.push(entry);
          ready.sort((a, b) => compareNames(a.node.name, b.node.name));
        }
      }
      this.orderByApp.set(app, ordered);
    }
  }
}

/** One entry of the `dependencies` or `run_before` list of a migration Django loads. */
export interface MigrationReference {
  file: MigrationModel;
  dependency: Dependency;
  /** True for a `run_before` entry (the named migration depends on this one). */
  runBefore: boolean;
}

/** Every `dependencies` and `run_before` entry of the files Django loads, in file order. */
export function migrationReferences(files: readonly MigrationModel[]): MigrationReference[] {
  const references: MigrationReference[] = [];
  for (const file of files) {
    const migrationClass = file.migrationClass;
    if (!migrationClass || !isLoadableMigrationName(file.name)) continue;
    for (const dependency of migrationClass.dependencies) references.push({ file, dependency, runBefore: false });
    for (const dependency of migrationClass.runBefore) references.push({ file, dependency, runBefore: true });
  }
  return references;
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A cheap fingerprint of what the graph's shape is built from: an edit that keeps it leaves replayed states valid. */
export function graphStructureSignature(model: MigrationModel): string {
  const migrationClass = model.migrationClass;
  const deps = (migrationClass?.dependencies ?? []).map((dep) => `${dep.app}/${dep.name}`).join(',');
  const replaces = (migrationClass?.replaces ?? []).map((dep) => `${dep.app}/${dep.name}`).join(',');
  return `${model.path}|${model.app}/${model.name}|${deps}|${replaces}`;
}

/** Whether the file parsed cleanly, which decides whether history through it counts as complete. */
function parsedCleanly(model: MigrationModel): boolean {
  return model.migrationClass !== undefined && model.syntaxErrors.length === 0;
}

/**
 * Everything a `dependsOn: 'graph'` rule may read from a file (see GraphRuleInputs in rules/rule.ts): the graph
 * structure plus whether the file parsed cleanly and where its header entries are, since findings point at them.
 * Edits inside `operations` keep it, so they do not re-run those rules.
 */
export function graphRuleSignature(model: MigrationModel): string {
  const migrationClass = model.migrationClass;
  if (!migrationClass) return `${model.path}|${model.app}/${model.name}|no-class|${model.syntaxErrors.length > 0}`;
  const entries = (list: readonly Dependency[]) =>
    list.map((dep) => `${dep.app}/${dep.name}/${dep.dynamic}@${dep.span.start}:${model.text.slice(dep.span.start, dep.span.end)}`).join('\u0001');
  return [
    model.path,
    `${model.app}/${model.name}`,
    `${migrationClass.nameSpan.start}-${migrationClass.nameSpan.end}`,
    model.syntaxErrors.length > 0,
    entries(migrationClass.dependencies),
    entries(migrationClass.replaces),
    entries(migrationClass.runBefore),
    // Deploy-phase markers (see django/deployPhase.ts) decide deploy-phase-order.
    ['safe', 'is_post_deployment'].map((name) => migrationClass.attributes.get(name)?.value.text ?? '').join('\u0001'),
  ].join('\u0000');
}
