// Runner side of the integration suite (test/integration): bundles it, prepares a private copy of the fixture
// project, and runs the suite inside a real extension host (code-server's smoke-test driver, opened in Chromium),
// then reads the results file the suite wrote. Shared by `npm test` / `npm run test:e2e` and scripts.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { PYTHON_ENV, RELOAD_MARKER, RESULTS_ENV, STATE_ENV, SUITE_ENV, UNTRUSTED_WORKSPACE_PYTHON, type SuiteName, type SuiteResults } from '../integration/results';
import { ARTIFACTS_DIR, launchChromium, startCodeServer, type CodeServer } from './codeServer';

export const REPO_ROOT = resolve(__dirname, '..', '..');
export const FIXTURE_PROJECT = join(REPO_ROOT, 'test', 'fixtures', 'e2e-project');
export const INTEGRATION_BUNDLE = join(REPO_ROOT, 'out', 'integration', 'index.js');
export const DJANGO_PYTHON = '/usr/bin/python3';

/** Builds the extension (dist/) and the suite bundle. mocha stays external: the host requires it from node_modules. */
export async function buildExtensionAndSuite(): Promise<void> {
  execFileSync(process.execPath, [join(REPO_ROOT, 'esbuild.mjs')], { cwd: REPO_ROOT, stdio: 'inherit', timeout: 120_000 });
  await esbuild.build({
    entryPoints: [join(REPO_ROOT, 'test', 'integration', 'index.ts')],
    outfile: INTEGRATION_BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
}

/**
 * A fresh copy of the fixture project (no database, no caches) as `shop-project` in a new temp folder, with extra
 * workspace settings. Remove it with removeFixtureCopy.
 */
export function copyFixtureProject(workspaceSettings: Record<string, unknown> = {}): string {
  const root = join(mkdtempSync(join(tmpdir(), 'mg-e2e-')), 'shop-project');
  cpSync(FIXTURE_PROJECT, root, {
    recursive: true,
    filter: (source) => !/(__pycache__|\.pyc$|db\.sqlite3$)/.test(source),
  });
  if (Object.keys(workspaceSettings).length > 0) {
    const file = join(root, '.vscode', 'settings.json');
    // The fixture's settings file is JSONC with whole-line comments only.
    const current = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8').replace(/^\s*\/\/.*$/gm, '')) as Record<string, unknown>) : {};
    mkdirSync(join(root, '.vscode'), { recursive: true });
    writeFileSync(file, JSON.stringify({ ...current, ...workspaceSettings }, null, 2));
  }
  return root;
}

export interface SuiteRunOptions {
  suite: SuiteName;
  /** Trusted: the usual run. Untrusted: workspace trust on and the folder never trusted. */
  trusted: boolean;
  timeoutMs?: number;
}

export interface SuiteRun {
  results: SuiteResults | undefined;
  /** What to print when the run failed: code-server's and the browser's last words. */
  diagnostics: string;
  durationMs: number;
}

/**
 * One suite in one code-server window. The suite reloads the window once (review panel restore) and then runs
 * again in the reloaded window, which writes the final results; see test/integration/index.ts.
 */
export async function runSuiteInCodeServer(options: SuiteRunOptions): Promise<SuiteRun> {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? 240_000;
  // Untrusted: a pythonPath in the folder's own settings, which the extension must not use.
  const workspace = copyFixtureProject(options.trusted ? {} : { 'migrationGuard.pythonPath': UNTRUSTED_WORKSPACE_PYTHON });
  const stateDir = mkdtempSync(join(tmpdir(), 'mg-e2e-state-'));
  const resultsFile = join(stateDir, 'results.json');
  const browserLog: string[] = [];
  let server: CodeServer | undefined;
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
  try {
    server = await startCodeServer({
      folder: workspace,
      extraArgs: ['--vscode-option', 'enable-smoke-test-driver', ...(options.trusted ? ['--disable-workspace-trust'] : [])],
      env: { [RESULTS_ENV]: resultsFile, [SUITE_ENV]: options.suite, [STATE_ENV]: stateDir, [PYTHON_ENV]: DJANGO_PYTHON },
      machineSettings: { 'migrationGuard.pythonPath': DJANGO_PYTHON },
      userSettings: {
        'security.workspace.trust.enabled': !options.trusted,
        'security.workspace.trust.startupPrompt': 'never',
        'security.workspace.trust.emptyWindow': false,
      },
    });
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') browserLog.push(`[${message.type()}] ${message.text()}`);
    });
    page.on('pageerror', (error) => browserLog.push(`[pageerror] ${error.message}`));
    await page.goto(extensionTestUrl(server, workspace, REPO_ROOT, INTEGRATION_BUNDLE));

    const deadline = Date.now() + timeoutMs;
    let results: SuiteResults | undefined;
    while (Date.now() < deadline) {
      results = readResults(resultsFile);
      // The first window's results are provisional (incomplete) when it reloads; the reloaded window writes the
      // final ones. Complete results of the first window mean the reload never happened.
      if (results && (results.phase === 'reloaded' || results.complete || !existsSync(join(stateDir, RELOAD_MARKER)))) break;
      results = undefined;
      await new Promise((resolveWait) => setTimeout(resolveWait, 250));
    }
    if (!results) {
      mkdirSync(ARTIFACTS_DIR, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS_DIR, `integration-${options.suite}-timeout.png`) }).catch(() => undefined);
      results = readResults(resultsFile);
    }
    return { results, diagnostics: diagnosticsText(server.output(), browserLog), durationMs: Date.now() - started };
  } finally {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    removeFixtureCopy(workspace);
    rmSync(stateDir, { recursive: true, force: true });
  }
}

export function removeFixtureCopy(project: string): void {
  rmSync(dirname(project), { recursive: true, force: true });
}

/** The URL that opens `folder` with the extension in development mode and `testsBundle` run as its test suite. */
export function extensionTestUrl(server: CodeServer, folder: string, extensionPath: string, testsBundle: string): string {
  const remote = (path: string): string => `vscode-remote://127.0.0.1:${server.port}${path}`;
  const payload = [
    ['extensionDevelopmentPath', remote(extensionPath)],
    ['extensionTestsPath', remote(testsBundle)],
  ];
  return `${server.url}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

function readResults(file: string): SuiteResults | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SuiteResults;
  } catch {
    return undefined;
  }
}

function diagnosticsText(serverOutput: string, browserLog: string[]): string {
  const tail = (text: string, lines: number): string => text.split('\n').slice(-lines).join('\n');
  return `--- code-server output (last 40 lines) ---\n${tail(serverOutput, 40)}\n--- browser console errors (last 30) ---\n${browserLog.slice(-30).join('\n')}`;
}

/** For a quick look at a run's results while debugging. */
export function writeResultsCopy(run: SuiteRun, name: string): void {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  writeFileSync(join(ARTIFACTS_DIR, `${name}.json`), JSON.stringify(run.results ?? null, null, 2));
}
