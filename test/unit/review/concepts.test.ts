import { strict as assert } from 'node:assert';
import { confirmedConcepts, matchConcepts, scoreLine, stem, words } from '../../../client/src/review/concepts';
import { loadSeedDeck } from '../../../client/src/review/deck';
import type { Concept } from '../../../client/src/review/protocol';

const { deck } = loadSeedDeck();
const safeSteps = deck.explain.find((p) => p.id === 'explain-safe-steps')!;
const challenges = deck.explain.find((p) => p.id === 'explain-challenges')!;

function covered(answer: string, concepts: readonly Concept[]): string[] {
  return matchConcepts(answer, concepts)
    .filter((m) => m.covered)
    .map((m) => m.conceptId);
}

describe('review concepts: matching an explain answer', () => {
  it('normalises words: case, punctuation, apostrophes, hyphens', () => {
    assert.deepEqual(words("Don't run it at PEAK-traffic; use pg_dump!"), ['dont', 'run', 'it', 'at', 'peak', 'traffic', 'use', 'pg_dump']);
  });

  it('stems the forms people write to one word', () => {
    const same = (forms: string[]) => assert.equal(new Set(forms.map(stem)).size, 1, forms.join(', '));
    same(['lock', 'locks', 'locked', 'locking']);
    same(['test', 'tests', 'tested', 'testing']);
    same(['stage', 'staging', 'staged', 'stages']);
    same(['monitor', 'monitors', 'monitored', 'monitoring']);
    same(['drop', 'drops', 'dropped', 'dropping']);
    same(['roll', 'rolling', 'rolled']);
    same(['batch', 'batches', 'batching']);
    same(['apply', 'applies', 'applied']);
    same(['db', 'database']);
    assert.notEqual(stem('lock'), stem('look'));
  });

  it('proposes the concepts a good answer covers, with the words that showed them', () => {
    const answer =
      'First I test the migration on a staging copy of production. Then I take a backup with pg_dump and read ' +
      'the SQL from sqlmigrate to see which locks it takes. I apply it in small steps during low-traffic hours ' +
      'and keep an eye on the error logs, ready to roll back.';
    const matches = matchConcepts(answer, safeSteps.concepts);
    assert.deepEqual(
      matches.filter((m) => m.covered).map((m) => m.conceptId),
      ['test-on-staging', 'back-up', 'review-sql-and-locks', 'small-compatible-steps', 'rollback-and-monitor'],
    );
    const evidence = Object.fromEntries(matches.map((m) => [m.conceptId, m.evidence]));
    assert.ok(evidence['back-up']!.includes('backup'));
    assert.ok(evidence['back-up']!.includes('pg_dump'));
    assert.ok(evidence['rollback-and-monitor']!.includes('roll back'), 'written apart, matched as "rollback"');
    assert.ok(evidence['small-compatible-steps']!.includes('low traffic'));
  });

  it('leaves out what the answer does not mention', () => {
    assert.deepEqual(covered('I back up the database and then run migrate.', safeSteps.concepts), ['back-up']);
    assert.deepEqual(covered('', safeSteps.concepts), []);
    assert.deepEqual(covered('It depends on the weather.', safeSteps.concepts), []);
  });

  it('matches words written together or apart and inflected', () => {
    assert.deepEqual(covered('We backed up everything.', safeSteps.concepts), ['back-up']);
    assert.deepEqual(covered('Have a roll-back plan.', safeSteps.concepts), ['rollback-and-monitor']);
    assert.deepEqual(covered('We were rolling back twice.', safeSteps.concepts), ['rollback-and-monitor']);
    assert.deepEqual(covered('Keep changes backwards-compatible.', safeSteps.concepts), ['small-compatible-steps']);
  });

  it('scores the challenges prompt', () => {
    const answer =
      'Long locks on big tables cause downtime, so use lock_timeout. Dropping a column loses data. ' +
      'Old code still runs during a rolling deploy. A failed migration needs to be reverted.';
    assert.deepEqual(covered(answer, challenges.concepts), [
      'locks-and-downtime',
      'data-loss',
      'old-and-new-code',
      'large-tables',
      'failure-and-recovery',
    ]);
  });

  it('keeps only confirmed ids of the prompt, once, in order', () => {
    const ids = safeSteps.concepts.map((c) => c.id);
    assert.deepEqual(confirmedConcepts(safeSteps.concepts, [ids[3]!, 'unknown', ids[0]!, ids[3]!]), [ids[0], ids[3]]);
  });

  it('phrases the score like the seed deck', () => {
    assert.equal(scoreLine(3, 5), 'You got 3/5 concepts');
  });
});
