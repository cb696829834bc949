// foreign-key-without-index: `ForeignKey(db_index=False)` whose column no index starts with. PostgreSQL does not index
// referencing columns by itself, so every DELETE (or key UPDATE) on the parent scans the child table to check the
// constraint, and Django's on_delete collector queries it too. A graph rule because the index that covers the column
// is often added by a later migration (the recommended `db_index=False` + AddIndexConcurrently pattern).
import type { CallExpr, Expr, MigrationModel } from '../python/model';
import type { GraphRule } from './rule';
import { runSqlTexts } from './runSqlText';
import { togetherSets } from '../django/modelOptions';
import { calleeName, dictEntry, kwargFlag, literalTruth, opArg, runsAgainstDatabase, stringValue, targetModel } from '../django/operations';
import { fieldColumnName, fieldShape } from '../django/fields';
import { type LatestFieldDefinition, latestFieldDefinitions } from '../state/latestFields';
import { operationsOf } from './dispatch';

const INDEX_OPERATIONS = new Set(['AddIndex', 'AddIndexConcurrently']);
const CONSTRAINT_OPERATIONS = new Set(['AddConstraint', 'AddConstraintNotValid']);
/** The operations that can declare an index (or rename the model that has it). */
const INDEX_DECLARING_OPERATIONS = ['RenameModel', 'CreateModel', 'AlterUniqueTogether', 'AlterIndexTogether', ...INDEX_OPERATIONS, ...CONSTRAINT_OPERATIONS];
const CREATE_INDEX = /\bcreate\s+(unique\s+)?index\b/i;

export const foreignKeyWithoutIndex: GraphRule = {
  id: 'foreign-key-without-index',
  title: 'Foreign key without an index',
  severity: 'info',
  vendors: ['postgresql'],
  category: 'hygiene',
  scope: 'graph',
  operations: ['CreateModel', 'AddField', 'AlterField'],
  // Indexes are declared in the model's own app; hand-written index DDL anywhere comes in as a workspace fact.
  dependsOn: 'app',
  explanation: {
    summary:
      'The foreign key has `db_index=False` and no other index starts with its column. PostgreSQL does not index referencing columns automatically: ' +
      'every DELETE of a parent row (and every update of its key) scans the whole child table to check the constraint, Django\'s `on_delete` collector runs the same unindexed query, and joins from the parent are slow.',
    sql: '`DELETE FROM shop_customer WHERE id = 42` makes PostgreSQL run the equivalent of `SELECT 1 FROM shop_order WHERE customer_id = 42 FOR KEY SHARE` (a sequential scan without an index).',
    lock: 'Each parent DELETE holds its row lock while the child table is scanned; concurrent deletes pile up.',
    blocks: 'Nothing at migration time; deletes and cascades on the parent get slower as the child table grows.',
    rewrite: 'No; each parent delete scans the child table.',
    safeAlternative:
      'Keep `db_index=False` on the field if you are adding it to a big table (so the AddField is quick), then add the index concurrently in its own non-atomic migration. A composite index or unique constraint whose first column is the foreign key covers it too.',
    safeCode:
      'from django.contrib.postgres.operations import AddIndexConcurrently\n\n\n' +
      'class Migration(migrations.Migration):\n' +
      '    atomic = False\n' +
      '    dependencies = [("shop", "0042_order_customer")]\n' +
      '    operations = [\n' +
      '        AddIndexConcurrently(\n' +
      '            model_name="order",\n' +
      '            index=models.Index(fields=["customer"], name="order_customer_idx"),\n' +
      '        ),\n' +
      '    ]\n',
    safeCodeLanguage: 'python',
  },
  check(ctx) {
    // Most projects declare no `db_index=False` foreign key: then neither the history nor the indexes need be read
    // (this rule runs again for the edited app on every keystroke). A `db_index` keyword is in some file's text
    // whenever a definition can turn the index off, so the text search decides exactly.
    if (!ctx.files.some((file) => file.text.includes('db_index'))) return;
    const candidates = latestFieldDefinitions(ctx.files, ctx.graph).filter(turnsIndexOff);
    if (candidates.length === 0) return;
    const leadingColumns = new Map<string, Set<string>>();
    // Models this rule cannot judge: unmanaged tables, and a unique/index_together that is not spelled out literally.
    const unjudgedModels = new Set<string>();
    // Hand-written CREATE INDEX in any app's RunSQL may cover the column (e.g. an app that holds all custom DDL).
    const indexDdl = ctx.workspaceFacts('create-index-sql', createIndexStatements);
    const renamedModels: [string, string][] = [];
    const cover = (app: string, model: string, name: string | undefined): void => {
      if (!name) return;
      const key = `${app}:${model}`;
      const names = leadingColumns.get(key) ?? new Set<string>();
      names.add(name.replace(/^-/, '').toLowerCase());
      leadingColumns.set(key, names);
    };
    const coverTogether = (app: string, model: string, value: Expr | undefined): void => {
      const sets = togetherSets(value);
      if (!sets) unjudgedModels.add(`${app}:${model}`);
      for (const set of sets ?? []) cover(app, model, set.split(', ')[0]);
    };
    // Any index ever declared on the model counts, whichever migration adds it: silent when unsure.
    for (const file of ctx.files) {
      const app = file.app;
      for (const op of operationsOf(file, INDEX_DECLARING_OPERATIONS)) {
        if (op.name === 'RenameModel') {
          const oldName = stringValue(opArg(op, 'old_name'))?.toLowerCase();
          const newName = stringValue(opArg(op, 'new_name'))?.toLowerCase();
          if (oldName && newName) renamedModels.push([`${app}:${oldName}`, `${app}:${newName}`]);
        }
        const model = targetModel(op);
        if (!model) continue;
        if (op.name === 'CreateModel') {
          const options = opArg(op, 'options');
          if (literalTruth(dictEntry(options, 'managed')?.value) === false) unjudgedModels.add(`${app}:${model}`);
          for (const index of listItems(dictEntry(options, 'indexes')?.value)) cover(app, model, leadingName(index));
          for (const constraint of listItems(dictEntry(options, 'constraints')?.value)) cover(app, model, leadingName(constraint));
          for (const option of ['unique_together', 'index_together']) coverTogether(app, model, dictEntry(options, option)?.value);
        } else if (op.name === 'AlterUniqueTogether' || op.name === 'AlterIndexTogether') {
          coverTogether(app, model, opArg(op, op.name === 'AlterUniqueTogether' ? 'unique_together' : 'index_together'));
        } else if (INDEX_OPERATIONS.has(op.name)) {
          cover(app, model, leadingName(opArg(op, 'index')));
        } else if (CONSTRAINT_OPERATIONS.has(op.name)) {
          cover(app, model, leadingName(opArg(op, 'constraint')));
        }
      }
    }
    // An index declared under a model's old name still exists after RenameModel (and vice versa for the walk order).
    for (const [oldKey, newKey] of renamedModels) {
      const merged = new Set([...(leadingColumns.get(oldKey) ?? []), ...(leadingColumns.get(newKey) ?? [])]);
      leadingColumns.set(oldKey, merged);
      leadingColumns.set(newKey, merged);
    }

    for (const definition of candidates) {
      if (!lacksIndex(definition, leadingColumns, unjudgedModels, indexDdl)) continue;
      const { file, op, modelLabel, field, call } = definition;
      ctx.report(file.path, {
        span: call.kwargSpans['db_index'] ?? call.span,
        operation: op,
        message: `ForeignKey \`${file.app}.${modelLabel}.${field}\` has db_index=False and no index starts with \`${fieldColumnName(field, fieldShape(call)) ?? field}\`: deleting a referenced row scans the whole table`,
        advice: 'add an index (AddIndexConcurrently)',
      });
    }
  },
};

/** The SQL texts of a file's RunSQL operations that create an index. */
function createIndexStatements(file: MigrationModel): string[] {
  const statements: string[] = [];
  for (const op of operationsOf(file, ['RunSQL'])) {
    for (const text of runSqlTexts(file, op)) if (CREATE_INDEX.test(text.sql)) statements.push(text.sql);
  }
  return statements;
}

/** A ForeignKey with an explicit literal `db_index=False` (only that turns the default index off), run against the database. */
function turnsIndexOff(definition: LatestFieldDefinition): boolean {
  const { op, call } = definition;
  if (calleeName(call) !== 'ForeignKey' || !runsAgainstDatabase(op)) return false;
  const dbIndex = call.kwargs['db_index'];
  return dbIndex !== undefined && literalTruth(dbIndex) === false;
}

/** For a definition that turnsIndexOff: no index or constraint starts with its column. */
function lacksIndex(definition: LatestFieldDefinition, leadingColumns: Map<string, Set<string>>, unjudgedModels: Set<string>, indexDdl: string[]): boolean {
  const { file, model, field, call } = definition;
  // unique and primary keys carry their own index.
  if (kwargFlag(call, 'unique', false) !== false || kwargFlag(call, 'primary_key', false) !== false) return false;
  if (unjudgedModels.has(`${file.app}:${model}`)) return false;
  // Without a database constraint and with DO_NOTHING, parent deletes never look at this table.
  if (kwargFlag(call, 'db_constraint', true) === false && onDeleteName(call) === 'DO_NOTHING') return false;
  const column = fieldColumnName(field, fieldShape(call));
  if (column === undefined) return false;
  const covered = leadingColumns.get(`${file.app}:${model}`);
  if (covered && [field, column, `${field}_id`].some((name) => covered.has(name.toLowerCase()))) return false;
  // Hand-written index DDL naming the column: cannot tell which table or position, so assume it is covered.
  const columnWord = new RegExp(`\\b${escapeRegExp(column)}\\b`, 'i');
  return !indexDdl.some((sql) => columnWord.test(sql));
}

function onDeleteName(call: CallExpr): string | undefined {
  const onDelete = call.kwargs['on_delete'] ?? call.args[1];
  return onDelete?.kind === 'name' ? onDelete.dotted.split('.').pop() : undefined;
}

function listItems(expr: Expr | undefined): Expr[] {
  return expr && (expr.kind === 'list' || expr.kind === 'tuple') ? expr.items : [];
}

/**
 * The first column of an index or constraint call: `fields=[...]`, a positional `F("x")`/`"x"` expression, or the
 * first `(F("x"), operator)` pair of an ExclusionConstraint. Undefined for anything else (a functional index does not
 * serve the foreign key lookups).
 */
function leadingName(expr: Expr | undefined): string | undefined {
  if (expr?.kind !== 'call') return undefined;
  const fields = expr.kwargs['fields'];
  if (fields && (fields.kind === 'list' || fields.kind === 'tuple')) return stringValue(fields.items[0]);
  const expressions = expr.kwargs['expressions'];
  const first = expr.args[0] ?? (expressions && (expressions.kind === 'list' || expressions.kind === 'tuple') ? expressions.items[0] : undefined);
  const target = first && (first.kind === 'tuple' || first.kind === 'list') ? first.items[0] : first;
  if (target?.kind === 'string') return target.value;
  if (target?.kind === 'call' && calleeName(target) === 'F') return stringValue(target.args[0]);
  return undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
