// Runs every rule's fixtures: `fire-*` must produce the rule exactly on the lines marked `# expect: <rule-id>`,
// `silent-*` look-alikes must not produce it at all. A rule without both kinds of fixture fails here.
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { analyze } from '../../../../server/src/engine/analyze';
import { ALL_RULES } from '../../../../server/src/engine/rules/index';
import { FIXTURES, configFor, expectedLines, loadCase } from '../../../support/ruleFixtureCases';

/** Every finding of every fixture (rule, file:line, message), so a change of wording is a visible diff. */
const SNAPSHOT = join(FIXTURES, 'messages.snapshot.txt');
const snapshotLines: string[] = [];

describe('rule fixtures', () => {
  it('has at least one rule registered', () => {
    assert.ok(ALL_RULES.length > 0, 'ALL_RULES is empty');
  });

  for (const rule of ALL_RULES) {
    describe(rule.id, () => {
      const ruleDir = join(FIXTURES, rule.id);
      const entries = existsSync(ruleDir) ? readdirSync(ruleDir).filter((e) => e.startsWith('fire-') || e.startsWith('silent-')) : [];

      it('has fire- and silent- fixtures', () => {
        assert.ok(entries.some((e) => e.startsWith('fire-')), `no fire- fixture in ${relative(process.cwd(), ruleDir)}`);
        assert.ok(entries.some((e) => e.startsWith('silent-')), `no silent- fixture in ${relative(process.cwd(), ruleDir)}`);
      });

      for (const entry of entries.sort()) {
        it(entry, () => {
          const fixture = loadCase(ruleDir, entry);
          // The rule alone (unless the fixture selects), so that another rule taking over a shared risk (see
          // ONE_RISK_PAIRS in analyze.ts) does not hide it; unused-ignore needs the rules its comments name.
          const layer = fixture.config.select || rule.id === 'unused-ignore' ? fixture.config : { ...fixture.config, select: [rule.id] };
          const result = analyze(fixture.files, { config: configFor(layer), settingsFiles: fixture.settingsFiles, appConfigFiles: fixture.appConfigFiles });
          const crashed = result.errors.filter((e) => e.message.includes(`rule ${rule.id} failed`));
          assert.deepEqual(crashed, [], 'the rule threw');
          const actual = result.findings
            .filter((f) => f.rule === rule.id)
            .map((f) => `${f.file}:${f.start.line + 1}`)
            .sort();
          for (const finding of result.findings.filter((f) => f.rule === rule.id)) {
            snapshotLines.push(`${rule.id} ${entry}/${finding.file}:${finding.start.line + 1}:${finding.start.character + 1} ${finding.message.replace(/\n/g, ' ')}`);
          }
          const expected = expectedLines(fixture.files, rule.id);
          if (fixture.kind === 'fire') assert.ok(expected.length > 0, 'a fire- fixture needs at least one `# expect:` marker');
          assert.deepEqual(actual, expected, result.findings.filter((f) => f.rule === rule.id).map((f) => `${f.file}:${f.start.line + 1} ${f.message}`).join('\n'));
        });
      }
    });
  }
});

describe('rule fixture messages', () => {
  it('match messages.snapshot.txt (UPDATE_RULE_SNAPSHOTS=1 rewrites it)', function () {
    if (snapshotLines.length === 0) this.skip(); // run with --grep on single fixtures
    const actual = `${[...snapshotLines].sort().join('\n')}\n`;
    if (process.env.UPDATE_RULE_SNAPSHOTS) writeFileSync(SNAPSHOT, actual);
    assert.equal(actual, readFileSync(SNAPSHOT, 'utf8'));
  });
});
