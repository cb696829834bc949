// The review deck: the seed deck (cards/seed.json), one card per lint rule generated from the rule's own
// metadata, and the user's optional `.vscode/migration-cards.json`. Everything is validated when loaded, and a
// bad file yields readable errors instead of a broken panel. Editor-free so tests and the CLI can use it.
import seedJson from '../../../cards/seed.json';
import { RULE_CATALOGUE } from '../ruleCatalogue';
import type { RuleMeta } from '../../../server/src/engine/rules/rule';
import {
  LEVELS,
  type CardSource,
  type CodeBlock,
  type Concept,
  type ExplainPrompt,
  type Flashcard,
  type Level,
  type QuizQuestion,
} from './protocol';

export interface Deck {
  flashcards: Flashcard[];
  quiz: QuizQuestion[];
  explain: ExplainPrompt[];
}

export interface DeckLoadResult {
  deck: Deck;
  /** Human-readable problems, each naming the file and the JSON path of the offending value. */
  errors: string[];
}

export const USER_CARDS_RELATIVE_PATH = '.vscode/migration-cards.json';
const RULE_CARD_PREFIX = 'rule:';
const SEED_FILE_LABEL = 'cards/seed.json';
const SEED_CONCEPTS_PER_PROMPT = 5;
const MAX_TEXT = 10_000;
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;

export function ruleCardId(ruleId: string): string {
  return RULE_CARD_PREFIX + ruleId;
}

// ---------------------------------------------------------------------------------------------------------------
// A small validator that records every problem with its path instead of stopping at the first one.

class Problems {
  readonly messages: string[] = [];
  constructor(private readonly file: string) {}
  add(path: string, message: string): void {
    this.messages.push(path ? `${this.file}: ${path}: ${message}` : `${this.file}: ${message}`);
  }
}

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkKeys(value: Json, allowed: readonly string[], path: string, problems: Problems): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) problems.add(path, `unknown property "${key}" (allowed: ${allowed.join(', ')})`);
  }
}

function text(value: Json, key: string, path: string, problems: Problems, required = true): string | undefined {
  const raw = value[key];
  if (raw === undefined) {
    if (required) problems.add(`${path}.${key}`, 'is missing (expected a non-empty string)');
    return undefined;
  }
  if (typeof raw !== 'string' || raw.trim() === '') {
    problems.add(`${path}.${key}`, `expected a non-empty string, got ${describe(raw)}`);
    return undefined;
  }
  if (raw.length > MAX_TEXT) {
    problems.add(`${path}.${key}`, `is too long (${raw.length} characters, at most ${MAX_TEXT})`);
    return undefined;
  }
  return raw.trim();
}

function textList(
  value: Json,
  key: string,
  path: string,
  problems: Problems,
  bounds: { min: number; max: number; required: boolean },
): string[] | undefined {
  const raw = value[key];
  if (raw === undefined) {
    if (bounds.required) problems.add(`${path}.${key}`, 'is missing (expected a list of strings)');
    return bounds.required ? undefined : [];
  }
  if (!Array.isArray(raw)) {
    problems.add(`${path}.${key}`, `expected a list of strings, got ${describe(raw)}`);
    return undefined;
  }
  if (raw.length < bounds.min || raw.length > bounds.max) {
    const range = bounds.min === bounds.max ? `exactly ${bounds.min}` : `${bounds.min} to ${bounds.max}`;
    problems.add(`${path}.${key}`, `expected ${range} entries, got ${raw.length}`);
    return undefined;
  }
  const items: string[] = [];
  let ok = true;
  raw.forEach((item, index) => {
    if (typeof item !== 'string' || item.trim() === '') {
      problems.add(`${path}.${key}[${index}]`, `expected a non-empty string, got ${describe(item)}`);
      ok = false;
    } else items.push(item.trim());
  });
  return ok ? items : undefined;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') {
    if (value.trim() === '') return 'an empty string';
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  }
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

function optionalId(value: Json, path: string, problems: Problems): string | undefined | null {
  const raw = value.id;
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !ID_PATTERN.test(raw)) {
    problems.add(`${path}.id`, 'expected letters, digits, ".", "_", ":" or "-" (at most 200 characters)');
    return null;
  }
  return raw;
}

function level(value: Json, path: string, problems: Problems, required: boolean): Level | undefined | null {
  const raw = value.level;
  if (raw === undefined) {
    if (required) problems.add(`${path}.level`, `is missing (expected one of ${LEVELS.join(', ')})`);
    return required ? null : undefined;
  }
  if (typeof raw !== 'string' || !(LEVELS as readonly string[]).includes(raw)) {
    problems.add(`${path}.level`, `expected one of ${LEVELS.join(', ')}, got ${describe(raw)}`);
    return null;
  }
  return raw as Level;
}

// ---------------------------------------------------------------------------------------------------------------
// Item readers shared by the seed deck and the user's file; `strict` is the seed's stricter contract.

interface ReadOptions {
  source: CardSource;
  strict: boolean;
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

function readFlashcard(raw: unknown, path: string, problems: Problems, options: ReadOptions): Flashcard | undefined {
  if (!isRecord(raw)) {
    problems.add(path, `expected an object with "question" and "answer", got ${describe(raw)}`);
    return undefined;
  }
  checkKeys(raw, ['id', 'level', 'question', 'answer', 'codeTerms', 'code', 'codeLanguage'], path, problems);
  const before = problems.messages.length;
  const id = optionalId(raw, path, problems);
  if (options.strict && id === undefined) problems.add(`${path}.id`, 'is missing');
  const question = text(raw, 'question', path, problems);
  const answer = text(raw, 'answer', path, problems);
  const cardLevel = level(raw, path, problems, options.strict);
  const codeTerms = textList(raw, 'codeTerms', path, problems, { min: 0, max: 20, required: false });
  const codeText = text(raw, 'code', path, problems, false);
  const codeLanguage = text(raw, 'codeLanguage', path, problems, false);
  if (problems.messages.length > before || question === undefined || answer === undefined || id === null) {
    return undefined;
  }
  const card: Flashcard = {
    id: id ?? derivedId('user-card', question),
    source: options.source,
    question,
    answer,
    codeTerms: codeTerms ?? [],
  };
  if (cardLevel) card.level = cardLevel;
  if (codeText !== undefined) card.code = { language: codeLanguage ?? 'python', text: codeText };
  return card;
}

function readQuizQuestion(raw: unknown, path: string, problems: Problems, options: ReadOptions): QuizQuestion | undefined {
  if (!isRecord(raw)) {
    problems.add(path, `expected an object with "question", "answer", "distractors" and "explanation", got ${describe(raw)}`);
    return undefined;
  }
  checkKeys(raw, ['id', 'question', 'answer', 'distractors', 'explanation', 'codeTerms'], path, problems);
  const before = problems.messages.length;
  const id = optionalId(raw, path, problems);
  if (options.strict && id === undefined) problems.add(`${path}.id`, 'is missing');
  const question = text(raw, 'question', path, problems);
  const answer = text(raw, 'answer', path, problems);
  const distractors = textList(raw, 'distractors', path, problems, {
    min: options.strict ? 3 : 1,
    max: options.strict ? 3 : 5,
    required: true,
  });
  const explanation = text(raw, 'explanation', path, problems);
  const codeTerms = textList(raw, 'codeTerms', path, problems, { min: 0, max: 20, required: false });
  if (answer !== undefined && distractors) {
    const seen = new Set([normaliseChoice(answer)]);
    distractors.forEach((distractor, index) => {
      const key = normaliseChoice(distractor);
      if (seen.has(key)) problems.add(`${path}.distractors[${index}]`, 'repeats the answer or another distractor');
      seen.add(key);
    });
  }
  if (
    problems.messages.length > before ||
    id === null ||
    question === undefined ||
    answer === undefined ||
    !distractors ||
    explanation === undefined
  ) {
    return undefined;
  }
  return {
    id: id ?? derivedId('user-quiz', question),
    source: options.source,
    question,
    answer,
    distractors,
    explanation,
    codeTerms: codeTerms ?? [],
  };
}

function normaliseChoice(choice: string): string {
  return choice.trim().toLowerCase().replace(/\s+/g, ' ');
}

function readConcept(raw: unknown, path: string, problems: Problems): Concept | undefined {
  if (!isRecord(raw)) {
    problems.add(path, `expected an object with "id", "label", "description" and "cues", got ${describe(raw)}`);
    return undefined;
  }
  checkKeys(raw, ['id', 'label', 'description', 'cues'], path, problems);
  const before = problems.messages.length;
  const id = optionalId(raw, path, problems);
  if (id === undefined) problems.add(`${path}.id`, 'is missing');
  const label = text(raw, 'label', path, problems);
  const description = text(raw, 'description', path, problems);
  const cues = textList(raw, 'cues', path, problems, { min: 1, max: 60, required: true });
  if (problems.messages.length > before || !id || !label || !description || !cues) return undefined;
  return { id, label, description, cues };
}

function readExplainPrompt(raw: unknown, path: string, problems: Problems, options: ReadOptions): ExplainPrompt | undefined {
  if (!isRecord(raw)) {
    problems.add(path, `expected an object with "prompt", "hint" and "concepts", got ${describe(raw)}`);
    return undefined;
  }
  checkKeys(raw, ['id', 'prompt', 'hint', 'concepts'], path, problems);
  const before = problems.messages.length;
  const id = optionalId(raw, path, problems);
  if (options.strict && id === undefined) problems.add(`${path}.id`, 'is missing');
  const prompt = text(raw, 'prompt', path, problems);
  const hint = text(raw, 'hint', path, problems);
  const concepts: Concept[] = [];
  const minConcepts = options.strict ? SEED_CONCEPTS_PER_PROMPT : 1;
  const maxConcepts = options.strict ? SEED_CONCEPTS_PER_PROMPT : 10;
  if (!Array.isArray(raw.concepts)) {
    problems.add(`${path}.concepts`, `expected a list of concepts, got ${describe(raw.concepts)}`);
  } else if (raw.concepts.length < minConcepts || raw.concepts.length > maxConcepts) {
    const range = minConcepts === maxConcepts ? `exactly ${minConcepts}` : `${minConcepts} to ${maxConcepts}`;
    problems.add(`${path}.concepts`, `expected ${range} concepts, got ${raw.concepts.length}`);
  } else {
    const ids = new Set<string>();
    raw.concepts.forEach((item, index) => {
      const concept = readConcept(item, `${path}.concepts[${index}]`, problems);
      if (!concept) return;
      if (ids.has(concept.id)) problems.add(`${path}.concepts[${index}].id`, `"${concept.id}" is used twice in this prompt`);
      ids.add(concept.id);
      concepts.push(concept);
    });
  }
  if (problems.messages.length > before || id === null || !prompt || !hint) return undefined;
  return { id: id ?? derivedId('user-explain', prompt), source: options.source, prompt, hint, concepts };
}

function readSection<T extends { id: string }>(
  root: Json,
  key: string,
  problems: Problems,
  read: (raw: unknown, path: string) => T | undefined,
  options: { required: boolean; ids?: Set<string> },
): T[] {
  const raw = root[key];
  if (raw === undefined) {
    if (options.required) problems.add(key, 'is missing (expected a list)');
    return [];
  }
  if (!Array.isArray(raw)) {
    problems.add(key, `expected a list, got ${describe(raw)}`);
    return [];
  }
  const items: T[] = [];
  raw.forEach((item, index) => {
    const value = read(item, `${key}[${index}]`);
    if (value === undefined) return;
    if (options.ids?.has(value.id)) {
      problems.add(`${key}[${index}].id`, `id "${value.id}" is used more than once`);
      return;
    }
    options.ids?.add(value.id);
    items.push(value);
  });
  return items;
}

// ---------------------------------------------------------------------------------------------------------------
// Seed deck

/** Validates the seed deck's JSON. The seed is stricter than user files: ids, levels and five concepts required. */
export function validateSeedDeck(json: unknown, fileLabel = SEED_FILE_LABEL): DeckLoadResult {
  const problems = new Problems(fileLabel);
  const empty: Deck = { flashcards: [], quiz: [], explain: [] };
  if (!isRecord(json)) {
    problems.add('', `expected an object, got ${describe(json)}`);
    return { deck: empty, errors: problems.messages };
  }
  checkKeys(json, ['schemaVersion', 'source', 'flashcards', 'quiz', 'explain'], '', problems);
  if (json.schemaVersion !== 1) problems.add('schemaVersion', `expected 1, got ${describe(json.schemaVersion)}`);
  const options: ReadOptions = { source: 'seed', strict: true };
  const section = { required: true, ids: new Set<string>() };
  const deck: Deck = {
    flashcards: readSection(json, 'flashcards', problems, (raw, path) => readFlashcard(raw, path, problems, options), section),
    quiz: readSection(json, 'quiz', problems, (raw, path) => readQuizQuestion(raw, path, problems, options), section),
    explain: readSection(json, 'explain', problems, (raw, path) => readExplainPrompt(raw, path, problems, options), section),
  };
  return { deck, errors: problems.messages };
}

/** The bundled seed deck (the JSON is compiled into the extension bundle, and still validated at load). */
export function loadSeedDeck(): DeckLoadResult {
  return validateSeedDeck(seedJson as unknown);
}

// ---------------------------------------------------------------------------------------------------------------
// Rule cards

/** Markdown emphasis and links read badly as plain text; code spans stay (the webview renders them as code). */
function plainMarkdown(markdown: string): string {
  return markdown
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/(^|[^*\w])\*([^*\n]+)\*(?!\w)/g, '$1$2')
    .trim();
}

/** One flashcard per rule, built only from the rule's metadata so the card never drifts from the hover text. */
export function ruleCards(rules: readonly RuleMeta[]): Flashcard[] {
  const cards: Flashcard[] = [];
  for (const rule of rules) {
    if (!rule || typeof rule.id !== 'string' || !rule.id || typeof rule.title !== 'string' || !rule.title.trim()) continue;
    const explanation = rule.explanation ?? ({} as Partial<RuleMeta['explanation']>);
    const paragraphs: string[] = [];
    const part = (value: unknown, label?: string): void => {
      if (typeof value !== 'string' || !value.trim()) return;
      paragraphs.push(label ? `${label}: ${plainMarkdown(value)}` : plainMarkdown(value));
    };
    part(explanation.summary);
    part(explanation.lock, 'Lock');
    part(explanation.safeAlternative, 'Safe pattern');
    if (paragraphs.length === 0) paragraphs.push(`Rule \`${rule.id}\` has no explanation yet.`);
    const card: Flashcard = {
      id: ruleCardId(rule.id),
      source: 'rule',
      // Titles are often whole clauses ("RemoveField drops a column ..."), so they are quoted, not spliced in.
      question: `What goes wrong with “${plainMarkdown(rule.title).replace(/[.]+$/, '')}” and what is the safe pattern?`,
      answer: paragraphs.join('\n\n'),
      level: rule.severity === 'info' ? 'intermediate' : 'advanced',
      codeTerms: [],
      ruleId: rule.id,
    };
    const safeCode = typeof explanation.safeCode === 'string' ? explanation.safeCode.replace(/^\n+|\s+$/g, '') : '';
    if (safeCode) card.code = { language: explanation.safeCodeLanguage ?? 'python', text: safeCode } satisfies CodeBlock;
    cards.push(card);
  }
  return cards;
}

/** Rule cards for the rules the engine ships with right now. */
export function catalogueRuleCards(): Flashcard[] {
  return ruleCards(RULE_CATALOGUE);
}

// ---------------------------------------------------------------------------------------------------------------
// User cards

/**
 * VS Code's own files under `.vscode/` are JSON with comments and trailing commas, and users write theirs the same
 * way. Blanks out comments and trailing commas (keeping every offset) so JSON.parse positions still point into the
 * original text.
 */
export function stripJsonComments(source: string): string {
  const out = source.split('');
  let i = 0;
  let lastSignificant = -1;
  while (i < source.length) {
    const ch = source[i]!;
    if (ch === '"') {
      i++;
      while (i < source.length && source[i] !== '"') i += source[i] === '\\' ? 2 : 1;
      lastSignificant = i;
      i++;
    } else if (ch === '/' && source[i + 1] === '/') {
      while (i < source.length && source[i] !== '\n') out[i++] = ' ';
    } else if (ch === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end === -1 ? source.length : end + 2;
      for (; i < stop; i++) if (source[i] !== '\n') out[i] = ' ';
    } else {
      if ((ch === '}' || ch === ']') && lastSignificant >= 0 && source[lastSignificant] === ',') out[lastSignificant] = ' ';
      if (!/\s/.test(ch)) lastSignificant = i;
      i++;
    }
  }
  return out.join('');
}

function lineAndColumn(textValue: string, offset: number): string {
  const before = textValue.slice(0, Math.max(0, Math.min(offset, textValue.length)));
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}

/** True when `prefix` is valid JSON or fails only because it ends early: false once it holds a real error. */
function parsesUpToEnd(prefix: string): boolean {
  try {
    JSON.parse(prefix);
    return true;
  } catch (error) {
    const message = error instanceof Error ? error.message : '';
    if (/end of JSON input/.test(message)) return true;
    const position = /position (\d+)/.exec(message);
    return position !== null && Number(position[1]) >= prefix.length;
  }
}

/**
 * Node 20's JSON.parse often names no position ("Unexpected token '}', ... is not valid JSON"), so the offset of
 * the first bad character is found by bisecting on prefixes (a prefix before the error only fails by ending).
 */
function describeJsonError(error: unknown, parsedText: string, original: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const reason = message.replace(/, ".*" is not valid JSON$/s, '').replace(/ in JSON at position \d+.*$/s, '');
  let good = 0;
  let bad = parsedText.length;
  while (good < bad) {
    const middle = Math.ceil((good + bad) / 2);
    if (parsesUpToEnd(parsedText.slice(0, middle))) good = middle;
    else bad = middle - 1;
  }
  return good >= parsedText.length ? `${reason} at the end of the file` : `${reason} at ${lineAndColumn(original, good)}`;
}

/** Parses and validates the user's card file; valid items are kept even when others are rejected. */
export function parseUserCards(source: string, fileLabel = USER_CARDS_RELATIVE_PATH): DeckLoadResult {
  const problems = new Problems(fileLabel);
  const empty: Deck = { flashcards: [], quiz: [], explain: [] };
  if (source.trim() === '') return { deck: empty, errors: [] };
  let json: unknown;
  const withoutBom = source.replace(/^\uFEFF/, '');
  const parsedText = stripJsonComments(withoutBom);
  try {
    json = JSON.parse(parsedText);
  } catch (error) {
    problems.add('', `not valid JSON: ${describeJsonError(error, parsedText, withoutBom)}`);
    return { deck: empty, errors: problems.messages };
  }
  // A bare list is the quickest way to write a few flashcards.
  const root: unknown = Array.isArray(json) ? { flashcards: json } : json;
  if (!isRecord(root)) {
    problems.add('', `expected an object with "flashcards", "quiz" and/or "explain" lists, got ${describe(json)}`);
    return { deck: empty, errors: problems.messages };
  }
  checkKeys(root, ['$schema', 'flashcards', 'quiz', 'explain'], '', problems);
  const options: ReadOptions = { source: 'user', strict: false };
  // Ids must be unique within the file too: two cards with one id would share one review history.
  const section = { required: false, ids: new Set<string>() };
  const deck: Deck = {
    flashcards: readSection(root, 'flashcards', problems, (raw, path) => readFlashcard(raw, path, problems, options), section),
    quiz: readSection(root, 'quiz', problems, (raw, path) => readQuizQuestion(raw, path, problems, options), section),
    explain: readSection(root, 'explain', problems, (raw, path) => readExplainPrompt(raw, path, problems, options), section),
  };
  return { deck, errors: problems.messages };
}

// ---------------------------------------------------------------------------------------------------------------
// Merging

export interface UserCardFile {
  /** Shown in errors, e.g. `shop/.vscode/migration-cards.json`. */
  label: string;
  text: string;
}

/**
 * The whole deck: seed, then rule cards, then each user file. A user item whose id is already taken is rejected
 * with an error rather than silently replacing a built-in card (its review history would get mixed up).
 */
export function buildDeck(seed: DeckLoadResult, rules: Flashcard[], userFiles: readonly UserCardFile[]): DeckLoadResult {
  const deck: Deck = {
    flashcards: [...seed.deck.flashcards, ...rules],
    quiz: [...seed.deck.quiz],
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
  for (const item of [...deck.quiz, ...deck.explain]) claim(item.id, 'the seed deck');

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
