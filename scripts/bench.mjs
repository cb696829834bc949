// `npm run bench`: how fast is `migration-guard check` on a large project, compared with doing nothing but
// parsing the same files with @lezer/python? Generates a deterministic corpus (>= 2,000 migrations, 40 apps) in
// .bench/, runs the built CLI and the bare parse as separate processes several times, alternating (the machine
// may be shared: the fastest run of each is the least disturbed one), and prints a table.
// Then the language server's figures (scripts/bench-lsp.mjs). Options: --runs N (default 5), --workers auto|N
// (the CLI's setting; default auto), --cli-only (skip the language server part).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCorpus } from './benchCorpus.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BENCH = join(ROOT, '.bench');
const CORPUS = join(BENCH, 'corpus');
const CLI = join(ROOT, 'dist', 'cli.js');

function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] ? process.argv[index + 1] : fallback;
}
const runs = Math.max(1, Math.min(50, Number(option('runs', '5')) || 5));
const workers = option('workers', 'auto');

if (!existsSync(CLI)) {
  console.error('dist/cli.js is missing: run `npm run build` first (npm run bench does).');
  process.exit(1);
}

/** Migration files as the CLI finds them: `<app>/migrations/<name>.py`, no `__init__.py`. */
function migrationFiles(dir) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...migrationFiles(full));
    else if (entry.name.endsWith('.py') && entry.name !== '__init__.py' && dir.endsWith(`${'/'}migrations`)) found.push(full);
  }
  return found.sort();
}

function timed(args) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0 && result.status !== 1) {
    console.error(`${args.join(' ')} exited with ${result.status}:\n${result.stderr}`);
    process.exit(1);
  }
  return { wallMs, stdout: result.stdout, stderr: result.stderr };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fastest = (samples) => samples.reduce((best, sample) => (sample.wallMs < best.wallMs ? sample : best));

const corpus = generateCorpus(CORPUS);
const files = migrationFiles(CORPUS);
const listFile = join(BENCH, 'files.txt');
writeFileSync(listFile, `${files.join('\n')}\n`);
const bytes = files.reduce((sum, file) => sum + statSync(file).size, 0);
console.log(`Corpus: ${files.length} migrations in 40 apps, ${corpus.lines.toLocaleString('en')} lines, ${(bytes / 1048576).toFixed(1)} MB (.bench/corpus, seed fixed)`);
console.log(`Machine: ${availableParallelism()} cores, Node ${process.version}; ${runs} alternating runs each, CLI --workers ${workers}\n`);

const bare = [];
const cli = [];
for (let run = 0; run < runs; run++) {
  const parse = timed([join(ROOT, 'scripts', 'bareParse.mjs'), listFile]);
  bare.push({ ...parse, ...JSON.parse(parse.stdout) });
  const check = timed([CLI, 'check', CORPUS, '--format', 'json', '--stats', '--no-cache', '--workers', workers]);
  const stats = JSON.parse(/migration-guard stats (\{.*\})/.exec(check.stderr)[1]);
  const report = JSON.parse(check.stdout);
  cli.push({ ...check, stats, findings: report.findings.length, errors: report.errors.length });
}

/**
 * A private cache folder for `corpus`, emptied, then primed twice: the first run creates the folder, which changes
 * the listing of .bench/ that it read (the Django version detection lists each folder above the corpus), so only the
 * second run keeps a record to replay.
 */
function primedCache(corpus, name) {
  const env = { ...process.env, MIGRATION_GUARD_CACHE_DIR: join(BENCH, name) };
  rmSync(env.MIGRATION_GUARD_CACHE_DIR, { recursive: true, force: true });
  for (let prime = 0; prime < 2; prime++) spawnSync(process.execPath, [CLI, 'check', corpus, '--format', 'json'], { cwd: ROOT, env, maxBuffer: 256 * 1024 * 1024 });
  return env;
}

/** A warm `check --stats` of `corpus`: its wall time, whether the cache answered as `expected`, whether stdout is `truth`. */
function warmRun(corpus, env, expected, truth) {
  const { wallMs, stdout, stats: warmStats } = cachedCheck(corpus, env);
  return { wallMs, hit: warmStats.cache === expected, filesRead: warmStats.filesRead, same: stdout === truth };
}

/** A `check --stats` of `corpus` with its cache on: wall time, stdout and the CLI's stats. */
function cachedCheck(corpus, env) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [CLI, 'check', corpus, '--format', 'json', '--stats'], { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  return { wallMs, stdout: result.stdout, stats: JSON.parse(/migration-guard stats (\{.*\})/.exec(result.stderr)?.[1] ?? '{}') };
}

// Warm runs: the same corpus unchanged, replayed from the record of the previous run, then without that record.
const cacheEnv = primedCache(CORPUS, 'cache');
const warm = [];
const analysisCacheOnly = [];
// Node's own start-up, measured alternately with the warm runs: what no change to the tool can go below.
const startup = [];
const dropRecords = () => {
  for (const name of readdirSync(cacheEnv.MIGRATION_GUARD_CACHE_DIR)) if (name.startsWith('replay-')) rmSync(join(cacheEnv.MIGRATION_GUARD_CACHE_DIR, name));
};
for (let run = 0; run < runs; run++) {
  startup.push(timed(['-e', '0']));
  warm.push(warmRun(CORPUS, cacheEnv, 'replay', cli[0].stdout));
  // Without the record of the previous run (another command line, or the first run after a change elsewhere):
  // the engine loads and finds the analysis in its cache.
  dropRecords();
  analysisCacheOnly.push(warmRun(CORPUS, cacheEnv, 'hit', cli[0].stdout));
}

/**
 * Checks of `corpus` after a one-line edit of one migration, a different edit each run (a commit that changed one
 * file): the analysis runs again, but the other files' syntax trees come from the cache (treeCache.ts). The edited
 * file is put back afterwards; the last run's output is compared with an uncached run of the same files.
 */
function changedRuns(corpus, env) {
  const edited = migrationFiles(corpus)[0];
  const original = readFileSync(edited, 'utf8');
  const samples = [];
  let same = false;
  try {
    for (let run = 0; run < runs; run++) {
      writeFileSync(edited, `${original}\n# bench edit ${run} ${Date.now()}\n`);
      const { wallMs, stdout, stats: changedStats } = cachedCheck(corpus, env);
      samples.push({ wallMs, stdout, reused: changedStats.treesReused, files: changedStats.files, miss: changedStats.cache === 'miss' });
    }
    same = timed([CLI, 'check', corpus, '--format', 'json', '--no-cache']).stdout === samples[samples.length - 1].stdout;
  } finally {
    writeFileSync(edited, original);
  }
  return { samples, same };
}

function changedRow({ samples, same }) {
  const trees = samples.every((s) => s.miss && s.reused === s.files - 1) ? `${samples[0].reused} of ${samples[0].files} trees from the cache` : 'NOT all runs reused the other files\' trees!';
  return `${fastest(samples).wallMs.toFixed(0)} ms, ${median(samples.map((s) => s.wallMs)).toFixed(0)} ms (${trees}${same ? '' : '; output NOT equal to an uncached run!'})`;
}

const changed = changedRuns(CORPUS, cacheEnv);

// `migration-guard sql` over the whole corpus: every migration's statements, generated without Django.
const sql = [];
for (let run = 0; run < runs; run++) {
  const result = timed([CLI, 'sql', CORPUS, '--format', 'json']);
  sql.push({ ...result, statements: JSON.parse(result.stdout).migrations.reduce((sum, migration) => sum + migration.operations.reduce((count, operation) => count + operation.statements.length, 0), 0) });
}

/** CPU time of the CLI against the bare parse's, and their ratio. */
function cpuRow(cliCpuMs, bareCpuMs) {
  return `CLI ${cliCpuMs} ms, bare parse ${bareCpuMs} ms (${(cliCpuMs / bareCpuMs).toFixed(2)}x)`;
}

const bestCli = fastest(cli);
const bestBare = fastest(bare);
const stats = bestCli.stats;
// In worker mode the CLI measures its parse phase itself; single-threaded, the bare in-process parse time of the
// same files is the best estimate of what parsing costs inside the CLI.
const parseShare = stats.workers > 0 ? stats.parseMs / stats.totalMs : Math.min(1, bestBare.parseMs / stats.totalMs);
const rows = [
  ['files analysed', `${stats.files}`],
  ['lines analysed', stats.lines.toLocaleString('en')],
  ['findings / file errors', `${bestCli.findings} / ${bestCli.errors}`],
  ['CLI wall time (fastest, median)', `${bestCli.wallMs.toFixed(0)} ms, ${median(cli.map((s) => s.wallMs)).toFixed(0)} ms`],
  ['CLI files/s', `${Math.round(stats.files / (bestCli.wallMs / 1000)).toLocaleString('en')}`],
  ['CLI lines/s', `${Math.round(stats.lines / (bestCli.wallMs / 1000)).toLocaleString('en')}`],
  ['  inside: discover + read', `${(stats.discoverMs + stats.readMs).toFixed(0)} ms`],
  ['  inside: parse (+ models)', stats.workers > 0 ? `${stats.parseMs.toFixed(0)} ms on ${stats.workers} worker(s) + main` : 'in analysis (single thread)'],
  ['  inside: analysis', `${stats.analyzeMs.toFixed(0)} ms`],
  ['share of time parsing', `${(parseShare * 100).toFixed(0)} %${stats.workers > 0 ? '' : ' (bare parse time / CLI time)'}`],
  ['peak memory (max RSS)', `${(stats.maxRssKb / 1024).toFixed(0)} MB`],
  ['bare parse wall time (fastest, median)', `${bestBare.wallMs.toFixed(0)} ms, ${median(bare.map((s) => s.wallMs)).toFixed(0)} ms`],
  ['bare parse in-process', `${bestBare.parseMs} ms`],
  ['CLI warm (recorded run replayed) wall time (fastest, median)', `${fastest(warm).wallMs.toFixed(0)} ms, ${median(warm.map((s) => s.wallMs)).toFixed(0)} ms${warm.every((s) => s.hit && s.same) ? '' : ' (NOT all replays with equal output!)'}, ${Math.max(...warm.map((s) => s.filesRead ?? NaN))} files read (target < 150 ms)`],
  ['  the same without a record (engine loaded, analysis cache hit)', `${fastest(analysisCacheOnly).wallMs.toFixed(0)} ms, ${median(analysisCacheOnly.map((s) => s.wallMs)).toFixed(0)} ms${analysisCacheOnly.every((s) => s.hit && s.same) ? '' : ' (NOT all hits with equal output!)'}`],
  ['  the same, node -e 0 (Node start-up alone)', `${fastest(startup).wallMs.toFixed(0)} ms, ${median(startup.map((s) => s.wallMs)).toFixed(0)} ms`],
  ['CLI after a one-line edit of one migration (fastest, median)', changedRow(changed)],
  ['sql: SQL of every migration (fastest, median)', `${fastest(sql).wallMs.toFixed(0)} ms, ${median(sql.map((s) => s.wallMs)).toFixed(0)} ms for ${sql[0].statements.toLocaleString('en')} statements (sqlmigrate needs Django and a database per migration)`],
  ['ratio CLI / bare parse (wall)', `${(bestCli.wallMs / bestBare.wallMs).toFixed(2)}x (target <= 1.5x)`],
  ['CPU time, every thread (fastest runs)', cpuRow(bestCli.stats.cpuMs, bestBare.cpuMs)],
  // Spreading the same work over more threads does not lower its CPU time: below this, only less work helps.
  [`  the CLI's floor on ${availableParallelism()} cores (its CPU time / cores)`, `${Math.round(bestCli.stats.cpuMs / availableParallelism())} ms, against ${Math.round(1.5 * bestBare.wallMs)} ms for 1.5x the bare parse`],
];

// The side-by-side project of the issue: a generated Django project of 500 migrations (10 apps of 50), checked cold
// (--no-cache), replayed (the same run again), and parsed bare, alternating.
const SMALL = join(BENCH, 'corpus500');
generateCorpus(SMALL, { apps: 10, migrationsPerApp: 50 });
const smallList = join(BENCH, 'files500.txt');
writeFileSync(smallList, `${migrationFiles(SMALL).join('\n')}\n`);
const smallEnv = primedCache(SMALL, 'cache500');
const small = { cold: [], replay: [], bare: [] };
for (let run = 0; run < runs; run++) {
  const cold = timed([CLI, 'check', SMALL, '--format', 'json', '--no-cache', '--stats', '--workers', workers]);
  small.cold.push({ ...cold, stats: JSON.parse(/migration-guard stats (\{.*\})/.exec(cold.stderr)[1]) });
  small.replay.push(warmRun(SMALL, smallEnv, 'replay', small.cold[0].stdout));
  const parse = timed([join(ROOT, 'scripts', 'bareParse.mjs'), smallList]);
  small.bare.push({ ...parse, ...JSON.parse(parse.stdout) });
}
rows.push(
  [`500-migration project (${migrationFiles(SMALL).length} files): cold check (fastest, median)`, `${fastest(small.cold).wallMs.toFixed(0)} ms, ${median(small.cold.map((s) => s.wallMs)).toFixed(0)} ms (target < 350 ms)`],
  ['  after a one-line edit of one migration', changedRow(changedRuns(SMALL, smallEnv))],
  ['  replayed (unchanged, second run)', `${fastest(small.replay).wallMs.toFixed(0)} ms, ${median(small.replay.map((s) => s.wallMs)).toFixed(0)} ms${small.replay.every((s) => s.hit && s.same) ? '' : ' (NOT all replays with equal output!)'}`],
  ['  bare parse of the same files', `${fastest(small.bare).wallMs.toFixed(0)} ms, ${median(small.bare.map((s) => s.wallMs)).toFixed(0)} ms (${fastest(small.bare).parseMs} ms of it parsing)`],
  ['  CPU time, every thread (fastest runs)', `${cpuRow(fastest(small.cold).stats.cpuMs, fastest(small.bare).cpuMs)}; the CLI's floor on ${availableParallelism()} cores: ${Math.round(fastest(small.cold).stats.cpuMs / availableParallelism())} ms`],
);

const width = Math.max(...rows.map(([label]) => label.length));
for (const [label, value] of rows) console.log(`${label.padEnd(width)}  ${value}`);

if (!process.argv.includes('--cli-only')) {
  console.log('');
  try {
    const { benchLsp } = await import('./bench-lsp.mjs');
    await benchLsp();
  } catch (error) {
    // The CLI figures above stand on their own; a failing server benchmark is reported, not fatal.
    console.log(`Language server benchmark failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
