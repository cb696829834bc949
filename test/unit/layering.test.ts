// The engine's layering, enforced on every import (read with the TypeScript compiler's own pre-processor): the
// engine imports nothing of an editor or of the language server, nothing below rules/ imports from rules/, and no
// runtime import cycle exists anywhere in server/src.
import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const SERVER = join(__dirname, '..', '..', 'server', 'src');
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
