// Names and imports for fixes: how this file refers to a symbol (`migrations.RunPython`, an alias, or a name to
// import), and where a new import goes in isort order (`from django.contrib...` before `from django.db ...`, names
// merged into an existing `from X import` line, kept sorted the way isort sorts them: CONSTANTS, Classes, functions).
import type { SyntaxNode } from '@lezer/common';
import type { MigrationModel } from '../python/model';
import type { ImportIntent, TextEdit } from './types';
import { leadingWhitespace, lineStart } from './text';

export const MIGRATIONS_MODULE = 'django.db.migrations';
export const POSTGRES_OPERATIONS_MODULE = 'django.contrib.postgres.operations';

export interface SymbolReference {
  /** How to write the symbol in this file (`migrations.RunPython`, `AddIndexConcurrently`, `pg_ops.AddIndexConcurrently`). */
  text: string;
  /** The import to add when nothing in the file binds the symbol or its module yet. */
  import?: ImportIntent;
}

/** How to refer to `module.name` with the file's existing imports, or with a new `from module import name`. */
export function symbolReference(model: MigrationModel, module: string, name: string): SymbolReference {
  const qualified = `${module}.${name}`;
  let moduleAlias: string | undefined;
  for (const [local, target] of model.importMap) {
    if (target === qualified) return { text: local };
    if (target === module && moduleAlias === undefined) moduleAlias = local;
  }
  if (moduleAlias !== undefined) return { text: `${moduleAlias}.${name}` };
  // `import django.contrib.postgres.operations` binds only `django`; the full dotted path then works as written.
  if (findImportStatements(model).some((statement) => statement.plainModules.includes(module))) return { text: qualified };
  return { text: name, import: { kind: 'import', module, name } };
}

/** The intents a reference needs: its import, when the file lacks one. */
export function importsOf(reference: SymbolReference): ImportIntent[] {
  return reference.import ? [reference.import] : [];
}

interface ImportedName {
  name: string;
  from: number;
  /** End of the name, or of its `as alias`. */
  to: number;
}

export interface ImportStatementInfo {
  node: SyntaxNode;
  /** For `from X import ...`: X. */
  fromModule?: string;
  /** For `import X.Y`: the dotted modules imported. */
  plainModules: string[];
  /** For `from X import a, b as c`: the names in order; undefined for `import *`. */
  names?: ImportedName[];
  /** True when the names sit in parentheses. */
  parenthesized: boolean;
}

/** The module-level import statements, in source order. */
export function findImportStatements(model: MigrationModel): ImportStatementInfo[] {
  const statements: ImportStatementInfo[] = [];
  for (let node = model.tree.topNode.firstChild; node; node = node.nextSibling) {
    if (node.name !== 'ImportStatement') continue;
    const children: SyntaxNode[] = [];
    for (let child = node.firstChild; child; child = child.nextSibling) children.push(child);
    const importIndex = children.findIndex((child) => child.name === 'import');
    if (children[0]?.name === 'from' && importIndex > 0) {
      const fromModule = model.text.slice(children[1]!.from, children[importIndex - 1]!.to).replace(/\s+/g, '');
      const rest = children.slice(importIndex + 1);
      const star = rest.some((child) => child.name === '*');
      const names: ImportedName[] = [];
      for (let index = 0; index < rest.length; index++) {
        const child = rest[index]!;
        if (child.name !== 'VariableName') continue;
        const aliased = rest[index + 1]?.name === 'as' && rest[index + 2]?.name === 'VariableName';
        names.push({ name: model.text.slice(child.from, child.to), from: child.from, to: aliased ? rest[index + 2]!.to : child.to });
        if (aliased) index += 2;
      }
      const parenthesized = rest.some((child) => child.name === '(');
      statements.push(star ? { node, fromModule, plainModules: [], parenthesized } : { node, fromModule, plainModules: [], names, parenthesized });
    } else {
      const text = model.text.slice(node.from, node.to);
      const modules = text
        .replace(/^import\s+/, '')
        .split(',')
        .map((part) => part.trim().split(/\s+/)[0] ?? '')
        .filter(Boolean);
      statements.push({ node, plainModules: modules, parenthesized: false });
    }
  }
  return statements;
}

/** isort's default order of imported names (order_by_type): CONSTANTS, then Classes, then functions and modules. */
export function compareImportedNames(a: string, b: string): number {
  const rank = (name: string) => (name.length > 1 && name === name.toUpperCase() && /[A-Z]/.test(name) ? 0 : /^[A-Z]/.test(name) ? 1 : 2);
  return rank(a) - rank(b) || compareText(a.toLowerCase(), b.toLowerCase()) || compareText(a, b);
}

/** isort's order of modules: case-insensitive. */
export function compareModules(a: string, b: string): number {
  return compareText(a.toLowerCase(), b.toLowerCase()) || compareText(a, b);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The edits that import `names` from `module`: merged into an existing `from module import ...` (each name at its
 * sorted place), else a new line where isort would put it among the file's `from` imports (blank lines kept).
 */
export function importEdits(model: MigrationModel, module: string, names: readonly string[]): TextEdit[] {
  const statements = findImportStatements(model);
  const existing = statements.find((statement) => statement.fromModule === module && statement.names && statement.names.length > 0 && !hasSyntaxErrorIn(model, statement.node));
  const wanted = [...new Set(names)].sort(compareImportedNames);
  if (existing?.names) {
    const missing = wanted.filter((name) => !existing.names!.some((imported) => imported.name === name));
    // Names that go to the same place are written by one edit, in order.
    const byAnchor = new Map<ImportedName | undefined, string[]>();
    for (const name of missing) {
      const anchor = existing.names.find((imported) => compareImportedNames(imported.name, name) > 0);
      byAnchor.set(anchor, [...(byAnchor.get(anchor) ?? []), name]);
    }
    return [...byAnchor].map(([anchor, group]) => mergedNamesEdit(model.text, existing, anchor, group));
  }
  const line = `from ${module} import ${wanted.join(', ')}`;
  const fromImports = statements.filter((statement) => statement.fromModule !== undefined && !statement.fromModule.startsWith('.'));
  const root = module.split('.')[0];
  const samePackage = fromImports.filter((statement) => statement.fromModule!.split('.')[0] === root);
  const candidates = samePackage.length > 0 ? samePackage : fromImports;
  const after = candidates.find((statement) => compareModules(statement.fromModule!, module) > 0);
  if (after && samePackage.length > 0) {
    const start = lineStart(model.text, after.node.from);
    return [{ span: { start, end: start }, newText: `${line}\n` }];
  }
  const last = candidates[candidates.length - 1] ?? statements[statements.length - 1];
  if (last) return [{ span: { start: last.node.to, end: last.node.to }, newText: `\n${line}` }];
  const offset = moduleHeaderEnd(model);
  return [{ span: { start: offset, end: offset }, newText: offset === 0 ? `${line}\n` : `\n${line}` }];
}

/** Writes `names` (sorted) before `next`, or after the statement's last name when `next` is undefined. */
function mergedNamesEdit(text: string, statement: ImportStatementInfo, next: ImportedName | undefined, names: readonly string[]): TextEdit {
  const imported = statement.names!;
  const multiline = statement.parenthesized && imported.length > 0 && text.slice(statement.node.from, imported[0]!.from).includes('\n');
  if (next) {
    const indent = leadingWhitespace(text, lineStart(text, next.from));
    const separator = multiline ? `,\n${indent}` : ', ';
    return { span: { start: next.from, end: next.from }, newText: `${names.join(separator)}${separator}` };
  }
  const last = imported[imported.length - 1]!;
  const indent = leadingWhitespace(text, lineStart(text, last.from));
  const separator = multiline ? `,\n${indent}` : ', ';
  return { span: { start: last.to, end: last.to }, newText: `${separator}${names.join(separator)}` };
}

function hasSyntaxErrorIn(model: MigrationModel, node: SyntaxNode): boolean {
  return model.syntaxErrors.some((error) => error.start < node.to && error.end >= node.from);
}

/**
 * Where module-level text can go after the file's preamble: the end of the module docstring when there is one,
 * else the end of the leading comment lines (`# Generated by Django ...`, encoding lines), else 0.
 */
export function moduleHeaderEnd(model: MigrationModel): number {
  const first = model.tree.topNode.firstChild;
  if (first && first.name === 'ExpressionStatement' && first.firstChild?.name === 'String') return first.to;
  let end = 0;
  for (const comment of [...model.comments].sort((a, b) => a.span.start - b.span.start)) {
    if (!comment.ownLine) break;
    const between = model.text.slice(end, comment.span.start);
    if (between.trim() !== '') break;
    end = comment.span.end;
  }
  return end;
}

/**
 * The import block of a new file: `import x` lines first, then `from x import ...` lines by module, names merged
 * and sorted (the order Django's migration writer and isort agree on).
 */
export function importBlock(plain: Iterable<string>, from: ReadonlyMap<string, Iterable<string>>): string {
  const lines = [...new Set(plain)].sort(compareModules).map((module) => `import ${module}`);
  for (const module of [...from.keys()].sort(compareModules)) {
    const names = [...new Set(from.get(module)!)].sort((a, b) => compareImportedNames(a.split(' ')[0]!, b.split(' ')[0]!));
    lines.push(`from ${module} import ${names.join(', ')}`);
  }
  return lines.join('\n');
}
