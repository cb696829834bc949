// The bench's reference: read each file and run @lezer/python's parser on it, nothing else.
// Usage: node scripts/bareParse.mjs FILE_LIST  (one path per line). Prints {"files","parseMs"} as JSON.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parser } from '@lezer/python';

const paths = readFileSync(process.argv[2], 'utf8').split('\n').filter(Boolean);
let parseMs = 0;
for (const path of paths) {
  const text = readFileSync(path, 'utf8');
  const started = performance.now();
  parser.parse(text);
  parseMs += performance.now() - started;
}
process.stdout.write(`${JSON.stringify({ files: paths.length, parseMs: Math.round(parseMs) })}\n`);
