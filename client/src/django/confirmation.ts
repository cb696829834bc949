// What to ask before `migrate` touches a database: nothing when the plan is empty, a modal confirmation that names
// the database and the settings module otherwise, and a typed confirmation (the database name must be typed back)
// when anything about the target looks like production or a migration of the plan has errors. The modal stays a
// short question with the counts; the plan and the findings go in the preview document (previewText.ts).
import type { FindingSummary } from '../../../server/src/lsp/clientContract';
import type { PlannedStep, ProjectSettings } from './djangoOutput';

/** Matches a whole word `prod`, `production` or `live` delimited by `.`, `_`, `-` or the ends. */
const DEFAULT_PRODUCTION_PATTERN = '(^|[._-])(prod|production|live)([._-]|$)';

export interface ProductionCheck {
  /** The values that matched the pattern (settings module, database name, host). */
  matches: string[];
  /** Set when the configured pattern is not a valid regular expression (the default was used instead). */
  patternProblem?: string;
}

export function checkProduction(settings: Pick<ProjectSettings, 'settingsModule' | 'database'>, pattern: string | undefined): ProductionCheck {
  let regex: RegExp;
  let patternProblem: string | undefined;
  try {
    regex = new RegExp(pattern === undefined || pattern.trim() === '' ? DEFAULT_PRODUCTION_PATTERN : pattern, 'i');
  } catch (error) {
    patternProblem = `migrationGuard.productionPattern is not a valid regular expression (${(error as Error).message}); the default pattern was used.`;
    regex = new RegExp(DEFAULT_PRODUCTION_PATTERN, 'i');
  }
  const databaseFile = lastPathSegment(settings.database.name);
  const candidates = [settings.settingsModule, settings.database.name, databaseFile, settings.database.host];
  // Each dotted or slashed part is tested too, so `config.settings.prod` and `/srv/live/db.sqlite3` match.
  const matches = new Set<string>();
  for (const value of candidates) {
    if (!value) continue;
    const parts = [value, ...value.split(/[\\/]/)];
    if (parts.some((part) => part !== '' && regex.test(part))) matches.add(value);
  }
  return patternProblem ? { matches: [...matches], patternProblem } : { matches: [...matches] };
}

export type StepDirection = 'apply' | 'unapply';

/**
 * Django plans backwards steps only for applied migrations and forwards steps only for unapplied ones, so the
 * state before the run decides; "Undo ..."/IRREVERSIBLE descriptions decide when the state is not known.
 */
export function stepDirection(step: PlannedStep, applied?: ReadonlySet<string>): StepDirection {
  if (applied) return applied.has(`${step.app}.${step.name}`) ? 'unapply' : 'apply';
  return step.irreversible || step.operations.some((operation) => operation.startsWith('Undo ')) ? 'unapply' : 'apply';
}

/** The findings of one migration of the plan, as the language server reported them. */
export interface StepFindings {
  app: string;
  name: string;
  findings: readonly FindingSummary[];
}

/** What the pre-flight learned about the plan's migrations. */
export interface PlanLint {
  /** The plan's migrations the language server checked (those whose files are in the workspace). */
  checked: readonly StepFindings[];
  /** Plan migrations whose files are in the workspace but that the language server did not check (e.g. binary). */
  notAnalysed?: readonly { app: string; name: string }[];
  /** Set when nothing could be checked (the language server is not running), saying why. */
  unavailable?: string;
}

export interface LintVerdict {
  withErrors: StepFindings[];
  /** Migrations with warnings but no error. */
  withWarningsOnly: StepFindings[];
  errorCount: number;
  warningCount: number;
  /** False when the language server could not check anything. */
  available: boolean;
  checkedCount: number;
  /** How many of the plan's migrations were not checked (installed packages, files outside the workspace). */
  unchecked: number;
  /** `app.name` of the workspace migrations of the plan that were not checked (part of `unchecked`). */
  notAnalysed: string[];
  /** One sentence for the modal, e.g. "3 migrations in this plan have errors (4 errors), 1 has warnings." */
  summary: string;
}

export function lintVerdict(steps: readonly PlannedStep[], lint: PlanLint | undefined): LintVerdict {
  const checked = lint?.checked ?? [];
  const count = (entry: StepFindings, severity: FindingSummary['severity']) => entry.findings.filter((finding) => finding.severity === severity).length;
  const withErrors = checked.filter((entry) => count(entry, 'error') > 0);
  const withWarningsOnly = checked.filter((entry) => count(entry, 'error') === 0 && count(entry, 'warning') > 0);
  const errorCount = checked.reduce((total, entry) => total + count(entry, 'error'), 0);
  const warningCount = checked.reduce((total, entry) => total + count(entry, 'warning'), 0);
  const unchecked = Math.max(0, steps.length - checked.length);
  let summary: string;
  if (!lint || lint.unavailable) {
    summary = `The migrations in this plan were not checked${lint?.unavailable ? `: ${lint.unavailable}` : ''}.`;
  } else if (checked.length === 0) {
    summary = 'None of the migrations in this plan is in the workspace, so none was checked.';
  } else {
    const parts: string[] = [];
    if (withErrors.length > 0) {
      parts.push(`${withErrors.length === 1 ? '1 migration in this plan has' : `${withErrors.length} migrations in this plan have`} errors (${plural(errorCount, 'error')})`);
    } else {
      parts.push(`No errors in the ${plural(checked.length, 'migration')} checked`);
    }
    if (withWarningsOnly.length > 0) parts.push(`${withErrors.length > 0 ? `${withWarningsOnly.length} more` : plural(withWarningsOnly.length, 'migration')} ${withWarningsOnly.length === 1 ? 'has' : 'have'} warnings`);
    summary = `${parts.join(', ')}.`;
  }
  const notAnalysed = lint && !lint.unavailable ? (lint.notAnalysed ?? []).map((step) => `${step.app}.${step.name}`) : [];
  const fromPackages = unchecked - notAnalysed.length;
  // A workspace migration that was not checked makes the verdict incomplete: the modal says so, with its name.
  if (notAnalysed.length > 0) summary += ` Not checked: ${notAnalysed.join(', ')} (see the logs).`;
  if (lint && !lint.unavailable && fromPackages > 0 && checked.length > 0) summary += ` ${plural(fromPackages, 'migration')} from installed packages not checked.`;
  return { withErrors, withWarningsOnly, errorCount, warningCount, available: lint !== undefined && !lint.unavailable, checkedCount: checked.length, unchecked, notAnalysed, summary };
}

export interface ConfirmationRequest {
  /** What the user asked for, e.g. "Migrate shop to 0003_price". */
  title: string;
  settings: Pick<ProjectSettings, 'settingsModule' | 'database'>;
  steps: readonly PlannedStep[];
  /** `app.name` of the migrations applied before the run, when known. */
  applied?: ReadonlySet<string>;
  productionPattern?: string;
  /** The pre-flight's findings for the plan's migrations. */
  lint?: PlanLint;
  /** migrationGuard.migrate.confirmErrors: errors in the plan need the typed confirmation (default true). */
  confirmErrors?: boolean;
}

export type Confirmation =
  | { kind: 'nothing-to-do'; message: string }
  | {
      kind: 'confirm' | 'typed';
      /** The modal's headline. */
      message: string;
      /** Database, settings module, the verdict in one sentence: a few lines (the plan is in the preview). */
      detail: string;
      confirmLabel: string;
      /** For `typed`: the text that must be typed back exactly. */
      expectedText?: string;
      /** For `typed`: why typing is needed. */
      typedBecause?: 'production' | 'errors';
      verdict: LintVerdict;
      directions: StepDirection[];
      /** Problems with the user's settings worth showing (e.g. an invalid production pattern). */
      warnings: string[];
    };

export function decideConfirmation(request: ConfirmationRequest): Confirmation {
  const database = describeDatabase(request.settings.database);
  const settingsModule = request.settings.settingsModule || '(unknown settings module)';
  if (request.steps.length === 0) {
    return { kind: 'nothing-to-do', message: `${request.title}: nothing to do, database ${database} (settings ${settingsModule}) is already there.` };
  }
  const directions = request.steps.map((step) => stepDirection(step, request.applied));
  const applyCount = directions.filter((direction) => direction === 'apply').length;
  const unapplyCount = directions.length - applyCount;
  const verb = [applyCount > 0 ? `apply ${plural(applyCount, 'migration')}` : '', unapplyCount > 0 ? `UNAPPLY ${plural(unapplyCount, 'migration')}` : '']
    .filter((part) => part !== '')
    .join(' and ');

  const production = checkProduction(request.settings, request.productionPattern);
  const warnings = production.patternProblem ? [production.patternProblem] : [];
  const irreversible = request.steps.filter((step, index) => directions[index] === 'unapply' && step.irreversible);

  const verdict = lintVerdict(request.steps, request.lint);
  const detail: string[] = [`Database: ${database}`, `Settings: ${settingsModule}`];
  if (production.matches.length > 0) detail.push(`This looks like PRODUCTION (matched: ${production.matches.join(', ')}).`);
  if (irreversible.length > 0) {
    detail.push(`Cannot be reversed: ${irreversible.map((step) => `${step.app}.${step.name}`).join(', ')}. Django will stop with IrreversibleError there.`);
  }
  detail.push('', verdict.summary, 'The findings and the plan are in the preview document.');

  const message = `${request.title}: ${verb} on database ${database}?`;
  const confirmLabel = unapplyCount > 0 ? 'Roll Back' : 'Migrate';
  const typedBecause = production.matches.length > 0 ? 'production' : verdict.errorCount > 0 && request.confirmErrors !== false ? 'errors' : undefined;
  if (typedBecause) {
    const expectedText = lastPathSegment(request.settings.database.name) || settingsModule;
    return { kind: 'typed', message, detail: detail.join('\n'), confirmLabel, expectedText, typedBecause, warnings, verdict, directions };
  }
  return { kind: 'confirm', message, detail: detail.join('\n'), confirmLabel, warnings, verdict, directions };
}

export function describeDatabase(database: ProjectSettings['database']): string {
  const name = database.name || '(no NAME)';
  const engine = database.engine.replace(/^django\.db\.backends\./, '').replace(/^django\.contrib\.gis\.db\.backends\./, 'gis ');
  const where = database.host ? ` on ${database.host}${database.port ? `:${database.port}` : ''}` : '';
  return `"${name}" (${engine || 'unknown engine'}${where})`;
}

function lastPathSegment(value: string): string {
  return value.split(/[\\/]/).filter((part) => part !== '').pop() ?? '';
}

/** "1 migration", "2 migrations": the count and the noun, for the messages the commands and the status item show. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
