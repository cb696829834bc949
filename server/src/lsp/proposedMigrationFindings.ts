// migrationGuard/proposedMigrationFindings: the findings of the migrations Make Migrations is about to write, from
// the dry run's texts, analysed with the workspace index's history (engine/proposedMigrations.ts). Nothing is written
// and the index is not changed: the files do not exist until the user confirms.
import { existsSync } from 'node:fs';
import type { Connection } from 'vscode-languageserver/node';
import { analyzeProposedMigrations } from '../engine/proposedMigrations';
import { uriToPath } from './analysisService';
import {
  PROPOSED_MIGRATION_FINDINGS_REQUEST,
  type ProposedMigrationFindingsParams,
  type ProposedMigrationFindingsResult,
} from './clientContract';
import type { SettingsStore } from './settings';
import type { IndexedProject, WorkspaceIndex } from './workspaceIndex';

/** More than one dry run prints; bigger requests are cut. */
const MAX_FILES = 200;
/** A generated migration is a few KB; a text beyond this is not one. */
const MAX_TEXT_LENGTH = 4_000_000;

export interface ProposedFindingsDeps {
  connection: Connection;
  settings(): SettingsStore;
  index: WorkspaceIndex;
  guard<T>(what: string, fallback: T, handler: () => Promise<T>): Promise<T>;
}

export function registerProposedMigrationFindings(deps: ProposedFindingsDeps): void {
  deps.connection.onRequest(PROPOSED_MIGRATION_FINDINGS_REQUEST, (params: ProposedMigrationFindingsParams) =>
    deps.guard('proposed migration findings', { files: [], notChecked: [] }, () => proposedFindings(deps, params)),
  );
}

export async function proposedFindings(deps: Pick<ProposedFindingsDeps, 'settings' | 'index'>, params: ProposedMigrationFindingsParams): Promise<ProposedMigrationFindingsResult> {
  const result: ProposedMigrationFindingsResult = { files: [], notChecked: [] };
  const byProject = new Map<IndexedProject, { uri: string; path: string; text: string }[]>();
  const files = Array.isArray(params?.files) ? params.files.slice(0, MAX_FILES) : [];
  for (const file of files) {
    if (typeof file?.uri !== 'string' || typeof file.text !== 'string') continue;
    const path = uriToPath(file.uri);
    const entry = path === undefined ? undefined : workspaceEntry(deps.index, path);
    if (path === undefined || !entry) {
      result.notChecked.push({ uri: file.uri, reason: 'outside the workspace folders' });
      continue;
    }
    if (file.text.length > MAX_TEXT_LENGTH) {
      result.notChecked.push({ uri: file.uri, reason: 'too large for a migration' });
      continue;
    }
    const list = byProject.get(entry) ?? [];
    list.push({ uri: file.uri, path, text: file.text });
    byProject.set(entry, list);
  }
  for (const [entry, proposed] of byProject) {
    const first = proposed[0]!;
    const { config } = await deps.settings().documentConfig(first.uri, first.path, entry.root);
    // Django made the dry run from the files on disk: a migration deleted a moment ago may still be indexed (its watch
    // event not in yet), or open in an editor VS Code has not released yet; it would make a second leaf of its app.
    const history = entry.project.sourceFiles().filter((file) => existsSync(file.path));
    const analysed = analyzeProposedMigrations(history, proposed, {
      config,
      layout: entry.project.projectLayout(),
      settingsFiles: [...entry.settingsFiles].map(([path, text]) => ({ path, text })),
    });
    for (const [index, file] of analysed.entries()) {
      const { uri, path } = proposed[index]!;
      if (file.problem && file.findings.length === 0) {
        result.notChecked.push({ uri, reason: file.problem });
        continue;
      }
      // The user's exclude globs apply to the file once written, so they apply to its preview too.
      if ((await deps.settings().documentConfig(uri, path, entry.root)).excluded) {
        result.notChecked.push({ uri, reason: 'excluded by the configuration (exclude)' });
        continue;
      }
      const counts = { error: 0, warning: 0, info: 0 };
      for (const finding of file.findings) counts[finding.severity]++;
      result.files.push({
        uri,
        counts,
        findings: file.findings.map((finding) => ({ rule: finding.rule, severity: finding.severity, message: finding.message, line: finding.start.line, fixes: finding.fixTitles })),
      });
    }
  }
  return result;
}

function workspaceEntry(index: WorkspaceIndex, path: string): IndexedProject | undefined {
  return index.allProjects().find((entry) => entry.isWorkspaceFolder && path.startsWith(entry.root.endsWith('/') ? entry.root : `${entry.root}/`));
}
