// Before db_default, Django's `default=` never stays in the database: old code's INSERTs omit the new column and
// hit a NOT NULL column without a database default.
import { AUTO_FIELD_TYPES, effectiveDefault } from '../django/fields';
import type { FileRule } from './rule';
import { isNullable, isPrimaryKey, isUnique, presentArg } from '../django/columns';
import { kwargSpanOr, readAddedColumn, snippet } from './fieldFacts';
import { literalTruth, opArg, versionAtLeast } from '../django/operations';

export const addFieldNotNullPythonDefault: FileRule = {
  id: 'add-field-not-null-python-default',
  title: 'NOT NULL column added with a Python-only default',
  severity: 'warning',
  vendors: 'all',
  category: 'compatibility',
  scope: 'file',
  explanation: {
    summary:
      "`default=` is applied by Django in Python. To fill existing rows, AddField adds the column with a temporary `DEFAULT`, then drops it. From then on the column is NOT NULL without a database default, so the old code still running during the deploy (which INSERTs without the new column) fails until the new code is live.",
    sql: 'ALTER TABLE "shop_order" ADD COLUMN "is_gift" boolean DEFAULT false NOT NULL;\nALTER TABLE "shop_order" ALTER COLUMN "is_gift" DROP DEFAULT;',
    lock: 'ACCESS EXCLUSIVE on the table, brief on PostgreSQL >= 11 (constant defaults are stored in the catalog), queued behind every running query on it.',
    blocks: "Old code's INSERTs fail with `null value in column \"is_gift\" violates not-null constraint` between the migration and the switch to the new code.",
    rewrite: 'No rewrite on PostgreSQL >= 11 and MySQL 8 (instant ADD COLUMN); PostgreSQL < 11 rewrites the whole table.',
    safeAlternative:
      'On Django >= 5.0 use `db_default=` (a real database default that stays, so old INSERTs get the value). Before 5.0, add the column nullable first and make it NOT NULL in a later release, once no old code runs.',
    safeCode: `# Django >= 5.0: the database keeps the default
migrations.AddField(
    model_name="order",
    name="is_gift",
    field=models.BooleanField(db_default=False),
)

# Django < 5.0: nullable now, NOT NULL in the next release
migrations.AddField(
    model_name="order",
    name="is_gift",
    field=models.BooleanField(default=False, null=True),
)`,
    safeCodeLanguage: 'python',
    notReported: [
      '`db_default=` (a real database default)',
      'nullable fields and tables created in the same migration',
    ],
  },
  operations: ['AddField'],
  checkOperation(ctx, op) {
    const dbDefaultAvailable = versionAtLeast(ctx.config.djangoVersion, '5.0');
    const rewritesOnAdd = ctx.database === 'postgresql' && ctx.config.postgresVersion < 11;
    const added = readAddedColumn(ctx, op);
    if (!added) return;
    const field = added.after;
    if (AUTO_FIELD_TYPES.has(field.type) || field.type === 'GeneratedField') return;
    if (isNullable(field) !== false) return;
    if (presentArg(field, 'db_default')) return;
    const defaultExpr = presentArg(field, 'default');
    // Without default=, Django still fills existing rows where it can (its effective default), then drops it.
    const implicit = defaultExpr ? undefined : effectiveDefault(field);
    if (!defaultExpr && !implicit) return;
    // A unique column filled with one default value fails outright: add-field-callable-default-unique reports that.
    if (isUnique(field) !== false || isPrimaryKey(field) !== false) return;
    const oneOff = literalTruth(opArg(op, 'preserve_default')) === false ? ' (one-off default)' : '';
    const advice = dbDefaultAvailable ? 'use db_default= instead' : 'add it nullable first';
    const rewrite = rewritesOnAdd ? ` (PostgreSQL ${ctx.config.postgresVersion} also rewrites the whole table)` : '';
    const what = defaultExpr
      ? `default=${snippet(defaultExpr.text)}${oneOff} is Python-only`
      : `Django fills existing rows with ${implicit!.description} but keeps no database default`;
    ctx.report({
      span: defaultExpr ? kwargSpanOr(field, 'default', op.span) : op.span,
      message: `AddField ${added.label}: ${what}, so old code's INSERTs fail on the new NOT NULL column${rewrite}`,
      advice,
      operation: op,
    });
  },
};
