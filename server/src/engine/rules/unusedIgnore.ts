// unused-ignore: a `# migration-guard: ignore ...` comment that suppresses nothing (stale, misplaced, or naming a rule
// id that does not exist). Only the pipeline knows which findings an ignore comment suppressed, so analyze.ts calls
// `reportUnusedIgnores` after every other rule ran and the comments were applied; `check` has nothing to do per file.
import type { UnusedIgnore } from '../config/ignoreComments';
import type { FileRule, RawFinding } from './rule';

export const unusedIgnore: FileRule & {
  /** Turns the ignore entries that suppressed nothing into findings on their comments. */
  reportUnusedIgnores(unused: readonly UnusedIgnore[]): RawFinding[];
} = {
  id: 'unused-ignore',
  title: 'Ignore comment suppresses nothing',
  severity: 'info',
  vendors: 'all',
  category: 'hygiene',
  scope: 'file',
  explanation: {
    summary:
      'An inline `# migration-guard: ignore <rule-id>` (or `ignore-file`) comment did not suppress any finding. ' +
      'Stale ignores pile up after code moves and then silently hide the next real problem on that line; an unknown rule id is usually a typo.',
    sql: 'None: this is about the comment, not the migration.',
    lock: '',
    blocks: 'Nothing at run time.',
    rewrite: 'No.',
    safeAlternative:
      'Delete the comment, fix the rule id, or move it onto the operation\'s first line (trailing) or onto its own line directly above the operation.',
    safeCode:
      'operations = [\n' +
      '    # migration-guard: ignore remove-field -- column unused since release 41\n' +
      '    migrations.RemoveField(model_name="order", name="legacy_code"),\n' +
      ']\n',
    safeCodeLanguage: 'python',
  },
  check() {
    // Reported by the pipeline (analyze.ts) through reportUnusedIgnores: a single file's rules cannot see suppressions.
  },
  reportUnusedIgnores(unused) {
    return unused.map(({ directive, ruleId, problem }) => {
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
    });
  },
};
