// `migration-guard check|rules|explain|lsp`: argument parsing and output only; the work is in engine/.
// Exit codes: 0 nothing at or above --fail-on (default error), 1 something (or a file that could not be analysed),
// 2 usage, configuration or git error (message on stderr).
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import pc from 'picocolors';
import { version as packageVersion } from '../../package.json';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkProject, knownRuleIds, NoMigrationsFoundError, type CheckOutcome } from './engine/checkProject';
import { describeMigration } from './engine/describeMigration';
import { ConfigError } from './engine/config/pyproject';
import { DATABASES, type ConfigLayer, type Database } from './engine/config/types';
import { FAIL_ON_LEVELS, reportFails, type FailOn } from './engine/failOn';
import { PathNotFoundError } from './engine/files';
import { formatReport, OUTPUT_FORMATS, type OutputFormat } from './engine/format/index';
import type { ReportContext } from './engine/format/report';
import { terminalSafe } from './engine/format/text';
import { ruleHelpText } from './engine/format/ruleHelp';
import { changedFilesSince, GitDiffError, restrictToChanged } from './engine/git/changedFiles';
import { ReplayRecorder } from './engine/cache/replay';
import { ALL_RULES, ruleById } from './engine/rules/index';
import type { Finding } from './engine/types';
import { projectSql } from './engine/projectSql';
import { formatSqlJson, formatSqlText, operationStatementsJson } from './engine/format/sqlText';
import { didYouMean } from './engine/suggest';

export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd: string;
  env: Record<string, string | undefined>;
  /** Whether stdout is a terminal (colours on by default). */
  stdoutIsTTY: boolean;
  /** Set by the executable (cliEntry.ts): a `check` with the cache on records its run under this key (cache/replay.ts). */
  replayKey?: string;
}

/** Usage errors found after commander has parsed the arguments. */
class UsageError extends Error {}

const VERSION: string = packageVersion;

function commaList(value: string, previous: string[] | undefined): string[] {
  const items = value.split(',').map((item) => item.trim()).filter((item) => item !== '');
  return [...(previous ?? []), ...items];
}

function integer(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 9 || parsed > 99) throw new InvalidArgumentError('expected a PostgreSQL major version such as 16.');
  return parsed;
}

function majorMinor(value: string): string {
  const match = /^(\d+)\.(\d+)(?:\.\d+)?$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError('expected a Django version such as 4.2.');
  return `${Number(match[1])}.${Number(match[2])}`;
}

/** Colours follow https://no-color.org and FORCE_COLOR; --no-color always wins. */
function useColor(io: CliIO, flag: boolean): boolean {
  if (!flag) return false;
  if (io.env['NO_COLOR']) return false;
  if (io.env['FORCE_COLOR'] && io.env['FORCE_COLOR'] !== '0') return true;
  return io.stdoutIsTTY && io.env['TERM'] !== 'dumb';
}

interface SqlFlags {
  format: 'text' | 'json';
  database?: Database;
  postgresVersion?: number;
  djangoVersion?: string;
  config?: string;
}

interface CheckFlags {
  format: OutputFormat;
  database?: Database;
  postgresVersion?: number;
  djangoVersion?: string;
  select?: string[];
  ignore?: string[];
  config?: string;
  baseline?: string;
  writeBaseline?: string;
  force?: boolean;
  color: boolean;
  demo?: boolean;
  stats?: boolean;
  workers?: string;
  diff?: string;
  since?: string;
  failOn: FailOn;
  cache: boolean;
  withSql?: boolean;
}

function flagsLayer(flags: CheckFlags): ConfigLayer {
  const layer: ConfigLayer = {};
  if (flags.database) layer.database = flags.database;
  if (flags.postgresVersion !== undefined) layer.postgresVersion = flags.postgresVersion;
  if (flags.djangoVersion) layer.djangoVersion = flags.djangoVersion;
  if (flags.select) layer.select = flags.select;
  if (flags.ignore) layer.ignore = flags.ignore;
  return layer;
}

function workerSetting(value: string | undefined): number | 'auto' {
  if (value === undefined || value === 'auto') return 'auto';
  const count = Number(value);
  if (!Number.isInteger(count) || count < 0 || count > 64) throw new UsageError(`--workers must be "auto" or a number from 0 to 64, not "${value}"`);
  return count;
}

function printStats(io: CliIO, outcome: CheckOutcome): void {
  const stats = {
    files: outcome.report.fileCount,
    lines: outcome.lineCount,
    ...Object.fromEntries(Object.entries(outcome.timings).map(([key, value]) => [key, typeof value === 'number' ? Math.round(value * 10) / 10 : value])),
    maxRssKb: process.resourceUsage().maxRSS,
    // CPU time of the whole process so far (every thread: V8's compiler and collector threads too).
    cpuMs: cpuMilliseconds(),
  };
  io.stderr(`migration-guard stats ${JSON.stringify(stats)}\n`);
}

function cpuMilliseconds(): number {
  const { user, system } = process.cpuUsage();
  return Math.round((user + system) / 1000);
}

/** `--with-sql`: each finding's operation's statements, from the SQL generated for the same paths. */
function sqlOfFindings(paths: string[], flags: CheckFlags, io: CliIO): (finding: Finding) => unknown[] | undefined {
  const report = projectSql(paths, io.cwd, flagsLayer(flags), flags.config);
  const byOperation = new Map<string, unknown[]>();
  for (const migration of report.migrations) {
    for (const operation of migration.sql.operations) byOperation.set(`${migration.path}#${operation.operation.span.start}`, operationStatementsJson(operation, report));
  }
  return (finding) => (finding.operationSpan ? byOperation.get(`${finding.file}#${finding.operationSpan.start}`) : undefined);
}

async function runCheck(paths: string[], flags: CheckFlags, io: CliIO): Promise<number> {
  if (flags.withSql && flags.format !== 'json') throw new UsageError('--with-sql adds each finding\'s statements to the JSON output: use it with --format json');
  if (flags.diff && flags.since && flags.diff !== flags.since) throw new UsageError('--since is another name for --diff: give one of them');
  const diffRef = flags.diff ?? flags.since;
  if (diffRef && flags.writeBaseline) throw new UsageError('--write-baseline accepts every finding, so it cannot be combined with --diff');
  // Recorded for replay unless the output depends on git (--diff) or the run writes a file (--write-baseline).
  if (!io.replayKey || !flags.cache || diffRef || flags.writeBaseline) return (await checkAndReport(paths, flags, io, io)).exitCode;
  const recorder = new ReplayRecorder(io.replayKey);
  try {
    const { exitCode, cacheFolder } = await checkAndReport(paths, flags, recorder.capture(io), io);
    if (cacheFolder) recorder.save(cacheFolder, exitCode);
    return exitCode;
  } finally {
    recorder.stop();
  }
}

/** The check itself; `statsIo` takes --stats, which is never part of a recorded run's output. */
async function checkAndReport(paths: string[], flags: CheckFlags, io: CliIO, statsIo: CliIO): Promise<{ exitCode: number; cacheFolder?: string }> {
  const diffRef = flags.diff ?? flags.since;
  // Asked first, so a git problem (shallow clone, unknown ref) stops the run before the analysis.
  const changed = diffRef ? changedFilesSince(diffRef, resolve(io.cwd, paths[0] ?? '.')) : undefined;
  const cacheDir = io.env['MIGRATION_GUARD_CACHE_DIR'];
  const outcome = await checkProject({
    paths: paths.length > 0 ? paths : ['.'],
    cwd: io.cwd,
    flags: flagsLayer(flags),
    ...(flags.config ? { configFile: flags.config } : {}),
    ...(flags.baseline ? { baselineFile: flags.baseline } : {}),
    ...(flags.writeBaseline ? { writeBaselineFile: flags.writeBaseline } : {}),
    ...(flags.force ? { force: true } : {}),
    workers: workerSetting(flags.workers),
    ...(flags.cache ? { cache: { version: VERSION, ...(cacheDir ? { dir: resolve(io.cwd, cacheDir) } : {}) } } : {}),
  });
  // The whole history was analysed; only the changed files' findings are reported.
  const isMigration = (path: string): boolean => outcome.layout.isMigrationPath(path.split('\\').join('/'));
  const report = changed ? restrictToChanged(outcome.report, changed, io.cwd, isMigration) : outcome.report;
  const color = useColor(io, flags.color);
  const c = pc.createColors(color);
  if (flags.stats) printStats(statsIo, outcome);
  const done = (exitCode: number): { exitCode: number; cacheFolder?: string } => ({ exitCode, ...(outcome.cacheFolder ? { cacheFolder: outcome.cacheFolder } : {}) });

  if (outcome.baselineWritten) {
    const { file, entries, findings } = outcome.baselineWritten;
    io.stdout(`Wrote ${findings} accepted finding${findings === 1 ? '' : 's'} (${entries} entr${entries === 1 ? 'y' : 'ies'}) to ${file}.\n`);
    for (const error of outcome.report.errors) io.stderr(`${terminalSafe(error.file)}: could not analyse: ${terminalSafe(error.message)}\n`);
    return done(0);
  }

  const context: ReportContext = { rules: ALL_RULES, version: VERSION, cwd: io.cwd, color, fingerprint: outcome.fingerprint, failOn: flags.failOn };
  if (flags.withSql) context.sqlOf = sqlOfFindings(paths, flags, io);
  io.stdout(formatReport(flags.format, report, context));
  if (changed && flags.format === 'text') {
    const count = [...changed.files].filter(isMigration).length;
    io.stdout(c.dim(`Reported: the ${count} migration file${count === 1 ? '' : 's'} changed since ${changed.base.slice(0, 12)} (merge base with ${diffRef}); all were analysed.\n`));
  }

  const failing = reportFails(report, flags.failOn);
  if (flags.demo) {
    const note = failing
      ? 'Demo run: exiting with status 0 anyway; without --demo this check would exit with 1 and fail a CI job.'
      : 'Demo run: nothing blocking found; exiting with status 0.';
    // Keep machine-readable stdout parseable: the note goes to stderr for every format but text.
    if (flags.format === 'text') io.stdout(`\n${c.dim(note)}\n`);
    else io.stderr(`${note}\n`);
    return done(0);
  }
  return done(failing ? 1 : 0);
}

function listRules(format: 'text' | 'json', io: CliIO, color: boolean): void {
  if (format === 'json') {
    const rules = ALL_RULES.map((rule) => ({ id: rule.id, severity: rule.severity, vendors: rule.vendors, category: rule.category, title: rule.title }));
    io.stdout(`${JSON.stringify(rules, null, 2)}\n`);
    return;
  }
  const c = pc.createColors(color);
  const vendors = (rule: (typeof ALL_RULES)[number]): string => (rule.vendors === 'all' ? 'all' : rule.vendors.join(','));
  const idWidth = Math.max(2, ...ALL_RULES.map((rule) => rule.id.length));
  const vendorWidth = Math.max(7, ...ALL_RULES.map((rule) => vendors(rule).length));
  const severityColor = { error: c.red, warning: c.yellow, info: c.blue };
  const lines = [c.bold(`${'ID'.padEnd(idWidth)}  ${'SEVERITY'.padEnd(8)}  ${'VENDORS'.padEnd(vendorWidth)}  TITLE`)];
  for (const rule of ALL_RULES) {
    lines.push(`${rule.id.padEnd(idWidth)}  ${severityColor[rule.severity](rule.severity.padEnd(8))}  ${vendors(rule).padEnd(vendorWidth)}  ${rule.title}`);
  }
  lines.push('', `${ALL_RULES.length} rules. \`migration-guard explain <rule-id>\` shows one in full.`);
  io.stdout(`${lines.join('\n')}\n`);
}

function explainMigration(path: string, io: CliIO): number {
  const description = describeMigration(path, io.cwd);
  if (!description.app) {
    io.stderr(`migration-guard: ${terminalSafe(description.file)} is not a migration of this project (Django loads <app>/migrations/*.py or a MIGRATION_MODULES package)\n`);
    return 2;
  }
  const lines = [
    `${description.migration}  (${description.file})`,
    `  app:        ${description.app}`,
    ...(description.phase ? [`  deploy:     ${description.phase}`] : []),
    ...(description.dependents ? [`  history:    ${description.dependents}`] : []),
    ...(description.squash ? [`  squash:     ${description.squash}`] : []),
  ];
  io.stdout(`${lines.map(terminalSafe).join('\n')}\n`);
  return 0;
}

function explainRule(id: string, io: CliIO, color: boolean): number {
  const rule = ruleById(id);
  if (!rule) {
    io.stderr(`migration-guard: unknown rule "${id}"${didYouMean(id, knownRuleIds())}. \`migration-guard rules\` lists them all.\n`);
    return 2;
  }
  io.stdout(ruleHelpText(rule, color));
  return 0;
}

function buildProgram(io: CliIO, setExit: (code: number | undefined) => void): Command {
  const program = new Command('migration-guard')
    .description('Static analysis of Django migrations: locks, table rewrites and deploy-breaking changes.')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .showSuggestionAfterError()
    .configureOutput({ writeOut: (text) => io.stdout(text), writeErr: (text) => io.stderr(text) });

  program
    .command('check')
    .description('analyse the migrations below PATH(s) together and print findings')
    .argument('[paths...]', 'files or folders to check (default: the current folder)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(OUTPUT_FORMATS).default('text'))
    .addOption(new Option('--database <database>', 'database vendor (default: from settings files, else postgresql)').choices(DATABASES))
    .option('--select <rules>', 'only run these rules (comma-separated ids)', commaList)
    .option('--ignore <rules>', 'skip these rules (comma-separated ids)', commaList)
    .option('--postgres-version <major>', 'PostgreSQL major version', integer)
    .option('--django-version <x.y>', 'Django version', majorMinor)
    .option('--config <file>', 'read [tool.migration-guard] from this TOML file instead of the nearest pyproject.toml')
    .option('--baseline <file>', 'hide the findings accepted in this baseline file')
    .option('--write-baseline <file>', 'accept every current finding: write them to this baseline file')
    .option('--force', 'let --write-baseline replace a file that is not a baseline')
    .option('--diff <ref>', 'report only migrations added or changed since the merge base with this git revision (the whole history is still analysed)')
    .addOption(new Option('--since <ref>', 'the same as --diff').hideHelp())
    .addOption(new Option('--fail-on <level>', 'lowest severity that makes the check exit 1').choices(FAIL_ON_LEVELS).default('error'))
    .option('--with-sql', "JSON only: add to each finding the SQL its operation runs, with each statement's locks")
    .option('--no-cache', 'always analyse afresh (the cache lives in .migration-guard-cache/, or MIGRATION_GUARD_CACHE_DIR)')
    .option('--no-color', 'plain text output (also: NO_COLOR=1)')
    .addOption(new Option('--workers <count>', 'worker threads: auto or a number (0 = analyse in this thread)').hideHelp())
    .addOption(new Option('--demo', 'always exit 0 (npm start)').hideHelp())
    .addOption(new Option('--stats', 'print timing and memory figures to stderr').hideHelp())
    .action(async (paths: string[], flags: CheckFlags) => {
      if (flags.baseline && flags.writeBaseline) throw new UsageError('use either --baseline or --write-baseline, not both');
      setExit(await runCheck(paths, flags, io));
    });

  program
    .command('rules')
    .description('list every rule: id, severity, vendors, title')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--no-color', 'plain text output')
    .action((flags: { format: 'text' | 'json'; color: boolean }) => {
      listRules(flags.format, io, useColor(io, flags.color));
      setExit(0);
    });

  program
    .command('explain')
    .description("print a rule's full explanation (SQL, lock, what it blocks, the safe alternative), or how a migration file is read")
    .argument('<rule-or-file>', 'rule id, e.g. add-index-non-concurrent, or a migration file: its app, deploy phase and squash status')
    .option('--no-color', 'plain text output')
    .action((id: string, flags: { color: boolean }) => {
      setExit(id.endsWith('.py') ? explainMigration(id, io) : explainRule(id, io, useColor(io, flags.color)));
    });

  program
    .command('sql')
    .description('print the SQL Django would run for the migrations below PATH(s), each statement with its lock (no Django or database needed)')
    .argument('[paths...]', 'migration files or folders (default: the current folder); the whole project they belong to is read')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addOption(new Option('--database <database>', 'database vendor (default: from settings files, else postgresql)').choices(DATABASES))
    .option('--postgres-version <major>', 'PostgreSQL major version', integer)
    .option('--django-version <x.y>', 'Django version whose SQL to generate', majorMinor)
    .option('--config <file>', 'read [tool.migration-guard] from this TOML file instead of the nearest pyproject.toml')
    .action((paths: string[], flags: SqlFlags) => {
      const layer: ConfigLayer = {};
      if (flags.database) layer.database = flags.database;
      if (flags.postgresVersion !== undefined) layer.postgresVersion = flags.postgresVersion;
      if (flags.djangoVersion) layer.djangoVersion = flags.djangoVersion;
      const report = projectSql(paths, io.cwd, layer, flags.config);
      io.stdout(flags.format === 'json' ? formatSqlJson(report) : formatSqlText(report));
      setExit(0);
    });

  program
    .command('lsp')
    .description('start the language server (for editors: Neovim, Helix, Emacs, Zed, ...)')
    .option('--stdio', 'talk LSP over stdin/stdout')
    .action(async (flags: { stdio?: boolean }) => {
      // createConnection reads the transport from process.argv; without one it would throw a stack trace.
      if (!flags.stdio) throw new UsageError('the language server needs a transport: run `migration-guard lsp --stdio`');
      startLanguageServer();
      setExit(undefined);
    });

  return program;
}

/**
 * The language server is its own bundle (dist/server.js, next to this one), required at run time so that `check`
 * neither loads nor compiles its 400 KB of LSP libraries. Run from the sources, its entry module is required instead.
 */
function startLanguageServer(): void {
  const bundled = join(__dirname, 'server.js');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(existsSync(bundled) ? bundled : join(__dirname, 'lsp', 'server'));
}

/**
 * Runs the CLI with `argv` (without `node` and the script). Resolves to the exit code, or undefined when the
 * process must stay alive (the language server).
 */
export async function runCli(argv: string[], io: CliIO): Promise<number | undefined> {
  let exitCode: number | undefined = 0;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? 0 : 2;
    }
    if (error instanceof ConfigError || error instanceof UsageError || error instanceof PathNotFoundError || error instanceof NoMigrationsFoundError || error instanceof GitDiffError) {
      io.stderr(`migration-guard: ${error.message}\n`);
      return 2;
    }
    io.stderr(`migration-guard: internal error: ${(error as Error).stack ?? String(error)}\n`);
    return 2;
  }
}
