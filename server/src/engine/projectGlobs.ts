// Globs from configuration (`exclude`, `post-deploy`) match a path relative to the config root, or the path as
// given when it lies outside it (editor globs: never outside their workspace folder). The one cache of compiled
// matchers for every front door: a few lists at most in practice, bounded all the same.
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

/**
 * What globs are matched against: the path relative to their root, else the path as given (configuration files:
 * `exclude` may name paths outside the root), or only the path relative to their root (editor settings, whose globs
 * are the workspace folder's and never match outside it).
 */
export type GlobAnchor = 'root-or-as-given' | 'root-only';

export function matchesProjectGlobs(path: string, globs: readonly string[], root: string, anchor: GlobAnchor = 'root-or-as-given'): boolean {
  if (globs.length === 0) return false;
  const matches = matcher(globs);
  const normalized = normalizePath(path);
  const relative = normalizePath(posix.relative(posix.resolve(normalizePath(root)), posix.resolve(normalized)));
  if (anchor === 'root-only') return !relative.startsWith('..') && matches(relative);
  if (!relative.startsWith('../') && matches(relative)) return true;
  return matches(normalized.startsWith('./') ? normalized.slice(2) : normalized);
}

/** The first of the globs that matches the path (for messages that say why). */
export function firstMatchingGlob(path: string, globs: readonly string[], root: string): string | undefined {
  return globs.find((glob) => matchesProjectGlobs(path, [glob], root));
}
