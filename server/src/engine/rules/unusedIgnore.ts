// unused-ignore: a `# migration-guard: ignore ...` comment that suppresses nothing (stale, misplaced, or naming a rule
// id that does not exist). Only the suppression stage (engine/suppression.ts) knows which findings an ignore comment
// suppressed, so it reports these after every other rule ran; this file holds the rule's metadata and explanation,
// and no detection code of its own.
import { UNUSED_IGNORE_RULE_ID } from '../config/ignoreComments';
import type { FileRule } from './rule';

export const unusedIgnore: FileRule = {
  id: UNUSED_IGNORE_RULE_ID,
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
};
