// The status bar's words for the migration findings the Problems panel lists: counts, and a tooltip naming the
// files. No `vscode` import: unit-tested as is.
import { plural } from './django/confirmation';

export interface FileCounts {
  /** As the user reads it (relative to the workspace folder). */
  path: string;
  error: number;
  warning: number;
}

export interface FindingsStatus {
  text: string;
  tooltip: string;
}

/** How many files the tooltip names; the Problems panel has the rest. */
const TOOLTIP_FILES = 8;

/**
 * Undefined when no migration has an error or a warning (the item hides). `workspace` is every migration's total
 * (the server's workspace index): the tooltip says when Problems lists fewer because of migrationGuard.problems.scope.
 */
export function findingsStatus(files: readonly FileCounts[], scope: string, workspace?: { error: number; warning: number; files: number }): FindingsStatus | undefined {
  const withFindings = files.filter((file) => file.error + file.warning > 0);
  const error = withFindings.reduce((total, file) => total + file.error, 0);
  const warning = withFindings.reduce((total, file) => total + file.warning, 0);
  if (error + warning === 0) return undefined;
  const text = [error > 0 ? `$(error) ${error}` : '', warning > 0 ? `$(warning) ${warning}` : ''].filter(Boolean).join(' ');
  const sorted = [...withFindings].sort((a, b) => b.error - a.error || b.warning - a.warning || a.path.localeCompare(b.path));
  const lines = [`Django Migration Guard: ${plural(error, 'error')}, ${plural(warning, 'warning')} in ${plural(withFindings.length, 'migration')}`, ''];
  for (const file of sorted.slice(0, TOOLTIP_FILES)) lines.push(`${file.path}: ${[file.error > 0 ? plural(file.error, 'error') : '', file.warning > 0 ? plural(file.warning, 'warning') : ''].filter(Boolean).join(', ')}`);
  if (sorted.length > TOOLTIP_FILES) lines.push(`… and ${plural(sorted.length - TOOLTIP_FILES, 'more migration')}`);
  if (workspace && (workspace.error > error || workspace.warning > warning)) {
    lines.push('', `The workspace's migrations have ${plural(workspace.error, 'error')}, ${plural(workspace.warning, 'warning')} in all; Problems lists the ${scope === 'open' ? 'open' : 'open and pending'} ones (migrationGuard.problems.scope: ${scope}).`);
  }
  lines.push('', 'Click to open the Problems panel.');
  return { text: `Migrations ${text}`, tooltip: lines.join('\n') };
}
