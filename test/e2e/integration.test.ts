// Runs the integration suite (test/integration, mocha inside the extension host) in a real VS Code: code-server
// with its smoke-test driver, opened in Debian's Chromium. Twice: a trusted window for everything, and a window
// whose folder is not trusted. The verdict is the results file the suite writes (a failing suite still ends the
// code-server host with exit code 0); a missing or incomplete file fails the test.
import * as assert from 'node:assert/strict';
import { judgeResults, type SuiteName } from '../integration/results';
import { e2eHostsUnavailableReason } from './codeServer';
import { buildExtensionAndSuite, runSuiteInCodeServer, writeResultsCopy } from './integrationHarness';

describe('integration suite in code-server (real extension host)', function () {
  this.timeout(360_000);

  before(async function () {
    const missing = e2eHostsUnavailableReason();
    if (missing) {
      // CI must have these hosts (.ci/run installs them): there, a missing host is a failure, never a skip.
      if (process.env.CI) throw new Error(`End-to-end hosts are missing on CI: ${missing}`);
      console.warn(`\n  SKIPPING the end-to-end integration suite: ${missing}\n`);
      this.skip();
    }
    await buildExtensionAndSuite();
  });

  for (const [suite, trusted] of [
    ['trusted', true],
    ['untrusted', false],
  ] as [SuiteName, boolean][]) {
    it(`passes in ${trusted ? 'a trusted' : 'an untrusted'} workspace`, async function () {
      const run = await runSuiteInCodeServer({ suite, trusted });
      writeResultsCopy(run, `integration-${suite}`);
      const problem = judgeResults(run.results, suite);
      if (problem) assert.fail(`The ${suite} integration suite did not pass: ${problem}\n\n${run.diagnostics}`);
      console.log(`      ${run.results!.passed} integration tests passed in the extension host (${Math.round(run.durationMs / 1000)} s with code-server and Chromium)`);
    });
  }
});
