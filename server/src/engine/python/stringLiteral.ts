// Decoding one Python string literal token (as delimited by the parser) into its value: prefixes r/b/u/f,
// single/triple quotes, backslash escapes, and the literal parts of f-strings.

export interface DecodedString {
  value: string;
  formatted: boolean;
}

/** Python's single-character backslash escapes (`\n`, `\t`, ...), shared with the RunSQL offset mapper. */
export const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

/**
 * `token` is the literal's full source text (prefix and quotes included). `holes` are the offsets (relative to the
 * token) of f-string replacement fields `{...}`, which are left out of the value.
 */
export function decodeStringLiteral(token: string, holes: readonly { from: number; to: number }[] = []): DecodedString {
  let prefixLength = 0;
  while (prefixLength < token.length && isLetter(token.charCodeAt(prefixLength))) prefixLength++;
  const prefix = token.slice(0, prefixLength).toLowerCase();
  const raw = prefix.includes('r');
  const formatted = prefix.includes('f');
  const bytes = prefix.includes('b');

  const quote = token[prefixLength] ?? '';
  if (quote !== '"' && quote !== "'") return { value: '', formatted };
  const triple = token.startsWith(quote.repeat(3), prefixLength);
  const quoteLength = triple ? 3 : 1;
  const contentStart = prefixLength + quoteLength;
  const closing = quote.repeat(quoteLength);
  // An unterminated literal (half-typed code) has no closing quote: take everything after the opening one.
  const terminated = token.length >= contentStart + quoteLength && token.endsWith(closing);
  const contentEnd = terminated ? token.length - quoteLength : token.length;

  let value = '';
  let segmentStart = contentStart;
  for (const hole of holes) {
    if (hole.from < segmentStart || hole.from > contentEnd) continue;
    value += decodeSegment(token.slice(segmentStart, hole.from), raw, formatted, bytes);
    segmentStart = Math.min(hole.to, contentEnd);
  }
  value += decodeSegment(token.slice(segmentStart, contentEnd), raw, formatted, bytes);
  return { value, formatted };
}

function decodeSegment(segment: string, raw: boolean, formatted: boolean, bytes: boolean): string {
  if (formatted && (segment.includes('{{') || segment.includes('}}'))) {
    segment = segment.split('{{').join('{').split('}}').join('}');
  }
  if (raw || !segment.includes('\\')) return segment;
  let out = '';
  let i = 0;
  while (i < segment.length) {
    const char = segment[i] as string;
    if (char !== '\\' || i + 1 >= segment.length) {
      out += char;
      i++;
      continue;
    }
    const next = segment[i + 1] as string;
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      out += simple;
      i += 2;
    } else if (next === '\n') {
      i += 2;
    } else if (next === '\r') {
      i += segment[i + 2] === '\n' ? 3 : 2;
    } else if (next >= '0' && next <= '7') {
      let end = i + 1;
      while (end < segment.length && end < i + 4 && segment[end]! >= '0' && segment[end]! <= '7') end++;
      out += String.fromCharCode(parseInt(segment.slice(i + 1, end), 8));
      i = end;
    } else if (next === 'x' || (!bytes && (next === 'u' || next === 'U'))) {
      const digits = next === 'x' ? 2 : next === 'u' ? 4 : 8;
      const hex = segment.slice(i + 2, i + 2 + digits);
      const code = hex.length === digits && isHex(hex) ? parseInt(hex, 16) : NaN;
      if (Number.isFinite(code) && code <= 0x10ffff) {
        out += String.fromCodePoint(code);
        i += 2 + digits;
      } else {
        out += '\\' + next;
        i += 2;
      }
    } else {
      // Unknown escapes (and \N{NAME}, whose name table we do not carry) stay as written, as Python keeps them.
      out += '\\' + next;
      i += 2;
    }
  }
  return out;
}

function isLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

function isHex(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const digit = code >= 48 && code <= 57;
    const lower = code >= 97 && code <= 102;
    const upper = code >= 65 && code <= 70;
    if (!digit && !lower && !upper) return false;
  }
  return true;
}
