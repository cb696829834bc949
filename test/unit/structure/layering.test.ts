// The engine's layering, enforced on every import (read with the TypeScript compiler's own pre-processor): the
// engine imports nothing of an editor or of the language server, nothing below rules/ imports from rules/, the rest
// reaches rules/ only to register rules (rules/index.ts) or for the rule contract's types (rules/rule.ts), formats
// and front-door helpers take shared types from engine/types.ts, and no runtime import cycle exists anywhere in
// server/src. docs/architecture.md draws the layers.
import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const SERVER = join(__dirname, '..', '..', '..', 'server', 'src');
const CLIENT = join(__dirname, '..', '..', '..', 'client', 'src');
const BELOW_RULES = ['engine/python/', 'engine/state/', 'engine/django/', 'engine/sql/', 'engine/config/', 'engine/fixes/', 'engine/types.ts'];

interface Import {
  target: string;
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  const imports: Import[] = [];
  for (const statement of source.statements) {
    const specifier = (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier) ? statement.moduleSpecifier.text : undefined;
    if (!specifier) continue;
    const typeOnly = ts.isImportDeclaration(statement) ? statement.importClause?.isTypeOnly === true : ts.isExportDeclaration(statement) && statement.isTypeOnly;
    const target = specifier.startsWith('.') ? relative(SERVER, `${resolve(dirname(file), specifier)}.ts`).split('\\').join('/') : specifier;
    imports.push({ target, typeOnly });
  }
  return imports;
}

const GRAPH = new Map(sourceFiles(SERVER).map((file) => [relative(SERVER, file).split('\\').join('/'), importsOf(file)]));
const CLIENT_IMPORTS = sourceFiles(CLIENT).map((file) => [relative(CLIENT, file).split('\\').join('/'), importsOf(file)] as const);

/** Registration: the catalogue of rules. */
const REGISTRATION = 'engine/rules/index.ts';
/** The rule contract: its types (type-only imports). */
const CONTRACT = 'engine/rules/rule.ts';
/**
 * The analysis pipeline runs the rules, so it alone also builds their per-analysis facts and dispatch table. Keep
 * this list short: anything else a front door needs belongs in engine/types.ts, engine/django/ or engine/state/.
 */
const PIPELINE: Record<string, readonly string[]> = {
  'engine/analyze.ts': ['engine/rules/operationFacts.ts', 'engine/rules/dispatch.ts'],
  'engine/operationDocs.ts': ['engine/rules/dispatch.ts'],
};
/** Modules that only format or pass findings along: no rule code or rule type at all, registration aside. */
const TYPES_ONLY_FROM_ENGINE = (file: string): boolean => file.startsWith('engine/format/') || ['engine/failOn.ts', 'engine/checkProject.ts', 'cli.ts'].includes(file);

function intoRules(imports: readonly Import[]): Import[] {
  return imports.filter((i) => i.target.startsWith('engine/rules/'));
}

describe('engine layering', () => {
  it('reads the whole server source', () => {
    assert.ok(GRAPH.size > 100, `only ${GRAPH.size} files`);
  });

  it('the engine imports no editor or language server code', () => {
    const bad = [...GRAPH].flatMap(([file, imports]) => (file.startsWith('engine/') ? imports.filter((i) => /^vscode/.test(i.target) || i.target.startsWith('lsp/') || i.target === 'cli.ts').map((i) => `${file} -> ${i.target}`) : []));
    assert.deepEqual(bad, []);
  });

  it('nothing below rules/ imports from rules/ (types included)', () => {
    const bad = [...GRAPH].flatMap(([file, imports]) => (BELOW_RULES.some((prefix) => file.startsWith(prefix)) ? imports.filter((i) => i.target.startsWith('engine/rules/')).map((i) => `${file} -> ${i.target}`) : []));
    assert.deepEqual(bad, []);
  });

  it('outside rules/, rules/ is reached only for registration and the rule contract\'s types', () => {
    const bad = [...GRAPH].flatMap(([file, imports]) =>
      file.startsWith('engine/rules/')
        ? []
        : intoRules(imports)
            .filter((i) => i.target !== REGISTRATION && !(i.target === CONTRACT && i.typeOnly) && !(PIPELINE[file] ?? []).includes(i.target))
            .map((i) => `${file} -> ${i.target}${i.typeOnly ? ' (types)' : ''}`),
    );
    assert.deepEqual(bad, []);
  });

  it('formats, fail-on, checkProject and the CLI take shared types from engine/types.ts, never from rules/', () => {
    const bad = [...GRAPH].flatMap(([file, imports]) => (TYPES_ONLY_FROM_ENGINE(file) ? intoRules(imports).filter((i) => i.target !== REGISTRATION).map((i) => `${file} -> ${i.target}`) : []));
    assert.deepEqual(bad, []);
    // The check sees the files it is about.
    assert.ok([...GRAPH.keys()].filter(TYPES_ONLY_FROM_ENGINE).length >= 10);
  });

  it('Django knowledge is no rule\'s: the rules/support.ts grab-bag is gone, django/ and state/ hold the readers', () => {
    // Its last contents, the quick-fix data, became declared fixes built from engine/fixes/.
    assert.equal(GRAPH.has('engine/rules/support.ts'), false);
    assert.ok(GRAPH.has('engine/django/operations.ts') && GRAPH.has('engine/state/latestFields.ts'));
  });

  it('one policy and one suppression stage: exclusion globs, unused-ignore and closed-file rules are decided in engine/', () => {
    // Only projectGlobs.ts compiles globs; the front doors ask ProjectPolicy (config/projectPolicy.ts).
    const compilers = [...GRAPH].filter(([, imports]) => imports.some((i) => i.target === 'picomatch')).map(([file]) => file);
    assert.deepEqual(compilers, ['engine/projectGlobs.ts']);
    for (const file of ['engine/checkProject.ts', 'lsp/settings.ts']) {
      assert.ok(GRAPH.get(file)?.some((i) => i.target === 'engine/config/projectPolicy.ts'), `${file} decides exclusion through ProjectPolicy`);
    }
    for (const file of ['engine/analyze.ts', 'engine/checkProject.ts', 'lsp/analysisService.ts']) {
      assert.ok(GRAPH.get(file)?.some((i) => i.target === 'engine/suppression.ts'), `${file} suppresses through engine/suppression.ts`);
    }
    // No front door spells the pseudo-rule's id or a list of rule ids of its own.
    const spelled = [...GRAPH.keys()].filter((file) => !file.startsWith('engine/rules/') && file !== 'engine/config/ignoreComments.ts' && /'unused-ignore'/.test(readFileSync(join(SERVER, file), 'utf8')));
    assert.deepEqual(spelled, []);
    const idLists = [...GRAPH.keys()].filter((file) => file.startsWith('lsp/') && /new Set\(\[\s*'[a-z]+(-[a-z]+)+'/.test(readFileSync(join(SERVER, file), 'utf8')));
    assert.deepEqual(idLists, []);
  });

  it('the engine reads a project only through projectFs.ts, so a recorded run (cache/replay.ts) misses no input', () => {
    // The caches read their own folder and the worker pool finds its bundle: none of that is the project.
    const ownFiles = (file: string): boolean => file === 'engine/projectFs.ts' || file.startsWith('engine/cache/') || file === 'engine/parallelAnalyze.ts';
    const READERS = new Set(['existsSync', 'statSync', 'lstatSync', 'readdirSync', 'readFileSync', 'realpathSync', 'openSync', 'opendirSync', 'accessSync', 'createReadStream', 'promises', 'stat', 'lstat', 'readdir', 'readFile', 'open', 'access']);
    const bad: string[] = [];
    for (const file of GRAPH.keys()) {
      if (!file.startsWith('engine/') || ownFiles(file)) continue;
      const source = ts.createSourceFile(file, readFileSync(join(SERVER, file), 'utf8'), ts.ScriptTarget.Latest, false);
      for (const statement of source.statements) {
        if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
        const specifier = statement.moduleSpecifier.text;
        if (!['fs', 'node:fs', 'fs/promises', 'node:fs/promises'].includes(specifier)) continue;
        const bindings = statement.importClause?.namedBindings;
        if (specifier.endsWith('promises') || !bindings || ts.isNamespaceImport(bindings) || statement.importClause?.name) {
          bad.push(`${file}: imports ${specifier} whole`);
          continue;
        }
        for (const element of bindings.elements) {
          const name = (element.propertyName ?? element.name).text;
          if (READERS.has(name)) bad.push(`${file}: ${name} from ${specifier}`);
        }
      }
    }
    assert.deepEqual(bad, []);
  });

  it('the executable loads only the replay of recorded runs; the CLI and the engine are required on a miss', () => {
    const reached = new Set<string>();
    const visit = (file: string): void => {
      for (const { target, typeOnly } of GRAPH.get(file) ?? []) {
        if (typeOnly || !GRAPH.has(target) || reached.has(target)) continue;
        reached.add(target);
        visit(target);
      }
    };
    visit('cliEntry.ts');
    assert.deepEqual([...reached].sort(), ['engine/cache/cacheFolder.ts', 'engine/cache/racy.ts', 'engine/cache/replay.ts', 'engine/projectFs.ts']);
  });

  it('the client reaches the server\'s rules only through shared types and generated metadata', () => {
    const bad = CLIENT_IMPORTS.flatMap(([file, imports]) => intoRules(imports).map((i) => `client/src/${file} -> ${i.target}`));
    assert.deepEqual(bad, []);
  });

  it('has no runtime import cycle', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const path: string[] = [];
    const visit = (file: string): void => {
      state.set(file, 'visiting');
      path.push(file);
      for (const { target, typeOnly } of GRAPH.get(file) ?? []) {
        if (typeOnly || !GRAPH.has(target)) continue;
        if (state.get(target) === 'visiting') cycles.push([...path.slice(path.indexOf(target)), target].join(' -> '));
        else if (!state.has(target)) visit(target);
      }
      path.pop();
      state.set(file, 'done');
    };
    for (const file of GRAPH.keys()) if (!state.has(file)) visit(file);
    assert.deepEqual(cycles, []);
  });
});
