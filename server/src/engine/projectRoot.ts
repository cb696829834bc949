// Where the project a path belongs to starts, for commands given one file or folder (`explain FILE.py`, `sql PATH`):
// the folder of the nearest pyproject.toml with our table, else the nearest folder holding manage.py, else (for a
// migration file) its app's parent folder or (for a folder) the folder itself.
import { existsSync, statSync } from './projectFs';
import { dirname, join } from 'node:path';
import { findConfig } from './config/pyproject';

export function projectRootOf(path: string): string {
  const isFolder = existsSync(path) && statSync(path).isDirectory();
  const start = isFolder ? path : dirname(path);
  try {
    const config = findConfig(start);
    if (config) return config.root;
  } catch {
    // An invalid pyproject.toml does not stop these commands; `check` reports it.
  }
  for (let folder = start, depth = 0; depth < 64; depth++) {
    if (existsSync(join(folder, 'manage.py'))) return folder;
    const parent = dirname(folder);
    if (parent === folder) break;
    folder = parent;
  }
  return isFolder ? path : dirname(dirname(start));
}
