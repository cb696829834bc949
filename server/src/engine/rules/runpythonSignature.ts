import type { FileRule } from './rule';
import { runPythonFunctionsOf, type Parameter, type RunPythonCode } from './runPythonCode';

export const runpythonSignature: FileRule = {
  id: 'runpython-signature',
  title: 'RunPython function without the (apps, schema_editor) signature',
  severity: 'info',
  vendors: 'all',
  category: 'transactions',
  scope: 'file',
  explanation: {
    summary:
      'Django calls RunPython code as `code(apps, schema_editor)`. A function that cannot take those two positional arguments fails with `TypeError` in the middle of the deploy. Only the number of positional parameters matters: Django passes both by position, so any names work.',
    sql: 'Whatever the function queries; the signature itself is a Python-level concern, checked when Django calls `code(apps, schema_editor)`.',
    lock: '',
    blocks: 'The migration (TypeError) when the function does not accept two positional arguments.',
    rewrite: 'No.',
    safeAlternative: 'Declare the function as `def forwards(apps, schema_editor):` (prefix a name with `_` when it is unused).',
    safeCode: `def forwards(apps, _schema_editor):
    Order = apps.get_model("shop", "Order")
    ...`,
    safeCodeLanguage: 'python',
    notReported: [
      'unconventional parameter names (`apps, schema`, `_apps, _schema_editor`): Django passes both by position',
      '`functools.partial(...)` callables',
    ],
  },
  operations: ['RunPython'],
  checkOperation(ctx, op) {
    for (const code of runPythonFunctionsOf(ctx, op, ['code', 'reverse_code'])) {
      const problem = signatureProblem(code);
      if (problem) ctx.report({ span: code.signatureSpan, message: problem, operation: op });
    }
  },
};

function signatureProblem(code: RunPythonCode): string | undefined {
  // partial() binds some parameters: what is left cannot be judged from the function's own list.
  if (code.viaPartial) return undefined;
  const what = code.kind === 'function' ? `${code.name}(${code.params.map(paramText).join(', ')})` : `lambda ${code.params.map(paramText).join(', ')}`.trimEnd();
  const positional = code.params.filter((param) => param.star === '' && !param.keywordOnly);
  const varPositional = code.params.some((param) => param.star === '*');
  const requiredPositional = positional.filter((param) => !param.hasDefault).length;
  const requiredKeywordOnly = code.params.filter((param) => param.keywordOnly && !param.hasDefault);
  if (requiredPositional > 2 || (positional.length < 2 && !varPositional) || requiredKeywordOnly.length > 0) {
    return `${what} cannot be called as (apps, schema_editor): Django's call fails with TypeError`;
  }
  // Django passes both arguments by position: any names work (`apps, schema`, `_apps, _schema_editor`).
  return undefined;
}

function paramText(param: Parameter): string {
  return `${param.star}${param.name}`;
}
