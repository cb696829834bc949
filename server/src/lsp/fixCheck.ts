// Never offer a fix whose result the engine flags: the fix's edits are applied to the text, the variant (with any
// new migration it creates) is analysed against the project's history, and what it gained decides. A new error (or
// a syntax error) drops the fix; a new warning or info demotes it (never preferred, never in fix-all, its title says
// what it trades for). E.g. "Use AddIndexConcurrently and atomic = False" in a migration with other operations
// trades add-index-non-concurrent for non-atomic-mixed-operations.
import type { Project } from '../engine/analyze';
import type { ResolvedConfig } from '../engine/config/types';
import type { ResolvedFix } from '../engine/fixes/types';
import { applyTextEdits } from '../engine/quickFixes';
import type { Finding } from '../engine/rules/rule';

export type FixVerdict =
  | { kind: 'clean' }
  /** Gains findings below error: offered, but not preferred nor applied by fix-all. */
  | { kind: 'trades'; gained: string[] }
  /** Gains an error finding or a syntax error: not offered. */
  | { kind: 'breaks'; gained: string[] };

export interface FixCheckSubject {
  project: Project;
  path: string;
  config: ResolvedConfig;
  /** The file's text and findings the fix was computed for. */
  text: string;
  findings: readonly Finding[];
}

/** Verdicts per subject (one analysed document version), keyed by the fix's edits. */
const verdicts = new WeakMap<object, Map<string, FixVerdict>>();
/** How many verdicts one subject keeps. */
const MAX_VERDICTS_PER_SUBJECT = 64;

/**
 * What the fix leaves, cached for `cacheOwner` (e.g. the analysis of one document version): the same fix is not
 * analysed again while the code action menu is asked for on every cursor move.
 */
export function checkFix(subject: FixCheckSubject, fix: Pick<ResolvedFix, 'edits' | 'newFiles'>, cacheOwner: object = subject): FixVerdict {
  const key = JSON.stringify([fix.edits, fix.newFiles]);
  let cache = verdicts.get(cacheOwner);
  if (!cache) verdicts.set(cacheOwner, (cache = new Map()));
  const known = cache.get(key);
  if (known) return known;
  const verdict = judge(subject, fix);
  if (cache.size >= MAX_VERDICTS_PER_SUBJECT) cache.delete(cache.keys().next().value as string);
  cache.set(key, verdict);
  return verdict;
}

function judge(subject: FixCheckSubject, fix: Pick<ResolvedFix, 'edits' | 'newFiles'>): FixVerdict {
  const variant = applyTextEdits(subject.text, fix.edits);
  const result = subject.project.analyzeVariant(subject.path, variant, subject.config, fix.newFiles);
  const parsedBefore = (subject.project.model(subject.path)?.syntaxErrors.length ?? 0) === 0;
  const syntaxBroken = parsedBefore && result.errors.some((error) => error.message.startsWith('syntax error'));
  const before = countByRule(subject.findings);
  const after = countByRule(result.findings);
  const gained = [...after.keys()].filter((rule) => (after.get(rule) ?? 0) > (before.get(rule) ?? 0)).sort();
  const gainedError = result.findings.some((finding) => finding.severity === 'error' && gained.includes(finding.rule));
  if (syntaxBroken || gainedError) return { kind: 'breaks', gained: syntaxBroken ? ['syntax error', ...gained] : gained };
  return gained.length > 0 ? { kind: 'trades', gained } : { kind: 'clean' };
}

function countByRule(findings: readonly Finding[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const finding of findings) counts.set(finding.rule, (counts.get(finding.rule) ?? 0) + 1);
  return counts;
}
