/**
 * The knowledge base for staff (issue 15): an agent answering a case types `??bin` in the reply box,
 * inserts the article about missed bins, sends; the case records the article and its version; when the
 * review date has passed (injected clock) the owner is reminded once. Also the "Insert answer" button
 * without JavaScript, the staff bar's search and the content owners' dashboard, each passing axe.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { sql } from 'kysely';
import { TestClock } from '../../src/platform/clock.ts';
import type { Db } from '../../src/platform/db/index.ts';
import { KNOWLEDGE_REVIEW_TOPIC, knowledgeJobHandlers } from '../../src/modules/knowledge/index.ts';
import {
  assertAccessible,
  assertPageBasics,
  chromiumMissing,
  launch,
  newContext,
} from '../support/browser.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { seedDemo } from '../../src/seed/demo.ts';
import { buildStaff, TEST_PASSWORD } from '../../test/builders/index.ts';

const skip = chromiumMissing();
const clock = new TestClock('2026-12-07T10:00:00Z'); // a Monday
let server: RunningServer;
let browser: Browser;
let db: Db;
let agentEmail = '';
let articleId = '';
let articleTitle = '';
let ownerId = '';
let caseIds: string[] = [];

before(async () => {
  if (skip) return;
  server = await startServer(
    async (t) => {
      db = t.database.db;
      await seedDemo(db, { customers: 10, clock });
      const bin = await db
        .selectFrom('articles as a')
        .innerJoin('article_versions as v', (j) =>
          j.onRef('v.article_id', '=', 'a.id').onRef('v.number', '=', 'a.published_version'),
        )
        .select(['a.id', 'a.authority_id', 'a.owner_id', 'v.title'])
        .where('a.slug', 'like', '%report-a-missed-bin-collection')
        .where('a.state', '=', 'published')
        .executeTakeFirstOrThrow();
      articleId = bin.id;
      articleTitle = bin.title;
      ownerId = bin.owner_id!;
      const { rows } = await sql<{ id: string; team_id: string }>`
        select c.id, c.team_id from cases c join services s on s.id = c.service_id
        where c.authority_id = ${bin.authority_id} and c.closed_at is null and s.sensitivity = 'normal'
          and c.customer_id is not null and s.kind not in ('complaint', 'foi', 'sar', 'compliment')
        order by c.reference limit 2`.execute(db);
      assert.equal(rows.length, 2, 'two open cases in the council of the missed-bin article');
      caseIds = rows.map((r) => r.id);
      const agent = await buildStaff(db, bin.authority_id, {
        roles: ['officer'],
        teamIds: [...new Set(rows.map((r) => r.team_id))],
        name: 'Alex Agent',
      });
      agentEmail = agent.email;
    },
    { clock },
  );
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function signIn(page: Page) {
  await page.goto('/staff/sign-in');
  await page.fill('#email', agentEmail);
  await page.fill('#password', TEST_PASSWORD);
  await Promise.all([page.waitForURL('**/staff'), page.click('[data-testid=sign-in]')]);
}

const usesOf = (caseId: string) =>
  db.selectFrom('article_uses').select(['article_id', 'version']).where('case_id', '=', caseId).execute();

void describe('knowledge base for staff', { skip }, () => {
  void test('an agent types ??bin in the reply box, inserts the missed-bin article and sends; the case records it', async () => {
    const context = await newContext(browser, server.baseURL, { javaScriptEnabled: true });
    const page = await context.newPage();
    await signIn(page);
    await page.goto(`/staff/cases/${caseIds[0]}`);
    await assertAccessible(page);
    await page.click('#message');
    await page.keyboard.type('Dear resident, ??bin');
    const suggestion = page.locator('[data-testid=answer-suggestion]', { hasText: articleTitle });
    await suggestion.waitFor();
    await assertAccessible(page);
    await suggestion.click();
    const text = await page.inputValue('#message');
    assert.match(text, /^Dear resident, /);
    assert.doesNotMatch(text, /\?\?bin/);
    assert.match(text, /\/help\/\S*report-a-missed-bin-collection/);
    await Promise.all([
      page.waitForURL(`**/staff/cases/${caseIds[0]}?done=message*`),
      page.click('[data-testid=send-message]'),
    ]);
    const uses = await usesOf(caseIds[0]);
    assert.equal(uses.length, 1);
    assert.equal(uses[0].article_id, articleId);
    assert.equal(uses[0].version, 1);
    assert.match(
      await page.locator('[data-testid=internal]').innerText(),
      new RegExp(`Answered with article ${articleTitle} v1`),
    );
    await context.close();
  });

  void test('without JavaScript, "Insert answer" searches and inserts; the staff bar searches every article', async () => {
    const context = await newContext(browser, server.baseURL, { javaScriptEnabled: false });
    const page = await context.newPage();
    await signIn(page);
    await page.goto(`/staff/cases/${caseIds[1]}`);
    await page.fill('#message', 'Hello,');
    await page.click('[data-testid=insert-answer]');
    await page.fill('#answerQuery', 'bin not emptied');
    await page.click('[data-testid=search-answers]');
    await page.waitForSelector('[data-testid=answer-results]');
    await assertPageBasics(page);
    assert.equal(await page.inputValue('#message'), 'Hello,');
    await page.click(`[data-testid=answer-results] button[value="${articleId}"]`);
    assert.match(await page.inputValue('#message'), /^Hello,\n\n\S/);
    await Promise.all([page.waitForURL('**?done=message*'), page.click('[data-testid=send-message]')]);
    assert.equal((await usesOf(caseIds[1])).length, 1);

    await page.fill('#staff-knowledge-q', 'missed bin');
    await Promise.all([
      page.waitForURL('**/staff/knowledge?q=*'),
      page.click('[data-testid=staff-knowledge-search] button'),
    ]);
    assert.match(await page.locator('[data-testid=staff-article-results]').innerText(), /missed bin/i);
    await context.close();
  });

  void test('after the review date passes the owner is reminded once; the dashboard shows it', async () => {
    const run = knowledgeJobHandlers({ db, clock })[KNOWLEDGE_REVIEW_TOPIC];
    const reviewTasks = () =>
      db
        .selectFrom('article_tasks')
        .select(['owner_id'])
        .where('article_id', '=', articleId)
        .where('kind', '=', 'review')
        .execute();
    await run({} as never);
    assert.equal((await reviewTasks()).length, 0, 'not due yet');
    const { review_on } = await db
      .selectFrom('articles')
      .select('review_on')
      .where('id', '=', articleId)
      .executeTakeFirstOrThrow();
    clock.set(new Date(`${review_on}T12:00:00Z`));
    clock.advance(24 * 3600_000);
    await run({} as never);
    await run({} as never);
    assert.deepEqual(await reviewTasks(), [{ owner_id: ownerId }]);

    const context = await newContext(browser, server.baseURL, { javaScriptEnabled: true });
    const page = await context.newPage();
    await signIn(page);
    await page.goto('/staff/knowledge/dashboard');
    await assertAccessible(page);
    assert.match(await page.locator('[data-testid=overdue-reviews]').innerText(), new RegExp(articleTitle));
    await context.close();
  });
});
