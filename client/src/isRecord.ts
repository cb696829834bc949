// The one check for "a plain JSON object" that the client's readers of untrusted data share (stored progress,
// webview messages, manage.py output, the webview's saved state). No `vscode`, no Node: the webview uses it too.

/** True for a non-null object that is not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
