// The review deck: the seed deck (cards/seed.json), the cards and quiz questions generated from the rules'
// metadata (ruleDeck.ts), and the user's optional `.vscode/migration-cards.json`. Files are checked against their
// JSON Schemas (cardSchema.ts); a bad item yields a readable error naming its line and path, and the valid items
// are still used. Editor-free so tests can use it.
import seedJson from '../../../cards/seed.json';
import { isRecord } from '../isRecord';
import { formatPath, validateSeedValue, validateUserCardText, type SchemaProblem } from './cardSchema';
import type { CardSource, Concept, ExplainPrompt, Flashcard, Level, QuizQuestion } from './protocol';

export { catalogueRuleCards, catalogueRuleQuiz, ruleCardId, ruleCards, ruleQuiz } from './ruleDeck';

export interface Deck {
  flashcards: Flashcard[];
  quiz: QuizQuestion[];
  explain: ExplainPrompt[];
}

export interface DeckLoadResult {
  deck: Deck;
  /** Human-readable problems, each naming the file, the line (for the user's file) and the JSON path of the value. */
  errors: string[];
}

export const USER_CARDS_RELATIVE_PATH = '.vscode/migration-cards.json';
const SEED_FILE_LABEL = 'cards/seed.json';

type Json = Record<string, unknown>;

function problemText(file: string, problem: Pick<SchemaProblem, 'path' | 'message' | 'position'>): string {
  const where = [problem.position, problem.path].filter(Boolean).join(': ');
  return where ? `${file}: ${where}: ${problem.message}` : `${file}: ${problem.message}`;
}

/** A stable id for user cards without one, so their progress survives edits elsewhere in the file. */
function derivedId(prefix: string, textToHash: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < textToHash.length; i++) {
    hash ^= textToHash.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `${prefix}-${hash.toString(16).padStart(8, '0')}`;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

function texts(value: unknown): string[] {
  return Array.isArray(value) ? value.map(text) : [];
}

function normaliseChoice(choice: string): string {
  return choice.trim().toLowerCase().replace(/\s+/g, ' ');
}

// ---------------------------------------------------------------------------------------------------------------
// From schema-valid JSON to deck items. The schema has checked every shape; what it cannot say is checked here.

interface Reader {
  source: CardSource;
  problem(segments: (string | number)[], message: string): void;
}

function toFlashcard(raw: Json, reader: Reader): Flashcard {
  const question = text(raw.question);
  const card: Flashcard = {
    id: text(raw.id) || derivedId('user-card', question),
    source: reader.source,
    question,
    answer: text(raw.answer),
    codeTerms: texts(raw.codeTerms),
  };
  if (raw.level !== undefined) card.level = raw.level as Level;
  if (raw.note !== undefined) card.note = text(raw.note);
  if (raw.code !== undefined) card.code = { language: text(raw.codeLanguage) || 'python', text: text(raw.code) };
  return card;
}

function toQuizQuestion(raw: Json, reader: Reader, segments: (string | number)[]): QuizQuestion | undefined {
  const question = text(raw.question);
  const answer = text(raw.answer);
  const distractors = texts(raw.distractors);
  const seen = new Set([normaliseChoice(answer)]);
  let ok = true;
  distractors.forEach((distractor, index) => {
    const key = normaliseChoice(distractor);
    if (seen.has(key)) {
      reader.problem([...segments, 'distractors', index], 'repeats the answer or another distractor');
      ok = false;
    }
    seen.add(key);
  });
  if (!ok) return undefined;
  const item: QuizQuestion = {
    id: text(raw.id) || derivedId('user-quiz', question),
    source: reader.source,
    question,
    answer,
    distractors,
    explanation: text(raw.explanation),
    codeTerms: texts(raw.codeTerms),
  };
  if (raw.note !== undefined) item.note = text(raw.note);
  return item;
}

function toExplainPrompt(raw: Json, reader: Reader, segments: (string | number)[]): ExplainPrompt | undefined {
  const prompt = text(raw.prompt);
  const concepts: Concept[] = [];
  const ids = new Set<string>();
  let ok = true;
  (raw.concepts as Json[]).forEach((concept, index) => {
    const id = text(concept.id);
    if (ids.has(id)) {
      reader.problem([...segments, 'concepts', index, 'id'], `"${id}" is used twice in this prompt`);
      ok = false;
    }
    ids.add(id);
    concepts.push({ id, label: text(concept.label), description: text(concept.description), cues: texts(concept.cues) });
  });
  if (!ok) return undefined;
  return { id: text(raw.id) || derivedId('user-explain', prompt), source: reader.source, prompt, hint: text(raw.hint), concepts };
}

/**
 * The valid items of each list: an item with a schema problem (its path starts with the item's) is left out, and
 * so is an item whose id an earlier one has (two cards with one id would share one review history).
 */
function readDeck(root: Json, listPaths: Record<keyof Deck, (string | number)[]>, problems: SchemaProblem[], reader: Reader): Deck {
  const deck: Deck = { flashcards: [], quiz: [], explain: [] };
  const ids = new Set<string>();
  const invalid = (segments: (string | number)[]): boolean =>
    problems.some((p) => segments.every((segment, index) => p.segments[index] === segment));
  const each = <T extends { id: string }>(key: keyof Deck, convert: (raw: Json, segments: (string | number)[]) => T | undefined, into: T[]): void => {
    const list = listPaths[key].length === 0 ? root[''] : root[listPaths[key][0] as string];
    if (!Array.isArray(list)) return;
    list.forEach((raw, index) => {
      const segments = [...listPaths[key], index];
      if (!isRecord(raw) || invalid(segments)) return;
      const item = convert(raw, segments);
      if (!item) return;
      if (ids.has(item.id)) {
        reader.problem([...segments, 'id'], `id "${item.id}" is used more than once`);
        return;
      }
      ids.add(item.id);
      into.push(item);
    });
  };
  each('flashcards', (raw) => toFlashcard(raw, reader), deck.flashcards);
  each('quiz', (raw, segments) => toQuizQuestion(raw, reader, segments), deck.quiz);
  each('explain', (raw, segments) => toExplainPrompt(raw, reader, segments), deck.explain);
  return deck;
}

const LIST_PATHS: Record<keyof Deck, (string | number)[]> = { flashcards: ['flashcards'], quiz: ['quiz'], explain: ['explain'] };

// ---------------------------------------------------------------------------------------------------------------
// Seed deck

/** Validates the seed deck's JSON against cards/seed.schema.json (ids, levels and five concepts required). */
export function validateSeedDeck(json: unknown, fileLabel = SEED_FILE_LABEL): DeckLoadResult {
  const problems = validateSeedValue(json);
  const errors = problems.map((p) => problemText(fileLabel, p));
  if (!isRecord(json)) return { deck: { flashcards: [], quiz: [], explain: [] }, errors };
  const reader: Reader = { source: 'seed', problem: (segments, message) => errors.push(problemText(fileLabel, { path: formatPath(segments), message })) };
  return { deck: readDeck(json, LIST_PATHS, problems, reader), errors };
}

/** The bundled seed deck (the JSON is compiled into the extension bundle, and still validated at load). */
export function loadSeedDeck(): DeckLoadResult {
  return validateSeedDeck(seedJson as unknown);
}

// ---------------------------------------------------------------------------------------------------------------
// User cards

/** Parses and validates the user's card file; valid items are kept even when others are rejected. */
export function parseUserCards(source: string, fileLabel = USER_CARDS_RELATIVE_PATH): DeckLoadResult {
  const empty: Deck = { flashcards: [], quiz: [], explain: [] };
  if (source.trim() === '') return { deck: empty, errors: [] };
  const { value, problems, positionOf } = validateUserCardText(source);
  const errors = problems.map((p) => problemText(fileLabel, p));
  if (value === undefined || (!Array.isArray(value) && !isRecord(value))) return { deck: empty, errors };
  const reader: Reader = {
    source: 'user',
    problem: (segments, message) => errors.push(problemText(fileLabel, { path: formatPath(segments), message, position: positionOf(segments) })),
  };
  // A bare list is the quickest way to write a few flashcards.
  if (Array.isArray(value)) return { deck: readDeck({ '': value }, { ...LIST_PATHS, flashcards: [] }, problems, reader), errors };
  return { deck: readDeck(value, LIST_PATHS, problems, reader), errors };
}

// ---------------------------------------------------------------------------------------------------------------
// Merging

export interface UserCardFile {
  /** Shown in errors, e.g. `shop/.vscode/migration-cards.json`. */
  label: string;
  text: string;
}

/**
 * The whole deck: seed, then rule cards (and the quiz questions generated from the rules), then each user file. A user item whose id is already taken is rejected
 * with an error rather than silently replacing a built-in card (its review history would get mixed up).
 */
export function buildDeck(
  seed: DeckLoadResult,
  rules: Flashcard[],
  userFiles: readonly UserCardFile[],
  ruleQuestions: readonly QuizQuestion[] = [],
): DeckLoadResult {
  const deck: Deck = {
    flashcards: [...seed.deck.flashcards, ...rules],
    quiz: [...seed.deck.quiz, ...ruleQuestions],
    explain: [...seed.deck.explain],
  };
  const errors = [...seed.errors];
  const taken = new Map<string, string>();
  const claim = (id: string, owner: string): string | undefined => {
    const previous = taken.get(id);
    if (previous === undefined) taken.set(id, owner);
    return previous;
  };
  for (const card of deck.flashcards) claim(card.id, card.source === 'rule' ? `rule ${card.ruleId}` : 'the seed deck');
  for (const item of deck.quiz) claim(item.id, item.source === 'rule' ? `rule ${item.ruleId}` : 'the seed deck');
  for (const item of deck.explain) claim(item.id, 'the seed deck');

  for (const file of userFiles) {
    const parsed = parseUserCards(file.text, file.label);
    for (const error of parsed.errors) errors.push(error);
    const accept = <T extends { id: string }>(items: T[], into: T[], section: string): void => {
      items.forEach((item) => {
        const owner = claim(item.id, file.label);
        if (owner !== undefined) {
          errors.push(`${file.label}: ${section}: id "${item.id}" is already used by ${owner}; give this item another id`);
        } else into.push(item);
      });
    };
    accept(parsed.deck.flashcards, deck.flashcards, 'flashcards');
    accept(parsed.deck.quiz, deck.quiz, 'quiz');
    accept(parsed.deck.explain, deck.explain, 'explain');
  }
  return { deck, errors };
}
