// A rule's documentation page, written from the rule's own metadata (the same data the hover, the CLI's `explain`
// and the review cards use), so the page can never drift from the rule. No `vscode` import: unit-tested as is.
import { ruleDocsUrl } from '../../server/src/engine/docsUrl';
import type { RuleMeta } from '../../server/src/engine/rules/rule';

const CATEGORY_NAMES: Record<RuleMeta['category'], string> = {
  compatibility: 'Backward compatibility and data loss',
  locking: 'Locks and table rewrites',
  transactions: 'Transactions and data migrations',
  sql: 'SQL inside RunSQL',
  hygiene: 'Hygiene and hardening',
  graph: 'Migration graph',
};

const VENDOR_NAMES: Record<string, string> = { postgresql: 'PostgreSQL', mysql: 'MySQL', sqlite: 'SQLite' };

export function ruleDocumentMarkdown(rule: RuleMeta): string {
  const explanation = rule.explanation;
  const vendors = rule.vendors === 'all' ? 'all databases' : rule.vendors.map((vendor) => VENDOR_NAMES[vendor] ?? vendor).join(', ');
  const parts: string[] = [
    `# ${rule.title}`,
    '',
    `\`${rule.id}\` · ${rule.severity} · ${CATEGORY_NAMES[rule.category] ?? rule.category} · applies to ${vendors}`,
    '',
    explanation.summary,
  ];
  const section = (heading: string, body: string): void => {
    if (body.trim() !== '') parts.push('', `## ${heading}`, '', body);
  };
  section('What it does in SQL', explanation.sql.includes('\n') ? fence(explanation.sql, 'sql') : explanation.sql);
  section('Lock', explanation.lock);
  section('What it blocks or breaks', explanation.blocks);
  section('Table rewrite or scan', explanation.rewrite);
  section('Safe alternative', explanation.safeAlternative);
  if (explanation.safeCode.trim() !== '') parts.push('', fence(explanation.safeCode, explanation.safeCodeLanguage ?? 'python'));
  parts.push(
    '',
    '## Silencing it',
    '',
    `Add \`# migration-guard: ignore ${rule.id} -- reason\` on the operation's first line (\`ignore-file\` for the whole file), or set \`"migrationGuard.rules": { "${rule.id}": "off" }\`.`,
    '',
    `[Online documentation](${ruleDocsUrl(rule.id)})`,
    '',
  );
  return parts.join('\n');
}

/** A fence longer than any backtick run inside the code, so code containing ``` still renders. */
function fence(code: string, language: string): string {
  const longestRun = Math.max(2, ...[...code.matchAll(/`+/g)].map((match) => match[0].length));
  const ticks = '`'.repeat(longestRun + 1);
  return `${ticks}${language}\n${code.replace(/\n+$/, '')}\n${ticks}`;
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
