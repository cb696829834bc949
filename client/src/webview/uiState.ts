// What the webview keeps through `vscode.setState` so a hidden tab or a window reload comes back where the user
// was: the mode, the card on screen and whether it was revealed, quiz progress, explain drafts and results.
import { isRecord } from '../isRecord';
import type { ConceptMatch } from '../review/protocol';

export type Mode = 'review' | 'quiz' | 'explain' | 'stats';
export const MODES: readonly Mode[] = ['review', 'quiz', 'explain', 'stats'];

export interface QuizItemState {
  questionId: string;
  /** The options in the shuffled order they were shown in. */
  options: string[];
  choice: string | null;
  correct: boolean | null;
}

export interface QuizState {
  items: QuizItemState[];
  index: number;
  finished: boolean;
}

export interface ExplainResult {
  score: number;
  total: number;
  covered: string[];
}

export interface ExplainState {
  promptId: string | null;
  drafts: Record<string, string>;
  hintShown: boolean;
  proposal: { promptId: string; matches: ConceptMatch[] } | null;
  /** Concept ids ticked right now (the proposal as corrected by the user). */
  selected: string[];
  result: (ExplainResult & { promptId: string }) | null;
}

export interface UiState {
  version: 1;
  mode: Mode;
  /** `expanded`: the answer's "Show more" is open. */
  review: { cardId: string | null; revealed: boolean; expanded: boolean };
  quiz: QuizState | null;
  explain: ExplainState;
}

function initialUiState(): UiState {
  return {
    version: 1,
    mode: 'review',
    review: { cardId: null, revealed: false, expanded: false },
    quiz: null,
    explain: { promptId: null, drafts: {}, hintShown: false, proposal: null, selected: [], result: null },
  };
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function readQuiz(value: unknown): QuizState | null {
  if (!isRecord(value) || !Array.isArray(value.items)) return null;
  const items: QuizItemState[] = [];
  for (const raw of value.items) {
    if (!isRecord(raw) || typeof raw.questionId !== 'string') return null;
    items.push({
      questionId: raw.questionId,
      options: strings(raw.options),
      choice: stringOrNull(raw.choice),
      correct: typeof raw.correct === 'boolean' ? raw.correct : null,
    });
  }
  const index = typeof value.index === 'number' && Number.isInteger(value.index) ? value.index : 0;
  return { items, index: Math.min(Math.max(0, index), Math.max(0, items.length - 1)), finished: value.finished === true };
}

function readMatches(value: unknown): ConceptMatch[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter(isRecord)
    .filter((m) => typeof m.conceptId === 'string')
    .map((m) => {
      const match: ConceptMatch = { conceptId: m.conceptId as string, covered: m.covered === true, evidence: strings(m.evidence) };
      if (Array.isArray(m.negated)) match.negated = strings(m.negated);
      return match;
    });
}

function readExplain(value: unknown): ExplainState {
  const fallback = initialUiState().explain;
  if (!isRecord(value)) return fallback;
  const drafts: Record<string, string> = {};
  if (isRecord(value.drafts)) {
    for (const [key, draft] of Object.entries(value.drafts)) if (typeof draft === 'string') drafts[key] = draft;
  }
  const proposal =
    isRecord(value.proposal) && typeof value.proposal.promptId === 'string'
      ? { promptId: value.proposal.promptId, matches: readMatches(value.proposal.matches) }
      : null;
  const result =
    isRecord(value.result) &&
    typeof value.result.promptId === 'string' &&
    typeof value.result.score === 'number' &&
    typeof value.result.total === 'number'
      ? { promptId: value.result.promptId, score: value.result.score, total: value.result.total, covered: strings(value.result.covered) }
      : null;
  return {
    promptId: stringOrNull(value.promptId),
    drafts,
    hintShown: value.hintShown === true,
    proposal,
    selected: strings(value.selected),
    result,
  };
}

/** Whatever getState() returns (possibly from an older build) becomes a valid state; unknown parts are dropped. */
export function restoreUiState(raw: unknown): UiState {
  const state = initialUiState();
  if (!isRecord(raw) || raw.version !== 1) return state;
  if (typeof raw.mode === 'string' && (MODES as readonly string[]).includes(raw.mode)) state.mode = raw.mode as Mode;
  if (isRecord(raw.review)) {
    state.review = { cardId: stringOrNull(raw.review.cardId), revealed: raw.review.revealed === true, expanded: raw.review.expanded === true };
  }
  state.quiz = readQuiz(raw.quiz);
  state.explain = readExplain(raw.explain);
  return state;
}
