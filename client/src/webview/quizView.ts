// Quiz: multiple choice with the options shuffled, instant feedback with the explanation, the score at the end.
import { ruleCardId, type QuizQuestion } from '../review/protocol';
import type { KeyHandler, ViewContext } from './context';
import { appendInline, h, kbd, richText } from './dom';
import { renderNote } from './reviewView';
import type { QuizState } from './uiState';

export function shuffled<T>(items: readonly T[], random: () => number = Math.random): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/** Questions per round: the deck has dozens, a round is a few minutes. */
export const QUIZ_ROUND = 10;

function startQuiz(context: ViewContext): void {
  const questions = shuffled(context.host?.quiz ?? []).slice(0, QUIZ_ROUND);
  context.ui.quiz = {
    items: questions.map((q) => ({
      questionId: q.id,
      options: shuffled([q.answer, ...q.distractors]),
      choice: null,
      correct: null,
    })),
    index: 0,
    finished: false,
  };
  context.update('quiz-option-0');
}

function questionById(context: ViewContext, id: string): QuizQuestion | undefined {
  return context.host?.quiz.find((q) => q.id === id);
}

/** The quiz in progress, minus questions the deck no longer has (e.g. the user's file changed). */
function liveQuiz(context: ViewContext): QuizState | null {
  const quiz = context.ui.quiz;
  if (!quiz || !context.host) return null;
  const items = quiz.items.filter((item) => questionById(context, item.questionId));
  if (items.length !== quiz.items.length) {
    quiz.items = items;
    quiz.index = Math.min(quiz.index, Math.max(0, items.length - 1));
  }
  return items.length > 0 ? quiz : null;
}

function choose(context: ViewContext, optionIndex: number): void {
  const quiz = liveQuiz(context);
  const item = quiz?.items[quiz.index];
  if (!quiz || !item || item.choice !== null || quiz.finished) return;
  const question = questionById(context, item.questionId);
  const choice = item.options[optionIndex];
  if (!question || choice === undefined) return;
  item.choice = choice;
  item.correct = choice === question.answer;
  context.post({ type: 'quizAnswered', questionId: question.id, choice });
  context.announce(item.correct ? 'Correct.' : `Incorrect. The answer is: ${question.answer}`);
  context.update('quiz-next');
}

function next(context: ViewContext): void {
  const quiz = liveQuiz(context);
  if (!quiz || quiz.items[quiz.index]?.choice === null) return;
  if (quiz.index + 1 < quiz.items.length) {
    quiz.index++;
    context.update('quiz-option-0');
  } else {
    quiz.finished = true;
    const score = quiz.items.filter((item) => item.correct).length;
    context.announce(`Quiz finished. Score ${score} of ${quiz.items.length}.`);
    context.update('quiz-restart');
  }
}

function renderIntro(context: ViewContext): HTMLElement {
  const count = context.host?.quiz.length ?? 0;
  return h(
    'section',
    { className: 'card', attrs: { 'aria-labelledby': 'quiz-title' } },
    h('h2', { className: 'question', id: 'quiz-title' }, 'Quiz'),
    h(
      'p',
      {},
      count > QUIZ_ROUND
        ? `${QUIZ_ROUND} multiple-choice questions, drawn from ${count} (most generated from the rules). Every round draws again and shuffles the options.`
        : count > 0
          ? `${count} multiple-choice questions. The options are shuffled every time.`
          : 'There are no quiz questions in the deck.',
    ),
    count > 0
      ? h(
          'div',
          { className: 'actions' },
          h(
            'button',
            { className: 'button primary', attrs: { type: 'button', 'data-focus-key': 'quiz-start' }, onClick: () => startQuiz(context) },
            'Start the quiz',
          ),
        )
      : null,
  );
}

function renderResult(context: ViewContext, quiz: QuizState): HTMLElement {
  const score = quiz.items.filter((item) => item.correct).length;
  const missed = quiz.items.filter((item) => !item.correct);
  const section = h(
    'section',
    { className: 'card', attrs: { 'aria-labelledby': 'quiz-score' } },
    h('h2', { className: 'question score', id: 'quiz-score' }, `Score: ${score}/${quiz.items.length}`),
  );
  if (missed.length > 0) {
    section.appendChild(h('h3', {}, 'To look at again'));
    const list = h('ul', { className: 'missed' });
    for (const item of missed) {
      const question = questionById(context, item.questionId);
      if (!question) continue;
      const entry = h('li');
      const q = h('p', { className: 'missed-question' });
      appendInline(q, question.question, question.codeTerms);
      const a = h('p', {}, 'Answer: ');
      appendInline(a, question.answer, question.codeTerms);
      entry.append(q, a);
      list.appendChild(entry);
    }
    section.appendChild(list);
  } else {
    section.appendChild(h('p', {}, 'Every answer was right.'));
  }
  section.appendChild(
    h(
      'div',
      { className: 'actions' },
      h(
        'button',
        { className: 'button primary', attrs: { type: 'button', 'data-focus-key': 'quiz-restart' }, onClick: () => startQuiz(context) },
        'Take the quiz again',
      ),
    ),
  );
  return section;
}

function renderQuestion(context: ViewContext, quiz: QuizState): HTMLElement {
  const item = quiz.items[quiz.index]!;
  const question = questionById(context, item.questionId)!;
  const answered = item.choice !== null;
  const title = h('h2', { className: 'question', id: 'quiz-question' });
  appendInline(title, question.question, question.codeTerms);
  const section = h(
    'section',
    { className: 'card', attrs: { 'aria-labelledby': 'quiz-question' } },
    h('div', { className: 'card-meta' }, h('span', { className: 'badge' }, `Question ${quiz.index + 1} of ${quiz.items.length}`)),
    title,
  );
  const options = h('div', { className: 'options', attrs: { role: 'group', 'aria-label': 'Answers, keys 1 to 4' } });
  item.options.forEach((option, index) => {
    const isAnswer = option === question.answer;
    const isChoice = option === item.choice;
    let state = '';
    if (answered && isAnswer) state = ' option-correct';
    else if (answered && isChoice) state = ' option-wrong';
    const label = h('span', { className: 'option-text' });
    appendInline(label, option, question.codeTerms);
    const verdict = answered && (isAnswer || isChoice) ? (isAnswer ? 'correct answer' : 'your answer, incorrect') : '';
    options.appendChild(
      h(
        'button',
        {
          className: `button option${state}`,
          attrs: {
            type: 'button',
            'data-focus-key': `quiz-option-${index}`,
            'aria-disabled': answered ? 'true' : undefined,
            'aria-keyshortcuts': index < 9 ? String(index + 1) : undefined,
            'aria-description': verdict || undefined,
          },
          onClick: () => choose(context, index),
        },
        kbd(String(index + 1)),
        label,
        verdict ? h('span', { className: 'option-verdict' }, isAnswer ? '✓' : '✗') : null,
      ),
    );
  });
  section.appendChild(options);
  if (answered) {
    const feedback = h(
      'div',
      { className: `feedback ${item.correct ? 'feedback-correct' : 'feedback-wrong'}`, attrs: { role: 'status' } },
      h('p', { className: 'feedback-title' }, item.correct ? '✓ Correct' : '✗ Incorrect'),
      richText(question.explanation, question.codeTerms),
      question.note ? renderNote(question.note, question.codeTerms) : null,
      question.ruleId
        ? h(
            'button',
            {
              className: 'button link',
              attrs: { type: 'button', 'data-focus-key': 'quiz-flashcard' },
              onClick: () => context.post({ type: 'focusCard', cardId: ruleCardId(question.ruleId!) }),
            },
            'Review this in the flashcards',
          )
        : null,
    );
    section.appendChild(feedback);
    const last = quiz.index + 1 >= quiz.items.length;
    section.appendChild(
      h(
        'div',
        { className: 'actions' },
        h(
          'button',
          {
            className: 'button primary',
            id: 'quiz-next',
            attrs: { type: 'button', 'data-focus-key': 'quiz-next', 'aria-keyshortcuts': 'Enter' },
            onClick: () => next(context),
          },
          last ? 'See the score' : 'Next question',
        ),
      ),
    );
  }
  return section;
}

export function renderQuiz(context: ViewContext): HTMLElement {
  const view = h('div', { className: 'view view-quiz' });
  if (!context.host) {
    view.appendChild(h('p', { className: 'loading', attrs: { role: 'status' } }, 'Loading…'));
    return view;
  }
  const quiz = liveQuiz(context);
  if (!quiz) view.appendChild(renderIntro(context));
  else if (quiz.finished) view.appendChild(renderResult(context, quiz));
  else view.appendChild(renderQuestion(context, quiz));
  return view;
}

export const quizKeys: KeyHandler = (event, context) => {
  const quiz = liveQuiz(context);
  if (!quiz || quiz.finished) return false;
  const item = quiz.items[quiz.index];
  if (!item) return false;
  const digit = Number(event.key);
  if (Number.isInteger(digit) && digit >= 1 && digit <= item.options.length && item.choice === null) {
    choose(context, digit - 1);
    return true;
  }
  const onControl = event.target instanceof HTMLElement && event.target.closest('button, a, select, summary') !== null;
  if ((event.key === 'Enter' || event.key === 'n') && !onControl && item.choice !== null) {
    next(context);
    return true;
  }
  return false;
};
