/**
 * The knowledge base end to end over app.inject(): drafting, versions, review and publishing by a second
 * person, withdrawn and archived articles, valid-to dates, internal articles never reaching residents or the
 * API, help-page feedback becoming a task for the owner, service pages and the portal search.
 * Runs on PGlite by default and on PostgreSQL when TEST_DATABASE_URL is set; it builds its own council.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { TestClock } from '../src/platform/clock.ts';
import { withTransaction, type Db } from '../src/platform/db/index.ts';
import { searchArticles, seedArticles } from '../src/modules/knowledge/index.ts';
import { buildAuthority, buildService, buildStaff, buildTeam } from './builders/index.ts';
import { signedIn } from './builders/customers.ts';
import { Browser, buildTestApp, type TestApp } from './support/app.ts';

let t: TestApp;
let db: Db;
const clock = new TestClock('2026-12-07T10:00:00Z');
let authorityId: string;
let teamId: string;
let strictTeamId: string;
let serviceSlug: string;
let serviceId: string;
let editor: { id: string; email: string };
let colleague: { id: string; email: string };
let auditor: { id: string; email: string };
let editorBrowser: Browser;
let colleagueBrowser: Browser;
/** A word no other test's article holds, so searches in a shared database find only ours. */
const word = `zq${randomUUID()
  .slice(0, 6)
  .replace(/[^a-z]/g, 'x')}`;

before(async () => {
  t = await buildTestApp({ clock });
  db = t.database.db;
  const authority = await buildAuthority(db, { kind: 'city' });
  authorityId = authority.id;
  teamId = (await buildTeam(db, authorityId, { name: 'Waste' })).id;
  strictTeamId = (await buildTeam(db, authorityId, { name: 'Parking' })).id;
  await db
    .updateTable('teams')
    .set({ knowledge_second_publisher: true })
    .where('id', '=', strictTeamId)
    .execute();
  const service = await buildService(db, authorityId, teamId, { name: 'Report a missed bin' });
  serviceSlug = service.slug;
  serviceId = service.id;
  editor = await buildStaff(db, authorityId, {
    roles: ['officer'],
    teamIds: [teamId, strictTeamId],
    name: 'Edie Editor',
  });
  colleague = await buildStaff(db, authorityId, {
    roles: ['team_leader'],
    teamIds: [teamId, strictTeamId],
    name: 'Colin Colleague',
  });
  auditor = await buildStaff(db, authorityId, { roles: ['auditor'] });
  editorBrowser = await signedIn(t.app, editor);
  colleagueBrowser = await signedIn(t.app, colleague);
});
after(() => t.close());

function articleFields(overrides: Record<string, string | string[]> = {}) {
  return {
    title: `Missed bin collections ${word}`,
    summary: 'What to do when we did not empty your bin.',
    body: '## If your bin was not emptied\n\nReport it within **2 working days**.\n\n- put it out by 7am\n- check your [bin day](/help)',
    keywords: 'bin not emptied, rubbish left, refuse',
    audience: 'public',
    teamId,
    ownerId: editor.id,
    changeNote: '',
    ...overrides,
  };
}

async function create(browser: Browser, overrides: Record<string, string | string[]> = {}): Promise<string> {
  const fields = articleFields(overrides);
  const { services, ...rest } = fields as Record<string, string> & { services?: string };
  const page = await browser.get('/staff/knowledge/new');
  const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1];
  const body = new URLSearchParams({ _csrf: token, ...rest });
  if (services) body.append('services', services);
  const res = await t.app.inject({
    method: 'POST',
    url: '/staff/knowledge/new',
    payload: body.toString(),
    remoteAddress: browser.remoteAddress,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      cookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
    },
  });
  assert.equal(res.statusCode, 303, res.body.slice(0, 500));
  const id = /\/staff\/knowledge\/([0-9a-f-]{36})\?done=created/.exec(res.headers.location as string)?.[1];
  assert.ok(id);
  return id;
}

const act = (browser: Browser, id: string, action: string, fields: Record<string, string> = {}) =>
  browser.submit(`/staff/knowledge/${id}`, `/staff/knowledge/${id}/${action}`, fields);

async function slugOf(id: string): Promise<string> {
  return (await db.selectFrom('articles').select('slug').where('id', '=', id).executeTakeFirstOrThrow()).slug;
}

void describe('drafting, versions and publishing', () => {
  void test('a draft is not public; the author publishes when the team does not require a second person', async () => {
    const id = await create(editorBrowser, { services: serviceId });
    const slug = await slugOf(id);
    assert.equal(
      (await new Browser(t.app).get(`/help/${slug}`)).statusCode,
      404,
      'a draft has no public page',
    );
    assert.equal((await act(editorBrowser, id, 'publish')).statusCode, 303);
    const page = await new Browser(t.app).get(`/help/${slug}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<h2 class="govuk-heading-m">If your bin was not emptied<\/h2>/);
    assert.match(page.body, /<strong>2 working days<\/strong>/);
    const article = await db
      .selectFrom('articles')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.equal(article.state, 'published');
    assert.equal(article.published_version, 1);
    assert.equal(article.review_on, '2027-06-07', 'review 6 months after publishing');
    // The service page links it, and the portal search finds it beside services.
    const servicePage = await new Browser(t.app).get(`/services/${serviceSlug}`);
    assert.match(servicePage.body, /Questions about this service/);
    assert.ok(servicePage.body.includes(`/help/${slug}`));
    const search = await new Browser(t.app).get(`/search?q=${encodeURIComponent(`bin not emptied ${word}`)}`);
    assert.ok(search.body.includes(`/help/${slug}`), 'the portal search lists the article');
  });

  void test('editing a published article makes version 2; residents see version 1 until it is published; versions compare', async () => {
    const id = await create(editorBrowser);
    const slug = await slugOf(id);
    await act(editorBrowser, id, 'publish');
    const edit = await editorBrowser.submit(`/staff/knowledge/${id}/edit`, `/staff/knowledge/${id}/edit`, {
      ...articleFields({ body: 'Report it within **3 working days**.' }),
      changeNote: 'Three days now',
    });
    assert.equal(edit.statusCode, 303);
    assert.match((await new Browser(t.app).get(`/help/${slug}`)).body, /2 working days/);
    await act(editorBrowser, id, 'publish');
    assert.match((await new Browser(t.app).get(`/help/${slug}`)).body, /3 working days/);
    const versions = await db
      .selectFrom('article_versions')
      .selectAll()
      .where('article_id', '=', id)
      .orderBy('number')
      .execute();
    assert.deepEqual(
      versions.map((v) => [v.number, v.change_note, Boolean(v.published_at)]),
      [
        [1, 'First version', true],
        [2, 'Three days now', true],
      ],
    );
    const old = await editorBrowser.get(`/staff/knowledge/${id}/versions/1`);
    assert.equal(old.statusCode, 200);
    assert.match(old.body, /2 working days/);
    const compare = await editorBrowser.get(`/staff/knowledge/${id}/compare?from=1&to=2`);
    assert.match(compare.body, /<del>− Report it within \*\*2 working days\*\*\.<\/del>/);
    assert.match(compare.body, /<ins>\+ Report it within \*\*3 working days\*\*\.<\/ins>/);
    assert.equal((await editorBrowser.get(`/staff/knowledge/${id}/versions/99`)).statusCode, 404);
    assert.equal((await editorBrowser.get(`/staff/knowledge/${id}/versions/x`)).statusCode, 404);
  });

  void test('a team that requires a second person: the author cannot publish, a colleague can after review', async () => {
    const id = await create(editorBrowser, { teamId: strictTeamId });
    const early = await act(colleagueBrowser, id, 'publish');
    assert.equal(early.statusCode, 422, 'not before it is submitted for review');
    assert.equal((await act(editorBrowser, id, 'submit')).statusCode, 303);
    const own = await act(editorBrowser, id, 'publish');
    assert.equal(own.statusCode, 422);
    assert.match(own.body, /Someone other than the author must publish this article/);
    assert.equal(
      (await db.selectFrom('articles').select('state').where('id', '=', id).executeTakeFirstOrThrow()).state,
      'in_review',
    );
    assert.equal((await act(colleagueBrowser, id, 'publish')).statusCode, 303);
    const v = await db
      .selectFrom('article_versions')
      .selectAll()
      .where('article_id', '=', id)
      .executeTakeFirstOrThrow();
    assert.equal(v.published_by, colleague.id);
    assert.equal(v.author_id, editor.id);
  });

  void test('the article-level flag needs a second person too; an auditor may read but not write', async () => {
    const id = await create(editorBrowser, { secondPublisher: 'yes' });
    await act(editorBrowser, id, 'submit');
    assert.equal((await act(editorBrowser, id, 'publish')).statusCode, 422);
    const auditorBrowser = await signedIn(t.app, auditor);
    assert.equal((await auditorBrowser.get(`/staff/knowledge/${id}`)).statusCode, 200);
    assert.equal((await auditorBrowser.get('/staff/knowledge/new')).statusCode, 403);
  });

  void test('bad input re-shows the form with the errors and the answers kept', async () => {
    const res = await editorBrowser.submit('/staff/knowledge/new', '/staff/knowledge/new', {
      title: 'Only a title',
      summary: '',
      body: '',
      audience: 'public',
      teamId,
      ownerId: editor.id,
      'validTo-day': '31',
      'validTo-month': '2',
      'validTo-year': '2027',
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /govuk-error-summary/);
    assert.match(res.body, /Enter a summary/);
    assert.match(res.body, /Stop showing on must be a real date/);
    assert.match(res.body, /value="Only a title"/);
  });
});

void describe('what residents and the API see', () => {
  void test('withdrawn: page kept with a banner, out of search and the API; archived: redirect to the replacement', async () => {
    const a = await create(editorBrowser, { title: `Garden waste ${word}` });
    const b = await create(editorBrowser, { title: `Green bins ${word}` });
    await act(editorBrowser, a, 'publish');
    await act(editorBrowser, b, 'publish');
    const [slugA, slugB] = [await slugOf(a), await slugOf(b)];
    assert.equal((await act(editorBrowser, a, 'withdraw')).statusCode, 303);
    const page = await new Browser(t.app).get(`/help/${slugA}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /This page is no longer current/);
    const hits = await searchArticles(db, { query: `garden ${word}`, audience: 'public', now: clock.now() });
    assert.ok(!hits.some((h) => h.slug === slugA), 'withdrawn is out of search');
    assert.equal((await t.app.inject({ url: `/api/v1/articles/${slugA}` })).statusCode, 410);

    const c = await create(editorBrowser, { title: `Old bin page ${word}` });
    await act(editorBrowser, c, 'publish');
    const bad = await act(editorBrowser, c, 'archive', { replacement: 'no-such-article' });
    assert.equal(bad.statusCode, 422);
    assert.equal((await act(editorBrowser, c, 'archive', { replacement: `/help/${slugB}` })).statusCode, 303);
    const moved = await new Browser(t.app).get(`/help/${await slugOf(c)}`);
    assert.equal(moved.statusCode, 301);
    assert.equal(moved.headers.location, `/help/${slugB}`);
  });

  void test('past its valid-to date an article leaves public search by itself; before valid-from it is not shown', async () => {
    const id = await create(editorBrowser, {
      title: `Christmas collections ${word}`,
      'validTo-day': '1',
      'validTo-month': '1',
      'validTo-year': '2027',
    });
    await act(editorBrowser, id, 'publish');
    const slug = await slugOf(id);
    const find = () =>
      searchArticles(db, { query: `christmas ${word}`, audience: 'public', now: clock.now() });
    assert.ok((await find()).some((h) => h.slug === slug));
    const saved = clock.now();
    clock.set('2027-01-02T10:00:00Z');
    try {
      assert.ok(!(await find()).some((h) => h.slug === slug), 'out of search after valid-to');
      assert.match((await new Browser(t.app).get(`/help/${slug}`)).body, /no longer current/);
      const list = (await t.app.inject({ url: '/api/v1/articles?limit=100' })).json<{
        articles: { slug: string }[];
      }>();
      assert.ok(!list.articles.some((a) => a.slug === slug));
    } finally {
      clock.set(saved);
    }
    const later = await create(editorBrowser, {
      title: `New year collections ${word}`,
      'validFrom-day': '1',
      'validFrom-month': '1',
      'validFrom-year': '2027',
    });
    await act(editorBrowser, later, 'publish');
    assert.equal((await new Browser(t.app).get(`/help/${await slugOf(later)}`)).statusCode, 404);
  });

  void test('internal articles never reach residents or the API; staff search finds them', async () => {
    const id = await create(editorBrowser, { title: `Escalation contacts ${word}`, audience: 'internal' });
    await act(editorBrowser, id, 'publish');
    const slug = await slugOf(id);
    assert.equal((await new Browser(t.app).get(`/help/${slug}`)).statusCode, 404);
    const help = await new Browser(t.app).get(`/help?q=${encodeURIComponent(`escalation ${word}`)}`);
    assert.ok(!help.body.includes(slug));
    const portal = await new Browser(t.app).get(`/search?q=${encodeURIComponent(`escalation ${word}`)}`);
    assert.ok(!portal.body.includes(slug));
    assert.equal((await t.app.inject({ url: `/api/v1/articles/${slug}` })).statusCode, 404);
    const api = (
      await t.app.inject({ url: `/api/v1/articles?q=${encodeURIComponent(`escalation ${word}`)}` })
    ).json<{
      articles: { slug: string }[];
    }>();
    assert.ok(!api.articles.some((a) => a.slug === slug));
    const list = (await t.app.inject({ url: '/api/v1/articles?limit=100' })).json<{
      articles: { slug: string }[];
    }>();
    assert.ok(!list.articles.some((a) => a.slug === slug));
    const staff = await editorBrowser.get(`/staff/knowledge?q=${encodeURIComponent(`escalation ${word}`)}`);
    assert.ok(staff.body.includes(slug), 'staff search finds internal articles');
  });

  void test('the API gives a published article as Markdown, HTML and text, and a search with snippets', async () => {
    const id = await create(editorBrowser, { title: `Bulky waste ${word}` });
    await act(editorBrowser, id, 'publish');
    const slug = await slugOf(id);
    const one = await t.app.inject({ url: `/api/v1/articles/${slug}` });
    assert.equal(one.statusCode, 200);
    const body = one.json<{ title: string; bodyHtml: string; version: number; keywords: string[] }>();
    assert.equal(body.title, `Bulky waste ${word}`);
    assert.match(body.bodyHtml, /<strong>2 working days<\/strong>/);
    assert.deepEqual(body.keywords, ['bin not emptied', 'rubbish left', 'refuse']);
    const search = await t.app.inject({ url: `/api/v1/articles?q=${encodeURIComponent(`bulky ${word}`)}` });
    const found = search.json<{ articles: { slug: string; snippet: string }[] }>().articles;
    assert.equal(found[0]?.slug, slug);
    assert.equal((await t.app.inject({ url: '/api/v1/articles/NOT_A_SLUG' })).statusCode, 404);
  });

  void test('searches tolerate typos and log what finds nothing', async () => {
    const id = await create(editorBrowser, {
      title: `Pothole repairs ${word}`,
      keywords: 'hole in the road',
    });
    await act(editorBrowser, id, 'publish');
    const slug = await slugOf(id);
    const typo = await searchArticles(db, {
      query: 'pothol repiars',
      audience: 'public',
      now: clock.now(),
      authorityIds: [authorityId],
    });
    assert.equal(typo[0]?.slug, slug);
    const nothing = `${word}nothingmatches`;
    const none = await searchArticles(db, { query: nothing, audience: 'public', now: clock.now() });
    assert.deepEqual(none, []);
    const miss = await db
      .selectFrom('article_search_misses')
      .selectAll()
      .where('query', '=', nothing)
      .execute();
    assert.equal(miss.length, 1);
  });

  void test('"not helpful" with a comment becomes a task for the owner, on their home and the knowledge page', async () => {
    const id = await create(editorBrowser, { title: `Bin day ${word}` });
    await act(editorBrowser, id, 'publish');
    const slug = await slugOf(id);
    const resident = new Browser(t.app);
    const missing = await resident.submit(`/help/${slug}`, `/help/${slug}/feedback`, { comment: 'x' });
    assert.equal(missing.statusCode, 400);
    assert.match(missing.body, /Select yes or no/);
    const yes = await resident.submit(`/help/${slug}`, `/help/${slug}/feedback`, { helpful: 'yes' });
    assert.equal(yes.statusCode, 303);
    const no = await resident.submit(`/help/${slug}`, `/help/${slug}/feedback`, {
      helpful: 'no',
      comment: 'It does not say what happens at Christmas',
    });
    assert.equal(no.statusCode, 303);
    assert.equal(no.headers.location, `/help/${slug}/feedback`);
    const tasks = await db.selectFrom('article_tasks').selectAll().where('article_id', '=', id).execute();
    assert.equal(tasks.length, 1);
    assert.equal(tasks[0].owner_id, editor.id);
    assert.match((await editorBrowser.get('/staff')).body, /It does not say what happens at Christmas/);
    const list = await editorBrowser.get('/staff/knowledge');
    assert.match(list.body, /It does not say what happens at Christmas/);
    await editorBrowser.submit('/staff/knowledge', `/staff/knowledge/tasks/${tasks[0].id}/done`, {});
    assert.ok(
      (
        await db
          .selectFrom('article_tasks')
          .select('done_at')
          .where('id', '=', tasks[0].id)
          .executeTakeFirstOrThrow()
      ).done_at,
    );
  });
});

void test('the content loader seeds published articles once, owned by a member of the team', async () => {
  const code = (
    await db.selectFrom('authorities').select('code').where('id', '=', authorityId).executeTakeFirstOrThrow()
  ).code;
  const team = await db.selectFrom('teams').select('code').where('id', '=', teamId).executeTakeFirstOrThrow();
  const slug = `seeded-${word}`;
  const file = {
    slug,
    title: `Seeded ${word}`,
    summary: 'One sentence.',
    audience: 'public' as const,
    authority: code,
    team: team.code,
    services: [serviceSlug],
    keywords: 'one, two',
    body: 'Text.',
  };
  const first = await seedArticles(db, [file], { now: clock.now() });
  const again = await seedArticles(db, [file], { now: clock.now() });
  assert.deepEqual([first.created, again.created], [1, 0]);
  const row = await db.selectFrom('articles').selectAll().where('slug', '=', slug).executeTakeFirstOrThrow();
  assert.equal(row.state, 'published');
  assert.ok([editor.id, colleague.id].includes(row.owner_id!));
  await withTransaction(db, async () => undefined);
});
