/**
 * Staff use of the knowledge base over app.inject(): the reply box's "Insert answer" without JavaScript and
 * the `??` JSON search, recording the articles of a reply when it is sent ("Answered with article X vN"),
 * articles past their valid-to date leaving search, the review reminders (owner once, then the team's
 * leaders once 10 working days later, on an injected clock) and the content owners' dashboard.
 * Runs on PGlite by default and on PostgreSQL when TEST_DATABASE_URL is set; it builds its own council.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { loadDefaultCalendar } from '../src/platform/calendar/index.ts';
import { TestClock } from '../src/platform/clock.ts';
import type { Db } from '../src/platform/db/index.ts';
import { phoneScripts, remindReviews, searchArticles } from '../src/modules/knowledge/index.ts';
import { sql } from 'kysely';
import { seedDemo } from '../src/seed/demo.ts';
import { buildStaff } from './builders/index.ts';
import { signedIn } from './builders/customers.ts';
import { Browser, buildTestApp, type TestApp } from './support/app.ts';

let t: TestApp;
let db: Db;
const clock = new TestClock('2026-12-07T10:00:00Z');
const calendar = loadDefaultCalendar({ outOfRange: 'weekends-only' });
let authorityId: string;
let teamId: string;
let agent: { id: string; email: string };
let leader: { id: string; email: string };
let auditor: { id: string; email: string };
let agentBrowser: Browser;
let caseId: string;
let publicId: string;
let internalId: string;
/** A word no other test's article holds, so searches in a shared database find only ours. */
const ns = `ku${randomUUID().slice(0, 6)}`;
const word = `zk${randomUUID()
  .slice(0, 6)
  .replace(/[^a-z]/g, 'y')}`;

/** Creates and publishes an article through the staff pages (the agent's team; no second person needed). */
async function article(input: { title: string; audience?: 'public' | 'internal' }): Promise<string> {
  const page = await agentBrowser.get('/staff/knowledge/new');
  const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1];
  const created = await agentBrowser.post('/staff/knowledge/new', {
    _csrf: token,
    title: input.title,
    summary: 'What to do when we did not empty your bin.',
    body: 'Report it within **2 working days**.\n\n- put it out by 7am',
    keywords: `bin, ${word}`,
    audience: input.audience ?? 'public',
    teamId,
    ownerId: agent.id,
    changeNote: '',
  });
  assert.equal(created.statusCode, 303, created.body.slice(0, 500));
  const id = /\/staff\/knowledge\/([0-9a-f-]{36})/.exec(created.headers.location as string)![1];
  const published = await agentBrowser.submit(`/staff/knowledge/${id}`, `/staff/knowledge/${id}/publish`, {});
  assert.equal(published.statusCode, 303, published.body.slice(0, 500));
  return id;
}

before(async () => {
  t = await buildTestApp({ clock });
  db = t.database.db;
  await seedDemo(db, { namespace: ns, customers: 5 });
  const { rows } = await sql<{ id: string; team_id: string; authority_id: string }>`
    select c.id, c.team_id, c.authority_id
    from cases c join services s on s.id = c.service_id join authorities a on a.id = c.authority_id
    where a.code like ${`${ns}-%`} and c.closed_at is null and s.sensitivity = 'normal'
      and c.customer_id is not null and s.kind not in ('complaint', 'foi', 'sar', 'compliment')
    order by c.reference limit 1`.execute(db);
  caseId = rows[0].id;
  teamId = rows[0].team_id;
  authorityId = rows[0].authority_id;
  agent = await buildStaff(db, authorityId, { roles: ['officer'], teamIds: [teamId], name: 'Agnes Agent' });
  leader = await buildStaff(db, authorityId, {
    roles: ['team_leader'],
    teamIds: [teamId],
    leaderOf: [teamId],
    name: 'Lee Leader',
  });
  auditor = await buildStaff(db, authorityId, { roles: ['auditor'] });
  agentBrowser = await signedIn(t.app, agent);
  publicId = await article({ title: `Missed bin collections ${word}` });
  internalId = await article({ title: `Phone script for missed bins ${word}`, audience: 'internal' });
});
after(() => t.close());

const casePage = () => `/staff/cases/${caseId}`;

void describe('inserting an answer into the reply to the resident', () => {
  void test('without JavaScript: "Insert answer" keeps the message, searches, and inserts the text and link', async () => {
    const page = await agentBrowser.get(casePage());
    assert.match(page.body, /data-testid="insert-answer"/);
    const opened = await agentBrowser.submit(casePage(), `${casePage()}/answers`, {
      message: 'Dear resident,',
    });
    assert.equal(opened.statusCode, 200);
    assert.match(opened.body, /Dear resident,<\/textarea>/);
    assert.match(opened.body, /id="answerQuery"/);

    const found = await agentBrowser.submit(casePage(), `${casePage()}/answers`, {
      message: 'Dear resident,',
      answerQuery: word,
    });
    assert.match(found.body, /data-testid="answer-results"/);
    assert.match(found.body, new RegExp(`Missed bin collections ${word}`));
    assert.match(
      found.body,
      new RegExp(`Phone script for missed bins ${word}`),
      'staff see internal articles',
    );

    const inserted = await agentBrowser.submit(casePage(), `${casePage()}/answers`, {
      message: 'Dear resident,',
      insert: publicId,
    });
    assert.equal(inserted.statusCode, 200);
    assert.match(inserted.body, /Dear resident,\s+Report it within 2 working days\./);
    assert.match(inserted.body, /\/help\/missed-bin-collections-/, 'a public article brings its link');
    assert.match(inserted.body, new RegExp(`name="article" value="${publicId}:1"`));
    const uses = await db.selectFrom('article_uses').selectAll().where('case_id', '=', caseId).execute();
    assert.equal(uses.length, 0, 'inserting records nothing by itself');
  });

  void test('?? search: the JSON answers list public and internal articles with their text and ref', async () => {
    const res = await agentBrowser.get(`/staff/knowledge/answers?q=${word}`);
    assert.equal(res.statusCode, 200);
    const { answers } = res.json<{ answers: { ref: string; title: string; text: string }[] }>();
    assert.deepEqual(answers.map((a) => a.ref).sort(), [`${publicId}:1`, `${internalId}:1`].sort());
    assert.equal(
      (await new Browser(t.app).get(`/staff/knowledge/answers?q=${word}`)).statusCode === 200,
      false,
    );
  });

  void test('sending the reply records each inserted article and version on the case timeline', async () => {
    const res = await agentBrowser.submit(casePage(), `/staff/cases/${caseId}/messages`, {
      message: 'Dear resident, report it within 2 working days.',
      article: `${publicId}:1`,
    });
    assert.equal(res.statusCode, 303, res.body.slice(0, 300));
    // A forged ref (unknown article) is ignored.
    await agentBrowser.submit(casePage(), `/staff/cases/${caseId}/messages`, {
      message: 'And another thing.',
      article: `${randomUUID()}:1`,
    });
    const uses = await db.selectFrom('article_uses').selectAll().where('case_id', '=', caseId).execute();
    assert.equal(uses.length, 1);
    assert.equal(uses[0].article_id, publicId);
    assert.equal(uses[0].version, 1);
    assert.equal(uses[0].used_by, agent.id);
    const page = await agentBrowser.get(casePage());
    assert.match(page.body, new RegExp(`Answered with article Missed bin collections ${word} v1`));
  });
});

void describe('keeping it true', () => {
  void test('an article past its valid-to date leaves staff and public search by itself', async () => {
    const id = await article({ title: `Garden waste winter pause ${word}` });
    // As publishing with a stop date leaves it: on the article and on its search row.
    const validTo = new Date('2026-12-20T00:00:00Z');
    await db.updateTable('articles').set({ valid_to: validTo }).where('id', '=', id).execute();
    await db.updateTable('article_search').set({ valid_to: validTo }).where('article_id', '=', id).execute();
    const find = (audience: 'public' | 'all') =>
      searchArticles(db, {
        query: `garden ${word}`,
        audience,
        now: clock.now(),
        authorityIds: [authorityId],
      });
    assert.ok((await find('all')).some((h) => h.title.includes('Garden waste')));
    clock.set(new Date('2026-12-21T10:00:00Z'));
    try {
      assert.ok(!(await find('all')).some((h) => h.title.includes('Garden waste')));
      assert.ok(!(await find('public')).some((h) => h.title.includes('Garden waste')));
    } finally {
      clock.set(new Date('2026-12-07T10:00:00Z'));
    }
    assert.ok(id);
  });

  void test('the review job reminds the owner once, then the team leader once 10 working days later', async () => {
    const id = await article({ title: `Bulky waste ${word}` });
    await db.updateTable('articles').set({ review_on: '2027-01-04' }).where('id', '=', id).execute();
    const tasks = () =>
      db
        .selectFrom('article_tasks')
        .select(['kind', 'owner_id'])
        .where('article_id', '=', id)
        .orderBy('created_at')
        .execute();
    const run = (at: string) => remindReviews(db, { now: new Date(at), calendar });
    await run('2027-01-04T09:00:00Z');
    assert.equal((await tasks()).length, 0, 'not before the review date has passed');
    await run('2027-01-05T09:00:00Z');
    await run('2027-01-05T10:00:00Z');
    assert.deepEqual(await tasks(), [{ kind: 'review', owner_id: agent.id }], 'the owner, once');
    await run('2027-01-15T09:00:00Z');
    assert.equal((await tasks()).length, 1, 'not before 10 working days');
    await run('2027-01-19T09:00:00Z');
    const once = await tasks();
    await run('2027-01-20T09:00:00Z');
    assert.deepEqual(await tasks(), once, 'the leaders, once');
    assert.deepEqual(once[0], { kind: 'review', owner_id: agent.id });
    const escalated = once.slice(1);
    assert.ok(escalated.length >= 1);
    assert.ok(escalated.every((k) => k.kind === 'review_escalated'));
    assert.ok(
      escalated.some((k) => k.owner_id === leader.id),
      "the owning team's leader",
    );
    assert.ok(!escalated.some((k) => k.owner_id === agent.id), 'not the owner again');
  });

  void test('the dashboard shows the figures; the auditor can read it', async () => {
    await db.updateTable('articles').set({ views: 7 }).where('id', '=', publicId).execute();
    await db
      .insertInto('article_feedback')
      .values({ article_id: publicId, version: 1, helpful: false, comment: null, created_at: clock.now() })
      .execute();
    const missed = `nothingmatches${word}`;
    await searchArticles(db, { query: missed, audience: 'public', now: clock.now() });
    const page = await agentBrowser.get('/staff/knowledge/dashboard');
    assert.equal(page.statusCode, 200);
    const section = (id: string) =>
      new RegExp(`data-testid="${id}"[\\s\\S]*?</table>`).exec(page.body)?.[0] ?? '';
    assert.match(section('most-viewed'), new RegExp(`Missed bin collections ${word}[\\s\\S]*?>7<`));
    assert.match(section('most-inserted'), new RegExp(`Missed bin collections ${word}[\\s\\S]*?>1<`));
    assert.match(section('most-not-helpful'), new RegExp(`Missed bin collections ${word}`));
    assert.match(section('search-misses'), new RegExp(missed));
    const audit = await signedIn(t.app, auditor);
    assert.equal((await audit.get('/staff/knowledge/dashboard')).statusCode, 200);
  });
});

void describe('phone scripts beside the call', () => {
  void test("internal articles linked to the queue's service or the customer's open cases; else 'phone script'", async () => {
    const kase = await db
      .selectFrom('cases')
      .select(['service_id', 'customer_id'])
      .where('id', '=', caseId)
      .executeTakeFirstOrThrow();
    await db
      .insertInto('article_services')
      .values({ article_id: internalId, service_id: kase.service_id })
      .execute();
    const scripts = await phoneScripts(db, {
      queueId: null,
      customerId: kase.customer_id,
      authorityIds: [authorityId],
      now: clock.now(),
    });
    assert.ok(
      scripts.some((s) => s.href === `/staff/knowledge/${internalId}`),
      "the customer's open case's service",
    );
    const queue = await db
      .insertInto('phone_queues')
      .values({
        authority_id: authorityId,
        team_id: teamId,
        code: `q-${word}`,
        name: 'Bins',
        service_id: kase.service_id,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const byQueue = await phoneScripts(db, {
      queueId: queue.id,
      customerId: null,
      authorityIds: [authorityId],
      now: clock.now(),
    });
    assert.ok(
      byQueue.some((s) => s.href === `/staff/knowledge/${internalId}`),
      "the queue's service",
    );
    const general = await phoneScripts(db, {
      queueId: null,
      customerId: null,
      authorityIds: [authorityId],
      now: clock.now(),
    });
    assert.ok(!general.some((s) => s.href === `/staff/knowledge/${publicId}`), 'never a public article');
  });
});
