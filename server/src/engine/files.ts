// Finds migration files (and the Django settings files used for database detection) below the paths a user
// names, and reads them defensively: an unreadable, binary, non-UTF-8 or oversized file becomes a clear error
// entry instead of a crash, and special files (FIFOs, sockets) are never opened, so nothing can hang.
import { closeSync, existsSync, fstatSync, lstatSync, openSync, readdirSync, readSync, realpathSync, statSync, type Stats } from './projectFs';
import { basename, dirname, isAbsolute, join, normalize, relative, resolve, sep } from 'node:path';
import { ProjectLayout } from './django/projectLayout';

/** Folders that never hold a project's own migrations. */
const SKIPPED_FOLDERS = new Set(['node_modules', 'bower_components', '__pycache__', 'venv', 'site-packages', 'dist-packages']);

/** Files larger than this are reported instead of parsed (a migration is rarely over 1 MB). */
const MAX_FILE_BYTES = 16 * 1024 * 1024;

export interface DiscoveredFiles {
  /** Absolute paths of migration files by Django's conventions (`<app>/migrations/<name>.py`), sorted. */
  migrations: string[];
  /** Absolute paths of Django settings files, sorted. */
  settings: string[];
  /** Absolute paths of the apps' `apps.py` files (their AppConfig labels name the apps), sorted. */
  appConfigs: string[];
  /** Every folder walked (absolute), where a MIGRATION_MODULES package may be found. */
  folders: string[];
  /** Files named explicitly that are not migrations (not directly inside a `migrations/` folder). */
  notMigrations: string[];
  /** `migrations/` folders that could not be listed, with the reason. */
  unreadableFolders: { path: string; message: string }[];
}

export class PathNotFoundError extends Error {
  constructor(readonly path: string) {
    super(`no such file or directory: ${path}`);
    this.name = 'PathNotFoundError';
  }
}

function toSlashes(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

/** True for `<app>/migrations/<name>.py` as Django loads it (no `__init__.py`, no `_private.py`), before any settings are read. */
function isMigrationPath(path: string): boolean {
  return ProjectLayout.CONVENTIONAL.isMigrationPath(toSlashes(path));
}

/** `settings.py`, `settings_<env>.py`, or any module of a `settings/` package. */
export function isSettingsPath(path: string): boolean {
  const parts = toSlashes(path).split('/');
  const name = parts[parts.length - 1] ?? '';
  if (!name.endsWith('.py')) return false;
  if (name === 'settings.py' || /^settings_\w+\.py$/.test(name)) return true;
  return parts[parts.length - 2] === 'settings';
}

/** Hidden folders and folders of installed packages: never a project's own code (the LSP and the client's manage.py search skip them too). */
export function isSkippedFolderName(name: string): boolean {
  return name.startsWith('.') || SKIPPED_FOLDERS.has(name);
}

function isSkippedFolder(name: string, fullPath: string): boolean {
  if (isSkippedFolderName(name)) return true;
  // Any virtualenv, whatever its name, has a pyvenv.cfg at its top.
  return existsSync(join(fullPath, 'pyvenv.cfg'));
}

/** Bounds on a walk: a named folder holding `/` or a home folder must not keep `check` busy for ever. */
const MAX_WALKED_FOLDERS = 50_000;
const MAX_WALK_DEPTH = 64;

interface WalkBounds {
  /** Real paths of the folders the user named: a symlink may lead anywhere below them, never elsewhere. */
  roots: string[];
  visited: Set<string>;
  foldersLeft: number;
}

function isInsideAny(real: string, roots: readonly string[]): boolean {
  return roots.some((root) => real === root || real.startsWith(root.endsWith(sep) ? root : `${root}${sep}`));
}

/** The real path of a link's target when it stays below the named folders, else undefined (or when it cannot be resolved). */
function realTargetInside(path: string, bounds: WalkBounds): string | undefined {
  try {
    const real = realpathSync(path);
    return isInsideAny(real, bounds.roots) ? real : undefined;
  } catch {
    return undefined;
  }
}

function walk(folder: string, found: DiscoveredFiles, bounds: WalkBounds, depth = 0): void {
  if (bounds.foldersLeft <= 0 || depth > MAX_WALK_DEPTH) return;
  bounds.foldersLeft--;
  found.folders.push(folder);
  let entries;
  try {
    entries = readdirSync(folder, { withFileTypes: true });
  } catch (error) {
    // Other unreadable folders cannot hold anything we could read; a migrations folder is worth a word.
    if (basename(folder) === 'migrations') {
      const code = (error as NodeJS.ErrnoException).code;
      found.unreadableFolders.push({ path: folder, message: `cannot list this migrations folder: ${code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (error as Error).message}` });
    }
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // `folder` is normalised and an entry name holds no separator: concatenation is join without its normalisation.
  const prefix = folder.endsWith(sep) ? folder : `${folder}${sep}`;
  for (const entry of entries) {
    const full = `${prefix}${entry.name}`;
    let isDirectory = entry.isDirectory();
    if (entry.isSymbolicLink()) {
      // Follow links, but only once per real folder, so a link cycle cannot loop forever.
      let target: Stats;
      try {
        target = statSync(full);
      } catch {
        if (isMigrationPath(full)) found.migrations.push(full); // dangling link: reported when read
        continue;
      }
      isDirectory = target.isDirectory();
      if (!realTargetInside(full, bounds)) continue; // a link out of the named folders is never followed
    }
    if (isDirectory) {
      if (isSkippedFolder(entry.name, full)) continue;
      if (isMigrationPath(full)) {
        found.migrations.push(full); // a folder named x.py: reported as an error when read
        continue;
      }
      let real: string;
      try {
        real = realpathSync(full);
      } catch {
        continue;
      }
      if (bounds.visited.has(real)) continue;
      bounds.visited.add(real);
      walk(full, found, bounds, depth + 1);
    } else if (isMigrationPath(full)) {
      found.migrations.push(full);
    } else if (isSettingsPath(full)) {
      found.settings.push(full);
    } else if (entry.name === 'apps.py') {
      found.appConfigs.push(full);
    }
  }
}

/**
 * Settings files next to the nearest manage.py above `start`, for when the named paths are below the project
 * (e.g. `check shop/migrations`) and hold no settings themselves.
 */
function settingsNearManagePy(start: string): string[] {
  let folder = start;
  for (let depth = 0; depth < 64; depth++) {
    if (existsSync(join(folder, 'manage.py'))) {
      const found = emptyDiscovery();
      for (const entry of safeReaddir(folder)) {
        const full = join(folder, entry);
        if (isSettingsPath(full)) found.settings.push(full);
        else if (!isSkippedFolder(entry, full) && isDirectoryPath(full)) {
          for (const inner of safeReaddir(full)) {
            const innerPath = join(full, inner);
            if (isSettingsPath(innerPath)) found.settings.push(innerPath);
            else if (inner === 'settings' && isDirectoryPath(innerPath)) {
              for (const module of safeReaddir(innerPath)) if (module.endsWith('.py')) found.settings.push(join(innerPath, module));
            }
          }
        }
      }
      return found.settings;
    }
    const parent = dirname(folder);
    if (parent === folder) break;
    folder = parent;
  }
  return [];
}

function safeReaddir(folder: string): string[] {
  try {
    return readdirSync(folder).sort();
  } catch {
    return [];
  }
}

function isDirectoryPath(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Migration and settings files below the given paths (files or folders). Folders are walked; a named file is
 * sorted into migrations, settings or notMigrations. Throws PathNotFoundError for a path that does not exist.
 */
export function discoverFiles(paths: string[], cwd: string): DiscoveredFiles {
  const found = emptyDiscovery();
  const bounds: WalkBounds = { roots: [], visited: new Set(), foldersLeft: MAX_WALKED_FOLDERS };
  for (const given of paths) {
    try {
      if (isDirectoryPath(resolve(cwd, given))) bounds.roots.push(realpathSync(resolve(cwd, given)));
    } catch {
      // reported below as not found
    }
  }
  for (const given of paths) {
    const full = resolve(cwd, given);
    let stats: Stats;
    try {
      stats = lstatSync(full);
    } catch {
      throw new PathNotFoundError(given);
    }
    if (stats.isDirectory() || (stats.isSymbolicLink() && isDirectoryPath(full))) {
      if (isMigrationPath(full)) {
        found.migrations.push(full);
      } else {
        bounds.visited.add(realpathSync(full));
        walk(full, found, bounds);
        if (bounds.foldersLeft <= 0) found.unreadableFolders.push({ path: full, message: `stopped after walking ${MAX_WALKED_FOLDERS} folders: name a smaller folder` });
      }
    } else if (isMigrationPath(full)) {
      found.migrations.push(full);
    } else if (isSettingsPath(full)) {
      found.settings.push(full);
    } else {
      found.notMigrations.push(full);
    }
  }
  if (found.settings.length === 0 && paths.length > 0) {
    found.settings.push(...settingsNearManagePy(resolve(cwd, paths[0]!)));
  }
  // A migration named on its own still gets its app's label: the apps.py of the package its folder is in.
  for (const migration of [...found.migrations, ...found.notMigrations]) {
    const appConfig = join(dirname(dirname(migration)), 'apps.py');
    if (existsSync(appConfig)) found.appConfigs.push(appConfig);
  }
  found.migrations = [...new Set(found.migrations)].sort();
  found.settings = [...new Set(found.settings)].sort();
  found.appConfigs = [...new Set(found.appConfigs)].sort();
  return found;
}

function emptyDiscovery(): DiscoveredFiles {
  return { migrations: [], settings: [], appConfigs: [], folders: [], notMigrations: [], unreadableFolders: [] };
}

/**
 * The migration files once the project's layout is known: the conventional ones it keeps, plus the modules of the
 * packages MIGRATION_MODULES moves them to (found among the walked folders), plus named files it recognises.
 * `discovered.notMigrations` loses the named files that turn out to be migrations.
 */
export function migrationFilesOf(discovered: DiscoveredFiles, layout: ProjectLayout): string[] {
  const files = new Set<string>();
  /** Labels whose MIGRATION_MODULES package was found: Django then ignores the app's own migrations/ folder. */
  const movedLabels = new Set<string>();
  if (layout.movedFolders.length > 0) {
    for (const folder of discovered.folders) {
      const moved = layout.movedFolders.find((candidate) => toSlashes(folder).endsWith(`/${candidate.suffix}`));
      if (!moved) continue;
      movedLabels.add(moved.label);
      for (const name of safeReaddir(folder)) {
        const full = join(folder, name);
        if (layout.isMigrationPath(toSlashes(full)) && !isDirectoryPath(full)) files.add(full);
      }
    }
  }
  for (const path of discovered.migrations) {
    const identity = layout.identify(toSlashes(path));
    if (identity && (!movedLabels.has(identity.app) || files.has(path))) files.add(path);
  }
  discovered.notMigrations = discovered.notMigrations.filter((path) => {
    if (!layout.isMigrationPath(toSlashes(path))) return true;
    files.add(path);
    return false;
  });
  return [...files].sort();
}

export type ReadResult = { ok: true; text: string } | { ok: false; message: string };

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** 1-based line of the first byte that breaks UTF-8, for a message the user can act on. */
function firstInvalidUtf8Line(bytes: Uint8Array): number {
  let line = 1;
  let i = 0;
  while (i < bytes.length) {
    const byte = bytes[i]!;
    if (byte === 0x0a) line++;
    const length = byte < 0x80 ? 1 : byte >= 0xc2 && byte <= 0xdf ? 2 : byte >= 0xe0 && byte <= 0xef ? 3 : byte >= 0xf0 && byte <= 0xf4 ? 4 : 0;
    if (length === 0) return line;
    for (let k = 1; k < length; k++) {
      const next = bytes[i + k];
      if (next === undefined || (next & 0xc0) !== 0x80) return line;
    }
    i += length;
  }
  return line;
}

function describeReadError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'cannot read file: permission denied';
    case 'EISDIR':
      return 'cannot read file: it is a directory';
    case 'ENOENT':
      return 'cannot read file: it does not exist (a dangling link?)';
    case 'ELOOP':
      return 'cannot read file: too many levels of symbolic links';
    default:
      return `cannot read file: ${(error as Error).message}`;
  }
}

/** Reads a source file as strict UTF-8; every failure is a message, never an exception. */
export function readSourceFile(path: string, maxBytes = MAX_FILE_BYTES): ReadResult {
  let descriptor: number | undefined;
  try {
    // Check the type before opening: opening a FIFO for reading blocks until a writer appears.
    const stats = statSync(path);
    if (stats.isDirectory()) return { ok: false, message: 'cannot read file: it is a directory' };
    if (!stats.isFile()) return { ok: false, message: 'cannot read file: not a regular file' };
    if (stats.size > maxBytes) {
      return { ok: false, message: `file too large to analyse (${(stats.size / 1048576).toFixed(1)} MB; the limit is ${maxBytes / 1048576} MB)` };
    }
    descriptor = openSync(path, 'r');
    const size = fstatSync(descriptor).size;
    const bytes = Buffer.allocUnsafe(Math.min(size, maxBytes));
    let filled = 0;
    while (filled < bytes.length) {
      const read = readSync(descriptor, bytes, filled, bytes.length - filled, filled);
      if (read === 0) break;
      filled += read;
    }
    const content = bytes.subarray(0, filled);
    if (content.includes(0)) return { ok: false, message: 'binary file (contains NUL bytes): not Python source' };
    try {
      return { ok: true, text: strictUtf8.decode(content) };
    } catch {
      return { ok: false, message: `not valid UTF-8 (first invalid byte on line ${firstInvalidUtf8Line(content)}); migration files must be UTF-8` };
    }
  } catch (error) {
    return { ok: false, message: describeReadError(error) };
  } finally {
    if (descriptor !== undefined) closeSync(descriptor);
  }
}

/** The path to show and to hand to the engine: relative to cwd when below it, else absolute; forward slashes. */
export function displayPath(absolute: string, cwd: string): string {
  // The common case without path.relative's normalisation (thousands of files per run): a normalised path below cwd.
  if (absolute.length > cwd.length + 1 && absolute.startsWith(cwd) && absolute[cwd.length] === sep && !cwd.endsWith(sep) && normalize(absolute) === absolute) {
    return toSlashes(absolute.slice(cwd.length + 1));
  }
  const rel = relative(cwd, absolute);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return toSlashes(absolute);
  return toSlashes(rel);
}
