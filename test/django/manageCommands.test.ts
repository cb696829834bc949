// The manage.py commands of the VS Code client, run against a real Django project (test/fixtures/django, copied to
// a temporary folder per test) with the same argument building and process runner the extension uses.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makemigrationsArgs, ManagePyNameError, migrateArgs, showmigrationsArgs, sqlmigrateArgs, type MigrateTarget } from '../../client/src/django/commandLine';
import { decideConfirmation } from '../../client/src/django/confirmation';
import { parseMigrateRun, withoutGeneratedHeader, type AppMigrations } from '../../client/src/django/djangoOutput';
import { DjangoProject, ManagePyError } from '../../client/src/django/djangoProject';
import { rollbackTarget } from '../../client/src/django/migrationFiles';
import {
  copyFixture,
  interpreterForTests,
  makePythonWithoutDjango,
  migrationFiles,
  postgresUnavailableReason,
  read,
  requireHost,
  startPostgres,
  type FixtureProject,
  type Postgres,
} from './support';
import { freePort } from '../support/freePort';

const FIXTURE_MIGRATIONS = ['0001_initial.py', '0002_product_price.py', '0003_order.py'];

function states(apps: AppMigrations[], app = 'shop'): string[] {
  return (apps.find((entry) => entry.app === app)?.migrations ?? []).map((migration) => `${migration.name}:${migration.state}`);
}

/** Shows the plan, runs migrate for the same target, and checks that what ran is exactly what was planned. */
async function migrateAsPlanned(project: DjangoProject, target: MigrateTarget): Promise<{ planned: string[]; ran: string[] }> {
  const applied = new Set((await project.migrationPlanOrder()).filter((node) => node.applied).map((node) => `${node.app}.${node.name}`));
  const plan = await project.migratePlan(target);
  const planned = plan.steps.map((step) => `${step.app}.${step.name}`);
  const completed = await project.run(migrateArgs(target));
  const run = parseMigrateRun(completed.result.stdout);
  assert.equal(run.failedAt, undefined, completed.result.stdout);
  const backwards = plan.steps.every((step) => applied.has(`${step.app}.${step.name}`));
  const ran = backwards ? run.unapplied : run.applied;
  assert.deepEqual(ran, planned, 'the plan shown before migrate equals what ran');
  assert.deepEqual(backwards ? run.applied : run.unapplied, []);
  return { planned, ran };
}

/** The database-facing scenario, shared by SQLite and PostgreSQL. */
function databaseScenarios(name: string, setup: () => { fixture: () => FixtureProject; env: () => Record<string, string> }): void {
  describe(name, function () {
    this.timeout(120_000);
    let fixture: FixtureProject;
    let project: DjangoProject;
    const context = setup();

    beforeEach(function () {
      fixture = context.fixture();
      project = fixture.project(context.env());
    });
    afterEach(() => fixture?.remove());

    it('reads the database and settings module the confirmation names', async () => {
      const settings = await project.settings();
      assert.equal(settings.settingsModule, 'guardsite.settings');
      const expectedEngine = context.env().GUARD_DB_ENGINE === 'postgresql' ? 'django.db.backends.postgresql' : 'django.db.backends.sqlite3';
      assert.equal(settings.database.engine, expectedEngine);
      assert.deepEqual(settings.apps.map((app) => app.label), ['contenttypes', 'shop']);
      assert.equal(settings.apps.find((app) => app.label === 'shop')?.path, join(fixture.root, 'shop'));
      // Where Django loads each app's migrations from, so the pre-flight finds the files MIGRATION_MODULES moves.
      assert.equal(settings.apps.find((app) => app.label === 'shop')?.migrationsPath, join(fixture.root, 'shop', 'migrations'));
      assert.match(settings.apps.find((app) => app.label === 'contenttypes')?.migrationsPath ?? '', /django\/contrib\/contenttypes\/migrations$/);
    });

    it('reports the migrations folder MIGRATION_MODULES names', async () => {
      mkdirSync(join(fixture.root, 'shop', 'db_migrations'));
      writeFileSync(join(fixture.root, 'shop', 'db_migrations', '__init__.py'), '');
      writeFileSync(join(fixture.root, 'guardsite', 'settings_moved.py'), "from .settings import *\n\nMIGRATION_MODULES = {'shop': 'shop.db_migrations'}\n");
      const moved = await fixture.project({ ...context.env(), DJANGO_SETTINGS_MODULE: 'guardsite.settings_moved' }).settings();
      assert.equal(moved.apps.find((app) => app.label === 'shop')?.migrationsPath, join(fixture.root, 'shop', 'db_migrations'));
    });

    it('migrates exactly the planned migrations, one app up to a migration, then the rest', async () => {
      assert.deepEqual(states(await project.listMigrations()), ['0001_initial:unapplied', '0002_product_price:unapplied', '0003_order:unapplied']);

      const upTo = await migrateAsPlanned(project, { kind: 'migration', app: 'shop', migration: '0002_product_price' });
      assert.deepEqual(upTo.planned, ['shop.0001_initial', 'shop.0002_product_price']);
      assert.deepEqual(states(await project.listMigrations(['shop'])), ['0001_initial:applied', '0002_product_price:applied', '0003_order:unapplied']);

      const rest = await migrateAsPlanned(project, { kind: 'all' });
      assert.deepEqual(rest.planned, ['contenttypes.0001_initial', 'contenttypes.0002_remove_content_type_name', 'shop.0003_order']);
      assert.deepEqual(states(await project.listMigrations(), 'contenttypes'), ['0001_initial:applied', '0002_remove_content_type_name:applied']);

      const nothing = await project.migratePlan({ kind: 'all' });
      assert.deepEqual(nothing.steps, []);
      const decision = decideConfirmation({ title: 'Migrate all apps', settings: await project.settings(), steps: nothing.steps });
      assert.equal(decision.kind, 'nothing-to-do');
    });

    it('rolls back to the migration before the active one, and to zero from the first', async () => {
      await project.run(migrateArgs({ kind: 'app', app: 'shop' }));
      const list = (await project.listMigrations(['shop']))[0]!.migrations;
      const target = rollbackTarget(list, '0003_order');
      assert.equal(target, '0002_product_price');

      const plan = await project.migratePlan({ kind: 'migration', app: 'shop', migration: target! });
      assert.deepEqual(plan.steps.map((step) => [step.name, step.operations]), [['0003_order', ['Undo Create model Order']]]);
      const applied = new Set(list.filter((m) => m.state === 'applied').map((m) => `shop.${m.name}`));
      const decision = decideConfirmation({ title: 'Roll back shop', settings: await project.settings(), steps: plan.steps, applied });
      assert.ok(decision.kind === 'confirm' && /UNAPPLY 1 migration/.test(decision.message), JSON.stringify(decision));

      await migrateAsPlanned(project, { kind: 'migration', app: 'shop', migration: target! });
      assert.deepEqual(states(await project.listMigrations(['shop'])), ['0001_initial:applied', '0002_product_price:applied', '0003_order:unapplied']);

      const zero = rollbackTarget((await project.listMigrations(['shop']))[0]!.migrations, '0001_initial');
      assert.equal(zero, 'zero');
      const toZero = await migrateAsPlanned(project, { kind: 'migration', app: 'shop', migration: 'zero' });
      assert.deepEqual(toZero.planned, ['shop.0002_product_price', 'shop.0001_initial']);
      assert.deepEqual(states(await project.listMigrations(['shop'])), ['0001_initial:unapplied', '0002_product_price:unapplied', '0003_order:unapplied']);
    });

    it('shows the SQL of a migration, forwards and backwards', async () => {
      await project.run(migrateArgs({ kind: 'all' }));
      const forwards = await project.sqlmigrate('shop', '0002_product_price');
      const backwards = await project.sqlmigrate('shop', '0002_product_price', { backwards: true });
      assert.match(forwards, /-- Add field price to product/);
      if (context.env().GUARD_DB_ENGINE === 'postgresql') {
        assert.match(forwards, /ALTER TABLE "shop_product" ADD COLUMN "price" numeric\(10, 2\) DEFAULT 0 NOT NULL/);
        assert.match(backwards, /ALTER TABLE "shop_product" DROP COLUMN "price" CASCADE/);
      } else {
        assert.match(forwards, /CREATE TABLE "new__shop_product"/);
        assert.match(backwards, /CREATE TABLE "new__shop_product"/);
      }
    });
  });
}

describe('django: manage.py commands against a real project', function () {
  this.timeout(120_000);
  let python: string | undefined;

  before(async function () {
    this.timeout(60_000);
    python = await interpreterForTests();
  });

  beforeEach(function () {
    requireHost(this, python !== undefined, 'no Python interpreter with Django found (apt-get install -y python3-django python3-psycopg2)');
  });

  databaseScenarios('SQLite', () => ({ fixture: () => copyFixture(python!), env: () => ({}) }));

  describe('PostgreSQL 15 on 127.0.0.1', function () {
    let postgres: Postgres | undefined;
    let databases = 0;
    let databaseName = '';

    before(async function () {
      this.timeout(90_000);
      if (python === undefined) return;
      const reason = postgresUnavailableReason();
      if (reason) return;
      postgres = await startPostgres();
    });
    after(() => postgres?.stop());

    beforeEach(function () {
      requireHost(this, postgres !== undefined, postgresUnavailableReason() ?? 'PostgreSQL could not be started');
      databaseName = `guard_${process.pid}_${++databases}`;
      postgres!.createDatabase(databaseName);
    });

    databaseScenarios('scenarios', () => ({
      fixture: () => copyFixture(python!),
      env: () => ({ GUARD_DB_ENGINE: 'postgresql', GUARD_DB_PORT: String(postgres!.port), GUARD_DB_NAME: databaseName }),
    }));
  });

  describe('makemigrations', () => {
    let fixture: FixtureProject;
    let project: DjangoProject;
    beforeEach(() => {
      fixture = copyFixture(python!);
      project = fixture.project();
    });
    afterEach(() => fixture?.remove());

    const addSkuField = (): void => {
      const models = join(fixture.root, 'shop', 'models.py');
      writeFileSync(models, read(models).replace("default=0)\n", "default=0)\n    sku = models.CharField(max_length=32, blank=True, default='')\n"));
    };

    it('finds nothing missing in the fixture, and reports a missing migration after a model change', async () => {
      const clean = await project.checkMissingMigrations();
      assert.equal(clean.missing, false);
      assert.equal(clean.noChanges, true);
      addSkuField();
      const missing = await project.checkMissingMigrations();
      assert.equal(missing.missing, true);
      assert.deepEqual(missing.migrations.map((m) => m.path), ['shop/migrations/0004_product_sku.py']);
    });

    it('writes exactly what the dry run showed', async () => {
      addSkuField();
      const preview = await project.makemigrationsPreview({ app: 'shop' });
      assert.equal(preview.noChanges, false);
      assert.deepEqual(preview.migrations.map((m) => [m.app, m.path, m.operations]), [['shop', 'shop/migrations/0004_product_sku.py', ['Add field sku to product']]]);
      assert.deepEqual(migrationFiles(fixture.root), FIXTURE_MIGRATIONS, 'a dry run writes nothing');

      await project.run(makemigrationsArgs({ app: 'shop' }));
      assert.deepEqual(migrationFiles(fixture.root), [...FIXTURE_MIGRATIONS, '0004_product_sku.py']);
      const written = read(join(fixture.root, preview.migrations[0]!.path));
      assert.equal(withoutGeneratedHeader(written), withoutGeneratedHeader(preview.migrations[0]!.content!));
      assert.match(written, /name='sku'/);
      assert.equal((await project.makemigrationsPreview({})).noChanges, true);
    });

    it('uses --name, and passes a hostile name literally so Django refuses it', async () => {
      addSkuField();
      const named = await project.makemigrationsPreview({ app: 'shop', name: 'add_sku' });
      assert.deepEqual(named.migrations.map((m) => m.fileName), ['0004_add_sku.py']);

      const hostile = "x; touch pwned $(touch pwned2) 'q'";
      await assert.rejects(project.makemigrationsPreview({ app: 'shop', name: hostile }), (error: unknown) => {
        assert.ok(error instanceof ManagePyError);
        assert.equal(error.failure.kind, 'command-error');
        assert.match(error.message, /must be a valid Python identifier/);
        return true;
      });
      assert.equal(existsSync(join(fixture.root, 'pwned')), false);
      assert.equal(existsSync(join(fixture.root, 'pwned2')), false);
      assert.deepEqual(migrationFiles(fixture.root), FIXTURE_MIGRATIONS);
    });

    it('refuses an unknown app label with a clear message', async () => {
      await assert.rejects(project.makemigrationsPreview({ app: 'no_such_app' }), (error: unknown) => {
        assert.ok(error instanceof ManagePyError);
        assert.equal(error.failure.kind, 'command-error');
        assert.match(error.message, /No installed app with label 'no_such_app'/);
        return true;
      });
      // Not a label at all: refused before manage.py starts.
      await assert.rejects(project.makemigrationsPreview({ app: 'no such app' }), (error: unknown) => error instanceof ManagePyNameError && /"no such app" is not an app label/.test(error.message));
    });

    it('merges conflicting leaf migrations and writes what the preview showed', async () => {
      const leaf = (name: string, field: string): void =>
        writeFileSync(
          join(fixture.root, 'shop', 'migrations', `${name}.py`),
          `from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n\n    dependencies = [('shop', '0003_order')]\n\n    operations = [\n        migrations.AddField(model_name='product', name='${field}', field=models.IntegerField(null=True)),\n    ]\n`,
        );
      leaf('0004_product_a', 'a');
      leaf('0004_product_b', 'b');
      await assert.rejects(project.migratePlan({ kind: 'all' }), (error: unknown) => error instanceof ManagePyError && /Conflicting migrations detected/.test(error.message));

      const preview = await project.mergePreview();
      assert.equal(preview.merges.length, 1);
      const merge = preview.merges[0]!;
      assert.equal(merge.app, 'shop');
      assert.deepEqual(merge.branches, [
        { name: '0004_product_a', operations: ['Add field a to product'] },
        { name: '0004_product_b', operations: ['Add field b to product'] },
      ]);
      assert.equal(merge.fileName, '0005_merge_0004_product_a_0004_product_b.py');

      await project.run(makemigrationsArgs({ merge: true }));
      const written = read(join(fixture.root, 'shop', 'migrations', merge.fileName!));
      assert.equal(withoutGeneratedHeader(written), withoutGeneratedHeader(merge.content!));
      assert.deepEqual((await project.migratePlan({ kind: 'all' })).steps.map((step) => step.name).slice(-3).sort(), ['0004_product_a', '0004_product_b', merge.fileName!.replace(/\.py$/, '')]);
    });
  });

  describe('names from files never become options', () => {
    let fixture: FixtureProject;
    let project: DjangoProject;
    beforeEach(() => {
      fixture = copyFixture(python!);
      project = fixture.project();
    });
    afterEach(() => fixture?.remove());

    const migration = (name: string, parent: string): void =>
      writeFileSync(join(fixture.root, 'shop', 'migrations', `${name}.py`), `from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    dependencies = [('shop', '${parent}')]\n    operations = []\n`);

    it('every command line puts its names after -- and Django 3.2 reads them as names', async () => {
      assert.deepEqual(showmigrationsArgs('list', ['shop']).slice(-2), ['--', 'shop']);
      assert.deepEqual(states(await project.listMigrations(['shop'])), ['0001_initial:unapplied', '0002_product_price:unapplied', '0003_order:unapplied']);
      assert.deepEqual(sqlmigrateArgs('shop', '0001_initial').slice(-3), ['--', 'shop', '0001_initial']);
      assert.match(await project.sqlmigrate('shop', '0001_initial'), /CREATE TABLE "shop_product"/);
      const target: MigrateTarget = { kind: 'migration', app: 'shop', migration: '0001_initial' };
      assert.deepEqual(migrateArgs(target).slice(-3), ['--', 'shop', '0001_initial']);
      assert.deepEqual((await migrateAsPlanned(project, target)).ran, ['shop.0001_initial']);
      assert.deepEqual(makemigrationsArgs({ app: 'shop', dryRun: true }).slice(-2), ['--', 'shop']);
      assert.equal((await project.makemigrationsPreview({ app: 'shop' })).noChanges, true);
    });

    it('a roll-back target named --fake (Django lists a file --fake.py) is refused, and nothing is faked', async () => {
      migration('--fake', '0003_order');
      migration('0005_after', '--fake');
      await project.run(migrateArgs({ kind: 'all' }));
      const listed = (await project.listMigrations(['shop']))[0]!.migrations;
      assert.deepEqual(listed.map((entry) => `${entry.name}:${entry.state}`).slice(-2), ['--fake:applied', '0005_after:applied'], 'Django loads and lists the file');
      const target = rollbackTarget(listed, '0005_after');
      assert.equal(target, '--fake');
      assert.throws(() => migrateArgs({ kind: 'migration', app: 'shop', migration: target! }), (error: unknown) => error instanceof ManagePyNameError && /"--fake" is not a migration name/.test(error.message));
      // Even a name that got past the check would stay a name behind --: Django plans to unapply 0005_after.
      // (Without the --, `migrate --plan shop --fake` is the --fake option: "No planned migration operations".)
      const behindDashes = await project.run(['migrate', '--plan', '--noinput', '--no-color', '--', 'shop', '--fake']);
      assert.match(behindDashes.result.stdout, /Planned operations:\s+shop\.0005_after\s*$/, behindDashes.result.stdout);
      assert.deepEqual(states(await project.listMigrations(['shop'])).slice(-2), ['--fake:applied', '0005_after:applied']);
    });
  });

  describe('launch settings', () => {
    let fixture: FixtureProject;
    beforeEach(() => {
      fixture = copyFixture(python!);
    });
    afterEach(() => fixture?.remove());

    it('runs through a command prefix and with extra environment variables', async () => {
      const database = join(fixture.root, 'other db.sqlite3');
      // `env NAME=value` is the smallest real prefix: it must receive each word as its own argument.
      const throughPrefix = new DjangoProject({ python: python!, managePy: fixture.managePy, commandPrefix: ['env', `GUARD_DB_NAME=${database}`], env: {} });
      assert.equal((await throughPrefix.settings()).database.name, database);
      const throughEnv = fixture.project({ GUARD_DB_NAME: database });
      assert.equal((await throughEnv.settings()).database.name, database);
      await migrateAsPlanned(throughEnv, { kind: 'app', app: 'shop' });
      assert.ok(existsSync(database));
      assert.equal(existsSync(join(fixture.root, 'db.sqlite3')), false, 'the default database was not touched');
    });
  });

  describe('failures give clear messages', () => {
    let fixture: FixtureProject;
    beforeEach(() => {
      fixture = copyFixture(python!);
    });
    afterEach(() => fixture?.remove());

    /** The whole notice a failed call shows, and its kind. */
    async function failureOf(call: Promise<unknown>): Promise<{ kind: string; message: string; actions: string[]; output: string }> {
      try {
        await call;
      } catch (error) {
        assert.ok(error instanceof ManagePyError, String(error));
        return { kind: error.failure.kind, message: error.message, actions: error.failure.actions ?? [], output: error.output };
      }
      throw new Error('the call succeeded');
    }

    it('a database that refuses connections', async () => {
      const closedPort = await freePort();
      const project = fixture.project({ GUARD_DB_ENGINE: 'postgresql', GUARD_DB_PORT: String(closedPort) });
      const failure = await failureOf(project.migratePlan({ kind: 'all' }));
      assert.equal(failure.kind, 'database-unreachable', failure.output);
      assert.equal(
        failure.message,
        `The database refused the connection: connection to server at "127.0.0.1", port ${closedPort} failed: Connection refused Is the server running on that host and accepting TCP/IP connections? Start the database or fix DATABASES in the settings (migrationGuard.env can set DJANGO_SETTINGS_MODULE).`,
      );
    });

    it('a database driver that is not installed (ENGINE mysql without mysqlclient)', async function () {
      const probe = spawnSync(python!, ['-c', 'import MySQLdb'], { encoding: 'utf8' });
      requireHost(this, probe.status !== 0, 'mysqlclient is installed here, so its absence cannot be shown');
      writeFileSync(join(fixture.root, 'guardsite', 'settings_mysql.py'), "from .settings import *\n\nDATABASES = {'default': {'ENGINE': 'django.db.backends.mysql', 'NAME': 'guard'}}\n");
      const failure = await failureOf(fixture.project({ DJANGO_SETTINGS_MODULE: 'guardsite.settings_mysql' }).migratePlan({ kind: 'all' }));
      assert.equal(failure.kind, 'database-driver-missing', failure.output);
      assert.equal(
        failure.message,
        `The database driver MySQLdb is not installed for ${python} (Django: Error loading MySQLdb module. Did you install mysqlclient?). Install mysqlclient in the project's environment, or select the interpreter that has it.`,
      );
      assert.deepEqual(failure.actions, ['select-interpreter']);
    });

    it('a database driver that is not installed (ENGINE postgresql without psycopg2): the exception, not its source line', async function () {
      // Django and its dependencies alone on the path of a Python without site packages: psycopg2 cannot be imported.
      const withoutDjango = makePythonWithoutDjango(python!, join(fixture.root, '..'));
      const djangoOnly = pythonPathWith(python!, ['django', 'asgiref', 'sqlparse', 'pytz'], join(fixture.root, '..', 'django-only'));
      requireHost(this, withoutDjango !== undefined && djangoOnly !== undefined, 'could not build an environment with Django but without psycopg2');
      const project = new DjangoProject({ python: withoutDjango!, managePy: fixture.managePy, commandPrefix: [], env: { PYTHONPATH: djangoOnly!, GUARD_DB_ENGINE: 'postgresql', GUARD_DB_PORT: '1' } });
      const failure = await failureOf(project.migratePlan({ kind: 'all' }));
      assert.match(failure.output, /raise ImproperlyConfigured\("Error loading psycopg2 module: %s" % e\)/, 'the traceback quotes the source line');
      assert.equal(failure.kind, 'database-driver-missing', failure.output);
      assert.equal(
        failure.message,
        `The database driver psycopg2 is not installed for ${withoutDjango} (Django: Error loading psycopg2 module: No module named 'psycopg2'). Install psycopg2 (or psycopg2-binary) in the project's environment, or select the interpreter that has it.`,
      );
    });

    it('a broken settings module', async () => {
      const failure = await failureOf(fixture.project({ DJANGO_SETTINGS_MODULE: 'guardsite.settingz' }).settings());
      assert.equal(failure.kind, 'settings-broken', failure.output);
      assert.equal(failure.message, "The Django settings could not be loaded: ModuleNotFoundError: No module named 'guardsite.settingz'. Check DJANGO_SETTINGS_MODULE (migrationGuard.env) and the settings file.");
    });

    it('a missing Django, offering to select another interpreter', async function () {
      const withoutDjango = makePythonWithoutDjango(python!, join(fixture.root, '..'));
      requireHost(this, withoutDjango !== undefined, 'could not create a virtual environment without Django (python3 -m venv)');
      const project = new DjangoProject({ python: withoutDjango!, managePy: fixture.managePy, commandPrefix: [], env: {} });
      const failure = await failureOf(project.settings());
      assert.equal(failure.kind, 'django-missing', failure.output);
      assert.equal(failure.message, `Django is not installed for the interpreter that ran manage.py (${withoutDjango}). Select the project's virtual environment, or set migrationGuard.pythonPath.`);
      assert.deepEqual(failure.actions, ['select-interpreter']);
    });

    it('a missing interpreter', async () => {
      const missing = new DjangoProject({ ...fixture.project().launch, python: '/no/such/python' });
      await assert.rejects(missing.settings(), (error: unknown) => error instanceof ManagePyError && error.failure.kind === 'not-started' && /"\/no\/such\/python" was not found/.test(error.message));
    });
  });
});

/** A folder of links to the named packages (those beside the interpreter's Django), for a PYTHONPATH with only them. */
function pythonPathWith(python: string, packages: string[], folder: string): string | undefined {
  const found = spawnSync(python, ['-c', 'import django, os; print(os.path.dirname(os.path.dirname(django.__file__)))'], { encoding: 'utf8' });
  const base = found.status === 0 ? found.stdout.trim() : '';
  if (base === '' || !packages.every((name) => existsSync(join(base, name)))) return undefined;
  mkdirSync(folder, { recursive: true });
  for (const name of packages) symlinkSync(join(base, name), join(folder, name));
  return folder;
}
