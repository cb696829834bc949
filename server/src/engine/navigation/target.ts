// What the cursor is on in a migration file, for completion, definitions, references and history: a part of a
// dependency tuple, a model or field name given to an operation, the Migration class, an operation's name.
import { NESTED_OPERATION_PARAMS, opArg, stringValue } from '../django/operations';
import type { Dependency, Expr, MigrationModel, Operation, Span } from '../python/model';

export type DependencyList = 'dependencies' | 'run_before' | 'replaces';

/** A model or field as an operation names it; `before`/`after` differ only for the renames. */
export interface NamedSubject {
  model: { before: string; after: string };
  field?: { before: string; after: string };
}

export type CursorTarget =
  | {
      kind: 'dependency';
      list: DependencyList;
      dependency: Dependency;
      part: 'app' | 'name';
      /** The app label as written (the first string of the tuple), '' when not typed yet. */
      app: string;
      name: string;
      /** The text inside the quotes of the part under the cursor (what a completion replaces). */
      content: Span;
    }
  | {
      kind: 'name';
      op: Operation;
      param: string;
      /** What the name refers to: a model of the migration's app, or a field of one. */
      refers: 'model' | 'field';
      /** True when the operation introduces this name (CreateModel, AddField, the new name of a rename). */
      introduces: boolean;
      subject: NamedSubject;
      content: Span;
    }
  | { kind: 'migration-class' }
  | { kind: 'operation'; op: Operation };

/** Operations whose `name` is a model name (the others' `name` is a field, an index or a constraint). */
const MODEL_NAME_OPERATIONS = new Set([
  'CreateModel',
  'DeleteModel',
  'AlterModelTable',
  'AlterModelTableComment',
  'AlterModelOptions',
  'AlterModelManagers',
  'AlterUniqueTogether',
  'AlterIndexTogether',
  'AlterOrderWithRespectTo',
]);
const FIELD_NAME_OPERATIONS = new Set(['AddField', 'AlterField', 'RemoveField']);

/** The model an operation targets, lower-cased (`model_name`, or `name` of model operations, `old_name` of RenameModel). */
export function operationModel(op: Operation): string | undefined {
  const written = stringValue(opArg(op, 'model_name')) ?? (MODEL_NAME_OPERATIONS.has(op.name) ? stringValue(opArg(op, 'name')) : undefined) ?? (op.name === 'RenameModel' ? stringValue(opArg(op, 'old_name')) : undefined);
  return written?.toLowerCase();
}

/** The field an operation targets, lower-cased (`name` of AddField/AlterField/RemoveField, `old_name` of RenameField). */
export function operationField(op: Operation): string | undefined {
  if (FIELD_NAME_OPERATIONS.has(op.name)) return stringValue(opArg(op, 'name'))?.toLowerCase();
  if (op.name === 'RenameField') return stringValue(opArg(op, 'old_name'))?.toLowerCase();
  return undefined;
}

export function cursorTarget(model: MigrationModel, offset: number): CursorTarget | undefined {
  const migrationClass = model.migrationClass;
  if (migrationClass && within(migrationClass.nameSpan, offset)) return { kind: 'migration-class' };
  const dependency = dependencyTarget(model, offset);
  if (dependency) return dependency;
  const op = innermostOperation(model, offset);
  if (!op) return undefined;
  if (within(op.nameSpan, offset)) return { kind: 'operation', op };
  return nameTarget(model, op, offset);
}

/** The innermost operation whose call contains the offset. */
export function innermostOperation(model: MigrationModel, offset: number): Operation | undefined {
  let best: Operation | undefined;
  for (const op of model.allOperations) {
    if (op.span.start <= offset && offset <= op.span.end && (!best || op.span.end - op.span.start < best.span.end - best.span.start)) best = op;
  }
  return best;
}

/** True when the offset sits where an operation may be written: an operations list, not inside an operation's arguments. */
export function inOperationList(model: MigrationModel, offset: number): boolean {
  const span = model.migrationClass?.operationsSpan;
  if (!span || offset <= span.start || offset >= span.end) return false;
  const enclosing = model.allOperations.filter((op) => op.span.start < offset && offset < op.span.end);
  return enclosing.every((op) => (NESTED_OPERATION_PARAMS[op.name] ?? []).some((param) => {
    const list = opArg(op, param);
    return list !== undefined && list.span.start < offset && offset < list.span.end;
  }));
}

function nameTarget(model: MigrationModel, op: Operation, offset: number): CursorTarget | undefined {
  for (const param of ['model_name', 'name', 'old_name', 'new_name']) {
    const expr = opArg(op, param);
    if (expr?.kind !== 'string' || expr.formatted || !within(expr.span, offset)) continue;
    const content = stringContent(model.text, expr.span);
    if (!within(content, offset)) continue;
    const value = expr.value.toLowerCase();
    if (param === 'model_name') return named(op, param, 'model', false, { model: same(value) }, content);
    if (MODEL_NAME_OPERATIONS.has(op.name) && param === 'name') return named(op, param, 'model', op.name === 'CreateModel', { model: same(value) }, content);
    if (op.name === 'RenameModel') {
      const renamed = renamePair(op);
      return renamed ? named(op, param, 'model', param === 'new_name', { model: renamed }, content) : undefined;
    }
    const modelName = operationModel(op);
    if (!modelName) return undefined;
    if (FIELD_NAME_OPERATIONS.has(op.name) && param === 'name') return named(op, param, 'field', op.name === 'AddField', { model: same(modelName), field: same(value) }, content);
    if (op.name === 'RenameField' && param !== 'name') {
      const renamed = renamePair(op);
      return renamed ? named(op, param, 'field', param === 'new_name', { model: same(modelName), field: renamed }, content) : undefined;
    }
    return undefined;
  }
  if (op.name === 'CreateModel') return createdFieldTarget(model, op, offset);
  return undefined;
}

/** A field name in CreateModel's `fields` list. */
function createdFieldTarget(model: MigrationModel, op: Operation, offset: number): CursorTarget | undefined {
  const modelName = stringValue(opArg(op, 'name'))?.toLowerCase();
  const fields = opArg(op, 'fields');
  if (!modelName || !fields || (fields.kind !== 'list' && fields.kind !== 'tuple')) return undefined;
  for (const item of fields.items) {
    if ((item.kind !== 'tuple' && item.kind !== 'list') || item.items.length < 2) continue;
    const nameExpr = item.items[0] as Expr;
    if (nameExpr.kind !== 'string' || nameExpr.formatted || !within(nameExpr.span, offset)) continue;
    return named(op, 'fields', 'field', true, { model: same(modelName), field: same(nameExpr.value.toLowerCase()) }, stringContent(model.text, nameExpr.span));
  }
  return undefined;
}

function named(op: Operation, param: string, refers: 'model' | 'field', introduces: boolean, subject: NamedSubject, content: Span): CursorTarget {
  return { kind: 'name', op, param, refers, introduces, subject, content };
}

function same(name: string): { before: string; after: string } {
  return { before: name, after: name };
}

function renamePair(op: Operation): { before: string; after: string } | undefined {
  const before = stringValue(opArg(op, 'old_name'))?.toLowerCase();
  const after = stringValue(opArg(op, 'new_name'))?.toLowerCase();
  return before !== undefined && after !== undefined ? { before, after } : undefined;
}

function dependencyTarget(model: MigrationModel, offset: number): CursorTarget | undefined {
  const migrationClass = model.migrationClass;
  if (!migrationClass) return undefined;
  const lists: [DependencyList, readonly Dependency[]][] = [
    ['dependencies', migrationClass.dependencies],
    ['run_before', migrationClass.runBefore],
    ['replaces', migrationClass.replaces],
  ];
  for (const [list, dependencies] of lists) {
    const dependency = dependencies.find((candidate) => within(candidate.span, offset));
    if (!dependency) continue;
    // Read the tuple's strings from the text: while it is being typed it may not be a full (app, name) pair yet.
    const strings = stringLiterals(model.text, dependency.span);
    const index = strings.findIndex((literal) => within(literal.content, offset));
    if (index < 0 || index > 1 || (dependency.dynamic && strings.length > 2)) return undefined;
    if (model.text.slice(dependency.span.start, dependency.span.end).includes('swappable_dependency')) return undefined;
    const app = strings[0]?.value ?? '';
    const name = strings[1]?.value ?? '';
    return { kind: 'dependency', list, dependency, part: index === 0 ? 'app' : 'name', app, name, content: (strings[index] as StringLiteral).content };
  }
  return undefined;
}

interface StringLiteral {
  value: string;
  content: Span;
}

/** Plain one-line string literals in a span of text (escapes kept as written: app labels and names have none). */
function stringLiterals(text: string, span: Span): StringLiteral[] {
  const found: StringLiteral[] = [];
  let at = span.start;
  while (at < span.end) {
    const char = text[at];
    if (char === '#') {
      const newline = text.indexOf('\n', at);
      at = newline < 0 ? span.end : newline;
      continue;
    }
    if (char !== '"' && char !== "'") {
      at++;
      continue;
    }
    let end = at + 1;
    while (end < span.end && text[end] !== char && text[end] !== '\n') end += text[end] === '\\' ? 2 : 1;
    const closed = end < span.end && text[end] === char;
    found.push({ value: text.slice(at + 1, Math.min(end, span.end)), content: { start: at + 1, end: Math.min(end, span.end) } });
    at = closed ? end + 1 : end;
  }
  return found;
}

/** The span inside a string literal's quotes (prefixes like `r` and triple quotes skipped). */
export function stringContent(text: string, span: Span): Span {
  let start = span.start;
  while (start < span.end && /[rRbBuUfF]/.test(text[start] ?? '')) start++;
  const quote = text.startsWith('"""', start) || text.startsWith("'''", start) ? text.slice(start, start + 3) : (text[start] ?? '');
  start += quote.length;
  const end = quote !== '' && span.end - quote.length >= start && text.slice(span.end - quote.length, span.end) === quote ? span.end - quote.length : span.end;
  return { start, end: Math.max(start, end) };
}

export function within(span: Span, offset: number): boolean {
  return span.start <= offset && offset <= span.end;
}
