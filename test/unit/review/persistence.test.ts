import { strict as assert } from 'node:assert';
import { buildDeck, loadSeedDeck, ruleCards, type DeckLoadResult } from '../../../client/src/review/deck';
import type { HostMessage, StateMessage } from '../../../client/src/review/protocol';
import { ReviewSession, type DueSummary } from '../../../client/src/review/session';
import { PROGRESS_KEY, ProgressStore, readProgress, type MementoLike } from '../../../client/src/review/store';

/** Behaves like VS Code's globalState: values are stored as JSON, so nothing live survives a "restart". */
class JsonMemento implements MementoLike {
  readonly data = new Map<string, string>();
  writes = 0;
  get<T>(key: string): T | undefined {
    const text = this.data.get(key);
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }
  update(key: string, value: unknown): Promise<void> {
    this.writes++;
    if (value === undefined) this.data.delete(key);
    else this.data.set(key, JSON.stringify(value));
    return Promise.resolve();
  }
}

const MINUTE = 60_000;
const START = new Date(2025, 4, 6, 12, 0, 0).getTime();

function deck(): DeckLoadResult {
  const rule = {
    id: 'add-index-non-concurrent',
    title: 'Index built without CONCURRENTLY',
    severity: 'warning' as const,
    vendors: ['postgresql' as const],
    category: 'locking' as const,
    explanation: { summary: 'S', sql: '', lock: 'SHARE', blocks: '', rewrite: '', safeAlternative: 'A', safeCode: 'x = 1' },
  };
  return buildDeck(loadSeedDeck(), ruleCards([rule]), []);
}

function session(memento: MementoLike, clock: { now: number }, onDueChanged?: (s: DueSummary) => void): ReviewSession {
  return new ReviewSession(deck(), {
    store: new ProgressStore(memento),
    now: () => new Date(clock.now),
    ...(onDueChanged ? { onDueChanged } : {}),
  });
}

function stateOf(replies: HostMessage[]): StateMessage {
  const state = replies.find((r): r is StateMessage => r.type === 'state');
  assert.ok(state, `a state reply in ${JSON.stringify(replies.map((r) => r.type))}`);
  return state;
}

describe('review persistence and session', () => {
  it('saves after every answer and restores everything after a restart', async () => {
    const memento = new JsonMemento();
    const clock = { now: START };
    const first = session(memento, clock);
    let state = stateOf(await first.handle({ type: 'ready' }));
    assert.deepEqual(state.counts, { new: 6, learning: 0, due: 0 });
    assert.equal(state.current?.card.id, 'seed-what-is-a-migration');

    state = stateOf(await first.handle({ type: 'answer', cardId: 'seed-what-is-a-migration', grade: 'good' }));
    assert.equal(memento.writes, 1, 'saved right after the first answer');
    state = stateOf(await first.handle({ type: 'answer', cardId: state.current!.card.id, grade: 'easy' }));
    assert.equal(memento.writes, 2, 'saved right after the second answer');
    assert.deepEqual(state.counts, { new: 4, learning: 1, due: 0 });
    const storedBefore = memento.data.get(PROGRESS_KEY);

    // "Restart": a new store and session over the same globalState, nothing shared in memory.
    const second = session(memento, clock);
    const restored = stateOf(await second.handle({ type: 'ready' }));
    assert.deepEqual(restored.counts, state.counts);
    assert.equal(restored.current?.card.id, state.current?.card.id);
    assert.equal(restored.canUndo, true, 'undo survives the restart too');
    assert.equal(memento.data.get(PROGRESS_KEY), storedBefore, 'loading does not rewrite');

    const afterUndo = stateOf(await second.handle({ type: 'undo' }));
    assert.equal(afterUndo.current?.card.id, 'seed-careful-in-production', 'undo shows the card that was taken back');
    assert.deepEqual(afterUndo.counts, { new: 5, learning: 1, due: 0 });
    assert.equal(memento.writes, 3);
  });

  it('only grades the card on screen, so a repeated key press cannot grade the next card unseen', async () => {
    const memento = new JsonMemento();
    const s = session(memento, { now: START });
    await s.handle({ type: 'answer', cardId: 'seed-what-is-a-migration', grade: 'good' });
    const replies = await s.handle({ type: 'answer', cardId: 'seed-what-is-a-migration', grade: 'good' });
    assert.equal(memento.writes, 1);
    assert.equal(stateOf(replies).current?.card.id, 'seed-careful-in-production');
  });

  it('opens a rule card on request even when it is not due, then continues with the queue', async () => {
    const s = session(new JsonMemento(), { now: START });
    assert.equal(s.focus('rule:add-index-non-concurrent'), true);
    assert.equal(s.focus('rule:unknown'), false);
    const state = stateOf(await s.handle({ type: 'ready' }));
    assert.equal(state.current?.card.id, 'rule:add-index-non-concurrent');
    assert.equal(state.current?.card.code?.text, 'x = 1');
    const next = stateOf(await s.handle({ type: 'answer', cardId: 'rule:add-index-non-concurrent', grade: 'good' }));
    assert.equal(next.current?.card.id, 'seed-what-is-a-migration');
  });

  it('restores the card a reloaded webview was showing', async () => {
    const s = session(new JsonMemento(), { now: START });
    const state = stateOf(await s.handle({ type: 'ready', focusCardId: 'seed-avoid-downtime' }));
    assert.equal(state.current?.card.id, 'seed-avoid-downtime');
    assert.equal(state.current?.isDue, true);
  });

  it('ignores malformed messages and reports nothing back', async () => {
    const memento = new JsonMemento();
    const s = session(memento, { now: START });
    const bad: unknown[] = [
      null,
      'answer',
      { type: 'answer', cardId: 'seed-what-is-a-migration', grade: 'perfect' },
      { type: 'answer', cardId: 'seed-what-is-a-migration', grade: 'good', extra: 1 },
      { type: 'answer', cardId: '', grade: 'good' },
      { type: 'explainCheck', promptId: 'explain-safe-steps', answer: 'x'.repeat(20_001) },
      { type: 'explainConfirm', promptId: 'explain-safe-steps', covered: 'all' },
      { type: 'toString' },
      { type: '__proto__' },
    ];
    for (const message of bad) assert.deepEqual(await s.handle(message), [], JSON.stringify(message)?.slice(0, 80));
    assert.equal(memento.writes, 0);
  });

  it('records quiz answers, judging the choice itself', async () => {
    const memento = new JsonMemento();
    const s = session(memento, { now: START });
    await s.handle({ type: 'quizAnswered', questionId: 'quiz-makemigrations', choice: 'python manage.py makemigrations' });
    await s.handle({ type: 'quizAnswered', questionId: 'quiz-makemigrations', choice: 'python manage.py migrate' });
    await s.handle({ type: 'quizAnswered', questionId: 'quiz-makemigrations', choice: 'not an option' });
    await s.handle({ type: 'quizAnswered', questionId: 'no-such-question', choice: 'x' });
    const stored = readProgress(memento.get(PROGRESS_KEY)).progress;
    assert.deepEqual({ ...stored.quiz['quiz-makemigrations'] }, { attempts: 2, correct: 1, lastAt: START });
    assert.equal(Object.keys(stored.quiz).length, 1);
  });

  it('proposes concepts for an explain answer and records the confirmed score', async () => {
    const memento = new JsonMemento();
    const s = session(memento, { now: START });
    const [proposal] = await s.handle({
      type: 'explainCheck',
      promptId: 'explain-safe-steps',
      answer: 'Take a backup, test on staging, then watch the logs.',
    });
    assert.equal(proposal?.type, 'explainProposal');
    assert.deepEqual(
      proposal.type === 'explainProposal' && proposal.matches.filter((m) => m.covered).map((m) => m.conceptId),
      ['test-on-staging', 'back-up', 'rollback-and-monitor'],
    );
    // The user unticks one and ticks another; unknown ids are dropped.
    const [recorded] = await s.handle({
      type: 'explainConfirm',
      promptId: 'explain-safe-steps',
      covered: ['back-up', 'test-on-staging', 'review-sql-and-locks', 'bogus'],
    });
    assert.deepEqual(recorded, { type: 'explainRecorded', promptId: 'explain-safe-steps', score: 3, total: 5 });
    const stored = readProgress(memento.get(PROGRESS_KEY)).progress.explain['explain-safe-steps'];
    assert.deepEqual(stored?.lastCovered, ['test-on-staging', 'back-up', 'review-sql-and-locks']);
    assert.equal(stored?.bestScore, 3);
  });

  it('tells the status item when the due count changes', async () => {
    const seen: DueSummary[] = [];
    const s = session(new JsonMemento(), { now: START }, (summary) => seen.push(summary));
    await s.handle({ type: 'answer', cardId: 'seed-what-is-a-migration', grade: 'again' });
    assert.deepEqual(seen.at(-1), { new: 5, learning: 1, due: 0, total: 6 });
    assert.deepEqual(s.dueSummary(), { new: 5, learning: 1, due: 0, total: 6 });
  });

  it('serves statistics', async () => {
    const clock = { now: START };
    const s = session(new JsonMemento(), clock);
    await s.handle({ type: 'answer', cardId: 'seed-what-is-a-migration', grade: 'good' });
    clock.now += 11 * MINUTE;
    const [reply] = await s.handle({ type: 'getStats' });
    assert.equal(reply?.type, 'stats');
    if (reply?.type !== 'stats') return;
    assert.equal(reply.stats.totalReviews, 1);
    assert.equal(reply.stats.reviewsPerDay.at(-1)?.count, 1);
    assert.deepEqual(reply.stats.cardsByState, { new: 5, learning: 1, review: 0, relearning: 0 });
  });

  it('keeps what it can read from damaged stored progress', () => {
    const loaded = readProgress({
      schemaVersion: 1,
      cards: {
        good: { due: START, stability: 1, difficulty: 5, elapsedDays: 0, scheduledDays: 0, learningSteps: 1, reps: 1, lapses: 0, state: 1 },
        bad: { due: 'tomorrow' },
        constructor: { due: START, stability: 1, difficulty: 5, elapsedDays: 0, scheduledDays: 0, learningSteps: 1, reps: 1, lapses: 0, state: 9 },
      },
      reviews: [{ cardId: 'good', grade: 'good', at: START, stateBefore: 0 }, { cardId: 'good', grade: 'meh' }],
      undo: 'nope',
      quiz: { q: { attempts: 1, correct: 2, lastAt: 0 } },
    });
    assert.deepEqual(Object.keys(loaded.progress.cards), ['good']);
    assert.equal(loaded.progress.reviews.length, 1);
    assert.deepEqual(loaded.progress.undo, []);
    assert.deepEqual(Object.keys(loaded.progress.quiz), []);
    assert.equal(loaded.readOnly, false);
    assert.deepEqual(loaded.warnings, [
      '2 unreadable stored cards were dropped',
      '1 unreadable stored reviews were dropped',
      'stored undo entries were unreadable and were reset',
      '1 unreadable stored quiz results were dropped',
    ]);
    assert.match(readProgress('garbage').warnings[0]!, /unreadable and was reset/);
    assert.deepEqual(readProgress(undefined).warnings, []);
  });

  it('never overwrites progress written by a newer version', async () => {
    const memento = new JsonMemento();
    const newer = { schemaVersion: 2, somethingNew: true };
    await memento.update(PROGRESS_KEY, newer);
    memento.writes = 0;
    const s = session(memento, { now: START });
    const replies = await s.handle({ type: 'answer', cardId: 'seed-what-is-a-migration', grade: 'good' });
    assert.equal(memento.writes, 0);
    assert.deepEqual(memento.get(PROGRESS_KEY), newer);
    const notices = replies.filter((r) => r.type === 'notice');
    assert.ok(notices.some((n) => n.type === 'notice' && /newer version/.test(n.message)));
  });

  it('reports a failed save instead of losing it silently', async () => {
    const failing: MementoLike = { get: () => undefined, update: () => Promise.reject(new Error('disk full')) };
    const s = new ReviewSession(deck(), { store: new ProgressStore(failing), now: () => new Date(START) });
    const replies = await s.handle({ type: 'answer', cardId: 'seed-what-is-a-migration', grade: 'good' });
    assert.ok(replies.some((r) => r.type === 'notice' && r.level === 'error' && /disk full/.test(r.message)));
  });
});
