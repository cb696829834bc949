// The contract between the integration suite (inside the extension host) and its runners (outside): environment
// variable names and the results file's shape. No `vscode` import, so the runners can use it too.

/** Path of the results JSON the suite writes. */
export const RESULTS_ENV = 'MIGRATION_GUARD_TEST_RESULTS';
/** Which suite to run: `trusted` (default) or `untrusted`. */
export const SUITE_ENV = 'MIGRATION_GUARD_TEST_SUITE';
/** A folder the suite may keep state in across a window reload (the review panel's restore test). */
export const STATE_ENV = 'MIGRATION_GUARD_TEST_STATE';
/** Left in the state folder by the first window when it reloads itself (the review panel restore test). */
export const RELOAD_MARKER = 'reload-requested';
/** Python with Django, for the manage.py commands (`/usr/bin/python3` on Debian). */
export const PYTHON_ENV = 'MIGRATION_GUARD_TEST_PYTHON';

/** The pythonPath the runner writes into the untrusted folder's workspace settings (it must be ignored there). */
export const UNTRUSTED_WORKSPACE_PYTHON = '/opt/untrusted-workspace/bin/python';

export type SuiteName = 'trusted' | 'untrusted';

export interface TestOutcome {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs: number;
  error?: string;
}

export interface SuiteResults {
  suite: SuiteName;
  /** False when run() itself failed before mocha finished. */
  complete: boolean;
  /** `reloaded` when these results come from the window after the reload test's reload. */
  phase: 'first' | 'reloaded';
  total: number;
  passed: number;
  failed: number;
  pending: number;
  failures: { title: string; error: string }[];
  tests: TestOutcome[];
  durationMs: number;
}

/** Why a results file does not show a passing suite, or undefined when it does. */
export function judgeResults(results: SuiteResults | undefined, expectedSuite: SuiteName): string | undefined {
  if (!results) return 'the suite wrote no results file (the extension host did not run it, or it crashed)';
  if (results.suite !== expectedSuite) return `the results are for suite "${results.suite}", expected "${expectedSuite}"`;
  if (results.failed > 0 || results.failures.length > 0) {
    return `${results.failed} of ${results.total} failed:\n${results.failures.map((failure) => `  - ${failure.title}\n${indent(failure.error, 6)}`).join('\n')}`;
  }
  if (!results.complete) return 'the results file is incomplete (run() did not finish)';
  if (results.total === 0 || results.passed === 0) return 'the suite ran no tests';
  if (results.pending > 0) return `${results.pending} test(s) were skipped: ${results.tests.filter((test) => test.state === 'pending').map((test) => test.title).join(', ')}`;
  return undefined;
}

function indent(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return text
    .split('\n')
    .slice(0, 12)
    .map((line) => pad + line)
    .join('\n');
}
