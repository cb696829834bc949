// Warm runs at Node's start-up cost. A `check` run with the cache on records what it printed, its exit code, the
// environment variables it read and every path the engine looked at with that path's metadata (projectFs.ts). The
// next run with the same arguments, working folder, terminal and tool looks the record up before loading the engine
// and, when every path still has the recorded metadata and every variable the recorded value, prints the recorded
// output: the same bytes the analysis would print, because the analysis is a function of exactly those inputs.
// Anything else (a changed, added or removed file, a new pyproject.toml, another NO_COLOR) runs the engine, which
// still has the analysis cache and the digest memo to make that run cheap.
//
// Like the digest memo, a record is not kept when a path it depends on was stamped within a moment of being looked
// at ("racy", racy.ts): a write in the same timestamp tick could leave the stamp unchanged.
import { existsSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { currentStamp, sameStamp, stampOf, startRecording, stopRecording, type Observations, type Stamp } from '../projectFs';
import { CACHE_FOLDER, cacheFolderStamp } from './cacheFolder';
import { isRacy } from './racy';

const FORMAT = 3;
/** Records kept per cache folder (one per distinct command line); the oldest go first. */
const MAX_RECORDS = 16;
/** Folders above the checked path searched for the cache folder: the engine's config search stops at `.git` too. */
const MAX_ANCESTORS = 64;

/** What the executable knows before loading the engine. */
export interface ReplayRequest {
  /** What the output depends on besides the recorded inputs: arguments (without --stats), folder, terminal, tool. */
  key: string;
  /** Cache folders to look in, nearest first. */
  folders: string[];
}

/** A chunk of output: 1 stdout, 2 stderr. */
export type OutputChunk = [1 | 2, string];

/**
 * The record: this JSON file, and the output's bytes in a file of their own (`.out`, read as a Buffer and written as
 * it is, never parsed), which starts with the record's token line so a pair written by two concurrent runs is refused.
 */
interface ReplayRecord {
  format: number;
  key: string;
  /** cacheFolderStamp of the folder it was written in: a record this machine did not write never matches. */
  folder: string;
  token: string;
  /** Environment variables the run read, with their values (null: unset). */
  env: [string, string | null][];
  observed: [string, Stamp][];
  /** Each chunk's stream and length in bytes, in the `.out` file after the token line. */
  output: [1 | 2, number][];
  exitCode: number;
}

export interface ReplayHit {
  output: [1 | 2, Buffer][];
  exitCode: number;
  /** Paths checked: --stats shows it. */
  observed: number;
}

interface RunContext {
  cwd: string;
  env: Record<string, string | undefined>;
  stdoutIsTTY: boolean;
  /**
   * The tool's own files (the executable, the CLI bundle, the analysis worker), by their stamps: a rebuild or
   * reinstall writes them again, so it never replays an older record.
   */
  toolFiles: readonly string[];
}

/** `--stats` only adds timings on stderr; the rest of the command line decides the output. */
function keyedArguments(argv: readonly string[]): string[] {
  return argv.filter((argument) => argument !== '--stats');
}

/** The request for a `check` command line that may have a record, else undefined (nothing is looked up). */
export function replayRequest(argv: readonly string[], context: RunContext): ReplayRequest | undefined {
  if (argv[0] !== 'check' || argv.includes('--no-cache')) return undefined;
  const tool = context.toolFiles.map((file) => stampOf('stat', file));
  return { key: JSON.stringify([FORMAT, keyedArguments(argv), context.cwd, context.stdoutIsTTY, tool]), folders: candidateFolders(argv, context) };
}

/**
 * Where the run would have put its cache: MIGRATION_GUARD_CACHE_DIR, else `.migration-guard-cache` in the working
 * folder or any folder above a path named on the command line, up to the repository's top. Where the record is
 * found does not decide whether it is used: its key and recorded inputs do.
 */
function candidateFolders(argv: readonly string[], context: RunContext): string[] {
  const configured = context.env['MIGRATION_GUARD_CACHE_DIR'];
  if (configured) return [resolve(context.cwd, configured)];
  const starts = [context.cwd, ...argv.slice(1).filter((argument) => !argument.startsWith('-')).map((argument) => resolve(context.cwd, argument))];
  const folders = new Set<string>();
  for (const start of starts) {
    let folder = start;
    for (let level = 0; level < MAX_ANCESTORS; level++) {
      const candidate = join(folder, CACHE_FOLDER);
      // Reached from an earlier path already, and so were the folders above it: pre-commit passes many files.
      if (folders.has(candidate)) break;
      folders.add(candidate);
      if (existsSync(join(folder, '.git'))) break;
      const parent = dirname(folder);
      if (parent === folder) break;
      folder = parent;
    }
  }
  return [...folders];
}

/** Two FNV-1a hashes of the key make the file name; the record holds the whole key, which must match exactly. */
function keyName(key: string): string {
  let first = 0x811c9dc5;
  let second = 0x01000193;
  for (let index = 0; index < key.length; index++) {
    const code = key.charCodeAt(index);
    first = Math.imul(first ^ code, 0x01000193) >>> 0;
    second = Math.imul(second ^ code, 0x811c9dc5 | 1) >>> 0;
  }
  return `${first.toString(16).padStart(8, '0')}${second.toString(16).padStart(8, '0')}`;
}

function recordFile(folder: string, key: string, kind: 'json' | 'out' = 'json'): string {
  return join(folder, `replay-${keyName(key)}.${kind}`);
}

function isRecord(value: unknown): value is ReplayRecord {
  const record = value as Partial<ReplayRecord> | null;
  return (
    !!record && record.format === FORMAT && typeof record.key === 'string' && typeof record.folder === 'string' && typeof record.token === 'string' && Array.isArray(record.env) &&
    Array.isArray(record.observed) && Array.isArray(record.output) && typeof record.exitCode === 'number'
  );
}

/** The recorded output when the record exists and every input is as recorded; any doubt is a miss. */
export function findReplay(request: ReplayRequest, env: Record<string, string | undefined>): ReplayHit | undefined {
  for (const folder of request.folders) {
    const file = recordFile(folder, request.key);
    if (!existsSync(file)) continue;
    let record: unknown;
    try {
      record = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      return undefined;
    }
    if (!isRecord(record) || record.key !== request.key || record.folder !== cacheFolderStamp(folder, false)) return undefined;
    for (const [name, value] of record.env) if ((env[name] ?? null) !== value) return undefined;
    for (const [observation, stamp] of record.observed) if (!sameStamp(stamp, currentStamp(observation))) return undefined;
    const output = recordedOutput(recordFile(folder, request.key, 'out'), record);
    return output && { output, exitCode: record.exitCode, observed: record.observed.length };
  }
  return undefined;
}

function recordedOutput(file: string, record: ReplayRecord): [1 | 2, Buffer][] | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined;
  }
  const head = Buffer.from(`${record.token}\n`);
  if (!bytes.subarray(0, head.length).equals(head)) return undefined;
  const chunks: [1 | 2, Buffer][] = [];
  let offset = head.length;
  for (const [stream, length] of record.output) {
    chunks.push([stream, bytes.subarray(offset, offset + length)]);
    offset += length;
  }
  return offset === bytes.length ? chunks : undefined;
}

/** Records one run: what the engine looked at (from now on), the variables read through `env`, the output. */
export class ReplayRecorder {
  private readonly startedAt = Date.now();
  private readonly envRead = new Map<string, string | null>();
  private readonly output: OutputChunk[] = [];
  private observed: Observations | undefined;

  constructor(private readonly key: string) {
    startRecording();
  }

  /** `io` with its output captured (and still written) and its environment reads noted. */
  capture<T extends { stdout(text: string): void; stderr(text: string): void; env: Record<string, string | undefined> }>(io: T): T {
    const envRead = this.envRead;
    const env = new Proxy(io.env, {
      get(target, name) {
        const value = target[name as string];
        if (typeof name === 'string' && !envRead.has(name)) envRead.set(name, value ?? null);
        return value;
      },
    });
    return {
      ...io,
      env,
      stdout: (text: string) => {
        this.output.push([1, text]);
        io.stdout(text);
      },
      stderr: (text: string) => {
        this.output.push([2, text]);
        io.stderr(text);
      },
    };
  }

  /** Ends the recording (also when the run failed: nothing is saved then). */
  stop(): void {
    this.observed ??= stopRecording();
  }

  /**
   * Saves the record in `folder` unless an input was too fresh to trust or changed during the run (a file edited
   * meanwhile, or the project folder that just got its cache folder): such a record could never be replayed.
   * Failures only mean no replay.
   */
  save(folder: string, exitCode: number): boolean {
    this.stop();
    const observed = [...(this.observed ?? [])];
    if (observed.some(([, stamp]) => Array.isArray(stamp) && isRacy({ mtimeMs: stamp[1], ctimeMs: stamp[2] }, this.startedAt))) return false;
    if (!observed.every(([observation, stamp]) => sameStamp(stamp, currentStamp(observation)))) return false;
    const folderStamp = cacheFolderStamp(folder, true);
    if (!folderStamp) return false;
    const token = `${process.pid}-${this.startedAt}-${Math.random().toString(36).slice(2)}`;
    const chunks = this.output.map(([stream, text]) => [stream, Buffer.from(text)] as const);
    const record: ReplayRecord = { format: FORMAT, key: this.key, folder: folderStamp, token, env: [...this.envRead], observed, output: chunks.map(([stream, bytes]) => [stream, bytes.length]), exitCode };
    try {
      // Write then rename, output first: a reader never sees half a file, and a record always finds its output.
      writeAtomically(recordFile(folder, this.key, 'out'), Buffer.concat([Buffer.from(`${token}\n`), ...chunks.map(([, bytes]) => bytes)]));
      writeAtomically(recordFile(folder, this.key), JSON.stringify(record));
      pruneRecords(folder);
      return true;
    } catch {
      return false;
    }
  }
}

function writeAtomically(file: string, data: string | Buffer): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, data);
  renameSync(temporary, file);
}

/** Keeps the newest MAX_RECORDS records of a folder. */
function pruneRecords(folder: string): void {
  const records = readdirSync(folder)
    .filter((name) => name.startsWith('replay-') && name.endsWith('.json'))
    .map((name) => ({ file: join(folder, name), mtime: statSync(join(folder, name), { throwIfNoEntry: false })?.mtimeMs ?? 0 }));
  if (records.length <= MAX_RECORDS) return;
  records.sort((a, b) => b.mtime - a.mtime);
  for (const { file } of records.slice(MAX_RECORDS)) {
    for (const stale of [file, file.replace(/\.json$/, '.out')]) {
      try {
        unlinkSync(stale);
      } catch {
        // Another run removed it first.
      }
    }
  }
}
