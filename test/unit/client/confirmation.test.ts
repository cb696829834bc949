import { strict as assert } from 'node:assert';
import { checkProduction, decideConfirmation, describeDatabase, stepDirection } from '../../../client/src/django/confirmation';
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

  it('names the database and the settings module, and lists the plan', () => {
    const decision = decideConfirmation({
      title: 'Migrate shop',
      settings: { settingsModule: 'site.settings.dev', database: pg('shop_dev') },
      steps: [step('0002_price'), step('0003_order', ['Create model Order'])],
    });
    assert.equal(decision.kind, 'confirm');
    if (decision.kind !== 'confirm') return;
    assert.equal(decision.message, 'Migrate shop: apply 2 migrations on database "shop_dev" (postgresql on 127.0.0.1:5432)?');
    assert.match(decision.detail, /^Database: "shop_dev" \(postgresql on 127\.0\.0\.1:5432\)\nSettings: site\.settings\.dev\n/);
    assert.match(decision.detail, /Apply shop\.0002_price\n {4}Add field x to y\nApply shop\.0003_order\n {4}Create model Order$/);
    assert.equal(decision.confirmLabel, 'Migrate');
    assert.deepEqual(decision.warnings, []);
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
