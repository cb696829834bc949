// GitLab Code Quality report (a subset of the Code Climate issue format): a JSON array of issues, shown in merge
// request widgets and diffs. https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format
import { createHash } from 'node:crypto';
import type { Severity } from '../types';
import { oneBased, sortErrors, sortFindings, type Report, type ReportContext } from './report';

/** GitLab's vocabulary is info, minor, major, critical, blocker; eslint's GitLab formatters map alike. */
const SEVERITY: Record<Severity, GitlabSeverity> = { error: 'major', warning: 'minor', info: 'info' };

type GitlabSeverity = 'info' | 'minor' | 'major' | 'critical' | 'blocker';

export interface GitlabIssue {
  description: string;
  check_name: string;
  fingerprint: string;
  severity: GitlabSeverity;
  location: { path: string; lines: { begin: number } };
}

function toSlashes(path: string): string {
  return path.replace(/\\/g, '/');
}

export function formatGitlab(report: Report, context: ReportContext): string {
  const issues: GitlabIssue[] = [];
  // GitLab merges issues with equal fingerprints; two identical findings in one file get an occurrence number.
  const seen = new Map<string, number>();
  const unique = (identity: string): string => {
    const occurrence = seen.get(identity) ?? 0;
    seen.set(identity, occurrence + 1);
    return createHash('sha256').update(`${identity}\u0000${occurrence}`).digest('hex');
  };
  for (const finding of sortFindings(report.findings)) {
    const path = toSlashes(finding.file);
    // The baseline's fingerprint ignores line numbers, so an issue keeps its identity when code above it moves.
    const stable = context.fingerprint ? context.fingerprint(finding) : `${finding.start.line}\u0000${finding.message}`;
    issues.push({
      description: `${finding.rule}: ${finding.message}`,
      check_name: finding.rule,
      fingerprint: unique(`${path}\u0000${finding.rule}\u0000${stable}`),
      severity: SEVERITY[finding.severity],
      location: { path, lines: { begin: oneBased(finding).line } },
    });
  }
  for (const error of sortErrors(report.errors)) {
    const path = toSlashes(error.file);
    issues.push({
      description: `migration-guard could not analyse this file: ${error.message}`,
      check_name: 'migration-guard/could-not-analyse',
      fingerprint: unique(`${path}\u0000could-not-analyse\u0000${error.message}`),
      severity: 'major',
      location: { path, lines: { begin: 1 } },
    });
  }
  return `${JSON.stringify(issues, null, 2)}\n`;
}
