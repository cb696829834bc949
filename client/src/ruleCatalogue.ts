// The rule catalogue as the client knows it: metadata only (ids, titles, severities, explanations), generated from
// the rules by `npm run docs` into generated/rules.json (a test fails when it drifts), so the client bundle carries
// no rule code. The language server keeps the rules themselves.
import rules from './generated/rules.json';
import type { RuleMeta } from '../../server/src/engine/types';

export const RULE_CATALOGUE: readonly RuleMeta[] = rules as unknown as RuleMeta[];

const BY_ID = new Map(RULE_CATALOGUE.map((rule) => [rule.id, rule]));

export function catalogueRule(id: string): RuleMeta | undefined {
  return BY_ID.get(id);
}
