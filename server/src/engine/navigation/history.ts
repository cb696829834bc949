// The life of one model or field across the migration graph: every operation that created, altered, renamed or
// removed it, in graph order, with the definition each one gave. Renames are followed both ways, a removal (or the
// deletion of its model) ends a life: a field added again later under the same name is another field.
// Reads operations only (no state replay): the migrations before the asking one are its ancestors in the graph, the
// ones after it its descendants.
import { opArg, stringValue } from '../django/operations';
import type { Expr, MigrationModel, Operation, Span } from '../python/model';
import type { MigrationKey } from '../state/graph';
import type { NavigationSource } from './source';
import { operationField, operationModel, stringContent, type NamedSubject } from './target';

export type HistoryChange = 'created' | 'added' | 'altered' | 'renamed' | 'removed' | 'deleted' | 'changed';

export interface HistoryEvent {
  migration: MigrationModel;
  op: Operation;
  change: HistoryChange;
  /** `Model` or `Model.field` as this operation names it (the new name for a rename). */
  label: string;
  /** The definition the operation gives (a field's call, a model's field names) or what it changes; may be ''. */
  definition: string;
  /** Inside `state_operations`: Django's state changes, the database does not. */
  stateOnly: boolean;
  /** The operation the history was asked from. */
  current: boolean;
  /** Where the operation names the subject (its `model_name`/`name` string), else the operation's name. */
  span: Span;
}

export interface History {
  app: string;
  refers: 'model' | 'field';
  events: HistoryEvent[];
}

interface Tracked {
  model: string;
  field?: string;
}

/**
 * The history of the model or field an operation names. `subject` gives its names before and after the operation
 * (they differ for renames); the operation's own event is marked `current`.
 */
export function historyAt(source: NavigationSource, migration: MigrationModel, op: Operation, refers: 'model' | 'field', subject: NamedSubject): History {
  const { ancestors, descendants } = relatives(source, migration);
  const ownOps = stateOperations(migration);
  const position = ownOps.indexOf(op);
  const own = eventOf(migration, op, trackedOf(subject, 'before', refers), refers);
  const before: HistoryEvent[] = [];
  // A creation starts the life: anything earlier under the same name belongs to another model or field.
  let tracked: Tracked | undefined = own?.change === 'created' || own?.change === 'added' ? undefined : trackedOf(subject, 'before', refers);
  const earlier = [
    ...ancestors.flatMap((ancestor) => stateOperations(ancestor).map((candidate) => ({ migration: ancestor, op: candidate }))),
    ...ownOps.slice(0, Math.max(0, position)).map((candidate) => ({ migration, op: candidate })),
  ];
  for (let index = earlier.length - 1; index >= 0 && tracked; index--) {
    const step = earlier[index] as { migration: MigrationModel; op: Operation };
    const result = stepBackwards(step.migration, step.op, tracked);
    if (result.event) before.push(result.event);
    tracked = result.next;
  }
  const events = before.reverse();
  if (own) events.push({ ...own, current: true });
  tracked = trackedOf(subject, 'after', refers);
  if (own && (own.change === 'removed' || own.change === 'deleted')) tracked = undefined;
  const later = [
    ...(position >= 0 ? ownOps.slice(position + 1) : []).map((candidate) => ({ migration, op: candidate })),
    ...descendants.flatMap((descendant) => stateOperations(descendant).map((candidate) => ({ migration: descendant, op: candidate }))),
  ];
  for (const step of later) {
    if (!tracked) break;
    const result = stepForwards(step.migration, step.op, tracked);
    if (result.event) events.push(result.event);
    tracked = result.next;
  }
  return { app: migration.app, refers, events };
}

function trackedOf(subject: NamedSubject, side: 'before' | 'after', refers: 'model' | 'field'): Tracked {
  return refers === 'field' && subject.field ? { model: subject.model[side], field: subject.field[side] } : { model: subject.model[side] };
}

/** One operation seen walking back in time: its event for the subject, and the subject's names before it. */
function stepBackwards(migration: MigrationModel, op: Operation, tracked: Tracked): { event?: HistoryEvent; next: Tracked | undefined } {
  const refers = tracked.field ? 'field' : 'model';
  if (op.name === 'RenameModel') {
    const oldName = stringValue(opArg(op, 'old_name'))?.toLowerCase();
    const newName = stringValue(opArg(op, 'new_name'))?.toLowerCase();
    if (newName !== tracked.model || !oldName) return { next: tracked };
    return { event: eventOf(migration, op, { ...tracked, model: oldName }, refers), next: { ...tracked, model: oldName } };
  }
  if (operationModel(op) !== tracked.model) return { next: tracked };
  // Walking back past the subject's creation, or into an earlier life under the same name, ends the history.
  if (op.name === 'DeleteModel') return { next: undefined };
  const event = eventOf(migration, op, tracked, refers);
  if (op.name === 'CreateModel') return event ? { event, next: undefined } : { next: undefined };
  if (!tracked.field) return event ? { event, next: tracked } : { next: tracked };
  if (op.name === 'RenameField') {
    const oldName = stringValue(opArg(op, 'old_name'))?.toLowerCase();
    const newName = stringValue(opArg(op, 'new_name'))?.toLowerCase();
    if (newName !== tracked.field || !oldName) return { next: tracked };
    return { event: eventOf(migration, op, { ...tracked, field: oldName }, refers), next: { ...tracked, field: oldName } };
  }
  if (operationField(op) !== tracked.field) return { next: tracked };
  if (op.name === 'RemoveField') return { next: undefined };
  return { ...(event ? { event } : {}), next: op.name === 'AddField' ? undefined : tracked };
}

/** One operation seen walking forward in time: its event for the subject, and the subject's names after it. */
function stepForwards(migration: MigrationModel, op: Operation, tracked: Tracked): { event?: HistoryEvent; next: Tracked | undefined } {
  const refers = tracked.field ? 'field' : 'model';
  if (operationModel(op) !== tracked.model) return { next: tracked };
  const event = eventOf(migration, op, tracked, refers);
  if (op.name === 'RenameModel') {
    const newName = stringValue(opArg(op, 'new_name'))?.toLowerCase();
    return { ...(event ? { event } : {}), next: newName ? { ...tracked, model: newName } : undefined };
  }
  if (op.name === 'DeleteModel') return { ...(event ? { event } : {}), next: undefined };
  // The same name created again while the subject lives: the graph is inconsistent; stop rather than mix lives.
  if (op.name === 'CreateModel') return { next: undefined };
  if (!tracked.field) return { ...(event ? { event } : {}), next: tracked };
  if (op.name === 'RenameField') {
    if (!event) return { next: tracked };
    const newName = stringValue(opArg(op, 'new_name'))?.toLowerCase();
    return { event, next: newName ? { ...tracked, field: newName } : undefined };
  }
  if (operationField(op) !== tracked.field) return { next: tracked };
  if (op.name === 'AddField') return { next: undefined };
  return { ...(event ? { event } : {}), next: op.name === 'RemoveField' ? undefined : tracked };
}

/** The event an operation is for the subject (named as before the operation), if it touches it. */
function eventOf(migration: MigrationModel, op: Operation, tracked: Tracked, refers: 'model' | 'field'): HistoryEvent | undefined {
  const base = { migration, op, stateOnly: isStateOnly(op), current: false };
  const modelWritten = writtenModelName(op) ?? tracked.model;
  if (op.name === 'RenameModel') {
    const oldName = stringValue(opArg(op, 'old_name'));
    const newName = stringValue(opArg(op, 'new_name'));
    if (oldName?.toLowerCase() !== tracked.model || !newName) return undefined;
    const label = tracked.field ? `${newName}.${tracked.field}` : newName;
    return { ...base, change: 'renamed', label, definition: `${oldName} → ${newName}`, span: nameSpan(migration, op, 'old_name') };
  }
  if (operationModel(op) !== tracked.model) return undefined;
  if (op.name === 'DeleteModel') return { ...base, change: 'deleted', label: modelWritten, definition: '', span: nameSpan(migration, op, 'name') };
  if (op.name === 'CreateModel') {
    const fields = createdFields(op);
    if (refers === 'model') return { ...base, change: 'created', label: modelWritten, definition: fields.map((field) => field.name).join(', '), span: nameSpan(migration, op, 'name') };
    const field = fields.find((candidate) => candidate.name.toLowerCase() === tracked.field);
    if (!field) return undefined;
    return { ...base, change: 'created', label: `${modelWritten}.${field.name}`, definition: compact(field.value.text), span: stringContent(migration.text, field.nameSpan) };
  }
  const fieldName = op.name === 'RenameField' ? stringValue(opArg(op, 'old_name')) : operationField(op) !== undefined ? stringValue(opArg(op, 'name')) : undefined;
  if (refers === 'field' && fieldName?.toLowerCase() !== tracked.field) return undefined;
  const fieldParam = op.name === 'RenameField' ? 'old_name' : 'name';
  const span = fieldName !== undefined ? nameSpan(migration, op, refers === 'field' ? fieldParam : 'model_name') : nameSpan(migration, op, 'model_name');
  switch (op.name) {
    case 'AddField':
    case 'AlterField':
      return { ...base, change: op.name === 'AddField' ? 'added' : 'altered', label: `${modelWritten}.${fieldName}`, definition: compact(opArg(op, 'field')?.text ?? ''), span };
    case 'RemoveField':
      return { ...base, change: 'removed', label: `${modelWritten}.${fieldName}`, definition: '', span };
    case 'RenameField': {
      const newName = stringValue(opArg(op, 'new_name')) ?? '?';
      return { ...base, change: 'renamed', label: `${modelWritten}.${newName}`, definition: `${fieldName} → ${newName}`, span };
    }
    default:
      return { ...base, change: 'changed', label: modelWritten, definition: compact(argumentsText(migration, op)), span };
  }
}

function writtenModelName(op: Operation): string | undefined {
  return stringValue(opArg(op, 'model_name')) ?? stringValue(opArg(op, op.name === 'RenameModel' ? 'new_name' : 'name'));
}

/** The span of a string argument's text (inside its quotes), else the operation's name. */
function nameSpan(migration: MigrationModel, op: Operation, param: string): Span {
  const expr = opArg(op, param);
  return expr?.kind === 'string' ? stringContent(migration.text, expr.span) : op.nameSpan;
}

function createdFields(op: Operation): { name: string; nameSpan: Span; value: Expr }[] {
  const fields = opArg(op, 'fields');
  if (!fields || (fields.kind !== 'list' && fields.kind !== 'tuple')) return [];
  return fields.items.flatMap((item) => {
    if ((item.kind !== 'tuple' && item.kind !== 'list') || item.items.length < 2) return [];
    const [nameExpr, value] = item.items as [Expr, Expr];
    const name = stringValue(nameExpr);
    return name === undefined ? [] : [{ name, nameSpan: nameExpr.span, value }];
  });
}

function argumentsText(migration: MigrationModel, op: Operation): string {
  const { argListSpan } = op.call;
  return migration.text.slice(argListSpan.start + 1, Math.max(argListSpan.start + 1, argListSpan.end - 1));
}

/** Source text on one line, shortened: what the history shows of a definition. */
export function compact(text: string, limit = 240): string {
  const line = text.replace(/\s+/g, ' ').replace(/\(\s+/g, '(').replace(/,?\s*\)/g, ')').trim();
  return line.length > limit ? `${line.slice(0, limit - 1)}…` : line;
}

function isStateOnly(op: Operation): boolean {
  for (let current: Operation | undefined = op; current; current = current.parent) if (current.context === 'state_operations') return true;
  return false;
}

const stateOperationsCache = new WeakMap<MigrationModel, Operation[]>();

/** The operations that change Django's state, in order (database_operations of SeparateDatabaseAndState do not). */
function stateOperations(migration: MigrationModel): Operation[] {
  let ops = stateOperationsCache.get(migration);
  if (!ops) {
    ops = migration.allOperations.filter((op) => {
      for (let current: Operation | undefined = op; current; current = current.parent) if (current.context === 'database_operations') return false;
      return true;
    });
    stateOperationsCache.set(migration, ops);
  }
  return ops;
}

/** The migration's same-app ancestors and descendants, each in graph order. */
function relatives(source: NavigationSource, migration: MigrationModel): { ancestors: MigrationModel[]; descendants: MigrationModel[] } {
  const { graph } = source;
  const entry = graph.entryFor(migration);
  let ancestorKeys: Set<MigrationKey>;
  let descendantKeys = new Set<MigrationKey>();
  if (entry) {
    ancestorKeys = graph.ancestors(entry.key);
    descendantKeys = graph.descendants(entry.key);
  } else {
    // A file the graph left out (a duplicate app/name): its history is its parents' ancestry.
    ancestorKeys = new Set();
    for (const parent of graph.parentsOf(migration, false).parents) {
      ancestorKeys.add(parent);
      for (const ancestor of graph.ancestors(parent)) ancestorKeys.add(ancestor);
    }
  }
  const ordered = graph.orderByApp.get(migration.app) ?? [];
  return {
    ancestors: ordered.filter((candidate) => ancestorKeys.has(candidate.key)).map((candidate) => candidate.model),
    descendants: ordered.filter((candidate) => descendantKeys.has(candidate.key)).map((candidate) => candidate.model),
  };
}
