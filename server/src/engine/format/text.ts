// Human output: `path:line:col: severity rule-id message`, one line per finding, then a summary line.
import pc from 'picocolors';
import type { Severity } from '../types';
import { countBySeverity, oneBased, sortErrors, sortFindings, type Report } from './report';

/**
 * Anything from a file (paths, names, messages quoting it) goes to a terminal: control characters (C0 but tab,
 * DEL, C1, which include ESC and the OSC/CSI introducers) and line separators are shown as `\u{..}` instead.
 */
export function terminalSafe(text: string): string {
  return text.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/g, (char) => `\\u{${char.charCodeAt(0).toString(16)}}`);
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

export function formatText(report: Report, color: boolean): string {
  const c = pc.createColors(color);
  const paint: Record<Severity, (text: string) => string> = { error: c.red, warning: c.yellow, info: c.blue };
  const lines: string[] = [];
  for (const finding of sortFindings(report.findings)) {
    const { line, column } = oneBased(finding);
    lines.push(`${c.bold(`${terminalSafe(finding.file)}:${line}:${column}:`)} ${paint[finding.severity](finding.severity)} ${c.dim(finding.rule)} ${terminalSafe(finding.message)}`);
  }
  for (const error of sortErrors(report.errors)) {
    lines.push(`${c.bold(`${terminalSafe(error.file)}:`)} ${c.red('error')} ${c.dim('could not analyse:')} ${terminalSafe(error.message)}`);
  }
  if (lines.length > 0) lines.push('');
  lines.push(summaryLine(report, color));
  if (report.findings.length > 0) lines.push(c.dim('Run `migration-guard explain <rule-id>` to see why a rule matters and the safe way to do it.'));
  return `${lines.join('\n')}\n`;
}

/** `N errors, N warnings, N info in F files`, plus unreadable files and baseline matches when there are any. */
export function summaryLine(report: Report, color: boolean): string {
  const c = pc.createColors(color);
  const counts = countBySeverity(report.findings);
  const parts = [
    counts.error > 0 ? c.bold(c.red(plural(counts.error, 'error', 'errors'))) : plural(0, 'error', 'errors'),
    counts.warning > 0 ? c.bold(c.yellow(plural(counts.warning, 'warning', 'warnings'))) : plural(0, 'warning', 'warnings'),
    counts.info > 0 ? c.bold(c.blue(`${counts.info} info`)) : '0 info',
  ];
  let summary = `${parts.join(', ')} in ${plural(report.fileCount, 'file', 'files')}`;
  const extras: string[] = [];
  if (report.errors.length > 0) extras.push(c.red(`${plural(report.errors.length, 'file', 'files')} could not be analysed`));
  if (report.baselineSuppressed) extras.push(`${plural(report.baselineSuppressed, 'finding', 'findings')} accepted by the baseline`);
  if (extras.length > 0) summary += ` (${extras.join('; ')})`;
  return report.findings.length === 0 && report.errors.length === 0 ? c.green(summary) : summary;
}
