// Reads the files that pin the project's Django version (lock files, requirements, pyproject.toml) from the project
// root, for django/djangoVersion.ts. The detected version is the lowest configuration layer: `django-version` in
// [tool.migration-guard], an editor setting or `--django-version` still win.
import { existsSync, lstatSync, readdirSync, readFileSync } from '../projectFs';
import { dirname, join, relative, resolve } from 'node:path';
import { detectDjangoVersion, type DetectedDjangoVersion, type VersionSource } from '../django/djangoVersion';
import type { ConfigLayer } from './types';

const ROOT_FILES = ['poetry.lock', 'uv.lock', 'pdm.lock', 'Pipfile.lock', 'requirements.txt', 'requirements.in', 'pyproject.toml'];
/** Lock files of big projects run to a few MB; anything larger is not a pin file. */
const MAX_BYTES = 8 * 1024 * 1024;
const MAX_REQUIREMENT_FILES = 50;

/**
 * The lowest configuration layer: the Django version pinned in the nearest folder (from `start` up) that pins one,
 * stopping at the repository root (a folder holding `.git`) and at `stopAt`, like the pyproject.toml search.
 */
export function detectedDjangoLayer(start: string, stopAt?: string): ConfigLayer {
  const boundary = stopAt === undefined ? undefined : resolve(stopAt);
  let folder = resolve(start);
  if (!isFolder(folder)) folder = dirname(folder);
  const from = folder;
  for (let depth = 0; depth < 64; depth++) {
    const detected = detectProjectDjangoVersion(folder);
    if (detected) {
      const shown = relative(from, join(folder, detected.source)) || detected.source;
      return { djangoVersion: detected.version, djangoVersionFrom: detected.exact ? shown : `${shown}, the lowest version it allows` };
    }
    if (folder === boundary || existsSync(join(folder, '.git'))) break;
    const parent = dirname(folder);
    if (parent === folder) break;
    folder = parent;
  }
  return {};
}

function isFolder(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

export function detectProjectDjangoVersion(root: string): DetectedDjangoVersion | undefined {
  const names = [...ROOT_FILES, ...requirementFiles(root)];
  const sources: VersionSource[] = [];
  for (const name of names) {
    const text = readSmallFile(join(root, name));
    if (text !== undefined) sources.push({ name, text });
  }
  return detectDjangoVersion(sources);
}

/** `requirements-prod.txt` at the root and `requirements/*.txt` (`base.txt`, `production.txt`, ...). */
function requirementFiles(root: string): string[] {
  const found: string[] = [];
  for (const entry of listFiles(root)) if (/^requirements[-_.].*\.(txt|in)$/i.test(entry) && entry !== 'requirements.txt' && entry !== 'requirements.in') found.push(entry);
  for (const entry of listFiles(join(root, 'requirements'))) if (/\.(txt|in)$/i.test(entry)) found.push(`requirements/${entry}`);
  return found.sort().slice(0, MAX_REQUIREMENT_FILES);
}

function listFiles(folder: string): string[] {
  try {
    return readdirSync(folder, { withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => entry.name);
  } catch {
    return [];
  }
}

function readSmallFile(path: string): string | undefined {
  try {
    const stat = lstatSync(path);
    if (!stat.isFile() || stat.size > MAX_BYTES) return undefined;
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
