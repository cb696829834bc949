// Builds the typed MigrationModel from a @lezer/python tree. It visits statements (module, class and function
// bodies) and converts only the expressions migrations care about (class attributes and the operations list), so
// the cost stays a small fraction of the parse. Tolerant by construction: any node it does not recognise becomes an
// `other` expression or is skipped; it never throws on half-typed code.
import { TreeBuffer, type ChangedRange, type SyntaxNode, type Tree } from '@lezer/common';
import { parser } from '@lezer/python';
import type {
  CallExpr,
  Comment,
  Dependency,
  Expr,
  FunctionDef,
  Import,
  MigrationClass,
  MigrationModel,
  Operation,
  Span,
} from './model';
import { migrationIdentity, normalizePath } from './migrationPath';
import { NESTED_OPERATION_PARAMS, opArg } from '../django/operations';
import { ExpressionReader } from './expressions';
import { splitListItems } from './listRecovery';
import { computeLineStarts, lineOfOffset } from './textPositions';
import { complement, intersect, union, vendorsOfCondition, type VendorSet } from './vendorGuards';
import { callReuse, type CallReuse } from './exprReuse';

const MIGRATION_BASE = 'django.db.migrations.Migration';

/** Syntax nodes a module-level operations list can be written as. */
const LIST_SHAPED_NODES = new Set(['ArrayExpression', 'TupleExpression', 'BinaryExpression', 'VariableName', 'ParenthesizedExpression']);

/** Class attributes the model reads into fields of their own; the others land in `attributes`. */
const MODELLED_ATTRIBUTES = new Set(['atomic', 'initial', 'dependencies', 'replaces', 'run_before', 'operations']);

/** `identity` is the app label and name the project's layout gives the path (django/projectLayout.ts); by default the folder's. */
/**
 * `previous`: the model of the same file before an edit (with `range`, what the edit changed): the operations the
 * edit did not touch are taken from it instead of being converted again (see exprReuse.ts).
 */
export function buildMigrationModel(path: string, text: string, tree: Tree, identity?: { app: string; name: string }, previous?: { model: MigrationModel; range: ChangedRange }): MigrationModel {
  const normalized = normalizePath(path);
  const { app, name } = identity ?? migrationIdentity(normalized);
  const syntaxErrors = collectSyntaxErrors(tree);
  const builder = new ModelBuilder(text, syntaxErrors);
  const lineStarts = computeLineStarts(text);
  let migrationClass: MigrationClass | undefined;
  let operations: Operation[] = [];
  let allOperations: Operation[] = [];
  try {
    builder.walkStatements(tree.topNode, 'module');
    if (previous && sameImports(previous.model.importMap, builder.importMap)) builder.reuseCalls(callReuse(previous.model, previous.range, text.length));
    const found = builder.readMigrationClass();
    if (found) {
      migrationClass = found.migrationClass;
      operations = found.operations;
      allOperations = found.allOperations;
    }
  } catch {
    // Defensive: the builder is written not to throw, but a model with what was read beats a crashed analysis.
  }
  return {
    path: normalized,
    app,
    name,
    text,
    imports: builder.imports,
    importMap: builder.importMap,
    migrationClass,
    operations,
    allOperations,
    functions: builder.functions,
    comments: collectComments(text, tree, lineStarts),
    syntaxErrors,
    tree,
    ignoredByMigrationLinter: allOperations.some((op) => op.name === 'IgnoreMigration'),
    lineStarts,
  };
}

function sameImports(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [local, qualified] of a) if (b.get(local) !== qualified) return false;
  return true;
}

type Scope = 'module' | 'class' | 'function';

/** A list of operations bound to a name (`state_operations = [...]`), item by item with the vendors that get it. */
interface ListBinding {
  items: { expr: Expr; vendors: VendorSet }[];
  /** False when part of the value could not be followed (a call, a comprehension, an unknown name). */
  complete: boolean;
  /** What could not be followed, for the message. */
  reason?: string;
}

type Bindings = ReadonlyMap<string, ListBinding>;

class ModelBuilder {
  readonly imports: Import[] = [];
  readonly importMap = new Map<string, string>();
  readonly functions = new Map<string, FunctionDef>();
  private readonly moduleFunctionNames = new Set<string>();
  private readonly classes: SyntaxNode[] = [];
  /** Module-level lists (`operations = [...]`, `operations += [...]` under vendor tests) a class may name. */
  private readonly moduleLists = new Map<string, ListBinding>();

  private readonly expressions: ExpressionReader;

  constructor(
    private readonly text: string,
    /** Sorted error spans of the whole tree: a list with errors inside is read item by item (see listRecovery.ts). */
    private readonly syntaxErrors: readonly Span[],
  ) {
    // Imports are all read before any expression is converted (classes are read after the module walk).
    this.expressions = new ExpressionReader(text, (dotted) => this.qualify(dotted));
  }

  /** Takes untouched operation calls from the previous model (only once the imports are known to be the same). */
  reuseCalls(reuse: CallReuse | undefined): void {
    this.expressions.reuse = reuse;
  }

  /** Visits the statements of a block, descending into compound statements but never into expressions. */
  walkStatements(block: SyntaxNode, scope: Scope, guard: VendorSet = undefined): void {
    for (let statement = block.firstChild; statement; statement = statement.nextSibling) {
      switch (statement.name) {
        case 'AssignStatement':
        case 'UpdateStatement':
          if (scope === 'module') this.readModuleList(statement, guard);
          break;
        case 'ImportStatement':
          if (scope !== 'class') this.readImport(statement);
          break;
        case 'ClassDefinition':
          if (scope === 'module') this.classes.push(statement);
          break;
        case 'FunctionDefinition':
          this.readFunction(statement, scope);
          break;
        case 'DecoratedStatement':
        case 'StatementGroup':
          this.walkStatements(statement, scope, guard);
          break;
        case 'IfStatement':
          if (scope === 'module') {
            this.walkIf(statement, guard);
            break;
          }
          for (let part = statement.firstChild; part; part = part.nextSibling) {
            if (part.name === 'Body') this.walkStatements(part, scope);
          }
          break;
        case 'TryStatement':
        case 'WithStatement':
        case 'ForStatement':
        case 'WhileStatement':
          for (let part = statement.firstChild; part; part = part.nextSibling) {
            if (part.name === 'Body') this.walkStatements(part, scope);
          }
          break;
        case 'Body':
          this.walkStatements(statement, scope, guard);
          break;
      }
    }
  }

  /** A module-level `if`/`elif`/`else`: each body under the vendors its condition selects (see vendorGuards.ts). */
  private walkIf(statement: SyntaxNode, guard: VendorSet): void {
    let condition: VendorSet = undefined;
    let claimed: VendorSet = [];
    let expectCondition = false;
    for (let part = statement.firstChild; part; part = part.nextSibling) {
      if (part.name === 'if' || part.name === 'elif') {
        expectCondition = true;
        continue;
      }
      if (part.name === 'else') {
        // Every vendor no earlier branch took; unknown when an earlier condition was not a vendor test.
        condition = claimed === undefined ? undefined : complement(claimed);
        continue;
      }
      if (part.name === 'Body') {
        this.walkStatements(part, 'module', intersect(guard, condition));
        condition = undefined;
        continue;
      }
      if (expectCondition && part.name !== 'Comment') {
        expectCondition = false;
        condition = vendorsOfCondition(this.expressions.read(part));
        claimed = condition === undefined || claimed === undefined ? undefined : union(claimed, condition);
      }
    }
  }

  /** `NAME = [...]` / `NAME += [...]` at module level, kept for classes that pass the name as operations. */
  private readModuleList(statement: SyntaxNode, guard: VendorSet): void {
    const target = statement.firstChild;
    const operator = target?.nextSibling;
    if (!target || target.name !== 'VariableName' || !operator) return;
    const value = lastChild(statement);
    if (!value || value === operator || value === target) return;
    // Only list-shaped values can be operations; others (constants, calls, dicts) are not even read.
    if (!LIST_SHAPED_NODES.has(value.name)) return;
    const name = this.slice(target);
    const operatorText = this.slice(operator);
    if (operatorText !== '=' && operatorText !== '+=') return;
    const expr = this.expressions.read(value);
    if (operatorText === '=' && !looksLikeOperationList(expr, this.moduleLists)) return;
    const added = resolveList(expr, this.moduleLists);
    const previous = this.moduleLists.get(name);
    const tagged = added.items.map((item) => ({ expr: item.expr, vendors: intersect(item.vendors, guard) }));
    if (operatorText === '+=') {
      if (!previous) return;
      this.moduleLists.set(name, { items: [...previous.items, ...tagged], complete: previous.complete && added.complete, reason: previous.reason ?? added.reason });
    } else {
      // Under a guard, the earlier value stays for the other vendors.
      const kept = guard === undefined || !previous ? [] : previous.items.map((item) => ({ expr: item.expr, vendors: intersect(item.vendors, complement(guard)) }));
      this.moduleLists.set(name, { items: [...kept, ...tagged], complete: added.complete && (previous?.complete ?? true), reason: added.reason ?? previous?.reason });
    }
  }

  private readImport(statement: SyntaxNode): void {
    let fromModule: string | undefined;
    let dotted = '';
    let itemStart = -1;
    let alias: string | undefined;
    let expectAlias = false;
    let sawImportKeyword = false;
    const flush = (itemEnd: number) => {
      if (dotted && !dotted.endsWith('.')) {
        const local = alias ?? (fromModule !== undefined ? dotted : dotted.split('.')[0] ?? dotted);
        const qualified =
          fromModule !== undefined ? (fromModule ? `${fromModule}.${dotted}` : dotted) : alias ? dotted : local;
        this.addImport(local, qualified, { start: itemStart, end: itemEnd });
      }
      dotted = '';
      alias = undefined;
      expectAlias = false;
      itemStart = -1;
    };
    let lastEnd = statement.from;
    for (let token = statement.firstChild; token; token = token.nextSibling) {
      const tokenText = this.slice(token);
      switch (token.name) {
        case 'from':
          fromModule = '';
          break;
        case 'import':
          if (fromModule !== undefined) fromModule = fromModule + dotted;
          dotted = '';
          itemStart = -1;
          sawImportKeyword = true;
          break;
        case 'as':
          expectAlias = true;
          break;
        case ',':
          if (sawImportKeyword) flush(lastEnd);
          break;
        case '.':
        case 'Ellipsis':
          dotted += tokenText;
          break;
        case 'VariableName':
          if (expectAlias) {
            alias = tokenText;
            expectAlias = false;
          } else {
            if (itemStart < 0) itemStart = token.from;
            dotted += tokenText;
          }
          break;
      }
      if (token.name !== 'Comment') lastEnd = token.to;
    }
    if (sawImportKeyword) flush(lastEnd);
  }

  private addImport(local: string, qualified: string, span: Span): void {
    this.imports.push({ local, qualified, span });
    this.importMap.set(local, qualified);
  }

  private readFunction(definition: SyntaxNode, scope: Scope): void {
    let nameNode: SyntaxNode | undefined;
    let params: string[] = [];
    let body: SyntaxNode | undefined;
    for (let part = definition.firstChild; part; part = part.nextSibling) {
      if (part.name === 'VariableName' && !nameNode) nameNode = part;
      else if (part.name === 'ParamList') params = this.readParams(part);
      else if (part.name === 'Body') body = part;
    }
    if (nameNode) {
      const name = this.slice(nameNode);
      // Python binds the last module-level definition of a name; nested helpers never shadow module-level ones.
      if (scope === 'module' || !this.moduleFunctionNames.has(name)) {
        if (scope === 'module') this.moduleFunctionNames.add(name);
        this.functions.set(name, {
          name,
          span: span(definition),
          nameSpan: span(nameNode),
          params,
          bodySpan: body ? span(body) : { start: definition.to, end: definition.to },
        });
      }
    }
    if (body) this.walkStatements(body, 'function');
  }

  private readParams(list: SyntaxNode): string[] {
    const params: string[] = [];
    let previous = '(';
    for (let part = list.firstChild; part; part = part.nextSibling) {
      if (part.name === 'Comment') continue;
      if (part.name === 'VariableName' && (previous === '(' || previous === ',' || previous === '*' || previous === '**')) {
        const stars = previous === '*' || previous === '**' ? previous : '';
        params.push(stars + this.slice(part));
      } else if (part.name === '*' && part.nextSibling?.name !== 'VariableName') {
        params.push('*');
      }
      previous = part.name;
    }
    return params;
  }

  /** Finds the class deriving from migrations.Migration (any alias) and reads its attributes and operations. */
  readMigrationClass(): { migrationClass: MigrationClass; operations: Operation[]; allOperations: Operation[] } | undefined {
    const candidate =
      this.classes.find((node) => this.classBases(node).some((base) => this.isMigrationBase(base))) ??
      this.classes.find((node) => this.className(node) === 'Migration');
    if (!candidate) return undefined;

    let nameNode: SyntaxNode | undefined;
    let body: SyntaxNode | undefined;
    for (let part = candidate.firstChild; part; part = part.nextSibling) {
      if (part.name === 'VariableName' && !nameNode) nameNode = part;
      else if (part.name === 'Body') body = part;
    }
    /** Lists assigned in the class body (`state_operations = [...]`) shadow module-level ones, as in Python. */
    const classLists = new Map<string, ListBinding>(this.moduleLists);
    const migrationClass: MigrationClass = {
      span: span(candidate),
      nameSpan: nameNode ? span(nameNode) : span(candidate),
      dependencies: [],
      replaces: [],
      runBefore: [],
      attributes: new Map(),
      bodyInsertOffset: body ? body.to : candidate.to,
      bodyIndent: '    ',
    };
    let operations: Operation[] = [];
    const allOperations: Operation[] = [];
    if (!body) return { migrationClass, operations, allOperations };

    this.placeInsertionPoint(body, migrationClass);
    this.walkStatements(body, 'class');
    for (const statement of this.classStatements(body)) {
      if (statement.name !== 'AssignStatement') continue;
      const target = statement.firstChild;
      if (!target || target.name !== 'VariableName' || target.nextSibling?.name !== 'AssignOp') continue;
      const value = lastChild(statement);
      if (!value || value === target || value.name === 'AssignOp') continue;
      const attribute = this.slice(target);
      if (!MODELLED_ATTRIBUTES.has(attribute)) {
        const attributeValue = this.expressions.read(value);
        migrationClass.attributes.set(attribute, { value: attributeValue, span: span(statement) });
        if (looksLikeOperationList(attributeValue, classLists)) classLists.set(attribute, resolveList(attributeValue, classLists));
      }
      switch (attribute) {
        case 'atomic': {
          const expr = this.expressions.read(value);
          migrationClass.atomic = { value: expr.kind === 'bool' ? expr.value : undefined, span: span(statement) };
          break;
        }
        case 'initial': {
          const expr = this.expressions.read(value);
          if (expr.kind === 'bool') migrationClass.initial = expr.value;
          break;
        }
        case 'dependencies':
          migrationClass.dependencies = this.dependencies(this.expressions.read(value));
          break;
        case 'replaces':
          migrationClass.replaces = this.dependencies(this.expressions.read(value));
          break;
        case 'run_before':
          migrationClass.runBefore = this.dependencies(this.expressions.read(value));
          break;
        case 'operations': {
          const list = this.operationList(target.nextSibling, value, classLists);
          migrationClass.operationsSpan = list.span;
          operations = [];
          allOperations.length = 0;
          const unresolved: { span: Span; reason: string }[] = list.binding.complete ? [] : [{ span: list.span, reason: list.binding.reason ?? 'built at run time' }];
          for (const item of list.binding.items) {
            if (item.expr.kind !== 'call') continue;
            const op = toOperation(item.expr, 'operations', undefined, operations.length);
            if (item.vendors !== undefined) op.vendors = item.vendors;
            operations.push(op);
            collectNested(op, allOperations, classLists, unresolved);
          }
          if (unresolved[0]) migrationClass.unresolvedOperations = unresolved[0];
          else delete migrationClass.unresolvedOperations;
          break;
        }
      }
    }
    allOperations.sort((a, b) => a.span.start - b.span.start);
    return { migrationClass, operations, allOperations };
  }

  /**
   * The items of the `operations` value. When the parser met a syntax error inside it, its recovery may have folded
   * the operations after the error into one nonsense node, so the items are found from the text instead and each
   * is read on its own: every intact operation keeps its exact spans, and a broken one yields what can be read of it.
   */
  private operationList(assignOp: SyntaxNode, value: SyntaxNode, lists: Bindings): { span: Span; binding: ListBinding } {
    // Where the user's list starts: the parser's value node may end early (or be some other node) after an error.
    let open = assignOp.to;
    while (this.text[open] === ' ' || this.text[open] === '\t') open++;
    const opener = this.text[open];
    if ((opener !== '[' && opener !== '(') || !this.hasErrorWithin(open, this.text.length)) {
      return { span: span(value), binding: resolveList(this.expressions.read(value), lists) };
    }
    const list = splitListItems(this.text, open);
    const items = list.items.map((item) => ({ expr: this.readListItem(assignOp, item), vendors: undefined }));
    return { span: { start: open, end: list.end }, binding: { items, complete: true } };
  }

  /** One item of a broken list: from the file's tree when a clean node covers exactly that text, else parsed alone. */
  private readListItem(anyNode: SyntaxNode, item: Span): Expr {
    if (!this.hasErrorWithin(item.start, item.end)) {
      let top = anyNode;
      while (top.parent) top = top.parent;
      for (let node: SyntaxNode | null = top.resolveInner(item.start, 1); node && node.from === item.start; node = node.parent) {
        if (node.to === item.end) return this.expressions.read(node);
        if (node.to > item.end) break;
      }
    }
    const source = this.text.slice(item.start, item.end);
    const statement = parser.parse(source).topNode.firstChild;
    const expression = statement?.name === 'ExpressionStatement' ? statement.firstChild : statement;
    if (!expression) return { kind: 'other', span: item, text: source };
    return new ExpressionReader(source, (dotted) => this.qualify(dotted), item.start).read(expression);
  }

  /** True when a syntax error starts in [from, to] (errors are sorted by start: a binary search). */
  private hasErrorWithin(from: number, to: number): boolean {
    let low = 0;
    let high = this.syntaxErrors.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((this.syntaxErrors[middle] as Span).start < from) low = middle + 1;
      else high = middle;
    }
    const first = this.syntaxErrors[low];
    return first !== undefined && first.start <= to;
  }

  /** Statements of a class body, flattening `a = 1; b = 2` groups. */
  private *classStatements(body: SyntaxNode): Generator<SyntaxNode> {
    for (let statement = body.firstChild; statement; statement = statement.nextSibling) {
      if (statement.name === 'StatementGroup') {
        for (let inner = statement.firstChild; inner; inner = inner.nextSibling) yield inner;
      } else {
        yield statement;
      }
    }
  }

  /** New class attributes go on their own line before the first statement after an optional docstring. */
  private placeInsertionPoint(body: SyntaxNode, migrationClass: MigrationClass): void {
    let first: SyntaxNode | undefined;
    for (let statement = body.firstChild; statement; statement = statement.nextSibling) {
      if (statement.name === ':' || statement.name === 'Comment' || statement.type.isError) continue;
      const isDocstring =
        !first && statement.name === 'ExpressionStatement' && statement.firstChild?.name === 'String' && statement.firstChild.nextSibling === null;
      if (isDocstring) {
        first = statement;
        continue;
      }
      first = statement;
      break;
    }
    if (!first) return;
    let lineStart = first.from;
    while (lineStart > 0 && this.text[lineStart - 1] !== '\n' && this.text[lineStart - 1] !== '\r') lineStart--;
    const indent = this.text.slice(lineStart, first.from);
    if (indent.trim() !== '') {
      // `class Migration(...): x = 1` on one line: a new line after the body keeps the code valid.
      migrationClass.bodyInsertOffset = body.to;
      return;
    }
    migrationClass.bodyInsertOffset = lineStart;
    migrationClass.bodyIndent = indent;
  }

  private classBases(node: SyntaxNode): Expr[] {
    for (let part = node.firstChild; part; part = part.nextSibling) {
      if (part.name === 'ArgList') return this.expressions.readArguments(part).args;
    }
    return [];
  }

  private className(node: SyntaxNode): string {
    for (let part = node.firstChild; part; part = part.nextSibling) {
      if (part.name === 'VariableName') return this.slice(part);
    }
    return '';
  }

  private isMigrationBase(base: Expr): boolean {
    if (base.kind !== 'name') return false;
    return base.qualified === MIGRATION_BASE || (base.dotted.endsWith('.Migration') && base.qualified.endsWith('migrations.Migration'));
  }

  private dependencies(list: Expr): Dependency[] {
    const items = list.kind === 'list' || list.kind === 'tuple' || list.kind === 'set' ? list.items : [];
    return items.map((item): Dependency => {
      if ((item.kind === 'tuple' || item.kind === 'list') && item.items.length === 2) {
        const [appExpr, nameExpr] = item.items;
        if (appExpr?.kind === 'string' && nameExpr?.kind === 'string' && !appExpr.formatted && !nameExpr.formatted) {
          return { app: appExpr.value, name: nameExpr.value, span: item.span, dynamic: false };
        }
      }
      if (item.kind === 'call' && item.callee.kind === 'name' && item.callee.dotted.endsWith('swappable_dependency')) {
        // Django resolves swappable_dependency("app.Model") to (app, "__first__"); settings values are unknown here.
        const target = item.args[0];
        const app = target?.kind === 'string' && !target.formatted ? target.value.split('.')[0] ?? '' : '';
        return { app, name: '__first__', span: item.span, dynamic: true };
      }
      return { app: '', name: '', span: item.span, dynamic: true };
    });
  }

  qualify(dotted: string): string {
    const dot = dotted.indexOf('.');
    const head = dot < 0 ? dotted : dotted.slice(0, dot);
    const resolved = this.importMap.get(head);
    if (resolved === undefined) return dotted;
    return dot < 0 ? resolved : resolved + dotted.slice(dot);
  }

  private slice(node: SyntaxNode): string {
    return this.text.slice(node.from, node.to);
  }
}

/**
 * The items of an operations value: list and tuple literals, `+` concatenations, and names of lists bound earlier in
 * the module or class body. Anything else (a call, a comprehension) leaves the binding incomplete.
 */
function resolveList(value: Expr, lists: Bindings, depth = 0): ListBinding {
  if (value.kind === 'list' || value.kind === 'tuple') return { items: value.items.map((expr) => ({ expr, vendors: undefined })), complete: true };
  if (depth < 32 && value.kind === 'binary' && value.operator === '+') {
    const left = resolveList(value.left, lists, depth + 1);
    const right = resolveList(value.right, lists, depth + 1);
    return { items: [...left.items, ...right.items], complete: left.complete && right.complete, reason: left.reason ?? right.reason };
  }
  if (value.kind === 'name' && !value.dotted.includes('.')) {
    const bound = lists.get(value.dotted);
    if (bound) return bound;
    return { items: [], complete: false, reason: `\`${value.dotted}\` is not a list defined in this file` };
  }
  const text = value.text.length > 40 ? `${value.text.slice(0, 37)}...` : value.text;
  return { items: [], complete: false, reason: `\`${text.replace(/\s+/g, ' ')}\` is computed when the migration runs` };
}

/** Worth keeping as a list binding: a list or tuple literal, a concatenation, or a known list's name. */
function looksLikeOperationList(value: Expr, lists: Bindings): boolean {
  if (value.kind === 'list' || value.kind === 'tuple') return true;
  if (value.kind === 'binary' && value.operator === '+') return looksLikeOperationList(value.left, lists) || looksLikeOperationList(value.right, lists);
  return value.kind === 'name' && lists.has(value.dotted);
}

function toOperation(call: CallExpr, context: Operation['context'], parent: Operation | undefined, topLevelIndex: number): Operation {
  const callee = call.callee;
  const dotted = callee.kind === 'name' ? callee.dotted : callee.text;
  const name = dotted.slice(dotted.lastIndexOf('.') + 1);
  const qualifiedName = callee.kind === 'name' ? callee.qualified : dotted;
  const op: Operation = { name, qualifiedName, call, span: call.span, nameSpan: callee.span, context, topLevelIndex };
  if (parent) op.parent = parent;
  return op;
}

function collectNested(op: Operation, out: Operation[], lists: Bindings, unresolved: { span: Span; reason: string }[]): void {
  out.push(op);
  for (const param of NESTED_OPERATION_PARAMS[op.name] ?? []) {
    const value = opArg(op, param);
    if (!value || value.kind === 'none') continue;
    const binding = resolveList(value, lists);
    if (!binding.complete) unresolved.push({ span: value.span, reason: binding.reason ?? 'built at run time' });
    for (const item of binding.items) {
      if (item.expr.kind !== 'call') continue;
      const nested = toOperation(item.expr, param, op, op.topLevelIndex);
      const vendors = intersect(op.vendors, item.vendors);
      if (vendors !== undefined) nested.vendors = vendors;
      collectNested(nested, out, lists, unresolved);
    }
  }
}

function lastChild(node: SyntaxNode): SyntaxNode | null {
  let last = node.lastChild;
  while (last && (last.name === 'Comment' || last.type.isError)) last = last.prevSibling;
  return last;
}

function span(node: SyntaxNode): Span {
  return { start: node.from, end: node.to };
}

/**
 * Comments are found in one walk that enters only nodes holding a `#` (string literals never: a `#` there is text).
 * Looking up each `#` with resolveInner instead cost a scan of the siblings per comment, quadratic in comment lines.
 */
function collectComments(text: string, tree: Tree, lineStarts: readonly number[]): Comment[] {
  const hashes: number[] = [];
  for (let position = text.indexOf('#'); position >= 0; position = text.indexOf('#', position + 1)) hashes.push(position);
  const comments: Comment[] = [];
  if (hashes.length === 0) return comments;
  let next = 0; // index of the first `#` at or after the node being visited (nodes come in ascending `from`)
  tree.iterate({
    enter: (node) => {
      while (next < hashes.length && (hashes[next] as number) < node.from) next++;
      if (next >= hashes.length || (hashes[next] as number) >= node.to) return false;
      if (node.name === 'String' || node.name === 'FormatString') return false;
      if (node.name !== 'Comment') return true;
      const line = lineOfOffset(lineStarts, node.from);
      const before = text.slice(lineStarts[line] ?? 0, node.from);
      comments.push({ span: { start: node.from, end: node.to }, text: text.slice(node.from + 1, node.to), ownLine: before.trim() === '', line });
      return false;
    },
  });
  return comments;
}

/** Error nodes of a packed buffer, as start/end pairs relative to the buffer; buffers are immutable, so this is kept. */
const bufferErrors = new WeakMap<TreeBuffer, readonly number[]>();
const NO_ERRORS: readonly number[] = [];

function errorsInBuffer(node: TreeBuffer): readonly number[] {
  let found = bufferErrors.get(node);
  if (found) return found;
  // Each node takes four slots: type id, start, end, index after its children.
  const { buffer, set } = node;
  let pairs: number[] | undefined;
  for (let index = 0; index < buffer.length; index += 4) {
    if (set.types[buffer[index] as number]?.isError) (pairs ??= []).push(buffer[index + 1] as number, buffer[index + 2] as number);
  }
  found = pairs ?? NO_ERRORS;
  bufferErrors.set(node, found);
  return found;
}

/**
 * Error nodes (⚠) anywhere in the tree. Rather than visiting every node through a cursor, this reads the packed
 * node buffers directly (a typed-array scan), which is several times cheaper on large files; an incremental parse
 * reuses the buffers an edit did not touch, and their scan is remembered, so a keystroke scans only what it changed.
 */
function collectSyntaxErrors(tree: Tree): Span[] {
  const errors: Span[] = [];
  const pending: { node: Tree | TreeBuffer; offset: number }[] = [{ node: tree, offset: 0 }];
  while (pending.length > 0) {
    const { node, offset } = pending.pop() as { node: Tree | TreeBuffer; offset: number };
    if (node instanceof TreeBuffer) {
      const pairs = errorsInBuffer(node);
      for (let index = 0; index < pairs.length; index += 2) errors.push({ start: offset + (pairs[index] as number), end: offset + (pairs[index + 1] as number) });
      continue;
    }
    if (node.type.isError) errors.push({ start: offset, end: offset + node.length });
    node.children.forEach((child, index) => pending.push({ node: child, offset: offset + (node.positions[index] as number) }));
  }
  return errors.sort((a, b) => a.start - b.start || a.end - b.end);
}
