// A plain CREATE INDEX holds a SHARE lock for the whole build: every write to the table waits.
import type { Operation } from '../python/model';
import type { FileContext, FileRule } from './rule';
import { concurrentIndexFixes } from '../fixes/composed';
import { hasPlainIndex } from '../django/columns';
import { addedTogetherSets, kwargSpanOr, readAlteredColumn } from './fieldFacts';
import { changesExistingTable, modelNames } from './operationFacts';
import { opArg, stringValue } from '../django/operations';

export const addIndexNonConcurrent: FileRule = {
  id: 'add-index-non-concurrent',
  title: 'Index built without CONCURRENTLY',
  severity: 'warning',
  vendors: ['postgresql'],
  category: 'locking',
  scope: 'file',
  explanation: {
    summary:
      '`CREATE INDEX` without `CONCURRENTLY` takes a SHARE lock on the table for the whole build: on a large table that is minutes during which every INSERT, UPDATE and DELETE waits, and in an atomic migration the lock is held until COMMIT.',
    sql: 'CREATE INDEX "order_created_idx" ON "shop_order" ("created_at");',
    lock: 'SHARE for the whole index build, held until the migration commits.',
    blocks: 'Every write to the table (reads continue); requests that write pile up and time out.',
    rewrite: 'No rewrite, but a full table scan and sort to build the index.',
    safeAlternative:
      'Use `AddIndexConcurrently` (from `django.contrib.postgres.operations`) in a migration with `atomic = False`: the build takes SHARE UPDATE EXCLUSIVE, so reads and writes go on. For `db_index=True` on an existing field, set the index in the model state with `SeparateDatabaseAndState` and build it concurrently.',
    safeCode: `from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [("shop", "0007_order_status")]

    operations = [
        AddIndexConcurrently(
            model_name="order",
            index=models.Index(fields=["created_at"], name="order_created_idx"),
        ),
    ]`,
    safeCodeLanguage: 'python',
  },
  operations: ['AddIndex', 'AlterIndexTogether', 'AlterField'],
  checkOperation(ctx, op) {
    if (!changesExistingTable(ctx, op)) return;
    if (op.name === 'AddIndex') checkAddIndex(ctx, op);
    else if (op.name === 'AlterIndexTogether') checkIndexTogether(ctx, op);
    else if (op.name === 'AlterField') checkDbIndexOn(ctx, op);
  },
};

function checkAddIndex(ctx: FileContext, op: Operation): void {
  const names = modelNames(ctx, op);
  if (!names) return;
  const index = opArg(op, 'index');
  const indexName = index?.kind === 'call' ? stringValue(index.kwargs['name']) : undefined;
  ctx.report({
    span: op.span,
    message: `AddIndex ${names.label}: builds ${indexName ? `index ${indexName}` : 'an index'} on ${names.table} without CONCURRENTLY; the SHARE lock blocks writes for the whole build`,
    advice: 'use AddIndexConcurrently in a migration with atomic = False',
    operation: op,
    fixes: concurrentIndexFixes(ctx.file, op, 'AddIndexConcurrently', ctx.standing.hasDependents),
  });
}

function checkIndexTogether(ctx: FileContext, op: Operation): void {
  const together = addedTogetherSets(ctx, op);
  if (!together || together.added.length === 0) return;
  const { names, added } = together;
  ctx.report({
    span: op.span,
    message: `AlterIndexTogether ${names.label}: builds an index on (${added.join('), (')}) of ${names.table} without CONCURRENTLY; the SHARE lock blocks writes for the whole build`,
    advice: 'create it CONCURRENTLY with RunSQL inside SeparateDatabaseAndState, in a non-atomic migration',
    operation: op,
  });
}

function checkDbIndexOn(ctx: FileContext, op: Operation): void {
  const change = readAlteredColumn(ctx, op);
  if (!change || hasPlainIndex(change.before) !== false || hasPlainIndex(change.after) !== true) return;
  ctx.report({
    span: kwargSpanOr(change.after, 'db_index', op.span),
    message: `AlterField ${change.label}: adds an index on ${change.names.table} without CONCURRENTLY; the SHARE lock blocks writes for the whole build`,
    advice: 'create it CONCURRENTLY with RunSQL inside SeparateDatabaseAndState, in a non-atomic migration',
    operation: op,
  });
}
