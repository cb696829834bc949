// The Django version a project runs, read statically from what pins it: a lock file (poetry.lock, uv.lock,
// pdm.lock, Pipfile.lock: the exact version), else a requirements file or pyproject.toml's dependencies (an exact
// pin, else the lowest version the range allows: advice must not suggest what the oldest allowed Django lacks).
// Pure over the texts; projectDjangoVersion.ts reads the files.
import { parse as parseToml } from 'smol-toml';

export interface DetectedDjangoVersion {
  /** "major.minor", e.g. "4.2". */
  version: string;
  /** The file it was read from, relative to the project root, e.g. "poetry.lock". */
  source: string;
  /** True when the file pins one version (a lock file, `==`); false for the lower bound of a range. */
  exact: boolean;
}

export interface VersionSource {
  /** Path relative to the project root, with `/` separators. */
  name: string;
  text: string;
}

/** Lock files first (exact), then requirements and pyproject pins, then ranges; the first answer wins. */
export function detectDjangoVersion(sources: readonly VersionSource[]): DetectedDjangoVersion | undefined {
  const found: DetectedDjangoVersion[] = [];
  for (const source of sources) {
    const base = source.name.slice(source.name.lastIndexOf('/') + 1);
    let detected: DetectedDjangoVersion | undefined;
    try {
      if (base === 'poetry.lock' || base === 'uv.lock' || base === 'pdm.lock') detected = fromTomlLock(source);
      else if (base === 'Pipfile.lock') detected = fromPipfileLock(source);
      else if (base === 'pyproject.toml') detected = fromPyproject(source);
      else if (base.endsWith('.txt') || base.endsWith('.in')) detected = fromRequirements(source);
    } catch {
      // A file that does not parse pins nothing; the others may.
    }
    if (detected) found.push(detected);
  }
  const rank = (entry: DetectedDjangoVersion): number => (isLockFile(entry.source) ? 0 : entry.exact ? 1 : 2);
  return found.sort((a, b) => rank(a) - rank(b))[0];
}

function isLockFile(name: string): boolean {
  return /(^|\/)(poetry\.lock|uv\.lock|pdm\.lock|Pipfile\.lock)$/.test(name);
}

/** `[[package]] name = "django" version = "4.2.7"` (poetry, uv and pdm write the same shape). */
function fromTomlLock(source: VersionSource): DetectedDjangoVersion | undefined {
  const document = parseToml(source.text) as { package?: unknown };
  const packages = Array.isArray(document.package) ? document.package : [];
  for (const entry of packages) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { name, version } = entry as { name?: unknown; version?: unknown };
    if (typeof name === 'string' && isDjango(name) && typeof version === 'string') {
      const minor = majorMinor(version);
      if (minor) return { version: minor, source: source.name, exact: true };
    }
  }
  return undefined;
}

/** Pipfile.lock: `{"default": {"django": {"version": "==4.2.7"}}}`. */
function fromPipfileLock(source: VersionSource): DetectedDjangoVersion | undefined {
  const document = JSON.parse(source.text) as Record<string, unknown>;
  for (const section of ['default', 'develop']) {
    const packages = document[section];
    if (typeof packages !== 'object' || packages === null) continue;
    for (const [name, entry] of Object.entries(packages as Record<string, unknown>)) {
      if (!isDjango(name) || typeof entry !== 'object' || entry === null) continue;
      const version = (entry as { version?: unknown }).version;
      const lowest = typeof version === 'string' ? lowestAllowed(version) : undefined;
      if (lowest) return { version: lowest.version, source: source.name, exact: true };
    }
  }
  return undefined;
}

/** PEP 621 `[project] dependencies` (and optional ones) and Poetry's `[tool.poetry.dependencies] django = "^4.2"`. */
function fromPyproject(source: VersionSource): DetectedDjangoVersion | undefined {
  const document = parseToml(source.text) as Record<string, unknown>;
  const project = record(document['project']);
  const requirements: unknown[] = [...array(project?.['dependencies'])];
  for (const group of Object.values(record(project?.['optional-dependencies']) ?? {})) requirements.push(...array(group));
  for (const group of Object.values(record(document['dependency-groups']) ?? {})) requirements.push(...array(group));
  for (const requirement of requirements) {
    if (typeof requirement !== 'string') continue;
    const detected = fromRequirementLine(requirement, source.name);
    if (detected) return detected;
  }
  const poetry = record(record(record(document['tool'])?.['poetry'])?.['dependencies']);
  for (const [name, value] of Object.entries(poetry ?? {})) {
    if (!isDjango(name)) continue;
    const constraint = typeof value === 'string' ? value : typeof record(value)?.['version'] === 'string' ? (record(value)?.['version'] as string) : undefined;
    const lowest = constraint ? lowestAllowed(constraint) : undefined;
    if (lowest) return { version: lowest.version, source: source.name, exact: lowest.exact };
  }
  return undefined;
}

/** requirements.txt / requirements.in: one requirement per line, `#` comments, `\` continuations, pip options. */
function fromRequirements(source: VersionSource): DetectedDjangoVersion | undefined {
  const lines = source.text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  for (const line of lines) {
    const detected = fromRequirementLine(line.replace(/(^|\s)#.*$/, ''), source.name);
    if (detected) return detected;
  }
  return undefined;
}

/** A PEP 508 requirement: `Django[argon2]>=4.2,<5.0 ; python_version >= "3.10"`, `django==4.2.7 --hash=...`. */
function fromRequirementLine(line: string, sourceName: string): DetectedDjangoVersion | undefined {
  const match = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(\(?\s*[<>=!~^][^;@]*)?/.exec(line);
  if (!match || !isDjango(match[1] as string) || !match[3]) return undefined;
  const specifiers = (match[3] as string).replace(/[()]/g, '').replace(/\s--?\S.*$/, '');
  const lowest = lowestAllowed(specifiers);
  return lowest ? { version: lowest.version, source: sourceName, exact: lowest.exact } : undefined;
}

/**
 * The lowest "major.minor" a specifier set allows: `==4.2.7` (exact), `>=4.2,<5` and `~=4.2.0` and `^4.2` and
 * `4.2.*` give 4.2. Undefined when only upper bounds or exclusions are given.
 */
export function lowestAllowed(specifiers: string): { version: string; exact: boolean } | undefined {
  let best: { version: string; exact: boolean } | undefined;
  for (const raw of specifiers.split(',')) {
    const spec = raw.trim();
    const match = /^(===?|>=|~=|\^|~|>)?\s*v?(\d+(?:\.\d+)*)(\.\*)?/.exec(spec);
    if (!match || !match[2]) continue;
    const operator = match[1] ?? '';
    const version = majorMinor(match[2]);
    if (!version) continue;
    const exact = (operator === '==' || operator === '===') && !match[3];
    if (!best || compareVersions(version, best.version) > 0) best = { version, exact };
  }
  return best;
}

function majorMinor(version: string): string | undefined {
  const match = /^(\d+)(?:\.(\d+))?/.exec(version.trim());
  return match ? `${match[1]}.${match[2] ?? '0'}` : undefined;
}

function compareVersions(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = a.split('.').map(Number);
  const [bMajor = 0, bMinor = 0] = b.split('.').map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}

/** PEP 503 normalised name: `Django`, `django`, `DJANGO` (not `django-extensions`). */
function isDjango(name: string): boolean {
  return name.toLowerCase().replace(/[-_.]+/g, '-') === 'django';
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function array(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
