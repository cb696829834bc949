// The executable's replay of a recorded `check` (engine/cache/replay.ts): the built dist/cli.js as a real process,
// because the replay happens before the CLI is loaded. A replayed run prints exactly what the analysis prints; any
// change to a file, a folder's listing, the configuration, the environment or the command line runs the analysis.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReplayRecorder } from '../../../server/src/engine/cache/replay';
import * as projectFs from '../../../server/src/engine/projectFs';

const ROOT = join(__dirname, '..', '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');

interface Run {
  code: number | null;
  stdout: string;
  /** stderr without the --stats line. */
  stderr: string;
  cache: string | undefined;
}

function run(args: string[], cwd: string, env: Record<string, string> = {}): Run {
  const base = { ...process.env };
  for (const name of ['NO_COLOR', 'FORCE_COLOR', 'MIGRATION_GUARD_CACHE_DIR']) delete base[name];
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, env: { ...base, ...env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const stats = /^migration-guard stats (\{.*\})\n/m.exec(result.stderr);
  const cache = stats ? (JSON.parse(stats[1]!) as { cache?: string }).cache : undefined;
  return { code: result.status, stdout: result.stdout, stderr: result.stderr.replace(/^migration-guard stats .*\n/m, ''), cache };
}

/** Past the racy margin: a record is never kept for inputs stamped within 100 ms of the run. */
function settle(): void {
  const until = Date.now() + 150;
  while (Date.now() < until) {
    // Busy wait: Atomics.wait would do, but this is 150 ms once per project.
  }
}

function copyProject(from: string): string {
  const project = mkdtempSync(join(tmpdir(), 'mg-replay-'));
  cpSync(from, project, { recursive: true, filter: (source) => !source.includes('.migration-guard-cache') });
  settle();
  return project;
}

describe('replay of a recorded check (dist/cli.js)', function () {
  this.timeout(120000);

  it('prints the recorded bytes and exit code on the next identical run, for every format', () => {
    const examples = [
      [join(ROOT, 'examples', 'shop'), ['text', 'json', 'sarif', 'github', 'gitlab', 'markdown']],
      [join(ROOT, 'test', 'fixtures', 'rules'), ['text', 'json']],
    ] as const;
    for (const [example, formats] of examples) {
      const project = copyProject(example);
      try {
        for (const format of formats) {
          const uncached = run(['check', '--format', format, '--no-cache'], project);
          // The first run in a fresh copy creates the cache folder, which changes the listing it saw: no record yet.
          if (format === 'text') assert.notEqual(run(['check', '--format', format, '--stats'], project).cache, 'replay');
          settle();
          const recorded = run(['check', '--format', format, '--stats'], project);
          const replayed = run(['check', '--format', format, '--stats'], project);
          assert.notEqual(recorded.cache, 'replay', `${example} ${format}: the first run analyses`);
          assert.equal(replayed.cache, 'replay', `${example} ${format}: the second run replays`);
          for (const [name, result] of [['recorded', recorded], ['replayed', replayed]] as const) {
            assert.equal(result.stdout, uncached.stdout, `${example} ${format} ${name} stdout`);
            assert.equal(result.stderr, uncached.stderr, `${example} ${format} ${name} stderr`);
            assert.equal(result.code, uncached.code, `${example} ${format} ${name} exit code`);
          }
          assert.ok(uncached.stdout.length > 0);
        }
        // --demo's note goes to stderr for JSON: stderr is replayed too, in order.
        run(['check', '--format', 'json', '--demo'], project);
        const demo = run(['check', '--format', 'json', '--demo', '--stats'], project);
        assert.equal(demo.cache, 'replay');
        assert.match(demo.stderr, /Demo run/);
        assert.equal(demo.code, 0);
      } finally {
        rmSync(project, { recursive: true, force: true });
      }
    }
  });

  describe('runs the analysis when an input changed', () => {
    let project: string;
    const migrations = (): string => join(project, 'shop', 'migrations');
    /** Records, checks that the record replays, applies `change`, and returns the next run (and the uncached truth). */
    function afterChange(change: () => void, args: string[] = ['check', '--format', 'json'], env: Record<string, string> = {}): { next: Run; truth: Run } {
      run(args, project);
      settle();
      run(args, project);
      assert.equal(run([...args, '--stats'], project).cache, 'replay', 'recorded before the change');
      change();
      const next = run([...args, '--stats'], project, env);
      const truth = run([...args, '--no-cache'], project, env);
      assert.notEqual(next.cache, 'replay');
      assert.equal(next.stdout, truth.stdout);
      assert.equal(next.code, truth.code);
      settle();
      return { next, truth };
    }

    beforeEach(() => {
      project = copyProject(join(ROOT, 'examples', 'shop'));
    });
    afterEach(() => rmSync(project, { recursive: true, force: true }));

    it('an edit that keeps the size and restores the mtime (the ctime still moves)', () => {
      const file = join(migrations(), '0005_remove_product_legacy_code.py');
      const before = statSync(file);
      const { next } = afterChange(() => {
        writeFileSync(file, readFileSync(file, 'utf8').replace('legacy_code', 'legacy_kode'));
        utimesSync(file, before.atime, before.mtime);
      });
      assert.equal(statSync(file).size, before.size);
      assert.match(next.stdout, /legacy_kode/);
    });

    it('a new migration in a folder, and a removed one', () => {
      const added = join(migrations(), '0099_extra.py');
      const source = readdirSync(migrations()).filter((name) => /^\d{4}_.*\.py$/.test(name)).sort().at(-1)!;
      afterChange(() => writeFileSync(added, readFileSync(join(migrations(), source), 'utf8')));
      afterChange(() => unlinkSync(added));
    });

    it('a pyproject.toml that appears with configuration', () => {
      const { next } = afterChange(() => writeFileSync(join(project, 'pyproject.toml'), '[tool.migration-guard]\nignore = ["remove-field"]\n'));
      assert.ok(!next.stdout.includes('"remove-field"'));
    });

    it('another colour setting in the environment, or other arguments', () => {
      const text = ['check'];
      const { next } = afterChange(() => undefined, text, { FORCE_COLOR: '1' });
      assert.match(next.stdout, /\u001b\[/, 'FORCE_COLOR colours the replay-less run');
      const other = run(['check', '--format', 'json', '--ignore', 'remove-field', '--stats'], project);
      assert.notEqual(other.cache, 'replay');
    });
  });

  it('keeps no record for --no-cache or --diff, and survives a damaged record', () => {
    const project = copyProject(join(ROOT, 'examples', 'shop'));
    try {
      const cache = join(project, '.migration-guard-cache');
      const records = (): string[] => readdirSync(cache).filter((name) => name.startsWith('replay-'));
      run(['check', '--format', 'json'], project);
      settle();
      run(['check', '--format', 'json'], project);
      assert.equal(records().length, 2, 'a record and its output');
      run(['check', '--format', 'json', '--no-cache'], project);
      run(['check', '--format', 'sarif', '--diff', 'HEAD'], project);
      assert.equal(records().length, 2, '--no-cache and --diff record nothing');

      const truth = run(['check', '--format', 'json', '--no-cache'], project);
      for (const name of records()) writeFileSync(join(cache, name), name.endsWith('.json') ? '{"format":1,' : 'garbage');
      const damaged = run(['check', '--format', 'json', '--stats'], project);
      assert.notEqual(damaged.cache, 'replay');
      assert.equal(damaged.stdout, truth.stdout);
      assert.equal(damaged.code, truth.code);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });

  it('never trusts a cache folder this machine did not write (one committed to the repository and cloned)', () => {
    const original = copyProject(join(ROOT, 'examples', 'shop'));
    let clone: string | undefined;
    try {
      run(['check', '--format', 'json'], original);
      settle();
      run(['check', '--format', 'json'], original);
      assert.equal(run(['check', '--format', 'json', '--stats'], original).cache, 'replay');
      // A clone carries the same bytes, cache folder included, with new inodes and change times.
      clone = mkdtempSync(join(tmpdir(), 'mg-replay-clone-'));
      cpSync(original, clone, { recursive: true });
      // The same path as where the entries were written, so only the folder's identity can tell them apart.
      rmSync(original, { recursive: true, force: true });
      cpSync(clone, original, { recursive: true });
      settle();
      const truth = run(['check', '--format', 'json', '--no-cache'], original);
      const cloned = run(['check', '--format', 'json', '--stats'], original);
      assert.equal(cloned.cache, 'miss', 'neither the record nor the analysis entry of the copied folder is used');
      assert.equal(cloned.stdout, truth.stdout);
    } finally {
      rmSync(original, { recursive: true, force: true });
      if (clone) rmSync(clone, { recursive: true, force: true });
    }
  });

  it('keeps no record when an input was stamped a moment before the run looked at it, or changed during the run', () => {
    const folder = mkdtempSync(join(tmpdir(), 'mg-replay-racy-'));
    try {
      const input = join(folder, 'input.py');
      writeFileSync(input, 'x = 1\n');
      const fresh = new ReplayRecorder('racy'.padEnd(40, 'x'));
      projectFs.readFileSync(input, 'utf8');
      assert.equal(fresh.save(join(folder, 'cache'), 0), false, 'written within the racy margin');
      settle();
      const settled = new ReplayRecorder('settled'.padEnd(40, 'x'));
      projectFs.readFileSync(input, 'utf8');
      projectFs.existsSync(join(folder, 'absent.py'));
      assert.equal(settled.save(join(folder, 'cache'), 0), true);
      const changing = new ReplayRecorder('changing'.padEnd(40, 'x'));
      projectFs.existsSync(join(folder, 'absent.py'));
      writeFileSync(join(folder, 'absent.py'), 'y = 2\n');
      assert.equal(changing.save(join(folder, 'cache'), 0), false, 'a file that appeared during the run');
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('keeps the newest 16 records of a folder', () => {
    const folder = mkdtempSync(join(tmpdir(), 'mg-replay-prune-'));
    try {
      const written: string[] = [];
      for (let index = 0; index < 20; index++) {
        const before = new Set(readdirSync(folder));
        const recorder = new ReplayRecorder(`key ${index}`);
        recorder.capture({ stdout: (_text: string) => undefined, stderr: (_text: string) => undefined, env: {} }).stdout(`run ${index}\n`);
        assert.equal(recorder.save(folder, 0), true);
        const added = readdirSync(folder).filter((name) => name.startsWith('replay-') && !before.has(name));
        assert.equal(added.length, 2, 'a record and its output');
        // Older runs get older stamps, as they would have had.
        const stamp = new Date(Date.now() - (20 - index) * 1000);
        for (const name of added) utimesSync(join(folder, name), stamp, stamp);
        written.push(added.find((name) => name.endsWith('.json'))!);
      }
      const kept = readdirSync(folder).filter((name) => name.endsWith('.json')).sort();
      assert.deepEqual(kept, written.slice(4).sort());
      assert.equal(readdirSync(folder).filter((name) => name.endsWith('.out')).length, 16);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
