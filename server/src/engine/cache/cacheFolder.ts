// Where a project's cache lives: `<project root>/.migration-guard-cache/`, or the folder MIGRATION_GUARD_CACHE_DIR
// names. Used both by the engine's caches and by the executable's replay of a recorded run, which must find the folder
// without loading the engine.
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The folder name, below the project root (where pyproject.toml is, else the working folder). */
export const CACHE_FOLDER = '.migration-guard-cache';

export function cacheFolder(settings: { dir?: string }, root: string): string {
  return settings.dir ?? join(root, CACHE_FOLDER);
}

const MARKER = '.gitignore';

/** Creates the folder and its marker if needed; throws when it cannot (callers treat that as "no cache"). */
export function ensureCacheFolder(dir: string): void {
  const marker = join(dir, MARKER);
  if (existsSync(marker)) return;
  mkdirSync(dir, { recursive: true });
  // Like .pytest_cache and .ruff_cache: the folder ignores itself, so it never shows up in `git status`.
  try {
    writeFileSync(marker, '# Created by migration-guard.\n*\n', { flag: 'wx' });
  } catch (error) {
    // Another run created it a moment ago: its marker is as good.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/**
 * What ties the cache's entries to this folder on this machine: the inode and change time of the marker file this
 * tool wrote when it created the folder. The entries' keys are otherwise computable from the repository's own
 * content, so a pull request that committed a crafted `.migration-guard-cache/` could make a CI check print "no
 * findings"; a fresh clone's files get inodes and change times nobody can predict, so such entries never match.
 * `create`: make the folder (and marker) if missing; otherwise undefined means "no usable cache here".
 */
export function cacheFolderStamp(dir: string, create: boolean): string | undefined {
  try {
    if (create) ensureCacheFolder(dir);
    const stats = statSync(join(dir, MARKER), { throwIfNoEntry: false });
    return stats?.isFile() ? `${Number(stats.ino)}:${stats.ctimeMs}` : undefined;
  } catch {
    return undefined;
  }
}
