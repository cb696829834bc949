// Migration and app names become manage.py arguments: a file named like an option is never offered as a target.
import { strict as assert } from 'node:assert';
import { commandLineNameProblem, isDjangoAppLabel, isDjangoMigrationName } from '../../../client/src/django/djangoNames';
import { migrationOfFile } from '../../../client/src/django/migrationFiles';

describe('Django names on the command line', () => {
  it('a migration file named like an option is not a manage.py target', () => {
    assert.equal(migrationOfFile('/w/shop/migrations/--fake.py'), undefined);
    assert.equal(migrationOfFile('/w/shop/migrations/0002_x;rm.py'), undefined);
    assert.equal(migrationOfFile('/w/shop/migrations/0002_price.py', [{ label: '-x', name: 'shop', path: '/w/shop' }]), undefined);
    assert.deepEqual(migrationOfFile('/w/shop/migrations/0002_prix_é.py'), { app: 'shop', name: '0002_prix_é' });
  });

  it('follows Django: labels are identifiers, migration names letters, digits and underscores', () => {
    assert.ok(isDjangoAppLabel('shop_2') && isDjangoAppLabel('_private') && !isDjangoAppLabel('2shop') && !isDjangoAppLabel('--plan') && !isDjangoAppLabel(''));
    assert.ok(isDjangoMigrationName('0001_initial') && isDjangoMigrationName('zero') && !isDjangoMigrationName('--fake') && !isDjangoMigrationName('0001 x'));
    assert.match(commandLineNameProblem('shop', '--fake') ?? '', /"--fake" is not a migration name Django accepts/);
    assert.equal(commandLineNameProblem('shop', '0001_initial'), undefined);
  });
});
