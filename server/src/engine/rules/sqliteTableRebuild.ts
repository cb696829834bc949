// SQLite cannot alter a column in place: Django copies the whole table into a new one.
import { hasColumn } from '../django/fields';
import type { Operation } from '../python/model';
import type { FieldDef } from '../state/types';
import type { FileContext, FileRule } from './rule';
import { readAlteredColumn, readFieldTarget } from './fieldTypes';
import { definitionDiffers, fieldShouldBeAltered, hasForeignKeyConstraint, indexedByDefault, isPrimaryKey, isUnique } from '../django/columns';
import { changesExistingTable, fieldColumnName, kwargFlag, opArg, stringValue, versionAtLeast } from './support';

export const sqliteTableRebuild: FileRule = {
  id: 'sqlite-table-rebuild',
  title: 'SQLite rebuilds the whole table',
  severity: 'info',
  vendors: ['sqlite'],
  category: 'locking',
  scope: 'file',
  explanation: {
    summary:
      'SQLite\'s ALTER TABLE cannot change a column, so Django "remakes" the table: it creates a new table with the new definition, copies every row, drops the old table and renames the new one. Renaming a plain column and (Django >= 4.1, SQLite >= 3.35.5) dropping a column without index, constraint or key use ALTER TABLE directly and are not reported; AlterFields that change nothing the database sees are skipped too.',
    sql: 'CREATE TABLE "new__shop_order" (...);\nINSERT INTO "new__shop_order" (...) SELECT ... FROM "shop_order";\nDROP TABLE "shop_order";\nALTER TABLE "new__shop_order" RENAME TO "shop_order";',
    lock: 'SQLite locks the whole database file for writing while the copy runs.',
    blocks: 'Every write to any table of the database until the copy is done.',
    rewrite: 'Full copy of the table and its indexes.',
    safeAlternative: 'Expect a copy of the table: fine for small tables and development databases; for large SQLite databases run it in a maintenance window.',
    safeCode: `# Nothing to change for small tables. For a large one, time the copy first:
#   python manage.py sqlmigrate shop 0008   (shows the CREATE/INSERT/DROP/RENAME)
# and apply it while nothing writes to the database.
migrations.AlterField(
    model_name="order",
    name="note",
    field=models.CharField(max_length=500, blank=True),
)`,
    safeCodeLanguage: 'python',
  },
  operations: ['AlterField', 'RenameField', 'RemoveField'],
  checkOperation(ctx, op) {
    if (!changesExistingTable(ctx, op)) return;
    if (op.name === 'AlterField') checkAlterField(ctx, op);
    else if (op.name === 'RenameField') checkRenameField(ctx, op);
    else if (op.name === 'RemoveField') checkRemoveField(ctx, op);
  },
};

function rebuildMessage(table: string): string {
  return `SQLite copies every row of ${table} into a rebuilt table, locking the database meanwhile`;
}

function checkAlterField(ctx: FileContext, op: Operation): void {
  // Without the previous definition the change may be one the database never sees (help_text, choices): stay silent.
  const change = readAlteredColumn(ctx, op);
  if (!change) return;
  if (fieldShouldBeAltered(change.fieldName, change.before, change.after) !== true) return;
  // Only the column name changed and no foreign key constraint is involved: ALTER TABLE ... RENAME COLUMN.
  if (!definitionDiffers(change.before, change.after) && hasForeignKeyConstraint(change.before) === false && hasForeignKeyConstraint(change.after) === false) return;
  ctx.report({ span: op.span, message: `AlterField ${change.label}: ${rebuildMessage(change.names.table)}`, operation: op });
}

function checkRenameField(ctx: FileContext, op: Operation): void {
  const renamed = readFieldTarget(ctx, op);
  const newName = stringValue(opArg(op, 'new_name'));
  const field = renamed?.before;
  if (!renamed || !newName || !field || !hasColumn(field)) return;
  if (fieldColumnName(renamed.fieldName, field) === fieldColumnName(newName, field)) return;
  // A plain column is renamed in place; Django remakes the table when a foreign key constraint is involved.
  if (hasForeignKeyConstraint(field) !== true) return;
  ctx.report({ span: op.span, message: `RenameField ${renamed.label} -> ${newName}: ${rebuildMessage(renamed.names.table)}`, operation: op });
}

function checkRemoveField(ctx: FileContext, op: Operation): void {
  const removed = readFieldTarget(ctx, op);
  if (!removed) return;
  const field = removed.before;
  if (field && !hasColumn(field)) return;
  if (versionAtLeast(ctx.config.djangoVersion, '4.1')) {
    // Django >= 4.1 drops plain columns with ALTER TABLE DROP COLUMN; unknown fields are given that benefit.
    if (!field || dropsInPlace(field)) return;
  }
  ctx.report({ span: op.span, message: `RemoveField ${removed.label}: ${rebuildMessage(removed.names.table)}`, operation: op });
}

/** Django's sqlite3 `remove_field` condition for a plain DROP COLUMN. */
function dropsInPlace(field: FieldDef): boolean {
  return (
    isPrimaryKey(field) === false &&
    isUnique(field) === false &&
    kwargFlag(field, 'db_index', indexedByDefault(field)) === false &&
    hasForeignKeyConstraint(field) === false
  );
}
