// A rule's documentation page, written from the rule's own metadata (the same data the hover, the CLI's `explain`
// and the review cards use), so the page can never drift from the rule. No `vscode` import: unit-tested as is.
import { ruleDocsUrl } from '../../server/src/engine/docsUrl';
import { sectionsMarkdown, vendorsLabel } from '../../server/src/engine/explanation';
import type { RuleMeta } from '../../server/src/engine/types';

const CATEGORY_NAMES: Record<RuleMeta['category'], string> = {
  compatibility: 'Backward compatibility and data loss',
  locking: 'Locks and table rewrites',
  transactions: 'Transactions and data migrations',
  sql: 'SQL inside RunSQL',
  hygiene: 'Hygiene and hardening',
  graph: 'Migration graph',
};

export function ruleDocumentMarkdown(rule: RuleMeta): string {
  return [
    `# ${rule.title}`,
    '',
    `\`${rule.id}\` · ${rule.severity} · ${CATEGORY_NAMES[rule.category] ?? rule.category} · applies to ${vendorsLabel(rule)}`,
    '',
    rule.explanation.summary,
    '',
    sectionsMarkdown(rule, { headings: 'h2' }),
    '',
    '## Silencing it',
    '',
    `Add \`# migration-guard: ignore ${rule.id} -- reason\` on the operation's first line (\`ignore-file\` for the whole file), or set \`"migrationGuard.rules": { "${rule.id}": "off" }\`.`,
    '',
    `[Online documentation](${ruleDocsUrl(rule.id)})`,
    '',
  ].join('\n');
}

/** The rule id in a command argument: a string, `["id"]` from a command link, or an object with `rule`/`ruleId`/`id`. */
export function ruleIdFromArgument(argument: unknown): string | undefined {
  if (typeof argument === 'string') return argument.trim() || undefined;
  if (Array.isArray(argument)) return ruleIdFromArgument(argument[0]);
  if (typeof argument === 'object' && argument !== null) {
    const record = argument as Record<string, unknown>;
    for (const key of ['ruleId', 'rule', 'id', 'code']) {
      const value = record[key];
      if (typeof value === 'string' && value.trim() !== '') return value.trim();
      if (typeof value === 'object' && value !== null && typeof (value as { value?: unknown }).value === 'string') return (value as { value: string }).value;
    }
  }
  return undefined;
}
