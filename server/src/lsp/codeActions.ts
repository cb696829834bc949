// Code actions: the mechanical quick fixes a finding's FixData describes, "Ignore RULE for this operation / file",
// "Show documentation for RULE" for every diagnostic, and `source.fixAll.migration-guard` applying every safe fix at
// once. The edits themselves come from the editor-free engine/quickFixes.ts; this file only speaks LSP.
import {
  CodeActionKind,
  type CodeAction,
  type CodeActionParams,
  type Diagnostic,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Span } from '../engine/python/model';
import {
  combinedFixEdits,
  fixTitle,
  ignoreForFileEdit,
  ignoreForOperationEdit,
  isSafeMechanicalFix,
  quickFixEdits,
  type TextEdit as SpanEdit,
} from '../engine/quickFixes';
import type { Finding } from '../engine/rules/rule';
import type { DocumentAnalysis } from './analysisService';
import { toDiagnostic } from './diagnostics';
import { DIAGNOSTIC_SOURCE, SHOW_RULE_DOCS_COMMAND } from './clientContract';

export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.migration-guard`;

export interface CodeActionOptions {
  /** The client applies versioned `documentChanges` (safer: refused when the text moved on). */
  documentChanges: boolean;
}

export function computeCodeActions(
  analysis: DocumentAnalysis,
  document: TextDocument,
  params: CodeActionParams,
  options: CodeActionOptions,
): CodeAction[] {
  const model = analysis.model;
  if (!model) return [];
  const only = params.context.only;
  const wants = (kind: string) => !only || only.some((requested) => kind === requested || kind.startsWith(`${requested}.`));
  const toEdit = (edits: readonly SpanEdit[]) => workspaceEdit(document, edits, options);
  const actions: CodeAction[] = [];

  if (wants(CodeActionKind.QuickFix)) {
    const start = document.offsetAt(params.range.start);
    const end = document.offsetAt(params.range.end);
    // The requested range (the cursor, a selection) or the diagnostics the client names (Neovim sends the line's).
    const named = params.context.diagnostics.filter((diagnostic) => diagnostic.source === DIAGNOSTIC_SOURCE);
    const findings = analysis.findings.filter(
      (finding) =>
        (finding.span.start <= end && finding.span.end >= start) ||
        named.some((diagnostic) => diagnostic.code === finding.rule && samePosition(diagnostic.range.start, finding.start) && samePosition(diagnostic.range.end, finding.end)),
    );
    const fixActions: CodeAction[] = [];
    const ignoreActions: CodeAction[] = [];
    const docsActions: CodeAction[] = [];
    const offeredIgnores = new Set<string>();
    for (const finding of findings) {
      const diagnostic = toDiagnostic(finding);
      // `use-concurrent-index` writes `atomic = False` itself; a separate action for it alone would fix nothing.
      const includesAtomic = finding.fixes.some((fix) => fix.kind === 'use-concurrent-index');
      finding.fixes.forEach((fix, index) => {
        if (includesAtomic && fix.kind === 'set-atomic-false') return;
        const edits = quickFixEdits(fix, model);
        if (edits.length === 0) return;
        fixActions.push({ title: fixTitle(fix, model), kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], isPreferred: index === 0, edit: toEdit(edits) });
      });
      const anchor = (finding.operationSpan ?? finding.span).start;
      const operationKey = `op\u0000${finding.rule}\u0000${anchor}`;
      if (!offeredIgnores.has(operationKey)) {
        offeredIgnores.add(operationKey);
        ignoreActions.push({
          title: `Ignore ${finding.rule} for this operation`,
          kind: CodeActionKind.QuickFix,
          diagnostics: [diagnostic],
          edit: toEdit([ignoreForOperationEdit(model, anchor, finding.rule)]),
        });
      }
      const fileKey = `file\u0000${finding.rule}`;
      if (!offeredIgnores.has(fileKey)) {
        offeredIgnores.add(fileKey);
        ignoreActions.push({
          title: `Ignore ${finding.rule} for this file`,
          kind: CodeActionKind.QuickFix,
          diagnostics: sameRule(analysis.findings, finding.rule).map(toDiagnostic),
          edit: toEdit([ignoreForFileEdit(model, finding.rule)]),
        });
        docsActions.push({
          title: `Show documentation for ${finding.rule}`,
          kind: CodeActionKind.QuickFix,
          diagnostics: [diagnostic],
          command: { title: `Show documentation for ${finding.rule}`, command: SHOW_RULE_DOCS_COMMAND, arguments: [finding.rule] },
        });
      }
    }
    // Real fixes first, then the ways to silence, then documentation: the order editors list them in.
    for (const action of [fixActions, ignoreActions, docsActions].flat()) actions.push(action);
  }

  if (wants(FIX_ALL_KIND)) {
    const fixAll = fixAllAction(analysis, toEdit);
    if (fixAll) actions.push(fixAll);
  }
  return actions;
}

function fixAllAction(analysis: DocumentAnalysis, toEdit: (edits: readonly SpanEdit[]) => WorkspaceEdit): CodeAction | undefined {
  const model = analysis.model;
  if (!model) return undefined;
  const fixed: Finding[] = analysis.findings.filter((finding) => finding.fixes.some(isSafeMechanicalFix));
  if (fixed.length === 0) return undefined;
  const edits = combinedFixEdits(
    fixed.flatMap((finding) => finding.fixes.filter(isSafeMechanicalFix)),
    model,
  );
  if (edits.length === 0) return undefined;
  return {
    title: 'Fix all safe Migration Guard problems',
    kind: FIX_ALL_KIND,
    diagnostics: fixed.map(toDiagnostic),
    edit: toEdit(edits),
  };
}

function sameRule(findings: readonly Finding[], rule: string): Finding[] {
  return findings.filter((finding) => finding.rule === rule);
}

function workspaceEdit(document: TextDocument, edits: readonly SpanEdit[], options: CodeActionOptions): WorkspaceEdit {
  const textEdits: TextEdit[] = edits.map((edit) => ({ range: toRange(document, edit.span), newText: edit.newText }));
  if (options.documentChanges) {
    return { documentChanges: [{ textDocument: { uri: document.uri, version: document.version }, edits: textEdits }] };
  }
  return { changes: { [document.uri]: textEdits } };
}

function samePosition(a: { line: number; character: number }, b: { line: number; character: number }): boolean {
  return a.line === b.line && a.character === b.character;
}

function toRange(document: TextDocument, span: Span): Diagnostic['range'] {
  return { start: document.positionAt(span.start), end: document.positionAt(span.end) };
}
