// Entry point of the integration suite, loaded by VS Code's extension host as `extensionTestsPath` (code-server's
// smoke-test driver or @vscode/test-electron). It runs mocha in-process and writes a results file: the code-server
// host ends with exit code 0 even when run() rejects, so the runner judges the suite by that file alone.
//
// The review panel test needs a window reload, which ends this extension host. So the first window runs every test,
// writes provisional results and reloads; VS Code then runs this module again in the reloaded window, which runs
// only the after-reload checks and writes the final results (phase `reloaded`) with both windows' tests.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Mocha from 'mocha';
import * as vscode from 'vscode';
import { RELOAD_MARKER, RESULTS_ENV, STATE_ENV, SUITE_ENV, type SuiteName, type SuiteResults, type TestOutcome } from './results';
import { phase } from './support';

/** Each suite's files; the untrusted one needs a separate window whose folder is not trusted. */
const SUITES: Record<SuiteName, () => Promise<unknown>[]> = {
  trusted: () =>
    phase() === 'reloaded'
      ? [import('./reviewPanel.test')]
      : [
          import('./diagnostics.test'),
          import('./navigation.test'),
          import('./quickFix.test'),
          import('./settings.test'),
          import('./managePy.test'),
          // Last: it ends with the window reload.
          import('./reviewPanel.test'),
        ],
  untrusted: () => [import('./untrusted.test')],
};

const RELOAD_TIMEOUT_MS = 60_000;

export async function run(): Promise<void> {
  const resultsFile = process.env[RESULTS_ENV];
  const suite = (process.env[SUITE_ENV] ?? 'trusted') as SuiteName;
  const currentPhase = phase();
  const started = Date.now();
  // The first window's tests, carried into the final results by the reloaded window.
  const earlier = currentPhase === 'reloaded' && resultsFile ? readEarlierResults(resultsFile) : undefined;
  const outcomes: TestOutcome[] = [...(earlier?.tests ?? [])];

  const write = (complete: boolean, extraFailure?: TestOutcome): void => {
    if (!resultsFile) return;
    const tests = extraFailure ? [...outcomes, extraFailure] : outcomes;
    const failed = tests.filter((outcome) => outcome.state === 'failed');
    const results: SuiteResults = {
      suite,
      complete,
      phase: currentPhase,
      total: tests.length,
      passed: tests.filter((outcome) => outcome.state === 'passed').length,
      failed: failed.length,
      pending: tests.filter((outcome) => outcome.state === 'pending').length,
      failures: failed.map((outcome) => ({ title: outcome.title, error: outcome.error ?? '' })),
      tests,
      durationMs: (earlier?.durationMs ?? 0) + Date.now() - started,
    };
    // Written whole, then renamed: the runner never reads half a file.
    mkdirSync(dirname(resultsFile), { recursive: true });
    writeFileSync(`${resultsFile}.partial`, JSON.stringify(results, null, 2));
    renameSync(`${resultsFile}.partial`, resultsFile);
  };

  let failures: number;
  try {
    if (!(suite in SUITES)) throw new Error(`${SUITE_ENV}=${suite}: expected one of ${Object.keys(SUITES).join(', ')}`);
    if (currentPhase === 'reloaded' && !earlier) throw new Error('the window was reloaded, but the first window left no results');
    failures = await runMocha(suite, outcomes);
  } catch (error) {
    write(false, { title: 'integration suite (loading or running mocha)', state: 'failed', durationMs: 0, error: describeError(error) });
    throw error;
  }

  const stateDir = process.env[STATE_ENV];
  if (currentPhase === 'first' && stateDir && existsSync(join(stateDir, RELOAD_MARKER))) {
    write(false);
    await vscode.commands.executeCommand('workbench.action.reloadWindow');
    // The reload ends this extension host; still being here after a while means it did not happen.
    await new Promise((resolve) => setTimeout(resolve, RELOAD_TIMEOUT_MS));
    write(true, { title: 'review panel: window reload', state: 'failed', durationMs: RELOAD_TIMEOUT_MS, error: `workbench.action.reloadWindow did not reload the window within ${RELOAD_TIMEOUT_MS / 1000} s` });
    throw new Error('the window did not reload');
  }
  write(true);
  if (failures > 0) throw new Error(`${failures} integration test(s) failed`);
}

async function runMocha(suite: SuiteName, outcomes: TestOutcome[]): Promise<number> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'spec' });
  // The bundled test files call describe/it when they load: the globals must exist first.
  mocha.suite.emit(Mocha.Suite.constants.EVENT_FILE_PRE_REQUIRE, globalThis, `${suite}.bundle`, mocha);
  await Promise.all(SUITES[suite]());
  return new Promise<number>((resolve) => {
    const runner = mocha.run((count) => resolve(count));
    const title = (test: Mocha.Runnable): string => test.fullTitle();
    runner.on(Mocha.Runner.constants.EVENT_TEST_PASS, (test) => outcomes.push({ title: title(test), state: 'passed', durationMs: test.duration ?? 0 }));
    runner.on(Mocha.Runner.constants.EVENT_TEST_PENDING, (test) => outcomes.push({ title: title(test), state: 'pending', durationMs: 0 }));
    // Also fires for failing hooks, which would otherwise hide the tests they skip.
    runner.on(Mocha.Runner.constants.EVENT_TEST_FAIL, (test, error: unknown) =>
      outcomes.push({ title: title(test), state: 'failed', durationMs: test.duration ?? 0, error: describeError(error) }),
    );
  });
}

function readEarlierResults(file: string): SuiteResults | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SuiteResults;
  } catch {
    return undefined;
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}
