// The contract every rule file fulfils. One rule = one file: metadata, explanation, detection and quick-fix data
// live together, and every surface (diagnostic, hover, CLI `explain`, README table, review card) reads them from here.
import type { DeployPhaseDecision } from '../django/deployPhase';
import type { MigrationModel, Operation, Span } from '../python/model';
import type { StateView, GraphNode } from '../state/types';
import type { Database, ResolvedConfig } from '../config/types';

export type Severity = 'error' | 'warning' | 'info';

export type RuleCategory =
  | 'compatibility' // backward compatibility and data loss
  | 'locking' // locks and table rewrites
  | 'transactions' // transactions and data migrations
  | 'sql' // SQL inside RunSQL
  | 'hygiene' // hygiene and hardening
  | 'graph'; // migration graph (workspace-wide)

/** User-facing explanation, written as data. Markdown is allowed in every string. */
export interface RuleExplanation {
  /** One or two sentences: why this is risky in production. */
  summary: string;
  /** What the operation does in SQL (on PostgreSQL unless said otherwise), e.g. `ALTER TABLE ... ADD COLUMN ... NOT NULL`. */
  sql: string;
  /** The lock taken (PostgreSQL lock name spelled out) and for how long; '' when no lock matters. */
  lock: string;
  /** What that lock blocks, or what breaks (old code's queries, INSERTs, ...). */
  blocks: string;
  /** Whether it rewrites or scans the table. */
  rewrite: string;
  /** The safe alternative in words. */
  safeAlternative: string;
  /** The safe alternative as a Python (or SQL) code example. */
  safeCode: string;
  /** Language of safeCode for code fences. */
  safeCodeLanguage?: 'python' | 'sql';
  /** Look-alikes the rule deliberately stays silent on, each with why (shown in the docs and the README table). */
  notReported?: string[];
}

/** Machine-readable quick-fix data attached to a finding; front doors turn it into edits. */
export type FixData =
  | { kind: 'set-atomic-false' }
  | { kind: 'use-concurrent-index'; operationSpan: Span; nameSpan: Span; replacement: 'AddIndexConcurrently' | 'RemoveIndexConcurrently' }
  | { kind: 'add-reverse-code'; argListSpan: Span }
  | { kind: 'add-reverse-sql'; argListSpan: Span }
  | { kind: 'add-null-true'; fieldCallSpan: Span; argListSpan: Span }
  | { kind: 'state-only-remove-field'; operationSpan: Span }
  | { kind: 'replace-text'; span: Span; newText: string; title: string };

export interface RawFinding {
  /** The precise range: the operation, or the offending keyword argument. */
  span: Span;
  /** One line that names the table/field. */
  message: string;
  /** The operation the finding is about (used for ignore comments on the operation's first line). */
  operation?: Operation;
  fixes?: FixData[];
}

export interface Finding {
  rule: string;
  severity: Severity;
  message: string;
  /** Normalised path of the file. */
  file: string;
  span: Span;
  /** 0-based line/character (UTF-16) positions of span. */
  start: { line: number; character: number };
  end: { line: number; character: number };
  fixes: FixData[];
  /** Span of the operation the finding belongs to, when any (hover and ignore-comment placement). */
  operationSpan?: Span;
}

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
  /** The whole migration graph, always every app. */
  nodes: GraphNode[];
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

interface RuleBase {
  id: string;
  title: string;
  severity: Severity;
  /** Databases the rule runs on; 'all' for every vendor. */
  vendors: Database[] | 'all';
  category: RuleCategory;
  explanation: RuleExplanation;
}

export interface FileRule extends RuleBase {
  scope: 'file';
  check(ctx: FileContext): void;
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

export interface GraphRule extends RuleBase {
  scope: 'graph';
  dependsOn?: GraphRuleInputs;
  check(ctx: GraphContext): void;
}

export type Rule = FileRule | GraphRule;

/** Rule metadata without detection code: what hovers, docs and the review deck need. */
export type RuleMeta = RuleBase;
