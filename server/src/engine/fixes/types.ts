// The vocabulary of declared quick fixes: what a rule attaches to a finding (a title, whether "fix all" may apply it,
// and edit intents), and what a front door gets once quickFixes.ts has resolved the intents into text. Plain data
// all the way, so a fix travels in an LSP diagnostic's `data` unchanged.
import type { Span } from '../python/model';

/** Replace `span` of the file's text with `newText` (an insertion when the span is empty). */
export interface TextEdit {
  span: Span;
  newText: string;
}

/** `from module import name`: written once per module however many fixes need it, in isort order. */
export interface ImportIntent {
  kind: 'import';
  module: string;
  name: string;
}

/**
 * What a fix needs before it becomes text. Plain edits are computed by the primitives from the model when the rule
 * reports; needs that several fixes may share (an import, `atomic = False`) stay intents so that "fix all" writes
 * them once; a new migration file gets its number only when resolved (it depends on the app's other files).
 */
export type EditIntent =
  | { kind: 'edit'; edit: TextEdit }
  | ImportIntent
  | { kind: 'atomic-false' }
  | NewMigrationIntent;

/** A migration file to create beside the fixed one, named `NNNN_<nameFragment>.py` with the app's next number. */
export interface NewMigrationIntent {
  kind: 'new-migration';
  nameFragment: string;
  /** The file's text; PREVIOUS_NEW_MIGRATION in it stands for the name of the file the same fix creates before it. */
  text: string;
}

/** Stands, in a new migration's text, for the name of the new migration created before it (a chain of splits). */
export const PREVIOUS_NEW_MIGRATION = '<previous new migration>';

/** A quick fix as a rule declares it. */
export interface DeclaredFix {
  /** A short imperative title naming what the fix writes. */
  title: string;
  /** Mechanical and behaviour-preserving: "fix all" may apply it without a human decision. */
  safe: boolean;
  edits: EditIntent[];
}

/** A file a resolved fix creates. */
export interface NewFile {
  path: string;
  text: string;
}

/** A declared fix resolved against the text it was computed for: ready to apply. */
export interface ResolvedFix {
  title: string;
  safe: boolean;
  edits: TextEdit[];
  newFiles: NewFile[];
}
