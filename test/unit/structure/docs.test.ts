// The rule documentation is generated from the rule files; this fails when someone changed a rule and forgot
// `npm run docs`, and checks every rule's explanation is complete enough for hovers, cards and `explain`.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { ALL_RULES } from '../../../server/src/engine/rules/index';
import { README, RULES_DOC, readmeWithTable, renderRulesDoc } from '../../../scripts/generateDocs';

describe('generated documentation', () => {
  it('docs/rules.md matches the rule metadata (run `npm run docs`)', () => {
    assert.equal(readFileSync(RULES_DOC, 'utf8'), renderRulesDoc());
  });

  it('the README rule table matches the rule metadata (run `npm run docs`)', () => {
    const readme = readFileSync(README, 'utf8');
    assert.equal(readme, readmeWithTable(readme));
  });

  it('rule ids are unique kebab-case and every explanation is filled in', () => {
    const ids = new Set<string>();
    for (const rule of ALL_RULES) {
      assert.match(rule.id, /^[a-z0-9]+(-[a-z0-9]+)*$/, rule.id);
      assert.ok(!ids.has(rule.id), `duplicate rule id ${rule.id}`);
      ids.add(rule.id);
      const e = rule.explanation;
      for (const key of ['summary', 'sql', 'safeAlternative', 'safeCode'] as const) {
        assert.ok(e[key].trim().length > 10, `${rule.id}: explanation.${key} is too thin`);
      }
    }
  });
});
