import { runPythonDoesNoDataWork } from './runPythonCode';
import { fieldShape, isManyToMany } from '../django/fields';
import type { Operation } from '../python/model';
import { dmlVerb, isDdl, isExtensionStatement } from '../sql/statements';
import { hasForeignKeyConstraint } from '../django/columns';
import { operationSqlStatements } from './migrationSql';
import type { FileContext, FileRule } from './rule';
import { alterFieldEmitsNoSql } from './fieldFacts';
import { changesExistingTable, modelNames } from './operationFacts';
import { createModelFields, isForwardNoopRunPython, isStateOnlyOperation, opArg } from '../django/operations';
import { migrationAtomic } from '../django/migrationClass';
import { operationsOf, WHOLE_MIGRATION } from './dispatch';

export const mixedSchemaAndData: FileRule = {
  id: 'mixed-schema-and-data',
  title: 'Schema changes and data migration in one atomic migration',
  severity: 'warning',
  vendors: 'all',
  category: 'transactions',
  scope: 'file',
  // File-level: a data step is judged against every schema change of the same transaction.
  operations: ['RunPython', 'RunSQL'],
  explanation: {
    summary:
      'In one atomic migration the data step runs while the schema changes\' locks are still held, so a backfill over a big table keeps the table locked for its whole duration. On PostgreSQL, mixing them can also fail with `cannot ALTER TABLE because it has pending trigger events` (deferred foreign-key checks from the data step).',
    sql: 'BEGIN;\nALTER TABLE shop_order ADD COLUMN status varchar(20) NULL;  -- ACCESS EXCLUSIVE\nUPDATE shop_order SET status = ...;  -- runs with the lock held\nCOMMIT;',
    lock: 'Every lock taken by the schema operations, held until COMMIT, i.e. through the data step.',
    blocks: 'Reads and writes on the altered tables for as long as the data migration runs.',
    rewrite: 'The data step touches every row it updates while the schema locks are held.',
    safeAlternative:
      'Put the data migration in its own migration, after the schema migration (and make it batched, ideally with `atomic = False`).',
    safeCode: `# 0012_order_status.py: schema only
operations = [
    migrations.AddField("order", "status", models.CharField(max_length=20, null=True)),
]

# 0013_fill_order_status.py: data only
operations = [
    migrations.RunPython(fill_status, reverse_code=migrations.RunPython.noop),
]`,
    safeCodeLanguage: 'python',
    notReported: [
      'AlterFields that emit no SQL (choices, help_text, blank, validators, verbose_name)',
      'RunPython steps that only log, print, pass or return early on the configured database',
      'a step that exclusive-lock-held-by-slow-step reports: one finding per risk',
    ],
  },
  check(ctx) {
    if (migrationAtomic(ctx.file) !== true) return;
    const operations = operationsOf(ctx.file, WHOLE_MIGRATION, { touchingDatabase: true });
    const schemaOperations = operations.filter((op) => isSchemaOperation(ctx, op));
    if (schemaOperations.length === 0) return;
    for (const op of operations) {
      const data = dataDescription(ctx, op);
      if (!data) continue;
      const schema = schemaOperations.find((other) => other !== op) ?? (schemaOperations.includes(op) ? op : undefined);
      if (!schema) continue;
      const schemaText = schema === op ? 'its own schema changes' : describeSchema(ctx, schema);
      ctx.report({ span: op.span, message: `${data} runs in the same transaction as ${schemaText}`, advice: 'move the data migration into its own migration', operation: op });
    }
  },
};

/** django.contrib.postgres operations that install an extension: they lock no table (nor does RunSQL's CREATE EXTENSION). */
const EXTENSION_OPERATIONS = new Set([
  'CreateExtension',
  'BloomExtension',
  'BtreeGinExtension',
  'BtreeGistExtension',
  'CITextExtension',
  'CryptoExtension',
  'HStoreExtension',
  'TrigramExtension',
  'UnaccentExtension',
]);

/**
 * A schema change whose locks would be held through a data step. A table created in this migration (CreateModel,
 * and later changes to it) is empty and unused by running code, so seeding it blocks nobody, unless its foreign
 * keys hold the tables they reference against writes meanwhile.
 */
function isSchemaOperation(ctx: FileContext, op: Operation): boolean {
  if (op.name === 'RunSQL') return operationSqlStatements(ctx, op).some((item) => isDdl(item.statement) && !isExtensionStatement(item.statement));
  if (op.name === 'RunPython' || isStateOnlyOperation(op) || EXTENSION_OPERATIONS.has(op.name)) return false;
  if (op.name === 'CreateModel') return referencesOtherTables(op);
  if (op.name === 'AlterField' && alterFieldEmitsNoSql(ctx, op)) return false;
  return changesExistingTable(ctx, op);
}

function referencesOtherTables(createModel: Operation): boolean {
  return createModelFields(createModel).some(({ field }) => {
    if (!field) return true;
    const shape = fieldShape(field);
    return hasForeignKeyConstraint(shape) !== false || (isManyToMany(shape) && !shape.kwargs['through']);
  });
}

function dataDescription(ctx: FileContext, op: Operation): string | undefined {
  if (op.name === 'RunPython') {
    if (isForwardNoopRunPython(op) || runPythonDoesNoDataWork(ctx, op)) return undefined;
    const code = opArg(op, 'code');
    return code?.kind === 'name' ? `RunPython(${code.dotted})` : 'RunPython';
  }
  if (op.name !== 'RunSQL') return undefined;
  const dml = operationSqlStatements(ctx, op).find((item) => dmlVerb(item.statement) !== undefined);
  return dml ? `RunSQL ${dmlVerb(dml.statement)}` : undefined;
}

function describeSchema(ctx: FileContext, op: Operation): string {
  if (op.name === 'RunSQL') return 'RunSQL DDL';
  const table = modelNames(ctx, op)?.table;
  return table ? `${op.name} on ${table}` : op.name;
}
