// The one-sentence safe pattern the operation hover leads with: never what the project's Django version lacks.
import { strict as assert } from 'node:assert';
import { safePatternSentence } from '../../../server/src/lsp/hover';
import { ruleById } from '../../../server/src/engine/rules/index';

describe('hover safe pattern', () => {
  const pythonDefault = ruleById('add-field-not-null-python-default');

  it('suggests db_default= only to Django 5.0 and later', () => {
    assert.ok(pythonDefault);
    assert.match(safePatternSentence(pythonDefault, '5.2') ?? '', /^On Django >= 5\.0 use `db_default=`/);
    const old = safePatternSentence(pythonDefault, '4.2') ?? '';
    assert.match(old, /^Before 5\.0, add the column nullable first/);
    assert.doesNotMatch(old, /db_default/);
  });

  it('is one sentence of every rule that has a safe alternative', () => {
    const rule = ruleById('add-index-non-concurrent');
    assert.ok(rule);
    const sentence = safePatternSentence(rule, '5.2') ?? '';
    assert.match(sentence, /^Use `AddIndexConcurrently`.*reads and writes go on\.$/);
    assert.doesNotMatch(sentence, /For `db_index=True`/, 'the second sentence stays in the full explanation');
  });
});
