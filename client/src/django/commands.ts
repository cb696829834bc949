// The manage.py commands: make migrations (dry run, confirm, write, open), check for missing migrations, migrate
// and roll back (plan, confirm naming the database, run, verify), show SQL, merge conflicting migrations.
// Every question goes through the Prompter; every command returns a CommandResult so tests can see what happened.
import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import * as vscode from 'vscode';
import { UserError, type Log } from '../log';
import type { PreviewDocuments } from '../previewDocuments';
import type { PickItem, Prompter } from '../prompter';
import { describeMigrateTarget, makemigrationsArgs, ManagePyNameError, migrateArgs, type MigrateTarget } from './commandLine';
import type { FindingsResult, ProposedMigrationFindingsParams, ProposedMigrationFindingsResult } from '../../../server/src/lsp/clientContract';
import { decideConfirmation, plural, type PlanLint } from './confirmation';
import { planFiles, planLint } from './preflight';
import type { AppMigrations, MakemigrationsPreview, PlannedStep, ProjectSettings, ProposedMigration } from './djangoOutput';
import type { ManagePyLocator } from './managePy';
import { commandLineNameProblem } from './djangoNames';
import { migrationFilePath, migrationOfFile, rollbackTarget, type MigrationRef } from './migrationFiles';
import type { MigrationStateStore } from './migrationState';
import {
  appliedSet,
  comparisonLines,
  mergePreviewText,
  migratePlanPreviewText,
  sqlDocumentText,
  stepsNotDoneAsPlanned,
  type GeneratedSqlSummary,
} from './previewText';
import { activeFile, type ProjectResolver, type ResolvedProject } from './projects';
import { decideWriteConfirmation, firstFindingToFix, makemigrationsPreviewText, proposedLint, type ProposedLint } from './proposedLint';
import { asUserError, CancelledError, captured, runAsTask } from './tasks';

export const COMMANDS = {
  makeMigrations: 'migrationGuard.makeMigrations',
  checkMissingMigrations: 'migrationGuard.checkMissingMigrations',
  migrate: 'migrationGuard.migrate',
  migrateToHere: 'migrationGuard.migrateToHere',
  rollback: 'migrationGuard.rollback',
  showMigrations: 'migrationGuard.showMigrations',
  refreshMigrations: 'migrationGuard.refreshMigrations',
  openMigration: 'migrationGuard.openMigration',
  showSql: 'migrationGuard.showSql',
  showGeneratedSql: 'migrationGuard.showGeneratedSql',
  mergeMigrations: 'migrationGuard.mergeMigrations',
  selectManagePy: 'migrationGuard.selectManagePy',
} as const;

export type CommandStatus = 'done' | 'nothing-to-do' | 'declined' | 'cancelled' | 'untrusted' | 'failed';

export interface CommandResult {
  status: CommandStatus;
  /** The message shown to the user, when any. */
  message?: string;
  /** Files written or opened. */
  files?: string[];
  /** For migrate and roll back: the plan that was confirmed and run. */
  plan?: { app: string; name: string; operations: string[] }[];
}

/** What a tree item or CodeLens passes to a command: a specific migration of a specific project. */
export interface MigrationArgument {
  managePy: string;
  app: string;
  name: string;
  file?: string;
}

function isMigrationArgument(value: unknown): value is MigrationArgument {
  const candidate = value as Partial<MigrationArgument> | undefined;
  return typeof candidate === 'object' && candidate !== null && typeof candidate.managePy === 'string' && typeof candidate.app === 'string' && typeof candidate.name === 'string';
}

export interface CommandDeps {
  log: Log;
  prompter: Prompter;
  previews: PreviewDocuments;
  projects: ProjectResolver;
  locator: ManagePyLocator;
  state: MigrationStateStore;
  /** Shows the migrations tree for a project (and loads it). */
  showTree(resolved: ResolvedProject): Promise<void>;
  /** The SQL the language server generates for a migration file, without Django (undefined when unavailable). */
  generatedSql?(file: vscode.Uri): Promise<GeneratedSqlSummary & { text: string } | undefined>;
  /** The language server's findings for migration files (undefined while it is not running). */
  lintMigrations?(uris: string[]): Promise<FindingsResult | undefined>;
  /** The language server's findings for migration texts not written yet (undefined while it is not running). */
  lintProposed?(files: ProposedMigrationFindingsParams['files']): Promise<ProposedMigrationFindingsResult | undefined>;
}

export function registerManagePyCommands(deps: CommandDeps): vscode.Disposable[] {
  const flows = new ManagePyFlows(deps);
  const register = (id: string, title: string, handler: (...args: unknown[]) => Promise<CommandResult>): vscode.Disposable =>
    vscode.commands.registerCommand(id, (...args: unknown[]) => guarded(deps.log, title, () => handler(...args)));
  return [
    register(COMMANDS.makeMigrations, 'Make Migrations', (arg) => flows.makeMigrations(arg)),
    register(COMMANDS.checkMissingMigrations, 'Check for Missing Migrations', (arg) => flows.checkMissingMigrations(arg)),
    register(COMMANDS.migrate, 'Migrate', (arg) => flows.migrate(arg)),
    register(COMMANDS.migrateToHere, 'Migrate to Here', (arg) => flows.migrateToHere(arg)),
    register(COMMANDS.rollback, 'Roll Back', (arg) => flows.rollback(arg)),
    register(COMMANDS.showSql, 'Show SQL', (arg) => flows.showSql(arg)),
    vscode.commands.registerCommand(COMMANDS.showGeneratedSql, (arg: unknown) => guarded(deps.log, 'Show Generated SQL', () => flows.showGeneratedSql(arg), { needsTrust: false })),
    register(COMMANDS.mergeMigrations, 'Merge Conflicting Migrations', (arg) => flows.mergeMigrations(arg)),
    register(COMMANDS.showMigrations, 'Show Migrations', (arg) => flows.showMigrations(arg)),
    register(COMMANDS.selectManagePy, 'Select manage.py', () => flows.selectManagePy()),
    vscode.commands.registerCommand(COMMANDS.openMigration, (arg: unknown) => guarded(deps.log, 'Open Migration', () => flows.openMigration(arg), { needsTrust: false })),
  ];
}

/** Trust check, error reporting and the result shape shared by every command. */
export async function guarded(log: Log, title: string, run: () => Promise<CommandResult>, options: { needsTrust?: boolean } = {}): Promise<CommandResult> {
  if ((options.needsTrust ?? true) && !vscode.workspace.isTrusted) {
    const message = `"${title}" runs the project's manage.py, which executes the project's code. Trust this workspace first (the migration checks work without trust).`;
    void vscode.window.showWarningMessage(message, 'Manage Workspace Trust').then((choice) => {
      if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
    });
    return { status: 'untrusted', message };
  }
  try {
    return await run();
  } catch (error) {
    if (error instanceof CancelledError) {
      log.info(error.message);
      return { status: 'cancelled', message: error.message };
    }
    if (error instanceof UserError) {
      log.fail({ message: error.message, ...error.report });
      return { status: 'failed', message: error.message };
    }
    if (error instanceof ManagePyNameError) {
      // A name from the files or from Django's listing that must not reach manage.py (e.g. a roll-back target).
      log.fail({ message: error.message });
      return { status: 'failed', message: error.message };
    }
    const message = `${title} failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`;
    log.fail({ message, ...(error instanceof Error && error.stack ? { output: error.stack } : {}) });
    return { status: 'failed', message };
  }
}

interface AppChoice extends PickItem {
  app?: string;
}

class ManagePyFlows {
  constructor(private readonly deps: CommandDeps) {}

  // --- resolution helpers -----------------------------------------------------------------------------------

  private async project(arg: unknown): Promise<ResolvedProject | undefined> {
    if (isMigrationArgument(arg)) return this.deps.projects.forManagePy(arg.managePy, vscode.workspace.getWorkspaceFolder(vscode.Uri.file(arg.managePy)));
    return this.deps.projects.resolve(arg instanceof vscode.Uri ? arg : activeFile());
  }

  private async settings(resolved: ResolvedProject): Promise<ProjectSettings> {
    const settings = await captured('Reading the Django settings…', this.deps.log, (call) => resolved.project.settings(call));
    this.deps.state.setSettings(resolved.managePy, settings);
    return settings;
  }

  private async migrations(resolved: ResolvedProject, title = 'Reading the migrations…'): Promise<AppMigrations[]> {
    const apps = await captured(title, this.deps.log, (call) => resolved.project.listMigrations([], call));
    this.deps.state.setMigrations(resolved.managePy, apps);
    return apps;
  }

  /** The migration a command is about: the tree item or CodeLens argument, else the file given, else the active editor. */
  private async migrationTarget(arg: unknown, action: string): Promise<{ resolved: ResolvedProject; migration: MigrationRef } | undefined> {
    if (isMigrationArgument(arg)) {
      const problem = commandLineNameProblem(arg.app, arg.name);
      if (problem) throw new UserError(`${action} cannot pass this migration to manage.py: ${problem}.`);
      const resolved = await this.project(arg);
      return resolved && { resolved, migration: { app: arg.app, name: arg.name } };
    }
    const file = arg instanceof vscode.Uri ? arg : activeFile();
    if (!file || !migrationOfFile(file.fsPath)) {
      throw new UserError(`${action} works on a migration: open a file in a migrations/ folder, or use the Django Migrations view.`);
    }
    const resolved = await this.deps.projects.resolve(file);
    if (!resolved) return undefined;
    const apps = this.deps.state.get(resolved.managePy)?.settings?.apps ?? (await this.settings(resolved)).apps;
    return { resolved, migration: migrationOfFile(file.fsPath, apps)! };
  }

  private async pickApp(settings: ProjectSettings, resolved: ResolvedProject, includeAll: string): Promise<AppChoice | undefined> {
    const base = dirname(resolved.managePy);
    const local = settings.apps.filter((app) => isInside(base, app.path));
    const items: AppChoice[] = [
      { label: includeAll },
      ...local.map((app) => ({ label: app.label, description: relative(base, app.path) || '.', app: app.label })),
      ...settings.apps.filter((app) => !local.includes(app)).map((app) => ({ label: app.label, description: `installed: ${app.name}`, app: app.label })),
    ];
    return this.deps.prompter.pick(items, { title: 'Which app?' });
  }

  // --- make migrations --------------------------------------------------------------------------------------

  async makeMigrations(arg: unknown): Promise<CommandResult> {
    const resolved = await this.project(arg);
    if (!resolved) return { status: 'cancelled' };
    const settings = await this.settings(resolved);
    const choice = await this.pickApp(settings, resolved, 'All apps');
    if (!choice) return { status: 'cancelled' };
    const name = await this.deps.prompter.input({
      title: 'Migration name (optional)',
      prompt: 'Leave empty for the name Django chooses. Passed to makemigrations as --name.',
      placeholder: 'e.g. add_price_to_product',
      validate: (value) =>
        value === '' || /^[\p{L}_][\p{L}\p{N}_]*$/u.test(value) ? undefined : { message: 'Django accepts only a valid Python identifier here (letters, digits, underscores).', blocking: false },
    });
    if (name === undefined) return { status: 'cancelled' };
    const options = { ...(choice.app ? { app: choice.app } : {}), ...(name ? { name } : {}) };

    const preview = await captured('Make Migrations: dry run…', this.deps.log, (call) => resolved.project.makemigrationsPreview(options, call));
    if (preview.noChanges || preview.migrations.length === 0) {
      const message = `No changes detected${choice.app ? ` in app ${choice.app}` : ''}: the models match the migrations.`;
      void vscode.window.showInformationMessage(message);
      return { status: 'nothing-to-do', message };
    }
    const cwd = dirname(resolved.managePy);
    const pathOf = (printed: string): string => (isAbsolute(printed) ? printed : join(cwd, printed));
    const lint = await this.lintProposed(preview, pathOf);
    const confirmErrors = vscode.workspace.getConfiguration('migrationGuard', resolved.folder?.uri).get<boolean>('makeMigrations.confirmErrors', true);
    const decision = decideWriteConfirmation(lint, confirmErrors);
    this.deps.log.info(`Make Migrations: lint of the dry run: ${decision.verdict.summary}`);
    await this.deps.previews.show('makemigrations dry run.py', makemigrationsPreviewText(preview, lint, confirmErrors));
    const confirmed = await this.deps.prompter.confirm({ message: decision.message, detail: decision.detail, confirmLabel: decision.confirmLabel });
    if (!confirmed) return { status: 'declined' };

    const commandLine = resolved.project.commandLine(makemigrationsArgs(options));
    await runAsTask({ title: 'Make Migrations', commandLine, folder: resolved.folder, log: this.deps.log });
    const files = preview.migrations.map((migration) => pathOf(migration.path));
    await this.openFiles(files);
    this.refreshKnownMigrations(resolved);
    await this.offerFixes(lint, pathOf);
    return { status: 'done', files, message: decision.verdict.summary };
  }

  /** The dry run's texts through the language server, as if written where Django printed them. */
  private async lintProposed(preview: MakemigrationsPreview, pathOf: (printed: string) => string): Promise<ProposedLint> {
    const uriOf = (migration: ProposedMigration): string | undefined => {
      const uri = vscode.Uri.file(pathOf(migration.path));
      return vscode.workspace.getWorkspaceFolder(uri) ? uri.toString() : undefined;
    };
    const notRunning = 'the migration checks are not running (see "Django Migrations: Show Logs")';
    if (!this.deps.lintProposed) return proposedLint(preview, undefined, uriOf, notRunning);
    const files = preview.migrations.flatMap((migration) => {
      const uri = uriOf(migration);
      return uri !== undefined && migration.content !== undefined ? [{ uri, text: migration.content }] : [];
    });
    try {
      const result = files.length > 0 ? await this.deps.lintProposed(files) : { files: [], notChecked: [] };
      return proposedLint(preview, result, uriOf, result ? undefined : notRunning);
    } catch (error) {
      this.deps.log.warn(`Checking the dry run failed: ${error instanceof Error ? error.message : String(error)}`);
      return proposedLint(preview, undefined, uriOf, 'the language server did not answer');
    }
  }

  /** Puts the cursor on the finding to fix first in the written file, and says how to apply the safe variant. */
  private async offerFixes(lint: ProposedLint, pathOf: (printed: string) => string): Promise<void> {
    const target = firstFindingToFix(lint);
    const path = target && pathOf(target.migration.path);
    if (!target || !path || !existsSync(path)) return;
    const line = target.finding.line;
    const editor = await vscode.window.showTextDocument(vscode.Uri.file(path), { preview: false, selection: new vscode.Range(line, 0, line, 0) });
    editor.revealRange(new vscode.Range(line, 0, line, 0), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    const fix = target.finding.fixes[0];
    const what = `${target.finding.severity} ${target.finding.rule} at line ${line + 1} of ${basename(path)}`;
    const article = target.finding.severity === 'error' ? 'an' : 'a';
    const message = fix ? `The written migration has ${article} ${what}. Quick fix available: ${fix}.` : `The written migration has ${article} ${what}; its safe pattern is in the hover.`;
    void vscode.window.showInformationMessage(message, ...(fix ? ['Quick Fix…'] : [])).then((choice) => {
      if (choice === 'Quick Fix…' && vscode.window.activeTextEditor?.document.uri.fsPath === path) void vscode.commands.executeCommand('editor.action.quickFix');
    });
  }

  async checkMissingMigrations(arg: unknown): Promise<CommandResult> {
    const resolved = await this.project(arg);
    if (!resolved) return { status: 'cancelled' };
    const check = await captured('Checking for missing migrations…', this.deps.log, (call) => resolved.project.checkMissingMigrations(call));
    if (!check.missing) {
      const message = 'No missing migrations: the models match the migrations.';
      void vscode.window.showInformationMessage(message);
      return { status: 'done', message };
    }
    const apps = [...new Set(check.migrations.map((migration) => migration.app))];
    const message = `Models have changes without a migration${apps.length > 0 ? ` in ${apps.join(', ')}` : ''}: ${check.migrations.map((m) => m.path).join(', ') || 'see the output'}.`;
    void vscode.window.showWarningMessage(message, 'Make Migrations', 'Show Dry Run').then((choice) => {
      if (choice === 'Make Migrations') void vscode.commands.executeCommand(COMMANDS.makeMigrations);
      else if (choice === 'Show Dry Run') void this.deps.previews.show('makemigrations --check.txt', check.text);
    });
    return { status: 'done', message, files: check.migrations.map((migration) => migration.path) };
  }

  // --- migrate and roll back --------------------------------------------------------------------------------

  async migrate(arg: unknown): Promise<CommandResult> {
    if (isMigrationArgument(arg)) return this.migrateToHere(arg);
    const file = arg instanceof vscode.Uri ? arg : activeFile();
    const resolved = await this.project(file);
    if (!resolved) return { status: 'cancelled' };
    const current = file && migrationOfFile(file.fsPath, this.deps.state.get(resolved.managePy)?.settings?.apps);
    type TargetChoice = PickItem & { target?: MigrateTarget };
    const items: TargetChoice[] = [{ label: 'All apps', description: 'migrate', target: { kind: 'all' } }, { label: 'One app…', description: 'migrate APP' }];
    if (current) {
      items.push({ label: `Up to ${current.app}.${current.name}`, description: 'the migration in the editor', target: { kind: 'migration', app: current.app, migration: current.name } });
    }
    const picked = await this.deps.prompter.pick(items, { title: 'Migrate what?' });
    if (!picked) return { status: 'cancelled' };
    let target = picked.target;
    if (!target) {
      const app = await this.pickApp(await this.settings(resolved), resolved, 'All apps');
      if (!app) return { status: 'cancelled' };
      target = app.app ? { kind: 'app', app: app.app } : { kind: 'all' };
    }
    return this.migrateWithConfirmation(resolved, target, target.kind === 'all' ? 'Migrate all apps' : `Migrate ${describeMigrateTarget(target)}`);
  }

  async migrateToHere(arg: unknown): Promise<CommandResult> {
    const target = await this.migrationTarget(arg, 'Migrate to Here');
    if (!target) return { status: 'cancelled' };
    const { resolved, migration } = target;
    return this.migrateWithConfirmation(resolved, { kind: 'migration', app: migration.app, migration: migration.name }, `Migrate ${migration.app} to ${migration.name}`);
  }

  async rollback(arg: unknown): Promise<CommandResult> {
    const target = await this.migrationTarget(arg, 'Roll Back');
    if (!target) return { status: 'cancelled' };
    const { resolved, migration } = target;
    const apps = await this.migrations(resolved);
    const appMigrations = apps.find((app) => app.app === migration.app)?.migrations ?? [];
    const listed = appMigrations.find((entry) => entry.name === migration.name);
    if (!listed) throw new UserError(`Django does not know the migration ${migration.app}.${migration.name} (is the app in INSTALLED_APPS, and the file saved?).`);
    if (listed.state === 'unapplied') {
      const message = `${migration.app}.${migration.name} is not applied: there is nothing to roll back.`;
      void vscode.window.showInformationMessage(message);
      return { status: 'nothing-to-do', message };
    }
    const previous = rollbackTarget(appMigrations, migration.name)!;
    const title = previous === 'zero' ? `Roll back ${migration.app} to zero` : `Roll back ${migration.app} to ${previous}`;
    return this.migrateWithConfirmation(resolved, { kind: 'migration', app: migration.app, migration: previous }, title);
  }

  /** migrate --plan for exactly this target, a modal naming the database and settings, the run, and a check of it. */
  private async migrateWithConfirmation(resolved: ResolvedProject, target: MigrateTarget, title: string): Promise<CommandResult> {
    const settings = await this.settings(resolved);
    const before = await this.migrations(resolved);
    const applied = appliedSet(before);
    const plan = await captured(`${title}: planning…`, this.deps.log, (call) => resolved.project.migratePlan(target, call));
    this.deps.log.info(`${title}: plan\n${plan.text.trimEnd()}`);
    const lint = await this.preflight(settings, plan.steps);
    const config = vscode.workspace.getConfiguration('migrationGuard', resolved.folder?.uri);
    const decision = decideConfirmation({
      title,
      settings,
      steps: plan.steps,
      applied,
      productionPattern: config.get<string>('productionPattern'),
      lint,
      confirmErrors: config.get<boolean>('migrate.confirmErrors', true),
    });
    if (decision.kind === 'nothing-to-do') {
      void vscode.window.showInformationMessage(decision.message);
      return { status: 'nothing-to-do', message: decision.message, plan: [] };
    }
    for (const warning of decision.warnings) this.deps.log.warnOnce(warning);
    this.deps.log.info(`${title}: pre-flight: ${decision.verdict.summary}`);
    // The verdict and the whole plan go in a document; the modal keeps to the question and the counts.
    await this.deps.previews.show('migrate plan.txt', migratePlanPreviewText(decision, plan.steps));
    const confirmed =
      decision.kind === 'typed'
        ? await this.deps.prompter.confirmByTyping({
            message: decision.message,
            detail: decision.detail,
            expected: decision.expectedText ?? '',
            title: decision.typedBecause === 'errors' ? 'Confirm a plan with errors' : 'Confirm a production database',
          })
        : await this.deps.prompter.confirm({ message: decision.message, detail: decision.detail, confirmLabel: decision.confirmLabel });
    if (!confirmed) return { status: 'declined', plan: planOf(plan.steps) };

    const commandLine = resolved.project.commandLine(migrateArgs(target));
    try {
      await runAsTask({ title, commandLine, folder: resolved.folder, log: this.deps.log });
    } catch (error) {
      // A run that failed half way has still applied some migrations: the tree must show that.
      this.refreshKnownMigrations(resolved);
      throw error;
    }
    const after = await this.migrations(resolved, 'Checking the result…');
    const notDone = stepsNotDoneAsPlanned(plan.steps, applied, after);
    if (notDone.length > 0) {
      throw new UserError(`${title} finished, but these planned migrations are not in the expected state: ${notDone.map((step) => `${step.app}.${step.name}`).join(', ')}.`);
    }
    const message = `${title}: done (${plural(plan.steps.length, 'migration')}).`;
    void vscode.window.showInformationMessage(message);
    return { status: 'done', message, plan: planOf(plan.steps) };
  }

  /** Lints the plan's migrations whose files are in the workspace with the language server. */
  private async preflight(settings: ProjectSettings, steps: readonly PlannedStep[]): Promise<PlanLint> {
    const notRunning = 'the migration checks are not running (see "Migration Guard: Show Logs")';
    if (!this.deps.lintMigrations) return { checked: [], unavailable: notRunning };
    const files = planFiles(steps, settings.apps, {
      exists: (path) => existsSync(path),
      workspaceUri: (path) => {
        const uri = vscode.Uri.file(path);
        return vscode.workspace.getWorkspaceFolder(uri) ? uri.toString() : undefined;
      },
    });
    if (files.byUri.size === 0) return { checked: [] };
    let result: FindingsResult | undefined;
    try {
      result = await this.deps.lintMigrations([...files.byUri.keys()]);
    } catch (error) {
      this.deps.log.warn(`The pre-flight check failed: ${error instanceof Error ? error.message : String(error)}`);
      return { checked: [], unavailable: 'the language server did not answer' };
    }
    if (!result) return { checked: [], unavailable: notRunning };
    const lint = planLint(files, result);
    if (lint.notAnalysed) this.deps.log.warn(`The pre-flight could not check ${lint.notAnalysed.map((step) => `${step.app}.${step.name}`).join(', ')}.`);
    return lint;
  }

  // --- SQL, merge, tree ---------------------------------------------------------------------------------------

  async showSql(arg: unknown): Promise<CommandResult> {
    const target = await this.migrationTarget(arg, 'Show SQL');
    if (!target) return { status: 'cancelled' };
    const { resolved, migration } = target;
    const { forwards, backwards } = await captured(`Show SQL: ${migration.app}.${migration.name}…`, this.deps.log, async (call) => {
      const forwardsSql = await resolved.project.sqlmigrate(migration.app, migration.name, call);
      let backwardsSql: string | { error: string };
      try {
        backwardsSql = await resolved.project.sqlmigrate(migration.app, migration.name, { ...call, backwards: true });
      } catch (error) {
        // Forwards SQL is still worth showing when the migration cannot be reversed.
        const converted = asUserError(error, 'sqlmigrate --backwards');
        if (converted instanceof CancelledError) throw converted;
        backwardsSql = { error: converted.message };
      }
      return { forwards: forwardsSql, backwards: backwardsSql };
    });
    const file = this.migrationFile(arg, migration);
    const generated = file ? await this.generated(file) : undefined;
    const comparison = generated ? comparisonLines(forwards, generated) : [];
    await this.deps.previews.show(`${migration.app}.${migration.name}.sql`, [...comparison, ...(comparison.length > 0 ? [''] : []), sqlDocumentText({ app: migration.app, name: migration.name, forwards, backwards })].join('\n'));
    if (generated) await this.deps.previews.show(`${migration.app}.${migration.name}.generated.sql`, generated.text, { beside: true });
    return { status: 'done' };
  }

  /** The SQL generated from the migration history, without Django: works in untrusted workspaces too. */
  async showGeneratedSql(arg: unknown): Promise<CommandResult> {
    const file = arg instanceof vscode.Uri ? arg : isMigrationArgument(arg) ? this.migrationFile(arg, arg) : activeFile();
    if (!file || !migrationOfFile(file.fsPath)) {
      throw new UserError('Show Generated SQL works on a migration: open a file in a migrations/ folder, or use the Django Migrations view.');
    }
    const generated = await this.generated(file);
    if (!generated) throw new UserError('The migration checks are not running (see "Migration Guard: Show Logs"), so there is no generated SQL yet.');
    await this.deps.previews.show(`${basename(file.fsPath, '.py')}.generated.sql`, generated.text);
    return { status: 'done' };
  }

  private async generated(file: vscode.Uri): Promise<(GeneratedSqlSummary & { text: string }) | undefined> {
    try {
      return await this.deps.generatedSql?.(file);
    } catch (error) {
      this.deps.log.info(`generated SQL unavailable: ${String(error)}`);
      return undefined;
    }
  }

  /** The file of a migration: the Uri given or open, else found from the project's apps (when known). */
  private migrationFile(arg: unknown, migration: MigrationRef): vscode.Uri | undefined {
    if (arg instanceof vscode.Uri) return arg;
    const active = activeFile();
    if (active && migrationOfFile(active.fsPath)?.name === migration.name) return active;
    if (isMigrationArgument(arg)) {
      const apps = this.deps.state.get(arg.managePy)?.settings?.apps;
      const path = apps ? migrationFilePath({ app: migration.app, name: migration.name }, apps) : undefined;
      if (typeof path === 'string') return vscode.Uri.file(path);
    }
    return undefined;
  }

  async mergeMigrations(arg: unknown): Promise<CommandResult> {
    const resolved = await this.project(arg);
    if (!resolved) return { status: 'cancelled' };
    const preview = await captured('Merge Migrations: dry run…', this.deps.log, (call) => resolved.project.mergePreview({}, call));
    if (preview.noConflicts || preview.merges.length === 0) {
      const message = 'No conflicting migrations: every app has a single latest migration.';
      void vscode.window.showInformationMessage(message);
      return { status: 'nothing-to-do', message };
    }
    await this.deps.previews.show('makemigrations merge dry run.py', mergePreviewText(preview.merges));
    const confirmed = await this.deps.prompter.confirm({
      message: `Write ${plural(preview.merges.length, 'merge migration')}?`,
      detail: preview.merges.map((merge) => `${merge.app}: ${merge.fileName ?? ''} merging ${merge.branches.map((branch) => branch.name).join(' and ')}`).join('\n'),
      confirmLabel: 'Write Merge Migrations',
    });
    if (!confirmed) return { status: 'declined' };
    const commandLine = resolved.project.commandLine(makemigrationsArgs({ merge: true }));
    await runAsTask({ title: 'Merge Migrations', commandLine, folder: resolved.folder, log: this.deps.log });
    const apps = this.deps.state.get(resolved.managePy)?.settings?.apps ?? (await this.settings(resolved)).apps;
    const files = preview.merges
      .map((merge) => merge.fileName && migrationFilePath({ app: merge.app, name: merge.fileName.replace(/\.py$/, '') }, apps))
      .filter((file): file is string => typeof file === 'string');
    await this.openFiles(files);
    this.refreshKnownMigrations(resolved);
    return { status: 'done', files };
  }

  async showMigrations(arg: unknown): Promise<CommandResult> {
    const resolved = await this.project(arg);
    if (!resolved) return { status: 'cancelled' };
    await this.deps.showTree(resolved);
    return { status: 'done' };
  }

  async openMigration(arg: unknown): Promise<CommandResult> {
    const file = isMigrationArgument(arg) ? arg.file : arg instanceof vscode.Uri ? arg.fsPath : undefined;
    if (!file || !existsSync(file)) {
      const where = isMigrationArgument(arg) ? `${arg.app}.${arg.name}` : 'this migration';
      throw new UserError(`The file of ${where} was not found in the workspace (it may come from an installed package or a container).`);
    }
    await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: true });
    return { status: 'done', files: [file] };
  }

  async selectManagePy(): Promise<CommandResult> {
    const located = await this.deps.locator.select();
    if (!located) return { status: 'cancelled' };
    return { status: 'done', files: [located.managePy] };
  }

  // --- helpers ----------------------------------------------------------------------------------------------

  private async openFiles(files: readonly string[]): Promise<void> {
    const existing = files.filter((file) => existsSync(file));
    for (const [index, file] of existing.entries()) {
      // Every new file opens in its own tab (not the preview tab), the last one focused.
      await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: false, preserveFocus: index < existing.length - 1 });
    }
    if (existing.length < files.length) {
      this.deps.log.warn(`Written files not found on this machine (a command prefix may run Django elsewhere): ${files.filter((file) => !existing.includes(file)).join(', ')}`);
    }
  }

  /** Keeps the tree and the status item current after a change, without another progress notification. */
  private refreshKnownMigrations(resolved: ResolvedProject): void {
    if (!this.deps.state.get(resolved.managePy)?.apps) return;
    resolved.project
      .listMigrations()
      .then((apps) => this.deps.state.setMigrations(resolved.managePy, apps))
      .catch((error: unknown) => this.deps.log.warn(`Refreshing the migrations failed: ${error instanceof Error ? error.message : String(error)}`));
  }
}

function planOf(steps: readonly PlannedStep[]): CommandResult['plan'] {
  return steps.map((step) => ({ app: step.app, name: step.name, operations: [...step.operations] }));
}

function isInside(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}
