// The review webview: header with counts, mode tabs, and the Review / Quiz / Explain / Stats views. State that
// must survive the tab being hidden or the window reloading goes through vscode.setState; progress lives in the
// extension host, which answers every message this page posts.
import { isHostMessage, type HostMessage, type NoticeMessage, type ReviewStats, type StateMessage, type WebviewMessage } from '../review/protocol';
import type { KeyHandler, ViewContext } from './context';
import { h } from './dom';
import { receiveProposal, receiveRecorded, renderExplain } from './explainView';
import { quizKeys, renderQuiz } from './quizView';
import { renderReview, reviewKeys, syncReviewState } from './reviewView';
import { renderStats } from './statsView';
import { MODES, restoreUiState, type Mode, type UiState } from './uiState';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState<T>(state: T): T;
}
declare function acquireVsCodeApi(): VsCodeApi;

const MODE_LABELS: Record<Mode, string> = { review: 'Review', quiz: 'Quiz', explain: 'Explain', stats: 'Stats' };
const VIEWS: Record<Mode, (context: ViewContext) => HTMLElement> = {
  review: renderReview,
  quiz: renderQuiz,
  explain: renderExplain,
  stats: renderStats,
};
const KEYS: Partial<Record<Mode, KeyHandler>> = { review: reviewKeys, quiz: quizKeys };

const vscodeApi = acquireVsCodeApi();
const root = document.getElementById('app') ?? document.body.appendChild(h('div', { id: 'app', className: 'app' }));
// Outside the redrawn tree, so screen readers keep listening to the same live region.
const liveRegion = document.body.appendChild(
  h('div', { className: 'visually-hidden', attrs: { role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' } }),
);

let ui: UiState = restoreUiState(vscodeApi.getState());
let host: StateMessage | null = null;
let stats: ReviewStats | null = null;
let notice: NoticeMessage | null = null;
let announceTimer: ReturnType<typeof setTimeout> | undefined;
// Redraws rebuild the <details>; remembering whether the user opened it keeps it open.
let deckErrorsOpen = false;

const context: ViewContext = {
  get ui() {
    return ui;
  },
  get host() {
    return host;
  },
  get stats() {
    return stats;
  },
  post(message: WebviewMessage) {
    vscodeApi.postMessage(message);
  },
  update(focusKey?: string) {
    persist();
    render(focusKey);
  },
  persist,
  announce(text: string) {
    // Clearing first makes a repeated message ("Correct.") be read again.
    liveRegion.textContent = '';
    if (announceTimer) clearTimeout(announceTimer);
    announceTimer = setTimeout(() => (liveRegion.textContent = text), 50);
  },
};

function persist(): void {
  vscodeApi.setState(ui);
}

function setMode(mode: Mode): void {
  if (ui.mode === mode) return;
  ui.mode = mode;
  if (mode === 'stats') context.post({ type: 'getStats' });
  context.update(`tab-${mode}`);
}

function renderHeader(): HTMLElement {
  const counts = host?.counts;
  const count = (kind: 'new' | 'learning' | 'due', label: string, title: string) =>
    h(
      'span',
      { className: `count count-${kind}`, attrs: { title } },
      h('span', { className: 'count-number' }, counts ? String(counts[kind]) : '–'),
      ` ${label}`,
    );
  return h(
    'header',
    { className: 'header' },
    h('h1', { className: 'title' }, 'Migration flashcards'),
    h(
      'div',
      {
        className: 'counts',
        attrs: {
          role: 'group',
          'aria-label': counts ? `Cards to study: ${counts.new} new, ${counts.learning} learning, ${counts.due} due` : 'Loading counts',
        },
      },
      count('new', 'new', 'New cards you can start today'),
      count('learning', 'learning', 'Cards in their learning steps'),
      count('due', 'due', 'Reviews due now'),
    ),
  );
}

function renderTabs(): HTMLElement {
  const tabs = h('div', { className: 'tabs', attrs: { role: 'tablist', 'aria-label': 'Study mode' } });
  for (const mode of MODES) {
    const selected = ui.mode === mode;
    tabs.appendChild(
      h(
        'button',
        {
          className: 'tab',
          id: `tab-${mode}`,
          attrs: {
            type: 'button',
            role: 'tab',
            'aria-selected': selected ? 'true' : 'false',
            'aria-controls': 'mode-panel',
            tabindex: selected ? 0 : -1,
            'data-focus-key': `tab-${mode}`,
          },
          onClick: () => setMode(mode),
        },
        MODE_LABELS[mode],
      ),
    );
  }
  // Arrow keys move between tabs (WAI-ARIA tabs pattern); Tab moves into the panel.
  tabs.addEventListener('keydown', (event) => {
    const index = MODES.indexOf(ui.mode);
    const moves: Record<string, number> = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: MODES.length - 1 };
    if (!(event.key in moves)) return;
    event.preventDefault();
    event.stopPropagation();
    setMode(MODES[(moves[event.key]! + MODES.length) % MODES.length]!);
  });
  return tabs;
}

function renderNotices(): HTMLElement[] {
  const elements: HTMLElement[] = [];
  if (notice) {
    const current = notice;
    elements.push(
      h(
        'div',
        { className: `notice notice-${current.level}`, attrs: { role: current.level === 'error' ? 'alert' : 'status' } },
        h('span', {}, current.message),
        h(
          'button',
          {
            className: 'button link',
            attrs: { type: 'button', 'aria-label': 'Dismiss this message', 'data-focus-key': 'dismiss-notice' },
            onClick: () => {
              notice = null;
              render();
            },
          },
          'Dismiss',
        ),
      ),
    );
  }
  const errors = host?.deckErrors ?? [];
  if (errors.length > 0) {
    const details = h(
      'details',
      { className: 'deck-errors', attrs: { role: 'region', 'aria-label': 'Problems with your card file', open: deckErrorsOpen } },
      h('summary', { attrs: { 'data-focus-key': 'deck-errors' } }, `${errors.length} problem${errors.length === 1 ? '' : 's'} in your card file`),
      h('ul', {}, ...errors.map((error) => h('li', {}, error))),
      h(
        'button',
        { className: 'button secondary', attrs: { type: 'button', 'data-focus-key': 'open-card-file' }, onClick: () => context.post({ type: 'openUserCards' }) },
        'Open the card file',
      ),
    );
    details.addEventListener('toggle', () => (deckErrorsOpen = details.open));
    elements.push(details);
  }
  return elements;
}

function render(focusKey?: string): void {
  const active = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const activeKey = active && root.contains(active) ? active.dataset.focusKey : undefined;
  const selection =
    active instanceof HTMLTextAreaElement || active instanceof HTMLInputElement
      ? { start: active.selectionStart, end: active.selectionEnd }
      : null;

  const panel = h(
    'div',
    { className: 'mode-panel', id: 'mode-panel', attrs: { role: 'tabpanel', 'aria-labelledby': `tab-${ui.mode}` } },
    VIEWS[ui.mode](context),
  );
  const footer =
    ui.mode === 'review'
      ? h(
          'p',
          { className: 'footer muted' },
          h(
            'button',
            { className: 'button link', attrs: { type: 'button', 'data-focus-key': 'own-cards' }, onClick: () => context.post({ type: 'openUserCards' }) },
            'Add your own cards',
          ),
        )
      : null;
  root.replaceChildren(renderHeader(), renderTabs(), ...renderNotices(), panel, ...(footer ? [footer] : []));

  const find = (key: string | undefined): HTMLElement | null =>
    key ? root.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(key)}"]`) : null;
  const target = find(focusKey) ?? find(activeKey);
  if (!target) return;
  target.focus({ preventScroll: target === find(activeKey) });
  if (target === find(activeKey) && selection && (target instanceof HTMLTextAreaElement || target instanceof HTMLInputElement)) {
    try {
      target.setSelectionRange(selection.start, selection.end);
    } catch {
      // Checkboxes have no selection.
    }
  }
}

function receive(message: HostMessage): void {
  switch (message.type) {
    case 'state': {
      const previousCard = host?.current?.card.id ?? null;
      host = message;
      notice = notice?.level === 'error' ? notice : null;
      syncReviewState(context);
      const cardChanged = (message.current?.card.id ?? null) !== previousCard;
      if (message.show && message.current) {
        // "Review this in the flashcards": the Review tab, on that card, question first.
        ui.mode = 'review';
        ui.review = { cardId: message.current.card.id, revealed: false, expanded: false };
        context.announce(`Showing the flashcard: ${message.current.card.question}`);
        context.update('reveal');
        return;
      }
      if (ui.mode === 'stats') context.post({ type: 'getStats' });
      context.update(ui.mode === 'review' && cardChanged && previousCard !== null ? 'reveal' : undefined);
      return;
    }
    case 'explainProposal':
      receiveProposal(context, message);
      return;
    case 'explainRecorded':
      receiveRecorded(context, message);
      return;
    case 'stats':
      stats = message.stats;
      if (ui.mode === 'stats') render();
      return;
    case 'notice':
      notice = message;
      context.announce(message.message);
      render();
      return;
  }
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (isHostMessage(event.data)) receive(event.data);
});

document.addEventListener('keydown', (event) => {
  if (event.defaultPrevented || event.altKey) return;
  const target = event.target;
  if (
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLInputElement ||
    target instanceof HTMLSelectElement ||
    (target instanceof HTMLElement && target.isContentEditable)
  ) {
    return;
  }
  // Other Ctrl/Cmd shortcuts belong to VS Code.
  if ((event.ctrlKey || event.metaKey) && event.key !== 'z') return;
  const handler = KEYS[ui.mode];
  if (handler?.(event, context)) event.preventDefault();
});

// Ask the host first: whatever the first paint does, the panel must still get its data.
context.post(ui.review.cardId ? { type: 'ready', focusCardId: ui.review.cardId } : { type: 'ready' });
if (ui.mode === 'stats') context.post({ type: 'getStats' });
render();
