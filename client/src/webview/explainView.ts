// Explain: the user writes an answer, the host proposes which concepts it covers, the user ticks or unticks them,
// and the score reads "You got N/5 concepts" with the missed concepts listed.
import type { ExplainPrompt, ExplainProposalMessage, ExplainRecordedMessage } from '../review/protocol';
import { scoreLine } from '../review/protocol';
import type { ViewContext } from './context';
import { h } from './dom';

function currentPrompt(context: ViewContext): ExplainPrompt | undefined {
  const prompts = context.host?.explain ?? [];
  const explain = context.ui.explain;
  const prompt = prompts.find((p) => p.id === explain.promptId) ?? prompts[0];
  if (prompt && explain.promptId !== prompt.id) {
    explain.promptId = prompt.id;
    explain.proposal = null;
    explain.result = null;
    explain.selected = [];
  }
  return prompt;
}

export function receiveProposal(context: ViewContext, message: ExplainProposalMessage): void {
  const explain = context.ui.explain;
  if (explain.promptId !== message.promptId) return;
  explain.proposal = { promptId: message.promptId, matches: message.matches };
  explain.selected = message.matches.filter((m) => m.covered).map((m) => m.conceptId);
  explain.result = null;
  const found = explain.selected.length;
  context.announce(`Proposed: ${found} of ${message.matches.length} concepts covered. Check the boxes, then confirm.`);
  context.update('concept-0');
}

export function receiveRecorded(context: ViewContext, message: ExplainRecordedMessage): void {
  const explain = context.ui.explain;
  if (explain.promptId !== message.promptId) return;
  explain.result = { promptId: message.promptId, score: message.score, total: message.total, covered: [...explain.selected] };
  context.announce(`${scoreLine(message.score, message.total)}.`);
  context.update('explain-result');
}

function check(context: ViewContext, prompt: ExplainPrompt): void {
  const answer = context.ui.explain.drafts[prompt.id] ?? '';
  if (!answer.trim()) {
    context.announce('Write an answer first.');
    return;
  }
  context.post({ type: 'explainCheck', promptId: prompt.id, answer });
}

function confirm(context: ViewContext, prompt: ExplainPrompt): void {
  context.post({ type: 'explainConfirm', promptId: prompt.id, covered: [...context.ui.explain.selected] });
}

function renderPromptPicker(context: ViewContext, prompts: ExplainPrompt[], prompt: ExplainPrompt): HTMLElement | null {
  if (prompts.length < 2) return null;
  const select = h('select', { id: 'explain-prompt', attrs: { 'data-focus-key': 'explain-prompt' } });
  prompts.forEach((p, index) => {
    const option = h('option', { attrs: { value: p.id, selected: p.id === prompt.id } }, `${index + 1}. ${p.prompt}`);
    select.appendChild(option);
  });
  select.addEventListener('change', () => {
    context.ui.explain.promptId = select.value;
    context.ui.explain.proposal = null;
    context.ui.explain.result = null;
    context.ui.explain.selected = [];
    context.ui.explain.hintShown = false;
    context.update('explain-prompt');
  });
  return h('div', { className: 'field' }, h('label', { attrs: { for: 'explain-prompt' } }, 'Choose a prompt'), select);
}

function renderConcepts(context: ViewContext, prompt: ExplainPrompt): HTMLElement | null {
  const explain = context.ui.explain;
  const proposal = explain.proposal;
  if (!proposal || proposal.promptId !== prompt.id) return null;
  const fieldset = h('fieldset', { className: 'concepts' });
  fieldset.appendChild(h('legend', {}, 'Concepts your answer covers: tick or untick to correct the proposal'));
  prompt.concepts.forEach((concept, index) => {
    const match = proposal.matches.find((m) => m.conceptId === concept.id);
    const id = `concept-${index}`;
    const checkbox = h('input', {
      id,
      attrs: {
        type: 'checkbox',
        'data-focus-key': id,
        'data-concept': concept.id,
        checked: explain.selected.includes(concept.id),
        'aria-describedby': `${id}-description`,
        disabled: explain.result !== null,
      },
    });
    checkbox.addEventListener('change', () => {
      const selected = new Set(explain.selected);
      if (checkbox.checked) selected.add(concept.id);
      else selected.delete(concept.id);
      explain.selected = prompt.concepts.filter((c) => selected.has(c.id)).map((c) => c.id);
      context.update(id);
    });
    const quoted = (list: readonly string[]): string => list.map((e) => `“${e}”`).join(', ');
    let evidence = 'Not found in your answer';
    if (match && match.evidence.length > 0) evidence = `Found: ${quoted(match.evidence)}`;
    else if (match?.negated?.length) evidence = `Not counted, your answer rules it out: ${quoted(match.negated)}`;
    fieldset.appendChild(
      h(
        'div',
        { className: `concept${match?.covered ? ' concept-proposed' : ''}` },
        checkbox,
        h(
          'label',
          { attrs: { for: id } },
          h('span', { className: 'concept-label' }, concept.label),
          h('span', { className: 'concept-description', id: `${id}-description` }, concept.description),
          h('span', { className: 'concept-evidence' }, evidence),
        ),
      ),
    );
  });
  return fieldset;
}

function renderResult(context: ViewContext, prompt: ExplainPrompt): HTMLElement | null {
  const result = context.ui.explain.result;
  if (!result || result.promptId !== prompt.id) return null;
  const missed = prompt.concepts.filter((c) => !result.covered.includes(c.id));
  return h(
    'div',
    { className: 'result', attrs: { role: 'status' } },
    h(
      'h3',
      { className: 'score', id: 'explain-result', attrs: { tabindex: -1, 'data-focus-key': 'explain-result' } },
      scoreLine(result.score, result.total),
    ),
    missed.length > 0
      ? h(
          'div',
          {},
          h('p', {}, 'Missed concepts:'),
          h(
            'ul',
            { className: 'missed' },
            ...missed.map((c) => h('li', {}, h('strong', {}, c.label), ': ', c.description)),
          ),
        )
      : h('p', {}, 'Every concept covered.'),
  );
}

export function renderExplain(context: ViewContext): HTMLElement {
  const view = h('div', { className: 'view view-explain' });
  if (!context.host) {
    view.appendChild(h('p', { className: 'loading', attrs: { role: 'status' } }, 'Loading…'));
    return view;
  }
  const prompts = context.host.explain;
  const prompt = currentPrompt(context);
  if (!prompt) {
    view.appendChild(h('p', {}, 'There are no explain prompts in the deck.'));
    return view;
  }
  const explain = context.ui.explain;
  const section = h('section', { className: 'card', attrs: { 'aria-labelledby': 'explain-title' } });
  const picker = renderPromptPicker(context, prompts, prompt);
  if (picker) section.appendChild(picker);
  section.appendChild(h('h2', { className: 'question', id: 'explain-title' }, prompt.prompt));

  const hintId = 'explain-hint';
  section.appendChild(
    h(
      'button',
      {
        className: 'button link',
        attrs: { type: 'button', 'aria-expanded': explain.hintShown ? 'true' : 'false', 'aria-controls': hintId, 'data-focus-key': 'hint' },
        onClick: () => {
          explain.hintShown = !explain.hintShown;
          context.update('hint');
        },
      },
      explain.hintShown ? 'Hide hint' : 'Show hint',
    ),
  );
  const hint = h('p', { className: 'hint', id: hintId, attrs: { hidden: !explain.hintShown } }, prompt.hint);
  section.appendChild(hint);

  const textarea = h('textarea', {
    id: 'explain-answer',
    attrs: {
      rows: 8,
      'data-focus-key': 'explain-answer',
      'aria-keyshortcuts': 'Control+Enter',
      'aria-describedby': explain.hintShown ? hintId : undefined,
      spellcheck: 'true',
    },
  });
  textarea.value = explain.drafts[prompt.id] ?? '';
  textarea.addEventListener('input', () => {
    explain.drafts[prompt.id] = textarea.value;
    context.persist();
  });
  textarea.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      check(context, prompt);
    }
  });
  section.appendChild(
    h('div', { className: 'field' }, h('label', { attrs: { for: 'explain-answer' } }, 'Your answer'), textarea),
  );
  section.appendChild(
    h(
      'div',
      { className: 'actions' },
      h(
        'button',
        { className: 'button primary', attrs: { type: 'button', 'data-focus-key': 'explain-check' }, onClick: () => check(context, prompt) },
        explain.proposal?.promptId === prompt.id ? 'Check again' : 'Check my answer',
      ),
    ),
  );

  const concepts = renderConcepts(context, prompt);
  if (concepts) {
    section.appendChild(concepts);
    if (!explain.result) {
      section.appendChild(
        h(
          'div',
          { className: 'actions' },
          h('span', { className: 'muted', attrs: { 'aria-live': 'polite' } }, `Ticked: ${explain.selected.length}/${prompt.concepts.length}`),
          h(
            'button',
            {
              className: 'button primary',
              attrs: { type: 'button', 'data-focus-key': 'explain-confirm' },
              onClick: () => confirm(context, prompt),
            },
            'Confirm my score',
          ),
        ),
      );
    }
  }
  const result = renderResult(context, prompt);
  if (result) section.appendChild(result);
  view.appendChild(section);
  return view;
}
