// Hosts for the real-Django tests: an interpreter with Django, a fresh copy of the fixture project, and a private
// PostgreSQL cluster on 127.0.0.1. A missing host skips the tests locally but fails them when CI is set.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { chownSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context } from 'mocha';
import { DjangoProject } from '../../client/src/django/djangoProject';
import { discoverInterpreter, probeInterpreterProcess } from '../../client/src/django/pythonDiscovery';
import { freePort } from '../support/freePort';

export const FIXTURE = join(__dirname, '..', 'fixtures', 'django');

/** Skips locally; fails under CI, where every host must be present. */
export function requireHost(context: Context, available: boolean, why: string): void {
  if (available) return;
  if (process.env.CI) throw new Error(`${why} (CI is set, so this fails instead of skipping)`);
  console.warn(`      skipped: ${why}`);
  context.skip();
}

/** A Python that runs but cannot import Django: an isolated venv made from the same interpreter. */
export function makePythonWithoutDjango(python: string, parent: string): string | undefined {
  const venv = join(parent, 'venv-without-django');
  const made = spawnSync(python, ['-m', 'venv', '--without-pip', venv], { encoding: 'utf8' });
  const interpreter = join(venv, 'bin', 'python');
  return made.status === 0 && existsSync(interpreter) ? interpreter : undefined;
}

export interface FixtureProject {
  root: string;
  managePy: string;
  project(env?: Record<string, string>): DjangoProject;
  remove(): void;
}

export function copyFixture(python: string): FixtureProject {
  const parent = mkdtempSync(join(tmpdir(), 'mg-django-'));
  // A space in the path: the argument arrays must carry it untouched.
  const root = join(parent, 'guard site');
  cpSync(FIXTURE, root, { recursive: true, filter: (source) => !/(__pycache__|db\.sqlite3)$/.test(source) });
  const managePy = join(root, 'manage.py');
  return {
    root,
    managePy,
    project: (env = {}) => new DjangoProject({ python, managePy, commandPrefix: [], env }),
    remove: () => rmSync(parent, { recursive: true, force: true }),
  };
}

export function migrationFiles(root: string, app = 'shop'): string[] {
  return readdirSync(join(root, app, 'migrations'))
    .filter((name) => name.endsWith('.py') && name !== '__init__.py')
    .sort();
}

export function read(path: string): string {
  return readFileSync(path, 'utf8');
}

// ---------------------------------------------------------------------------------------------------------------
// PostgreSQL

export interface Postgres {
  port: number;
  createDatabase(name: string): void;
  stop(): void;
}

function postgresBin(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base).filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a));
  const preferred = versions.includes('15') ? ['15', ...versions.filter((v) => v !== '15')] : versions;
  return preferred.map((version) => join(base, version, 'bin')).find((bin) => existsSync(join(bin, 'initdb')));
}

/** initdb refuses to run as root; as root the cluster is owned by and run as the `postgres` user. */
function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

export function postgresUnavailableReason(): string | undefined {
  if (!postgresBin()) return 'PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql-15)';
  if (process.getuid?.() === 0 && !postgresUser()) return 'running as root but there is no postgres user to run the cluster as';
  return undefined;
}

export async function startPostgres(): Promise<Postgres> {
  const bin = postgresBin();
  if (!bin) throw new Error(postgresUnavailableReason());
  const user = postgresUser();
  const dir = mkdtempSync(join(tmpdir(), 'mg-pg-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const options: SpawnSyncOptions = { encoding: 'utf8', timeout: 60_000, cwd: dir, ...(user ?? {}) };
  const run = (command: string, args: string[]): void => {
    const result = spawnSync(join(bin, command), args, options);
    if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${String(result.stderr)}${String(result.stdout)}`);
  };
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const port = await freePort();
  try {
    // -w waits until the server accepts connections, so no sleeping is needed.
    run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '30', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    port,
    createDatabase: (name) => run('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', name]),
    stop: () => {
      try {
        run('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '30', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Debian's python3-django is importable from /usr/bin/python3 only; PATH may hold another Python first. */
export async function interpreterForTests(): Promise<string | undefined> {
  const found = await discoverInterpreter(
    ['/usr/bin/python3', 'python3', 'python'].map((command) => ({ command, source: 'path' as const })),
    probeInterpreterProcess({ cwd: tmpdir() }),
  );
  return found.ok && found.interpreter.info.django !== null ? found.interpreter.command : undefined;
}
