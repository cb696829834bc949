import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { RuleMeta } from '../../../server/src/engine/rules/rule';
import { ALL_RULES } from '../../../server/src/engine/rules/index';
import {
  buildDeck,
  catalogueRuleCards,
  loadSeedDeck,
  parseUserCards,
  ruleCards,
  validateSeedDeck,
} from '../../../client/src/review/deck';

const repoRoot = resolve(__dirname, '../../..');
// A verbatim copy of ../shared/seeds/000_4445bdd05603febd.txt, the deck this product started from.
const seedText = resolve(__dirname, 'fixtures/seed-000_4445bdd05603febd.txt');

function seedCopy(): Record<string, any> {
  return JSON.parse(readFileSync(resolve(repoRoot, 'cards/seed.json'), 'utf8'));
}

function fakeRule(overrides: Partial<RuleMeta> & { id: string }): RuleMeta {
  return {
    title: 'Adding an index without CONCURRENTLY',
    severity: 'warning',
    vendors: ['postgresql'],
    category: 'locking',
    explanation: {
      summary: 'Builds the index while holding a **SHARE** lock, so writes wait.',
      sql: 'CREATE INDEX ...',
      lock: 'SHARE for the whole build',
      blocks: 'INSERT, UPDATE, DELETE',
      rewrite: 'no rewrite; full scan',
      safeAlternative: 'Use `AddIndexConcurrently` in a migration with `atomic = False`.',
      safeCode: '\nclass Migration(migrations.Migration):\n    atomic = False\n',
    },
    ...overrides,
  };
}

describe('review deck: seed', () => {
  it('loads the bundled seed deck without errors: 5 flashcards, 5 quiz questions, 2 explain prompts', () => {
    const { deck, errors } = loadSeedDeck();
    assert.deepEqual(errors, []);
    assert.equal(deck.flashcards.length, 5);
    assert.equal(deck.quiz.length, 5);
    assert.equal(deck.explain.length, 2);
    assert.deepEqual(
      deck.flashcards.map((c) => c.level),
      ['beginner', 'beginner', 'beginner', 'beginner', 'intermediate'],
    );
    for (const question of deck.quiz) {
      assert.equal(question.distractors.length, 3, question.id);
      const options = new Set([question.answer, ...question.distractors].map((o) => o.toLowerCase()));
      assert.equal(options.size, 4, `${question.id} has four different options`);
    }
    for (const prompt of deck.explain) {
      assert.equal(prompt.concepts.length, 5, prompt.id);
      for (const concept of prompt.concepts) {
        assert.ok(concept.description.length > 20, `${concept.id} has a description`);
        assert.ok(concept.cues.length >= 3, `${concept.id} has cues`);
      }
    }
    assert.ok(deck.flashcards.every((c) => c.source === 'seed'));
  });

  it('keeps the wording of the seed file exactly', () => {
    const seed = readFileSync(seedText, 'utf8').replace(/\s+/g, ' ');
    const { deck } = loadSeedDeck();
    const mustAppear = [
      ...deck.flashcards.flatMap((c) => [c.question, c.answer]),
      ...deck.quiz.flatMap((q) => [q.question, q.explanation]),
      ...deck.explain.flatMap((p) => [p.prompt, p.hint]),
    ];
    for (const text of mustAppear) assert.ok(seed.includes(text), `not in the seed verbatim: ${text}`);
  });

  it('reports every problem of a broken seed with its path', () => {
    const broken = seedCopy();
    delete broken.flashcards[0].question;
    broken.flashcards[1].level = 'expert';
    broken.quiz[0].distractors = ['only one', 'two'];
    broken.quiz[1].distractors[0] = broken.quiz[1].answer;
    broken.explain[0].concepts.pop();
    broken.explain[1].id = broken.quiz[2].id;
    broken.extra = true;
    const { errors, deck } = validateSeedDeck(broken);
    const expected = [
      'cards/seed.json: flashcards[0].question: is missing',
      'cards/seed.json: flashcards[1].level: expected one of beginner, intermediate, advanced',
      'cards/seed.json: quiz[0].distractors: expected exactly 3 entries, got 2',
      'cards/seed.json: quiz[1].distractors[0]: repeats the answer or another distractor',
      'cards/seed.json: explain[0].concepts: expected exactly 5 entries, got 4',
      'cards/seed.json: explain[1].id: id "quiz-test-before-production" is used more than once',
      'cards/seed.json: unknown property "extra" (allowed: schemaVersion, source, flashcards, quiz, explain)',
    ];
    for (const fragment of expected) {
      assert.ok(errors.some((e) => e.startsWith(fragment)), `expected an error starting with: ${fragment}\n got: ${errors.join('\n')}`);
    }
    assert.equal(deck.flashcards.length, 3, 'valid flashcards are kept');
  });

  it('rejects a seed that is not an object', () => {
    assert.match(validateSeedDeck([]).errors[0]!, /expected an object, got a list/);
    assert.match(validateSeedDeck(null).errors[0]!, /expected an object, got null/);
  });
});

describe('review deck: rule cards', () => {
  it('builds one card per rule from its title and explanation', () => {
    const cards = ruleCards([
      fakeRule({ id: 'add-index-non-concurrent' }),
      fakeRule({
        id: 'runsql-no-reverse',
        title: 'RunSQL without reverse_sql',
        severity: 'info',
        explanation: { ...fakeRule({ id: 'x' }).explanation, sql: 'Forwards: the given SQL.', lock: '', safeCode: '', safeAlternative: 'Add `reverse_sql`.' },
      }),
    ]);
    assert.equal(cards.length, 2);
    const [index, runsql] = cards as [(typeof cards)[0], (typeof cards)[0]];
    assert.equal(index.id, 'rule:add-index-non-concurrent');
    assert.equal(index.ruleId, 'add-index-non-concurrent');
    assert.equal(index.source, 'rule');
    assert.equal(index.question, 'A migration runs this on a busy production table. What goes wrong, and what is the safe pattern?');
    assert.deepEqual(index.questionCode, { language: 'sql', text: 'CREATE INDEX ...' });
    assert.equal(
      index.answer,
      'Builds the index while holding a SHARE lock, so writes wait.\n\n' +
        'Safe pattern: Use `AddIndexConcurrently` in a migration with `atomic = False`.',
    );
    assert.equal(index.more, 'Lock: SHARE for the whole build');
    assert.deepEqual(index.code, { language: 'python', text: 'class Migration(migrations.Migration):\n    atomic = False' });
    // The title names the fix (`reverse_sql`), so the card asks only what goes wrong.
    assert.equal(runsql.question, 'What goes wrong with “RunSQL without reverse_sql”?');
    assert.equal(runsql.questionCode, undefined);
    assert.equal(runsql.more, undefined, 'an empty lock is left out and nothing else is hidden');
    assert.equal(runsql.code, undefined);
    assert.equal(runsql.level, 'intermediate');
  });

  it('skips rules without an id or title instead of failing (rules are added while others work)', () => {
    const cards = ruleCards([fakeRule({ id: '' }), fakeRule({ id: 'x', title: '  ' }), fakeRule({ id: 'ok' })]);
    assert.deepEqual(cards.map((c) => c.id), ['rule:ok']);
  });

  it('has exactly one card for each rule in ALL_RULES', () => {
    const cards = catalogueRuleCards();
    const withTitles = ALL_RULES.filter((rule) => rule.id && rule.title.trim());
    assert.equal(cards.length, withTitles.length);
    assert.deepEqual(cards.map((c) => c.ruleId), withTitles.map((r) => r.id));
    assert.equal(new Set(cards.map((c) => c.id)).size, cards.length, 'rule card ids are unique');
  });
});

describe('review deck: user cards', () => {
  it('reads a file with comments and trailing commas', () => {
    const text = `{
      // my team's cards
      "flashcards": [
        { "question": "Which table is hot?", "answer": "orders", "level": "advanced", }, /* trailing */
      ],
      "quiz": [{ "id": "q1", "question": "Pick one", "answer": "A", "distractors": ["B"], "explanation": "A is right" }],
    }`;
    const { deck, errors } = parseUserCards(text);
    assert.deepEqual(errors, []);
    assert.equal(deck.flashcards.length, 1);
    assert.equal(deck.flashcards[0]!.source, 'user');
    assert.match(deck.flashcards[0]!.id, /^user-card-[0-9a-f]{8}$/);
    assert.equal(deck.quiz[0]!.id, 'q1');
  });

  it('keeps string contents that look like comments', () => {
    const { deck, errors } = parseUserCards('[{"question": "http://x/*y*/", "answer": "// not a comment",},]');
    assert.deepEqual(errors, []);
    assert.equal(deck.flashcards[0]!.question, 'http://x/*y*/');
    assert.equal(deck.flashcards[0]!.answer, '// not a comment');
  });

  it('accepts a bare list of flashcards and gives stable ids', () => {
    const text = '[{"question": "Q?", "answer": "A."}]';
    const first = parseUserCards(text).deck.flashcards[0]!.id;
    assert.equal(parseUserCards(text).deck.flashcards[0]!.id, first);
  });

  it('points at the line and column of a JSON syntax error', () => {
    const { errors, deck } = parseUserCards('{\n  "flashcards": [\n    { "question": "Q" "answer": "A" }\n  ]\n}');
    assert.equal(deck.flashcards.length, 0);
    assert.equal(errors.length, 1);
    assert.equal(errors[0], '.vscode/migration-cards.json: not valid JSON: comma expected at line 3, column 23');
  });

  it('reports a truncated file', () => {
    const { errors } = parseUserCards('{"flashcards": [');
    assert.match(errors[0]!, /not valid JSON: .*end of the file/);
  });

  it('keeps the valid items and names the line and field of each bad one (checked against the contributed schema)', () => {
    const text = JSON.stringify(
      {
        flashcards: [{ question: 'Good?', answer: 'Yes' }, { question: 'No answer' }, { question: 'Q', anwser: 'typo' }, 42],
        quiz: [
          { question: 'Q', answer: 'A', distractors: ['B'], explanation: '  ' },
          { question: 'Q2', answer: 'A', distractors: [' a '], explanation: 'E' },
        ],
        explain: [{ prompt: 'P', hint: 'H', concepts: [] }],
        cards: [],
      },
      null,
      2,
    );
    const { deck, errors } = parseUserCards(text, 'shop/.vscode/migration-cards.json');
    assert.deepEqual(deck.flashcards.map((c) => c.question), ['Good?']);
    assert.deepEqual(deck.quiz, []);
    assert.deepEqual(errors, [
      'shop/.vscode/migration-cards.json: line 7, column 5: flashcards[1].answer: is missing',
      'shop/.vscode/migration-cards.json: line 10, column 5: flashcards[2].answer: is missing',
      'shop/.vscode/migration-cards.json: line 12, column 7: flashcards[2]: unknown property "anwser" (allowed: id, question, answer, level, code, codeLanguage, codeTerms, note)',
      'shop/.vscode/migration-cards.json: line 14, column 5: flashcards[3]: expected an object, got number 42',
      'shop/.vscode/migration-cards.json: line 23, column 7: quiz[0].explanation: expected text, got an empty string',
      'shop/.vscode/migration-cards.json: line 38, column 7: explain[0].concepts: expected at least 1 entry, got 0',
      'shop/.vscode/migration-cards.json: line 41, column 3: unknown property "cards" (allowed: $schema, flashcards, quiz, explain)',
      'shop/.vscode/migration-cards.json: line 29, column 9: quiz[1].distractors[0]: repeats the answer or another distractor',
    ]);
  });

  it('validates with the schema the manifest contributes for the card file', () => {
    const manifest = JSON.parse(readFileSync(resolve(repoRoot, 'package.json'), 'utf8'));
    const contributed = manifest.contributes.jsonValidation.find((v: { fileMatch: string }) => v.fileMatch.endsWith('migration-cards.json'));
    assert.equal(contributed.url, './media/migration-cards.schema.json');
    const source = readFileSync(resolve(repoRoot, 'client/src/review/cardSchema.ts'), 'utf8');
    assert.match(source, /from '\.\.\/\.\.\/\.\.\/media\/migration-cards\.schema\.json'/);
  });

  it('treats an empty file as no cards and a non-object as an error', () => {
    assert.deepEqual(parseUserCards('  \n').errors, []);
    assert.equal(
      parseUserCards('"text"').errors[0],
      '.vscode/migration-cards.json: line 1, column 1: expected an object with "flashcards", "quiz" and/or "explain" lists, or a list of flashcards, got "text"',
    );
  });

  it('merges user cards after the seed and rule cards and refuses ids that are taken', () => {
    const user = JSON.stringify({
      flashcards: [
        { id: 'mine', question: 'Mine?', answer: 'Yes' },
        { id: 'rule:add-index-non-concurrent', question: 'Clash?', answer: 'Yes' },
        { id: 'seed-what-is-a-migration', question: 'Clash?', answer: 'Yes' },
      ],
    });
    const result = buildDeck(loadSeedDeck(), ruleCards([fakeRule({ id: 'add-index-non-concurrent' })]), [
      { label: '.vscode/migration-cards.json', text: user },
      { label: 'other/.vscode/migration-cards.json', text: JSON.stringify([{ id: 'mine', question: 'Again?', answer: 'x' }]) },
    ]);
    assert.deepEqual(result.deck.flashcards.map((c) => c.id).slice(-2), ['rule:add-index-non-concurrent', 'mine']);
    assert.equal(result.deck.flashcards.length, 7);
    assert.deepEqual(result.errors, [
      '.vscode/migration-cards.json: flashcards: id "rule:add-index-non-concurrent" is already used by rule add-index-non-concurrent; give this item another id',
      '.vscode/migration-cards.json: flashcards: id "seed-what-is-a-migration" is already used by the seed deck; give this item another id',
      'other/.vscode/migration-cards.json: flashcards: id "mine" is already used by .vscode/migration-cards.json; give this item another id',
    ]);
  });
});
