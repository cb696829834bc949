// A second, independent LSP client: Neovim (0.7+) starts the server with --stdio, as docs/neovim.md tells users to,
// and must see the diagnostics, a hover and the code actions. Skipped (saying why) only when nvim is not installed.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { copyFixture, removeWorkspace, serverBundle } from './lspClient';

interface NeovimResult {
  diagnostics: { code: string; lnum: number; severity: number; source: string }[];
  hover: string | null;
  actions: string[];
  errors: string[];
}

interface NavigationResult {
  definitions: { uri: string; line: number }[];
  dependency: string | null;
  completions: { label: string; detail?: string }[];
  errors: string[];
}

function hasNeovim(): boolean {
  return spawnSync('nvim', ['--version'], { stdio: 'ignore' }).status === 0;
}

describe('Neovim as LSP client', function () {
  this.timeout(30000);
  let workspace: string;
  let scratch: string;
  let navigationWorkspace: string;

  before(function () {
    if (!hasNeovim()) {
      console.log('    nvim is not installed (apt-get install -y neovim): skipping the Neovim client test');
      this.skip();
    }
    workspace = copyFixture('project');
    navigationWorkspace = copyFixture('navigation');
    scratch = mkdtempSync(join(tmpdir(), 'mg-nvim-'));
  });

  after(() => {
    if (workspace) removeWorkspace(workspace);
    if (navigationWorkspace) removeWorkspace(navigationWorkspace);
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  /** Runs a Lua script of test/lsp/neovim in a headless Neovim on `file` of the workspace `root`; resolves with its exit code. */
  async function runNeovim(root: string, file: string, script: string, env: Record<string, string>): Promise<number | null> {
    const server = await serverBundle();
    return new Promise<number | null>((resolve, reject) => {
      const nvim = spawn('nvim', ['--headless', '--clean', '-n', file, '-c', `luafile ${join(__dirname, 'neovim', script)}`], {
        cwd: root,
        env: {
          ...process.env,
          ...env,
          MG_SERVER_JS: server,
          MG_ROOT: root,
          XDG_CONFIG_HOME: join(scratch, 'config'),
          XDG_DATA_HOME: join(scratch, 'data'),
          XDG_STATE_HOME: join(scratch, 'state'),
          XDG_CACHE_HOME: join(scratch, 'cache'),
        },
        stdio: 'ignore',
      });
      const timer = setTimeout(() => {
        nvim.kill('SIGKILL');
        reject(new Error('nvim did not finish within 25 s'));
      }, 25000);
      nvim.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      nvim.on('exit', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
  }

  it('shows the diagnostics, a hover and the code actions in a headless Neovim', async () => {
    const file = join(workspace, 'shop/migrations/0002_order_changes.py');
    const out = join(scratch, 'result.json');
    const hoverLine = readFileSync(file, 'utf8').split('\n').findIndex((line) => line.includes('migrations.AddIndex('));
    const code = await runNeovim(workspace, file, 'check.lua', { MG_OUT: out, MG_HOVER_LINE: String(hoverLine), MG_HOVER_CHARACTER: '22' });
    assert.equal(code, 0);
    const result = JSON.parse(readFileSync(out, 'utf8')) as NeovimResult;
    assert.deepEqual(result.errors, []);
    const codes = result.diagnostics.map((diagnostic) => diagnostic.code);
    for (const rule of ['add-index-non-concurrent', 'remove-field', 'runpython-no-reverse']) assert.ok(codes.includes(rule), `Neovim did not get ${rule}: ${codes.join(', ')}`);
    assert.ok(result.diagnostics.every((diagnostic) => diagnostic.source === 'migration-guard'));
    const addIndex = result.diagnostics.find((diagnostic) => diagnostic.code === 'add-index-non-concurrent');
    assert.equal(addIndex?.lnum, hoverLine);
    assert.match(result.hover ?? '', /CREATE INDEX/);
    assert.ok(result.actions.some((title) => title.startsWith('Use AddIndexConcurrently')), result.actions.join(' | '));
    assert.ok(result.actions.includes('Ignore add-index-non-concurrent for this operation'));
  });

  it('goes to definitions and completes field names in a headless Neovim', async () => {
    const file = join(navigationWorkspace, 'shop/migrations/0004_purchase_code.py');
    const out = join(scratch, 'navigation.json');
    const code = await runNeovim(navigationWorkspace, file, 'navigation.lua', { MG_OUT: out });
    assert.equal(code, 0);
    const result = JSON.parse(readFileSync(out, 'utf8')) as NavigationResult;
    assert.deepEqual(result.errors, []);
    const created = join(navigationWorkspace, 'shop/migrations/0001_initial.py');
    const createLine = readFileSync(created, 'utf8').split('\n').findIndex((line) => line.includes('migrations.CreateModel('));
    assert.deepEqual(result.definitions, [{ uri: pathToFileURL(created).href, line: createLine }]);
    assert.equal(result.dependency, pathToFileURL(join(navigationWorkspace, 'shop/migrations/0003_purchase.py')).href);
    assert.deepEqual(result.completions.map((item) => item.label).sort(), ['amount', 'code', 'id', 'note']);
    assert.equal(result.completions.find((item) => item.label === 'code')?.detail, 'models.CharField(max_length=20, null=True)');
  });
});
