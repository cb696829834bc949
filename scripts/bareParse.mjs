// The bench's reference: read each file and run @lezer/python's parser on it, nothing else.
// Usage: node scripts/bareParse.mjs FILE_LIST  (one path per line). Prints {"files","parseMs","cpuMs"} as JSON
// (cpuMs: the process's CPU time, every thread, start-up included).
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
const { user, system } = process.cpuUsage();
process.stdout.write(`${JSON.stringify({ files: paths.length, parseMs: Math.round(parseMs), cpuMs: Math.round((user + system) / 1000) })}\n`);
