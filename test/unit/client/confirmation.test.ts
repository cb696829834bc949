import { strict as assert } from 'node:assert';
import { checkProduction, decideConfirmation, describeDatabase, stepDirection, type Confirmation, type PlanLint } from '../../../client/src/django/confirmation';
import { migratePlanPreviewText } from '../../../client/src/django/previewText';
import { planFiles, planLint } from '../../../client/src/django/preflight';
import { migrationFilePath } from '../../../client/src/django/migrationFiles';
import { parseSettingsProbe } from '../../../client/src/django/djangoOutput';
import { SETTINGS_PROBE_MARKER } from '../../../client/src/django/commandLine';
import type { FindingSummary } from '../../../server/src/lsp/clientContract';
import type { PlannedStep } from '../../../client/src/django/djangoOutput';

const sqlite = { name: '/home/me/shop/db.sqlite3', engine: 'django.db.backends.sqlite3', host: '', port: '' };
const pg = (name: string, host = '127.0.0.1') => ({ name, engine: 'django.db.backends.postgresql', host, port: '5432' });
const step = (name: string, operations: string[] = ['Add field x to y'], irreversible = false): PlannedStep => ({ app: 'shop', name, operations, irreversible });

describe('client: confirmation before migrate', () => {
  it('asks nothing when the plan is empty, and says so', () => {
    const decision = decideConfirmation({ title: 'Migrate all apps', settings: { settingsModule: 'site.settings', database: sqlite }, steps: [] });
    assert.equal(decision.kind, 'nothing-to-do');
    assert.match(decision.kind === 'nothing-to-do' ? decision.message : '', /nothing to do.*db\.sqlite3.*site\.settings/);
  });

  it('names the database and the settings module in a short modal; the plan goes in the preview', () => {
    const steps = [step('0002_price'), step('0003_order', ['Create model Order'])];
    const decision = decideConfirmation({
      title: 'Migrate shop',
      settings: { settingsModule: 'site.settings.dev', database: pg('shop_dev') },
      steps,
      lint: { checked: [clean('0002_price'), clean('0003_order')] },
    });
    assert.equal(decision.kind, 'confirm');
    if (decision.kind !== 'confirm') return;
    assert.equal(decision.message, 'Migrate shop: apply 2 migrations on database "shop_dev" (postgresql on 127.0.0.1:5432)?');
    assert.equal(
      decision.detail,
      'Database: "shop_dev" (postgresql on 127.0.0.1:5432)\nSettings: site.settings.dev\n\nNo errors in the 2 migrations checked.\nThe findings and the plan are in the preview document.',
    );
    assert.equal(decision.confirmLabel, 'Migrate');
    assert.deepEqual(decision.warnings, []);
    assert.match(migratePlanPreviewText(decision, steps), /^No errors in the 2 migrations checked\.\n[^]*Apply shop\.0002_price\n {4}Add field x to y\nApply shop\.0003_order\n {4}Create model Order\n$/);
  });

  it('says UNAPPLY for a rollback, using the applied state when known', () => {
    const steps = [step('0003_order', ['Undo Create model Order']), step('0002_price', ['Raw SQL operation -> ALTER TABLE'])];
    const decision = decideConfirmation({ title: 'Roll back shop', settings: { settingsModule: 's', database: sqlite }, steps, applied: new Set(['shop.0003_order', 'shop.0002_price']) });
    assert.ok(decision.kind === 'confirm');
    assert.match(decision.message, /UNAPPLY 2 migrations/);
    assert.equal(decision.confirmLabel, 'Roll Back');
    assert.equal(stepDirection(steps[1]!), 'apply', 'without the state, only Undo/IRREVERSIBLE reveal the direction');
    assert.equal(stepDirection(steps[0]!), 'unapply');
  });

  it('warns about irreversible steps', () => {
    const decision = decideConfirmation({ title: 'Roll back shop', settings: { settingsModule: 's', database: sqlite }, steps: [step('0004_data', ['Raw Python operation -> IRREVERSIBLE'], true)] });
    assert.ok(decision.kind === 'confirm');
    assert.match(decision.detail, /Cannot be reversed: shop\.0004_data/);
  });

  it('asks to type the database name when the target looks like production', () => {
    for (const settings of [
      { settingsModule: 'config.settings.prod', database: pg('shop') },
      { settingsModule: 'config.settings', database: pg('shop_production') },
      { settingsModule: 'config.settings', database: pg('shop', 'live-db.internal') },
      { settingsModule: 'settings', database: { ...sqlite, name: '/srv/prod/db.sqlite3' } },
    ]) {
      const decision = decideConfirmation({ title: 'Migrate all apps', settings, steps: [step('0002_price')] });
      assert.equal(decision.kind, 'typed', JSON.stringify(settings));
      if (decision.kind === 'typed') {
        assert.equal(decision.expectedText, settings.database.name.split('/').pop());
        assert.match(decision.detail, /PRODUCTION/);
      }
    }
  });

  it('does not cry production for look-alikes', () => {
    for (const value of ['product', 'products_db', 'reproduce', 'delivery', 'olive', 'liveness']) {
      assert.deepEqual(checkProduction({ settingsModule: `site.${value}`, database: pg(value, '') }, undefined).matches, [], value);
    }
  });

  it('honours a custom pattern and falls back to the default when it is invalid', () => {
    assert.deepEqual(checkProduction({ settingsModule: 'site.settings.staging', database: pg('x') }, 'staging').matches, ['site.settings.staging']);
    const invalid = checkProduction({ settingsModule: 'site.settings.prod', database: pg('x') }, '([unclosed');
    assert.deepEqual(invalid.matches, ['site.settings.prod']);
    assert.match(invalid.patternProblem ?? '', /not a valid regular expression/);
    const decision = decideConfirmation({ title: 'Migrate', settings: { settingsModule: 'a', database: pg('x') }, steps: [step('1')], productionPattern: '(' });
    assert.ok(decision.kind === 'confirm' && decision.warnings.length === 1);
  });

  it('describes databases compactly', () => {
    assert.equal(describeDatabase(sqlite), '"/home/me/shop/db.sqlite3" (sqlite3)');
    assert.equal(describeDatabase({ name: '', engine: '', host: '', port: '' }), '"(no NAME)" (unknown engine)');
  });
});

const finding = (severity: FindingSummary['severity'], rule: string, line: number, message = `${rule} message`): FindingSummary => ({ severity, rule, line, message });
const clean = (name: string) => ({ app: 'shop', name, findings: [] });

describe('client: the pre-flight before migrate', () => {
  const settings = { settingsModule: 'site.settings', database: sqlite };
  const steps = [step('0001_initial'), step('0002_remove_legacy', ['Remove field legacy from order']), step('0003_note'), step('0004_index')];
  const lint: PlanLint = {
    checked: [
      clean('0001_initial'),
      { app: 'shop', name: '0002_remove_legacy', findings: [finding('warning', 'runsql-no-reverse', 30), finding('error', 'remove-field', 18, 'RemoveField shop.Order.legacy: drops column legacy (data loss)')] },
      { app: 'shop', name: '0003_note', findings: [finding('error', 'add-field-not-null-no-default', 9), finding('error', 'add-field-not-null-no-default', 12)] },
      { app: 'shop', name: '0004_index', findings: [finding('warning', 'add-index-non-concurrent', 14), finding('info', 'runpython-unbatched-backfill', 5)] },
    ],
  };
  const typed = (decision: Confirmation) => {
    assert.ok(decision.kind === 'typed', JSON.stringify(decision));
    return decision;
  };

  it('asks to type the database name when a migration of the plan has errors, with the counts in the modal', () => {
    const decision = typed(decideConfirmation({ title: 'Migrate all apps', settings, steps, lint }));
    assert.equal(decision.typedBecause, 'errors');
    assert.equal(decision.expectedText, 'db.sqlite3');
    assert.equal(decision.message, 'Migrate all apps: apply 4 migrations on database "/home/me/shop/db.sqlite3" (sqlite3)?');
    assert.equal(
      decision.detail,
      'Database: "/home/me/shop/db.sqlite3" (sqlite3)\nSettings: site.settings\n\n2 migrations in this plan have errors (3 errors), 1 more has warnings.\nThe findings and the plan are in the preview document.',
    );
    assert.ok(decision.detail.split('\n').length <= 6, 'the modal stays short');
  });

  it('leads the preview with the verdict and each finding, then the plan with each step\'s counts', () => {
    const decision = typed(decideConfirmation({ title: 'Migrate all apps', settings, steps, lint }));
    assert.equal(
      migratePlanPreviewText(decision, steps),
      [
        '2 migrations in this plan have errors:',
        '  shop.0002_remove_legacy',
        '    line 19: error remove-field: RemoveField shop.Order.legacy: drops column legacy (data loss)',
        '    line 31: warning runsql-no-reverse: runsql-no-reverse message',
        '  shop.0003_note',
        '    line 10: error add-field-not-null-no-default: add-field-not-null-no-default message',
        '    line 13: error add-field-not-null-no-default: add-field-not-null-no-default message',
        '',
        '1 more with warnings:',
        '  shop.0004_index',
        '    line 15: warning add-index-non-concurrent: add-index-non-concurrent message',
        '    line 6: info runpython-unbatched-backfill: runpython-unbatched-backfill message',
        '',
        'Because of the errors, db.sqlite3 must be typed to confirm (migrationGuard.migrate.confirmErrors).',
        '',
        'Migrate all apps: apply 4 migrations on database "/home/me/shop/db.sqlite3" (sqlite3)?',
        '',
        'Database: "/home/me/shop/db.sqlite3" (sqlite3)',
        'Settings: site.settings',
        '',
        'Plan (migrate --plan):',
        'Apply shop.0001_initial',
        '    Add field x to y',
        'Apply shop.0002_remove_legacy    (1 error, 1 warning)',
        '    Remove field legacy from order',
        'Apply shop.0003_note    (2 errors)',
        '    Add field x to y',
        'Apply shop.0004_index    (1 warning)',
        '    Add field x to y',
        '',
      ].join('\n'),
    );
  });

  it('keeps the usual modal for errors when migrationGuard.migrate.confirmErrors is off, and for warnings only', () => {
    const off = decideConfirmation({ title: 'Migrate all apps', settings, steps, lint, confirmErrors: false });
    assert.equal(off.kind, 'confirm');
    const warningsOnly = decideConfirmation({ title: 'Migrate all apps', settings, steps: [steps[3]!], lint: { checked: [lint.checked[3]!] } });
    assert.equal(warningsOnly.kind, 'confirm');
    assert.match(warningsOnly.kind === 'confirm' ? warningsOnly.detail : '', /\nNo errors in the 1 migration checked, 1 migration has warnings\.\n/);
  });

  it('production still wins over errors, and says why typing is needed', () => {
    const decision = typed(decideConfirmation({ title: 'Migrate', settings: { settingsModule: 'site.settings.prod', database: pg('shop') }, steps, lint }));
    assert.equal(decision.typedBecause, 'production');
    assert.match(migratePlanPreviewText(decision, steps), /\nThis looks like production: shop must be typed to confirm\.\n/);
  });

  it('says when migrations were not checked: installed packages, or no language server', () => {
    const partial = decideConfirmation({ title: 'Migrate', settings, steps: [step('0001_initial'), { ...step('0001_initial'), app: 'contenttypes' }], lint: { checked: [clean('0001_initial')] } });
    assert.ok(partial.kind === 'confirm');
    assert.match(partial.detail, /No errors in the 1 migration checked\. 1 migration from installed packages not checked\./);
    assert.match(migratePlanPreviewText(partial, [step('0001_initial'), { ...step('0001_initial'), app: 'contenttypes' }]), /^No errors in the 1 migration checked\.\n\nNot checked: 1 migration whose files are not in the workspace \(installed packages\)\.\n/);
    const none = decideConfirmation({ title: 'Migrate', settings, steps, lint: { checked: [], unavailable: 'the migration checks are not running' } });
    assert.ok(none.kind === 'confirm', 'an unavailable check does not block');
    assert.match(none.detail, /\nThe migrations in this plan were not checked: the migration checks are not running\.\n/);
    assert.match(migratePlanPreviewText(none, steps), /^The migrations in this plan were not checked: the migration checks are not running\.\n/);
  });
});

describe('client: from the plan to the verdict (preflight.ts)', () => {
  const settings = { settingsModule: 'site.settings', database: sqlite };
  const apps = [
    { label: 'shop', name: 'shop', path: '/ws/shop', migrationsPath: '/ws/shop/migrations' },
    // MIGRATION_MODULES = {'billing': 'billing.db_migrations'}: the probe reports where Django loads them from.
    { label: 'billing', name: 'billing', path: '/ws/billing', migrationsPath: '/ws/billing/db_migrations' },
    { label: 'contenttypes', name: 'django.contrib.contenttypes', path: '/usr/lib/python3/dist-packages/django/contrib/contenttypes' },
  ];
  const onDisk = new Set([
    '/ws/shop/migrations/0002_remove_legacy.py',
    '/ws/shop/migrations/0001_squashed_0003_note.py',
    '/ws/billing/db_migrations/0004_drop_invoice.py',
    '/usr/lib/python3/dist-packages/django/contrib/contenttypes/migrations/0001_initial.py',
  ]);
  const host = { exists: (path: string) => onDisk.has(path), workspaceUri: (path: string) => (path.startsWith('/ws/') ? `file://${path}` : undefined) };
  const plan = [
    { ...step('0001_initial'), app: 'contenttypes' },
    step('0001_squashed_0003_note', ['Create model Note']),
    step('0002_remove_legacy', ['Remove field legacy from order']),
    { ...step('0004_drop_invoice', ['Delete model Invoice']), app: 'billing' },
  ];
  const answer = (uris: readonly string[]) => ({
    files: uris.map((uri) => ({ uri, counts: { error: 1, warning: 0, info: 0 }, findings: [finding('error', 'remove-field', 3)] })),
  });

  it('counts all 3 planned migrations with errors: a squash, and one MIGRATION_MODULES moves', () => {
    const files = planFiles(plan, apps, host);
    assert.deepEqual([...files.byUri.keys()], [
      'file:///ws/shop/migrations/0001_squashed_0003_note.py',
      'file:///ws/shop/migrations/0002_remove_legacy.py',
      'file:///ws/billing/db_migrations/0004_drop_invoice.py',
    ]);
    assert.deepEqual(files.outside.map((entry) => entry.app), ['contenttypes']);
    const decision = decideConfirmation({ title: 'Migrate all apps', settings, steps: plan, lint: planLint(files, answer([...files.byUri.keys()])) });
    assert.ok(decision.kind === 'typed');
    assert.equal(decision.verdict.withErrors.length, 3);
    assert.match(decision.detail, /\n3 migrations in this plan have errors \(3 errors\)\. 1 migration from installed packages not checked\.\n/);
    assert.match(migratePlanPreviewText(decision, plan), /^3 migrations in this plan have errors:\n {2}shop\.0001_squashed_0003_note\n[^]* {2}shop\.0002_remove_legacy\n[^]* {2}billing\.0004_drop_invoice\n/);
  });

  it('names a workspace migration the language server did not answer for, instead of calling it a package', () => {
    const files = planFiles(plan, apps, host);
    const answered = [...files.byUri.keys()].filter((uri) => !uri.includes('billing'));
    const decision = decideConfirmation({ title: 'Migrate all apps', settings, steps: plan, lint: planLint(files, answer(answered)) });
    assert.ok(decision.kind === 'typed');
    assert.deepEqual(decision.verdict.notAnalysed, ['billing.0004_drop_invoice']);
    assert.match(decision.detail, /2 migrations in this plan have errors \(2 errors\)\. Not checked: billing\.0004_drop_invoice \(see the logs\)\. 1 migration from installed packages not checked\./);
    const preview = migratePlanPreviewText(decision, plan);
    assert.match(preview, /\nNot checked although in the workspace: billing\.0004_drop_invoice \(the language server could not analyse it;/);
    assert.match(preview, /\nNot checked: 1 migration whose files are not in the workspace \(installed packages\)\.\n/);
  });

  it('reads migrationsPath from the settings probe, and finds <app>/migrations without it', () => {
    assert.equal(migrationFilePath({ app: 'billing', name: '0004_x' }, apps), '/ws/billing/db_migrations/0004_x.py');
    assert.equal(migrationFilePath({ app: 'shop', name: '0004_x' }, [{ label: 'shop', name: 'shop', path: '/ws/shop' }]), '/ws/shop/migrations/0004_x.py');
    const probe = parseSettingsProbe(`${SETTINGS_PROBE_MARKER}${JSON.stringify({ settingsModule: 's', database: {}, baseDir: '/ws', apps: [{ label: 'billing', name: 'billing', path: '/ws/billing', migrationsPath: '/ws/billing/db_migrations' }, { label: 'auth', name: 'auth', path: '/x', migrationsPath: '' }] })}`);
    assert.deepEqual(probe?.apps, [{ label: 'billing', name: 'billing', path: '/ws/billing', migrationsPath: '/ws/billing/db_migrations' }, { label: 'auth', name: 'auth', path: '/x' }]);
  });
});
