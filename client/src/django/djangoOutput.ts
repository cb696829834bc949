// Parsers for the plain-text output of Django's management commands (as printed with --no-color by Django 3.2
// through 5.x). Each parser is tolerant: lines it does not recognise are skipped, never fatal.
import { isRecord } from '../isRecord';
import { SETTINGS_PROBE_MARKER } from './commandLine';

function lines(text: string): string[] {
  return text.replace(/\r\n?/g, '\n').split('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// showmigrations --list

export type AppliedState = 'applied' | 'unapplied' | 'partial';

export interface ListedMigration {
  app: string;
  name: string;
  state: AppliedState;
  /** For a squashed migration: how many migrations it replaces. */
  squashedCount?: number;
}

export interface AppMigrations {
  app: string;
  /** In graph order, oldest first. Empty for an app Django lists with "(no migrations)". */
  migrations: ListedMigration[];
}

const LIST_ENTRY = /^\s+\[( |X|x|-)\]\s+(\S+)(?:\s+\((\d+) squashed migrations\))?(?:\s+\(applied at [^)]*\))?\s*$/;

export function parseShowmigrationsList(text: string): AppMigrations[] {
  const apps: AppMigrations[] = [];
  let current: AppMigrations | undefined;
  for (const line of lines(text)) {
    if (line.trim() === '') continue;
    if (!/^\s/.test(line)) {
      current = { app: line.trim(), migrations: [] };
      apps.push(current);
      continue;
    }
    const match = LIST_ENTRY.exec(line);
    if (!match || !current) continue;
    const mark = match[1];
    const entry: ListedMigration = {
      app: current.app,
      name: match[2]!,
      state: mark === ' ' ? 'unapplied' : mark === '-' ? 'partial' : 'applied',
    };
    if (match[3] !== undefined) entry.squashedCount = Number(match[3]);
    current.migrations.push(entry);
  }
  return apps;
}

// ---------------------------------------------------------------------------------------------------------------
// showmigrations --plan

export interface PlanNode {
  app: string;
  name: string;
  applied: boolean;
  /** `app.name` of each parent, when printed (verbosity >= 2). */
  dependencies: string[];
}

const PLAN_ENTRY = /^\[( |X|x|-)\]\s+([^.\s]+)\.(\S+?)(?:\s+\.\.\.\s+\((.*)\))?\s*$/;

export function parseShowmigrationsPlan(text: string): PlanNode[] {
  const nodes: PlanNode[] = [];
  for (const line of lines(text)) {
    const match = PLAN_ENTRY.exec(line.trim());
    if (!match) continue;
    nodes.push({
      app: match[2]!,
      name: match[3]!,
      applied: match[1] !== ' ',
      dependencies: match[4] ? match[4].split(',').map((dep) => dep.trim()).filter((dep) => dep !== '') : [],
    });
  }
  return nodes;
}

// ---------------------------------------------------------------------------------------------------------------
// migrate --plan

export interface PlannedStep {
  app: string;
  name: string;
  /** Django's description of each operation, e.g. "Add field price to product", "Undo Create model Tag". */
  operations: string[];
  /** Some operation cannot be reversed (Django prints "-> IRREVERSIBLE" when planning backwards). */
  irreversible: boolean;
}

export interface MigratePlan {
  steps: PlannedStep[];
  /** False when the output did not contain Django's "Planned operations:" header (not a plan at all). */
  recognised: boolean;
}

const PLAN_STEP = /^([^\s.]+)\.(\S+)$/;

export function parseMigratePlan(text: string): MigratePlan {
  const steps: PlannedStep[] = [];
  let recognised = false;
  let current: PlannedStep | undefined;
  for (const line of lines(text)) {
    if (line.trim() === '') continue;
    if (line.trim() === 'Planned operations:') {
      recognised = true;
      continue;
    }
    if (!recognised) continue;
    if (!/^\s/.test(line)) {
      const match = PLAN_STEP.exec(line.trim());
      current = match ? { app: match[1]!, name: match[2]!, operations: [], irreversible: false } : undefined;
      if (current) steps.push(current);
      continue;
    }
    if (current && /^\s{4}/.test(line)) {
      const operation = line.trim();
      current.operations.push(operation);
      if (/-> IRREVERSIBLE$/.test(operation)) current.irreversible = true;
    }
  }
  return { steps, recognised };
}

/** The migrations `migrate` reported as applied or unapplied, in order, and where it stopped if it failed. */
export interface MigrateRun {
  applied: string[];
  unapplied: string[];
  /** `app.name` whose "Applying ..." or "Unapplying ..." line has no OK: the migration that failed. */
  failedAt?: string;
}

const RUN_STEP = /^\s*(Applying|Unapplying) (\S+?)\.\.\.(.*)$/;

export function parseMigrateRun(text: string): MigrateRun {
  const run: MigrateRun = { applied: [], unapplied: [] };
  for (const line of lines(text)) {
    const match = RUN_STEP.exec(line);
    if (!match) continue;
    const outcome = match[3]!.trim();
    if (/^(OK|FAKED)\b/.test(outcome)) (match[1] === 'Applying' ? run.applied : run.unapplied).push(match[2]!);
    else run.failedAt = match[2]!;
  }
  return run;
}

// ---------------------------------------------------------------------------------------------------------------
// makemigrations --dry-run -v 3 (and --merge --dry-run -v 3)

export interface ProposedMigration {
  app: string;
  /** As Django printed it: relative to manage.py's folder when below it, else absolute. */
  path: string;
  fileName: string;
  operations: string[];
  /** The full file text Django would write (printed at verbosity 3). */
  content?: string;
}

export interface MakemigrationsPreview {
  /** Django said "No changes detected...". */
  noChanges: boolean;
  migrations: ProposedMigration[];
}

const MIGRATIONS_FOR = /^Migrations for '(.+)':$/;
const FULL_FILE = /^Full migrations file '(.+)':$/;

export function parseMakemigrationsPreview(text: string): MakemigrationsPreview {
  const preview: MakemigrationsPreview = { noChanges: false, migrations: [] };
  let app: string | undefined;
  let current: ProposedMigration | undefined;
  let contentLines: string[] | undefined;
  const closeContent = (): void => {
    if (current && contentLines) current.content = trimTrailingBlankLines(contentLines).join('\n') + '\n';
    contentLines = undefined;
  };
  for (const line of lines(text)) {
    const heading = MIGRATIONS_FOR.exec(line);
    const full = FULL_FILE.exec(line);
    if (heading) {
      closeContent();
      app = heading[1]!;
      current = undefined;
    } else if (full) {
      closeContent();
      current = preview.migrations.find((migration) => migration.app === app && migration.fileName === full[1]) ?? current;
      contentLines = [];
    } else if (app !== undefined && isProposedPathLine(line, contentLines !== undefined)) {
      // The next migration of the same app starts right after the previous one's full text.
      closeContent();
      const path = line.trim();
      current = { app, path, fileName: path.split(/[\\/]/).pop() ?? path, operations: [] };
      preview.migrations.push(current);
    } else if (contentLines) {
      contentLines.push(line);
    } else if (/^No changes detected/.test(line.trim())) {
      preview.noChanges = true;
    } else if (current && /^\s+- /.test(line)) {
      current.operations.push(line.trim().slice(2));
    }
  }
  closeContent();
  return preview;
}

export interface MergeProposal {
  app: string;
  branches: { name: string; operations: string[] }[];
  fileName?: string;
  content?: string;
}

const MERGING = /^Merging (\S+)$/;
const BRANCH = /^\s+Branch (\S+)$/;
const FULL_MERGE_FILE = /^Full merge migrations file '(.+)':$/;

export function parseMergePreview(text: string): { merges: MergeProposal[]; noConflicts: boolean } {
  const merges: MergeProposal[] = [];
  let noConflicts = false;
  let current: MergeProposal | undefined;
  let contentLines: string[] | undefined;
  const closeContent = (): void => {
    if (current && contentLines) current.content = trimTrailingBlankLines(contentLines).join('\n') + '\n';
    contentLines = undefined;
  };
  for (const line of lines(text)) {
    const merging = MERGING.exec(line);
    const full = FULL_MERGE_FILE.exec(line);
    if (merging) {
      closeContent();
      current = { app: merging[1]!, branches: [] };
      merges.push(current);
    } else if (full && current) {
      closeContent();
      current.fileName = full[1]!;
      contentLines = [];
    } else if (contentLines) {
      contentLines.push(line);
    } else if (/^No conflicts detected to merge/.test(line.trim())) {
      noConflicts = true;
    } else if (current) {
      const branch = BRANCH.exec(line);
      if (branch) current.branches.push({ name: branch[1]!, operations: [] });
      else if (/^\s+- /.test(line)) current.branches[current.branches.length - 1]?.operations.push(line.trim().slice(2));
    }
  }
  closeContent();
  return { merges, noConflicts };
}

/**
 * Django prints each proposed file as two spaces and a path. Inside a printed file text only a path into a
 * `migrations` folder counts, so a Python line that happens to end in `.py` is not mistaken for one.
 */
function isProposedPathLine(line: string, insideFileText: boolean): boolean {
  if (!/^ {2}\S.*\.py$/.test(line)) return false;
  return !insideFileText || /^ {2}\S*[\\/]migrations[\\/][^\\/\s]+\.py$/.test(line);
}

function trimTrailingBlankLines(textLines: string[]): string[] {
  let end = textLines.length;
  while (end > 0 && textLines[end - 1]!.trim() === '') end--;
  return textLines.slice(0, end);
}

/** The header line Django stamps with the current time; two runs a minute apart differ only there. */
export function withoutGeneratedHeader(content: string): string {
  return lines(content)
    .filter((line) => !/^# Generated by Django .* on \d{4}-\d{2}-\d{2} \d{2}:\d{2}$/.test(line))
    .join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Probes

export interface ProjectSettings {
  settingsModule: string;
  database: { name: string; engine: string; host: string; port: string };
  /** Working directory Django ran in (the manage.py folder, or its counterpart inside a container). */
  baseDir: string;
  /**
   * `migrationsPath`: the folder Django loads the app's migrations from (MIGRATION_MODULES honoured); empty when the
   * app has none or the probe could not tell, absent from older probes.
   */
  apps: { label: string; name: string; path: string; migrationsPath?: string }[];
}

/** Reads the settings probe's JSON line; undefined when the output does not contain a valid one. */
export function parseSettingsProbe(stdout: string): ProjectSettings | undefined {
  for (const line of lines(stdout)) {
    const at = line.indexOf(SETTINGS_PROBE_MARKER);
    if (at < 0) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line.slice(at + SETTINGS_PROBE_MARKER.length));
    } catch {
      return undefined;
    }
    if (!isRecord(raw) || !isRecord(raw.database) || !Array.isArray(raw.apps)) return undefined;
    const db = raw.database;
    return {
      settingsModule: typeof raw.settingsModule === 'string' ? raw.settingsModule : '',
      database: { name: str(db.name), engine: str(db.engine), host: str(db.host), port: str(db.port) },
      baseDir: str(raw.baseDir),
      apps: raw.apps.filter(isRecord).map((app) => ({ label: str(app.label), name: str(app.name), path: str(app.path), ...(typeof app.migrationsPath === 'string' && app.migrationsPath !== '' ? { migrationsPath: app.migrationsPath } : {}) })),
    };
  }
  return undefined;
}

export interface InterpreterInfo {
  executable: string;
  version: string;
  /** Django's version, or null when `import django` fails. */
  django: string | null;
}

export function parseInterpreterProbe(stdout: string): InterpreterInfo | undefined {
  for (const line of lines(stdout).reverse()) {
    if (!line.trim().startsWith('{')) continue;
    try {
      const raw: unknown = JSON.parse(line);
      if (isRecord(raw) && typeof raw.version === 'string') {
        return { executable: str(raw.executable), version: raw.version, django: typeof raw.django === 'string' ? raw.django : null };
      }
    } catch {
      // not the probe's line
    }
  }
  return undefined;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
}
