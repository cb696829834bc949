// Reads `[tool.migration-guard]` from pyproject.toml (or any .toml holding the same table), validates it, and
// merges configuration layers (defaults < pyproject < editor settings or CLI flags) into a ResolvedConfig.
import { existsSync, readFileSync, statSync } from '../projectFs';
import { dirname, isAbsolute, join, normalize, resolve } from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import type { Severity } from '../types';
import { didYouMean } from '../suggest';
import { DATABASES, DEFAULT_CONFIG, type ConfigLayer, type Database, type ResolvedConfig } from './types';

/** A configuration problem the user must fix; front doors show `message` as is (CLI: stderr, exit 2). */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const TABLE_NAME = 'tool.migration-guard';

const SEVERITY_VALUES: readonly (Severity | 'off')[] = ['error', 'warning', 'info', 'off'];

/** Table key -> how to validate it and where it goes in ConfigLayer. */
const KEYS = ['database', 'postgres-version', 'django-version', 'select', 'ignore', 'severity', 'exclude', 'baseline', 'migration-modules', 'post-deploy', 'hygiene-scope'] as const;
type Key = (typeof KEYS)[number];

export interface LoadedConfig {
  /** The layer read from the file; empty when no file holds the table. */
  layer: ConfigLayer;
  /** The file the layer came from, when any. */
  file?: string;
  /** Folder that relative paths in the layer (exclude, baseline) are relative to. */
  root: string;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null || value === undefined) return 'nothing';
  if (typeof value === 'object') return value instanceof Date ? 'a date' : 'a table';
  if (typeof value === 'number') return Number.isInteger(value) ? `the integer ${value}` : `the float ${value}`;
  if (typeof value === 'bigint') return `the integer ${value}`;
  return `the ${typeof value} ${JSON.stringify(value)}`;
}

function stringList(where: string, key: string, value: unknown): string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    const example = key === 'exclude' ? '["legacy/*/migrations/*.py"]' : key === 'post-deploy' ? '["*/migrations/*_post_deploy.py"]' : '["remove-field"]';
    const badEntry = Array.isArray(value) ? value.findIndex((item) => typeof item !== 'string') : -1;
    const what = badEntry >= 0 ? `; entry ${badEntry + 1} is ${describe((value as unknown[])[badEntry])}, not a string` : `, not ${describe(value)}`;
    throw new ConfigError(`${where}: "${key}" must be an array of strings, e.g. ${key} = ${example}${what}`);
  }
  return value as string[];
}

function readDatabase(where: string, value: unknown): Database {
  if (typeof value === 'string' && (DATABASES as readonly string[]).includes(value)) return value as Database;
  const hint = typeof value === 'string' ? didYouMean(value, DATABASES) : '';
  throw new ConfigError(`${where}: "database" must be one of ${DATABASES.map((d) => `"${d}"`).join(', ')}, not ${describe(value)}${hint}`);
}

function readPostgresVersion(where: string, value: unknown): number {
  const number = typeof value === 'bigint' ? Number(value) : value;
  if (typeof number === 'number' && Number.isInteger(number) && number >= 9 && number <= 99) return number;
  throw new ConfigError(`${where}: "postgres-version" must be a major version as an integer, e.g. postgres-version = 16, not ${describe(value)}`);
}

function readDjangoVersion(where: string, value: unknown): string {
  if (typeof value === 'number') {
    throw new ConfigError(`${where}: "django-version" must be a quoted string such as "4.2" (a float cannot tell 3.1 from 3.10), not ${describe(value)}`);
  }
  const match = typeof value === 'string' ? /^(\d+)\.(\d+)(?:\.\d+)?$/.exec(value.trim()) : null;
  if (!match) throw new ConfigError(`${where}: "django-version" must look like "4.2" (major.minor), not ${describe(value)}`);
  return `${Number(match[1])}.${Number(match[2])}`;
}

function readSeverityTable(where: string, value: unknown): Record<string, Severity | 'off'> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Date) {
    throw new ConfigError(`${where}: "severity" must be a table of rule id = "error" | "warning" | "info" | "off", not ${describe(value)}`);
  }
  const severities: [string, Severity | 'off'][] = [];
  for (const [rule, level] of Object.entries(value)) {
    if (typeof level !== 'string' || !(SEVERITY_VALUES as readonly string[]).includes(level)) {
      const hint = typeof level === 'string' ? didYouMean(level, SEVERITY_VALUES) : '';
      throw new ConfigError(`${where}: severity of "${rule}" must be "error", "warning", "info" or "off", not ${describe(level)}${hint}`);
    }
    severities.push([rule, level as Severity | 'off']);
  }
  // fromEntries defines own keys: a key named `__proto__` is kept (and reported as an unknown rule), where an
  // assignment would have set the prototype and dropped it.
  return Object.fromEntries(severities);
}

/** `migration-modules = { shop = "shop.db_migrations" }`: like Django's MIGRATION_MODULES, labels to dotted modules. */
function readMigrationModules(where: string, value: unknown): Record<string, string> {
  const example = 'migration-modules = { shop = "shop.db_migrations" }';
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Date) {
    throw new ConfigError(`${where}: "migration-modules" must be a table of app label = "dotted.module", e.g. ${example}, not ${describe(value)}`);
  }
  const modules: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [label, module] of Object.entries(value)) {
    if (!/^[A-Za-z_]\w*$/.test(label)) throw new ConfigError(`${where}: "migration-modules" key ${JSON.stringify(label)} is not an app label (letters, digits and _)`);
    if (typeof module !== 'string' || !/^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/.test(module)) {
      throw new ConfigError(`${where}: migration module of "${label}" must be a dotted module path such as "shop.db_migrations", not ${describe(module)}`);
    }
    modules[label] = module;
  }
  return modules;
}

/** Validates the contents of a `[tool.migration-guard]` table. `where` names it in messages (file path and table). */
function validateTable(table: Record<string, unknown>, where: string): ConfigLayer {
  const layer: ConfigLayer = {};
  for (const [key, value] of Object.entries(table)) {
    if (!(KEYS as readonly string[]).includes(key)) {
      throw new ConfigError(`${where}: unknown key "${key}"${didYouMean(key, KEYS)}; known keys: ${KEYS.join(', ')}`);
    }
    switch (key as Key) {
      case 'database':
        layer.database = readDatabase(where, value);
        break;
      case 'postgres-version':
        layer.postgresVersion = readPostgresVersion(where, value);
        break;
      case 'django-version':
        layer.djangoVersion = readDjangoVersion(where, value);
        break;
      case 'select':
        layer.select = stringList(where, key, value);
        break;
      case 'ignore':
        layer.ignore = stringList(where, key, value);
        break;
      case 'severity':
        layer.severity = readSeverityTable(where, value);
        break;
      case 'exclude':
        layer.exclude = stringList(where, key, value);
        break;
      case 'baseline':
        if (typeof value !== 'string' || value.trim() === '') {
          throw new ConfigError(`${where}: "baseline" must be a file path string, not ${describe(value)}`);
        }
        // A config file may come with an untrusted checkout: it names files of the project, nothing beside it.
        if (isAbsolute(value) || normalize(value).split(/[\\/]/)[0] === '..') {
          throw new ConfigError(`${where}: "baseline" must be a path inside the project (relative, without leading ..), not ${JSON.stringify(value)}`);
        }
        layer.baseline = value;
        break;
      case 'migration-modules':
        layer.migrationModules = readMigrationModules(where, value);
        break;
      case 'post-deploy':
        layer.postDeploy = stringList(where, key, value);
        break;
      case 'hygiene-scope':
        if (value !== 'leaves' && value !== 'all') {
          throw new ConfigError(`${where}: "hygiene-scope" must be "leaves" (report hygiene rules on migrations nothing depends on yet) or "all", not ${describe(value)}`);
        }
        layer.hygieneScope = value;
        break;
    }
  }
  return layer;
}

/**
 * Parses TOML text and returns the validated `[tool.migration-guard]` layer, or undefined when the file has no
 * such table. Throws ConfigError for invalid TOML or invalid values.
 */
export function parseConfigText(text: string, fileName: string): ConfigLayer | undefined {
  let document: Record<string, unknown>;
  try {
    document = parseToml(text) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof TomlError) {
      const firstLine = error.message.split('\n', 1)[0] ?? error.message;
      throw new ConfigError(`${fileName}:${error.line}:${error.column}: invalid TOML: ${firstLine.replace(/^Invalid TOML document: /, '')}`);
    }
    throw new ConfigError(`${fileName}: invalid TOML: ${(error as Error).message}`);
  }
  const tool = document['tool'];
  if (typeof tool !== 'object' || tool === null || Array.isArray(tool)) return undefined;
  const table = (tool as Record<string, unknown>)['migration-guard'];
  if (table === undefined) {
    const misspelt = Object.keys(tool).find((name) => name === 'migration_guard' || name === 'migrationguard' || name === 'migration-guard ');
    if (misspelt) throw new ConfigError(`${fileName}: found [tool.${misspelt}]; the table is named [${TABLE_NAME}]`);
    return undefined;
  }
  if (typeof table !== 'object' || table === null || Array.isArray(table) || table instanceof Date) {
    throw new ConfigError(`${fileName}: [${TABLE_NAME}] must be a table, not ${describe(table)}`);
  }
  return validateTable(table as Record<string, unknown>, `${fileName} [${TABLE_NAME}]`);
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new ConfigError(`cannot read config file ${file}: ${reason}`);
  }
}

/** Reads an explicitly named config file (`--config FILE`): it must exist and hold the table. */
export function loadConfigFile(file: string): LoadedConfig {
  const absolute = resolve(file);
  const layer = parseConfigText(readText(absolute), file);
  if (!layer) throw new ConfigError(`${file}: no [${TABLE_NAME}] table in this file`);
  return { layer, file: absolute, root: dirname(absolute) };
}

/**
 * Finds the nearest pyproject.toml holding `[tool.migration-guard]`, walking up from `start` (a file or folder).
 * A pyproject.toml without the table is passed over, so a monorepo's outer config still applies. Like ruff, the
 * search stops at the repository root (a folder holding `.git`) and at `stopAt` (the workspace folder): a
 * pyproject.toml in a folder above the project must not configure it.
 */
export function findConfig(start: string, stopAt?: string): LoadedConfig | undefined {
  const boundary = stopAt === undefined ? undefined : resolve(stopAt);
  let folder = resolve(start);
  try {
    if (!statSync(folder).isDirectory()) folder = dirname(folder);
  } catch {
    folder = dirname(folder);
  }
  for (let depth = 0; depth < 256; depth++) {
    const candidate = join(folder, 'pyproject.toml');
    if (existsSync(candidate) && statSync(candidate).isFile()) {
      const layer = parseConfigText(readText(candidate), candidate);
      if (layer) return { layer, file: candidate, root: folder };
    }
    if (folder === boundary || existsSync(join(folder, '.git'))) break;
    const parent = dirname(folder);
    if (parent === folder) break;
    folder = parent;
  }
  return undefined;
}

/**
 * Merges layers, lowest first, over DEFAULT_CONFIG. A key present in a higher layer replaces the lower one's,
 * except `severity`, which merges per rule.
 */
export function resolveConfig(root: string, ...layers: ConfigLayer[]): ResolvedConfig {
  const config: ResolvedConfig = { ...DEFAULT_CONFIG, ignore: [...DEFAULT_CONFIG.ignore], severity: { ...DEFAULT_CONFIG.severity }, exclude: [...DEFAULT_CONFIG.exclude], postDeploy: [...DEFAULT_CONFIG.postDeploy], root };
  for (const layer of layers) {
    if (layer.database !== undefined) config.database = layer.database;
    if (layer.postgresVersion !== undefined) config.postgresVersion = layer.postgresVersion;
    if (layer.djangoVersion !== undefined) {
      config.djangoVersion = layer.djangoVersion;
      if (layer.djangoVersionFrom !== undefined) config.djangoVersionFrom = layer.djangoVersionFrom;
      else delete config.djangoVersionFrom;
    }
    if (layer.select !== undefined) config.select = [...layer.select];
    if (layer.ignore !== undefined) config.ignore = [...layer.ignore];
    if (layer.severity !== undefined) config.severity = { ...config.severity, ...layer.severity };
    if (layer.exclude !== undefined) config.exclude = [...layer.exclude];
    if (layer.baseline !== undefined) config.baseline = layer.baseline;
    if (layer.migrationModules !== undefined) config.migrationModules = { ...config.migrationModules, ...layer.migrationModules };
    if (layer.postDeploy !== undefined) config.postDeploy = [...layer.postDeploy];
    if (layer.hygieneScope !== undefined) config.hygieneScope = layer.hygieneScope;
  }
  return config;
}

/** Rule ids a layer mentions (select, ignore, severity) that are not in `known`, each with a suggestion. */
export function unknownRuleIds(layer: ConfigLayer, known: ReadonlySet<string>): string[] {
  const mentioned = [...(layer.select ?? []), ...(layer.ignore ?? []), ...Object.keys(layer.severity ?? {})];
  return [...new Set(mentioned)].filter((id) => !known.has(id)).map((id) => `"${id}"${didYouMean(id, known)}`);
}
