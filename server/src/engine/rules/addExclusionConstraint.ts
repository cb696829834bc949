// An exclusion constraint has no NOT VALID form: adding it scans and indexes the table under ACCESS EXCLUSIVE.
import type { FileRule } from './rule';
import { readAddedConstraint } from './operationFacts';

export const addExclusionConstraint: FileRule = {
  id: 'add-exclusion-constraint',
  title: 'Exclusion constraint added to an existing table',
  severity: 'warning',
  vendors: ['postgresql'],
  category: 'locking',
  scope: 'file',
  explanation: {
    summary:
      '`ExclusionConstraint` builds a GiST (or SP-GiST) index and checks every pair of rows while holding an ACCESS EXCLUSIVE lock. Unlike CHECK and foreign keys it has no `NOT VALID` form and no concurrent build, so there is no online way to add it to a large table.',
    sql: 'ALTER TABLE "booking_reservation" ADD CONSTRAINT "reservation_no_overlap" EXCLUDE USING gist ("room_id" WITH =, "during" WITH &&);',
    lock: 'ACCESS EXCLUSIVE on the table for the whole index build and check, held until the migration commits.',
    blocks: 'All reads and writes of the table; the migration fails if existing rows conflict.',
    rewrite: 'No rewrite of the table, but a full scan and a GiST index build.',
    safeAlternative:
      'Create a new table with the constraint, copy the rows over in batches (with a trigger or dual writes for new rows) and swap the tables, or accept a maintenance window sized by a test run on a copy of production.',
    safeCode: `# Plan a maintenance window, and keep the lock wait bounded:
class Migration(migrations.Migration):
    dependencies = [("booking", "0004_reservation_during")]

    operations = [
        # Give up instead of queueing traffic if the table is busy (SET LOCAL lasts until COMMIT)
        migrations.RunSQL("SET LOCAL lock_timeout = '5s';", reverse_sql=migrations.RunSQL.noop),
        migrations.AddConstraint(
            model_name="reservation",
            constraint=ExclusionConstraint(
                name="reservation_no_overlap",
                expressions=[("room", RangeOperators.EQUAL), ("during", RangeOperators.OVERLAPS)],
            ),
        ),
    ]`,
    safeCodeLanguage: 'python',
  },
  operations: ['AddConstraint'],
  checkOperation(ctx, op) {
    const added = readAddedConstraint(ctx, op, 'ExclusionConstraint');
    if (!added) return;
    const { names, name } = added;
    ctx.report({
      span: op.span,
      message: `AddConstraint ${names.label}: ExclusionConstraint${name ? ` ${name}` : ''} builds its index and checks every row of ${names.table} under an ACCESS EXCLUSIVE lock, with no NOT VALID form`,
      operation: op,
    });
  },
};
