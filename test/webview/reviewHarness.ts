// Serves the review panel's real HTML (from the same builder panel.ts uses), the freshly bundled webview script and
// media/review.css on 127.0.0.1, and opens it in Debian's Chromium with a stub `acquireVsCodeApi` whose messages
// go to a real ReviewSession, as the extension host would handle them.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { buildReviewHtml, createNonce } from '../../client/src/review/html';
import type { ReviewSession } from '../../client/src/review/session';
import type { MementoLike } from '../../client/src/review/store';
import { THEMES, type ThemeKind } from './themes';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const REPO_ROOT = resolve(__dirname, '../..');
export const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');

export class MemoryMemento implements MementoLike {
  private readonly data = new Map<string, string>();
  writes = 0;
  get<T>(key: string): T | undefined {
    const text = this.data.get(key);
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }
  update(key: string, value: unknown): Promise<void> {
    this.writes++;
    this.data.set(key, JSON.stringify(value));
    return Promise.resolve();
  }
}

export interface ReviewTestServer {
  origin: string;
  close(): Promise<void>;
}

/** Bundles client/src/webview/main.ts into a temp folder, so the test always runs the current source. */
export async function bundleWebview(): Promise<{ script: string; cleanup(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'review-webview-'));
  const outfile = join(dir, 'webview.js');
  await esbuild.build({
    entryPoints: [join(REPO_ROOT, 'client/src/webview/main.ts')],
    outfile,
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    logLevel: 'silent',
  });
  return { script: readFileSync(outfile, 'utf8'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function startServer(script: string): Promise<ReviewTestServer> {
  const css = readFileSync(join(REPO_ROOT, 'media/review.css'), 'utf8');
  let origin = '';
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    const send = (type: string, body: string) => {
      response.writeHead(200, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store' });
      response.end(body);
    };
    if (path === '/') {
      send(
        'text/html',
        buildReviewHtml({
          cspSource: origin,
          nonce: createNonce(),
          scriptUri: `${origin}/dist/webview.js`,
          styleUri: `${origin}/media/review.css`,
        }),
      );
    } else if (path === '/dist/webview.js') send('text/javascript', script);
    else if (path === '/media/review.css') send('text/css', css);
    else if (path === '/favicon.ico') {
      // Chromium asks every http origin for one; VS Code webviews have none.
      response.writeHead(204);
      response.end();
    } else {
      response.writeHead(404);
      response.end();
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/** Debian's Chromium; in CI a missing browser is a failure, elsewhere the suite is skipped with a reason. */
export async function launchChromium(): Promise<Browser | undefined> {
  if (!existsSync(CHROMIUM_PATH)) {
    if (process.env.CI) throw new Error(`${CHROMIUM_PATH} is missing: apt-get install -y chromium`);
    return undefined;
  }
  // launch() gives every browser a fresh temporary profile (user-data dir) and deletes it on close.
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Runs in the page before its own scripts: the stub of VS Code's webview API (messages go to the host bridge,
 * state survives reloads like VS Code's) and what VS Code does for themes: variables on <html>, kind on <body>.
 */
const STUB_SCRIPT = String.raw`function (themeKind, variables) {
  var posted = [];
  window.__posted = posted;
  var acquired = false;
  window.acquireVsCodeApi = function () {
    if (acquired) throw new Error('acquireVsCodeApi may only be called once');
    acquired = true;
    return {
      postMessage: function (message) {
        posted.push(JSON.parse(JSON.stringify(message)));
        window.__reviewHost(message);
      },
      getState: function () {
        var saved = sessionStorage.getItem('vscode-webview-state');
        return saved === null ? undefined : JSON.parse(saved);
      },
      setState: function (state) {
        sessionStorage.setItem('vscode-webview-state', JSON.stringify(state));
        return state;
      },
    };
  };
  var themed = false;
  var applyTheme = function () {
    var html = document.documentElement;
    if (html && !themed) {
      Object.keys(variables).forEach(function (name) { html.style.setProperty('--vscode-' + name, variables[name]); });
      themed = true;
    }
    if (!document.body) return false;
    document.body.classList.add(themeKind);
    return true;
  };
  if (!applyTheme()) {
    new MutationObserver(function (_, observer) {
      if (applyTheme()) observer.disconnect();
    }).observe(document, { childList: true, subtree: true });
  }
}`;

export interface OpenedPanel {
  context: BrowserContext;
  page: Page;
  /** Every message the webview posted to the "extension". */
  posted(): Promise<unknown[]>;
  /** Alerts, confirms or prompts the page tried to open (must stay empty). */
  dialogs: string[];
  /** Console errors, CSP violations and uncaught exceptions. */
  errors: string[];
}

export async function openPanel(
  browser: Browser,
  server: ReviewTestServer,
  session: ReviewSession,
  theme: ThemeKind = 'vscode-light',
): Promise<OpenedPanel> {
  const context = await browser.newContext({ viewport: { width: 820, height: 720 }, reducedMotion: 'reduce' });
  const page = await context.newPage();
  const dialogs: string[] = [];
  const errors: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));

  await page.exposeFunction('__reviewHost', async (message: unknown) => {
    const replies = await session.handle(message);
    for (const reply of replies) {
      await page.evaluate((data) => window.postMessage(data, '*'), reply as unknown as Record<string, unknown>);
    }
  });
  // A string, not a function: tsx instruments named functions with a helper that does not exist in the page.
  await page.addInitScript(`(${STUB_SCRIPT})(${JSON.stringify(theme)}, ${JSON.stringify(THEMES[theme])});`);
  await page.goto(`${server.origin}/`);
  await page.locator('.header .count-number').first().filter({ hasNotText: '–' }).waitFor();
  return {
    context,
    page,
    posted: () => page.evaluate(() => (window as unknown as { __posted: unknown[] }).__posted),
    dialogs,
    errors,
  };
}
