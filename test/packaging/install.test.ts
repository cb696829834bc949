// Installing the CLI the ways users do: from an `npm pack` tarball without dev dependencies, and as pre-commit
// installs a `language: node` hook repository (clone, `npm install` with the prepare build, `npm pack`,
// `npm install -g` of the tarball into the hook environment's prefix), then the hook's entry on examples/shop.
// Slow (a full npm install): `npm run test:packaging`, not part of the unit suite.
import { strict as assert } from 'node:assert';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const npm = (args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string =>
  execFileSync('npm', args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
const git = (args: string[], cwd: string): string =>
  execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'init.defaultBranch=main', ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** A git repository holding the working tree's tracked and new files, so uncommitted work is tested too. */
function snapshotRepository(into: string): string {
  const files = git(['ls-files', '-z', '--cached', '--others', '--exclude-standard'], ROOT).split('\0').filter((file) => file && existsSync(join(ROOT, file)));
  for (const file of files) {
    mkdirSync(dirname(join(into, file)), { recursive: true });
    cpSync(join(ROOT, file), join(into, file));
  }
  git(['init', '-q'], into);
  git(['add', '-A'], into);
  git(['commit', '-qm', 'snapshot'], into);
  return into;
}

function shopRepository(into: string): string {
  cpSync(join(ROOT, 'examples', 'shop'), into, { recursive: true, filter: (source) => !source.includes('.migration-guard-cache') });
  git(['init', '-q'], into);
  git(['add', '-A'], into);
  return into;
}

describe('packaging', function () {
  this.timeout(600000);
  let scratch: string;
  before(() => {
    scratch = mkdtempSync(join(tmpdir(), 'mg-pack-'));
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('installs from an npm pack tarball with no dev dependencies and checks a project', async () => {
    assert.ok(existsSync(join(ROOT, 'dist', 'cli.js')), 'run `npm run build` first');
    const packed = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', scratch], ROOT)) as { filename: string; files: { path: string }[] }[];
    const paths = packed[0]!.files.map((file) => file.path).sort();
    assert.deepEqual(paths, ['CHANGELOG.md', 'LICENSE', 'README.md', 'dist/analyzeWorker.js', 'dist/cli.js', 'dist/cliMain.js', 'dist/server.js', 'package.json']);
    const prefix = join(scratch, 'global');
    npm(['install', '-g', join(scratch, packed[0]!.filename), '--prefix', prefix, '--omit=dev', '--offline', '--no-audit', '--no-fund'], scratch);
    const bin = join(prefix, 'bin', 'migration-guard');
    const result = spawnSync(bin, ['check', join(ROOT, 'examples', 'shop'), '--no-color', '--no-cache'], { encoding: 'utf8' });
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stdout, /3 errors, 4 warnings, 1 info in 14 files/);
    assert.equal(spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim(), JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
    // `lsp --stdio` (what Neovim and other editors run) loads the language server bundle shipped beside the CLI.
    assert.match(await initializeOverStdio(bin), /"capabilities"/);
  });

  it('works as a pre-commit hook repository (language: node)', () => {
    const source = snapshotRepository(join(scratch, 'source'));
    const clone = join(scratch, 'hook-repo');
    git(['clone', '-q', source, clone], scratch);
    assert.ok(!existsSync(join(clone, 'dist')), 'dist/ is not committed: the prepare script must build it');
    // pre-commit's node language: install as if from git (runs `prepare`), pack, install the tarball globally.
    npm(['install', '--include=dev', '--include=prod', '--ignore-prepublish', '--no-progress', '--no-save', '--prefer-offline', '--no-audit', '--no-fund'], clone);
    assert.ok(existsSync(join(clone, 'dist', 'cli.js')), 'prepare built dist/cli.js');
    const tarball = npm(['pack'], clone).trim().split('\n').pop()!;
    const prefix = join(scratch, 'hook-env');
    const env = { ...process.env, NPM_CONFIG_PREFIX: prefix };
    npm(['install', '-g', join(clone, tarball), '--no-audit', '--no-fund', '--offline'], clone, env);

    const hooks = readFileSync(join(clone, '.pre-commit-hooks.yaml'), 'utf8');
    const entry = /id: migration-guard\n(?:\s+\w+:.*\n)*?\s+entry: (.+)\n/.exec(hooks)![1]!.split(' ');
    const files = new RegExp(/files: (.+)\n/.exec(hooks)![1]!);
    assert.ok(files.test('shop/migrations/0001_initial.py') && files.test('migrations/0002_x.py'));
    assert.ok(!files.test('shop/models.py') && !files.test('shop/migrations/sub/x.py'));

    const project = shopRepository(join(scratch, 'project'));
    const run = spawnSync(join(prefix, 'bin', entry[0]!), [...entry.slice(1), '--no-color'], { cwd: project, encoding: 'utf8', env: { ...process.env, PATH: `${join(prefix, 'bin')}:${process.env['PATH']}` } });
    // Every migration is staged and new, so all are reported; the whole history was analysed.
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stdout, /3 errors, 4 warnings, 1 info in 14 files/);
    assert.match(run.stdout, /14 migration files changed since/);
  });
});

/** Starts `bin lsp --stdio`, sends initialize, resolves with what it wrote back (bounded to 20 s), then stops it. */
function initializeOverStdio(bin: string): Promise<string> {
  const text = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } });
  const child = spawn(bin, ['lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  return new Promise<string>((resolve, reject) => {
    let received = '';
    let errors = '';
    const timer = setTimeout(() => finish(new Error(`no initialize response in 20 s; stdout: ${received}; stderr: ${errors}`)), 20_000);
    const finish = (error?: Error): void => {
      clearTimeout(timer);
      child.kill();
      if (error) reject(error);
      else resolve(received);
    };
    child.stdout.on('data', (chunk: Buffer) => {
      received += chunk.toString('utf8');
      if (received.includes('"capabilities"')) finish();
    });
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString('utf8')));
    child.on('error', (error) => finish(error));
    child.stdin.write(`Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
  });
}
