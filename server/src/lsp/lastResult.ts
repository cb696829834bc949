// Under an edit flood the latest version of a document is often not analysed yet. A hover on a line the edits did
// not touch can be answered from the last analysis instead of waiting for (and causing) a fresh one.
import type { Position } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { DocumentAnalysis } from './analysisService';

export interface LastResultView {
  analysis: DocumentAnalysis;
  /** The text that was analysed, for positions and ranges: the line asked about reads the same in both. */
  analysedDocument: TextDocument;
  offset: number;
}

/**
 * The last analysis seen through the line at `position`, when that line reads the same in the current document
 * and in the analysed text (same line number, same characters), so offsets and ranges on it mean the same thing.
 */
export function viewOnUnchangedLine(analysis: DocumentAnalysis, current: TextDocument, position: Position): LastResultView | undefined {
  const text = analysis.model?.text;
  if (text === undefined) return undefined;
  const analysedDocument = TextDocument.create(current.uri, current.languageId, analysis.version, text);
  if (position.line >= analysedDocument.lineCount || position.line >= current.lineCount) return undefined;
  const lineRange = (line: number) => ({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } });
  if (analysedDocument.getText(lineRange(position.line)) !== current.getText(lineRange(position.line))) return undefined;
  return { analysis, analysedDocument, offset: analysedDocument.offsetAt(position) };
}
