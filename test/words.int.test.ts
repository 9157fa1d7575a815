/**
 * Issue 12 "Words, not codes": what people read is a label in plain English, not a code. Answers on the
 * staff case page are the options' labels and dates are GOV.UK style; languages are named; messages read
 * naturally (plurals, error messages, who "you" is, the due date said once).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { TestClock } from '../src/platform/clock.ts';
import type { Db } from '../src/platform/db/index.ts';
import { expandForm, seedDemoAddresses } from '../src/modules/forms/index.ts';
import { translate } from '../src/platform/i18n/index.ts';
import { loadServiceDefinitions } from '../src/modules/services/index.ts';
import { buildAuthority, buildStaff, buildTeam } from './builders/index.ts';
import { buildCustomer, signedIn } from './builders/customers.ts';
import { installShippedService } from './builders/services.ts';
import { Browser, buildTestApp, type TestApp } from './support/app.ts';
import { walkAndSubmit } from './support/form-walk.ts';

let t: TestApp;
let db: Db;
const clock = new TestClock('2026-12-03T10:00:00Z');
let authorityId: string;
let teamId: string;

before(async () => {
  t = await buildTestApp({ clock });
  db = t.database.db;
  await seedDemoAddresses(db);
  authorityId = (await buildAuthority(db)).id;
  teamId = (await buildTeam(db, authorityId)).id;
});
after(() => t.close());

const definition = (slug: string) => loadServiceDefinitions().find((d) => d.slug === slug)!;
const csrfOf = (body: string) => /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? '';
/** The page's text as a reader sees it: tags gone, entities read. */
const textOf = (html: string) =>
  html
    .replace(/<script[\s\S]*?<\/script>/g, '')
    .replace(/<[^>]+>/g, '\n')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/[ \t]+/g, ' ');
const lines = (html: string) =>
  new Set(
    textOf(html)
      .split('\n')
      .map((l) => l.trim()),
  );

async function submit(slug: string, answers: Record<string, string>, pastDate?: [string, string, string]) {
  const installed = await installShippedService(db, { authorityId, teamId, slug });
  return walkAndSubmit({
    app: t.app,
    db,
    browser: new Browser(t.app),
    definition: definition(slug),
    slug: installed.slug,
    answers,
    pastDate,
  });
}

async function postForm(browser: Browser, url: string, fields: Record<string, string>) {
  const page = await browser.get(url);
  assert.equal(page.statusCode, 200, `GET ${url}`);
  return t.app.inject({
    method: 'POST',
    url,
    remoteAddress: browser.remoteAddress,
    payload: new URLSearchParams({ _csrf: csrfOf(page.body), ...fields }).toString(),
    headers: {
      cookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      'content-type': 'application/x-www-form-urlencoded',
    },
  });
}

void describe('issue 12 item 15: words, not codes', () => {
  void test('issue 12 item 15: the staff case page gives each answer as its option label and dates in GOV.UK style', async () => {
    const road = await submit('report-a-road-problem', {
      problemType: 'pothole',
      potholeSize: 'small',
      danger: 'dont_know',
      contactBy: 'email',
    });
    const bin = await submit('report-a-missed-bin', { contactBy: 'email' }, ['1', '12', '2026']);
    const staff = await buildStaff(db, authorityId, { roles: ['agent'], teamIds: [teamId] });
    const browser = await signedIn(t.app, staff);
    const roadPage = await browser.get(`/staff/cases/${road.caseId}`);
    assert.equal(roadPage.statusCode, 200);
    const shown = lines(roadPage.body);
    for (const code of ['pothole', 'small', 'dont_know', 'email'])
      assert.ok(!shown.has(code), `the answer "${code}" is shown as its label`);
    for (const label of ['Pothole', 'Smaller than a dinner plate', 'I do not know', 'Email'])
      assert.ok(shown.has(label), `the case page says "${label}"`);
    const binPage = await browser.get(`/staff/cases/${bin.caseId}`);
    assert.doesNotMatch(textOf(binPage.body), /2026-12-01/);
    assert.ok(lines(binPage.body).has('1 December 2026'));
  });

  void test('issue 12 item 15: an interpreter need names the language ("Interpreter (Urdu)", never "ur")', async () => {
    const customer = await buildCustomer(db, authorityId, {
      communicationNeeds: [{ kind: 'interpreter', language: 'ur' }, 'interpreter:pl', 'large_print'],
    });
    const staff = await buildStaff(db, authorityId, { roles: ['agent'], teamIds: [teamId] });
    const page = await (await signedIn(t.app, staff)).get(`/staff/customers/${customer.id}`);
    assert.equal(page.statusCode, 200);
    const text = textOf(page.body);
    assert.match(text, /Interpreter \(Urdu\)/);
    assert.match(text, /Interpreter \(Polish\)/);
    assert.doesNotMatch(text, /\(ur\)|interpreter:pl|Language ur/);
  });
});

void describe('issue 12 item 16: wording', () => {
  void test('issue 12 item 16: one search result is "1 result", and one address found is "1 address found"', async () => {
    const res = await new Browser(t.app).get('/search?q=blue+badge');
    assert.equal(res.statusCode, 200);
    const count = /role="status">([^<]*)</.exec(res.body)?.[1] ?? '';
    assert.doesNotMatch(count, /^1 results/);
    if (count.startsWith('1 ')) assert.match(count, /^1 result for/);
    assert.equal(translate('en', 'search.countOne', { q: 'x' }), '1 result for ‘x’');
    assert.equal(translate('en', 'forms.address.foundOne'), '1 address found');
  });

  void test('issue 12 item 16: the home page says "ask someone to contact us for you"', async () => {
    const home = textOf((await new Browser(t.app).get('/')).body);
    assert.doesNotMatch(home, /contact you for you/);
    assert.match(home, /ask someone to contact us for you/);
  });

  void test('issue 12 item 16: the acknowledgement gives its due date once', async () => {
    const made = await submit('general-enquiry', { contactBy: 'email' });
    const ack = await db
      .selectFrom('messages')
      .select('body')
      .where('case_id', '=', made.caseId)
      .where('template', '=', 'case.acknowledgement')
      .executeTakeFirstOrThrow();
    const dates =
      ack.body.match(
        /\b\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) \d{4}\b/g,
      ) ?? [];
    assert.equal(dates.length, 1, `one due date in: ${ack.body}`);
  });

  void test('issue 12 item 16: staff who start a request for a caller are told the customer was sent a message', async () => {
    const service = await installShippedService(db, { authorityId, teamId, slug: 'general-enquiry' });
    const customer = await buildCustomer(db, authorityId, {
      email: `${randomUUID().slice(0, 8)}@example.com`,
    });
    const staff = await buildStaff(db, authorityId, { roles: ['agent'], teamIds: [teamId] });
    const browser = await signedIn(t.app, staff);
    const started = await browser.get(
      `/staff/services/${service.slug}/start?customerId=${customer.id}&channel=phone`,
    );
    const base = /^(\/staff\/apply\/[0-9a-f-]{36})\//.exec(String(started.headers.location))?.[1];
    assert.ok(base);
    const made = await walkStaff(browser, base, 'general-enquiry');
    const confirmation = textOf((await browser.get(made)).body);
    assert.match(confirmation, /We have sent the customer a message/);
    assert.doesNotMatch(confirmation, /We have sent you a message/);
    assert.match(confirmation, /The customer’s reference number/);
  });

  void test('issue 12 item 16: an administrator in no team is not told to "ask your administrator"', async () => {
    const admin = await buildStaff(db, authorityId, { roles: ['admin'], teamIds: [] });
    const home = textOf((await (await signedIn(t.app, admin)).get('/staff')).body);
    assert.doesNotMatch(home, /Ask your administrator/);
    assert.match(home, /add yourself to the team on the\s+Staff\s+page/);
    const agent = await buildStaff(db, authorityId, { roles: ['agent'], teamIds: [] });
    assert.match(textOf((await (await signedIn(t.app, agent)).get('/staff')).body), /Ask your administrator/);
  });
});

/** Walks a staff-started draft at `base` to its confirmation (valid defaults for every question). */
async function walkStaff(browser: Browser, base: string, slug: string): Promise<string> {
  const form = expandForm(definition(slug)).form;
  let url = String((await browser.get(base)).headers.location);
  for (let step = 0; step < 12 && !url.endsWith('/check'); step += 1) {
    const page = form.pages.find((p) => p.id === url.split('/').pop())!;
    const fields: Record<string, string> = {};
    for (const q of page.questions) {
      if (q.type === 'radios') fields[q.id] = q.options![0].value;
      else if (q.type === 'email') fields[q.id] = 'caller@example.com';
      else if (q.type === 'phone') fields[q.id] = '07700 900 982';
      else if (q.type === 'text' || q.type === 'textarea') fields[q.id] = 'Some words about it';
      else if (q.type === 'address') {
        fields[`${q.id}-mode`] = 'manual';
        fields[`${q.id}-line1`] = '1 Mill Lane';
        fields[`${q.id}-town`] = 'Kingsbridge';
        fields[`${q.id}-postcode`] = 'KB1 2AB';
      }
    }
    const res = await postForm(browser, url, fields);
    assert.equal(res.statusCode, 303, `${url}: ${res.body.slice(0, 300)}`);
    url = String(res.headers.location);
  }
  const check = await browser.get(url);
  const token = /name="token" value="([^"]+)"/.exec(check.body)?.[1] ?? '';
  const sent = await t.app.inject({
    method: 'POST',
    url: `${base}/submit`,
    remoteAddress: browser.remoteAddress,
    payload: new URLSearchParams({ _csrf: csrfOf(check.body), token }).toString(),
    headers: {
      cookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      'content-type': 'application/x-www-form-urlencoded',
    },
  });
  assert.equal(sent.statusCode, 303);
  return String(sent.headers.location);
}
