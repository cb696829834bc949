// The typed model of one Django migration file, built from the @lezer/python tree by buildMigrationModel.
// Every node keeps exact source offsets so rules, hovers and quick fixes can point at the right text.
import type { Tree } from '@lezer/common';

/** Half-open range of UTF-16 offsets into the file's text. */
export interface Span {
  start: number;
  end: number;
}

/** A Python expression, reduced to what migration rules need. Anything else is `other` with its text. */
export type Expr =
  | StringExpr
  | NumberExpr
  | BoolExpr
  | NoneExpr
  | NameExpr
  | CallExpr
  | SequenceExpr
  | DictExpr
  | BinaryExpr
  | OtherExpr;

interface ExprBase {
  span: Span;
  /** The exact source text of the expression. */
  text: string;
}

export interface StringExpr extends ExprBase {
  kind: 'string';
  /** The decoded value (implicit concatenation of adjacent literals joined). For f-strings: the literal parts only. */
  value: string;
  /** True for f-strings (the value is then not fully known). */
  formatted: boolean;
}

export interface NumberExpr extends ExprBase {
  kind: 'number';
  value: number;
}

export interface BoolExpr extends ExprBase {
  kind: 'bool';
  value: boolean;
}

export interface NoneExpr extends ExprBase {
  kind: 'none';
}

/** A name or dotted attribute chain: `uuid.uuid4`, `migrations.RunPython.noop`, `forwards`. */
export interface NameExpr extends ExprBase {
  kind: 'name';
  /** The dotted name as written. */
  dotted: string;
  /** The dotted name with its first part resolved through the file's imports (`m.AddField` -> `django.db.migrations.AddField`); equals `dotted` when the first part is not imported. */
  qualified: string;
}

export interface CallExpr extends ExprBase {
  kind: 'call';
  /** The callee; for `models.ForeignKey(...)` a NameExpr, for `foo()(...)` or `x[0](...)` an OtherExpr. */
  callee: Expr;
  /** Positional arguments, in order (a `*args` argument appears as an OtherExpr). */
  args: Expr[];
  /** Keyword arguments by name, with the span of `name=value` in `kwargSpans`. `**kwargs` is not included. */
  kwargs: Record<string, Expr>;
  kwargSpans: Record<string, Span>;
  /** True when the call has `*args` or `**kwargs`, so absent arguments are not known to be absent. */
  hasStarArgs: boolean;
  /** Span of the argument list including the parentheses. */
  argListSpan: Span;
}

export interface SequenceExpr extends ExprBase {
  kind: 'list' | 'tuple' | 'set';
  items: Expr[];
}

export interface DictExpr extends ExprBase {
  kind: 'dict';
  entries: { key: Expr; value: Expr }[];
}

/** `a + b`, `a % b`: kept so RunSQL string building can be detected. */
export interface BinaryExpr extends ExprBase {
  kind: 'binary';
  operator: string;
  left: Expr;
  right: Expr;
}

export interface OtherExpr extends ExprBase {
  kind: 'other';
}

/** A migration operation call such as `migrations.AddField(...)`. */
export interface Operation {
  /** The operation class name: `AddField`, `AddIndexConcurrently`, `IgnoreMigration`. */
  name: string;
  /** Fully qualified through imports: `django.db.migrations.AddField`, `django.contrib.postgres.operations.AddIndexConcurrently`. */
  qualifiedName: string;
  call: CallExpr;
  /** Span of the whole call (same as call.span). */
  span: Span;
  /** Span of the callee name, e.g. `migrations.AddField` (hover target). */
  nameSpan: Span;
  /** Where the operation sits: the Migration's top-level `operations` list, or inside a SeparateDatabaseAndState / RunSQL. */
  context: 'operations' | 'database_operations' | 'state_operations';
  /** The enclosing SeparateDatabaseAndState (or RunSQL with state_operations), if nested. */
  parent?: Operation;
  /** Index of the top-level operation this belongs to (itself when top-level). */
  topLevelIndex: number;
  /** Set when the operation is added only under `if connection.vendor == ...`: the vendors that run it. */
  vendors?: readonly string[];
}

/** A dependency entry `("shop", "0001_initial")` or `migrations.swappable_dependency(settings.AUTH_USER_MODEL)`. */
export interface Dependency {
  app: string;
  name: string;
  span: Span;
  /** True for swappable_dependency(...) and other non-literal entries: app/name then hold best guesses or ''. */
  dynamic: boolean;
}

export interface FunctionDef {
  name: string;
  span: Span;
  nameSpan: Span;
  params: string[];
  /** Span of the body block. */
  bodySpan: Span;
}

export interface Comment {
  span: Span;
  /** The text after `#`, untrimmed. */
  text: string;
  /** True when the comment is the only thing on its line. */
  ownLine: boolean;
  /** 0-based line of the comment. */
  line: number;
}

export interface MigrationClass {
  span: Span;
  nameSpan: Span;
  /** `atomic = ...` assignment when present; undefined means Django's default (True). */
  atomic?: { value: boolean | undefined; span: Span };
  initial?: boolean;
  dependencies: Dependency[];
  replaces: Dependency[];
  runBefore: Dependency[];
  /** Span of the `operations = [...]` list, when present. */
  operationsSpan?: Span;
  /** Set when `operations` (or a nested operations list) is built in a way the engine cannot follow statically. */
  unresolvedOperations?: { span: Span; reason: string };
  /**
   * The other simple `name = value` assignments of the class body, by name (the last one wins), for markers other tools
   * define: django-safemigrate's `safe = Safe.after_deploy()`, `is_post_deployment = True`.
   */
  attributes: Map<string, { value: Expr; span: Span }>;
  /** Offset where a new class attribute line can be inserted and the indentation of class attributes. */
  bodyInsertOffset: number;
  bodyIndent: string;
}

export interface Import {
  /** Local name bound in the file (`m` for `from django.db import migrations as m`). */
  local: string;
  /** What it refers to (`django.db.migrations`). */
  qualified: string;
  span: Span;
}

export interface MigrationModel {
  /** Path as given to the engine (normalised to forward slashes). */
  path: string;
  /** App label: the folder that contains `migrations/` (e.g. `shop` for `shop/migrations/0002_x.py`). */
  app: string;
  /** Migration name: file name without `.py`. */
  name: string;
  text: string;
  imports: Import[];
  /** local name -> qualified name */
  importMap: Map<string, string>;
  migrationClass?: MigrationClass;
  /** Top-level operations, in order. */
  operations: Operation[];
  /** Every operation, nested ones included, in source order. */
  allOperations: Operation[];
  /** Module-level (and nested) function definitions by name, for RunPython resolution. */
  functions: Map<string, FunctionDef>;
  comments: Comment[];
  /** Spans of syntax errors found by the tolerant parser (empty for valid code). */
  syntaxErrors: Span[];
  /** The @lezer/python syntax tree, for rules that inspect RunPython function bodies (walk it, never regex the text). */
  tree: Tree;
  /** True when the file contains django-migration-linter's IgnoreMigration() operation. */
  ignoredByMigrationLinter: boolean;
  /** Offsets at which each line starts (see textPositions.ts), computed once per text and shared by every consumer. */
  lineStarts?: readonly number[];
}
