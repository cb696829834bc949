// The review webview in a real browser (Debian's Chromium through playwright-core): the panel's own HTML and
// CSP, the bundled script, the stylesheet, and a real ReviewSession answering as the extension host would.
import { strict as assert } from 'node:assert';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import {
  buildDeck,
  catalogueRuleCards,
  catalogueRuleQuiz,
  loadSeedDeck,
  parseUserCards,
  ruleCards,
  type DeckLoadResult,
} from '../../client/src/review/deck';
import type { QuizQuestion } from '../../client/src/review/protocol';
import { ReviewSession } from '../../client/src/review/session';
import { ProgressStore } from '../../client/src/review/store';
import {
  ARTIFACTS,
  bundleWebview,
  launchChromium,
  MemoryMemento,
  openPanel,
  startServer,
  type OpenedPanel,
  type ReviewTestServer,
} from './reviewHarness';
import type { ThemeKind } from './themes';

const seed = loadSeedDeck().deck;

function fullDeck(): DeckLoadResult {
  const rule = {
    id: 'add-index-non-concurrent',
    title: 'Index built without CONCURRENTLY',
    severity: 'warning' as const,
    vendors: ['postgresql' as const],
    category: 'locking' as const,
    explanation: {
      summary: 'On PostgreSQL `CREATE INDEX` holds a SHARE lock for the whole build: every INSERT, UPDATE and DELETE waits.',
      sql: 'CREATE INDEX "shop_order_created_idx" ON "shop_order" ("created");',
      lock: 'SHARE on the table for the whole index build',
      blocks: 'writes',
      rewrite: 'no rewrite; one full scan',
      safeAlternative: 'Use `AddIndexConcurrently` in a migration with `atomic = False`.',
      safeCode:
        'from django.contrib.postgres.operations import AddIndexConcurrently\n\n' +
        'class Migration(migrations.Migration):\n    atomic = False\n\n    operations = [\n' +
        '        AddIndexConcurrently("order", models.Index(fields=["created"], name="order_created_idx")),\n    ]',
    },
  };
  return buildDeck(loadSeedDeck(), ruleCards([rule]), []);
}

function newSession(deck: DeckLoadResult = fullDeck()): { session: ReviewSession; memento: MemoryMemento } {
  const memento = new MemoryMemento();
  return { session: new ReviewSession(deck, { store: new ProgressStore(memento) }), memento };
}

async function questionText(page: Page): Promise<string> {
  return (await page.locator('.card .question').first().textContent()) ?? '';
}

async function waitForQuestion(page: Page, text: string): Promise<void> {
  await page.locator('.card .question', { hasText: text }).waitFor();
}

/** The whole deck as the extension builds it: seed, every rule's card and the generated quiz questions. */
function catalogueDeck(): DeckLoadResult {
  return buildDeck(loadSeedDeck(), catalogueRuleCards(), [], catalogueRuleQuiz());
}

/** The quiz question on screen (rounds draw their questions in a random order). */
async function currentQuestion(page: Page, quiz: readonly QuizQuestion[]): Promise<QuizQuestion> {
  const text = ((await page.locator('#quiz-question').textContent()) ?? '').trim();
  const question = quiz.find((q) => q.question.replace(/`/g, '') === text);
  assert.ok(question, `a deck question: ${text}`);
  return question;
}

async function counts(page: Page): Promise<string[]> {
  return page.locator('.header .count-number').allTextContents();
}

function assertClean(panel: OpenedPanel): void {
  assert.deepEqual(panel.dialogs, [], 'no dialog was opened');
  assert.deepEqual(panel.errors, [], 'no console errors, CSP violations or exceptions');
}

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

describe('review webview in Chromium', function () {
  this.timeout(60_000);
  let browser: Browser | undefined;
  let server: ReviewTestServer | undefined;
  let cleanupBundle: (() => void) | undefined;
  const opened: OpenedPanel[] = [];

  before(async function () {
    browser = await launchChromium();
    if (!browser) {
      const why = '/usr/bin/chromium is not installed; apt-get install -y chromium';
      // CI must have every host: there a missing browser fails the suite instead of skipping it.
      if (process.env.CI) throw new Error(`${why} (CI is set, so this fails instead of skipping)`);
      console.warn(`    (skipped: ${why})`);
      this.skip();
    }
    const bundle = await bundleWebview();
    cleanupBundle = bundle.cleanup;
    server = await startServer(bundle.script);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    cleanupBundle?.();
  });

  afterEach(async () => {
    for (const panel of opened.splice(0)) await panel.context.close();
  });

  async function open(session: ReviewSession, theme: ThemeKind = 'vscode-light'): Promise<OpenedPanel> {
    const panel = await openPanel(browser!, server!, session, theme);
    opened.push(panel);
    return panel;
  }

  it('serves the panel with a strict CSP, its stylesheet and the theme', async () => {
    const { session } = newSession();
    const panel = await open(session, 'vscode-dark');
    const { page } = panel;
    const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    assert.match(csp ?? '', /^default-src 'none'; style-src http:\/\/127\.0\.0\.1:\d+; script-src 'nonce-[A-Za-z0-9+/=]{24}'; img-src http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(await page.locator('script:not([nonce])').count(), 0);
    // VS Code (and the stub) put the theme variables on <html> through CSSOM; nothing inside the page may.
    assert.equal(await page.locator('body [style], body[style]').count(), 0, 'no inline styles');
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(background, 'rgb(31, 31, 31)', 'media/review.css applied the theme background');
    assert.deepEqual(await counts(page), ['6', '0', '0']);
    assertClean(panel);
  });

  it('reveals with Space, grades with the number keys, and undoes with U', async () => {
    const { session, memento } = newSession();
    const panel = await open(session);
    const { page } = panel;
    const [first, second] = seed.flashcards;
    assert.equal(await questionText(page), first!.question);
    assert.equal(await page.locator('.answer').count(), 0, 'the answer starts hidden');

    await page.keyboard.press('Space');
    await page.locator('.answer', { hasText: 'update the database schema' }).waitFor();
    // The seed's words stay; where they mislead ("without losing data"), a note says what is true.
    assert.equal(await page.locator('.answer .note').textContent(), `Note${first!.note}`);
    assert.deepEqual(await page.locator('.grade .grade-name').allTextContents(), ['Again', 'Hard', 'Good', 'Easy']);
    const intervals = await page.locator('.grade .grade-interval').allTextContents();
    assert.deepEqual(intervals.slice(0, 3), ['1m', '6m', '10m']);
    assert.match(intervals[3]!, /^\d+d$/);
    assert.match((await page.locator('.grade-good').getAttribute('aria-label')) ?? '', /Good: next review in 10 minutes/);

    await page.keyboard.press('3');
    await waitForQuestion(page, second!.question);
    assert.equal(await page.locator('.answer').count(), 0, 'the next card starts hidden');
    assert.deepEqual(await counts(page), ['5', '1', '0']);
    assert.equal(memento.writes, 1, 'saved after the answer');
    const posted = await panel.posted();
    assert.deepEqual(posted.filter((m) => (m as { type: string }).type === 'answer'), [
      { type: 'answer', cardId: first!.id, grade: 'good' },
    ]);

    // Keys before the reveal do nothing; Enter reveals too.
    await page.keyboard.press('1');
    assert.equal(await questionText(page), second!.question);
    await page.keyboard.press('Enter');
    await page.locator('.answer').waitFor();
    await page.keyboard.press('1');
    await waitForQuestion(page, seed.flashcards[2]!.question);
    assert.deepEqual(await counts(page), ['4', '2', '0']);

    await page.keyboard.press('u');
    await waitForQuestion(page, second!.question);
    assert.deepEqual(await counts(page), ['5', '1', '0']);
    assert.equal(memento.writes, 3);
    assertClean(panel);
  });

  it('shows a visible focus outline when moving with Tab', async () => {
    const { session } = newSession();
    const panel = await open(session);
    const { page } = panel;
    await page.keyboard.press('Tab');
    const focus = await page.evaluate(() => {
      const element = document.activeElement as HTMLElement;
      const style = getComputedStyle(element);
      return { key: element.dataset.focusKey, outline: style.outlineStyle, width: style.outlineWidth };
    });
    assert.equal(focus.key, 'tab-review');
    assert.notEqual(focus.outline, 'none');
    assert.notEqual(focus.width, '0px');
    // Arrow keys move between the mode tabs.
    await page.keyboard.press('ArrowRight');
    await page.locator('#tab-quiz[aria-selected="true"]').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'tab-quiz');
    const unnamed = await page.evaluate(() =>
      Array.from(document.querySelectorAll('button')).filter((b) => !(b.getAttribute('aria-label') || b.textContent?.trim())).length,
    );
    assert.equal(unnamed, 0, 'every button has an accessible name');
    assertClean(panel);
  });

  it('takes the quiz with shuffled options, instant feedback and a score', async () => {
    const { session, memento } = newSession();
    const panel = await open(session);
    const { page } = panel;
    await page.locator('#tab-quiz').click();
    await page.getByRole('button', { name: 'Start the quiz' }).click();

    const answerPositions: number[] = [];
    const asked = new Set<string>();
    for (let i = 0; i < seed.quiz.length; i++) {
      await page.locator('.badge', { hasText: `Question ${i + 1} of 5` }).waitFor();
      const question = await currentQuestion(page, seed.quiz);
      asked.add(question.id);
      const options = (await page.locator('.option .option-text').allTextContents()).map((t) => t.trim());
      assert.deepEqual([...options].sort(), [question.answer, ...question.distractors].sort());
      const correctIndex = options.indexOf(question.answer);
      answerPositions.push(correctIndex);
      // Right for the first three questions, wrong for the last two.
      const pick = i < 3 ? correctIndex : (correctIndex + 1) % options.length;
      await page.keyboard.press(String(pick + 1));
      const feedback = page.locator('.feedback');
      await feedback.waitFor();
      assert.match((await feedback.textContent()) ?? '', i < 3 ? /^✓ Correct/ : /^✗ Incorrect/);
      assert.ok(((await feedback.textContent()) ?? '').includes(question.explanation), 'the explanation is shown');
      assert.equal(await page.locator('.option-correct .option-text').textContent(), question.answer);
      if (question.note) {
        assert.ok(((await page.locator('.feedback .note').textContent()) ?? '').includes(question.note), 'the clarifying note is shown');
      }
      if (i === 3) await screenshot(page, 'review-quiz-feedback-light');
      await page.keyboard.press('Enter');
    }
    assert.equal(asked.size, 5, 'every question once');
    await page.locator('.score', { hasText: 'Score: 3/5' }).waitFor();
    assert.equal(await page.locator('.missed li').count(), 2);
    assert.ok(answerPositions.some((p) => p !== 0), `options are shuffled (answer positions ${answerPositions.join(', ')})`);
    assert.equal(memento.writes, 5, 'each quiz answer is saved');
    assertClean(panel);
  });

  it('scores an explain answer: proposed concepts, corrected by the user, "You got N/5 concepts"', async () => {
    const { session } = newSession();
    const panel = await open(session);
    const { page } = panel;
    await page.locator('#tab-explain').click();
    await page.locator('.question', { hasText: seed.explain[0]!.prompt }).waitFor();
    await page.getByRole('button', { name: 'Show hint' }).click();
    await page.locator('.hint', { hasText: seed.explain[0]!.hint }).waitFor();
    await page
      .getByLabel('Your answer')
      .fill('I test it on staging first and take a backup. Then I apply it during low traffic.');
    await page.getByRole('button', { name: 'Check my answer' }).click();
    await page.locator('fieldset.concepts').waitFor();

    const boxes = page.locator('fieldset.concepts input[type="checkbox"]');
    assert.equal(await boxes.count(), 5);
    const proposed = await boxes.evaluateAll((inputs) =>
      inputs.filter((i) => (i as HTMLInputElement).checked).map((i) => (i as HTMLInputElement).dataset.concept),
    );
    assert.deepEqual(proposed, ['test-on-staging', 'back-up', 'small-compatible-steps']);
    assert.match((await page.locator('.concept-evidence').first().textContent()) ?? '', /^Found: “staging”, “test”$/);

    // The user corrects the proposal: they did mention monitoring in their own words.
    await page.getByLabel(/Have a rollback plan and monitor/).check();
    await page.locator('.actions .muted', { hasText: 'Ticked: 4/5' }).waitFor();
    await page.getByRole('button', { name: 'Confirm my score' }).click();
    await page.locator('.score', { hasText: 'You got 4/5 concepts' }).waitFor();
    const missed = await page.locator('.result .missed li').allTextContents();
    assert.equal(missed.length, 1);
    assert.match(missed[0]!, /^Review the SQL and its locks: /);
    assertClean(panel);
  });

  it('restores the mode, the revealed card and the quiz after a reload', async () => {
    const { session } = newSession();
    const panel = await open(session);
    const { page } = panel;
    await page.keyboard.press('3'); // ignored: nothing revealed yet
    await page.keyboard.press(' ');
    await page.locator('.answer').waitFor();
    await page.reload();
    await page.locator('.answer', { hasText: 'update the database schema' }).waitFor();
    assert.equal(await questionText(page), seed.flashcards[0]!.question);

    await page.locator('#tab-quiz').click();
    await page.getByRole('button', { name: 'Start the quiz' }).click();
    const options = await page.locator('.option .option-text').allTextContents();
    await page.keyboard.press('1');
    await page.locator('.feedback').waitFor();
    await page.reload();
    await page.locator('.feedback').waitFor();
    assert.deepEqual(await page.locator('.option .option-text').allTextContents(), options, 'same shuffled order');
    assert.equal(await page.locator('#tab-quiz').getAttribute('aria-selected'), 'true');
    assertClean(panel);
  });

  it('renders card text as text: an <img onerror> card stays inert', async () => {
    const xss = '<img src=x onerror=alert(1)>';
    const userFile = JSON.stringify({
      flashcards: [
        { id: 'xss', question: xss, answer: '<script>alert(2)</script> and `<b onmouseover=alert(3)>`', code: '<svg onload=alert(4)>' },
        { id: 'bad', question: 'Q', answer: 'A', '<img src=y onerror=alert(5)>': 1 },
      ],
      quiz: [{ id: 'xss-quiz', question: xss, answer: '<img src=z onerror=alert(6)>', distractors: ['<iframe src=javascript:alert(7)>'], explanation: xss }],
      explain: [{ id: 'xss-explain', prompt: xss, hint: xss, concepts: [{ id: 'c', label: xss, description: xss, cues: ['img'] }] }],
    });
    const parsed = parseUserCards(userFile);
    const { session } = newSession(parsed);
    const panel = await open(session);
    const { page } = panel;

    assert.equal(await questionText(page), xss);
    await page.keyboard.press('Space');
    await page.locator('.answer').waitFor();
    assert.ok(((await page.locator('.answer').textContent()) ?? '').includes('<script>alert(2)</script>'));
    assert.equal(await page.locator('.answer code').first().textContent(), '<b onmouseover=alert(3)>');
    assert.equal(await page.locator('.code-block').textContent(), '<svg onload=alert(4)>');
    await page.locator('.deck-errors summary').click();
    assert.ok(((await page.locator('.deck-errors').textContent()) ?? '').includes('<img src=y onerror=alert(5)>'));

    await page.locator('#tab-quiz').click();
    await page.getByRole('button', { name: 'Start the quiz' }).click();
    await page.keyboard.press('1');
    await page.locator('.feedback').waitFor();
    await page.locator('#tab-explain').click();
    await page.getByRole('button', { name: 'Show hint' }).click();
    await page.getByLabel('Your answer').fill('an img tag');
    await page.getByRole('button', { name: 'Check my answer' }).click();
    await page.locator('fieldset.concepts').waitFor();
    await page.locator('.concept-label', { hasText: xss }).waitFor();

    const injected = await page.evaluate(() => document.querySelectorAll('img, script:not([nonce]), svg, iframe, b').length);
    assert.equal(injected, 0, 'no element was created from card text');
    assertClean(panel);
    await screenshot(page, 'review-xss-light');
  });

  it('keeps the grade buttons on screen at 500px: a long rule card, with "Show more" open (screenshot)', async () => {
    const { session } = newSession(catalogueDeck());
    session.focus('rule:alter-field-type');
    const panel = await open(session);
    const { page } = panel;
    await page.setViewportSize({ width: 640, height: 500 });
    await waitForQuestion(page, 'A migration runs this on a busy production table');
    await page.keyboard.press('Space');
    await page.locator('.answer').waitFor();
    const words = ((await page.locator('.answer .rich').first().textContent()) ?? '').split(/\s+/).filter(Boolean).length;
    assert.ok(words <= 62, `the visible answer is short (${words} words)`);
    const inView = async (): Promise<boolean> =>
      page.locator('.grades').evaluate((grades) => {
        const box = grades.getBoundingClientRect();
        return box.top >= 0 && box.bottom <= window.innerHeight && box.height > 0;
      });
    assert.ok(await inView(), 'the grade buttons are in the viewport');
    const more = page.getByRole('button', { name: 'Show more' });
    assert.equal(await more.getAttribute('aria-expanded'), 'false');
    await more.click();
    await page.locator('.more-body .code-block').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Show less' }).getAttribute('aria-expanded'), 'true');
    assert.ok(((await page.locator('.more-body').textContent()) ?? '').includes('Lock: ACCESS EXCLUSIVE'));
    assert.ok(
      await page.evaluate(() => document.documentElement.scrollHeight > window.innerHeight + 200),
      'the expanded answer is much taller than the panel',
    );
    assert.ok(await inView(), 'still in the viewport with the answer expanded');
    await page.mouse.wheel(0, 400);
    assert.ok(await inView(), 'and after scrolling');
    await page.screenshot({ path: join(ARTIFACTS, 'review-rule-card-500px.png') });
    await page.keyboard.press('3');
    await page.locator('.answer').waitFor({ state: 'detached' });
    assertClean(panel);
  });

  it('quizzes with questions generated from the rules; "Review this in the flashcards" opens that card (screenshot)', async () => {
    const deck = catalogueDeck();
    const { session } = newSession(deck);
    const panel = await open(session);
    const { page } = panel;
    await page.locator('#tab-quiz').click();
    await page.locator('.card p', { hasText: `10 multiple-choice questions, drawn from ${deck.deck.quiz.length}` }).waitFor();
    await page.getByRole('button', { name: 'Start the quiz' }).click();
    let question = await currentQuestion(page, deck.deck.quiz);
    // Answer until a question generated from a rule comes up (a round has 10 of 70: seed ones are rare).
    for (let i = 0; !question.ruleId; i++) {
      assert.ok(i < 10, 'a round has a generated question');
      await page.keyboard.press('1');
      await page.keyboard.press('Enter');
      question = await currentQuestion(page, deck.deck.quiz);
    }
    const options = (await page.locator('.option .option-text').allTextContents()).map((t) => t.trim());
    const lengths = options.map((o) => o.length);
    assert.ok(Math.max(...lengths) <= 2 * Math.min(...lengths), 'options of comparable length');
    const correct = options.indexOf(question.answer.replace(/`/g, ''));
    assert.ok(correct >= 0, 'the answer is among the options');
    await page.keyboard.press(String(((correct + 1) % options.length) + 1));
    await page.locator('.feedback').waitFor();
    await screenshot(page, 'review-quiz-generated-light');
    await page.getByRole('button', { name: 'Review this in the flashcards' }).click();
    await page.locator('#tab-review[aria-selected="true"]').waitFor();
    await page.locator('.card .badge', { hasText: `Rule ${question.ruleId}` }).waitFor();
    assert.equal(await page.locator('.answer').count(), 0, 'the card starts with its question');
    assert.ok((await panel.posted()).some((m) => JSON.stringify(m) === JSON.stringify({ type: 'focusCard', cardId: `rule:${question.ruleId}` })));
    assertClean(panel);
  });

  it('shows the user\'s own flagged operation on the rule card, as text', async () => {
    const { session } = newSession(catalogueDeck());
    const code = 'migrations.AddIndex(\n    model_name="order",  # <img src=x onerror=alert(1)>\n)';
    session.setWorkspaceExamples(new Map([['add-index-non-concurrent', { location: 'shop/migrations/0002_<b>x</b>.py:5', code, count: 3 }]]));
    const panel = await open(session);
    const { page } = panel;
    await page.locator('.badge', { hasText: 'fires in your code' }).waitFor();
    assert.equal(await page.locator('.card .badge').first().textContent(), 'Rule add-index-non-concurrent', 'due first, ahead of the seed');
    await page.keyboard.press('Space');
    await page.locator('.example').waitFor();
    assert.equal(await page.locator('.example-title').textContent(), 'In your code: shop/migrations/0002_<b>x</b>.py:5 (and 2 more places)');
    assert.equal(await page.locator('.example .code-block').textContent(), code);
    assert.equal(await page.evaluate(() => document.querySelectorAll('img, b').length), 0, 'nothing from the file became markup');
    await screenshot(page, 'review-workspace-example-light');
    assertClean(panel);
  });

  it('does not count what an explain answer negates, and says why (screenshot)', async () => {
    const { session } = newSession();
    const panel = await open(session);
    const { page } = panel;
    await page.locator('#tab-explain').click();
    await page.getByLabel('Your answer').fill('I would skip staging, skip the backup and never look at the SQL; no rollback plan');
    await page.getByRole('button', { name: 'Check my answer' }).click();
    await page.locator('fieldset.concepts').waitFor();
    const checked = await page.locator('fieldset.concepts input:checked').count();
    assert.equal(checked, 0);
    assert.equal(await page.locator('.concept-evidence').first().textContent(), 'Not counted, your answer rules it out: “staging”');
    await page.getByRole('button', { name: 'Confirm my score' }).click();
    await page.locator('.score', { hasText: 'You got 0/5 concepts' }).waitFor();
    await screenshot(page, 'review-explain-negated-light');
    assertClean(panel);
  });

  for (const theme of ['vscode-light', 'vscode-dark', 'vscode-high-contrast'] as const) {
    it(`looks right in ${theme.replace('vscode-', '')} (screenshots in test-artifacts/)`, async () => {
      const { session } = newSession();
      session.focus('rule:add-index-non-concurrent');
      const panel = await open(session, theme);
      const { page } = panel;
      const name = theme.replace('vscode-', '');
      await waitForQuestion(page, 'A migration runs this on a busy production table');
      assert.equal(await page.locator('.card .code-block').first().textContent(), 'CREATE INDEX "shop_order_created_idx" ON "shop_order" ("created");');
      await screenshot(page, `review-question-${name}`);
      await page.keyboard.press('Space');
      await page.locator('.answer').waitFor();
      await page.getByRole('button', { name: 'Show more' }).click();
      await page.locator('.more-body .code-block').waitFor();
      await screenshot(page, `review-answer-${name}`);
      await page.keyboard.press('3');
      await waitForQuestion(page, seed.flashcards[0]!.question);
      await page.keyboard.press('Space');
      await page.keyboard.press('1');
      await waitForQuestion(page, seed.flashcards[1]!.question);

      await page.locator('#tab-quiz').click();
      await page.getByRole('button', { name: 'Start the quiz' }).click();
      const correct = (await page.locator('.option .option-text').allTextContents()).indexOf((await currentQuestion(page, seed.quiz)).answer);
      await page.keyboard.press(String(((correct + 1) % 4) + 1));
      await page.locator('.feedback').waitFor();
      await screenshot(page, `review-quiz-${name}`);

      await page.locator('#tab-explain').click();
      await page.getByLabel('Your answer').fill('Back up the database, run it on staging, and watch the logs so you can roll back.');
      await page.getByRole('button', { name: 'Check my answer' }).click();
      await page.getByRole('button', { name: 'Confirm my score' }).click();
      await page.locator('.score', { hasText: 'You got 3/5 concepts' }).waitFor();
      await screenshot(page, `review-explain-${name}`);

      await page.locator('#tab-stats').click();
      await page.locator('.stats-table').first().waitFor();
      assert.ok(((await page.locator('.stat-list').textContent()) ?? '').includes('Reviews in total2'));
      await screenshot(page, `review-stats-${name}`);
      assertClean(panel);
    });
  }
});
