// Helpers shared by rules: reading operation arguments by Django's signatures, literal values, field attributes.
import type { CallExpr, Expr, Operation } from '../python/model';
import type { FieldDef } from '../state/types';
import type { FileContext } from './rule';

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

/** An operation's argument by Django's parameter name, whether passed by keyword or by position. */
export function opArg(op: Operation, param: string): Expr | undefined {
  const byKeyword = op.call.kwargs[param];
  if (byKeyword) return byKeyword;
  const position = OPERATION_PARAMS[op.name]?.indexOf(param) ?? -1;
  return position >= 0 ? op.call.args[position] : undefined;
}

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

/** A keyword argument's literal truth, with Django's default when the argument is absent. */
export function kwargFlag(call: { kwargs: Record<string, Expr> }, name: string, defaultValue: boolean): boolean | undefined {
  const expr = call.kwargs[name];
  return expr ? literalTruth(expr) : defaultValue;
}

/** Lower-cased model name an operation targets (`model_name` or `name` for model-level operations). */
export function targetModel(op: Operation): string | undefined {
  const value = stringValue(opArg(op, 'model_name')) ?? (isModelOperation(op.name) ? stringValue(opArg(op, 'name')) : undefined);
  return value?.toLowerCase();
}

function isModelOperation(name: string): boolean {
  return name === 'CreateModel' || name === 'DeleteModel' || name.startsWith('AlterModel') || name === 'AlterUniqueTogether' || name === 'AlterIndexTogether' || name === 'AlterOrderWithRespectTo';
}

/** The field call of AddField/AlterField (`field=models.X(...)`), when it is a call. */
export function fieldCall(op: Operation): CallExpr | undefined {
  const field = opArg(op, 'field');
  return field?.kind === 'call' ? field : undefined;
}

/** The last dotted part of a callee: `models.ForeignKey` -> `ForeignKey`. */
export function calleeName(call: CallExpr): string {
  const callee = call.callee;
  if (callee.kind === 'name') return callee.dotted.split('.').pop() ?? callee.dotted;
  return callee.text;
}

/** True when the table behind the operation's model exists before this migration (not created earlier in it). */
export function isExistingTable(ctx: FileContext, op: Operation): boolean {
  const model = targetModel(op);
  if (!model) return true;
  return !ctx.stateBefore(op).createdInSameMigration(ctx.file.app, model);
}

const RELATION_TYPES = new Set(['ForeignKey', 'OneToOneField', 'ForeignObject', 'ParentalKey', 'TreeForeignKey']);

export function isForeignKeyType(type: string): boolean {
  return RELATION_TYPES.has(type);
}

export function isManyToManyType(type: string): boolean {
  return type === 'ManyToManyField' || type === 'ParentalManyToManyField' || type === 'TaggableManager';
}

/** A FieldDef's keyword flag with Django's default (e.g. `null` defaults to False). Undefined when not literal. */
export function fieldFlag(field: FieldDef, name: string, defaultValue: boolean): boolean | undefined {
  return kwargFlag(field, name, defaultValue);
}
