// Django's migration operations as their classes define them: positional parameters in order (after `self`), so an
// argument is found whether it was passed by keyword or by position (old makemigrations output, hand-written code).
// The model builder, state replay and rules all read operations through here.
import type { CallExpr, Expr, Operation } from '../python/model';
import type { FieldDef } from '../state/types';

/** Positional parameter names of Django's migration operations (after `self`). */
const OPERATION_PARAMS: Record<string, readonly string[]> = {
  CreateModel: ['name', 'fields', 'options', 'bases', 'managers'],
  DeleteModel: ['name'],
  RenameModel: ['old_name', 'new_name'],
  AlterModelTable: ['name', 'table'],
  AlterModelTableComment: ['name', 'table_comment'],
  AlterModelOptions: ['name', 'options'],
  AlterModelManagers: ['name', 'managers'],
  AlterUniqueTogether: ['name', 'unique_together'],
  AlterIndexTogether: ['name', 'index_together'],
  AlterOrderWithRespectTo: ['name', 'order_with_respect_to'],
  AddField: ['model_name', 'name', 'field', 'preserve_default'],
  RemoveField: ['model_name', 'name'],
  AlterField: ['model_name', 'name', 'field', 'preserve_default'],
  RenameField: ['model_name', 'old_name', 'new_name'],
  AddIndex: ['model_name', 'index'],
  RemoveIndex: ['model_name', 'name'],
  RenameIndex: ['model_name', 'new_name', 'old_name', 'old_fields'],
  AddIndexConcurrently: ['model_name', 'index'],
  RemoveIndexConcurrently: ['model_name', 'name'],
  AddConstraint: ['model_name', 'constraint'],
  RemoveConstraint: ['model_name', 'name'],
  AlterConstraint: ['model_name', 'name', 'constraint'],
  AddConstraintNotValid: ['model_name', 'constraint'],
  ValidateConstraint: ['model_name', 'name'],
  RunSQL: ['sql', 'reverse_sql', 'state_operations', 'hints', 'elidable'],
  RunPython: ['code', 'reverse_code', 'atomic', 'hints', 'elidable'],
  SeparateDatabaseAndState: ['database_operations', 'state_operations'],
};

/**
 * The operation classes `django.db.migrations` exports, with the arguments a new one should be written with: the
 * required ones, plus the reverse of RunSQL / RunPython (without it the migration cannot be rolled back). Strings
 * are names (written quoted); the others are expressions. The PostgreSQL ones (AddIndexConcurrently, ...) live in
 * django.contrib.postgres.operations and are not offered after `migrations.`.
 */
export const MIGRATIONS_MODULE_OPERATIONS: Record<string, readonly { param: string; string: boolean; placeholder?: string }[]> = {
  CreateModel: [{ param: 'name', string: true }, { param: 'fields', string: false, placeholder: '[]' }],
  DeleteModel: [{ param: 'name', string: true }],
  RenameModel: [{ param: 'old_name', string: true }, { param: 'new_name', string: true }],
  AlterModelTable: [{ param: 'name', string: true }, { param: 'table', string: true }],
  AlterModelTableComment: [{ param: 'name', string: true }, { param: 'table_comment', string: true }],
  AlterModelOptions: [{ param: 'name', string: true }, { param: 'options', string: false, placeholder: '{}' }],
  AlterModelManagers: [{ param: 'name', string: true }, { param: 'managers', string: false, placeholder: '[]' }],
  AlterUniqueTogether: [{ param: 'name', string: true }, { param: 'unique_together', string: false, placeholder: 'set()' }],
  AlterIndexTogether: [{ param: 'name', string: true }, { param: 'index_together', string: false, placeholder: 'set()' }],
  AlterOrderWithRespectTo: [{ param: 'name', string: true }, { param: 'order_with_respect_to', string: true }],
  AddField: [{ param: 'model_name', string: true }, { param: 'name', string: true }, { param: 'field', string: false, placeholder: 'models.Field()' }],
  RemoveField: [{ param: 'model_name', string: true }, { param: 'name', string: true }],
  AlterField: [{ param: 'model_name', string: true }, { param: 'name', string: true }, { param: 'field', string: false, placeholder: 'models.Field()' }],
  RenameField: [{ param: 'model_name', string: true }, { param: 'old_name', string: true }, { param: 'new_name', string: true }],
  AddIndex: [{ param: 'model_name', string: true }, { param: 'index', string: false, placeholder: 'models.Index(fields=[], name="")' }],
  RemoveIndex: [{ param: 'model_name', string: true }, { param: 'name', string: true }],
  RenameIndex: [{ param: 'model_name', string: true }, { param: 'new_name', string: true }, { param: 'old_name', string: true }],
  AddConstraint: [{ param: 'model_name', string: true }, { param: 'constraint', string: false, placeholder: 'models.CheckConstraint()' }],
  RemoveConstraint: [{ param: 'model_name', string: true }, { param: 'name', string: true }],
  RunSQL: [{ param: 'sql', string: false, placeholder: '""' }, { param: 'reverse_sql', string: false, placeholder: '""' }],
  RunPython: [{ param: 'code', string: false, placeholder: 'forwards' }, { param: 'reverse_code', string: false, placeholder: 'backwards' }],
  SeparateDatabaseAndState: [{ param: 'database_operations', string: false, placeholder: '[]' }, { param: 'state_operations', string: false, placeholder: '[]' }],
};

/** An operation's argument by Django's parameter name, whether passed by keyword or by position. */
export function opArg(op: Operation, param: string): Expr | undefined {
  const byKeyword = op.call.kwargs[param];
  if (byKeyword) return byKeyword;
  const position = OPERATION_PARAMS[op.name]?.indexOf(param) ?? -1;
  return position >= 0 ? op.call.args[position] : undefined;
}

/** Operations whose arguments hold further operations, with where those lists sit (by keyword, else by position). */
export const NESTED_OPERATION_PARAMS: Record<string, readonly ('database_operations' | 'state_operations')[]> = {
  SeparateDatabaseAndState: ['database_operations', 'state_operations'],
  RunSQL: ['state_operations'],
};

/** The string value of a literal expression, else undefined. */
export function stringValue(expr: Expr | undefined): string | undefined {
  return expr?.kind === 'string' && !expr.formatted ? expr.value : undefined;
}

/** The boolean meaning of a literal (`True`, `False`, `None`, numbers, strings); undefined when not literal. */
export function literalTruth(expr: Expr | undefined): boolean | undefined {
  if (!expr) return undefined;
  switch (expr.kind) {
    case 'bool':
      return expr.value;
    case 'none':
      return false;
    case 'number':
      return expr.value !== 0;
    case 'string':
      return expr.formatted ? undefined : expr.value.length > 0;
    default:
      return undefined;
  }
}

/** The last dotted part of a callee: `models.ForeignKey` -> `ForeignKey`. */
export function calleeName(call: CallExpr): string {
  const callee = call.callee;
  if (callee.kind === 'name') return callee.dotted.slice(callee.dotted.lastIndexOf('.') + 1);
  return callee.text;
}

/**
 * A keyword flag of a field call or FieldDef with Django's default when absent (e.g. `null` defaults to False).
 * Undefined when not a literal, or absent from a call that also passes `**kwargs` (the flag may hide there).
 */
export function kwargFlag(field: CallExpr | FieldDef, name: string, defaultValue: boolean): boolean | undefined {
  const expr = field.kwargs[name];
  if (expr) return literalTruth(expr);
  const starArgs = 'hasStarArgs' in field ? field.hasStarArgs : field.call?.hasStarArgs;
  return starArgs ? undefined : defaultValue;
}

/** True when a dotted version such as "4.2" is at least `minimum` ("5.0"); unparsable parts count as 0. */
export function versionAtLeast(version: string, minimum: string): boolean {
  const have = version.split('.').map((part) => parseInt(part, 10) || 0);
  const want = minimum.split('.').map((part) => parseInt(part, 10) || 0);
  for (let index = 0; index < Math.max(have.length, want.length); index++) {
    const a = have[index] ?? 0;
    const b = want[index] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}

// --- what an operation targets, by the same signatures ---

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

// --- whether an operation reaches the database ---

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
