// Review progress persisted through a Memento (the extension's globalState), written after every answer so closing
// the editor mid-session loses nothing. The stored shape is versioned; whatever is read back is checked field by
// field, because globalState survives extension updates and may hold anything an older or newer version wrote.
import { isRecord } from '../isRecord';
import { GRADE_NAMES, type GradeName } from './protocol';

/** The part of `vscode.Memento` the store needs, so tests can pass an in-memory double. */
export interface MementoLike {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void>;
}

export const PROGRESS_KEY = 'migrationGuard.review.progress';
const PROGRESS_SCHEMA_VERSION = 1;

/** ts-fsrs card fields with dates as epoch milliseconds (JSON-safe). */
export interface StoredCard {
  due: number;
  stability: number;
  difficulty: number;
  elapsedDays: number;
  scheduledDays: number;
  learningSteps: number;
  reps: number;
  lapses: number;
  /** ts-fsrs State: 0 New, 1 Learning, 2 Review, 3 Relearning. */
  state: number;
  lastReview?: number;
}

export interface ReviewRecord {
  cardId: string;
  grade: GradeName;
  at: number;
  /** ts-fsrs State of the card before this answer (retention counts answers given in state Review). */
  stateBefore: number;
}

/** Enough to take an answer back exactly: the card as it was before (null: it had never been answered). */
export interface UndoEntry {
  cardId: string;
  at: number;
  previous: StoredCard | null;
}

export interface QuizRecord {
  attempts: number;
  correct: number;
  lastAt: number;
}

export interface ExplainRecord {
  attempts: number;
  lastScore: number;
  bestScore: number;
  total: number;
  lastCovered: string[];
  lastAt: number;
}

export interface Progress {
  schemaVersion: typeof PROGRESS_SCHEMA_VERSION;
  cards: Record<string, StoredCard>;
  reviews: ReviewRecord[];
  undo: UndoEntry[];
  quiz: Record<string, QuizRecord>;
  explain: Record<string, ExplainRecord>;
}

/** Records without a prototype, so ids such as `constructor` can never reach Object.prototype. */
export function emptyRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

export function emptyProgress(): Progress {
  return {
    schemaVersion: PROGRESS_SCHEMA_VERSION,
    cards: emptyRecord(),
    reviews: [],
    undo: [],
    quiz: emptyRecord(),
    explain: emptyRecord(),
  };
}

export function ownValue<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Reading back what was stored

function finite(value: unknown, min = -Infinity): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= min;
}

function isState(value: unknown): value is number {
  return value === 0 || value === 1 || value === 2 || value === 3;
}

function readCard(value: unknown): StoredCard | undefined {
  if (!isRecord(value)) return undefined;
  const { due, stability, difficulty, elapsedDays, scheduledDays, learningSteps, reps, lapses, state, lastReview } = value;
  if (
    !finite(due, 0) ||
    !finite(stability, 0) ||
    !finite(difficulty, 0) ||
    !finite(elapsedDays, 0) ||
    !finite(scheduledDays, 0) ||
    !finite(learningSteps, 0) ||
    !finite(reps, 0) ||
    !finite(lapses, 0) ||
    !isState(state) ||
    (lastReview !== undefined && !finite(lastReview, 0))
  ) {
    return undefined;
  }
  const card: StoredCard = { due, stability, difficulty, elapsedDays, scheduledDays, learningSteps, reps, lapses, state };
  if (lastReview !== undefined) card.lastReview = lastReview;
  return card;
}

function isGrade(value: unknown): value is GradeName {
  return typeof value === 'string' && (GRADE_NAMES as readonly string[]).includes(value);
}

function readReview(value: unknown): ReviewRecord | undefined {
  if (!isRecord(value)) return undefined;
  const { cardId, grade, at, stateBefore } = value;
  if (typeof cardId !== 'string' || !isGrade(grade) || !finite(at, 0) || !isState(stateBefore)) return undefined;
  return { cardId, grade, at, stateBefore };
}

function readUndo(value: unknown): UndoEntry | undefined {
  if (!isRecord(value) || typeof value.cardId !== 'string' || !finite(value.at, 0)) return undefined;
  if (value.previous === null) return { cardId: value.cardId, at: value.at, previous: null };
  const previous = readCard(value.previous);
  return previous ? { cardId: value.cardId, at: value.at, previous } : undefined;
}

function readQuiz(value: unknown): QuizRecord | undefined {
  if (!isRecord(value)) return undefined;
  const { attempts, correct, lastAt } = value;
  if (!finite(attempts, 0) || !finite(correct, 0) || !finite(lastAt, 0) || correct > attempts) return undefined;
  return { attempts, correct, lastAt };
}

function readExplain(value: unknown): ExplainRecord | undefined {
  if (!isRecord(value)) return undefined;
  const { attempts, lastScore, bestScore, total, lastCovered, lastAt } = value;
  if (!finite(attempts, 0) || !finite(lastScore, 0) || !finite(bestScore, 0) || !finite(total, 0) || !finite(lastAt, 0)) {
    return undefined;
  }
  if (!Array.isArray(lastCovered) || !lastCovered.every((id) => typeof id === 'string')) return undefined;
  return { attempts, lastScore, bestScore, total, lastCovered: [...lastCovered], lastAt };
}

/** What could not be read, exactly as stored: kept through every save and copied to the backup key once. */
export interface UnreadableProgress {
  /** Entries of the maps (cards, quiz, explain) by key. */
  entries: Record<MapSection, Record<string, unknown>>;
  /** Items of the lists (reviews, undo). */
  items: Record<ListSection, unknown[]>;
  /** Sections, or the whole value, that could not be read at all (only the backup keeps these). */
  wholesale: boolean;
}

type MapSection = 'cards' | 'quiz' | 'explain';
type ListSection = 'reviews' | 'undo';

function noUnreadable(): UnreadableProgress {
  return { entries: { cards: emptyRecord(), quiz: emptyRecord(), explain: emptyRecord() }, items: { reviews: [], undo: [] }, wholesale: false };
}

export function hasUnreadable(unreadable: UnreadableProgress): boolean {
  return unreadable.wholesale || Object.values(unreadable.entries).some((entries) => Object.keys(entries).length > 0) || Object.values(unreadable.items).some((items) => items.length > 0);
}

function readMap<T>(value: unknown, read: (v: unknown) => T | undefined, what: string, warnings: string[], unreadable: Record<string, unknown>, skipped: UnreadableProgress): Record<string, T> {
  const result = emptyRecord<T>();
  if (value === undefined) return result;
  if (!isRecord(value)) {
    warnings.push(`stored ${what} were unreadable and were reset`);
    skipped.wholesale = true;
    return result;
  }
  let dropped = 0;
  for (const [key, entry] of Object.entries(value)) {
    const item = read(entry);
    if (item) result[key] = item;
    else {
      dropped++;
      unreadable[key] = entry;
    }
  }
  if (dropped > 0) warnings.push(`${dropped} unreadable stored ${what} were dropped`);
  return result;
}

function readList<T>(value: unknown, read: (v: unknown) => T | undefined, what: string, warnings: string[], unreadable: unknown[], skipped: UnreadableProgress): T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    warnings.push(`stored ${what} were unreadable and were reset`);
    skipped.wholesale = true;
    return [];
  }
  const items: T[] = [];
  for (const entry of value) {
    const item = read(entry);
    if (item !== undefined) items.push(item);
    else unreadable.push(entry);
  }
  if (items.length < value.length) warnings.push(`${value.length - items.length} unreadable stored ${what} were dropped`);
  return items;
}

export interface LoadedProgress {
  progress: Progress;
  warnings: string[];
  /** True when a newer version of the extension wrote the progress: it is not overwritten. */
  readOnly: boolean;
  /** What could not be read, as stored. */
  unreadable: UnreadableProgress;
}

/** Turns whatever is stored under the key into valid progress, keeping every part that can still be read. */
export function readProgress(stored: unknown): LoadedProgress {
  const unreadable = noUnreadable();
  if (stored === undefined) return { progress: emptyProgress(), warnings: [], readOnly: false, unreadable };
  const warnings: string[] = [];
  if (!isRecord(stored) || typeof stored.schemaVersion !== 'number') {
    unreadable.wholesale = true;
    return { progress: emptyProgress(), warnings: ['stored review progress was unreadable and was reset'], readOnly: false, unreadable };
  }
  if (stored.schemaVersion > PROGRESS_SCHEMA_VERSION) {
    return {
      progress: emptyProgress(),
      warnings: [
        `review progress was saved by a newer version of the extension (schema ${stored.schemaVersion}); ` +
          'it is left untouched and this session is not saved',
      ],
      readOnly: true,
      unreadable,
    };
  }
  const progress: Progress = {
    schemaVersion: PROGRESS_SCHEMA_VERSION,
    cards: readMap(stored.cards, readCard, 'cards', warnings, unreadable.entries.cards, unreadable),
    reviews: readList(stored.reviews, readReview, 'reviews', warnings, unreadable.items.reviews, unreadable),
    undo: readList(stored.undo, readUndo, 'undo entries', warnings, unreadable.items.undo, unreadable),
    quiz: readMap(stored.quiz, readQuiz, 'quiz results', warnings, unreadable.entries.quiz, unreadable),
    explain: readMap(stored.explain, readExplain, 'explain results', warnings, unreadable.entries.explain, unreadable),
  };
  return { progress, warnings, readOnly: false, unreadable };
}

/**
 * Loads and saves review progress under one globalState key. What could not be read is never lost: a copy of the
 * stored value goes to `<key>.backup` before anything is written over it (the user is told once), and unreadable
 * entries are written back untouched with every save, so a newer or repaired extension can still read them.
 */
export class ProgressStore {
  private readOnly = false;
  private unreadable = noUnreadable();
  private pendingBackup: PromiseLike<void> | undefined;

  constructor(
    private readonly memento: MementoLike,
    private readonly key = PROGRESS_KEY,
  ) {}

  get backupKey(): string {
    return `${this.key}.backup`;
  }

  /** Reads the latest stored progress (another window may have written since the last call). */
  load(): LoadedProgress {
    const stored = this.memento.get<unknown>(this.key);
    const loaded = readProgress(stored);
    this.readOnly = loaded.readOnly;
    this.unreadable = loaded.unreadable;
    if (loaded.readOnly || !hasUnreadable(loaded.unreadable)) return loaded;
    // The same unreadable content as the backup already holds: the user was told when it was made.
    const signature = JSON.stringify(loaded.unreadable);
    if (this.memento.get<{ unreadable?: string }>(this.backupKey)?.unreadable === signature) return { ...loaded, warnings: [] };
    const backup: StoredBackup = { savedAt: Date.now(), unreadable: signature, value: JSON.parse(JSON.stringify(stored ?? null)) as unknown };
    this.pendingBackup = this.memento.update(this.backupKey, backup);
    loaded.warnings.push(`a copy of the stored progress as it was is kept in the extension's global state under "${this.backupKey}"`);
    return loaded;
  }

  /** Writes the progress; returns false when it was not written because a newer version owns the stored data. */
  async save(progress: Progress): Promise<boolean> {
    if (this.readOnly) return false;
    // The backup must be in place before the value it copies is replaced.
    if (this.pendingBackup) await this.pendingBackup;
    this.pendingBackup = undefined;
    // A plain JSON copy: Mementos serialise anyway, and this detaches the stored value from live objects.
    const value = JSON.parse(JSON.stringify(progress)) as Record<string, unknown>;
    keepUnreadable(value, this.unreadable);
    await this.memento.update(this.key, value);
    return true;
  }

}

/** The backup of progress that could not be read in full. */
interface StoredBackup {
  savedAt: number;
  /** What could not be read (JSON): the same again later needs no new backup and no new notice. */
  unreadable: string;
  /** The stored value as it was. */
  value: unknown;
}

/** Puts the unreadable entries back beside the readable ones (a readable entry of the same key wins). */
function keepUnreadable(value: Record<string, unknown>, unreadable: UnreadableProgress): void {
  for (const [section, entries] of Object.entries(unreadable.entries)) {
    const target = value[section] as Record<string, unknown>;
    for (const [key, entry] of Object.entries(entries)) {
      // defineProperty, not assignment: a key such as `__proto__` stays an entry.
      if (!Object.prototype.hasOwnProperty.call(target, key)) Object.defineProperty(target, key, { value: entry, enumerable: true, writable: true, configurable: true });
    }
  }
  for (const [section, items] of Object.entries(unreadable.items)) {
    if (items.length > 0) value[section] = [...items, ...(value[section] as unknown[])];
  }
}
