// Finds the Python code a RunPython operation runs (a function defined in the migration file, or a lambda) and
// offers small syntax-tree walks over it. Code imported from elsewhere cannot be inspected and is skipped.
import type { SyntaxNode } from '@lezer/common';
import type { Expr, MigrationModel, Operation, Span } from '../python/model';
import { ExpressionReader } from '../python/expressions';
import { vendorsOfCondition } from '../python/vendorGuards';
import type { FileContext } from './rule';
import { opArg } from '../django/operations';
import { operationsOf } from './dispatch';

export interface Parameter {
  name: string;
  /** '*' for *args, '**' for **kwargs, '' otherwise. */
  star: '' | '*' | '**';
  hasDefault: boolean;
  /** After a bare `*` or `*args`: can only be passed by keyword. */
  keywordOnly: boolean;
}

export interface RunPythonCode {
  kind: 'function' | 'lambda';
  /** Function name, or `lambda`. */
  name: string;
  /** The FunctionDefinition or LambdaExpression node. */
  node: SyntaxNode;
  /** The function's Body node, or the lambda's body expression. */
  body: SyntaxNode;
  paramList?: SyntaxNode;
  params: Parameter[];
  /** Where to point when talking about the signature: the parameter list (the name when there is none). */
  signatureSpan: Span;
  /** Set when RunPython gets `functools.partial(function, ...)`: some parameters are already bound. */
  viaPartial?: boolean;
}

/** The code behind RunPython's `code` or `reverse_code` argument, when it is defined in this file. */
export function runPythonCode(model: MigrationModel, op: Operation, param: 'code' | 'reverse_code'): RunPythonCode | undefined {
  const expr = opArg(op, param);
  return expr ? resolveCallable(model, expr) : undefined;
}

/**
 * The in-file code of every RunPython that runs against the database, for the given arguments. A function used by
 * several operations (or as both code and reverse_code) comes once, with the first operation that uses it.
 */
function runPythonFunctions(ctx: FileContext, params: readonly ('code' | 'reverse_code')[]): { op: Operation; code: RunPythonCode }[] {
  const found: { op: Operation; code: RunPythonCode }[] = [];
  const seen = new Set<number>();
  for (const op of operationsOf(ctx.file, ['RunPython'], { touchingDatabase: true })) {
    for (const param of params) {
      const code = runPythonCode(ctx.file, op, param);
      if (!code || seen.has(code.node.from)) continue;
      seen.add(code.node.from);
      found.push({ op, code });
    }
  }
  return found;
}

const functionsByOperation = new WeakMap<MigrationModel, Map<string, Map<Operation, RunPythonCode[]>>>();

/**
 * The functions one RunPython runs (of `params`), leaving out those an earlier RunPython of the file already runs: a
 * function shared by several operations is checked once, at its first use. Grouped once per file.
 */
export function runPythonFunctionsOf(ctx: FileContext, op: Operation, params: readonly ('code' | 'reverse_code')[]): readonly RunPythonCode[] {
  let byParams = functionsByOperation.get(ctx.file);
  if (!byParams) functionsByOperation.set(ctx.file, (byParams = new Map()));
  const key = params.join(',');
  let byOperation = byParams.get(key);
  if (!byOperation) {
    byOperation = new Map();
    for (const found of runPythonFunctions(ctx, params)) {
      const list = byOperation.get(found.op);
      if (list) list.push(found.code);
      else byOperation.set(found.op, [found.code]);
    }
    byParams.set(key, byOperation);
  }
  return byOperation.get(op) ?? [];
}

function resolveCallable(model: MigrationModel, expr: Expr): RunPythonCode | undefined {
  if (expr.kind === 'call' && expr.callee.kind === 'name' && (expr.callee.qualified === 'functools.partial' || expr.callee.dotted === 'partial')) {
    const wrapped = expr.args[0] ? resolveCallable(model, expr.args[0]) : undefined;
    return wrapped ? { ...wrapped, viaPartial: true } : undefined;
  }
  if (expr.kind === 'name' && !expr.dotted.includes('.')) {
    const definition = model.functions.get(expr.dotted);
    if (!definition) return undefined;
    const node = enclosing(model, definition.nameSpan.start, 'FunctionDefinition');
    return node ? fromFunction(model, node) : undefined;
  }
  if (expr.kind === 'other' && /^lambda\b/.test(expr.text)) {
    const node = enclosing(model, expr.span.start, 'LambdaExpression');
    return node && node.from === expr.span.start ? fromLambda(model, node) : undefined;
  }
  return undefined;
}

function enclosing(model: MigrationModel, position: number, name: string): SyntaxNode | undefined {
  for (let node: SyntaxNode | null = model.tree.resolveInner(position, 1); node; node = node.parent) {
    if (node.name === name) return node;
  }
  return undefined;
}

function fromFunction(model: MigrationModel, node: SyntaxNode): RunPythonCode | undefined {
  const nameNode = node.getChild('VariableName');
  const paramList = node.getChild('ParamList') ?? undefined;
  const body = node.getChild('Body');
  if (!nameNode || !body) return undefined;
  const signature = paramList ?? nameNode;
  return {
    kind: 'function',
    name: model.text.slice(nameNode.from, nameNode.to),
    node,
    body,
    paramList,
    params: paramList ? readParameters(model.text, paramList) : [],
    signatureSpan: { start: signature.from, end: signature.to },
  };
}

function fromLambda(model: MigrationModel, node: SyntaxNode): RunPythonCode | undefined {
  const paramList = node.getChild('ParamList') ?? undefined;
  const body = node.getChild(':')?.nextSibling;
  if (!body) return undefined;
  return {
    kind: 'lambda',
    name: 'lambda',
    node,
    body,
    paramList,
    params: paramList ? readParameters(model.text, paramList) : [],
    signatureSpan: paramList ? { start: paramList.from, end: paramList.to } : { start: node.from, end: node.from + 'lambda'.length },
  };
}

/** Reads `(a, b=1, *args, c, **kw)` (annotations and defaults allowed) from a ParamList node. */
function readParameters(text: string, paramList: SyntaxNode): Parameter[] {
  const params: Parameter[] = [];
  let star: Parameter['star'] = '';
  let keywordOnly = false;
  for (let part = paramList.firstChild; part; part = part.nextSibling) {
    switch (part.name) {
      case '*':
        star = '*';
        // A bare `*` (followed by a comma) only makes the following parameters keyword-only.
        if (part.nextSibling?.name !== 'VariableName') {
          keywordOnly = true;
          star = '';
        }
        break;
      case '**':
        star = '**';
        break;
      case 'VariableName':
        params.push({ name: text.slice(part.from, part.to), star, hasDefault: false, keywordOnly: keywordOnly && star === '' });
        if (star === '*') keywordOnly = true;
        star = '';
        break;
      case 'AssignOp': {
        const last = params[params.length - 1];
        if (last) last.hasDefault = true;
        break;
      }
      default:
        break;
    }
  }
  return params;
}

/**
 * Visits every node below `root` (root excluded) in source order with a TreeCursor. Returning false from
 * `enter` skips that node's children. With `only`, `enter` sees just the nodes of those names (the walk still goes
 * through the others), which spares creating a node object for every token.
 */
export function walkDescendants(root: SyntaxNode, enter: (node: SyntaxNode) => boolean | void, only?: ReadonlySet<string>): void {
  const cursor = root.cursor();
  if (!cursor.firstChild()) return;
  let depth = 1;
  for (;;) {
    const descend = (only !== undefined && !only.has(cursor.name)) || enter(cursor.node) !== false;
    if (descend && cursor.firstChild()) {
      depth++;
      continue;
    }
    while (!cursor.nextSibling()) {
      if (!cursor.parent() || --depth === 0) return;
    }
  }
}

/** The source text of a node. */
export function nodeText(model: MigrationModel, node: SyntaxNode): string {
  return model.text.slice(node.from, node.to);
}

/**
 * A chain of attribute accesses and calls read from its outermost node: `Order.objects.filter(x=1)[:10]` gives
 * root `Order`, steps objects, filter(), and a subscript.
 */
export interface AccessChain {
  /** The leftmost name, when the chain starts at a plain name. */
  root?: SyntaxNode;
  steps: ChainStep[];
}

export type ChainStep = { kind: 'attribute'; name: string; node: SyntaxNode } | { kind: 'call'; args: SyntaxNode; node: SyntaxNode } | { kind: 'subscript'; node: SyntaxNode };

export function accessChain(model: MigrationModel, outer: SyntaxNode): AccessChain {
  const steps: ChainStep[] = [];
  let node: SyntaxNode | null = outer;
  for (let guard = 0; node && guard < 200; guard++) {
    if (node.name === 'CallExpression') {
      const args = node.lastChild;
      if (args?.name === 'ArgList') steps.unshift({ kind: 'call', args, node });
      node = node.firstChild;
    } else if (node.name === 'MemberExpression') {
      const property = node.getChild('PropertyName');
      if (property && !node.getChild('[')) {
        steps.unshift({ kind: 'attribute', name: nodeText(model, property), node });
      } else {
        steps.unshift({ kind: 'subscript', node });
      }
      node = node.firstChild;
    } else if (node.name === 'ParenthesizedExpression') {
      node = node.firstChild?.nextSibling ?? null;
    } else {
      return { root: node.name === 'VariableName' ? node : undefined, steps };
    }
  }
  return { steps };
}

/** Calls that only report: logging, print, warnings. */
const REPORTING_CALL = /^(print|(logger|log|LOGGER|LOG|logging|_logger|warnings|sys\.stdout|sys\.stderr|self\.stdout)\.\w+)$/;

/**
 * True when the RunPython's code, defined in this file, does no data work on this database: its body only passes,
 * logs or prints, or returns before anything else (`if schema_editor.connection.vendor != "postgresql": return`
 * counts for the vendors it returns on). Such a step holds no lock open and moves no rows.
 */
export function runPythonDoesNoDataWork(ctx: FileContext, op: Operation): boolean {
  const code = runPythonCode(ctx.file, op, 'code');
  if (!code) return false;
  if (code.kind === 'lambda') return ['None', 'True', 'False', '0', '""', "''"].includes(nodeText(ctx.file, code.body).trim());
  for (let statement = code.body.firstChild; statement; statement = statement.nextSibling) {
    switch (statement.name) {
      case ':':
      case 'Comment':
      case 'PassStatement':
        continue;
      case 'ReturnStatement':
        return true;
      case 'ExpressionStatement': {
        const expression = statement.firstChild;
        if (expression?.name === 'String') continue;
        if (expression?.name === 'CallExpression') {
          const callee = expression.firstChild;
          if (callee && REPORTING_CALL.test(nodeText(ctx.file, callee).replace(/\s+/g, ''))) continue;
        }
        return false;
      }
      case 'IfStatement': {
        const returns = earlyReturnVendors(ctx, statement);
        if (returns === 'not-a-vendor-return') return false;
        if (returns.includes(ctx.database)) return true;
        continue;
      }
      default:
        return false;
    }
  }
  return true;
}

/** For `if <...>.vendor <op> ...: return` (no elif/else), the vendors that return; anything else is not such a test. */
function earlyReturnVendors(ctx: FileContext, statement: SyntaxNode): readonly string[] | 'not-a-vendor-return' {
  const condition = statement.getChild('if')?.nextSibling;
  const body = statement.getChild('Body');
  if (!condition || !body || statement.getChild('else') || statement.getChild('elif')) return 'not-a-vendor-return';
  const onlyReturn = body.getChildren('ReturnStatement').length === 1 && [...childNames(body)].every((name) => name === 'ReturnStatement' || name === ':' || name === 'Comment');
  if (!onlyReturn) return 'not-a-vendor-return';
  // The same reading of vendor tests as module-level `if connection.vendor == ...` branches (vendorGuards.ts).
  const vendors = vendorsOfCondition(new ExpressionReader(ctx.file.text, (dotted) => dotted).read(condition));
  return vendors ?? 'not-a-vendor-return';
}

function* childNames(node: SyntaxNode): Generator<string> {
  for (let child = node.firstChild; child; child = child.nextSibling) yield child.name;
}
