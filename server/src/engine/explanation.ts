// A rule's explanation, rendered once for every surface: the same sections under the same headings in the same
// order, in the flavour each surface needs (Markdown for the hover, the rule page and SARIF's help; plain text for
// SARIF's help.text and the terminal's `explain`; docs/rules.md's list). No engine imports: the VS Code client renders
// its rule pages with it from the generated metadata.
import type { Database } from './config/types';
import type { RuleExplanation } from './types';

/** The part of a rule the explanation is written from (RuleMeta, or its copy in client/src/generated/rules.json). */
export interface ExplainedRule {
  id: string;
  title: string;
  severity: string;
  vendors: 'all' | readonly Database[];
  /** RuleExplanation as JSON gives it back: the language and the look-alikes loosely typed. */
  explanation: Omit<RuleExplanation, 'safeCodeLanguage' | 'notReported'> & { safeCodeLanguage?: string; notReported?: readonly string[] };
}

export type SectionId = 'sql' | 'lock' | 'blocks' | 'rewrite' | 'safe-alternative' | 'safe-code' | 'not-reported';

/** The one vocabulary of headings. */
export const SECTION_HEADINGS: Readonly<Record<SectionId, string>> = {
  sql: 'What it does in SQL',
  lock: 'Lock',
  blocks: 'What it blocks',
  rewrite: 'Rewrite or scan',
  'safe-alternative': 'Safe alternative',
  'safe-code': 'Safe code',
  'not-reported': 'Not reported',
};

export const DATABASE_NAMES: Readonly<Record<Database, string>> = { postgresql: 'PostgreSQL', mysql: 'MySQL', sqlite: 'SQLite' };

export interface ExplanationSection {
  id: SectionId;
  heading: string;
  text: string;
  /** Set for code: the language of the fence. */
  code?: string;
}

/** The sections that have content, in reading order (the summary is the lead, not a section). */
export function explanationSections(rule: ExplainedRule): ExplanationSection[] {
  const e = rule.explanation;
  const sql = e.sql.trim();
  // Rules write their SQL example either as statements (a code block) or as prose naming them.
  const sqlIsCode = sql !== '' && !sql.includes('`') && (sql.endsWith(';') || sql.includes('\n'));
  const sections: ExplanationSection[] = [
    { id: 'sql', heading: SECTION_HEADINGS.sql, text: sql, ...(sqlIsCode ? { code: 'sql' } : {}) },
    { id: 'lock', heading: SECTION_HEADINGS.lock, text: e.lock.trim() },
    { id: 'blocks', heading: SECTION_HEADINGS.blocks, text: e.blocks.trim() },
    { id: 'rewrite', heading: SECTION_HEADINGS.rewrite, text: e.rewrite.trim() },
    { id: 'safe-alternative', heading: SECTION_HEADINGS['safe-alternative'], text: e.safeAlternative.trim() },
    { id: 'safe-code', heading: SECTION_HEADINGS['safe-code'], text: e.safeCode.replace(/\s+$/, ''), code: e.safeCodeLanguage ?? 'python' },
    { id: 'not-reported', heading: SECTION_HEADINGS['not-reported'], text: (e.notReported ?? []).join('; ') },
  ];
  return sections.filter((section) => section.text !== '');
}

export function vendorsLabel(rule: Pick<ExplainedRule, 'vendors'>): string {
  return rule.vendors === 'all' ? 'all databases' : rule.vendors.map((vendor) => DATABASE_NAMES[vendor] ?? vendor).join(', ');
}

export interface MarkdownFlavour {
  /** `## Lock` headings (a page), or `**Lock:**` leads (a hover, SARIF's help). */
  headings: 'h2' | 'bold';
  /** Turns a section's text into what follows its heading (docs/rules.md links the lock table). */
  decorate?: (section: ExplanationSection) => string;
}

/** The sections as Markdown (the lead and the title are the surface's own). */
export function sectionsMarkdown(rule: ExplainedRule, flavour: MarkdownFlavour): string {
  return explanationSections(rule)
    .map((section) => {
      const text = flavour.decorate ? flavour.decorate(section) : section.text;
      const body = section.code ? fence(text, section.code) : text;
      if (flavour.headings === 'h2') return `## ${section.heading}\n\n${body}`;
      return section.code ? `**${section.heading}:**\n\n${body}` : `**${section.heading}:** ${body}`;
    })
    .join('\n\n');
}

/** The sections as plain text: headings on their own line, bodies indented (SARIF help.text, the terminal). */
export function sectionsText(rule: ExplainedRule, style: { heading: (text: string) => string; code: (text: string) => string } = PLAIN): string {
  return explanationSections(rule)
    .map((section) => `${style.heading(section.heading)}\n${section.code ? style.code(indent(section.text, '    ')) : indent(section.text, '  ')}`)
    .join('\n\n');
}

const PLAIN = { heading: (text: string) => text, code: (text: string) => text };

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? '' : prefix + line))
    .join('\n');
}

/** A fenced code block whose fence is longer than any backtick run inside the code. */
export function fence(code: string, language: string): string {
  const longestRun = Math.max(2, ...[...code.matchAll(/`+/g)].map((match) => match[0].length));
  const marks = '`'.repeat(longestRun + 1);
  return `${marks}${language}\n${code.replace(/\n+$/, '')}\n${marks}`;
}
