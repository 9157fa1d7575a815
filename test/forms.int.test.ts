/**
 * The forms engine end to end over HTTP (app.inject with a cookie jar): drafts in the database, GOV.UK
 * validation round trips, conditional questions, address lookup, uploads, check answers, exactly one case
 * per submission, and assisted digital. Each test makes its own authority, team and service.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { LightMyRequestResponse } from 'fastify';
import { buildAuthority, buildStaff, buildTeam, uniq, TEST_PASSWORD } from './builders/index.ts';
import { Browser, buildTestApp, type TestApp } from './support/app.ts';
import { TestClock } from '../src/platform/clock.ts';
import type { Db } from '../src/platform/db/index.ts';
import { loadServiceDefinitions } from '../src/modules/services/index.ts';
import { expandForm, seedDemoAddresses, submitDraft } from '../src/modules/forms/index.ts';
import { jobHandlers, schedule } from '../src/worker.ts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

let t: TestApp;
let db: Db;
// Monday 23 November 2026, 10:00 London.
const clock = new TestClock('2026-11-23T10:00:00Z');

before(async () => {
  t = await buildTestApp({ clock });
  db = t.database.db;
  await seedDemoAddresses(db);
});
after(() => t.close());

function testDefinition(slug: string) {
  return {
    version: 1,
    slug,
    name: 'Report a test problem',
    authority: 'county',
    team: 'highways',
    category: 'Test services',
    summary: 'A service used by the forms engine tests.',
    beforeYouStart: ['where the problem is'],
    synonyms: [],
    sensitivity: 'normal',
    kind: 'report',
    sla: { unit: 'working_days', amount: 10 },
    retentionDays: 365,
    annualVolume: 0,
    workflow: {
      statuses: [
        {
          code: 'received',
          label: 'Received',
          customerLabel: 'Received',
          customerVisible: true,
          next: ['done'],
        },
        { code: 'done', label: 'Done', customerLabel: 'Done', customerVisible: true, next: [] },
      ],
      initial: 'received',
      closed: ['done'],
    },
    form: {
      pages: [
        {
          id: 'problem',
          title: 'The problem',
          questions: [
            {
              id: 'problemType',
              type: 'radios',
              label: 'What is the problem?',
              required: true,
              options: [
                { value: 'pothole', label: 'Pothole' },
                { value: 'other', label: 'Something else' },
              ],
            },
            {
              id: 'otherProblem',
              type: 'text',
              label: 'Describe the problem',
              required: true,
              showIf: { question: 'problemType', equals: 'other' },
              validation: { maxLength: 200 },
            },
          ],
        },
        {
          id: 'depth',
          title: 'How deep',
          questions: [
            {
              id: 'depthCm',
              type: 'number',
              label: 'How deep is the pothole in centimetres?',
              required: true,
              showIf: { question: 'problemType', equals: 'pothole' },
              validation: { min: 1, max: 100, wholeNumber: true },
            },
          ],
        },
        {
          id: 'when',
          title: 'When',
          questions: [
            {
              id: 'noticed',
              type: 'date',
              label: 'When did you notice it?',
              required: true,
              validation: { notInFuture: true },
            },
            {
              id: 'hazards',
              type: 'checkboxes',
              label: 'Is anything else affected?',
              required: false,
              options: [
                { value: 'cyclists', label: 'Cyclists' },
                { value: 'pedestrians', label: 'Pedestrians' },
              ],
            },
          ],
        },
        {
          id: 'where',
          title: 'Where',
          questions: [{ id: 'location', type: 'location', label: 'Where is it?', required: true }],
        },
        {
          id: 'photo',
          title: 'Photo',
          questions: [
            {
              id: 'photo',
              type: 'file',
              label: 'Upload a photo',
              required: false,
              validation: { maxFiles: 2, maxFileSizeMb: 10, fileTypes: ['.jpg', '.jpeg', '.png'] },
            },
          ],
        },
        {
          id: 'contact',
          title: 'Your contact details',
          questions: [
            { id: 'givenName', type: 'text', label: 'First name', required: true, prefill: 'given_name' },
            { id: 'familyName', type: 'text', label: 'Last name', required: true, prefill: 'family_name' },
            { id: 'email', type: 'email', label: 'Email address', required: false, prefill: 'email' },
            { id: 'phone', type: 'phone', label: 'Phone number', required: false, prefill: 'phone' },
            { id: 'address', type: 'address', label: 'Your address', required: true, prefill: 'address' },
          ],
        },
      ],
    },
  };
}

async function makeService() {
  const authority = await buildAuthority(db);
  const team = await buildTeam(db, authority.id);
  const slug = uniq('forms');
  const def = testDefinition(slug);
  const service = await db
    .insertInto('services')
    .values({
      authority_id: authority.id,
      team_id: team.id,
      slug,
      name: String(def.name),
      category: 'Test services',
      summary: 'A service used in tests.',
      definition: JSON.stringify(def),
      definition_version: 1,
      sla: JSON.stringify(def.sla),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { authority, team, service, slug };
}

const csrfOf = (body: string) => /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? '';
const location = (res: LightMyRequestResponse) => String(res.headers.location ?? '');

/** Starts a draft as this browser and returns the draft base URL (/apply/:id). */
async function start(browser: Browser, slug: string): Promise<string> {
  const res = await browser.get(`/services/${slug}/start`);
  assert.equal(res.statusCode, 303);
  const match = /^(\/apply\/[0-9a-f-]{36})\/[a-z-]+$/.exec(location(res));
  assert.ok(match, `start redirects to a question page, got ${location(res)}`);
  return match[1];
}

/** GETs a page for its CSRF token and posts fields to it. */
async function answer(browser: Browser, url: string, fields: Record<string, string | string[]>) {
  const page = await browser.get(url.split('?')[0] + (url.includes('?') ? `?${url.split('?')[1]}` : ''));
  assert.equal(page.statusCode, 200, `GET ${url}: ${page.statusCode}`);
  const params = new URLSearchParams();
  params.append('_csrf', csrfOf(page.body));
  for (const [k, v] of Object.entries(fields)) for (const item of [v].flat()) params.append(k, item);
  return postRaw(browser, url.split('?')[0], params.toString());
}

async function postRaw(browser: Browser, url: string, payload: string) {
  return t.app.inject({
    method: 'POST',
    url,
    remoteAddress: browser.remoteAddress,
    payload,
    headers: {
      cookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      'content-type': 'application/x-www-form-urlencoded',
    },
  });
}

interface FilePart {
  field: string;
  filename: string;
  type: string;
  content: Buffer;
}

async function postMultipart(browser: Browser, url: string, fields: [string, string][], files: FilePart[]) {
  const boundary = `----frontdoor${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of fields)
    chunks.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
    );
  for (const file of files) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.filename}"\r\nContent-Type: ${file.type}\r\n\r\n`,
      ),
    );
    chunks.push(file.content, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return t.app.inject({
    method: 'POST',
    url,
    remoteAddress: browser.remoteAddress,
    payload: Buffer.concat(chunks),
    headers: {
      cookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      'content-type': `multipart/form-data; boundary=${boundary}`,
    },
  });
}

const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(200, 1),
]);
const PDF = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(200, 0x20)]);

/** Answers every page of the test definition with valid answers (pothole route) up to check answers. */
async function completeTestForm(browser: Browser, base: string, contact: Record<string, string> = {}) {
  let res = await answer(browser, `${base}/problem`, { problemType: 'pothole' });
  assert.equal(location(res), `${base}/depth`);
  res = await answer(browser, `${base}/depth`, { depthCm: '12' });
  assert.equal(location(res), `${base}/when`);
  res = await answer(browser, `${base}/when`, {
    'noticed-day': '20',
    'noticed-month': '11',
    'noticed-year': '2026',
  });
  assert.equal(location(res), `${base}/where`);
  res = await answer(browser, `${base}/where`, { 'location-description': 'Outside 12 Church Road' });
  assert.equal(location(res), `${base}/photo`);
  res = await answer(browser, `${base}/photo`, {});
  assert.equal(location(res), `${base}/contact`);
  res = await answer(browser, `${base}/contact`, {
    givenName: 'Ada',
    familyName: 'Lovelace',
    email: 'ada@example.com',
    phone: '07700 900 982',
    'address-postcode': 'KB1 2AB',
    'address-uprn': await firstUprn('KB1 2AB'),
    ...contact,
  });
  assert.equal(res.statusCode, 303, res.body.slice(0, 500));
  assert.equal(location(res), `${base}/check`);
}

async function firstUprn(postcode: string): Promise<string> {
  const row = await db
    .selectFrom('addresses')
    .select('uprn')
    .where('postcode_key', '=', postcode.replace(/\s/g, ''))
    .orderBy('line1')
    .executeTakeFirstOrThrow();
  return row.uprn;
}

async function submit(browser: Browser, base: string) {
  const check = await browser.get(`${base}/check`);
  assert.equal(check.statusCode, 200);
  const token = /name="token" value="([^"]+)"/.exec(check.body)?.[1] ?? '';
  return {
    token,
    csrf: csrfOf(check.body),
    res: await postRaw(
      browser,
      `${base}/submit`,
      new URLSearchParams({ _csrf: csrfOf(check.body), token }).toString(),
    ),
  };
}

/** A text answer that satisfies the question's pattern and length rules. */
function textAnswer(q: {
  validation?: { pattern?: string; maxLength?: number; minLength?: number };
  examples?: string[];
}): string {
  const v = q.validation ?? {};
  const candidates = [...(q.examples ?? []), 'QQ123456C', 'AB12 CDE', '51234567', 'Some words about it'];
  return (
    candidates.find(
      (c) =>
        (!v.pattern || new RegExp(v.pattern).test(c)) &&
        c.length <= (v.maxLength ?? 500) &&
        c.length >= (v.minLength ?? 0),
    ) ?? 'x'
  );
}

void describe('forms engine', () => {
  void test('start creates a draft in the database (not the session) bound to this browser', async () => {
    const { slug, service } = await makeService();
    const browser = new Browser(t.app);
    const base = await start(browser, slug);
    const draftId = base.split('/')[2];
    const draft = await db
      .selectFrom('form_drafts')
      .selectAll()
      .where('id', '=', draftId)
      .executeTakeFirstOrThrow();
    assert.equal(draft.service_id, service.id);
    assert.equal(draft.channel, 'web');
    assert.ok(draft.token.length >= 32);
    const page = await browser.get(`${base}/problem`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /What is the problem\?/);
    assert.match(page.body, /<title>What is the problem\?/);
    // Another browser with the URL cannot open it: it is sent to the service's start page.
    const other = await new Browser(t.app).get(`${base}/problem`);
    assert.equal(other.statusCode, 303);
    assert.equal(location(other), `/services/${slug}`);
    const forged = await new Browser(t.app).get(
      `/apply/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}/problem`,
    );
    assert.equal(forged.statusCode, 404);
    // The service page links to the start.
    const servicePage = await browser.get(`/services/${slug}`);
    assert.match(servicePage.body, new RegExp(`href="/services/${slug}/start"`));
  });

  void test('validation round trip: a bad postcode shows an error summary linking to the field and keeps every other answer', async () => {
    const { slug } = await makeService();
    const browser = new Browser(t.app);
    const base = await start(browser, slug);
    const res = await answer(browser, `${base}/contact`, {
      givenName: 'Grace',
      familyName: 'Hopper',
      email: 'grace@example.com',
      phone: '01632 960 001',
      'address-postcode': 'NOT A POSTCODE',
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /<title>Error: /);
    assert.match(res.body, /govuk-error-summary/);
    assert.match(res.body, /<a href="#address-postcode">Enter a real postcode/);
    assert.match(res.body, /id="givenName" name="givenName" type="text" value="Grace"/);
    assert.match(res.body, /value="Hopper"/);
    assert.match(res.body, /value="grace@example.com"/);
    assert.match(res.body, /value="01632 960 001"/);
    assert.match(res.body, /value="NOT A POSTCODE"/);
    // Nothing was saved from the failed page.
    const draft = await db
      .selectFrom('form_drafts')
      .select('answers')
      .where('id', '=', base.split('/')[2])
      .executeTakeFirstOrThrow();
    assert.deepEqual(draft.answers, {});
  });

  void test('every required question gets a specific message; emails, phones, numbers and dates are checked', async () => {
    const { slug } = await makeService();
    const browser = new Browser(t.app);
    const base = await start(browser, slug);
    let res = await answer(browser, `${base}/problem`, {});
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /href="#problemType">Select an answer to ‘What is the problem\?’/);
    res = await answer(browser, `${base}/contact`, {
      givenName: 'A',
      familyName: 'B',
      email: 'not-an-email',
      phone: '123',
      'address-postcode': 'KB1 2AB',
    });
    assert.match(res.body, /href="#email">Enter an email address in the correct format/);
    assert.match(res.body, /href="#phone">Enter a UK phone number/);
    assert.match(res.body, /href="#address-uprn">Select your address from the list/);
    await answer(browser, `${base}/problem`, { problemType: 'pothole' });
    res = await answer(browser, `${base}/depth`, { depthCm: '2.5' });
    assert.match(
      res.body,
      /Enter your answer to ‘How deep is the pothole in centimetres\?’ as a whole number/,
    );
    res = await answer(browser, `${base}/depth`, { depthCm: '500' });
    assert.match(res.body, /must be 100 or less/);
    res = await answer(browser, `${base}/when`, {
      'noticed-day': '31',
      'noticed-month': '2',
      'noticed-year': '2026',
    });
    assert.match(
      res.body,
      /href="#noticed-day">Your answer to ‘When did you notice it\?’ must be a real date/,
    );
    res = await answer(browser, `${base}/when`, {
      'noticed-day': '1',
      'noticed-month': '',
      'noticed-year': '2026',
    });
    assert.match(
      res.body,
      /href="#noticed-month">Your answer to ‘When did you notice it\?’ must include a month/,
    );
    res = await answer(browser, `${base}/when`, {
      'noticed-day': '1',
      'noticed-month': '1',
      'noticed-year': '2027',
    });
    assert.match(res.body, /must be today or in the past/);
    assert.match(res.body, /name="noticed-year" type="text" value="2027"/);
    res = await answer(browser, `${base}/when`, {
      'noticed-day': '23',
      'noticed-month': '11',
      'noticed-year': '2026',
    });
    assert.equal(res.statusCode, 303, 'today is allowed');
  });

  void test('conditional questions: asked only when the answer they depend on matches, and dropped when it changes', async () => {
    const { slug } = await makeService();
    const browser = new Browser(t.app);
    const base = await start(browser, slug);
    // Same-page condition: "Something else" leads to a follow-up page asking the dependent question.
    let res = await answer(browser, `${base}/problem`, { problemType: 'other' });
    assert.equal(location(res), `${base}/problem--more`);
    const followUp = await browser.get(`${base}/problem--more`);
    assert.match(followUp.body, /<label class="govuk-label govuk-label--l" for="otherProblem">/);
    assert.doesNotMatch(followUp.body, /govuk-radios__conditional/);
    res = await answer(browser, `${base}/problem--more`, {});
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /href="#otherProblem">Describe the problem</);
    res = await answer(browser, `${base}/problem--more`, { otherProblem: 'Broken bollard' });
    // The pothole page (condition on an earlier page) is skipped.
    assert.equal(location(res), `${base}/when`);
    const skipped = await browser.get(`${base}/depth`);
    assert.equal(skipped.statusCode, 303, 'a page whose questions do not apply redirects');
    // Changing the answer asks the pothole page and drops the other answer.
    res = await answer(browser, `${base}/problem?change=1`, { problemType: 'pothole', change: '1' });
    assert.equal(location(res), `${base}/depth?change=1`);
    const draft = await db
      .selectFrom('form_drafts')
      .select('answers')
      .where('id', '=', base.split('/')[2])
      .executeTakeFirstOrThrow();
    assert.deepEqual(draft.answers, { problemType: 'pothole' });
  });

  void test('address: find address lists the gazetteer for the postcode, and manual entry works when it is not listed', async () => {
    const { slug } = await makeService();
    const browser = new Browser(t.app);
    const base = await start(browser, slug);
    let res = await answer(browser, `${base}/contact`, {
      givenName: 'Ada',
      'address-postcode': 'kb12ab',
      action: 'find:address',
    });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /8 addresses found/);
    assert.match(res.body, /value="KB1 2AB"/);
    assert.match(res.body, /value="Ada"/, 'other answers are kept');
    res = await answer(browser, `${base}/contact`, { 'address-postcode': 'KB9 9ZZ', action: 'find:address' });
    assert.match(res.body, /We could not find any addresses for KB9 9ZZ/);
    assert.match(res.body, /name="address-line1"/);
    res = await answer(browser, `${base}/contact`, {
      action: 'manual:address',
      'address-postcode': 'KB9 9ZZ',
    });
    assert.match(res.body, /name="address-mode" value="manual"/);
    res = await answer(browser, `${base}/contact`, {
      givenName: 'Ada',
      familyName: 'Lovelace',
      'address-mode': 'manual',
      'address-line1': '1 New Street',
      'address-town': 'Kingsbridge',
      'address-postcode': 'kb9 9zz',
    });
    assert.equal(res.statusCode, 303);
    const draft = await db
      .selectFrom('form_drafts')
      .select('answers')
      .where('id', '=', base.split('/')[2])
      .executeTakeFirstOrThrow();
    assert.deepEqual(draft.answers.address, {
      line1: '1 New Street',
      town: 'Kingsbridge',
      postcode: 'KB9 9ZZ',
    });
  });

  void test('check your answers lists every answer, and Change returns to check answers', async () => {
    const { slug } = await makeService();
    const browser = new Browser(t.app);
    const base = await start(browser, slug);
    // Check answers before the form is complete goes to the first unanswered page.
    const early = await browser.get(`${base}/check`);
    assert.equal(location(early), `${base}/problem`);
    await completeTestForm(browser, base);
    const check = await browser.get(`${base}/check`);
    assert.equal(check.statusCode, 200);
    assert.match(check.body, /Check your answers before sending/);
    for (const text of [
      'Pothole',
      '12',
      '20 November 2026',
      'Outside 12 Church Road',
      'Ada',
      'ada@example.com',
      'KB1 2AB',
      'Not provided',
    ])
      assert.ok(check.body.includes(text), `check answers shows ${text}`);
    assert.match(check.body, new RegExp(`href="${base}/depth\\?change=1"`));
    assert.match(
      check.body,
      /Change<span class="govuk-visually-hidden"> How deep is the pothole in centimetres\? \(How deep\)<\/span>/,
    );
    const change = await browser.get(`${base}/depth?change=1`);
    assert.match(change.body, new RegExp(`href="${base}/check"`), 'back link goes to check answers');
    const res = await answer(browser, `${base}/depth?change=1`, { depthCm: '30', change: '1' });
    assert.equal(location(res), `${base}/check`);
    const again = await browser.get(`${base}/check`);
    assert.match(again.body, />\s*30\s*</);
  });

  void test('double submit: two posts with the same token, concurrent posts and a refresh create exactly one case', async () => {
    const { slug, service } = await makeService();
    const browser = new Browser(t.app);
    const base = await start(browser, slug);
    await completeTestForm(browser, base);
    const { token, csrf, res } = await submit(browser, base);
    assert.equal(location(res), `${base}/confirmation`);
    const payload = new URLSearchParams({ _csrf: csrf, token }).toString();
    const [a, b] = await Promise.all([
      postRaw(browser, `${base}/submit`, payload),
      postRaw(browser, `${base}/submit`, payload),
    ]);
    assert.equal(location(a), `${base}/confirmation`);
    assert.equal(location(b), `${base}/confirmation`);
    const cases = await db
      .selectFrom('cases')
      .select(['id', 'reference', 'guest_email', 'guest_name', 'origin_channel', 'answers'])
      .where('service_id', '=', service.id)
      .execute();
    assert.equal(cases.length, 1);
    assert.equal(cases[0].guest_email, 'ada@example.com');
    assert.equal(cases[0].guest_name, 'Ada Lovelace');
    assert.equal(cases[0].origin_channel, 'web');
    assert.equal(cases[0].answers.depthCm, 12);
    const confirmation = await browser.get(`${base}/confirmation`);
    assert.equal(confirmation.statusCode, 200);
    assert.match(confirmation.body, /govuk-panel/);
    assert.ok(confirmation.body.includes(cases[0].reference));
    // Going back to a question page after sending shows the confirmation.
    assert.equal(location(await browser.get(`${base}/contact`)), `${base}/confirmation`);
    // A wrong token is refused.
    const forged = await postRaw(
      browser,
      `${base}/submit`,
      new URLSearchParams({ _csrf: csrf, token: 'x'.repeat(32) }).toString(),
    );
    assert.equal(forged.statusCode, 422);
    // The acknowledgement was queued in the same transaction.
    const ack = await db
      .selectFrom('messages')
      .select(['template', 'recipient'])
      .where('case_id', '=', cases[0].id)
      .execute();
    assert.deepEqual(
      ack.map((m) => m.template),
      ['case.acknowledgement'],
    );
    const outbox = await db
      .selectFrom('outbox')
      .select('id')
      .where('dedupe_key', 'like', `%case.acknowledgement:${cases[0].id}`)
      .execute();
    assert.equal(outbox.length, 1);
  });

  void test('a submission is two statements: the draft read and the one write of the case and all that goes with it', async () => {
    const { slug, service } = await makeService();
    const browser = new Browser(t.app);
    const base = await start(browser, slug);
    await completeTestForm(browser, base);
    const check = await browser.get(`${base}/check`);
    const token = /name="token" value="([^"]+)"/.exec(check.body)?.[1] ?? '';
    // Every statement that reaches the database through this handle (results pass every plugin).
    let statements = 0;
    const counted = db.withPlugin({
      transformQuery: (args) => args.node,
      transformResult: async (args) => {
        statements += 1;
        return args.result;
      },
    });
    const access = { kind: 'resident' as const, bindingSecret: browser.cookies.get('fd_form') };
    const input = { draftId: base.split('/').pop() ?? '', access, token, now: clock.now() };
    const first = await submitDraft(counted, input);
    assert.equal(first?.status, 'submitted');
    assert.equal(statements, 2);
    const rows = await db
      .selectFrom('cases as c')
      .select((eb) => [
        'c.id',
        eb
          .selectFrom('case_events as e')
          .select(eb.fn.countAll<number>().as('n'))
          .whereRef('e.case_id', '=', 'c.id')
          .as('events'),
        eb
          .selectFrom('interactions as i')
          .select(eb.fn.countAll<number>().as('n'))
          .whereRef('i.case_id', '=', 'c.id')
          .as('interactions'),
        eb
          .selectFrom('messages as m')
          .select(eb.fn.countAll<number>().as('n'))
          .whereRef('m.case_id', '=', 'c.id')
          .as('messages'),
        eb
          .selectFrom('form_drafts as d')
          .select(eb.fn.countAll<number>().as('n'))
          .whereRef('d.submitted_case_id', '=', 'c.id')
          .as('drafts'),
      ])
      .where('c.service_id', '=', service.id)
      .execute();
    assert.equal(rows.length, 1);
    assert.deepEqual(
      [rows[0].events, rows[0].interactions, rows[0].messages, rows[0].drafts].map(Number),
      [2, 1, 1, 1],
    );
    // Submitting again is one read, and the same case.
    statements = 0;
    const again = await submitDraft(counted, input);
    assert.equal(statements, 1);
    assert.deepEqual(again, {
      status: 'submitted',
      caseId: rows[0].id,
      reference: first?.status === 'submitted' ? first.reference : '',
      created: false,
    });

    // A service changed since its definition was last read (or a fresh process): one more read loads it.
    const next = await start(browser, slug);
    await completeTestForm(browser, next);
    const nextToken =
      /name="token" value="([^"]+)"/.exec((await browser.get(`${next}/check`)).body)?.[1] ?? '';
    await db
      .updateTable('services')
      .set({ updated_at: new Date(Date.now() + 60_000) })
      .where('id', '=', service.id)
      .execute();
    statements = 0;
    const reloaded = await submitDraft(counted, {
      ...input,
      draftId: next.split('/').pop() ?? '',
      token: nextToken,
    });
    assert.equal(reloaded?.status, 'submitted');
    assert.equal(statements, 3);
  });

  void test('uploads: type checked by content, 10 MB limit, kept across errors, downloadable only by the owner as an attachment', async () => {
    const { slug } = await makeService();
    const browser = new Browser(t.app);
    const base = await start(browser, slug);
    const page = await browser.get(`${base}/photo`);
    assert.match(page.body, /enctype="multipart\/form-data"/);
    const csrf = csrfOf(page.body);
    // A PDF is not allowed for this question; a PNG renamed .jpg is refused too (content decides).
    let res = await postMultipart(
      browser,
      `${base}/photo`,
      [['_csrf', csrf]],
      [{ field: 'photo', filename: 'scan.pdf', type: 'application/pdf', content: PDF }],
    );
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /scan.pdf must be a JPG or PNG/);
    res = await postMultipart(
      browser,
      `${base}/photo`,
      [['_csrf', csrf]],
      [{ field: 'photo', filename: 'fake.jpg', type: 'image/jpeg', content: PNG }],
    );
    assert.match(res.body, /fake.jpg must be a JPG or PNG/);
    // Too large.
    const big = Buffer.concat([PNG, Buffer.alloc(10 * 1024 * 1024)]);
    res = await postMultipart(
      browser,
      `${base}/photo`,
      [['_csrf', csrf]],
      [{ field: 'photo', filename: 'big.png', type: 'image/png', content: big }],
    );
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /big.png must be smaller than 10MB/);
    // Three files where two are allowed.
    res = await postMultipart(
      browser,
      `${base}/photo`,
      [['_csrf', csrf]],
      [1, 2, 3].map((i) => ({ field: 'photo', filename: `p${i}.png`, type: 'image/png', content: PNG })),
    );
    assert.match(res.body, /You can only upload 2 files/);
    // Without the CSRF token the post is refused.
    res = await postMultipart(
      browser,
      `${base}/photo`,
      [],
      [{ field: 'photo', filename: 'ok.png', type: 'image/png', content: PNG }],
    );
    assert.equal(res.statusCode, 403);
    // A good PNG is kept.
    res = await postMultipart(
      browser,
      `${base}/photo`,
      [['_csrf', csrf]],
      [{ field: 'photo', filename: 'pothole.png', type: 'image/png', content: PNG }],
    );
    assert.equal(res.statusCode, 303);
    const draft = await db
      .selectFrom('form_drafts')
      .select('answers')
      .where('id', '=', base.split('/')[2])
      .executeTakeFirstOrThrow();
    const held = draft.answers.photo as { attachmentId: string; filename: string }[];
    assert.equal(held.length, 1);
    assert.equal(held[0].filename, 'pothole.png');
    const again = await browser.get(`${base}/photo`);
    assert.match(again.body, /You have uploaded:/);
    assert.match(again.body, /pothole.png/);
    // Served only to its owner, as an attachment.
    const download = await browser.get(`/attachments/${held[0].attachmentId}`);
    assert.equal(download.statusCode, 200);
    assert.match(String(download.headers['content-disposition']), /^attachment; filename="pothole.png"/);
    assert.equal(download.headers['content-type'], 'image/png');
    assert.equal(download.rawPayload.length, PNG.length);
    assert.equal((await new Browser(t.app).get(`/attachments/${held[0].attachmentId}`)).statusCode, 404);
    // Submitting links the file to the case.
    await completeTestForm(browser, base);
    const check = await browser.get(`${base}/check`);
    assert.match(check.body, /pothole.png/);
    await submit(browser, base);
    const attachment = await db
      .selectFrom('attachments')
      .select(['case_id', 'storage_key'])
      .where('id', '=', held[0].attachmentId)
      .executeTakeFirstOrThrow();
    assert.ok(attachment.case_id);
    assert.ok(!attachment.storage_key.includes('pothole'), 'stored under a random name');
  });

  void test('the worker purges expired drafts and their uploaded files every hour, and keeps the rest', async () => {
    const { slug } = await makeService();
    const browser = new Browser(t.app);
    const expired = await start(browser, slug);
    const page = await browser.get(`${expired}/photo`);
    const res = await postMultipart(
      browser,
      `${expired}/photo`,
      [['_csrf', csrfOf(page.body)]],
      [{ field: 'photo', filename: 'old.png', type: 'image/png', content: PNG }],
    );
    assert.equal(res.statusCode, 303);
    const kept = await start(browser, slug);
    const expiredId = expired.split('/')[2];
    const keptId = kept.split('/')[2];
    const file = await db
      .selectFrom('attachments')
      .select(['id', 'storage_key'])
      .where('draft_id', '=', expiredId)
      .executeTakeFirstOrThrow();
    const uploadDir = join(t.config.dataDir, 'uploads');
    assert.ok(existsSync(join(uploadDir, file.storage_key)));
    // Expire one draft long ago, so a purge at "now = 2001" touches no other test's drafts in a shared database.
    await db
      .updateTable('form_drafts')
      .set({ expires_at: new Date('2000-01-01T00:00:00Z') })
      .where('id', '=', expiredId)
      .execute();
    const keptExpiry = new Date('2001-01-02T00:00:00Z');
    await db.updateTable('form_drafts').set({ expires_at: keptExpiry }).where('id', '=', keptId).execute();

    assert.ok(schedule.some((s) => s.topic === 'maintenance.purge_form_drafts' && s.everyMinutes === 60));
    const handlers = jobHandlers({
      db,
      clock: new TestClock('2001-01-01T00:00:00Z'),
      sessionIdleMinutes: 30,
      config: { notify: null, smtp: null, dataDir: t.config.dataDir },
    });
    await handlers['maintenance.purge_form_drafts']({
      id: 1,
      topic: 'maintenance.purge_form_drafts',
      payload: {},
      attempts: 1,
      authorityId: null,
    });

    const left = await db
      .selectFrom('form_drafts')
      .select('id')
      .where('id', 'in', [expiredId, keptId])
      .execute();
    assert.deepEqual(
      left.map((r) => r.id),
      [keptId],
    );
    assert.equal(
      await db.selectFrom('attachments').select('id').where('id', '=', file.id).executeTakeFirst(),
      undefined,
    );
    assert.ok(!existsSync(join(uploadDir, file.storage_key)), 'the orphaned file is deleted');
    assert.equal((await browser.get(`${expired}/photo`)).statusCode, 404);
  });

  void test('assisted digital: staff complete the form for a caller; the case records the channel, who made it and the agent', async () => {
    const { slug, service, authority, team } = await makeService();
    const staff = await buildStaff(db, authority.id, { roles: ['agent'], teamIds: [team.id] });
    const customer = await db
      .insertInto('customers')
      .values({
        authority_id: authority.id,
        given_name: 'Mary',
        family_name: 'Seacole',
        search_name: 'mary seacole',
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await db
      .insertInto('contact_points')
      .values({
        authority_id: authority.id,
        customer_id: customer.id,
        kind: 'email',
        value: 'mary@example.com',
        normalised: 'mary@example.com',
        is_primary: true,
      })
      .execute();
    const browser = new Browser(t.app);
    const signIn = await browser.submit('/staff/sign-in', '/staff/sign-in', {
      email: staff.email,
      password: TEST_PASSWORD,
    });
    assert.equal(signIn.statusCode, 302);
    // A resident cannot use the staff start.
    assert.equal(
      location(await new Browser(t.app).get(`/staff/services/${slug}/start`)).startsWith('/staff/sign-in'),
      true,
    );
    const list = await browser.get('/staff/services');
    assert.equal(list.statusCode, 200);
    assert.ok(list.body.includes(`/staff/services/${slug}/start?channel=phone`));
    const res = await browser.get(`/staff/services/${slug}/start?customerId=${customer.id}&channel=phone`);
    const base = /^(\/staff\/apply\/[0-9a-f-]{36})\//.exec(location(res))?.[1] ?? '';
    assert.ok(base, location(res));
    // Prefilled from the customer's record.
    const contact = await browser.get(`${base}/contact`);
    assert.match(contact.body, /value="Mary"/);
    assert.match(contact.body, /value="mary@example.com"/);
    // The resident URL cannot reach a staff draft.
    assert.equal((await browser.get(base.replace('/staff/apply', '/apply') + '/problem')).statusCode, 404);
    await answer(browser, `${base}/problem`, { problemType: 'other' });
    await answer(browser, `${base}/problem--more`, { otherProblem: 'Fallen sign' });
    await answer(browser, `${base}/when`, {
      'noticed-day': '22',
      'noticed-month': '11',
      'noticed-year': '2026',
    });
    await answer(browser, `${base}/where`, {
      'location-description': 'By the school',
      'location-lat': '51.06',
      'location-lng': '-2.31',
    });
    await answer(browser, `${base}/photo`, {});
    const done = await answer(browser, `${base}/contact`, {
      givenName: 'Mary',
      familyName: 'Seacole',
      email: 'mary@example.com',
      'address-mode': 'manual',
      'address-line1': '3 Mill Lane',
      'address-town': 'Kingsbridge',
      'address-postcode': 'KB3 1AB',
    });
    assert.equal(location(done), `${base}/check`, done.body.slice(0, 300));
    const { res: sent } = await submit(browser, base);
    assert.equal(location(sent), `${base}/confirmation`);
    const confirmation = await browser.get(`${base}/confirmation`);
    assert.match(confirmation.body, /Start another request/);
    const created = await db
      .selectFrom('cases')
      .selectAll()
      .where('service_id', '=', service.id)
      .executeTakeFirstOrThrow();
    assert.equal(created.origin_channel, 'phone');
    assert.equal(created.created_by, staff.id);
    assert.equal(created.customer_id, customer.id);
    assert.equal(created.guest_email, null, 'a known customer is not stored as a guest');
    assert.deepEqual(created.location, { description: 'By the school', lat: 51.06, lng: -2.31 });
    const interaction = await db
      .selectFrom('interactions')
      .selectAll()
      .where('case_id', '=', created.id)
      .executeTakeFirstOrThrow();
    assert.equal(interaction.channel, 'phone');
    assert.equal(interaction.agent_id, staff.id);
    assert.equal(interaction.customer_id, customer.id);
  });

  void test('issue 12 item 13: the missed-bin form takes a collection date up to 2 working days back only, with a clear message and the answers kept', async () => {
    const authority = await buildAuthority(db);
    const team = await buildTeam(db, authority.id);
    const definition = loadServiceDefinitions().find((d) => d.slug === 'report-a-missed-bin')!;
    const slug = uniq('missed-bin');
    await db
      .insertInto('services')
      .values({
        authority_id: authority.id,
        team_id: team.id,
        slug,
        name: definition.name,
        category: definition.category,
        summary: definition.summary,
        definition: JSON.stringify({ ...definition, slug }),
        sla: JSON.stringify(definition.sla),
      })
      .execute();
    const browser = new Browser(t.app);
    const base = await start(browser, slug);
    const address = await answer(browser, `${base}/address`, {
      'collectionAddress-postcode': 'KB1 2AB',
      'collectionAddress-uprn': await firstUprn('KB1 2AB'),
    });
    assert.equal(address.statusCode, 303, address.body.slice(0, 300));
    const bin = (day: string, month: string, year: string) =>
      answer(browser, `${base}/bin`, {
        binType: definition.form.pages[1].questions[0].options![0].value,
        'collectionDate-day': day,
        'collectionDate-month': month,
        'collectionDate-year': year,
        binOut: 'yes',
      });
    const message =
      'The collection day must be 19 November 2026 or later. You can report a missed bin up to 2 working days after the collection day';
    let res = await bin('14', '3', '1950');
    assert.equal(res.statusCode, 400);
    assert.match(res.body, new RegExp(`href="#collectionDate-day">${message}</a>`));
    assert.match(res.body, /govuk-error-message[\s\S]*The collection day must be 19 November 2026 or later/);
    assert.match(res.body, /name="collectionDate-year" type="text" value="1950"/, 'the date typed is kept');
    assert.match(res.body, /name="binOut" type="radio" value="yes" checked/, 'other answers are kept');
    res = await bin('18', '11', '2026');
    assert.equal(res.statusCode, 400, 'Wednesday is 3 working days before Monday');
    res = await bin('24', '11', '2026');
    assert.match(res.body, /must be today or in the past/);
    res = await bin('19', '11', '2026');
    assert.equal(res.statusCode, 303, 'Thursday is 2 working days before Monday (Friday and Monday)');
  });

  void test('every shipped service definition can be completed through the engine with answers generated from its question types', async () => {
    const authority = await buildAuthority(db);
    const team = await buildTeam(db, authority.id);
    const uprn = await firstUprn('KB1 2AB');
    for (const definition of loadServiceDefinitions()) {
      const slug = uniq(definition.slug.slice(0, 30).replace(/-+$/, ''));
      const service = await db
        .insertInto('services')
        .values({
          authority_id: authority.id,
          team_id: team.id,
          slug,
          name: definition.name,
          category: definition.category,
          summary: definition.summary,
          definition: JSON.stringify({ ...definition, slug }),
          sla: JSON.stringify(definition.sla),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const browser = new Browser(t.app);
      const base = await start(browser, slug);
      let url = location(await browser.get(base));
      for (let step = 0; step < 12 && !url.endsWith('/check'); step += 1) {
        const page = await browser.get(url);
        assert.equal(page.statusCode, 200, `${definition.slug}: GET ${url}`);
        const pageId = url.split('/').pop() ?? '';
        const formPage = expandForm(definition).form.pages.find((p) => p.id === pageId);
        assert.ok(formPage, `${definition.slug}: ${pageId}`);
        const fields: [string, string][] = [['_csrf', csrfOf(page.body)]];
        const files: FilePart[] = [];
        const chosen: Record<string, string> = {};
        for (const q of formPage.questions) {
          if (
            q.showIf &&
            chosen[q.showIf.question] !== undefined &&
            chosen[q.showIf.question] !== q.showIf.equals
          )
            continue;
          switch (q.type) {
            case 'text':
            case 'textarea':
              fields.push([q.id, textAnswer(q)]);
              break;
            case 'number':
              fields.push([q.id, String(q.validation?.min ?? 1)]);
              break;
            case 'radios':
            case 'checkboxes':
              chosen[q.id] = q.options?.[0]?.value ?? '';
              fields.push([q.id, chosen[q.id]]);
              break;
            case 'date': {
              // Today (Monday 23 November 2026) for a date taken only a few working days back.
              const [y, m, d] = q.validation?.notInPast
                ? ['2026', '12', '1']
                : q.validation?.maxWorkingDaysAgo !== undefined
                  ? ['2026', '11', '23']
                  : ['2020', '3', '27'];
              fields.push([`${q.id}-day`, d], [`${q.id}-month`, m], [`${q.id}-year`, y]);
              break;
            }
            case 'email':
              fields.push([q.id, 'resident@example.com']);
              break;
            case 'phone':
              fields.push([q.id, '07700 900 982']);
              break;
            case 'postcode':
              fields.push([q.id, 'KB1 2AB']);
              break;
            case 'address':
              fields.push([`${q.id}-postcode`, 'KB1 2AB'], [`${q.id}-uprn`, uprn]);
              break;
            case 'location':
              fields.push([`${q.id}-description`, 'Outside the library']);
              break;
            case 'file':
              files.push({ field: q.id, filename: 'evidence.png', type: 'image/png', content: PNG });
              break;
          }
        }
        const res = await postMultipart(browser, url, fields, files);
        assert.equal(
          res.statusCode,
          303,
          `${definition.slug}: POST ${url}: ${/govuk-error-summary__list">([\s\S]*?)<\/ul>/.exec(res.body)?.[1] ?? res.body.slice(0, 200)}`,
        );
        url = location(res);
      }
      const { res } = await submit(browser, base);
      assert.equal(location(res), `${base}/confirmation`, definition.slug);
      const count = await db
        .selectFrom('cases')
        .select(sql<number>`count(*)::int`.as('n'))
        .where('service_id', '=', service.id)
        .executeTakeFirstOrThrow();
      assert.equal(count.n, 1, definition.slug);
    }
  });
});
