// The review webview in a real browser (Debian's Chromium through playwright-core): the panel's own HTML and
// CSP, the bundled script, the stylesheet, and a real ReviewSession answering as the extension host would.
import { strict as assert } from 'node:assert';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { buildDeck, loadSeedDeck, parseUserCards, ruleCards, type DeckLoadResult } from '../../client/src/review/deck';
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
    for (let i = 0; i < seed.quiz.length; i++) {
      const question = seed.quiz[i]!;
      await waitForQuestion(page, question.question);
      assert.equal(await page.locator('.badge', { hasText: `Question ${i + 1} of 5` }).count(), 1);
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
      if (i === 3) await screenshot(page, 'review-quiz-feedback-light');
      await page.keyboard.press('Enter');
    }
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

  for (const theme of ['vscode-light', 'vscode-dark', 'vscode-high-contrast'] as const) {
    it(`looks right in ${theme.replace('vscode-', '')} (screenshots in test-artifacts/)`, async () => {
      const { session } = newSession();
      session.focus('rule:add-index-non-concurrent');
      const panel = await open(session, theme);
      const { page } = panel;
      const name = theme.replace('vscode-', '');
      await waitForQuestion(page, 'Index built without CONCURRENTLY');
      await screenshot(page, `review-question-${name}`);
      await page.keyboard.press('Space');
      await page.locator('.code-block').waitFor();
      await screenshot(page, `review-answer-${name}`);
      await page.keyboard.press('3');
      await waitForQuestion(page, seed.flashcards[0]!.question);
      await page.keyboard.press('Space');
      await page.keyboard.press('1');
      await waitForQuestion(page, seed.flashcards[1]!.question);

      await page.locator('#tab-quiz').click();
      await page.getByRole('button', { name: 'Start the quiz' }).click();
      const correct = (await page.locator('.option .option-text').allTextContents()).indexOf(seed.quiz[0]!.answer);
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
