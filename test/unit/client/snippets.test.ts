// The snippets are the product's safe patterns: each must expand to valid Python that the engine itself finds
// nothing risky in (info-level hygiene notes aside), or the extension would teach what it warns about.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../../server/src/engine/analyze';
import { DEFAULT_CONFIG } from '../../../server/src/engine/config/types';

interface Snippet {
  prefix: string | string[];
  scope?: string;
  description: string;
  body: string[];
}

const SNIPPETS_FILE = join(__dirname, '..', '..', '..', 'snippets', 'django-migrations.code-snippets');

/** Expands a snippet body with every placeholder's default; mirrors (`$1`, `${1}`) take their placeholder's value. */
function expandSnippet(body: string): string {
  const defaults = new Map<string, string>();
  const placeholder = /\$\{(\d+):((?:[^{}]|\{[^{}]*\})*)\}/g;
  let text = body;
  // Innermost placeholders first, so nested defaults resolve before their parents.
  for (let guard = 0; guard < 20 && placeholder.test(text); guard++) {
    placeholder.lastIndex = 0;
    text = text.replace(placeholder, (_whole, index: string, value: string) => {
      if (!defaults.has(index)) defaults.set(index, value);
      return defaults.get(index)!;
    });
  }
  return text.replace(/\$\{(\d+)\}|\$(\d+)/g, (_whole, braced: string | undefined, bare: string | undefined) => defaults.get(braced ?? bare ?? '') ?? '');
}

/** Warnings and errors the engine reports for `text` as the migration after an initial one (an existing table). */
function riskyFindings(text: string): string[] {
  const initial = [
    'from django.db import migrations, models',
    '',
    'class Migration(migrations.Migration):',
    '    initial = True',
    '    operations = [',
    '        migrations.CreateModel(name="Model", fields=[("id", models.BigAutoField(primary_key=True)), ("field", models.IntegerField(null=True)), ("new_field", models.IntegerField(null=True)), ("price", models.IntegerField(default=0))]),',
    '    ]',
    '',
  ].join('\n');
  const result = analyze(
    [
      { path: 'app_label/migrations/0001_previous.py', text: initial },
      { path: 'app_label/migrations/0002_safe_pattern.py', text },
    ],
    { config: { ...DEFAULT_CONFIG, database: 'postgresql', djangoVersion: '4.2' } },
  );
  assert.deepEqual(result.errors, []);
  return result.findings
    .filter((finding) => finding.file.endsWith('0002_safe_pattern.py') && finding.severity !== 'info')
    .map((finding) => `${finding.rule} (line ${finding.start.line + 1}): ${finding.message}`);
}

describe('client: safe-pattern snippets', () => {
  const snippets = JSON.parse(readFileSync(SNIPPETS_FILE, 'utf8')) as Record<string, Snippet>;
  const entries = Object.entries(snippets);

  it('cover the seven safe patterns, each named, described and scoped to Python', () => {
    const patterns: [string, RegExp][] = [
      ['non-atomic AddIndexConcurrently', /AddIndexConcurrently/],
      ['RunPython with a reverse', /RunPython\(\$\{3:forwards\}, reverse_code=/],
      ['batched backfill', /BATCH_SIZE/],
      ['three-step NOT NULL: nullable field', /null=True/],
      ['three-step NOT NULL: AlterField', /migrations\.AlterField\(/],
      ['state-only field removal', /state_operations=\[\s*migrations\.RemoveField/],
      ['AddConstraintNotValid', /AddConstraintNotValid\(/],
      ['ValidateConstraint', /ValidateConstraint\(/],
      ['RunSQL with reverse_sql', /RunSQL\(\s*sql="[^"]*",\s*reverse_sql=/],
    ];
    for (const [pattern, regex] of patterns) {
      assert.ok(entries.some(([, snippet]) => regex.test(snippet.body.join('\n'))), `no snippet for ${pattern}`);
    }
    for (const [name, snippet] of entries) {
      assert.ok(name.length > 10, name);
      assert.ok(snippet.description.length > 80, `${name}: describe why the pattern is safe`);
      assert.equal(snippet.scope, 'python', name);
      assert.equal(typeof snippet.prefix, 'string', `${name}: one prefix, so IntelliSense lists each snippet once`);
      assert.match(snippet.prefix as string, /^dj-[a-z0-9-]+$/, name);
    }
  });

  it('form one family of prefixes (dj-), each used once', () => {
    const prefixes = entries.flatMap(([, snippet]) => (Array.isArray(snippet.prefix) ? snippet.prefix : [snippet.prefix]));
    assert.deepEqual(prefixes.filter((prefix) => !prefix.startsWith('dj-')), []);
    assert.equal(new Set(prefixes).size, prefixes.length, 'no prefix is shared by two snippets');
    assert.equal(prefixes.length, entries.length);
  });

  for (const [name, snippet] of Object.entries(JSON.parse(readFileSync(SNIPPETS_FILE, 'utf8')) as Record<string, Snippet>)) {
    it(`"${name}" expands to a migration with no warning or error`, function () {
      const text = expandSnippet(snippet.body.join('\n'));
      assert.doesNotMatch(text, /\$\{?\d/, 'every placeholder expands');
      const python = spawnSync('python3', ['-c', 'import ast, sys; ast.parse(sys.stdin.read())'], { input: text, encoding: 'utf8' });
      if (python.status !== null && !python.error) assert.equal(python.status, 0, `not valid Python:\n${python.stderr}\n${text}`);

      assert.deepEqual(riskyFindings(text), [], text);
    });
  }

  it('the same check catches the risky versions of these patterns', () => {
    const risky = expandSnippet(
      snippets['Add an index without blocking writes (AddIndexConcurrently)']!.body.join('\n')
        .replace('    atomic = False\n', '')
        .replace('AddIndexConcurrently(', 'migrations.AddIndex('),
    );
    assert.match(riskyFindings(risky).join('\n'), /add-index-non-concurrent/);
    const unreversible = expandSnippet(snippets['Data migration with a reverse (RunPython)']!.body.join('\n').replace(/, reverse_code=\$\{5:backwards\}/, ''));
    assert.match(riskyFindings(unreversible).join('\n'), /runpython-no-reverse/);
  });

  it('expands placeholders, nested defaults and mirrors', () => {
    assert.equal(expandSnippet('a ${1:x} b $1 ${1} ${2:y ${3:z}} $3 $0'), 'a x b x x y z z ');
  });
});
