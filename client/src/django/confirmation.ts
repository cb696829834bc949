// What to ask before `migrate` touches a database: nothing when the plan is empty, a modal confirmation that names
// the database and the settings module otherwise, and a typed confirmation (the database name must be typed back)
// when anything about the target looks like production.
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

export interface ConfirmationRequest {
  /** What the user asked for, e.g. "Migrate shop to 0003_price". */
  title: string;
  settings: Pick<ProjectSettings, 'settingsModule' | 'database'>;
  steps: readonly PlannedStep[];
  /** `app.name` of the migrations applied before the run, when known. */
  applied?: ReadonlySet<string>;
  productionPattern?: string;
}

export type Confirmation =
  | { kind: 'nothing-to-do'; message: string }
  | {
      kind: 'confirm' | 'typed';
      /** The modal's headline. */
      message: string;
      /** Database, settings module, and the plan, one step per line. */
      detail: string;
      confirmLabel: string;
      /** For `typed`: the text that must be typed back exactly. */
      expectedText?: string;
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

  const detail: string[] = [`Database: ${database}`, `Settings: ${settingsModule}`];
  if (production.matches.length > 0) detail.push(`This looks like PRODUCTION (matched: ${production.matches.join(', ')}).`);
  if (irreversible.length > 0) {
    detail.push(`Cannot be reversed: ${irreversible.map((step) => `${step.app}.${step.name}`).join(', ')}. Django will stop with IrreversibleError there.`);
  }
  detail.push('', 'Plan (migrate --plan):');
  request.steps.forEach((step, index) => {
    detail.push(`${directions[index] === 'unapply' ? 'Unapply' : 'Apply'} ${step.app}.${step.name}`);
    for (const operation of step.operations) detail.push(`    ${operation}`);
  });

  const message = `${request.title}: ${verb} on database ${database}?`;
  if (production.matches.length > 0) {
    const expectedText = lastPathSegment(request.settings.database.name) || settingsModule;
    return { kind: 'typed', message, detail: detail.join('\n'), confirmLabel: unapplyCount > 0 ? 'Roll Back' : 'Migrate', expectedText, warnings };
  }
  return { kind: 'confirm', message, detail: detail.join('\n'), confirmLabel: unapplyCount > 0 ? 'Roll Back' : 'Migrate', warnings };
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
