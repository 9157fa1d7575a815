/**
 * Webchat when it is closed or full (issue 16): the message form (GOV.UK error round trip with answers kept,
 * a case made with the reason, an idempotent retry), the contact page's chat status, and the acceptance
 * point: on 25 December chat shows as closed with the message form, and the message becomes a case. Until
 * the conversation core's capacity is wired nobody is available, so in hours chat is full.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TestClock } from '../src/platform/clock.ts';
import type { Db } from '../src/platform/db/index.ts';
import { buildAuthority, buildTeam } from './builders/index.ts';
import { installShippedService } from './builders/services.ts';
import { Browser, buildTestApp, type TestApp } from './support/app.ts';

let t: TestApp;
let db: Db;
const clock = new TestClock('2026-12-25T11:00:00Z');

/** The general enquiry service messages become cases of (slug `general-enquiry`, shared by test runs). */
async function ensureGeneralEnquiry(): Promise<void> {
  const existing = await db
    .selectFrom('services')
    .select('id')
    .where('slug', '=', 'general-enquiry')
    .executeTakeFirst();
  if (existing) return;
  const authority = await buildAuthority(db);
  const team = await buildTeam(db, authority.id, { name: 'Contact centre' });
  const made = await installShippedService(db, {
    authorityId: authority.id,
    teamId: team.id,
    slug: 'general-enquiry',
  });
  await db.updateTable('services').set({ slug: 'general-enquiry' }).where('id', '=', made.id).execute();
}

before(async () => {
  t = await buildTestApp({ clock });
  db = t.database.db;
  await ensureGeneralEnquiry();
});
after(() => t.close());

const csrfOf = (body: string) => /name="_csrf" value="([^"]+)"/.exec(body)![1];
const submissionOf = (body: string) => /name="submissionId" value="([^"]+)"/.exec(body)![1];
const caseIdOf = (location: unknown) => /\/contact\/message\/([0-9a-f-]{36})$/.exec(String(location))![1];

const caseRow = (id: string) =>
  db
    .selectFrom('cases')
    .select([
      'reference',
      'origin_channel',
      'answers',
      'guest_name',
      'guest_email',
      'guest_phone',
      'received_at',
    ])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();

async function formFor(browser: Browser, reason: 'closed' | 'full') {
  const page = await browser.get(`/contact/message?reason=${reason}`);
  assert.equal(page.statusCode, 200, page.body);
  return { page, csrf: csrfOf(page.body), submissionId: submissionOf(page.body) };
}

describe('acceptance: 25 December', () => {
  test('chat shows as closed with the message form, and the message becomes a case', async () => {
    clock.set('2026-12-25T11:00:00Z');
    const browser = new Browser(t.app);

    const home = await browser.get('/');
    assert.equal(home.statusCode, 200);
    assert.doesNotMatch(home.body, /data-testid="chat-entry"/, 'no "Chat with us" while closed');

    const contact = await browser.get('/contact');
    assert.equal(contact.statusCode, 200);
    assert.match(contact.body, /Webchat is closed\. It opens again on Tuesday 29 December at 9am\./);
    assert.match(contact.body, /href="\/contact\/message\?reason=closed"/);
    assert.match(contact.body, /data-testid="chat-hours"/);

    // The chat page itself sends the resident to the message form, saying why.
    const chat = await browser.get('/contact/chat');
    assert.equal(chat.statusCode, 303);
    assert.equal(chat.headers.location, '/contact/message?reason=closed');

    const { page, csrf, submissionId } = await formFor(browser, 'closed');
    assert.match(page.body, /<h1 class="govuk-heading-l">Webchat is closed<\/h1>/);
    assert.match(page.body, /It opens again on Tuesday 29 December at 9am\./);
    assert.match(page.body, /Monday<\/dt>\s*<dd class="govuk-summary-list__value">9am to 5pm/);
    assert.match(page.body, /closed on bank holidays/);
    assert.doesNotMatch(page.body, /data-testid="chat-entry"/);

    const sent = await browser.post('/contact/message', {
      _csrf: csrf,
      submissionId,
      reason: 'closed',
      name: 'Margaret Thompson',
      email: 'Margaret@Example.org',
      phone: '',
      message: 'My bin was not emptied on Wednesday.',
    });
    assert.equal(sent.statusCode, 303, sent.body);
    const id = caseIdOf(sent.headers.location);
    const confirmation = await browser.get(String(sent.headers.location));
    assert.equal(confirmation.statusCode, 200);
    const row = await caseRow(id);
    assert.match(confirmation.body, new RegExp(`data-testid="chat-message-reference">${row.reference}<`));
    assert.equal(confirmation.headers['cache-control'], 'no-store');
    assert.equal(row.origin_channel, 'webchat');
    assert.equal(row.answers.chatUnavailableReason, 'closed');
    assert.equal(row.answers.question, 'My bin was not emptied on Wednesday.');
    assert.equal(row.guest_name, 'Margaret Thompson');
    assert.equal(row.guest_email, 'margaret@example.org');
    assert.equal(new Date(row.received_at).toISOString(), '2026-12-25T11:00:00.000Z');
  });
});

describe('the message form', () => {
  test('errors: summary and inline, answers kept, the submission id kept; nothing is made', async () => {
    clock.set('2026-12-25T12:00:00Z');
    const browser = new Browser(t.app);
    const { csrf, submissionId } = await formFor(browser, 'closed');
    const res = await browser.post('/contact/message', {
      _csrf: csrf,
      submissionId,
      reason: 'closed',
      name: '',
      email: 'margaret at example',
      phone: '0123',
      message: 'Keep this <message> please',
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /govuk-error-summary/);
    assert.match(res.body, /<title>Error: /);
    assert.match(res.body, /href="#name">Enter your name/);
    assert.match(res.body, /href="#email">Enter an email address in the correct format/);
    assert.match(res.body, /href="#phone">Enter a UK phone number/);
    assert.match(res.body, /id="name-error"/);
    assert.match(res.body, /Keep this &lt;message&gt; please<\/textarea>/);
    assert.match(res.body, /value="0123"/);
    assert.match(res.body, /value="margaret at example"/);
    const noWay = await browser.post('/contact/message', {
      _csrf: csrf,
      submissionId,
      reason: 'closed',
      name: 'Margaret',
      email: ' ',
      phone: '',
      message: '',
    });
    assert.equal(noWay.statusCode, 400);
    assert.match(
      noWay.body,
      /href="#email">Enter an email address or a phone number so we can reply<\/a>[\s\S]*href="#message">Enter your message/,
      'both problems at once, in the form’s order',
    );
    assert.match(noWay.body, /id="email-error"/);
    assert.match(noWay.body, /value="Margaret"/);
    assert.equal(
      submissionOf(res.body),
      submissionId,
      'the same submission id, so a corrected retry is one case',
    );
    const made = await db
      .selectFrom('cases')
      .select('id')
      .where('idempotency_key', '=', `webchat-message:${submissionId}`)
      .execute();
    assert.equal(made.length, 0);
  });

  test('a retry of the same submission (double click, resend) makes one case', async () => {
    clock.set('2026-12-25T13:00:00Z');
    const browser = new Browser(t.app);
    const { csrf, submissionId } = await formFor(browser, 'closed');
    const fields = {
      _csrf: csrf,
      submissionId,
      reason: 'closed',
      name: 'Sam Patel',
      email: '',
      phone: '07700 900 982',
      message: 'When is the recycling centre open?',
    };
    const [first, second] = await Promise.all([
      browser.post('/contact/message', fields),
      browser.post('/contact/message', fields),
    ]);
    const third = await browser.post('/contact/message', fields);
    assert.equal(first.statusCode, 303);
    assert.equal(second.headers.location, first.headers.location);
    assert.equal(third.headers.location, first.headers.location);
    const made = await db
      .selectFrom('cases')
      .select(['id', 'guest_phone'])
      .where('idempotency_key', '=', `webchat-message:${submissionId}`)
      .execute();
    assert.equal(made.length, 1);
    assert.equal(made[0].guest_phone, '+447700900982');
  });

  test('without the form’s CSRF token: refused, nothing made', async () => {
    const browser = new Browser(t.app);
    const { submissionId } = await formFor(browser, 'closed');
    const res = await browser.post('/contact/message', {
      _csrf: 'forged',
      submissionId,
      name: 'A',
      email: 'a@example.org',
      message: 'Hello',
    });
    assert.equal(res.statusCode, 403);
  });

  test('the confirmation shows only message cases: another case’s id or a bad id is not found', async () => {
    const browser = new Browser(t.app);
    const other = await db
      .selectFrom('cases')
      .select('id')
      .where('origin_channel', '!=', 'webchat')
      .executeTakeFirst();
    if (other) assert.equal((await browser.get(`/contact/message/${other.id}`)).statusCode, 404);
    assert.equal(
      (await browser.get('/contact/message/00000000-0000-4000-8000-000000000000')).statusCode,
      404,
    );
    assert.equal((await browser.get('/contact/message/not-an-id')).statusCode, 404);
  });
});

describe('in hours with every adviser busy', () => {
  test('no entry; the contact page and the form say all advisers are busy; the case records full', async () => {
    clock.set('2027-01-05T10:00:00Z'); // a Tuesday: open, but nobody can take a chat
    const browser = new Browser(t.app);
    const page = await browser.get('/services');
    assert.doesNotMatch(page.body, /data-testid="chat-entry"/);
    const contact = await browser.get('/contact');
    assert.match(contact.body, /All our advisers are busy/);
    assert.match(contact.body, /href="\/contact\/message\?reason=full"/);
    const { page: form, csrf, submissionId } = await formFor(browser, 'full');
    assert.match(form.body, /<h1 class="govuk-heading-l">All our advisers are busy<\/h1>/);
    const sent = await browser.post('/contact/message', {
      _csrf: csrf,
      submissionId,
      reason: 'full',
      name: 'Jo Bloggs',
      email: 'jo@example.org',
      message: 'Can I pay my council tax monthly?',
    });
    assert.equal(sent.statusCode, 303, sent.body);
    const row = await caseRow(caseIdOf(sent.headers.location));
    assert.equal(row.answers.chatUnavailableReason, 'full');
  });

  test('asked with ?reason=full while chat is in fact closed: the page tells the truth (closed)', async () => {
    clock.set('2027-01-10T10:00:00Z'); // a Sunday
    const browser = new Browser(t.app);
    const { page } = await formFor(browser, 'full');
    assert.match(page.body, /Webchat is closed\. It opens again tomorrow at 9am\./);
    assert.match(page.body, /name="reason" value="closed"/);
  });
});
