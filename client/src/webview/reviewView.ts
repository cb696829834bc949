// "Review due cards": the question, Space or Enter reveals the answer, then Again / Hard / Good / Easy (keys 1-4),
// each button showing when the card would come back.
import { GRADE_NAMES, type CurrentCard, type Flashcard, type GradeName, type WorkspaceExample } from '../review/protocol';
import type { KeyHandler, ViewContext } from './context';
import { append, codeBlock, h, kbd, richText, appendInline } from './dom';

const GRADE_LABELS: Record<GradeName, string> = { again: 'Again', hard: 'Hard', good: 'Good', easy: 'Easy' };

let answerPending = false;

/** The host's new state replaced the card on screen: a different card starts hidden. */
export function syncReviewState(context: ViewContext): void {
  answerPending = false;
  const currentId = context.host?.current?.card.id ?? null;
  if (context.ui.review.cardId !== currentId) context.ui.review = { cardId: currentId, revealed: false, expanded: false };
}

function sourceLabel(card: Flashcard): string {
  if (card.source === 'rule') return `Rule ${card.ruleId ?? ''}`.trim();
  if (card.source === 'user') return 'Your card';
  return 'Seed deck';
}

function longInterval(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return 'in less than a minute';
  if (minutes < 60) return `in ${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `in ${hours} hour${hours === 1 ? '' : 's'}`;
  const days = Math.round(hours / 24);
  return `in ${days} day${days === 1 ? '' : 's'}`;
}

function reveal(context: ViewContext): void {
  if (context.ui.review.revealed || !context.host?.current) return;
  context.ui.review.revealed = true;
  context.update('answer');
}

function grade(context: ViewContext, gradeName: GradeName): void {
  const current = context.host?.current;
  if (!current || !context.ui.review.revealed || answerPending) return;
  answerPending = true;
  context.announce(`Graded ${GRADE_LABELS[gradeName]}.`);
  context.post({ type: 'answer', cardId: current.card.id, grade: gradeName });
}

export function undo(context: ViewContext): void {
  if (!context.host?.canUndo) return;
  context.post({ type: 'undo' });
  context.announce('Last answer undone.');
}

function renderCard(context: ViewContext, current: CurrentCard): HTMLElement {
  const { card } = current;
  const revealed = context.ui.review.revealed;
  const question = h('h2', { className: 'question', id: 'card-question' });
  appendInline(question, card.question, card.codeTerms);

  const meta = h(
    'div',
    { className: 'card-meta' },
    h('span', { className: 'badge' }, sourceLabel(card)),
    card.level ? h('span', { className: 'badge badge-quiet' }, card.level) : null,
    current.isDue ? null : h('span', { className: 'badge badge-quiet' }, 'not due yet'),
  );

  const section = h('section', { className: 'card', attrs: { 'aria-labelledby': 'card-question' } }, meta, question);
  if (card.example) meta.appendChild(h('span', { className: 'badge badge-workspace' }, 'fires in your code'));
  if (card.questionCode) section.appendChild(codeBlock(card.questionCode, `The ${card.questionCode.language.toUpperCase()} the question is about`));
  if (!revealed) {
    section.appendChild(
      h(
        'div',
        { className: 'actions' },
        h(
          'button',
          {
            className: 'button primary',
            id: 'reveal',
            attrs: { type: 'button', 'data-focus-key': 'reveal', 'aria-keyshortcuts': 'Space Enter' },
            onClick: () => reveal(context),
          },
          'Show answer ',
          kbd('Space'),
        ),
      ),
    );
    return section;
  }

  const answer = h('div', {
    className: 'answer',
    id: 'card-answer',
    attrs: { tabindex: -1, 'data-focus-key': 'answer', role: 'region', 'aria-label': 'Answer' },
  });
  append(answer, richText(card.answer, card.codeTerms));
  if (card.note) answer.appendChild(renderNote(card.note, card.codeTerms));
  const more = renderMore(context, card);
  if (more) answer.appendChild(more);
  if (card.example) answer.appendChild(renderExample(card.example));
  section.appendChild(answer);

  const buttons = h('div', {
    className: 'grades',
    attrs: { role: 'group', 'aria-label': 'How well did you remember? Keys 1 to 4' },
  });
  GRADE_NAMES.forEach((gradeName, index) => {
    const preview = current.previews[gradeName];
    buttons.appendChild(
      h(
        'button',
        {
          className: `button grade grade-${gradeName}`,
          attrs: {
            type: 'button',
            'data-grade': gradeName,
            'data-focus-key': `grade-${gradeName}`,
            'aria-keyshortcuts': String(index + 1),
            'aria-label': `${GRADE_LABELS[gradeName]}: next review ${longInterval(preview.intervalMs)} (key ${index + 1})`,
          },
          onClick: () => grade(context, gradeName),
        },
        h('span', { className: 'grade-name' }, GRADE_LABELS[gradeName]),
        h('span', { className: 'grade-interval' }, preview.label),
        kbd(String(index + 1)),
      ),
    );
  });
  section.appendChild(buttons);
  return section;
}

export function renderNote(note: string, codeTerms: readonly string[]): HTMLElement {
  const aside = h('aside', { className: 'note', attrs: { 'aria-label': 'Note' } }, h('p', { className: 'note-title' }, 'Note'));
  aside.appendChild(richText(note, codeTerms));
  return aside;
}

/** The rest of a long answer and the safe code, behind a disclosure button. */
function renderMore(context: ViewContext, card: Flashcard): HTMLElement | null {
  if (!card.more && !card.code) return null;
  const expanded = context.ui.review.expanded;
  const wrapper = h('div', { className: 'more' });
  wrapper.appendChild(
    h(
      'button',
      {
        className: 'button link',
        id: 'more-toggle',
        attrs: { type: 'button', 'aria-expanded': expanded ? 'true' : 'false', 'aria-controls': 'more-body', 'data-focus-key': 'more' },
        onClick: () => {
          context.ui.review.expanded = !context.ui.review.expanded;
          context.update('more');
        },
      },
      expanded ? 'Show less' : card.code && !card.more ? 'Show the safe code' : 'Show more',
    ),
  );
  const body = h('div', { className: 'more-body', id: 'more-body', attrs: { hidden: !expanded } });
  if (card.more) body.appendChild(richText(card.more, card.codeTerms));
  if (card.code) body.appendChild(codeBlock(card.code, `Safe pattern (${card.code.language})`));
  wrapper.appendChild(body);
  return wrapper;
}

/** Where the rule fires in the user's own code, with the operation it flagged (shown as text, never markup). */
function renderExample(example: WorkspaceExample): HTMLElement {
  const others = example.count > 1 ? ` (and ${example.count - 1} more place${example.count > 2 ? 's' : ''})` : '';
  return h(
    'div',
    { className: 'example' },
    h('p', { className: 'example-title' }, 'In your code: ', h('code', {}, example.location), others),
    codeBlock({ language: 'python', text: example.code }, `Your operation at ${example.location}`),
  );
}

function renderEmpty(context: ViewContext): HTMLElement {
  const host = context.host;
  const next = host?.nextDue ? `The next card is due ${host.nextDue}.` : 'New cards come back tomorrow.';
  return h(
    'section',
    { className: 'card card-empty', attrs: { 'aria-labelledby': 'empty-title' } },
    h('h2', { id: 'empty-title', className: 'question' }, 'All caught up'),
    h('p', {}, `Nothing is due right now. ${next}`),
    h(
      'div',
      { className: 'actions' },
      h(
        'button',
        {
          className: 'button secondary',
          attrs: { type: 'button', 'data-focus-key': 'go-quiz' },
          onClick: () => {
            context.ui.mode = 'quiz';
            context.update('tab-quiz');
          },
        },
        'Take the quiz',
      ),
      h(
        'button',
        {
          className: 'button secondary',
          attrs: { type: 'button', 'data-focus-key': 'go-explain' },
          onClick: () => {
            context.ui.mode = 'explain';
            context.update('tab-explain');
          },
        },
        'Explain a topic',
      ),
    ),
  );
}

export function renderReview(context: ViewContext): HTMLElement {
  const host = context.host;
  const view = h('div', { className: 'view view-review' });
  if (!host) {
    view.appendChild(h('p', { className: 'loading', attrs: { role: 'status' } }, 'Loading…'));
    return view;
  }
  view.appendChild(host.current ? renderCard(context, host.current) : renderEmpty(context));
  view.appendChild(
    h(
      'div',
      { className: 'toolbar' },
      h(
        'button',
        {
          className: 'button secondary',
          id: 'undo',
          attrs: {
            type: 'button',
            disabled: !host.canUndo,
            'data-focus-key': 'undo',
            'aria-keyshortcuts': 'U',
            'aria-label': 'Undo the last answer (key U)',
          },
          onClick: () => undo(context),
        },
        'Undo ',
        kbd('U'),
      ),
      h('span', { className: 'muted' }, `${host.totalCards} cards in the deck`),
    ),
  );
  return view;
}

export const reviewKeys: KeyHandler = (event, context) => {
  const host = context.host;
  if (!host) return false;
  const onControl = event.target instanceof HTMLElement && event.target.closest('button, a, select, summary') !== null;
  if ((event.key === ' ' || event.key === 'Enter') && !onControl && host.current && !context.ui.review.revealed) {
    reveal(context);
    return true;
  }
  const index = ['1', '2', '3', '4'].indexOf(event.key);
  if (index >= 0 && context.ui.review.revealed) {
    grade(context, GRADE_NAMES[index]!);
    return true;
  }
  if (event.key === 'u' || event.key === 'U' || ((event.ctrlKey || event.metaKey) && event.key === 'z')) {
    undo(context);
    return true;
  }
  return false;
};
