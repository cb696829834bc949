// A NOT NULL column without any default cannot be added to a table that has rows, and the old code's INSERTs
// (which do not know the column) fail on it afterwards.
import { AUTO_FIELD_TYPES, effectiveDefault } from '../django/fields';
import type { DeclaredFix, FileRule } from './rule';
import { setKeywordArgument } from '../fixes/operations';
import { isNullable, presentArg } from '../django/columns';
import { readAddedColumn } from './fieldFacts';
import { versionAtLeast } from '../django/operations';

export const addFieldNotNullNoDefault: FileRule = {
  id: 'add-field-not-null-no-default',
  title: 'NOT NULL column added without a default',
  severity: 'error',
  vendors: 'all',
  category: 'compatibility',
  scope: 'file',
  explanation: {
    summary:
      'Adding a NOT NULL column with no default fails outright on a table that already has rows (`column contains null values`). Even on an empty table, the old code still running during the deploy INSERTs rows without the new column and every such INSERT fails.',
    sql: 'ALTER TABLE "shop_order" ADD COLUMN "total" numeric(10, 2) NOT NULL;',
    lock: 'ACCESS EXCLUSIVE on the table, brief when it succeeds, queued behind every running query on it.',
    blocks: "The migration fails on a table with rows; afterwards old code's INSERTs fail with `null value in column \"total\" violates not-null constraint`.",
    rewrite: 'No rewrite (the statement fails before any row is touched when rows exist).',
    safeAlternative:
      'Add the column nullable (`null=True`), backfill it in batches, then make it NOT NULL safely (see `alter-field-set-not-null`). On Django >= 5.0 a `db_default=` gives the column a real database default, so the table can be filled in place and old INSERTs keep working.',
    safeCode: `# 0008: nullable first, no lock beyond a brief catalog change
migrations.AddField(
    model_name="order",
    name="total",
    field=models.DecimalField(max_digits=10, decimal_places=2, null=True),
)

# 0009 (separate migration, atomic = False): backfill in batches with RunPython
# 0010: NOT NULL once every row has a value (on PostgreSQL via a NOT VALID check first)

# Or, on Django >= 5.0, one step with a database default:
migrations.AddField(
    model_name="order",
    name="total",
    field=models.DecimalField(max_digits=10, decimal_places=2, db_default=0),
)`,
    safeCodeLanguage: 'python',
    notReported: [
      '`blank=True` string fields and `auto_now`/`auto_now_add` dates: Django fills existing rows itself (its effective default), so add-field-not-null-python-default reports them',
      "many-to-many fields, Django's and third-party (taggit, modelcluster, sortedm2m, any `through=`): they add no column",
      'squashes whose replaced migrations are gone: only fresh, empty databases run them',
    ],
  },
  operations: ['AddField'],
  checkOperation(ctx, op) {
    const dbDefaultAvailable = versionAtLeast(ctx.config.djangoVersion, '5.0');
    const added = readAddedColumn(ctx, op);
    if (!added) return;
    const field = added.after;
    // Auto fields fill themselves from a sequence and generated fields compute their value.
    if (AUTO_FIELD_TYPES.has(field.type) || field.type === 'GeneratedField') return;
    if (field.call?.hasStarArgs || isNullable(field) !== false) return;
    if (presentArg(field, 'default') || presentArg(field, 'db_default')) return;
    // Django fills existing rows itself ('' for blank strings, now() for auto_now): add-field-not-null-python-default's case.
    if (effectiveDefault(field)) return;
    const fixes: DeclaredFix[] = [];
    if (field.call && !field.kwargs['null']) fixes.push({ title: 'Add null=True to the field', safe: false, edits: setKeywordArgument(ctx.file, field.call, 'null', 'True') });
    const advice = dbDefaultAvailable ? 'add null=True and backfill, or give it a db_default' : 'add null=True and backfill';
    ctx.report({
      span: op.span,
      message: `AddField ${added.label}: NOT NULL column without a default fails on a table with rows and breaks old code's INSERTs`,
      advice,
      operation: op,
      fixes,
    });
  },
};
