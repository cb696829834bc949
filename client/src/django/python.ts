// The Python that runs manage.py, as the editor knows it: the Python extension's selected interpreter (used when
// that extension is installed; never required), else migrationGuard.pythonPath, else python3/python on PATH.
import { PythonExtension } from '@vscode/python-extension';
import * as vscode from 'vscode';
import type { Log } from '../log';
import { discoverInterpreter, interpreterCandidates, probeInterpreterProcess, type Discovery, type ProbeOutcome } from './pythonDiscovery';
import { resolveSettingPath } from './managePy';

const PYTHON_EXTENSION_ID = 'ms-python.python';

export class InterpreterResolver implements vscode.Disposable {
  /** Probe results per interpreter and environment; cleared when the interpreter selection or settings change. */
  private readonly probes = new Map<string, Promise<ProbeOutcome>>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private pythonApi: Promise<PythonExtension | undefined> | undefined;
  private readonly interpreterChanged = new vscode.EventEmitter<void>();
  /** The Python extension's selected interpreter changed (known once the extension's API has been loaded). */
  readonly onDidChangeInterpreter = this.interpreterChanged.event;

  constructor(private readonly log: Log) {
    this.subscriptions.push(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('migrationGuard')) this.probes.clear();
      }),
      vscode.extensions.onDidChange(() => {
        this.pythonApi = undefined;
        this.probes.clear();
      }),
    );
  }

  /**
   * `folder` scopes the settings; `cwd` (manage.py's folder) is where the probe runs. With a command prefix the
   * interpreter runs elsewhere (a container, poetry's environment), so it is taken from the setting as is.
   */
  async resolve(options: { folder: vscode.WorkspaceFolder | undefined; cwd: string; usesPrefix: boolean; env: Record<string, string> }): Promise<Discovery> {
    const configured = vscode.workspace.getConfiguration('migrationGuard', options.folder?.uri).get<string>('pythonPath', '').trim();
    const setting = configured !== '' && /[\\/]/.test(configured) && options.folder ? resolveSettingPath(configured, options.folder.uri.fsPath) : configured;
    if (options.usesPrefix) {
      const command = setting || 'python';
      return { ok: true, interpreter: { command, source: setting ? 'setting' : 'path', info: { executable: command, version: 'unknown', django: 'unknown' } } };
    }
    const fromExtension = await this.pythonExtensionInterpreter(options.folder?.uri);
    const candidates = interpreterCandidates({ ...(fromExtension ? { pythonExtension: fromExtension } : {}), setting });
    const probe = probeInterpreterProcess({ cwd: options.cwd, env: options.env });
    const key = JSON.stringify(options.env);
    const discovery = await discoverInterpreter(candidates, (command) => {
      const cacheKey = `${command}\n${key}`;
      let outcome = this.probes.get(cacheKey);
      if (!outcome) {
        // A failure is not remembered: the user may be installing Python or Django right now.
        outcome = probe(command).then((result) => {
          if (!result.ok) this.probes.delete(cacheKey);
          return result;
        });
        this.probes.set(cacheKey, outcome);
      }
      return outcome;
    });
    if (discovery.ok) this.log.info(`Python: ${discovery.interpreter.command} (${discovery.interpreter.source}, Python ${discovery.interpreter.info.version}, Django ${discovery.interpreter.info.django ?? 'not installed'})`);
    return discovery;
  }

  private async pythonExtensionInterpreter(resource: vscode.Uri | undefined): Promise<string | undefined> {
    if (!vscode.extensions.getExtension(PYTHON_EXTENSION_ID)) return undefined;
    this.pythonApi ??= this.loadPythonApi();
    const api = await this.pythonApi;
    if (!api) return undefined;
    try {
      const selected = api.environments.getActiveEnvironmentPath(resource);
      const environment = await api.environments.resolveEnvironment(selected);
      return environment?.executable.uri?.fsPath ?? (selected.path || undefined);
    } catch (error) {
      this.log.warn(`The Python extension did not report an interpreter: ${String(error)}`);
      return undefined;
    }
  }

  private async loadPythonApi(): Promise<PythonExtension | undefined> {
    try {
      const api = await PythonExtension.api();
      this.subscriptions.push(
        api.environments.onDidChangeActiveEnvironmentPath(() => {
          this.probes.clear();
          this.interpreterChanged.fire();
        }),
      );
      return api;
    } catch (error) {
      this.log.warn(`The Python extension is installed but its API is unavailable: ${String(error)}`);
      return undefined;
    }
  }

  dispose(): void {
    this.interpreterChanged.dispose();
    vscode.Disposable.from(...this.subscriptions).dispose();
  }
}
