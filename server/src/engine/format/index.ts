// Picks the reporter for `--format`.
import { formatGithub } from './github';
import { formatJson } from './json';
import type { Report, ReportContext } from './report';
import { formatSarif } from './sarif';
import { formatText } from './text';

export const OUTPUT_FORMATS = ['text', 'json', 'sarif', 'github'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function formatReport(format: OutputFormat, report: Report, context: ReportContext): string {
  switch (format) {
    case 'text':
      return formatText(report, context.color);
    case 'json':
      return formatJson(report);
    case 'sarif':
      return formatSarif(report, context);
    case 'github':
      return formatGithub(report);
  }
}
