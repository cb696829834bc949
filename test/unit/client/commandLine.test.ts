import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  displayCommandLine,
  makemigrationsArgs,
  ManagePyNameError,
  manageCommandLine,
  migrateArgs,
  readCommandPrefix,
  readEnvironment,
  settingsProbeArgs,
  showmigrationsArgs,
  sqlmigrateArgs,
  type LaunchSettings,
} from '../../../client/src/django/commandLine';
import { runCommandLine } from '../../../client/src/django/run';

const launch: LaunchSettings = { python: '/venv/bin/python', managePy: '/srv/my project/manage.py', commandPrefix: [], env: {} };

describe('client: manage.py command lines', () => {
  it('starts the interpreter with manage.py by name in its folder', () => {
    const line = manageCommandLine(launch, ['migrate', '--plan']);
    assert.equal(line.command, '/venv/bin/python');
    assert.deepEqual(line.args, ['manage.py', 'migrate', '--plan']);
    assert.equal(line.cwd, '/srv/my project');
  });

  it('puts the command prefix first and keeps each word separate', () => {
    const line = manageCommandLine({ ...launch, python: 'python', commandPrefix: ['docker', 'compose', 'exec', 'web'] }, ['showmigrations']);
    assert.equal(line.command, 'docker');
    assert.deepEqual(line.args, ['compose', 'exec', 'web', 'python', 'manage.py', 'showmigrations']);
    const poetry = manageCommandLine({ ...launch, python: 'python', commandPrefix: ['poetry', 'run'] }, ['migrate']);
    assert.deepEqual([poetry.command, ...poetry.args], ['poetry', 'run', 'python', 'manage.py', 'migrate']);
  });

  it('adds the configured environment over the output defaults', () => {
    const line = manageCommandLine({ ...launch, env: { DJANGO_SETTINGS_MODULE: 'site.settings.dev', PYTHONIOENCODING: 'latin-1' } }, []);
    assert.equal(line.env.DJANGO_SETTINGS_MODULE, 'site.settings.dev');
    assert.equal(line.env.PYTHONIOENCODING, 'latin-1');
    assert.equal(line.env.PYTHONUNBUFFERED, '1');
  });

  it('passes a --name with spaces, quotes and ; as one literal argument', () => {
    const hostile = `it's a "name"; rm -rf / $(touch x) \`id\``;
    assert.deepEqual(makemigrationsArgs({ app: 'shop', name: hostile }), ['makemigrations', `--name=${hostile}`, '--noinput', '--no-color', '--', 'shop']);
    assert.deepEqual(makemigrationsArgs({ name: '--merge' }), ['makemigrations', '--name=--merge', '--noinput', '--no-color'], 'a name like an option stays the value of --name');
  });

  it('puts app labels and migration names after --, where they cannot be options', () => {
    assert.deepEqual(migrateArgs({ kind: 'migration', app: 'shop', migration: '0002_prix_é' }), ['migrate', '--noinput', '--no-color', '--', 'shop', '0002_prix_é']);
    assert.deepEqual(sqlmigrateArgs('shop', '0001_initial', { backwards: true }), ['sqlmigrate', '--backwards', '--no-color', '--', 'shop', '0001_initial']);
    assert.deepEqual(showmigrationsArgs('list', ['shop', 'billing']), ['showmigrations', '--list', '--no-color', '--', 'shop', 'billing']);
    assert.deepEqual(makemigrationsArgs({ app: 'shop', dryRun: true }), ['makemigrations', '--dry-run', '--noinput', '--no-color', '--', 'shop']);
  });

  it('refuses names Django would not accept before any argument list exists', () => {
    const refused = (build: () => string[], pattern: RegExp) => assert.throws(build, (error: unknown) => error instanceof ManagePyNameError && pattern.test(error.message));
    // A migration listed by Django from a file named --fake.py, e.g. the target of a roll-back.
    refused(() => migrateArgs({ kind: 'migration', app: 'shop', migration: '--fake' }), /manage.py migrate was not run: "--fake" is not a migration name/);
    refused(() => migrateArgs({ kind: 'app', app: '--plan' }), /"--plan" is not an app label/);
    refused(() => migrateArgs({ kind: 'migration', app: 'a;b', migration: '0001_initial' }), /"a;b" is not an app label/);
    refused(() => sqlmigrateArgs('shop', '0001 x'), /manage.py sqlmigrate was not run: "0001 x"/);
    refused(() => showmigrationsArgs('list', ['shop', '-v3']), /"-v3" is not an app label/);
    refused(() => makemigrationsArgs({ app: 'my app' }), /"my app" is not an app label/);
  });

  it('reaches a real process byte for byte (no shell in between)', async function () {
    const python = ['/usr/bin/python3', 'python3'].find((candidate) => spawnSync(candidate, ['-c', '0']).status === 0);
    if (!python) this.skip();
    const folder = mkdtempSync(join(tmpdir(), 'mg-args-'));
    try {
      writeFileSync(join(folder, 'manage.py'), 'import json, sys\nprint(json.dumps(sys.argv[1:]))\n');
      const hostile = [`it's a "name"; touch pwned`, '$(touch pwned2)', 'a b', '*', ''];
      const result = await runCommandLine(manageCommandLine({ python: python!, managePy: join(folder, 'manage.py'), commandPrefix: [], env: {} }, hostile));
      assert.equal(result.exitCode, 0, result.stderr);
      assert.deepEqual(JSON.parse(result.stdout), hostile);
      assert.equal(existsSync(join(folder, 'pwned')), false);
      assert.equal(existsSync(join(folder, 'pwned2')), false);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('builds the argument lists of every command', () => {
    assert.deepEqual(makemigrationsArgs({ dryRun: true, verbosity: 3 }), ['makemigrations', '--dry-run', '--verbosity', '3', '--noinput', '--no-color']);
    assert.deepEqual(makemigrationsArgs({ check: true, dryRun: true }), ['makemigrations', '--check', '--dry-run', '--noinput', '--no-color']);
    assert.deepEqual(makemigrationsArgs({ merge: true }), ['makemigrations', '--merge', '--noinput', '--no-color']);
    assert.deepEqual(makemigrationsArgs({ name: '' }), ['makemigrations', '--noinput', '--no-color']);
    assert.deepEqual(migrateArgs({ kind: 'all' }, { plan: true }), ['migrate', '--plan', '--noinput', '--no-color']);
    assert.deepEqual(migrateArgs({ kind: 'app', app: 'shop' }), ['migrate', '--noinput', '--no-color', '--', 'shop']);
    assert.deepEqual(migrateArgs({ kind: 'migration', app: 'shop', migration: 'zero' }, { plan: true }), ['migrate', '--plan', '--noinput', '--no-color', '--', 'shop', 'zero']);
    assert.deepEqual(showmigrationsArgs('plan'), ['showmigrations', '--plan', '--no-color']);
    assert.deepEqual(showmigrationsArgs('list', ['shop']), ['showmigrations', '--list', '--no-color', '--', 'shop']);
    const probe = settingsProbeArgs();
    assert.deepEqual(probe.slice(0, 3), ['shell', '--no-color', '-c']);
    assert.equal(probe.length, 4, 'the probe code is one argument');
  });

  it('quotes for display only where needed', () => {
    const line = manageCommandLine({ ...launch, python: 'python' }, ['makemigrations', '--name', "it's; x"]);
    assert.equal(displayCommandLine(line), `python manage.py makemigrations --name 'it'"'"'s; x'`);
  });
});

describe('client: reading commandPrefix and env settings', () => {
  it('accepts arrays of words and refuses a shell string', () => {
    assert.deepEqual(readCommandPrefix(['poetry', 'run']), { value: ['poetry', 'run'], problems: [] });
    assert.deepEqual(readCommandPrefix(undefined), { value: [], problems: [] });
    assert.deepEqual(readCommandPrefix(''), { value: [], problems: [] });
    const fromString = readCommandPrefix('docker compose exec web');
    assert.deepEqual(fromString.value, []);
    assert.match(fromString.problems[0]!, /\["docker","compose","exec","web"\]/);
    assert.deepEqual(readCommandPrefix(['poetry', 3]).value, []);
    assert.deepEqual(readCommandPrefix(['poetry', '']).value, []);
    assert.equal(readCommandPrefix({}).problems.length, 1);
  });

  it('keeps string variables and reports the rest', () => {
    const read = readEnvironment({ DJANGO_SETTINGS_MODULE: 'a.b', DEBUG: 1, BAD: { x: 1 }, 'not valid': 'x' });
    assert.deepEqual(read.value, { DJANGO_SETTINGS_MODULE: 'a.b', DEBUG: '1' });
    assert.equal(read.problems.length, 2);
    assert.deepEqual(readEnvironment(['A=1']).value, {});
    assert.deepEqual(readEnvironment(null), { value: {}, problems: [] });
  });
});
