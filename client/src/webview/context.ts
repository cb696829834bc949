// What every view of the review webview gets: the persisted UI state, the host's latest data and a few actions.
import type { ReviewStats, StateMessage, WebviewMessage } from '../review/protocol';
import type { UiState } from './uiState';

export interface ViewContext {
  ui: UiState;
  /** The host's latest `state` message; null until the host has answered `ready`. */
  host: StateMessage | null;
  stats: ReviewStats | null;
  /** Sends a message to the extension host. */
  post(message: WebviewMessage): void;
  /** Persists `ui` (vscode.setState) and redraws; `focusKey` names the element to focus afterwards. */
  update(focusKey?: string): void;
  /** Persists `ui` without redrawing (typing in a textarea must not lose the caret). */
  persist(): void;
  /** Says something to screen readers through the live region. */
  announce(text: string): void;
}

/** Keyboard handling a view offers while it is shown; returns true when it used the key. */
export type KeyHandler = (event: KeyboardEvent, context: ViewContext) => boolean;
