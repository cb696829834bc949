// The migrations `makemigrations --dry-run` would write, analysed before they exist: their text is added to the
// project's history as if the files were on disk (state replay and graph rules see them where Django would put
// them), and only their own findings are returned. Pure: texts in, findings out; nothing is read or written.
import { layoutOf, Project, type AnalyzeOptions, type SourceFile } from './analyze';
import { normalizePath } from './python/migrationPath';
import type { Finding } from './rules/rule';

export interface ProposedFinding extends Finding {
  /** The titles of the quick fixes the editor offers on this finding once the file is written. */
  fixTitles: string[];
}

export interface ProposedFileResult {
  path: string;
  findings: ProposedFinding[];
  /** Set when the file could not be analysed (not a migration for the project's layout, or unparsable), saying why. */
  problem?: string;
}

/**
 * Findings of each proposed file, analysed together with the history (a proposed file replaces a history file at the
 * same path). Files the layout does not count as migrations get a `problem` instead of findings.
 */
export function analyzeProposedMigrations(history: readonly SourceFile[], proposed: readonly SourceFile[], options: AnalyzeOptions): ProposedFileResult[] {
  const project = new Project(options.rules);
  project.setLayout(layoutOf(options));
  const proposedPaths = new Set(proposed.map((file) => normalizePath(file.path)));
  for (const file of history) if (!proposedPaths.has(normalizePath(file.path))) project.setFile(file.path, file.text, file.tree);
  for (const file of proposed) project.setFile(file.path, file.text);
  if (options.settingsFiles) project.setSettingsFiles(options.settingsFiles);
  return proposed.map((file) => {
    const path = normalizePath(file.path);
    const model = project.model(path);
    if (!model) {
      const layout = project.projectLayout();
      return { path, findings: [], problem: layout.identify(path) ? 'the text could not be analysed' : 'not a migration of this project (its folder is not a migrations package)' };
    }
    const result = project.analyzeFileWithErrors(path, options.config);
    const findings = result.findings.map((finding) => ({ ...finding, fixTitles: finding.fixes.map((fix) => fix.title) }));
    const problem = result.errors.find((error) => error.file === path)?.message;
    return problem ? { path, findings, problem } : { path, findings };
  });
}
