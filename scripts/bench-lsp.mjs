// Language server benchmark, through the real server over stdio as an editor would drive it:
//  - edit-to-diagnostics latency (p50, p95) for a generated 1,500-line migration and a 100-line one: each of N edits
//    is an incremental didChange, timed until the publishDiagnostics carrying that document version arrives;
//  - the server's resident memory after indexing a generated project of 2,000+ migrations (scripts/benchCorpus.mjs);
//  - in that project, the p95 of each editor request (completion, definition, references, history, symbols, code
//    lens) on a 1,500-line migration, asked again and again on the analysed document.
// Targets (issue 3): p95 < 20 ms for 1,500 lines, < 5 ms for 100 lines, < 150 MB after indexing 2,000 files;
// (issue 15): p95 < 10 ms per editor request.
// Usable alone (`node scripts/bench-lsp.mjs [--edits N] [--server dist/server.js]`) or from scripts/bench.mjs via
// `benchLsp()`.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generateCorpus, prng } from './benchCorpus.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { createProtocolConnection, StreamMessageReader, StreamMessageWriter } = require('vscode-languageserver-protocol/node');

const TARGETS = { largeP95Ms: 20, smallP95Ms: 5, rssMb: 150, navigationP95Ms: 10 };

/**
 * A migration of about `targetLines` lines shaped like a squashed one: models created with their fields, then a
 * stream of AddField / AlterField / RemoveField / AddIndex / RunSQL / RunPython, some of which the rules flag.
 */
export function generateMigration(targetLines, seed = 7) {
  const random = prng(seed);
  const lines = [
    'from django.db import migrations, models',
    '',
    '',
    'def backfill(apps, schema_editor):',
    '    Item = apps.get_model("bench", "Item0")',
    '    Item.objects.filter(code__isnull=True).update(code="")',
    '',
    '',
    'class Migration(migrations.Migration):',
    '    dependencies = [("bench", "0001_initial")]',
    '',
    '    operations = [',
  ];
  const models = [];
  let model = 0;
  let field = 0;
  const close = ['    ]', ''];
  while (lines.length + close.length < targetLines) {
    const roll = random();
    if (models.length === 0 || roll < 0.12) {
      const name = `Item${model++}`;
      models.push(name.toLowerCase());
      lines.push('        migrations.CreateModel(', `            name="${name}",`, '            fields=[');
      lines.push('                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),');
      for (let index = 0; index < 8; index++) lines.push(`                ("field_${index}", models.CharField(max_length=${50 + index}, blank=True)),`);
      lines.push('            ],', '        ),');
      continue;
    }
    const target = models[Math.floor(random() * models.length)];
    if (roll < 0.5) {
      lines.push('        migrations.AddField(', `            model_name="${target}",`, `            name="extra_${field++}",`, `            field=models.IntegerField(default=0, help_text="counter ${field}"),`, '        ),');
    } else if (roll < 0.7) {
      lines.push('        migrations.AlterField(', `            model_name="${target}",`, '            name="field_1",', `            field=models.CharField(max_length=${60 + Math.floor(random() * 40)}, blank=True),`, '        ),');
    } else if (roll < 0.8) {
      lines.push('        migrations.AddIndex(', `            model_name="${target}",`, `            index=models.Index(fields=["field_2"], name="${target}_f2_${field++}_idx"),`, '        ),');
    } else if (roll < 0.88) {
      lines.push('        migrations.RemoveField(', `            model_name="${target}",`, '            name="field_7",', '        ),');
    } else if (roll < 0.95) {
      lines.push(`        migrations.RunSQL("UPDATE bench_${target} SET field_0 = '' WHERE field_0 IS NULL", reverse_sql=migrations.RunSQL.noop),`);
    } else {
      lines.push('        migrations.RunPython(backfill, migrations.RunPython.noop),');
    }
  }
  lines.push(...close);
  return lines.join('\n');
}

const INITIAL = `from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Seed",
            fields=[("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"))],
        ),
    ]
`;

class BenchClient {
  constructor(serverPath, workspace) {
    // MG_BENCH_CPU_PROF=<dir>: the server writes a V8 CPU profile there when it exits (open it in Chrome DevTools).
    const profile = process.env.MG_BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.MG_BENCH_CPU_PROF}`] : [];
    this.child = spawn(process.execPath, [...profile, serverPath, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.resume();
    this.connection = createProtocolConnection(new StreamMessageReader(this.child.stdout), new StreamMessageWriter(this.child.stdin));
    this.waiters = new Set();
    this.progressEnded = false;
    this.connection.onNotification('textDocument/publishDiagnostics', (params) => {
      for (const waiter of [...this.waiters]) waiter(params);
    });
    this.connection.onNotification('$/progress', (params) => {
      if (params.value?.kind === 'end') this.progressEnded = true;
      for (const waiter of [...this.waiters]) waiter(undefined);
    });
    this.connection.onRequest('workspace/configuration', (params) => params.items.map(() => ({})));
    this.connection.onRequest('window/workDoneProgress/create', () => null);
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.onNotification('window/logMessage', () => undefined);
    this.connection.listen();
    this.workspace = workspace;
  }

  async initialize() {
    const uri = pathToFileURL(this.workspace).href;
    await this.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: uri,
      workspaceFolders: [{ uri, name: 'bench' }],
      capabilities: {
        workspace: { configuration: true, didChangeWatchedFiles: { dynamicRegistration: true } },
        textDocument: { publishDiagnostics: { versionSupport: true } },
        window: { workDoneProgress: true },
      },
    });
    await this.connection.sendNotification('initialized', {});
  }

  /** Resolves with the first notification `accept` returns a value for; rejects after `timeoutMs`. */
  waitFor(accept, timeoutMs, what) {
    return new Promise((resolve, reject) => {
      const waiter = (params) => {
        const value = accept(params);
        if (value === undefined) return;
        this.waiters.delete(waiter);
        clearTimeout(timer);
        resolve(value);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      this.waiters.add(waiter);
      waiter(undefined);
    });
  }

  waitForIndexing(timeoutMs) {
    return this.waitFor(() => (this.progressEnded ? true : undefined), timeoutMs, 'indexing');
  }

  waitForVersion(uri, version, timeoutMs = 30000) {
    return this.waitFor((params) => (params && params.uri === uri && params.version === version ? params : undefined), timeoutMs, `diagnostics v${version}`);
  }

  residentMb() {
    const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    const kilobytes = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
    return kilobytes / 1024;
  }

  async dispose() {
    try {
      await Promise.race([this.connection.sendRequest('shutdown'), new Promise((resolve) => setTimeout(resolve, 2000))]);
      await this.connection.sendNotification('exit');
    } catch {
      // already gone
    }
    await Promise.race([new Promise((resolve) => this.child.once('exit', resolve)), new Promise((resolve) => setTimeout(resolve, 2000))]);
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
    this.connection.dispose();
  }
}

const percentile = (sorted, share) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1))];

/** Opens `text`, then makes `edits` single-character edits and times each until its diagnostics arrive. */
async function editLatency(client, path, text, edits) {
  const uri = pathToFileURL(path).href;
  await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
  await client.waitForVersion(uri, 1);
  const lines = text.split('\n');
  // Edit a field's max_length near the middle of the file: a real change the rules must look at again. A file
  // without one gets its first line (the "Generated by Django" comment) edited instead.
  const middle = Math.floor(lines.length / 2);
  let line = lines.findIndex((content, index) => index >= middle && /max_length=\d/.test(content));
  if (line < 0) line = lines.findIndex((content) => /max_length=\d/.test(content));
  const character = line >= 0 ? lines[line].indexOf('max_length=') + 'max_length='.length : 0;
  if (line < 0) line = 0;
  const samples = [];
  let version = 1;
  for (let edit = 0; edit < edits; edit++) {
    version++;
    const digit = String((edit % 9) + 1);
    const range = { start: { line, character }, end: { line, character: character + 1 } };
    const started = process.hrtime.bigint();
    const published = client.waitForVersion(uri, version);
    await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range, text: digit }] });
    await published;
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  const sorted = [...samples].sort((a, b) => a - b);
  return { lines: lines.length, edits, p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), max: sorted[sorted.length - 1] };
}

/** The position of `needle` (the `nth` one at or after the middle of the text) shifted by `shift` characters. */
function positionIn(text, needle, shift, fromMiddle = true) {
  const offset = text.indexOf(needle, fromMiddle ? Math.floor(text.length / 2) : 0);
  if (offset < 0) throw new Error(`${needle} not in the navigation benchmark migration`);
  const before = text.slice(0, offset + shift).split('\n');
  return { line: before.length - 1, character: before[before.length - 1].length };
}

/** Times each editor request `count` times on an open, analysed document; p95 per request kind. */
async function navigationLatency(client, path, text, count, parentName) {
  const uri = pathToFileURL(path).href;
  await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
  await client.waitForVersion(uri, 1, 60000);
  const at = (position) => ({ textDocument: { uri }, position });
  const requests = [
    ['completion in model_name=', 'textDocument/completion', at(positionIn(text, 'model_name="', 13))],
    ['completion in a field name=', 'textDocument/completion', at(positionIn(text, 'name="field_1"', 8))],
    ['completion in dependencies', 'textDocument/completion', at(positionIn(text, `"${parentName}"`, 3, false))],
    ['definition of a model', 'textDocument/definition', at(positionIn(text, 'model_name="', 13))],
    ['definition of a field', 'textDocument/definition', at(positionIn(text, 'name="field_1"', 8))],
    ['definition of a dependency', 'textDocument/definition', at(positionIn(text, `"${parentName}"`, 3, false))],
    ['references of a field', 'textDocument/references', { ...at(positionIn(text, 'name="field_1"', 8)), context: { includeDeclaration: true } }],
    ['hover with field history', 'textDocument/hover', at(positionIn(text, 'name="field_1"', 8))],
    ['hover on an operation (its SQL and locks)', 'textDocument/hover', at(positionIn(text, 'AddField(', 2))],
    ['inlay hints (whole file)', 'textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: text.split('\n').length, character: 0 } } }],
    ['field history request', 'migrationGuard/history', at(positionIn(text, 'name="field_1"', 8))],
    ['document symbols', 'textDocument/documentSymbol', { textDocument: { uri } }],
    ['workspace symbols', 'workspace/symbol', { query: 'Item' }],
    ['code lens', 'textDocument/codeLens', { textDocument: { uri } }],
  ];
  const results = [];
  for (const [label, method, params] of requests) {
    const samples = [];
    let answer;
    for (let round = 0; round < count + 5; round++) {
      const started = process.hrtime.bigint();
      answer = await client.connection.sendRequest(method, params);
      if (round >= 5) samples.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    // An empty answer would time nothing: every request here must find something.
    const size = Array.isArray(answer) ? answer.length : answer?.items ? answer.items.length : answer ? 1 : 0;
    if (size === 0) throw new Error(`${label} answered nothing in the navigation benchmark`);
    const sorted = samples.sort((a, b) => a - b);
    results.push({ label, p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), answers: size });
  }
  return { lines: text.split('\n').length, requests: count, results };
}

export async function benchLsp({ serverPath = join(ROOT, 'dist', 'server.js'), edits = 100, log = console.log } = {}) {
  if (!existsSync(serverPath)) throw new Error(`${serverPath} is missing: run \`npm run build\` first`);
  const scratch = mkdtempSync(join(tmpdir(), 'mg-bench-lsp-'));
  try {
    const latencyRoot = join(scratch, 'latency');
    const migrations = join(latencyRoot, 'bench', 'migrations');
    mkdirSync(migrations, { recursive: true });
    writeFileSync(join(migrations, '__init__.py'), '');
    writeFileSync(join(migrations, '0001_initial.py'), INITIAL);
    const latency = new BenchClient(serverPath, latencyRoot);
    let large;
    let small;
    try {
      await latency.initialize();
      await latency.waitForIndexing(60000);
      large = await editLatency(latency, join(migrations, '0002_squashed.py'), generateMigration(1500, 11), edits);
      small = await editLatency(latency, join(migrations, '0003_small.py'), generateMigration(100, 12), edits);
    } finally {
      await latency.dispose();
    }

    const corpusRoot = join(scratch, 'corpus');
    const corpus = generateCorpus(corpusRoot);
    // A 1,500-line migration at the end of one app's history, for the editor requests.
    const navigationApp = readdirSync(corpusRoot).filter((name) => existsSync(join(corpusRoot, name, 'migrations'))).sort()[5];
    const navigationFolder = join(corpusRoot, navigationApp, 'migrations');
    const navigationParent = readdirSync(navigationFolder).filter((name) => name.endsWith('.py') && name !== '__init__.py').sort().pop().replace(/\.py$/, '');
    const navigationPath = join(navigationFolder, '9000_navigation_bench.py');
    const navigationText = generateMigration(1500, 13).replace('("bench", "0001_initial")', `("${navigationApp}", "${navigationParent}")`).replace('"bench"', `"${navigationApp}"`);
    writeFileSync(navigationPath, navigationText);
    const indexing = new BenchClient(serverPath, corpusRoot);
    let rssMb;
    let indexMs;
    let inCorpus;
    let navigation;
    try {
      const started = process.hrtime.bigint();
      await indexing.initialize();
      await indexing.waitForIndexing(300000);
      indexMs = Number(process.hrtime.bigint() - started) / 1e6;
      // Let the workspace-wide graph pass that follows indexing finish before reading the memory.
      await new Promise((resolve) => setTimeout(resolve, 500));
      rssMb = indexing.residentMb();
      // The same edit loop on an ordinary migration of the big project: what typing costs in a real workspace.
      const app = readdirSync(corpusRoot).sort()[3];
      const folder = join(corpusRoot, app, 'migrations');
      const last = readdirSync(folder).filter((name) => name.endsWith('.py') && name !== '__init__.py').sort().pop();
      inCorpus = await editLatency(indexing, join(folder, last), readFileSync(join(folder, last), 'utf8'), Math.min(edits, 50));
      navigation = await navigationLatency(indexing, navigationPath, navigationText, edits, navigationParent);
    } finally {
      await indexing.dispose();
    }

    const result = { large, small, inCorpus, navigation, index: { files: corpus.files + 1, ms: indexMs, rssMb }, targets: TARGETS };
    const ms = (value) => `${value.toFixed(1)} ms`;
    const verdict = (ok) => (ok ? 'ok' : 'OVER TARGET');
    log('Language server (node dist/server.js --stdio, real LSP client, incremental didChange):');
    log(`  ${large.lines}-line migration: edit-to-diagnostics p50 ${ms(large.p50)}, p95 ${ms(large.p95)} (target < ${TARGETS.largeP95Ms} ms: ${verdict(large.p95 < TARGETS.largeP95Ms)}), max ${ms(large.max)}, ${large.edits} edits`);
    log(`  ${small.lines}-line migration: edit-to-diagnostics p50 ${ms(small.p50)}, p95 ${ms(small.p95)} (target < ${TARGETS.smallP95Ms} ms: ${verdict(small.p95 < TARGETS.smallP95Ms)}), max ${ms(small.max)}, ${small.edits} edits`);
    log(`  indexing ${corpus.files + 1} migrations: ${(indexMs / 1000).toFixed(2)} s, resident memory after ${rssMb.toFixed(0)} MB (target < ${TARGETS.rssMb} MB: ${verdict(rssMb < TARGETS.rssMb)})`);
    log(`  ${inCorpus.lines}-line migration of that ${corpus.files + 1}-migration project: edit-to-diagnostics p50 ${ms(inCorpus.p50)}, p95 ${ms(inCorpus.p95)} (no target), ${inCorpus.edits} edits`);
    const worst = navigation.results.reduce((max, entry) => Math.max(max, entry.p95), 0);
    log(`  editor requests on a ${navigation.lines}-line migration of that project, ${navigation.requests} each (target p95 < ${TARGETS.navigationP95Ms} ms: ${verdict(worst < TARGETS.navigationP95Ms)}):`);
    const width = Math.max(...navigation.results.map((entry) => entry.label.length));
    for (const entry of navigation.results) log(`    ${entry.label.padEnd(width)}  p50 ${ms(entry.p50)}, p95 ${ms(entry.p95)} (${entry.answers} answer${entry.answers === 1 ? '' : 's'})`);
    return result;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const option = (name, fallback) => {
    const index = process.argv.indexOf(`--${name}`);
    return index >= 0 && process.argv[index + 1] ? process.argv[index + 1] : fallback;
  };
  const edits = Math.max(10, Math.min(1000, Number(option('edits', '100')) || 100));
  const serverPath = option('server', join(ROOT, 'dist', 'server.js'));
  benchLsp({ serverPath, edits }).catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
