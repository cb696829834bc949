// `migration-guard check` without the terminal: find the files, load the configuration layers, read every file
// defensively, analyse them together, then apply `exclude` and the baseline. The CLI only parses flags and prints.
import { performance } from 'node:perf_hooks';
import { resolve } from 'node:path';
import type { FileError, SourceFile } from './analyze';
import { analyzeWithCache, openDigestMemo, type CacheSettings } from './cache/analysisCache';
import { cacheFolder } from './cache/cacheFolder';
import { MigrationInputs } from './cache/migrationInputs';
import { createBaseline, fingerprinter, readBaseline, writeBaseline } from './config/baseline';
import { ProjectPolicy } from './config/projectPolicy';
import { ignorableRuleIds, suppressForReport } from './suppression';
import { detectedDjangoLayer } from './config/detectedDjangoVersion';
import { ConfigError, findConfig, loadConfigFile, resolveConfig, unknownRuleIds, type LoadedConfig } from './config/pyproject';
import type { ConfigLayer, ResolvedConfig } from './config/types';
import { ProjectLayout } from './django/projectLayout';
import { discoverFiles, displayPath, migrationFilesOf, readSourceFile, type DiscoveredFiles } from './files';
import type { Report } from './format/report';
import { analyzeSources, ParsePool, type AnalysisTimings } from './parallelAnalyze';
import { ALL_RULES } from './rules/index';
import type { Finding } from './types';

export interface CheckRequest {
  /** Files or folders to check (relative to cwd or absolute). */
  paths: string[];
  cwd: string;
  /** `--config FILE`; otherwise the nearest pyproject.toml with the table is used. */
  configFile?: string;
  /** The command-line layer, above the file's. */
  flags: ConfigLayer;
  /** `--baseline FILE` (overrides the config's `baseline`). */
  baselineFile?: string;
  /** `--write-baseline FILE`: accept every current finding. */
  writeBaselineFile?: string;
  /** `--force`: --write-baseline may replace a file that is not a baseline. */
  force?: boolean;
  /** Worker threads to use: 'auto' decides from the amount of work. */
  workers?: number | 'auto';
  /** Reuse the analysis of unchanged input (absent: no cache, `--no-cache`). */
  cache?: CacheSettings;
}

export interface CheckTimings extends AnalysisTimings {
  discoverMs: number;
  readMs: number;
  /** Migration files read (with the cache, unchanged files are only stat'ed). */
  filesRead: number;
  totalMs: number;
}

export interface CheckOutcome {
  report: Report;
  /** Where the project's migrations are and what their apps are called. */
  layout: ProjectLayout;
  config: ResolvedConfig;
  configFile?: string;
  /** Number of lines across the analysed files (for --stats). */
  lineCount: number;
  /** Baseline fingerprint of a finding (SARIF partialFingerprints). */
  fingerprint(finding: Finding): string;
  /** Set when --write-baseline wrote a file. */
  baselineWritten?: { file: string; entries: number; findings: number };
  /** With the cache on: the folder it lives in. */
  cacheFolder?: string;
  timings: CheckTimings;
}

/** Rule ids that config may name: the catalogue plus the suppression stage's own `unused-ignore`. */
export function knownRuleIds(): Set<string> {
  return ignorableRuleIds(ALL_RULES.map((rule) => rule.id));
}

function checkRuleIds(layer: ConfigLayer, where: string): void {
  const unknown = unknownRuleIds(layer, knownRuleIds());
  if (unknown.length > 0) {
    throw new ConfigError(`${where}: unknown rule ${unknown.join(', ')}; \`migration-guard rules\` lists them all`);
  }
}

function loadConfig(request: CheckRequest): LoadedConfig {
  if (request.configFile) return loadConfigFile(resolve(request.cwd, request.configFile));
  const start = resolve(request.cwd, request.paths[0] ?? '.');
  return findConfig(start) ?? { layer: {}, root: request.cwd };
}

export async function checkProject(request: CheckRequest): Promise<CheckOutcome> {
  const started = performance.now();
  const { cwd } = request;

  const loaded = loadConfig(request);
  checkRuleIds(loaded.layer, loaded.file ? displayPath(loaded.file, cwd) : 'config');
  checkRuleIds(request.flags, 'command line');
  const config = resolveConfig(loaded.root, detectedDjangoLayer(resolve(cwd, request.paths[0] ?? '.')), loaded.layer, request.flags);

  const discovered = discoverFiles(request.paths, cwd);
  const { layout, settingsFiles, appConfigFiles } = readLayout(discovered, config, cwd);
  const migrations = migrationFilesOf(discovered, layout);
  const discoverMs = performance.now() - started;
  if (migrations.length === 0 && discovered.notMigrations.length === 0 && discovered.unreadableFolders.length === 0) {
    throw new NoMigrationsFoundError(request.paths);
  }
  // Started before reading the files, so the threads load their code meanwhile.
  const pool = ParsePool.start(migrations.length, request.workers ?? 'auto');
  try {
    const project = { layout, settingsFiles, appConfigFiles, migrations };
    return await analyseDiscovered(request, config, loaded, discovered, project, pool, { started, discoverMs });
  } finally {
    pool.close();
  }
}

/** The readable files among `paths`, named by displayPath; unreadable ones are left out (the caller reports what matters). */
export function readSources(paths: readonly string[], cwd: string): SourceFile[] {
  return paths.flatMap((absolute) => {
    const result = readSourceFile(absolute);
    return result.ok ? [{ path: displayPath(absolute, cwd), text: result.text }] : [];
  });
}

/** Nothing to check is a misconfiguration, not a pass: a CI job pointed at the wrong folder must fail. */
export class NoMigrationsFoundError extends Error {
  constructor(readonly paths: string[]) {
    super(
      `no Django migration files found in ${paths.map((path) => JSON.stringify(path)).join(', ')}: looked for <app>/migrations/*.py and the ` +
        'packages MIGRATION_MODULES names. Pass the project folder (or the migrations folders), or set ' +
        '`migration-modules` in [tool.migration-guard] when the settings compute MIGRATION_MODULES.',
    );
    this.name = 'NoMigrationsFoundError';
  }
}

interface ProjectFiles {
  layout: ProjectLayout;
  settingsFiles: SourceFile[];
  appConfigFiles: SourceFile[];
  /** Absolute paths of the migration files the layout finds. */
  migrations: string[];
}

/** Reads the settings and apps.py files and builds the layout that says where migrations are and what apps are called. */
export function readLayout(discovered: DiscoveredFiles, config: ResolvedConfig, cwd: string): Omit<ProjectFiles, 'migrations'> {
  const read = (paths: string[]): SourceFile[] => readSources(paths, cwd);
  const settingsFiles = read(discovered.settings);
  const appConfigFiles = read(discovered.appConfigs);
  const layout = ProjectLayout.build({ settingsFiles, appConfigFiles, ...(config.migrationModules ? { migrationModules: config.migrationModules } : {}) });
  return { layout, settingsFiles, appConfigFiles };
}

async function analyseDiscovered(
  request: CheckRequest,
  config: ResolvedConfig,
  loaded: LoadedConfig,
  discovered: DiscoveredFiles,
  project: ProjectFiles,
  pool: ParsePool,
  clock: { started: number; discoverMs: number },
): Promise<CheckOutcome> {
  const { cwd } = request;

  // `exclude` globs are relative to the config root; excluded migrations are still read and analysed, because
  // the migrations after them need their history, but nothing is reported for them.
  // Absolute paths and root: the CLI's working directory (request.cwd) need not be the process's.
  const policy = new ProjectPolicy({ config: { ...config, root: resolve(cwd, config.root) }, layout: project.layout });
  const excluded = (absolute: string): boolean => policy.isExcluded(absolute);

  const readStarted = performance.now();
  const analysisRoot = resolve(cwd, config.root);
  const migrations = MigrationInputs.read(project.migrations, cwd, request.cache ? openDigestMemo(request.cache, analysisRoot) : undefined);
  const readMs = performance.now() - readStarted;

  const { layout, settingsFiles, appConfigFiles } = project;
  const analysis = await analyzeWithCache(request.cache, { config, migrations, settingsFiles, appConfigFiles, root: analysisRoot }, (sources) =>
    analyzeSources(sources, { config, settingsFiles, appConfigFiles, layout }, pool),
  );
  // After the analysis: a file only stat'ed may have turned out unreadable when it was read for it.
  const errors: FileError[] = [];
  for (const unreadable of migrations.unreadable) if (!excluded(unreadable.absolute)) errors.push({ file: unreadable.path, message: unreadable.message });
  for (const folder of discovered.unreadableFolders) errors.push({ file: displayPath(folder.path, cwd), message: folder.message });
  for (const absolute of discovered.notMigrations) {
    errors.push({ file: displayPath(absolute, cwd), message: 'not a migration file: Django loads migrations from <app>/migrations/ or the package MIGRATION_MODULES names for the app' });
  }
  // Resolved once per file, not once per finding (thousands on a large history).
  const absolutePaths = new Map<string, string>();
  const absolutePath = (file: string): string => {
    let absolute = absolutePaths.get(file);
    if (absolute === undefined) absolutePaths.set(file, (absolute = resolve(cwd, file)));
    return absolute;
  };
  for (const error of analysis.errors) if (!excluded(absolutePath(error.file))) errors.push(error);

  const sourceOf = (file: string): string | undefined => migrations.textOf(file);
  const fingerprint = fingerprinter(sourceOf);

  // The suppression stage's second step (suppression.ts): exclusion, then the baseline (unless writing one).
  let findings: Finding[];
  let baselineWritten: CheckOutcome['baselineWritten'];
  let baselineSuppressed = 0;
  if (request.writeBaselineFile) {
    findings = suppressForReport(analysis.findings, { policy, absolutePath, sourceOf }).kept;
    const baseline = createBaseline(findings, sourceOf, request.writeBaselineFile, cwd);
    writeBaseline(baseline, request.writeBaselineFile, cwd, request.force === true);
    baselineWritten = { file: request.writeBaselineFile, entries: baseline.findings.length, findings: findings.length };
  } else {
    const baselineFile = request.baselineFile ?? (config.baseline ? displayPath(resolve(config.root, config.baseline), cwd) : undefined);
    const baseline = baselineFile ? { baseline: readBaseline(baselineFile, cwd), file: baselineFile, cwd } : undefined;
    const suppressed = suppressForReport(analysis.findings, { policy, absolutePath, sourceOf, ...(baseline ? { baseline } : {}) });
    findings = suppressed.kept;
    baselineSuppressed = suppressed.baselineSuppressed;
  }

  return {
    report: { findings, errors, fileCount: project.migrations.length, baselineSuppressed },
    layout,
    config,
    ...(loaded.file ? { configFile: loaded.file } : {}),
    lineCount: migrations.lineCount,
    fingerprint,
    ...(baselineWritten ? { baselineWritten } : {}),
    ...(request.cache ? { cacheFolder: cacheFolder(request.cache, analysisRoot) } : {}),
    timings: { ...analysis.timings, discoverMs: clock.discoverMs, readMs, filesRead: migrations.readCount, totalMs: performance.now() - clock.started },
  };
}
