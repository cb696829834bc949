// Make Migrations' verdict, confirmation and preview from a real Django 3.2 dry run and the engine's findings for it
// (the answer the language server gives, built here the way proposedMigrationFindings.ts builds it).
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMakemigrationsPreview, type ProposedMigration } from '../../../client/src/django/djangoOutput';
import { decideWriteConfirmation, firstFindingToFix, makemigrationsPreviewText, proposedLint, proposedVerdict } from '../../../client/src/django/proposedLint';
import { DEFAULT_CONFIG } from '../../../server/src/engine/config/types';
import { analyzeProposedMigrations } from '../../../server/src/engine/proposedMigrations';
import type { ProposedMigrationFindingsResult } from '../../../server/src/lsp/clientContract';

const FIXTURES = join(__dirname, '..', '..', 'fixtures');
const ROOT = join(FIXTURES, 'lsp', 'proposed');
const preview = parseMakemigrationsPreview(readFileSync(join(FIXTURES, 'django-output', 'makemigrations-dry-run-v3.txt'), 'utf8'));
const uriOf = (migration: ProposedMigration) => `file://${join(ROOT, migration.path)}`;

function serverAnswer(): ProposedMigrationFindingsResult {
  const read = (path: string) => ({ path: join(ROOT, path), text: readFileSync(join(ROOT, path), 'utf8') });
  const analysed = analyzeProposedMigrations(
    [read('shop/migrations/0001_initial.py')],
    preview.migrations.map((migration) => ({ path: join(ROOT, migration.path), text: migration.content! })),
    { config: { ...DEFAULT_CONFIG, root: ROOT, djangoVersion: '3.2' }, settingsFiles: [read('proj/settings.py')] },
  );
  return {
    notChecked: [],
    files: analysed.map((file, index) => ({
      uri: uriOf(preview.migrations[index]!),
      counts: { error: 0, warning: 0, info: 0 },
      findings: file.findings.map((finding) => ({ rule: finding.rule, severity: finding.severity, message: finding.message, line: finding.start.line, fixes: finding.fixTitles })),
    })),
  };
}

describe('client: Make Migrations lints the dry run before writing', () => {
  const lint = proposedLint(preview, serverAnswer(), uriOf);

  it('gives the verdict of both files, counting the quick fixes', () => {
    assert.deepEqual(proposedVerdict(lint), { errorCount: 1, warningCount: 4, fixable: 1, checkedCount: 2, summary: '1 error, 4 warnings in the proposed migrations (1 with a quick fix).' });
  });

  it('asks about the errors, with its own button, unless makeMigrations.confirmErrors is off', () => {
    const guarded = decideWriteConfirmation(lint, true);
    assert.equal(guarded.message, 'The proposed migrations have 1 error. Write 2 migration files anyway?');
    assert.equal(guarded.confirmLabel, 'Write Despite Errors');
    assert.equal(
      guarded.detail,
      [
        'shop/migrations/0002_auto_20261203_0611.py  (1 error, 4 warnings)',
        '    - Remove field legacy_code from product',
        '    - Add field price to product',
        '    - Add field sku to product',
        '    - Alter field name on product',
        '    - Create model Tag',
        'orders/migrations/0001_initial.py',
        '    - Create model Order',
        '',
        '1 error, 4 warnings in the proposed migrations (1 with a quick fix).',
        'The findings are in the preview document.',
      ].join('\n'),
    );
    const plain = decideWriteConfirmation(lint, false);
    assert.deepEqual([plain.message, plain.confirmLabel], ['Write 2 migration files?', 'Write Migrations']);
    const clean = decideWriteConfirmation(proposedLint({ noChanges: false, migrations: [preview.migrations[1]!] }, serverAnswer(), uriOf), true);
    assert.deepEqual([clean.message, clean.confirmLabel], ['Write 1 migration file?', 'Write Migrations']);
    assert.match(clean.detail, /\nNo errors or warnings in the 1 proposed migration\.\n/);
  });

  it('puts the verdict and each finding, with its quick fix, above the file text in the preview', () => {
    const text = makemigrationsPreviewText(preview, lint);
    assert.match(text, /^# makemigrations --dry-run: nothing has been written yet\.\n# Migration Guard: 1 error, 4 warnings in the proposed migrations \(1 with a quick fix\)\.\n#   Because of the errors, writing asks again \(migrationGuard\.makeMigrations\.confirmErrors\)\.\n#   Quick fixes: once written/);
    assert.match(
      text,
      /# shop\/migrations\/0002_auto_20261203_0611\.py\n(#   - .*\n){5}# Migration Guard: 1 error, 4 warnings\n#   line 14: error remove-field: RemoveField shop\.Product\.legacy_code: drops column legacy_code from shop_product[^\n]*\n#       quick fix: Remove the field from the state only \(SeparateDatabaseAndState\), drop the column in a later release\n#   line 21: warning add-field-not-null-python-default: /,
    );
    assert.match(text, /# orders\/migrations\/0001_initial\.py\n#   - Create model Order\n# Migration Guard: no findings\.\n/);
    assert.match(text, /# Generated by Django 3\.2\.25[^]*migrations\.RemoveField\(/);
  });

  it('never counts a file the server did not answer for as clean, and keeps messages on one comment line', () => {
    const answer = serverAnswer();
    answer.files = answer.files.slice(0, 1);
    answer.files[0]!.findings[0]!.message = 'two\nlines\nimport os';
    const partial = proposedLint(preview, answer, uriOf);
    assert.equal(partial.files[1]!.notChecked, 'outside the workspace folders');
    assert.match(proposedVerdict(partial).summary, / 1 file not checked\.$/);
    const text = makemigrationsPreviewText(preview, partial);
    assert.match(text, /#   line 14: error remove-field: two lines import os\n/);
    assert.match(text, /# Not checked: outside the workspace folders\.\n/);
    const offline = proposedLint(preview, undefined, uriOf, 'the migration checks are not running');
    assert.equal(proposedVerdict(offline).summary, 'The proposed migrations were not checked: the migration checks are not running.');
  });

  it('opens the written file at the error that has a quick fix', () => {
    const target = firstFindingToFix(lint);
    assert.deepEqual([target?.migration.fileName, target?.finding.rule, target?.finding.line], ['0002_auto_20261203_0611.py', 'remove-field', 13]);
  });
});
