// Nothing lost (issue #10): progress that cannot be read is copied to a backup before anything overwrites it, the
// user is told once, and unreadable entries survive every later save untouched.
import { strict as assert } from 'node:assert';
import { buildDeck, loadSeedDeck } from '../../../client/src/review/deck';
import type { HostMessage, StateMessage } from '../../../client/src/review/protocol';
import { REVIEW_HISTORY_LIMIT } from '../../../client/src/review/scheduler';
import { ReviewSession } from '../../../client/src/review/session';
import { PROGRESS_KEY, ProgressStore, type MementoLike } from '../../../client/src/review/store';

class JsonMemento implements MementoLike {
  readonly data = new Map<string, string>();
  get<T>(key: string): T | undefined {
    const text = this.data.get(key);
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }
  update(key: string, value: unknown): Promise<void> {
    this.data.set(key, JSON.stringify(value));
    return Promise.resolve();
  }
}

const CARD = { due: 1, stability: 1, difficulty: 5, elapsedDays: 0, scheduledDays: 0, learningSteps: 1, reps: 1, lapses: 0, state: 1 };

describe('review progress backup', () => {
  it('backs up a corrupt top level before the next save replaces it, and says so once', async () => {
    const memento = new JsonMemento();
    const corrupt = { cards: { good: CARD }, note: 'schemaVersion missing' };
    await memento.update(PROGRESS_KEY, corrupt);
    const store = new ProgressStore(memento);
    const loaded = store.load();
    assert.ok(loaded.warnings.some((warning) => warning.includes(store.backupKey)), loaded.warnings.join('; '));
    await store.save(loaded.progress);
    assert.deepEqual(memento.get<{ value: unknown }>(store.backupKey)?.value, corrupt);
    assert.deepEqual(new ProgressStore(memento).load().warnings, [], 'the saved progress is readable again');
  });

  it('keeps unreadable entries through saves, and does not tell again about the same ones', async () => {
    const memento = new JsonMemento();
    const future = { due: 1, newFieldFromV2: true };
    const oddReview = { cardId: 'x', grade: 'perfect', at: 1, stateBefore: 0 };
    await memento.update(PROGRESS_KEY, { schemaVersion: 1, cards: { good: CARD, later: future }, reviews: [oddReview], undo: [], quiz: {}, explain: {} });
    const first = new ProgressStore(memento);
    const loaded = first.load();
    assert.deepEqual(Object.keys(loaded.progress.cards), ['good']);
    await first.save(loaded.progress);
    const saved = memento.get<{ cards: Record<string, unknown>; reviews: unknown[] }>(PROGRESS_KEY)!;
    assert.deepEqual(saved.cards['later'], future);
    assert.deepEqual(saved.reviews, [oddReview]);
    assert.deepEqual(new ProgressStore(memento).load().warnings, [], 'told once');
  });

  it('keeps a generous review history and says once when the cap starts removing old answers', async () => {
    assert.ok(REVIEW_HISTORY_LIMIT >= 100_000);
    const s = new ReviewSession(buildDeck(loadSeedDeck(), [], []), { store: new ProgressStore(new JsonMemento()), now: () => new Date(2025, 4, 6), scheduler: { maxReviewRecords: 2 } });
    const notices: string[] = [];
    let state = (await s.handle({ type: 'ready' })).find((reply): reply is StateMessage => reply.type === 'state');
    for (let answer = 0; answer < 4 && state?.current; answer++) {
      const replies: HostMessage[] = await s.handle({ type: 'answer', cardId: state.current.card.id, grade: 'good' });
      for (const reply of replies) if (reply.type === 'notice') notices.push(reply.message);
      state = replies.find((reply): reply is StateMessage => reply.type === 'state');
    }
    assert.deepEqual(notices.filter((notice) => /keeps the latest 2 answers/.test(notice)).length, 1, notices.join('\n'));
  });
});
