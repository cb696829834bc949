import { parseAlterTable } from '../../sql/statements';
import { SQL_OPERATIONS, migrationSqlStatements, reportStatement, tableKey } from '../migrationSql';
import type { FileContext, FileRule } from '../rule';
import { constraintCall, stringValue } from '../../django/operations';
import { migrationAtomic } from '../../django/migrationClass';
import { modelNames } from '../operationFacts';
import { operationsOf } from '../dispatch';

export const sqlValidateInSameTransaction: FileRule = {
  id: 'sql-validate-in-same-transaction',
  title: 'VALIDATE CONSTRAINT in the same transaction as its NOT VALID add',
  severity: 'warning',
  vendors: ['postgresql'],
  category: 'sql',
  scope: 'file',
  // File-level: the NOT VALID add and the VALIDATE may be in different operations of the transaction.
  operations: [...SQL_OPERATIONS, 'AddConstraintNotValid'],
  explanation: {
    summary:
      '`NOT VALID` keeps the ADD CONSTRAINT lock short only if validation happens in a later transaction. Validating in the same atomic migration keeps the ADD\'s lock (ACCESS EXCLUSIVE for CHECK, SHARE ROW EXCLUSIVE for FOREIGN KEY) held during the whole validation scan, which is exactly what NOT VALID was meant to avoid.',
    sql: `ALTER TABLE shop_order ADD CONSTRAINT positive_total CHECK (total >= 0) NOT VALID;
ALTER TABLE shop_order VALIDATE CONSTRAINT positive_total;  -- same transaction`,
    lock: 'The lock of the ADD CONSTRAINT, held until COMMIT, i.e. through the full scan of VALIDATE.',
    blocks: 'Writes (FOREIGN KEY) or all access (CHECK) to the table for the duration of the scan.',
    rewrite: 'No rewrite; a full scan of the table while the strong lock is held.',
    safeAlternative: 'Move `VALIDATE CONSTRAINT` into its own, later migration (or set `atomic = False` so each statement commits on its own).',
    safeCode: `# 0007_add_positive_total.py
migrations.RunSQL(
    "ALTER TABLE shop_order ADD CONSTRAINT positive_total CHECK (total >= 0) NOT VALID;",
    reverse_sql="ALTER TABLE shop_order DROP CONSTRAINT positive_total;",
)
# 0008_validate_positive_total.py
migrations.RunSQL(
    "ALTER TABLE shop_order VALIDATE CONSTRAINT positive_total;",
    reverse_sql=migrations.RunSQL.noop,
)`,
    safeCodeLanguage: 'python',
  },
  check(ctx) {
    if (migrationAtomic(ctx.file) !== true) return;
    // constraint names (lower-cased) and tables with an unnamed NOT VALID constraint, added so far in this transaction
    const notValidNames = new Set<string>();
    const notValidUnnamedTables = new Set<string>();
    const djangoAdds = notValidConstraintsFromOperations(ctx);
    for (const item of migrationSqlStatements(ctx)) {
      for (const add of djangoAdds) if (add.position < item.op.span.start) notValidNames.add(add.name);
      const alter = parseAlterTable(item.statement);
      if (!alter) continue;
      const table = alter.table ? tableKey(alter.table) : undefined;
      for (const action of alter.actions) {
        if (action.kind === 'add-constraint' && action.notValid) {
          if (action.constraintName) notValidNames.add(action.constraintName.name.toLowerCase());
          else if (table) notValidUnnamedTables.add(table);
        } else if (action.kind === 'validate-constraint' && action.constraintName) {
          const name = action.constraintName.name.toLowerCase();
          if (notValidNames.has(name) || (table !== undefined && notValidUnnamedTables.has(table))) {
            reportStatement(
              ctx,
              item,
              `VALIDATE CONSTRAINT ${action.constraintName.text} runs in the same transaction as its NOT VALID add, so the table stays locked during the validation scan`,
            );
          }
        }
      }
    }
  },
};

/** Constraints added NOT VALID by django.contrib.postgres's AddConstraintNotValid, with where they are added. */
function notValidConstraintsFromOperations(ctx: FileContext): { name: string; position: number }[] {
  const adds: { name: string; position: number }[] = [];
  for (const op of operationsOf(ctx.file, ['AddConstraintNotValid'], { touchingDatabase: true })) {
    const name = stringValue(constraintCall(op)?.kwargs['name']);
    if (name && modelNames(ctx, op)) adds.push({ name: name.toLowerCase(), position: op.span.start });
  }
  return adds;
}
