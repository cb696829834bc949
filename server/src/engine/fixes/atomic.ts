// `atomic = False` on the Migration class: an intent, so that several fixes needing it write it once.
import type { MigrationModel } from '../python/model';
import type { EditIntent, TextEdit } from './types';
import { validSpan } from './text';

export function setAtomicFalse(): EditIntent {
  return { kind: 'atomic-false' };
}

/** The edit that makes the migration non-atomic: `atomic = True` turned False, else a new first class attribute. */
export function atomicFalseEdit(model: MigrationModel): TextEdit | undefined {
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
