// `npm run test:vscode`: the integration suite (test/integration) in desktop VS Code through @vscode/test-electron,
// for machines that can download VS Code (contributors' laptops, public CI). It cannot run on the development
// machine, which has no route to Microsoft's update server; there `npm run test:e2e` runs the same suite in
// code-server. VS Code version: $VSCODE_TEST_VERSION (default: the oldest the manifest supports, then stable).
//
// The suite reloads its window once (the review panel restore test) and writes its results file; like the
// code-server runner, this one judges that file, not only the exit code.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';
import { judgeResults, PYTHON_ENV, RESULTS_ENV, STATE_ENV, SUITE_ENV, UNTRUSTED_WORKSPACE_PYTHON, type SuiteName, type SuiteResults } from './integration/results';
import { buildExtensionAndSuite, copyFixtureProject, removeFixtureCopy, DJANGO_PYTHON, INTEGRATION_BUNDLE, REPO_ROOT } from './e2e/integrationHarness';

const MANIFEST = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { engines: { vscode: string } };
const OLDEST_SUPPORTED = MANIFEST.engines.vscode.replace(/^[\^~>=\s]+/, '');
const PYTHON = process.env[PYTHON_ENV] || DJANGO_PYTHON;

async function runSuite(suite: SuiteName, trusted: boolean, version: string, vscodeExecutablePath: string): Promise<string | undefined> {
  const workspace = copyFixtureProject(trusted ? {} : { 'migrationGuard.pythonPath': UNTRUSTED_WORKSPACE_PYTHON });
  const scratch = mkdtempSync(join(tmpdir(), 'mg-test-electron-'));
  const userDataDir = join(scratch, 'user-data');
  const resultsFile = join(scratch, 'results.json');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(
    join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({
      'migrationGuard.pythonPath': PYTHON,
      'security.workspace.trust.enabled': !trusted,
      'security.workspace.trust.startupPrompt': 'never',
      'workbench.startupEditor': 'none',
      'extensions.autoUpdate': false,
      'telemetry.telemetryLevel': 'off',
    }),
  );
  try {
    const exitCode = await runTests({
      vscodeExecutablePath,
      extensionDevelopmentPath: REPO_ROOT,
      extensionTestsPath: INTEGRATION_BUNDLE,
      extensionTestsEnv: { [RESULTS_ENV]: resultsFile, [SUITE_ENV]: suite, [STATE_ENV]: scratch, [PYTHON_ENV]: PYTHON },
      launchArgs: [workspace, '--user-data-dir', userDataDir, '--disable-extensions', '--skip-welcome', '--skip-release-notes', ...(trusted ? ['--disable-workspace-trust'] : [])],
    }).catch((error: unknown) => {
      // runTests rejects on a non-zero exit; the results file says why.
      console.error(error instanceof Error ? error.message : String(error));
      return 1;
    });
    let results: SuiteResults | undefined;
    try {
      results = JSON.parse(readFileSync(resultsFile, 'utf8')) as SuiteResults;
    } catch {
      results = undefined;
    }
    const problem = judgeResults(results, suite);
    if (problem) return problem;
    if (results?.phase === 'first' && suite === 'trusted') return 'the window never reloaded for the review panel test (results of the first window only)';
    if (exitCode !== 0) return `VS Code exited with code ${exitCode} although the results file shows no failure`;
    console.log(`${suite}: ${results!.passed} passed in VS Code ${version}`);
    return undefined;
  } finally {
    removeFixtureCopy(workspace);
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const versions = process.env.VSCODE_TEST_VERSION ? [process.env.VSCODE_TEST_VERSION] : [OLDEST_SUPPORTED, 'stable'];
  await buildExtensionAndSuite();
  const problems: string[] = [];
  for (const version of versions) {
    let executable: string;
    try {
      executable = await downloadAndUnzipVSCode(version);
    } catch (error) {
      problems.push(`VS Code ${version} could not be downloaded (${error instanceof Error ? error.message : String(error)}). Without access to update.code.visualstudio.com, run the same suite in code-server: npm run test:e2e`);
      continue;
    }
    for (const [suite, trusted] of [
      ['trusted', true],
      ['untrusted', false],
    ] as [SuiteName, boolean][]) {
      const problem = await runSuite(suite, trusted, version, executable);
      if (problem) problems.push(`VS Code ${version}, ${suite} suite: ${problem}`);
    }
  }
  if (problems.length > 0) {
    console.error(`\nIntegration suite FAILED:\n${problems.join('\n\n')}`);
    process.exit(1);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
