// One explanation renderer (engine/explanation.ts): the rule page in VS Code, docs/rules.md, SARIF's help, the
// terminal's `explain` and the hover on an ignore comment show the same sections under the same headings, in order.
import { strict as assert } from 'node:assert';
import { ruleDocumentMarkdown } from '../../../../client/src/ruleDocs';
import { renderRulesDoc } from '../../../../scripts/generateDocs';
import { explanationSections, SECTION_HEADINGS } from '../../../../server/src/engine/explanation';
import { ruleHelpMarkdown, ruleHelpText } from '../../../../server/src/engine/format/ruleHelp';
import { ALL_RULES } from '../../../../server/src/engine/rules/index';

/** The headings of SECTION_HEADINGS that a rendering shows, in the order it shows them. */
function headingsIn(text: string): string[] {
  const all = Object.values(SECTION_HEADINGS);
  const found: { heading: string; at: number }[] = [];
  for (const heading of all) {
    const at = text.search(new RegExp(`(^|\\n)(## |\\*\\*)?${heading.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(:\\*\\*|\\n)`));
    if (at >= 0) found.push({ heading, at });
  }
  return found.sort((a, b) => a.at - b.at).map((entry) => entry.heading);
}

describe('one explanation renderer', () => {
  it('every surface shows the same sections of every rule, in the same order', () => {
    const docs = renderRulesDoc();
    for (const rule of ALL_RULES) {
      const expected = explanationSections(rule).map((section) => section.heading);
      assert.deepEqual(headingsIn(ruleDocumentMarkdown(rule)), expected, `${rule.id}: VS Code rule page`);
      assert.deepEqual(headingsIn(ruleHelpMarkdown(rule)), expected, `${rule.id}: SARIF help`);
      assert.deepEqual(headingsIn(ruleHelpText(rule, false)), expected, `${rule.id}: explain`);
      const start = docs.indexOf(`### ${rule.id}\n`);
      const end = docs.indexOf('\n### ', start + 1);
      assert.deepEqual(headingsIn(docs.slice(start, end < 0 ? undefined : end)), expected, `${rule.id}: docs/rules.md`);
    }
  });

  it('leaves out empty sections and fences SQL statements and the safe code', () => {
    const rule = ALL_RULES.find((candidate) => candidate.id === 'remove-field');
    assert.ok(rule);
    const sections = explanationSections(rule);
    assert.equal(sections.find((section) => section.id === 'sql')?.code, 'sql');
    assert.equal(sections.find((section) => section.id === 'safe-code')?.code, 'python');
    assert.ok(sections.every((section) => section.text.trim() !== ''));
  });
});
