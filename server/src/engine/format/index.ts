// Picks the reporter for `--format`.
import { formatGithub } from './github';
import { formatGitlab } from './gitlab';
import { formatJson } from './json';
import { formatMarkdown } from './markdown';
import type { Report, ReportContext } from './report';
import { formatSarif } from './sarif';
import { formatText } from './text';

export const OUTPUT_FORMATS = ['text', 'json', 'sarif', 'github', 'gitlab', 'markdown'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function formatReport(format: OutputFormat, report: Report, context: ReportContext): string {
  switch (format) {
    case 'text':
      return formatText(report, context.color);
    case 'json':
      return formatJson(report, context.sqlOf);
    case 'sarif':
      return formatSarif(report, context);
    case 'github':
      return formatGithub(report);
    case 'gitlab':
      return formatGitlab(report, context);
    case 'markdown':
      return formatMarkdown(report, context);
  }
}
