/**
 * A safe subset of Markdown, rendered to GOV.UK-styled HTML: headings (## and ###; a # heading becomes an
 * h2 because the page has its own h1), paragraphs, bulleted and numbered lists, links, **bold** and
 * *emphasis*. Everything else is text: every character is escaped before any markup is added, so no HTML in
 * an article reaches a page. Links go only to http(s), mailto and local paths; anything else is shown as
 * its text.
 */

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A link target that is safe to put in href: http(s), mailto or a local path (not `//host`). */
export function safeHref(raw: string): string | null {
  const href = raw.trim();
  if ([...href].some((c) => c.charCodeAt(0) < 0x21 || c.charCodeAt(0) === 0x7f) || /[<>"'`\\]/.test(href))
    return null;
  if (/^https?:\/\/[^/]/i.test(href)) return href;
  if (/^mailto:[^/]/i.test(href)) return href;
  if (/^\/(?![/\\])/.test(href) || href === '/') return href;
  if (/^#[\w-]*$/.test(href)) return href;
  return null;
}

const LINK = /\[([^\]\n]{1,300})\]\(([^()\s]{1,2000})\)/g;

/** Inline markup of one block's text: links, then bold, then emphasis, over escaped text. */
function inline(text: string): string {
  const parts: string[] = [];
  let last = 0;
  for (const match of text.matchAll(LINK)) {
    parts.push(emphasis(escapeHtml(text.slice(last, match.index))));
    const href = safeHref(match[2]);
    const label = emphasis(escapeHtml(match[1]));
    parts.push(href ? `<a class="govuk-link" href="${escapeHtml(href)}">${label}</a>` : label);
    last = match.index + match[0].length;
  }
  parts.push(emphasis(escapeHtml(text.slice(last))));
  return parts.join('');
}

function emphasis(escaped: string): string {
  return escaped
    .replace(/\*\*(?=\S)([^*]*?\S)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[^*\w])\*(?=\S)([^*]*?\S)\*(?![*\w])/g, '$1<em>$2</em>')
    .replace(/(^|[^_\w])_(?=\S)([^_]*?\S)_(?![_\w])/g, '$1<em>$2</em>');
}

type Block =
  | { kind: 'heading'; level: 2 | 3; text: string }
  | { kind: 'paragraph'; lines: string[] }
  | { kind: 'list'; ordered: boolean; items: string[] };

const BULLET = /^\s{0,3}[-*+]\s+(.*)$/;
const NUMBERED = /^\s{0,3}\d{1,3}[.)]\s+(.*)$/;
const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;

function blocks(markdown: string): Block[] {
  const out: Block[] = [];
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  let current: Block | null = null;
  const close = () => {
    if (current) out.push(current);
    current = null;
  };
  for (const line of lines) {
    if (line.trim() === '') {
      close();
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      close();
      out.push({ kind: 'heading', level: heading[1].length >= 3 ? 3 : 2, text: heading[2] });
      continue;
    }
    const bullet = BULLET.exec(line);
    const numbered = bullet ? null : NUMBERED.exec(line);
    const item = bullet ?? numbered;
    if (item) {
      const ordered = Boolean(numbered);
      if (current?.kind !== 'list' || current.ordered !== ordered) {
        close();
        current = { kind: 'list', ordered, items: [] };
      }
      current.items.push(item[1]);
      continue;
    }
    if (current?.kind === 'list' && /^\s+\S/.test(line)) {
      current.items[current.items.length - 1] += ` ${line.trim()}`;
      continue;
    }
    if (current?.kind !== 'paragraph') {
      close();
      current = { kind: 'paragraph', lines: [] };
    }
    current.lines.push(line.trim());
  }
  close();
  return out;
}

/** The article body as GOV.UK-styled HTML. Safe to output unescaped: nothing from the input is markup. */
export function renderMarkdown(markdown: string): string {
  return blocks(markdown)
    .map((block) => {
      switch (block.kind) {
        case 'heading':
          return block.level === 2
            ? `<h2 class="govuk-heading-m">${inline(block.text)}</h2>`
            : `<h3 class="govuk-heading-s">${inline(block.text)}</h3>`;
        case 'paragraph':
          return `<p class="govuk-body">${inline(block.lines.join(' '))}</p>`;
        case 'list': {
          const tag = block.ordered ? 'ol' : 'ul';
          const kind = block.ordered ? 'govuk-list--number' : 'govuk-list--bullet';
          return `<${tag} class="govuk-list ${kind}">${block.items.map((i) => `<li>${inline(i)}</li>`).join('')}</${tag}>`;
        }
      }
    })
    .join('\n');
}

/** The article body as plain text (search documents, API summaries, text inserted into replies). */
export function markdownToText(markdown: string): string {
  return blocks(markdown)
    .map((block) => {
      const plain = (t: string) =>
        t.replace(LINK, (_m, label: string, href: string) => `${label} (${href})`).replace(/\*\*|\*|_/g, '');
      switch (block.kind) {
        case 'heading':
          return plain(block.text);
        case 'paragraph':
          return plain(block.lines.join(' '));
        case 'list':
          return block.items.map((i) => `- ${plain(i)}`).join('\n');
      }
    })
    .join('\n\n');
}
