// The editor features over LSP: completion, go to definition, references, document and workspace symbols, code
// lenses and the field history request. Each handler reads the document's analysis (the one the diagnostics used,
// so its migration's state is already replayed) and turns the engine's answers (server/src/engine/navigation) into
// protocol shapes.
import {
  CompletionItemKind,
  InsertTextFormat,
  SymbolKind,
  type CancellationToken,
  type ClientCapabilities,
  type CodeLens,
  type CompletionItem,
  type Connection,
  type DocumentSymbol,
  type Location,
  type Position,
  type Range,
  type SymbolInformation,
  type TextDocuments,
} from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { completionsAt, type CompletionCandidate, type CompletionKind } from '../engine/navigation/completion';
import { definitionAt, dependentsOf, historyAtCursor, referencesAt } from '../engine/navigation/definition';
import type { NavigationLocation } from '../engine/navigation/source';
import { documentSymbols, workspaceSymbols, type OutlineKind, type OutlineSymbol } from '../engine/navigation/symbols';
import type { MigrationModel, Span } from '../engine/python/model';
import { computeLineStarts, positionOfOffset } from '../engine/python/textPositions';
import { pathToUri, type AnalysisService, type DocumentAnalysis } from './analysisService';
import { HISTORY_REQUEST, type HistoryResponse } from './clientContract';
import { historyMarkdown, historySubject } from './historyHover';
import type { WorkspaceIndex } from './workspaceIndex';

/** Characters after which editors ask for completions by themselves: a quote opens a name, a dot an attribute. */
export const COMPLETION_TRIGGERS = ['"', "'", '.'];

const COMPLETION_KINDS: Record<CompletionKind, CompletionItemKind> = {
  app: CompletionItemKind.Module,
  migration: CompletionItemKind.File,
  model: CompletionItemKind.Class,
  field: CompletionItemKind.Field,
  operation: CompletionItemKind.Constructor,
};

const OUTLINE_KINDS: Record<OutlineKind, SymbolKind> = {
  class: SymbolKind.Class,
  list: SymbolKind.Array,
  dependency: SymbolKind.Key,
  operation: SymbolKind.Method,
};

export interface NavigationDeps {
  connection: Connection;
  documents: TextDocuments<TextDocument>;
  analysis: () => AnalysisService;
  index: WorkspaceIndex;
  capabilities: () => ClientCapabilities;
  guard<T>(what: string, fallback: T, handler: () => Promise<T>): Promise<T>;
}

export function registerNavigation(deps: NavigationDeps): void {
  const { connection, guard } = deps;
  const withAnalysis = <T>(what: string, fallback: T, uri: string, token: CancellationToken, answer: (analysis: DocumentAnalysis & { model: MigrationModel }, document: TextDocument) => T) =>
    guard(what, fallback, async () => {
      const analysis = await deps.analysis().analyse(uri, token);
      const document = deps.documents.get(uri);
      if (!analysis?.model || !document || token.isCancellationRequested || document.version !== analysis.version) return fallback;
      return answer(analysis as DocumentAnalysis & { model: MigrationModel }, document);
    });
  const source = (analysis: DocumentAnalysis) => analysis.entry.project.navigation();

  connection.onCompletion((params, token) =>
    withAnalysis('completion', [] as CompletionItem[], params.textDocument.uri, token, (analysis, document) => {
      const snippets = deps.capabilities().textDocument?.completion?.completionItem?.snippetSupport === true;
      return completionsAt(source(analysis), analysis.model, document.offsetAt(params.position)).map((candidate) => completionItem(candidate, document, snippets));
    }),
  );
  connection.onDefinition((params, token) =>
    withAnalysis('definition', [] as Location[], params.textDocument.uri, token, (analysis, document) => definitionAt(source(analysis), analysis.model, document.offsetAt(params.position)).map(toLocation)),
  );
  connection.onReferences((params, token) =>
    withAnalysis('references', [] as Location[], params.textDocument.uri, token, (analysis, document) =>
      referencesAt(source(analysis), analysis.model, document.offsetAt(params.position), params.context.includeDeclaration).map(toLocation),
    ),
  );
  connection.onDocumentSymbol((params, token) =>
    withAnalysis('document symbols', [] as DocumentSymbol[] | SymbolInformation[], params.textDocument.uri, token, (analysis) => {
      const outline = documentSymbols(source(analysis), analysis.model);
      const hierarchical = deps.capabilities().textDocument?.documentSymbol?.hierarchicalDocumentSymbolSupport === true;
      const lineStarts = lineStartsOf(analysis.model);
      return hierarchical ? outline.map((symbol) => documentSymbol(symbol, lineStarts)) : flatSymbols(outline, analysis.model, lineStarts);
    }),
  );
  connection.onWorkspaceSymbol((params) =>
    guard('workspace symbols', [] as SymbolInformation[], async () => {
      const found: SymbolInformation[] = [];
      for (const entry of deps.index.allProjects()) {
        for (const hit of workspaceSymbols(entry.project.navigation(), params.query)) {
          found.push({ name: hit.name, kind: hit.kind === 'model' ? SymbolKind.Class : SymbolKind.File, containerName: hit.container, location: toLocation(hit.location) });
        }
      }
      return found;
    }),
  );
  connection.onCodeLens((params, token) =>
    withAnalysis('code lenses', [] as CodeLens[], params.textDocument.uri, token, (analysis) => {
      const migrationClass = analysis.model.migrationClass;
      const graph = analysis.entry.project.navigation().graph;
      const entry = graph.entryFor(analysis.model);
      if (!migrationClass || !entry) return [];
      const dependents = dependentsOf(source(analysis), entry.key).length;
      const title =
        dependents === 0 ? 'No migration depends on this one yet' : `${dependents} migration${dependents === 1 ? ' depends' : 's depend'} on this one`;
      // A lens without a command id shows as text: the references request (Shift+F12 on the class) lists them.
      return [{ range: rangeFrom(lineStartsOf(analysis.model), migrationClass.nameSpan), command: { title, command: '' } }];
    }),
  );
  connection.onRequest(HISTORY_REQUEST, (params: { textDocument: { uri: string }; position: Position }, token: CancellationToken) =>
    withAnalysis('history', null as HistoryResponse | null, params.textDocument.uri, token, (analysis, document) => {
      const history = historyAtCursor(source(analysis), analysis.model, document.offsetAt(params.position), true);
      return history && history.events.length > 0 ? { subject: historySubject(history), markdown: historyMarkdown(history) } : null;
    }),
  );
}

function completionItem(candidate: CompletionCandidate, document: TextDocument, snippets: boolean): CompletionItem {
  const range = { start: document.positionAt(candidate.replace.start), end: document.positionAt(candidate.replace.end) };
  const snippet = candidate.snippet === true && snippets;
  const text = candidate.insertText === undefined ? candidate.label : snippet || !candidate.snippet ? candidate.insertText : plainText(candidate.insertText);
  return {
    label: candidate.label,
    kind: COMPLETION_KINDS[candidate.kind],
    detail: candidate.detail,
    sortText: candidate.sortText,
    filterText: candidate.label,
    textEdit: { range, newText: text },
    insertTextFormat: snippet ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
  };
}

/** A snippet without its tab stops, for clients that insert text as is. */
function plainText(snippet: string): string {
  return snippet.replace(/\$\{\d+:((?:\\.|[^}\\])*)\}/g, (_, placeholder: string) => placeholder.replace(/\\(.)/g, '$1')).replace(/\$\{\d+\}|\$\d+/g, '');
}

function documentSymbol(symbol: OutlineSymbol, lineStarts: readonly number[]): DocumentSymbol {
  return {
    name: symbol.name,
    ...(symbol.detail ? { detail: symbol.detail } : {}),
    kind: OUTLINE_KINDS[symbol.kind],
    range: rangeFrom(lineStarts, symbol.span),
    selectionRange: rangeFrom(lineStarts, symbol.selection),
    children: symbol.children.map((child) => documentSymbol(child, lineStarts)),
  };
}

function flatSymbols(outline: readonly OutlineSymbol[], model: MigrationModel, lineStarts: readonly number[], container?: string): SymbolInformation[] {
  return outline.flatMap((symbol) => [
    {
      name: symbol.detail && symbol.kind === 'operation' ? `${symbol.name} ${symbol.detail}` : symbol.name,
      kind: OUTLINE_KINDS[symbol.kind],
      location: { uri: pathToUri(model.path), range: rangeFrom(lineStarts, symbol.span) },
      ...(container ? { containerName: container } : {}),
    },
    ...flatSymbols(symbol.children, model, lineStarts, symbol.name),
  ]);
}

function toLocation(location: NavigationLocation): Location {
  return { uri: pathToUri(location.model.path), range: rangeFrom(lineStartsOf(location.model), location.span) };
}

function lineStartsOf(model: MigrationModel): readonly number[] {
  return model.lineStarts ?? computeLineStarts(model.text);
}

function rangeFrom(lineStarts: readonly number[], span: Span): Range {
  return { start: positionOfOffset(lineStarts, span.start), end: positionOfOffset(lineStarts, span.end) };
}
