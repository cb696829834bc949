// Where a project's cache lives: `<project root>/.migration-guard-cache/`, or the folder MIGRATION_GUARD_CACHE_DIR
// names. Used both by the engine's caches and by the executable's replay of a recorded run, which must find the folder
// without loading the engine.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The folder name, below the project root (where pyproject.toml is, else the working folder). */
export const CACHE_FOLDER = '.migration-guard-cache';

export function cacheFolder(settings: { dir?: string }, root: string): string {
  return settings.dir ?? join(root, CACHE_FOLDER);
}

/** Creates the folder if needed; throws when it cannot (callers treat that as "no cache"). */
export function ensureCacheFolder(dir: string): void {
  if (existsSync(dir)) return;
  mkdirSync(dir, { recursive: true });
  // Like .pytest_cache and .ruff_cache: the folder ignores itself, so it never shows up in `git status`.
  writeFileSync(join(dir, '.gitignore'), '# Created by migration-guard.\n*\n');
}
