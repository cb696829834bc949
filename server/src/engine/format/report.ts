// What every reporter receives, and the 1-based positions all output formats share.
import type { FailOn } from '../failOn';
import type { Finding, RuleMeta, Severity } from '../types';

export interface ReportError {
  file: string;
  message: string;
}

export interface Report {
  /** Findings to show, in any order (reporters sort them). */
  findings: readonly Finding[];
  /** Files that could not be analysed. */
  errors: readonly ReportError[];
  /** Number of migration files looked at. */
  fileCount: number;
  /** Findings hidden because the baseline accepts them. */
  baselineSuppressed?: number;
}

export interface ReportContext {
  /** Rule metadata by id (titles, explanations, default severities for SARIF). */
  rules: readonly RuleMeta[];
  /** Tool version for SARIF's driver. */
  version: string;
  /** Folder that SARIF artifact URIs are relative to (the checkout root in CI). */
  cwd: string;
  /** Colour text output. */
  color: boolean;
  /** A fingerprint per finding (the baseline's), used by SARIF's partialFingerprints. */
  fingerprint?: (finding: Finding) => string;
  /** `--fail-on`, for reporters that state the verdict (Markdown); default error. */
  failOn?: FailOn;
  /** `check --with-sql`: the statements of each finding's operation, with their locks (JSON only). */
  sqlOf?: (finding: Finding) => unknown[] | undefined;
}

/** 1-based start and end positions; `endColumn` points just past the last character, as in SARIF. */
export interface OneBasedRange {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export function oneBased(finding: Finding): OneBasedRange {
  return {
    line: finding.start.line + 1,
    column: finding.start.character + 1,
    endLine: finding.end.line + 1,
    endColumn: finding.end.character + 1,
  };
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** File, then position, then severity, then rule: stable output that diffs well between runs. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.start.line - b.start.line ||
      a.start.character - b.start.character ||
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      a.rule.localeCompare(b.rule),
  );
}

export function sortErrors(errors: readonly ReportError[]): ReportError[] {
  return [...errors].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.message.localeCompare(b.message));
}

export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const finding of findings) counts[finding.severity]++;
  return counts;
}
