// The per-analysis readers that pair an operation's field with the replayed state (the field before and after an
// AddField or AlterField, what the change does), for rules. What Django and the database do with a field lives in
// django/fields.ts and django/columns.ts; these only combine them with the state before the operation.
import type { Database } from '../config/types';
import { changesSchema, columnType, compareColumnTypes, relatedFieldResolver, schemaChange, type RelatedFieldResolver, type SchemaChange, type TypeChange } from '../django/columns';
import { fieldShape, hasColumn } from '../django/fields';
import { togetherSets } from '../django/modelOptions';
import { fieldCall, opArg, targetFieldName } from '../django/operations';
import type { Operation, Span } from '../python/model';
import type { FieldDef, ModelState } from '../state/types';
import { changesExistingTable, modelNames, perOperationFact } from './operationFacts';
import type { FileContext, ModelNames } from './rule';

// --- reading AddField/AlterField operations against the replayed state ---

/** The model and field an operation names (RenameField: its `old_name`), with the field as the state knows it. */
export interface FieldTarget {
  names: ModelNames;
  fieldName: string;
  /** `shop.Order.total`. */
  label: string;
  /** The definition right before the operation (see previousField); undefined when unknown, and for AddField. */
  before?: FieldDef;
}

export const readFieldTarget = perOperationFact((ctx: FileContext, op: Operation): FieldTarget | undefined => {
  const names = modelNames(ctx, op);
  const fieldName = targetFieldName(op);
  if (!names || !fieldName) return undefined;
  const target: FieldTarget = { names, fieldName, label: `${names.label}.${fieldName}` };
  const before = op.name === 'AddField' ? undefined : previousField(ctx, op, names.key, fieldName);
  if (before) target.before = before;
  return target;
});

/** An AddField/AlterField read together with the state: the new definition and, for AlterField, the previous one. */
export interface FieldOperation extends FieldTarget {
  after: FieldDef;
  resolveRelated: RelatedFieldResolver;
}

export const readFieldOperation = perOperationFact((ctx: FileContext, op: Operation): FieldOperation | undefined => {
  const call = fieldCall(op);
  const target = call ? readFieldTarget(ctx, op) : undefined;
  if (!call || !target) return undefined;
  return { ...target, after: fieldShape(call), resolveRelated: relatedFieldResolver(ctx.stateBefore(op), target.names.app, target.names.key) };
});

/** An AddField that adds a column to a table that holds rows (see changesExistingTable). */
export const readAddedColumn = perOperationFact((ctx: FileContext, op: Operation): FieldOperation | undefined => {
  if (op.name !== 'AddField' || !changesExistingTable(ctx, op)) return undefined;
  const added = readFieldOperation(ctx, op);
  return added && hasColumn(added.after) ? added : undefined;
});

/** An AlterField of a column whose previous definition is known (see previousField): both definitions have a column. */
export interface AlteredColumn extends FieldOperation {
  before: FieldDef;
}

/**
 * An AlterField of a table that holds rows, when the previous definition is known. makemigrations repeats every
 * attribute (null=True, unique=True, db_index=True...) on each AlterField, so without history nothing is a change.
 */
export const readAlteredColumn = perOperationFact((ctx: FileContext, op: Operation): AlteredColumn | undefined => {
  if (op.name !== 'AlterField' || !changesExistingTable(ctx, op)) return undefined;
  const change = readFieldOperation(ctx, op);
  const before = change?.before;
  if (!change || !before || !hasColumn(before) || !hasColumn(change.after)) return undefined;
  return { ...change, before };
});

/** The schema facets an AlterField changes, judged against the replayed previous definition; undefined when unknown. */
export function alterFieldSchemaChange(ctx: FileContext, op: Operation): SchemaChange | undefined {
  const altered = readAlteredColumn(ctx, op);
  return altered ? schemaChange(altered.fieldName, altered.before, altered.after, ctx.database, altered.resolveRelated) : undefined;
}

/** An AlterField that changes only what Django keeps in Python (choices, help_text, blank, validators...): no SQL. */
export function alterFieldEmitsNoSql(ctx: FileContext, op: Operation): boolean {
  const change = alterFieldSchemaChange(ctx, op);
  return change !== undefined && changesSchema(change) === false;
}

/**
 * An AlterField whose statements can run again after a failure half way: type, NULL, default and collation changes
 * are set-to-a-value statements; creating or dropping an index, a constraint or renaming the column are not.
 */
export function alterFieldRerunnable(ctx: FileContext, op: Operation): boolean {
  const change = alterFieldSchemaChange(ctx, op);
  if (!change || changesSchema(change) === undefined) return false;
  return !(change.indexChanged || change.uniqueChanged || change.primaryKeyChanged || change.columnChanged || change.foreignKeyChanged);
}

/** What an AlterField does to the column type on the vendor; undefined when the previous definition or a type is unknown. */
export function columnTypeChange(change: FieldOperation, database: Database): TypeChange | undefined {
  if (!change.before) return undefined;
  const before = columnType(change.before, database, change.resolveRelated);
  const after = columnType(change.after, database, change.resolveRelated);
  return before && after ? compareColumnTypes(before, after, database) : undefined;
}

/** The span of a keyword argument of the field call when present, else the operation's. */
export function kwargSpanOr(field: FieldDef, name: string, fallback: Span): Span {
  return field.call?.kwargSpans[name] ?? fallback;
}

/** Source text shortened for a one-line message. */
export function snippet(text: string, max = 40): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 3)}...`;
}

/**
 * The field-name sets an AlterUniqueTogether / AlterIndexTogether adds to the model's option as the state knows it
 * (see previousModel). Undefined for other operations and when either side cannot be read.
 */
export function addedTogetherSets(ctx: FileContext, op: Operation): { names: ModelNames; added: string[] } | undefined {
  const option = op.name === 'AlterUniqueTogether' ? 'unique_together' : op.name === 'AlterIndexTogether' ? 'index_together' : undefined;
  const names = modelNames(ctx, op);
  const model = option && names ? previousModel(ctx, op, names.key) : undefined;
  if (!option || !names || !model) return undefined;
  const before = togetherSets(model.options[option]);
  const after = togetherSets(opArg(op, option));
  if (!before || !after) return undefined;
  return { names, added: [...after].filter((set) => !before.has(set)) };
}

/**
 * A field as the state knows it right before `op`, but only when the app's history up to there is complete (with a
 * migration missing or unparsable in between, the replayed definition may be stale) and its definition is readable.
 */
function previousField(ctx: FileContext, op: Operation, modelKey: string, fieldName: string): FieldDef | undefined {
  const state = ctx.stateBefore(op);
  if (!state.historyComplete(ctx.file.app)) return undefined;
  const field = state.field(ctx.file.app, modelKey, fieldName);
  // A definition that is not a readable call (`FIELD` bound elsewhere) says nothing about its attributes.
  return field?.call ? field : undefined;
}

/** A model of the operation's app as the state knows it right before `op`, under the same condition as previousField. */
export function previousModel(ctx: FileContext, op: Operation, modelKey: string): ModelState | undefined {
  const state = ctx.stateBefore(op);
  return state.historyComplete(ctx.file.app) ? state.model(ctx.file.app, modelKey) : undefined;
}
