// How manage.py runs from the editor. Commands that change something (write migration files, migrate, roll back)
// run as VS Code tasks with a ProcessExecution and an argument array: visible in the terminal, cancellable from the
// progress notification, exit code checked. Read-only calls whose output the extension needs (plans, dry runs,
// SQL, settings) are captured through the same argument building with DjangoProject, also cancellable.
import * as vscode from 'vscode';
import { UserError, type Log } from '../log';
import { displayCommandLine, type CommandLine } from './commandLine';
import { ManagePyError, type CallOptions } from './djangoProject';
import type { FailureAction } from './failures';

const TASK_TYPE = 'migrationGuard';
const TASK_SOURCE = 'Django Migration Guard';

/** Thrown when the user cancels; commands end quietly. */
export class CancelledError extends Error {
  constructor(what: string) {
    super(`${what} was cancelled.`);
    this.name = 'CancelledError';
  }
}

/** Identifies our task's events among all tasks: task objects are copied between processes, their definitions' values are kept. */
let taskRuns = 0;

export interface TaskOutcome {
  exitCode: number | undefined;
}

/**
 * Runs the command line as a task and resolves when its process ends. Throws CancelledError on cancel and
 * UserError when the process fails to start or exits non-zero (its output is in the task's terminal).
 */
export async function runAsTask(options: { title: string; commandLine: CommandLine; folder: vscode.WorkspaceFolder | undefined; log: Log }): Promise<TaskOutcome> {
  const { commandLine, log } = options;
  const execution = new vscode.ProcessExecution(commandLine.command, commandLine.args, { cwd: commandLine.cwd, env: commandLine.env });
  const runId = `${process.pid}-${++taskRuns}`;
  const task = new vscode.Task(
    { type: TASK_TYPE, args: [commandLine.command, ...commandLine.args], cwd: commandLine.cwd, runId },
    options.folder ?? vscode.TaskScope.Workspace,
    options.title,
    TASK_SOURCE,
    execution,
    [],
  );
  task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, focus: false, panel: vscode.TaskPanelKind.Dedicated, clear: true, echo: true, showReuseMessage: false };
  log.info(`$ ${displayCommandLine(commandLine)}   (task, in ${commandLine.cwd})`);

  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: options.title, cancellable: true }, async (_progress, token) => {
    // Listeners first: a fast process may end before executeTask's promise resolves.
    const ours = (execution: vscode.TaskExecution): boolean => execution.task.definition.runId === runId;
    let exitCode: number | undefined;
    let resolveEnd: (() => void) | undefined;
    const finished = new Promise<void>((resolve) => {
      resolveEnd = resolve;
    });
    const processEnds = vscode.tasks.onDidEndTaskProcess((event) => {
      if (ours(event.execution)) exitCode = event.exitCode;
    });
    // onDidEndTask follows onDidEndTaskProcess, and also fires when the process never started.
    const taskEnds = vscode.tasks.onDidEndTask((event) => {
      if (ours(event.execution)) resolveEnd?.();
    });
    let running: vscode.TaskExecution | undefined;
    let cancelled = false;
    const cancel = token.onCancellationRequested(() => {
      cancelled = true;
      running?.terminate();
    });
    try {
      running = await vscode.tasks.executeTask(task);
      if (cancelled) running.terminate();
      await finished;
      if (cancelled) throw new CancelledError(options.title);
      log.info(`${options.title}: exit code ${exitCode ?? 'none (the process did not start or was killed)'}`);
      if (exitCode === undefined) {
        throw new UserError(`${options.title} did not run: "${commandLine.command}" could not be started or was stopped. See the task's terminal.`, {
          actions: [{ label: 'Show Terminal', run: () => showTaskTerminal(options.title) }],
        });
      }
      if (exitCode !== 0) {
        throw new UserError(`${options.title} failed with exit code ${exitCode}. Django's output is in the task's terminal.`, {
          actions: [{ label: 'Show Terminal', run: () => showTaskTerminal(options.title) }],
        });
      }
      return { exitCode };
    } finally {
      processEnds.dispose();
      taskEnds.dispose();
      cancel.dispose();
    }
  });
}

function showTaskTerminal(title: string): void {
  const terminal = vscode.window.terminals.find((candidate) => candidate.name.includes(title));
  if (terminal) terminal.show(false);
  else void vscode.commands.executeCommand('workbench.action.terminal.focus');
}

/**
 * Runs a read-only manage.py call with a cancellable progress notification. Output goes to the log at trace level;
 * a failure becomes a UserError carrying the full output (the notification's "Show Output").
 */
export async function captured<T>(title: string, log: Log, call: (options: CallOptions) => Promise<T>): Promise<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (_progress, token) => {
    const abort = new AbortController();
    const cancel = token.onCancellationRequested(() => abort.abort());
    try {
      return await call({ signal: abort.signal, onOutput: (chunk) => log.channel.trace(chunk.trimEnd()) });
    } catch (error) {
      throw asUserError(error, title);
    } finally {
      cancel.dispose();
    }
  });
}

/** The buttons a failure's notice offers. */
const FAILURE_ACTIONS: Record<FailureAction, { label: string; run: () => unknown }> = {
  'select-interpreter': {
    label: 'Select Interpreter',
    // The Python extension's picker when it is installed; otherwise the setting it would fill in.
    run: () =>
      vscode.extensions.getExtension('ms-python.python')
        ? vscode.commands.executeCommand('python.setInterpreter')
        : vscode.commands.executeCommand('workbench.action.openSettings', 'migrationGuard.pythonPath'),
  },
};

export function asUserError(error: unknown, title: string): Error {
  if (error instanceof ManagePyError) {
    if (error.failure.kind === 'cancelled') return new CancelledError(title);
    return new UserError(error.message, {
      output: `$ ${displayCommandLine(error.commandLine)}\n\n${error.output || '(no output)'}`,
      actions: (error.failure.actions ?? []).map((action) => FAILURE_ACTIONS[action]),
    });
  }
  return error instanceof Error ? error : new Error(String(error));
}
