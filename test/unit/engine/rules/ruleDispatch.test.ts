// Rules as predicates dispatched by operation kind: the analysis walks a file's operations once and calls each rule
// only for the kinds it declared; the per-operation facts (state before, target names, SQL with locks) are computed
// once however many rules read them, and the hover gets the same objects; the hover's related rules come from the
// rules' declared kinds.
import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { analyze, Project, type SourceFile } from '../../../../server/src/engine/analyze';
import { DEFAULT_CONFIG, type ResolvedConfig } from '../../../../server/src/engine/config/types';
import { relatedRules } from '../../../../server/src/engine/operationDocs';
import { factsWork } from '../../../../server/src/engine/rules/operationFacts';
import { operationsOf, WHOLE_MIGRATION } from '../../../../server/src/engine/rules/dispatch';
import { buildMigrationModel } from '../../../../server/src/engine/python/buildModel';
import { parsePython } from '../../../../server/src/engine/python/parse';
import type { FileContext, FileRule, OperationFacts, OperationKinds } from '../../../../server/src/engine/rules/rule';
import type { Operation } from '../../../../server/src/engine/python/model';
import { LOCKING_STATEMENTS } from '../../../../server/src/engine/rules/exclusiveLockHeldBySlowStep';
import { blocksWrites, strongestStatementLock } from '../../../../server/src/engine/sql/locks';
import { scanSql } from '../../../../server/src/engine/sql/scanner';

const EXPLANATION = { summary: 's', sql: '', lock: '', blocks: '', rewrite: '', safeAlternative: '', safeCode: '' };
const CONFIG: ResolvedConfig = { ...DEFAULT_CONFIG };

function operationRule(id: string, operations: OperationKinds, checkOperation: (ctx: FileContext, op: Operation) => void): FileRule {
  return { id, title: id, severity: 'warning', vendors: 'all', category: 'compatibility', explanation: EXPLANATION, scope: 'file', operations, checkOperation };
}

const INITIAL: SourceFile = {
  path: 'shop/migrations/0001_initial.py',
  text: `from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(name="Order", fields=[("id", models.BigAutoField(primary_key=True))]),
    ]
`,
};

const CHANGES: SourceFile = {
  path: 'shop/migrations/0002_changes.py',
  text: `from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("shop", "0001_initial")]
    operations = [
        migrations.AddField("order", "note", models.TextField(null=True)),
        migrations.RemoveField("order", "legacy"),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddField("order", "code", models.TextField(null=True))],
        ),
        AddIndexConcurrently("order", models.Index(fields=["note"], name="order_note_idx")),
        migrations.RunSQL("SELECT 1"),
    ]
`,
};

describe('rules dispatched by operation kind', () => {
  it('calls a rule only for the operation kinds it declared, nested operations included', () => {
    const seen: string[] = [];
    const qualified: string[] = [];
    const addField = operationRule('fake-add-field', ['AddField'], (_ctx, op) => seen.push(op.name));
    const postgres = operationRule('fake-postgres', (kind) => kind.qualifiedName.startsWith('django.contrib.postgres.'), (_ctx, op) => qualified.push(op.name));
    const result = analyze([INITIAL, CHANGES], { config: CONFIG, rules: [addField, postgres] });
    assert.deepEqual(result.errors, []);
    // The top-level AddField and the one in state_operations; never CreateModel, RemoveField, RunSQL...
    assert.deepEqual(seen, ['AddField', 'AddField']);
    assert.deepEqual(qualified, ['AddIndexConcurrently']);
  });

  it('computes each operation\'s facts once however many rules read them, and shares them with the hover', () => {
    const project = new Project([
      operationRule('fake-a', ['AddField'], (ctx, op) => void [ctx.facts(op).model, ctx.facts(op).sql, ctx.facts(op).stateBefore]),
      operationRule('fake-b', ['AddField', 'RemoveField'], (ctx, op) => void [ctx.facts(op).model, ctx.facts(op).sql, ctx.stateBefore(op)]),
      operationRule('fake-c', ['AddField'], (ctx, op) => void [ctx.facts(op).model?.table, ctx.facts(op).changesExistingTable]),
    ]);
    project.setFile(INITIAL.path, INITIAL.text);
    project.setFile(CHANGES.path, CHANGES.text);
    const before = { ...factsWork };
    project.analyzeFile(CHANGES.path, CONFIG);
    const work = { operations: factsWork.operations - before.operations, stateBefore: factsWork.stateBefore - before.stateBefore, model: factsWork.model - before.model, sql: factsWork.sql - before.sql };
    // Two AddFields (one nested) and one RemoveField were read, three rules each.
    assert.deepEqual(work, { operations: 3, stateBefore: 3, model: 3, sql: 3 });

    const model = project.model(CHANGES.path)!;
    const addField = model.operations[0]!;
    const facts = project.operationFacts(CHANGES.path, addField, CONFIG) as OperationFacts;
    assert.equal(facts.model?.table, 'shop_order');
    assert.match(facts.sql?.statements[0]?.sql ?? '', /^ALTER TABLE "shop_order" ADD COLUMN "note" text NULL;$/);
    assert.equal(facts.sql?.statements[0]?.effect?.locks[0]?.mode, 'ACCESS EXCLUSIVE');
    // Read by the hover after the analysis: nothing is computed again.
    assert.deepEqual({ ...factsWork }, { operations: before.operations + 3, stateBefore: before.stateBefore + 3, model: before.model + 3, sql: before.sql + 3 });

    // After an edit anywhere, the next analysis starts afresh.
    project.setFile(INITIAL.path, `${INITIAL.text}\n`);
    assert.notEqual(project.operationFacts(CHANGES.path, addField, CONFIG), facts);
  });

  it('reports a rule that throws once per file, stops calling it there, and keeps the others running', () => {
    let calls = 0;
    const exploding = operationRule('fake-exploding', ['AddField'], () => {
      calls++;
      throw new Error('boom');
    });
    const reporting = operationRule('fake-remove', ['RemoveField'], (ctx, op) => ctx.report({ span: op.span, operation: op, message: 'removed' }));
    const result = analyze([INITIAL, CHANGES], { config: CONFIG, rules: [exploding, reporting] });
    assert.equal(calls, 1);
    assert.deepEqual(result.errors, [{ file: CHANGES.path, message: 'rule fake-exploding failed: boom' }]);
    assert.deepEqual(result.findings.map((finding) => finding.rule), ['fake-remove']);
  });

  it('runs a file-level check once per file besides the dispatched operations', () => {
    const files: string[] = [];
    const fileLevel: FileRule = { ...operationRule('fake-file', ['RunSQL'], () => undefined), check: (ctx) => void files.push(ctx.file.name) };
    analyze([INITIAL, CHANGES], { config: CONFIG, rules: [fileLevel] });
    assert.deepEqual(files, ['0001_initial', '0002_changes']);
  });

  it('derives an operation\'s related rules from the kinds rules declare, most specific first', () => {
    const broad = operationRule('fake-broad', ['AddField', 'AlterField'], () => undefined);
    const every = operationRule('fake-every', () => true, () => undefined);
    const narrow = operationRule('fake-narrow', ['AddField'], () => undefined);
    assert.deepEqual(relatedRules('AddField', [every, broad, narrow]), ['fake-narrow', 'fake-broad', 'fake-every']);
    assert.deepEqual(relatedRules('AlterField', [every, broad, narrow]), ['fake-broad', 'fake-every']);
    assert.deepEqual(relatedRules('RunSQL', [broad, narrow]), []);
    // The real catalogue: a rule that declares AddIndex is the card for AddIndex.
    assert.equal(relatedRules('AddIndex')[0], 'add-index-non-concurrent');
  });
});

function migrationModel(source: SourceFile) {
  return buildMigrationModel(source.path, source.text, parsePython(source.text).tree);
}

const RULES_DIR = join(__dirname, '..', '..', '..', '..', 'server', 'src', 'engine', 'rules');

function ruleSources(dir: string): { file: string; text: string }[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return ruleSources(path);
    return path.endsWith('.ts') ? [{ file: relative(RULES_DIR, path).split('\\').join('/'), text: readFileSync(path, 'utf8') }] : [];
  });
}

describe('no rule walks the operations itself', () => {
  it('reads a file\'s operations only through the dispatch (checkOperation, operationsOf)', () => {
    const loops = ruleSources(RULES_DIR)
      .filter(({ file }) => file !== 'dispatch.ts')
      .flatMap(({ file, text }) => [...text.matchAll(/(?:file|ctx\.file|model)\.(allOperations|operations)\b/g)].map((match) => `${file}: ${match[0]}`));
    assert.deepEqual(loops, []);
    // The scan sees the rules it is about.
    assert.ok(ruleSources(RULES_DIR).length > 60);
  });

  it('names the few rules that judge a whole migration', () => {
    const whole = ruleSources(RULES_DIR)
      .filter(({ file, text }) => file !== 'dispatch.ts' && text.includes('WHOLE_MIGRATION'))
      .map(({ file }) => file)
      .sort();
    // The order of every step (non-atomic re-runs, heavy passes over one table) or the transaction as a whole; and
    // the split fix of exclusive-lock-held-by-slow-step, which moves the operations after the slow step.
    assert.deepEqual(whole, ['exclusiveLockHeldBySlowStep.ts', 'migrationSql.ts', 'mixedSchemaAndData.ts', 'nonAtomicMixedOperations.ts', 'severalHeavyOpsOneTable.ts']);
  });

  it('operationsOf answers what the analysis dispatches: names or a predicate, nested operations, database-only on request', () => {
    const model = migrationModel(CHANGES);
    const names = (ops: readonly { name: string }[]) => ops.map((op) => op.name);
    assert.deepEqual(names(operationsOf(model, ['AddField'])), ['AddField', 'AddField']);
    assert.deepEqual(names(operationsOf(model, ['AddField'], { touchingDatabase: true })), ['AddField']);
    assert.deepEqual(names(operationsOf(model, (kind) => kind.qualifiedName.startsWith('django.contrib.postgres.'))), ['AddIndexConcurrently']);
    assert.deepEqual(names(operationsOf(model, WHOLE_MIGRATION)), ['AddField', 'RemoveField', 'SeparateDatabaseAndState', 'AddField', 'AddIndexConcurrently', 'RunSQL']);
    assert.deepEqual(names(operationsOf(model, WHOLE_MIGRATION, { touchingDatabase: true })), ['AddField', 'RemoveField', 'SeparateDatabaseAndState', 'AddIndexConcurrently', 'RunSQL']);

    // The same operations, in the same order, as a rule declaring the kinds receives through checkOperation.
    const dispatched: unknown[] = [];
    const rule = operationRule('fake-order', ['AddField', 'RunSQL'], (_ctx, op) => dispatched.push(op.span.start));
    analyze([INITIAL, CHANGES], { config: CONFIG, rules: [rule] });
    const initial = migrationModel(INITIAL);
    assert.deepEqual(dispatched, [...operationsOf(initial, ['AddField', 'RunSQL']), ...operationsOf(model, ['AddField', 'RunSQL'])].map((op) => op.span.start));
  });
});

describe('lock modes come from sql/locks.ts alone', () => {
  it('knows the lock of every statement shape exclusive-lock-held-by-slow-step reads operations\' locks from', () => {
    for (const [shape, sql] of Object.entries(LOCKING_STATEMENTS)) {
      for (const postgresVersion of [10, 16]) {
        const mode = strongestStatementLock(scanSql(sql)[0]!, postgresVersion);
        assert.ok(mode && blocksWrites(mode), `${shape} on PostgreSQL ${postgresVersion}: ${mode ?? 'unknown to sql/locks.ts'}`);
      }
    }
    assert.equal(strongestStatementLock(scanSql(LOCKING_STATEMENTS.createIndex)[0]!, 16), 'SHARE');
    assert.equal(strongestStatementLock(scanSql(LOCKING_STATEMENTS.joinTable)[0]!, 16), 'SHARE ROW EXCLUSIVE');
  });
});
