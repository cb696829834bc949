// Text from a migration file (names, messages quoting it) goes into hover Markdown. Nothing in it may render: a
// backtick must not close a code span, `![t](https://...)` must not load a remote image, `<img>` must not become HTML.

/** Prose: every character Markdown or HTML gives a meaning is backslash-escaped, line breaks become spaces. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\r\n\u2028\u2029]+/g, ' ').replace(/[\\`*_{}[\]()#+\-.!|<>~&"']/g, (char) => `\\${char}`);
}

/**
 * A name shown inside a code span (where backslash escapes do not work): characters beyond letters, digits and
 * the punctuation of SQL and Python names are replaced by `?`, so it cannot end the span or leave it.
 */
export function codeSpanSafe(name: string): string {
  return name.replace(/[^\p{L}\p{N}_.$ -]/gu, '?');
}
