// Identifiers the language server and the VS Code client must agree on. No imports, so the client bundle can
// use it without pulling in the server: a rename here changes both sides at once.

/** `source` of every diagnostic the server publishes. */
export const DIAGNOSTIC_SOURCE = 'migration-guard';

/** Client command that opens a rule's review card; hover links call it with `[ruleId]`. */
export const REVIEW_RULE_COMMAND = 'migrationGuard.reviewRule';

/** Client command that shows a rule's documentation; the "Show documentation" code action calls it with the rule id. */
export const SHOW_RULE_DOCS_COMMAND = 'migrationGuard.showRuleDocs';

/** Custom request of the field history command: `{ textDocument, position }` -> HistoryResponse, or null. */
export const HISTORY_REQUEST = 'migrationGuard/history';

export interface HistoryResponse {
  /** `shop.Order.code`: what the history is of. */
  subject: string;
  /** Every operation that created, altered, renamed or removed it, in migration order. */
  markdown: string;
}

/** Client command that shows the history of the field or model under the cursor. */
export const SHOW_HISTORY_COMMAND = 'migrationGuard.showFieldHistory';
