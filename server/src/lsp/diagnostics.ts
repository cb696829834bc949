// Publishing findings as LSP diagnostics: for open migration documents on every change (carrying the document
// version), and for closed files the workspace-wide graph problems (conflicting leaves, missing dependencies) so
// they show up on every file involved. Analysis runs from the event loop between messages, never inside a handler,
// so edits, hovers and cancellations keep flowing.
import { createHash } from 'node:crypto';
import {
  DiagnosticSeverity,
  DiagnosticTag,
  type Connection,
  type Diagnostic,
  type TextDocuments,
} from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Project } from '../engine/analyze';
import { ruleDocsUrl } from '../engine/docsUrl';
import { UNUSED_IGNORE_RULE_ID } from '../engine/config/ignoreComments';
import { reportsOnClosedFiles } from '../engine/config/projectPolicy';
import type { ResolvedFix } from '../engine/fixes/types';
import type { MigrationModel } from '../engine/python/model';
import { resolveFix } from '../engine/quickFixes';
import { ALL_RULES } from '../engine/rules/index';
import type { Finding, Severity } from '../engine/rules/rule';
import { pathToUri, uriToPath, type AnalysisService } from './analysisService';
import type { DocumentConfig, SettingsStore } from './settings';
import { yieldToEventLoop, type IndexedProject } from './workspaceIndex';
import { DIAGNOSTIC_SOURCE } from './clientContract';

/** Graph rules whose findings are published on closed files too (ProjectPolicy: they concern several files at once). */
const WORKSPACE_RULES: ReadonlySet<string> = new Set(ALL_RULES.filter(reportsOnClosedFiles).map((rule) => rule.id));

/** Beyond this, edits that arrive faster than the analysis finishes are coalesced (see DiagnosticsPublisher.changed). */
const SLOW_ANALYSIS_MS = 30;
const MAX_DEBOUNCE_MS = 250;
/** How long queued edits may postpone an analysis before it runs on the version reached so far. */
const MAX_SETTLE_MS = 250;
const WORKSPACE_REFRESH_DELAY_MS = 50;

/**
 * What a diagnostic carries for its code actions (as ruff and squawk do): the fixes resolved into edits on the text
 * the diagnostic was published for, and a fingerprint of that text, so that a code action never applies edits
 * computed for another version of the document.
 */
export interface DiagnosticData {
  rule: string;
  /** Offsets into the text the diagnostic was published for. */
  span: { start: number; end: number };
  operationSpan?: { start: number; end: number };
  /** textFingerprint of that text; '' when the fixes could not be resolved (no model). */
  text: string;
  fixes: ResolvedFix[];
}

/** The text a finding's fixes are resolved on, and what a new migration's number depends on. */
export interface FixSource {
  model: MigrationModel;
  fingerprint: string;
  migrationNames: readonly string[];
}

/** The fix source for a model of a project's file (the one the findings were computed on). */
export function fixSourceOf(project: Project, model: MigrationModel | undefined): FixSource | undefined {
  return model ? { model, fingerprint: textFingerprint(model.text), migrationNames: project.migrationNamesOf(model.app) } : undefined;
}

/**
 * A fingerprint of a text (its length and SHA-1): equal fingerprints mean the same document text. Computed on every
 * publish, so natively: about 0.06 ms for a 1,500-line file where a JavaScript FNV-1a loop took 0.2 ms.
 */
export function textFingerprint(text: string): string {
  return `${text.length}:${createHash('sha1').update(text).digest('hex')}`;
}

const SEVERITIES: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

export function toDiagnostic(finding: Finding, source?: FixSource): Diagnostic {
  const resolvable = source !== undefined && source.model.path === finding.file;
  const fixes = resolvable ? finding.fixes.map((fix) => resolveFix(fix, source.model, { migrationNames: source.migrationNames })) : [];
  const data: DiagnosticData = {
    rule: finding.rule,
    span: finding.span,
    text: resolvable ? source.fingerprint : '',
    fixes: fixes.filter((fix) => fix.edits.length > 0 || fix.newFiles.length > 0),
  };
  if (finding.operationSpan) data.operationSpan = finding.operationSpan;
  const diagnostic: Diagnostic = {
    range: { start: finding.start, end: finding.end },
    severity: SEVERITIES[finding.severity],
    code: finding.rule,
    codeDescription: { href: ruleDocsUrl(finding.rule) },
    source: DIAGNOSTIC_SOURCE,
    message: adviceFirst(finding),
    data,
  };
  // A stale ignore comment is dead code: editors fade it out.
  if (finding.rule === UNUSED_IGNORE_RULE_ID) diagnostic.tags = [DiagnosticTag.Unnecessary];
  return diagnostic;
}

/**
 * The message as the Problems list shows it: the advice first (`Use AddIndexConcurrently ... . AddIndex shop.Order:
 * builds ...`), so it survives the list's truncation; the CLI keeps the reading order (what happens; what to do).
 */
export function adviceFirst(finding: Pick<Finding, 'message' | 'advice'>): string {
  const { advice, message } = finding;
  if (!advice) return message;
  const suffix = `; ${advice}`;
  const detail = message.endsWith(suffix) ? message.slice(0, -suffix.length) : message;
  return `${/^[a-z]/.test(advice) ? advice[0]!.toUpperCase() + advice.slice(1) : advice}. ${detail}`;
}

export class DiagnosticsPublisher {
  private readonly queue = new Set<string>();
  private draining = false;
  private readonly delayed = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly lastDuration = new Map<string, number>();
  private readonly lastChange = new Map<string, number>();

  constructor(
    private readonly connection: Connection,
    private readonly documents: TextDocuments<TextDocument>,
    private readonly analysis: AnalysisService,
    private readonly log: (message: string) => void,
  ) {}

  /**
   * The document's text changed. Analyse at once, unless analyses of it are slow and the edits come faster than
   * they finish (fast typing in a large file): then wait for a pause, so the latest text is analysed once instead of
   * every intermediate version in turn.
   */
  changed(uri: string): void {
    const now = performance.now();
    const sincePrevious = now - (this.lastChange.get(uri) ?? Number.NEGATIVE_INFINITY);
    this.lastChange.set(uri, now);
    const duration = this.lastDuration.get(uri) ?? 0;
    if (duration <= SLOW_ANALYSIS_MS || sincePrevious >= duration) {
      this.schedule(uri);
      return;
    }
    clearTimeout(this.delayed.get(uri));
    this.delayed.set(
      uri,
      setTimeout(() => {
        this.delayed.delete(uri);
        this.enqueue(uri);
      }, Math.min(duration, MAX_DEBOUNCE_MS)),
    );
  }

  /** Re-analyse a document as soon as the event loop is free. */
  schedule(uri: string): void {
    clearTimeout(this.delayed.get(uri));
    this.delayed.delete(uri);
    this.enqueue(uri);
  }

  scheduleAllOpen(filter: (uri: string) => boolean = () => true): void {
    for (const document of this.documents.all()) if (filter(document.uri)) this.enqueue(document.uri);
  }

  /** The document closed: remove its diagnostics (the workspace refresh re-adds graph problems if any). */
  clear(uri: string): void {
    this.queue.delete(uri);
    clearTimeout(this.delayed.get(uri));
    this.delayed.delete(uri);
    this.lastDuration.delete(uri);
    this.lastChange.delete(uri);
    void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  private enqueue(uri: string): void {
    this.queue.add(uri);
    if (this.draining) return;
    this.draining = true;
    setImmediate(() => void this.drain());
  }

  private async drain(): Promise<void> {
    try {
      for (let next = first(this.queue); next !== undefined; next = first(this.queue)) {
        this.queue.delete(next);
        try {
          await this.publish(next);
        } catch (error) {
          this.log(`publishing diagnostics for ${next} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        }
        // Let queued messages (newer edits, cancellations, hovers) run before the next document.
        if (this.queue.size > 0) await yieldToEventLoop();
      }
    } finally {
      this.draining = false;
      if (this.queue.size > 0) this.enqueue(first(this.queue)!);
    }
  }

  private async publish(uri: string): Promise<void> {
    await this.settle(uri);
    const analysis = await this.analysis.analyse(uri);
    if (!analysis) return;
    this.lastDuration.set(uri, analysis.durationMs);
    const current = this.documents.get(uri);
    if (!current) return;
    if (current.version !== analysis.version) {
      this.schedule(uri); // publish only results for the text the editor shows
      return;
    }
    const source = fixSourceOf(analysis.entry.project, analysis.model);
    const diagnostics = analysis.findings.map((finding) => toDiagnostic(finding, source));
    if (analysis.notice) {
      const start = { line: 0, character: 0 };
      diagnostics.push({ range: { start, end: start }, severity: DiagnosticSeverity.Information, source: DIAGNOSTIC_SOURCE, message: analysis.notice });
    }
    await this.connection.sendDiagnostics({ uri, version: analysis.version, diagnostics });
  }

  /**
   * Waits until a turn of the event loop (timers, reading the input, queued messages) brings no newer version of the
   * document, for at most MAX_SETTLE_MS. The connection handles one queued message per turn, so 300 didChange
   * notifications that arrived together are all applied before the analysis, which then runs once on the last
   * version instead of once every version or two. A lone keystroke costs one turn.
   */
  private async settle(uri: string): Promise<void> {
    const started = performance.now();
    while (performance.now() - started < MAX_SETTLE_MS) {
      const version = this.documents.get(uri)?.version;
      await nextTurn();
      if (this.documents.get(uri)?.version === version) return;
    }
  }
}

/**
 * Closed files whose every finding is published too (migrationGuard.problems.scope): their paths, and what to keep of
 * their findings (the pending scope leaves out what the baseline accepts).
 */
export interface ClosedFilesScope {
  paths: ReadonlySet<string>;
  keep(findings: readonly Finding[]): Finding[];
}

/** Publishes the workspace-wide graph problems on files that are not open, and every finding of the files in scope. */
export class WorkspaceProblemsPublisher {
  /** Per project root: URIs that currently carry published workspace problems. */
  private readonly published = new Map<string, Set<string>>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(
    private readonly connection: Connection,
    private readonly settings: SettingsStore,
    private readonly isOpenPath: (path: string) => boolean,
    private readonly log: (message: string) => void,
    private readonly closedFilesScope: (entry: IndexedProject, scope: DocumentConfig) => Promise<ClosedFilesScope | undefined> = async () => undefined,
  ) {}

  /** Every project again (the scope or the applied migrations changed). */
  scheduleAll(entries: readonly IndexedProject[]): void {
    for (const entry of entries) this.schedule(entry);
  }

  schedule(entry: IndexedProject): void {
    clearTimeout(this.timers.get(entry.root));
    this.timers.set(
      entry.root,
      setTimeout(() => {
        this.timers.delete(entry.root);
        this.publish(entry).catch((error: unknown) => this.log(`workspace problems for ${entry.root} failed: ${String(error)}`));
      }, WORKSPACE_REFRESH_DELAY_MS),
    );
  }

  /** A workspace folder went away: take back what was published for its closed files. */
  forget(entry: IndexedProject): void {
    clearTimeout(this.timers.get(entry.root));
    this.timers.delete(entry.root);
    for (const uri of this.published.get(entry.root) ?? []) {
      const path = uriToPath(uri);
      if (path !== undefined && !this.isOpenPath(path)) void this.connection.sendDiagnostics({ uri, diagnostics: [] });
    }
    this.published.delete(entry.root);
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private async publish(entry: IndexedProject): Promise<void> {
    const scope = await this.settings.documentConfig(entry.rootUri, `${entry.root}/pyproject.toml`, entry.isWorkspaceFolder ? entry.root : undefined);
    const base = scope.config;
    const select = (base.select ?? ALL_RULES.map((rule) => rule.id)).filter((id) => WORKSPACE_RULES.has(id));
    const byUri = new Map<string, Finding[]>();
    const closed = await this.closedFilesScope(entry, scope);
    const inScope = closed && [...closed.paths].some((path) => !this.isOpenPath(path)) ? closed : undefined;
    if (select.length > 0 || inScope) {
      const result = entry.project.analyzeAll(inScope ? base : { ...base, select });
      const graphFindings = result.findings.filter((finding) => WORKSPACE_RULES.has(finding.rule));
      const scopeFindings = inScope ? inScope.keep(result.findings.filter((finding) => !WORKSPACE_RULES.has(finding.rule) && inScope.paths.has(finding.file))) : [];
      for (const finding of [...graphFindings, ...scopeFindings]) {
        if (this.isOpenPath(finding.file)) continue; // open documents publish their own full analysis
        const { excluded } = await this.settings.documentConfig(entry.rootUri, finding.file, entry.isWorkspaceFolder ? entry.root : undefined);
        if (excluded) continue;
        const uri = pathToUri(finding.file);
        const list = byUri.get(uri);
        if (list) list.push(finding);
        else byUri.set(uri, [finding]);
      }
    }
    const previous = this.published.get(entry.root) ?? new Set<string>();
    for (const uri of previous) {
      const path = uriToPath(uri);
      if (!byUri.has(uri) && path !== undefined && !this.isOpenPath(path)) await this.connection.sendDiagnostics({ uri, diagnostics: [] });
    }
    for (const [uri, findings] of byUri) {
      findings.sort((a, b) => a.span.start - b.span.start);
      const source = findings[0] ? fixSourceOf(entry.project, entry.project.model(findings[0].file)) : undefined;
      await this.connection.sendDiagnostics({ uri, diagnostics: findings.map((finding) => toDiagnostic(finding, source)) });
    }
    this.published.set(entry.root, new Set(byUri.keys()));
  }
}

/**
 * One turn of the event loop: the connection queues each message it read for its own setImmediate, so an immediate
 * scheduled now runs after the next queued message has been handled (and after the poll phase when the queue is
 * empty). A timer would also do, but costs at least a millisecond per keystroke.
 */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function first<T>(set: Set<T>): T | undefined {
  for (const value of set) return value;
  return undefined;
}
