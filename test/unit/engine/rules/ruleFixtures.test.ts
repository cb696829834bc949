// Runs every rule's fixtures: `fire-*` must produce the rule exactly on the lines marked `# expect: <rule-id>`,
// `silent-*` look-alikes must not produce it at all. A rule without both kinds of fixture fails here.
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { analyze, type SourceFile } from '../../../../server/src/engine/analyze';
import { DEFAULT_CONFIG, type ConfigLayer, type ResolvedConfig } from '../../../../server/src/engine/config/types';
import { ALL_RULES } from '../../../../server/src/engine/rules/index';

const FIXTURES = join(__dirname, '..', '..', '..', 'fixtures', 'rules');
/** Migration histories several folder fixtures build on; a fixture names one in `fixture-history.txt`. */
const HISTORIES = join(FIXTURES, '_histories');

interface FixtureCase {
  name: string;
  kind: 'fire' | 'silent';
  files: SourceFile[];
  settingsFiles: SourceFile[];
  appConfigFiles: SourceFile[];
  config: ConfigLayer;
}

function loadCase(ruleDir: string, entry: string): FixtureCase {
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
function expectedLines(files: SourceFile[], ruleId: string): string[] {
  const expected: string[] = [];
  for (const file of files) {
    file.text.split('\n').forEach((line, index) => {
      const marker = /#\s*expect:\s*([\w, -]+)$/.exec(line.trimEnd());
      if (marker && marker[1]!.split(',').map((s) => s.trim()).includes(ruleId)) expected.push(`${file.path}:${index + 1}`);
    });
  }
  return expected.sort();
}

function configFor(layer: ConfigLayer): ResolvedConfig {
  return { ...DEFAULT_CONFIG, ...layer, ignore: layer.ignore ?? [], severity: layer.severity ?? {}, exclude: layer.exclude ?? [] };
}

/** Every finding of every fixture (rule, file:line, message), so a change of wording is a visible diff. */
const SNAPSHOT = join(FIXTURES, 'messages.snapshot.txt');
const snapshotLines: string[] = [];

describe('rule fixtures', () => {
  it('has at least one rule registered', () => {
    assert.ok(ALL_RULES.length > 0, 'ALL_RULES is empty');
  });

  for (const rule of ALL_RULES) {
    describe(rule.id, () => {
      const ruleDir = join(FIXTURES, rule.id);
      const entries = existsSync(ruleDir) ? readdirSync(ruleDir).filter((e) => e.startsWith('fire-') || e.startsWith('silent-')) : [];

      it('has fire- and silent- fixtures', () => {
        assert.ok(entries.some((e) => e.startsWith('fire-')), `no fire- fixture in ${relative(process.cwd(), ruleDir)}`);
        assert.ok(entries.some((e) => e.startsWith('silent-')), `no silent- fixture in ${relative(process.cwd(), ruleDir)}`);
      });

      for (const entry of entries.sort()) {
        it(entry, () => {
          const fixture = loadCase(ruleDir, entry);
          // The rule alone (unless the fixture selects), so that another rule taking over a shared risk (see
          // ONE_RISK_PAIRS in analyze.ts) does not hide it; unused-ignore needs the rules its comments name.
          const layer = fixture.config.select || rule.id === 'unused-ignore' ? fixture.config : { ...fixture.config, select: [rule.id] };
          const result = analyze(fixture.files, { config: configFor(layer), settingsFiles: fixture.settingsFiles, appConfigFiles: fixture.appConfigFiles });
          const crashed = result.errors.filter((e) => e.message.includes(`rule ${rule.id} failed`));
          assert.deepEqual(crashed, [], 'the rule threw');
          const actual = result.findings
            .filter((f) => f.rule === rule.id)
            .map((f) => `${f.file}:${f.start.line + 1}`)
            .sort();
          for (const finding of result.findings.filter((f) => f.rule === rule.id)) {
            snapshotLines.push(`${rule.id} ${entry}/${finding.file}:${finding.start.line + 1}:${finding.start.character + 1} ${finding.message.replace(/\n/g, ' ')}`);
          }
          const expected = expectedLines(fixture.files, rule.id);
          if (fixture.kind === 'fire') assert.ok(expected.length > 0, 'a fire- fixture needs at least one `# expect:` marker');
          assert.deepEqual(actual, expected, result.findings.filter((f) => f.rule === rule.id).map((f) => `${f.file}:${f.start.line + 1} ${f.message}`).join('\n'));
        });
      }
    });
  }
});

describe('rule fixture messages', () => {
  it('match messages.snapshot.txt (UPDATE_RULE_SNAPSHOTS=1 rewrites it)', function () {
    if (snapshotLines.length === 0) this.skip(); // run with --grep on single fixtures
    const actual = `${[...snapshotLines].sort().join('\n')}\n`;
    if (process.env.UPDATE_RULE_SNAPSHOTS) writeFileSync(SNAPSHOT, actual);
    assert.equal(actual, readFileSync(SNAPSHOT, 'utf8'));
  });
});
