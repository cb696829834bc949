// Fixes several rules offer in the same shape, composed from the primitives (each rule still declares which it offers).
import { migrationAtomic } from '../django/migrationClass';
import type { Expr, MigrationModel, Operation } from '../python/model';
import { setAtomicFalse } from './atomic';
import { MIGRATIONS_MODULE, POSTGRES_OPERATIONS_MODULE, importsOf, symbolReference } from './imports';
import { migrationNameFragment, moveToNewMigration } from './newMigration';
import { replaceText, setKeywordArgument, swapOperation } from './operations';
import type { DeclaredFix } from './types';

/**
 * AddIndex/RemoveIndex made concurrent: in place (with `atomic = False`), and, while nothing depends on this
 * migration, moved to a new non-atomic migration of its own, so the other operations keep their transaction.
 */
export function concurrentIndexFixes(file: MigrationModel, op: Operation, replacement: 'AddIndexConcurrently' | 'RemoveIndexConcurrently', hasDependents: boolean): DeclaredFix[] {
  const swap = swapOperation(file, op, POSTGRES_OPERATIONS_MODULE, replacement);
  const alreadyNonAtomic = migrationAtomic(file) === false;
  const fixes: DeclaredFix[] = [{ title: alreadyNonAtomic ? `Use ${replacement}` : `Use ${replacement} and atomic = False`, safe: true, edits: [...swap, setAtomicFalse()] }];
  if (!hasDependents) {
    const move = moveToNewMigration(file, [op], { nameFragment: migrationNameFragment(op), atomic: false, rewrites: swap });
    if (move.length > 0) fixes.push({ title: `Move to a new non-atomic migration as ${replacement}`, safe: false, edits: move });
  }
  return fixes;
}

/** `reverse_code=migrations.RunPython.noop` (or `reverse_sql=...RunSQL.noop`): in place of an explicit None, else as a new keyword argument. */
export function noopReverseFix(file: MigrationModel, op: Operation, operationClass: 'RunPython' | 'RunSQL', explicitNone: Expr | undefined): DeclaredFix {
  const param = operationClass === 'RunPython' ? 'reverse_code' : 'reverse_sql';
  if (explicitNone) {
    const noop = `${op.call.callee.text}.noop`;
    return { title: `Use ${noop} as ${param}`, safe: false, edits: [replaceText(explicitNone.span, noop)] };
  }
  const reference = symbolReference(file, MIGRATIONS_MODULE, operationClass);
  const edits = setKeywordArgument(file, op.call, param, `${reference.text}.noop`);
  return { title: `Add ${param}=${reference.text}.noop`, safe: true, edits: edits.length > 0 ? [...edits, ...importsOf(reference)] : [] };
}
