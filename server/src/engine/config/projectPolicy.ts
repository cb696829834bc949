// One project policy for every front door (the CLI, the language server): built from the configuration layers
// (pyproject.toml, then CLI flags or editor settings) and the project's layout, it answers which files are
// migrations, which are excluded, which rules are on at what severity, and which rules report on files nobody has
// open. The CLI and the language server ask it instead of deciding each on their own.
import { resolve } from 'node:path';
import { ProjectLayout, type MigrationIdentity } from '../django/projectLayout';
import { firstMatchingGlob, matchesProjectGlobs } from '../projectGlobs';
import type { RuleMeta, Severity } from '../types';
import type { Database, ResolvedConfig } from './types';

export interface PolicyLayers {
  /** pyproject.toml under CLI flags or editor settings, resolved; `root` anchors the pyproject's globs. */
  config: ResolvedConfig;
  /** Where Django loads each app's migrations from (apps.py labels, MIGRATION_MODULES); Django's defaults when absent. */
  layout?: ProjectLayout;
  /** The editor's `migrationGuard.exclude`: globs relative to the workspace folder, never matching outside it. */
  editorExclude?: { globs: readonly string[]; root: string };
}

/** What a rule's metadata says about where it reports (file rules report on the file analysed). */
export interface RuleReach {
  scope: 'file' | 'graph';
  dependsOn?: 'workspace' | 'graph' | 'app';
}

export class ProjectPolicy {
  readonly config: ResolvedConfig;
  private readonly layout: ProjectLayout;
  private readonly editorExclude: { globs: readonly string[]; root: string } | undefined;

  constructor(layers: PolicyLayers) {
    this.config = layers.config;
    this.layout = layers.layout ?? ProjectLayout.CONVENTIONAL;
    this.editorExclude = layers.editorExclude && layers.editorExclude.globs.length > 0 ? layers.editorExclude : undefined;
  }

  /** The app and name Django loads the file as; undefined when Django would not load it as a migration. */
  identify(path: string): MigrationIdentity | undefined {
    return this.layout.identify(path);
  }

  isMigration(path: string): boolean {
    return this.identify(path) !== undefined;
  }

  /**
   * The `exclude` glob that excludes the file (pyproject's, relative to its folder, or the editor's, relative to the
   * workspace folder), for messages that say why. Excluded migrations are still read for the history of later ones;
   * nothing is reported on them.
   */
  excludedBy(path: string): string | undefined {
    const fromConfig = firstMatchingGlob(path, this.config.exclude, this.config.root);
    if (fromConfig !== undefined) return fromConfig;
    const editor = this.editorExclude;
    return editor?.globs.find((glob) => matchesProjectGlobs(path, [glob], editor.root, 'root-only'));
  }

  isExcluded(path: string): boolean {
    if (matchesProjectGlobs(path, this.config.exclude, this.config.root)) return true;
    const editor = this.editorExclude;
    return editor !== undefined && matchesProjectGlobs(path, editor.globs, editor.root, 'root-only');
  }

  /** The severity a rule reports at on this database, undefined when it is off. */
  severityOf(rule: Pick<RuleMeta, 'id' | 'severity' | 'vendors'>, database: Database): Severity | undefined {
    return ruleSeverity(rule, this.config, database);
  }

  /** The baseline file the configuration names, as an absolute path. */
  baselineFile(): string | undefined {
    return this.config.baseline ? resolve(this.config.root, this.config.baseline) : undefined;
  }
}

/** `select`, `ignore`, per-rule severities and the rule's vendors decide whether and how loudly it reports. */
export function ruleSeverity(rule: Pick<RuleMeta, 'id' | 'severity' | 'vendors'>, config: ResolvedConfig, database: Database): Severity | undefined {
  if (config.select && !config.select.includes(rule.id)) return undefined;
  if (config.ignore.includes(rule.id)) return undefined;
  const severity = config.severity[rule.id] ?? rule.severity;
  if (severity === 'off') return undefined;
  if (rule.vendors !== 'all' && !rule.vendors.includes(database)) return undefined;
  return severity;
}

/**
 * Rules whose findings are shown on files that are not open: the graph rules that read only the migration graph
 * (`dependsOn: 'graph'`), whose problems concern several files at once (a dependency, a leaf, a cycle). Derived from
 * the rules' metadata, so a new graph rule of that kind needs no list to be kept up to date.
 */
export function reportsOnClosedFiles(rule: RuleReach): boolean {
  return rule.scope === 'graph' && rule.dependsOn === 'graph';
}
