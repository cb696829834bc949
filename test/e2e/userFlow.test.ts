// Through the user's eyes: the packaged .vsix (`npm run package`) installed into a private code-server, a copy of
// the fixture project opened in Chromium, and every step done with the keyboard and mouse like a person would:
// Quick Open a migration, see the squiggle and the Problems entry, hover it, run "Django Migrations: Migrate" from
// the command palette and confirm the dialog, then answer a flashcard with the keyboard inside the review webview
// and see it come back after a page reload, then apply a quick fix from the lightbulb menu. Screenshots of each step go to test-artifacts/user-flow/.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, FrameLocator, Locator, Page } from 'playwright-core';
import { ARTIFACTS_DIR, e2eHostsUnavailableReason, installVsix, launchChromium, startCodeServer, type CodeServer } from './codeServer';
import { copyFixtureProject, DJANGO_PYTHON, removeFixtureCopy, REPO_ROOT } from './integrationHarness';

const VSIX = join(REPO_ROOT, 'migration-guard.vsix');
const SHOTS = join(ARTIFACTS_DIR, 'user-flow');
const DOCS_IMAGES = join(REPO_ROOT, 'docs', 'images');
const UI_TIMEOUT = 30_000;

describe('user flow with the installed .vsix (code-server + Chromium)', function () {
  this.timeout(120_000);

  let workspace: string | undefined;
  let extensionsDir: string | undefined;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let shot = 0;

  /** A step's screenshot; with MIGRATION_GUARD_DOCS_IMAGES=1 the ones named for the README also go to docs/images. */
  async function screenshot(name: string, docsImage?: string): Promise<void> {
    await page.screenshot({ path: join(SHOTS, `${String(++shot).padStart(2, '0')}-${name}.png`) });
    if (docsImage && process.env.MIGRATION_GUARD_DOCS_IMAGES === '1') {
      mkdirSync(DOCS_IMAGES, { recursive: true });
      await page.screenshot({ path: join(DOCS_IMAGES, `${docsImage}.png`) });
    }
  }

  /** Runs a command palette entry by its exact label ("Django Migrations: Migrate"). */
  async function runCommand(label: string): Promise<void> {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${label}`);
    await quickInputRow(label).click();
  }

  /** Quick Open a migration by name and wait for its tab and its first squiggle. */
  async function openWithSquiggle(fileName: string): Promise<void> {
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(fileName.replace(/\.py$/, ''));
    await page.locator('.quick-input-list .monaco-list-row', { hasText: fileName }).first().click();
    await page.locator('.tab.active', { hasText: fileName }).waitFor();
    await page.locator('.monaco-editor .squiggly-warning').first().waitFor({ state: 'visible' });
  }

  /** The quick input row whose label is exactly `label` (not a longer command that starts the same). */
  function quickInputRow(label: string): Locator {
    const exact = new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
    return page.locator('.quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: exact }) }).first();
  }

  async function until(what: string, condition: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + UI_TIMEOUT;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`Timed out after ${UI_TIMEOUT} ms waiting for ${what}`);
      await page.waitForTimeout(100);
    }
  }

  function reviewFrame(): FrameLocator {
    return page.frameLocator('iframe.webview').frameLocator('iframe#active-frame');
  }

  function appliedShopMigrations(): string[] {
    const output = execFileSync(DJANGO_PYTHON, ['manage.py', 'showmigrations', '--list', 'shop'], { cwd: workspace!, encoding: 'utf8', timeout: 60_000 });
    return output
      .split('\n')
      .map((line) => /^\s*\[X\]\s+(\S+)/.exec(line)?.[1])
      .filter((name): name is string => name !== undefined);
  }

  before(async function () {
    this.timeout(300_000);
    const missing = e2eHostsUnavailableReason();
    if (missing) {
      if (process.env.CI) throw new Error(`End-to-end hosts are missing on CI: ${missing}`);
      console.warn(`\n  SKIPPING the user flow: ${missing}\n`);
      this.skip();
    }
    rmSync(VSIX, { force: true });
    execFileSync('npm', ['run', 'package', '--silent'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'], timeout: 240_000 });
    assert.ok(existsSync(VSIX), `npm run package did not produce ${VSIX}`);
    console.log(`      packaged ${VSIX} (${Math.round(statSync(VSIX).size / 1024)} KB)`);

    extensionsDir = mkdtempSync(join(tmpdir(), 'mg-e2e-extensions-'));
    installVsix(VSIX, extensionsDir);
    workspace = copyFixtureProject();
    server = await startCodeServer({
      folder: workspace,
      extensionsDir,
      extraArgs: ['--disable-workspace-trust'],
      machineSettings: { 'migrationGuard.pythonPath': DJANGO_PYTHON },
      userSettings: { 'editor.hover.delay': 150, 'workbench.tips.enabled': false, 'workbench.secondarySideBar.defaultVisibility': 'hidden', 'chat.disableAIFeatures': true },
    });
    rmSync(SHOTS, { recursive: true, force: true });
    mkdirSync(SHOTS, { recursive: true });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(UI_TIMEOUT);
    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) await screenshot(`FAILED-${this.currentTest.title.replace(/\W+/g, '-')}`).catch(() => undefined);
  });

  after(async function () {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    if (workspace) removeFixtureCopy(workspace);
    if (extensionsDir) rmSync(extensionsDir, { recursive: true, force: true });
  });

  it('installed the extension from the .vsix, not from the development folder', function () {
    const installed = execFileSync('ls', [extensionsDir!], { encoding: 'utf8' });
    assert.match(installed, /migration-guard\.django-migration-guard-\d+\.\d+\.\d+/);
  });

  it('opens a migration with Quick Open and shows the squiggle', async function () {
    await openWithSquiggle('0003_product_name_idx.py');
    await screenshot('squiggle');
  });

  it('lists the finding in the Problems panel', async function () {
    await page.keyboard.press('Control+Shift+M');
    const row = page.locator('.markers-panel .monaco-list-row', { hasText: 'shop_product_name_idx' }).first();
    await row.waitFor({ state: 'visible' });
    const text = (await row.textContent()) ?? '';
    assert.match(text, /add-index-non-concurrent/);
    // The advice leads, so it survives the row's truncation.
    assert.match(text, /^\s*Use AddIndexConcurrently in a migration with atomic = False\. AddIndex shop\.Product: /);
    await screenshot('problems');
  });

  it('explains the risk when the squiggle is hovered', async function () {
    const squiggle = page.locator('.monaco-editor .squiggly-warning').first();
    const box = await squiggle.boundingBox();
    assert.ok(box, 'the squiggle has a position on screen');
    // Under the operation's name only: one line's decoration (a range over the four-line call draws one per line).
    assert.equal(await page.locator('.monaco-editor .squiggly-warning').count(), 1);
    assert.ok(box.width < 200, `the squiggle is ${box.width}px wide: more than \`migrations.AddIndex\``);
    await page.mouse.move(box.x + Math.min(40, box.width / 2), box.y + box.height / 2);
    // The language server's explanation, not only the diagnostic's message (which the hover also shows).
    const hover = page.locator('.monaco-hover').filter({ hasText: 'on PostgreSQL' }).first();
    await hover.waitFor({ state: 'visible' });
    const text = (await hover.textContent()) ?? '';
    assert.match(text, /AddIndex/);
    // The statement itself says the lock it takes (the effects model), right after the finding and its safe pattern.
    assert.match(text, /SHARE shop_\w+ · index build/);
    assert.match(text, /Safe pattern:/);
    await screenshot('hover', 'editor-hover');
    await page.mouse.move(5, 5);
    await page.keyboard.press('Escape');
  });

  it('runs "Django Migrations: Migrate" from the command palette and confirms the dialog', async function () {
    assert.deepEqual(appliedShopMigrations(), []);
    await page.locator('.monaco-editor .view-lines').first().click();
    await runCommand('Django Migrations: Migrate');
    await quickInputRow('All apps').click();
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 60_000 });
    assert.match((await dialog.textContent()) ?? '', /apply 5 migrations on database/);
    // The planning step is over once the dialog asks: its progress notification must be gone.
    await page.locator('.notification-toast', { hasText: 'planning' }).waitFor({ state: 'hidden', timeout: 10_000 });
    await screenshot('migrate-confirmation', 'migrate-confirmation');
    await dialog.locator('.monaco-button', { hasText: /^Migrate$/ }).click();
    await page.locator('.notifications-toasts', { hasText: 'Migrate all apps: done' }).waitFor({ state: 'visible', timeout: 90_000 });
    await screenshot('migrate-done');
    assert.deepEqual(appliedShopMigrations(), ['0001_initial', '0002_name_products', '0003_product_name_idx']);
  });

  it('shows the migrations as applied in the Django Migrations view', async function () {
    await runCommand('Django Migrations: Show Migrations');
    // The app is expanded only when one of its migrations is the active editor; the migrate plan preview is now.
    // (The Django Migrations view's app row: "shop" with its summary, not the Explorer's "shop-project".)
    const app = page.locator('.monaco-list-row', { hasText: /^shop\s*(all applied|\d+ unapplied)/ }).first();
    await app.waitFor({ state: 'visible', timeout: 60_000 });
    if ((await app.getAttribute('aria-expanded')) === 'false') await app.click();
    const row = page.locator('.monaco-list-row', { hasText: '0003_product_name_idx' }).filter({ hasText: 'applied' }).first();
    await row.waitFor({ state: 'visible', timeout: 60_000 });
    assert.doesNotMatch((await row.textContent()) ?? '', /not applied/);
    await screenshot('migrations-view');
  });

  it('Make Migrations shows the findings of the dry run and asks about its error before writing', async function () {
    // The user drops Product.name (and its index) from the models: makemigrations proposes a RemoveField.
    writeFileSync(join(workspace!, 'shop', 'models.py'), 'from django.db import models\n\n\nclass Product(models.Model):\n    pass\n');
    await runCommand('Django Migrations: Make Migrations');
    await quickInputRow('shop').click();
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill('drop_product_name');
    await page.keyboard.press('Enter');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 60_000 });
    // The preview behind the dialog leads with the verdict and lists the finding with its quick fix.
    await page.locator('.tab.active', { hasText: 'makemigrations dry run.py' }).waitFor();
    const previewText = ((await page.locator('.monaco-editor .view-lines').first().textContent()) ?? '').replace(/\u00a0/g, ' ');
    assert.match((await dialog.textContent()) ?? '', /The proposed migrations have 1 error\. Write 1 migration file anyway\?/, previewText);
    assert.match(previewText, /Migration Guard: 1 error, \d+ warnings? in the proposed migrations/);
    assert.match(previewText, /error remove-field: RemoveField shop\.Product\.name/);
    await screenshot('makemigrations-preview-findings', 'makemigrations-preview');
    await dialog.locator('.monaco-button', { hasText: /^Write Despite Errors$/ }).click();
    await page.locator('.tab.active', { hasText: '0004_drop_product_name.py' }).waitFor({ timeout: 60_000 });
    await page.locator('.notifications-toasts', { hasText: 'Quick fix available' }).waitFor({ state: 'visible', timeout: 30_000 });
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ state: 'visible' });
    await screenshot('makemigrations-written-at-finding');
    assert.ok(existsSync(join(workspace!, 'shop', 'migrations', '0004_drop_product_name.py')));
  });

  it('shows the migration findings in the status bar, with the files in its tooltip', async function () {
    const item = page.locator('.statusbar-item', { hasText: /Migrations/ }).filter({ has: page.locator('.codicon-error') }).first();
    await item.waitFor({ state: 'visible' });
    await item.hover();
    const hover = page.locator('.monaco-hover, .workbench-hover', { hasText: 'Django Migration Guard:' }).first();
    await hover.waitFor({ state: 'visible' });
    assert.match((await hover.textContent()) ?? '', /0004_drop_product_name\.py: 1 error/);
    await screenshot('status-bar-findings');
    await page.mouse.move(640, 300);
  });

  it('keeps the unapplied migration in Problems once closed (problems.scope: pending), not the applied ones', async function () {
    await page.keyboard.press('Escape');
    await runCommand('View: Close All Editors');
    await page.locator('.tab', { hasText: '0004_drop_product_name.py' }).waitFor({ state: 'hidden' });
    await page.keyboard.press('Control+Shift+M');
    const row = page.locator('.markers-panel .monaco-list-row', { hasText: '0004_drop_product_name.py' }).first();
    await row.waitFor({ state: 'visible', timeout: 30_000 });
    await page.locator('.markers-panel .monaco-list-row', { hasText: 'remove-field' }).first().waitFor({ state: 'visible' });
    // 0003_product_name_idx is applied now and closed: its warning is no longer listed.
    await page.locator('.markers-panel .monaco-list-row', { hasText: '0003_product_name_idx.py' }).waitFor({ state: 'hidden', timeout: 30_000 });
    // The status bar item counts what Problems lists: 0003's warning went with its editor.
    const label = 'Django Migration Guard: 1 error, 1 warning in 1 migration';
    const item = page.locator(`.statusbar-item[aria-label="${label}"], .statusbar-item [aria-label="${label}"]`).first();
    await item.waitFor({ state: 'visible' });
    await screenshot('problems-pending-scope');
    // With the panel hidden, clicking the item brings Problems back.
    await page.keyboard.press('Control+J');
    await page.locator('.markers-panel').waitFor({ state: 'hidden' });
    await item.click();
    await page.locator('.markers-panel .monaco-list-row', { hasText: '0004_drop_product_name.py' }).first().waitFor({ state: 'visible' });
  });

  let countsAfterAnswer = '';
  let questionAfterAnswer = '';

  it('opens the review flashcards and answers a card with the keyboard', async function () {
    await runCommand('Django Migrations: Review Flashcards');
    const frame = reviewFrame();
    const question = frame.locator('#card-question');
    await question.waitFor({ state: 'visible' });
    const counts = frame.locator('.counts');
    const countsBefore = (await counts.getAttribute('aria-label')) ?? '';
    assert.equal(await frame.locator('#undo').isDisabled(), true, 'nothing answered yet');

    await question.click();
    await page.keyboard.press('Space');
    await frame.locator('#card-answer').waitFor({ state: 'visible' });
    await screenshot('review-answer', 'review-panel');
    await page.keyboard.press('3');
    // The host recorded the answer: Undo becomes available and the counts move.
    await until('Undo to become available', async () => !(await frame.locator('#undo').isDisabled()));
    await until('the counts to change', async () => ((await counts.getAttribute('aria-label')) ?? '') !== countsBefore);
    countsAfterAnswer = (await counts.getAttribute('aria-label')) ?? '';
    questionAfterAnswer = (await question.textContent()) ?? '';
    await screenshot('review-answered');
  });

  it('brings the review panel back after "Developer: Reload Window", with the progress and the card kept', async function () {
    assert.ok(countsAfterAnswer, 'the previous step answered a card');
    await runCommand('Developer: Reload Window');
    await page.waitForEvent('load', { timeout: 60_000 });
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    const frame = reviewFrame();
    await frame.locator('.counts').waitFor({ state: 'visible', timeout: 60_000 });
    await frame.locator(`.counts[aria-label="${countsAfterAnswer}"]`).waitFor({ state: 'visible' });
    await screenshot('review-restored');
    assert.equal(await frame.locator('#card-question').textContent(), questionAfterAnswer, 'the restored panel shows the card that was on screen');
  });

  it('applies the quick fix from the lightbulb menu (Ctrl+.) and the squiggle goes away', async function () {
    await openWithSquiggle('0003_product_name_idx.py');
    // The cursor inside `migrations.AddIndex` (line 11), as "Go to Line/Column" puts it.
    await page.keyboard.press('Control+G');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(':11:14');
    await page.keyboard.press('Enter');
    await page.locator('.statusbar', { hasText: 'Ln 11, Col 14' }).waitFor();
    // Right after "Reload Window" the first request sometimes finds no actions (the new server is still indexing;
    // open issue): ask again, at most three times.
    const menu = page.locator('.action-widget .monaco-list-row').first();
    for (let attempt = 1; ; attempt++) {
      await page.keyboard.press('Control+.');
      const shown = await menu.waitFor({ state: 'visible', timeout: 10_000 }).then(() => true, () => false);
      if (shown) break;
      if (attempt === 3) {
        await screenshot('quick-fix-menu-missing');
        assert.fail('Ctrl+. showed no code actions three times');
      }
      await page.keyboard.press('Escape');
    }
    const offered = await page.locator('.action-widget .monaco-list-row').allTextContents();
    assert.ok(offered.some((row) => row.includes('Use AddIndexConcurrently and atomic = False')), `the lightbulb menu offers: ${offered.join(' | ')}`);
    const fix = page.locator('.action-widget .monaco-list-row', { hasText: 'Use AddIndexConcurrently and atomic = False' }).first();
    await screenshot('quick-fix-menu');
    await fix.click();
    const lines = page.locator('.monaco-editor .view-lines').first();
    await until('the fixed text in the editor', async () => /AddIndexConcurrently\(/.test((await lines.textContent()) ?? '') && /atomic\s=\sFalse/.test((await lines.textContent()) ?? ''));
    await page.locator('.monaco-editor .squiggly-warning').first().waitFor({ state: 'detached' });
    // The inlay hint follows: the concurrent build takes SHARE UPDATE EXCLUSIVE, which blocks no writes.
    await until('the inlay hint of the concurrent build', async () => /SHARE\sUPDATE\sEXCLUSIVE\sshop_product/.test((await lines.textContent()) ?? ''));
    await screenshot('quick-fix-applied');
  });
});
