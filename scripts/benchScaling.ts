// `npm run bench:scaling`: does analysis time grow linearly with the input? Each shape that once grew quadratically
// (issue #10) runs at 1x and 8x; the ratio of the fastest runs must stay under 10 (linear plus noise). Exits 1 when
// one does not.
import { analyze, type SourceFile } from '../server/src/engine/analyze';
import { DEFAULT_CONFIG } from '../server/src/engine/config/types';

const HEADER = 'from django.db import migrations, models\n\n';
const LIMIT = 10;

function migration(dependencies: string, operations: string): string {
  return `${HEADER}class Migration(migrations.Migration):\n    dependencies = [${dependencies}]\n    operations = [\n${operations}    ]\n`;
}

interface Shape {
  name: string;
  /** The files of the shape at `scale` (1 or 8). */
  files(scale: number): SourceFile[];
}

const SHAPES: Shape[] = [
  {
    name: 'RunSQL with many statements',
    files: (scale) => [
      { path: 'shop/migrations/0001_sql.py', text: migration('', `        migrations.RunSQL("${'CREATE INDEX i ON t (a); '.repeat(1500 * scale)}"),\n`) },
    ],
  },
  {
    name: 'top-level comment lines',
    files: (scale) => [{ path: 'shop/migrations/0001_comments.py', text: `${'# a comment line\n'.repeat(5000 * scale)}${migration('', '')}` }],
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
  },
  {
    name: 'one big file (many operations)',
    files: (scale) => [
      {
        path: 'shop/migrations/0001_big.py',
        text: migration('', Array.from({ length: 1500 * scale }, (_, index) => `        migrations.RunSQL("SELECT ${index};", reverse_sql=migrations.RunSQL.noop),\n`).join('')),
      },
    ],
  },
];

function fastestMs(files: SourceFile[], runs: number): number {
  let best = Infinity;
  for (let run = 0; run < runs; run++) {
    const started = process.hrtime.bigint();
    analyze(files, { config: DEFAULT_CONFIG });
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e6);
  }
  return best;
}

let failed = false;
console.log(`${'shape'.padEnd(34)} ${'1x ms'.padStart(9)} ${'8x ms'.padStart(9)} ${'ratio'.padStart(7)}`);
for (const shape of SHAPES) {
  const small = shape.files(1);
  const large = shape.files(8);
  fastestMs(small, 1); // warm-up: JIT and module initialisation are not the input's cost
  const smallMs = fastestMs(small, 5);
  const largeMs = fastestMs(large, 3);
  const ratio = largeMs / Math.max(smallMs, 0.001);
  if (ratio >= LIMIT) failed = true;
  console.log(`${shape.name.padEnd(34)} ${smallMs.toFixed(1).padStart(9)} ${largeMs.toFixed(1).padStart(9)} ${ratio.toFixed(1).padStart(7)}${ratio >= LIMIT ? '  FAIL' : ''}`);
}
process.exit(failed ? 1 : 0);
