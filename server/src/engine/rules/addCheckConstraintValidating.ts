// ADD CONSTRAINT ... CHECK validates every existing row under an ACCESS EXCLUSIVE lock.
import type { FileRule } from './rule';
import { readAlteredColumn } from './fieldFacts';
import { fieldColumnName } from '../django/fields';
import { readAddedConstraint } from './operationFacts';
import { versionAtLeast } from '../django/operations';

/** Django gives these fields `CHECK ("column" >= 0)` on PostgreSQL, so switching to one adds a CHECK constraint. */
const POSITIVE_INTEGER_FIELDS = new Set(['PositiveIntegerField', 'PositiveSmallIntegerField', 'PositiveBigIntegerField']);

export const addCheckConstraintValidating: FileRule = {
  id: 'add-check-constraint-validating',
  title: 'CHECK constraint validated on an existing table',
  severity: 'warning',
  vendors: ['postgresql', 'mysql'],
  category: 'locking',
  scope: 'file',
  explanation: {
    summary:
      '`AddConstraint(CheckConstraint)` makes the database check every existing row while it holds an ACCESS EXCLUSIVE lock (PostgreSQL) or copies the table (MySQL): on a large table reads and writes stop for the whole scan, and the migration fails if a row violates the check. On PostgreSQL an `AlterField` to a `PositiveIntegerField` (or its small/big variants) does the same: Django adds `CHECK ("column" >= 0)`.',
    sql: 'ALTER TABLE "shop_order" ADD CONSTRAINT "order_total_positive" CHECK ("total" >= 0);',
    lock: 'ACCESS EXCLUSIVE on the table for the whole validation scan, held until the migration commits.',
    blocks: 'All reads and writes of the table during the scan.',
    rewrite: 'PostgreSQL: full scan, no rewrite. MySQL: table copy.',
    safeAlternative:
      'On PostgreSQL use `AddConstraintNotValid` (Django >= 4.0, `django.contrib.postgres.operations`): the constraint applies to new rows at once with a brief lock; then `ValidateConstraint` in a later migration checks old rows under SHARE UPDATE EXCLUSIVE, so reads and writes go on.',
    safeCode: `from django.contrib.postgres.operations import AddConstraintNotValid, ValidateConstraint

# 0008
operations = [
    AddConstraintNotValid(
        model_name="order",
        constraint=models.CheckConstraint(check=models.Q(total__gte=0), name="order_total_positive"),
    ),
]

# 0009 (a later migration)
operations = [
    ValidateConstraint(model_name="order", name="order_total_positive"),
]`,
    safeCodeLanguage: 'python',
  },
  operations: ['AlterField', 'AddConstraint'],
  checkOperation(ctx, op) {
    const altered = ctx.database === 'postgresql' ? readAlteredColumn(ctx, op) : undefined;
    if (altered && POSITIVE_INTEGER_FIELDS.has(altered.after.type) && !POSITIVE_INTEGER_FIELDS.has(altered.before.type)) {
      const column = fieldColumnName(altered.fieldName, altered.after) ?? altered.fieldName;
      ctx.report({
        span: op.span,
        message: `AlterField ${altered.label}: ${altered.before.type} to ${altered.after.type} adds CHECK ("${column}" >= 0), which validates every row of ${altered.names.table} under an ACCESS EXCLUSIVE lock (reads and writes wait)`,
        operation: op,
      });
      return;
    }
    const added = readAddedConstraint(ctx, op, 'CheckConstraint');
    if (!added) return;
    const { names, name } = added;
    const cost =
      ctx.database === 'mysql'
        ? `copies ${names.table} to check every row`
        : `validates every row of ${names.table} under an ACCESS EXCLUSIVE lock (reads and writes wait)`;
    ctx.report({
      span: op.span,
      message: `AddConstraint ${names.label}: CheckConstraint${name ? ` ${name}` : ''} ${cost}`,
      ...(ctx.database === 'postgresql'
        ? { advice: versionAtLeast(ctx.config.djangoVersion, '4.0') ? 'use AddConstraintNotValid then ValidateConstraint' : 'add it NOT VALID with RunSQL, then VALIDATE CONSTRAINT' }
        : {}),
      operation: op,
    });
  },
};
