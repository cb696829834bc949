// SQLite cannot alter a column in place: Django copies the whole table into a new one.
import { fieldShouldBeAltered } from '../django/columns';
import type { Operation } from '../python/model';
import type { FileContext, FileRule } from './rule';
import { readAlteredColumn, readFieldTarget } from './fieldFacts';
import { changesExistingTable } from './operationFacts';
import { opArg, stringValue } from '../django/operations';

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
    if (!changesExistingTable(ctx, op) || op.parent) return;
    // The catalogue's no-op changes (a default, help_text, choices...) are never reported, although Django rebuilds
    // a SQLite table for some of them too (the SQL shown in the hover says so).
    if (op.name === 'AlterField' && catalogueNoOp(ctx, op)) return;
    // The verdict is the SQL Django runs for this operation (django/sql/schemaEditor.ts follows the sqlite3
    // backend of the configured Django version): a rebuild is the CREATE TABLE "new__<table>" it starts with.
    // Where that SQL is not known (a custom field, a history outside the workspace) the rule stays silent.
    const generated = ctx.facts(op).lockSql?.generated;
    if (!generated || generated.unknown !== undefined) return;
    const rebuilt = generated.statements.find((statement) => REBUILD.test(statement.sql))?.sql.match(REBUILD)?.[1];
    if (rebuilt === undefined) return;
    const target = readFieldTarget(ctx, op);
    const newName = op.name === 'RenameField' ? stringValue(opArg(op, 'new_name')) : undefined;
    const what = target ? `${op.name} ${target.label}${newName ? ` -> ${newName}` : ''}` : op.name;
    ctx.report({ span: op.span, message: `${what}: SQLite copies every row of ${rebuilt} into a rebuilt table, locking the database meanwhile`, operation: op });
  },
};

function catalogueNoOp(ctx: FileContext, op: Operation): boolean {
  const change = readAlteredColumn(ctx, op);
  return change !== undefined && fieldShouldBeAltered(change.fieldName, change.before, change.after) === false;
}

/** Django's _remake_table: `CREATE TABLE "new__<table>" (...)`. */
const REBUILD = /^CREATE TABLE "new__([^"]+)"/;
