// Globs from configuration (`exclude`, `post-deploy`) match a path relative to the config root, or the path as
// given when it lies outside it. Compiled matchers are cached: a few lists at most in practice, bounded all the same.
import { posix } from 'node:path';
import picomatch from 'picomatch';
import { normalizePath } from './python/migrationPath';

const matcherCache = new Map<string, (path: string) => boolean>();
const MATCHER_CACHE_LIMIT = 64;

function matcher(globs: readonly string[]): (path: string) => boolean {
  const key = JSON.stringify(globs);
  let matches = matcherCache.get(key);
  if (!matches) {
    matches = picomatch([...globs], { dot: true });
    if (matcherCache.size >= MATCHER_CACHE_LIMIT) matcherCache.clear();
    matcherCache.set(key, matches);
  }
  return matches;
}

export function matchesProjectGlobs(path: string, globs: readonly string[], root: string): boolean {
  if (globs.length === 0) return false;
  const matches = matcher(globs);
  const normalized = normalizePath(path);
  const relative = normalizePath(posix.relative(posix.resolve(normalizePath(root)), posix.resolve(normalized)));
  if (!relative.startsWith('../') && matches(relative)) return true;
  return matches(normalized.startsWith('./') ? normalized.slice(2) : normalized);
}

/** The first of the globs that matches the path (for messages that say why). */
export function firstMatchingGlob(path: string, globs: readonly string[], root: string): string | undefined {
  return globs.find((glob) => matchesProjectGlobs(path, [glob], root));
}
