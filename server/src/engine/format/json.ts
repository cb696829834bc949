// Machine-readable output: `{"version":1,"findings":[...],"errors":[...]}` with 1-based positions.
import type { Finding } from '../types';
import { oneBased, sortErrors, sortFindings, type Report } from './report';

export interface JsonFinding {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  rule: string;
  /** With `--with-sql`: the statements Django runs for the finding's operation, each with its locks. */
  sql?: unknown[];
  severity: string;
  message: string;
}

export interface JsonReport {
  version: 1;
  findings: JsonFinding[];
  errors: { file: string; message: string }[];
}

export function formatJson(report: Report, sqlOf?: (finding: Finding) => unknown[] | undefined): string {
  const output: JsonReport = {
    version: 1,
    findings: sortFindings(report.findings).map((finding) => {
      const sql = sqlOf?.(finding);
      return {
        file: finding.file,
        ...oneBased(finding),
        rule: finding.rule,
        severity: finding.severity,
        message: finding.message,
        ...(sql ? { sql } : {}),
      };
    }),
    errors: sortErrors(report.errors).map(({ file, message }) => ({ file, message })),
  };
  return `${JSON.stringify(output, null, 2)}\n`;
}
