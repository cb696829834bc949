// Offsets <-> 0-based line/character (UTF-16, as LSP counts them). Line breaks are \n, \r\n and \r, as in Python.

/** Offsets at which each line starts; built once per text. */
export function computeLineStarts(text: string): number[] {
  const starts = [0];
  if (!text.includes('\r')) {
    // The common case: let the native search find the line feeds.
    for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) starts.push(at + 1);
    return starts;
  }
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 10) {
      starts.push(i + 1);
    } else if (code === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  return starts;
}

/** 0-based line containing `offset` (binary search over the line starts). */
export function lineOfOffset(lineStarts: readonly number[], offset: number): number {
  let low = 0;
  let high = lineStarts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((lineStarts[middle] ?? 0) <= offset) low = middle;
    else high = middle - 1;
  }
  return low;
}

export function positionOfOffset(lineStarts: readonly number[], offset: number): { line: number; character: number } {
  const line = lineOfOffset(lineStarts, offset);
  return { line, character: offset - (lineStarts[line] ?? 0) };
}
