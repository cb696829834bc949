// Types shared by every layer of the engine (config, rules, formats), kept here so that nothing below rules/
// imports from rules/: the severity scale and what every finding carries.
import type { Span } from './python/model';

export type Severity = 'error' | 'warning' | 'info';

/** A finding as the layers below the rules see it (the rules' Finding adds its quick-fix data). */
export interface FindingCore {
  rule: string;
  severity: Severity;
  /** The whole message: what happens, then `; ` and the advice when the rule gives one. */
  message: string;
  /** What to do instead, as the message's last clause also says (the editor's Problems list leads with it). */
  advice?: string;
  /** Normalised path of the file. */
  file: string;
  span: Span;
  /** Span of the operation the finding belongs to, when any (hover and ignore-comment placement). */
  operationSpan?: Span;
}
