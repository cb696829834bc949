// "Learn from your own code": which rules fire in the user's workspace, and for each the first operation it
// flagged, as the example on that rule's flashcard. Editor-free: panel.ts gives it the findings (the server's
// workspace index, or the diagnostics VS Code holds) and a way to read files.
import type { FindingsResult } from '../../../server/src/lsp/clientContract';
import type { WorkspaceExample } from './protocol';

/** Enough of an operation to recognise it; a longer one ends in a "…" line. */
export const MAX_EXAMPLE_LINES = 12;
export const MAX_EXAMPLE_CHARS = 800;
const MAX_FILES_READ = 50;

/**
 * The operation that starts on `line` (0-based): that line and the following ones until its brackets close,
 * leaving out brackets inside strings and comments; common indentation removed; cut to a sensible size.
 */
export function operationAt(text: string, line: number): string {
  const lines = text.split(/\r?\n/);
  if (line < 0 || line >= lines.length) return '';
  const taken: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  for (let i = line; i < lines.length; i++) {
    const current = lines[i]!;
    taken.push(current);
    for (let k = 0; k < current.length; k++) {
      const ch = current[k]!;
      if (quote) {
        if (ch === '\\') k++;
        else if (current.startsWith(quote, k)) {
          k += quote.length - 1;
          quote = undefined;
        }
      } else if (ch === '#') break;
      else if (ch === '"' || ch === "'") quote = current.startsWith(ch.repeat(3), k) ? ch.repeat(3) : ch;
      else if ('([{'.includes(ch)) depth++;
      else if (')]}'.includes(ch)) depth--;
    }
    // A one-character quote does not span lines; a triple quote does.
    if (quote && quote.length === 1) quote = undefined;
    if (depth <= 0 && !quote) break;
    if (taken.length > MAX_EXAMPLE_LINES) break;
  }
  const indent = Math.min(...taken.filter((l) => l.trim()).map((l) => /^\s*/.exec(l)![0].length));
  let shown = taken.map((l) => l.slice(Number.isFinite(indent) ? indent : 0).trimEnd());
  let cut = false;
  if (shown.length > MAX_EXAMPLE_LINES) {
    shown = shown.slice(0, MAX_EXAMPLE_LINES);
    cut = true;
  }
  let result = shown.join('\n').replace(/,\s*$/, '');
  if (result.length > MAX_EXAMPLE_CHARS) {
    result = result.slice(0, MAX_EXAMPLE_CHARS).replace(/\n[^\n]*$/, '');
    cut = true;
  }
  return cut ? `${result}\n…` : result;
}

export interface ExampleSources {
  /** The file's text, or undefined when it cannot be read. */
  read(uri: string): Promise<string | undefined>;
  /** How to name the file to the user, e.g. `shop/migrations/0007_order_total.py`. */
  label(uri: string): string;
}

/** For each rule with findings: the first finding's operation (by file, then line) and how many there are. */
export async function examplesFromFindings(result: FindingsResult, sources: ExampleSources): Promise<Map<string, WorkspaceExample>> {
  const first = new Map<string, { uri: string; line: number; count: number }>();
  const files = [...result.files].sort((a, b) => a.uri.localeCompare(b.uri));
  for (const file of files) {
    for (const finding of [...file.findings].sort((a, b) => a.line - b.line)) {
      const seen = first.get(finding.rule);
      if (seen) seen.count++;
      else first.set(finding.rule, { uri: file.uri, line: finding.line, count: 1 });
    }
  }
  const texts = new Map<string, string | undefined>();
  const examples = new Map<string, WorkspaceExample>();
  for (const [rule, { uri, line, count }] of first) {
    if (!texts.has(uri)) {
      if (texts.size >= MAX_FILES_READ) continue;
      texts.set(uri, await sources.read(uri).catch(() => undefined));
    }
    const text = texts.get(uri);
    const code = text === undefined ? '' : operationAt(text, line);
    if (!code.trim()) continue;
    examples.set(rule, { location: `${sources.label(uri)}:${line + 1}`, code, count });
  }
  return examples;
}
