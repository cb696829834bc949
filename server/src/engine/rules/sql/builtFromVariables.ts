import type { SyntaxNode } from '@lezer/common';
import type { Expr, MigrationModel, Span } from '../../python/model';
import type { FileRule } from '../rule';
import { moduleStringConstant } from '../runSqlText';
import { opArg } from '../../django/operations';

export const sqlBuiltFromVariables: FileRule = {
  id: 'sql-built-from-variables',
  title: 'RunSQL text built from variables',
  severity: 'error',
  vendors: 'all',
  category: 'hygiene',
  scope: 'file',
  explanation: {
    summary:
      'SQL assembled with an f-string, `%`, `.format()` or `+` from runtime values is open to SQL injection and makes the migration depend on whatever those values are when it runs, so it is no longer reviewable from the file alone.',
    sql: 'RunSQL(f"UPDATE shop_order SET currency = \'{settings.DEFAULT_CURRENCY}\'")',
    lock: '',
    blocks: 'Nothing by itself; the danger is what the interpolated value can turn the statement into.',
    rewrite: 'Depends on the statement.',
    safeAlternative:
      'Keep the SQL text literal and pass values as parameters: RunSQL accepts `(sql, params)` pairs and the driver quotes them. Identifiers cannot be parameters: write them literally.',
    safeCode: `migrations.RunSQL(
    sql=[("UPDATE shop_order SET currency = %s WHERE currency IS NULL", [settings.DEFAULT_CURRENCY])],
    reverse_sql=migrations.RunSQL.noop,
)`,
    safeCodeLanguage: 'python',
  },
  operations: ['RunSQL'],
  checkOperation(ctx, op) {
    if (!ctx.touchesDatabase(op)) return;
    for (const param of ['sql', 'reverse_sql'] as const) {
      const argument = opArg(op, param);
      if (!argument) continue;
      const built = builtPart(ctx.file, argument);
      if (built) ctx.report({ span: built.span, message: `RunSQL ${param} is built with ${built.how}: pass values as params instead of formatting them into the SQL`, operation: op });
    }
  },
};

interface Built {
  span: Span;
  how: string;
}

/** The first part of a RunSQL argument that formats non-literal values into SQL. */
function builtPart(model: MigrationModel, expr: Expr): Built | undefined {
  switch (expr.kind) {
    case 'string':
      return expr.formatted && fStringHasRuntimeFields(model, expr.span) ? { span: expr.span, how: 'an f-string' } : undefined;
    case 'list':
    case 'tuple':
      for (const item of expr.items) {
        // An item that is itself a sequence is a `(sql, params)` pair: only its SQL matters, params are safe.
        const sql = item.kind === 'tuple' || item.kind === 'list' ? item.items[0] : item;
        const built = sql && sql.kind !== 'tuple' && sql.kind !== 'list' ? builtPart(model, sql) : undefined;
        if (built) return built;
      }
      return undefined;
    case 'binary':
      if (expr.operator === '%' && !isLiteral(model, expr.right)) return { span: expr.span, how: '`%` formatting' };
      if (expr.operator === '+' && (!isLiteral(model, expr.left) || !isLiteral(model, expr.right))) return { span: expr.span, how: 'string concatenation' };
      return undefined;
    case 'call': {
      const callee = expr.callee.text;
      if (/\.format$/.test(callee) && !(expr.args.every((arg) => isLiteral(model, arg)) && Object.values(expr.kwargs).every((arg) => isLiteral(model, arg)))) {
        return { span: expr.span, how: '`.format()`' };
      }
      return undefined;
    }
    case 'name': {
      if (expr.dotted.includes('.') || moduleStringConstant(model, expr.dotted) !== undefined) return undefined;
      const how = moduleAssignmentBuilt(model, expr.dotted);
      return how ? { span: expr.span, how: `${how} (in ${expr.dotted})` } : undefined;
    }
    default:
      return undefined;
  }
}

/** Literal values cannot inject anything: strings, numbers, module-level string constants, sequences of those. */
function isLiteral(model: MigrationModel, expr: Expr): boolean {
  switch (expr.kind) {
    case 'string':
      return !expr.formatted || !fStringHasRuntimeFields(model, expr.span);
    case 'number':
    case 'bool':
    case 'none':
      return true;
    case 'name':
      return moduleStringConstant(model, expr.dotted) !== undefined;
    case 'list':
    case 'tuple':
      return expr.items.every((item) => isLiteral(model, item));
    case 'binary':
      return expr.operator === '+' && isLiteral(model, expr.left) && isLiteral(model, expr.right);
    default:
      return false;
  }
}

/** True when an f-string in the span has a replacement field other than a module-level string constant. */
function fStringHasRuntimeFields(model: MigrationModel, span: Span): boolean {
  let runtime = false;
  model.tree.iterate({
    from: span.start,
    to: span.end,
    enter: (node) => {
      if (runtime) return false;
      if (node.name !== 'FormatReplacement' || node.from < span.start || node.to > span.end) return undefined;
      if (!replacementIsConstant(model, node.node)) runtime = true;
      return false;
    },
  });
  return runtime;
}

function replacementIsConstant(model: MigrationModel, replacement: SyntaxNode): boolean {
  const inner = replacement.firstChild?.nextSibling;
  if (!inner || inner.name !== 'VariableName') return false;
  const after = inner.nextSibling;
  if (after && after.name !== '}') return false;
  return moduleStringConstant(model, model.text.slice(inner.from, inner.to)) !== undefined;
}

/** How a module-level `NAME = ...` assignment builds SQL from non-literal values, if it does. */
function moduleAssignmentBuilt(model: MigrationModel, name: string): string | undefined {
  let how: string | undefined;
  for (let statement = model.tree.topNode.firstChild; statement; statement = statement.nextSibling) {
    if (statement.name !== 'AssignStatement') continue;
    const target = statement.firstChild;
    const value = target?.nextSibling?.nextSibling;
    if (!target || target.name !== 'VariableName' || model.text.slice(target.from, target.to) !== name || !value) continue;
    how = nodeBuilt(model, value);
  }
  return how;
}

function nodeBuilt(model: MigrationModel, node: SyntaxNode): string | undefined {
  switch (node.name) {
    case 'ParenthesizedExpression': {
      const inner = node.firstChild?.nextSibling;
      return inner ? nodeBuilt(model, inner) : undefined;
    }
    case 'FormatString':
      return fStringHasRuntimeFields(model, { start: node.from, end: node.to }) ? 'an f-string' : undefined;
    case 'BinaryExpression': {
      const operator = node.firstChild?.nextSibling;
      const operatorText = operator ? model.text.slice(operator.from, operator.to) : '';
      const operands = [node.firstChild, node.lastChild].filter((part): part is SyntaxNode => part !== null);
      const literalOperands = operands.every((part) => part.name === 'String' || part.name === 'ContinuedString' || part.name === 'Number');
      if (operatorText === '%' && !literalOperands) return '`%` formatting';
      if (operatorText === '+' && !literalOperands) return 'string concatenation';
      return undefined;
    }
    case 'CallExpression': {
      const callee = node.firstChild;
      const property = callee?.name === 'MemberExpression' ? callee.getChild('PropertyName') : null;
      return property && model.text.slice(property.from, property.to) === 'format' ? '`.format()`' : undefined;
    }
    default:
      return undefined;
  }
}
