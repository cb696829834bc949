// One place for the rule documentation links, so diagnostics, SARIF and hovers all point at the same page.
const RULES_DOC = 'https://github.com/migration-guard/django-migration-guard/blob/main/docs/rules.md';

/** The link to a rule's section in docs/rules.md (GitHub's heading anchor is the rule id itself). */
export function ruleDocsUrl(ruleId: string): string {
  return `${RULES_DOC}#${ruleId}`;
}
