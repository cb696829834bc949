// The data shapes the review host and the webview share, and the guards that check every message the webview
// sends before the host acts on it. No `vscode`, no Node, no DOM: both bundles import this file.
import { isRecord } from '../isRecord';

export type Level = 'beginner' | 'intermediate' | 'advanced';
export const LEVELS: readonly Level[] = ['beginner', 'intermediate', 'advanced'];

/** The id of a rule's flashcard, e.g. `rule:add-index-non-concurrent`. */
export function ruleCardId(ruleId: string): string {
  return `rule:${ruleId}`;
}

/** Where a card came from: the seed deck, a lint rule's metadata, or the user's `.vscode/migration-cards.json`. */
export type CardSource = 'seed' | 'rule' | 'user';

export interface CodeBlock {
  language: string;
  text: string;
}

export interface Flashcard {
  id: string;
  source: CardSource;
  question: string;
  /** Plain text; `backticks` mark inline code, blank lines separate paragraphs. */
  answer: string;
  level?: Level;
  /** Phrases shown as code wherever they appear (keeps seed wording exact while still formatting commands). */
  codeTerms: string[];
  /** Shown with the question (e.g. the SQL a rule card asks about). */
  questionCode?: CodeBlock;
  /** The rest of a long answer, behind "Show more". */
  more?: string;
  /** A clarification shown with the answer where the seed's own wording is imprecise (the wording is kept). */
  note?: string;
  code?: CodeBlock;
  ruleId?: string;
  /** The user's own operation that this rule flagged, when the rule fires in the workspace. */
  example?: WorkspaceExample;
}

/** Where a rule fires in the user's workspace, and the operation it flagged (as text: it is shown escaped). */
export interface WorkspaceExample {
  /** Workspace-relative path and 1-based line, e.g. `shop/migrations/0007_order_total.py:12`. */
  location: string;
  code: string;
  /** How many findings of this rule the workspace has. */
  count: number;
}

export interface QuizQuestion {
  id: string;
  source: CardSource;
  question: string;
  answer: string;
  distractors: string[];
  explanation: string;
  /** A clarification shown after the explanation where the seed's own wording is imprecise. */
  note?: string;
  codeTerms: string[];
  /** Set on questions generated from a rule: the feedback offers that rule's flashcard. */
  ruleId?: string;
}

export interface Concept {
  id: string;
  label: string;
  description: string;
  /** Words or phrases whose presence in an answer shows the concept was covered. */
  cues: string[];
}

export interface ExplainPrompt {
  id: string;
  source: CardSource;
  prompt: string;
  hint: string;
  concepts: Concept[];
}

export type GradeName = 'again' | 'hard' | 'good' | 'easy';
export const GRADE_NAMES: readonly GradeName[] = ['again', 'hard', 'good', 'easy'];

export interface IntervalPreview {
  /** Milliseconds from now until the card would be due again. */
  intervalMs: number;
  /** Short label for the button, e.g. `10m`, `3d`, `1.5mo`. */
  label: string;
}

export interface DueCounts {
  /** New cards that may still be introduced today. */
  new: number;
  /** Cards in (re)learning that are due now or within the learn-ahead window. */
  learning: number;
  /** Review cards due now. */
  due: number;
}

export interface CardsByState {
  new: number;
  learning: number;
  review: number;
  relearning: number;
}

export interface ReviewStats {
  /** Oldest first, one entry per local day, including days without reviews. */
  reviewsPerDay: { day: string; count: number }[];
  /** Share of mature-card reviews (state Review before answering) not graded Again; null without such reviews. */
  retention: number | null;
  retentionSample: number;
  totalReviews: number;
  cardsByState: CardsByState;
  quizAttempts: number;
  quizCorrect: number;
  explainAttempts: number;
}

export interface CurrentCard {
  card: Flashcard;
  previews: Record<GradeName, IntervalPreview>;
  /** False when the card was opened on purpose (e.g. from a hover) before it is due. */
  isDue: boolean;
}

export interface ConceptMatch {
  conceptId: string;
  covered: boolean;
  /** The words of the answer that matched, as typed. */
  evidence: string[];
  /** Mentions that did not count because the answer negates them ("skip the backup"); only when not covered. */
  negated?: string[];
}

/** The score line the seed deck asks for, e.g. "You got 3/5 concepts". */
export function scoreLine(covered: number, total: number): string {
  return `You got ${covered}/${total} concepts`;
}

// ---- host -> webview ----

export interface StateMessage {
  type: 'state';
  counts: DueCounts;
  current: CurrentCard | null;
  /** When nothing is due: when the next card becomes due, e.g. `in 3h`; null when nothing is scheduled. */
  nextDue: string | null;
  canUndo: boolean;
  totalCards: number;
  quiz: QuizQuestion[];
  explain: ExplainPrompt[];
  /** Problems with the user's card file, shown so a bad file never fails silently. */
  deckErrors: string[];
  /** Set once after a request to show `current` ("Review this in the flashcards"): the webview opens the Review tab. */
  show?: boolean;
}

export interface ExplainProposalMessage {
  type: 'explainProposal';
  promptId: string;
  matches: ConceptMatch[];
}

export interface ExplainRecordedMessage {
  type: 'explainRecorded';
  promptId: string;
  score: number;
  total: number;
}

export interface StatsMessage {
  type: 'stats';
  stats: ReviewStats;
}

export interface NoticeMessage {
  type: 'notice';
  level: 'info' | 'error';
  message: string;
}

export type HostMessage = StateMessage | ExplainProposalMessage | ExplainRecordedMessage | StatsMessage | NoticeMessage;

// ---- webview -> host ----

export interface ReadyMessage {
  type: 'ready';
  /** The card the webview was showing before a reload, so the same card comes back. */
  focusCardId?: string;
}
export interface AnswerMessage {
  type: 'answer';
  cardId: string;
  grade: GradeName;
}
export interface UndoMessage {
  type: 'undo';
}
export interface QuizAnsweredMessage {
  type: 'quizAnswered';
  questionId: string;
  choice: string;
}
export interface ExplainCheckMessage {
  type: 'explainCheck';
  promptId: string;
  answer: string;
}
export interface ExplainConfirmMessage {
  type: 'explainConfirm';
  promptId: string;
  covered: string[];
}
export interface GetStatsMessage {
  type: 'getStats';
}
export interface OpenUserCardsMessage {
  type: 'openUserCards';
}
/** "Review this in the flashcards" inside the panel (a quiz question generated from a rule). */
export interface FocusCardMessage {
  type: 'focusCard';
  cardId: string;
}

export type WebviewMessage =
  | ReadyMessage
  | AnswerMessage
  | UndoMessage
  | QuizAnsweredMessage
  | ExplainCheckMessage
  | ExplainConfirmMessage
  | GetStatsMessage
  | OpenUserCardsMessage
  | FocusCardMessage;

// Limits keep a misbehaving webview from making the host store or scan unbounded input.
const MAX_ID_LENGTH = 200;
const MAX_ANSWER_LENGTH = 20_000;
const MAX_CHOICE_LENGTH = 2_000;
const MAX_COVERED = 50;

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH;
}

function hasOnlyKeys(value: Record<string, unknown>, allowed: readonly string[]): boolean {
  return Object.keys(value).every((key) => allowed.includes(key));
}

function isGradeName(value: unknown): value is GradeName {
  return typeof value === 'string' && (GRADE_NAMES as readonly string[]).includes(value);
}

function isReady(m: Record<string, unknown>): boolean {
  return hasOnlyKeys(m, ['type', 'focusCardId']) && (m.focusCardId === undefined || isId(m.focusCardId));
}
function isAnswer(m: Record<string, unknown>): boolean {
  return hasOnlyKeys(m, ['type', 'cardId', 'grade']) && isId(m.cardId) && isGradeName(m.grade);
}
function isBare(m: Record<string, unknown>): boolean {
  return hasOnlyKeys(m, ['type']);
}
function isQuizAnswered(m: Record<string, unknown>): boolean {
  return (
    hasOnlyKeys(m, ['type', 'questionId', 'choice']) &&
    isId(m.questionId) &&
    typeof m.choice === 'string' &&
    m.choice.length <= MAX_CHOICE_LENGTH
  );
}
function isExplainCheck(m: Record<string, unknown>): boolean {
  return (
    hasOnlyKeys(m, ['type', 'promptId', 'answer']) &&
    isId(m.promptId) &&
    typeof m.answer === 'string' &&
    m.answer.length <= MAX_ANSWER_LENGTH
  );
}
function isExplainConfirm(m: Record<string, unknown>): boolean {
  return (
    hasOnlyKeys(m, ['type', 'promptId', 'covered']) &&
    isId(m.promptId) &&
    Array.isArray(m.covered) &&
    m.covered.length <= MAX_COVERED &&
    m.covered.every(isId)
  );
}

function isFocusCard(m: Record<string, unknown>): boolean {
  return hasOnlyKeys(m, ['type', 'cardId']) && isId(m.cardId);
}

const GUARDS: Record<WebviewMessage['type'], (m: Record<string, unknown>) => boolean> = {
  ready: isReady,
  answer: isAnswer,
  undo: isBare,
  quizAnswered: isQuizAnswered,
  explainCheck: isExplainCheck,
  explainConfirm: isExplainConfirm,
  getStats: isBare,
  openUserCards: isBare,
  focusCard: isFocusCard,
};

/** Returns the message when it is one the host understands, with exactly the expected fields; otherwise undefined. */
export function parseWebviewMessage(value: unknown): WebviewMessage | undefined {
  if (!isRecord(value) || typeof value.type !== 'string') return undefined;
  if (!Object.prototype.hasOwnProperty.call(GUARDS, value.type)) return undefined;
  const guard = GUARDS[value.type as WebviewMessage['type']];
  return guard(value) ? (value as unknown as WebviewMessage) : undefined;
}

const HOST_TYPES: readonly HostMessage['type'][] = ['state', 'explainProposal', 'explainRecorded', 'stats', 'notice'];

/** The webview's check on what arrives through `window.message`: anything else (other frames, extensions) is ignored. */
export function isHostMessage(value: unknown): value is HostMessage {
  return isRecord(value) && typeof value.type === 'string' && (HOST_TYPES as readonly string[]).includes(value.type);
}
