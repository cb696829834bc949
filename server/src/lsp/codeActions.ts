// Code actions: the quick fixes a diagnostic carries in its `data` (resolved by the engine when it was published),
// "Ignore RULE for this operation / file", "Show documentation for RULE", and `source.fixAll.migration-guard`
// applying every safe fix at once. A fix is offered only for the text it was computed for (the data's fingerprint)
// and only when what it leaves passes the engine (fixCheck.ts). This file only speaks LSP.
import {
  CodeActionKind,
  type CodeAction,
  type CodeActionParams,
  type Diagnostic,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { ignoreForFileEdit, ignoreForOperationEdit } from '../engine/fixes/ignoreComments';
import type { DeclaredFix, NewFile, ResolvedFix } from '../engine/fixes/types';
import type { Span } from '../engine/python/model';
import { combinedFixEdits, resolveFix, type TextEdit as SpanEdit } from '../engine/quickFixes';
import type { Finding } from '../engine/rules/rule';
import { pathToUri, type DocumentAnalysis } from './analysisService';
import { textFingerprint, toDiagnostic, type DiagnosticData, type FixSource } from './diagnostics';
import { DIAGNOSTIC_SOURCE, SHOW_RULE_DOCS_COMMAND } from './clientContract';
import { checkFix, type FixCheckSubject, type FixVerdict } from './fixCheck';

export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.migration-guard`;

export interface CodeActionOptions {
  /** The client applies versioned `documentChanges` (safer: refused when the text moved on). */
  documentChanges: boolean;
  /** The client can create files in a workspace edit (`resourceOperations` includes `create`). */
  createFiles?: boolean;
}

/** How many safe fixes fix-all checks one by one before combining them. */
const MAX_FIX_ALL_CANDIDATES = 50;

export function computeCodeActions(
  analysis: DocumentAnalysis,
  document: TextDocument,
  params: CodeActionParams,
  options: CodeActionOptions,
): CodeAction[] {
  const model = analysis.model;
  if (!model) return [];
  const text = document.getText();
  const fingerprint = textFingerprint(text);
  // The analysis must be of the document's text; every fix below is then checked against that same text.
  if (textFingerprint(model.text) !== fingerprint) return [];
  const only = params.context.only;
  const wants = (kind: string) => !only || only.some((requested) => kind === requested || kind.startsWith(`${requested}.`));
  const toEdit = (edits: readonly SpanEdit[], newFiles: readonly NewFile[] = []) => workspaceEdit(document, edits, newFiles, options);
  const source: FixSource = { model, fingerprint, migrationNames: analysis.entry.project.migrationNamesOf(model.app) };
  const subject: FixCheckSubject = { project: analysis.entry.project, path: analysis.path, config: analysis.config, text, findings: analysis.findings };
  const verdict = (fix: Pick<ResolvedFix, 'edits' | 'newFiles'>) => checkFix(subject, fix, analysis);
  const actions: CodeAction[] = [];

  if (wants(CodeActionKind.QuickFix)) {
    const fixActions: CodeAction[] = [];
    const ignoreActions: CodeAction[] = [];
    const docsActions: CodeAction[] = [];
    const offeredIgnores = new Set<string>();
    for (const { diagnostic, data } of requestedDiagnostics(analysis, document, params, source)) {
      fixActions.push(...quickFixActions(diagnostic, data, options, verdict, toEdit));
      const anchor = (data.operationSpan ?? data.span).start;
      const operationKey = `op\u0000${data.rule}\u0000${anchor}`;
      if (!offeredIgnores.has(operationKey)) {
        offeredIgnores.add(operationKey);
        ignoreActions.push({
          title: `Ignore ${data.rule} for this operation`,
          kind: CodeActionKind.QuickFix,
          diagnostics: [diagnostic],
          edit: toEdit([ignoreForOperationEdit(model, anchor, data.rule)]),
        });
      }
      const fileKey = `file\u0000${data.rule}`;
      if (!offeredIgnores.has(fileKey)) {
        offeredIgnores.add(fileKey);
        ignoreActions.push({
          title: `Ignore ${data.rule} for this file`,
          kind: CodeActionKind.QuickFix,
          diagnostics: sameRule(analysis.findings, data.rule).map((finding) => toDiagnostic(finding, source)),
          edit: toEdit([ignoreForFileEdit(model, data.rule)]),
        });
        docsActions.push({
          title: `Show documentation for ${data.rule}`,
          kind: CodeActionKind.QuickFix,
          diagnostics: [diagnostic],
          command: { title: `Show documentation for ${data.rule}`, command: SHOW_RULE_DOCS_COMMAND, arguments: [data.rule] },
        });
      }
    }
    // Real fixes first, then the ways to silence, then documentation: the order editors list them in.
    for (const action of [fixActions, ignoreActions, docsActions].flat()) actions.push(action);
  }

  if (wants(FIX_ALL_KIND)) {
    const fixAll = fixAllAction(analysis, source, verdict, toEdit);
    if (fixAll) actions.push(fixAll);
  }
  return actions;
}

/**
 * The diagnostics the request is about, with their data: those the client names (VS Code sends the ones under the
 * cursor, Neovim the line's). A client that does not send `data` back (no dataSupport), or sends the data of another
 * text, has its diagnostics matched to the current findings by rule and range; a client that names none gets the
 * findings in the requested range.
 */
function requestedDiagnostics(analysis: DocumentAnalysis, document: TextDocument, params: CodeActionParams, source: FixSource): { diagnostic: Diagnostic; data: DiagnosticData }[] {
  const named = params.context.diagnostics.filter((diagnostic) => diagnostic.source === DIAGNOSTIC_SOURCE);
  const fresh = (finding: Finding) => {
    const diagnostic = toDiagnostic(finding, source);
    return { diagnostic, data: diagnostic.data as DiagnosticData };
  };
  const withData = named.flatMap((diagnostic) => {
    const data = diagnostic.data === undefined ? undefined : diagnosticData(diagnostic, document.getText().length);
    // Data of this very text travels as is; data of another text (published before the last edit, or by the
    // previous server before a restart) is as good as none: the diagnostic is matched to the current findings.
    if (data && data.text === source.fingerprint) return [{ diagnostic, data }];
    if (diagnostic.data !== undefined && !data) return [];
    const finding = analysis.findings.find((candidate) => candidate.rule === diagnostic.code && samePosition(diagnostic.range.start, candidate.start) && samePosition(diagnostic.range.end, candidate.end));
    return finding ? [fresh(finding)] : [];
  });
  if (named.length > 0) return withData;
  const start = document.offsetAt(params.range.start);
  const end = document.offsetAt(params.range.end);
  return analysis.findings.filter((finding) => finding.span.start <= end && finding.span.end >= start).map(fresh);
}

function samePosition(a: { line: number; character: number }, b: { line: number; character: number }): boolean {
  return a.line === b.line && a.character === b.character;
}

/** The fix actions of one diagnostic: those the check drops are left out; the first clean one is preferred. */
function quickFixActions(
  diagnostic: Diagnostic,
  data: DiagnosticData,
  options: CodeActionOptions,
  verdict: (fix: ResolvedFix) => FixVerdict,
  toEdit: (edits: readonly SpanEdit[], newFiles?: readonly NewFile[]) => WorkspaceEdit,
): CodeAction[] {
  const offerable = data.fixes.filter((fix) => fix.newFiles.length === 0 || (options.documentChanges && options.createFiles === true));
  const judged = offerable.map((fix) => ({ fix, verdict: verdict(fix) })).filter((entry) => entry.verdict.kind !== 'breaks');
  const preferred = judged.find((entry) => entry.verdict.kind === 'clean');
  return judged.map(({ fix, verdict: result }) => {
    const title = result.kind === 'trades' ? `${fix.title} (then ${result.gained.join(', ')} reports it)` : fix.title;
    return { title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], isPreferred: preferred?.fix === fix, edit: toEdit(fix.edits, fix.newFiles) };
  });
}

/** Every safe fix whose result is clean, applied together; nothing when the combination is not clean. */
function fixAllAction(
  analysis: DocumentAnalysis,
  source: FixSource,
  verdict: (fix: Pick<ResolvedFix, 'edits' | 'newFiles'>) => FixVerdict,
  toEdit: (edits: readonly SpanEdit[]) => WorkspaceEdit,
): CodeAction | undefined {
  const model = source.model;
  const fixed: Finding[] = [];
  const chosen: DeclaredFix[] = [];
  for (const finding of analysis.findings) {
    if (chosen.length >= MAX_FIX_ALL_CANDIDATES) break;
    const clean = finding.fixes.filter((fix) => fix.safe && !fix.edits.some((intent) => intent.kind === 'new-migration')).filter((fix) => {
      const resolved = resolveFix(fix, model);
      return resolved.edits.length > 0 && verdict(resolved).kind === 'clean';
    });
    if (clean.length === 0) continue;
    fixed.push(finding);
    chosen.push(...clean);
  }
  if (chosen.length === 0) return undefined;
  const edits = combinedFixEdits(chosen, model);
  if (edits.length === 0 || verdict({ edits, newFiles: [] }).kind !== 'clean') return undefined;
  return {
    title: 'Fix all safe Migration Guard problems',
    kind: FIX_ALL_KIND,
    diagnostics: fixed.map((finding) => toDiagnostic(finding, source)),
    edit: toEdit(edits),
  };
}

function sameRule(findings: readonly Finding[], rule: string): Finding[] {
  return findings.filter((finding) => finding.rule === rule);
}

/** A diagnostic's data as this server wrote it, checked (the client sends it back); undefined when it is not. */
function diagnosticData(diagnostic: Diagnostic, textLength: number): DiagnosticData | undefined {
  const data = diagnostic.data as Partial<DiagnosticData> | undefined;
  if (!data || typeof data !== 'object' || typeof data.rule !== 'string' || typeof data.text !== 'string' || !isSpan(data.span, textLength)) return undefined;
  if (data.operationSpan !== undefined && !isSpan(data.operationSpan, textLength)) return undefined;
  if (!Array.isArray(data.fixes) || !data.fixes.every((fix) => isResolvedFix(fix, textLength))) return undefined;
  return data as DiagnosticData;
}

function isResolvedFix(fix: unknown, textLength: number): fix is ResolvedFix {
  const candidate = fix as Partial<ResolvedFix> | undefined;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.title === 'string' &&
    typeof candidate.safe === 'boolean' &&
    Array.isArray(candidate.edits) &&
    candidate.edits.every((edit) => isSpan(edit?.span, textLength) && typeof edit.newText === 'string') &&
    Array.isArray(candidate.newFiles) &&
    candidate.newFiles.every((file) => typeof file?.path === 'string' && typeof file.text === 'string')
  );
}

function isSpan(span: unknown, textLength: number): span is Span {
  const candidate = span as Partial<Span> | undefined;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    Number.isInteger(candidate.start) &&
    Number.isInteger(candidate.end) &&
    candidate.start! >= 0 &&
    candidate.start! <= candidate.end! &&
    candidate.end! <= textLength
  );
}

function workspaceEdit(document: TextDocument, edits: readonly SpanEdit[], newFiles: readonly NewFile[], options: CodeActionOptions): WorkspaceEdit {
  const textEdits: TextEdit[] = edits.map((edit) => ({ range: toRange(document, edit.span), newText: edit.newText }));
  if (newFiles.length > 0) {
    const start = { line: 0, character: 0 };
    return {
      documentChanges: [
        ...newFiles.flatMap((file) => {
          const uri = pathToUri(file.path);
          return [
            { kind: 'create' as const, uri, options: { overwrite: false, ignoreIfExists: false } },
            { textDocument: { uri, version: null }, edits: [{ range: { start, end: start }, newText: file.text }] },
          ];
        }),
        { textDocument: { uri: document.uri, version: document.version }, edits: textEdits },
      ],
    };
  }
  if (options.documentChanges) {
    return { documentChanges: [{ textDocument: { uri: document.uri, version: document.version }, edits: textEdits }] };
  }
  return { changes: { [document.uri]: textEdits } };
}

function toRange(document: TextDocument, span: Span): Diagnostic['range'] {
  return { start: document.positionAt(span.start), end: document.positionAt(span.end) };
}
