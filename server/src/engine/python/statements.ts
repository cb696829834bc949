// Reading simple Python statements outside migrations (apps.py, settings modules): the assignments of a module or
// class body, with their values as the model's Expr. Compound statements (if/try/with) are entered, since settings
// often assign inside `if DEBUG:` or `try:`; function bodies are not, since nothing there runs at import time.
import type { SyntaxNode, Tree } from '@lezer/common';
import { parser } from '@lezer/python';
import { ExpressionReader } from './expressions';
import type { Expr } from './model';

export interface Assignment {
  /** The target as written: `label`, `MIGRATION_MODULES`, `MIGRATION_MODULES["shop"]`. */
  target: string;
  /** `=`, `+=`, or `call` for a statement like `MIGRATION_MODULES.update({...})` (target is then the receiver). */
  operator: '=' | '+=' | 'call';
  value: Expr;
}

export interface ClassStatement {
  name: string;
  bases: Expr[];
  assignments: Assignment[];
}

/** Files larger than this are not read: apps.py and settings modules are small, and reading must stay cheap. */
const MAX_SOURCE_LENGTH = 2_000_000;

export interface PythonModuleFacts {
  assignments: Assignment[];
  classes: ClassStatement[];
}

/** Module-level assignments and classes (with their own assignments) of a Python source text. */
export function readModuleFacts(text: string, tree?: Tree): PythonModuleFacts {
  const facts: PythonModuleFacts = { assignments: [], classes: [] };
  if (text.length > MAX_SOURCE_LENGTH || text.includes('\u0000')) return facts;
  const reader = new ExpressionReader(text, (dotted) => dotted);
  const top = (tree ?? parser.parse(text)).topNode;
  visitBlock(top, text, reader, facts.assignments, facts.classes, 0);
  return facts;
}

const MAX_NESTING = 16;

function visitBlock(block: SyntaxNode, text: string, reader: ExpressionReader, assignments: Assignment[], classes: ClassStatement[] | undefined, depth: number): void {
  if (depth > MAX_NESTING) return;
  for (let statement = block.firstChild; statement; statement = statement.nextSibling) {
    switch (statement.name) {
      case 'AssignStatement':
      case 'UpdateStatement':
        readAssignment(statement, text, reader, assignments);
        break;
      case 'ExpressionStatement':
        readCallStatement(statement, reader, assignments);
        break;
      case 'ClassDefinition':
        if (classes) classes.push(readClass(statement, text, reader, depth));
        break;
      case 'DecoratedStatement':
        visitBlock(statement, text, reader, assignments, classes, depth + 1);
        break;
      case 'StatementGroup':
      case 'Body':
        visitBlock(statement, text, reader, assignments, classes, depth + 1);
        break;
      case 'IfStatement':
      case 'TryStatement':
      case 'WithStatement':
        for (let part = statement.firstChild; part; part = part.nextSibling) {
          if (part.name === 'Body') visitBlock(part, text, reader, assignments, classes, depth + 1);
        }
        break;
    }
  }
}

function readAssignment(statement: SyntaxNode, text: string, reader: ExpressionReader, out: Assignment[]): void {
  const target = statement.firstChild;
  const operatorNode = target?.nextSibling;
  if (!target || !operatorNode) return;
  const operatorText = text.slice(operatorNode.from, operatorNode.to);
  if (operatorText !== '=' && operatorText !== '+=') return;
  let value = statement.lastChild;
  while (value && (value.name === 'Comment' || value.type.isError)) value = value.prevSibling;
  if (!value || value === operatorNode || value === target) return;
  out.push({ target: text.slice(target.from, target.to).replace(/\s+/g, ''), operator: operatorText, value: reader.read(value) });
}

/** `NAME.update({...})` / `NAME.extend([...])` / `NAME.append("x")`: recorded as a `call` on NAME. */
function readCallStatement(statement: SyntaxNode, reader: ExpressionReader, out: Assignment[]): void {
  const expression = statement.firstChild;
  if (!expression || expression.name !== 'CallExpression') return;
  const value = reader.read(expression);
  if (value.kind !== 'call' || value.callee.kind !== 'name') return;
  const dotted = value.callee.dotted;
  const dot = dotted.lastIndexOf('.');
  if (dot <= 0) return;
  out.push({ target: dotted.slice(0, dot), operator: 'call', value });
}

function readClass(definition: SyntaxNode, text: string, reader: ExpressionReader, depth: number): ClassStatement {
  let name = '';
  let bases: Expr[] = [];
  const assignments: Assignment[] = [];
  for (let part = definition.firstChild; part; part = part.nextSibling) {
    if (part.name === 'VariableName' && !name) name = text.slice(part.from, part.to);
    else if (part.name === 'ArgList') bases = reader.readArguments(part).args;
    else if (part.name === 'Body') visitBlock(part, text, reader, assignments, undefined, depth + 1);
  }
  return { name, bases, assignments };
}
