// Spaced repetition with FSRS (ts-fsrs): grading, interval previews, what is due, undo and statistics, all over the
// versioned Progress record from store.ts. Time is always passed in, so tests can travel through days.
import { createEmptyCard, fsrs, Rating, State, type Card, type FSRS, type FSRSParameters, type Grade } from 'ts-fsrs';
import {
  GRADE_NAMES,
  type CardsByState,
  type DueCounts,
  type GradeName,
  type IntervalPreview,
  type ReviewStats,
} from './protocol';
import { ownValue, type Progress, type StoredCard } from './store';

/** Answers kept for statistics: about 50 a day for ten years. Trimming beyond it is announced (see trimmedReviews). */
export const REVIEW_HISTORY_LIMIT = 200_000;

export interface SchedulerOptions {
  /** How many never-seen cards may be introduced per local day (Anki's default is 20). */
  newCardsPerDay?: number;
  /** Learning cards due within this window are shown early when nothing else is left (Anki: 20 minutes). */
  learnAheadMs?: number;
  /** Review history kept for statistics (default REVIEW_HISTORY_LIMIT); older answers are dropped first. */
  maxReviewRecords?: number;
  /** How many answers can be taken back in a row. */
  maxUndo?: number;
  parameters?: Partial<FSRSParameters>;
  /**
   * Cards of rules that fire in the user's workspace: studied today. A new one is introduced ahead of the others
   * (and beyond the daily limit), a scheduled one is due today unless it was already reviewed today.
   */
  workspaceCards?: ReadonlySet<string>;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const RATING_OF: Record<GradeName, Grade> = {
  again: Rating.Again,
  hard: Rating.Hard,
  good: Rating.Good,
  easy: Rating.Easy,
};

function toStored(card: Card): StoredCard {
  const stored: StoredCard = {
    due: card.due.getTime(),
    stability: card.stability,
    difficulty: card.difficulty,
    elapsedDays: card.elapsed_days,
    scheduledDays: card.scheduled_days,
    learningSteps: card.learning_steps,
    reps: card.reps,
    lapses: card.lapses,
    state: card.state,
  };
  if (card.last_review) stored.lastReview = card.last_review.getTime();
  return stored;
}

function fromStored(stored: StoredCard): Card {
  const card: Card = {
    due: new Date(stored.due),
    stability: stored.stability,
    difficulty: stored.difficulty,
    elapsed_days: stored.elapsedDays,
    scheduled_days: stored.scheduledDays,
    learning_steps: stored.learningSteps,
    reps: stored.reps,
    lapses: stored.lapses,
    state: stored.state as State,
  };
  if (stored.lastReview !== undefined) card.last_review = new Date(stored.lastReview);
  return card;
}

/** Short interval label for a grade button: `1m`, `10m`, `3h`, `4d`, `1.5mo`, `2.1y`. */
export function formatInterval(ms: number): string {
  if (ms < MINUTE) return '<1m';
  if (ms < HOUR) return `${Math.round(ms / MINUTE)}m`;
  if (ms < DAY) return `${Math.round(ms / HOUR)}h`;
  const days = ms / DAY;
  if (days < 30) return `${Math.round(days)}d`;
  if (days < 365) return `${trimDecimal(days / 30)}mo`;
  return `${trimDecimal(days / 365)}y`;
}

function trimDecimal(value: number): string {
  const rounded = Math.round(value * 10) / 10;
  return Number.isInteger(rounded) ? String(rounded) : rounded.toFixed(1);
}

/** Local calendar day as YYYY-MM-DD: "reviews per day" and the new-card limit follow the user's clock. */
export function localDay(time: number): string {
  const date = new Date(time);
  const month = String(date.getMonth() + 1).padStart(2, '0');
  const day = String(date.getDate()).padStart(2, '0');
  return `${date.getFullYear()}-${month}-${day}`;
}

function startOfLocalDay(time: number): number {
  const date = new Date(time);
  date.setHours(0, 0, 0, 0);
  return date.getTime();
}

export class ReviewScheduler {
  private readonly engine: FSRS;
  private readonly newCardsPerDay: number;
  private readonly learnAheadMs: number;
  private readonly maxReviewRecords: number;
  private readonly maxUndo: number;
  private readonly workspaceCards: ReadonlySet<string>;
  /** Oldest answers removed from the history by the cap, so the session can say so. */
  trimmedReviews = 0;

  constructor(
    readonly progress: Progress,
    options: SchedulerOptions = {},
  ) {
    this.engine = fsrs(options.parameters ?? {});
    this.newCardsPerDay = Math.max(0, options.newCardsPerDay ?? 20);
    this.workspaceCards = options.workspaceCards ?? new Set();
    this.learnAheadMs = Math.max(0, options.learnAheadMs ?? 20 * MINUTE);
    this.maxReviewRecords = Math.max(1, options.maxReviewRecords ?? REVIEW_HISTORY_LIMIT);
    this.maxUndo = Math.max(1, options.maxUndo ?? 20);
  }

  /** How many answers the history keeps. */
  get historyLimit(): number {
    return this.maxReviewRecords;
  }

  private fsrsCard(cardId: string, now: Date): Card {
    const stored = ownValue(this.progress.cards, cardId);
    return stored ? fromStored(stored) : createEmptyCard(now);
  }

  /** ts-fsrs state of a card; never-answered cards are New. */
  state(cardId: string): State {
    return (ownValue(this.progress.cards, cardId)?.state ?? State.New) as State;
  }

  /** When each grade would bring the card back, for the labels on the four buttons. */
  preview(cardId: string, now: Date): Record<GradeName, IntervalPreview> {
    const outcomes = this.engine.repeat(this.fsrsCard(cardId, now), now);
    const previews = {} as Record<GradeName, IntervalPreview>;
    for (const grade of GRADE_NAMES) {
      const intervalMs = Math.max(0, outcomes[RATING_OF[grade]].card.due.getTime() - now.getTime());
      previews[grade] = { intervalMs, label: formatInterval(intervalMs) };
    }
    return previews;
  }

  /** Grades a card, records the answer for statistics and undo, and returns the card's next due time. */
  answer(cardId: string, grade: GradeName, now: Date): Date {
    const previous = ownValue(this.progress.cards, cardId) ?? null;
    const before = this.fsrsCard(cardId, now);
    const { card } = this.engine.next(before, now, RATING_OF[grade]);
    this.progress.cards[cardId] = toStored(card);
    const at = now.getTime();
    this.progress.reviews.push({ cardId, grade, at, stateBefore: before.state });
    if (this.progress.reviews.length > this.maxReviewRecords) {
      this.trimmedReviews += this.progress.reviews.length - this.maxReviewRecords;
      this.progress.reviews.splice(0, this.progress.reviews.length - this.maxReviewRecords);
    }
    this.progress.undo.push({ cardId, at, previous: previous ? { ...previous } : null });
    if (this.progress.undo.length > this.maxUndo) this.progress.undo.splice(0, this.progress.undo.length - this.maxUndo);
    return card.due;
  }

  get canUndo(): boolean {
    return this.progress.undo.length > 0;
  }

  /** Takes back the last answer exactly (card state and its review record); returns that card's id. */
  undo(): string | undefined {
    const entry = this.progress.undo.pop();
    if (!entry) return undefined;
    if (entry.previous) this.progress.cards[entry.cardId] = { ...entry.previous };
    else delete this.progress.cards[entry.cardId];
    for (let i = this.progress.reviews.length - 1; i >= 0; i--) {
      const record = this.progress.reviews[i]!;
      if (record.cardId === entry.cardId && record.at === entry.at) {
        this.progress.reviews.splice(i, 1);
        break;
      }
    }
    return entry.cardId;
  }

  /** How many never-seen cards may still be started today. */
  private newAllowanceToday(now: Date): number {
    const dayStart = startOfLocalDay(now.getTime());
    const startedToday = new Set<string>();
    for (let i = this.progress.reviews.length - 1; i >= 0; i--) {
      const record = this.progress.reviews[i]!;
      if (record.at < dayStart) break;
      if (record.stateBefore === State.New) startedToday.add(record.cardId);
    }
    return Math.max(0, this.newCardsPerDay - startedToday.size);
  }

  private partition(cardIds: readonly string[], now: Date) {
    const time = now.getTime();
    const learningDue: { id: string; due: number }[] = [];
    const learningSoon: { id: string; due: number }[] = [];
    const reviewDue: { id: string; due: number }[] = [];
    const fresh: string[] = [];
    const freshFromWorkspace: string[] = [];
    const dayStart = startOfLocalDay(time);
    for (const id of cardIds) {
      const stored = ownValue(this.progress.cards, id);
      const fromWorkspace = this.workspaceCards.has(id);
      if (!stored || stored.state === State.New) {
        (fromWorkspace ? freshFromWorkspace : fresh).push(id);
      } else if (stored.state === State.Learning || stored.state === State.Relearning) {
        if (stored.due <= time) learningDue.push({ id, due: stored.due });
        else if (stored.due <= time + this.learnAheadMs) learningSoon.push({ id, due: stored.due });
      } else if (stored.due <= time) {
        reviewDue.push({ id, due: stored.due });
      } else if (fromWorkspace && (stored.lastReview ?? 0) < dayStart) {
        reviewDue.push({ id, due: time });
      }
    }
    const byDue = (a: { due: number }, b: { due: number }) => a.due - b.due;
    learningDue.sort(byDue);
    learningSoon.sort(byDue);
    reviewDue.sort(byDue);
    const allowance = Math.max(0, this.newAllowanceToday(now) - freshFromWorkspace.length);
    return { learningDue, learningSoon, reviewDue, newCards: [...freshFromWorkspace, ...fresh.slice(0, allowance)] };
  }

  /** Header counts; `cardIds` is the current deck (cards removed from the deck are not counted). */
  counts(cardIds: readonly string[], now: Date): DueCounts {
    const { learningDue, learningSoon, reviewDue, newCards } = this.partition(cardIds, now);
    return { new: newCards.length, learning: learningDue.length + learningSoon.length, due: reviewDue.length };
  }

  /**
   * The order to study in: learning steps that are due, then reviews, then new cards in deck order; learning
   * cards due within the learn-ahead window only when nothing else is left.
   */
  queue(cardIds: readonly string[], now: Date): string[] {
    const { learningDue, learningSoon, reviewDue, newCards } = this.partition(cardIds, now);
    const queue = [...learningDue.map((c) => c.id), ...reviewDue.map((c) => c.id), ...newCards];
    return queue.length > 0 ? queue : learningSoon.map((c) => c.id);
  }

  /** Milliseconds until the next scheduled card in the deck is due; null when nothing is scheduled. */
  nextDueIn(cardIds: readonly string[], now: Date): number | null {
    let earliest: number | null = null;
    for (const id of cardIds) {
      const stored = ownValue(this.progress.cards, id);
      if (!stored || stored.state === State.New) continue;
      if (earliest === null || stored.due < earliest) earliest = stored.due;
    }
    return earliest === null ? null : Math.max(0, earliest - now.getTime());
  }

  stats(cardIds: readonly string[], now: Date, days = 14, retentionDays = 30): ReviewStats {
    const time = now.getTime();
    const perDay = new Map<string, number>();
    const todayStart = startOfLocalDay(time);
    const order: string[] = [];
    for (let offset = days - 1; offset >= 0; offset--) {
      // Noon avoids landing on the wrong date across a daylight-saving change.
      const day = localDay(todayStart - offset * DAY + 12 * HOUR);
      order.push(day);
      perDay.set(day, 0);
    }
    let retained = 0;
    let matureReviews = 0;
    const retentionStart = time - retentionDays * DAY;
    for (const record of this.progress.reviews) {
      const day = localDay(record.at);
      if (perDay.has(day)) perDay.set(day, perDay.get(day)! + 1);
      if (record.at >= retentionStart && record.stateBefore === State.Review) {
        matureReviews++;
        if (record.grade !== 'again') retained++;
      }
    }
    const cardsByState: CardsByState = { new: 0, learning: 0, review: 0, relearning: 0 };
    for (const id of cardIds) {
      const state = this.state(id);
      if (state === State.New) cardsByState.new++;
      else if (state === State.Learning) cardsByState.learning++;
      else if (state === State.Review) cardsByState.review++;
      else cardsByState.relearning++;
    }
    let quizAttempts = 0;
    let quizCorrect = 0;
    for (const record of Object.values(this.progress.quiz)) {
      quizAttempts += record.attempts;
      quizCorrect += record.correct;
    }
    let explainAttempts = 0;
    for (const record of Object.values(this.progress.explain)) explainAttempts += record.attempts;
    return {
      reviewsPerDay: order.map((day) => ({ day, count: perDay.get(day) ?? 0 })),
      retention: matureReviews > 0 ? retained / matureReviews : null,
      retentionSample: matureReviews,
      totalReviews: this.progress.reviews.length,
      cardsByState,
      quizAttempts,
      quizCorrect,
      explainAttempts,
    };
  }
}
