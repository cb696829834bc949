// Everything a manage.py command needs before it can run: which manage.py, which Python, the prefix and the
// environment from the settings of manage.py's workspace folder.
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { UserError, type Log } from '../log';
import { readCommandPrefix, readEnvironment } from './commandLine';
import { DjangoProject } from './djangoProject';
import type { ManagePyLocator } from './managePy';
import type { InterpreterResolver } from './python';

export interface ResolvedProject {
  managePy: string;
  folder: vscode.WorkspaceFolder | undefined;
  project: DjangoProject;
}

export class ProjectResolver {
  constructor(
    private readonly locator: ManagePyLocator,
    private readonly interpreters: InterpreterResolver,
    private readonly log: Log,
  ) {}

  /** Undefined when the user dismissed the choice of manage.py. */
  async resolve(resource?: vscode.Uri): Promise<ResolvedProject | undefined> {
    const located = await this.locator.locate(resource ?? activeFile());
    if (!located) return undefined;
    return this.forManagePy(located.managePy, located.folder);
  }

  async forManagePy(managePy: string, folder: vscode.WorkspaceFolder | undefined): Promise<ResolvedProject> {
    const config = vscode.workspace.getConfiguration('migrationGuard', folder?.uri);
    const prefix = readCommandPrefix(config.get('commandPrefix'));
    const env = readEnvironment(config.get('env'));
    for (const problem of [...prefix.problems, ...env.problems]) this.log.warnOnce(problem);

    const cwd = dirname(managePy);
    const discovery = await this.interpreters.resolve({ folder, cwd, usesPrefix: prefix.value.length > 0, env: env.value });
    if (!discovery.ok) throw new UserError(discovery.message);
    if (discovery.interpreter.warning) throw new UserError(discovery.interpreter.warning);
    return {
      managePy,
      folder,
      project: new DjangoProject({ python: discovery.interpreter.command, managePy, commandPrefix: prefix.value, env: env.value }),
    };
  }
}

/** The active editor's file, which decides the project in a multi-project workspace. */
export function activeFile(): vscode.Uri | undefined {
  const uri = vscode.window.activeTextEditor?.document.uri;
  return uri?.scheme === 'file' ? uri : undefined;
}
