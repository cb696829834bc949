// The CI front doors: --diff against real temporary git repositories (shallow clones too), --fail-on, the GitLab
// and Markdown reporters, and the analysis cache (cached output must equal uncached output).
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync, type Stats } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv';
import { runCli } from '../../../server/src/cli';
import { escapeMarkdown } from '../../../server/src/engine/format/markdown';
import { isRacy } from '../../../server/src/engine/cache/racy';

const ROOT = join(__dirname, '..', '..', '..');

async function cli(args: string[], cwd: string, env: Record<string, string | undefined> = {}): Promise<{ code: number | undefined; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text), cwd, env: { NO_COLOR: '1', ...env }, stdoutIsTTY: false });
  return { code, stdout, stderr };
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'init.defaultBranch=main', ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const migration = (app: string, dependency: string | undefined, operations: string): string => `from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [${dependency ? `("${app}", "${dependency}")` : ''}]

    operations = [
${operations}
    ]
`;

const INITIAL = migration('inventory', undefined, `        migrations.CreateModel(
            name="Item",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("legacy", models.CharField(max_length=20, blank=True)),
                ("sku", models.CharField(max_length=20, blank=True)),
            ],
        ),`);
const REMOVE = (field: string, dependency: string): string => migration('inventory', dependency, `        migrations.RemoveField(
            model_name="item",
            name="${field}",
        ),`);

describe('check --diff REF', function () {
  this.timeout(60000);
  let repo: string;
  let scratch: string;
  const write = (path: string, text: string): void => {
    mkdirSync(join(repo, path, '..'), { recursive: true });
    writeFileSync(join(repo, path), text);
  };

  before(() => {
    scratch = mkdtempSync(join(tmpdir(), 'mg-diff-'));
    repo = join(scratch, 'repo');
    mkdirSync(repo);
    git(repo, 'init', '-q');
    write('inventory/migrations/__init__.py', '');
    write('inventory/migrations/0001_initial.py', INITIAL);
    write('inventory/migrations/0002_remove_item_legacy.py', REMOVE('legacy', '0001_initial'));
    git(repo, 'add', '.');
    git(repo, 'commit', '-qm', 'base');
    git(repo, 'checkout', '-qb', 'feature');
    write('inventory/migrations/0003_remove_item_sku.py', REMOVE('sku', '0002_remove_item_legacy'));
    git(repo, 'add', '.');
    git(repo, 'commit', '-qm', 'feature');
    // main moves on after the branch point, so a shallow fetch of it misses the merge base.
    git(repo, 'checkout', '-q', 'main');
    write('README', 'moved on\n');
    git(repo, 'add', '.');
    git(repo, 'commit', '-qm', 'main moves');
    git(repo, 'checkout', '-q', 'feature');
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('reports only the migrations changed since the merge base, with the history still replayed', async () => {
    const full = await cli(['check', '--format', 'json', '--no-cache'], repo);
    assert.deepEqual(JSON.parse(full.stdout).findings.map((f: { file: string }) => f.file).sort(), [
      'inventory/migrations/0002_remove_item_legacy.py',
      'inventory/migrations/0003_remove_item_sku.py',
    ]);
    for (const flag of ['--diff', '--since']) {
      const changed = await cli(['check', flag, 'main', '--format', 'json', '--no-cache'], repo);
      const findings = JSON.parse(changed.stdout).findings as { file: string; rule: string; message: string }[];
      assert.deepEqual(findings.map((f) => [f.file, f.rule]), [['inventory/migrations/0003_remove_item_sku.py', 'remove-field']], flag);
      // The RemoveField message names the table, which only the replayed 0001 knows.
      assert.match(findings[0]!.message, /inventory_item/);
      assert.equal(changed.code, 1);
    }
  });

  it('counts uncommitted and untracked files as changed, and accepts a path below the repository', async () => {
    write('inventory/migrations/0004_untracked.py', REMOVE('id', '0003_remove_item_sku'));
    try {
      const result = await cli(['check', 'inventory', '--diff', 'HEAD', '--format', 'json', '--no-cache'], repo);
      assert.deepEqual([...new Set(JSON.parse(result.stdout).findings.map((f: { file: string }) => f.file))], ['inventory/migrations/0004_untracked.py']);
    } finally {
      rmSync(join(repo, 'inventory/migrations/0004_untracked.py'));
    }
    const clean = await cli(['check', '--diff', 'HEAD', '--no-cache'], repo);
    assert.equal(clean.code, 0, clean.stdout);
    assert.match(clean.stdout, /0 migration files changed since/);
  });

  it('exits 2 with a clear message for an unknown ref, an option-like ref, a folder outside git', async () => {
    const unknown = await cli(['check', '--diff', 'no-such-branch'], repo);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown revision/);
    const injected = await cli(['check', '--diff=--output=/tmp/x'], repo);
    assert.equal(injected.code, 2);
    assert.match(injected.stderr, /expects a git revision/);
    const outside = mkdtempSync(join(tmpdir(), 'mg-nogit-'));
    try {
      const result = await cli(['check', '--diff', 'main'], outside);
      assert.equal(result.code, 2);
      assert.match(result.stderr, /not inside one/);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('names fetch-depth: 0 in a shallow clone whose base is missing', async () => {
    const shallow = join(scratch, 'shallow');
    git(scratch, 'clone', '-q', '--depth', '1', '--branch', 'feature', `file://${repo}`, shallow);
    const missingRef = await cli(['check', '--diff', 'origin/main'], shallow);
    assert.equal(missingRef.code, 2);
    assert.match(missingRef.stderr, /fetch-depth: 0/);
    git(shallow, 'fetch', '-q', '--depth', '1', 'origin', 'main:refs/remotes/origin/main');
    const missingBase = await cli(['check', '--diff', 'origin/main'], shallow);
    assert.equal(missingBase.code, 2);
    assert.match(missingBase.stderr, /no merge base.*fetch-depth: 0/);
  });
});

describe('check --fail-on', () => {
  const shop = join(ROOT, 'examples', 'shop');
  it('decides the exit code by the lowest failing severity', async () => {
    const expected: Record<string, number> = { error: 1, warning: 1, info: 1, never: 0 };
    for (const [level, code] of Object.entries(expected)) assert.equal((await cli(['check', '.', '--fail-on', level, '--no-cache'], shop)).code, code, level);
    // Only a warning rule: error passes, warning fails; only an info rule: warning passes, info fails.
    const warningOnly = ['check', '.', '--select', 'alter-field-set-not-null', '--no-cache'];
    assert.equal((await cli([...warningOnly, '--fail-on', 'error'], shop)).code, 0);
    assert.equal((await cli([...warningOnly, '--fail-on', 'warning'], shop)).code, 1);
    const infoOnly = ['check', '.', '--select', 'runpython-unbatched-backfill', '--no-cache'];
    assert.equal((await cli([...infoOnly, '--fail-on', 'warning'], shop)).code, 0);
    assert.equal((await cli([...infoOnly, '--fail-on', 'info'], shop)).code, 1);
    assert.equal((await cli(['check', '--fail-on', 'sometimes'], shop)).code, 2);
  });
});

describe('--format gitlab and markdown', () => {
  const shop = join(ROOT, 'examples', 'shop');
  it('gitlab: validates against the documented Code Quality schema, with unique fingerprints', async () => {
    const schema = JSON.parse(readFileSync(join(ROOT, 'test', 'schemas', 'gitlab-code-quality.schema.json'), 'utf8'));
    const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);
    const { stdout } = await cli(['check', '--format', 'gitlab', '--no-cache'], shop);
    const issues = JSON.parse(stdout) as { fingerprint: string; severity: string; location: { path: string } }[];
    assert.ok(validate(issues), JSON.stringify(validate.errors));
    assert.ok(issues.length >= 5);
    assert.equal(new Set(issues.map((issue) => issue.fingerprint)).size, issues.length);
    assert.deepEqual([...new Set(issues.map((issue) => issue.severity))].sort(), ['info', 'major', 'minor']);
    assert.ok(validate(JSON.parse((await cli(['check', 'orders/migrations/0001_initial.py', '--format', 'gitlab', '--no-cache'], shop)).stdout)));
  });

  it('markdown: a verdict, a table linking the rule docs, collapsed explanations', async () => {
    const { stdout } = await cli(['check', '--format', 'markdown', '--no-cache'], shop);
    assert.match(stdout.split('\n')[0]!, /^### ❌ .*blocking findings/);
    assert.match(stdout, /\| 🔴 error \*\*\(fails\)\*\* \| \[remove\\-field\]\(https:\/\/[^)]+docs\/rules\.md#remove-field\) \|/);
    assert.match(stdout, /<details><summary><b>remove-field<\/b>/);
    const clean = await cli(['check', 'orders/migrations/0001_initial.py', '--format', 'markdown', '--no-cache'], shop);
    assert.match(clean.stdout, /^### ✅/);
  });

  it('markdown escapes what comes from files: no HTML, links, mentions or table breaks', () => {
    const hostile = 'a|b <img src=x onerror=alert(1)> [x](http://evil) @team #12 `code` *b*\nnext';
    const escaped = escapeMarkdown(hostile);
    assert.ok(!/<|>/.test(escaped));
    assert.ok(!/(^|[^\\])\|/.test(escaped));
    assert.ok(!/(^|[^\\])\[/.test(escaped));
    assert.ok(!escaped.includes('@team') && !escaped.includes('#12') && !escaped.includes('http://'));
    assert.ok(!escaped.includes('\n'));
  });
});

describe('analysis cache', function () {
  this.timeout(120000);
  it('gives the same output cached, uncached and from a cold cache, on the examples and the rule fixtures', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'mg-cache-'));
    try {
      const projects = [join(ROOT, 'examples', 'shop'), join(ROOT, 'test', 'fixtures', 'rules'), join(ROOT, 'test', 'fixtures', 'lsp')];
      for (const project of projects) {
        for (const format of ['json', 'sarif']) {
          const env = { MIGRATION_GUARD_CACHE_DIR: cacheDir };
          const uncached = await cli(['check', '--format', format, '--no-cache'], project, env);
          const cold = await cli(['check', '--format', format, '--stats'], project, env);
          const warm = await cli(['check', '--format', format, '--stats'], project, env);
          assert.match(warm.stderr, /"cache":"hit"/, project);
          assert.equal(cold.stdout, uncached.stdout, `${project} ${format} cold`);
          assert.equal(warm.stdout, uncached.stdout, `${project} ${format} warm`);
          assert.equal(warm.code, uncached.code);
        }
      }
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  it('after a change, parses only the changed file (the others\' trees are kept) and reports as an uncached run does', async () => {
    const stats = (stderr: string): { cache: string; files: number; treesReused: number } => JSON.parse(/migration-guard stats (\{.*\})/.exec(stderr)![1]!);
    for (const [example, changed, odd] of [
      ['examples/shop', 'shop/migrations/0005_remove_product_legacy_code.py', 'shop/migrations/0004_product_stock.py'],
      ['test/fixtures/lsp', 'project/shop/migrations/0002_order_changes.py', 'project/shop/migrations/0001_initial.py'],
      ['test/fixtures/rules', 'add-field-not-null-no-default/fire-squash-originals-present/shop/migrations/0002_order_tracking_code.py', undefined],
    ] as const) {
      const project = mkdtempSync(join(tmpdir(), 'mg-trees-project-'));
      try {
        cpSync(join(ROOT, example), project, { recursive: true, filter: (source) => !source.includes('.migration-guard-cache') });
        // An unchanged file whose tree is reused, written with a byte-order mark and CRLF line ends (as on Windows).
        if (odd) writeFileSync(join(project, odd), `\ufeff${readFileSync(join(project, odd), 'utf8').replace(/\n/g, '\r\n')}`);
        const first = await cli(['check', '--format', 'json', '--stats'], project);
        assert.equal(stats(first.stderr).treesReused, 0);
        const file = join(project, changed);
        writeFileSync(file, `${readFileSync(file, 'utf8')}\n# edited\n`);
        const second = await cli(['check', '--format', 'json', '--stats'], project);
        assert.equal(stats(second.stderr).cache, 'miss');
        assert.equal(stats(second.stderr).treesReused, stats(second.stderr).files - 1, example);
        const uncached = await cli(['check', '--format', 'json', '--no-cache'], project);
        assert.equal(second.stdout, uncached.stdout, example);
        assert.equal(second.code, uncached.code);
        // A syntax error in the changed file: its own tree, not a stale one, decides what is reported.
        writeFileSync(file, readFileSync(file, 'utf8').replace('operations = [', 'operations = [[('));
        const broken = await cli(['check', '--format', 'json', '--stats'], project);
        assert.equal(broken.stdout, (await cli(['check', '--format', 'json', '--no-cache'], project)).stdout);
        assert.match(broken.stdout, /syntax error/);
      } finally {
        rmSync(project, { recursive: true, force: true });
      }
    }
  });

  it('misses when a file or the configuration changes', async () => {
    const project = mkdtempSync(join(tmpdir(), 'mg-cache-project-'));
    try {
      cpSync(join(ROOT, 'examples', 'shop'), project, { recursive: true });
      const first = await cli(['check', '--format', 'json', '--stats'], project);
      assert.match(first.stderr, /"cache":"miss"/);
      assert.match(readFileSync(join(project, '.migration-guard-cache', '.gitignore'), 'utf8'), /^\*$/m);
      assert.match((await cli(['check', '--format', 'json', '--stats'], project)).stderr, /"cache":"hit"/);
      const otherConfig = await cli(['check', '--format', 'json', '--stats', '--ignore', 'remove-field'], project);
      assert.match(otherConfig.stderr, /"cache":"miss"/);
      assert.ok(!otherConfig.stdout.includes('"remove-field"'));
      const file = join(project, 'shop', 'migrations', '0005_remove_product_legacy_code.py');
      writeFileSync(file, readFileSync(file, 'utf8').replace('legacy_code', 'legacy_kode'));
      const edited = await cli(['check', '--format', 'json', '--stats'], project);
      assert.match(edited.stderr, /"cache":"miss"/);
      assert.match(edited.stdout, /legacy_kode/);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });

  it('counts as racy a file stamped within the margin of its stat, wider for whole-second file systems', () => {
    const stamp = (mtimeMs: number, ctimeMs: number): Stats => ({ mtimeMs, ctimeMs }) as Stats;
    const now = 1_700_000_000_500.25;
    assert.equal(isRacy(stamp(now - 50, now - 50), now), true);
    assert.equal(isRacy(stamp(now - 60_000, now - 50), now), true, 'ctime counts: an edit that restores the mtime still sets it');
    assert.equal(isRacy(stamp(now - 500, now - 400), now), false);
    assert.equal(isRacy(stamp(now + 5_000, now - 60_000), now), true, 'stamped in the future (clock skew)');
    // ext3, HFS+, FAT: whole seconds; a write one second later could keep the same stamp.
    assert.equal(isRacy(stamp(1_700_000_000_000, 1_700_000_000_000), now), true);
    assert.equal(isRacy(stamp(1_699_999_990_000, 1_699_999_990_000), now), false);
  });

  describe('metadata fast path (unchanged files are only stat-ed)', () => {
    let project: string;
    const stats = (stderr: string): { cache: string; filesRead: number; files: number } => JSON.parse(/migration-guard stats (\{.*\})/.exec(stderr)![1]!);
    const file = (): string => join(project, 'shop', 'migrations', '0005_remove_product_legacy_code.py');
    /** Older than the racy margin, so the memo trusts the files' stamps. */
    const settle = (): Promise<void> => new Promise((done) => setTimeout(done, 300));

    beforeEach(async () => {
      project = mkdtempSync(join(tmpdir(), 'mg-cache-meta-'));
      cpSync(join(ROOT, 'examples', 'shop'), project, { recursive: true });
      await settle();
    });
    afterEach(() => rmSync(project, { recursive: true, force: true }));

    async function checkBoth(): Promise<{ warm: Awaited<ReturnType<typeof cli>>; uncached: Awaited<ReturnType<typeof cli>> }> {
      const warm = await cli(['check', '--format', 'json', '--stats'], project);
      const uncached = await cli(['check', '--format', 'json', '--no-cache'], project);
      assert.equal(warm.stdout, uncached.stdout);
      assert.equal(warm.code, uncached.code);
      return { warm, uncached };
    }

    it('reads no migration on a second run of an unchanged project, with the same output', async () => {
      const first = await cli(['check', '--format', 'json', '--stats'], project);
      assert.equal(stats(first.stderr).cache, 'miss');
      assert.equal(stats(first.stderr).filesRead, stats(first.stderr).files);
      const { warm } = await checkBoth();
      assert.equal(stats(warm.stderr).cache, 'hit');
      assert.equal(stats(warm.stderr).filesRead, 0);
      // The baseline's fingerprints need the texts: they are read on demand, and the result is the same.
      const baseline = join(project, 'baseline.json');
      await cli(['check', '--write-baseline', baseline, '--no-cache'], project);
      const withBaseline = await cli(['check', '--format', 'json', '--baseline', baseline, '--stats'], project);
      assert.equal(stats(withBaseline.stderr).cache, 'hit');
      assert.equal(JSON.parse(withBaseline.stdout).findings.length, 0);
    });

    for (const [when, mtime] of [['an older', -3600], ['the same', 0], ['a newer', 3600]] as const) {
      it(`misses when a file's content changes with its size kept and ${when} mtime`, async () => {
        // Whole seconds, so that utimes can put the very same mtime back.
        const stamp = Math.floor(Date.now() / 1000) - 7200;
        utimesSync(file(), stamp, stamp);
        await settle();
        await cli(['check', '--format', 'json'], project);
        assert.equal(stats((await cli(['check', '--format', 'json', '--stats'], project)).stderr).filesRead, 0);
        const before = statSync(file());
        writeFileSync(file(), readFileSync(file(), 'utf8').replace('legacy_code', 'legacy_kode'));
        utimesSync(file(), stamp, stamp + mtime);
        assert.equal(statSync(file()).size, before.size);
        if (mtime === 0) assert.equal(statSync(file()).mtimeMs, before.mtimeMs);
        const { warm } = await checkBoth();
        assert.equal(stats(warm.stderr).cache, 'miss');
        assert.match(warm.stdout, /legacy_kode/);
      });
    }

    it('misses when a file is replaced by another of the same size (a new inode, as editors save)', async () => {
      await cli(['check', '--format', 'json'], project);
      const before = statSync(file());
      const replacement = `${file()}.new`;
      writeFileSync(replacement, readFileSync(file(), 'utf8').replace('legacy_code', 'legacy_kode'));
      renameSync(replacement, file());
      assert.notEqual(statSync(file()).ino, before.ino);
      const { warm } = await checkBoth();
      assert.equal(stats(warm.stderr).cache, 'miss');
      assert.match(warm.stdout, /legacy_kode/);
    });

    it('reads again a file written just before its stamps were taken (it could change without them changing)', async () => {
      writeFileSync(file(), readFileSync(file(), 'utf8').replace('legacy_code', 'legacy_kode'));
      await cli(['check', '--format', 'json'], project);
      const { warm } = await checkBoth();
      assert.equal(stats(warm.stderr).cache, 'hit');
      assert.equal(stats(warm.stderr).filesRead, 1);
      await settle();
      await cli(['check', '--format', 'json'], project);
      assert.equal(stats((await checkBoth()).warm.stderr).filesRead, 0);
    });

    it('reports a file that became unreadable, and a new or removed migration', async () => {
      await cli(['check', '--format', 'json'], project);
      writeFileSync(file(), Buffer.from([0x66, 0x6f, 0xff, 0x0a]));
      const broken = await checkBoth();
      assert.match(broken.warm.stdout, /not valid UTF-8/);
      rmSync(file());
      await checkBoth();
      writeFileSync(join(project, 'shop', 'migrations', '0099_extra.py'), readFileSync(join(project, 'shop', 'migrations', '0001_initial.py')));
      assert.match((await checkBoth()).warm.stdout, /0099_extra/);
    });
  });
});
