// GitHub Actions workflow commands: each finding becomes an annotation on the pull request's diff.
// https://docs.github.com/actions/reference/workflow-commands-for-github-actions
import type { Severity } from '../types';
import { oneBased, sortErrors, sortFindings, type Report } from './report';

const COMMAND: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'notice' };

/** Escaping for the message part (after `::`). */
export function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escaping for `key=value` properties, where `:` and `,` are separators too. */
export function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function command(name: string, properties: Record<string, string | number>, message: string): string {
  const props = Object.entries(properties)
    .map(([key, value]) => `${key}=${escapeProperty(String(value))}`)
    .join(',');
  return `::${name} ${props}::${escapeData(message)}`;
}

export function formatGithub(report: Report): string {
  const lines: string[] = [];
  for (const finding of sortFindings(report.findings)) {
    const range = oneBased(finding);
    lines.push(
      command(
        COMMAND[finding.severity],
        { file: finding.file, line: range.line, col: range.column, endLine: range.endLine, endColumn: range.endColumn, title: finding.rule },
        finding.message,
      ),
    );
  }
  for (const error of sortErrors(report.errors)) {
    lines.push(command('error', { file: error.file, title: 'migration-guard could not analyse this file' }, error.message));
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
