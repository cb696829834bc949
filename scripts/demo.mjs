#!/usr/bin/env node
// `npm run demo`: try the extension in a browser on a machine without VS Code. Builds and packages the .vsix,
// installs code-server if needed (scripts/setup-hosts.sh), installs the .vsix into a private extensions folder,
// starts code-server on 127.0.0.1 with a copy of examples/shop open, prints the URL, and stops everything on
// Ctrl+C. Options: --port N (default: a free port), --no-package (reuse migration-guard.vsix).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const vsix = join(root, 'migration-guard.vsix');
const args = process.argv.slice(2);
const portIndex = args.indexOf('--port');
const port = portIndex >= 0 ? Number(args[portIndex + 1]) : undefined;
if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) fail(`--port needs a port number, got ${args[portIndex + 1]}`);

function fail(message) {
  console.error(`demo: ${message}`);
  process.exit(1);
}

function run(command, commandArgs) {
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) fail(`${command} ${commandArgs.join(' ')} failed (${result.error?.message ?? `exit code ${result.status}`})`);
}

// The same helpers the end-to-end tests use, so the demo starts code-server exactly as they do.
const codeServer = await tsImport('../test/e2e/codeServer.ts', import.meta.url);

if (codeServer.codeServerUnavailableReason()) {
  console.log('demo: installing Node 24 and code-server into ~/.cache/migration-guard (once, about 2 minutes)');
  run('bash', [join(root, 'scripts', 'setup-hosts.sh')]);
}
const stillMissing = codeServer.codeServerUnavailableReason();
if (stillMissing) fail(stillMissing);

if (!args.includes('--no-package') || !existsSync(vsix)) run('npm', ['run', 'package', '--silent']);

const scratch = mkdtempSync(join(tmpdir(), 'mg-demo-'));
const extensionsDir = join(scratch, 'extensions');
const folder = join(scratch, 'shop');
// A copy: whatever the demo does (migrate, quick fixes) never touches the clone.
cpSync(join(root, 'examples', 'shop'), folder, { recursive: true, filter: (source) => !/(__pycache__|\.pyc$|db\.sqlite3$)/.test(source) });
codeServer.installVsix(vsix, extensionsDir);

const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : undefined;
let server;
try {
  server = await codeServer.startCodeServer({
    folder,
    extensionsDir,
    port,
    // The demo folder is a fresh copy of the project's own example: no trust prompt.
    extraArgs: ['--disable-workspace-trust'],
    machineSettings: python ? { 'migrationGuard.pythonPath': python } : {},
    userSettings: { 'workbench.secondarySideBar.defaultVisibility': 'hidden', 'chat.disableAIFeatures': true },
  });
} catch (error) {
  rmSync(scratch, { recursive: true, force: true });
  fail(error instanceof Error ? error.message : String(error));
}

const url = `${server.url}/?folder=${encodeURIComponent(folder)}`;
console.log(`
Django Migration Guard demo is running (code-server ${codeServer.CODE_SERVER_VERSION}, extension installed from ${vsix}).

  Open: ${url}

  Try: open orders/migrations/0002_order_tracking_number.py (Ctrl+P), hover the squiggle, press Ctrl+. for
  the quick fixes; F1 > "Django Migrations: Review Flashcards". The folder is a temporary copy of examples/shop
  (its settings point at PostgreSQL on 127.0.0.1:5432, needed only by the manage.py commands).

Press Ctrl+C to stop.`);

let stopping = false;
async function stop(signal) {
  if (stopping) return;
  stopping = true;
  console.log(`\ndemo: ${signal}, stopping code-server`);
  await server.stop();
  rmSync(scratch, { recursive: true, force: true });
  process.exit(0);
}
process.on('SIGINT', () => void stop('Ctrl+C'));
process.on('SIGTERM', () => void stop('SIGTERM'));
void server.exited.then(() => {
  if (stopping) return;
  console.error(`demo: code-server stopped unexpectedly:\n${server.output().split('\n').slice(-20).join('\n')}`);
  rmSync(scratch, { recursive: true, force: true });
  process.exit(1);
});
