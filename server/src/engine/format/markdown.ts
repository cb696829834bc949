// Markdown for pull-request comments and CI job summaries ($GITHUB_STEP_SUMMARY, GitLab notes): a verdict line, a
// table of findings linking the rule docs, and the explanations collapsed in <details>. Everything that comes from
// the checked files (paths, messages) is escaped, so a migration cannot inject markup, links or @-mentions.
import { ruleDocsUrl } from '../docsUrl';
import { failsAt, reportFails, type FailOn } from '../failOn';
import type { RuleMeta, Severity } from '../types';
import { countBySeverity, oneBased, sortErrors, sortFindings, type Report, type ReportContext } from './report';

/** Rows beyond this are summarised: a GitHub comment holds 65,536 characters. */
const MAX_ROWS = 100;

const ICON: Record<Severity, string> = { error: '🔴', warning: '🟠', info: '🔵' };

/**
 * Escapes text for Markdown inline content and table cells: HTML-significant characters become entities, every
 * other ASCII punctuation character that Markdown gives a meaning is backslash-escaped, line breaks become spaces,
 * and `@` and `#` get a zero-width space so that no user, team or issue is referenced.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_{}[\]()!|~+=-]/g, (char) => `\\${char}`)
    .replace(/^(\s*)(\d+)\./, '$1$2\\.')
    .replace(/@/g, '@&#8203;')
    .replace(/#/g, '#&#8203;')
    .replace(/:\/\//g, ':&#8203;//');
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

function verdict(report: Report, failOn: FailOn): string {
  const counts = countBySeverity(report.findings);
  const parts = [plural(counts.error, 'error'), plural(counts.warning, 'warning'), `${counts.info} info`];
  const summary = `${parts.join(', ')} in ${plural(report.fileCount, 'migration file')}`;
  if (report.findings.length === 0 && report.errors.length === 0) return `### ✅ Django Migration Guard: no findings\n\n${summary} checked.`;
  const failed = reportFails(report, failOn);
  const head = failed ? '### ❌ Django Migration Guard: blocking findings' : '### ⚠️ Django Migration Guard: findings to review';
  const extras: string[] = [];
  if (report.errors.length > 0) extras.push(`${plural(report.errors.length, 'file')} could not be analysed`);
  if (report.baselineSuppressed) extras.push(`${plural(report.baselineSuppressed, 'finding')} accepted by the baseline`);
  const gate = failOn === 'never' ? 'The check does not fail on findings (`--fail-on never`).' : `The check fails on ${failOn === 'error' ? 'errors' : `${failOn} and above`}.`;
  return `${head}\n\n${summary}${extras.length > 0 ? ` (${extras.join('; ')})` : ''}. ${gate}`;
}

function explanationBlock(rule: RuleMeta): string {
  const { explanation } = rule;
  // Our own texts (Markdown by design), not the checked files': not escaped.
  const lines = [`<details><summary><b>${rule.id}</b>: ${escapeMarkdown(rule.title)}</summary>`, '', explanation.summary, ''];
  if (explanation.lock) lines.push(`**Lock:** ${explanation.lock}`, '');
  if (explanation.blocks) lines.push(`**Blocks:** ${explanation.blocks}`, '');
  if (explanation.safeAlternative) lines.push(`**Safe alternative:** ${explanation.safeAlternative}`, '');
  if (explanation.safeCode) lines.push(`\`\`\`${explanation.safeCodeLanguage ?? 'python'}`, explanation.safeCode.trimEnd(), '```', '');
  lines.push(`[Full documentation](${ruleDocsUrl(rule.id)})`, '', '</details>');
  return lines.join('\n');
}

export function formatMarkdown(report: Report, context: ReportContext): string {
  const failOn = context.failOn ?? 'error';
  const out = [verdict(report, failOn)];
  const findings = sortFindings(report.findings);
  if (findings.length > 0) {
    out.push('', '| | Rule | File | Line | Finding |', '|---|---|---|---:|---|');
    for (const finding of findings.slice(0, MAX_ROWS)) {
      const mark = failsAt(finding.severity, failOn) ? ' **(fails)**' : '';
      out.push(
        `| ${ICON[finding.severity]} ${finding.severity}${mark} | [${escapeMarkdown(finding.rule)}](${ruleDocsUrl(encodeURIComponent(finding.rule))}) | ${escapeMarkdown(finding.file)} | ${oneBased(finding).line} | ${escapeMarkdown(finding.message)} |`,
      );
    }
    if (findings.length > MAX_ROWS) out.push('', `…and ${findings.length - MAX_ROWS} more: run \`migration-guard check\` locally for the full list.`);
  }
  const errors = sortErrors(report.errors);
  if (errors.length > 0) {
    out.push('', '**Could not analyse:**', '');
    for (const error of errors) out.push(`- ${escapeMarkdown(error.file)}: ${escapeMarkdown(error.message)}`);
  }
  const ruleIds = [...new Set(findings.map((finding) => finding.rule))].sort();
  const rules = ruleIds.map((id) => context.rules.find((rule) => rule.id === id)).filter((rule): rule is RuleMeta => rule !== undefined);
  if (rules.length > 0) out.push('', '#### Why these matter', '', rules.map(explanationBlock).join('\n\n'));
  out.push('', `<sub>migration-guard ${escapeMarkdown(context.version)}. \`migration-guard explain <rule-id>\` shows a rule in full.</sub>`);
  return `${out.join('\n')}\n`;
}
