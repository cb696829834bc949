// Parsing Python with @lezer/python: a full parse, and an incremental re-parse that reuses the unchanged parts of
// the previous tree (what keeps the language server fast on every keystroke).
import { TreeFragment, type ChangedRange, type Tree } from '@lezer/common';
import { parser } from '@lezer/python';

/** A parsed text together with the fragments an incremental re-parse of the next version can reuse. */
export interface ParsedText {
  text: string;
  tree: Tree;
  fragments: readonly TreeFragment[];
  /** For a re-parse: what differs from the previous text. */
  changed?: ChangedRange;
}

export function parsePython(text: string): ParsedText {
  const tree = parser.parse(text);
  return { text, tree, fragments: TreeFragment.addTree(tree) };
}

/**
 * Re-parses `text` reusing `previous`. The changed region is found by comparing the two texts (common prefix and
 * suffix), so callers that only know the new full text (LSP full sync, Project.setFile) still get incremental speed.
 */
export function reparsePython(previous: ParsedText, text: string): ParsedText {
  if (previous.text === text) return previous;
  const change = changedRange(previous.text, text);
  const fragments = TreeFragment.applyChanges(previous.fragments, [change]);
  const tree = parser.parse(text, fragments);
  return { text, tree, fragments: TreeFragment.addTree(tree, fragments), changed: change };
}

/** Largest and smallest runs of characters compared at once (a native comparison) before going one by one. */
const LARGEST_BLOCK = 4096;
const SMALLEST_BLOCK = 16;

/** The single range that differs between two texts, as lezer's ChangedRange (A = old text, B = new text). */
export function changedRange(oldText: string, newText: string): ChangedRange {
  const shorter = Math.min(oldText.length, newText.length);
  // Blocks halving in size around the difference, compared as substrings (a native comparison: one edit in a 70 KB
  // file leaves tens of thousands of equal characters on each side), then one character at a time.
  let prefix = 0;
  for (let block = LARGEST_BLOCK; block >= SMALLEST_BLOCK; block >>= 1) {
    while (prefix + block <= shorter && oldText.substring(prefix, prefix + block) === newText.substring(prefix, prefix + block)) prefix += block;
  }
  while (prefix < shorter && oldText.charCodeAt(prefix) === newText.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  const maxSuffix = shorter - prefix;
  for (let block = LARGEST_BLOCK; block >= SMALLEST_BLOCK; block >>= 1) {
    while (
      suffix + block <= maxSuffix &&
      oldText.substring(oldText.length - suffix - block, oldText.length - suffix) === newText.substring(newText.length - suffix - block, newText.length - suffix)
    ) {
      suffix += block;
    }
  }
  while (
    suffix < maxSuffix &&
    oldText.charCodeAt(oldText.length - 1 - suffix) === newText.charCodeAt(newText.length - 1 - suffix)
  ) {
    suffix++;
  }
  return { fromA: prefix, toA: oldText.length - suffix, fromB: prefix, toB: newText.length - suffix };
}
