import type { SyntaxNode } from '@lezer/common';
import type { MigrationModel } from '../python/model';
import type { FileRule } from './rule';
import { accessChain, nodeText, runPythonFunctionsOf, walkDescendants, type AccessChain, type RunPythonCode } from './runPythonCode';
import { migrationAtomic } from '../django/migrationClass';

const MANAGERS = new Set(['objects', '_default_manager', '_base_manager']);
/** Wrappers that still iterate the whole queryset: `for o in list(Order.objects.all())`. */
const ITERATION_WRAPPERS = new Set(['list', 'tuple', 'enumerate', 'iter', 'sorted', 'reversed']);
/** Calls on a row or a queryset that write to the database. */
const WRITES = new Set(['save', 'update', 'delete', 'update_or_create']);
/** Lookups that bound the rows by primary key: a batch, or a single row. */
const KEY_LOOKUP = /^(pk|id)(__(in|gt|gte|lt|lte|range|exact))?$/;

export const runpythonUnbatchedBackfill: FileRule = {
  id: 'runpython-unbatched-backfill',
  title: 'RunPython backfill over a whole table in one go',
  severity: 'info',
  vendors: 'all',
  category: 'transactions',
  scope: 'file',
  explanation: {
    summary:
      'A data migration that loads or updates every row at once runs as one long transaction: it holds row locks on everything it touched until the end, bloats the table, can exhaust memory (`for o in Model.objects.all()` loads every row), and on a big table can run for hours inside the deploy.',
    sql: 'UPDATE shop_order SET status = \'new\' WHERE status IS NULL;  -- millions of rows, one transaction',
    lock: 'ROW EXCLUSIVE on the table plus a row lock on every updated row until COMMIT.',
    blocks: 'Concurrent updates of the same rows (they wait until the migration commits); with an atomic migration also everything blocked by earlier schema locks.',
    rewrite: 'Every updated row is written again (new row versions, WAL, bloat).',
    safeAlternative:
      'Process the rows in primary-key batches, each in its own short transaction: `atomic = False` on the migration and `transaction.atomic()` per batch. Use `.iterator(chunk_size=...)` or slicing when reading.',
    safeCode: `def fill_status(apps, schema_editor):
    Order = apps.get_model("shop", "Order")
    batch_size = 5000
    last_pk = 0
    while True:
        with transaction.atomic():
            pks = list(
                Order.objects.filter(pk__gt=last_pk, status__isnull=True)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not pks:
                break
            Order.objects.filter(pk__in=pks).update(status="new")
        last_pk = pks[-1]`,
    safeCodeLanguage: 'python',
  },
  operations: ['RunPython'],
  checkOperation(ctx, op) {
    for (const code of runPythonFunctionsOf(ctx, op, ['code'])) {
      for (const finding of unbatchedWork(ctx.file, code, migrationAtomic(ctx.file) !== false)) {
        ctx.report({ span: { start: finding.node.from, end: finding.end }, message: finding.message, advice: 'process the rows in primary-key batches', operation: op });
      }
    }
  },
};

interface UnbatchedWork {
  node: SyntaxNode;
  end: number;
  message: string;
}

function unbatchedWork(model: MigrationModel, code: RunPythonCode, atomic: boolean): UnbatchedWork[] {
  const found: UnbatchedWork[] = [];
  const where = code.kind === 'function' ? `${code.name}()` : 'The RunPython lambda';
  const assignments = localAssignments(model, code.body);
  walkDescendants(code.body, (node) => {
    if (node.name === 'ForStatement') {
      const iterable = loopIterable(node);
      const chain = iterable ? querysetChain(model, iterable, assignments) : undefined;
      const body = node.getChild('Body');
      if (chain && !isBatched(model, chain) && body && writesInside(model, body)) {
        found.push({
          node,
          end: (iterable ?? node).to,
          message: `${where} loops over ${chainModel(model, chain)} rows without batching and writes each one${atomic ? ', all in one transaction' : ''}`,
        });
      }
      return false;
    }
    // Code inside loops is taken to be the batching itself (`while True: ... [:1000]`, `for start in range(...)`).
    if (node.name === 'WhileStatement') return false;
    if (node.name === 'CallExpression') {
      const chain = accessChain(model, node);
      const last = chain.steps[chain.steps.length - 1];
      const method = chain.steps[chain.steps.length - 2];
      if (last?.kind === 'call' && method?.kind === 'attribute' && method.name === 'update' && isWholeTableUpdate(model, chain)) {
        found.push({
          node,
          end: node.to,
          message: `${where} updates ${chainModel(model, chain)} rows in one statement over the whole table`,
        });
        return false;
      }
    }
    return undefined;
  }, UNBATCHED_CANDIDATES);
  return found;
}

const UNBATCHED_CANDIDATES: ReadonlySet<string> = new Set(['ForStatement', 'WhileStatement', 'CallExpression']);

function loopIterable(forStatement: SyntaxNode): SyntaxNode | undefined {
  const keyword = forStatement.getChild('in');
  const iterable = keyword?.nextSibling;
  return iterable && iterable.name !== 'Body' ? iterable : undefined;
}

/** Last plain assignment `name = <expr>` per name in the function body (not inside nested functions). */
function localAssignments(model: MigrationModel, body: SyntaxNode): Map<string, SyntaxNode> {
  const assignments = new Map<string, SyntaxNode>();
  walkDescendants(body, (node) => {
    if (node.name === 'FunctionDefinition' || node.name === 'LambdaExpression') return false;
    if (node.name !== 'AssignStatement') return undefined;
    const target = node.firstChild;
    const value = target?.nextSibling?.nextSibling;
    if (target?.name === 'VariableName' && target.nextSibling?.name === 'AssignOp' && value && !value.nextSibling) assignments.set(nodeText(model, target), value);
    return false;
  }, ASSIGNMENT_SCOPES);
  return assignments;
}

const ASSIGNMENT_SCOPES: ReadonlySet<string> = new Set(['FunctionDefinition', 'LambdaExpression', 'AssignStatement']);

/** The queryset chain a loop iterates (unwrapping `list(...)` and one level of local variables). */
function querysetChain(model: MigrationModel, iterable: SyntaxNode, assignments: Map<string, SyntaxNode>, depth = 0): AccessChain | undefined {
  if (iterable.name === 'VariableName' && depth === 0) {
    const value = assignments.get(nodeText(model, iterable));
    return value ? querysetChain(model, value, assignments, depth + 1) : undefined;
  }
  if (iterable.name === 'CallExpression') {
    const callee = iterable.firstChild;
    const args = iterable.lastChild;
    if (callee?.name === 'VariableName' && ITERATION_WRAPPERS.has(nodeText(model, callee)) && args?.name === 'ArgList') {
      const first = args.firstChild?.nextSibling;
      return first && first.name !== ')' ? querysetChain(model, first, assignments, depth) : undefined;
    }
  }
  const chain = accessChain(model, iterable);
  return chain.steps.some((step) => step.kind === 'attribute' && MANAGERS.has(step.name)) ? chain : undefined;
}

/** Sliced, streamed with iterator(), or bounded by primary-key lookups. */
function isBatched(model: MigrationModel, chain: AccessChain): boolean {
  for (const [index, step] of chain.steps.entries()) {
    if (step.kind === 'subscript') return true;
    if (step.kind === 'attribute' && (step.name === 'iterator' || step.name === 'in_bulk')) return true;
    if (step.kind === 'call' && filtersByKey(model, chain, index)) return true;
  }
  return false;
}

function filtersByKey(model: MigrationModel, chain: AccessChain, callIndex: number): boolean {
  const method = chain.steps[callIndex - 1];
  const call = chain.steps[callIndex];
  if (method?.kind !== 'attribute' || call?.kind !== 'call' || (method.name !== 'filter' && method.name !== 'get')) return false;
  return keywordNames(model, call.args).some((name) => KEY_LOOKUP.test(name));
}

function keywordNames(model: MigrationModel, args: SyntaxNode): string[] {
  const names: string[] = [];
  for (let part = args.firstChild; part; part = part.nextSibling) {
    if (part.name === 'VariableName' && part.nextSibling?.name === 'AssignOp') names.push(nodeText(model, part));
  }
  return names;
}

const CALL_EXPRESSIONS: ReadonlySet<string> = new Set(['CallExpression']);

function writesInside(model: MigrationModel, body: SyntaxNode): boolean {
  let writes = false;
  walkDescendants(body, (node) => {
    if (writes) return false;
    if (node.name === 'CallExpression') {
      const callee = node.firstChild;
      const property = callee?.name === 'MemberExpression' ? callee.getChild('PropertyName') : null;
      if (property && WRITES.has(nodeText(model, property))) writes = true;
    }
    return undefined;
  }, CALL_EXPRESSIONS);
  return writes;
}

/** `Model.objects.update(...)` / `.all().update(...)` / `.filter(x__isnull=True).update(...)`: every (matching) row at once. */
function isWholeTableUpdate(model: MigrationModel, chain: AccessChain): boolean {
  const beforeUpdate: AccessChain = { root: chain.root, steps: chain.steps.slice(0, -2) };
  if (!beforeUpdate.steps.some((step) => step.kind === 'attribute' && MANAGERS.has(step.name))) return false;
  if (isBatched(model, beforeUpdate)) return false;
  for (const [index, step] of beforeUpdate.steps.entries()) {
    if (step.kind !== 'attribute' || MANAGERS.has(step.name)) continue;
    if (step.name === 'all' || step.name === 'order_by') continue;
    if (step.name === 'filter' || step.name === 'exclude') {
      const call = beforeUpdate.steps[index + 1];
      // A filter on a NULL column is the classic "backfill everything" query; other filters may select few rows.
      if (call?.kind === 'call' && onlyNullFilters(model, call.args)) continue;
    }
    return false;
  }
  return true;
}

function onlyNullFilters(model: MigrationModel, args: SyntaxNode): boolean {
  const keywords = keywordNames(model, args);
  let positional = 0;
  for (let part = args.firstChild; part; part = part.nextSibling) {
    if (part.name === '(' || part.name === ')' || part.name === ',' || part.name === 'AssignOp') continue;
    if (part.name === 'VariableName' && part.nextSibling?.name === 'AssignOp') continue;
    if (part.prevSibling?.name === 'AssignOp') continue;
    positional++;
  }
  return positional === 0 && keywords.every((name) => name.endsWith('__isnull'));
}

function chainModel(model: MigrationModel, chain: AccessChain): string {
  if (chain.root) {
    const names = [nodeText(model, chain.root)];
    for (const step of chain.steps) {
      if (step.kind !== 'attribute' || MANAGERS.has(step.name)) break;
      names.push(step.name);
    }
    return names.join('.');
  }
  return 'the';
}
