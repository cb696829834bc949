// Changing a primary key's type rewrites its table and every table whose foreign keys reference it.
import type { FileRule } from './rule';
import { isPrimaryKey, relationTarget } from '../django/columns';
import { fieldColumnName, hasForeignKeyColumn, isManyToMany } from '../django/fields';
import { stringValue } from '../django/operations';
import type { StateView } from '../state/types';
import { columnTypeChange, readFieldOperation } from './fieldFacts';
import { changesExistingTable } from './operationFacts';

/** How many referencing columns a message names before "and N more". */
const NAMED_COLUMNS = 3;

/**
 * The foreign key columns (`table.column`) that reference `app.key`'s primary key in the state before the change, or
 * undefined when that cannot be known: an app's history is incomplete, a relation's target is not a plain string
 * (`settings.AUTH_USER_MODEL`), or a many-to-many relation points at the model (its through table references it too).
 */
function referencingColumns(state: StateView, app: string, key: string, pkName: string): string[] | undefined {
  if (!state.historyComplete(app) || !state.model(app, key)) return undefined;
  const target = `${app}.${key}`;
  const columns: string[] = [];
  for (const otherApp of state.apps()) {
    if (!state.historyComplete(otherApp)) return undefined;
    for (const model of state.models(otherApp)) {
      for (const [fieldName, field] of model.fields) {
        const many = isManyToMany(field);
        if (!many && !hasForeignKeyColumn(field)) continue;
        const to = relationTarget(field, model.app, model.key);
        if (to === undefined || to.startsWith('expr:')) return undefined;
        if (to.toLowerCase() !== target) continue;
        if (many) return undefined;
        const toField = stringValue(field.kwargs['to_field']);
        if (toField !== undefined && toField.toLowerCase() !== pkName.toLowerCase()) continue;
        const table = stringValue(model.options['db_table']) ?? `${model.app}_${model.key}`;
        columns.push(`${table}.${fieldColumnName(fieldName, field) ?? fieldName}`);
      }
    }
  }
  return columns;
}

/** What the change rewrites: the table and, as far as the replayed history tells, which referencing columns. */
function cascadeOf(table: string, columns: readonly string[] | undefined): string {
  if (columns === undefined) return `${table} and every foreign key column that references it are rewritten, each under an ACCESS EXCLUSIVE lock`;
  if (columns.length === 0) return `${table} is rewritten under an ACCESS EXCLUSIVE lock (no foreign key in this project's migrations references it)`;
  const named = columns.slice(0, NAMED_COLUMNS).join(', ');
  const more = columns.length > NAMED_COLUMNS ? ` and ${columns.length - NAMED_COLUMNS} more` : '';
  return `${table} and the ${columns.length === 1 ? 'foreign key column' : `${columns.length} foreign key columns`} that reference it (${named}${more}) are rewritten, each under an ACCESS EXCLUSIVE lock`;
}

/** Types a DEFAULT_AUTO_FIELD switch or a widening produces; risky on their own when the old type is unknown. */
const WIDE_KEY_TYPES = new Set(['BigAutoField', 'BigIntegerField']);

export const alterPkTypeCascade: FileRule = {
  id: 'alter-pk-type-cascade',
  title: 'Primary key type change rewrites every referencing table',
  severity: 'error',
  vendors: ['postgresql', 'mysql'],
  category: 'locking',
  scope: 'file',
  explanation: {
    summary:
      'Changing a primary key\'s type (typically `AutoField` to `BigAutoField` after switching `DEFAULT_AUTO_FIELD`) rewrites the table, and Django also alters every foreign key column that references it to the same type: N tables rewritten one after the other, each under an ACCESS EXCLUSIVE lock held until COMMIT. The previous definition comes from replaying the migrations; when it is unknown, a change to a 64-bit key is still reported because it almost always widens a 32-bit one.',
    sql: 'ALTER TABLE "shop_order" ALTER COLUMN "id" TYPE bigint USING "id"::bigint;\nALTER SEQUENCE "shop_order_id_seq" AS bigint;\nALTER TABLE "shop_orderline" ALTER COLUMN "order_id" TYPE bigint USING "order_id"::bigint;\n-- ... and every other referencing column',
    lock: 'ACCESS EXCLUSIVE on the table and on every referencing table, each for its whole rewrite, all held until the migration commits.',
    blocks: 'All reads and writes of every involved table; the longest outage a Django migration can cause.',
    rewrite: 'Full rewrite of the table, its indexes, and every referencing table and its indexes. MySQL also drops and re-creates the foreign keys around the copy.',
    safeAlternative:
      'Per table: add a shadow `bigint` column, keep it in sync with a trigger, backfill it in batches, build its unique index concurrently, then swap it in as the primary key in a short maintenance step; do the referencing columns the same way. Or keep the 32-bit key on large existing tables and set `default_auto_field` per app only for new models.',
    safeCode: `# apps.py: keep existing tables on AutoField, use BigAutoField for new models only
class ShopConfig(AppConfig):
    name = "shop"
    default_auto_field = "django.db.models.AutoField"


# models.py: new models opt in explicitly
class Shipment(models.Model):
    id = models.BigAutoField(primary_key=True)`,
    safeCodeLanguage: 'python',
  },
  operations: ['AlterField'],
  checkOperation(ctx, op) {
    if (!changesExistingTable(ctx, op)) return;
    const change = readFieldOperation(ctx, op);
    if (!change) return;
    const before = change.before;
    const isKey = isPrimaryKey(change.after) === true || (before !== undefined && isPrimaryKey(before) === true);
    if (!isKey) return;
    const cascade = cascadeOf(change.names.table, referencingColumns(ctx.stateBefore(op), change.names.app, change.names.key, change.fieldName));
    if (!before) {
      if (!WIDE_KEY_TYPES.has(change.after.type)) return;
      ctx.report({
        span: op.span,
        message: `AlterField ${change.label}: primary key changed to ${change.after.type} (previous definition unknown, assumed a 32-bit key): ${cascade}`,
        operation: op,
      });
      return;
    }
    const typeChange = columnTypeChange(change, ctx.database);
    if (typeChange?.kind !== 'rewrite') return;
    ctx.report({
      span: op.span,
      message: `AlterField ${change.label}: changing the primary key from ${typeChange.description}: ${cascade}`,
      operation: op,
    });
  },
};
