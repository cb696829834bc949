// A real LSP client for the protocol tests: bundles the server entry exactly as esbuild.mjs does, starts it as a
// child process with --stdio, and talks to it through vscode-languageserver-protocol. It answers the server's
// requests (workspace/configuration, registrations, progress) like an editor would and records what it receives.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import {
  StreamMessageReader,
  StreamMessageWriter,
  createProtocolConnection,
  type ProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import type {
  CodeAction,
  ConfigurationParams,
  Diagnostic,
  Hover,
  InitializeResult,
  PublishDiagnosticsParams,
  Range,
  RegistrationParams,
  TextEdit,
  WorkspaceEdit,
} from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';

const REPO = resolve(__dirname, '..', '..');
let bundled: Promise<string> | undefined;

/**
 * Bundles server/src/lsp/server.ts once per test process (same options as esbuild.mjs's dist/server.js), unless
 * MIGRATION_GUARD_SERVER_JS names a server bundle to test instead (e.g. dist/server.js).
 */
export function serverBundle(): Promise<string> {
  const given = process.env['MIGRATION_GUARD_SERVER_JS'];
  if (given) return Promise.resolve(resolve(given));
  bundled ??= (async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'mg-lsp-bundle-'));
    process.once('exit', () => rmSync(outdir, { recursive: true, force: true }));
    const outfile = join(outdir, 'server.js');
    await build({
      entryPoints: [join(REPO, 'server/src/lsp/server.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      sourcemap: true,
      logLevel: 'error',
    });
    return outfile;
  })();
  return bundled;
}

/** A private copy of a fixture project (test/fixtures/lsp/NAME, or any folder below test/fixtures), removed by `dispose`. */
export function copyFixture(name: string, folder = 'test/fixtures/lsp'): string {
  const root = mkdtempSync(join(tmpdir(), 'mg-lsp-ws-'));
  cpSync(join(REPO, folder, name), root, { recursive: true });
  return root;
}

export function uriOf(path: string): string {
  return pathToFileURL(path).href;
}

export interface ClientOptions {
  workspace: string;
  /** Answers workspace/configuration for section `migrationGuard`; called per item with its scopeUri. */
  settings?: (scopeUri: string | undefined) => unknown;
  /** Capabilities to leave out (to test clients without them). */
  withoutConfiguration?: boolean;
  /** Sent as the initialize request's initializationOptions. */
  initializationOptions?: unknown;
  /** Variables added to the server's environment (e.g. MIGRATION_GUARD_TEST_COUNTERS). */
  env?: Record<string, string>;
}

interface OpenDocument {
  document: TextDocument;
}

/** Applies LSP text edits to a text (the edits of one document). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  return TextDocument.applyEdits(TextDocument.create('file:///x', 'python', 0, text), [...edits]);
}

/** The edits a workspace edit makes to one document, whichever form (`documentChanges` or `changes`) it uses. */
export function editsFor(edit: WorkspaceEdit | undefined, uri: string): TextEdit[] {
  if (!edit) return [];
  const edits: TextEdit[] = [];
  for (const change of edit.documentChanges ?? []) {
    if ('textDocument' in change && change.textDocument.uri === uri) edits.push(...(change.edits as TextEdit[]));
  }
  edits.push(...(edit.changes?.[uri] ?? []));
  return edits;
}

/** A diagnostic's message as text (LSP 3.18 allows markup content there too). */
export function messageOf(diagnostic: Diagnostic): string {
  return typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value;
}

export class LspClient {
  readonly diagnostics = new Map<string, PublishDiagnosticsParams[]>();
  readonly logs: string[] = [];
  readonly registrations: RegistrationParams[] = [];
  readonly progress: { token: string | number; value: { kind: string; message?: string; percentage?: number } }[] = [];
  readonly configurationRequests: ConfigurationParams[] = [];
  initializeResult!: InitializeResult;
  private readonly documents = new Map<string, OpenDocument>();
  private readonly listeners = new Set<() => void>();
  private readonly stderr: string[] = [];
  private exited = false;

  private constructor(
    readonly child: ChildProcessWithoutNullStreams,
    readonly connection: ProtocolConnection,
    readonly options: ClientOptions,
  ) {}

  static async start(options: ClientOptions): Promise<LspClient> {
    const server = await serverBundle();
    const child = spawn(process.execPath, [server, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
    const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    const client = new LspClient(child, connection, options);
    child.stderr.on('data', (chunk: Buffer) => client.stderr.push(chunk.toString()));
    child.on('exit', () => {
      client.exited = true;
      client.notify();
    });
    client.wire();
    connection.listen();
    const folderUri = uriOf(options.workspace);
    client.initializeResult = await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: folderUri,
      workspaceFolders: [{ uri: folderUri, name: 'fixture' }],
      ...(options.initializationOptions !== undefined ? { initializationOptions: options.initializationOptions } : {}),
      capabilities: {
        workspace: {
          configuration: !options.withoutConfiguration,
          didChangeConfiguration: { dynamicRegistration: true },
          didChangeWatchedFiles: { dynamicRegistration: true },
          workspaceEdit: { documentChanges: true, resourceOperations: ['create'] },
          workspaceFolders: true,
        },
        textDocument: {
          synchronization: { dynamicRegistration: false },
          publishDiagnostics: { versionSupport: true, codeDescriptionSupport: true, dataSupport: true },
          hover: { contentFormat: ['markdown', 'plaintext'] },
          completion: { completionItem: { snippetSupport: true } },
          documentSymbol: { hierarchicalDocumentSymbolSupport: true },
          codeAction: {
            codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source', 'source.fixAll'] } },
            isPreferredSupport: true,
            dataSupport: true,
          },
        },
        window: { workDoneProgress: true },
      },
    });
    await connection.sendNotification('initialized', {});
    return client;
  }

  private wire(): void {
    const { connection } = this;
    connection.onRequest('workspace/configuration', (params: ConfigurationParams) => {
      this.configurationRequests.push(params);
      return params.items.map((item) => (item.section === 'migrationGuard' ? (this.options.settings?.(item.scopeUri) ?? {}) : null));
    });
    connection.onRequest('client/registerCapability', (params: RegistrationParams) => {
      this.registrations.push(params);
      this.notify();
      return null;
    });
    connection.onRequest('window/workDoneProgress/create', () => null);
    connection.onRequest('window/showMessageRequest', (params: { message: string }) => {
      this.logs.push(`[shown] ${params.message}`);
      this.notify();
      return null;
    });
    connection.onNotification('$/progress', (params: LspClient['progress'][number]) => {
      this.progress.push(params);
      this.notify();
    });
    connection.onNotification('window/logMessage', (params: { message: string }) => {
      this.logs.push(params.message);
    });
    connection.onNotification('window/showMessage', (params: { message: string }) => {
      this.logs.push(`[shown] ${params.message}`);
      this.notify();
    });
    connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
      const list = this.diagnostics.get(params.uri) ?? [];
      list.push(params);
      this.diagnostics.set(params.uri, list);
      this.notify();
    });
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  /** Resolves when `check` returns a value (re-checked on every message); rejects after `timeoutMs`. */
  waitFor<T>(what: string, check: () => T | undefined, timeoutMs = 8000): Promise<T> {
    return new Promise((resolvePromise, reject) => {
      const attempt = () => {
        let value: T | undefined;
        try {
          value = check();
        } catch (error) {
          finish();
          reject(error as Error);
          return;
        }
        if (value !== undefined) {
          finish();
          resolvePromise(value);
        } else if (this.exited) {
          finish();
          reject(new Error(`server exited while waiting for ${what}\n${this.stderr.join('')}`));
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}\nlogs:\n${this.logs.slice(-20).join('\n')}\nstderr:\n${this.stderr.join('')}`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        this.listeners.delete(attempt);
      };
      this.listeners.add(attempt);
      attempt();
    });
  }

  /** Waits until the initial indexing's work-done progress has ended. */
  waitForIndexing(): Promise<void> {
    return this.waitFor('indexing to finish', () => (this.progress.some((p) => p.value.kind === 'end') ? true : undefined)).then(() => undefined);
  }

  /** The next diagnostics published for `uri` that satisfy `accept`, counting only those published after `since`. */
  waitForDiagnostics(uri: string, accept: (params: PublishDiagnosticsParams) => boolean, since = this.publishCount(uri), timeoutMs?: number): Promise<PublishDiagnosticsParams> {
    return this.waitFor(`diagnostics for ${uri}`, () => (this.diagnostics.get(uri) ?? []).slice(since).find(accept), timeoutMs);
  }

  publishCount(uri: string): number {
    return this.diagnostics.get(uri)?.length ?? 0;
  }

  latestDiagnostics(uri: string): Diagnostic[] {
    const list = this.diagnostics.get(uri);
    return list?.[list.length - 1]?.diagnostics ?? [];
  }

  text(uri: string): string {
    const open = this.documents.get(uri);
    if (!open) throw new Error(`${uri} is not open`);
    return open.document.getText();
  }

  version(uri: string): number {
    return this.documents.get(uri)?.document.version ?? 0;
  }

  /** Opens a document and waits for its first diagnostics (for that version). */
  async open(path: string, text: string, timeoutMs?: number): Promise<PublishDiagnosticsParams> {
    const uri = uriOf(path);
    const since = this.publishCount(uri);
    this.documents.set(uri, { document: TextDocument.create(uri, 'python', 1, text) });
    await this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
    return this.waitForDiagnostics(uri, (params) => params.version === 1, since, timeoutMs);
  }

  async close(uri: string): Promise<void> {
    this.documents.delete(uri);
    await this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  /** Sends incremental changes (ranges in the current text) and waits for the diagnostics of the new version. */
  async change(uri: string, edits: TextEdit[], timeoutMs?: number): Promise<PublishDiagnosticsParams> {
    const version = await this.sendChange(uri, edits);
    return this.waitForDiagnostics(uri, (params) => params.version === version, undefined, timeoutMs);
  }

  /** Sends incremental changes without waiting; returns the new version. */
  async sendChange(uri: string, edits: TextEdit[]): Promise<number> {
    const open = this.documents.get(uri);
    if (!open) throw new Error(`${uri} is not open`);
    const version = open.document.version + 1;
    // LSP applies content changes one after another, so send them from the end of the text backwards.
    // Two insertions at one position keep their array order in the result, so the later one goes first.
    const ordered = edits
      .map((edit, index) => ({ edit, index, offset: open.document.offsetAt(edit.range.start) }))
      .sort((a, b) => b.offset - a.offset || b.index - a.index);
    const contentChanges = ordered.map(({ edit }) => ({ range: edit.range, text: edit.newText }));
    open.document = TextDocument.update(open.document, contentChanges, version);
    await this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges });
    return version;
  }

  /** Replaces the whole text through one incremental change covering the old text. */
  replaceText(uri: string, text: string): Promise<PublishDiagnosticsParams> {
    const document = this.documents.get(uri)!.document;
    return this.change(uri, [{ range: { start: { line: 0, character: 0 }, end: document.positionAt(document.getText().length) }, newText: text }]);
  }

  hover(uri: string, line: number, character: number): Promise<Hover | null> {
    return this.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line, character } });
  }

  /** Any request about a position in a document (completion, definition, references, the history request). */
  at<T>(method: string, uri: string, position: { line: number; character: number }, extra: Record<string, unknown> = {}): Promise<T> {
    return this.connection.sendRequest(method, { textDocument: { uri }, position, ...extra });
  }

  codeActions(uri: string, range: Range, diagnostics: Diagnostic[], only?: string[]): Promise<CodeAction[]> {
    return this.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range,
      context: { diagnostics, ...(only ? { only } : {}) },
    });
  }

  /** Applies a code action's edit to the open document (as the editor would) and waits for the new diagnostics. */
  async applyAction(uri: string, action: CodeAction): Promise<PublishDiagnosticsParams> {
    const edits = editsFor(action.edit, uri);
    if (edits.length === 0) throw new Error(`code action "${action.title}" has no edits for ${uri}`);
    return this.change(uri, edits);
  }

  async changeSettings(): Promise<void> {
    await this.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
  }

  async filesChanged(changes: { path: string; type: 1 | 2 | 3 }[]): Promise<void> {
    await this.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: changes.map((change) => ({ uri: uriOf(change.path), type: change.type })) });
  }

  /** Position (line/character) of the first occurrence of `needle` in an open document's text. */
  positionOf(uri: string, needle: string, nth = 0): { line: number; character: number } {
    const document = this.documents.get(uri)!.document;
    let offset = -1;
    for (let index = 0; index <= nth; index++) {
      offset = document.getText().indexOf(needle, offset + 1);
      if (offset < 0) throw new Error(`"${needle}" not found in ${uri}`);
    }
    return document.positionAt(offset);
  }

  serverStderr(): string {
    return this.stderr.join('');
  }

  /** Shuts the server down politely, and kills it when it does not exit in time. */
  async dispose(): Promise<void> {
    if (!this.exited) {
      try {
        await Promise.race([this.connection.sendRequest('shutdown'), delay(2000)]);
        await this.connection.sendNotification('exit');
      } catch {
        // the connection may already be gone
      }
      await Promise.race([new Promise<void>((done) => this.child.once('exit', () => done())), delay(2000)]);
      if (!this.exited) this.child.kill('SIGKILL');
    }
    this.connection.dispose();
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms).unref());
}

export function removeWorkspace(root: string): void {
  rmSync(root, { recursive: true, force: true });
}
