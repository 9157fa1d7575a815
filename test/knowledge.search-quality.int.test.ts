/**
 * Search quality of the knowledge base (issue 15): the demo articles (src/modules/knowledge/content) are seeded
 * as published articles, every hand-written query in test/fixtures/knowledge/search-queries.json (typos,
 * synonyms, plain-language questions) runs through the public search, and the expected article must be in
 * the top 3 for at least 90% of them. The hit rate and the misses are printed.
 * Runs on PGlite by default and on PostgreSQL when TEST_DATABASE_URL is set; the articles are seeded under a
 * namespace of their own (and the search is limited to its councils) so a shared database does not matter.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { TestClock } from '../src/platform/clock.ts';
import type { Db } from '../src/platform/db/index.ts';
import { searchArticles } from '../src/modules/knowledge/index.ts';
import { seedDemoArticles } from './builders/knowledge.ts';
import { openTestDatabase, testEngine } from './support/db.ts';
import type { Database } from '../src/platform/db/index.ts';

const QUERIES = JSON.parse(
  readFileSync(new URL('./fixtures/knowledge/search-queries.json', import.meta.url), 'utf8'),
) as { query: string; expected: string }[];

let database: Database;
let db: Db;
const clock = new TestClock('2026-12-07T10:00:00Z');
const ns = `sq${randomUUID().slice(0, 6)}`;
const authorityIds: string[] = [];

before(async () => {
  database = await openTestDatabase();
  db = database.db;
  authorityIds.push(...(await seedDemoArticles(db, { ns, now: clock.now() })).authorityIds);
});
after(() => database.close());

void test('the demo articles answer the hand-written queries: the expected article in the top 3 for at least 90%', async () => {
  assert.ok(QUERIES.length >= 40, `${QUERIES.length} queries`);
  let top3 = 0;
  let first = 0;
  const misses: string[] = [];
  for (const { query, expected } of QUERIES) {
    const hits = await searchArticles(db, {
      query,
      audience: 'public',
      now: clock.now(),
      authorityIds,
      limit: 3,
    });
    // Snippets are words, not Markdown: no link addresses or emphasis marks.
    for (const h of hits)
      assert.doesNotMatch(
        h.snippet.map((part) => part.text).join(''),
        /\]\(|\*\*|^#/m,
        `snippet of ${h.slug}`,
      );
    const rank = hits.findIndex((h) => h.slug === `${ns}-${expected}`);
    if (rank === 0) first++;
    if (rank >= 0) top3++;
    else
      misses.push(
        `  "${query}" → wanted ${expected}, got ${hits.map((h) => h.slug.slice(ns.length + 1)).join(', ') || 'nothing'}`,
      );
  }
  const rate = top3 / QUERIES.length;
  console.log(
    `knowledge search quality (${testEngine}): top-3 ${top3}/${QUERIES.length} = ${(rate * 100).toFixed(1)}%, first ${first}/${QUERIES.length}`,
  );
  if (misses.length) console.log(`misses:\n${misses.join('\n')}`);
  assert.ok(rate >= 0.9, `top-3 hit rate ${(rate * 100).toFixed(1)}% is under 90%`);
});
