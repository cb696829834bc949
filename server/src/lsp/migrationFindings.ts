// The findings of migrations the user has not opened, for the client's views of them: the pre-flight before
// `migrate` (the files of the plan) and the Django Migrations tree (every migration of the workspace). Answers only
// for migrations the workspace index holds in a workspace folder: nothing outside the workspace is read for them.
import { existsSync } from 'node:fs';
import type { Connection, TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Finding } from '../engine/types';
import { migrationPathOf, pathToUri, type AnalysisService } from './analysisService';
import {
  MIGRATION_FINDINGS_REQUEST,
  WORKSPACE_FINDINGS_REQUEST,
  type FileFindings,
  type FindingsResult,
  type MigrationFindingsParams,
} from './clientContract';
import type { SettingsStore } from './settings';
import type { IndexedProject, WorkspaceIndex } from './workspaceIndex';

/** More files than any plan holds: a bigger request is cut, not answered slowly. */
const MAX_FILES_PER_REQUEST = 5_000;

export interface MigrationFindingsDeps {
  connection: Connection;
  documents: TextDocuments<TextDocument>;
  analysis(): AnalysisService;
  settings(): SettingsStore;
  index: WorkspaceIndex;
  /**
   * Reads a workspace migration the index does not hold yet (written a moment ago, before its file-watch event, or
   * while the first indexing is still walking the folder) and refreshes what depends on it, as a watch event would.
   */
  indexFromDisk(path: string): void;
  guard<T>(what: string, fallback: T, handler: () => Promise<T>): Promise<T>;
}

export function registerMigrationFindings(deps: MigrationFindingsDeps): void {
  const source = new MigrationFindingsSource(deps);
  deps.connection.onRequest(MIGRATION_FINDINGS_REQUEST, (params: MigrationFindingsParams) =>
    deps.guard('migration findings', { files: [] }, () => source.ofFiles(Array.isArray(params?.uris) ? params.uris.filter((uri) => typeof uri === 'string') : [])),
  );
  deps.connection.onRequest(WORKSPACE_FINDINGS_REQUEST, () => deps.guard('workspace findings', { files: [] }, () => source.ofWorkspace()));
}

export class MigrationFindingsSource {
  constructor(private readonly deps: Pick<MigrationFindingsDeps, 'documents' | 'analysis' | 'settings' | 'index' | 'indexFromDisk'>) {}

  async ofFiles(uris: readonly string[]): Promise<FindingsResult> {
    const files: FileFindings[] = [];
    for (const uri of uris.slice(0, MAX_FILES_PER_REQUEST)) {
      const findings = await this.findingsOf(uri);
      if (findings) files.push(summarise(uri, findings));
    }
    return { files };
  }

  /** Every workspace migration with at least one finding. */
  async ofWorkspace(): Promise<FindingsResult> {
    const files: FileFindings[] = [];
    for (const entry of this.deps.index.allProjects().filter((candidate) => candidate.isWorkspaceFolder)) {
      const scope = await this.deps.settings().documentConfig(entry.rootUri, `${entry.root}/pyproject.toml`, entry.root);
      const byPath = new Map<string, Finding[]>();
      for (const finding of entry.project.analyzeAll(scope.config).findings) {
        const list = byPath.get(finding.file);
        if (list) list.push(finding);
        else byPath.set(finding.file, [finding]);
      }
      for (const [path, findings] of byPath) {
        const uri = pathToUri(path);
        // An open document's own analysis (its editor settings, its latest text) is what its squiggles show.
        const open = this.deps.documents.get(uri) ? await this.deps.analysis().analyse(uri) : undefined;
        if (open) {
          if (open.findings.length > 0) files.push(summarise(uri, open.findings));
          continue;
        }
        if ((await this.deps.settings().documentConfig(uri, path, entry.root)).excluded) continue;
        files.push(summarise(uri, findings));
      }
      // Open documents whose findings the project-wide pass did not see (their editor settings differ).
      for (const document of this.deps.documents.all()) {
        const path = migrationPathOf(document.uri, this.deps.index);
        if (!path || byPath.has(path) || this.workspaceEntry(path) !== entry) continue;
        const analysis = await this.deps.analysis().analyse(document.uri);
        if (analysis && analysis.findings.length > 0) files.push(summarise(document.uri, analysis.findings));
      }
    }
    return { files };
  }

  private async findingsOf(uri: string): Promise<Finding[] | undefined> {
    const path = migrationPathOf(uri, this.deps.index);
    const entry = path === undefined ? undefined : this.workspaceEntry(path);
    if (path === undefined || !entry) return undefined;
    // A plan names the files migrate will run: one the index has not seen yet must not drop out of the verdict.
    if (!entry.project.model(path) && !this.deps.documents.get(uri) && existsSync(path)) this.deps.indexFromDisk(path);
    if (!entry.project.model(path)) return undefined;
    if (this.deps.documents.get(uri)) {
      const analysis = await this.deps.analysis().analyse(uri);
      if (analysis) return analysis.findings;
    }
    const { config, excluded } = await this.deps.settings().documentConfig(uri, path, entry.root);
    if (excluded) return [];
    return entry.project.analyzeFileWithErrors(path, config).findings;
  }

  /** The workspace folder's project holding the path; never a project made up for a file outside the workspace. */
  private workspaceEntry(path: string): IndexedProject | undefined {
    return this.deps.index.allProjects().find((entry) => entry.isWorkspaceFolder && (path === entry.root || path.startsWith(entry.root.endsWith('/') ? entry.root : `${entry.root}/`)));
  }
}

function summarise(uri: string, findings: readonly Finding[]): FileFindings {
  const counts = { error: 0, warning: 0, info: 0 };
  for (const finding of findings) counts[finding.severity]++;
  return { uri, counts, findings: findings.map((finding) => ({ rule: finding.rule, severity: finding.severity, message: finding.message, line: finding.start.line })) };
}
