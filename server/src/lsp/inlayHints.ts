// Inlay hints: after each operation's first line, what it does to the database on the project's vendor, e.g.
// `ACCESS EXCLUSIVE shop_product · rewrite`, `SHARE shop_order · index build`, `catalog only`, from the same
// generated SQL and lock table as the hover (engine/django/sql). Operations whose SQL is unknown get no hint.
import { InlayHintKind, type InlayHint, type Range } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { operationLabel } from '../engine/django/sql/statementEffects';
import type { DocumentAnalysis } from './analysisService';

/** At most this many hints per request (a generated file with thousands of operations stays cheap to render). */
const MAX_HINTS = 2000;

export function computeInlayHints(analysis: DocumentAnalysis, document: TextDocument, range: Range): InlayHint[] {
  if (analysis.excluded || analysis.notice !== undefined || !analysis.model) return [];
  const migration = analysis.entry.project.migrationSql(analysis.path, analysis.config);
  if (!migration) return [];
  const first = document.offsetAt(range.start);
  const last = document.offsetAt(range.end);
  const text = document.getText();
  const hints: InlayHint[] = [];
  for (const operation of migration.operations) {
    if (hints.length >= MAX_HINTS) break;
    const span = operation.operation.span;
    if (span.end < first || span.start > last) continue;
    const label = operationLabel(operation, analysis.database, analysis.config.postgresVersion);
    if (!label) continue;
    // End of the operation's first line (before a trailing comment is fine: hints render after the text).
    const lineEnd = text.indexOf('\n', span.start);
    const offset = lineEnd < 0 || lineEnd > span.end ? span.end : lineEnd > 0 && text[lineEnd - 1] === '\r' ? lineEnd - 1 : lineEnd;
    hints.push({ position: document.positionAt(offset), label: label, kind: InlayHintKind.Type, paddingLeft: true });
  }
  return hints;
}
