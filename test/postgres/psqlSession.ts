// A long-lived psql process used as one database session: the lock tests need a transaction kept open in one
// session while a second session reads pg_locks. There is no PostgreSQL client library in the project, so each
// session is Debian's psql over a pipe, started with an argument array; every query is followed by markers on
// stdout and stderr so its output and its error (if any) are known to be complete.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';

const FIELD_SEPARATOR = '\t';

export function psqlBinary(): string | undefined {
  return ['/usr/lib/postgresql/15/bin/psql', '/usr/bin/psql'].find((path) => existsSync(path));
}

export interface Connection {
  port: number;
  database: string;
}

function psqlArgs(connection: Connection): string[] {
  // -X: no ~/.psqlrc; -A -t: unaligned rows without headers; -q: no command tags.
  return ['-X', '-A', '-t', '-q', '-F', FIELD_SEPARATOR, '-h', '127.0.0.1', '-p', String(connection.port), '-U', 'postgres', '-d', connection.database];
}

function rows(text: string): string[][] {
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => line.split(FIELD_SEPARATOR));
}

/** Runs SQL in a short-lived session of its own and returns the rows; throws on an error. */
export function psqlOnce(connection: Connection, sql: string): string[][] {
  const psql = psqlBinary();
  if (!psql) throw new Error('psql not found');
  const result = spawnSync(psql, [...psqlArgs(connection), '-v', 'ON_ERROR_STOP=1', '-c', sql], { encoding: 'utf8', timeout: 30_000 });
  if (result.status !== 0) throw new Error(`psql failed (${String(result.status)}): ${result.stderr}`);
  return rows(result.stdout);
}

export class SqlError extends Error {}

export class PsqlSession {
  private readonly child: ChildProcessWithoutNullStreams;
  private stdout = '';
  private stderr = '';
  private sequence = 0;
  private exited = false;
  private waiter: (() => void) | undefined;

  constructor(connection: Connection) {
    const psql = psqlBinary();
    if (!psql) throw new Error('psql not found');
    this.child = spawn(psql, psqlArgs(connection), { stdio: 'pipe' });
    this.child.stdout.setEncoding('utf8');
    this.child.stderr.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => this.received(() => (this.stdout += chunk)));
    this.child.stderr.on('data', (chunk: string) => this.received(() => (this.stderr += chunk)));
    this.child.on('exit', () => this.received(() => (this.exited = true)));
    this.child.stdin.on('error', () => undefined);
  }

  private received(apply: () => void): void {
    apply();
    this.waiter?.();
  }

  /**
   * Sends SQL (one or more statements) and resolves with the rows of its output once psql has run all of it; rejects
   * with the server's error message. The timeout bounds a statement that waits for a lock forever.
   */
  async query(sql: string, timeoutMs = 30_000): Promise<string[][]> {
    const marker = `__mg_done_${++this.sequence}__`;
    this.child.stdin.write(`${sql};\n\\echo ${marker}\n\\warn ${marker}\n`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const outEnd = this.stdout.indexOf(`${marker}\n`);
      const errEnd = this.stderr.indexOf(`${marker}\n`);
      if (outEnd >= 0 && errEnd >= 0) {
        const output = this.stdout.slice(0, outEnd);
        const error = this.stderr.slice(0, errEnd);
        this.stdout = this.stdout.slice(outEnd + marker.length + 1);
        this.stderr = this.stderr.slice(errEnd + marker.length + 1);
        if (/\bERROR:/.test(error)) throw new SqlError(error.trim());
        return rows(output);
      }
      if (this.exited) throw new Error(`psql exited: ${this.stderr}`);
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`query timed out after ${timeoutMs} ms: ${sql}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(remaining, 1000));
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = undefined;
    }
  }

  async close(): Promise<void> {
    if (this.exited) return;
    this.child.stdin.end('\\q\n');
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        resolve();
      }, 5000);
      this.child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      if (this.exited) {
        clearTimeout(timer);
        resolve();
      }
    });
  }
}
