// Quick-fix data shared by several rules. What rules know about Django (operation signatures, fields, columns) lives
// in engine/django/, the per-analysis facts in operationFacts.ts and fieldFacts.ts, the migration graph in
// engine/state/graph.ts.
import { migrationAtomic } from '../django/migrationClass';
import { opArg } from '../django/operations';
import type { Dependency, Operation, Span } from '../python/model';
import type { FileContext, FixData } from './rule';

/** Quick fixes for AddIndex/RemoveIndex: the concurrent operation, plus `atomic = False` when the migration needs it. */
export function concurrentIndexFixes(ctx: FileContext, op: Operation, replacement: 'AddIndexConcurrently' | 'RemoveIndexConcurrently'): FixData[] {
  const fixes: FixData[] = [{ kind: 'use-concurrent-index', operationSpan: op.span, nameSpan: op.nameSpan, replacement }];
  if (migrationAtomic(ctx.file) !== false) fixes.push({ kind: 'set-atomic-false' });
  return fixes;
}

/**
 * For a RunPython/RunSQL without a reverse (`reverse_code`/`reverse_sql` absent or None): the quick fixes, `.noop` in
 * place of an explicit None, else a new keyword argument. Undefined when a reverse is given.
 */
export function missingReverseFixes(op: Operation, param: 'reverse_code' | 'reverse_sql'): FixData[] | undefined {
  const reverse = opArg(op, param);
  if (reverse && reverse.kind !== 'none') return undefined;
  const callee = op.call.callee.text;
  if (reverse) return [{ kind: 'replace-text', span: reverse.span, newText: `${callee}.noop`, title: `Use ${callee}.noop as ${param}` }];
  return [param === 'reverse_code' ? { kind: 'add-reverse-code', argListSpan: op.call.argListSpan } : { kind: 'add-reverse-sql', argListSpan: op.call.argListSpan }];
}

/** The quick fix that points a literal dependency tuple at another migration of the same app. */
export function renameDependencyFix(file: { text: string }, dependency: Dependency, newName: string): FixData[] {
  const span = dependencyNameSpan(file, dependency);
  return span ? [{ kind: 'replace-text', span, newText: newName, title: `Depend on ${dependency.app}.${newName}` }] : [];
}

/** Span of the migration name inside a literal dependency tuple (`("shop", "0002_x")` -> `0002_x`). */
function dependencyNameSpan(file: { text: string }, dependency: Dependency): Span | undefined {
  if (dependency.dynamic) return undefined;
  const text = file.text.slice(dependency.span.start, dependency.span.end);
  const at = text.lastIndexOf(dependency.name);
  return at < 0 ? undefined : { start: dependency.span.start + at, end: dependency.span.start + at + dependency.name.length };
}
