// `--fail-on`: which findings make a check fail. A file that could not be analysed fails every level but `never`,
// because its findings are unknown.
import type { Report } from './format/report';
import type { Severity } from './types';

export const FAIL_ON_LEVELS = ['error', 'warning', 'info', 'never'] as const;
export type FailOn = (typeof FAIL_ON_LEVELS)[number];

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** True when a finding of this severity fails the check at this level. */
export function failsAt(severity: Severity, failOn: FailOn): boolean {
  return failOn !== 'never' && RANK[severity] <= RANK[failOn];
}

export function reportFails(report: Report, failOn: FailOn): boolean {
  if (failOn === 'never') return false;
  return report.errors.length > 0 || report.findings.some((finding) => failsAt(finding.severity, failOn));
}
