// The suppression stage: what the CLI and the language server show of the findings the rules produced. One stage,
// two steps, the same for both front doors:
// 1. per file, inside the analysis: `# migration-guard: ignore ...` comments drop the findings they name, and every
//    ignore entry that suppressed nothing becomes an `unused-ignore` finding (which an ignore comment may silence too);
// 2. per report, at the front door: findings on excluded files are dropped (ProjectPolicy), then those the baseline
//    accepts.
import { statSync } from './projectFs';
import { dirname } from 'node:path';
import { applyBaseline, readBaseline, type Baseline, type SourceLookup } from './config/baseline';
import { applyIgnoreDirectives, collectIgnoreDirectives, describeUnusedIgnore, UNUSED_IGNORE_RULE_ID, type Suppressible } from './config/ignoreComments';
import type { ProjectPolicy } from './config/projectPolicy';
import type { MigrationModel, Span } from './python/model';
import type { FindingCore } from './types';

export { UNUSED_IGNORE_RULE_ID };

/** The rule ids an ignore comment may name: the rules' plus the stage's own `unused-ignore`. */
export function ignorableRuleIds(ruleIds: Iterable<string>): Set<string> {
  return new Set([...ruleIds, UNUSED_IGNORE_RULE_ID]);
}

export interface IgnoreCommentOptions<T> {
  knownRuleIds: ReadonlySet<string>;
  /** Rules that ran to completion on the file: an ignore for any other rule cannot be judged unused. */
  evaluated: ReadonlySet<string>;
  /** Builds the `unused-ignore` finding for an entry that suppressed nothing; absent when that rule is off. */
  unusedIgnoreFinding?: (raw: { span: Span; message: string }) => T;
}

/** Step 1: the file's findings once its ignore comments are applied, with the `unused-ignore` findings they earn. */
export function applyIgnoreComments<T extends Suppressible>(findings: T[], model: MigrationModel, options: IgnoreCommentOptions<T>): T[] {
  const directives = collectIgnoreDirectives(model);
  if (directives.length === 0) return findings;
  const suppression = applyIgnoreDirectives(findings, directives, options.knownRuleIds, options.evaluated);
  const build = options.unusedIgnoreFinding;
  if (!build || suppression.unused.length === 0) return suppression.kept;
  const unusedFindings = suppression.unused.map((unused) => build(describeUnusedIgnore(unused)));
  // An `ignore unused-ignore` may silence these; it is never itself reported as unused (no evaluated ids).
  return suppression.kept.concat(applyIgnoreDirectives(unusedFindings, directives, options.knownRuleIds, new Set()).kept);
}

/** The baseline a report is checked against: its contents, where it is (paths in it are relative to its folder). */
export interface BaselineInUse {
  baseline: Baseline;
  /** As given (absolute, or relative to `cwd`). */
  file: string;
  cwd: string;
}

export interface ReportSuppression {
  policy: ProjectPolicy;
  /** Resolves a finding's `file` to the path the policy judges (the CLI's findings carry display paths). */
  absolutePath?: (file: string) => string;
  baseline?: BaselineInUse;
  /** The analysed text of a finding's file, for baseline fingerprints. */
  sourceOf: SourceLookup;
}

/** Step 2: the findings a front door reports, and how many each part of the stage held back. */
export function suppressForReport<F extends FindingCore>(findings: readonly F[], options: ReportSuppression): { kept: F[]; excluded: number; baselineSuppressed: number } {
  const absolute = options.absolutePath ?? ((file: string) => file);
  const reportable = findings.filter((finding) => !options.policy.isExcluded(absolute(finding.file)));
  const excluded = findings.length - reportable.length;
  if (!options.baseline) return { kept: reportable, excluded, baselineSuppressed: 0 };
  const { baseline, file, cwd } = options.baseline;
  const applied = applyBaseline(reportable, baseline, options.sourceOf, file, cwd);
  return { kept: applied.kept, excluded, baselineSuppressed: applied.suppressed };
}

/**
 * Baseline files read for a long-running front door (the language server): read again only when the file's size or
 * modification time changed. A missing or malformed baseline answers its error message, once per version of the file.
 */
export class BaselineReader {
  private readonly byFile = new Map<string, { stamp: string; result: BaselineInUse | { error: string } }>();

  /** The baseline at this absolute path; undefined when there is none to read. */
  read(file: string): BaselineInUse | { error: string } {
    let stamp: string;
    try {
      const stat = statSync(file);
      stamp = `${stat.size}:${stat.mtimeMs}`;
    } catch {
      stamp = 'missing';
    }
    const known = this.byFile.get(file);
    if (known?.stamp === stamp) return known.result;
    let result: BaselineInUse | { error: string };
    try {
      result = { baseline: readBaseline(file, dirname(file)), file, cwd: dirname(file) };
    } catch (error) {
      result = { error: error instanceof Error ? error.message : String(error) };
    }
    // Bounded: a workspace names a handful of baselines.
    if (this.byFile.size >= 64) this.byFile.clear();
    this.byFile.set(file, { stamp, result });
    return result;
  }
}
