// several-heavy-ops-one-table: one migration that rewrites or scans the same table more than once. Each pass reads
// (or writes) the whole table again, and in an atomic migration the first pass's lock is held through all of them.
import type { Operation } from '../python/model';
import { computeLineStarts, lineOfOffset } from '../python/textPositions';
import type { FileRule } from './rule';
import { MAYBE_HEAVY_OPERATIONS, heavyTableWork, type HeavyTableWork } from './tableWork';
import { modelNames } from './operationFacts';
import { operationsOf, WHOLE_MIGRATION } from './dispatch';

export const severalHeavyOpsOneTable: FileRule = {
  id: 'several-heavy-ops-one-table',
  title: 'Several table rewrites or scans in one migration',
  severity: 'info',
  vendors: ['postgresql'],
  category: 'hygiene',
  scope: 'file',
  // File-level: it counts the passes over each table across the whole migration.
  operations: [...MAYBE_HEAVY_OPERATIONS],
  explanation: {
    summary:
      'This migration rewrites or scans the same table several times: a column type change, an index build, a constraint validation, a NOT NULL check... ' +
      'Each operation is its own `ALTER TABLE` and reads the whole table again, and in an atomic migration the strongest lock taken by the first one is held until the last one finishes.',
    sql: '`ALTER TABLE shop_order ALTER COLUMN total TYPE bigint;` (rewrite) then `CREATE INDEX ... ON shop_order (...)` (scan) then `ALTER TABLE shop_order ADD CONSTRAINT ... CHECK (...)` (scan), one after the other.',
    lock: 'ACCESS EXCLUSIVE (or SHARE for index builds) per step, all held until COMMIT in an atomic migration.',
    blocks: 'Reads and writes on the table for the sum of all passes instead of the longest one.',
    rewrite: 'Yes: every listed operation rewrites or scans the full table.',
    safeAlternative:
      'Make each pass cheap instead of repeating expensive ones: build indexes with `AddIndexConcurrently` in their own non-atomic migration, add CHECK and foreign keys `NOT VALID` and validate them later, and do unavoidable rewrites alone in a migration that does nothing else (or combine them into one `ALTER TABLE` with RunSQL so PostgreSQL rewrites once).',
    safeCode:
      '# 0042: the rewrite alone\n' +
      'operations = [\n' +
      '    migrations.AlterField("order", "total", models.BigIntegerField()),\n' +
      ']\n\n' +
      '# 0043: atomic = False, no long lock\n' +
      'operations = [\n' +
      '    AddIndexConcurrently("order", models.Index(fields=["created"], name="order_created_idx")),\n' +
      ']\n\n' +
      '# 0044: validate without blocking writes\n' +
      'operations = [\n' +
      '    AddConstraintNotValid("order", models.CheckConstraint(condition=models.Q(total__gte=0), name="order_total_gte_0")),\n' +
      '    ValidateConstraint("order", name="order_total_gte_0"),\n' +
      ']\n',
    safeCodeLanguage: 'python',
  },
  check(ctx) {
    const passesByTable = new Map<string, { op: Operation; work: HeavyTableWork }[]>();
    for (const op of operationsOf(ctx.file, WHOLE_MIGRATION)) {
      const work = heavyTableWork(ctx, op);
      if (!work) continue;
      const key = `${work.app}.${work.model}`;
      const passes = passesByTable.get(key) ?? [];
      passes.push({ op, work });
      passesByTable.set(key, passes);
    }
    let lineStarts: number[] | undefined;
    for (const passes of passesByTable.values()) {
      if (passes.length < 2) continue;
      lineStarts ??= computeLineStarts(ctx.file.text);
      const starts = lineStarts;
      const [first, second] = passes as [(typeof passes)[0], (typeof passes)[0]];
      const table = modelNames(ctx, first.op)?.table ?? `${first.work.app}_${first.work.model}`;
      const list = passes.map(({ op, work }) => `${op.name} ${work.kind}s (${work.reason}) at line ${lineOfOffset(starts, op.span.start) + 1}`).join('; ');
      // Reported once per table, on the operation that adds the second pass.
      ctx.report({
        span: second.op.span,
        operation: second.op,
        message: `Table \`${table}\` is rewritten or scanned ${passes.length} times in this migration: ${list}. Split or restructure so each pass is cheap.`,
      });
    }
  },
};
