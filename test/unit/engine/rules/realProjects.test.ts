// Whole projects shaped like real open-source Django code (several apps, apps.py labels, settings with
// MIGRATION_MODULES, squashes, deploy-phase markers, old syntax) checked the way a user runs the CLI. Every finding
// is pinned with its rule, position and message in the project's expected-findings.txt, so a false positive, a miss
// or a change of wording is a visible diff. Regenerate with UPDATE_PROJECT_SNAPSHOTS=1 and read the diff.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkProject } from '../../../../server/src/engine/checkProject';

const PROJECTS = join(__dirname, '..', '..', '..', 'fixtures', 'projects');
const SNAPSHOT = 'expected-findings.txt';

async function findingsOf(root: string): Promise<string> {
  const outcome = await checkProject({ paths: ['.'], cwd: root, flags: {}, workers: 0 });
  const lines = outcome.report.findings.map(
    (finding) => `${finding.file}:${finding.start.line + 1}:${finding.start.character + 1} ${finding.severity} ${finding.rule} ${finding.message}`,
  );
  for (const error of outcome.report.errors) lines.push(`${error.file}: could not analyse: ${error.message}`);
  lines.push(`-- ${outcome.report.fileCount} migration files`);
  return `${lines.join('\n')}\n`;
}

describe('real-shaped projects', () => {
  const projects = readdirSync(PROJECTS).filter((name) => statSync(join(PROJECTS, name)).isDirectory());

  it('has projects to check', () => {
    assert.ok(projects.length >= 2, `no projects in ${PROJECTS}`);
  });

  for (const name of projects) {
    it(`${name}: every finding as pinned in ${SNAPSHOT}`, async () => {
      const root = join(PROJECTS, name);
      const actual = await findingsOf(root);
      if (process.env['UPDATE_PROJECT_SNAPSHOTS'] === '1') writeFileSync(join(root, SNAPSHOT), actual);
      assert.equal(actual, readFileSync(join(root, SNAPSHOT), 'utf8'));
    });
  }
});
