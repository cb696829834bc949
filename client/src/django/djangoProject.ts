// One Django project (its manage.py), driven from Node: builds each command line, runs it, turns the output into data
// and a failure into a clear ManagePyError. Editor-free, so the real-Django tests exercise exactly this code.
import {
  makemigrationsArgs,
  manageCommandLine,
  migrateArgs,
  settingsProbeArgs,
  showmigrationsArgs,
  sqlmigrateArgs,
  type CommandLine,
  type LaunchSettings,
  type MakemigrationsOptions,
  type MigrateTarget,
} from './commandLine';
import {
  parseMakemigrationsPreview,
  parseMergePreview,
  parseMigratePlan,
  parseSettingsProbe,
  parseShowmigrationsList,
  parseShowmigrationsPlan,
  type AppMigrations,
  type MakemigrationsPreview,
  type MergeProposal,
  type PlanNode,
  type PlannedStep,
  type ProjectSettings,
} from './djangoOutput';
import { diagnoseFailure, type Failure } from './failures';
import { runCommandLine, type RunOptions, type RunResult } from './run';

export type Runner = (line: CommandLine, options?: RunOptions) => Promise<RunResult>;

export class ManagePyError extends Error {
  constructor(
    readonly failure: Failure,
    readonly commandLine: CommandLine,
    readonly result: RunResult,
  ) {
    super(failure.message);
    this.name = 'ManagePyError';
  }

  /** Everything the process printed, for the log and the "show output" view. */
  get output(): string {
    return [this.result.stdout.trimEnd(), this.result.stderr.trimEnd()].filter((part) => part !== '').join('\n');
  }
}

export interface CallOptions {
  signal?: AbortSignal;
  onOutput?: RunOptions['onOutput'];
  timeoutMs?: number;
}

export interface Completed {
  commandLine: CommandLine;
  result: RunResult;
}

export class DjangoProject {
  constructor(
    readonly launch: LaunchSettings,
    private readonly runner: Runner = runCommandLine,
  ) {}

  commandLine(args: readonly string[]): CommandLine {
    return manageCommandLine(this.launch, args);
  }

  /** Runs manage.py with these arguments; throws ManagePyError unless it exits 0 (or with an allowed code). */
  async run(args: readonly string[], options: CallOptions & { allowedExitCodes?: readonly number[] } = {}): Promise<Completed> {
    const commandLine = this.commandLine(args);
    const runOptions: RunOptions = {};
    if (options.signal) runOptions.signal = options.signal;
    if (options.onOutput) runOptions.onOutput = options.onOutput;
    if (options.timeoutMs !== undefined) runOptions.timeoutMs = options.timeoutMs;
    const result = await this.runner(commandLine, runOptions);
    const allowed = options.allowedExitCodes ?? [0];
    const failure =
      result.exitCode !== null && allowed.includes(result.exitCode) && !result.cancelled && !result.timedOut
        ? undefined
        : (diagnoseFailure(result, { action: describeAction(args), executable: commandLine.command }) ??
          { kind: 'failed' as const, message: `${describeAction(args)} failed.` });
    if (failure) throw new ManagePyError(failure, commandLine, result);
    return { commandLine, result };
  }

  async settings(options: CallOptions = {}): Promise<ProjectSettings> {
    const completed = await this.run(settingsProbeArgs(), options);
    const settings = parseSettingsProbe(completed.result.stdout);
    if (!settings) {
      throw new ManagePyError(
        { kind: 'failed', message: 'manage.py shell ran but did not print the project settings; is this a Django manage.py?' },
        completed.commandLine,
        completed.result,
      );
    }
    return settings;
  }

  async listMigrations(apps: readonly string[] = [], options: CallOptions = {}): Promise<AppMigrations[]> {
    const completed = await this.run(showmigrationsArgs('list', apps), options);
    return parseShowmigrationsList(completed.result.stdout);
  }

  async migrationPlanOrder(options: CallOptions = {}): Promise<PlanNode[]> {
    const completed = await this.run(showmigrationsArgs('plan'), options);
    return parseShowmigrationsPlan(completed.result.stdout);
  }

  /** `migrate ... --plan` for exactly this target: the steps a following `migrate` with the same target runs. */
  async migratePlan(target: MigrateTarget, options: CallOptions = {}): Promise<{ steps: PlannedStep[]; text: string }> {
    const completed = await this.run(migrateArgs(target, { plan: true }), options);
    const plan = parseMigratePlan(completed.result.stdout);
    if (!plan.recognised) {
      throw new ManagePyError(
        { kind: 'failed', message: 'migrate --plan printed no plan; this Django may be older than 2.2 (which added --plan).' },
        completed.commandLine,
        completed.result,
      );
    }
    return { steps: plan.steps, text: completed.result.stdout };
  }

  async sqlmigrate(app: string, migration: string, options: CallOptions & { backwards?: boolean } = {}): Promise<string> {
    const completed = await this.run(sqlmigrateArgs(app, migration, { backwards: options.backwards ?? false }), options);
    return completed.result.stdout;
  }

  async makemigrationsPreview(options: Omit<MakemigrationsOptions, 'dryRun' | 'verbosity' | 'check' | 'merge'>, call: CallOptions = {}): Promise<MakemigrationsPreview & { text: string }> {
    const completed = await this.run(makemigrationsArgs({ ...options, dryRun: true, verbosity: 3 }), call);
    return { ...parseMakemigrationsPreview(completed.result.stdout), text: completed.result.stdout };
  }

  /** `makemigrations --check --dry-run`: exit 1 means models changed without a migration. */
  async checkMissingMigrations(call: CallOptions = {}): Promise<MakemigrationsPreview & { missing: boolean; text: string }> {
    const completed = await this.run(makemigrationsArgs({ check: true, dryRun: true }), { ...call, allowedExitCodes: [0, 1] });
    const preview = parseMakemigrationsPreview(completed.result.stdout);
    return { ...preview, missing: completed.result.exitCode === 1 || preview.migrations.length > 0, text: completed.result.stdout };
  }

  async mergePreview(options: { app?: string; name?: string } = {}, call: CallOptions = {}): Promise<{ merges: MergeProposal[]; noConflicts: boolean; text: string }> {
    const completed = await this.run(makemigrationsArgs({ ...options, merge: true, dryRun: true, verbosity: 3 }), call);
    return { ...parseMergePreview(completed.result.stdout), text: completed.result.stdout };
  }
}

/** "makemigrations --dry-run" style label of a manage.py call, for messages. */
function describeAction(args: readonly string[]): string {
  const [command = 'manage.py', ...rest] = args;
  const options = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
  const flags = options
    .filter((arg) => arg.startsWith('--') && !['--no-color', '--noinput'].includes(arg) && arg !== '--verbosity')
    .map((flag) => flag.replace(/=.*$/s, ''));
  if (command === 'shell') return 'reading the Django settings (manage.py shell)';
  return [command, ...flags].join(' ');
}
