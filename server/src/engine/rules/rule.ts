// The contract every rule file fulfils. One rule = one file: metadata, explanation, detection and quick-fix data
// live together, and every surface (diagnostic, hover, CLI `explain`, README table, review card) reads them from here.
import type { DeployPhaseDecision } from '../django/deployPhase';
import type { MigrationModel, Operation, Span } from '../python/model';
import type { MigrationGraph } from '../state/graph';
import type { StateView, GraphNode } from '../state/types';
import type { Database, ResolvedConfig } from '../config/types';
import type { OperationSql } from '../django/sql/migrationSql';
import type { StatementWithEffect } from '../django/sql/statementEffects';

import type { Finding as FindingWithFixes, RuleMeta } from '../types';
import type { DeclaredFix } from '../fixes/types';

// The vocabulary every layer shares lives in engine/types.ts; rules keep importing it from here.
export type { Database } from '../config/types';
export type { Span } from '../python/model';
export type { OperationKind, OperationKinds, RuleCategory, RuleExplanation, RuleMeta, Severity } from '../types';

/** A quick fix as the rule declares it (engine/fixes/): title, whether fix-all may apply it, edit intents. */
export type { DeclaredFix } from '../fixes/types';

export interface RawFinding {
  /** The precise range: the operation, or the offending keyword argument. */
  span: Span;
  /** One line that names the table/field and says what happens (no advice: that goes in `advice`). */
  message: string;
  /**
   * What to do instead, when it fits in a clause and is true for this exact operation (lower-case start, no final
   * period): the message reads `<message>; <advice>` in the CLI, and the editor's Problems list puts it first.
   */
  advice?: string;
  /** The operation the finding is about (used for ignore comments on the operation's first line). */
  operation?: Operation;
  /** The fixes the rule declares, built from the primitives in engine/fixes/; the first is the preferred one. */
  fixes?: DeclaredFix[];
}

/** A finding with its declared quick fixes, as the analysis returns it. */
export interface Finding extends FindingWithFixes<DeclaredFix> {}

/** Everything a per-file rule may look at. */
export interface FileContext {
  file: MigrationModel;
  config: ResolvedConfig;
  /** The effective database for this file. */
  database: Database;
  /** State right before the given top-level-or-nested operation. */
  stateBefore(op: Operation): StateView;
  /** True when the operation runs against the database (not inside state_operations only). */
  touchesDatabase(op: Operation): boolean;
  /** Report a finding. */
  report(finding: RawFinding): void;
  /** Where this migration stands in the project's history and deploy. */
  standing: MigrationStanding;
  /** What is known about one operation of this file, computed once per analysis and shared by every rule and the hover. */
  facts(op: Operation): OperationFacts;
}

/**
 * The facts about one operation that several rules (and the hover) need. Every property is computed on first read and
 * kept for the rest of the analysis, so reading one costs nothing more however many rules do; treat them as read-only.
 */
export interface OperationFacts {
  readonly op: Operation;
  /** The replayed state right before the operation. */
  readonly stateBefore: StateView;
  /** False when the operation sits in `state_operations`: it changes Django's state only. */
  readonly touchesDatabase: boolean;
  /** Lower-cased model name the operation targets (`model_name`, or `name` of model-level operations). */
  readonly modelKey: string | undefined;
  /** The field it names (`name`; `old_name` of RenameField). */
  readonly fieldName: string | undefined;
  /** How messages name the target model and its table, read from the state before the operation. */
  readonly model: ModelNames | undefined;
  /** It runs SQL against a table that already holds rows (not state-only, not created earlier in this migration, managed). */
  readonly changesExistingTable: boolean;
  /** The statements Django would run for it (a nested operation answers with its SeparateDatabaseAndState's), each with its locks. */
  readonly sql: OperationSqlFacts | undefined;
  /**
   * The statements generated from this migration alone: Django's statements and locks, but placeholder names for the
   * constraints dropped (introspection without the history). For rules: it costs this migration only.
   */
  readonly lockSql: OperationSqlFacts | undefined;
  /** A further fact about this operation, computed once by `compute` and kept under `key` (see perOperationFact). */
  derived<T>(key: object, compute: () => T): T;
}

export interface OperationSqlFacts {
  generated: OperationSql;
  /** Each statement split and annotated from the one lock table (sql/locks.ts); effects are PostgreSQL's. */
  statements: readonly StatementWithEffect[];
}

/** How messages name a model and its table: `shop.Order` and `shop_order` (or its explicit `db_table`). */
export interface ModelNames {
  app: string;
  /** Lower-cased model name, as Django keys it. */
  key: string;
  /** `app.ModelName`, with the model's name as written in its CreateModel when the state knows it. */
  label: string;
  table: string;
  /** True when `table` comes from an explicit `db_table` option. */
  explicitTable: boolean;
}

export interface MigrationStanding {
  /** Whether it runs before or after the new code is deployed, and how that was decided. */
  phase: DeployPhaseDecision;
  /** True when another migration depends on it (or it runs before one): no longer the newest of its line. */
  hasDependents: boolean;
}

/** Workspace-wide context for graph rules. */
export interface GraphContext {
  config: ResolvedConfig;
  /**
   * The files to check and report on: every migration of the workspace, or, when a rule with `dependsOn: 'app'` is
   * re-checked after an edit, only the files of the apps that changed.
   */
  files: MigrationModel[];
  /** The whole migration graph's nodes, always every app. */
  nodes: GraphNode[];
  /** The one migration graph (state/graph.ts) those nodes come from: squash redirections, per-app order. */
  graph: MigrationGraph;
  /**
   * Plain data (strings, numbers, arrays, objects) extracted from every migration of the workspace, for an
   * `app` rule whose findings also depend on other apps' files (e.g. index DDL in any app's RunSQL). `extract` runs
   * once per file version and is named by `key`; when its result for an edited file changes (compared as JSON),
   * every app is re-checked. Results come in file order, concatenated.
   */
  workspaceFacts<T>(key: string, extract: (file: MigrationModel) => T[]): T[];
  /** Report a finding on a file (by path). */
  report(path: string, finding: RawFinding): void;
  /** True when another migration depends on this one (or it runs before one): see MigrationStanding. */
  hasDependents(file: MigrationModel): boolean;
}

/**
 * A rule over one migration file. Most rules are predicates over single operations: they declare `operations` and
 * implement `checkOperation`, and the analysis walks the file's operations once, calling each rule only for the kinds
 * it declared. A rule that needs the whole file (the order of operations, the migration's atomicity as a whole)
 * implements `check`, reading per-operation facts through `ctx.facts`. A rule may have both.
 */
export interface FileRule extends RuleMeta {
  scope: 'file';
  /** Called once per file, before the operations are dispatched. */
  check?(ctx: FileContext): void;
  /** Called for each operation (nested ones included, in source order) whose kind `operations` names. */
  checkOperation?(ctx: FileContext, op: Operation): void;
}

/**
 * What a graph rule's findings depend on. The language server re-runs a graph rule after an edit only when its
 * inputs changed, so say the narrowest that is true (a wrong answer leaves stale findings on screen):
 * - `'workspace'` (the default): anything in any file; the rule re-runs after every edit.
 * - `'graph'`: only the migration graph: each file's path, app and name, whether it parsed cleanly, and its
 *   Migration class header (the class name's span; `dependencies`, `replaces` and `run_before` with their spans and
 *   text), plus `ctx.nodes`. Re-runs only when one of those changes anywhere (not for edits inside `operations`).
 * - `'app'`: what the rule reports on a file of app X depends only on `ctx.nodes`, the contents of app X's files and
 *   `ctx.workspaceFacts`. After an edit the rule is re-checked for the edited file's app alone, with `ctx.files`
 *   holding that app's files; it runs over every app again when the graph or a workspace fact changes. Report only
 *   on files in `ctx.files`.
 */
export type GraphRuleInputs = 'workspace' | 'graph' | 'app';

export interface GraphRule extends RuleMeta {
  scope: 'graph';
  dependsOn?: GraphRuleInputs;
  check(ctx: GraphContext): void;
}

export type Rule = FileRule | GraphRule;
