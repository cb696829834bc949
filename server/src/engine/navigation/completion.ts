// Completion where a migration names something its history knows: app labels and migration names in
// `dependencies` / `run_before`, models and fields in an operation's `model_name=` / `name=`, operation classes
// after `migrations.`. Models and fields come from the state replayed right before the operation, so a field
// removed earlier, a model deleted or not created yet, is never offered.
import { MIGRATIONS_MODULE_OPERATIONS } from '../django/operations';
import type { MigrationModel, Span } from '../python/model';
import type { GraphEntry } from '../state/graph';
import { compact } from './history';
import type { NavigationSource } from './source';
import { cursorTarget, inOperationList, type CursorTarget } from './target';

export type CompletionKind = 'app' | 'migration' | 'model' | 'field' | 'operation';

export interface CompletionCandidate {
  label: string;
  kind: CompletionKind;
  detail: string;
  /** The text the candidate replaces. */
  replace: Span;
  /** What to insert instead of the label; a snippet (`$1` tab stops) when `snippet` is set. */
  insertText?: string;
  snippet?: boolean;
  /** Keeps the order given here (newest migration first) where the editor sorts by this key. */
  sortText: string;
}

const MIGRATIONS_MODULE = 'django.db.migrations';

export function completionsAt(source: NavigationSource, model: MigrationModel, offset: number): CompletionCandidate[] {
  const operation = operationClassCompletions(model, offset);
  if (operation) return operation;
  const target = cursorTarget(model, offset);
  if (target?.kind === 'dependency') return dependencyCompletions(source, model, target);
  if (target?.kind === 'name' && !target.introduces) return nameCompletions(source, model, target);
  return [];
}

function dependencyCompletions(source: NavigationSource, model: MigrationModel, target: Extract<CursorTarget, { kind: 'dependency' }>): CompletionCandidate[] {
  const { graph } = source;
  if (target.list === 'replaces') return [];
  if (target.part === 'app') {
    return [...graph.apps()].sort().map((app, index) => {
      const main = graph.mainPath(app);
      const latest = graph.leaves(app).map((leaf) => leaf.node.name).join(', ');
      return candidate(app, 'app', `${main.length} migration${main.length === 1 ? '' : 's'}${latest ? `, latest ${latest}` : ''}`, target.content, index);
    });
  }
  if (!target.app) return [];
  const self = graph.entryFor(model);
  // Nothing that would make a cycle: a migration cannot depend on itself or on what depends on it, and cannot run
  // before itself or before what it depends on.
  const excluded = new Set<string>();
  if (self) {
    excluded.add(self.key);
    for (const key of target.list === 'dependencies' ? graph.descendants(self.key) : graph.ancestors(self.key)) excluded.add(key);
  }
  const leaves = new Set(graph.leaves(target.app).map((leaf) => leaf.key));
  // Squashed-away migrations are left out: depending on one is what replaced-migration-still-referenced reports.
  const newestFirst = [...graph.mainPath(target.app)].reverse().filter((entry) => !excluded.has(entry.key) && !(entry.model.app === model.app && entry.model.path === model.path));
  return newestFirst.map((entry, index) => candidate(entry.node.name, 'migration', migrationDetail(entry, leaves.has(entry.key)), target.content, index));
}

function migrationDetail(entry: GraphEntry, leaf: boolean): string {
  const ops = entry.model.operations.map((op) => op.name);
  const shown = ops.slice(0, 3).join(', ') + (ops.length > 3 ? `, +${ops.length - 3}` : '');
  return `${leaf ? 'latest · ' : ''}${shown || 'no operations'}`;
}

function nameCompletions(source: NavigationSource, model: MigrationModel, target: Extract<CursorTarget, { kind: 'name' }>): CompletionCandidate[] {
  const view = source.stateBefore(model, target.op);
  if (target.refers === 'model') {
    return view
      .models(model.app)
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      // makemigrations writes `model_name` lower-cased and a model operation's `name` as the class is named.
      .map((state, index) => candidate(target.param === 'model_name' ? state.key : state.name, 'model', `${state.name}: ${[...state.fields.keys()].join(', ')}`, target.content, index));
  }
  const owner = view.model(model.app, target.subject.model.before);
  if (!owner) return [];
  return [...owner.fields.entries()].map(([name, field], index) => candidate(name, 'field', field.call ? compact(field.call.text, 120) : field.type, target.content, index));
}

/** After `migrations.` (the file's name for django.db.migrations) where an operation may be written. */
function operationClassCompletions(model: MigrationModel, offset: number): CompletionCandidate[] | undefined {
  const lineStart = model.text.lastIndexOf('\n', offset - 1) + 1;
  const match = /([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z0-9_]*)$/.exec(model.text.slice(lineStart, offset));
  if (!match) return undefined;
  const alias = match[1] as string;
  const dotAt = offset - (match[2] as string).length;
  const aliasStart = dotAt - 1 - alias.length;
  if (model.importMap.get(alias) !== MIGRATIONS_MODULE || model.text[aliasStart - 1] === '.') return undefined;
  if (!inOperationList(model, aliasStart) || model.comments.some((comment) => comment.span.start <= aliasStart && aliasStart <= comment.span.end)) return [];
  const replace = { start: dotAt, end: offset + (/^[A-Za-z0-9_]*/.exec(model.text.slice(offset))?.[0].length ?? 0) };
  return Object.entries(MIGRATIONS_MODULE_OPERATIONS).map(([name, params], index) => {
    const args = params.map(({ param, string, placeholder }, position) => {
      const stop = position + 1;
      return string ? `${param}="\${${stop}}"` : `${param}=\${${stop}:${(placeholder ?? param).replace(/[$}\\]/g, '\\$&')}}`;
    });
    const insertText = args.length === 0 ? `${name}()` : `${name}(\n    ${args.join(',\n    ')},\n)`;
    return { ...candidate(name, 'operation', `${alias}.${name}(${params.map((p) => p.param).join(', ')})`, replace, index), insertText, snippet: true };
  });
}

function candidate(label: string, kind: CompletionKind, detail: string, replace: Span, index: number): CompletionCandidate {
  return { label, kind, detail, replace, sortText: String(index).padStart(5, '0') };
}
