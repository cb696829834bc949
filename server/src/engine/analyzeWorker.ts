// Worker thread for the CLI's parallel runner: parses chunks of Python sources with @lezer/python and sends the
// trees back in portable form. Parsing is most of the CPU time of a check and is independent per file, so it is
// the part worth spreading over cores; graph building, state replay and rules need every file and stay in the
// main thread.
import { parentPort } from 'node:worker_threads';
import { parser } from '@lezer/python';
import { toPortable, type PortableTree } from './treeTransfer';

export interface ParseRequest {
  chunk: number;
  texts: string[];
}

export interface ParseResponse {
  chunk: number;
  /** One tree per text, or null when parsing threw (the main thread then parses that text itself). */
  trees: (PortableTree | null)[];
  parseMs: number;
}

function parseChunk(request: ParseRequest): ParseResponse {
  const started = performance.now();
  const trees = request.texts.map((text) => {
    try {
      return toPortable(parser.parse(text));
    } catch {
      return null;
    }
  });
  return { chunk: request.chunk, trees, parseMs: performance.now() - started };
}

parentPort?.on('message', (request: ParseRequest) => {
  parentPort!.postMessage(parseChunk(request));
});
