// Starts the bundled language server (dist/server.js) over IPC and keeps the user informed without being noisy:
// its log goes to the extension's output channel, which never opens by itself; a crash that stops the restarts
// shows one notification with "Show Logs".
import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  RevealOutputChannelOn,
  State,
  TransportKind,
  type CloseHandlerResult,
  type ErrorHandler,
  type ErrorHandlerResult,
  type LanguageClientOptions,
  type Middleware,
  type ServerOptions,
} from 'vscode-languageclient/node';
import type { Log } from './log';
import { GENERATED_SQL_REQUEST, REVIEW_RULE_COMMAND, SHOW_RULE_DOCS_COMMAND, type GeneratedSqlResult } from '../../server/src/lsp/clientContract';

const CLIENT_ID = 'migrationGuard';
export const MIGRATION_FILES = { scheme: 'file', language: 'python', pattern: '**/migrations/*.py' } satisfies vscode.DocumentFilter;
/** Commands a hover may link to; every other `command:` link in server markdown stays inert. */
const HOVER_COMMANDS: readonly string[] = [REVIEW_RULE_COMMAND, SHOW_RULE_DOCS_COMMAND];

const RESTARTS_ALLOWED = 4;
const RESTART_WINDOW_MS = 3 * 60_000;

export type ServerState = 'starting' | 'running' | 'stopped' | 'failed';

export class MigrationGuardClient implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private state: ServerState = 'stopped';
  private readonly stateChanged = new vscode.EventEmitter<ServerState>();
  readonly onDidChangeState = this.stateChanged.event;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: Log,
  ) {}

  get serverState(): ServerState {
    return this.state;
  }

  /** The SQL the server generates for a migration file (no Django); undefined while the server is not running. */
  async generatedSql(file: vscode.Uri): Promise<GeneratedSqlResult | undefined> {
    if (!this.client?.isRunning()) return undefined;
    const result = await this.client.sendRequest<GeneratedSqlResult | null>(GENERATED_SQL_REQUEST, { uri: file.toString() });
    return result ?? undefined;
  }

  async start(): Promise<void> {
    if (this.client) return;
    const client = this.createClient();
    this.client = client;
    this.subscriptions.push(
      client.onDidChangeState((event) => {
        if (event.newState === State.Starting) this.setState('starting');
        else if (event.newState === State.Running) this.setState('running');
        else if (this.state !== 'failed') this.setState('stopped');
      }),
    );
    this.setState('starting');
    try {
      await client.start();
    } catch (error) {
      this.setState('failed');
      this.log.fail({ message: `The Django Migration Guard language server could not start: ${errorMessage(error)}` });
    }
  }

  async restart(): Promise<void> {
    if (!this.client) return this.start();
    this.log.info('Restarting the language server.');
    try {
      if (this.state === 'failed' || !this.client.isRunning()) await this.stopAndForget();
      else {
        this.setState('starting');
        await this.client.restart();
        return;
      }
    } catch (error) {
      this.log.warn(`Stopping the language server failed: ${errorMessage(error)}`);
      this.client = undefined;
    }
    await this.start();
  }

  private async stopAndForget(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    vscode.Disposable.from(...this.subscriptions.splice(0)).dispose();
    if (client?.isRunning()) await client.stop();
  }

  private setState(state: ServerState): void {
    if (state === this.state) return;
    this.state = state;
    this.stateChanged.fire(state);
  }

  private createClient(): LanguageClient {
    const module = this.context.asAbsolutePath('dist/server.js');
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.ipc },
      debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6011'] } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [MIGRATION_FILES],
      // File changes: the server registers what it watches (WATCHED_GLOBS in clientContract.ts), so no watchers here.
      synchronize: { configurationSection: 'migrationGuard' },
      // Without trust the server runs no git (its configuration can run commands); see WORKSPACE_TRUST_NOTIFICATION.
      initializationOptions: { workspaceTrusted: vscode.workspace.isTrusted },
      outputChannel: this.log.channel,
      traceOutputChannel: this.log.channel,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      markdown: { isTrusted: { enabledCommands: HOVER_COMMANDS }, supportHtml: false },
      middleware: trustHoverCommandLinks,
      errorHandler: new QuietErrorHandler(this.log, () => this.setState('failed')),
      initializationFailedHandler: (error) => {
        this.setState('failed');
        this.log.fail({ message: `The Django Migration Guard language server failed to initialise: ${errorMessage(error)}` });
        return false;
      },
    };
    return new LanguageClient(CLIENT_ID, 'Django Migration Guard', serverOptions, clientOptions);
  }

  /** A custom request to the server (see clientContract.ts); undefined while the server is not running. */
  async request<R>(method: string, params: unknown): Promise<R | undefined> {
    if (!this.client?.isRunning()) return undefined;
    return this.client.sendRequest<R>(method, params);
  }

  /** A custom notification to the server (see clientContract.ts); dropped while it is not running. */
  async notify(method: string, params: unknown): Promise<void> {
    if (!this.client?.isRunning()) return;
    await this.client.sendNotification(method, params);
  }

  /** Stops the language server and waits for it to exit (deactivation). */
  stop(): Promise<void> {
    return this.stopAndForget();
  }

  dispose(): void {
    void this.stopAndForget();
    this.stateChanged.dispose();
  }
}

/**
 * Hover markdown from the server carries `command:` links ("Review this in the flashcards", "Show documentation").
 * VS Code runs such links only from trusted markdown, and only the commands named here, so a link to any other
 * command in a hover stays dead.
 */
const trustHoverCommandLinks: Middleware = {
  async provideHover(document, position, token, next) {
    const hover = await next(document, position, token);
    if (!hover) return hover;
    for (const content of hover.contents) {
      if (content instanceof vscode.MarkdownString) content.isTrusted = { enabledCommands: [...HOVER_COMMANDS] };
    }
    return hover;
  },
};

/** Restarts a crashed server a few times, then stops and says so once, with "Show Logs". */
class QuietErrorHandler implements ErrorHandler {
  private readonly restarts: number[] = [];

  constructor(
    private readonly log: Log,
    private readonly onGaveUp: () => void,
  ) {}

  error(error: Error, _message: unknown, count: number | undefined): ErrorHandlerResult {
    this.log.warn(`Language server connection error: ${error.message}`);
    return { action: count !== undefined && count > 3 ? ErrorAction.Shutdown : ErrorAction.Continue, handled: true };
  }

  closed(): CloseHandlerResult {
    const now = Date.now();
    this.restarts.push(now);
    while (this.restarts.length > 0 && now - this.restarts[0]! > RESTART_WINDOW_MS) this.restarts.shift();
    if (this.restarts.length <= RESTARTS_ALLOWED) {
      this.log.warn(`The language server stopped unexpectedly; restarting (${this.restarts.length}/${RESTARTS_ALLOWED}).`);
      return { action: CloseAction.Restart, handled: true };
    }
    this.onGaveUp();
    this.log.fail({ message: `The Django Migration Guard language server crashed ${RESTARTS_ALLOWED + 1} times in 3 minutes and was not restarted. Run "Django Migrations: Restart Server" after checking the logs.` });
    return { action: CloseAction.DoNotRestart, handled: true };
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
