// DOM building for the review webview. Every piece of card text goes through textContent: a card holding
// `<img src=x onerror=alert(1)>` shows those characters and never becomes markup.

type Child = Node | string | null | undefined | false;

export interface ElementProps {
  className?: string;
  id?: string;
  /** Attributes (aria-*, role, data-*, type, ...); `false`/undefined omit the attribute. */
  attrs?: Record<string, string | number | boolean | undefined>;
  /** Click handler attached with addEventListener (inline handlers are forbidden by the CSP anyway). */
  onClick?: (event: Event) => void;
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: ElementProps = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props.className) element.className = props.className;
  if (props.id) element.id = props.id;
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  if (props.onClick) element.addEventListener('click', props.onClick);
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

/** Text with the given phrases shown as code (longest phrase first, so "python manage.py migrate" wins). */
function appendWithCodeTerms(parent: HTMLElement, text: string, codeTerms: readonly string[]): void {
  const terms = [...codeTerms].filter((t) => t.length > 0).sort((a, b) => b.length - a.length);
  let rest = text;
  while (rest.length > 0) {
    let best: { index: number; term: string } | undefined;
    for (const term of terms) {
      const index = rest.indexOf(term);
      if (index >= 0 && (!best || index < best.index)) best = { index, term };
    }
    if (!best) {
      append(parent, rest);
      return;
    }
    if (best.index > 0) append(parent, rest.slice(0, best.index));
    append(parent, h('code', {}, best.term));
    rest = rest.slice(best.index + best.term.length);
  }
}

/** One line of text: `backtick` spans become code; an unbalanced backtick is shown as typed. */
export function appendInline(parent: HTMLElement, line: string, codeTerms: readonly string[] = []): void {
  const parts = line.split('`');
  if (parts.length % 2 === 0) {
    appendWithCodeTerms(parent, line, codeTerms);
    return;
  }
  parts.forEach((part, index) => {
    if (index % 2 === 1) append(parent, h('code', {}, part));
    else if (part) appendWithCodeTerms(parent, part, codeTerms);
  });
}

/** Paragraphs separated by blank lines, line breaks kept. */
export function richText(text: string, codeTerms: readonly string[] = [], className = 'rich'): HTMLElement {
  const container = h('div', { className });
  for (const paragraph of text.split(/\n\s*\n/)) {
    if (!paragraph.trim()) continue;
    const p = h('p');
    paragraph.split('\n').forEach((line, index) => {
      if (index > 0) p.appendChild(h('br'));
      appendInline(p, line, codeTerms);
    });
    container.appendChild(p);
  }
  return container;
}

export function codeBlock(code: { language: string; text: string }, label: string): HTMLElement {
  return h(
    'pre',
    { className: 'code-block', attrs: { 'aria-label': label, tabindex: 0, 'data-language': code.language } },
    h('code', {}, code.text),
  );
}

export function kbd(key: string): HTMLElement {
  return h('kbd', { attrs: { 'aria-hidden': 'true' } }, key);
}
