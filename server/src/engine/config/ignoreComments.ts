// Inline suppressions: `# migration-guard: ignore rule-a, rule-b -- reason` on an operation's first line or on its
// own line directly above it, and `# migration-guard: ignore-file rule-a ...` anywhere for the whole file.
// Which ignores were used is tracked so stale ones can be reported (`unused-ignore`).
import type { Comment, MigrationModel, Span } from '../python/model';

const MARKER = 'migration-guard:';

/** An ignore comment as parseIgnoreComment reads it back: `# migration-guard: ignore a, b` (or `ignore-file`). */
export function formatIgnoreComment(scope: 'line' | 'file', ruleIds: readonly string[]): string {
  return `# ${MARKER} ${scope === 'file' ? 'ignore-file' : 'ignore'} ${ruleIds.join(', ')}`;
}

export interface IgnoreDirective {
  scope: 'line' | 'file';
  ruleIds: string[];
  reason?: string;
  comment: Comment;
  /** For line directives: the 0-based line whose findings it suppresses. */
  targetLine: number;
}

/** Reads one comment as a directive; undefined when it is not a migration-guard comment. */
export function parseIgnoreComment(comment: Comment): IgnoreDirective | undefined {
  const body = comment.text.trim();
  if (!body.startsWith(MARKER)) return undefined;
  const afterMarker = body.slice(MARKER.length).trimStart();
  const keyword = firstWord(afterMarker);
  if (keyword !== 'ignore' && keyword !== 'ignore-file') return undefined;
  let rest = afterMarker.slice(keyword.length);
  // `ignore-files` or `ignorex` are not directives; the keyword must end at a space (or the comment end).
  if (rest.length > 0 && !isSpace(rest.charCodeAt(0))) return undefined;
  let reason: string | undefined;
  const reasonStart = rest.indexOf('--');
  if (reasonStart >= 0) {
    reason = rest.slice(reasonStart + 2).trim() || undefined;
    rest = rest.slice(0, reasonStart);
  }
  const ruleIds = splitRuleIds(rest);
  const directive: IgnoreDirective = {
    scope: keyword === 'ignore-file' ? 'file' : 'line',
    ruleIds: [...new Set(ruleIds)],
    comment,
    targetLine: comment.line,
  };
  if (reason !== undefined) directive.reason = reason;
  return directive;
}

/**
 * Every directive of a file, with line targets resolved: a trailing comment targets its own line; a comment on its
 * own line targets the first line after the block of comment-only lines it belongs to (so a directive can sit
 * among other comments directly above the operation), and a blank line in between breaks the link.
 */
export function collectIgnoreDirectives(model: MigrationModel): IgnoreDirective[] {
  const ownLineComments = new Set<number>();
  for (const comment of model.comments) if (comment.ownLine) ownLineComments.add(comment.line);
  const directives: IgnoreDirective[] = [];
  for (const comment of model.comments) {
    const directive = parseIgnoreComment(comment);
    if (!directive) continue;
    if (directive.scope === 'line' && comment.ownLine) {
      let target = comment.line + 1;
      while (ownLineComments.has(target)) target++;
      directive.targetLine = target;
    }
    directives.push(directive);
  }
  return directives;
}

/** A finding as the ignore machinery sees it: its rule and the line an ignore comment must target. */
export interface Suppressible {
  rule: string;
  /** First line of the finding's operation, or of the finding itself when it has no operation. */
  anchorLine: number;
}

export interface UnusedIgnore {
  directive: IgnoreDirective;
  /** The rule id that suppressed nothing; undefined when the directive names no rule at all. */
  ruleId?: string;
  problem: 'unused' | 'unknown-rule' | 'no-rule';
}

export interface SuppressionResult<T extends Suppressible> {
  kept: T[];
  unused: UnusedIgnore[];
}

/**
 * Drops the findings the directives suppress and lists the directive entries that suppressed nothing.
 * `knownRuleIds` are the ids that exist; `evaluatedRuleIds` are those that actually ran on this file: an ignore for a
 * rule that did not run (deselected, other database, failed) cannot be judged, so it is never called unused.
 */
export function applyIgnoreDirectives<T extends Suppressible>(
  findings: readonly T[],
  directives: readonly IgnoreDirective[],
  knownRuleIds: ReadonlySet<string>,
  evaluatedRuleIds: ReadonlySet<string>,
): SuppressionResult<T> {
  const used = new Set<string>();
  const usageKey = (index: number, ruleId: string) => `${index}\u0000${ruleId}`;
  const fileDirectives = directives.map((directive, index) => ({ directive, index })).filter(({ directive }) => directive.scope === 'file');
  const lineDirectivesByLine = new Map<number, { directive: IgnoreDirective; index: number }[]>();
  directives.forEach((directive, index) => {
    if (directive.scope !== 'line') return;
    const list = lineDirectivesByLine.get(directive.targetLine);
    if (list) list.push({ directive, index });
    else lineDirectivesByLine.set(directive.targetLine, [{ directive, index }]);
  });

  const kept: T[] = [];
  for (const finding of findings) {
    let suppressed = false;
    for (const { directive, index } of [...(lineDirectivesByLine.get(finding.anchorLine) ?? []), ...fileDirectives]) {
      if (!directive.ruleIds.includes(finding.rule)) continue;
      used.add(usageKey(index, finding.rule));
      suppressed = true;
    }
    if (!suppressed) kept.push(finding);
  }

  const unused: UnusedIgnore[] = [];
  directives.forEach((directive, index) => {
    if (directive.ruleIds.length === 0) {
      unused.push({ directive, problem: 'no-rule' });
      return;
    }
    for (const ruleId of directive.ruleIds) {
      if (!knownRuleIds.has(ruleId)) unused.push({ directive, ruleId, problem: 'unknown-rule' });
      else if (evaluatedRuleIds.has(ruleId) && !used.has(usageKey(index, ruleId))) unused.push({ directive, ruleId, problem: 'unused' });
    }
  });
  return { kept, unused };
}

/** The id of the findings the suppression stage reports for ignore comments that suppressed nothing. */
export const UNUSED_IGNORE_RULE_ID = 'unused-ignore';

/** Where and how an ignore entry that suppressed nothing is reported (the `unused-ignore` finding). */
export function describeUnusedIgnore({ directive, ruleId, problem }: UnusedIgnore): { span: Span; message: string } {
  const form = directive.scope === 'file' ? 'ignore-file' : 'ignore';
  let message: string;
  if (problem === 'no-rule') {
    message = `\`# migration-guard: ${form}\` names no rule id, so it suppresses nothing: list the rule ids to ignore.`;
  } else if (problem === 'unknown-rule') {
    message = `Unknown rule id \`${ruleId}\` in \`# migration-guard: ${form}\`: it suppresses nothing (check the spelling with \`migration-guard rules\`).`;
  } else if (directive.scope === 'file') {
    message = `Unused \`# migration-guard: ignore-file ${ruleId}\`: no \`${ruleId}\` finding in this file to suppress.`;
  } else {
    message = `Unused \`# migration-guard: ignore ${ruleId}\`: no \`${ruleId}\` finding on the operation it applies to (line ${directive.targetLine + 1}).`;
  }
  return { span: directive.comment.span, message };
}

/** Rule ids separated by commas and/or blanks. */
function splitRuleIds(text: string): string[] {
  const ids: string[] = [];
  let current = '';
  for (const char of text) {
    if (char === ',' || char === ' ' || char === '\t') {
      if (current) ids.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  if (current) ids.push(current);
  return ids;
}

function firstWord(text: string): string {
  let end = 0;
  while (end < text.length && !isSpace(text.charCodeAt(end))) end++;
  return text.slice(0, end);
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9;
}
