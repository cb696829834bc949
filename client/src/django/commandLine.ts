// Builds manage.py command lines as argument arrays. Nothing here ever joins arguments into a shell string, so an
// app label or migration name holding spaces, quotes or `;` reaches Django exactly as typed.
// No `vscode` import: the unit tests and the real-Django tests run this module under plain mocha.
import { basename, dirname } from 'node:path';
import { commandLineNameProblem } from './djangoNames';

/** How the user's settings say manage.py must be started. */
export interface LaunchSettings {
  /** The Python interpreter (a path or a command name). */
  python: string;
  /** Absolute path of manage.py; its folder is the working directory. */
  managePy: string;
  /** Words put before the interpreter, e.g. ["docker","compose","exec","web"] or ["poetry","run"]. */
  commandPrefix: readonly string[];
  /** Extra environment variables, e.g. DJANGO_SETTINGS_MODULE. */
  env: Readonly<Record<string, string>>;
}

/** A process to start: executable, argument array, working directory and the variables added to the environment. */
export interface CommandLine {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
}

/**
 * Variables that keep Django's output parseable: unbuffered so a cancelled run still shows what happened, UTF-8 so
 * non-ASCII names survive on any locale. User variables win over these.
 */
const OUTPUT_ENV: Readonly<Record<string, string>> = { PYTHONUNBUFFERED: '1', PYTHONIOENCODING: 'utf-8' };

/**
 * `manage.py` is passed by its file name because the working directory is its folder: that also holds inside a
 * container reached through a prefix such as `docker compose exec web`, where the host path does not exist.
 */
export function manageCommandLine(launch: LaunchSettings, managePyArgs: readonly string[]): CommandLine {
  const words = [...launch.commandPrefix, launch.python, basename(launch.managePy), ...managePyArgs];
  const [command, ...args] = words as [string, ...string[]];
  return { command, args, cwd: dirname(launch.managePy), env: { ...OUTPUT_ENV, ...launch.env } };
}

/** A human-readable rendering for logs and confirmations; never executed. */
export function displayCommandLine(line: CommandLine): string {
  return [line.command, ...line.args].map(quoteForDisplay).join(' ');
}

function quoteForDisplay(word: string): string {
  if (word !== '' && /^[\w@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'"'"'`)}'`;
}

// ---------------------------------------------------------------------------------------------------------------
// Settings values arrive as `unknown` (settings.json is user-edited); these readers keep what is usable and say
// what was dropped, so a typo never turns into a confusing command line.

export interface ReadSetting<T> {
  value: T;
  problems: string[];
}

export function readCommandPrefix(raw: unknown): ReadSetting<string[]> {
  if (raw === undefined || raw === null) return { value: [], problems: [] };
  if (typeof raw === 'string') {
    // A string is the natural mistake ("poetry run"); splitting it would reintroduce shell parsing, so refuse it.
    return raw.trim() === ''
      ? { value: [], problems: [] }
      : { value: [], problems: [`migrationGuard.commandPrefix must be an array of words, e.g. ${JSON.stringify(raw.trim().split(/\s+/))}, not the string ${JSON.stringify(raw)}; it was ignored.`] };
  }
  if (!Array.isArray(raw)) return { value: [], problems: ['migrationGuard.commandPrefix must be an array of strings; it was ignored.'] };
  const bad = raw.filter((word) => typeof word !== 'string' || word === '');
  if (bad.length > 0) return { value: [], problems: ['migrationGuard.commandPrefix must hold only non-empty strings; it was ignored.'] };
  return { value: raw as string[], problems: [] };
}

export function readEnvironment(raw: unknown): ReadSetting<Record<string, string>> {
  if (raw === undefined || raw === null) return { value: {}, problems: [] };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    return { value: {}, problems: ['migrationGuard.env must be an object of NAME: "value" pairs; it was ignored.'] };
  }
  const value: Record<string, string> = {};
  const problems: string[] = [];
  for (const [name, item] of Object.entries(raw as Record<string, unknown>)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) problems.push(`migrationGuard.env: ${JSON.stringify(name)} is not a valid variable name; it was ignored.`);
    else if (typeof item === 'string') value[name] = item;
    else if (typeof item === 'number' || typeof item === 'boolean') value[name] = String(item);
    else problems.push(`migrationGuard.env.${name} must be a string; it was ignored.`);
  }
  return { value, problems };
}

// ---------------------------------------------------------------------------------------------------------------
// manage.py argument lists. `--no-color` keeps captured output free of ANSI codes so the parsers see plain text.
//
// App labels and migration names come from file and folder names (and from Django's own listing of them, which
// includes a file named `--fake.py`), so two guards stand between them and an option: each must be a name Django
// accepts (djangoNames.ts), checked here where every argument list is built, and they go after `--`, which ends
// Django's options (argparse; tried on Django 3.2 for migrate, sqlmigrate, showmigrations and makemigrations: after
// `--`, `migrate shop --fake` looks for a migration called "--fake").

/** An app label or migration name manage.py must not be given; thrown before any process starts. */
export class ManagePyNameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManagePyNameError';
  }
}

/** `names` after the options, behind `--`; each refused unless Django accepts it. */
function positionals(command: string, names: { app: string; migration?: string }[]): string[] {
  if (names.length === 0) return [];
  const words: string[] = ['--'];
  for (const { app, migration } of names) {
    const problem = commandLineNameProblem(app, migration);
    if (problem) throw new ManagePyNameError(`manage.py ${command} was not run: ${problem}.`);
    words.push(app);
    if (migration !== undefined) words.push(migration);
  }
  return words;
}

export interface MakemigrationsOptions {
  /** Only this app; all apps when absent. */
  app?: string;
  /** Value of `--name`. */
  name?: string;
  dryRun?: boolean;
  /** `--check`: exit 1 when changes are missing. */
  check?: boolean;
  merge?: boolean;
  verbosity?: 0 | 1 | 2 | 3;
}

export function makemigrationsArgs(options: MakemigrationsOptions): string[] {
  // --noinput: the preview must be what gets written, so neither run may stop to ask a question.
  const args = ['makemigrations'];
  if (options.merge) args.push('--merge');
  if (options.check) args.push('--check');
  if (options.dryRun) args.push('--dry-run');
  // One word with `=`: a name starting with `-` stays the option's value (Django then refuses non-identifiers).
  if (options.name !== undefined && options.name !== '') args.push(`--name=${options.name}`);
  if (options.verbosity !== undefined) args.push('--verbosity', String(options.verbosity));
  args.push('--noinput', '--no-color');
  return [...args, ...positionals('makemigrations', options.app !== undefined ? [{ app: options.app }] : [])];
}

/** What `migrate` should reach: everything, one app's latest migration, or an app at a named migration (or `zero`). */
export type MigrateTarget = { kind: 'all' } | { kind: 'app'; app: string } | { kind: 'migration'; app: string; migration: string };

export function migrateArgs(target: MigrateTarget, options: { plan?: boolean } = {}): string[] {
  const args = ['migrate'];
  if (options.plan) args.push('--plan');
  args.push('--noinput', '--no-color');
  if (target.kind === 'app') args.push(...positionals('migrate', [{ app: target.app }]));
  if (target.kind === 'migration') args.push(...positionals('migrate', [{ app: target.app, migration: target.migration }]));
  return args;
}

export function describeMigrateTarget(target: MigrateTarget): string {
  if (target.kind === 'all') return 'all apps';
  if (target.kind === 'app') return `app ${target.app}`;
  return target.migration === 'zero' ? `${target.app} to zero (every migration unapplied)` : `${target.app}.${target.migration}`;
}

export function showmigrationsArgs(format: 'list' | 'plan', apps: readonly string[] = []): string[] {
  return ['showmigrations', `--${format}`, '--no-color', ...positionals('showmigrations', apps.map((app) => ({ app })))];
}

export function sqlmigrateArgs(app: string, migration: string, options: { backwards?: boolean } = {}): string[] {
  return ['sqlmigrate', ...(options.backwards ? ['--backwards'] : []), '--no-color', ...positionals('sqlmigrate', [{ app, migration }])];
}

/** Printed before the settings JSON so anything else the project prints at import time cannot be mistaken for it. */
export const SETTINGS_PROBE_MARKER = '@@migration-guard-settings@@';

/**
 * Python run by `manage.py shell -c` (after django.setup()): the default database and settings module the
 * confirmation names, and the installed apps with their folders (to offer app choices and to open migration files).
 * A single argument: the code is never interpolated with user input.
 */
const SETTINGS_PROBE_CODE = [
  'import importlib.util, json, os',
  'from django.apps import apps',
  'from django.conf import settings',
  'from django.db.migrations.loader import MigrationLoader',
  // Where Django loads an app's migrations from (MIGRATION_MODULES may move them out of <app>/migrations).
  'def migrations_path(label):',
  '    try:',
  '        name = MigrationLoader.migrations_module(label)[0]',
  '        spec = importlib.util.find_spec(name) if name else None',
  '        locations = list(spec.submodule_search_locations or []) if spec else []',
  "        return locations[0] if locations else ''",
  '    except Exception:',
  "        return ''",
  "db = settings.DATABASES.get('default', {})",
  "print('" + SETTINGS_PROBE_MARKER + "' + json.dumps({",
  "  'settingsModule': os.environ.get('DJANGO_SETTINGS_MODULE') or getattr(settings, 'SETTINGS_MODULE', None),",
  "  'database': {'name': str(db.get('NAME') or ''), 'engine': str(db.get('ENGINE') or ''), 'host': str(db.get('HOST') or ''), 'port': str(db.get('PORT') or '')},",
  "  'baseDir': os.getcwd(),",
  "  'apps': [{'label': a.label, 'name': a.name, 'path': a.path, 'migrationsPath': migrations_path(a.label)} for a in apps.get_app_configs()],",
  '}))',
].join('\n');

export function settingsProbeArgs(): string[] {
  return ['shell', '--no-color', '-c', SETTINGS_PROBE_CODE];
}

/** Python run directly by the interpreter (no Django setup) to learn its version and whether Django imports. */
const INTERPRETER_PROBE_CODE = [
  'import json, sys',
  'try:',
  '    import django',
  '    dj = django.get_version()',
  'except Exception:',
  '    dj = None',
  "print(json.dumps({'executable': sys.executable, 'version': '%d.%d.%d' % sys.version_info[:3], 'django': dj}))",
].join('\n');

export function interpreterProbeArgs(): string[] {
  return ['-c', INTERPRETER_PROBE_CODE];
}
