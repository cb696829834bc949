import { strict as assert } from 'node:assert';
import type { AppMigrations, PlannedStep } from '../../../client/src/django/djangoOutput';
import { makemigrationsPreviewText } from '../../../client/src/django/proposedLint';
import { appliedSet, findingBadge, findingsTooltip, mergePreviewText, sqlDocumentText, stepsNotDoneAsPlanned } from '../../../client/src/django/previewText';
import { ruleDocumentMarkdown, ruleIdFromArgument } from '../../../client/src/ruleDocs';
import { ALL_RULES } from '../../../server/src/engine/rules/index';
import type { RuleMeta } from '../../../server/src/engine/rules/rule';

const step = (name: string): PlannedStep => ({ app: 'shop', name, operations: [], irreversible: false });
const listed = (states: Record<string, 'applied' | 'unapplied'>): AppMigrations[] => [
  { app: 'shop', migrations: Object.entries(states).map(([name, state]) => ({ app: 'shop', name, state })) },
];

describe('client: checking a migrate run against its plan', () => {
  it('accepts a run that applied or unapplied exactly the plan', () => {
    const before = appliedSet(listed({ '0001': 'applied', '0002': 'unapplied', '0003': 'unapplied' }));
    assert.deepEqual([...before], ['shop.0001']);
    assert.deepEqual(stepsNotDoneAsPlanned([step('0002'), step('0003')], before, listed({ '0001': 'applied', '0002': 'applied', '0003': 'applied' })), []);
    const allApplied = appliedSet(listed({ '0001': 'applied', '0002': 'applied' }));
    assert.deepEqual(stepsNotDoneAsPlanned([step('0002')], allApplied, listed({ '0001': 'applied', '0002': 'unapplied' })), []);
  });

  it('names the planned steps that did not happen, or vanished', () => {
    const before = new Set<string>();
    const notDone = stepsNotDoneAsPlanned([step('0001'), step('0002'), step('0009')], before, listed({ '0001': 'applied', '0002': 'unapplied' }));
    assert.deepEqual(notDone.map((s) => s.name), ['0002', '0009']);
  });
});

describe('client: preview documents', () => {
  it('shows every proposed file with its operations, then its text', () => {
    const text = makemigrationsPreviewText({
      noChanges: false,
      migrations: [{ app: 'shop', path: 'shop/migrations/0004_sku.py', fileName: '0004_sku.py', operations: ['Add field sku to product'], content: 'class Migration:\n    pass\n' }],
    });
    assert.match(text, /# shop\/migrations\/0004_sku\.py\n#   - Add field sku to product\n/);
    assert.match(text, /class Migration:\n {4}pass\n/);
    assert.match(mergePreviewText([{ app: 'shop', fileName: '0005_merge.py', branches: [{ name: '0004_a', operations: ['Add field a to product'] }], content: 'x = 1\n' }]), /# Merging shop: 0005_merge\.py\n#   Branch 0004_a\n#     - Add field a to product/);
  });

  it('puts forwards and backwards SQL in one document, and explains a missing direction', () => {
    const text = sqlDocumentText({ app: 'shop', name: '0002_price', forwards: 'BEGIN;\nALTER TABLE x;\nCOMMIT;\n', backwards: { error: 'Django refused sqlmigrate --backwards:\nIrreversibleError' } });
    assert.equal(text, '-- sqlmigrate shop 0002_price\nBEGIN;\nALTER TABLE x;\nCOMMIT;\n\n-- sqlmigrate shop 0002_price --backwards\n-- Not available: Django refused sqlmigrate --backwards:\n-- IrreversibleError\n');
    assert.match(sqlDocumentText({ app: 'a', name: 'b', forwards: '', backwards: '' }), /no SQL: this migration only changes Django state/);
  });
});

describe('client: rule documentation', () => {
  const sample: RuleMeta = {
    id: 'add-index-non-concurrent',
    title: 'Index built without CONCURRENTLY',
    severity: 'warning',
    vendors: ['postgresql'],
    category: 'locking',
    explanation: {
      summary: 'Blocks writes while the index builds.',
      sql: 'CREATE INDEX ... ON t (c)',
      lock: 'SHARE for the whole build',
      blocks: 'INSERT, UPDATE, DELETE',
      rewrite: '',
      safeAlternative: 'Use AddIndexConcurrently in a non-atomic migration.',
      safeCode: 'x = """```"""\natomic = False\n',
    },
  };

  it('renders every part of the explanation, skipping empty ones', () => {
    const markdown = ruleDocumentMarkdown(sample);
    assert.match(markdown, /^# Index built without CONCURRENTLY\n\n`add-index-non-concurrent` · warning · Locks and table rewrites · applies to PostgreSQL\n/);
    assert.match(markdown, /## Lock\n\nSHARE for the whole build/);
    assert.doesNotMatch(markdown, /## Table rewrite/);
    assert.match(markdown, /\n````python\nx = """```"""\natomic = False\n````\n/, 'the fence outlasts backticks in the code');
    assert.match(markdown, /# migration-guard: ignore add-index-non-concurrent/);
    assert.match(markdown, /\(https:\/\/[^)]+#add-index-non-concurrent\)/);
  });

  it('renders every rule of the catalogue', () => {
    for (const rule of ALL_RULES) {
      const markdown = ruleDocumentMarkdown(rule);
      assert.ok(markdown.startsWith(`# ${rule.title}\n`), rule.id);
      assert.ok(markdown.includes(rule.explanation.summary), rule.id);
    }
  });

  it('reads the rule id from the shapes commands receive', () => {
    assert.equal(ruleIdFromArgument('remove-field'), 'remove-field');
    assert.equal(ruleIdFromArgument(['remove-field']), 'remove-field');
    assert.equal(ruleIdFromArgument({ ruleId: 'remove-field' }), 'remove-field');
    assert.equal(ruleIdFromArgument({ code: { value: 'remove-field', target: 'https://x' } }), 'remove-field');
    assert.equal(ruleIdFromArgument(undefined), undefined);
    assert.equal(ruleIdFromArgument('  '), undefined);
    assert.equal(ruleIdFromArgument({ other: 1 }), undefined);
  });
});

describe('client: finding counts in the Django Migrations view', () => {
  const file = {
    uri: 'file:///w/shop/migrations/0002_x.py',
    counts: { error: 2, warning: 1, info: 0 },
    findings: [
      { rule: 'runsql-no-reverse', severity: 'warning' as const, message: 'RunSQL   has no\nreverse_sql', line: 29 },
      { rule: 'remove-field', severity: 'error' as const, message: 'RemoveField shop.Order.legacy: drops column legacy (data loss)', line: 18 },
      { rule: 'add-field-not-null-no-default', severity: 'error' as const, message: 'AddField shop.Order.note: NOT NULL', line: 22 },
    ],
  };

  it('badges the error and warning counts, nothing without findings', () => {
    assert.equal(findingBadge(file), '✖ 2 ⚠ 1');
    assert.equal(findingBadge({ ...file, counts: { error: 0, warning: 3, info: 1 } }), '⚠ 3');
    assert.equal(findingBadge({ ...file, counts: { error: 0, warning: 0, info: 2 } }), '');
    assert.equal(findingBadge(undefined), '');
  });

  it('lists the findings in the tooltip, errors first, one line each', () => {
    assert.equal(
      findingsTooltip('shop.0002_x: applied', file),
      [
        'shop.0002_x: applied',
        '',
        '2 errors, 1 warning:',
        'line 19 error remove-field: RemoveField shop.Order.legacy: drops column legacy (data loss)',
        'line 23 error add-field-not-null-no-default: AddField shop.Order.note: NOT NULL',
        'line 30 warning runsql-no-reverse: RunSQL has no reverse_sql',
      ].join('\n'),
    );
    assert.equal(findingsTooltip('shop.0001: applied', undefined), 'shop.0001: applied');
  });
});
