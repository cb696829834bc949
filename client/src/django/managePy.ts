// Finding the project's manage.py in the editor: the migrationGuard.managePyPath setting of each workspace folder,
// else a search of the folder; with several, the user picks one and the choice is remembered for this workspace.
import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import * as vscode from 'vscode';
import { UserError } from '../log';
import type { Prompter } from '../prompter';
import { chooseManagePy, findManagePyFiles } from './managePyDiscovery';

const REMEMBERED_KEY = 'migrationGuard.managePy';

export interface LocatedManagePy {
  managePy: string;
  folder: vscode.WorkspaceFolder | undefined;
}

export class ManagePyLocator implements vscode.Disposable {
  private readonly searches = new Map<string, Promise<string[]>>();
  private readonly watcher = vscode.workspace.createFileSystemWatcher('**/manage.py', false, true, false);
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly workspaceState: vscode.Memento,
    private readonly prompter: Prompter,
  ) {
    const forget = (): void => this.searches.clear();
    this.subscriptions = [this.watcher, this.watcher.onDidCreate(forget), this.watcher.onDidDelete(forget), vscode.workspace.onDidChangeWorkspaceFolders(forget)];
  }

  /** Every manage.py of the workspace (the configured one of a folder replaces that folder's search). */
  async all(): Promise<string[]> {
    const results = await Promise.all((vscode.workspace.workspaceFolders ?? []).map((folder) => this.forFolder(folder)));
    return [...new Set(results.flat())];
  }

  /** The manage.py a command about `resource` (a file, or nothing for "the project") should use. */
  async locate(resource?: vscode.Uri): Promise<LocatedManagePy | undefined> {
    const folder = resource ? vscode.workspace.getWorkspaceFolder(resource) : undefined;
    const candidates = folder ? await this.forFolder(folder) : await this.all();
    const remembered = this.workspaceState.get<string>(REMEMBERED_KEY);
    const choice = chooseManagePy({ candidates, ...(resource?.scheme === 'file' ? { file: resource.fsPath } : {}), ...(remembered ? { remembered } : {}) });
    if (choice.kind === 'found') return { managePy: choice.managePy, folder: this.folderOf(choice.managePy) };
    if (choice.kind === 'none') {
      const where = folder ? `workspace folder "${folder.name}"` : 'this workspace';
      throw new UserError(`No Django manage.py was found in ${where}. Set migrationGuard.managePyPath to its location.`);
    }
    return this.pick(choice.candidates);
  }

  /** Lets the user choose among all manage.py files, and remembers the choice. */
  async select(): Promise<LocatedManagePy | undefined> {
    const candidates = await this.all();
    if (candidates.length === 0) throw new UserError('No Django manage.py was found in this workspace. Set migrationGuard.managePyPath to its location.');
    return this.pick(candidates);
  }

  private async pick(candidates: string[]): Promise<LocatedManagePy | undefined> {
    const items = candidates.map((managePy) => {
      const folder = this.folderOf(managePy);
      const shown = folder ? join(folder.name, relative(folder.uri.fsPath, managePy)) : managePy;
      return { label: basename(dirname(managePy)) || shown, description: shown, managePy };
    });
    const picked = await this.prompter.pick(items, { title: 'Which Django project?', placeholder: 'Several manage.py files were found; the choice is remembered for this workspace' });
    if (!picked) return undefined;
    await this.workspaceState.update(REMEMBERED_KEY, picked.managePy);
    return { managePy: picked.managePy, folder: this.folderOf(picked.managePy) };
  }

  private folderOf(path: string): vscode.WorkspaceFolder | undefined {
    return vscode.workspace.getWorkspaceFolder(vscode.Uri.file(path));
  }

  private forFolder(folder: vscode.WorkspaceFolder): Promise<string[]> {
    const configured = vscode.workspace.getConfiguration('migrationGuard', folder.uri).get<string>('managePyPath', '').trim();
    if (configured !== '') {
      const path = resolveSettingPath(configured, folder.uri.fsPath);
      if (!existsSync(path)) {
        return Promise.reject(new UserError(`migrationGuard.managePyPath points to ${path}, which does not exist.`));
      }
      return Promise.resolve([path]);
    }
    if (folder.uri.scheme !== 'file') return Promise.resolve([]);
    let search = this.searches.get(folder.uri.toString());
    if (!search) {
      search = findManagePyFiles(folder.uri.fsPath);
      this.searches.set(folder.uri.toString(), search);
    }
    return search;
  }

  dispose(): void {
    vscode.Disposable.from(...this.subscriptions).dispose();
  }
}

/** Resolves `${workspaceFolder}`, `~` and relative paths of a path setting against the workspace folder. */
export function resolveSettingPath(value: string, workspaceFolder: string): string {
  const home = process.env.HOME ?? process.env.USERPROFILE ?? '';
  const expanded = value.replace(/\$\{workspaceFolder\}/g, workspaceFolder).replace(/^~(?=$|[\\/])/, home);
  return isAbsolute(expanded) ? expanded : join(workspaceFolder, expanded);
}
