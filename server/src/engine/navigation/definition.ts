// Go to definition and find references. A dependency leads to its migration file; a model name to the CreateModel
// that created the model, a field name to the operation that last defined the field before this one (renames
// followed). References: the migrations that depend on a migration; every operation that touched a model or field.
import type { MigrationModel } from '../python/model';
import type { MigrationKey } from '../state/graph';
import { historyAt, type History } from './history';
import type { NavigationLocation, NavigationSource } from './source';
import { opArg, stringValue } from '../django/operations';
import { cursorTarget, innermostOperation, operationField, operationModel, type CursorTarget, type NamedSubject } from './target';

export function definitionAt(source: NavigationSource, model: MigrationModel, offset: number): NavigationLocation[] {
  const target = cursorTarget(model, offset);
  if (target?.kind === 'dependency') {
    const key = target.app && target.name ? source.graph.resolve(target.app, target.name) : undefined;
    const entry = key ? source.graph.entries.get(key) : undefined;
    return entry ? [migrationLocation(entry.model)] : [];
  }
  if (target?.kind !== 'name' || target.introduces) return [];
  // Only what exists right before the operation has a definition (a deleted model, a removed field has none).
  const view = source.stateBefore(model, target.op);
  const modelName = target.subject.model.before;
  if (target.refers === 'model' ? !view.model(model.app, modelName) : !view.field(model.app, modelName, target.subject.field?.before ?? '')) return [];
  const history = historyOf(source, model, target);
  const earlier = history.events.slice(0, Math.max(0, history.events.findIndex((event) => event.current)));
  // A field is defined by CreateModel, AddField, AlterField and RenameField; its model's rename does not define it.
  const defining = earlier.filter((event) => (target.refers === 'model' ? event.change === 'created' : event.op.name !== 'RenameModel' && event.change !== 'changed'));
  const last = defining[defining.length - 1];
  return last ? [{ model: last.migration, span: last.op.span }] : [];
}

export function referencesAt(source: NavigationSource, model: MigrationModel, offset: number, includeDeclaration: boolean): NavigationLocation[] {
  const target = cursorTarget(model, offset);
  if (target?.kind === 'migration-class') {
    const entry = source.graph.entryFor(model);
    const references = entry ? dependentsOf(source, entry.key) : [];
    return includeDeclaration ? [migrationLocation(model), ...references] : references;
  }
  if (target?.kind === 'dependency') {
    const key = target.app && target.name ? source.graph.resolve(target.app, target.name) : undefined;
    const entry = key ? source.graph.entries.get(key) : undefined;
    if (!entry) return [];
    const references = dependentsOf(source, entry.key);
    return includeDeclaration ? [migrationLocation(entry.model), ...references] : references;
  }
  if (target?.kind !== 'name') return [];
  return historyOf(source, model, target).events.map((event) => ({ model: event.migration, span: event.span }));
}

/** The history of the model or field a name target refers to. */
export function historyOf(source: NavigationSource, model: MigrationModel, target: Extract<CursorTarget, { kind: 'name' }>): History {
  return historyAt(source, model, target.op, target.refers, target.subject);
}

/** Per graph: migration -> the entries depending on it and where in their dependency lists (models are swapped on edits). */
/**
 * The history the cursor asks for: of the model or field named under it, else, when `anywhereInOperation`, of the
 * field (or model) the operation around the cursor targets (the command works from anywhere in an AlterField).
 */
export function historyAtCursor(source: NavigationSource, model: MigrationModel, offset: number, anywhereInOperation: boolean): History | undefined {
  const target = cursorTarget(model, offset);
  if (target?.kind === 'name') return historyOf(source, model, target);
  if (!anywhereInOperation) return undefined;
  const op = target?.kind === 'operation' ? target.op : innermostOperation(model, offset);
  const modelName = op ? operationModel(op) : undefined;
  if (!op || !modelName) return undefined;
  const pair = (before: string, after: string | undefined) => ({ before, after: after ?? before });
  const fieldName = operationField(op);
  const renamedTo = (param: string) => stringValue(opArg(op, param))?.toLowerCase();
  const subject: NamedSubject = {
    model: pair(modelName, op.name === 'RenameModel' ? renamedTo('new_name') : undefined),
    ...(fieldName !== undefined ? { field: pair(fieldName, op.name === 'RenameField' ? renamedTo('new_name') : undefined) } : {}),
  };
  return historyAt(source, model, op, fieldName !== undefined ? 'field' : 'model', subject);
}

const dependentsCache = new WeakMap<object, Map<MigrationKey, { key: MigrationKey; index: number }[]>>();

/** Every dependency entry, in any app, that resolves to this migration (the index is built once per graph). */
export function dependentsOf(source: NavigationSource, key: MigrationKey): NavigationLocation[] {
  const { graph } = source;
  let byKey = dependentsCache.get(graph);
  if (!byKey) {
    byKey = new Map();
    for (const entry of graph.entries.values()) {
      (entry.model.migrationClass?.dependencies ?? []).forEach((dependency, index) => {
        if (!dependency.app || !dependency.name) return;
        const resolved = graph.resolve(dependency.app, dependency.name, entry.replacedBy !== undefined);
        if (!resolved || resolved === entry.key) return;
        const list = byKey!.get(resolved) ?? [];
        list.push({ key: entry.key, index });
        byKey!.set(resolved, list);
      });
    }
    dependentsCache.set(graph, byKey);
  }
  return (byKey.get(key) ?? []).flatMap(({ key: dependent, index }) => {
    const model = graph.entries.get(dependent)?.model;
    const dependency = model?.migrationClass?.dependencies[index];
    return model && dependency ? [{ model, span: dependency.span }] : [];
  });
}

function migrationLocation(model: MigrationModel): NavigationLocation {
  return { model, span: model.migrationClass?.nameSpan ?? { start: 0, end: 0 } };
}
