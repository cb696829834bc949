// The `migration-guard` executable (dist/cli.js). A `check` that was recorded with exactly these arguments, inputs
// and environment is printed from its record without loading the engine (engine/cache/replay.ts); everything else
// loads the CLI (cli.ts, bundled as dist/cliMain.js) and runs it.
import { existsSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { findReplay, replayRequest } from './engine/cache/replay';
import type { CliIO } from './cli';

/** The CLI bundle next to this one; run from the TypeScript sources, the CLI module itself. */
const bundledCli = join(__dirname, 'cliMain.js');
const cliModule = existsSync(bundledCli) ? bundledCli : join(__dirname, 'cli');

function main(): void {
  // A closed pipe (`migration-guard check | head`) is not an error worth a stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  const argv = process.argv.slice(2);
  const io: CliIO = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    cwd: process.cwd(),
    env: process.env,
    stdoutIsTTY: process.stdout.isTTY === true,
  };
  const request = replayRequest(argv, { ...io, toolFiles: [__filename, bundledCli, join(__dirname, 'analyzeWorker.js')] });
  const hit = request && findReplay(request, io.env);
  if (hit) {
    for (const [stream, bytes] of hit.output) (stream === 1 ? process.stdout : process.stderr).write(bytes);
    if (argv.includes('--stats')) {
      const stats = { cache: 'replay', observed: hit.observed, filesRead: 0, totalMs: Math.round(performance.now() * 10) / 10, maxRssKb: process.resourceUsage().maxRSS };
      io.stderr(`migration-guard stats ${JSON.stringify(stats)}\n`);
    }
    process.exitCode = hit.exitCode;
    return;
  }
  // Node >= 22.1 keeps the compiled code of what is loaded from here on (the CLI, the language server bundle, the
  // analysis workers) in its compile cache; older Node has no such API and this does nothing.
  (nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { runCli } = require(cliModule) as typeof import('./cli');
  void runCli(argv, { ...io, ...(request ? { replayKey: request.key } : {}) }).then((code) => {
    if (code !== undefined) process.exitCode = code;
  });
}

main();
