// The texts of the read-only previews (dry runs, merges, SQL) and the check that a migrate run did what its plan
// said. No `vscode` import: unit-tested as is.
import { stepDirection } from './confirmation';
import type { AppMigrations, MakemigrationsPreview, MergeProposal, PlannedStep } from './djangoOutput';

/** The dry run as one Python document: each proposed file's path and operations as comments, then its text. */
export function makemigrationsPreviewText(preview: MakemigrationsPreview): string {
  const parts = ['# makemigrations --dry-run: nothing has been written yet.', ''];
  for (const migration of preview.migrations) {
    parts.push(`# ${'='.repeat(76)}`, `# ${migration.path}`, ...migration.operations.map((operation) => `#   - ${operation}`), `# ${'='.repeat(76)}`, '');
    parts.push(migration.content ?? '# (Django did not print the file text.)', '');
  }
  return parts.join('\n');
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
