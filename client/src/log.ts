// The one output channel and the one way to report a failure: the channel never opens by itself; a failure shows a
// notification whose "Show Logs" button opens it (and "Show Output" when there is process output to read).
import * as vscode from 'vscode';

const OUTPUT_CHANNEL_NAME = 'Django Migration Guard';

export interface FailureReport {
  /** What went wrong, in a sentence or two. */
  message: string;
  /** Process output worth reading next to the message (opened in a read-only document on request). */
  output?: string;
  /** Extra buttons, e.g. "Make Migrations"; `run` is called when the user picks one. */
  actions?: { label: string; run: () => unknown }[];
}

export class Log implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;
  private readonly warned = new Set<string>();

  constructor(private readonly showOutput: (title: string, output: string) => Thenable<unknown>) {
    this.channel = vscode.window.createOutputChannel(OUTPUT_CHANNEL_NAME, { log: true });
  }

  info(message: string): void {
    this.channel.info(message);
  }

  warn(message: string): void {
    this.channel.warn(message);
  }

  /** Logs the failure and shows a notification; never waits for the user (a command must not hang on a toast). */
  fail(report: FailureReport): void {
    this.channel.error(report.message);
    if (report.output) this.channel.error(report.output);
    const buttons = [...(report.actions ?? []).map((action) => action.label), ...(report.output ? ['Show Output'] : []), 'Show Logs'];
    void vscode.window.showErrorMessage(report.message, ...buttons).then((choice) => {
      if (choice === 'Show Logs') this.channel.show(true);
      else if (choice === 'Show Output' && report.output) void this.showOutput('manage.py output', report.output);
      else report.actions?.find((action) => action.label === choice)?.run();
    });
  }

  /** A warning the user should see once per distinct message (bad settings, a missing Django). */
  warnOnce(message: string): void {
    this.channel.warn(message);
    if (this.warned.has(message)) return;
    this.warned.add(message);
    void vscode.window.showWarningMessage(message, 'Show Logs').then((choice) => {
      if (choice === 'Show Logs') this.channel.show(true);
    });
  }

  dispose(): void {
    this.channel.dispose();
  }
}

/** A failure the user can act on; thrown by command steps and reported by the command wrapper through Log.fail. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly report: Omit<FailureReport, 'message'> = {},
  ) {
    super(message);
    this.name = 'UserError';
  }
}
