// Where a project's migrations are and which app each belongs to, decided the way Django's MigrationLoader does:
// an app's migrations module is `MIGRATION_MODULES[label]` when set, else `<app package>.migrations`; the app is
// named by its AppConfig label (appConfigs.ts). Pure: built from the texts of apps.py and settings files plus the
// `migration-modules` config key, so the CLI, the language server and tests share one answer.
import { normalizePath } from '../python/migrationPath';
import { chooseAppConfig, labelOf, readAppConfigs } from './appConfigs';
import { isLoadableMigrationName } from './migrationClass';
import { readSettingsFacts } from './settingsFacts';

export interface MigrationIdentity {
  /** The app label (AppConfig.label), what dependencies and `replaces` name. */
  app: string;
  /** The migration name: the module name, the file name without `.py`. */
  name: string;
}

export interface LayoutSources {
  /** `apps.py` files: each declares the label of the package it sits in. */
  appConfigFiles?: readonly { path: string; text: string }[];
  settingsFiles?: readonly { path: string; text: string }[];
  /** `[tool.migration-guard] migration-modules`: label -> dotted module, for settings too dynamic to read. */
  migrationModules?: Readonly<Record<string, string>>;
}

/** A migrations package moved by MIGRATION_MODULES: files directly inside a folder ending in `suffix` belong to `label`. */
export interface MovedMigrationsFolder {
  label: string;
  module: string;
  /** The module as a path: `myapp/db_migrations`. */
  suffix: string;
}

export class ProjectLayout {
  /** Django's defaults: `<folder>/migrations/`, labelled by folder. */
  static readonly CONVENTIONAL = new ProjectLayout(new Map(), []);

  /** A stable description: two layouts with the same signature identify every path the same way. */
  readonly signature: string;

  private constructor(
    /** App package folder (normalised path) -> label, from its apps.py. */
    private readonly labelsByPackage: ReadonlyMap<string, string>,
    readonly movedFolders: readonly MovedMigrationsFolder[],
  ) {
    this.signature = JSON.stringify([[...labelsByPackage].sort(), movedFolders.map((folder) => [folder.label, folder.module])]);
  }

  static build(sources: LayoutSources): ProjectLayout {
    const settings = readSettingsFacts(sources.settingsFiles ?? []);
    const installedClassNames = new Set(settings.installedApps.map((entry) => entry.slice(entry.lastIndexOf('.') + 1)));
    const labelsByPackage = new Map<string, string>();
    for (const file of sources.appConfigFiles ?? []) {
      const path = normalizePath(file.path);
      const slash = path.lastIndexOf('/');
      const chosen = chooseAppConfig(readAppConfigs(file.text), installedClassNames);
      const label = chosen ? labelOf(chosen) : undefined;
      if (label && /^\w+$/.test(label)) labelsByPackage.set(slash >= 0 ? path.slice(0, slash) : '', label);
    }
    const modules = new Map<string, string>();
    for (const [label, module] of settings.migrationModules) if (module) modules.set(label, module);
    for (const [label, module] of Object.entries(sources.migrationModules ?? {})) modules.set(label, module);
    const moved = [...modules]
      .filter(([label, module]) => /^\w+$/.test(label) && /^\w+(\.\w+)*$/.test(module))
      .map(([label, module]) => ({ label, module, suffix: module.split('.').join('/') }))
      .sort((a, b) => b.suffix.length - a.suffix.length || (a.label < b.label ? -1 : 1));
    return new ProjectLayout(labelsByPackage, moved);
  }

  /** The app and migration a path is, or undefined when Django would not load it as a migration. */
  identify(path: string): MigrationIdentity | undefined {
    const normalized = normalizePath(path);
    const slash = normalized.lastIndexOf('/');
    const fileName = normalized.slice(slash + 1);
    if (!fileName.endsWith('.py')) return undefined;
    const name = fileName.slice(0, -3);
    if (!isLoadableMigrationName(name)) return undefined;
    const folder = slash >= 0 ? normalized.slice(0, slash) : '';
    for (const moved of this.movedFolders) {
      if (folder === moved.suffix || folder.endsWith(`/${moved.suffix}`)) return { app: moved.label, name };
    }
    const folderSlash = folder.lastIndexOf('/');
    if (folder.slice(folderSlash + 1) !== 'migrations') return undefined;
    const appPackage = folderSlash >= 0 ? folder.slice(0, folderSlash) : '';
    const app = this.labelOfPackage(appPackage);
    // MIGRATION_MODULES names another package for the app: Django never reads its own migrations/ folder then.
    if (this.movedFolders.some((moved) => moved.label === app)) return undefined;
    return { app, name };
  }

  isMigrationPath(path: string): boolean {
    return this.identify(path) !== undefined;
  }

  /** The label of the app whose package is this folder: its AppConfig's, else the folder's name. */
  labelOfPackage(folder: string): string {
    const normalized = normalizePath(folder).replace(/\/+$/, '');
    return this.labelsByPackage.get(normalized) ?? normalized.slice(normalized.lastIndexOf('/') + 1);
  }

  /** How the app of a migration path was named, for hovers and `explain`. */
  describeApp(path: string): string | undefined {
    const identity = this.identify(path);
    if (!identity) return undefined;
    const folder = normalizePath(path).slice(0, normalizePath(path).lastIndexOf('/'));
    const moved = this.movedFolders.find((entry) => folder === entry.suffix || folder.endsWith(`/${entry.suffix}`));
    if (moved) return `app \`${moved.label}\` (MIGRATION_MODULES maps it to \`${moved.module}\`)`;
    const appPackage = folder.slice(0, folder.lastIndexOf('/'));
    return this.labelsByPackage.has(appPackage) ? `app \`${identity.app}\` (label from its apps.py)` : `app \`${identity.app}\` (named after its folder)`;
  }
}
