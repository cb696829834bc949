// Helpers shared by rules: the model and table an operation targets, per-analysis operation facts, quick-fix data,
// and the squash-aware migration graph. Reading operations and fields by Django's rules lives in engine/django/
// (operations.ts, fields.ts, columns.ts); the few names rules used to import from here are re-exported.
import { fieldColumnName, fieldShape } from '../django/fields';
import { calleeName, kwargFlag, literalTruth, opArg, stringValue } from '../django/operations';
import type { CallExpr, Dependency, Expr, MigrationModel, Operation } from '../python/model';
import type { GraphNode, ModelState, StateView } from '../state/types';
import type { FileContext, ModelNames } from './rule';

// --- reading operations: arguments by Django's signatures (django/operations.ts), literal values ---

export { calleeName, fieldColumnName, fieldShape, kwargFlag, literalTruth, opArg, stringValue };

/** The model name as written in the operation (`model_name`, or `name` for model-level operations). */
export function writtenModelName(op: Operation): string | undefined {
  return stringValue(opArg(op, 'model_name')) ?? (isModelOperation(op.name) ? stringValue(opArg(op, 'name')) : undefined);
}

/** Lower-cased model name an operation targets (`model_name` or `name` for model-level operations). */
export function targetModel(op: Operation): string | undefined {
  return writtenModelName(op)?.toLowerCase();
}

function isModelOperation(name: string): boolean {
  return name === 'CreateModel' || name === 'DeleteModel' || name.startsWith('AlterModel') || name === 'AlterUniqueTogether' || name === 'AlterIndexTogether' || name === 'AlterOrderWithRespectTo';
}

/** The field an operation names: `name` of AddField/AlterField/RemoveField, `old_name` of RenameField. */
export function targetFieldName(op: Operation): string | undefined {
  return stringValue(opArg(op, op.name === 'RenameField' ? 'old_name' : 'name'));
}

/** The field call of AddField/AlterField (`field=models.X(...)`), when it is a call. */
export function fieldCall(op: Operation): CallExpr | undefined {
  const field = opArg(op, 'field');
  return field?.kind === 'call' ? field : undefined;
}

/** The constraint call of AddConstraint/AddConstraintNotValid (`constraint=models.CheckConstraint(...)`), when it is a call. */
export function constraintCall(op: Operation): CallExpr | undefined {
  const constraint = opArg(op, 'constraint');
  return constraint?.kind === 'call' ? constraint : undefined;
}

/** One `('name', models.X(...))` entry of a CreateModel's `fields` list. */
export interface ModelFieldEntry {
  name: string;
  nameExpr: Expr;
  /** The field call, when the entry's second item is a call. */
  field?: CallExpr;
  entry: Expr;
}

/** The literal entries of CreateModel's `fields`; entries that are not `(string, expr)` pairs are skipped. */
export function createModelFields(op: Operation): ModelFieldEntry[] {
  const fields = opArg(op, 'fields');
  if (!fields || (fields.kind !== 'list' && fields.kind !== 'tuple')) return [];
  const entries: ModelFieldEntry[] = [];
  for (const entry of fields.items) {
    if ((entry.kind !== 'tuple' && entry.kind !== 'list') || entry.items.length < 2) continue;
    const [nameExpr, value] = entry.items as [Expr, Expr];
    const name = stringValue(nameExpr);
    if (name === undefined) continue;
    entries.push({ name, nameExpr, field: value.kind === 'call' ? value : undefined, entry });
  }
  return entries;
}

/** The entry of a literal dict whose key is the string `key`. */
export function dictEntry(expr: Expr | undefined, key: string): { key: Expr; value: Expr } | undefined {
  if (expr?.kind !== 'dict') return undefined;
  return expr.entries.find((entry) => stringValue(entry.key) === key);
}

// --- field classes and their columns ---

// --- models and tables as the state knows them right before an operation ---

export { versionAtLeast } from '../django/operations';
export type { ModelNames };

// --- facts shared by several rules, computed once per file analysis ---

/**
 * Wraps a fact about one operation of the file being analysed so that it is computed once however many rules ask
 * (a dozen rules read the same field definitions and table facts of every operation). The value is kept with the
 * operation's facts (`ctx.facts(op)`), which live for one analysis of one file: a later analysis, with possibly
 * another replayed state, starts afresh. Callers must treat the result as read-only.
 */
export function perOperationFact<T>(compute: (ctx: FileContext, op: Operation) => T): (ctx: FileContext, op: Operation) => T {
  const key = {};
  return (ctx, op) => ctx.facts(op).derived(key, () => compute(ctx, op));
}

/** Names of the model an operation targets, read from the state right before it. */
export function modelNames(ctx: FileContext, op: Operation): ModelNames | undefined {
  return ctx.facts(op).model;
}

/** True when Django issues no SQL for the model: `managed=False` or a proxy model in the replayed state. */
export function isUnmanagedModel(ctx: FileContext, op: Operation): boolean {
  const key = targetModel(op);
  if (!key) return false;
  const model = ctx.facts(op).stateBefore.model(ctx.file.app, key);
  if (!model) return false;
  return literalTruth(model.options['managed']) === false || literalTruth(model.options['proxy']) === true;
}

/** The operation runs SQL against a table that already holds rows: not state-only, not a table created
 *  earlier in this migration, not an unmanaged or proxy model. */
export function changesExistingTable(ctx: FileContext, op: Operation): boolean {
  return ctx.facts(op).changesExistingTable;
}

/** An AddConstraint of one constraint class (`CheckConstraint`, `UniqueConstraint`...) on a table that holds rows. */
export interface AddedConstraint {
  call: CallExpr;
  names: ModelNames;
  /** The constraint's literal `name=`. */
  name?: string;
}

export function readAddedConstraint(ctx: FileContext, op: Operation, constraintClass: string): AddedConstraint | undefined {
  if (op.name !== 'AddConstraint' || !changesExistingTable(ctx, op)) return undefined;
  const call = constraintCall(op);
  const names = call && calleeName(call) === constraintClass ? modelNames(ctx, op) : undefined;
  if (!call || !names) return undefined;
  const name = stringValue(call.kwargs['name']);
  return name === undefined ? { call, names } : { call, names, name };
}

/** Operations that only change Django's state, never the database (SeparateDatabaseAndState's own children count apart). */
const STATE_ONLY_OPERATIONS = new Set(['AlterModelOptions', 'AlterModelManagers', 'SeparateDatabaseAndState', 'IgnoreMigration']);

export function isStateOnlyOperation(op: Operation): boolean {
  return STATE_ONLY_OPERATIONS.has(op.name);
}

/** False when the operation sits in a `state_operations` list (directly or through nesting): it changes state only. */
export function runsAgainstDatabase(op: Operation): boolean {
  for (let current: Operation | undefined = op; current; current = current.parent) {
    if (current.context === 'state_operations') return false;
  }
  return true;
}

/**
 * A RunPython whose forward code is `RunPython.noop` does nothing when migrating forwards (Django uses it for
 * reverse-only data migrations), so it is neither a data migration nor a slow step.
 */
export function isForwardNoopRunPython(op: Operation): boolean {
  if (op.name !== 'RunPython') return false;
  const code = opArg(op, 'code');
  return code?.kind === 'name' && (code.qualified.endsWith('RunPython.noop') || code.dotted.endsWith('RunPython.noop'));
}

// --- the migration: atomic, versions ---

/** The Migration class's `atomic`: true (Django's default), false, or undefined when not a literal. */
export function migrationAtomic(ctx: FileContext): boolean | undefined {
  const atomic = ctx.file.migrationClass?.atomic;
  return atomic ? atomic.value : true;
}


// --- the squash-aware migration graph ---

/** `app:name`, the key of a migration in graph maps. */
export function migrationKey(app: string, name: string): string {
  return `${app}:${name}`;
}

/**
 * Django skips modules whose name starts with `_` or `~` when it loads an app's migrations, so such files are no
 * graph nodes.
 */
export function isLoadableMigrationName(name: string): boolean {
  return name.length > 0 && name[0] !== '_' && name[0] !== '~';
}

/**
 * For every migration replaced by a squashed migration present in the workspace: that squashed migration.
 * Django then treats dependencies on the replaced migration as dependencies on the squashed one. Squashes of
 * squashes resolve to the outermost squashed migration.
 */
export function squashReplacements(nodes: readonly GraphNode[]): Map<string, GraphNode> {
  const direct = new Map<string, GraphNode>();
  for (const node of nodes) {
    if (!isLoadableMigrationName(node.name)) continue;
    for (const replaced of node.replaces) direct.set(migrationKey(replaced.app, replaced.name), node);
  }
  const resolved = new Map<string, GraphNode>();
  for (const [key, squash] of direct) {
    let outer = squash;
    const seen = new Set<string>([key]);
    for (;;) {
      const outerKey = migrationKey(outer.app, outer.name);
      const next = direct.get(outerKey);
      if (!next || seen.has(outerKey)) break;
      seen.add(outerKey);
      outer = next;
    }
    resolved.set(key, outer);
  }
  return resolved;
}

/** One entry of the `dependencies` or `run_before` list of a migration Django loads. */
export interface MigrationReference {
  file: MigrationModel;
  dependency: Dependency;
  /** True for a `run_before` entry (the named migration depends on this one). */
  runBefore: boolean;
}

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

/**
 * Migration files in an order Django could apply them: every migration after the ones it depends on (dependencies
 * on replaced migrations count as dependencies on their squashed migration). Ties and cycles fall back to path order,
 * so the result is deterministic for any input. The order is that of the whole graph (`nodes`) restricted to
 * `files`, so a graph rule that checks one app at a time sees that app's migrations in the same order as a run over
 * every file.
 */
function migrationApplyOrder<T extends { path: string }>(files: readonly T[], nodes: readonly GraphNode[]): T[] {
  let graphRanks = applyOrderCache.get(nodes);
  if (!graphRanks) {
    graphRanks = applyOrderRanks(nodes, []);
    applyOrderCache.set(nodes, graphRanks);
  }
  // Files outside the graph (a duplicate app and name) have no parents and no children, so they do not move the
  // others; they only need places of their own.
  const ranks = files.every((file) => graphRanks.has(file.path)) ? graphRanks : applyOrderRanks(nodes, files);
  return [...files].sort((a, b) => (ranks.get(a.path) as number) - (ranks.get(b.path) as number));
}

/** Position of each of the graph's paths in apply order, per node array (the engine keeps one per graph). */
const applyOrderCache = new WeakMap<readonly GraphNode[], Map<string, number>>();

/**
 * Kahn's algorithm that always takes the smallest ready path, and on a cycle the smallest remaining path: the same
 * order as repeatedly scanning the remaining files in path order for the first whose parents are all placed, in
 * O(n log n) instead of O(n²).
 */
function applyOrderRanks(nodes: readonly GraphNode[], files: readonly { path: string }[]): Map<string, number> {
  const replacements = squashReplacements(nodes);
  const byKey = new Map<string, GraphNode>();
  for (const node of nodes) byKey.set(migrationKey(node.app, node.name), node);
  const paths = [...new Set([...nodes.map((node) => node.path), ...files.map((file) => file.path)])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const index = new Map(paths.map((path, position) => [path, position]));
  const waitingOn = new Array<number>(paths.length).fill(0);
  const children: number[][] = paths.map(() => []);
  for (const node of nodes) {
    const child = index.get(node.path) as number;
    const parents = new Set<number>();
    for (const dependency of node.dependencies) {
      const key = migrationKey(dependency.app, dependency.name);
      const parent = replacements.get(key) ?? byKey.get(key);
      if (parent && parent.path !== node.path) parents.add(index.get(parent.path) as number);
    }
    waitingOn[child] = parents.size;
    for (const parent of parents) (children[parent] as number[]).push(child);
  }
  const placed = new Array<boolean>(paths.length).fill(false);
  const ready = new MinHeap();
  for (let position = 0; position < paths.length; position++) if (waitingOn[position] === 0) ready.push(position);
  const rank = new Map<string, number>();
  let smallestUnplaced = 0;
  while (rank.size < paths.length) {
    let next = ready.pop();
    if (next === undefined) {
      // A cycle (or a broken graph): take the first remaining path, so the loop always advances.
      while (placed[smallestUnplaced]) smallestUnplaced++;
      next = smallestUnplaced;
    }
    if (placed[next]) continue;
    placed[next] = true;
    rank.set(paths[next] as string, rank.size);
    for (const child of children[next] as number[]) {
      waitingOn[child] = (waitingOn[child] as number) - 1;
      if (waitingOn[child] === 0 && !placed[child]) ready.push(child);
    }
  }
  return rank;
}

/** A binary min-heap of numbers. */
class MinHeap {
  private readonly items: number[] = [];

  push(value: number): void {
    const items = this.items;
    items.push(value);
    let at = items.length - 1;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if ((items[parent] as number) <= value) break;
      items[at] = items[parent] as number;
      at = parent;
    }
    items[at] = value;
  }

  pop(): number | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    let at = 0;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= items.length) break;
      if (child + 1 < items.length && (items[child + 1] as number) < (items[child] as number)) child++;
      if ((items[child] as number) >= last) break;
      items[at] = items[child] as number;
      at = child;
    }
    items[at] = last;
    return top;
  }
}

/** The operation that last defined a field, at the end of the workspace's history. */
export interface LatestFieldDefinition {
  file: MigrationModel;
  /** CreateModel (the field is one of its entries), AddField or AlterField. */
  op: Operation;
  app: string;
  /** Lower-cased model name. */
  model: string;
  /** The model name as written in the operation, for messages. */
  modelLabel: string;
  field: string;
  call: CallExpr;
}

/**
 * For every field that still exists after the last migration, the operation that defined it last, walking the
 * migrations in apply order (originals replaced by a present squashed migration are skipped, as Django skips them).
 * Fields that were removed, renamed (the column's fate is then unsure) or whose model was deleted or renamed are left
 * out, so graph rules judge a field by what it finally is (e.g. an AutoField later altered to BigAutoField is fixed).
 */
export function latestFieldDefinitions(files: readonly MigrationModel[], nodes: readonly GraphNode[]): LatestFieldDefinition[] {
  // Graph rules of one analysis share the same files array: compute once for all of them.
  const cached = latestDefinitionsCache.get(files);
  if (cached) return cached;
  const replacements = squashReplacements(nodes);
  /** `app:model` -> lower-cased field name -> latest definition (undefined once removed or renamed). */
  const models = new Map<string, Map<string, LatestFieldDefinition | undefined>>();
  for (const file of migrationApplyOrder(files, nodes)) {
    if (replacements.has(migrationKey(file.app, file.name))) continue;
    for (const op of file.allOperations) {
      const model = op.name === 'RenameModel' ? stringValue(opArg(op, 'old_name'))?.toLowerCase() : targetModel(op);
      if (!model) continue;
      const modelKey = `${file.app}:${model}`;
      const define = (field: string | undefined, call: CallExpr | undefined): void => {
        if (field === undefined) return;
        const fields = models.get(modelKey) ?? new Map<string, LatestFieldDefinition | undefined>();
        models.set(modelKey, fields);
        const modelLabel = writtenModelName(op) ?? model;
        fields.set(field.toLowerCase(), call ? { file, op, app: file.app, model, modelLabel, field, call } : undefined);
      };
      switch (op.name) {
        case 'CreateModel':
          models.delete(modelKey);
          for (const entry of createModelFields(op)) define(entry.name, entry.field);
          break;
        case 'AddField':
        case 'AlterField':
          define(stringValue(opArg(op, 'name')), fieldCall(op));
          break;
        case 'RemoveField':
          define(stringValue(opArg(op, 'name')), undefined);
          break;
        case 'RenameField':
          define(stringValue(opArg(op, 'old_name')), undefined);
          define(stringValue(opArg(op, 'new_name')), undefined);
          break;
        case 'DeleteModel':
        case 'RenameModel':
          models.delete(modelKey);
          break;
      }
    }
  }
  const result: LatestFieldDefinition[] = [];
  for (const fields of models.values()) {
    for (const definition of fields.values()) if (definition) result.push(definition);
  }
  latestDefinitionsCache.set(files, result);
  return result;
}

const latestDefinitionsCache = new WeakMap<readonly MigrationModel[], LatestFieldDefinition[]>();

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
