// The texts of the read-only previews (dry runs, merges, SQL) and the check that a migrate run did what its plan
// said. No `vscode` import: unit-tested as is.
import { plural, stepDirection, type Confirmation, type StepFindings } from './confirmation';
import type { FileFindings } from '../../../server/src/lsp/clientContract';
import type { AppMigrations, MergeProposal, PlannedStep } from './djangoOutput';

/**
 * The preview opened before migrate's confirmation: the pre-flight's verdict first (each migration with errors and
 * its findings, then those with warnings), then the database, and the plan with each step's counts.
 */
export function migratePlanPreviewText(decision: Extract<Confirmation, { kind: 'confirm' | 'typed' }>, steps: readonly PlannedStep[]): string {
  const { verdict } = decision;
  const lines: string[] = [];
  if (verdict.withErrors.length > 0) {
    lines.push(`${verdict.withErrors.length === 1 ? '1 migration in this plan has' : `${verdict.withErrors.length} migrations in this plan have`} errors:`);
    for (const entry of verdict.withErrors) lines.push(...findingLines(entry));
  } else {
    lines.push(verdict.available && verdict.checkedCount > 0 ? `No errors in the ${plural(verdict.checkedCount, 'migration')} checked.` : verdict.summary);
  }
  if (verdict.withWarningsOnly.length > 0) {
    lines.push('', `${verdict.withErrors.length > 0 ? `${verdict.withWarningsOnly.length} more` : plural(verdict.withWarningsOnly.length, 'migration')} with warnings:`);
    for (const entry of verdict.withWarningsOnly) lines.push(...findingLines(entry));
  }
  if (verdict.notAnalysed.length > 0) {
    lines.push('', `Not checked although in the workspace: ${verdict.notAnalysed.join(', ')} (the language server could not analyse ${verdict.notAnalysed.length === 1 ? 'it' : 'them'}; see "Django Migrations: Show Logs").`);
  }
  const fromPackages = verdict.unchecked - verdict.notAnalysed.length;
  if (verdict.available && verdict.checkedCount > 0 && fromPackages > 0) {
    lines.push('', `Not checked: ${plural(fromPackages, 'migration')} whose files are not in the workspace (installed packages).`);
  }
  if (decision.kind === 'typed') {
    lines.push('', decision.typedBecause === 'errors' ? `Because of the errors, ${decision.expectedText} must be typed to confirm (migrationGuard.migrate.confirmErrors).` : `This looks like production: ${decision.expectedText} must be typed to confirm.`);
  }
  lines.push('', decision.message, '', ...decision.detail.split('\n').filter((line) => /^(Database|Settings): |^This looks like PRODUCTION|^Cannot be reversed/.test(line)), '', 'Plan (migrate --plan):');
  const counts = new Map([...verdict.withErrors, ...verdict.withWarningsOnly].map((entry) => [`${entry.app}.${entry.name}`, countText(entry)]));
  steps.forEach((step, index) => {
    const key = `${step.app}.${step.name}`;
    lines.push(`${decision.directions[index] === 'unapply' ? 'Unapply' : 'Apply'} ${key}${counts.has(key) ? `    (${counts.get(key)})` : ''}`);
    for (const operation of step.operations) lines.push(`    ${operation}`);
  });
  return `${lines.join('\n')}\n`;
}

function findingLines(entry: StepFindings): string[] {
  const order = { error: 0, warning: 1, info: 2 } as const;
  const findings = [...entry.findings].sort((a, b) => order[a.severity] - order[b.severity] || a.line - b.line);
  return [`  ${entry.app}.${entry.name}`, ...findings.map((finding) => `    line ${finding.line + 1}: ${finding.severity} ${finding.rule}: ${finding.message.replace(/\s+/g, ' ').trim()}`)];
}

function countText(entry: StepFindings): string {
  const errors = entry.findings.filter((finding) => finding.severity === 'error').length;
  const warnings = entry.findings.filter((finding) => finding.severity === 'warning').length;
  return [errors > 0 ? plural(errors, 'error') : '', warnings > 0 ? plural(warnings, 'warning') : ''].filter(Boolean).join(', ');
}

export function mergePreviewText(merges: readonly MergeProposal[]): string {
  const parts = ['# makemigrations --merge --dry-run: nothing has been written yet.', ''];
  for (const merge of merges) {
    parts.push(`# ${'='.repeat(76)}`, `# Merging ${merge.app}: ${merge.fileName ?? '(file name not printed)'}`);
    for (const branch of merge.branches) {
      parts.push(`#   Branch ${branch.name}`, ...branch.operations.map((operation) => `#     - ${operation}`));
    }
    parts.push(`# ${'='.repeat(76)}`, '', merge.content ?? '', '');
  }
  return parts.join('\n');
}

export function sqlDocumentText(input: { app: string; name: string; forwards: string; backwards: string | { error: string } }): string {
  const backwards =
    typeof input.backwards === 'string' ? input.backwards.trimEnd() : `-- Not available: ${input.backwards.error.replace(/\n/g, '\n-- ')}`;
  return [
    `-- sqlmigrate ${input.app} ${input.name}`,
    input.forwards.trimEnd() || '-- (no SQL: this migration only changes Django state or runs Python)',
    '',
    `-- sqlmigrate ${input.app} ${input.name} --backwards`,
    backwards || '-- (no SQL)',
    '',
  ].join('\n');
}

/**
 * The planned steps whose applied state did not change as planned, judged from `showmigrations --list` output taken
 * after the run. Empty when the run did exactly what the plan showed.
 */
export function stepsNotDoneAsPlanned(steps: readonly PlannedStep[], appliedBefore: ReadonlySet<string>, after: readonly AppMigrations[]): PlannedStep[] {
  const stateAfter = new Map<string, string>();
  for (const app of after) for (const migration of app.migrations) stateAfter.set(`${app.app}.${migration.name}`, migration.state);
  return steps.filter((step) => {
    const key = `${step.app}.${step.name}`;
    const expected = stepDirection(step, appliedBefore) === 'apply' ? 'applied' : 'unapplied';
    return stateAfter.get(key) !== expected;
  });
}

/** `app.name` of every applied migration in `showmigrations --list` output. */
export function appliedSet(apps: readonly AppMigrations[]): Set<string> {
  const applied = new Set<string>();
  for (const app of apps) for (const migration of app.migrations) if (migration.state === 'applied') applied.add(`${app.app}.${migration.name}`);
  return applied;
}

/** What the generated SQL looks like to the client (the server's GeneratedSqlResult, without importing it). */
export interface GeneratedSqlSummary {
  statements: readonly string[];
  computedStatements: readonly string[];
  database: string;
  djangoVersion: string;
}

/** sqlmigrate's output as statements: comments and BEGIN/COMMIT dropped, whitespace normalised. */
export function sqlmigrateStatements(output: string): string[] {
  const withoutComments = output
    .split(/\r?\n/)
    .filter((line) => !line.trim().startsWith('--'))
    .join('\n');
  return withoutComments
    .split(/;\s*(?:\n|$)/)
    .map((statement) => statement.replace(/\s+/g, ' ').trim())
    .filter((statement) => statement !== '' && !/^(BEGIN|COMMIT)$/i.test(statement));
}

/**
 * Comment lines that compare sqlmigrate's forwards SQL with the SQL Migration Guard generated: the figure, then
 * each statement found on one side only (a value Django computes at migrate time is named as the likely cause).
 */
export function comparisonLines(sqlmigrateForwards: string, generated: GeneratedSqlSummary): string[] {
  const theirs = sqlmigrateStatements(sqlmigrateForwards);
  const ours = generated.statements.map((statement) => statement.replace(/\s+/g, ' ').trim());
  const remaining = [...ours];
  const onlyDjango: string[] = [];
  for (const statement of theirs) {
    const index = remaining.indexOf(statement);
    if (index >= 0) remaining.splice(index, 1);
    else onlyDjango.push(statement);
  }
  const header = `-- Compared with the SQL Migration Guard generated (${generated.database}, Django ${generated.djangoVersion}): ${theirs.length - onlyDjango.length} of ${theirs.length} statements identical.`;
  if (onlyDjango.length === 0 && remaining.length === 0) return [header];
  const computed = new Set(generated.computedStatements.map((statement) => statement.replace(/\s+/g, ' ').trim()));
  const oneLine = (text: string): string => text.replace(/\r?\n/g, ' ');
  return [
    header,
    ...onlyDjango.map((statement) => `--   only in sqlmigrate: ${oneLine(statement)}`),
    ...remaining.map((statement) => `--   only generated: ${oneLine(statement)}${computed.has(statement) ? '  (holds a value Django computes when the migration runs)' : ''}`),
    '--   Other differences usually mean django-version in [tool.migration-guard] does not match the installed Django.',
  ];
}

/** "✖ 2 ⚠ 1": the error and warning counts of a migration, empty without any. */
export function findingBadge(findings: FileFindings | undefined): string {
  if (!findings) return '';
  return [findings.counts.error > 0 ? `✖ ${findings.counts.error}` : '', findings.counts.warning > 0 ? `⚠ ${findings.counts.warning}` : ''].filter(Boolean).join(' ');
}

/** The row's tooltip: what it is, then each finding (errors first), as plain text. */
export function findingsTooltip(heading: string, findings: FileFindings | undefined): string {
  if (!findings || findings.findings.length === 0) return heading;
  const order = { error: 0, warning: 1, info: 2 } as const;
  const sorted = [...findings.findings].sort((a, b) => order[a.severity] - order[b.severity] || a.line - b.line);
  const counts = [plural(findings.counts.error, 'error'), plural(findings.counts.warning, 'warning'), ...(findings.counts.info > 0 ? [plural(findings.counts.info, 'info')] : [])].join(', ');
  return [heading, '', `${counts}:`, ...sorted.map((finding) => `line ${finding.line + 1} ${finding.severity} ${finding.rule}: ${finding.message.replace(/\s+/g, ' ').trim()}`)].join('\n');
}
