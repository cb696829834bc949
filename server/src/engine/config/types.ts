// Configuration shapes. The file layer is `[tool.migration-guard]` in pyproject.toml; editor settings and CLI flags
// override it. ResolvedConfig is what the engine sees.
import type { Severity } from '../types';

export type Database = 'postgresql' | 'mysql' | 'sqlite';

export const DATABASES: readonly Database[] = ['postgresql', 'mysql', 'sqlite'];

/** One layer of configuration (pyproject, editor settings or CLI flags). Absent keys leave lower layers alone. */
export interface ConfigLayer {
  database?: Database;
  postgresVersion?: number;
  /** Django version as "major.minor", e.g. "4.2". */
  djangoVersion?: string;
  /** Where djangoVersion was read when it was detected rather than configured, e.g. "poetry.lock". */
  djangoVersionFrom?: string;
  /** When set, only these rules run. */
  select?: string[];
  ignore?: string[];
  /** Per-rule severity, or 'off'. */
  severity?: Record<string, Severity | 'off'>;
  /** Globs (relative to the project root) of migration files to skip. */
  exclude?: string[];
  /** Path of a baseline file of accepted findings (relative to the project root). */
  baseline?: string;
  /** App label -> dotted module of its migrations, for settings whose MIGRATION_MODULES cannot be read statically. */
  migrationModules?: Record<string, string>;
  /** Globs (relative to the project root) of migrations that run after the new code is deployed. */
  postDeploy?: string[];
  /** Where the rules that only help before a migration ships report: on leaf migrations only (default), or on all. */
  hygieneScope?: 'leaves' | 'all';
}

/** Treated as immutable once analysed with (the engine caches per config object): build a new one to change it. */
export interface ResolvedConfig {
  /** The configured database, or undefined to detect it from settings files (falling back to postgresql). */
  database?: Database;
  postgresVersion: number;
  djangoVersion: string;
  /** Set when djangoVersion was detected from the project's files (a lock file, requirements): which one. */
  djangoVersionFrom?: string;
  select?: string[];
  ignore: string[];
  severity: Record<string, Severity | 'off'>;
  exclude: string[];
  baseline?: string;
  migrationModules?: Record<string, string>;
  /** Globs of migrations that run after the deploy (besides those marked in the file itself). */
  postDeploy: string[];
  hygieneScope: 'leaves' | 'all';
  /** Folder the relative paths in this config are relative to (where pyproject.toml was found). */
  root: string;
}

export const DEFAULT_CONFIG: ResolvedConfig = {
  postgresVersion: 16,
  djangoVersion: '5.2',
  ignore: [],
  severity: {},
  exclude: [],
  postDeploy: [],
  hygieneScope: 'leaves',
  root: '.',
};
