import { strict as assert } from 'node:assert';
import { State } from 'ts-fsrs';
import { formatInterval, localDay, ReviewScheduler } from '../../../client/src/review/scheduler';
import { emptyProgress } from '../../../client/src/review/store';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
// A fixed local noon keeps day arithmetic away from midnight.
const START = new Date(2025, 2, 3, 12, 0, 0).getTime();

function at(ms: number): Date {
  return new Date(START + ms);
}

describe('review scheduler (FSRS through ts-fsrs)', () => {
  it('previews a longer interval for each better grade of a new card', () => {
    const scheduler = new ReviewScheduler(emptyProgress());
    const preview = scheduler.preview('card', at(0));
    assert.ok(preview.again.intervalMs < preview.hard.intervalMs, 'again < hard');
    assert.ok(preview.hard.intervalMs < preview.good.intervalMs, 'hard < good');
    assert.ok(preview.good.intervalMs < preview.easy.intervalMs, 'good < easy');
    assert.equal(preview.again.label, '1m');
    assert.equal(preview.good.label, '10m');
    assert.match(preview.easy.label, /^\d+d$/);
  });

  it('schedules a card exactly where the preview said', () => {
    const scheduler = new ReviewScheduler(emptyProgress());
    const preview = scheduler.preview('card', at(0));
    const due = scheduler.answer('card', 'easy', at(0));
    assert.equal(due.getTime() - START, preview.easy.intervalMs);
  });

  it('grows the interval with each Good answer given on time', () => {
    const scheduler = new ReviewScheduler(emptyProgress());
    let now = 0;
    const intervals: number[] = [];
    for (let i = 0; i < 8; i++) {
      const due = scheduler.answer('card', 'good', at(now)).getTime() - START;
      intervals.push(due - now);
      now = due;
    }
    assert.equal(scheduler.state('card'), State.Review);
    // The first answers are learning steps (minutes); once in review every interval is longer than the last.
    const reviewIntervals = intervals.filter((ms) => ms >= DAY);
    assert.ok(reviewIntervals.length >= 5, `reached review: ${intervals.map(formatInterval).join(', ')}`);
    for (let i = 1; i < reviewIntervals.length; i++) {
      assert.ok(reviewIntervals[i]! > reviewIntervals[i - 1]!, `intervals grow: ${intervals.map(formatInterval).join(', ')}`);
    }
  });

  it('sends a forgotten review card back to relearning with a lapse', () => {
    const scheduler = new ReviewScheduler(emptyProgress());
    let now = 0;
    for (let i = 0; i < 4; i++) now = scheduler.answer('card', 'good', at(now)).getTime() - START;
    assert.equal(scheduler.state('card'), State.Review);
    const due = scheduler.answer('card', 'again', at(now)).getTime() - START;
    assert.equal(scheduler.state('card'), State.Relearning);
    assert.equal(scheduler.progress.cards.card!.lapses, 1);
    assert.ok(due - now <= 10 * MINUTE, 'relearning comes back within minutes');
  });

  it('undo restores the card exactly and removes the answer from the history', () => {
    const scheduler = new ReviewScheduler(emptyProgress());
    scheduler.answer('card', 'good', at(0));
    scheduler.answer('card', 'good', at(10 * MINUTE));
    const before = structuredClone(scheduler.progress.cards.card);
    scheduler.answer('card', 'again', at(DAY));
    assert.equal(scheduler.progress.reviews.length, 3);

    assert.equal(scheduler.undo(), 'card');
    assert.deepEqual(scheduler.progress.cards.card, before);
    assert.equal(scheduler.progress.reviews.length, 2);
    assert.deepEqual(scheduler.progress.reviews.map((r) => r.grade), ['good', 'good']);

    scheduler.undo();
    scheduler.undo();
    assert.equal(scheduler.progress.cards.card, undefined, 'the first answer undone: the card is new again');
    assert.equal(scheduler.state('card'), State.New);
    assert.equal(scheduler.canUndo, false);
    assert.equal(scheduler.undo(), undefined);
  });

  it('keeps only a bounded number of undo steps and review records', () => {
    const scheduler = new ReviewScheduler(emptyProgress(), { maxUndo: 2, maxReviewRecords: 3 });
    for (let i = 0; i < 5; i++) scheduler.answer(`c${i}`, 'good', at(i * MINUTE));
    assert.equal(scheduler.progress.undo.length, 2);
    assert.deepEqual(scheduler.progress.reviews.map((r) => r.cardId), ['c2', 'c3', 'c4']);
  });

  it('studies the cards of rules firing in the workspace today: new ones first, scheduled ones due unless seen today', () => {
    const progress = emptyProgress();
    const plain = new ReviewScheduler(progress, { newCardsPerDay: 1 });
    plain.answer('x', 'easy', at(0)); // a review card, due in days
    const scheduler = new ReviewScheduler(progress, { newCardsPerDay: 1, workspaceCards: new Set(['c', 'x']) });
    const ids = ['a', 'b', 'c', 'x'];
    assert.deepEqual(plain.queue(ids, at(DAY)), ['a'], 'without the workspace: the daily limit, x not due');
    assert.deepEqual(scheduler.queue(ids, at(DAY)), ['x', 'c'], 'x is due today; c comes before a and beyond the limit');
    assert.deepEqual(scheduler.counts(ids, at(DAY)), { new: 1, learning: 0, due: 1 });
    scheduler.answer('x', 'good', at(DAY));
    assert.ok(!scheduler.queue(ids, at(DAY + MINUTE)).includes('x'), 'reviewed today: not due again today');
  });

  it('counts new, learning and due cards, with a daily limit on new cards', () => {
    const scheduler = new ReviewScheduler(emptyProgress(), { newCardsPerDay: 2 });
    const ids = ['a', 'b', 'c', 'd'];
    assert.deepEqual(scheduler.counts(ids, at(0)), { new: 2, learning: 0, due: 0 });
    assert.deepEqual(scheduler.queue(ids, at(0)), ['a', 'b']);

    scheduler.answer('a', 'good', at(0)); // learning, due in 10 minutes
    assert.deepEqual(scheduler.counts(ids, at(0)), { new: 1, learning: 1, due: 0 });
    assert.deepEqual(scheduler.queue(ids, at(0)), ['b'], 'a learning card waits while others remain');
    scheduler.answer('b', 'easy', at(0)); // straight to review, due in days
    assert.deepEqual(scheduler.counts(ids, at(0)), { new: 0, learning: 1, due: 0 });
    assert.deepEqual(scheduler.queue(ids, at(0)), ['a'], 'learn-ahead shows the learning card when nothing else is left');
    assert.deepEqual(scheduler.queue(ids, at(MINUTE)), ['a']);

    const nextDay = at(DAY);
    assert.deepEqual(scheduler.counts(ids, nextDay), { new: 2, learning: 1, due: 0 }, 'the new-card allowance resets tomorrow');
    assert.deepEqual(scheduler.queue(ids, nextDay).slice(0, 1), ['a'], 'due learning steps come first');

    const later = at(30 * DAY);
    const counts = scheduler.counts(ids, later);
    assert.equal(counts.due, 1, 'the easy card is due a month later');
  });

  it('reports when the next card is due', () => {
    const scheduler = new ReviewScheduler(emptyProgress());
    assert.equal(scheduler.nextDueIn(['a'], at(0)), null);
    scheduler.answer('a', 'good', at(0));
    assert.equal(scheduler.nextDueIn(['a'], at(0)), 10 * MINUTE);
  });

  it('computes reviews per day, retention and cards by state', () => {
    const scheduler = new ReviewScheduler(emptyProgress());
    let now = 0;
    for (let i = 0; i < 4; i++) now = scheduler.answer('a', 'good', at(now)).getTime() - START;
    scheduler.answer('a', 'again', at(now));
    scheduler.answer('b', 'good', at(now));
    const end = at(now);
    const stats = scheduler.stats(['a', 'b', 'c'], end, 120, 365);
    assert.equal(stats.reviewsPerDay.length, 120);
    assert.equal(stats.reviewsPerDay.at(-1)!.day, localDay(end.getTime()));
    assert.equal(stats.reviewsPerDay.reduce((sum, d) => sum + d.count, 0), 6);
    assert.equal(stats.totalReviews, 6);
    // Answers given in state Review: the 3rd and 4th Good (after graduating), then the Again.
    const mature = scheduler.progress.reviews.filter((r) => r.stateBefore === State.Review);
    assert.equal(mature.length, 3);
    assert.equal(stats.retentionSample, 3);
    assert.equal(stats.retention, 2 / 3);
    const lastMonth = scheduler.stats(['a', 'b', 'c'], end);
    assert.equal(lastMonth.retentionSample, 1, 'only the last 30 days count by default');
    assert.equal(lastMonth.retention, 0);
    assert.deepEqual(stats.cardsByState, { new: 1, learning: 1, review: 0, relearning: 1 });
  });

  it('has no retention figure before any mature review', () => {
    assert.equal(new ReviewScheduler(emptyProgress()).stats(['a'], at(0)).retention, null);
  });

  it('formats intervals for the buttons', () => {
    assert.equal(formatInterval(30_000), '<1m');
    assert.equal(formatInterval(6 * MINUTE), '6m');
    assert.equal(formatInterval(3 * 60 * MINUTE), '3h');
    assert.equal(formatInterval(4 * DAY), '4d');
    assert.equal(formatInterval(45 * DAY), '1.5mo');
    assert.equal(formatInterval(60 * DAY), '2mo');
    assert.equal(formatInterval(800 * DAY), '2.2y');
  });
});
