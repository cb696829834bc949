// The baseline: a JSON file of accepted findings, so an existing project's old migrations never block CI while
// every new finding still does. Entries are keyed by file (relative to the baseline file's folder, so the file
// works from any working directory), rule and a fingerprint of the operation's source text: line shifts and
// re-indentation leave a finding matched, a changed operation makes it new again.
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { lstatSync, readFileSync } from '../projectFs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { FindingCore as Finding } from '../types';
import { ConfigError } from './pyproject';

const BASELINE_VERSION = 1;

export interface BaselineEntry {
  file: string;
  rule: string;
  fingerprint: string;
  /** How many identical findings (same file, rule and fingerprint) are accepted. */
  count: number;
  /** For people reviewing the file; not used for matching. */
  message?: string;
}

export interface Baseline {
  version: number;
  findings: BaselineEntry[];
}

/** Looks up the text of an analysed file by the path the finding carries. */
export type SourceLookup = (file: string) => string | undefined;

/** Drops whitespace and trailing commas, so re-indenting or re-wrapping an operation (black, ruff) keeps it matched. */
function normaliseLayout(text: string): string {
  return text.replace(/\s+/g, '').replace(/,([)\]}])/g, '$1');
}

/**
 * A fingerprint that survives line shifts and reformatting: the rule plus the operation's source text (and the
 * flagged part of it, so two findings of one rule on one operation stay apart), without its layout.
 */
export function findingFingerprint(finding: Finding, source: string | undefined): string {
  return fingerprinter(() => source)(finding);
}

/** Operations at least this long have the hash of their text computed once per rule, not once per finding. */
const SHARED_PREFIX_LENGTH = 2048;

/**
 * findingFingerprint for many findings. A RunSQL with 100,000 statements gets a finding per statement, each
 * fingerprinted over the whole operation's text: hashing that text again per finding was quadratic (SARIF output
 * and the baseline took minutes). The hash state after `rule + operation text` is kept and copied instead, so the
 * fingerprints are the same bytes as ever.
 */
export function fingerprinter(sourceOf: SourceLookup): (finding: Finding) => string {
  const prefixes = new Map<string, Hash>();
  return (finding) => {
    const source = sourceOf(finding.file);
    // Without the source (should not happen) the message is the best stable stand-in.
    if (source === undefined) return createHash('sha256').update(`${finding.rule}\u0000${finding.message}`).digest('hex').slice(0, 20);
    const operation = finding.operationSpan ?? finding.span;
    const flaggedText = normaliseLayout(source.slice(finding.span.start, finding.span.end));
    const prefixOf = (): Hash => createHash('sha256').update(`${finding.rule}\u0000${normaliseLayout(source.slice(operation.start, operation.end))}\u0000`);
    if (operation.end - operation.start < SHARED_PREFIX_LENGTH) return prefixOf().update(flaggedText).digest('hex').slice(0, 20);
    const key = `${finding.file}\u0000${finding.rule}\u0000${operation.start}\u0000${operation.end}`;
    let prefix = prefixes.get(key);
    if (!prefix) {
      prefix = prefixOf();
      prefixes.set(key, prefix);
    }
    return prefix.copy().update(flaggedText).digest('hex').slice(0, 20);
  };
}

function toSlashes(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

/** The key path of a finding's file: relative to the baseline's folder. */
function keyPath(file: string, baselineFolder: string, cwd: string): string {
  const absolute = isAbsolute(file) ? file : resolve(cwd, file);
  return toSlashes(relative(baselineFolder, absolute));
}

function entryKey(file: string, rule: string, fingerprint: string): string {
  return `${file}\u0000${rule}\u0000${fingerprint}`;
}

/** Builds the baseline accepting every given finding. */
export function createBaseline(findings: readonly Finding[], sourceOf: SourceLookup, baselineFile: string, cwd: string): Baseline {
  const folder = dirname(resolve(cwd, baselineFile));
  const entries = new Map<string, BaselineEntry>();
  const fingerprintOf = fingerprinter(sourceOf);
  for (const finding of findings) {
    const file = keyPath(finding.file, folder, cwd);
    const fingerprint = fingerprintOf(finding);
    const key = entryKey(file, finding.rule, fingerprint);
    const existing = entries.get(key);
    if (existing) existing.count++;
    else entries.set(key, { file, rule: finding.rule, fingerprint, count: 1, message: finding.message });
  }
  const sorted = [...entries.values()].sort((a, b) => a.file.localeCompare(b.file) || a.rule.localeCompare(b.rule) || a.fingerprint.localeCompare(b.fingerprint));
  return { version: BASELINE_VERSION, findings: sorted };
}

/**
 * Writes the baseline to a temporary file beside the target and renames it over, so a full disk or a crash never
 * leaves a truncated baseline. Refuses a symlink (never written through), anything but a regular file, and an
 * existing file that is not a baseline (a migration, pyproject.toml) unless `force`.
 */
export function writeBaseline(baseline: Baseline, baselineFile: string, cwd: string, force = false): void {
  const path = resolve(cwd, baselineFile);
  refuseToClobber(path, baselineFile, force);
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(temporary, `${JSON.stringify(baseline, null, 2)}\n`, { flag: 'wx' });
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new ConfigError(`cannot write baseline ${baselineFile}: ${(error as Error).message}`);
  }
}

function refuseToClobber(path: string, baselineFile: string, force: boolean): void {
  let stats;
  try {
    stats = lstatSync(path);
  } catch {
    return; // nothing there yet
  }
  if (stats.isSymbolicLink()) throw new ConfigError(`refusing to write baseline ${baselineFile}: it is a symbolic link; name the file it points to`);
  if (!stats.isFile()) throw new ConfigError(`refusing to write baseline ${baselineFile}: it is not a regular file`);
  if (force || looksLikeBaseline(path)) return;
  throw new ConfigError(`refusing to overwrite ${baselineFile}: it is not a migration-guard baseline (use --force to replace it)`);
}

function looksLikeBaseline(path: string): boolean {
  try {
    const data = JSON.parse(withoutBom(readFileSync(path, 'utf8'))) as Partial<Baseline> | null;
    return typeof data === 'object' && data !== null && Array.isArray(data.findings) && typeof data.version === 'number';
  } catch {
    return false;
  }
}

function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Reads and validates a baseline file; throws ConfigError with a clear message when it is missing or malformed. */
export function readBaseline(baselineFile: string, cwd: string): Baseline {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, baselineFile), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const hint = code === 'ENOENT' ? ' (create it with --write-baseline)' : '';
    throw new ConfigError(`cannot read baseline ${baselineFile}: ${code === 'ENOENT' ? 'file not found' : (error as Error).message}${hint}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(withoutBom(text));
  } catch (error) {
    // V8's message quotes the text; the file may be anything, so say where only.
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    throw new ConfigError(`baseline ${baselineFile} is not valid JSON${position ? ` (at character ${position})` : ''}; write a new one with --write-baseline`);
  }
  const document = data as Partial<Baseline> | null;
  if (typeof document !== 'object' || document === null || !Array.isArray(document.findings)) {
    throw new ConfigError(`baseline ${baselineFile} has no "findings" array; write a new one with --write-baseline`);
  }
  if (document.version !== BASELINE_VERSION) {
    throw new ConfigError(`baseline ${baselineFile} has version ${JSON.stringify(document.version)}; this migration-guard reads version ${BASELINE_VERSION}`);
  }
  const findings: BaselineEntry[] = [];
  document.findings.forEach((entry: unknown, index: number) => {
    const candidate = entry as Partial<BaselineEntry> | null;
    if (
      typeof candidate !== 'object' || candidate === null ||
      typeof candidate.file !== 'string' || typeof candidate.rule !== 'string' || typeof candidate.fingerprint !== 'string' ||
      (candidate.count !== undefined && (!Number.isInteger(candidate.count) || candidate.count < 1))
    ) {
      throw new ConfigError(`baseline ${baselineFile}: entry ${index} needs "file", "rule" and "fingerprint" strings (and a positive integer "count")`);
    }
    findings.push({ file: candidate.file, rule: candidate.rule, fingerprint: candidate.fingerprint, count: candidate.count ?? 1 });
  });
  return { version: BASELINE_VERSION, findings };
}

/** Removes the findings the baseline accepts (each entry at most `count` times); the rest are new. */
export function applyBaseline<F extends Finding>(
  findings: readonly F[],
  baseline: Baseline,
  sourceOf: SourceLookup,
  baselineFile: string,
  cwd: string,
): { kept: F[]; suppressed: number } {
  const folder = dirname(resolve(cwd, baselineFile));
  const remaining = new Map<string, number>();
  for (const entry of baseline.findings) {
    const key = entryKey(entry.file, entry.rule, entry.fingerprint);
    remaining.set(key, (remaining.get(key) ?? 0) + entry.count);
  }
  const kept: F[] = [];
  let suppressed = 0;
  const fingerprintOf = fingerprinter(sourceOf);
  for (const finding of findings) {
    const key = entryKey(keyPath(finding.file, folder, cwd), finding.rule, fingerprintOf(finding));
    const left = remaining.get(key) ?? 0;
    if (left > 0) {
      remaining.set(key, left - 1);
      suppressed++;
    } else {
      kept.push(finding);
    }
  }
  return { kept, suppressed };
}
