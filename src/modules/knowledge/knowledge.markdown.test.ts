import { test } from 'node:test';
import assert from 'node:assert/strict';
import { markdownToText, renderMarkdown, safeHref } from './knowledge.markdown.ts';

void test('headings, paragraphs, lists, bold and emphasis become GOV.UK-styled HTML', () => {
  const html = renderMarkdown(
    '# Big\n\n## When\n\nWe collect **every** week,\non *Monday*.\n\n### Bins\n\n- black bin\n- blue bin\n\n1. first\n2. second',
  );
  assert.equal(
    html,
    [
      '<h2 class="govuk-heading-m">Big</h2>',
      '<h2 class="govuk-heading-m">When</h2>',
      '<p class="govuk-body">We collect <strong>every</strong> week, on <em>Monday</em>.</p>',
      '<h3 class="govuk-heading-s">Bins</h3>',
      '<ul class="govuk-list govuk-list--bullet"><li>black bin</li><li>blue bin</li></ul>',
      '<ol class="govuk-list govuk-list--number"><li>first</li><li>second</li></ol>',
    ].join('\n'),
  );
});

void test('links to http(s), mailto and local paths are kept; others become their text', () => {
  assert.equal(
    renderMarkdown('[Pay](https://example.org/pay) or [email](mailto:a@b.example) or [help](/help)'),
    '<p class="govuk-body"><a class="govuk-link" href="https://example.org/pay">Pay</a> or ' +
      '<a class="govuk-link" href="mailto:a@b.example">email</a> or <a class="govuk-link" href="/help">help</a></p>',
  );
  for (const bad of [
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    'data:text/html,<b>',
    '//evil.example',
    'vbscript:x',
    '/\\evil.example',
    'https://x"onmouseover="y',
  ]) {
    assert.equal(safeHref(bad), null, bad);
    assert.doesNotMatch(renderMarkdown(`[click](${bad})`), /href/, bad);
  }
});

void test('hostile input is escaped: no tag, attribute or entity from the article reaches the page', () => {
  const hostile = [
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '## <iframe src="https://evil.example"></iframe>',
    '- <a href="javascript:alert(1)">x</a>',
    '**<b onclick="x">bold</b>**',
    '[<svg onload=alert(1)>](https://example.org)',
    '[x](https://example.org/"><script>)',
    '&lt;script&gt; &#x3C;script&#x3E;',
    '\'"`',
  ].join('\n\n');
  const html = renderMarkdown(hostile);
  assert.doesNotMatch(html, /<(script|img|iframe|svg|b )/i);
  assert.doesNotMatch(html, /<[^>]*\son\w+=/i);
  assert.doesNotMatch(html, /href="javascript:/i);
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.match(html, /&amp;lt;script&amp;gt;/);
  assert.match(html, /&#39;&quot;`/);
  // Every tag in the output is one the renderer writes.
  for (const tag of html.matchAll(/<\/?([a-z0-9]+)/g))
    assert.ok(['h2', 'h3', 'p', 'ul', 'ol', 'li', 'a', 'strong', 'em'].includes(tag[1]), tag[1]);
});

void test('unclosed markers, stray asterisks and long input do not break the output', () => {
  assert.equal(renderMarkdown('2 * 3 * 4 and **open'), '<p class="govuk-body">2 * 3 * 4 and **open</p>');
  assert.equal(renderMarkdown('snake_case_name'), '<p class="govuk-body">snake_case_name</p>');
  const long = '['.repeat(20_000) + '('.repeat(20_000);
  const started = Date.now();
  renderMarkdown(long);
  assert.ok(Date.now() - started < 500, 'linear enough on pathological input');
  assert.equal(renderMarkdown(''), '');
});

void test('plain text keeps words and link addresses, drops markup', () => {
  assert.equal(
    markdownToText('## Title\n\nSee **this** [page](/help).\n\n- one\n- two'),
    'Title\n\nSee this page (/help).\n\n- one\n- two',
  );
});
