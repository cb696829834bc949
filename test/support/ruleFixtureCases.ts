// Loading the rule fixtures (test/fixtures/rules/<rule>/fire-* and silent-*): single files, or folders with a
// shared history (`fixture-history.txt`), settings, apps.py and a `fixture-config.json`. Shared by the rule fixture
// test and the fix snapshot test.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { SourceFile } from '../../server/src/engine/analyze';
import { DEFAULT_CONFIG, type ConfigLayer, type ResolvedConfig } from '../../server/src/engine/config/types';

export const FIXTURES = join(__dirname, '..', 'fixtures', 'rules');
/** Migration histories several folder fixtures build on; a fixture names one in `fixture-history.txt`. */
const HISTORIES = join(FIXTURES, '_histories');

export interface FixtureCase {
  name: string;
  kind: 'fire' | 'silent';
  files: SourceFile[];
  settingsFiles: SourceFile[];
  appConfigFiles: SourceFile[];
  config: ConfigLayer;
}

export function loadCase(ruleDir: string, entry: string): FixtureCase {
  const full = join(ruleDir, entry);
  const kind = entry.startsWith('fire-') ? 'fire' : 'silent';
  const name = entry.replace(/\.py$/, '');
  if (statSync(full).isDirectory()) {
    const files = new Map<string, SourceFile>();
    const settingsFiles: SourceFile[] = [];
    const appConfigFiles: SourceFile[] = [];
    let config: ConfigLayer = {};
    const historyFile = join(full, 'fixture-history.txt');
    // The shared history goes in first so the fixture's own files replace any file of the same path.
    const roots = existsSync(historyFile) ? [join(HISTORIES, readFileSync(historyFile, 'utf8').trim()), full] : [full];
    for (const root of roots) {
      for (const path of walk(root)) {
        const rel = relative(root, path).split('\\').join('/');
        const text = readFileSync(path, 'utf8');
        if (rel === 'fixture-config.json') config = JSON.parse(text) as ConfigLayer;
        else if (/(^|\/)settings(\/[^/]+)?\.py$/.test(rel) || /(^|\/)settings[^/]*\.py$/.test(rel)) settingsFiles.push({ path: rel, text });
        else if (rel === 'apps.py' || rel.endsWith('/apps.py')) appConfigFiles.push({ path: rel, text });
        else if (rel.endsWith('.py')) files.set(rel, { path: rel, text });
      }
    }
    return { name, kind, files: [...files.values()], settingsFiles, appConfigFiles, config };
  }
  const text = readFileSync(full, 'utf8');
  const firstLine = text.split('\n', 1)[0] ?? '';
  const pathMatch = /^# fixture-path: (\S+)/.exec(firstLine);
  const configMatch = /^# fixture-config: (.+)$/m.exec(text);
  const path = pathMatch?.[1] ?? `shop/migrations/0002_${name.replace(/-/g, '_')}.py`;
  return { name, kind, files: [{ path, text }], settingsFiles: [], appConfigFiles: [], config: configMatch ? (JSON.parse(configMatch[1]!) as ConfigLayer) : {} };
}

function* walk(dir: string): Generator<string> {
  for (const entry of readdirSync(dir).sort()) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) yield* walk(full);
    else yield full;
  }
}

/** `path:line` (1-based) for every `# expect: <ruleId>` marker. */
export function expectedLines(files: SourceFile[], ruleId: string): string[] {
  const expected: string[] = [];
  for (const file of files) {
    file.text.split('\n').forEach((line, index) => {
      const marker = /#\s*expect:\s*([\w, -]+)$/.exec(line.trimEnd());
      if (marker && marker[1]!.split(',').map((s) => s.trim()).includes(ruleId)) expected.push(`${file.path}:${index + 1}`);
    });
  }
  return expected.sort();
}

export function configFor(layer: ConfigLayer): ResolvedConfig {
  return { ...DEFAULT_CONFIG, ...layer, ignore: layer.ignore ?? [], severity: layer.severity ?? {}, exclude: layer.exclude ?? [] };
}

