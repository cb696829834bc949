import { strict as assert } from 'node:assert';
import { diagnoseFailure } from '../../../client/src/django/failures';
import { migrationClassLine, migrationFilePath, migrationOfFile, rollbackTarget } from '../../../client/src/django/migrationFiles';
import type { RunResult } from '../../../client/src/django/run';

const context = { action: 'migrate --plan', executable: '/venv/bin/python' };
const failed = (stderr: string, exitCode: number | null = 1, extra: Partial<RunResult> = {}): RunResult => ({ exitCode, stdout: '', stderr, cancelled: false, timedOut: false, ...extra });

describe('client: explaining manage.py failures', () => {
  it('is silent on success', () => {
    assert.equal(diagnoseFailure(failed('', 0), context), undefined);
  });

  it('explains a missing executable', () => {
    const failure = diagnoseFailure(failed('', null, { startError: { code: 'ENOENT', message: 'spawn x ENOENT' } }), context);
    assert.equal(failure?.kind, 'not-started');
    assert.match(failure!.message, /"\/venv\/bin\/python" was not found/);
  });

  it('explains a missing Django', () => {
    const stderr = "Traceback (most recent call last):\nModuleNotFoundError: No module named 'django'\n\nImportError: Couldn't import Django. Are you sure it's installed?";
    assert.equal(diagnoseFailure(failed(stderr), context)?.kind, 'django-missing');
  });

  it('explains a database that refuses connections (PostgreSQL, MySQL)', () => {
    const pg =
      'django.db.utils.OperationalError: could not connect to server: Connection refused\n\tIs the server running on host "127.0.0.1" and accepting\n\tTCP/IP connections on port 1?';
    const failure = diagnoseFailure(failed(pg), context);
    assert.equal(failure?.kind, 'database-unreachable');
    assert.match(failure!.message, /refused the connection: could not connect to server: Connection refused/);
    const pg15 = 'psycopg.OperationalError: connection to server at "127.0.0.1", port 1 failed: Connection refused';
    assert.equal(diagnoseFailure(failed(pg15), context)?.kind, 'database-unreachable');
    const mysql = "django.db.utils.OperationalError: (2002, \"Can't connect to MySQL server on 'db' (115)\")";
    assert.equal(diagnoseFailure(failed(mysql), context)?.kind, 'database-unreachable');
    const auth = 'django.db.utils.OperationalError: FATAL:  password authentication failed for user "app"';
    assert.equal(diagnoseFailure(failed(auth), context)?.kind, 'database-unreachable');
  });

  it('explains broken settings', () => {
    const missing = "  File \"/usr/lib/python3/dist-packages/django/conf/__init__.py\", line 177, in __init__\n    mod = importlib.import_module(self.SETTINGS_MODULE)\nModuleNotFoundError: No module named 'guardsite.settingz'";
    const failure = diagnoseFailure(failed(missing), context);
    assert.equal(failure?.kind, 'settings-broken');
    assert.match(failure!.message, /No module named 'guardsite\.settingz'/);
    const improper = 'django.core.exceptions.ImproperlyConfigured: The SECRET_KEY setting must not be empty.';
    assert.equal(diagnoseFailure(failed(improper), context)?.kind, 'settings-broken');
  });

  it("passes on Django's own CommandError and unknown apps", () => {
    const failure = diagnoseFailure(failed("CommandError: Cannot find a migration matching '9999' from app 'shop'.", 1), context);
    assert.equal(failure?.kind, 'command-error');
    assert.match(failure!.message, /Cannot find a migration matching '9999'/);
    assert.equal(diagnoseFailure(failed("No installed app with label 'nope'.", 2), { ...context, action: 'makemigrations' })?.kind, 'command-error');
  });

  it('explains makemigrations stopping at a question', () => {
    assert.equal(diagnoseFailure(failed('', 3), { ...context, action: 'makemigrations --dry-run' })?.kind, 'needs-input');
  });

  it('reports cancellation, time-outs and anything else with the last error line', () => {
    assert.equal(diagnoseFailure(failed('', null, { cancelled: true }), context)?.kind, 'cancelled');
    assert.equal(diagnoseFailure(failed('', null, { timedOut: true }), context)?.kind, 'timed-out');
    const other = diagnoseFailure(failed('Traceback...\nValueError: boom\n  more context'), context);
    assert.equal(other?.kind, 'failed');
    assert.match(other!.message, /^migrate --plan failed with exit code 1: ValueError: boom$/);
  });
});

describe('client: migration files', () => {
  it('names the migration of a file, using the app label Django reported', () => {
    assert.deepEqual(migrationOfFile('/w/shop/migrations/0002_price.py'), { app: 'shop', name: '0002_price' });
    assert.deepEqual(migrationOfFile('/w/shop/migrations/0002_price.py', [{ label: 'store', name: 'shop', path: '/w/shop' }]), { app: 'store', name: '0002_price' });
    assert.equal(migrationOfFile('/w/shop/migrations/__init__.py'), undefined);
    assert.equal(migrationOfFile('/w/shop/models.py'), undefined);
  });

  it('finds where a migration file is expected', () => {
    assert.equal(migrationFilePath({ app: 'store', name: '0001_initial' }, [{ label: 'store', name: 'shop', path: '/w/shop' }]), '/w/shop/migrations/0001_initial.py');
    assert.equal(migrationFilePath({ app: 'x', name: '0001' }, []), undefined);
  });

  it('rolls back to the migration before, or zero for the first', () => {
    const list = ['0001_initial', '0002_price', '0003_order'].map((name) => ({ app: 'shop', name, state: 'applied' as const }));
    assert.equal(rollbackTarget(list, '0003_order'), '0002_price');
    assert.equal(rollbackTarget(list, '0001_initial'), 'zero');
    assert.equal(rollbackTarget(list, '0009_missing'), undefined);
  });

  it('finds the Migration class line', () => {
    assert.equal(migrationClassLine('from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    pass\n'), 3);
    assert.equal(migrationClassLine('class Migration:\n'), 0);
    assert.equal(migrationClassLine('    class Migration(x):\nclass MigrationHelper(x):\n'), undefined);
  });
});
