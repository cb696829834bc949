// Moving top-level operations of a migration into a new migration that depends on it: "Move to a new non-atomic
// migration" (a concurrent index build on its own) and "Split the migration" (a slow step and what follows, out of
// the lock the earlier steps took). The new file gets the imports and module-level functions the moved text uses;
// the functions leave this file when nothing here uses them any more. Offered only for a migration nothing depends
// on yet (the caller checks the graph): once another migration depends on it, the split would reorder history.
import type { SyntaxNode } from '@lezer/common';
import { opArg, stringValue } from '../django/operations';
import type { MigrationModel, Operation, Span } from '../python/model';
import { findImportStatements, importBlock } from './imports';
import { indentUnit, leadingWhitespace, lineStart, nextLineStart, startsItsLine } from './text';
import { PREVIOUS_NEW_MIGRATION, type EditIntent, type ImportIntent, type TextEdit } from './types';

export interface NewMigrationOptions {
  /** What the new file is named after (`order_order_created_idx`): Django's `migration_name_fragment` style. */
  nameFragment: string;
  /** False writes `atomic = False` in the new migration; true leaves Django's default. */
  atomic: boolean;
  /** Edits inside the moved operations (spans of this file), e.g. a class swap, and the imports they need there. */
  rewrites?: readonly EditIntent[];
}

/**
 * The intents that move `ops` (top-level operations forming one run of the `operations` list) into a new migration.
 * Empty when the text does not allow it cleanly: an operation sharing a line with another, operations outside the
 * Migration class's literal list, or every operation of the migration (that would leave it empty).
 */
export function moveToNewMigration(model: MigrationModel, ops: readonly Operation[], options: NewMigrationOptions): EditIntent[] {
  return moveToNewMigrations(model, [ops], [options]);
}

/**
 * Like moveToNewMigration, for consecutive groups of operations: each group becomes a new migration depending on the
 * one before it (the first on this migration), in order. `options[i]` names group i.
 */
export function moveToNewMigrations(model: MigrationModel, groups: readonly (readonly Operation[])[], options: readonly NewMigrationOptions[]): EditIntent[] {
  const all = groups.flat();
  const block = movedBlock(model, all);
  if (!block || groups.length === 0 || groups.length !== options.length || groups.some((group) => group.length === 0)) return [];
  const text = model.text;
  const groupBlocks: Span[] = [];
  for (const [index, group] of groups.entries()) {
    const last = [...group].sort((a, b) => b.span.end - a.span.end)[0]!;
    const end = endOfOperationLine(text, last.span.end);
    if (end === undefined) return [];
    groupBlocks.push({ start: index === 0 ? block.start : groupBlocks[index - 1]!.end, end });
  }
  if (groupBlocks[groupBlocks.length - 1]!.end !== block.end) return [];
  const definitions = topLevelDefinitions(model);
  const copiedAll = new Set<TopLevelDefinition>();
  const files: EditIntent[] = groupBlocks.map((groupBlock, index) => {
    const file = newMigrationText(model, groupBlock, options[index]!, definitions, index === 0 ? model.name : undefined);
    for (const definition of file.copied) copiedAll.add(definition);
    return { kind: 'new-migration', nameFragment: sanitizeFragment(options[index]!.nameFragment), text: file.text };
  });
  const removals: TextEdit[] = [{ span: block, newText: '' }];
  const copied = [...copiedAll];
  // The whole file is walked only when there are functions to keep or take away (rules build this fix as they report).
  const remaining = copied.length > 0 ? namesUsedIn(model, [{ start: 0, end: text.length }], [block, ...copied.map((definition) => definition.span)]) : new Set<string>();
  for (const definition of copied) if (!remaining.has(definition.name)) removals.push({ span: definitionLines(text, definition.span), newText: '' });
  return [...removals.map((edit): EditIntent => ({ kind: 'edit', edit })), ...files];
}

/** The text of a new migration holding `block`, depending on `dependsOn` (undefined: the new migration before it). */
function newMigrationText(
  model: MigrationModel,
  block: Span,
  options: NewMigrationOptions,
  definitions: readonly TopLevelDefinition[],
  dependsOn: string | undefined,
): { text: string; copied: TopLevelDefinition[] } {
  const text = model.text;
  const rewrites = options.rewrites ?? [];
  const rewriteEdits = rewrites.flatMap((intent) => (intent.kind === 'edit' && intent.edit.span.start >= block.start && intent.edit.span.end <= block.end ? [intent.edit] : []));
  const rewriteImports = rewrites.filter((intent): intent is ImportIntent => intent.kind === 'import');
  const unit = indentUnit(model);
  const firstOperationLine = /^[ \t]*(#[^\n]*)?\r?\n/.test(text.slice(block.start)) ? firstCodeLineStart(text, block) : block.start;
  const moved = reindent(applyWithin(text, block, rewriteEdits), leadingWhitespace(text, firstOperationLine), unit + unit);

  const skipped = rewriteEdits.map((edit) => edit.span);
  const copied = referencedDefinitions(model, [block], skipped, definitions);
  const names = new Set<string>([...namesUsedIn(model, [block], skipped), ...copied.flatMap((definition) => [...namesUsedIn(model, [definition.span], [])])]);
  const { plain, from } = importsFor(model, names);
  const fromImports = new Map<string, Set<string>>(from);
  const migrationsImport = fromImports.get('django.db') ?? new Set<string>();
  migrationsImport.add('migrations');
  fromImports.set('django.db', migrationsImport);
  for (const intent of rewriteImports) {
    const set = fromImports.get(intent.module) ?? new Set<string>();
    set.add(intent.name);
    fromImports.set(intent.module, set);
  }
  const body = [
    `class Migration(migrations.Migration):`,
    ...(options.atomic ? [] : [`${unit}atomic = False`, '']),
    `${unit}dependencies = [`,
    `${unit}${unit}(${pythonString(model.app)}, ${dependsOn === undefined ? `"${PREVIOUS_NEW_MIGRATION}"` : pythonString(dependsOn)}),`,
    `${unit}]`,
    '',
    `${unit}operations = [`,
    `${moved.replace(/\s+$/, '')}`,
    `${unit}]`,
  ].join('\n');
  const sections = [importBlock(plain, fromImports), ...copied.map((definition) => text.slice(definition.span.start, definition.span.end).replace(/\s+$/, '')), body];
  return { text: `${sections.join('\n\n\n')}\n`, copied };
}

/** The start of the first line of a block that holds code (comment-only and blank lines before it skipped). */
function firstCodeLineStart(text: string, block: Span): number {
  let start = block.start;
  for (let guard = 0; guard < 10_000 && start < block.end; guard++) {
    const next = nextLineStart(text, start);
    const line = text.slice(start, next).trim();
    if (line !== '' && !line.startsWith('#')) break;
    start = next;
  }
  return start;
}

/** What a new migration holding this operation is named after, the way Django's autodetector would name it. */
export function migrationNameFragment(op: Operation): string {
  const model = stringValue(opArg(op, 'model_name'))?.toLowerCase();
  const name = stringValue(opArg(op, 'name'))?.toLowerCase();
  const index = opArg(op, 'index');
  const indexName = index?.kind === 'call' ? stringValue(index.kwargs['name'])?.toLowerCase() : undefined;
  switch (op.name) {
    case 'AddIndex':
    case 'AddIndexConcurrently':
      if (model && indexName) return `${model}_${indexName}`;
      break;
    case 'RemoveIndex':
    case 'RemoveIndexConcurrently':
      if (model && name) return `remove_${model}_${name}`;
      break;
    case 'AddField':
      if (model && name) return `${model}_${name}`;
      break;
    case 'AlterField':
    case 'RemoveField':
      if (model && name) return `${op.name === 'AlterField' ? 'alter' : 'remove'}_${model}_${name}`;
      break;
    case 'RunPython': {
      const code = opArg(op, 'code');
      if (code?.kind === 'name') return code.dotted.slice(code.dotted.lastIndexOf('.') + 1);
      break;
    }
  }
  return op.name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

function sanitizeFragment(fragment: string): string {
  const cleaned = fragment.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 60);
  return cleaned || 'auto';
}

function pythonString(value: string): string {
  return JSON.stringify(value);
}

/**
 * The lines holding `ops`, from the first one's line start to the line break after the last one's comma: each
 * operation must start its line and end it (a trailing comment may follow), and every top-level operation in that
 * range must be one of `ops`.
 */
function movedBlock(model: MigrationModel, ops: readonly Operation[]): Span | undefined {
  const migrationClass = model.migrationClass;
  const list = migrationClass?.operationsSpan;
  if (!migrationClass || !list || migrationClass.unresolvedOperations || ops.length === 0) return undefined;
  const sorted = [...ops].sort((a, b) => a.span.start - b.span.start);
  if (sorted.some((op) => op.parent || op.context !== 'operations' || op.span.start < list.start || op.span.end > list.end)) return undefined;
  if (sorted.length >= model.operations.length) return undefined;
  const text = model.text;
  const first = sorted[0]!;
  const last = sorted[sorted.length - 1]!;
  if (!startsItsLine(text, first.span.start)) return undefined;
  const end = endOfOperationLine(text, last.span.end);
  if (end === undefined) return undefined;
  const block = { start: lineStart(text, first.span.start), end };
  const inside = model.operations.filter((op) => op.span.start >= block.start && op.span.end <= block.end);
  if (inside.length !== sorted.length || inside.some((op) => !sorted.includes(op))) return undefined;
  return block;
}

/** After an operation: an optional comma, then only a comment or whitespace up to the line break. */
function endOfOperationLine(text: string, offset: number): number | undefined {
  const rest = /^[ \t]*,?[ \t]*(#[^\n]*)?(\r?\n|$)/.exec(text.slice(offset, offset + 2000));
  return rest ? offset + rest[0].length : undefined;
}

function applyWithin(text: string, block: Span, edits: readonly TextEdit[]): string {
  let result = text.slice(block.start, block.end);
  for (const edit of [...edits].sort((a, b) => b.span.start - a.span.start)) {
    result = result.slice(0, edit.span.start - block.start) + edit.newText + result.slice(edit.span.end - block.start);
  }
  return result;
}

function reindent(block: string, from: string, to: string): string {
  return block
    .split('\n')
    .map((line) => (line.startsWith(from) ? to + line.slice(from.length) : line))
    .join('\n');
}

interface TopLevelDefinition {
  name: string;
  span: Span;
}

/** Module-level functions (decorators included) and simple `NAME = ...` assignments. */
function topLevelDefinitions(model: MigrationModel): TopLevelDefinition[] {
  const definitions: TopLevelDefinition[] = [];
  for (let node: SyntaxNode | null = model.tree.topNode.firstChild; node; node = node.nextSibling) {
    const statement = node.name === 'DecoratedStatement' ? node.getChild('FunctionDefinition') : node;
    if (statement?.name === 'FunctionDefinition') {
      const name = statement.getChild('VariableName');
      if (name) definitions.push({ name: model.text.slice(name.from, name.to), span: { start: node.from, end: node.to } });
    } else if (node.name === 'AssignStatement') {
      const target = node.firstChild;
      if (target?.name === 'VariableName' && target.nextSibling?.name === 'AssignOp') definitions.push({ name: model.text.slice(target.from, target.to), span: { start: node.from, end: node.to } });
    }
  }
  return definitions;
}

/** The definitions the ranges use, and those they use in turn (in source order). */
function referencedDefinitions(model: MigrationModel, ranges: readonly Span[], skipped: readonly Span[], definitions: readonly TopLevelDefinition[]): TopLevelDefinition[] {
  const byName = new Map(definitions.map((definition) => [definition.name, definition]));
  const included = new Set<TopLevelDefinition>();
  let frontier = [...namesUsedIn(model, ranges, skipped)];
  for (let round = 0; frontier.length > 0 && round <= definitions.length; round++) {
    const next: string[] = [];
    for (const name of frontier) {
      const definition = byName.get(name);
      if (!definition || included.has(definition)) continue;
      included.add(definition);
      next.push(...namesUsedIn(model, [definition.span], []));
    }
    frontier = next;
  }
  return definitions.filter((definition) => included.has(definition));
}

/** Every `VariableName` inside the ranges and outside the skipped spans. */
function namesUsedIn(model: MigrationModel, ranges: readonly Span[], skipped: readonly Span[]): Set<string> {
  const names = new Set<string>();
  for (const range of ranges) {
    model.tree.iterate({
      from: range.start,
      to: range.end,
      enter: (node) => {
        if (node.to <= range.start || node.from >= range.end) return false;
        if (skipped.some((span) => node.from >= span.start && node.to <= span.end)) return false;
        if (node.name === 'VariableName' && node.from >= range.start && node.to <= range.end) names.add(model.text.slice(node.from, node.to));
        return undefined;
      },
    });
  }
  return names;
}

/** The imports of this file that bind one of `names`, as the new file writes them. */
function importsFor(model: MigrationModel, names: ReadonlySet<string>): { plain: string[]; from: Map<string, Set<string>> } {
  const plain: string[] = [];
  const from = new Map<string, Set<string>>();
  for (const statement of findImportStatements(model)) {
    if (statement.fromModule !== undefined) {
      for (const imported of statement.names ?? []) {
        const written = model.text.slice(imported.from, imported.to).replace(/\s+/g, ' ');
        const local = written.split(' as ').pop()!.trim();
        if (!names.has(local)) continue;
        const set = from.get(statement.fromModule) ?? new Set<string>();
        set.add(written);
        from.set(statement.fromModule, set);
      }
      continue;
    }
    const written = model.text.slice(statement.node.from, statement.node.to).replace(/^import\s+/, '');
    for (const part of written.split(',').map((item) => item.trim().replace(/\s+/g, ' '))) {
      const local = part.includes(' as ') ? part.split(' as ').pop()! : part.split('.')[0]!;
      if (names.has(local)) plain.push(part);
    }
  }
  return { plain, from };
}

/** A definition's lines and the blank lines after it, so the file keeps its spacing once it is gone. */
function definitionLines(text: string, span: Span): Span {
  let end = span.end > 0 && text[span.end - 1] === '\n' ? span.end : nextLineStart(text, span.end);
  for (let guard = 0; guard < 10_000 && end < text.length; guard++) {
    const next = nextLineStart(text, end);
    if (text.slice(end, next).trim() !== '') break;
    end = next;
  }
  return { start: lineStart(text, span.start), end };
}
