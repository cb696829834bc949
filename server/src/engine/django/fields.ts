// Field classes as Django's schema editor treats them: which ones own a column, which are many-to-many (a join
// table), and the value Django fills existing rows with when a NOT NULL column is added without a default
// (BaseDatabaseSchemaEditor._effective_default). Third-party classes that subclass Django's are listed by name.
import type { CallExpr, Expr } from '../python/model';
import type { FieldDef } from '../state/types';
import { calleeName, stringValue } from './operations';

/** What these helpers read of a field: its class and keyword arguments (a FieldDef or a field call's shape). */
export interface FieldClassInfo {
  type: string;
  qualifiedType?: string;
  kwargs: Record<string, Expr>;
}

export const AUTO_FIELD_TYPES: ReadonlySet<string> = new Set(['AutoField', 'BigAutoField', 'SmallAutoField']);

/**
 * Many-to-many classes: Django's, and the common third-party subclasses (django-taggit, modelcluster, sortedm2m).
 * They add a join table and no column to the model's own table.
 */
const MANY_TO_MANY_CLASSES = new Set(['ManyToManyField', 'ParentalManyToManyField', 'TaggableManager', 'ClusterTaggableManager', 'SortedManyToManyField']);

/** Qualified names of M2M classes whose short name is ambiguous (django-tagging's TagField is a CharField). */
const MANY_TO_MANY_QUALIFIED = new Set(['tagulous.models.TagField', 'tagulous.models.fields.TagField', 'tagulous.models.tagged.TagField']);

/** True for many-to-many fields: known classes, subclasses named `...ManyToManyField` or `...TaggableManager`, or any field given `through=` (only M2M fields take it). */
export function isManyToMany(field: { type: string; qualifiedType?: string; kwargs?: Record<string, Expr> }): boolean {
  if (MANY_TO_MANY_CLASSES.has(field.type) || (field.qualifiedType !== undefined && MANY_TO_MANY_QUALIFIED.has(field.qualifiedType))) return true;
  if (/ManyToManyField$|TaggableManager$/.test(field.type)) return true;
  return field.kwargs?.['through'] !== undefined && !FOREIGN_KEY_COLUMN_TYPES.has(field.type);
}

/** Relation classes that own a `<name>_id` column (ForeignObject and generic relations have none). */
const FOREIGN_KEY_COLUMN_TYPES = new Set(['ForeignKey', 'OneToOneField', 'ParentalKey', 'TreeForeignKey', 'TreeOneToOneField', 'SingleTagField']);

export function hasForeignKeyColumn(field: { type: string }): boolean {
  return FOREIGN_KEY_COLUMN_TYPES.has(field.type);
}

/**
 * False for fields without a column of their own on the model's table: many-to-many (a separate table),
 * ForeignObject and GenericRelation (they reuse other columns), CompositePrimaryKey (a constraint over other fields).
 */
export function hasColumn(field: { type: string; qualifiedType?: string; kwargs?: Record<string, Expr> }): boolean {
  return !isManyToMany(field) && field.type !== 'ForeignObject' && field.type !== 'GenericRelation' && field.type !== 'CompositePrimaryKey';
}

/**
 * Classes whose `empty_strings_allowed` is True, so that `blank=True` without `null` makes Django fill existing
 * rows with '' (b'' for BinaryField): Django's string-like fields and third-party CharField/TextField subclasses.
 */
const EMPTY_STRING_CLASSES = new Set([
  'CharField',
  'TextField',
  'SlugField',
  'EmailField',
  'URLField',
  'FileField',
  'ImageField',
  'FilePathField',
  'CommaSeparatedIntegerField',
  'BinaryField',
  'CICharField',
  'CIEmailField',
  'CITextField',
  // Third-party subclasses of CharField / TextField.
  'CountryField',
  'PhoneNumberField',
  'RichTextField',
  'HTMLField',
  'MarkdownxField',
  'ColorField',
  'TimeZoneField',
  'AutoSlugField',
  'ThumbnailerImageField',
  'VersatileImageField',
]);

const DATE_TIME_CLASSES = new Set(['DateTimeField', 'DateField', 'TimeField']);

/** What Django writes into existing rows when it adds this NOT NULL column without `default=`. */
export interface EffectiveDefault {
  /** How messages say it: `'' (blank=True)`, `the current time (auto_now)`. */
  description: string;
}

/**
 * Django's `_effective_default` for a field without `default`: '' for a `blank=True` string field that is not
 * nullable, now() for `auto_now` / `auto_now_add` date and time fields. Undefined when Django would add the
 * column with no value for existing rows (the ADD COLUMN then fails on a table with rows), or when it cannot be told.
 */
export function effectiveDefault(field: FieldClassInfo): EffectiveDefault | undefined {
  if (literal(field.kwargs['blank']) === true && literal(field.kwargs['null']) !== true && EMPTY_STRING_CLASSES.has(field.type)) {
    return { description: field.type === 'BinaryField' ? "b'' (blank=True)" : "'' (blank=True)" };
  }
  if (DATE_TIME_CLASSES.has(field.type)) {
    const flag = literal(field.kwargs['auto_now']) === true ? 'auto_now' : literal(field.kwargs['auto_now_add']) === true ? 'auto_now_add' : undefined;
    if (flag) return { description: `the current ${field.type === 'DateField' ? 'date' : field.type === 'TimeField' ? 'time of day' : 'time'} (${flag})` };
  }
  return undefined;
}

function literal(expr: Expr | undefined): boolean | undefined {
  if (!expr) return undefined;
  if (expr.kind === 'bool') return expr.value;
  if (expr.kind === 'none') return false;
  if (expr.kind === 'number') return expr.value !== 0;
  return undefined;
}

/**
 * The column a field creates: `db_column` when given (not None), else the field name (`<name>_id` for foreign keys).
 * Undefined when the field has no column of its own or `db_column` is not a literal.
 */
export function fieldColumnName(fieldName: string, field: { type: string; kwargs: Record<string, Expr> }): string | undefined {
  if (!hasColumn(field)) return undefined;
  const dbColumn = field.kwargs['db_column'];
  if (dbColumn && dbColumn.kind !== 'none') return stringValue(dbColumn);
  return hasForeignKeyColumn(field) ? `${fieldName}_id` : fieldName;
}

/** A field call written in an operation (`field=models.CharField(...)`) as a FieldDef, like the replayed state's. */
export function fieldShape(call: CallExpr): FieldDef {
  const callee = call.callee;
  return { type: calleeName(call), qualifiedType: callee.kind === 'name' ? callee.qualified : callee.text, call, kwargs: call.kwargs };
}
