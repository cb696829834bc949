// Make Migrations' lint before writing: the dry run's files matched with what the language server found in their text
// (migrationGuard/proposedMigrationFindings), the verdict, the confirmation to ask, and the preview document's text.
// No `vscode` import: unit-tested as is.
import type { ProposedFindingSummary, ProposedMigrationFindingsResult } from '../../../server/src/lsp/clientContract';
import { plural } from './confirmation';
import type { MakemigrationsPreview, ProposedMigration } from './djangoOutput';

export interface ProposedFileLint {
  migration: ProposedMigration;
  /** The file's findings; undefined when it was not checked (see `notChecked`). */
  findings?: readonly ProposedFindingSummary[];
  notChecked?: string;
}

export interface ProposedLint {
  files: ProposedFileLint[];
  /** Set when nothing was checked (the language server is not running), saying why. */
  unavailable?: string;
}

/**
 * Pairs each proposed migration with the server's answer for its URI (`uriOf` resolves the printed path the way the
 * request was built). A file the server did not mention is "not checked", never clean.
 */
export function proposedLint(preview: MakemigrationsPreview, result: ProposedMigrationFindingsResult | undefined, uriOf: (migration: ProposedMigration) => string | undefined, unavailable?: string): ProposedLint {
  if (!result) return { files: preview.migrations.map((migration) => ({ migration, notChecked: unavailable ?? 'not checked' })), unavailable: unavailable ?? 'not checked' };
  const files = preview.migrations.map((migration): ProposedFileLint => {
    const uri = uriOf(migration);
    if (migration.content === undefined) return { migration, notChecked: 'Django did not print the file text' };
    const answered = uri === undefined ? undefined : result.files.find((file) => file.uri === uri);
    if (answered) return { migration, findings: answered.findings };
    const reason = uri === undefined ? undefined : result.notChecked.find((entry) => entry.uri === uri)?.reason;
    return { migration, notChecked: reason ?? 'outside the workspace folders' };
  });
  return { files };
}

export interface ProposedVerdict {
  errorCount: number;
  warningCount: number;
  /** How many findings have a quick fix. */
  fixable: number;
  checkedCount: number;
  /** One sentence, e.g. "1 error, 4 warnings in the proposed migrations (1 has a quick fix)." */
  summary: string;
}

export function proposedVerdict(lint: ProposedLint): ProposedVerdict {
  const findings = lint.files.flatMap((file) => file.findings ?? []);
  const errorCount = findings.filter((finding) => finding.severity === 'error').length;
  const warningCount = findings.filter((finding) => finding.severity === 'warning').length;
  const fixable = findings.filter((finding) => finding.severity !== 'info' && finding.fixes.length > 0).length;
  const checkedCount = lint.files.filter((file) => file.findings !== undefined).length;
  const notChecked = lint.files.length - checkedCount;
  let summary: string;
  if (lint.unavailable) summary = `The proposed migrations were not checked: ${lint.unavailable}.`;
  else if (checkedCount === 0) summary = 'None of the proposed migrations could be checked (see the preview).';
  else if (errorCount + warningCount === 0) summary = `No errors or warnings in the ${plural(checkedCount, 'proposed migration')}.`;
  else summary = `${plural(errorCount, 'error')}, ${plural(warningCount, 'warning')} in the proposed migrations${fixable > 0 ? ` (${fixable} with a quick fix)` : ''}.`;
  if (!lint.unavailable && checkedCount > 0 && notChecked > 0) summary += ` ${plural(notChecked, 'file')} not checked.`;
  return { errorCount, warningCount, fixable, checkedCount, summary };
}

export interface WriteConfirmation {
  message: string;
  detail: string;
  confirmLabel: string;
  verdict: ProposedVerdict;
}

/** How many operations per file the modal lists; the preview has them all. */
const MODAL_OPERATIONS = 6;

/**
 * The modal before writing. Errors (with migrationGuard.makeMigrations.confirmErrors on) turn it into a question
 * about the errors with its own button, so the usual "Write Migrations" reflex does not write them unread.
 */
export function decideWriteConfirmation(lint: ProposedLint, confirmErrors: boolean): WriteConfirmation {
  const verdict = proposedVerdict(lint);
  const count = plural(lint.files.length, 'migration file');
  const detailLines = lint.files.map(({ migration, findings }) => {
    const operations = migration.operations.slice(0, MODAL_OPERATIONS).map((operation) => `    - ${operation}`);
    if (migration.operations.length > MODAL_OPERATIONS) operations.push(`    … and ${migration.operations.length - MODAL_OPERATIONS} more`);
    return [`${migration.path}${findings ? countsText(findings) : ''}`, ...operations].join('\n');
  });
  const detail = [...detailLines, '', verdict.summary, 'The findings are in the preview document.'].join('\n');
  if (verdict.errorCount > 0 && confirmErrors) {
    return { message: `The proposed migrations have ${plural(verdict.errorCount, 'error')}. Write ${count} anyway?`, detail, confirmLabel: 'Write Despite Errors', verdict };
  }
  return { message: `Write ${count}?`, detail, confirmLabel: 'Write Migrations', verdict };
}

/** "1 error, 4 warnings"; empty without errors or warnings. */
function countsPhrase(findings: readonly ProposedFindingSummary[]): string {
  const errors = findings.filter((finding) => finding.severity === 'error').length;
  const warnings = findings.filter((finding) => finding.severity === 'warning').length;
  return [errors > 0 ? plural(errors, 'error') : '', warnings > 0 ? plural(warnings, 'warning') : ''].filter(Boolean).join(', ');
}

function countsText(findings: readonly ProposedFindingSummary[]): string {
  const phrase = countsPhrase(findings);
  return phrase ? `  (${phrase})` : '';
}

/** One line of Python comment: whatever the message holds, it cannot end the comment or look like code. */
function commentText(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

/** The dry run as one Python document: the verdict, then each file's path, operations and findings, then its text. */
export function makemigrationsPreviewText(preview: MakemigrationsPreview, lint?: ProposedLint, confirmErrors = true): string {
  const parts = ['# makemigrations --dry-run: nothing has been written yet.'];
  if (lint) {
    const verdict = proposedVerdict(lint);
    parts.push(`# Migration Guard: ${verdict.summary}`);
    if (verdict.errorCount > 0 && confirmErrors) parts.push('#   Because of the errors, writing asks again (migrationGuard.makeMigrations.confirmErrors).');
    if (verdict.fixable > 0) parts.push('#   Quick fixes: once written, the file opens at the first such finding; press Ctrl+. (Quick Fix) there.');
  }
  parts.push('');
  const lintOf = new Map(lint?.files.map((file) => [file.migration, file]));
  for (const migration of preview.migrations) {
    parts.push(`# ${'='.repeat(76)}`, `# ${commentText(migration.path)}`, ...migration.operations.map((operation) => `#   - ${commentText(operation)}`));
    const fileLint = lintOf.get(migration);
    if (fileLint?.notChecked) parts.push(`# Not checked: ${commentText(fileLint.notChecked)}.`);
    else if (fileLint?.findings) {
      const findings = [...fileLint.findings].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.line - b.line);
      parts.push(findings.length === 0 ? '# Migration Guard: no findings.' : `# Migration Guard: ${countsPhrase(findings) || plural(findings.length, 'note')}`);
      for (const finding of findings) {
        parts.push(`#   line ${finding.line + 1}: ${finding.severity} ${finding.rule}: ${commentText(finding.message)}`);
        for (const fix of finding.fixes) parts.push(`#       quick fix: ${commentText(fix)}`);
      }
    }
    parts.push(`# ${'='.repeat(76)}`, '');
    parts.push(migration.content ?? '# (Django did not print the file text.)', '');
  }
  return parts.join('\n');
}

/** Where to put the cursor once the files are written: the first error with a quick fix, else the first error or warning. */
export function firstFindingToFix(lint: ProposedLint): { migration: ProposedMigration; finding: ProposedFindingSummary } | undefined {
  const candidates = lint.files.flatMap((file) => (file.findings ?? []).filter((finding) => finding.severity !== 'info').map((finding) => ({ migration: file.migration, finding })));
  const rank = (entry: (typeof candidates)[number]) => SEVERITY_ORDER[entry.finding.severity] * 2 + (entry.finding.fixes.length > 0 ? 0 : 1);
  return [...candidates].sort((a, b) => rank(a) - rank(b))[0];
}
