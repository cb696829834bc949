// A rule's explanation for SARIF's help (Markdown and plain text) and the terminal (`explain`), from the one renderer
// (engine/explanation.ts): the same sections and headings as the hover and the rule pages.
import pc from 'picocolors';
import { ruleDocsUrl } from '../docsUrl';
import { fence, sectionsMarkdown, sectionsText, vendorsLabel } from '../explanation';
import type { RuleMeta } from '../types';

export function ruleHelpMarkdown(rule: RuleMeta): string {
  return [`**${rule.title}** (\`${rule.id}\`, ${rule.severity}, ${vendorsLabel(rule)})`, rule.explanation.summary, sectionsMarkdown(rule, { headings: 'bold' }), `[Documentation](${ruleDocsUrl(rule.id)})`].join('\n\n');
}

/** Markdown-free plain text of an explanation (SARIF's `help.text`). */
export function ruleHelpPlain(rule: RuleMeta): string {
  return ruleHelpText(rule, false);
}

/** Everything about a rule for a terminal: `migration-guard explain RULE`. */
export function ruleHelpText(rule: RuleMeta, color: boolean): string {
  const c = pc.createColors(color);
  const severityColor = rule.severity === 'error' ? c.red : rule.severity === 'warning' ? c.yellow : c.blue;
  const lines = [
    `${c.bold(rule.id)}: ${rule.title}`,
    `${severityColor(rule.severity)} · ${vendorsLabel(rule)} · ${rule.category}`,
    '',
    rule.explanation.summary.trim(),
    '',
    sectionsText(rule, { heading: c.bold, code: c.cyan }),
    '',
    `Docs: ${ruleDocsUrl(rule.id)}`,
  ];
  return `${lines.join('\n')}\n`;
}

export { fence };
