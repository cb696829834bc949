// One analysis per open document version: feeds the editor's text to the document's project (incremental re-parse
// inside the engine), resolves its configuration and runs the rules. Diagnostics, hovers and code actions all read
// the same cached result, so a hover never re-runs the rules and never disagrees with the squiggles.
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CancellationToken } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocuments } from 'vscode-languageserver/node';
import type { Database, ResolvedConfig } from '../engine/config/types';
import type { SourceLookup } from '../engine/config/baseline';
import type { ProjectPolicy } from '../engine/config/projectPolicy';
import type { MigrationModel } from '../engine/python/model';
import type { Finding } from '../engine/rules/rule';
import { BaselineReader, suppressForReport } from '../engine/suppression';
import type { DocumentConfig, SettingsStore } from './settings';
import type { ChangeEffect, IndexedProject, WorkspaceIndex } from './workspaceIndex';

/**
 * Past this size the rules do not run on every change: analysis is linear but costs about 100-130 ms per MB of a
 * realistic migration, so a bigger file would hold the server for a quarter of a second per keystroke. Such files
 * still join the graph, and their hovers still replay state (about 0.35 s once per version at 5 MB, then cached).
 */
export const MAX_LIVE_ANALYSIS_CHARS = 2_000_000;

export interface DocumentAnalysis {
  uri: string;
  version: number;
  path: string;
  /** Undefined for a document the engine could not model (binary content). */
  model: MigrationModel | undefined;
  findings: Finding[];
  config: ResolvedConfig;
  database: Database;
  excluded: boolean;
  entry: IndexedProject;
  /** How long syncing and the rules took, for the adaptive scheduling of the next run. */
  durationMs: number;
  /** Why the rules did not run, shown to the user as an information diagnostic. */
  notice?: string;
}

export interface AnalysisServiceHooks {
  log(message: string): void;
  /** A document's text reached its project; `graphChanged` when dependencies, replaces or the file set changed. */
  contentChanged(entry: IndexedProject, changedUri: string, graphChanged: boolean): void;
  /** An analysis ran for this version of the document (not a cache hit). */
  analysed?(uri: string, version: number): void;
}

/** The file-system path of a `file:` URI, with forward slashes; undefined for other schemes. */
export function uriToPath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri).split('\\').join('/');
  } catch {
    return undefined;
  }
}

export function pathToUri(path: string): string {
  return pathToFileURL(path).href;
}

/** The path of a document the server analyses: a file its project's layout loads as a migration. */
export function migrationPathOf(uri: string, index: WorkspaceIndex): string | undefined {
  const path = uriToPath(uri);
  return path !== undefined && index.isMigration(path) ? path : undefined;
}

export class AnalysisService {
  /** Bumped whenever something other than a document's own text can change findings (settings, graph, config files). */
  private generation = 0;
  private readonly cache = new Map<string, { analysis: DocumentAnalysis; generation: number }>();
  private readonly fedVersions = new Map<string, number>();
  private readonly loggedProblems = new Set<string>();

  constructor(
    private readonly documents: TextDocuments<TextDocument>,
    private readonly index: WorkspaceIndex,
    private readonly settings: SettingsStore,
    private readonly hooks: AnalysisServiceHooks,
  ) {}

  /** Every cached analysis is stale (settings, pyproject, settings files or the graph changed). */
  invalidateAll(): void {
    this.generation++;
  }

  /** The document was closed: its text no longer overrides the disk. */
  forget(uri: string): void {
    this.cache.delete(uri);
    this.fedVersions.delete(uri);
  }

  /** Gives the project the document's current text, once per version. */
  sync(document: TextDocument): ChangeEffect | undefined {
    const path = migrationPathOf(document.uri, this.index);
    if (!path || this.fedVersions.get(document.uri) === document.version) return undefined;
    const effect = this.index.setEditorText(path, document.getText());
    this.fedVersions.set(document.uri, document.version);
    if (effect.graphChanged) this.generation++;
    this.hooks.contentChanged(effect.project, document.uri, effect.graphChanged);
    return effect;
  }

  /** How many analyses ran (not cache hits): what tests read to see work is coalesced. */
  analysesRun = 0;

  /**
   * The last analysis of the document under the current settings and graph, whatever its version: an edit flood
   * answers hovers from it (see lastResult.ts) rather than analysing every intermediate version.
   */
  lastResult(uri: string): DocumentAnalysis | undefined {
    const entry = this.cache.get(uri);
    return entry && entry.generation === this.generation && this.documents.get(uri) ? entry.analysis : undefined;
  }

  /** The cached analysis when it matches the document's current version, without running anything. */
  cached(uri: string): DocumentAnalysis | undefined {
    const entry = this.cache.get(uri);
    const document = this.documents.get(uri);
    if (!entry || !document || entry.analysis.version !== document.version || entry.generation !== this.generation) return undefined;
    return entry.analysis;
  }

  /** Analyses the document's current version (or returns the cached result). Undefined for non-migration documents. */
  async analyse(uri: string, token?: CancellationToken): Promise<DocumentAnalysis | undefined> {
    const path = migrationPathOf(uri, this.index);
    if (!path || !this.documents.get(uri)) return undefined;
    const entry = this.index.projectFor(path);
    const documentConfig = await this.settings.documentConfig(uri, path, entry.isWorkspaceFolder ? entry.root : undefined);
    // The document may have changed or closed while the settings were fetched: always analyse the latest text.
    const document = this.documents.get(uri);
    if (!document || token?.isCancellationRequested) return undefined;
    const started = performance.now();
    this.sync(document);
    const hit = this.cached(uri);
    if (hit) return hit;

    const generation = this.generation;
    this.analysesRun++;
    this.hooks.analysed?.(uri, document.version);
    const size = document.getText().length;
    const tooLarge = size > MAX_LIVE_ANALYSIS_CHARS;
    const findings = tooLarge || documentConfig.excluded ? [] : this.reportable(this.runRules(entry, path, documentConfig.config), documentConfig, document.getText());
    const analysis: DocumentAnalysis = {
      uri,
      version: document.version,
      path,
      model: entry.project.model(path),
      findings,
      config: documentConfig.config,
      database: entry.project.effectiveDatabase(documentConfig.config),
      excluded: documentConfig.excluded,
      entry,
      durationMs: performance.now() - started,
    };
    if (tooLarge) {
      analysis.notice = `Migration Guard does not analyse this file while you type: it is ${(size / 1_000_000).toFixed(1)} MB (the limit is ${MAX_LIVE_ANALYSIS_CHARS / 1_000_000} MB). Run \`migration-guard check\` on it instead.`;
    }
    this.cache.set(uri, { analysis, generation });
    return analysis;
  }

  /** The rules' findings; a failure anywhere is logged and yields no findings rather than an error response. */
  /** The suppression stage's second step, as the CLI runs it: exclusion (ProjectPolicy), then the configured baseline. */
  private reportable(findings: Finding[], documentConfig: DocumentConfig, text: string): Finding[] {
    return this.suppressed(findings, documentConfig.policy, () => text);
  }

  /**
   * The same step for findings of files that are not open (Problems' closed-file scopes), their texts read from the
   * project; the baseline file is read again only when it changes.
   */
  suppressed(findings: readonly Finding[], policy: ProjectPolicy, sourceOf: SourceLookup): Finding[] {
    const baselineFile = policy.baselineFile();
    const baseline = baselineFile ? this.baselines.read(baselineFile) : undefined;
    if (baseline && 'error' in baseline) this.logOnce(baseline.error);
    const inUse = baseline && !('error' in baseline) ? { baseline } : {};
    return suppressForReport(findings, { policy, sourceOf, ...inUse }).kept;
  }

  private readonly baselines = new BaselineReader();

  private runRules(entry: IndexedProject, path: string, config: ResolvedConfig): Finding[] {
    try {
      const result = entry.project.analyzeFileWithErrors(path, config);
      for (const error of result.errors) {
        // Syntax errors are normal while typing; failing rules are worth one log line each.
        if (error.message.startsWith('syntax error')) continue;
        this.logOnce(`${error.file}: ${error.message}`);
      }
      return result.findings;
    } catch (error) {
      this.logOnce(`analysis of ${path} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return [];
    }
  }

  private logOnce(message: string): void {
    if (this.loggedProblems.has(message)) return;
    if (this.loggedProblems.size > 1000) this.loggedProblems.clear();
    this.loggedProblems.add(message);
    this.hooks.log(message);
  }
}
