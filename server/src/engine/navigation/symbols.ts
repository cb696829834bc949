// The outline of a migration (the Migration class, its dependency lists, each operation with its target
// `app.Model.field`) and the workspace's symbols: every migration, and every model as the latest state has it.
import { opArg, stringValue } from '../django/operations';
import type { Dependency, MigrationModel, Operation, Span } from '../python/model';
import { migrationKey } from '../state/graph';
import type { NavigationLocation, NavigationSource } from './source';
import { operationField, operationModel } from './target';

export type OutlineKind = 'class' | 'list' | 'dependency' | 'operation';

export interface OutlineSymbol {
  name: string;
  detail: string;
  kind: OutlineKind;
  span: Span;
  /** What the editor highlights and reveals (a name inside `span`). */
  selection: Span;
  children: OutlineSymbol[];
}

export function documentSymbols(source: NavigationSource, model: MigrationModel): OutlineSymbol[] {
  const migrationClass = model.migrationClass;
  if (!migrationClass) return [];
  const children: OutlineSymbol[] = [];
  const lists: [string, readonly Dependency[]][] = [
    ['dependencies', migrationClass.dependencies],
    ['run_before', migrationClass.runBefore],
    ['replaces', migrationClass.replaces],
  ];
  for (const [name, dependencies] of lists) {
    if (dependencies.length === 0) continue;
    const span = { start: (dependencies[0] as Dependency).span.start, end: (dependencies[dependencies.length - 1] as Dependency).span.end };
    children.push({
      name,
      detail: `${dependencies.length}`,
      kind: 'list',
      span,
      selection: span,
      children: dependencies.map((dependency) => ({
        name: dependency.app && dependency.name ? `${dependency.app}.${dependency.name}` : model.text.slice(dependency.span.start, dependency.span.end).replace(/\s+/g, ' '),
        detail: dependency.dynamic ? 'swappable' : '',
        kind: 'dependency' as const,
        span: dependency.span,
        selection: dependency.span,
        children: [],
      })),
    });
  }
  if (migrationClass.operationsSpan) {
    const operations = operationSymbols(source, model, model.operations);
    children.push({ name: 'operations', detail: `${model.operations.length}`, kind: 'list', span: migrationClass.operationsSpan, selection: migrationClass.operationsSpan, children: operations });
  }
  return [{ name: model.text.slice(migrationClass.nameSpan.start, migrationClass.nameSpan.end), detail: `${model.app}.${model.name}`, kind: 'class', span: migrationClass.span, selection: migrationClass.nameSpan, children }];
}

function operationSymbols(source: NavigationSource, model: MigrationModel, ops: readonly Operation[]): OutlineSymbol[] {
  const nested = new Map<Operation, Operation[]>();
  for (const op of model.allOperations) {
    if (!op.parent) continue;
    const list = nested.get(op.parent) ?? [];
    list.push(op);
    nested.set(op.parent, list);
  }
  const symbol = (op: Operation): OutlineSymbol => ({
    name: op.name,
    detail: operationTarget(source, model, op),
    kind: 'operation',
    span: op.span,
    selection: op.nameSpan,
    children: (nested.get(op) ?? []).map(symbol),
  });
  return ops.map(symbol);
}

/** `app.Model.field` an operation targets, the model named as the replayed state spells it; '' for RunSQL & co. */
export function operationTarget(source: NavigationSource, model: MigrationModel, op: Operation): string {
  const modelKey = operationModel(op);
  if (!modelKey) return '';
  const known = source.stateBefore(model, op).model(model.app, modelKey);
  const modelName = known?.name ?? stringValue(opArg(op, op.name === 'CreateModel' ? 'name' : 'model_name')) ?? modelKey;
  const field = operationField(op) !== undefined ? stringValue(opArg(op, op.name === 'RenameField' ? 'old_name' : 'name')) : undefined;
  return `${model.app}.${modelName}${field !== undefined ? `.${field}` : ''}`;
}

export interface WorkspaceSymbolHit {
  name: string;
  kind: 'migration' | 'model';
  container: string;
  location: NavigationLocation;
}

/** Migrations and the models of each app's latest state whose name matches `query` (letters in order, any case). */
export function workspaceSymbols(source: NavigationSource, query: string, limit = 500): WorkspaceSymbolHit[] {
  const { graph } = source;
  const hits: WorkspaceSymbolHit[] = [];
  const wanted = query.toLowerCase();
  for (const app of [...graph.apps()].sort()) {
    const seen = new Set<string>();
    for (const leaf of graph.leaves(app)) {
      for (const state of source.modelsAfter(leaf.key)) {
        if (seen.has(state.key) || !matches(state.name, wanted)) continue;
        seen.add(state.key);
        const created = state.createdIn ? graph.entries.get(migrationKey(app, state.createdIn.migration))?.model : undefined;
        const index = state.createdIn?.operationIndex;
        const op = created?.allOperations.find((candidate) => candidate.name === 'CreateModel' && candidate.topLevelIndex === index) ?? (index !== undefined ? created?.operations[index] : undefined);
        if (!created || !op) continue;
        hits.push({ name: state.name, kind: 'model', container: app, location: { model: created, span: op.span } });
      }
    }
    for (const entry of graph.mainPath(app)) {
      if (!matches(entry.node.name, wanted) && !matches(`${app}.${entry.node.name}`, wanted)) continue;
      hits.push({ name: entry.node.name, kind: 'migration', container: app, location: { model: entry.model, span: entry.model.migrationClass?.nameSpan ?? { start: 0, end: 0 } } });
    }
    if (hits.length >= limit) break;
  }
  return hits.slice(0, limit);
}

function matches(name: string, wanted: string): boolean {
  let at = 0;
  const lower = name.toLowerCase();
  for (const char of wanted) {
    at = lower.indexOf(char, at) + 1;
    if (at === 0) return false;
  }
  return true;
}
