// Every declared fix of every rule, applied to the rule's fire fixtures: the fixed text (as a diff, and any new
// migration in full) must match fixes.snapshot.txt (UPDATE_RULE_SNAPSHOTS=1 rewrites it), parse without error nodes,
// and no longer have the finding it fixes. The snapshot also records what the language server's fix check
// (lsp/fixCheck.ts) decides with every rule on: offered as preferred (clean), offered but trading the finding for
// another, or dropped.
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Project, layoutOf } from '../../../../server/src/engine/analyze';
import type { ResolvedConfig } from '../../../../server/src/engine/config/types';
import { parsePython } from '../../../../server/src/engine/python/parse';
import { applyTextEdits, resolveFix } from '../../../../server/src/engine/quickFixes';
import { ALL_RULES } from '../../../../server/src/engine/rules/index';
import { checkFix } from '../../../../server/src/lsp/fixCheck';
import { FIXTURES, configFor, loadCase, type FixtureCase } from '../../../support/ruleFixtureCases';

const SNAPSHOT = join(__dirname, 'fixes.snapshot.txt');
const blocks: string[] = [];

function projectOf(fixture: FixtureCase, config: ResolvedConfig): Project {
  const project = new Project();
  project.setLayout(layoutOf({ config, settingsFiles: fixture.settingsFiles, appConfigFiles: fixture.appConfigFiles }));
  for (const file of fixture.files) project.setFile(file.path, file.text);
  project.setSettingsFiles(fixture.settingsFiles);
  return project;
}

/** Lezer marks what it could not parse with error nodes; a fixed file must have none. */
function errorNodes(text: string): number {
  let count = 0;
  parsePython(text).tree.iterate({
    enter: (node) => {
      if (node.type.isError) count++;
    },
  });
  return count;
}

describe('rule fixes', () => {
  let fixesSeen = 0;
  for (const rule of ALL_RULES) {
    const ruleDir = join(FIXTURES, rule.id);
    const entries = existsSync(ruleDir) ? readdirSync(ruleDir).filter((entry) => entry.startsWith('fire-')).sort() : [];
    for (const entry of entries) {
      it(`${rule.id} ${entry}`, () => {
        const fixture = loadCase(ruleDir, entry);
        const layer = fixture.config.select || rule.id === 'unused-ignore' ? fixture.config : { ...fixture.config, select: [rule.id] };
        const config = configFor(layer);
        const everyRule = configFor(fixture.config);
        const project = projectOf(fixture, config);
        const findings = project.analyzeAll(config).findings.filter((finding) => finding.rule === rule.id);
        for (const finding of findings) {
          const model = project.model(finding.file);
          assert.ok(model, finding.file);
          for (const fix of finding.fixes) {
            fixesSeen++;
            const where = `${finding.file}:${finding.start.line + 1} "${fix.title}"`;
            // Editors show a code action's title as plain text: Markdown backticks would appear literally.
            assert.doesNotMatch(fix.title, /`/, `${where}: a backtick in the title`);
            const resolved = resolveFix(fix, model, { migrationNames: project.migrationNamesOf(model.app) });
            assert.ok(resolved.edits.length > 0 || resolved.newFiles.length > 0, `${where} resolves to no edit`);
            const fixed = applyTextEdits(model.text, resolved.edits);
            assert.equal(errorNodes(fixed), 0, `${where} leaves a syntax error:\n${fixed}`);
            for (const file of resolved.newFiles) assert.equal(errorNodes(file.text), 0, `${where} writes ${file.path} with a syntax error:\n${file.text}`);
            const before = findings.filter((other) => other.file === finding.file).length;
            const after = project.analyzeVariant(finding.file, fixed, config, resolved.newFiles).findings.filter((other) => other.rule === rule.id).length;
            assert.ok(after < before, `${where} does not remove its finding (${before} before, ${after} after)`);
            const baseline = project.analyzeFileWithErrors(finding.file, everyRule).findings;
            const verdict = checkFix({ project, path: finding.file, config: everyRule, text: model.text, findings: baseline }, resolved);
            const judged = verdict.kind === 'clean' ? 'clean' : `${verdict.kind} ${verdict.gained.join(', ')}`;
            blocks.push(
              [
                `=== ${rule.id} ${entry} ${where}${fix.safe ? ' [safe]' : ''} (${judged})`,
                ...lineDiff(model.text, fixed),
                ...resolved.newFiles.flatMap((file) => [`+++ new file ${file.path}`, ...file.text.replace(/\n$/, '').split('\n').map((line) => `+${line}`)]),
              ].join('\n'),
            );
          }
        }
      });
    }
  }

  it('match fixes.snapshot.txt (UPDATE_RULE_SNAPSHOTS=1 rewrites it)', function () {
    if (fixesSeen === 0) this.skip(); // run with --grep on single fixtures
    const actual = `${blocks.join('\n\n')}\n`;
    if (process.env.UPDATE_RULE_SNAPSHOTS) writeFileSync(SNAPSHOT, actual);
    assert.equal(actual, readFileSync(SNAPSHOT, 'utf8'));
  });
});

/** The changed lines of `after` against `before`, with one line of context, as `-`/`+`/` ` lines under `@@ line N`. */
function lineDiff(before: string, after: string): string[] {
  const a = before.split('\n');
  const b = after.split('\n');
  // Longest common subsequence over lines; fixture files are small.
  const lengths: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) lengths[i]![j] = a[i] === b[j] ? lengths[i + 1]![j + 1]! + 1 : Math.max(lengths[i + 1]![j]!, lengths[i]![j + 1]!);
  const ops: { kind: ' ' | '-' | '+'; line: string; at: number }[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) ops.push({ kind: ' ', line: a[i++]!, at: j++ });
    else if (i < a.length && (j >= b.length || lengths[i + 1]![j]! >= lengths[i]![j + 1]!)) ops.push({ kind: '-', line: a[i++]!, at: j });
    else ops.push({ kind: '+', line: b[j]!, at: j++ });
  }
  const shown = new Set<number>();
  ops.forEach((op, index) => {
    if (op.kind !== ' ') for (let k = Math.max(0, index - 1); k <= Math.min(ops.length - 1, index + 1); k++) shown.add(k);
  });
  const lines: string[] = [];
  let previous = -2;
  for (const index of [...shown].sort((x, y) => x - y)) {
    if (index !== previous + 1) lines.push(`@@ line ${ops[index]!.at + 1}`);
    lines.push(`${ops[index]!.kind}${ops[index]!.line}`);
    previous = index;
  }
  return lines;
}
