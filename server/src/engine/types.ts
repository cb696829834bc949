// Types shared by every layer of the engine (config, rules, formats, front doors), kept here so that nothing outside
// rules/ needs rules/ for a type: the severity scale, what every finding carries, and a rule's metadata (what hovers,
// docs, formats and the review deck read). rules/rule.ts re-exports them for rule files.
import type { Database } from './config/types';
import type { Operation, Span } from './python/model';

export type { Database } from './config/types';
export type { Span } from './python/model';

export type Severity = 'error' | 'warning' | 'info';

/** A finding as the layers below the rules see it (the rules' Finding adds its quick-fix data). */
export interface FindingCore {
  rule: string;
  severity: Severity;
  /** The whole message: what happens, then `; ` and the advice when the rule gives one. */
  message: string;
  /** What to do instead, as the message's last clause also says (the editor's Problems list leads with it). */
  advice?: string;
  /** Normalised path of the file. */
  file: string;
  span: Span;
  /** Span of the operation the finding belongs to, when any (hover and ignore-comment placement). */
  operationSpan?: Span;
}

/**
 * A finding as the analysis returns it: positions resolved, quick-fix data attached. The fix type is the rules'
 * (rules/rule.ts DeclaredFix); layers that only pass fixes along see them as opaque.
 */
export interface Finding<Fix = unknown> extends FindingCore {
  rule: string;
  severity: Severity;
  message: string;
  /** Normalised path of the file. */
  file: string;
  span: Span;
  /** 0-based line/character (UTF-16) positions of span. */
  start: { line: number; character: number };
  end: { line: number; character: number };
  fixes: Fix[];
  /** Span of the operation the finding belongs to, when any (hover and ignore-comment placement). */
  operationSpan?: Span;
}

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

/** An operation's class, as a rule's `operations` predicate sees it. */
export type OperationKind = Pick<Operation, 'name' | 'qualifiedName'>;

/**
 * The operations a rule inspects: class names (`['AddField', 'AlterField']`), or a predicate for names a list cannot
 * hold (third-party operations, qualified names). The analysis dispatches only these to `checkOperation`, and the
 * hover lists the rule as related to them.
 */
export type OperationKinds = readonly string[] | ((kind: OperationKind) => boolean);

/** Rule metadata without detection code: what hovers, docs, formats and the review deck need. */
export interface RuleMeta {
  id: string;
  title: string;
  severity: Severity;
  /** Databases the rule runs on; 'all' for every vendor. */
  vendors: Database[] | 'all';
  category: RuleCategory;
  explanation: RuleExplanation;
  /** The operation kinds the rule inspects (what `checkOperation` receives; for graph rules, what the hover relates them to). */
  operations?: OperationKinds;
}
