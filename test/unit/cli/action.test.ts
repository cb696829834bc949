// action.yml: its steps' scripts run with bash and the environment variables GitHub sets (GITHUB_STEP_SUMMARY,
// GITHUB_OUTPUT, GITHUB_ACTION_PATH, the step's env with the inputs), in a copy of examples/shop.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const ACTION = readFileSync(join(ROOT, 'action.yml'), 'utf8');

/** The `run: |` block of each step, dedented, in order (the action's YAML is simple enough to read by lines). */
function runBlocks(): string[] {
  const blocks: string[] = [];
  const lines = ACTION.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const match = /^(\s*)run: \|$/.exec(lines[index]!);
    if (!match) continue;
    const body: string[] = [];
    for (index++; index < lines.length && (lines[index]!.trim() === '' || lines[index]!.startsWith(`${match[1]}  `)); index++) body.push(lines[index]!.slice(match[1]!.length + 2));
    index--;
    blocks.push(body.join('\n'));
  }
  return blocks;
}

describe('action.yml (composite GitHub Action)', function () {
  this.timeout(60000);
  let scratch: string;
  let workspace: string;
  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), 'mg-action-'));
    workspace = join(scratch, 'workspace');
    cpSync(join(ROOT, 'examples', 'shop'), workspace, { recursive: true, filter: (source) => !source.includes('.migration-guard-cache') });
  });
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  function runSteps(inputs: Record<string, string>): { status: number | null; stdout: string; summary: string; output: string } {
    const summary = join(scratch, 'summary.md');
    const output = join(scratch, 'output.txt');
    writeFileSync(summary, '');
    writeFileSync(output, '');
    const env = {
      PATH: process.env['PATH'],
      HOME: scratch,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: workspace,
      GITHUB_ACTION_PATH: ROOT,
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_OUTPUT: output,
      MIGRATION_GUARD_CACHE_DIR: join(scratch, 'cache'),
      MG_CLI: join(ROOT, 'dist', 'cli.js'),
      MG_PATHS: '.',
      MG_DIFF: '',
      MG_FAIL_ON: 'error',
      MG_SARIF: '',
      MG_ARGS: '',
      ...inputs,
    };
    const [build, check] = runBlocks();
    assert.ok(build && check, 'two run steps');
    // The build step is a no-op here (dist/ exists); it must not fail.
    assert.equal(spawnSync('bash', ['-e', '-c', build], { cwd: ROOT, env, encoding: 'utf8' }).status, 0);
    const result = spawnSync('bash', ['-e', '-c', check], { cwd: workspace, env, encoding: 'utf8' });
    return { status: result.status, stdout: result.stdout, summary: readFileSync(summary, 'utf8'), output: readFileSync(output, 'utf8') };
  }

  it('annotates, writes the Markdown summary and the SARIF file, and fails on errors', () => {
    const sarifPath = join(scratch, 'results.sarif');
    const run = runSteps({ MG_SARIF: sarifPath });
    assert.equal(run.status, 1);
    assert.match(run.stdout, /^::error file=orders\/migrations\/0002_order_tracking_number\.py,line=13,/m);
    assert.match(run.summary, /^### ❌ Django Migration Guard/);
    assert.match(run.output, /^exit-code=1$/m);
    const sarif = JSON.parse(readFileSync(sarifPath, 'utf8'));
    assert.equal(sarif.version, '2.1.0');
    assert.ok(sarif.runs[0].results.length >= 8);
  });

  it('passes with fail-on never, and takes extra arguments as words, never as shell code', () => {
    const run = runSteps({ MG_FAIL_ON: 'never', MG_ARGS: '--ignore remove-field' });
    assert.equal(run.status, 0);
    assert.ok(!run.stdout.includes('remove-field'));
    assert.match(run.output, /^exit-code=0$/m);
    const marker = join(scratch, 'pwned');
    const hostile = runSteps({ MG_ARGS: `$(touch ${marker}) ;touch ${marker}` });
    assert.equal(hostile.status, 2);
    assert.ok(!existsSync(marker));
    assert.match(hostile.output, /^exit-code=2$/m);
  });
});
