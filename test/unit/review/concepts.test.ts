import { strict as assert } from 'node:assert';
import { confirmedConcepts, matchConcepts } from '../../../client/src/review/concepts';
import { loadSeedDeck } from '../../../client/src/review/deck';
import { scoreLine, type Concept } from '../../../client/src/review/protocol';

const { deck } = loadSeedDeck();
const safeSteps = deck.explain.find((p) => p.id === 'explain-safe-steps')!;
const challenges = deck.explain.find((p) => p.id === 'explain-challenges')!;

function covered(answer: string, concepts: readonly Concept[]): string[] {
  return matchConcepts(answer, concepts)
    .filter((m) => m.covered)
    .map((m) => m.conceptId);
}

describe('review concepts: matching an explain answer', () => {
  it('compares root forms: inflections, case and punctuation do not matter', () => {
    const concept: Concept = { id: 'lock', label: 'Locks', description: 'Locks', cues: ['lock table'] };
    for (const answer of ['It LOCKS the tables!', 'it locked the table', 'locking tables', 'Lock; table']) {
      assert.deepEqual(covered(answer, [concept]), ['lock'], answer);
    }
    assert.deepEqual(covered('look at the table', [concept]), []);
  });

  it('matches synonyms and paraphrases: a clone of the live db, a copy of the data, the generated statements', () => {
    const answer =
      'Run it first on a clone of the live database, save a copy of the data, read the generated statements, ' +
      'and spread the change over several releases.';
    assert.deepEqual(covered(answer, safeSteps.concepts), ['test-on-staging', 'back-up', 'review-sql-and-locks', 'small-compatible-steps']);
    assert.deepEqual(covered('Test against a copy of our prod db.', safeSteps.concepts), ['test-on-staging']);
  });

  it('does not count what the answer negates, and says which mentions it left out', () => {
    const answer = 'I would skip staging, skip the backup and never look at the SQL; no rollback plan';
    const matches = matchConcepts(answer, safeSteps.concepts);
    assert.deepEqual(matches.filter((m) => m.covered), []);
    assert.deepEqual(
      Object.fromEntries(matches.filter((m) => m.negated).map((m) => [m.conceptId, m.negated])),
      { 'test-on-staging': ['staging'], 'back-up': ['backup'], 'review-sql-and-locks': ['SQL'], 'rollback-and-monitor': ['rollback'] },
    );
  });

  it('ends a negation at its clause or at a new statement, and cancels a double negation', () => {
    assert.deepEqual(covered("We don't test it, but we take a backup.", safeSteps.concepts), ['back-up']);
    assert.deepEqual(covered('I skip staging and test in CI.', safeSteps.concepts), ['test-on-staging']);
    assert.deepEqual(covered("Skip the backup and the staging run.", safeSteps.concepts), []);
    assert.deepEqual(covered("Don't forget the backup!", safeSteps.concepts), ['back-up']);
    assert.deepEqual(covered('Without a rollback plan you are gambling, so write the reverse migration.', safeSteps.concepts), ['rollback-and-monitor']);
    assert.deepEqual(covered('There is no need to test.', safeSteps.concepts), []);
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
