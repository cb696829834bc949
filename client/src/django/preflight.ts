// Which files migrate's plan will run, and what the language server said about them: the pre-flight's inputs and
// its PlanLint. No `vscode` import (the host passes what it knows about files), so the whole mapping from a plan to
// the verdict is unit-tested: a planned migration must never drop out of the counts unnoticed.
import type { FindingsResult } from '../../../server/src/lsp/clientContract';
import type { PlanLint, StepFindings } from './confirmation';
import type { PlannedStep, ProjectSettings } from './djangoOutput';
import { migrationFilePath } from './migrationFiles';

export interface PreflightHost {
  exists(path: string): boolean;
  /** The URI the language server knows the file by, or undefined when it is outside every workspace folder. */
  workspaceUri(path: string): string | undefined;
}

export interface PlanFiles {
  /** The plan's migrations whose files are in the workspace, by URI. */
  byUri: Map<string, PlannedStep>;
  /** The plan's migrations with no file in the workspace (installed packages, a container's files). */
  outside: PlannedStep[];
}

export function planFiles(steps: readonly PlannedStep[], apps: ProjectSettings['apps'], host: PreflightHost): PlanFiles {
  const byUri = new Map<string, PlannedStep>();
  const outside: PlannedStep[] = [];
  for (const step of steps) {
    const path = migrationFilePath(step, apps);
    const uri = path !== undefined && host.exists(path) ? host.workspaceUri(path) : undefined;
    if (uri === undefined) outside.push(step);
    else byUri.set(uri, step);
  }
  return { byUri, outside };
}

/** The server's answer as a PlanLint: a workspace file it did not answer for is named, never counted as checked. */
export function planLint(files: PlanFiles, result: FindingsResult): PlanLint {
  const checked: StepFindings[] = [];
  const answered = new Set<string>();
  for (const file of result.files) {
    const step = files.byUri.get(file.uri);
    if (!step || answered.has(file.uri)) continue;
    answered.add(file.uri);
    checked.push({ app: step.app, name: step.name, findings: file.findings });
  }
  const notAnalysed = [...files.byUri].filter(([uri]) => !answered.has(uri)).map(([, step]) => ({ app: step.app, name: step.name }));
  return notAnalysed.length > 0 ? { checked, notAnalysed } : { checked };
}
