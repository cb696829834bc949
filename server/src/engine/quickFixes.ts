// Turns a finding's FixData into text edits, and writes the ignore comments that silence a rule for one operation or
// for a whole file. Editor-free (plain offsets into the file's text) so the language server and the CLI share it.
import type { SyntaxNode } from '@lezer/common';
import type { CallExpr, Comment, Expr, MigrationModel, Span } from './python/model';
import type { FixData } from './rules/rule';
import { collectIgnoreDirectives } from './config/ignoreComments';
import { computeLineStarts, lineOfOffset } from './python/textPositions';

/** Replace `span` of the file's text with `newText` (an insertion when the span is empty). */
export interface TextEdit {
  span: Span;
  newText: string;
}

const MIGRATIONS_MODULE = 'django.db.migrations';
const POSTGRES_OPERATIONS_MODULE = 'django.contrib.postgres.operations';
const IGNORE_PREFIX = 'migration-guard:';

/**
 * What a fix needs, before it becomes text: plain edits, plus needs that several fixes may share (an import, the
 * `atomic = False` line) and that must be written once when fixes are combined.
 */
type FixIntent =
  | { kind: 'edit'; edit: TextEdit }
  | { kind: 'import'; module: string; name: string }
  | { kind: 'atomic-false' };

/** Fixes that change nothing the user has to think about, applied by "fix all". */
const SAFE_FIX_KINDS: ReadonlySet<FixData['kind']> = new Set(['set-atomic-false', 'use-concurrent-index', 'add-reverse-code', 'add-reverse-sql']);

/** True for fixes that are mechanical and safe to apply in bulk (source.fixAll); the others need a human decision. */
export function isSafeMechanicalFix(fix: FixData): boolean {
  return SAFE_FIX_KINDS.has(fix.kind);
}

/** A short imperative title for the fix, naming what it writes. */
export function fixTitle(fix: FixData, model: MigrationModel): string {
  switch (fix.kind) {
    case 'set-atomic-false':
      return 'Set `atomic = False` on the migration';
    case 'use-concurrent-index':
      return `Use ${fix.replacement} (and \`atomic = False\`)`;
    case 'add-reverse-code':
      return `Add \`reverse_code=${symbolReference(model, MIGRATIONS_MODULE, 'RunPython').text}.noop\``;
    case 'add-reverse-sql':
      return `Add \`reverse_sql=${symbolReference(model, MIGRATIONS_MODULE, 'RunSQL').text}.noop\``;
    case 'add-null-true':
      return 'Add `null=True` to the field';
    case 'state-only-remove-field':
      return 'Remove the field from the state only (SeparateDatabaseAndState), drop the column in a later release';
    case 'replace-text':
      return fix.title;
  }
}

/** The edits of one fix, ready to apply to `model.text`. Empty when the fix no longer fits the text. */
export function quickFixEdits(fix: FixData, model: MigrationModel): TextEdit[] {
  return resolveIntents(fixIntents(fix, model), model);
}

/**
 * The edits of several fixes applied together (fix all): shared imports and `atomic = False` are written once, and
 * an edit that overlaps an earlier one is dropped rather than corrupting the text.
 */
export function combinedFixEdits(fixes: readonly FixData[], model: MigrationModel): TextEdit[] {
  return resolveIntents(fixes.flatMap((fix) => fixIntents(fix, model)), model);
}

/** Applies non-overlapping edits to a text (the order of `edits` does not matter). */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  const ordered = [...edits].sort((a, b) => b.span.start - a.span.start || b.span.end - a.span.end);
  let result = text;
  for (const edit of ordered) result = result.slice(0, edit.span.start) + edit.newText + result.slice(edit.span.end);
  return result;
}

// ---------------------------------------------------------------------------------------------------------------
// Fix intents

function fixIntents(fix: FixData, model: MigrationModel): FixIntent[] {
  const text = model.text;
  switch (fix.kind) {
    case 'set-atomic-false':
      return [{ kind: 'atomic-false' }];
    case 'use-concurrent-index': {
      if (!validSpan(fix.nameSpan, text)) return [];
      const reference = symbolReference(model, POSTGRES_OPERATIONS_MODULE, fix.replacement);
      return [
        { kind: 'edit', edit: { span: fix.nameSpan, newText: reference.text } },
        ...(reference.import ? [{ kind: 'import' as const, ...reference.import }] : []),
        { kind: 'atomic-false' },
      ];
    }
    case 'add-reverse-code':
    case 'add-reverse-sql': {
      const [operation, keyword] = fix.kind === 'add-reverse-code' ? ['RunPython', 'reverse_code'] : ['RunSQL', 'reverse_sql'];
      const reference = symbolReference(model, MIGRATIONS_MODULE, operation);
      const edits = keywordArgumentEdits(model, fix.argListSpan, keyword, `${reference.text}.noop`);
      return [
        ...edits.map((edit) => ({ kind: 'edit' as const, edit })),
        ...(edits.length > 0 && reference.import ? [{ kind: 'import' as const, ...reference.import }] : []),
      ];
    }
    case 'add-null-true':
      return keywordArgumentEdits(model, fix.argListSpan, 'null', 'True').map((edit) => ({ kind: 'edit', edit }));
    case 'state-only-remove-field':
      return stateOnlyRemovalIntents(model, fix.operationSpan);
    case 'replace-text':
      return validSpan(fix.span, text) ? [{ kind: 'edit', edit: { span: fix.span, newText: fix.newText } }] : [];
  }
}

function resolveIntents(intents: readonly FixIntent[], model: MigrationModel): TextEdit[] {
  const edits: TextEdit[] = [];
  const imports = new Map<string, Set<string>>();
  let atomicFalse = false;
  for (const intent of intents) {
    if (intent.kind === 'edit') edits.push(intent.edit);
    else if (intent.kind === 'import') {
      const names = imports.get(intent.module) ?? new Set<string>();
      names.add(intent.name);
      imports.set(intent.module, names);
    } else atomicFalse = true;
  }
  if (atomicFalse) {
    const edit = atomicFalseEdit(model);
    if (edit) edits.push(edit);
  }
  for (const [module, names] of imports) edits.push(importEdit(model, module, [...names]));
  return withoutOverlaps(edits);
}

/** Keeps the first of overlapping edits and collapses duplicates; two insertions at one offset are both kept. */
function withoutOverlaps(edits: readonly TextEdit[]): TextEdit[] {
  const kept: TextEdit[] = [];
  for (const edit of edits) {
    const clash = kept.find((other) => overlaps(edit.span, other.span));
    if (clash) continue;
    if (kept.some((other) => sameEdit(other, edit))) continue;
    kept.push(edit);
  }
  return kept;
}

function overlaps(a: Span, b: Span): boolean {
  if (a.start === a.end || b.start === b.end) return a.start > b.start && a.start < b.end || b.start > a.start && b.start < a.end;
  return a.start < b.end && b.start < a.end;
}

function sameEdit(a: TextEdit, b: TextEdit): boolean {
  return a.span.start === b.span.start && a.span.end === b.span.end && a.newText === b.newText;
}

function validSpan(span: Span, text: string): boolean {
  return span.start >= 0 && span.end >= span.start && span.end <= text.length;
}

// ---------------------------------------------------------------------------------------------------------------
// Names and imports

interface SymbolReference {
  /** How to write the symbol in this file (`migrations.RunPython`, `AddIndexConcurrently`, `pg_ops.AddIndexConcurrently`). */
  text: string;
  /** The import to add when nothing in the file binds the symbol or its module yet. */
  import?: { module: string; name: string };
}

/** How to refer to `module.name` with the file's existing imports, or with a new `from module import name`. */
function symbolReference(model: MigrationModel, module: string, name: string): SymbolReference {
  const qualified = `${module}.${name}`;
  let moduleAlias: string | undefined;
  for (const [local, target] of model.importMap) {
    if (target === qualified) return { text: local };
    if (target === module && moduleAlias === undefined) moduleAlias = local;
  }
  if (moduleAlias !== undefined) return { text: `${moduleAlias}.${name}` };
  // `import django.contrib.postgres.operations` binds only `django`; the full dotted path then works as written.
  if (findImportStatements(model).some((statement) => statement.plainModules.includes(module))) return { text: qualified };
  return { text: name, import: { module, name } };
}

interface ImportStatementInfo {
  node: SyntaxNode;
  /** For `from X import ...`: X. */
  fromModule?: string;
  /** For `import X.Y`: the dotted modules imported. */
  plainModules: string[];
  /** End offset of the last imported name (where `, Name` can be appended); undefined for `import *`. */
  lastNameEnd?: number;
}

function findImportStatements(model: MigrationModel): ImportStatementInfo[] {
  const statements: ImportStatementInfo[] = [];
  for (let node = model.tree.topNode.firstChild; node; node = node.nextSibling) {
    if (node.name !== 'ImportStatement') continue;
    const children: SyntaxNode[] = [];
    for (let child = node.firstChild; child; child = child.nextSibling) children.push(child);
    const importIndex = children.findIndex((child) => child.name === 'import');
    if (children[0]?.name === 'from' && importIndex > 0) {
      const fromModule = model.text.slice(children[1]!.from, children[importIndex - 1]!.to).replace(/\s+/g, '');
      const names = children.slice(importIndex + 1).filter((child) => child.name === 'VariableName');
      const star = children.slice(importIndex + 1).some((child) => child.name === '*');
      statements.push({ node, fromModule, plainModules: [], lastNameEnd: star ? undefined : names[names.length - 1]?.to });
    } else {
      const text = model.text.slice(node.from, node.to);
      const modules = text
        .replace(/^import\s+/, '')
        .split(',')
        .map((part) => part.trim().split(/\s+/)[0] ?? '')
        .filter(Boolean);
      statements.push({ node, plainModules: modules });
    }
  }
  return statements;
}

/** Adds names to an existing `from module import ...` when there is one, else writes a new import line. */
function importEdit(model: MigrationModel, module: string, names: string[]): TextEdit {
  const statements = findImportStatements(model);
  const existing = statements.find((statement) => statement.fromModule === module && statement.lastNameEnd !== undefined && !hasSyntaxErrorIn(model, statement.node));
  if (existing) return { span: { start: existing.lastNameEnd!, end: existing.lastNameEnd! }, newText: names.map((name) => `, ${name}`).join('') };
  const line = `from ${module} import ${names.join(', ')}`;
  const last = statements[statements.length - 1];
  if (last) return { span: { start: last.node.to, end: last.node.to }, newText: `\n${line}` };
  const offset = moduleHeaderEnd(model);
  return { span: { start: offset, end: offset }, newText: offset === 0 ? `${line}\n` : `\n${line}` };
}

function hasSyntaxErrorIn(model: MigrationModel, node: SyntaxNode): boolean {
  return model.syntaxErrors.some((error) => error.start < node.to && error.end >= node.from);
}

/**
 * Where module-level text can go after the file's preamble: the end of the module docstring when there is one,
 * else the end of the leading comment lines (`# Generated by Django ...`, encoding lines), else 0.
 */
function moduleHeaderEnd(model: MigrationModel): number {
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

// ---------------------------------------------------------------------------------------------------------------
// atomic = False

function atomicFalseEdit(model: MigrationModel): TextEdit | undefined {
  const migrationClass = model.migrationClass;
  if (!migrationClass) return undefined;
  const text = model.text;
  const atomic = migrationClass.atomic;
  if (atomic) {
    if (atomic.value === false) return undefined;
    if (!validSpan(atomic.span, text)) return undefined;
    const written = text.slice(atomic.span.start, atomic.span.end);
    // The span may cover the whole `atomic = X` statement or only its value.
    const assignment = /^atomic\s*=\s*/.exec(written);
    if (assignment) {
      const valueStart = atomic.span.start + assignment[0].length;
      return { span: { start: valueStart, end: atomic.span.end }, newText: 'False' };
    }
    return { span: atomic.span, newText: 'False' };
  }
  const offset = migrationClass.bodyInsertOffset;
  if (offset < 0 || offset > text.length) return undefined;
  const indent = migrationClass.bodyIndent || '    ';
  const atLineStart = offset === 0 || text[offset - 1] === '\n';
  if (atLineStart) return { span: { start: offset, end: offset }, newText: `${indent}atomic = False\n` };
  return { span: { start: offset, end: offset }, newText: `\n${indent}atomic = False` };
}

// ---------------------------------------------------------------------------------------------------------------
// Keyword arguments

/** Sets `keyword=value` in the call whose argument list is `argListSpan`: replaces an existing value, else appends. */
function keywordArgumentEdits(model: MigrationModel, argListSpan: Span, keyword: string, value: string): TextEdit[] {
  const text = model.text;
  if (!validSpan(argListSpan, text) || text[argListSpan.start] !== '(' || text[argListSpan.end - 1] !== ')') return [];
  const call = findCallByArgList(model, argListSpan);
  const existing = call?.kwargs[keyword];
  if (existing) return existing.text === value ? [] : [{ span: existing.span, newText: value }];
  return appendArgumentEdits(model, argListSpan, `${keyword}=${value}`);
}

function appendArgumentEdits(model: MigrationModel, argListSpan: Span, argument: string): TextEdit[] {
  const text = model.text;
  const open = argListSpan.start;
  const close = argListSpan.end - 1;
  const lastCodeEnd = endOfCodeBefore(model, close, open + 1);
  if (lastCodeEnd === open + 1) return [{ span: { start: open + 1, end: open + 1 }, newText: argument }];
  const hasTrailingComma = text[lastCodeEnd - 1] === ',';
  const closeLineStart = lineStart(text, close);
  const closeOnOwnLine = text.slice(closeLineStart, close).trim() === '' && closeLineStart > open;
  if (!closeOnOwnLine) {
    const newText = hasTrailingComma ? ` ${argument}` : `, ${argument}`;
    return [{ span: { start: lastCodeEnd, end: lastCodeEnd }, newText }];
  }
  // One argument per line: a new line with the last argument's indentation, keeping the trailing-comma style.
  const lastArgumentLineStart = lineStart(text, lastCodeEnd - 1);
  const indent =
    lastArgumentLineStart > open
      ? leadingWhitespace(text, lastArgumentLineStart)
      : leadingWhitespace(text, closeLineStart) + indentUnit(model);
  const edits: TextEdit[] = [];
  if (!hasTrailingComma) edits.push({ span: { start: lastCodeEnd, end: lastCodeEnd }, newText: ',' });
  edits.push({ span: { start: closeLineStart, end: closeLineStart }, newText: `${indent}${argument},\n` });
  return edits;
}

/** The offset just after the last code character before `offset` (skipping whitespace and comments), not below `floor`. */
function endOfCodeBefore(model: MigrationModel, offset: number, floor: number): number {
  const text = model.text;
  let position = offset;
  while (position > floor) {
    const char = text[position - 1]!;
    if (char === ' ' || char === '\t' || char === '\n' || char === '\r' || char === '\\') {
      position--;
      continue;
    }
    const comment = model.comments.find((c) => c.span.start < position && position <= c.span.end);
    if (comment) {
      position = comment.span.start;
      continue;
    }
    break;
  }
  return position;
}

function findCallByArgList(model: MigrationModel, argListSpan: Span): CallExpr | undefined {
  const visit = (expr: Expr | undefined): CallExpr | undefined => {
    if (!expr || expr.span.end < argListSpan.start || expr.span.start > argListSpan.end) return undefined;
    switch (expr.kind) {
      case 'call': {
        if (expr.argListSpan.start === argListSpan.start && expr.argListSpan.end === argListSpan.end) return expr;
        for (const child of [expr.callee, ...expr.args, ...Object.values(expr.kwargs)]) {
          const found = visit(child);
          if (found) return found;
        }
        return undefined;
      }
      case 'list':
      case 'tuple':
      case 'set':
        for (const item of expr.items) {
          const found = visit(item);
          if (found) return found;
        }
        return undefined;
      case 'dict':
        for (const entry of expr.entries) {
          const found = visit(entry.key) ?? visit(entry.value);
          if (found) return found;
        }
        return undefined;
      case 'binary':
        return visit(expr.left) ?? visit(expr.right);
      default:
        return undefined;
    }
  };
  for (const operation of model.allOperations) {
    const found = visit(operation.call);
    if (found) return found;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// RemoveField -> SeparateDatabaseAndState(state_operations=[RemoveField])

function stateOnlyRemovalIntents(model: MigrationModel, operationSpan: Span): FixIntent[] {
  const text = model.text;
  if (!validSpan(operationSpan, text)) return [];
  const operationText = text.slice(operationSpan.start, operationSpan.end);
  const reference = symbolReference(model, MIGRATIONS_MODULE, 'SeparateDatabaseAndState');
  const start = lineStart(text, operationSpan.start);
  const startsItsLine = text.slice(start, operationSpan.start).trim() === '';
  let newText: string;
  if (!startsItsLine) {
    newText = `${reference.text}(state_operations=[${operationText}])`;
  } else {
    const indent = leadingWhitespace(text, start);
    const unit = indentUnit(model);
    const inner = operationText
      .split('\n')
      .map((line, index) => (index === 0 || line.trim() === '' ? line : `${unit}${unit}${line}`))
      .join('\n');
    newText = [
      `${reference.text}(`,
      `${indent}${unit}state_operations=[`,
      `${indent}${unit}${unit}${inner},`,
      `${indent}${unit}],`,
      `${indent}${unit}# The column stays for the code still running; drop it in a later release.`,
      `${indent})`,
    ].join('\n');
  }
  return [
    { kind: 'edit', edit: { span: operationSpan, newText } },
    ...(reference.import ? [{ kind: 'import' as const, ...reference.import }] : []),
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// Ignore comments

/**
 * "Ignore RULE for this operation": `# migration-guard: ignore RULE` on its own line directly above the operation's
 * first line, with that line's indentation. An ignore comment that already targets that line (above it, or trailing
 * it) gets the rule added instead, so ignores do not pile up.
 */
export function ignoreForOperationEdit(model: MigrationModel, anchorOffset: number, ruleId: string): TextEdit {
  const text = model.text;
  const anchor = Math.max(0, Math.min(anchorOffset, text.length));
  // Lines as Python counts them (\n, \r\n or a lone \r), so a CR-only file gets its comment above the right line.
  const lineStarts = model.lineStarts ?? computeLineStarts(text);
  const anchorLine = lineOfOffset(lineStarts, anchor);
  const start = lineStarts[anchorLine] ?? 0;
  const existing = collectIgnoreDirectives(model).find((directive) => directive.scope === 'line' && directive.targetLine === anchorLine);
  if (existing) return extendIgnoreComment(existing.comment, existing.ruleIds, ruleId);
  return { span: { start, end: start }, newText: `${leadingWhitespace(text, start)}# ${IGNORE_PREFIX} ignore ${ruleId}${lineEndingOf(text)}` };
}

/** "Ignore RULE for this file": extends an existing `ignore-file` comment, else adds one after the imports (or at the top). */
export function ignoreForFileEdit(model: MigrationModel, ruleId: string): TextEdit {
  const existing = collectIgnoreDirectives(model).find((directive) => directive.scope === 'file');
  if (existing) return extendIgnoreComment(existing.comment, existing.ruleIds, ruleId);
  const line = `# ${IGNORE_PREFIX} ignore-file ${ruleId}`;
  const eol = lineEndingOf(model.text);
  const statements = findImportStatements(model);
  const last = statements[statements.length - 1];
  if (last) return { span: { start: last.node.to, end: last.node.to }, newText: `${eol}${line}` };
  const offset = moduleHeaderEnd(model);
  return { span: { start: offset, end: offset }, newText: offset === 0 ? `${line}${eol}` : `${eol}${line}` };
}

/** The file's own line ending (its first line break), `\n` when it has none. */
function lineEndingOf(text: string): string {
  const at = text.search(/\r\n?|\n/);
  if (at < 0 || text[at] === '\n') return '\n';
  return text[at + 1] === '\n' ? '\r\n' : '\r';
}

/** Appends a rule id to a directive's rule list, before any `-- reason`; an empty edit when it is already listed. */
function extendIgnoreComment(comment: Comment, listed: readonly string[], ruleId: string): TextEdit {
  // comment.text is what follows `#`, so it ends where the comment ends.
  const bodyStart = comment.span.end - comment.text.length;
  const reasonAt = comment.text.indexOf('--');
  const ruleListText = reasonAt >= 0 ? comment.text.slice(0, reasonAt) : comment.text;
  const insertAt = bodyStart + ruleListText.trimEnd().length;
  if (listed.includes(ruleId)) return { span: { start: insertAt, end: insertAt }, newText: '' };
  return { span: { start: insertAt, end: insertAt }, newText: listed.length > 0 ? `, ${ruleId}` : ` ${ruleId}` };
}

// ---------------------------------------------------------------------------------------------------------------
// Text helpers

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function leadingWhitespace(text: string, start: number): string {
  let end = start;
  while (end < text.length && (text[end] === ' ' || text[end] === '\t')) end++;
  return text.slice(start, end);
}

/** The file's indentation step: the Migration class body's indentation, else four spaces. */
function indentUnit(model: MigrationModel): string {
  const indent = model.migrationClass?.bodyIndent;
  return indent && indent.length > 0 ? indent : '    ';
}
