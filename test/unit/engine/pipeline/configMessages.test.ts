// Config errors at the edges (issue #10): which entry of a list is wrong and why; a `__proto__` key is reported,
// not dropped by the object it is read into.
import { strict as assert } from 'node:assert';
import { ConfigError, parseConfigText, unknownRuleIds } from '../../../../server/src/engine/config/pyproject';

function configError(text: string): string {
  try {
    parseConfigText(text, 'pyproject.toml');
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.message;
  }
  return assert.fail('expected a ConfigError');
}

describe('config messages', () => {
  it('names the entry of a list that is not a string', () => {
    assert.match(configError('[tool.migration-guard]\nexclude = [1, 2]\n'), /"exclude" must be an array of strings, e\.g\. .*; entry 1 is the integer 1, not a string$/);
    assert.match(configError('[tool.migration-guard]\nselect = ["remove-field", true]\n'), /entry 2 is the boolean true, not a string$/);
  });

  it('keeps a severity key named __proto__ so it is reported as an unknown rule', () => {
    for (const text of ['[tool.migration-guard.severity]\n__proto__ = "off"\n', '[tool.migration-guard]\nseverity = { "__proto__" = "off" }\n']) {
      const layer = parseConfigText(text, 'pyproject.toml');
      assert.ok(layer, text);
      assert.deepEqual(unknownRuleIds(layer, new Set(['remove-field'])), ['"__proto__"'], text);
    }
  });
});
