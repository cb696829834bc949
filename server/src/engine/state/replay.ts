// State replay: each app's models and fields, replayed along the migration graph, so rules can ask what a field was
// before an operation and whether a table was created earlier in the same migration.
//
// States are persistent maps (persistentMap.ts): an operation changes O(log n) nodes of its app's model map and of
// its model's field map and shares the rest, so keeping a snapshot before every operation costs a reference and a
// migration replays in O(n log n) however many operations touch one model. Re-analysing one edited file only
// replays that file and its descendants (its parents' states stay cached).
import type { CallExpr, Expr, MigrationModel, Operation } from '../python/model';
import { opArg, stringValue } from '../django/operations';
import { syntheticCall, syntheticList, syntheticString } from '../python/syntheticExpr';
import { type GraphEntry, type MigrationGraph, type MigrationKey } from './graph';
import { PersistentOrderedMap, PersistentStringMap } from './persistentMap';
import type { FieldDef, ModelState, StateView } from './types';

/** One app's models by lower-cased name: a persistent map, so a snapshot per operation costs a reference. */
class AppState {
  static readonly EMPTY = new AppState(PersistentStringMap.empty<ModelState>());

  private constructor(private readonly byKey: PersistentStringMap<ModelState>) {}

  get(key: string): ModelState | undefined {
    return this.byKey.get(key);
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  /** A new state with `key` set to `model` (or removed for `null`). */
  with(key: string, model: ModelState | null): AppState {
    return new AppState(model ? this.byKey.set(key, model) : this.byKey.delete(key));
  }

  /** Every model, in no particular order. */
  models(): ModelState[] {
    return [...this.byKey.values()];
  }
}

const EMPTY_STATE = AppState.EMPTY;
/**
 * Tables created so far in one migration. Creation only ever adds names, so every snapshot shares one map of
 * name -> creation number and remembers how many creations preceded it.
 */
class CreatedTables {
  static readonly NONE = new CreatedTables(new Map(), 0);

  constructor(
    private readonly creationNumbers: ReadonlyMap<string, number>,
    private readonly creationsBefore: number,
  ) {}

  has(name: string): boolean {
    const number = this.creationNumbers.get(name);
    return number !== undefined && number < this.creationsBefore;
  }
}

interface OperationSnapshot {
  state: AppState;
  /** Lower-cased names of models whose tables were created by earlier operations of the same migration. */
  createdTables: CreatedTables;
}

interface MigrationReplay {
  before: AppState;
  after: AppState;
  beforeOperation: Map<Operation, OperationSnapshot>;
  /** Views handed out so far (rules ask for the same operation's state many times). */
  views: Map<Operation, StateView>;
}

/** Options Django's AlterModelOptions replaces wholesale (django.db.migrations.operations.models.AlterModelOptions). */
const ALTER_OPTION_KEYS = [
  'base_manager_name',
  'default_manager_name',
  'default_related_name',
  'get_latest_by',
  'managed',
  'ordering',
  'permissions',
  'default_permissions',
  'select_on_save',
  'verbose_name',
  'verbose_name_plural',
];

export class StateReplayer {
  private readonly replayByKey = new Map<MigrationKey, MigrationReplay>();
  /** Replays of files that are not graph entries (a duplicate app/name), keyed by model. */
  private readonly detachedReplays = new Map<MigrationModel, MigrationReplay>();
  /** Fast path from a model object to its replay; rebuilt after every invalidation. */
  private replayByModel = new WeakMap<MigrationModel, MigrationReplay>();
  /** How many graph entries the ancestry walks visited: what a test reads to see replay stays linear. */
  readonly work = { entriesVisited: 0 };

  constructor(private readonly graph: MigrationGraph) {}

  /** Forgets the replay of these migrations and of everything depending on them. */
  invalidate(keys: Iterable<MigrationKey>): void {
    for (const key of keys) {
      if (!this.replayByKey.has(key)) continue;
      this.replayByKey.delete(key);
      for (const descendant of this.graph.descendants(key)) this.replayByKey.delete(descendant);
    }
    this.detachedReplays.clear();
    this.replayByModel = new WeakMap();
  }

  /** The app's state after a migration (its whole ancestry replayed). */
  stateAfter(key: MigrationKey): AppState {
    return this.replayOf(key)?.after ?? EMPTY_STATE;
  }

  /** A StateView of everything right before `op` of `model`. */
  viewBefore(model: MigrationModel, op: Operation): StateView {
    let replay = this.replayByModel.get(model);
    if (!replay) {
      replay = this.replayOfModel(model);
      this.replayByModel.set(model, replay);
    }
    let view = replay.views.get(op);
    if (!view) {
      const snapshot = replay.beforeOperation.get(op) ?? findSnapshotBySpan(model, replay, op) ?? { state: replay.before, createdTables: CreatedTables.NONE };
      view = this.makeView(model, op, snapshot);
      replay.views.set(op, view);
    }
    return view;
  }

  private makeView(migration: MigrationModel, op: Operation, snapshot: OperationSnapshot): StateView {
    const modelState = (app: string, modelName: string): ModelState | undefined => {
      const key = modelName.toLowerCase();
      if (app === migration.app) return snapshot.state.get(key);
      return this.otherAppState(migration, app).get(key);
    };
    return {
      model: modelState,
      models: (app) => (app === migration.app ? snapshot.state : this.otherAppState(migration, app)).models(),
      apps: () => this.graph.apps(),
      field: (app, modelName, fieldName) => modelState(app, modelName)?.fields.get(fieldName.toLowerCase()),
      createdInSameMigration: (app, modelName) => {
        if (app !== migration.app) return false;
        const key = modelName.toLowerCase();
        return snapshot.createdTables.has(key) || (op.name === 'CreateModel' && stringValue(opArg(op, 'name'))?.toLowerCase() === key);
      },
      historyComplete: (app) => {
        if (app === migration.app) return this.graph.isHistoryCompleteBefore(migration);
        const dependency = this.latestDependencyOn(migration, app);
        if (dependency) return this.graph.isComplete(dependency);
        const leaves = this.graph.leaves(app);
        return leaves.length > 0 && leaves.every((leaf) => this.graph.isComplete(leaf.key));
      },
    };
  }

  /**
   * Another app's state as this migration sees it: after the latest migration of that app it depends on, else
   * after the app's leaf (the best guess for apps it does not depend on).
   */
  private otherAppState(migration: MigrationModel, app: string): AppState {
    const dependency = this.latestDependencyOn(migration, app);
    if (dependency) return this.stateAfter(dependency);
    const leaves = this.graph.leaves(app);
    const last = leaves.reduce<GraphEntry | undefined>((best, leaf) => (!best || leaf.order > best.order ? leaf : best), undefined);
    return last ? this.stateAfter(last.key) : EMPTY_STATE;
  }

  private latestDependencyOn(migration: MigrationModel, app: string): MigrationKey | undefined {
    let latest: GraphEntry | undefined;
    for (const dep of migration.migrationClass?.dependencies ?? []) {
      if (dep.app !== app || !dep.name) continue;
      const key = this.graph.resolve(dep.app, dep.name);
      const entry = key ? this.graph.entries.get(key) : undefined;
      if (entry && (!latest || entry.order > latest.order)) latest = entry;
    }
    return latest?.key;
  }

  private replayOfModel(model: MigrationModel): MigrationReplay {
    const entry = this.graph.entryFor(model);
    if (entry) return this.replayOf(entry.key) as MigrationReplay;
    const cached = this.detachedReplays.get(model);
    if (cached) return cached;
    const { parents } = this.graph.parentsOf(model, false);
    for (const parent of parents) this.replayOf(parent);
    const replay = replayMigration(this.stateFromParents(parents), model);
    this.detachedReplays.set(model, replay);
    return replay;
  }

  /**
   * Replays the ancestry not replayed yet, in topological order (no recursion, so long chains cannot overflow the
   * stack). The walk stops at replayed ancestors, so replaying a chain one migration at a time stays linear.
   */
  private replayOf(key: MigrationKey): MigrationReplay | undefined {
    const cached = this.replayByKey.get(key);
    if (cached) return cached;
    const entry = this.graph.entries.get(key);
    if (!entry) return undefined;
    const needed: GraphEntry[] = [];
    const seen = new Set<MigrationKey>([key]);
    const stack: GraphEntry[] = [entry];
    while (stack.length > 0) {
      const next = stack.pop() as GraphEntry;
      this.work.entriesVisited++;
      needed.push(next);
      for (const parent of next.parents) {
        const parentEntry = this.graph.entries.get(parent);
        if (!parentEntry || seen.has(parent) || this.replayByKey.has(parent)) continue;
        seen.add(parent);
        stack.push(parentEntry);
      }
    }
    needed.sort((a, b) => a.order - b.order);
    for (const candidate of needed) {
      this.replayByKey.set(candidate.key, replayMigration(this.stateFromParents(candidate.parents), candidate.model));
    }
    return this.replayByKey.get(key);
  }

  /**
   * The state a migration starts from. With several parents (a merge migration), start from the latest parent and
   * replay the migrations the other branches add, in topological order, as Django's project state would.
   */
  private stateFromParents(parents: readonly MigrationKey[]): AppState {
    if (parents.length === 0) return EMPTY_STATE;
    if (parents.length === 1) return this.replayByKey.get(parents[0] as MigrationKey)?.after ?? EMPTY_STATE;
    const entries = parents.map((parent) => this.graph.entries.get(parent)).filter((entry): entry is GraphEntry => entry !== undefined);
    if (entries.length === 0) return EMPTY_STATE;
    const base = entries.reduce((best, entry) => (entry.order > best.order ? entry : best));
    const covered = this.graph.ancestors(base.key);
    covered.add(base.key);
    const missing = new Set<MigrationKey>();
    for (const entry of entries) {
      if (covered.has(entry.key)) continue;
      missing.add(entry.key);
      for (const ancestor of this.graph.ancestors(entry.key)) if (!covered.has(ancestor)) missing.add(ancestor);
    }
    let state = this.replayByKey.get(base.key)?.after ?? EMPTY_STATE;
    for (const candidate of this.graph.orderByApp.get(base.node.app) ?? []) {
      if (missing.has(candidate.key)) state = replayMigration(state, candidate.model).after;
    }
    return state;
  }
}

function findSnapshotBySpan(model: MigrationModel, replay: MigrationReplay, op: Operation): OperationSnapshot | undefined {
  const same = model.allOperations.find((candidate) => candidate.span.start === op.span.start && candidate.name === op.name);
  return same ? replay.beforeOperation.get(same) : undefined;
}

/** Replays one migration's operations on `before`, keeping the state before each operation (nested ones too). */
function replayMigration(before: AppState, model: MigrationModel): MigrationReplay {
  const replayer = new OperationReplayer(model, before);
  model.operations.forEach((op, index) => replayer.run(op, index, 'state'));
  return { before, after: replayer.state, beforeOperation: replayer.snapshots, views: new Map() };
}

/**
 * Applies operations to the state. `database` ops (inside SeparateDatabaseAndState.database_operations) run on a
 * scratch copy: they create or change tables but leave the project state alone, exactly as Django treats them.
 */
class OperationReplayer {
  state: AppState;
  private readonly creationNumbers = new Map<string, number>();
  private creations = 0;
  readonly snapshots = new Map<Operation, OperationSnapshot>();
  private readonly nestedByParent = new Map<Operation, Operation[]>();

  constructor(
    private readonly model: MigrationModel,
    before: AppState,
  ) {
    this.state = before;
    for (const op of model.allOperations) {
      if (!op.parent) continue;
      const siblings = this.nestedByParent.get(op.parent);
      if (siblings) siblings.push(op);
      else this.nestedByParent.set(op.parent, [op]);
    }
  }

  run(op: Operation, topLevelIndex: number, mode: 'state' | 'database' | 'state-only'): void {
    this.snapshots.set(op, { state: this.state, createdTables: new CreatedTables(this.creationNumbers, this.creations) });
    if (op.name === 'SeparateDatabaseAndState') {
      const saved = this.state;
      for (const nested of this.nestedOperations(op, 'database_operations')) this.run(nested, topLevelIndex, 'database');
      this.state = saved;
      const stateMode = mode === 'database' ? 'database' : 'state-only';
      for (const nested of this.nestedOperations(op, 'state_operations')) this.run(nested, topLevelIndex, stateMode);
      if (mode === 'database') this.state = saved;
      return;
    }
    if (op.name === 'RunSQL') {
      for (const nested of this.nestedOperations(op, 'state_operations')) this.run(nested, topLevelIndex, mode === 'database' ? 'database' : 'state-only');
      return;
    }
    const touchesTables = mode !== 'state-only';
    if (touchesTables) this.trackCreatedTables(op);
    this.state = applyOperation(this.state, op, this.model, topLevelIndex);
  }

  private nestedOperations(op: Operation, context: Operation['context']): Operation[] {
    return (this.nestedByParent.get(op) ?? []).filter((candidate) => candidate.context === context);
  }

  private recordCreation(name: string): void {
    if (!this.creationNumbers.has(name)) this.creationNumbers.set(name, this.creations++);
  }

  private trackCreatedTables(op: Operation): void {
    if (op.name === 'CreateModel') {
      const name = stringValue(opArg(op, 'name'))?.toLowerCase();
      if (name) this.recordCreation(name);
    } else if (op.name === 'RenameModel') {
      const oldName = stringValue(opArg(op, 'old_name'))?.toLowerCase();
      const newName = stringValue(opArg(op, 'new_name'))?.toLowerCase();
      if (oldName && newName && this.creationNumbers.has(oldName)) this.recordCreation(newName);
    }
  }
}

/** The state after one (non-nesting) operation. Returns the same map when the operation leaves the state alone. */
function applyOperation(state: AppState, op: Operation, migration: { app: string; name: string }, operationIndex: number): AppState {
  switch (op.name) {
    case 'CreateModel': {
      const name = stringValue(opArg(op, 'name'));
      if (!name) return state;
      let fields = PersistentOrderedMap.empty<FieldDef>();
      const fieldList = opArg(op, 'fields');
      if (fieldList && (fieldList.kind === 'list' || fieldList.kind === 'tuple')) {
        for (const item of fieldList.items) {
          if ((item.kind !== 'tuple' && item.kind !== 'list') || item.items.length < 2) continue;
          const fieldName = stringValue(item.items[0]);
          if (fieldName) fields = fields.with(fieldName.toLowerCase(), fieldDef(item.items[1] as Expr));
        }
      }
      const options = dictOptions(opArg(op, 'options'));
      const bases = opArg(op, 'bases');
      const baseLabels = bases && (bases.kind === 'tuple' || bases.kind === 'list') ? bases.items.flatMap((base) => (stringValue(base)?.includes('.') ? [stringValue(base)!.toLowerCase()] : [])) : [];
      const created: ModelState = {
        app: migration.app,
        key: name.toLowerCase(),
        name,
        fields,
        options,
        bases: baseLabels,
        createdIn: { migration: migration.name, operationIndex },
      };
      return withModel(state, created);
    }
    case 'DeleteModel': {
      const key = stringValue(opArg(op, 'name'))?.toLowerCase();
      if (!key || !state.has(key)) return state;
      return state.with(key, null);
    }
    case 'RenameModel': {
      const oldKey = stringValue(opArg(op, 'old_name'))?.toLowerCase();
      const newName = stringValue(opArg(op, 'new_name'));
      const existing = oldKey ? state.get(oldKey) : undefined;
      if (!oldKey || !newName || !existing) return state;
      return state.with(oldKey, null).with(newName.toLowerCase(), { ...existing, key: newName.toLowerCase(), name: newName });
    }
    case 'AddField':
    case 'AlterField': {
      const model = modelOf(state, op);
      const fieldName = stringValue(opArg(op, 'name'));
      const field = opArg(op, 'field');
      if (!model || !fieldName || !field) return state;
      return withModel(state, { ...model, fields: fieldsOf(model).with(fieldName.toLowerCase(), fieldDef(field)) });
    }
    case 'RemoveField': {
      const model = modelOf(state, op);
      const fieldKey = stringValue(opArg(op, 'name'))?.toLowerCase();
      if (!model || !fieldKey || !model.fields.has(fieldKey)) return state;
      return withModel(state, { ...model, fields: fieldsOf(model).without(fieldKey) });
    }
    case 'RenameField': {
      const model = modelOf(state, op);
      const oldKey = stringValue(opArg(op, 'old_name'))?.toLowerCase();
      const newName = stringValue(opArg(op, 'new_name'));
      if (!model || !oldKey || !newName || !model.fields.has(oldKey)) return state;
      // Django pops the field and re-adds it under the new name (it moves last), and renames it in the together sets.
      const newKey = newName.toLowerCase();
      const moved = fieldsOf(model).without(oldKey).with(newKey, model.fields.get(oldKey) as FieldDef);
      const options = { ...model.options };
      for (const option of ['unique_together', 'index_together']) {
        const renamed = renameInTogether(options[option], oldKey, newKey);
        if (renamed) options[option] = renamed;
      }
      return withModel(state, { ...model, fields: moved, options });
    }
    case 'AddIndex':
    case 'AddIndexConcurrently':
      return withListOption(state, op, 'indexes', (items) => [...items, ...present(opArg(op, 'index'))]);
    case 'RemoveIndex':
    case 'RemoveIndexConcurrently':
      return withListOption(state, op, 'indexes', (items) => items.filter((item) => !namedCall(item, stringValue(opArg(op, 'name')))));
    case 'AddConstraint':
    case 'AddConstraintNotValid':
      return withListOption(state, op, 'constraints', (items) => [...items, ...present(opArg(op, 'constraint'))]);
    case 'RemoveConstraint':
      return withListOption(state, op, 'constraints', (items) => items.filter((item) => !namedCall(item, stringValue(opArg(op, 'name')))));
    case 'RenameIndex':
      return renameIndex(state, op);
    case 'AlterModelTable':
      return withOptions(state, op, { db_table: opArg(op, 'table') });
    case 'AlterModelTableComment':
      return withOptions(state, op, { db_table_comment: opArg(op, 'table_comment') });
    case 'AlterOrderWithRespectTo':
      return withOptions(state, op, { order_with_respect_to: opArg(op, 'order_with_respect_to') });
    case 'AlterUniqueTogether':
      return withOptions(state, op, { unique_together: opArg(op, 'unique_together') });
    case 'AlterIndexTogether':
      return withOptions(state, op, { index_together: opArg(op, 'index_together') });
    case 'AlterModelOptions': {
      const model = modelOf(state, op);
      if (!model) return state;
      const options = { ...model.options };
      for (const key of ALTER_OPTION_KEYS) delete options[key];
      Object.assign(options, dictOptions(opArg(op, 'options')));
      return withModel(state, { ...model, options });
    }
    default:
      return state;
  }
}

/**
 * RenameIndex (Django 4.1): renames a Meta.indexes entry, or, with `old_fields`, turns that index_together set into a
 * named Index (as its state_forwards does).
 */
function renameIndex(state: AppState, op: Operation): AppState {
  const newName = opArg(op, 'new_name');
  const oldFields = opArg(op, 'old_fields');
  if (!newName || stringValue(newName) === undefined) return state;
  if (oldFields && oldFields.kind !== 'none') {
    const fields = literalStrings(oldFields);
    const model = modelOf(state, op);
    if (!fields || !model) return state;
    const together = model.options['index_together'];
    const sets = together && (together.kind === 'list' || together.kind === 'tuple' || together.kind === 'set') ? together.items : [];
    const remaining = sets.filter((item) => literalStrings(item)?.join('\u0000') !== fields.join('\u0000'));
    const withIndex = withListOption(state, op, 'indexes', (items) => [...items, syntheticCall('Index', { fields: syntheticList(fields.map(syntheticString)), name: newName })]);
    return withOptions(withIndex, op, { index_together: remaining.length > 0 ? syntheticList(remaining) : undefined });
  }
  const oldName = stringValue(opArg(op, 'old_name'));
  return withListOption(state, op, 'indexes', (items) => items.map((item) => (item.kind === 'call' && namedCall(item, oldName) ? { ...item, kwargs: { ...item.kwargs, name: newName } } : item)));
}

/** A literal list or tuple of strings, or undefined. */
function literalStrings(expr: Expr): string[] | undefined {
  if (expr.kind !== 'list' && expr.kind !== 'tuple' && expr.kind !== 'set') return undefined;
  const values = expr.items.map((item) => stringValue(item));
  return values.every((value): value is string => value !== undefined) ? values : undefined;
}

function present(expr: Expr | undefined): Expr[] {
  return expr ? [expr] : [];
}

function namedCall(expr: Expr, name: string | undefined): boolean {
  return name !== undefined && expr.kind === 'call' && stringValue(expr.kwargs['name']) === name;
}

/** Meta.indexes / Meta.constraints as Django's AddIndex, RemoveIndex, AddConstraint and RemoveConstraint keep them. */
function withListOption(state: AppState, op: Operation, option: 'indexes' | 'constraints', change: (items: Expr[]) => Expr[]): AppState {
  const model = modelOf(state, op);
  if (!model) return state;
  const current = model.options[option];
  const items = current && (current.kind === 'list' || current.kind === 'tuple') ? current.items : [];
  const list: Expr = { kind: 'list', items: change(items), span: op.span, text: '' };
  return withModel(state, { ...model, options: { ...model.options, [option]: list } });
}

/** A unique_together / index_together value with one field renamed (undefined when it is not a literal list of sets). */
function renameInTogether(expr: Expr | undefined, oldKey: string, newKey: string): Expr | undefined {
  if (!expr || (expr.kind !== 'list' && expr.kind !== 'tuple' && expr.kind !== 'set')) return undefined;
  const renameItem = (item: Expr): Expr => {
    if (item.kind === 'string' && item.value.toLowerCase() === oldKey) return { ...item, value: newKey, text: JSON.stringify(newKey) };
    if (item.kind === 'list' || item.kind === 'tuple' || item.kind === 'set') return { ...item, items: item.items.map(renameItem) };
    return item;
  };
  return renameItem(expr);
}

/** Operations whose model is their `name` argument (the others name it `model_name`). */
const MODEL_BY_NAME = /^(AlterModel|AlterOrderWithRespectTo$)|Together$/;

function modelOf(state: AppState, op: Operation): ModelState | undefined {
  const key = stringValue(opArg(op, MODEL_BY_NAME.test(op.name) ? 'name' : 'model_name'))?.toLowerCase();
  return key ? state.get(key) : undefined;
}

/** The model's fields as a persistent map (a state built elsewhere, e.g. by a test, may hold a plain Map). */
function fieldsOf(model: ModelState): PersistentOrderedMap<FieldDef> {
  return model.fields instanceof PersistentOrderedMap ? model.fields : PersistentOrderedMap.from(model.fields);
}

function withModel(state: AppState, model: ModelState): AppState {
  return state.with(model.key, model);
}

/** Sets (or, for a `None`/absent value, removes) options on the operation's model. */
function withOptions(state: AppState, op: Operation, changes: Record<string, Expr | undefined>): AppState {
  const model = modelOf(state, op);
  if (!model) return state;
  const options = { ...model.options };
  for (const [key, value] of Object.entries(changes)) {
    if (!value || value.kind === 'none') delete options[key];
    else options[key] = value;
  }
  return withModel(state, { ...model, options });
}

function dictOptions(expr: Expr | undefined): Record<string, Expr> {
  const options: Record<string, Expr> = {};
  if (expr?.kind !== 'dict') return options;
  for (const { key, value } of expr.entries) {
    const name = stringValue(key);
    if (name) options[name] = value;
  }
  return options;
}

function fieldDef(expr: Expr): FieldDef {
  if (expr.kind !== 'call') return { type: '', qualifiedType: '', kwargs: {} };
  const call: CallExpr = expr;
  const callee = call.callee;
  const dotted = callee.kind === 'name' ? callee.dotted : callee.text;
  return {
    type: dotted.slice(dotted.lastIndexOf('.') + 1),
    qualifiedType: callee.kind === 'name' ? callee.qualified : dotted,
    call,
    kwargs: call.kwargs,
  };
}

