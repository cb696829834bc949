// A rule's explanation rendered for people: Markdown (SARIF help, docs) and terminal text (`explain`).
import pc from 'picocolors';
import { ruleDocsUrl } from '../docsUrl';
import type { RuleMeta } from '../rules/rule';

function vendorsLabel(rule: RuleMeta): string {
  return rule.vendors === 'all' ? 'all databases' : rule.vendors.join(', ');
}

/** Sections of an explanation that have content, in reading order. */
function sections(rule: RuleMeta): [string, string][] {
  const e = rule.explanation;
  const list: [string, string][] = [
    ['What it does in SQL', e.sql],
    ['Lock', e.lock],
    ['What it blocks', e.blocks],
    ['Rewrite or scan', e.rewrite],
    ['Safe alternative', e.safeAlternative],
  ];
  return list.filter(([, body]) => body.trim() !== '');
}

export function ruleHelpMarkdown(rule: RuleMeta): string {
  const e = rule.explanation;
  const parts = [`**${rule.title}** (\`${rule.id}\`, ${rule.severity}, ${vendorsLabel(rule)})`, e.summary];
  for (const [heading, body] of sections(rule)) parts.push(`**${heading}:** ${body}`);
  if (e.safeCode.trim() !== '') parts.push(`\`\`\`${e.safeCodeLanguage ?? 'python'}\n${e.safeCode.trimEnd()}\n\`\`\``);
  parts.push(`[Documentation](${ruleDocsUrl(rule.id)})`);
  return parts.join('\n\n');
}

/** Markdown-free plain text of an explanation (SARIF's `help.text`). */
export function ruleHelpPlain(rule: RuleMeta): string {
  return ruleHelpText(rule, false);
}

function indent(text: string, prefix: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => (line === '' ? '' : prefix + line))
    .join('\n');
}

/** Everything about a rule for a terminal: `migration-guard explain RULE`. */
export function ruleHelpText(rule: RuleMeta, color: boolean): string {
  const c = pc.createColors(color);
  const severityColor = rule.severity === 'error' ? c.red : rule.severity === 'warning' ? c.yellow : c.blue;
  const e = rule.explanation;
  const lines = [
    `${c.bold(rule.id)}: ${rule.title}`,
    `${severityColor(rule.severity)} · ${vendorsLabel(rule)} · ${rule.category}`,
    '',
    e.summary.trim(),
  ];
  for (const [heading, body] of sections(rule)) lines.push('', c.bold(heading), indent(body, '  '));
  if (e.safeCode.trim() !== '') lines.push('', c.bold(`Safe alternative (${e.safeCodeLanguage ?? 'python'})`), c.cyan(indent(e.safeCode, '    ')));
  lines.push('', `Docs: ${ruleDocsUrl(rule.id)}`);
  return `${lines.join('\n')}\n`;
}
