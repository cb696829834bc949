// Runs a CommandLine with child_process.spawn (argument array, no shell) and collects its output. The extension
// uses it for the read-only manage.py calls whose output it needs (plans, dry runs, SQL, settings); the tests use it
// to run the very same command lines against a real Django project.
import { spawn } from 'node:child_process';
import type { CommandLine } from './commandLine';

export interface RunOptions {
  /** Cancels the run: the process is terminated and the result says `cancelled`. */
  signal?: AbortSignal;
  /** Milliseconds before the process is terminated and the result says `timedOut`. */
  timeoutMs?: number;
  /** Called with each chunk of output as it arrives (for a live log). */
  onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void;
  /** Environment the CommandLine's variables are added to; defaults to this process's environment. */
  baseEnv?: NodeJS.ProcessEnv;
}

export interface RunResult {
  /** Exit code, or null when the process did not exit normally (not started, killed, cancelled). */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** The process could not be started (e.g. ENOENT: no such executable). */
  startError?: { code: string; message: string };
  cancelled: boolean;
  timedOut: boolean;
}

/** Output kept per stream; enough for any plan or SQL a person reads, and bounded so a runaway process cannot exhaust memory. */
const MAX_CAPTURED_CHARS = 8 * 1024 * 1024;
/** Grace period between SIGTERM and SIGKILL. */
const KILL_GRACE_MS = 3000;

export function runCommandLine(line: CommandLine, options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const result: RunResult = { exitCode: null, stdout: '', stderr: '', cancelled: false, timedOut: false };
    if (options.signal?.aborted) {
      resolve({ ...result, cancelled: true });
      return;
    }
    const child = spawn(line.command, line.args, {
      cwd: line.cwd,
      env: { ...(options.baseEnv ?? process.env), ...line.env },
      // No stdin: a command that would ask a question gets end-of-file at once instead of hanging forever.
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: false,
      windowsHide: true,
    });
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const terminate = (): void => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      killTimer ??= setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
    };
    const onAbort = (): void => {
      result.cancelled = true;
      terminate();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const timeout =
      options.timeoutMs !== undefined
        ? setTimeout(() => {
            result.timedOut = true;
            terminate();
          }, options.timeoutMs)
        : undefined;

    const collect = (stream: 'stdout' | 'stderr') => (chunk: string) => {
      options.onOutput?.(chunk, stream);
      if (result[stream].length < MAX_CAPTURED_CHARS) result[stream] += chunk.slice(0, MAX_CAPTURED_CHARS - result[stream].length);
    };
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', collect('stdout'));
    child.stderr.on('data', collect('stderr'));

    const finish = (): void => {
      if (settled) return;
      settled = true;
      if (timeout) clearTimeout(timeout);
      if (killTimer) clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };
    child.on('error', (error: NodeJS.ErrnoException) => {
      // 'error' without a spawned process means it never started; after a start it is a kill failure we can ignore.
      if (child.pid === undefined) {
        result.startError = { code: error.code ?? 'UNKNOWN', message: error.message };
        finish();
      }
    });
    child.on('close', (code) => {
      result.exitCode = code;
      finish();
    });
  });
}
