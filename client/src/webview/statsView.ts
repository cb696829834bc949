// A small statistics view: reviews per day, retention, cards by state, quiz and explain totals.
import type { ReviewStats } from '../review/protocol';
import type { ViewContext } from './context';
import { h } from './dom';

function shortDay(day: string): string {
  const [year, month, date] = day.split('-').map(Number);
  if (!year || !month || !date) return day;
  return new Date(year, month - 1, date).toLocaleDateString(undefined, { weekday: 'short', day: 'numeric', month: 'short' });
}

function percent(value: number): string {
  return `${Math.round(value * 100)}%`;
}

function summary(stats: ReviewStats): HTMLElement {
  const retention =
    stats.retention === null
      ? 'not enough reviews yet'
      : `${percent(stats.retention)} of ${stats.retentionSample} review${stats.retentionSample === 1 ? '' : 's'}`;
  const quiz = stats.quizAttempts > 0 ? `${stats.quizCorrect}/${stats.quizAttempts} answers right` : 'not taken yet';
  const items: [string, string][] = [
    ['Retention (last 30 days)', retention],
    ['Reviews in total', String(stats.totalReviews)],
    ['Quiz', quiz],
    ['Explain answers scored', String(stats.explainAttempts)],
  ];
  return h(
    'dl',
    { className: 'stat-list' },
    ...items.flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]),
  );
}

function perDayTable(stats: ReviewStats): HTMLElement {
  const max = Math.max(1, ...stats.reviewsPerDay.map((d) => d.count));
  const body = h('tbody');
  for (const { day, count } of [...stats.reviewsPerDay].reverse()) {
    body.appendChild(
      h(
        'tr',
        {},
        h('th', { attrs: { scope: 'row' } }, shortDay(day)),
        h('td', { className: 'bar-cell' }, h('progress', { attrs: { max, value: count, 'aria-hidden': 'true' } })),
        h('td', { className: 'number' }, String(count)),
      ),
    );
  }
  return h(
    'table',
    { className: 'stats-table per-day' },
    h('caption', {}, `Reviews per day (last ${stats.reviewsPerDay.length} days)`),
    h('thead', {}, h('tr', {}, h('th', { attrs: { scope: 'col' } }, 'Day'), h('th', { attrs: { scope: 'col' } }, h('span', { className: 'visually-hidden' }, 'Chart')), h('th', { attrs: { scope: 'col' } }, 'Reviews'))),
    body,
  );
}

function byStateTable(stats: ReviewStats): HTMLElement {
  const rows: [string, number][] = [
    ['New', stats.cardsByState.new],
    ['Learning', stats.cardsByState.learning],
    ['Review', stats.cardsByState.review],
    ['Relearning', stats.cardsByState.relearning],
  ];
  return h(
    'table',
    { className: 'stats-table by-state' },
    h('caption', {}, 'Cards by state'),
    h('thead', {}, h('tr', {}, h('th', { attrs: { scope: 'col' } }, 'State'), h('th', { attrs: { scope: 'col' } }, 'Cards'))),
    h('tbody', {}, ...rows.map(([name, count]) => h('tr', {}, h('th', { attrs: { scope: 'row' } }, name), h('td', { className: 'number' }, String(count))))),
  );
}

export function renderStats(context: ViewContext): HTMLElement {
  const view = h('div', { className: 'view view-stats' });
  const stats = context.stats;
  if (!stats) {
    view.appendChild(h('p', { className: 'loading', attrs: { role: 'status' } }, 'Loading statistics…'));
    return view;
  }
  view.appendChild(
    h(
      'section',
      { className: 'card', attrs: { 'aria-labelledby': 'stats-title' } },
      h('h2', { className: 'question', id: 'stats-title' }, 'Statistics'),
      summary(stats),
      h('div', { className: 'stats-grid' }, perDayTable(stats), byStateTable(stats)),
    ),
  );
  return view;
}
