// Warm runs: the analysis of an unchanged project is read back instead of recomputed. The key hashes everything
// the analysis depends on: the tool (its version and the running bundle's bytes), the resolved configuration and
// every migration and settings file's path and content (a migration's content by its digest, which the digest memo
// supplies without reading the file when its metadata is unchanged: fileDigests.ts). Exclusions and the baseline
// are applied after the cache, so they need not be in the key. One entry per project folder, overwritten on a miss,
// so the cache stays small; any failure to read or write it only means a cold run.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Tree } from '@lezer/common';
import { parser } from '@lezer/python';
import type { AnalysisResult, SourceFile } from '../analyze';
import type { ResolvedConfig } from '../config/types';
import type { AnalysisTimings } from '../parallelAnalyze';
import { cacheFolder, cacheFolderStamp, ensureCacheFolder } from './cacheFolder';
import { DigestMemo } from './fileDigests';
import type { MigrationInputs } from './migrationInputs';
import { TreeCache } from './treeCache';

const FORMAT = 2;

export interface CacheSettings {
  /** Tool version: a new release never reads an older one's entries. */
  version: string;
  /** Overrides `<project root>/.migration-guard-cache` (`MIGRATION_GUARD_CACHE_DIR`). */
  dir?: string;
}

export interface CacheInput {
  config: ResolvedConfig;
  /** The migration files, with their digests (MigrationInputs.read with the memo of openDigestMemo). */
  migrations: MigrationInputs;
  settingsFiles: readonly SourceFile[];
  /** The apps.py files: their labels change what every migration of the app is. */
  appConfigFiles?: readonly SourceFile[];
  /** Absolute project root: the default cache location and part of the entry's name. */
  root: string;
}

export type CachedTimings = AnalysisTimings & {
  cache: 'hit' | 'miss' | 'off';
  cacheMs: number;
  /** Files whose syntax tree came from an earlier run (treeCache.ts) instead of a parse. */
  treesReused: number;
};

let toolDigest: string | undefined;

/** The running code itself, so a rebuilt bundle with the same version number does not reuse stale results. */
function toolIdentity(version: string): string {
  if (toolDigest === undefined) {
    const hash = createHash('sha256');
    for (const file of [require.main?.filename, __filename]) {
      if (file && existsSync(file)) hash.update(readFileSync(file));
    }
    toolDigest = hash.digest('hex');
  }
  return `${FORMAT}\u0000${version}\u0000${toolDigest}`;
}

/** Object keys sorted at every level, so equal configs serialise equally. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

/** `folderStamp`: cacheFolderStamp of the cache folder, so entries not written on this machine never match. */
export function analysisKey(settings: CacheSettings, input: CacheInput, folderStamp: string): string {
  const hash = createHash('sha256');
  hash.update(toolIdentity(settings.version)).update('\u0000').update(folderStamp).update('\u0000').update(canonical(input.config)).update('\u0000');
  for (const file of input.migrations.files) {
    if (file.digest === undefined) throw new Error(`internal: ${file.path} was read without a digest`);
    hash.update(`m\u0000${file.path}\u0000${file.digest}\u0000`);
  }
  for (const [kind, files] of [['s', input.settingsFiles], ['a', input.appConfigFiles ?? []]] as const) {
    for (const file of files) hash.update(`${kind}\u0000${file.path}\u0000${file.text.length}\u0000`).update(file.text).update('\u0000');
  }
  return hash.digest('hex');
}

function cacheFile(settings: CacheSettings, root: string, kind: 'analysis' | 'files' | 'trees'): string {
  const extension = kind === 'trees' ? 'bin' : 'json';
  return join(cacheFolder(settings, root), `${kind}-${createHash('sha256').update(root).digest('hex').slice(0, 16)}.${extension}`);
}

/** The memo of the project's migration digests, to pass to MigrationInputs.read. */
export function openDigestMemo(settings: CacheSettings, root: string): DigestMemo {
  return DigestMemo.load(cacheFile(settings, root, 'files'), cacheFolderStamp(cacheFolder(settings, root), true));
}

function readEntry(file: string, key: string): AnalysisResult | undefined {
  try {
    const entry = JSON.parse(readFileSync(file, 'utf8')) as { key?: unknown; result?: AnalysisResult };
    if (entry.key !== key || !entry.result || !Array.isArray(entry.result.findings) || !Array.isArray(entry.result.errors)) return undefined;
    return entry.result;
  } catch {
    return undefined;
  }
}

function writeEntry(file: string, key: string, result: AnalysisResult): void {
  try {
    ensureCacheFolder(join(file, '..'));
    // Write then rename: a concurrent run (pre-commit and an editor) never reads half a file.
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify({ key, result: { findings: result.findings, errors: result.errors } }));
    renameSync(temporary, file);
  } catch {
    // A read-only checkout just runs cold every time.
  }
}

/**
 * Runs `analyse` unless the cache holds the result for exactly this input. `settings` undefined: no cache
 * (`--no-cache`). The result is the same either way; only the timings say which it was.
 */
export async function analyzeWithCache<T extends AnalysisResult & { timings: AnalysisTimings; trees?: readonly (Tree | undefined)[] }>(
  settings: CacheSettings | undefined,
  input: CacheInput,
  analyse: (sources: SourceFile[]) => Promise<T>,
): Promise<AnalysisResult & { timings: CachedTimings }> {
  const started = performance.now();
  const folderStamp = settings && cacheFolderStamp(cacheFolder(settings, input.root), true);
  if (!settings || !folderStamp) {
    const result = await analyse(input.migrations.sources());
    return { findings: result.findings, errors: result.errors, timings: { ...result.timings, treesReused: 0, cache: 'off', cacheMs: 0 } };
  }
  const file = cacheFile(settings, input.root, 'analysis');
  const hit = readEntry(file, analysisKey(settings, input, folderStamp));
  if (hit) {
    input.migrations.saveMemo();
    return { ...hit, timings: { parseMs: 0, parseCpuMs: 0, analyzeMs: 0, workers: 0, treesReused: 0, cache: 'hit', cacheMs: performance.now() - started } };
  }
  // Reading the files the memo vouched for may find one changed since: the key is computed from what is analysed.
  const sources = input.migrations.sources();
  const key = analysisKey(settings, input, folderStamp);
  // The files that did not change since an earlier run are not parsed again (treeCache.ts).
  const trees = TreeCache.load(cacheFile(settings, input.root, 'trees'), toolIdentity(settings.version), folderStamp, parser.nodeSet);
  const digests = sources.map((source) => input.migrations.digestOf(source.path));
  const withTrees = sources.map((source, index) => {
    const digest = digests[index];
    const tree = digest === undefined ? undefined : trees.treeFor(digest, source.text.length);
    return tree ? { ...source, tree } : source;
  });
  const lookupMs = performance.now() - started;
  const result = await analyse(withTrees);
  const writeStarted = performance.now();
  writeEntry(file, key, result);
  input.migrations.saveMemo();
  const parsed = sources.flatMap((source, index) => {
    const tree = result.trees?.[index];
    const digest = digests[index];
    return tree && digest !== undefined ? [{ digest, length: source.text.length, tree }] : [];
  });
  trees.save(parsed);
  const timings = { ...result.timings, treesReused: trees.reused, cache: 'miss' as const, cacheMs: lookupMs + performance.now() - writeStarted };
  return { findings: result.findings, errors: result.errors, timings };
}
