// The review webview's HTML shell. Kept free of `vscode` so the browser test loads exactly what the panel shows.
// Everything visible is built by dist/webview/webview.js with textContent; this page only carries the CSP, the stylesheet
// and the nonce'd script.
import { randomBytes } from 'node:crypto';

export interface ReviewHtmlOptions {
  /** `webview.cspSource`: the origin the webview may load styles and images from. */
  cspSource: string;
  nonce: string;
  /** `webview.asWebviewUri` of dist/webview/webview.js. */
  scriptUri: string;
  /** `webview.asWebviewUri` of media/review.css. */
  styleUri: string;
}

/** A fresh, unguessable nonce per page load (the webview sample's Math.random is predictable). */
export function createNonce(): string {
  return randomBytes(18).toString('base64');
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `style-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
    `img-src ${cspSource}`,
  ].join('; ');
}

export function buildReviewHtml(options: ReviewHtmlOptions): string {
  if (!/^[A-Za-z0-9+/=]+$/.test(options.nonce)) throw new Error('nonce must be base64');
  if (/[;,"]/.test(options.cspSource) || options.cspSource.trim() === '') {
    throw new Error(`unexpected CSP source: ${options.cspSource}`);
  }
  const csp = contentSecurityPolicy(options.cspSource.trim(), options.nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${escapeAttribute(csp)}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${escapeAttribute(options.styleUri)}">
  <title>Migration Flashcards</title>
</head>
<body>
  <div id="app" class="app">
    <p class="loading" role="status">Loading the review deck…</p>
  </div>
  <script nonce="${escapeAttribute(options.nonce)}" src="${escapeAttribute(options.scriptUri)}"></script>
</body>
</html>
`;
}
