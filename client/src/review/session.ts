// The review host's behaviour without the editor: answers every webview message (after validating it), keeps the
// focused card, and saves progress after each answer. panel.ts only moves messages between this and a webview;
// the browser test drives the very same class as its fake host.
import { confirmedConcepts, matchConcepts } from './concepts';
import type { Deck, DeckLoadResult } from './deck';
import {
  parseWebviewMessage,
  type DueCounts,
  type Flashcard,
  type HostMessage,
  type StateMessage,
  type WebviewMessage,
  type WorkspaceExample,
} from './protocol';
import { formatInterval, ReviewScheduler, type SchedulerOptions } from './scheduler';
import { emptyRecord, ownValue, type ProgressStore } from './store';

export interface DueSummary extends DueCounts {
  /** Everything that can be studied right now: new + learning + due. */
  total: number;
}

export interface ReviewSessionOptions {
  store: ProgressStore;
  now?: () => Date;
  scheduler?: SchedulerOptions;
  /** Called after anything that may change the due counts (answers, undo, a new deck). */
  onDueChanged?: (summary: DueSummary) => void;
  /** Opens (or creates) the user's card file; only an editor host can. */
  openUserCards?: () => void | Promise<void>;
  log?: (message: string) => void;
}

function normaliseChoice(choice: string): string {
  return choice.trim().toLowerCase().replace(/\s+/g, ' ');
}

export class ReviewSession {
  private deck: Deck;
  private deckErrors: string[];
  private focusCardId: string | undefined;
  /** The card of the last state message: the one on screen while a panel shows this session. */
  private shownCardId: string | undefined;
  /** A card someone asked to see; the next state message tells the webview to switch to it. */
  private showRequested: string | undefined;
  private cardsById = new Map<string, Flashcard>();
  private examples = new Map<string, WorkspaceExample>();
  private workspaceCardIds = new Set<string>();
  private storeWarningsShown = false;
  private readOnlyNoticeShown = false;
  private historyCapNoticeShown = false;
  // Messages are handled one at a time: each reads, changes and writes the stored progress.
  private pending: Promise<unknown> = Promise.resolve();

  constructor(
    deck: DeckLoadResult,
    private readonly options: ReviewSessionOptions,
  ) {
    this.deck = deck.deck;
    this.deckErrors = deck.errors;
    this.indexDeck();
  }

  private now(): Date {
    return this.options.now ? this.options.now() : new Date();
  }

  private indexDeck(): void {
    this.workspaceCardIds = new Set();
    this.cardsById = new Map(
      this.deck.flashcards.map((card) => {
        const example = card.source === 'rule' && card.ruleId ? this.examples.get(card.ruleId) : undefined;
        if (!example) return [card.id, card];
        this.workspaceCardIds.add(card.id);
        return [card.id, { ...card, example }];
      }),
    );
    if (this.focusCardId && !this.cardsById.has(this.focusCardId)) this.focusCardId = undefined;
  }

  /**
   * The rules that fire in the user's workspace, each with the operation it flagged: their cards are studied
   * today and show that operation as the example.
   */
  setWorkspaceExamples(examples: ReadonlyMap<string, WorkspaceExample>): void {
    // The card on screen stays: new findings change what comes next, never the card being studied.
    const onScreen = this.shownCardId;
    this.examples = new Map(examples);
    this.indexDeck();
    if (onScreen !== undefined && this.focusCardId === undefined && this.cardsById.has(onScreen)) this.focusCardId = onScreen;
    this.notifyDueChanged();
  }

  private cardIds(): string[] {
    return this.deck.flashcards.map((card) => card.id);
  }

  private scheduler(): { scheduler: ReviewScheduler; warnings: string[]; readOnly: boolean } {
    const loaded = this.options.store.load();
    return {
      scheduler: new ReviewScheduler(loaded.progress, { ...this.options.scheduler, workspaceCards: this.workspaceCardIds }),
      warnings: loaded.warnings,
      readOnly: loaded.readOnly,
    };
  }

  /** Replaces the deck (e.g. after the user's card file changed); progress of cards that stay is kept. */
  setDeck(result: DeckLoadResult): void {
    this.deck = result.deck;
    this.deckErrors = result.errors;
    this.indexDeck();
    this.notifyDueChanged();
  }

  /** The panel closed: no card is on screen any more. */
  panelClosed(): void {
    this.shownCardId = undefined;
  }

  get errors(): readonly string[] {
    return this.deckErrors;
  }

  hasCard(cardId: string): boolean {
    return this.cardsById.has(cardId);
  }

  /**
   * Shows this card next, due or not (the hover's "Review this in the flashcards"); the next state message asks
   * the webview to open the Review tab on it.
   */
  focus(cardId: string): boolean {
    if (!this.cardsById.has(cardId)) return false;
    this.focusCardId = cardId;
    this.showRequested = cardId;
    return true;
  }

  dueSummary(): DueSummary {
    const { scheduler } = this.scheduler();
    const counts = scheduler.counts(this.cardIds(), this.now());
    return { ...counts, total: counts.new + counts.learning + counts.due };
  }

  stateMessage(): StateMessage {
    return this.buildState(this.scheduler().scheduler);
  }

  private buildState(scheduler: ReviewScheduler): StateMessage {
    const now = this.now();
    const ids = this.cardIds();
    const queue = scheduler.queue(ids, now);
    const currentId = this.focusCardId ?? queue[0];
    const card = currentId !== undefined ? this.cardsById.get(currentId) : undefined;
    const nextDueIn = card ? null : scheduler.nextDueIn(ids, now);
    this.shownCardId = card?.id;
    const show = card !== undefined && this.showRequested === card.id;
    this.showRequested = undefined;
    return {
      ...(show ? { show: true } : {}),
      type: 'state',
      counts: scheduler.counts(ids, now),
      current: card ? { card, previews: scheduler.preview(card.id, now), isDue: queue.includes(card.id) } : null,
      nextDue: nextDueIn === null ? null : `in ${formatInterval(nextDueIn)}`,
      canUndo: scheduler.canUndo,
      totalCards: ids.length,
      quiz: this.deck.quiz,
      explain: this.deck.explain,
      deckErrors: [...this.deckErrors],
    };
  }

  private notifyDueChanged(): void {
    if (!this.options.onDueChanged) return;
    try {
      this.options.onDueChanged(this.dueSummary());
    } catch (error) {
      this.options.log?.(`due-count listener failed: ${String(error)}`);
    }
  }

  /** Validates a message from the webview and returns the replies to post back. Never throws. */
  handle(raw: unknown): Promise<HostMessage[]> {
    const message = parseWebviewMessage(raw);
    if (!message) {
      this.options.log?.(`ignored an invalid message from the review webview: ${safePreview(raw)}`);
      return Promise.resolve([]);
    }
    const result = this.pending.then(() => this.process(message));
    this.pending = result.catch(() => undefined);
    return result.catch((error: unknown) => {
      this.options.log?.(`review: handling "${message.type}" failed: ${String(error)}`);
      return [{ type: 'notice', level: 'error', message: 'Something went wrong; see the Migration Guard log.' }];
    });
  }

  private async process(message: WebviewMessage): Promise<HostMessage[]> {
    const { scheduler, warnings, readOnly } = this.scheduler();
    const replies: HostMessage[] = [];
    if (warnings.length > 0 && !this.storeWarningsShown) {
      this.storeWarningsShown = true;
      for (const warning of warnings) this.options.log?.(`review progress: ${warning}`);
      replies.push({ type: 'notice', level: readOnly ? 'error' : 'info', message: `Review progress: ${warnings.join('; ')}` });
    }
    const save = async (): Promise<void> => {
      try {
        const saved = await this.options.store.save(scheduler.progress);
        if (!saved && !this.readOnlyNoticeShown) {
          this.readOnlyNoticeShown = true;
          replies.push({ type: 'notice', level: 'error', message: 'Progress is not saved: a newer version of the extension owns it.' });
        }
      } catch (error) {
        this.options.log?.(`review: saving progress failed: ${String(error)}`);
        replies.push({ type: 'notice', level: 'error', message: `Your progress could not be saved: ${String(error)}` });
      }
    };

    switch (message.type) {
      case 'ready': {
        if (message.focusCardId && this.focusCardId === undefined && this.cardsById.has(message.focusCardId)) {
          this.focusCardId = message.focusCardId;
        }
        replies.push(this.buildState(scheduler));
        return replies;
      }
      case 'answer': {
        const current = this.buildState(scheduler).current;
        // Only the card on screen can be graded: a repeated key press must not grade the next card unseen.
        if (!current || current.card.id !== message.cardId) {
          replies.push(this.buildState(scheduler));
          return replies;
        }
        scheduler.answer(message.cardId, message.grade, this.now());
        if (this.focusCardId === message.cardId) this.focusCardId = undefined;
        await save();
        if (scheduler.trimmedReviews > 0 && !this.historyCapNoticeShown) {
          this.historyCapNoticeShown = true;
          const limit = scheduler.historyLimit.toLocaleString('en-US');
          replies.push({ type: 'notice', level: 'info', message: `Review history keeps the latest ${limit} answers; the oldest are removed as new ones come (card schedules are not affected).` });
        }
        replies.push(this.buildState(scheduler));
        this.notifyDueChanged();
        return replies;
      }
      case 'undo': {
        const cardId = scheduler.undo();
        if (cardId === undefined) {
          replies.push({ type: 'notice', level: 'info', message: 'Nothing to undo.' });
          return replies;
        }
        if (this.cardsById.has(cardId)) this.focusCardId = cardId;
        await save();
        replies.push(this.buildState(scheduler));
        this.notifyDueChanged();
        return replies;
      }
      case 'quizAnswered': {
        const question = this.deck.quiz.find((q) => q.id === message.questionId);
        if (!question) return replies;
        const choice = normaliseChoice(message.choice);
        const options = [question.answer, ...question.distractors].map(normaliseChoice);
        if (!options.includes(choice)) return replies;
        const progress = scheduler.progress;
        const record = ownValue(progress.quiz, question.id) ?? { attempts: 0, correct: 0, lastAt: 0 };
        const correct = choice === normaliseChoice(question.answer);
        progress.quiz[question.id] = {
          attempts: record.attempts + 1,
          correct: record.correct + (correct ? 1 : 0),
          lastAt: this.now().getTime(),
        };
        await save();
        return replies;
      }
      case 'explainCheck': {
        const prompt = this.deck.explain.find((p) => p.id === message.promptId);
        if (!prompt) return replies;
        replies.push({ type: 'explainProposal', promptId: prompt.id, matches: matchConcepts(message.answer, prompt.concepts) });
        return replies;
      }
      case 'explainConfirm': {
        const prompt = this.deck.explain.find((p) => p.id === message.promptId);
        if (!prompt) return replies;
        const covered = confirmedConcepts(prompt.concepts, message.covered);
        const progress = scheduler.progress;
        const explain = progress.explain ?? emptyRecord();
        const record = ownValue(explain, prompt.id);
        explain[prompt.id] = {
          attempts: (record?.attempts ?? 0) + 1,
          lastScore: covered.length,
          bestScore: Math.max(record?.bestScore ?? 0, covered.length),
          total: prompt.concepts.length,
          lastCovered: covered,
          lastAt: this.now().getTime(),
        };
        progress.explain = explain;
        await save();
        replies.push({ type: 'explainRecorded', promptId: prompt.id, score: covered.length, total: prompt.concepts.length });
        return replies;
      }
      case 'getStats': {
        replies.push({ type: 'stats', stats: scheduler.stats(this.cardIds(), this.now()) });
        return replies;
      }
      case 'focusCard': {
        this.focus(message.cardId);
        replies.push(this.buildState(scheduler));
        return replies;
      }
      case 'openUserCards': {
        await this.options.openUserCards?.();
        return replies;
      }
    }
  }
}

function safePreview(value: unknown): string {
  try {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 200 ? `${text.slice(0, 200)}…` : text;
  } catch {
    return Object.prototype.toString.call(value);
  }
}
