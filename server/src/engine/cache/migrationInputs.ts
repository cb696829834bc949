// The migration files of one `check` run. Without the cache every file is read. With it, a file whose metadata the
// digest memo vouches for is only stat'ed: its digest (for the analysis key) and line count come from the memo, and
// its text is read later only if it is needed (a cache miss, the baseline, SARIF fingerprints).
import { statSync } from '../projectFs';
import type { SourceFile } from '../analyze';
import { displayPath, readSourceFile } from '../files';
import { contentDigest, countLines, type DigestMemo } from './fileDigests';

export interface MigrationInput {
  absolute: string;
  /** As shown and as the engine names it (displayPath). */
  path: string;
  lines: number;
  /** Set with the cache on. */
  digest?: string;
  /** Absent until read when the memo vouched for the file. */
  text?: string;
}

export interface UnreadableMigration {
  absolute: string;
  path: string;
  message: string;
}

export class MigrationInputs {
  private readonly byPath = new Map<string, MigrationInput>();
  /** How many files were read (the rest were vouched for by the memo): `--stats` shows it. */
  readCount = 0;

  private constructor(
    /** The readable files, in the order given. */
    readonly files: MigrationInput[],
    readonly unreadable: UnreadableMigration[],
    private readonly memo: DigestMemo | undefined,
  ) {
    for (const file of files) {
      this.byPath.set(file.path, file);
      if (file.text !== undefined) this.readCount++;
    }
  }

  /** Reads (or, with a memo, stats) every file of `absolutes`. */
  static read(absolutes: readonly string[], cwd: string, memo?: DigestMemo): MigrationInputs {
    const files: MigrationInput[] = [];
    const unreadable: UnreadableMigration[] = [];
    // Taken once, before any stat: an earlier time only makes more files count as racy.
    const statTakenAt = Date.now();
    for (const absolute of absolutes) {
      const path = displayPath(absolute, cwd);
      const stats = memo ? statSync(absolute, { throwIfNoEntry: false }) : undefined;
      const known = stats?.isFile() ? memo?.lookup(absolute, stats) : undefined;
      if (known) {
        files.push({ absolute, path, lines: known.lines, digest: known.digest });
        continue;
      }
      const read = readSourceFile(absolute);
      if (!read.ok) {
        unreadable.push({ absolute, path, message: read.message });
        continue;
      }
      const input: MigrationInput = { absolute, path, text: read.text, lines: countLines(read.text) };
      if (memo) {
        input.digest = contentDigest(read.text);
        // Stats taken before the read: a write after them changes them, so the next run reads the file again.
        if (stats?.isFile()) memo.remember(absolute, stats, statTakenAt, { digest: input.digest, lines: input.lines });
      }
      files.push(input);
    }
    return new MigrationInputs(files, unreadable, memo);
  }

  get lineCount(): number {
    return this.files.reduce((sum, file) => sum + file.lines, 0);
  }

  /**
   * Every readable file with its text, reading now those only stat'ed so far. A file that changed since (its
   * digest differs) gets its new digest, so a result is never stored under the key of content it was not computed
   * from; one that became unreadable is moved to `unreadable`.
   */
  sources(): SourceFile[] {
    const sources: SourceFile[] = [];
    for (const file of [...this.files]) {
      const text = this.textOf(file.path);
      if (text === undefined) continue;
      sources.push({ path: file.path, text });
    }
    return sources;
  }

  /** The content digest of a readable file (with the cache on), as of its last read. */
  digestOf(path: string): string | undefined {
    return this.byPath.get(path)?.digest;
  }

  /** The text of a readable file (read on first use when only stat'ed); undefined for other paths. */
  textOf(path: string): string | undefined {
    const file = this.byPath.get(path);
    if (!file) return undefined;
    if (file.text !== undefined) return file.text;
    const read = readSourceFile(file.absolute);
    if (!read.ok) {
      this.files.splice(this.files.indexOf(file), 1);
      this.byPath.delete(path);
      this.unreadable.push({ absolute: file.absolute, path, message: read.message });
      return undefined;
    }
    this.readCount++;
    file.text = read.text;
    file.lines = countLines(read.text);
    if (file.digest !== undefined) file.digest = contentDigest(read.text);
    return file.text;
  }

  /** Saves the memo of digests (with the cache on). */
  saveMemo(): void {
    this.memo?.save();
  }
}
