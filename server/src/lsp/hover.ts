// Hovers: on an operation name, short and in reading order: each finding's rule and its safe pattern in one sentence,
// then what the operation does on the effective database (its own SQL, each statement with its lock, what old code
// running during the deploy gets), then links to the full explanation and the flashcard; on a rule id inside a
// `# migration-guard:` comment, that rule's whole explanation.
import { MarkupKind, type Hover, type Range } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { parseIgnoreComment } from '../engine/config/ignoreComments';
import { ruleDocsUrl } from '../engine/docsUrl';
import { effectLabel, oldCodeBreaks } from '../engine/django/sql/statementEffects';
import { describeOperation } from '../engine/operationDocs';
import { DATABASE_NAMES, fence, sectionsMarkdown } from '../engine/explanation';
import type { MigrationModel, Operation, Span } from '../engine/python/model';
import { ruleById } from '../engine/rules/index';
import type { Finding, RuleMeta, Severity } from '../engine/types';
import { fieldColumnName, fieldShape } from '../engine/django/fields';
import { fieldCall, opArg, stringValue, targetFieldName, versionAtLeast } from '../engine/django/operations';
import type { DocumentAnalysis } from './analysisService';
import { REVIEW_RULE_COMMAND } from './clientContract';
import { historyHover } from './historyHover';
import { codeSpanSafe, escapeMarkdown } from './markdownSafe';

/** The most severe finding comes first, and its card is the one the review link opens. */
const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** A rule's metadata by id (the catalogue holds the suppression stage's `unused-ignore` too). */
function ruleMeta(id: string): RuleMeta | undefined {
  return ruleById(id);
}

/** `[Review this in the flashcards](command:migrationGuard.reviewRule?["rule-id"])`, URL-encoded as VS Code expects. */
export function reviewLink(ruleId: string): string {
  return `[Review this in the flashcards](command:${REVIEW_RULE_COMMAND}?${encodeURIComponent(JSON.stringify([ruleId]))})`;
}

export function computeHover(analysis: DocumentAnalysis, document: TextDocument, offset: number): Hover | null {
  const model = analysis.model;
  if (!model) return null;
  return commentHover(model, document, offset) ?? operationHover(analysis, model, document, offset) ?? historyHover(analysis, document, offset);
}

function commentHover(model: MigrationModel, document: TextDocument, offset: number): Hover | null {
  const comment = model.comments.find((candidate) => candidate.span.start <= offset && offset <= candidate.span.end);
  if (!comment || !parseIgnoreComment(comment)) return null;
  const word = wordAt(model.text, offset, comment.span);
  if (!word) return null;
  const rule = ruleMeta(model.text.slice(word.start, word.end));
  if (!rule) return null;
  return { contents: { kind: MarkupKind.Markdown, value: ruleMarkdown(rule) }, range: toRange(document, word) };
}

function operationHover(analysis: DocumentAnalysis, model: MigrationModel, document: TextDocument, offset: number): Hover | null {
  // Nested operations have their own names, so the innermost one under the cursor is the one meant.
  const operation = [...model.allOperations]
    .filter((op) => op.nameSpan.start <= offset && offset <= op.nameSpan.end)
    .sort((a, b) => a.nameSpan.end - a.nameSpan.start - (b.nameSpan.end - b.nameSpan.start))[0];
  if (!operation) return null;
  const names = safeNames(operationNames(analysis, operation));
  const doc = describeOperation(operation.name, {
    database: analysis.database,
    postgresVersion: analysis.config.postgresVersion,
    ...(names.table !== undefined ? { table: names.table } : {}),
    ...(names.column !== undefined ? { column: names.column } : {}),
    ...(names.name !== undefined ? { name: names.name } : {}),
  });
  const flagged = findingsOf(analysis.findings, operation).sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
  if (!doc && flagged.length === 0) return null;

  // Short, in the order a reader needs it: what is wrong and what to do (each finding, the rule's safe pattern in one
  // sentence), then this operation's own SQL with its locks, then links to the full explanation and the card.
  const sections: string[] = [];
  const seen = new Set<string>();
  for (const finding of flagged) {
    if (seen.has(finding.rule)) continue;
    seen.add(finding.rule);
    // The editor shows the diagnostic's own message next to the hover: the rule's title says what kind of risk it is.
    const rule = ruleMeta(finding.rule);
    sections.push(`**${finding.severity} · [\`${finding.rule}\`](${ruleDocsUrl(finding.rule)})**: ${escapeMarkdown(rule?.title ?? finding.message)}`);
    const pattern = rule ? safePatternSentence(rule, analysis.config.djangoVersion) : undefined;
    if (pattern) sections.push(`**Safe pattern:** ${pattern}`);
  }
  if (flagged.length > 0) sections.push('---');
  const where = analysis.database === 'postgresql' ? `PostgreSQL ${analysis.config.postgresVersion}` : DATABASE_NAMES[analysis.database];
  sections.push(`**\`${codeSpanSafe(operation.name)}\`** on ${where}${names.table ? ` · table \`${names.table}\`` : ''}${doc && flagged.length === 0 ? `: ${firstSentence(doc.summary)}` : ''}`);
  const standing = migrationStanding(analysis);
  if (standing) sections.push(standing);
  const generated = operationSqlMarkdown(analysis, operation);
  if (generated) sections.push(generated.markdown);
  if (doc) {
    // The effects model labels each statement with its lock on PostgreSQL; elsewhere, or when the SQL is not known,
    // the operation's description says what it locks.
    const labelled = generated?.labelled === true;
    sections.push(
      factsMarkdown([
        [generated ? 'Typically' : 'SQL', generated?.known ? '' : doc.sql],
        ['Lock', labelled ? '' : doc.lock],
        ['Blocks', labelled ? '' : doc.blocks],
        ['Old code during the deploy', generated?.known ? '' : doc.oldCode],
      ]),
    );
  }
  const reviewRule = flagged[0]?.rule ?? doc?.relatedRules.find((id) => ruleMeta(id) !== undefined);
  const links = [flagged[0] ? `[Full explanation](${ruleDocsUrl(flagged[0].rule)})` : '', reviewRule ? reviewLink(reviewRule) : ''].filter((link) => link !== '');
  if (links.length > 0) sections.push(links.join(' · '));
  return { contents: { kind: MarkupKind.Markdown, value: sections.filter((section) => section !== '').join('\n\n') }, range: toRange(document, operation.nameSpan) };
}

/**
 * The rule's safe pattern in one sentence: the first sentence of its safe alternative that the project's Django can
 * follow ("On Django >= 5.0 use db_default=" is skipped on 4.2 for the sentence after it).
 */
export function safePatternSentence(rule: RuleMeta, djangoVersion: string): string | undefined {
  for (const sentence of sentences(rule.explanation.safeAlternative)) {
    const needs = /Django\s*>=\s*(\d+\.\d+)/.exec(sentence)?.[1];
    const before = /^Before (?:Django )?(\d+\.\d+)/.exec(sentence)?.[1];
    if (needs && !versionAtLeast(djangoVersion, needs)) continue;
    if (before && versionAtLeast(djangoVersion, before)) continue;
    return sentence;
  }
  return undefined;
}

function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+(?=[A-Z`(])/)
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence !== '');
}

function firstSentence(text: string): string {
  return sentences(text)[0] ?? text;
}

/**
 * The statements Django would run for this operation on the project's database (generated from the history, as
 * `sqlmigrate` prints them), each with the lock it takes and what it does to the table.
 */
/** `known`: the statements are known, so what they break for old code was said from them (or nothing breaks). */
function operationSqlMarkdown(analysis: DocumentAnalysis, operation: Operation): { markdown: string; labelled: boolean; known: boolean } | undefined {
  // Excluded, or too large for live analysis (the notice says why): no SQL is generated on a keystroke's path.
  if (analysis.excluded || analysis.notice !== undefined) return undefined;
  const sql = analysis.entry.project.operationFacts(analysis.path, operation, analysis.config)?.sql;
  if (!sql) return undefined;
  const generated = sql.generated;
  const enclosing = generated.operation !== operation ? ` (of the enclosing \`${codeSpanSafe(generated.operation.name)}\`)` : '';
  if (generated.unknown) return { markdown: `**SQL${enclosing}:** not known without running Django (${escapeMarkdown(generated.unknown)}).`, labelled: false, known: false };
  if (generated.statements.length === 0) return { markdown: `**SQL${enclosing}:** none: ${escapeMarkdown(generated.note ?? 'nothing Django stores in the database changes')}.`, labelled: true, known: true };
  const lines: string[] = [];
  const deferred: string[] = [];
  let labelled = true;
  for (const entry of sql.statements) {
    if (!entry.effect) labelled = false;
    const label = entry.effect ? `  -- ${effectLabel(entry.effect, entry.sql)}` : '';
    (entry.emitted.deferred ? deferred : lines).push(`${entry.sql}${label}`);
  }
  if (deferred.length > 0) lines.push('-- at the end of the migration:', ...deferred);
  const shown = lines.length > MAX_HOVER_STATEMENTS ? [...lines.slice(0, MAX_HOVER_STATEMENTS), `-- ... ${lines.length - MAX_HOVER_STATEMENTS} more (Show Generated SQL has them all)`] : lines;
  const migration = analysis.entry.project.migrationSql(analysis.path, analysis.config);
  const held = analysis.database === 'postgresql' && migration?.atomic ? ' Locks are held until the migration commits.' : '';
  const computed = generated.statements.some((statement) => statement.computed) ? ' Values in `<...>` are computed when the migration runs.' : '';
  const breaks = oldCodeBreaks(generated);
  const oldCode = breaks ? `\n\n**While the old code still runs:** ${escapeMarkdown(breaks)}` : '';
  return { markdown: `**SQL${enclosing}**, as \`sqlmigrate\` would print it:${held}${computed}\n\n${fence(shown.join('\n'), 'sql')}${oldCode}`, labelled, known: true };
}

/** A table rebuild or a long M2M chain stays readable: the rest is one command away. */
const MAX_HOVER_STATEMENTS = 8;

/** Where this migration stands, when that changes what is reported: its deploy phase, a squash's treatment. */
function migrationStanding(analysis: DocumentAnalysis): string | undefined {
  const project = analysis.entry.project;
  const lines: string[] = [];
  const phase = project.standing(analysis.path, analysis.config)?.phase;
  if (phase && phase.phase !== 'unspecified') {
    // The reason quotes the file's own text: inside a code span (its backticks removed) nothing in it renders.
    lines.push(`Runs ${phase.phase === 'after-deploy' ? 'after' : 'before'} the new code is deployed (decided by \`${phase.reason.replace(/`/g, '').replace(/\s+/g, ' ')}\`).`);
  }
  const squash = project.squashNote(analysis.path);
  if (squash) lines.push(squash);
  return lines.length > 0 ? lines.join(' ') : undefined;
}

/** A rule's own explanation, for the hover on its id in an ignore comment. */
function ruleMarkdown(rule: RuleMeta): string {
  return [`**[\`${rule.id}\`](${ruleDocsUrl(rule.id)})** (${rule.severity}): ${rule.title}`, rule.explanation.summary, sectionsMarkdown(rule, { headings: 'bold' }), reviewLink(rule.id)].join('\n\n');
}

function factsMarkdown(facts: [label: string, text: string][]): string {
  return facts
    .filter(([, text]) => text.trim() !== '')
    .map(([label, text]) => `**${label}:** ${text}`)
    .join('\n\n');
}

/** Findings about this operation: anchored on it, or inside it without an operation of their own. */
function findingsOf(findings: readonly Finding[], operation: Operation): Finding[] {
  return findings.filter((finding) =>
    finding.operationSpan
      ? finding.operationSpan.start === operation.span.start && finding.operationSpan.end === operation.span.end
      : finding.span.start >= operation.span.start && finding.span.end <= operation.span.end,
  );
}

/** The table, column and index/constraint name an operation touches, for the SQL shown in the hover. */
function operationNames(analysis: DocumentAnalysis, operation: Operation): { table?: string; column?: string; name?: string } {
  try {
    // The facts the rules read (computed once per analysis), not a second derivation of them.
    const facts = analysis.entry.project.operationFacts(analysis.path, operation, analysis.config);
    const names = facts?.model;
    let table = names?.table;
    if (operation.name === 'AlterModelTable') table = stringValue(opArg(operation, 'table')) ?? table;
    if (operation.name === 'CreateModel') {
      const options = opArg(operation, 'options');
      const dbTable = options?.kind === 'dict' ? options.entries.find((entry) => stringValue(entry.key) === 'db_table') : undefined;
      table = stringValue(dbTable?.value) ?? table;
    }
    const fieldName = targetFieldName(operation);
    let column: string | undefined;
    if (fieldName && names) {
      const call = fieldCall(operation);
      const known = call ? fieldShape(call) : facts?.stateBefore.field(names.app, names.key, fieldName);
      column = known ? fieldColumnName(fieldName, known) : fieldName;
    }
    const name = objectName(operation);
    return { ...(table !== undefined ? { table } : {}), ...(column !== undefined ? { column } : {}), ...(name !== undefined ? { name } : {}) };
  } catch {
    // Names only decorate the hover; an unexpected shape must not cost the whole hover.
    return {};
  }
}

/** The names go into the operation's SQL text, in code spans and in prose: none may carry Markdown. */
function safeNames(names: { table?: string; column?: string; name?: string }): { table?: string; column?: string; name?: string } {
  return Object.fromEntries(Object.entries(names).map(([key, value]) => [key, codeSpanSafe(value)]));
}

/** The index or constraint an operation adds (its `name=`) or removes (its `name` argument). */
function objectName(operation: Operation): string | undefined {
  const added = opArg(operation, operation.name.includes('Constraint') ? 'constraint' : 'index');
  if (added?.kind === 'call' && operation.name.startsWith('Add')) return stringValue(added.kwargs['name']);
  if (/^(Remove(Index|Constraint)|ValidateConstraint)/.test(operation.name)) return stringValue(opArg(operation, 'name'));
  return undefined;
}

function wordAt(text: string, offset: number, within: Span): Span | undefined {
  const isWordChar = (char: string | undefined) => char !== undefined && /[A-Za-z0-9_-]/.test(char);
  let start = offset;
  let end = offset;
  while (start > within.start && isWordChar(text[start - 1])) start--;
  while (end < within.end && isWordChar(text[end])) end++;
  return end > start ? { start, end } : undefined;
}

function toRange(document: TextDocument, span: Span): Range {
  return { start: document.positionAt(span.start), end: document.positionAt(span.end) };
}
