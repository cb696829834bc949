// Changing a primary key's type rewrites its table and every table whose foreign keys reference it.
import type { FileRule } from './rule';
import { isPrimaryKey } from '../django/columns';
import { columnTypeChange, readFieldOperation } from './fieldFacts';
import { changesExistingTable } from './operationFacts';

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
    const cascade = `${change.names.table} and every foreign key column that references it are rewritten, each under an ACCESS EXCLUSIVE lock`;
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
