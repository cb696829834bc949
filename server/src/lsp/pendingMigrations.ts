// The migrations that matter now, for migrationGuard.problems.scope = "pending": those the client reported as not
// applied (from showmigrations, see APPLIED_MIGRATIONS_NOTIFICATION) and those git reports as new or changed since
// the last commit (uncommitted or untracked). (The baseline is applied by the suppression stage.) git runs with
// argument arrays, only in a trusted workspace, and its answer is kept for a few seconds.
import { changedFilesSince, realPath } from '../engine/git/changedFiles';
import { uriToPath } from './analysisService';
import type { AppliedMigrationsParams } from './clientContract';
import type { IndexedProject } from './workspaceIndex';

export type ProblemsScope = 'open' | 'pending' | 'workspace';

/** How long a git answer is reused: commits do not touch the watched files, so it must expire by itself. */
const GIT_TTL_MS = 5_000;
/** Projects (manage.py folders) remembered; a client cannot make the server hold unbounded state. */
const MAX_PROJECTS = 100;
const MAX_MIGRATIONS_PER_PROJECT = 100_000;

export class PendingMigrations {
  /** Per manage.py folder: app label -> migration name -> applied. */
  private readonly applied = new Map<string, Map<string, Map<string, boolean>>>();
  private readonly gitByRoot = new Map<string, { at: number; files: ReadonlySet<string> }>();
  private readonly loggedGitProblems = new Set<string>();

  constructor(
    private trusted: boolean,
    private readonly log: (message: string) => void,
    private readonly changedFiles: (root: string) => ReadonlySet<string> = (root) => changedFilesSince('HEAD', root).files,
  ) {}

  setTrusted(trusted: boolean): void {
    this.trusted = trusted;
    this.gitByRoot.clear();
  }

  /** The client's latest showmigrations for one project; malformed entries are skipped. */
  setApplied(params: AppliedMigrationsParams): boolean {
    const root = typeof params?.projectUri === 'string' ? uriToPath(params.projectUri)?.replace(/\/+$/, '') : undefined;
    if (!root || !Array.isArray(params.apps)) return false;
    const apps = new Map<string, Map<string, boolean>>();
    let count = 0;
    for (const app of params.apps) {
      if (typeof app?.app !== 'string' || !Array.isArray(app.migrations)) continue;
      const migrations = apps.get(app.app) ?? new Map<string, boolean>();
      for (const migration of app.migrations) {
        if (count++ >= MAX_MIGRATIONS_PER_PROJECT) break;
        if (typeof migration?.name === 'string') migrations.set(migration.name, migration.applied === true);
      }
      apps.set(app.app, migrations);
    }
    this.applied.delete(root);
    if (this.applied.size >= MAX_PROJECTS) this.applied.delete(this.applied.keys().next().value as string);
    this.applied.set(root, apps);
    return true;
  }

  /** Migration files changed: git's answer is out of date. */
  filesChanged(): void {
    this.gitByRoot.clear();
  }

  /** Paths of the project's migrations that are pending: unapplied per the client, or new/changed per git. */
  pendingPaths(entry: IndexedProject): Set<string> {
    const pending = new Set<string>();
    const changed = this.gitChanged(entry.root);
    for (const file of entry.project.sourceFiles()) {
      const model = entry.project.model(file.path);
      if (!model) continue;
      // realpath is a system call per file: only asked when git reported changes at all.
      if ((changed.size > 0 && changed.has(realPath(file.path))) || this.isUnapplied(file.path, model.app, model.name)) pending.add(file.path);
    }
    return pending;
  }

  /**
   * False only when showmigrations listed the app and said the migration is applied; a migration of a listed app
   * that the listing lacks is newer than the listing, so unapplied. Unknown apps and projects say nothing.
   */
  private isUnapplied(path: string, app: string, name: string): boolean {
    let best: string | undefined;
    for (const root of this.applied.keys()) if (path.startsWith(`${root}/`) && (!best || root.length > best.length)) best = root;
    const migrations = best === undefined ? undefined : this.applied.get(best)!.get(app);
    return migrations !== undefined && migrations.get(name) !== true;
  }

  private gitChanged(root: string): ReadonlySet<string> {
    if (!this.trusted) return new Set();
    const cached = this.gitByRoot.get(root);
    if (cached && Date.now() - cached.at < GIT_TTL_MS) return cached.files;
    let files: ReadonlySet<string> = new Set();
    try {
      files = this.changedFiles(root);
    } catch (error) {
      // Not a repository, or no git: only the applied state counts.
      const message = error instanceof Error ? error.message : String(error);
      if (!this.loggedGitProblems.has(`${root}\u0000${message}`)) {
        this.loggedGitProblems.add(`${root}\u0000${message}`);
        this.log(`pending migrations of ${root}: git gives no changed files (${message})`);
      }
    }
    this.gitByRoot.set(root, { at: Date.now(), files });
    return files;
  }
}
