// A column type change that PostgreSQL cannot do in the catalog rewrites the table and every index on it while
// holding an ACCESS EXCLUSIVE lock.
import type { FileRule } from './rule';
import { canonicalText, isPrimaryKey } from '../django/columns';
import { columnTypeChange, kwargSpanOr, readAlteredColumn } from './fieldFacts';
import { stringValue } from '../django/operations';

export const alterFieldType: FileRule = {
  id: 'alter-field-type',
  title: 'AlterField changes the column type and rewrites the table',
  severity: 'error',
  vendors: 'all',
  category: 'locking',
  scope: 'file',
  explanation: {
    summary:
      'Most column type changes (integer to bigint, shortening a varchar, changing a decimal scale, text to integer, a new collation) make PostgreSQL rewrite the whole table and rebuild every index on it under an ACCESS EXCLUSIVE lock: nothing can read or write the table until it finishes, and values that do not convert make it fail. Growing a varchar, varchar to text and raising a decimal\'s precision are catalog-only and are not reported. The previous definition comes from replaying the app\'s migrations; when it is unknown this rule stays silent rather than guess.',
    sql: 'ALTER TABLE "shop_order" ALTER COLUMN "quantity" TYPE bigint USING "quantity"::bigint;',
    lock: 'ACCESS EXCLUSIVE on the table for the whole rewrite and index rebuild, held until the migration commits.',
    blocks: 'All reads and writes of the table; old code may also break on the new type (e.g. values that no longer fit).',
    rewrite: 'PostgreSQL: full table rewrite plus every index. MySQL: table copy (ALGORITHM=COPY). SQLite: the table is copied anyway; values are converted when the type affinity changes.',
    safeAlternative:
      'Expand and contract: add a new column of the new type, write both columns from the code (or a trigger), backfill in batches, switch reads to the new column, then drop the old one in a later release.',
    safeCode: `# 0008: the new column, nullable (no rewrite)
migrations.AddField(
    model_name="order",
    name="quantity_big",
    field=models.BigIntegerField(null=True),
)

# 0009 (atomic = False): backfill in batches while the code writes both columns
def copy_quantity(apps, schema_editor):
    Order = apps.get_model("shop", "Order")
    last_pk = 0
    while True:
        pks = list(Order.objects.filter(pk__gt=last_pk).order_by("pk").values_list("pk", flat=True)[:5000])
        if not pks:
            break
        Order.objects.filter(pk__in=pks).update(quantity_big=models.F("quantity"))
        last_pk = pks[-1]

# 0010+: switch reads, then remove the old field in a later release`,
    safeCodeLanguage: 'python',
  },
  operations: ['AlterField'],
  checkOperation(ctx, op) {
    const change = readAlteredColumn(ctx, op);
    if (!change) return;
    const before = change.before;
    // Primary key type changes also rewrite every referencing column: alter-pk-type-cascade reports them.
    if (ctx.database !== 'sqlite' && (isPrimaryKey(before) === true || isPrimaryKey(change.after) === true)) return;
    const effect =
      ctx.database === 'postgresql'
        ? `rewrites ${change.names.table} and its indexes under an ACCESS EXCLUSIVE lock`
        : ctx.database === 'mysql'
          ? `makes MySQL copy ${change.names.table} (ALGORITHM=COPY)`
          : `converts every value while SQLite copies ${change.names.table}`;
    const typeChange = columnTypeChange(change, ctx.database);
    if (typeChange?.kind === 'rewrite') {
      ctx.report({
        span: typeChange.cause ? kwargSpanOr(change.after, typeChange.cause, op.span) : op.span,
        message: `AlterField ${change.label}: ${typeChange.reason} ${effect}`,
        advice: 'add a column of the new type, backfill it and switch over (expand and contract)',
        operation: op,
      });
      return;
    }
    const collationBefore = collation(before.kwargs['db_collation']);
    const collationAfter = collation(change.after.kwargs['db_collation']);
    if (collationBefore === collationAfter) return;
    const collationEffect =
      ctx.database === 'postgresql'
        ? `rebuilds every index on the column of ${change.names.table} under an ACCESS EXCLUSIVE lock`
        : ctx.database === 'mysql'
          ? `makes MySQL copy ${change.names.table} (ALGORITHM=COPY)`
          : `changes how SQLite compares the values while it copies ${change.names.table}`;
    ctx.report({
      span: kwargSpanOr(change.after, 'db_collation', op.span),
      message: `AlterField ${change.label}: changing the collation from ${collationBefore || 'the default'} to ${collationAfter || 'the default'} ${collationEffect}`,
      operation: op,
    });
  },
};

function collation(expr: Parameters<typeof canonicalText>[0] | undefined): string {
  if (!expr || expr.kind === 'none') return '';
  return stringValue(expr) ?? canonicalText(expr);
}
