// The quiz must test knowledge, not test-taking: the options of a question share their grammatical form and
// length, so neither the odd one out nor the longest one is the answer; and there are dozens of questions,
// most generated from the rules' metadata.
import { strict as assert } from 'node:assert';
import nlp from 'compromise';
import { catalogueRuleQuiz, loadSeedDeck, ruleQuiz } from '../../../client/src/review/deck';
import type { QuizQuestion } from '../../../client/src/review/protocol';
import { plainMarkdown } from '../../../client/src/review/ruleDeck';
import { catalogueRule } from '../../../client/src/ruleCatalogue';

const seedQuiz = loadSeedDeck().deck.quiz;
const generated = catalogueRuleQuiz();
const everything = [...seedQuiz, ...generated];

function options(question: QuizQuestion): string[] {
  return [question.answer, ...question.distractors];
}

/**
 * Whether the options start in the same grammatical form: one shared first word, all "label: detail", all gerunds
 * ("Backing up ...", "Editing ..."), or all instructions ("Use ...", "Add ..."). Parts of speech are compromise's.
 */
function sameForm(texts: readonly string[]): boolean {
  const first = texts.map((t) => t.split(/\s+/)[0]!.toLowerCase());
  if (new Set(first).size === 1) return true;
  if (texts.every((t) => /^[^:]{1,30}: /.test(t))) return true;
  const tags = texts.map((t) => nlp(t).terms().first().json()[0]?.terms[0]?.tags as string[]);
  // compromise reads "Backing up" as an instruction; a verb ending in -ing is a gerund here.
  const gerund = (index: number): boolean => tags[index]!.includes('Gerund') || (tags[index]!.includes('Verb') && first[index]!.endsWith('ing'));
  if (texts.every((_, index) => gerund(index))) return true;
  return tags.every((t, index) => t.includes('Verb') && !gerund(index) && !t.includes('PastTense'));
}

describe('review quiz: options that give nothing away', () => {
  for (const question of everything) {
    it(`${question.id}: options share form and length, no duplicates`, () => {
      const texts = options(question);
      assert.equal(new Set(texts.map((t) => t.trim().toLowerCase())).size, texts.length, 'no duplicate options');
      const lengths = texts.map((t) => t.length);
      assert.ok(Math.max(...lengths) <= 2 * Math.min(...lengths), `no option is more than twice as long as another: ${lengths.join(', ')}`);
      assert.ok(sameForm(texts), `the options start in the same grammatical form:\n${texts.join('\n')}`);
    });
  }

  it('the answer is not the longest option in most questions', () => {
    const longest = everything.filter((q) => q.distractors.every((d) => q.answer.length > d.length));
    assert.ok(longest.length / everything.length < 0.4, `${longest.length} of ${everything.length} answers are the longest option`);
    const seedLongest = seedQuiz.filter((q) => q.distractors.every((d) => q.answer.length > d.length));
    assert.ok(seedLongest.length < seedQuiz.length / 2, `seed: ${seedLongest.map((q) => q.id).join(', ')}`);
  });

  it('the seed distractors are misconceptions, not jokes: no "peak traffic", no grammar that gives the answer away', () => {
    const all = seedQuiz.flatMap((q) => q.distractors).join('\n');
    assert.doesNotMatch(all, /peak traffic|Because|Edit migration files|Delete old migration/);
  });
});

describe('review quiz: questions generated from the rules', () => {
  it('has dozens of questions: safe patterns against look-alikes, and lock modes', () => {
    assert.ok(everything.length >= 50, `${everything.length} questions`);
    const safe = generated.filter((q) => q.id.endsWith(':safe-pattern'));
    const locks = generated.filter((q) => q.id.endsWith(':lock'));
    assert.ok(safe.length >= 30, `${safe.length} safe-pattern questions`);
    assert.ok(locks.length >= 6, `${locks.length} lock questions`);
    assert.equal(new Set(everything.map((q) => q.id)).size, everything.length, 'ids are unique');
  });

  it('asks for the safe pattern of a rule, the answer from that rule, the look-alikes from others sharing no code term', () => {
    for (const question of generated.filter((q) => q.id.endsWith(':safe-pattern'))) {
      const rule = catalogueRule(question.ruleId!)!;
      assert.ok(plainMarkdown(rule.explanation.safeAlternative).startsWith(question.answer), `${question.id}: the answer is the rule's own safe pattern`);
      assert.ok(question.question.includes(rule.title.replace(/[.]+$/, '')), question.id);
      const answerTerms = [...question.answer.matchAll(/`([^`]+)`/g)].map((m) => m[1]!.toLowerCase());
      for (const distractor of question.distractors) {
        for (const term of answerTerms.filter((t) => t.length > 2)) {
          assert.ok(!distractor.toLowerCase().includes(term), `${question.id}: a look-alike also names ${term}, so it could be right too`);
        }
      }
    }
  });

  it('takes the lock question answer from the rule metadata, and never names the lock in the question', () => {
    const question = generated.find((q) => q.id === 'rule-quiz:add-index-non-concurrent:lock')!;
    assert.equal(question.answer, 'SHARE: writes wait, reads go on');
    assert.equal(question.question, 'On PostgreSQL, which lock does `CREATE INDEX "order_created_idx" ON "shop_order" ("created_at");` take?');
    for (const q of generated.filter((x) => x.id.endsWith(':lock'))) {
      const mode = q.answer.split(':')[0]!;
      assert.ok(!q.question.includes(mode), `${q.id} names ${mode}`);
    }
    const strongest = generated.filter((q) => q.id.endsWith(':lock') && q.answer.startsWith('ACCESS EXCLUSIVE')).length;
    assert.ok(strongest <= generated.filter((q) => q.id.endsWith(':lock')).length / 2, 'always answering ACCESS EXCLUSIVE does not pass');
  });

  it('skips rules without enough look-alikes instead of inventing options', () => {
    const only = catalogueRule('add-index-non-concurrent')!;
    assert.deepEqual(ruleQuiz([only]).map((q) => q.id), ['rule-quiz:add-index-non-concurrent:lock']);
  });
});
