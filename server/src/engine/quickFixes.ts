// Resolves declared fixes (engine/fixes/: a title, whether it is safe, edit intents) into text edits on the text
// they were computed for: imports written once per module in isort order, `atomic = False` once, overlapping edits
// dropped rather than corrupting the text, new migration files numbered after the app's others, and every line break
// written in the file's own style (CRLF or LF). Editor-free, so the language server, the CLI and tests share it.
import type { MigrationModel, Span } from './python/model';
import { atomicFalseEdit } from './fixes/atomic';
import { importEdits } from './fixes/imports';
import { lineEndingOf } from './fixes/text';
import { PREVIOUS_NEW_MIGRATION, type DeclaredFix, type EditIntent, type NewFile, type ResolvedFix, type TextEdit } from './fixes/types';

export type { TextEdit } from './fixes/types';

/** What resolving needs besides the file: the names of the app's other migrations, for a new file's number. */
export interface FixEnvironment {
  migrationNames?: readonly string[];
}

/** One declared fix, resolved: no edits when it no longer fits the text. */
export function resolveFix(fix: DeclaredFix, model: MigrationModel, environment: FixEnvironment = {}): ResolvedFix {
  const { edits, newFiles } = resolveIntents(fix.edits, model, environment);
  return { title: fix.title, safe: fix.safe, edits, newFiles };
}

/**
 * The edits of several fixes applied together (fix all): shared imports and `atomic = False` are written once, and
 * an edit that overlaps an earlier one is dropped. Fixes that create files are left out.
 */
export function combinedFixEdits(fixes: readonly DeclaredFix[], model: MigrationModel): TextEdit[] {
  const intents = fixes.filter((fix) => !fix.edits.some((intent) => intent.kind === 'new-migration')).flatMap((fix) => fix.edits);
  return resolveIntents(intents, model, {}).edits;
}

/** Applies non-overlapping edits to a text (the order of `edits` does not matter). */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  const ordered = [...edits].sort((a, b) => b.span.start - a.span.start || b.span.end - a.span.end);
  let result = text;
  for (const edit of ordered) result = result.slice(0, edit.span.start) + edit.newText + result.slice(edit.span.end);
  return result;
}

function resolveIntents(intents: readonly EditIntent[], model: MigrationModel, environment: FixEnvironment): { edits: TextEdit[]; newFiles: NewFile[] } {
  const edits: TextEdit[] = [];
  const newFiles: NewFile[] = [];
  const imports = new Map<string, Set<string>>();
  let atomicFalse = false;
  for (const intent of intents) {
    if (intent.kind === 'edit') {
      if (validSpan(intent.edit.span, model.text)) edits.push(intent.edit);
    } else if (intent.kind === 'import') {
      const names = imports.get(intent.module) ?? new Set<string>();
      names.add(intent.name);
      imports.set(intent.module, names);
    } else if (intent.kind === 'atomic-false') {
      atomicFalse = true;
    } else {
      const previous = newFiles[newFiles.length - 1];
      const previousName = previous ? previous.path.slice(previous.path.lastIndexOf('/') + 1).replace(/\.py$/, '') : model.name;
      newFiles.push({ path: newMigrationPath(model, intent.nameFragment, environment, newFiles), text: intent.text.split(PREVIOUS_NEW_MIGRATION).join(previousName) });
    }
  }
  if (atomicFalse) {
    const edit = atomicFalseEdit(model);
    if (edit) edits.push(edit);
  }
  for (const [module, names] of imports) edits.push(...importEdits(model, module, [...names]));
  const eol = lineEndingOf(model.text);
  const withEol = (text: string) => (eol === '\n' ? text : text.replace(/\r\n|\r|\n/g, eol));
  return {
    edits: withoutOverlaps(edits).map((edit) => ({ span: edit.span, newText: withEol(edit.newText) })),
    newFiles: newFiles.map((file) => ({ path: file.path, text: withEol(file.text) })),
  };
}

/** `<this file's folder>/NNNN_<fragment>.py`, NNNN one past the highest number among the app's migrations. */
function newMigrationPath(model: MigrationModel, fragment: string, environment: FixEnvironment, planned: readonly NewFile[]): string {
  const names = [model.name, ...(environment.migrationNames ?? []), ...planned.map((file) => file.path.slice(file.path.lastIndexOf('/') + 1).replace(/\.py$/, ''))];
  const highest = Math.max(0, ...names.map((name) => Number(/^(\d+)_/.exec(name)?.[1] ?? 0)));
  const number = String(highest + 1).padStart(4, '0');
  const folder = model.path.slice(0, model.path.lastIndexOf('/') + 1);
  return `${folder}${number}_${fragment}.py`;
}

/** Keeps the first of overlapping edits and collapses duplicates; two insertions at one offset are both kept. */
function withoutOverlaps(edits: readonly TextEdit[]): TextEdit[] {
  const kept: TextEdit[] = [];
  for (const edit of edits) {
    if (kept.some((other) => overlaps(edit.span, other.span) || sameEdit(other, edit))) continue;
    kept.push(edit);
  }
  return kept;
}

function overlaps(a: Span, b: Span): boolean {
  if (a.start === a.end || b.start === b.end) return (a.start > b.start && a.start < b.end) || (b.start > a.start && b.start < a.end);
  return a.start < b.end && b.start < a.end;
}

function sameEdit(a: TextEdit, b: TextEdit): boolean {
  return a.span.start === b.span.start && a.span.end === b.span.end && a.newText === b.newText;
}

function validSpan(span: Span, text: string): boolean {
  return span.start >= 0 && span.end >= span.start && span.end <= text.length;
}
