// DROP INDEX without CONCURRENTLY needs an ACCESS EXCLUSIVE lock: brief, but it queues behind every query.
import type { Operation } from '../python/model';
import type { FileContext, FileRule } from './rule';
import { concurrentIndexFixes } from '../fixes/composed';
import { hasPlainIndex, isPrimaryKey, isUnique } from '../django/columns';
import { kwargSpanOr, readAlteredColumn } from './fieldFacts';
import { changesExistingTable, modelNames } from './operationFacts';
import { opArg, stringValue } from '../django/operations';

export const removeIndexNonConcurrent: FileRule = {
  id: 'remove-index-non-concurrent',
  title: 'Index dropped without CONCURRENTLY',
  severity: 'warning',
  vendors: ['postgresql'],
  category: 'locking',
  scope: 'file',
  explanation: {
    summary:
      '`DROP INDEX` without `CONCURRENTLY` takes an ACCESS EXCLUSIVE lock on the table. The drop itself is quick, but the lock request waits behind every running query on the table, and every query that arrives meanwhile waits behind it: on a busy table that queue is an outage.',
    sql: 'DROP INDEX "order_created_idx";',
    lock: 'ACCESS EXCLUSIVE on the table, brief once granted, held until the migration commits.',
    blocks: 'Reads and writes of the table while the lock waits for running queries and until COMMIT.',
    rewrite: 'No rewrite.',
    safeAlternative:
      'Use `RemoveIndexConcurrently` (from `django.contrib.postgres.operations`) in a migration with `atomic = False`, and set a `lock_timeout` so a blocked drop gives up instead of queueing traffic.',
    safeCode: `from django.contrib.postgres.operations import RemoveIndexConcurrently
from django.db import migrations


class Migration(migrations.Migration):
    atomic = False  # DROP INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [("shop", "0012_order_archived")]

    operations = [
        RemoveIndexConcurrently(model_name="order", name="order_created_idx"),
    ]`,
    safeCodeLanguage: 'python',
  },
  operations: ['RemoveIndex', 'AlterField'],
  checkOperation(ctx, op) {
    if (!changesExistingTable(ctx, op)) return;
    if (op.name === 'RemoveIndex') checkRemoveIndex(ctx, op);
    else if (op.name === 'AlterField') checkDbIndexOff(ctx, op);
  },
};

function checkRemoveIndex(ctx: FileContext, op: Operation): void {
  const names = modelNames(ctx, op);
  if (!names) return;
  const indexName = stringValue(opArg(op, 'name'));
  ctx.report({
    span: op.span,
    message: `RemoveIndex ${names.label}: drops ${indexName ? `index ${indexName}` : 'an index'} without CONCURRENTLY; its ACCESS EXCLUSIVE lock on ${names.table} queues behind every running query`,
    advice: 'use RemoveIndexConcurrently in a migration with atomic = False',
    operation: op,
    fixes: concurrentIndexFixes(ctx.file, op, 'RemoveIndexConcurrently', ctx.standing.hasDependents),
  });
}

function checkDbIndexOff(ctx: FileContext, op: Operation): void {
  const change = readAlteredColumn(ctx, op);
  if (!change || hasPlainIndex(change.before) !== true || hasPlainIndex(change.after) !== false) return;
  // When a unique constraint replaces the plain index, add-unique-constraint reports the change.
  if (isUnique(change.after) !== false || isPrimaryKey(change.after) !== false) return;
  ctx.report({
    span: kwargSpanOr(change.after, 'db_index', op.span),
    message: `AlterField ${change.label}: drops the column's index without CONCURRENTLY; its ACCESS EXCLUSIVE lock on ${change.names.table} queues behind every running query`,
    advice: 'drop it CONCURRENTLY with RunSQL inside SeparateDatabaseAndState, in a non-atomic migration',
    operation: op,
  });
}
