// The review panel's VS Code host: commands, the webview panel (strict CSP, no retainContextWhenHidden), its
// restore after a window reload, and the user's card file. Behaviour lives in session.ts; this file wires it.
import * as vscode from 'vscode';
import {
  buildDeck,
  catalogueRuleCards,
  catalogueRuleQuiz,
  loadSeedDeck,
  ruleCardId,
  USER_CARDS_RELATIVE_PATH,
  type DeckLoadResult,
  type UserCardFile,
} from './deck';
import { buildReviewHtml, createNonce } from './html';
import { ReviewSession, type DueSummary } from './session';
import { ProgressStore } from './store';
import {
  DIAGNOSTIC_SOURCE,
  REVIEW_RULE_COMMAND,
  type FileFindings,
  type FindingsResult,
  type FindingSummary,
} from '../../../server/src/lsp/clientContract';
import { examplesFromFindings } from './workspaceExamples';

export const REVIEW_VIEW_TYPE = 'migrationGuard.review';
const REVIEW_FLASHCARDS_COMMAND = 'migrationGuard.reviewFlashcards';

const PANEL_TITLE = 'Migration Flashcards';
const MAX_USER_FILE_BYTES = 1_000_000;
const DUE_REFRESH_MS = 5 * 60_000;
const USER_FILE_TEMPLATE = `{
  // Your own review cards, merged into "Django Migrations: Review Flashcards".
  "flashcards": [
    {
      "question": "Which table in our project must never be locked during business hours?",
      "answer": "orders_order: every checkout writes to it.",
      "level": "intermediate"
    }
  ],
  "quiz": [],
  "explain": []
}
`;

export interface ReviewPanelOptions {
  /** Told whenever the number of cards to study may have changed (at start, after answers, over time). */
  onDueCountChanged?: (summary: DueSummary) => void;
  /** Every workspace migration with findings (the server's workspace index); else the editor's diagnostics are used. */
  workspaceFindings?: () => Promise<FindingsResult | undefined>;
  log?: (message: string) => void;
}

const EXAMPLES_REFRESH_DELAY_MS = 2_000;

/** The findings VS Code holds from this extension's server (open and recently analysed files). */
function findingsFromDiagnostics(): FindingsResult {
  const files: FileFindings[] = [];
  for (const [uri, diagnostics] of vscode.languages.getDiagnostics()) {
    const findings: FindingSummary[] = diagnostics
      .filter((d) => d.source === DIAGNOSTIC_SOURCE && typeof d.code === 'string')
      .map((d) => ({ rule: d.code as string, severity: 'warning', message: d.message, line: d.range.start.line }));
    if (findings.length > 0) files.push({ uri: uri.toString(), counts: { error: 0, warning: findings.length, info: 0 }, findings });
  }
  return { files };
}

async function readWorkspaceText(uri: string): Promise<string | undefined> {
  const open = vscode.workspace.textDocuments.find((document) => document.uri.toString() === uri);
  if (open) return open.getText();
  const bytes = await vscode.workspace.fs.readFile(vscode.Uri.parse(uri));
  return bytes.byteLength > MAX_USER_FILE_BYTES ? undefined : new TextDecoder('utf-8').decode(bytes);
}

type ExtensionContextLike = Pick<vscode.ExtensionContext, 'extensionUri' | 'globalState'>;

function userCardsUri(folder: vscode.WorkspaceFolder): vscode.Uri {
  return vscode.Uri.joinPath(folder.uri, ...USER_CARDS_RELATIVE_PATH.split('/'));
}

async function readUserCardFiles(): Promise<{ files: UserCardFile[]; errors: string[] }> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  const files: UserCardFile[] = [];
  const errors: string[] = [];
  for (const folder of folders) {
    const uri = userCardsUri(folder);
    const label = folders.length > 1 ? `${folder.name}/${USER_CARDS_RELATIVE_PATH}` : USER_CARDS_RELATIVE_PATH;
    let bytes: Uint8Array;
    try {
      bytes = await vscode.workspace.fs.readFile(uri);
    } catch (error) {
      if (!(error instanceof vscode.FileSystemError && error.code === 'FileNotFound')) {
        errors.push(`${label}: could not be read: ${error instanceof Error ? error.message : String(error)}`);
      }
      continue;
    }
    if (bytes.byteLength > MAX_USER_FILE_BYTES) {
      errors.push(`${label}: is larger than ${MAX_USER_FILE_BYTES} bytes and was skipped`);
      continue;
    }
    files.push({ label, text: new TextDecoder('utf-8').decode(bytes) });
  }
  return { files, errors };
}

/** Seed deck + one card per lint rule + every workspace folder's `.vscode/migration-cards.json`. */
async function loadReviewDeck(): Promise<DeckLoadResult> {
  const { files, errors } = await readUserCardFiles();
  const result = buildDeck(loadSeedDeck(), catalogueRuleCards(), files, catalogueRuleQuiz());
  return { deck: result.deck, errors: [...errors, ...result.errors] };
}

class ReviewPanelController implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private panelSubscriptions: vscode.Disposable[] = [];
  private session: Promise<ReviewSession> | undefined;
  private lastShownErrors = '';
  private lastDueTotal: number | undefined;

  constructor(
    private readonly context: ExtensionContextLike,
    private readonly options: ReviewPanelOptions,
  ) {}

  private log(message: string): void {
    this.options.log?.(message);
  }

  private getSession(): Promise<ReviewSession> {
    this.session ??= loadReviewDeck().then((deck) => {
      const session = new ReviewSession(deck, {
        store: new ProgressStore(this.context.globalState),
        onDueChanged: (summary) => this.reportDue(summary),
        openUserCards: () => this.openUserCards(),
        log: (message) => this.log(message),
      });
      this.showDeckErrors(deck.errors);
      this.scheduleExamples(0);
      return session;
    });
    return this.session;
  }

  private examplesTimer: ReturnType<typeof setTimeout> | undefined;

  /** The rules that fire in the workspace changed (or may have): their cards and examples follow, a bit later. */
  scheduleExamples(delay = EXAMPLES_REFRESH_DELAY_MS): void {
    if (!this.session) return;
    if (this.examplesTimer) clearTimeout(this.examplesTimer);
    this.examplesTimer = setTimeout(() => {
      this.examplesTimer = undefined;
      this.refreshExamples().catch((error: unknown) => this.log(`review: reading the workspace findings failed: ${String(error)}`));
    }, delay);
    this.examplesTimer.unref?.();
  }

  async refreshExamples(): Promise<void> {
    const session = await this.getSession();
    let findings: FindingsResult | undefined;
    try {
      findings = await this.options.workspaceFindings?.();
    } catch (error) {
      this.log(`review: the workspace findings are not available (${String(error)}); using the open files' diagnostics`);
    }
    const examples = await examplesFromFindings(findings ?? findingsFromDiagnostics(), {
      read: readWorkspaceText,
      label: (uri) => vscode.workspace.asRelativePath(vscode.Uri.parse(uri), (vscode.workspace.workspaceFolders?.length ?? 0) > 1),
    });
    session.setWorkspaceExamples(examples);
    if (this.panel) void this.panel.webview.postMessage(session.stateMessage());
  }

  private reportDue(summary: DueSummary): void {
    this.lastDueTotal = summary.total;
    try {
      this.options.onDueCountChanged?.(summary);
    } catch (error) {
      this.log(`review: due-count listener failed: ${String(error)}`);
    }
  }

  /** Cards fall due as time passes, so the status count is refreshed now and then (only when it changed). */
  async refreshDueCount(): Promise<void> {
    if (!this.options.onDueCountChanged) return;
    const summary = (await this.getSession()).dueSummary();
    if (summary.total !== this.lastDueTotal) this.reportDue(summary);
  }

  private showDeckErrors(errors: readonly string[]): void {
    const key = errors.join('\n');
    if (key === this.lastShownErrors) return;
    this.lastShownErrors = key;
    if (errors.length === 0) return;
    for (const error of errors) this.log(`review deck: ${error}`);
    const first = errors[0]!;
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more problem${errors.length > 2 ? 's' : ''})` : '';
    void vscode.window.showWarningMessage(`Review cards: ${first}${more}`, 'Open File').then((choice) => {
      if (choice === 'Open File') void this.openUserCards();
    });
  }

  async reloadDeck(): Promise<void> {
    if (!this.session) return;
    const [session, deck] = await Promise.all([this.getSession(), loadReviewDeck()]);
    session.setDeck(deck);
    this.showDeckErrors(deck.errors);
    if (this.panel) void this.panel.webview.postMessage(session.stateMessage());
  }

  async open(viewColumn: vscode.ViewColumn = vscode.ViewColumn.Active): Promise<void> {
    const session = await this.getSession();
    if (this.panel) {
      this.panel.reveal(viewColumn);
      void this.panel.webview.postMessage(session.stateMessage());
      return;
    }
    const panel = vscode.window.createWebviewPanel(REVIEW_VIEW_TYPE, PANEL_TITLE, viewColumn, this.webviewOptions());
    this.attach(panel, session);
  }

  async openRule(argument: unknown): Promise<void> {
    // Command links pass arguments spread out; programmatic callers sometimes pass the array itself.
    const ruleId = Array.isArray(argument) ? argument[0] : argument;
    if (typeof ruleId !== 'string' || ruleId.trim() === '') {
      await this.open();
      return;
    }
    const session = await this.getSession();
    if (!session.focus(ruleCardId(ruleId.trim()))) {
      void vscode.window.showInformationMessage(`There is no flashcard for rule "${ruleId}" yet; showing the deck instead.`);
    }
    await this.open(vscode.ViewColumn.Beside);
  }

  async restore(panel: vscode.WebviewPanel): Promise<void> {
    // The webview tells the host which card it was showing (from its own getState) in its "ready" message.
    this.panel?.dispose();
    this.attach(panel, await this.getSession());
  }

  private webviewOptions(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      enableCommandUris: false,
      localResourceRoots: [
        vscode.Uri.joinPath(this.context.extensionUri, 'media'),
        vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview'),
      ],
    };
  }

  private attach(panel: vscode.WebviewPanel, session: ReviewSession): void {
    this.panel = panel;
    const webview = panel.webview;
    webview.options = this.webviewOptions();
    webview.html = buildReviewHtml({
      cspSource: webview.cspSource,
      nonce: createNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview', 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.context.extensionUri, 'media', 'review.css')).toString(),
    });
    this.panelSubscriptions.push(
      webview.onDidReceiveMessage(async (message: unknown) => {
        const replies = await session.handle(message);
        for (const reply of replies) {
          if (this.panel !== panel) return;
          if (reply.type === 'notice' && reply.level === 'error') this.log(`review: ${reply.message}`);
          void webview.postMessage(reply);
        }
      }),
      panel.onDidDispose(() => {
        if (this.panel !== panel) return;
        this.panel = undefined;
        session.panelClosed();
        vscode.Disposable.from(...this.panelSubscriptions).dispose();
        this.panelSubscriptions = [];
      }),
    );
  }

  async openUserCards(): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) {
      void vscode.window.showInformationMessage(`Open a folder to keep your own cards in ${USER_CARDS_RELATIVE_PATH}.`);
      return;
    }
    const uri = userCardsUri(folder);
    try {
      await vscode.workspace.fs.stat(uri);
      await vscode.window.showTextDocument(uri, { viewColumn: vscode.ViewColumn.Beside });
      return;
    } catch {
      // No card file yet: it opens unsaved at its path with an example card, and only the user's save writes it.
    }
    const document = await vscode.workspace.openTextDocument(uri.with({ scheme: 'untitled' }));
    const editor = await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside });
    if (document.getText() === '') await editor.edit((edit) => edit.insert(new vscode.Position(0, 0), USER_FILE_TEMPLATE));
  }

  dispose(): void {
    if (this.examplesTimer) clearTimeout(this.examplesTimer);
    this.panel?.dispose();
    vscode.Disposable.from(...this.panelSubscriptions).dispose();
    this.panelSubscriptions = [];
  }
}

/**
 * Registers the review commands, the panel serializer (restore after reload) and the watcher for the user's card
 * file. The manifest needs `onWebviewPanel:migrationGuard.review` among its activation events for the restore.
 */
export function registerReviewPanel(context: ExtensionContextLike, options: ReviewPanelOptions = {}): vscode.Disposable[] {
  const controller = new ReviewPanelController(context, options);
  const watcher = vscode.workspace.createFileSystemWatcher(`**/${USER_CARDS_RELATIVE_PATH}`);
  const reload = (): void => {
    controller.reloadDeck().catch((error: unknown) => options.log?.(`review: reloading the deck failed: ${String(error)}`));
  };
  const refresh = (): void => {
    controller.refreshDueCount().catch((error: unknown) => options.log?.(`review: counting due cards failed: ${String(error)}`));
  };
  const timer = setInterval(refresh, DUE_REFRESH_MS);
  // Never the reason a process stays alive (tests, extension host shutdown).
  timer.unref?.();
  refresh();
  return [
    vscode.commands.registerCommand(REVIEW_FLASHCARDS_COMMAND, () => controller.open()),
    vscode.commands.registerCommand(REVIEW_RULE_COMMAND, (ruleId: unknown) => controller.openRule(ruleId)),
    vscode.window.registerWebviewPanelSerializer(REVIEW_VIEW_TYPE, {
      deserializeWebviewPanel: (panel) => controller.restore(panel),
    }),
    watcher,
    watcher.onDidCreate(reload),
    watcher.onDidChange(reload),
    watcher.onDidDelete(reload),
    vscode.workspace.onDidChangeWorkspaceFolders(reload),
    vscode.languages.onDidChangeDiagnostics((event) => {
      if (event.uris.some((uri) => /\/migrations\/[^/]+\.py$/.test(uri.path))) controller.scheduleExamples();
    }),
    new vscode.Disposable(() => clearInterval(timer)),
    controller,
  ];
}
