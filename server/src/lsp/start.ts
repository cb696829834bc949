// The language server's wiring: LSP messages in, engine calls out. The same code serves VS Code (IPC) and every
// other editor (`migration-guard lsp --stdio`): createConnection picks the transport from the command line, except
// that --stdio writes each message in one piece (stdioTransport.ts).
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  createConnection,
  type ClientCapabilities,
  type Connection,
  type InitializeParams,
  type InitializeResult,
  type WorkspaceFolder,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { AnalysisService, migrationPathOf, pathToUri, uriToPath } from './analysisService';
import { computeCodeActions, FIX_ALL_KIND } from './codeActions';
import { DiagnosticsPublisher, WorkspaceProblemsPublisher, type ClosedFilesScope } from './diagnostics';
import { computeHover } from './hover';
import { viewOnUnchangedLine } from './lastResult';
import { computeInlayHints } from './inlayHints';
import { generatedSql } from './generatedSql';
import {
  APPLIED_MIGRATIONS_NOTIFICATION,
  GENERATED_SQL_REQUEST,
  WATCHED_GLOBS,
  WORKSPACE_TRUST_NOTIFICATION,
  type AppliedMigrationsParams,
  type GeneratedSqlParams,
  type WorkspaceTrustParams,
} from './clientContract';
import { PendingMigrations } from './pendingMigrations';
import { registerMigrationFindings } from './migrationFindings';
import { registerProposedMigrationFindings } from './proposedMigrationFindings';
import { COMPLETION_TRIGGERS, registerNavigation } from './navigation';
import { SettingsStore, initialSettings, type DocumentConfig } from './settings';
import { WorkspaceIndex, isPyproject, type IndexedProject } from './workspaceIndex';
import { WorkCounters, type HoverRecord } from './workCounters';
import { stdioTransport } from './stdioTransport';

/** After an edit that changes only a file's content, other open files of the project are refreshed this much later. */
const DEPENDENT_REFRESH_MS = 300;

/** A folder path without its trailing slash, so the same folder always gives the same project key. */
function folderRoot(path: string): string {
  return path.replace(/\/+$/, '') || '/';
}

export function startServer(): void {
  const stdio = stdioTransport(process.argv);
  const connection = stdio ? createConnection(ProposedFeatures.all, ...stdio) : createConnection(ProposedFeatures.all);
  const documents = new TextDocuments(TextDocument);
  new MigrationGuardServer(connection, documents).listen();
}

class MigrationGuardServer {
  private capabilities: ClientCapabilities = {};
  private folders: WorkspaceFolder[] = [];
  private readonly openPaths = new Set<string>();
  private settings!: SettingsStore;
  private readonly index: WorkspaceIndex;
  private analysis!: AnalysisService;
  private publisher!: DiagnosticsPublisher;
  private workspaceProblems!: WorkspaceProblemsPublisher;
  private pending!: PendingMigrations;
  private readonly dependentRefresh = new Map<string, ReturnType<typeof setTimeout>>();
  private shuttingDown = false;
  /** Watcher globs registered for MIGRATION_MODULES packages. */
  private readonly movedGlobsWatched = new Set<string>();
  private readonly counters = new WorkCounters();

  constructor(
    private readonly connection: Connection,
    private readonly documents: TextDocuments<TextDocument>,
  ) {
    this.index = new WorkspaceIndex(
      (message) => this.log(message),
      (path) => this.openPaths.has(path),
    );
  }

  listen(): void {
    const { connection, documents } = this;
    connection.onInitialize((params) => this.initialize(params));
    connection.onInitialized(() => void this.initialized().catch((error: unknown) => this.logError('start-up', error)));
    connection.onShutdown(() => {
      this.shuttingDown = true;
      this.workspaceProblems?.dispose();
      for (const timer of this.dependentRefresh.values()) clearTimeout(timer);
    });

    documents.onDidOpen(({ document }) => {
      const path = migrationPathOf(document.uri, this.index);
      if (path) this.openPaths.add(path);
    });
    documents.onDidChangeContent(({ document }) => {
      if (migrationPathOf(document.uri, this.index)) this.publisher.changed(document.uri);
    });
    documents.onDidClose(({ document }) => this.closed(document.uri));

    connection.onHover(async (params, token) =>
      this.guard('hover', null, async () => {
        const latest = documents.get(params.textDocument.uri);
        const analysesBefore = this.counters.analysesRun;
        const record: HoverRecord = { uri: params.textDocument.uri, version: latest?.version ?? -1, answeredFrom: 'none', analysesBefore, analysesWhileAnswering: 0 };
        const answered = (from: HoverRecord['answeredFrom'], version: number | undefined): void => {
          this.counters.hovered({ ...record, answeredFrom: from, ...(version !== undefined ? { analysisVersion: version } : {}), analysesWhileAnswering: this.counters.analysesRun - analysesBefore });
        };
        const current = latest ? this.analysis.cached(latest.uri) : undefined;
        const last = latest && !current ? this.analysis.lastResult(latest.uri) : undefined;
        const view = last && latest ? viewOnUnchangedLine(last, latest, params.position) : undefined;
        if (view) {
          answered('last-result', view.analysis.version);
          return computeHover(view.analysis, view.analysedDocument, view.offset);
        }
        const analysis = await this.analysis.analyse(params.textDocument.uri, token);
        const document = documents.get(params.textDocument.uri);
        answered(current ? 'cache' : analysis ? 'analysis' : 'none', analysis?.version);
        if (!analysis || !document || token.isCancellationRequested || document.version !== analysis.version) return null;
        return computeHover(analysis, document, document.offsetAt(params.position));
      }),
    );
    connection.onRequest(GENERATED_SQL_REQUEST, async (params: GeneratedSqlParams, token) =>
      this.guard('generated SQL', null, async () => {
        const analysis = await this.analysis.analyse(params.uri, token);
        return analysis && !token.isCancellationRequested ? generatedSql(analysis) : null;
      }),
    );
    connection.languages.inlayHint.on(async (params, token) =>
      this.guard('inlay hints', [], async () => {
        if (!(await this.settings.inlayHintsEnabled(params.textDocument.uri))) return [];
        const analysis = await this.analysis.analyse(params.textDocument.uri, token);
        const document = documents.get(params.textDocument.uri);
        if (!analysis || !document || token.isCancellationRequested || document.version !== analysis.version) return [];
        return computeInlayHints(analysis, document, params.range);
      }),
    );
    connection.onCodeAction(async (params, token) =>
      this.guard('code actions', [], async () => {
        const analysis = await this.analysis.analyse(params.textDocument.uri, token);
        const document = documents.get(params.textDocument.uri);
        if (!analysis || !document || token.isCancellationRequested || document.version !== analysis.version) return [];
        const workspaceEdit = this.capabilities.workspace?.workspaceEdit;
        const documentChanges = workspaceEdit?.documentChanges === true;
        const createFiles = documentChanges && (workspaceEdit?.resourceOperations ?? []).includes('create');
        return computeCodeActions(analysis, document, params, { documentChanges, createFiles });
      }),
    );
    registerNavigation({
      connection,
      documents,
      analysis: () => this.analysis,
      index: this.index,
      capabilities: () => this.capabilities,
      guard: (what, fallback, handler) => this.guard(what, fallback, handler),
    });
    registerMigrationFindings({
      connection,
      documents,
      analysis: () => this.analysis,
      settings: () => this.settings,
      index: this.index,
      indexFromDisk: (path) => this.filesChanged([{ uri: pathToUri(path), deleted: false }]),
      guard: (what, fallback, handler) => this.guard(what, fallback, handler),
    });
    registerProposedMigrationFindings({
      connection,
      settings: () => this.settings,
      index: this.index,
      guard: (what, fallback, handler) => this.guard(what, fallback, handler),
    });
    connection.onNotification(APPLIED_MIGRATIONS_NOTIFICATION, (params: AppliedMigrationsParams) => {
      if (this.pending.setApplied(params)) this.workspaceProblems.scheduleAll(this.index.allProjects());
    });
    connection.onNotification(WORKSPACE_TRUST_NOTIFICATION, (params: WorkspaceTrustParams) => {
      this.pending.setTrusted(params?.trusted === true);
      this.workspaceProblems.scheduleAll(this.index.allProjects());
    });
    connection.onDidChangeConfiguration((change) => {
      this.settings.editorSettingsChanged(change.settings);
      this.refreshEverything();
      if (this.capabilities.workspace?.inlayHint?.refreshSupport) void this.connection.languages.inlayHint.refresh();
    });
    connection.onDidChangeWatchedFiles(({ changes }) => this.filesChanged(changes.map((change) => ({ uri: change.uri, deleted: change.type === FileChangeType.Deleted }))));

    this.counters.listen(connection);
    documents.listen(connection);
    connection.listen();
  }

  private initialize(params: InitializeParams): InitializeResult {
    this.capabilities = params.capabilities;
    this.folders = params.workspaceFolders ?? (params.rootUri ? [{ uri: params.rootUri, name: 'root' }] : []);
    this.settings = new SettingsStore(
      this.connection,
      {
        pullConfiguration: params.capabilities.workspace?.configuration === true,
        reportConfigProblem: (message) => void this.connection.window.showWarningMessage(`Migration Guard: ${message}`),
        log: (message) => this.log(message),
      },
      initialSettings(params.initializationOptions),
    );
    this.analysis = new AnalysisService(this.documents, this.index, this.settings, {
      log: (message) => this.log(message),
      contentChanged: (entry, uri, graphChanged) => this.contentChanged(entry, uri, graphChanged),
      analysed: (uri, version) => this.counters.analysed(uri, version),
    });
    this.publisher = new DiagnosticsPublisher(this.connection, this.documents, this.analysis, (message) => this.log(message));
    const options = params.initializationOptions as { workspaceTrusted?: unknown } | null | undefined;
    // Editors without a notion of trust (Neovim, ...) run git for the pending scope, as `check --diff` does.
    this.pending = new PendingMigrations(options?.workspaceTrusted !== false, (message) => this.log(message));
    this.workspaceProblems = new WorkspaceProblemsPublisher(
      this.connection,
      this.settings,
      (path) => this.openPaths.has(path),
      (message) => this.log(message),
      (entry, config) => this.closedFilesScope(entry, config),
    );
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        inlayHintProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND] },
        completionProvider: { triggerCharacters: COMPLETION_TRIGGERS },
        definitionProvider: true,
        referencesProvider: true,
        documentSymbolProvider: { label: 'Migration' },
        workspaceSymbolProvider: true,
        codeLensProvider: { resolveProvider: false },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'migration-guard' },
    };
  }

  private async initialized(): Promise<void> {
    const workspace = this.capabilities.workspace;
    if (workspace?.didChangeConfiguration?.dynamicRegistration) {
      await this.connection.client.register(DidChangeConfigurationNotification.type, { section: 'migrationGuard' });
    }
    if (workspace?.didChangeWatchedFiles?.dynamicRegistration) {
      await this.connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: WATCHED_GLOBS.map((globPattern) => ({ globPattern })) });
    }
    if (workspace?.workspaceFolders) {
      this.connection.workspace.onDidChangeWorkspaceFolders((event) => {
        for (const removed of event.removed) {
          const path = uriToPath(removed.uri);
          const entry = path ? this.index.removeWorkspaceFolder(folderRoot(path)) : undefined;
          if (entry) this.workspaceProblems.forget(entry);
        }
        this.analysis.invalidateAll();
        this.publisher.scheduleAllOpen();
        void this.indexFolders(event.added).catch((error: unknown) => this.logError('indexing', error));
      });
    }
    await this.indexFolders(this.folders);
  }

  /** Indexes workspace folders with `$/progress` (when the client supports it), then refreshes what depends on them. */
  private async indexFolders(folders: readonly WorkspaceFolder[]): Promise<void> {
    const entries: IndexedProject[] = [];
    for (const folder of folders) {
      const path = uriToPath(folder.uri);
      if (path) entries.push(this.index.addWorkspaceFolder(folderRoot(path), folder.uri));
    }
    if (entries.length === 0) return;
    const progress = await this.connection.window.createWorkDoneProgress();
    progress.begin('Migration Guard', 0, 'Indexing migrations', false);
    const started = performance.now();
    let total = 0;
    try {
      for (const [position, entry] of entries.entries()) {
        total += await this.index.indexFolder(
          entry,
          {
            report: (done, count, message) => {
              const share = count === 0 ? 1 : done / count;
              progress.report(Math.round(((position + share) / entries.length) * 100), message);
            },
          },
          () => this.shuttingDown,
        );
      }
    } finally {
      progress.done();
    }
    this.log(`indexed ${total} migrations in ${entries.length} folder(s) in ${Math.round(performance.now() - started)} ms`);
    this.analysis.invalidateAll();
    this.publisher.scheduleAllOpen();
    for (const entry of entries) this.workspaceProblems.schedule(entry);
    await this.watchMovedMigrations();
  }

  /** Finds the migrations a changed layout (apps.py, MIGRATION_MODULES) adds, then refreshes what depends on them. */
  private async reindex(entries: Iterable<IndexedProject>): Promise<void> {
    for (const entry of entries) {
      await this.index.indexFolder(entry, { report: () => undefined }, () => this.shuttingDown);
      this.workspaceProblems.schedule(entry);
    }
    this.analysis.invalidateAll();
    this.publisher.scheduleAllOpen();
    await this.watchMovedMigrations();
  }

  /** Watches the packages MIGRATION_MODULES names, beyond the `migrations/` folders WATCHED_GLOBS covers. */
  private async watchMovedMigrations(): Promise<void> {
    const globs = this.index.movedMigrationGlobs().filter((glob) => !this.movedGlobsWatched.has(glob));
    if (globs.length === 0 || !this.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration) return;
    for (const glob of globs) this.movedGlobsWatched.add(glob);
    await this.connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: globs.map((globPattern) => ({ globPattern })) });
  }

  /** An open document's text changed what its project knows. */
  private contentChanged(entry: IndexedProject, changedUri: string, graphChanged: boolean): void {
    const others = (uri: string) => uri !== changedUri && this.inProject(uri, entry);
    if (graphChanged) {
      this.analysis.invalidateAll();
      this.publisher.scheduleAllOpen(others);
      this.workspaceProblems.schedule(entry);
      return;
    }
    // Field definitions feed the state replay of later migrations: refresh the other open files once typing pauses.
    clearTimeout(this.dependentRefresh.get(entry.root));
    this.dependentRefresh.set(
      entry.root,
      setTimeout(() => {
        this.dependentRefresh.delete(entry.root);
        if (!this.documents.all().some((document) => others(document.uri))) return;
        this.analysis.invalidateAll();
        this.publisher.scheduleAllOpen(others);
      }, DEPENDENT_REFRESH_MS),
    );
  }

  private closed(uri: string): void {
    this.settings.forgetDocument(uri);
    const path = migrationPathOf(uri, this.index);
    if (!path) return;
    this.openPaths.delete(path);
    this.analysis.forget(uri);
    this.publisher.clear(uri);
    // The disk is the truth again (the editor may have closed without saving).
    const effect = this.index.fileChangedOnDisk(path, false);
    if (effect) {
      this.analysis.invalidateAll();
      this.publisher.scheduleAllOpen((other) => this.inProject(other, effect.project));
      this.workspaceProblems.schedule(effect.project);
    }
  }

  private filesChanged(changes: { uri: string; deleted: boolean }[]): void {
    const affected = new Set<IndexedProject>();
    const relaid = new Set<IndexedProject>();
    let configChanged = false;
    for (const change of changes) {
      const path = uriToPath(change.uri);
      if (!path) continue;
      if (isPyproject(path)) {
        configChanged = true;
        continue;
      }
      const effect = this.index.fileChangedOnDisk(path, change.deleted);
      if (effect) affected.add(effect.project);
      if (effect?.layoutChanged) relaid.add(effect.project);
    }
    if (configChanged) {
      this.settings.pyprojectChanged();
      // `migration-modules` may have moved an app's migrations.
      for (const entry of this.index.refreshLayouts()) relaid.add(entry);
      if (relaid.size > 0) void this.reindex(relaid).catch((error: unknown) => this.logError('indexing', error));
      this.refreshEverything();
      return;
    }
    if (relaid.size > 0) void this.reindex(relaid).catch((error: unknown) => this.logError('indexing', error));
    if (affected.size === 0) return;
    this.pending.filesChanged();
    this.analysis.invalidateAll();
    for (const entry of affected) {
      this.publisher.scheduleAllOpen((uri) => this.inProject(uri, entry));
      this.workspaceProblems.schedule(entry);
    }
  }

  /** The closed migrations whose every finding Problems lists (migrationGuard.problems.scope). */
  private async closedFilesScope(entry: IndexedProject, documentConfig: DocumentConfig): Promise<ClosedFilesScope | undefined> {
    if (!entry.isWorkspaceFolder) return undefined;
    const scope = await this.settings.problemsScope(entry.rootUri);
    if (scope === 'open') return undefined;
    const paths = scope === 'workspace' ? new Set(entry.project.sourceFiles().map((file) => file.path)) : this.pending.pendingPaths(entry);
    // What check reports for these files: the suppression stage with the project's baseline, as for open documents.
    return { paths, keep: (findings) => this.analysis.suppressed(findings, documentConfig.policy, (path) => entry.project.model(path)?.text) };
  }

  private refreshEverything(): void {
    this.analysis.invalidateAll();
    this.publisher.scheduleAllOpen();
    for (const entry of this.index.allProjects()) this.workspaceProblems.schedule(entry);
  }

  private inProject(uri: string, entry: IndexedProject): boolean {
    const path = migrationPathOf(uri, this.index);
    return path !== undefined && this.index.projectFor(path) === entry;
  }

  /** Runs a request handler; an unexpected failure is logged and answered with an empty result, never a crash. */
  private async guard<T>(what: string, fallback: T, handler: () => Promise<T>): Promise<T> {
    try {
      return await handler();
    } catch (error) {
      this.logError(what, error);
      return fallback;
    }
  }

  private log(message: string): void {
    this.connection.console.log(message);
  }

  private logError(what: string, error: unknown): void {
    this.connection.console.error(`${what} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
}

