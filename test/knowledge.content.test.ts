/**
 * The knowledge base's demo content (issue 15, item 5): every article in
 * src/modules/knowledge/content/*.md has the front matter the loader reads, names a council, team and
 * services that exist in the demo area, and keeps to the Markdown subset the renderer allows; every hand-written
 * search query in test/fixtures/knowledge/search-queries.json expects a public article that exists.
 * Pure: reads files only.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { AUTHORITIES } from '../src/seed/area.ts';

const CONTENT = new URL('../src/modules/knowledge/content/', import.meta.url);
const DEFINITIONS = new URL('../src/modules/services/definitions/', import.meta.url);
const QUERIES = new URL('./fixtures/knowledge/search-queries.json', import.meta.url);

const KEYS = ['title', 'summary', 'audience', 'authority', 'team', 'services', 'keywords'] as const;
type Key = (typeof KEYS)[number];

interface Article {
  slug: string;
  meta: Record<Key, string>;
  body: string;
}

function parse(slug: string, text: string): Article {
  const match = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text);
  assert.ok(match, `${slug}: front matter between --- lines`);
  const meta: Partial<Record<string, string>> = {};
  for (const line of match[1].split('\n')) {
    const at = line.indexOf(':');
    assert.ok(at > 0, `${slug}: front matter line "${line}" is key: value`);
    const key = line.slice(0, at);
    assert.ok((KEYS as readonly string[]).includes(key), `${slug}: unknown key "${key}"`);
    assert.equal(meta[key], undefined, `${slug}: "${key}" given twice`);
    meta[key] = line.slice(at + 1).trim();
  }
  for (const key of KEYS) assert.notEqual(meta[key], undefined, `${slug}: "${key}" missing`);
  return { slug, meta: meta as Record<Key, string>, body: match[2] };
}

const list = (value: string) =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

const articles = readdirSync(CONTENT)
  .filter((f) => f.endsWith('.md'))
  .sort()
  .map((f) => parse(f.slice(0, -3), readFileSync(new URL(f, CONTENT), 'utf8')));
const bySlug = new Map(articles.map((a) => [a.slug, a]));
const serviceSlugs = new Set(
  readdirSync(DEFINITIONS)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5)),
);

/** Block-level lines the renderer accepts: ## and ### headings, - and 1. list items, paragraphs, blank lines. */
function badLines(body: string): string[] {
  return body.split('\n').filter((line) => {
    if (line.trim() === '') return false;
    if (/^#{1}\s|^#{4,}/.test(line)) return true; // h1 and h4+ are not allowed
    if (/^(```|>|\||<|\s{4}|\t|\* |\+ )/.test(line)) return true; // code, quotes, tables, HTML, other lists
    if (/\[[^\]]*\]\((?!https:\/\/|\/)[^)]*\)/.test(line)) return true; // links must be https:// or relative
    if (/(^|[^*])\*[^*\s][^*]*\*(?!\*)|(^|\W)_[^_]+_(\W|$)|`/.test(line)) return true; // italics and code spans
    return false;
  });
}

describe('knowledge base demo content', () => {
  test('there are at least 40 articles, at least 8 of them for staff only', () => {
    const internal = articles.filter((a) => a.meta.audience === 'internal').length;
    assert.ok(articles.length >= 40, `${articles.length} articles`);
    assert.ok(internal >= 8, `${internal} internal articles`);
  });

  test('every article has a title, summary, audience, keywords and a body in the allowed Markdown', () => {
    for (const { slug, meta, body } of articles) {
      assert.match(slug, /^[a-z0-9]+(-[a-z0-9]+)*$/, `${slug}: slug is lower case words and hyphens`);
      assert.ok(meta.title.length > 0 && meta.title.length <= 120, `${slug}: title`);
      assert.ok(!/^["']/.test(meta.title), `${slug}: title is not quoted`);
      assert.ok(meta.summary.length > 0 && meta.summary.length <= 300, `${slug}: summary`);
      assert.ok(['public', 'internal'].includes(meta.audience), `${slug}: audience is public or internal`);
      assert.ok(list(meta.keywords).length >= 3, `${slug}: at least 3 keywords`);
      assert.ok(body.trim().length > 0, `${slug}: body`);
      assert.match(body, /^## /m, `${slug}: body has a ## heading`);
      assert.deepEqual(badLines(body), [], `${slug}: only the allowed Markdown`);
    }
  });

  test('every article names a council, a team of that council and services that exist', () => {
    for (const { slug, meta } of articles) {
      assert.ok(
        meta.authority === 'county' || meta.authority === 'city',
        `${slug}: authority county or city`,
      );
      const teams = AUTHORITIES[meta.authority].teams.map((t) => t.code);
      assert.ok(teams.includes(meta.team), `${slug}: team "${meta.team}" is a ${meta.authority} team`);
      for (const service of list(meta.services)) {
        assert.ok(serviceSlugs.has(service), `${slug}: service "${service}" exists`);
      }
    }
  });

  test('every relative link goes to a service, an article or a portal page that exists; public to public', () => {
    const pages = new Set(['/', '/contact', '/contact/callback', '/track', '/account']);
    for (const { slug, meta, body } of articles) {
      for (const [, href] of body.matchAll(/\]\((\/[^)]*)\)/g)) {
        const service = /^\/services\/([a-z0-9-]+)$/.exec(href);
        const help = /^\/help\/([a-z0-9-]+)$/.exec(href);
        if (service) assert.ok(serviceSlugs.has(service[1]), `${slug}: link ${href}`);
        else if (help) {
          // A public article links only to public ones; staff articles may link to either.
          const target = bySlug.get(help[1]);
          assert.ok(target, `${slug}: link ${href}`);
          if (meta.audience === 'public')
            assert.equal(target.meta.audience, 'public', `${slug}: link ${href}`);
        } else assert.ok(pages.has(href), `${slug}: link ${href}`);
      }
    }
  });

  test('at least 50 search queries, each expecting a public article that exists', () => {
    const queries = JSON.parse(readFileSync(QUERIES, 'utf8')) as { query: string; expected: string }[];
    assert.ok(queries.length >= 50, `${queries.length} queries`);
    const seen = new Set<string>();
    for (const { query, expected } of queries) {
      assert.ok(typeof query === 'string' && query.trim() !== '', 'query is text');
      assert.ok(!seen.has(query.toLowerCase()), `"${query}" is not repeated`);
      seen.add(query.toLowerCase());
      const article = bySlug.get(expected);
      assert.ok(article, `"${query}": article ${expected} exists`);
      assert.equal(article.meta.audience, 'public', `"${query}": article ${expected} is public`);
    }
  });
});
