import type { FileRule } from './rule';
import { noopReverseFix } from '../fixes/composed';
import { opArg } from '../django/operations';

export const runpythonNoReverse: FileRule = {
  id: 'runpython-no-reverse',
  title: 'RunPython without reverse_code',
  severity: 'warning',
  vendors: 'all',
  category: 'transactions',
  scope: 'file',
  explanation: {
    summary:
      'Without `reverse_code` the migration is irreversible: `migrate` backwards stops with `IrreversibleError`, which blocks rolling back a bad deploy and unapplying migrations in development.',
    sql: 'None of its own: the forward function runs its queries; going backwards Django has no function to call and raises `IrreversibleError` before touching the database.',
    lock: '',
    blocks: 'Rolling back past this migration, in production after a bad deploy and in development.',
    rewrite: 'No.',
    safeAlternative:
      'Pass `reverse_code`: a function that undoes the change, or `migrations.RunPython.noop` when there is nothing to undo (quick fix).',
    safeCode: `migrations.RunPython(fill_status, reverse_code=migrations.RunPython.noop)`,
    safeCodeLanguage: 'python',
  },
  operations: ['RunPython'],
  checkOperation(ctx, op) {
    if (!ctx.touchesDatabase(op) || op.call.hasStarArgs) return;
    const reverse = opArg(op, 'reverse_code');
    if (reverse && reverse.kind !== 'none') return;
    const code = opArg(op, 'code');
    const what = code?.kind === 'name' ? `RunPython(${code.dotted})` : 'RunPython';
    ctx.report({ span: op.span, message: `${what} has no reverse_code, so this migration cannot be unapplied`, advice: 'pass reverse_code (migrations.RunPython.noop when there is nothing to undo)', operation: op, fixes: [noopReverseFix(ctx.file, op, 'RunPython', reverse)] });
  },
};
