// The `migration-guard` command line: the built dist/cli.js as a real process (exit codes, stdout/stderr, colours,
// the language server wiring) and runCli in-process for the many option combinations.
import { strict as assert } from 'node:assert';
import { execFileSync, spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as sarif from 'sarif';
import { parser } from '@lezer/python';
import { runCli } from '../../../server/src/cli';
import { ParsePool } from '../../../server/src/engine/parallelAnalyze';
import { ruleDocsUrl } from '../../../server/src/engine/docsUrl';
import type { JsonReport } from '../../../server/src/engine/format/json';
import { ALL_RULES } from '../../../server/src/engine/rules/index';

const ROOT = join(__dirname, '..', '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');

const INITIAL = `from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Item",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("name", models.CharField(max_length=100)),
                ("legacy", models.CharField(max_length=20, blank=True)),
                ("sku", models.CharField(max_length=20, blank=True)),
            ],
        ),
    ]
`;

const migration = (dependency: string, operations: string): string => `from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("inventory", "${dependency}"),
    ]

    operations = [
${operations}
    ]
`;

const REMOVE_LEGACY = migration('0001_initial', '        migrations.RemoveField(\n            model_name="item",\n            name="legacy",\n        ),');
const ADD_INDEX = migration(
  '0002_remove_item_legacy',
  '        migrations.AddIndex(\n            model_name="item",\n            index=models.Index(fields=["name"], name="inventory_item_name_idx"),\n        ),',
);

/** A temporary Django-like project; `files` maps relative paths to contents. */
function makeProject(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'mg-cli-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

const BASE_PROJECT = {
  'inventory/migrations/__init__.py': '',
  'inventory/migrations/0001_initial.py': INITIAL,
  'inventory/migrations/0002_remove_item_legacy.py': REMOVE_LEGACY,
  'inventory/migrations/0003_item_name_idx.py': ADD_INDEX,
};

interface Run {
  code: number | undefined;
  stdout: string;
  stderr: string;
}

async function cli(argv: string[], cwd: string, options: { tty?: boolean; env?: Record<string, string> } = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    cwd,
    env: options.env ?? {},
    stdoutIsTTY: options.tty ?? false,
  });
  return { code, stdout, stderr };
}

function spawnCli(args: string[], cwd: string, env: Record<string, string> = {}, uid?: number): SpawnSyncReturns<string> {
  const environment: NodeJS.ProcessEnv = { PATH: process.env['PATH'], HOME: process.env['HOME'], ...env };
  return spawnSync(process.execPath, [CLI, ...args], { cwd, env: environment, encoding: 'utf8', timeout: 60_000, ...(uid !== undefined ? { uid, gid: uid } : {}) });
}

function json(run: Run | SpawnSyncReturns<string>): JsonReport {
  return JSON.parse(run.stdout) as JsonReport;
}

/** 1-based line of the first line containing `needle`. */
function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((line) => line.includes(needle));
  assert.ok(index >= 0, `${needle} not found`);
  return index + 1;
}

describe('migration-guard CLI', function () {
  this.timeout(120_000);
  const cleanup: string[] = [];
  const project = (files: Record<string, string | Buffer>): string => {
    const dir = makeProject(files);
    cleanup.push(dir);
    return dir;
  };

  before(() => {
    execFileSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'inherit' });
  });
  after(() => {
    for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
  });

  describe('as a real process', () => {
    it('checks the example project: findings in text, exit 1 because of error-severity findings', () => {
      const run = spawnCli(['check', 'examples/shop'], ROOT);
      assert.equal(run.status, 1, run.stderr);
      assert.match(run.stdout, /^examples\/shop\/shop\/migrations\/0005_remove_product_legacy_code\.py:13:9: error remove-field /m);
      assert.match(run.stdout, /^examples\/shop\/orders\/migrations\/0002_order_tracking_number\.py:13:9: error add-field-not-null-no-default /m);
      assert.match(run.stdout, /^\d+ errors?, \d+ warnings?, \d+ info in 14 files$/m);
      assert.ok(!run.stdout.includes('0003_product_sku_idx.py'), 'the concurrent index in a non-atomic migration is safe');
      assert.equal(run.stderr, '');
    });

    it('--demo prints the same findings, says it is a demo and exits 0', () => {
      const run = spawnCli(['check', 'examples/shop', '--demo'], ROOT);
      assert.equal(run.status, 0);
      assert.match(run.stdout, /error remove-field/);
      assert.match(run.stdout, /Demo run: exiting with status 0 anyway; without --demo this check would exit with 1/);
    });

    it('exits 0 when nothing has error severity', () => {
      const dir = project({ ...BASE_PROJECT, 'inventory/migrations/0002_remove_item_legacy.py': migration('0001_initial', '        migrations.AlterModelOptions(name="item", options={"ordering": ["name"]}),') });
      const run = spawnCli(['check', '.'], dir);
      assert.equal(run.status, 0, run.stdout + run.stderr);
      assert.match(run.stdout, /warning add-index-non-concurrent/);
    });

    it('exits 2 with a message on stderr for usage errors', () => {
      const badFormat = spawnCli(['check', '--format', 'xml'], ROOT);
      assert.equal(badFormat.status, 2);
      assert.match(badFormat.stderr, /argument 'xml' is invalid. Allowed choices are text, json, sarif, github/);
      const missing = spawnCli(['check', 'no/such/folder'], ROOT);
      assert.equal(missing.status, 2);
      assert.equal(missing.stderr, 'migration-guard: no such file or directory: no/such/folder\n');
      const unknownOption = spawnCli(['check', '--formt', 'json'], ROOT);
      assert.equal(unknownOption.status, 2);
      assert.match(unknownOption.stderr, /unknown option '--formt'\n\(Did you mean --format\?\)/);
      const noCommand = spawnCli([], ROOT);
      assert.equal(noCommand.status, 2);
      assert.match(noCommand.stderr, /Usage: migration-guard/);
      const lspWithoutTransport = spawnCli(['lsp'], ROOT);
      assert.equal(lspWithoutTransport.status, 2);
      assert.match(lspWithoutTransport.stderr, /needs a transport: run `migration-guard lsp --stdio`/);
      assert.equal(spawnCli(['--help'], ROOT).status, 0);
      assert.equal(spawnCli(['--version'], ROOT).stdout.trim(), JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
    });

    it('follows the Django version the project pins: SQL, advice and the sql header say which file it came from', () => {
      const addQuantity = migration('0001_initial', '        migrations.AddField(\n            model_name="item",\n            name="quantity",\n            field=models.IntegerField(default=0),\n        ),');
      const files = { 'inventory/migrations/__init__.py': '', 'inventory/migrations/0001_initial.py': INITIAL, 'inventory/migrations/0002_item_quantity.py': addQuantity };
      const pinned = project({ ...files, 'requirements/base.txt': 'Django==3.2.25\npsycopg2-binary==2.9.9\n' });
      const sql = spawnCli(['sql', 'inventory/migrations/0001_initial.py'], pinned);
      assert.match(sql.stdout, /· Django 3\.2 \(from requirements\/base\.txt\) \(generated without Django\)/);
      assert.match(sql.stdout, /"id" bigserial NOT NULL PRIMARY KEY/, 'Django 3.2 creates serial columns');
      const check = spawnCli(['check', '.', '--no-cache', '--select', 'add-field-not-null-python-default', '--no-color'], pinned);
      assert.match(check.stdout, /add it nullable first/);
      assert.doesNotMatch(check.stdout, /db_default/, 'no advice Django 3.2 cannot follow');
      // The configured version wins over the pinned one.
      const configured = project({ ...files, 'requirements.txt': 'Django==3.2.25\n', 'pyproject.toml': '[tool.migration-guard]\ndjango-version = "5.2"\n' });
      assert.match(spawnCli(['check', '.', '--no-cache', '--select', 'add-field-not-null-python-default', '--no-color'], configured).stdout, /use db_default= instead/);
      assert.match(spawnCli(['sql', 'inventory/migrations/0001_initial.py'], configured).stdout, /· Django 5\.2 \(generated without Django\)/);
    });

    it('exits 2 for an invalid pyproject.toml and names the problem', () => {
      const dir = project({ ...BASE_PROJECT, 'pyproject.toml': '[tool.migration-guard]\ndatabase = "oracle"\n' });
      const run = spawnCli(['check', '.'], dir);
      assert.equal(run.status, 2);
      assert.match(run.stderr, /pyproject\.toml \[tool\.migration-guard\]: "database" must be one of "postgresql", "mysql", "sqlite", not the string "oracle"/);
      assert.equal(run.stdout, '');
    });

    it('colours text on request (FORCE_COLOR) and never with NO_COLOR or --no-color', () => {
      assert.match(spawnCli(['check', 'examples/shop'], ROOT, { FORCE_COLOR: '1' }).stdout, /\u001b\[31merror/);
      assert.ok(!spawnCli(['check', 'examples/shop'], ROOT, { FORCE_COLOR: '1', NO_COLOR: '1' }).stdout.includes('\u001b['));
      assert.ok(!spawnCli(['check', 'examples/shop', '--no-color'], ROOT, { FORCE_COLOR: '1' }).stdout.includes('\u001b['));
    });

    it('writes SARIF that names every rule and locates results relative to the working directory', () => {
      const run = spawnCli(['check', 'examples/shop', '--format', 'sarif'], ROOT);
      assert.equal(run.status, 1);
      const log = JSON.parse(run.stdout) as sarif.Log;
      assert.equal(log.version, '2.1.0');
      const sarifRun = log.runs[0]!;
      const rules = sarifRun.tool.driver.rules!;
      assert.deepEqual(new Set(rules.map((rule) => rule.id)), new Set([...ALL_RULES.map((rule) => rule.id), ...rules.filter((rule) => !ALL_RULES.some((r) => r.id === rule.id)).map((rule) => rule.id)]));
      for (const rule of ALL_RULES) assert.ok(rules.some((r) => r.id === rule.id), `${rule.id} missing from the driver`);
      const removeField = rules.find((rule) => rule.id === 'remove-field')!;
      assert.equal(removeField.helpUri, ruleDocsUrl('remove-field'));
      assert.ok(removeField.help?.markdown && removeField.shortDescription?.text && removeField.fullDescription?.text);
      assert.equal(removeField.defaultConfiguration?.level, 'error');
      const result = sarifRun.results!.find((r) => r.ruleId === 'remove-field')!;
      assert.equal(rules[result.ruleIndex!]!.id, 'remove-field');
      assert.equal(result.level, 'error');
      assert.deepEqual(result.locations![0]!.physicalLocation!.artifactLocation, { uri: 'examples/shop/shop/migrations/0005_remove_product_legacy_code.py', uriBaseId: '%SRCROOT%' });
      assert.equal(result.locations![0]!.physicalLocation!.region!.startLine, 13);
      assert.equal(result.locations![0]!.physicalLocation!.region!.startColumn, 9);
      assert.ok(result.partialFingerprints?.['migrationGuard/v1']);
    });

    it('lists rules and explains one; an unknown rule exits 2 with a suggestion', () => {
      const rules = spawnCli(['rules'], ROOT);
      assert.equal(rules.status, 0);
      for (const rule of ALL_RULES) assert.match(rules.stdout, new RegExp(`^${rule.id} +${rule.severity} `, 'm'));
      const listed = JSON.parse(spawnCli(['rules', '--format', 'json'], ROOT).stdout) as { id: string; severity: string; vendors: unknown; title: string }[];
      assert.deepEqual(listed.map((rule) => rule.id), ALL_RULES.map((rule) => rule.id));
      const explain = spawnCli(['explain', 'remove-field'], ROOT);
      assert.equal(explain.status, 0);
      const removeField = ALL_RULES.find((rule) => rule.id === 'remove-field')!;
      assert.ok(explain.stdout.startsWith(`remove-field: ${removeField.title}\n`));
      for (const heading of ['What it does in SQL', 'Lock', 'What it blocks', 'Safe alternative']) assert.ok(explain.stdout.includes(`\n${heading}\n`), heading);
      assert.ok(explain.stdout.includes(removeField.explanation.safeCode.split('\n')[0]!.trim()));
      assert.ok(explain.stdout.includes(ruleDocsUrl('remove-field')));
      const unknown = spawnCli(['explain', 'remove-feild'], ROOT);
      assert.equal(unknown.status, 2);
      assert.match(unknown.stderr, /unknown rule "remove-feild" \(did you mean "remove-field"\?\)/);
      assert.equal(unknown.stdout, '');
    });

    it('reports a file it cannot read and goes on with the others', function () {
      const dir = project({ ...BASE_PROJECT, 'inventory/migrations/0004_secret.py': REMOVE_LEGACY, 'locked/migrations/0001_initial.py': INITIAL });
      let run: SpawnSyncReturns<string>;
      if (process.getuid?.() === 0) {
        // root reads anything: run the CLI as `nobody`, for whom the rest of the project stays readable.
        for (const path of [dir, ...walk(dir)]) chmodSync(path, statSync(path).isDirectory() ? 0o755 : 0o644);
      }
      chmodSync(join(dir, 'inventory/migrations/0004_secret.py'), 0o000);
      chmodSync(join(dir, 'locked/migrations'), 0o000);
      if (process.getuid?.() === 0) {
        run = spawnCli(['check', '.', '--format', 'json'], dir, {}, 65534);
      } else {
        run = spawnCli(['check', '.', '--format', 'json'], dir);
      }
      assert.equal(run.status, 1, run.stderr);
      const report = json(run);
      chmodSync(join(dir, 'locked/migrations'), 0o755); // so the cleanup can remove it
      assert.deepEqual(report.errors, [
        { file: 'inventory/migrations/0004_secret.py', message: 'cannot read file: permission denied' },
        { file: 'locked/migrations', message: 'cannot list this migrations folder: permission denied' },
      ]);
      assert.ok(report.findings.some((f) => f.rule === 'remove-field' && f.file === 'inventory/migrations/0002_remove_item_legacy.py'));
    });

    it('starts the language server with `lsp --stdio` and answers initialize', async () => {
      const child = spawn(process.execPath, [CLI, 'lsp', '--stdio'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
      try {
        const message = (body: object): string => {
          const text = JSON.stringify({ jsonrpc: '2.0', ...body });
          return `Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`;
        };
        const response = new Promise<string>((resolve, reject) => {
          let received = '';
          const timer = setTimeout(() => reject(new Error(`no initialize response; got: ${received}`)), 20_000);
          child.stdout.on('data', (chunk: Buffer) => {
            received += chunk.toString('utf8');
            if (received.includes('"capabilities"')) {
              clearTimeout(timer);
              resolve(received);
            }
          });
          child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${received}`)));
        });
        child.stdin.write(message({ id: 1, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } }));
        const text = await response;
        assert.match(text, /"id":1/);
        assert.match(text, /"hoverProvider":true/);
        const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
        child.stdin.write(message({ id: 2, method: 'shutdown' }));
        child.stdin.write(message({ method: 'exit' }));
        const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('server did not exit')), 10_000).unref());
        assert.equal(await Promise.race([exited, timeout]), 0);
      } finally {
        child.kill();
      }
    });
  });

  describe('formats and options', () => {
    let dir: string;
    before(() => {
      dir = project(BASE_PROJECT);
    });

    it('JSON: the documented shape with 1-based positions', async () => {
      const run = await cli(['check', '.', '--format', 'json'], dir);
      assert.equal(run.code, 1);
      const report = json(run);
      assert.deepEqual(Object.keys(report), ['version', 'findings', 'errors']);
      assert.deepEqual(report.errors, []);
      const removal = report.findings.find((f) => f.rule === 'remove-field')!;
      const line = lineOf(REMOVE_LEGACY, 'migrations.RemoveField(');
      assert.deepEqual(
        { file: removal.file, line: removal.line, column: removal.column, severity: removal.severity },
        { file: 'inventory/migrations/0002_remove_item_legacy.py', line, column: 9, severity: 'error' },
      );
      assert.ok(removal.endLine >= removal.line && removal.endColumn >= 1);
      assert.deepEqual(Object.keys(removal), ['file', 'line', 'column', 'endLine', 'endColumn', 'rule', 'severity', 'message']);
      assert.match(removal.message, /legacy/);
    });

    it('github: workflow commands with positions and rule titles', async () => {
      const run = await cli(['check', '.', '--format', 'github'], dir);
      const line = lineOf(REMOVE_LEGACY, 'migrations.RemoveField(');
      assert.match(run.stdout, new RegExp(`^::error file=inventory/migrations/0002_remove_item_legacy\\.py,line=${line},col=9,endLine=\\d+,endColumn=\\d+,title=remove-field::.*legacy`, 'm'));
      assert.match(run.stdout, /^::warning file=inventory\/migrations\/0003_item_name_idx\.py,.*title=add-index-non-concurrent::/m);
    });

    it('--select runs only the named rules; --ignore skips them', async () => {
      const selected = json(await cli(['check', '.', '--format', 'json', '--select', 'add-index-non-concurrent'], dir));
      assert.deepEqual([...new Set(selected.findings.map((f) => f.rule))], ['add-index-non-concurrent']);
      const ignored = await cli(['check', '.', '--format', 'json', '--ignore', 'remove-field,sqlite-table-rebuild'], dir);
      assert.ok(!json(ignored).findings.some((f) => f.rule === 'remove-field'));
      assert.ok(json(ignored).findings.some((f) => f.rule === 'add-index-non-concurrent'));
      assert.equal(ignored.code, json(ignored).findings.some((f) => f.severity === 'error') ? 1 : 0);
      const twoFlags = json(await cli(['check', '.', '--format', 'json', '--select', 'remove-field', '--select', 'add-index-non-concurrent'], dir));
      assert.deepEqual([...new Set(twoFlags.findings.map((f) => f.rule))].sort(), ['add-index-non-concurrent', 'remove-field']);
    });

    it('an unknown rule in --select or --ignore is a usage error with a suggestion', async () => {
      const run = await cli(['check', '.', '--select', 'remove-fields'], dir);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /command line: unknown rule "remove-fields" \(did you mean "remove-field"\?\)/);
    });

    it('--database picks the vendor: PostgreSQL-only rules stop on MySQL and SQLite', async () => {
      const postgres = json(await cli(['check', '.', '--format', 'json'], dir));
      assert.ok(postgres.findings.some((f) => f.rule === 'add-index-non-concurrent'), 'PostgreSQL is the default');
      for (const database of ['mysql', 'sqlite']) {
        const other = json(await cli(['check', '.', '--format', 'json', '--database', database], dir));
        assert.ok(!other.findings.some((f) => f.rule === 'add-index-non-concurrent'), database);
        assert.ok(other.findings.some((f) => f.rule === 'remove-field'), `${database}: remove-field applies to all vendors`);
      }
      assert.equal((await cli(['check', '.', '--database', 'oracle'], dir)).code, 2);
    });

    it('detects the database from settings files, and --database overrides them', async () => {
      const sqliteProject = project({
        ...BASE_PROJECT,
        'manage.py': 'import os\n',
        'site/settings.py': 'DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}\n',
      });
      const detected = json(await cli(['check', 'inventory', '--format', 'json'], sqliteProject));
      assert.ok(!detected.findings.some((f) => f.rule === 'add-index-non-concurrent'));
      const forced = json(await cli(['check', 'inventory', '--format', 'json', '--database', 'postgresql'], sqliteProject));
      assert.ok(forced.findings.some((f) => f.rule === 'add-index-non-concurrent'));
    });

    it('checks single files and several paths', async () => {
      const single = json(await cli(['check', 'inventory/migrations/0003_item_name_idx.py', '--format', 'json'], dir));
      assert.deepEqual([...new Set(single.findings.map((f) => f.file))], ['inventory/migrations/0003_item_name_idx.py']);
      const notMigration = project({ 'tools/script.py': 'print(1)\n' });
      const run = json(await cli(['check', 'tools/script.py', '--format', 'json'], notMigration));
      assert.deepEqual(run.errors, [{ file: 'tools/script.py', message: 'not a migration file: Django loads migrations from <app>/migrations/ or the package MIGRATION_MODULES names for the app' }]);
    });

    it('fails with a clear message when it finds no migration at all (a misconfigured CI job must not pass)', async () => {
      const empty = project({ 'README.md': 'nothing here\n', 'shop/migrations/__init__.py': '', 'shop/migrations/_helpers.py': 'X = 1\n' });
      const run = await cli(['check'], empty);
      assert.equal(run.code, 2);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, /^migration-guard: no Django migration files found in "\.": looked for <app>\/migrations\/\*\.py and the packages MIGRATION_MODULES names/);
      assert.match(run.stderr, /migration-modules/);
    });

    it('colours text only on a terminal, and --no-color / NO_COLOR switch it off', async () => {
      assert.match((await cli(['check', '.'], dir, { tty: true })).stdout, /\u001b\[/);
      assert.ok(!(await cli(['check', '.'], dir, { tty: true, env: { NO_COLOR: '1' } })).stdout.includes('\u001b['));
      assert.ok(!(await cli(['check', '.', '--no-color'], dir, { tty: true })).stdout.includes('\u001b['));
      assert.ok(!(await cli(['check', '.'], dir)).stdout.includes('\u001b['));
    });

    it('--demo with JSON keeps stdout parseable and exits 0', async () => {
      const run = await cli(['check', '.', '--format', 'json', '--demo'], dir);
      assert.equal(run.code, 0);
      assert.ok(json(run).findings.length > 0);
      assert.match(run.stderr, /Demo run/);
    });

    it('--stats reports files, lines, timings and peak memory on stderr', async () => {
      const run = await cli(['check', '.', '--stats', '--format', 'json'], dir);
      const stats = JSON.parse(/migration-guard stats (\{.*\})/.exec(run.stderr)![1]!) as Record<string, number>;
      assert.equal(stats['files'], 3);
      assert.equal(stats['lines'], [INITIAL, REMOVE_LEGACY, ADD_INDEX].reduce((sum, text) => sum + text.split('\n').length, 0));
      assert.ok(stats['maxRssKb']! > 0 && stats['totalMs']! > 0);
    });
  });

  describe('explain a migration file', () => {
    it('says its app label and how it was decided, its deploy phase and whether anything depends on it', async () => {
      const dir = project({
        ...BASE_PROJECT,
        'inventory/apps.py': 'from django.apps import AppConfig\n\n\nclass InventoryConfig(AppConfig):\n    name = "warehouse.inventory"\n    label = "inventory"\n',
        'inventory/migrations/0004_drop_legacy.py':
          'from django.db import migrations\nfrom django_safemigrate import Safe\n\n\nclass Migration(migrations.Migration):\n    safe = Safe.after_deploy()\n    dependencies = [("inventory", "0003_item_name_idx")]\n    operations = []\n',
      });
      const leaf = await cli(['explain', 'inventory/migrations/0004_drop_legacy.py'], dir);
      assert.equal(leaf.code, 0, leaf.stderr);
      assert.equal(
        leaf.stdout,
        [
          'inventory.0004_drop_legacy  (inventory/migrations/0004_drop_legacy.py)',
          '  app:        app `inventory` (label from its apps.py)',
          '  deploy:     runs after the deploy: `safe = Safe.after_deploy()` (django-safemigrate)',
          '  history:    nothing depends on it yet (a leaf)',
          '',
        ].join('\n'),
      );
      const applied = await cli(['explain', 'inventory/migrations/0001_initial.py'], dir);
      assert.match(applied.stdout, /history: {4}other migrations depend on it/);
      const notMigration = await cli(['explain', 'inventory/apps.py'], dir);
      assert.equal(notMigration.code, 2);
      assert.match(notMigration.stderr, /is not a migration of this project/);
    });
  });

  describe('configuration', () => {
    it('reads [tool.migration-guard] from the nearest pyproject.toml; flags override it', async () => {
      const dir = project({
        ...BASE_PROJECT,
        'pyproject.toml': '[tool.migration-guard]\nignore = ["remove-field"]\n\n[tool.migration-guard.severity]\nadd-index-non-concurrent = "error"\n',
      });
      const run = await cli(['check', 'inventory/migrations', '--format', 'json'], dir);
      const report = json(run);
      assert.ok(!report.findings.some((f) => f.rule === 'remove-field'));
      assert.equal(report.findings.find((f) => f.rule === 'add-index-non-concurrent')?.severity, 'error');
      assert.equal(run.code, 1);
      const overridden = json(await cli(['check', '.', '--format', 'json', '--ignore', 'add-index-non-concurrent'], dir));
      assert.ok(overridden.findings.some((f) => f.rule === 'remove-field'), 'the flag replaces the file\'s ignore list');
    });

    it('applies exclude globs relative to the pyproject.toml folder', async () => {
      const dir = project({ ...BASE_PROJECT, 'pyproject.toml': '[tool.migration-guard]\nexclude = ["inventory/migrations/0002_*.py"]\n' });
      const report = json(await cli(['check', '.', '--format', 'json'], dir));
      assert.ok(!report.findings.some((f) => f.file.includes('0002_')));
      assert.ok(report.findings.some((f) => f.rule === 'add-index-non-concurrent'), 'later migrations still see the excluded one\'s history');
    });

    it('--config reads another TOML file; a bad one exits 2', async () => {
      const dir = project({ ...BASE_PROJECT, 'ci/guard.toml': '[tool.migration-guard]\nselect = ["remove-field"]\n', 'ci/bad.toml': '[tool.migration-guard]\nselekt = ["x"]\n' });
      const report = json(await cli(['check', '.', '--format', 'json', '--config', 'ci/guard.toml'], dir));
      assert.deepEqual([...new Set(report.findings.map((f) => f.rule))], ['remove-field']);
      const bad = await cli(['check', '.', '--config', 'ci/bad.toml'], dir);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /unknown key "selekt" \(did you mean "select"\?\)/);
      const missing = await cli(['check', '.', '--config', 'ci/none.toml'], dir);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /cannot read config file .*none\.toml: file not found/);
    });

    it('an unknown rule id in pyproject.toml is a config error', async () => {
      const dir = project({ ...BASE_PROJECT, 'pyproject.toml': '[tool.migration-guard.severity]\nremove-fild = "off"\n' });
      const run = await cli(['check', '.'], dir);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /pyproject\.toml: unknown rule "remove-fild" \(did you mean "remove-field"\?\)/);
    });
  });

  describe('baseline', () => {
    it('accepts today\'s findings and still reports new ones', async () => {
      const dir = project(BASE_PROJECT);
      const written = await cli(['check', '.', '--write-baseline', 'migration-guard-baseline.json'], dir);
      assert.equal(written.code, 0);
      assert.match(written.stdout, /^Wrote \d+ accepted findings? \(\d+ entr(y|ies)\) to migration-guard-baseline\.json\.$/m);
      const baseline = JSON.parse(readFileSync(join(dir, 'migration-guard-baseline.json'), 'utf8')) as { findings: { file: string; rule: string }[] };
      assert.ok(baseline.findings.some((f) => f.file === 'inventory/migrations/0002_remove_item_legacy.py' && f.rule === 'remove-field'));

      const clean = await cli(['check', '.', '--format', 'json', '--baseline', 'migration-guard-baseline.json'], dir);
      assert.equal(clean.code, 0, clean.stdout);
      assert.deepEqual(json(clean).findings, []);
      assert.match((await cli(['check', '.', '--baseline', 'migration-guard-baseline.json'], dir)).stdout, /in 3 files \(\d+ findings? accepted by the baseline\)/);

      // Lines shift in an accepted file, and a new risky migration arrives.
      writeFileSync(join(dir, 'inventory/migrations/0002_remove_item_legacy.py'), `# Reviewed in 2024.\n\n${REMOVE_LEGACY}`);
      writeFileSync(join(dir, 'inventory/migrations/0004_remove_item_sku.py'), migration('0003_item_name_idx', '        migrations.RemoveField(model_name="item", name="sku"),'));
      const next = await cli(['check', '.', '--format', 'json', '--baseline', 'migration-guard-baseline.json'], dir);
      assert.equal(next.code, 1);
      assert.deepEqual(json(next).findings.map((f) => [f.file, f.rule]).filter(([, rule]) => rule === 'remove-field'), [['inventory/migrations/0004_remove_item_sku.py', 'remove-field']]);
      assert.ok(!json(next).findings.some((f) => f.file.endsWith('0002_remove_item_legacy.py')), 'the shifted finding stays accepted');
    });

    it('takes the baseline from pyproject.toml, relative to it', async () => {
      const dir = project({ ...BASE_PROJECT, 'pyproject.toml': '[tool.migration-guard]\nbaseline = "config/baseline.json"\n' });
      await cli(['check', '.', '--write-baseline', 'config/baseline.json'], dir);
      const run = await cli(['check', 'inventory/migrations'], join(dir));
      assert.equal(run.code, 0, run.stdout);
      const fromBelow = await cli(['check', '.', '--format', 'json'], join(dir, 'inventory'));
      assert.deepEqual(json(fromBelow).findings, [], 'found through pyproject.toml from a subfolder too');
    });

    it('a missing or broken baseline is a usage error', async () => {
      const dir = project({ ...BASE_PROJECT, 'broken.json': '{' });
      const missing = await cli(['check', '.', '--baseline', 'nope.json'], dir);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /cannot read baseline nope\.json: file not found/);
      assert.equal((await cli(['check', '.', '--baseline', 'broken.json'], dir)).code, 2);
      assert.equal((await cli(['check', '.', '--baseline', 'a.json', '--write-baseline', 'b.json'], dir)).code, 2);
    });
  });

  describe('bad input files', () => {
    it('reports each bad file in errors and still reports the good files\' findings', async () => {
      const bigLine = '    ("sku-000000", "A product description that is long enough to matter", 1234, True),\n';
      const big = `from django.db import migrations\n\nDATA = [\n${bigLine.repeat(Math.ceil((5 * 1024 * 1024) / bigLine.length))}]\n\n\nclass Migration(migrations.Migration):\n    dependencies = [("inventory", "0002_remove_item_legacy")]\n    operations = [migrations.RemoveField(model_name="item", name="sku")]\n`;
      const junk = Buffer.alloc(4096);
      for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919 + 13) % 256;
      const dir = project({
        ...BASE_PROJECT,
        'inventory/migrations/0004_latin1.py': Buffer.concat([Buffer.from('# Migration f'), Buffer.from([0xfc]), Buffer.from('r caf'), Buffer.from([0xe9, 0x0a])]),
        'inventory/migrations/0005_junk.py': junk,
        'inventory/migrations/0006_half_typed.py': migration('0003_item_name_idx', '        migrations.RemoveField(model_name="item", name="name"),\n        migrations.AddField(model_name="item", name="x", field=models.CharField(max_length=').replace(/\n    \]\n$/, '\n'),
        'inventory/migrations/0007_big.py': big,
        'inventory/migrations/0008_folder.py/readme.txt': 'a folder named like a migration',
      });
      execFileSync('mkfifo', [join(dir, 'inventory/migrations/0009_fifo.py')]);
      const started = Date.now();
      const run = await cli(['check', '.', '--format', 'json'], dir);
      assert.ok(Date.now() - started < 60_000);
      assert.equal(run.code, 1);
      const report = json(run);
      const errors = Object.fromEntries(report.errors.map((e) => [e.file.replace('inventory/migrations/', ''), e.message]));
      assert.equal(errors['0004_latin1.py'], 'not valid UTF-8 (first invalid byte on line 1); migration files must be UTF-8');
      assert.equal(errors['0005_junk.py'], 'binary file (contains NUL bytes): not Python source');
      assert.match(errors['0006_half_typed.py'] ?? '', /^syntax error at line \d+:\d+/);
      assert.equal(errors['0008_folder.py'], 'cannot read file: it is a directory');
      assert.equal(errors['0009_fifo.py'], 'cannot read file: not a regular file');
      assert.equal(errors['0007_big.py'], undefined, 'a 5 MB file is analysed, not rejected');
      const removals = report.findings.filter((f) => f.rule === 'remove-field').map((f) => f.file.replace('inventory/migrations/', ''));
      assert.ok(removals.includes('0002_remove_item_legacy.py'), 'good files still report');
      assert.ok(removals.includes('0007_big.py'), 'the 5 MB file is analysed');
      assert.ok(removals.includes('0006_half_typed.py'), 'best-effort findings for half-valid code');
    });

    it('rejects files above the size limit with a clear message', async () => {
      const dir = project({ ...BASE_PROJECT, 'inventory/migrations/0004_huge.py': Buffer.alloc(17 * 1024 * 1024, 0x23) });
      const report = json(await cli(['check', '.', '--format', 'json'], dir));
      assert.deepEqual(report.errors, [{ file: 'inventory/migrations/0004_huge.py', message: 'file too large to analyse (17.0 MB; the limit is 16 MB)' }]);
    });

    it('skips virtualenvs, node_modules and hidden folders', async () => {
      const dir = project({
        ...BASE_PROJECT,
        'env/pyvenv.cfg': 'home = /usr/bin\n',
        'env/lib/python3.11/site-packages/django/contrib/auth/migrations/0001_initial.py': REMOVE_LEGACY,
        'node_modules/x/migrations/0001_initial.py': REMOVE_LEGACY,
        '.git/x/migrations/0001_initial.py': REMOVE_LEGACY,
        'inventory/migrations/__pycache__/0001_initial.cpython-311.pyc': 'x',
      });
      const run = json(await cli(['check', '.', '--format', 'json'], dir));
      assert.deepEqual([...new Set(run.findings.map((f) => f.file.split('/')[0]))], ['inventory']);
      assert.match((await cli(['check', '.'], dir)).stdout, / in 3 files/);
    });
  });
});

describe('parallel runner', function () {
  this.timeout(120_000);
  const WORKER = join(ROOT, 'dist', 'analyzeWorker.js');
  const texts = Array.from({ length: 150 }, (_, n) => (n % 3 === 0 ? INITIAL : n % 3 === 1 ? REMOVE_LEGACY : `${ADD_INDEX}\n# ${n}\n`));
  let scratch: string;
  before(() => {
    if (!existsSync(WORKER)) execFileSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'inherit' });
    scratch = mkdtempSync(join(tmpdir(), 'mg-workers-'));
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  async function parseAll(script: string, workers: number): Promise<string[]> {
    const trees: string[] = new Array(texts.length);
    const pool = ParsePool.start(10_000, workers, script);
    assert.equal(pool.size, workers);
    await pool.parse(texts, (index, tree) => {
      assert.equal(trees[index], undefined, `file ${index} delivered twice`);
      trees[index] = tree.toString();
    });
    return trees;
  }

  it('returns the same trees as parsing in this thread', async () => {
    const expected = texts.map((text) => parser.parse(text).toString());
    assert.deepEqual(await parseAll(WORKER, 2), expected);
  });

  it('finishes in the main thread when workers fail to start or die mid-way', async () => {
    const expected = texts.map((text) => parser.parse(text).toString());
    const throwing = join(scratch, 'throwing.js');
    writeFileSync(throwing, 'throw new Error("cannot start");\n');
    assert.deepEqual(await parseAll(throwing, 2), expected);
    const dying = join(scratch, 'dying.js');
    writeFileSync(dying, 'require("node:worker_threads").parentPort.on("message", () => process.exit(3));\n');
    assert.deepEqual(await parseAll(dying, 2), expected);
  });

  it('gives the CLI the same report with and without workers', () => {
    const files: Record<string, string> = {};
    for (let app = 0; app < 6; app++) {
      files[`app${app}/migrations/0001_initial.py`] = INITIAL;
      for (let n = 2; n <= 50; n++) {
        const previous = n === 2 ? '0001_initial' : `${String(n - 1).padStart(4, '0')}_step`;
        files[`app${app}/migrations/${String(n).padStart(4, '0')}_step.py`] = (n % 2 ? REMOVE_LEGACY : ADD_INDEX).replace('("inventory", "0001_initial")', `("app${app}", "${previous}")`).replace('("inventory", "0002_remove_item_legacy")', `("app${app}", "${previous}")`);
      }
    }
    const dir = makeProject(files);
    try {
      const single = spawnCli(['check', '.', '--format', 'json', '--workers', '0', '--stats', '--no-cache'], dir);
      const parallel = spawnCli(['check', '.', '--format', 'json', '--workers', '2', '--stats', '--no-cache'], dir);
      assert.match(parallel.stderr, /"workers":2/);
      assert.match(single.stderr, /"workers":0/);
      assert.ok(json(single).findings.length > 100);
      assert.equal(parallel.stdout, single.stdout);
      assert.equal(parallel.status, single.status);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    return entry.isDirectory() ? [full, ...walk(full)] : [full];
  });
}

describe('migration-guard sql and check --with-sql', function () {
  this.timeout(30000);
  const project = join(ROOT, 'test', 'fixtures', 'sqlparity');

  it('prints one migration as sqlmigrate would, each statement with its lock, reading the whole project for names', async () => {
    const run = await cli(['sql', 'catalog/migrations/0003_alter_fields.py', '--django-version', '3.2', '--postgres-version', '15'], project);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.split('\n');
    assert.match(lines[0] ?? '', /^-- catalog\/migrations\/0003_alter_fields\.py: catalog\.0003_alter_fields · PostgreSQL 15 · Django 3\.2/);
    assert.equal(lines[1], 'BEGIN;');
    // The unique constraint PostgreSQL named when 0002 added the column inline, found as Django's introspection would.
    assert.ok(lines.includes('ALTER TABLE "catalog_items" DROP CONSTRAINT "catalog_items_barcode_key";  -- ACCESS EXCLUSIVE on catalog_items · catalog only'), run.stdout);
    assert.ok(lines.includes('ALTER TABLE "catalog_items" ALTER COLUMN "rating" TYPE bigint USING "rating"::bigint;  -- ACCESS EXCLUSIVE on catalog_items · rewrites the table'), run.stdout);
    assert.ok(lines.includes('-- AlterField category.description') && lines[lines.indexOf('-- AlterField category.description') + 2]?.startsWith('-- (no SQL'), 'a help_text change runs nothing');
    assert.equal(lines.filter((line) => line !== '').at(-1), 'COMMIT;');
  });

  it('prints JSON per operation with statements, locks and table work, and says atomic = False', async () => {
    const run = await cli(['sql', 'orders/migrations/0003_concurrent_indexes.py', '--format', 'json', '--django-version', '3.2'], project);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as { migrations: { atomic: boolean; operations: { operation: string; label: string; statements: { sql: string; locks: { mode: string }[]; noTransaction: boolean }[] }[] }[] };
    const migration = report.migrations[0]!;
    assert.equal(migration.atomic, false);
    assert.deepEqual(
      migration.operations.map((operation) => [operation.operation, operation.statements[0]?.sql, operation.statements[0]?.locks[0]?.mode, operation.statements[0]?.noTransaction]),
      [
        ['AddIndexConcurrently order', 'CREATE INDEX CONCURRENTLY "order_status_placed_idx" ON "shoporders_order" ("status", "placed" DESC);', 'SHARE UPDATE EXCLUSIVE', true],
        ['AddIndexConcurrently customer', 'CREATE INDEX CONCURRENTLY "customer_ip_idx" ON "customers" ("ip");', 'SHARE UPDATE EXCLUSIVE', true],
        ['RemoveIndexConcurrently customer: customer_ip_idx', 'DROP INDEX CONCURRENTLY IF EXISTS "customer_ip_idx";', 'SHARE UPDATE EXCLUSIVE', true],
      ],
    );
  });

  it('names what it cannot know instead of guessing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mg-sql-'));
    try {
      mkdirSync(join(dir, 'shop', 'migrations'), { recursive: true });
      writeFileSync(join(dir, 'shop', 'migrations', '__init__.py'), '');
      writeFileSync(join(dir, 'shop', 'migrations', '0001_initial.py'), INITIAL);
      writeFileSync(
        join(dir, 'shop', 'migrations', '0002_custom.py'),
        'from django.db import migrations\nimport myfields\n\n\nclass Migration(migrations.Migration):\n    dependencies = [("shop", "0001_initial")]\n    operations = [migrations.AddField("item", "colour", myfields.ColourField(null=True))]\n',
      );
      const run = await cli(['sql', 'shop/migrations/0002_custom.py'], dir);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /-- \(SQL not known statically: the column type of Item\.colour\)/);
      assert.doesNotMatch(run.stdout, /ALTER TABLE/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('check --with-sql adds each finding its operation\'s statements (JSON only)', async () => {
    const run = await cli(['check', '.', '--format', 'json', '--with-sql', '--select', 'add-index-non-concurrent', '--no-cache'], join(ROOT, 'test', 'fixtures', 'lsp', 'project'));
    const report = JSON.parse(run.stdout) as { findings: { rule: string; sql?: { sql: string; locks: { mode: string; relation: string }[]; work: string }[] }[] };
    const finding = report.findings.find((entry) => entry.rule === 'add-index-non-concurrent');
    assert.deepEqual(finding?.sql, [{ sql: 'CREATE INDEX "order_created_idx" ON "shop_order" ("created");', deferred: false, locks: [{ mode: 'SHARE', relation: 'shop_order', kind: 'table' }], work: 'index-build', blocks: 'writes', noTransaction: false }]);
    const refused = await cli(['check', '.', '--with-sql'], join(ROOT, 'test', 'fixtures', 'lsp', 'project'));
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /--with-sql .* --format json/);
  });
});
