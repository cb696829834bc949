import type { SyntaxNode } from '@lezer/common';
import type { MigrationModel, Operation } from '../python/model';
import type { FileContext, FileRule } from './rule';
import { accessChain, nodeText, runPythonFunctionsOf, walkDescendants, type RunPythonCode } from './runPythonCode';

/** Attributes that only a model class has: touching them means the code uses the model itself. */
const MODEL_ATTRIBUTES = new Set(['objects', '_default_manager', '_base_manager', '_meta', 'DoesNotExist', 'MultipleObjectsReturned']);

export const runpythonModelImport: FileRule = {
  id: 'runpython-model-import',
  title: 'RunPython uses an imported model instead of apps.get_model',
  severity: 'error',
  vendors: 'all',
  category: 'transactions',
  scope: 'file',
  explanation: {
    summary:
      'A model imported from the app\'s `models` module is the model as it is in the *current* code, not as it was when this migration runs. Once later migrations add or remove fields, the import selects columns that do not exist yet (or no longer), and running the migrations from scratch (tests, new environments) breaks.',
    sql: 'SELECT ..., "shop_order"."field_added_in_a_later_migration" FROM "shop_order"  -- column does not exist',
    lock: '',
    blocks: 'Fresh installs, test databases and any environment that replays the migration history.',
    rewrite: 'No.',
    safeAlternative:
      'Get the historical model from the `apps` registry Django passes to the function: `apps.get_model("shop", "Order")`. It has exactly the fields this point in the history has.',
    safeCode: `def fill_status(apps, schema_editor):
    Order = apps.get_model("shop", "Order")
    for order in Order.objects.filter(status__isnull=True).iterator(chunk_size=2000):
        order.status = "new"
        order.save(update_fields=["status"])`,
    safeCodeLanguage: 'python',
  },
  operations: ['RunPython'],
  checkOperation(ctx, op) {
    const functions = runPythonFunctionsOf(ctx, op, ['code', 'reverse_code']);
    // Most migrations run no Python: their imports are read only when a function is checked.
    if (functions.length === 0) return;
    const moduleBindings = moduleBindingsOf(ctx.file);
    for (const code of functions) checkCode(ctx, op, code, moduleBindings);
  },
};

/** A local name bound to an app's models module (`shop_models`) or to a model class imported from it (`Order`). */
interface Binding {
  local: string;
  /** Names after `local` that lead to the models module: `['models']` for `import shop.models`. */
  pathToModule: string[];
  /** Set when the binding is the class itself (`from shop.models import Order`). */
  modelName?: string;
  module: string;
}

const moduleBindingsCache = new WeakMap<MigrationModel, Map<string, Binding>>();

/** The module-level import bindings of the file, read once per file. */
function moduleBindingsOf(file: MigrationModel): Map<string, Binding> {
  let bindings = moduleBindingsCache.get(file);
  if (!bindings) moduleBindingsCache.set(file, (bindings = importBindings(file, topLevelImports(file))));
  return bindings;
}

function checkCode(ctx: FileContext, op: Operation, code: RunPythonCode, moduleBindings: Map<string, Binding>): void {
  const model = ctx.file;
  const bindings = new Map(moduleBindings);
  for (const [local, binding] of importBindings(model, importsInside(code.body))) bindings.set(local, binding);
  // A name assigned anywhere in the function is local to it (e.g. `Order = apps.get_model(...)`): not the import.
  for (const local of assignedNames(model, code)) bindings.delete(local);
  if (bindings.size === 0) return;

  const reported = new Set<string>();
  walkDescendants(code.body, (node) => {
    if (node.name !== 'VariableName') return undefined;
    const binding = bindings.get(nodeText(model, node));
    if (!binding) return undefined;
    const used = modelUse(model, node, binding);
    if (!used || reported.has(used)) return undefined;
    reported.add(used);
    const app = appLabel(binding.module, ctx.file.app);
    const where = code.kind === 'function' ? `${code.name}()` : 'The RunPython lambda';
    ctx.report({
      span: { start: node.from, end: node.to },
      message: `${where} uses the current model ${binding.module}.${used} instead of the historical one`,
      advice: `use apps.get_model("${app}", "${used}")`,
      operation: op,
    });
    return undefined;
  }, VARIABLE_NAMES);
}

const VARIABLE_NAMES: ReadonlySet<string> = new Set(['VariableName']);

/** The model name when this occurrence of a bound name is used as a model (manager, _meta, instantiation). */
function modelUse(model: MigrationModel, nameNode: SyntaxNode, binding: Binding): string | undefined {
  let outer: SyntaxNode = nameNode;
  while (outer.parent && (outer.parent.name === 'MemberExpression' || outer.parent.name === 'CallExpression') && outer.parent.firstChild?.from === outer.from && outer.parent.firstChild.to === outer.to) {
    outer = outer.parent;
  }
  const steps = accessChain(model, outer).steps;
  const names: string[] = [];
  for (const step of steps) {
    if (step.kind !== 'attribute') break;
    names.push(step.name);
  }
  for (let i = 0; i < binding.pathToModule.length; i++) if (names[i] !== binding.pathToModule[i]) return undefined;
  const afterModule = binding.pathToModule.length;
  const modelName = binding.modelName ?? names[afterModule];
  const nextIndex = binding.modelName ? afterModule : afterModule + 1;
  if (!modelName || !/^[A-Z]/.test(modelName)) return undefined;
  const next = steps[nextIndex];
  if (next?.kind === 'attribute' && MODEL_ATTRIBUTES.has(next.name)) return modelName;
  if (next?.kind === 'call' && nextIndex === names.length) return modelName;
  return undefined;
}

function appLabel(module: string, currentApp: string): string {
  if (module.startsWith('.')) return currentApp;
  const parts = module.split('.');
  const index = parts.indexOf('models');
  return index > 0 ? parts[index - 1]! : currentApp;
}

function topLevelImports(model: MigrationModel): SyntaxNode[] {
  const imports: SyntaxNode[] = [];
  for (let statement = model.tree.topNode.firstChild; statement; statement = statement.nextSibling) {
    if (statement.name === 'ImportStatement') imports.push(statement);
  }
  return imports;
}

const IMPORT_STATEMENTS: ReadonlySet<string> = new Set(['ImportStatement']);

function importsInside(body: SyntaxNode): SyntaxNode[] {
  const imports: SyntaxNode[] = [];
  walkDescendants(body, (node) => {
    imports.push(node);
    return false;
  }, IMPORT_STATEMENTS);
  return imports;
}

/** Whether a module is an app's models module (Django's own `django.db.models` is not). */
function isModelsModule(module: string): boolean {
  return /(^|\.)models(\.|$)/.test(module) && !/^django\.db(\.|$)/.test(module);
}

function importBindings(model: MigrationModel, statements: readonly SyntaxNode[]): Map<string, Binding> {
  const bindings = new Map<string, Binding>();
  for (const statement of statements) {
    for (const entry of readImport(model, statement)) {
      if (entry.from !== undefined) {
        const qualified = entry.from.endsWith('.') ? `${entry.from}${entry.name}` : `${entry.from}.${entry.name}`;
        if (isModelsModule(entry.from) && /^[A-Z]/.test(entry.name) && !/^[A-Z0-9_]+$/.test(entry.name)) {
          bindings.set(entry.local, { local: entry.local, pathToModule: [], modelName: entry.name, module: entry.from });
        } else if (entry.name === 'models' && isModelsModule(qualified)) {
          bindings.set(entry.local, { local: entry.local, pathToModule: [], module: qualified });
        }
      } else if (isModelsModule(entry.name)) {
        const parts = entry.name.split('.');
        const modelsIndex = parts.lastIndexOf('models');
        const modulePath = parts.slice(0, modelsIndex + 1);
        if (entry.local !== parts[0]) bindings.set(entry.local, { local: entry.local, pathToModule: [], module: modulePath.join('.') });
        else bindings.set(entry.local, { local: entry.local, pathToModule: modulePath.slice(1), module: modulePath.join('.') });
      }
    }
  }
  return bindings;
}

interface ImportEntry {
  /** `from X import ...`: X (with leading dots for relative imports); undefined for `import X`. */
  from?: string;
  /** The imported name (`Order`) or dotted module (`shop.models`). */
  name: string;
  local: string;
}

function readImport(model: MigrationModel, statement: SyntaxNode): ImportEntry[] {
  const entries: ImportEntry[] = [];
  let from: string | undefined;
  let inFromClause = false;
  let current: string[] = [];
  let alias: string | undefined;
  let expectAlias = false;
  const flush = (): void => {
    if (current.length > 0) {
      const name = current.join('.');
      entries.push({ ...(from !== undefined ? { from } : {}), name, local: alias ?? (from !== undefined ? name : current[0]!) });
    }
    current = [];
    alias = undefined;
    expectAlias = false;
  };
  for (let part = statement.firstChild; part; part = part.nextSibling) {
    const text = nodeText(model, part);
    switch (part.name) {
      case 'from':
        inFromClause = true;
        from = '';
        break;
      case 'import':
        inFromClause = false;
        break;
      case '.':
      case 'Ellipsis':
        if (inFromClause) from += text;
        break;
      case 'VariableName':
        if (inFromClause) from += from && !from.endsWith('.') ? `.${text}` : text;
        else if (expectAlias) alias = text;
        else current.push(text);
        break;
      case 'as':
        expectAlias = true;
        break;
      case ',':
        flush();
        break;
      default:
        break;
    }
  }
  flush();
  return entries;
}

/** Names bound inside the function: parameters, assignment and loop targets, `with ... as`. */
function assignedNames(model: MigrationModel, code: RunPythonCode): Set<string> {
  const names = new Set<string>();
  for (const param of code.params) names.add(param.name);
  walkDescendants(code.body, (node) => {
    if (node.name === 'AssignStatement') {
      for (let part = node.firstChild; part && part.name !== 'AssignOp'; part = part.nextSibling) {
        if (part.name === 'VariableName') names.add(nodeText(model, part));
        if (part.name === 'TupleExpression') collectNames(model, part, names);
      }
    } else if (node.name === 'ForStatement' || node.name === 'WithStatement') {
      let afterKeyword = node.name === 'ForStatement';
      for (let part = node.firstChild; part; part = part.nextSibling) {
        if (part.name === 'in' || part.name === 'Body') break;
        if (part.name === 'as') afterKeyword = true;
        else if (afterKeyword && part.name === 'VariableName') names.add(nodeText(model, part));
        else if (afterKeyword && part.name === 'TupleExpression') collectNames(model, part, names);
      }
    }
    return undefined;
  }, BINDING_STATEMENTS);
  return names;
}

const BINDING_STATEMENTS: ReadonlySet<string> = new Set(['AssignStatement', 'ForStatement', 'WithStatement']);

function collectNames(model: MigrationModel, node: SyntaxNode, into: Set<string>): void {
  for (let part = node.firstChild; part; part = part.nextSibling) if (part.name === 'VariableName') into.add(nodeText(model, part));
}
