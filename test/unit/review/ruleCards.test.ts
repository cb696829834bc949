// Rule flashcards, over every rule the engine ships: the question shows the situation and never the answer, and
// the visible answer is short (the rest is behind "Show more").
import { strict as assert } from 'node:assert';
import { catalogueRuleCards } from '../../../client/src/review/deck';
import { safePatternTerms, SHORT_ANSWER_WORDS } from '../../../client/src/review/ruleDeck';
import { catalogueRule } from '../../../client/src/ruleCatalogue';

// A situation's own noun phrase may come back in the explanation ("depends on a post-deploy migration"); a run of
// six or more words is copied text.
const LONGEST_SHARED_RUN = 5;

function words(text: string): string[] {
  return text.toLowerCase().split(/[^a-z0-9_]+/).filter((w) => w.length > 0);
}

/** The longest run of consecutive words the two texts share. */
function longestSharedRun(a: string, b: string): string[] {
  const x = words(a);
  const y = words(b);
  let best: string[] = [];
  for (let i = 0; i < x.length; i++) {
    for (let j = 0; j < y.length; j++) {
      let k = 0;
      while (i + k < x.length && j + k < y.length && x[i + k] === y[j + k]) k++;
      if (k > best.length) best = x.slice(i, i + k);
    }
  }
  return best;
}

describe('review deck: rule cards over every rule', () => {
  const cards = catalogueRuleCards();

  it('has a card per rule', () => {
    assert.ok(cards.length >= 60, `${cards.length} cards`);
  });

  for (const card of cards) {
    it(`${card.ruleId}: the question does not contain the answer`, () => {
      const rule = catalogueRule(card.ruleId!)!;
      const question = [card.question, card.questionCode?.text ?? ''].join('\n');
      // The safe code may repeat the statement it replaces; the words of the answer must not.
      const answer = [card.answer, card.more ?? ''].join('\n');
      const shared = longestSharedRun(question, answer);
      assert.ok(shared.length <= LONGEST_SHARED_RUN, `question and answer share "${shared.join(' ')}"`);
      if (/safe pattern/.test(card.question)) {
        for (const term of safePatternTerms(rule)) {
          assert.ok(!question.toLowerCase().includes(term.toLowerCase()), `the question names the safe pattern's \`${term}\``);
        }
      }
    });

    it(`${card.ruleId}: shows at most ${SHORT_ANSWER_WORDS} words before "Show more"`, () => {
      const count = card.answer.split(/\s+/).filter((w) => w.length > 0).length;
      assert.ok(count <= SHORT_ANSWER_WORDS, `${count} words`);
      assert.ok(card.answer.includes('Safe pattern: ') || !catalogueRule(card.ruleId!)!.explanation.safeAlternative, 'the safe pattern is visible');
    });
  }

  it('keeps the whole explanation: what is cut from the short answer is behind "Show more"', () => {
    const card = cards.find((c) => c.ruleId === 'alter-field-type')!;
    const rule = catalogueRule('alter-field-type')!;
    assert.ok(card.answer.endsWith('…') || card.answer.includes('…\n'), 'the short answer says it was cut');
    assert.ok(card.more!.includes(rule.explanation.summary.slice(-40)), 'the whole summary is in "more"');
    assert.ok(card.more!.includes(`Lock: ${rule.explanation.lock}`));
  });
});
