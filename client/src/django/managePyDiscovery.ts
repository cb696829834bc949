// Finds Django's manage.py below a folder. Bounded in depth and in folders visited, skips virtual environments,
// dependencies and hidden folders, and only counts a manage.py that mentions Django (Flask-Script and others use
// the same file name).
import { open, readdir } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { isSkippedFolderName } from '../../../server/src/engine/files';

export interface ManagePySearchOptions {
  /** Folder levels below the root that are searched (the root is level 0). */
  maxDepth?: number;
  /** The search stops after visiting this many folders. */
  maxFolders?: number;
  maxResults?: number;
}

/** Folder names never searched, besides hidden folders and virtual environments (found by their pyvenv.cfg). */
export async function findManagePyFiles(root: string, options: ManagePySearchOptions = {}): Promise<string[]> {
  const maxDepth = options.maxDepth ?? 6;
  const maxFolders = options.maxFolders ?? 20_000;
  const maxResults = options.maxResults ?? 50;
  const found: string[] = [];
  let visited = 0;
  // Breadth first, so the shallow manage.py files (the usual ones) are found before any limit is reached.
  let level: string[] = [root];
  for (let depth = 0; depth <= maxDepth && level.length > 0; depth++) {
    const next: string[] = [];
    for (const folder of level) {
      if (visited++ >= maxFolders || found.length >= maxResults) return found.sort(byDepthThenPath);
      let entries;
      try {
        entries = await readdir(folder, { withFileTypes: true });
      } catch {
        continue; // unreadable folder: skip it, the rest of the tree still counts
      }
      if (depth > 0 && entries.some((entry) => entry.isFile() && entry.name === 'pyvenv.cfg')) continue;
      for (const entry of entries) {
        if (entry.isFile() && entry.name === 'manage.py') {
          const path = join(folder, entry.name);
          if (await mentionsDjango(path)) found.push(path);
        } else if (entry.isDirectory() && !isSkippedFolderName(entry.name)) {
          // Symbolic links to folders are not directories for Dirent, which also keeps the walk free of cycles.
          next.push(join(folder, entry.name));
        }
      }
    }
    level = next.sort();
  }
  return found.slice(0, maxResults).sort(byDepthThenPath);
}

function byDepthThenPath(a: string, b: string): number {
  return a.split(sep).length - b.split(sep).length || a.localeCompare(b);
}

async function mentionsDjango(path: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'r');
    const buffer = Buffer.alloc(8192);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return /django/i.test(buffer.subarray(0, bytesRead).toString('utf8'));
  } catch {
    return false;
  } finally {
    await handle?.close();
  }
}

/** The manage.py that owns a file: the one in the nearest folder above it. */
export function managePyForFile(managePyFiles: readonly string[], file: string): string | undefined {
  let best: string | undefined;
  for (const managePy of managePyFiles) {
    const rel = relative(dirname(managePy), file);
    const inside = rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep) && !/^[A-Za-z]:/.test(rel);
    if (inside && (best === undefined || dirname(managePy).length > dirname(best).length)) best = managePy;
  }
  return best;
}

export type ManagePyChoice = { kind: 'found'; managePy: string } | { kind: 'ask'; candidates: string[] } | { kind: 'none' };

/**
 * Which manage.py a command uses: the one owning the file it is about, else the only one, else the one the user
 * picked before (while it still exists), else the user must pick.
 */
export function chooseManagePy(input: { candidates: readonly string[]; file?: string; remembered?: string }): ManagePyChoice {
  const owner = input.file !== undefined ? managePyForFile(input.candidates, input.file) : undefined;
  if (owner) return { kind: 'found', managePy: owner };
  if (input.candidates.length === 0) return { kind: 'none' };
  if (input.candidates.length === 1) return { kind: 'found', managePy: input.candidates[0]! };
  if (input.remembered !== undefined && input.candidates.includes(input.remembered)) return { kind: 'found', managePy: input.remembered };
  return { kind: 'ask', candidates: [...input.candidates] };
}
