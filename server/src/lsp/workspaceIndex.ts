// The workspace's migrations, settings files and their analysis projects. State replay and graph rules need every
// migration of an app, not just the open ones, so each workspace folder gets one engine Project, filled on start
// by a walk of the folder and kept current by file-watch events. Open documents override the disk content.
import { existsSync, readdirSync } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Project, type SourceFile } from '../engine/analyze';
import { findConfig } from '../engine/config/pyproject';
import { ProjectLayout } from '../engine/django/projectLayout';
import { isSettingsPath, isSkippedFolderName, migrationFilesOf, readSourceFile } from '../engine/files';
import { pathToUri } from './analysisService';

/** Bounds on the walk, so a workspace opened at `/` or a home folder cannot keep the server busy forever. */
const MAX_DEPTH = 32;
const MAX_VISITED_FOLDERS = 50_000;
/** How long indexing works before letting other messages (edits, hovers, cancellations) through. */
const INDEX_SLICE_MS = 15;

export interface IndexedProject {
  /** Folder path (a workspace folder, or the folder above an app opened from outside every workspace folder). */
  root: string;
  /** URI of that folder, the scope for workspace/configuration when no document is involved. */
  rootUri: string;
  isWorkspaceFolder: boolean;
  project: Project;
  settingsFiles: Map<string, string>;
  /** The apps' apps.py files by path: their AppConfig labels name the apps (see ProjectLayout). */
  appConfigFiles: Map<string, string>;
}

/** What a change did to a project, so the caller knows what to re-analyse. */
export interface ChangeEffect {
  project: IndexedProject;
  /** The migration graph changed (a file added or removed, dependencies or replaces edited). */
  graphChanged: boolean;
  /** Settings files changed (the detected database may differ). */
  settingsChanged: boolean;
  /**
   * Where migrations live or what their apps are called changed (apps.py, MIGRATION_MODULES): files already known
   * are re-labelled, but the folder must be indexed again to find the migrations the new layout adds.
   */
  layoutChanged: boolean;
}

export interface IndexProgress {
  report(done: number, total: number, message: string): void;
}

export type FileReader = (path: string) => { ok: true; text: string } | { ok: false; message: string };

export class WorkspaceIndex {
  private readonly projects: IndexedProject[] = [];

  constructor(
    private readonly log: (message: string) => void,
    /** True for paths open in the editor: their text comes from the editor, never from disk. */
    private readonly isOpen: (path: string) => boolean,
    private readonly readFile: FileReader = readSourceFile,
  ) {}

  allProjects(): readonly IndexedProject[] {
    return this.projects;
  }

  addWorkspaceFolder(root: string, rootUri: string): IndexedProject {
    const existing = this.projects.find((entry) => entry.isWorkspaceFolder && entry.root === root);
    if (existing) return existing;
    const entry: IndexedProject = { root, rootUri, isWorkspaceFolder: true, project: new Project(), settingsFiles: new Map(), appConfigFiles: new Map() };
    // A document opened before the folder was known (during start-up) got a project of its own: the folder's project
    // takes its editor text over, or the folder's history would lack that migration (and every file its project).
    for (const adHoc of this.projects.filter((candidate) => !candidate.isWorkspaceFolder && isInside(candidate.root, root))) {
      for (const file of adHoc.project.sourceFiles()) if (this.isOpen(file.path)) entry.project.setFile(file.path, file.text, file.tree);
      this.projects.splice(this.projects.indexOf(adHoc), 1);
    }
    this.projects.push(entry);
    // The deepest folder wins when folders nest, so keep longer roots first.
    this.projects.sort((a, b) => b.root.length - a.root.length);
    return entry;
  }

  /** Drops a workspace folder's project; returns it so what was published for it can be withdrawn. */
  removeWorkspaceFolder(root: string): IndexedProject | undefined {
    const index = this.projects.findIndex((entry) => entry.isWorkspaceFolder && entry.root === root);
    return index >= 0 ? this.projects.splice(index, 1)[0] : undefined;
  }

  /** True when the project the path falls in loads it as a migration (Django's conventions outside every project). */
  isMigration(path: string): boolean {
    const layout = this.projects.find((entry) => isInside(path, entry.root))?.project.projectLayout() ?? ProjectLayout.CONVENTIONAL;
    return layout.isMigrationPath(path);
  }

  /** The project a file belongs to; a file outside every workspace folder gets a project of its own app folder's parent. */
  projectFor(path: string): IndexedProject {
    const found = this.projects.find((entry) => isInside(path, entry.root));
    if (found) return found;
    const appFolder = dirname(dirname(path));
    const root = dirname(appFolder);
    const entry: IndexedProject = { root, rootUri: pathToUri(root), isWorkspaceFolder: false, project: new Project(), settingsFiles: new Map(), appConfigFiles: new Map() };
    this.projects.push(entry);
    this.projects.sort((a, b) => b.root.length - a.root.length);
    // Only the file's own migrations folder: the graph of its app, without walking an unknown (maybe huge) tree.
    const appConfig = join(appFolder, 'apps.py');
    if (existsSync(appConfig)) this.readAppConfigFile(entry, appConfig);
    this.updateLayout(entry);
    this.loadMigrationsFolder(entry, dirname(path));
    return entry;
  }

  /** Walks a workspace folder and loads every migration and settings file, yielding to the event loop as it goes. */
  async indexFolder(entry: IndexedProject, progress: IndexProgress, isCancelled: () => boolean): Promise<number> {
    const found: WalkResult = { migrations: [], settings: [], appConfigs: [], folders: [] };
    await this.walk(entry.root, found, isCancelled);
    // Settings and apps.py first: they say which files are migrations and what their apps are called.
    for (const path of found.settings) this.readSettingsFile(entry, path);
    for (const path of found.appConfigs) this.readAppConfigFile(entry, path);
    this.updateLayout(entry);
    const migrations = migrationFilesOf({ ...found, notMigrations: [], unreadableFolders: [] }, entry.project.projectLayout());
    const total = migrations.length;
    let done = 0;
    let sliceStart = Date.now();
    for (const path of migrations) {
      if (isCancelled()) break;
      if (!this.isOpen(path)) this.loadFromDisk(entry, path);
      done++;
      if (Date.now() - sliceStart > INDEX_SLICE_MS) {
        progress.report(done, total, `${done}/${total} migrations`);
        await yieldToEventLoop();
        sliceStart = Date.now();
      }
    }
    entry.project.setSettingsFiles(settingsSources(entry));
    progress.report(done, total, `${done}/${total} migrations`);
    return done;
  }

  /** A migration's text from the editor (open document). */
  setEditorText(path: string, text: string): ChangeEffect {
    const entry = this.projectFor(path);
    return this.updateMigration(entry, path, () => entry.project.setFile(path, text));
  }

  /**
   * A file changed on disk (or an open document was closed and the disk is the truth again). Migrations are
   * re-read unless open; settings files update database detection; deletions drop the file.
   */
  fileChangedOnDisk(path: string, deleted: boolean): ChangeEffect | undefined {
    if (this.isMigration(path)) {
      if (this.isOpen(path)) return undefined;
      const entry = this.projectFor(path);
      if (deleted || !existsSync(path)) return this.updateMigration(entry, path, () => entry.project.removeFile(path));
      return this.updateMigration(entry, path, () => this.loadFromDisk(entry, path));
    }
    if (isSettingsPath(path)) {
      const entry = this.projects.find((candidate) => isInside(path, candidate.root));
      if (!entry) return undefined;
      if (deleted || !existsSync(path)) entry.settingsFiles.delete(path);
      else this.readSettingsFile(entry, path);
      entry.project.setSettingsFiles(settingsSources(entry));
      const layoutChanged = this.updateLayout(entry);
      return { project: entry, graphChanged: layoutChanged, settingsChanged: true, layoutChanged };
    }
    if (basename(path) === 'apps.py') {
      const entry = this.projects.find((candidate) => isInside(path, candidate.root));
      if (!entry) return undefined;
      if (deleted || !existsSync(path)) entry.appConfigFiles.delete(path);
      else this.readAppConfigFile(entry, path);
      const layoutChanged = this.updateLayout(entry);
      return layoutChanged ? { project: entry, graphChanged: true, settingsChanged: false, layoutChanged } : undefined;
    }
    return undefined;
  }

  /** Rebuilds every project's layout (a pyproject.toml changed); returns the projects whose layout changed. */
  refreshLayouts(): IndexedProject[] {
    return this.projects.filter((entry) => this.updateLayout(entry));
  }

  /** Globs of the migrations packages MIGRATION_MODULES moves away from `migrations/`, to watch as well. */
  movedMigrationGlobs(): string[] {
    const globs = new Set<string>();
    for (const entry of this.projects) for (const moved of entry.project.projectLayout().movedFolders) globs.add(`**/${moved.suffix}/*.py`);
    return [...globs].sort();
  }

  private updateMigration(entry: IndexedProject, path: string, change: () => void): ChangeEffect {
    const before = entry.project.structureSignature(path);
    change();
    const after = entry.project.structureSignature(path);
    return { project: entry, graphChanged: before !== after, settingsChanged: false, layoutChanged: false };
  }

  /** Rebuilds the project's layout from its apps.py and settings files (and pyproject); true when it changed. */
  private updateLayout(entry: IndexedProject): boolean {
    let migrationModules: Record<string, string> | undefined;
    try {
      migrationModules = findConfig(entry.root, entry.root)?.layer.migrationModules;
    } catch {
      // An invalid pyproject.toml is reported with the diagnostics; the layout does without it.
    }
    const before = entry.project.projectLayout().signature;
    const appConfigFiles = [...entry.appConfigFiles].map(([path, text]) => ({ path, text }));
    entry.project.setLayout(ProjectLayout.build({ appConfigFiles, settingsFiles: settingsSources(entry), ...(migrationModules ? { migrationModules } : {}) }));
    return entry.project.projectLayout().signature !== before;
  }

  private readAppConfigFile(entry: IndexedProject, path: string): void {
    const result = this.readFile(path);
    if (result.ok) entry.appConfigFiles.set(path, result.text);
    else entry.appConfigFiles.delete(path);
  }

  private loadFromDisk(entry: IndexedProject, path: string): void {
    const result = this.readFile(path);
    if (result.ok) {
      entry.project.setFile(path, result.text);
    } else {
      // Unreadable, binary or not UTF-8: leave it out of the graph rather than analyse garbage.
      entry.project.removeFile(path);
      this.log(`skipped ${path}: ${result.message}`);
    }
  }

  private readSettingsFile(entry: IndexedProject, path: string): void {
    const result = this.readFile(path);
    if (result.ok) entry.settingsFiles.set(path, result.text);
    else entry.settingsFiles.delete(path);
  }

  private loadMigrationsFolder(entry: IndexedProject, folder: string): void {
    let names: string[];
    try {
      names = readdirSync(folder);
    } catch {
      return;
    }
    for (const name of names.sort()) {
      const path = join(folder, name);
      if (entry.project.projectLayout().isMigrationPath(path) && !this.isOpen(path)) this.loadFromDisk(entry, path);
    }
  }

  private async walk(root: string, found: WalkResult, isCancelled: () => boolean): Promise<void> {
    const visited = new Set<string>();
    const pending: { folder: string; depth: number }[] = [{ folder: root, depth: 0 }];
    // The workspace may be untrusted: a link to `/` or a home folder must not take the walk outside it.
    let realRoot: string;
    try {
      realRoot = await realpath(root);
    } catch {
      return;
    }
    let sliceStart = Date.now();
    while (pending.length > 0 && visited.size < MAX_VISITED_FOLDERS && !isCancelled()) {
      const { folder, depth } = pending.pop()!;
      let real: string;
      try {
        real = await realpath(folder);
      } catch {
        continue;
      }
      if (visited.has(real) || !isInside(real, realRoot)) continue; // symlink cycles, links out of the workspace
      visited.add(real);
      found.folders.push(folder);
      let entries;
      try {
        entries = await readdir(folder, { withFileTypes: true });
      } catch {
        continue;
      }
      const names = new Set(entries.map((dirent) => dirent.name));
      if (depth > 0 && names.has('pyvenv.cfg')) continue; // a virtualenv, whatever its name
      for (const dirent of entries) {
        const path = join(folder, dirent.name);
        let isDirectory = dirent.isDirectory();
        let isFile = dirent.isFile();
        if (dirent.isSymbolicLink()) {
          try {
            const target = await stat(path);
            isDirectory = target.isDirectory();
            isFile = target.isFile();
            if (isFile && !isInside(await realpath(path), realRoot)) continue;
          } catch {
            continue;
          }
        }
        if (isDirectory) {
          if (!isSkippedFolderName(dirent.name) && depth < MAX_DEPTH) pending.push({ folder: path, depth: depth + 1 });
        } else if (isFile) {
          if (ProjectLayout.CONVENTIONAL.isMigrationPath(path)) found.migrations.push(path);
          else if (isSettingsPath(path)) found.settings.push(path);
          else if (dirent.name === 'apps.py') found.appConfigs.push(path);
        }
      }
      if (Date.now() - sliceStart > INDEX_SLICE_MS) {
        await yieldToEventLoop();
        sliceStart = Date.now();
      }
    }
    found.migrations.sort();
    found.settings.sort();
    found.appConfigs.sort();
  }
}

interface WalkResult {
  /** Migrations by Django's conventions (`<app>/migrations/`); the layout may add moved ones. */
  migrations: string[];
  settings: string[];
  appConfigs: string[];
  folders: string[];
}

function settingsSources(entry: IndexedProject): SourceFile[] {
  return [...entry.settingsFiles].map(([path, text]) => ({ path, text }));
}

function isInside(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith('/') ? root : `${root}/`);
}

export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export { DJANGO_PIN_GLOBS, WATCHED_GLOBS } from './clientContract';

/** pyproject.toml, or a file pinning the Django version: the configuration is read again when one changes. */
export function isPyproject(path: string): boolean {
  const name = basename(path);
  if (name === 'pyproject.toml' || /^(poetry|uv|pdm|Pipfile)\.lock$/.test(name)) return true;
  return /\.(txt|in)$/.test(name) && (/^requirements/i.test(name) || basename(dirname(path)) === 'requirements');
}
