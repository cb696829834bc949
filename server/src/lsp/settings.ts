// Per-document configuration: the editor's `migrationGuard.*` settings (pulled with workspace/configuration for the
// document's own scope) merged over the nearest pyproject.toml `[tool.migration-guard]` table. Both caches live in
// this object, owned by one server instance, and are dropped whenever the client or the file system says they changed.
import { dirname } from 'node:path';
import type { Connection } from 'vscode-languageserver/node';
import { detectedDjangoLayer } from '../engine/config/detectedDjangoVersion';
import { ConfigError, findConfig, resolveConfig, type LoadedConfig } from '../engine/config/pyproject';
import { DATABASES, type ConfigLayer, type Database, type ResolvedConfig } from '../engine/config/types';
import type { Severity } from '../engine/types';
import { ProjectPolicy } from '../engine/config/projectPolicy';
import type { ProblemsScope } from './pendingMigrations';

const SETTINGS_SECTION = 'migrationGuard';

/** The editor settings as the server understands them, after validation. */
export interface EditorSettings {
  database: 'auto' | Database;
  postgresVersion?: number;
  rules: Record<string, Severity | 'off'>;
  exclude: string[];
  /** `migrationGuard.inlayHints`: the lock and table work after each operation's first line (default on). */
  inlayHints: boolean;
  /** `migrationGuard.problems.scope`: which closed migrations get their findings published (default pending). */
  problemsScope: ProblemsScope;
}

const PROBLEMS_SCOPES: readonly ProblemsScope[] = ['open', 'pending', 'workspace'];

export interface DocumentConfig {
  config: ResolvedConfig;
  /** True when the file matches an `exclude` glob (pyproject's or the editor's): analysed for the graph, never reported. */
  excluded: boolean;
  /** The engine's project policy under these layers (exclusion, rule severities, baseline): what the CLI asks too. */
  policy: ProjectPolicy;
}

const SEVERITIES: readonly string[] = ['error', 'warning', 'info', 'off'];

/** Validates whatever the client sent; anything malformed falls back to the default for that key. */
function readEditorSettings(raw: unknown): EditorSettings {
  const settings: EditorSettings = { database: 'auto', rules: {}, exclude: [], inlayHints: true, problemsScope: 'pending' };
  if (typeof raw !== 'object' || raw === null) return settings;
  const value = raw as Record<string, unknown>;
  if (typeof value.database === 'string' && (DATABASES as readonly string[]).includes(value.database)) {
    settings.database = value.database as Database;
  }
  const version = typeof value.postgresVersion === 'string' ? Number(value.postgresVersion) : value.postgresVersion;
  if (typeof version === 'number' && Number.isInteger(version) && version >= 9 && version <= 99) settings.postgresVersion = version;
  if (typeof value.rules === 'object' && value.rules !== null && !Array.isArray(value.rules)) {
    for (const [rule, level] of Object.entries(value.rules as Record<string, unknown>)) {
      if (typeof level === 'string' && SEVERITIES.includes(level)) settings.rules[rule] = level as Severity | 'off';
    }
  }
  if (typeof value.inlayHints === 'boolean') settings.inlayHints = value.inlayHints;
  const problems = value.problems as Record<string, unknown> | undefined;
  // VS Code sends `problems: { scope }`; clients that flatten dotted keys send `problems.scope`.
  const scope = typeof problems === 'object' && problems !== null ? problems.scope : value['problems.scope'];
  if (typeof scope === 'string' && (PROBLEMS_SCOPES as readonly string[]).includes(scope)) settings.problemsScope = scope as ProblemsScope;
  if (Array.isArray(value.exclude)) settings.exclude = value.exclude.filter((glob): glob is string => typeof glob === 'string' && glob.trim() !== '');
  return settings;
}

/**
 * Settings a client passes in initializationOptions, for clients that never answer workspace/configuration:
 * `{ migrationGuard: {...} }`, `{ settings: { migrationGuard: {...} } }` or the section itself.
 */
export function initialSettings(options: unknown): unknown {
  if (typeof options !== 'object' || options === null) return undefined;
  const record = options as Record<string, unknown>;
  const nested = record['settings'];
  if (typeof nested === 'object' && nested !== null && SETTINGS_SECTION in nested) return (nested as Record<string, unknown>)[SETTINGS_SECTION];
  if (SETTINGS_SECTION in record) return record[SETTINGS_SECTION];
  return record;
}

function editorLayer(settings: EditorSettings): ConfigLayer {
  const layer: ConfigLayer = { severity: settings.rules };
  if (settings.database !== 'auto') layer.database = settings.database;
  if (settings.postgresVersion !== undefined) layer.postgresVersion = settings.postgresVersion;
  return layer;
}

type PyprojectEntry = { loaded: LoadedConfig | undefined } | { error: string };

export interface SettingsStoreOptions {
  /** True when the client answers workspace/configuration; otherwise the pushed settings are used. */
  pullConfiguration: boolean;
  /** Called once per distinct problem with a pyproject.toml (shown to the user, not thrown). */
  reportConfigProblem(message: string): void;
  /** A line for the server's log (where the Django version was read, ...). */
  log?(message: string): void;
}

export class SettingsStore {
  private readonly editorSettings = new Map<string, Promise<EditorSettings>>();
  private readonly pyprojectByFolder = new Map<string, PyprojectEntry>();
  private readonly detectedByFolder = new Map<string, ConfigLayer>();
  /** Settings pushed with didChangeConfiguration (or initializationOptions), for clients that cannot be asked. */
  private pushedSettings: EditorSettings;
  private readonly reportedProblems = new Set<string>();

  constructor(
    private readonly connection: Connection,
    private readonly options: SettingsStoreOptions,
    initialSettings: unknown,
  ) {
    this.pushedSettings = readEditorSettings(initialSettings);
  }

  /** The editor settings changed: forget every document's settings (and take the pushed ones, if any). */
  editorSettingsChanged(pushed: unknown): void {
    this.editorSettings.clear();
    const section = typeof pushed === 'object' && pushed !== null ? (pushed as Record<string, unknown>)[SETTINGS_SECTION] : undefined;
    if (section !== undefined) this.pushedSettings = readEditorSettings(section);
  }

  /** A pyproject.toml was created, changed or deleted somewhere. */
  pyprojectChanged(): void {
    this.pyprojectByFolder.clear();
    this.detectedByFolder.clear();
    this.reportedProblems.clear();
  }

  forgetDocument(uri: string): void {
    this.editorSettings.delete(uri);
  }

  /** Configuration for a file: editor settings for `scopeUri` over the pyproject config found from `path`. */
  async documentConfig(scopeUri: string, path: string, workspaceFolder: string | undefined): Promise<DocumentConfig> {
    const editor = await this.editorSettingsFor(scopeUri);
    const pyproject = this.pyprojectFor(path, workspaceFolder);
    const root = pyproject?.root ?? workspaceFolder ?? dirname(path);
    const config = resolveConfig(root, this.detectedFor(path, workspaceFolder), pyproject?.layer ?? {}, editorLayer(editor));
    // pyproject globs are relative to the pyproject folder; the editor's to the workspace folder (ProjectPolicy).
    const policy = new ProjectPolicy({ config, ...(workspaceFolder !== undefined ? { editorExclude: { globs: editor.exclude, root: workspaceFolder } } : {}) });
    return { config, excluded: policy.isExcluded(path), policy };
  }

  /** Which closed migrations the Problems panel should list for this folder (migrationGuard.problems.scope). */
  async problemsScope(scopeUri: string): Promise<ProblemsScope> {
    return (await this.editorSettingsFor(scopeUri)).problemsScope;
  }

  /** Whether the editor wants inlay hints for this document. */
  async inlayHintsEnabled(scopeUri: string): Promise<boolean> {
    return (await this.editorSettingsFor(scopeUri)).inlayHints;
  }

  private editorSettingsFor(scopeUri: string): Promise<EditorSettings> {
    if (!this.options.pullConfiguration) return Promise.resolve(this.pushedSettings);
    let settings = this.editorSettings.get(scopeUri);
    if (!settings) {
      settings = this.connection.workspace
        .getConfiguration({ scopeUri, section: SETTINGS_SECTION })
        .then(readEditorSettings, (error: unknown) => {
          this.connection.console.warn(`could not read ${SETTINGS_SECTION} settings: ${String(error)}`);
          return this.pushedSettings;
        });
      this.editorSettings.set(scopeUri, settings);
    }
    return settings;
  }

  /** The Django version pinned by the project's lock or requirements files (see detectedDjangoVersion.ts), per folder. */
  private detectedFor(path: string, workspaceFolder: string | undefined): ConfigLayer {
    const folder = dirname(path);
    let layer = this.detectedByFolder.get(folder);
    if (!layer) {
      layer = detectedDjangoLayer(folder, workspaceFolder);
      this.detectedByFolder.set(folder, layer);
      if (layer.djangoVersion) this.options.log?.(`Django ${layer.djangoVersion} for ${folder} (from ${layer.djangoVersionFrom ?? '?'})`);
    }
    return layer;
  }

  private pyprojectFor(path: string, workspaceFolder: string | undefined): LoadedConfig | undefined {
    const folder = dirname(path);
    let entry = this.pyprojectByFolder.get(folder);
    if (!entry) {
      try {
        entry = { loaded: findConfig(folder, workspaceFolder) };
      } catch (error) {
        entry = { error: error instanceof ConfigError ? error.message : `cannot read pyproject.toml: ${String(error)}` };
      }
      this.pyprojectByFolder.set(folder, entry);
    }
    if ('error' in entry) {
      if (!this.reportedProblems.has(entry.error)) {
        this.reportedProblems.add(entry.error);
        this.options.reportConfigProblem(entry.error);
      }
      return undefined;
    }
    return entry.loaded;
  }
}
