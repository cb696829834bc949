import type { Operation, Span } from '../python/model';
import { isIdempotent } from '../sql/statements';
import { migrationSqlStatements, statementExcerpt } from './migrationSql';
import type { FileContext, FileRule } from './rule';
import { alterFieldRerunnable } from './fieldFacts';
import { isStateOnlyOperation } from '../django/operations';
import { migrationAtomic } from '../django/migrationClass';
import { modelNames } from './operationFacts';
import { operationsOf, WHOLE_MIGRATION } from './dispatch';

/** Django operations that are safe to run again after they succeeded. */
const REPEATABLE_OPERATIONS = new Set([
  // Django drops the index with DROP INDEX CONCURRENTLY IF EXISTS.
  'RemoveIndexConcurrently',
  // Data migrations are conventionally written to be re-runnable; their code cannot be judged statically.
  'RunPython',
]);

/** One step that commits on its own in a non-atomic migration: a Django operation or one RunSQL statement. */
interface Step {
  /** The top-level operation it belongs to. */
  topLevel: Operation;
  operation: Operation;
  idempotent: boolean;
  span: Span;
  label: string;
}

export const nonAtomicMixedOperations: FileRule = {
  id: 'non-atomic-mixed-operations',
  title: 'Non-atomic migration with several operations that cannot be re-run',
  severity: 'warning',
  vendors: ['postgresql'],
  category: 'transactions',
  scope: 'file',
  // File-level: every operation but the last of a non-atomic migration is judged (state-only ones are re-runnable).
  operations: () => true,
  explanation: {
    summary:
      'With `atomic = False` every operation commits on its own. If a later operation fails, the earlier ones stay applied but Django does not record the migration, so the next `migrate` runs them again, and an operation that is not idempotent (creating an index or column that now exists) fails: the migration is stuck until someone repairs the database by hand.',
    sql: 'CREATE INDEX CONCURRENTLY shop_order_created_idx ...;  -- committed\nCREATE INDEX CONCURRENTLY shop_order_status_idx ...;   -- fails\n-- re-run: ERROR: relation "shop_order_created_idx" already exists',
    lock: '',
    blocks: 'Re-running the migration after a partial failure.',
    rewrite: 'No.',
    safeAlternative:
      'Keep one concurrent operation per non-atomic migration, or make every step idempotent (`CREATE INDEX CONCURRENTLY IF NOT EXISTS`, `DROP ... IF EXISTS`).',
    safeCode: `class Migration(migrations.Migration):
    atomic = False

    operations = [
        migrations.RunSQL(
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS shop_order_created_idx ON shop_order (created_at);",
            reverse_sql="DROP INDEX CONCURRENTLY IF EXISTS shop_order_created_idx;",
        ),
        migrations.RunSQL(
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS shop_order_status_idx ON shop_order (status);",
            reverse_sql="DROP INDEX CONCURRENTLY IF EXISTS shop_order_status_idx;",
        ),
    ]`,
    safeCodeLanguage: 'python',
    notReported: [
      'AlterFields that are safe to re-run (type, NULL, default changes)',
    ],
  },
  check(ctx) {
    if (migrationAtomic(ctx.file) !== false || !ctx.file.migrationClass) return;
    const steps = migrationSteps(ctx);
    const topLevelCount = new Set(steps.map((step) => step.topLevel)).size;
    if (topLevelCount < 2) return;
    const reported = new Set<Operation>();
    steps.forEach((step, index) => {
      if (step.idempotent || index === steps.length - 1 || reported.has(step.operation)) return;
      reported.add(step.operation);
      ctx.report({
        span: step.span,
        message: `${step.label} is not idempotent: if a later operation of this non-atomic migration fails, re-running it fails here`,
        operation: step.operation,
      });
    });
  },
};

function migrationSteps(ctx: FileContext): Step[] {
  const statements = migrationSqlStatements(ctx);
  const steps: Step[] = [];
  for (const op of operationsOf(ctx.file, WHOLE_MIGRATION, { touchingDatabase: true })) {
    if (isStateOnlyOperation(op)) continue;
    const topLevel = topLevelOperation(op);
    if (op.name === 'RunSQL') {
      for (const item of statements) {
        if (item.op !== op) continue;
        steps.push({ topLevel, operation: op, idempotent: isIdempotent(item.statement), span: item.span, label: `RunSQL \`${statementExcerpt(item.statement, 50)}\`` });
      }
      continue;
    }
    const table = modelNames(ctx, op)?.table;
    const idempotent = REPEATABLE_OPERATIONS.has(op.name) || (op.name === 'AlterField' && alterFieldRerunnable(ctx, op));
    steps.push({ topLevel, operation: op, idempotent, span: op.span, label: table ? `${op.name} on ${table}` : op.name });
  }
  return steps;
}

/** The top-level operation a nested one sits in (itself when top-level). */
function topLevelOperation(op: Operation): Operation {
  let top = op;
  for (let depth = 0; top.parent && depth < 16; depth++) top = top.parent;
  return top;
}
