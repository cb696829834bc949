// The CLI's runner. With enough files, parsing (most of a check's CPU time, and independent per file) is spread
// over worker threads and the main thread, which takes chunks from the same queue; the main thread feeds each tree
// straight into a Project, so building the models overlaps with the parsing still going on, then analyses
// everything together (graph, state replay and rules need every file). With few files, or without the bundled
// worker script (tests running from source), everything runs in this thread.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { Tree } from '@lezer/common';
import { parser } from '@lezer/python';
import { layoutOf, Project, type AnalysisResult, type AnalyzeOptions, type SourceFile } from './analyze';
import type { ParseRequest, ParseResponse } from './analyzeWorker';
import { fromPortable } from './treeTransfer';

/** Below this many files a worker's start-up (~40 ms to load its bundle) costs more than it saves. */
const MIN_FILES_FOR_WORKERS = 250;
/** Files per message: small enough to balance the load, large enough that messaging stays cheap. */
const CHUNK_FILES = 32;
/**
 * Chunks queued per worker: the main thread answers a worker only between its own chunks, so a worker needs enough
 * queued work to stay busy meanwhile.
 */
const CHUNKS_IN_FLIGHT = 4;

export interface AnalysisTimings {
  /** Wall time until every file had a syntax tree and a model (0 when analyze parsed by itself). */
  parseMs: number;
  /** CPU time spent parsing, summed over threads (0 when analyze parsed by itself). */
  parseCpuMs: number;
  /** Wall time of the analysis after that (graph, replay, rules; everything when single-threaded). */
  analyzeMs: number;
  /** Worker threads used (0 = everything in the main thread). */
  workers: number;
}

function workerScriptPath(): string | undefined {
  // Bundled as dist/analyzeWorker.js next to dist/cli.js; absent when running from the TypeScript sources.
  const candidate = join(__dirname, 'analyzeWorker.js');
  return existsSync(candidate) ? candidate : undefined;
}

/** How many worker threads to use for `fileCount` files. */
function chooseWorkerCount(fileCount: number, requested: number | 'auto'): number {
  if (requested !== 'auto') return requested;
  if (fileCount < MIN_FILES_FOR_WORKERS) return 0;
  // A check on one thread already keeps about 1.5 cores busy (V8 compiles and collects garbage on helper threads),
  // and the main thread parses too: on 2 cores a worker only adds start-up, transfer and a second warm-up of the
  // parser (measured: 1 or 2 workers were 5-15 % slower than none on the 2,000-file bench). Leave two cores.
  return Math.max(0, Math.min(availableParallelism() - 2, Math.ceil(fileCount / (CHUNK_FILES * 4)), 8));
}

/**
 * Parser threads, started as soon as the number of files is known so that loading their code overlaps with
 * reading the files. Used once, then closed.
 */
export class ParsePool {
  private readonly workers: Worker[] = [];

  private constructor(script: string | undefined, count: number) {
    for (let n = 0; n < count && script; n++) {
      try {
        this.workers.push(new Worker(script));
      } catch {
        break; // fewer threads (or none) only means slower
      }
    }
  }

  /** A pool sized for `fileCount` files; it may hold no worker at all. */
  static start(fileCount: number, requested: number | 'auto', script = workerScriptPath()): ParsePool {
    return new ParsePool(script, script ? chooseWorkerCount(fileCount, requested) : 0);
  }

  get size(): number {
    return this.workers.length;
  }

  /**
   * Parses every text once, handing each tree to `onTree` as it arrives; the main thread parses chunks of the
   * queue too. A worker that fails or exits hands its chunks back to the queue, and the main thread parses whatever
   * is left once no worker remains, so this always completes. The pool is closed afterwards.
   */
  parse(texts: string[], onTree: (index: number, tree: Tree) => void): Promise<{ parseCpuMs: number }> {
    const queue: number[][] = [];
    for (let start = 0; start < texts.length; start += CHUNK_FILES) {
      queue.push(Array.from({ length: Math.min(CHUNK_FILES, texts.length - start) }, (_, k) => start + k));
    }
    let remaining = queue.length;
    let parseCpuMs = 0;
    const alive = new Set(this.workers);
    const inFlight = new Map<Worker, Map<number, number[]>>(this.workers.map((worker) => [worker, new Map()]));
    let nextChunkId = 0;
    let settled = false;

    return new Promise((resolve) => {
      const finish = (): void => {
        if (settled || remaining > 0) return;
        settled = true;
        this.close();
        resolve({ parseCpuMs });
      };
      const parseHere = (chunk: number[]): void => {
        for (const index of chunk) {
          const started = performance.now();
          const tree = parser.parse(texts[index]!);
          parseCpuMs += performance.now() - started;
          onTree(index, tree);
        }
        remaining--;
      };
      const dispatch = (worker: Worker): void => {
        const chunk = queue.shift();
        if (!chunk) return;
        const id = nextChunkId++;
        inFlight.get(worker)!.set(id, chunk);
        const request: ParseRequest = { chunk: id, texts: chunk.map((index) => texts[index]!) };
        worker.postMessage(request);
      };
      const parseLeftoversHere = (): void => {
        for (let chunk = queue.shift(); chunk; chunk = queue.shift()) parseHere(chunk);
        finish();
      };
      // The main thread parses chunks from the same queue too, one at a time, returning to the event loop in between
      // so the workers' trees are taken in (and the workers fed) as soon as they arrive.
      let helping = false;
      const helpHere = (): void => {
        helping = false;
        if (settled) return;
        const chunk = queue.shift();
        if (!chunk) return;
        parseHere(chunk);
        finish();
        scheduleHelp();
      };
      const scheduleHelp = (): void => {
        if (helping || settled || queue.length === 0) return;
        helping = true;
        setImmediate(helpHere);
      };
      const retire = (worker: Worker): void => {
        if (!alive.delete(worker)) return;
        for (const chunk of inFlight.get(worker)!.values()) queue.push(chunk);
        inFlight.get(worker)!.clear();
        void worker.terminate();
        if (settled) return;
        if (alive.size === 0) parseLeftoversHere();
        else {
          for (const other of alive) while (inFlight.get(other)!.size < CHUNKS_IN_FLIGHT && queue.length > 0) dispatch(other);
          scheduleHelp();
        }
      };

      for (const worker of this.workers) {
        worker.on('message', (response: ParseResponse) => {
          const chunk = inFlight.get(worker)!.get(response.chunk);
          if (!chunk) return;
          inFlight.get(worker)!.delete(response.chunk);
          // Keep the worker busy before doing this chunk's share of the main thread's work.
          dispatch(worker);
          parseCpuMs += response.parseMs;
          chunk.forEach((index, k) => {
            const portable = response.trees[k];
            onTree(index, portable ? fromPortable(portable, parser.nodeSet) : parser.parse(texts[index]!));
          });
          remaining--;
          finish();
        });
        worker.on('error', () => retire(worker));
        worker.on('exit', () => retire(worker));
        for (let n = 0; n < CHUNKS_IN_FLIGHT; n++) dispatch(worker);
      }
      if (alive.size === 0) parseLeftoversHere();
      else scheduleHelp();
    });
  }

  close(): void {
    for (const worker of this.workers) void worker.terminate();
  }
}

/**
 * Analyses the files together, parsing on the pool's workers when it has any; a file given with its tree (from the
 * tree cache) is not parsed again. The result carries each file's syntax tree, in the order of `files`, for the
 * tree cache to keep. The pool is closed afterwards.
 */
export async function analyzeSources(
  files: SourceFile[],
  options: AnalyzeOptions,
  pool: ParsePool,
): Promise<AnalysisResult & { timings: AnalysisTimings; trees: (Tree | undefined)[] }> {
  const project = new Project(options.rules);
  project.setLayout(layoutOf(options));
  const toParse = files.filter((file) => !file.tree);
  const workers = toParse.length > 0 ? pool.size : 0;
  if (workers === 0) pool.close();
  let parseMs = 0;
  let parseCpuMs = 0;
  if (workers > 0) {
    const parseStarted = performance.now();
    ({ parseCpuMs } = await pool.parse(
      toParse.map((file) => file.text),
      (index, tree) => project.setFile(toParse[index]!.path, toParse[index]!.text, tree),
    ));
    parseMs = performance.now() - parseStarted;
  }
  const analyzeStarted = performance.now();
  // The files that came with a tree; single-threaded, every file: the project parses it as it is set (parse time is
  // then part of analyzeMs).
  for (const file of files) if (workers === 0 || file.tree) project.setFile(file.path, file.text, file.tree);
  if (options.settingsFiles) project.setSettingsFiles(options.settingsFiles);
  const result = project.analyzeAll(options.config);
  const trees = files.map((file) => project.treeOf(file.path));
  return { ...result, timings: { parseMs, parseCpuMs, analyzeMs: performance.now() - analyzeStarted, workers }, trees };
}
