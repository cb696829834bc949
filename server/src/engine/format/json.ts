// Machine-readable output: `{"version":1,"findings":[...],"errors":[...]}` with 1-based positions.
import { oneBased, sortErrors, sortFindings, type Report } from './report';

export interface JsonFinding {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  rule: string;
  severity: string;
  message: string;
}

export interface JsonReport {
  version: 1;
  findings: JsonFinding[];
  errors: { file: string; message: string }[];
}

export function formatJson(report: Report): string {
  const output: JsonReport = {
    version: 1,
    findings: sortFindings(report.findings).map((finding) => ({
      file: finding.file,
      ...oneBased(finding),
      rule: finding.rule,
      severity: finding.severity,
      message: finding.message,
    })),
    errors: sortErrors(report.errors).map(({ file, message }) => ({ file, message })),
  };
  return `${JSON.stringify(output, null, 2)}\n`;
}
