// The one door through which the engine looks at a project's files: the same functions as node:fs, which, while a
// `check` run is being recorded (cache/replay.ts), also note every path they were asked about and the path's
// metadata at that moment, taken before the call itself. A later run whose paths all still have that metadata would
// read the same bytes and list the same folders, so it may print the recorded output instead of analysing again.
// A folder's metadata covers its listing (adding, removing or renaming an entry changes its mtime and ctime), and a
// path that did not exist is noted as absent, so a pyproject.toml or a migration created later is noticed too.
//
// The structure test (test/unit/structure/layering.test.ts) keeps every other engine module off node:fs's reading
// functions, so nothing the analysis depends on can escape the record. Writers (the caches, the baseline) and the
// caches' own reads of their folders stay on node:fs: they are not inputs of the analysis.
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';

/** How a path was looked at: `stat` follows links (also for reads, listings and realpath), `lstat` does not. */
export type ObservationKind = 'stat' | 'lstat';

/** A path's metadata: [size, mtimeMs, ctimeMs, inode, mode], `null` when absent, or the error code that stopped the stat. */
export type Stamp = [number, number, number, number, number] | null | string;

/** Observations keyed by `${kind}:${path}`; the first one of a run is what the run saw. */
export type Observations = Map<string, Stamp>;

let recording: Observations | undefined;

/** The metadata of `path` now, without throwing. */
export function stampOf(kind: ObservationKind, path: string): Stamp {
  try {
    const stats = kind === 'lstat' ? fs.lstatSync(path, { throwIfNoEntry: false }) : fs.statSync(path, { throwIfNoEntry: false });
    return stats ? [stats.size, stats.mtimeMs, stats.ctimeMs, Number(stats.ino), stats.mode] : null;
  } catch (error) {
    return String((error as NodeJS.ErrnoException).code ?? 'EUNKNOWN');
  }
}

/** Whether two stamps say the same: same kind of answer, and for a present path the same five numbers. */
export function sameStamp(recorded: Stamp, now: Stamp): boolean {
  if (recorded === null || typeof recorded === 'string' || now === null || typeof now === 'string') return recorded === now;
  return recorded[0] === now[0] && recorded[1] === now[1] && recorded[2] === now[2] && recorded[3] === now[3] && recorded[4] === now[4];
}

/** The stamp now of an observation, by its key in Observations. */
export function currentStamp(observation: string): Stamp {
  const colon = observation.indexOf(':');
  return stampOf(observation.slice(0, colon) as ObservationKind, observation.slice(colon + 1));
}

function observe(kind: ObservationKind, path: fs.PathLike): void {
  if (!recording) return;
  // The engine passes strings; a URL or Buffer is noted under the same path, so no input escapes the record.
  const text = typeof path === 'string' ? path : path instanceof URL ? fileURLToPath(path) : path.toString();
  const key = `${kind}:${text}`;
  if (!recording.has(key)) recording.set(key, stampOf(kind, text));
}

/** Starts noting what the engine looks at; `stopRecording` returns it. One recording at a time (one CLI run). */
export function startRecording(): void {
  recording = new Map();
}

export function stopRecording(): Observations {
  const observed = recording ?? new Map<string, Stamp>();
  recording = undefined;
  return observed;
}

export const existsSync: typeof fs.existsSync = (path) => {
  if (path !== undefined) observe('stat', path as fs.PathLike);
  return fs.existsSync(path);
};

export const statSync = ((path: fs.PathLike, options?: fs.StatSyncOptions) => {
  observe('stat', path);
  return fs.statSync(path, options);
}) as typeof fs.statSync;

export const lstatSync = ((path: fs.PathLike, options?: fs.StatSyncOptions) => {
  observe('lstat', path);
  return fs.lstatSync(path, options);
}) as typeof fs.lstatSync;

export const readdirSync = ((path: fs.PathLike, options?: Parameters<typeof fs.readdirSync>[1]) => {
  observe('stat', path);
  return fs.readdirSync(path, options as undefined);
}) as typeof fs.readdirSync;

export const readFileSync = ((path: fs.PathOrFileDescriptor, options?: Parameters<typeof fs.readFileSync>[1]) => {
  if (typeof path === 'string') observe('stat', path);
  return fs.readFileSync(path, options);
}) as typeof fs.readFileSync;

export const realpathSync = ((path: fs.PathLike, options?: Parameters<typeof fs.realpathSync>[1]) => {
  observe('stat', path);
  return fs.realpathSync(path, options);
}) as typeof fs.realpathSync;

export const openSync: typeof fs.openSync = (path, flags, mode) => {
  observe('stat', path);
  return fs.openSync(path, flags as fs.OpenMode, mode);
};

// Reading from a descriptor opened above needs no note of its own.
export { closeSync, fstatSync, readSync, type Dirent, type Stats } from 'node:fs';
