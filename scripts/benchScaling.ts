// `npm run bench:scaling`: do analysis time and memory grow linearly with the input? Each shape that once grew
// faster than its input (issue #10) runs at 1x and 8x; the ratio of the fastest runs (CPU time, see fastestMs) must
// stay under 10 (linear plus noise), and the memory per input byte at 8x must stay under twice the figure at 1x (a
// constant per byte). Exits 1 when one does not.
//
// Memory is measured in a fresh process per shape and scale, running this file bundled by esbuild exactly as
// dist/ is (tsx's transform wraps every closure with a name helper, which alone doubles the size of some
// structures): `peak RSS` is the process's maximum resident set minus its resident set before the analysis,
// `heap` is the live heap after the analysis (after a full GC, with the project and its result still held) minus
// the heap before, each divided by the input's length. Memory runs use inputs `memoryUnit` times larger than the
// time runs' (about 1 MB at 1x), so that the fixed cost of a process does not hide the cost per byte.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { Project, analyze, type SourceFile } from '../server/src/engine/analyze';
import { DEFAULT_CONFIG } from '../server/src/engine/config/types';

const HEADER = 'from django.db import migrations, models\n\n';
const TIME_LIMIT = 10;
const MEMORY_LIMIT = 2;
const MEMORY_FLAG = '--measure-memory';

function migration(dependencies: string, operations: string): string {
  return `${HEADER}class Migration(migrations.Migration):\n    dependencies = [${dependencies}]\n    operations = [\n${operations}    ]\n`;
}

interface Shape {
  name: string;
  /** The files of the shape at `scale` (1 or 8 for time; memory runs at `memoryUnit` times that). */
  files(scale: number): SourceFile[];
  /** Memory is measured on inputs this many times the time runs', so that 1x is large enough (about 1 MB) to see. */
  memoryUnit: number;
}

/** What makemigrations writes for a growing model, with a data step: the shape of the issue's 5 MB file. */
function fieldChanges(index: number): string {
  return [
    '        migrations.AddField(',
    '            model_name="order",',
    `            name="f${index}",`,
    `            field=models.IntegerField(null=True, help_text="field number ${index}"),`,
    '        ),',
    '        migrations.AlterField(',
    '            model_name="order",',
    `            name="f${index}",`,
    '            field=models.IntegerField(default=0),',
    '        ),',
    '        migrations.AddIndex(',
    '            model_name="order",',
    `            index=models.Index(fields=["f${index}"], name="order_f${index}_idx"),`,
    '        ),',
    `        migrations.RunSQL("UPDATE shop_order SET f${index} = 0 WHERE f${index} IS NULL", reverse_sql=migrations.RunSQL.noop),`,
    '',
  ].join('\n');
}

const SHAPES: Shape[] = [
  {
    name: 'RunSQL with many statements',
    files: (scale) => [
      { path: 'shop/migrations/0001_sql.py', text: migration('', `        migrations.RunSQL("${'CREATE INDEX i ON t (a); '.repeat(1500 * scale)}"),\n`) },
    ],
    memoryUnit: 24,
  },
  {
    name: 'top-level comment lines',
    files: (scale) => [{ path: 'shop/migrations/0001_comments.py', text: `${'# a comment line\n'.repeat(5000 * scale)}${migration('', '')}` }],
    memoryUnit: 12,
  },
  {
    name: 'long migration chain',
    files: (scale) =>
      Array.from({ length: 250 * scale }, (_, index) => {
        const name = `${String(index + 1).padStart(5, '0')}_step`;
        const parent = index === 0 ? '' : `("shop", "${String(index).padStart(5, '0')}_step")`;
        const op = index === 0 ? '        migrations.CreateModel(name="Order", fields=[("id", models.AutoField(primary_key=True))]),\n' : `        migrations.AddField("order", "f${index}", models.IntegerField(null=True)),\n`;
        return { path: `shop/migrations/${name}.py`, text: migration(parent, op) };
      }),
    memoryUnit: 8,
  },
  {
    name: 'one big file (many operations)',
    files: (scale) => [
      {
        path: 'shop/migrations/0001_big.py',
        text: migration('', Array.from({ length: 1500 * scale }, (_, index) => `        migrations.RunSQL("SELECT ${index};", reverse_sql=migrations.RunSQL.noop),\n`).join('')),
      },
    ],
    memoryUnit: 8,
  },
  {
    name: 'one big file (field changes)',
    files: (scale) => [
      { path: 'shop/migrations/0001_initial.py', text: migration('', '        migrations.CreateModel(name="Order", fields=[("id", models.AutoField(primary_key=True))]),\n') },
      { path: 'shop/migrations/0002_big.py', text: migration('("shop", "0001_initial")', Array.from({ length: 500 * scale }, (_, index) => fieldChanges(index)).join('')) },
    ],
    memoryUnit: 3,
  },
];

function inputBytes(files: SourceFile[]): number {
  return files.reduce((sum, file) => sum + file.text.length, 0);
}

/**
 * The least CPU time (user + system, every thread of this process) of `runs` analyses. CPU time rather than wall
 * time: on a shared machine the process waits for a core, and that wait is no cost of the input.
 */
function fastestMs(files: SourceFile[], runs: number): number {
  let best = Infinity;
  for (let run = 0; run < runs; run++) {
    const started = process.cpuUsage();
    analyze(files, { config: DEFAULT_CONFIG });
    const used = process.cpuUsage(started);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  return best;
}

interface MemoryFigures {
  /** Peak resident set growth per input byte. */
  rssPerByte: number;
  /** Live heap growth per input byte, with the result still held. */
  heapPerByte: number;
}

/** Child side: analyse one shape at one scale (times its memory unit) and print the figures as JSON. */
function measureMemory(shapeName: string, scale: number): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  const shape = SHAPES.find((candidate) => candidate.name === shapeName);
  if (!shape) throw new Error(`no shape ${shapeName}`);
  const files = shape.files(scale * shape.memoryUnit);
  // Loading the modules and compiling the rules is no cost of the input: a tiny migration pays for it first.
  analyze([{ path: 'shop/migrations/0001_warm_up.py', text: migration('', fieldChanges(0)) }], { config: DEFAULT_CONFIG });
  gc();
  const rssBefore = process.memoryUsage().rss;
  const heapBefore = process.memoryUsage().heapUsed;
  // What analyze() does, keeping the project: its trees, models and replayed states are the working set.
  const project = new Project();
  for (const file of files) project.setFile(file.path, file.text);
  const result = project.analyzeAll(DEFAULT_CONFIG);
  const peakRss = process.resourceUsage().maxRSS * 1024;
  gc();
  const heapAfter = process.memoryUsage().heapUsed;
  const bytes = inputBytes(files);
  const figures: MemoryFigures = { rssPerByte: Math.max(0, peakRss - rssBefore) / bytes, heapPerByte: Math.max(0, heapAfter - heapBefore) / bytes };
  // Keeps the project and its result alive up to the heap reading above.
  if (result.findings.length < 0 || project.model(files[0]!.path) === null) throw new Error('unreachable');
  process.stdout.write(JSON.stringify(figures));
}

function memoryOf(bundle: string, shape: Shape, scale: number): MemoryFigures {
  const output = execFileSync(process.execPath, ['--expose-gc', bundle, MEMORY_FLAG, shape.name, String(scale)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(output) as MemoryFigures;
}

function main(): void {
  const scratch = mkdtempSync(join(tmpdir(), 'mg-bench-scaling-'));
  try {
    const bundle = join(scratch, 'benchScaling.cjs');
    buildSync({ entryPoints: [__filename], outfile: bundle, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'error' });
    let failed = false;
    const columns = ['1x ms', '8x ms', 'ratio', 'RSS B/B 1x', '8x', 'ratio', 'heap B/B 1x', '8x', 'ratio'];
    console.log(`${'shape'.padEnd(32)} ${'mem MB'.padStart(6)}${columns.map((column) => column.padStart(column.length > 5 ? 12 : 7)).join('')}`);
    for (const shape of SHAPES) {
      const small = shape.files(1);
      const large = shape.files(8);
      fastestMs(small, 1); // warm-up: JIT and module initialisation are not the input's cost
      const smallMs = fastestMs(small, 5);
      const largeMs = fastestMs(large, 3);
      const timeRatio = largeMs / Math.max(smallMs, 0.001);
      const smallMemory = memoryOf(bundle, shape, 1);
      const largeMemory = memoryOf(bundle, shape, 8);
      const rssRatio = largeMemory.rssPerByte / Math.max(smallMemory.rssPerByte, 0.001);
      const heapRatio = largeMemory.heapPerByte / Math.max(smallMemory.heapPerByte, 0.001);
      const problems = [timeRatio >= TIME_LIMIT ? 'time' : '', rssRatio >= MEMORY_LIMIT || heapRatio >= MEMORY_LIMIT ? 'memory' : ''].filter(Boolean);
      if (problems.length > 0) failed = true;
      const cells = [
        [smallMs.toFixed(1), 7],
        [largeMs.toFixed(1), 7],
        [timeRatio.toFixed(1), 7],
        [smallMemory.rssPerByte.toFixed(1), 12],
        [largeMemory.rssPerByte.toFixed(1), 7],
        [rssRatio.toFixed(2), 7],
        [smallMemory.heapPerByte.toFixed(1), 12],
        [largeMemory.heapPerByte.toFixed(1), 7],
        [heapRatio.toFixed(2), 7],
      ] as const;
      const megabytes = (inputBytes(shape.files(shape.memoryUnit)) / 1e6).toFixed(2);
      console.log(`${shape.name.padEnd(32)} ${megabytes.padStart(6)}${cells.map(([value, width]) => value.padStart(width)).join('')}${problems.length > 0 ? `  FAIL (${problems.join(', ')})` : ''}`);
    }
    console.log('mem MB: input of the 1x memory run. RSS B/B: peak resident set growth per input byte; heap B/B: live heap per input byte, project held.');
    process.exitCode = failed ? 1 : 0;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

const flag = process.argv.indexOf(MEMORY_FLAG);
if (flag >= 0) measureMemory(process.argv[flag + 1] ?? '', Number(process.argv[flag + 2]));
else main();
