// Warm runs without reading every file: each migration's content digest is remembered together with the file's
// metadata (size, mtime, ctime, inode), like ESLint's `--cache-strategy metadata` and ruff's cache. A file whose
// metadata still matches is not read; any other file is read and hashed, so the analysis key stays a function of
// the files' contents. ctime is part of the stamp because no tool can set it back: an edit that keeps the size and
// restores the old mtime still changes it.
//
// "Racy" files (git's term): a file written in the same timestamp tick as the moment its metadata was taken could be
// written again without its stamp changing. Such a file's digest is not remembered; the next run reads it again.
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync, type Stats } from 'node:fs';
import { isRacy } from './racy';

const FORMAT = 2;

/** A memo entry: size, mtimeMs, ctimeMs, inode, digest, line count. */
type Remembered = [number, number, number, number, string, number];

export interface KnownDigest {
  digest: string;
  lines: number;
}

export function contentDigest(text: string): string {
  return createHash('sha256').update(text).digest('base64');
}

export function countLines(text: string): number {
  let lines = 1;
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) lines++;
  return lines;
}

function sameStamp(entry: Remembered, stats: Stats): boolean {
  return entry[0] === stats.size && entry[1] === stats.mtimeMs && entry[2] === stats.ctimeMs && entry[3] === Number(stats.ino);
}

/** The remembered digests of one project's migration files (one memo file per project, next to its analysis entry). */
export class DigestMemo {
  private readonly next = new Map<string, Remembered>();
  private changed = false;

  private constructor(
    private readonly file: string,
    private readonly folderStamp: string | undefined,
    private readonly previous: ReadonlyMap<string, Remembered>,
  ) {}

  /**
   * Any failure to read the memo only means every file is read. `folderStamp` (cacheFolder.ts): a memo written
   * for another folder identity, such as one committed to the repository, is ignored; without one, nothing is kept.
   */
  static load(file: string, folderStamp: string | undefined): DigestMemo {
    let previous = new Map<string, Remembered>();
    try {
      const stored = JSON.parse(readFileSync(file, 'utf8')) as { format?: unknown; folder?: unknown; files?: unknown };
      if (folderStamp !== undefined && stored.format === FORMAT && stored.folder === folderStamp && stored.files && typeof stored.files === 'object') {
        previous = new Map(Object.entries(stored.files as Record<string, unknown>).filter((entry): entry is [string, Remembered] => isRemembered(entry[1])));
      }
    } catch {
      // No memo yet, or an unreadable one.
    }
    return new DigestMemo(file, folderStamp, previous);
  }

  /** The digest of `absolute` when its metadata is the remembered one. */
  lookup(absolute: string, stats: Stats): KnownDigest | undefined {
    const entry = this.previous.get(absolute);
    if (!entry || !sameStamp(entry, stats)) return undefined;
    this.next.set(absolute, entry);
    return { digest: entry[4], lines: entry[5] };
  }

  /** Records the digest of a file just read; `stats` were taken before reading it, at `statTakenAt`. */
  remember(absolute: string, stats: Stats, statTakenAt: number, known: KnownDigest): void {
    if (isRacy(stats, statTakenAt)) {
      if (this.previous.has(absolute)) this.changed = true;
      return;
    }
    this.next.set(absolute, [stats.size, stats.mtimeMs, stats.ctimeMs, Number(stats.ino), known.digest, known.lines]);
    this.changed = true;
  }

  /** Writes the files seen in this run into the existing cache folder (write then rename; a failure only means a slower next run). */
  save(): void {
    if (this.folderStamp === undefined || (!this.changed && this.next.size === this.previous.size)) return;
    try {
      const temporary = `${this.file}.${process.pid}.tmp`;
      writeFileSync(temporary, JSON.stringify({ format: FORMAT, folder: this.folderStamp, files: Object.fromEntries(this.next) }));
      renameSync(temporary, this.file);
    } catch {
      // A read-only checkout reads every file every time.
    }
  }
}

function isRemembered(value: unknown): value is Remembered {
  return (
    Array.isArray(value) && value.length === 6 &&
    typeof value[0] === 'number' && typeof value[1] === 'number' && typeof value[2] === 'number' && typeof value[3] === 'number' &&
    typeof value[4] === 'string' && typeof value[5] === 'number'
  );
}
