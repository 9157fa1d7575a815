/**
 * "How should we contact you?" on a form: the answer decides how Frontdoor writes to the resident about that
 * request (the acknowledgement, written in the submission's one statement, and every later message), over
 * the usual preference on their account.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { TestClock } from '../src/platform/clock.ts';
import { withTransaction, type Db } from '../src/platform/db/index.ts';
import { SessionStore } from '../src/platform/http/sessions.ts';
import { changeStatus } from '../src/modules/cases/index.ts';
import { callbackJobHandlers } from '../src/modules/callbacks/index.ts';
import { loadServiceDefinitions } from '../src/modules/services/index.ts';
import { buildAuthority, buildStaff, buildTeam } from './builders/index.ts';
import { buildCustomer, signedIn } from './builders/customers.ts';
import { installShippedService } from './builders/services.ts';
import { Browser, buildTestApp, type TestApp } from './support/app.ts';
import { walkAndSubmit } from './support/form-walk.ts';

let t: TestApp;
let db: Db;
const clock = new TestClock('2026-12-03T10:00:00Z');
let service: { authorityId: string; slug: string; teamId: string };

before(async () => {
  t = await buildTestApp({ clock });
  db = t.database.db;
  const authority = await buildAuthority(db);
  const team = await buildTeam(db, authority.id);
  const installed = await installShippedService(db, {
    authorityId: authority.id,
    teamId: team.id,
    slug: 'general-enquiry',
  });
  service = { authorityId: authority.id, slug: installed.slug, teamId: team.id };
});
after(() => t.close());

/** A signed-in resident with an email address and a mobile number who usually prefers `preferred`. */
async function resident(preferred: 'email' | 'sms'): Promise<Browser> {
  const customer = await buildCustomer(db, service.authorityId, {
    email: `${randomUUID().slice(0, 8)}@example.com`,
    phone: '07700 900188',
    preferredChannel: preferred,
  });
  const { token } = await new SessionStore(db, clock, 30).create('resident', { customerId: customer.id });
  const browser = new Browser(t.app);
  browser.cookies.set('fd_session', t.app.signCookie(token));
  return browser;
}

async function channels(caseId: string) {
  return db
    .selectFrom('messages')
    .select(['template', 'channel'])
    .where('case_id', '=', caseId)
    .orderBy('created_at')
    .execute();
}

const definition = () => loadServiceDefinitions().find((d) => d.slug === 'general-enquiry')!;

void describe('issue 12 item 4: the answer on the form wins for that request', () => {
  for (const [preferred, answer, channel] of [
    ['sms', 'email', 'email'],
    ['email', 'text', 'sms'],
  ] as const)
    void test(`issue 12 item 4: a resident who usually prefers ${preferred} and answers "${answer}" is written to by ${channel} about that request`, async () => {
      const browser = await resident(preferred);
      const made = await walkAndSubmit({
        app: t.app,
        db,
        browser,
        definition: definition(),
        slug: service.slug,
        answers: { contactBy: answer },
      });
      await withTransaction(db, (trx) =>
        changeStatus(trx, made.caseId, 'passed_to_service', { kind: 'system' }, { at: clock.now() }),
      );
      assert.deepEqual(await channels(made.caseId), [
        { template: 'case.acknowledgement', channel },
        { template: 'case.status_changed', channel },
      ]);
    });
});

void describe('issue 12 item 7: phone numbers', () => {
  void test('issue 12 item 7: staff see a number in one format, national for UK numbers, on the case page, its answers and the outbox', async () => {
    const guest = new Browser(t.app);
    const made = await walkAndSubmit({
      app: t.app,
      db,
      browser: guest,
      definition: definition(),
      slug: service.slug,
      answers: { email: '', phone: '07700 900 188', contactBy: 'text' },
    });
    const message = await db
      .selectFrom('messages')
      .select(['id', 'channel', 'recipient'])
      .where('case_id', '=', made.caseId)
      .where('template', '=', 'case.acknowledgement')
      .executeTakeFirstOrThrow();
    assert.deepEqual([message.channel, message.recipient], ['sms', '+447700900188'], 'stored in E.164');
    const officer = await buildStaff(db, service.authorityId, {
      roles: ['officer'],
      teamIds: [service.teamId],
    });
    const staff = await signedIn(t.app, officer);
    for (const page of [`/staff/cases/${made.caseId}`, `/staff/messages/${message.id}`]) {
      const res = await staff.get(page);
      assert.equal(res.statusCode, 200, page);
      const shown = [...res.body.matchAll(/\+?[0-9][0-9 ]{9,}[0-9]/g)]
        .map((m) => m[0])
        .filter((n) => n.includes('7700'));
      assert.ok(shown.length > 0, `${page} shows the number`);
      assert.deepEqual([...new Set(shown)], ['07700 900188'], page);
    }
  });
});

void describe('issue 17 item 3: honest contact', () => {
  void test('issue 17 item 3: a guest who gave only a landline is never told a message was sent, and their team is asked to call them', async () => {
    const guest = new Browser(t.app);
    const made = await walkAndSubmit({
      app: t.app,
      db,
      browser: guest,
      definition: definition(),
      slug: service.slug,
      answers: { email: '', phone: '01632 960 001', contactBy: 'phone' },
    });
    const page = await guest.get(made.confirmation);
    assert.equal(page.statusCode, 200);
    assert.doesNotMatch(page.body, /We have sent you/);
    assert.match(
      page.body,
      /We could not send you a message because we do not have an email address or mobile number/,
    );
    const ack = await db
      .selectFrom('messages')
      .select(['status', 'recipient'])
      .where('case_id', '=', made.caseId)
      .where('template', '=', 'case.acknowledgement')
      .executeTakeFirstOrThrow();
    assert.deepEqual([ack.status, ack.recipient], ['failed', ''], 'nothing could be sent');

    // The callbacks scan (every minute) makes the "call the resident" task for the case's team, once.
    const handlers = callbackJobHandlers({ db, clock });
    for (let run = 0; run < 2; run++)
      await handlers['callbacks.scan']({
        id: run,
        topic: 'callbacks.scan',
        payload: {},
        attempts: 1,
        authorityId: null,
      });
    const calls = await db
      .selectFrom('callbacks')
      .select(['team_id', 'phone', 'source', 'topic', 'case_id', 'status'])
      .where('case_id', '=', made.caseId)
      .execute();
    assert.equal(calls.length, 1, 'one call-back task');
    assert.equal(calls[0].team_id, service.teamId, 'for the team that owns the case');
    assert.equal(calls[0].phone, '+441632960001');
    assert.equal(calls[0].source, 'system');
    assert.match(calls[0].topic, /Call the resident about/);
  });

  void test('issue 17 item 3: a guest with an email address is told a message was sent, and gets no call-back task', async () => {
    const guest = new Browser(t.app);
    const made = await walkAndSubmit({
      app: t.app,
      db,
      browser: guest,
      definition: definition(),
      slug: service.slug,
      answers: { email: `${randomUUID().slice(0, 8)}@example.com`, phone: '', contactBy: 'email' },
    });
    const page = await guest.get(made.confirmation);
    assert.match(page.body, /We have sent you a message to confirm we have it/);
    const handlers = callbackJobHandlers({ db, clock });
    await handlers['callbacks.scan']({
      id: 9,
      topic: 'callbacks.scan',
      payload: {},
      attempts: 1,
      authorityId: null,
    });
    const calls = await db.selectFrom('callbacks').select('id').where('case_id', '=', made.caseId).execute();
    assert.equal(calls.length, 0);
  });
});

void describe('issue 17 item 2: language and needs on the case page', () => {
  void test("issue 17 item 2: the officer's case page shows the customer's language and needs in words", async () => {
    const customer = await buildCustomer(db, service.authorityId, {
      email: `${randomUUID().slice(0, 8)}@example.com`,
      communicationNeeds: ['interpreter:pl', 'large_print'],
    });
    await db
      .updateTable('customers')
      .set({ preferred_language: 'pl' })
      .where('id', '=', customer.id)
      .execute();
    const { token } = await new SessionStore(db, clock, 30).create('resident', { customerId: customer.id });
    const browser = new Browser(t.app);
    browser.cookies.set('fd_session', t.app.signCookie(token));
    const made = await walkAndSubmit({
      app: t.app,
      db,
      browser,
      definition: definition(),
      slug: service.slug,
      answers: { contactBy: 'email' },
    });
    const officer = await buildStaff(db, service.authorityId, {
      roles: ['officer'],
      teamIds: [service.teamId],
    });
    const page = await (await signedIn(t.app, officer)).get(`/staff/cases/${made.caseId}`);
    assert.equal(page.statusCode, 200);
    const shown = /data-testid="language-and-needs">([\s\S]*?)<\/div>/.exec(page.body)?.[1] ?? '';
    assert.match(shown, /Polish — interpreter needed/);
    assert.match(shown, /Large print/);
    assert.doesNotMatch(shown, /interpreter:pl|large_print/);
  });
});
