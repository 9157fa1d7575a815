/**
 * Issue 12 item 21: the staff time-out without JavaScript. Every staff page says when the session will end
 * if nothing is done; a form sent after the session timed out is not lost: its answers (never passwords,
 * never file uploads) are kept for that member of staff, who sees them after signing in again and sends
 * them on (or discards them). Nobody else can see them.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TestClock } from '../src/platform/clock.ts';
import type { Db } from '../src/platform/db/index.ts';
import { TEST_PASSWORD, buildAuthority, buildStaff, buildTeam } from './builders/index.ts';
import { buildCustomer, signedIn } from './builders/customers.ts';
import type { Browser } from './support/app.ts';
import { buildTestApp, type TestApp } from './support/app.ts';

const clock = new TestClock('2026-12-16T10:00:00Z');
let t: TestApp;
let db: Db;
let agent: { id: string; email: string };
let other: { id: string; email: string };
let customerId: string;

before(async () => {
  t = await buildTestApp({ clock });
  db = t.database.db;
  const authority = await buildAuthority(db);
  const team = await buildTeam(db, authority.id);
  agent = await buildStaff(db, authority.id, { roles: ['agent'], teamIds: [team.id] });
  other = await buildStaff(db, authority.id, { roles: ['agent'], teamIds: [team.id] });
  customerId = (await buildCustomer(db, authority.id, {})).id;
});
after(() => t.close());

const minutes = (n: number) => clock.advance(n * 60_000);

/** The hidden inputs of a page's form that posts to `action`, as fields. */
function hiddenFields(html: string, action: string): [string, string][] {
  const start = html.indexOf(`action="${action}"`);
  assert.ok(start >= 0, `a form posting to ${action}`);
  const form = html.slice(start, html.indexOf('</form>', start));
  return [...form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [
    m[1],
    m[2]
      .replace(/&#39;/g, "'")
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&'),
  ]);
}

async function post(browser: Browser, url: string, fields: [string, string][]) {
  return t.app.inject({
    method: 'POST',
    url,
    remoteAddress: browser.remoteAddress,
    payload: new URLSearchParams(fields).toString(),
    headers: {
      cookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      'content-type': 'application/x-www-form-urlencoded',
    },
  });
}

void describe('issue 12 item 21: signed out after 30 minutes, without JavaScript', () => {
  void test('issue 12 item 21: every staff page says when the session ends, counted again on each page', async () => {
    const browser = await signedIn(t.app, agent);
    const home = await browser.get('/staff');
    assert.match(
      home.body,
      /data-testid="sign-out-time"[^>]*>You will be signed out at 10:30 if you do nothing</,
    );
    minutes(12);
    const later = await browser.get('/staff');
    assert.match(later.body, /You will be signed out at 10:42 if you do nothing/);
  });

  void test('issue 12 item 21: answers sent after the time-out are kept, shown after signing in again and sent on', async () => {
    const browser = await signedIn(t.app, agent);
    const page = await browser.get(`/staff/customers/${customerId}`);
    assert.equal(page.statusCode, 200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1];
    const summary = 'Asked about her Blue Badge; told her it is with an assessor and will call back.';
    minutes(31); // the session times out while the form is open

    const sent = await post(browser, `/staff/customers/${customerId}/contacts`, [
      ['_csrf', csrf],
      ['channel', 'phone'],
      ['summary', summary],
      ['outcome', 'resolved'],
      ['password', 'never-kept'],
    ]);
    assert.equal(sent.statusCode, 302);
    assert.equal(sent.headers.location, '/staff/sign-in?answersKept=1');
    const stored = await db
      .selectFrom('pending_staff_answers')
      .select(['staff_user_id', 'fields'])
      .where('staff_user_id', '=', agent.id)
      .execute();
    assert.equal(stored.length, 1);
    assert.deepEqual(stored[0].fields, { channel: 'phone', summary, outcome: 'resolved' });
    const contactsBefore = await db
      .selectFrom('interactions')
      .select('id')
      .where('customer_id', '=', customerId)
      .execute();

    // Another member of staff signing in on this browser is not shown them.
    const someoneElse = await signedIn(t.app, other);
    assert.equal((await someoneElse.get('/staff')).statusCode, 200);

    const notice = await browser.get('/staff/sign-in?answersKept=1');
    assert.match(notice.body, /We have kept the answers you sent/);
    const signIn = await browser.submit('/staff/sign-in', '/staff/sign-in', {
      email: agent.email,
      password: TEST_PASSWORD,
    });
    assert.equal(signIn.statusCode, 302);
    const keptUrl = signIn.headers.location as string;
    assert.match(keptUrl, /^\/staff\/answers-kept\/[0-9a-f-]{36}$/);
    assert.equal((await someoneElse.get(keptUrl)).statusCode, 404, 'only the one who sent them sees them');

    const kept = await browser.get(keptUrl);
    assert.equal(kept.statusCode, 200);
    assert.match(kept.body, new RegExp(summary.replace(/[.;]/g, '.')));
    assert.doesNotMatch(kept.body, /never-kept/);
    const fields = hiddenFields(kept.body, `${keptUrl}/send`);
    assert.deepEqual(
      fields.filter(([name]) => name !== '_csrf').sort(([a], [b]) => a.localeCompare(b)),
      [
        ['channel', 'phone'],
        ['outcome', 'resolved'],
        ['summary', summary],
      ],
    );

    // "Send your answers": the browser follows a 307 and posts the same form where it was going.
    const send = await post(browser, `${keptUrl}/send`, fields);
    assert.equal(send.statusCode, 307);
    assert.equal(send.headers.location, `/staff/customers/${customerId}/contacts`);
    const done = await post(browser, send.headers.location, fields);
    assert.ok(done.statusCode === 302 || done.statusCode === 303, `contact logged: ${done.statusCode}`);
    assert.match(done.headers.location as string, new RegExp(`/staff/customers/${customerId}`));
    const contactsAfter = await db
      .selectFrom('interactions')
      .select(['id', 'summary'])
      .where('customer_id', '=', customerId)
      .execute();
    assert.equal(contactsAfter.length, contactsBefore.length + 1);
    assert.ok(contactsAfter.some((c) => c.summary === summary));
    assert.equal((await browser.get(keptUrl)).statusCode, 404, 'sent once, then forgotten');
  });

  void test('issue 12 item 21: file uploads are never kept, and kept answers can be discarded', async () => {
    const browser = await signedIn(t.app, agent);
    const page = await browser.get(`/staff/customers/${customerId}`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1];
    minutes(31);
    const boundary = 'frontdoorboundary';
    const multipart = await t.app.inject({
      method: 'POST',
      url: `/staff/customers/${customerId}/contacts`,
      remoteAddress: browser.remoteAddress,
      payload: `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--${boundary}--\r\n`,
      headers: {
        cookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        'content-type': `multipart/form-data; boundary=${boundary}`,
      },
    });
    assert.notEqual(multipart.headers.location, '/staff/sign-in?answersKept=1');
    const none = await db
      .selectFrom('pending_staff_answers')
      .select('id')
      .where('staff_user_id', '=', agent.id)
      .execute();
    assert.equal(none.length, 0);

    // A form sent after the time-out, then discarded after signing in.
    const again = await signedIn(t.app, agent);
    const form = await again.get(`/staff/customers/${customerId}`);
    const token = /name="_csrf" value="([^"]+)"/.exec(form.body)![1];
    minutes(31);
    const sent = await post(again, `/staff/customers/${customerId}/contacts`, [
      ['_csrf', token],
      ['summary', 'Rang about a missed bin, will ring back tomorrow.'],
    ]);
    assert.equal(sent.headers.location, '/staff/sign-in?answersKept=1');
    const signIn = await again.submit('/staff/sign-in', '/staff/sign-in', {
      email: agent.email,
      password: TEST_PASSWORD,
    });
    const keptUrl = signIn.headers.location as string;
    assert.match(keptUrl, /^\/staff\/answers-kept\//);
    const discard = await again.submit(keptUrl, `${keptUrl}/discard`, {});
    assert.equal(discard.statusCode, 302);
    assert.equal((await again.get(keptUrl)).statusCode, 404);
  });
});
