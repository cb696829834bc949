import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { diagnoseFailure, pythonExceptions } from '../../../client/src/django/failures';
import { migrationClassLine, migrationFilePath, migrationOfFile, rollbackTarget } from '../../../client/src/django/migrationFiles';
import type { RunResult } from '../../../client/src/django/run';

const context = { action: 'migrate --plan', executable: '/venv/bin/python' };
/** What Django 3.2 printed (see test/fixtures/django-output/README.md). */
const captured = (name: string): string => readFileSync(join(__dirname, '..', '..', 'fixtures', 'django-output', `${name}.txt`), 'utf8');
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
    const failure = diagnoseFailure(failed(captured('bad-settings-module')), context);
    assert.equal(failure?.kind, 'settings-broken');
    assert.equal(failure!.message, "The Django settings could not be loaded: ModuleNotFoundError: No module named 'guardsite.settingz'. Check DJANGO_SETTINGS_MODULE (migrationGuard.env) and the settings file.");
    const improper = 'django.core.exceptions.ImproperlyConfigured: The SECRET_KEY setting must not be empty.';
    assert.equal(diagnoseFailure(failed(improper), context)?.kind, 'settings-broken');
  });

  describe("Django 3.2's real output: the whole notice", () => {
    const notice = (name: string) => diagnoseFailure(failed(captured(name)), context);

    it('a missing driver (mysql), from the exception and not the source line Django quotes', () => {
      assert.deepEqual(notice('missing-driver-mysql'), {
        kind: 'database-driver-missing',
        message: "The database driver MySQLdb is not installed for /venv/bin/python (Django: Error loading MySQLdb module. Did you install mysqlclient?). Install mysqlclient in the project's environment, or select the interpreter that has it.",
        actions: ['select-interpreter'],
      });
    });

    it('a missing driver (psycopg2), whose traceback quotes `"Error loading psycopg2 module: %s" % e`', () => {
      assert.match(captured('missing-driver-psycopg2'), /raise ImproperlyConfigured\("Error loading psycopg2 module: %s" % e\)/);
      assert.equal(
        notice('missing-driver-psycopg2')?.message,
        "The database driver psycopg2 is not installed for /venv/bin/python (Django: Error loading psycopg2 module: No module named 'psycopg2'). Install psycopg2 (or psycopg2-binary) in the project's environment, or select the interpreter that has it.",
      );
    });

    it('a refused connection (PostgreSQL on a closed port)', () => {
      assert.deepEqual(notice('refused-postgresql'), {
        kind: 'database-unreachable',
        message:
          'The database refused the connection: connection to server at "127.0.0.1", port 1 failed: Connection refused Is the server running on that host and accepting TCP/IP connections? Start the database or fix DATABASES in the settings (migrationGuard.env can set DJANGO_SETTINGS_MODULE).',
      });
    });

    it('a missing Django, offering Select Interpreter', () => {
      assert.deepEqual(notice('missing-django'), {
        kind: 'django-missing',
        message: "Django is not installed for the interpreter that ran manage.py (/venv/bin/python). Select the project's virtual environment, or set migrationGuard.pythonPath.",
        actions: ['select-interpreter'],
      });
    });
  });

  it('reads the exceptions of chained tracebacks, never the quoted source lines', () => {
    const exceptions = pythonExceptions(captured('missing-driver-mysql'));
    assert.deepEqual(
      exceptions.map((exception) => [exception.type, exception.message]),
      [
        ['ModuleNotFoundError', "No module named 'MySQLdb'"],
        ['django.core.exceptions.ImproperlyConfigured', 'Error loading MySQLdb module.\nDid you install mysqlclient?'],
      ],
    );
    assert.ok(exceptions[1]!.frames.some((frame) => frame.includes('raise ImproperlyConfigured(')));
    assert.deepEqual(pythonExceptions('Operations to perform:\n  Apply all migrations: shop\nValueError: boom\n'), [{ type: 'ValueError', message: 'boom', frames: [] }]);
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
    const other = diagnoseFailure(failed('Traceback (most recent call last):\n  File "x.py", line 1, in <module>\n    raise KeyError("not this")\nValueError: boom\n'), context);
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
