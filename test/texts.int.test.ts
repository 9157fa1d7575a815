/**
 * Texts both ways through GOV.UK Notify (issue 17, item 4), with the real `notifications-node-client`
 * against the local Notify peer (JWT checked: HS256, issuer, issued-at within 30 s) and the real app:
 * - delivery receipts by callback: applied once, duplicates and late (out-of-order) statuses change
 *   nothing, a permanent failure marks the number undeliverable and tells the case owner; wrong or missing
 *   bearer tokens are refused; the reconciliation job asks Notify for statuses the callbacks missed;
 * - received texts by callback: threaded onto the case a reference names (resuming its paused clock), or the
 *   open case we last texted that number about; otherwise triage; STOP opts the number out (no text is sent
 *   to it) and START back in; a retried callback is taken once;
 * - the reconciliation poll of Notify's received-texts list (paged with `older_than`) takes in what the
 *   callbacks missed, once, and nothing older than Notify's 7 days.
 *
 * Parallel-safe: each test builds its own council, team, service, customers and phone numbers, and parks
 * its messages' outbox rows under a private topic.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt, randomUUID } from 'node:crypto';
import { TestClock } from '../src/platform/clock.ts';
import { withTransaction, type Db } from '../src/platform/db/index.ts';
import {
  adaptersFromConfig,
  deliverMessage,
  notifyTextInbox,
  queueMessage,
  reconcileStatuses,
  type DeliveryAdapters,
} from '../src/modules/notifications/index.ts';
import { pollReceivedTexts } from '../src/modules/texts/index.ts';
import { buildAuthority, buildStaff, buildTeam, uniq } from './builders/index.ts';
import { installShippedService } from './builders/services.ts';
import { buildCase, buildCustomer, signedIn } from './builders/customers.ts';
import { buildTestApp, type TestApp } from './support/app.ts';
import { guardOutbound, startNotifyPeer, type NotifyPeer } from './support/notify-peer.ts';

const guard = guardOutbound();
const TOKEN = `callback-token-${randomUUID()}`;
const SMS_TEMPLATE = randomUUID();
const EMAIL_TEMPLATE = randomUUID();
const clock = new TestClock(new Date(Date.now() + 60_000));
let t: TestApp;
let db: Db;
let notify: NotifyPeer;
let adapters: DeliveryAdapters;
let authority: { id: string; code: string };

before(async () => {
  notify = await startNotifyPeer();
  // The council that takes texts tied to no case is this file's own (a shared PostgreSQL has others).
  const { openTestDatabase } = await import('./support/db.ts');
  const database = await openTestDatabase();
  authority = await buildAuthority(database.db);
  t = await buildTestApp({
    database,
    clock,
    env: { NOTIFY_CALLBACK_TOKEN: TOKEN, TEXTS_AUTHORITY: authority.code },
  });
  db = t.database.db;
  adapters = adaptersFromConfig({
    notify: { apiKey: notify.apiKey, baseUrl: notify.baseUrl, templateIds: settings().templateIds },
    smtp: null,
  });
});
after(async () => {
  await t.close();
  await t.database.close();
  await notify.stop();
  guard.restore();
  assert.deepEqual(guard.blocked, [], 'no connections outside 127.0.0.1');
  assert.deepEqual(notify.unexpected, [], 'the Notify peer got only valid, expected requests');
});

function settings() {
  return {
    apiKey: notify.apiKey,
    baseUrl: notify.baseUrl,
    templateIds: { sms: SMS_TEMPLATE, email: EMAIL_TEMPLATE },
  };
}

/** A UK mobile number no other test uses: `07912 xxxxxx` and its E.164 form. */
function mobile() {
  const digits = String(100_000 + randomInt(900_000));
  return { typed: `07912 ${digits}`, e164: `+447912${digits}`, notify: `447912${digits}` };
}

async function buildArea() {
  const team = await buildTeam(db, authority.id);
  const service = await installShippedService(db, {
    authorityId: authority.id,
    teamId: team.id,
    slug: 'report-a-missed-bin',
  });
  const owner = await buildStaff(db, authority.id, { teamIds: [team.id], roles: ['officer'] });
  const phone = mobile();
  const customer = await buildCustomer(db, authority.id, { phone: phone.typed, preferredChannel: 'sms' });
  const kase = await buildCase(db, {
    authorityId: authority.id,
    serviceId: service.id,
    teamId: team.id,
    customerId: customer.id,
  });
  await db.updateTable('cases').set({ assignee_id: owner.id }).where('id', '=', kase.id).execute();
  return { team, service, owner, phone, customer, kase };
}

/** Queues a text about the case and delivers it through the real client to the peer. */
async function sendText(area: Awaited<ReturnType<typeof buildArea>>) {
  const dedupeKey = uniq('text');
  await withTransaction(db, async (trx) => {
    await queueMessage(trx, {
      authorityId: authority.id,
      customerId: area.customer.id,
      caseId: area.kase.id,
      channel: 'sms',
      template: 'case.message',
      personalisation: {
        reference: area.kase.reference,
        message: 'We will come on Monday',
        serviceName: 'Bins',
      },
      dedupeKey,
    });
    await trx
      .updateTable('outbox')
      .set({ topic: `test.texts.parked.${dedupeKey}` })
      .where('dedupe_key', '=', `notifications.send:${dedupeKey}`)
      .execute();
  });
  const row = await db
    .selectFrom('messages')
    .selectAll()
    .where('dedupe_key', '=', dedupeKey)
    .executeTakeFirstOrThrow();
  await deliverMessage(
    { db, clock, adapters },
    { id: 1, topic: 'notifications.send', payload: { messageId: row.id }, attempts: 1, authorityId: null },
  );
  return db.selectFrom('messages').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
}

function callback(path: 'delivery-status' | 'received-text', body: unknown, token: string | null = TOKEN) {
  return t.app.inject({
    method: 'POST',
    url: `/notify/v1/${path}`,
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
    payload: body as Record<string, unknown>,
  });
}

const receipt = (id: string, status: string) => ({
  id,
  reference: null,
  to: '07912000000',
  status,
  created_at: clock.now().toISOString(),
  completed_at: clock.now().toISOString(),
  sent_at: clock.now().toISOString(),
  notification_type: 'sms',
});

const text = (from: string, message: string, id: string = randomUUID()) => ({
  id,
  source_number: from,
  destination_number: '07700900000',
  message,
  date_received: clock.now().toISOString(),
});

const events = (caseId: string) =>
  db.selectFrom('case_events').selectAll().where('case_id', '=', caseId).orderBy('created_at').execute();

void describe('delivery receipts', () => {
  void test('a receipt is applied once; duplicates and late statuses never move a message backwards', async () => {
    const area = await buildArea();
    const sent = await sendText(area);
    assert.equal(sent.status, 'delivered');
    assert.ok(sent.provider_id, 'Notify gave the message an id');
    const id = sent.provider_id;

    const outcomes: string[] = [];
    for (const status of ['sending', 'delivered', 'delivered', 'sending', 'permanent-failure']) {
      const response = await callback('delivery-status', receipt(id, status));
      assert.equal(response.statusCode, 200, response.body);
      outcomes.push(response.json<{ outcome: string }>().outcome);
    }
    assert.deepEqual(outcomes, ['applied', 'applied', 'unchanged', 'unchanged', 'unchanged']);
    const row = await db
      .selectFrom('messages')
      .selectAll()
      .where('id', '=', sent.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.provider_status, 'delivered');
    assert.equal(row.provider_status_rank, 4);
    const point = await db
      .selectFrom('contact_points')
      .select('undeliverable_at')
      .where('customer_id', '=', area.customer.id)
      .where('kind', '=', 'phone')
      .executeTakeFirstOrThrow();
    assert.equal(point.undeliverable_at, null, 'a failure after delivered changed nothing');

    const unknown = await callback('delivery-status', receipt(randomUUID(), 'delivered'));
    assert.equal(unknown.json<{ outcome: string }>().outcome, 'unknown-message');
  });

  void test('callbacks without the right bearer token, or that are not callbacks, are refused', async () => {
    assert.equal(
      (await callback('delivery-status', receipt(randomUUID(), 'delivered'), null)).statusCode,
      401,
    );
    assert.equal(
      (await callback('received-text', text('447912000001', 'hi'), 'wrong-token-wrong-token')).statusCode,
      401,
    );
    const bad = await callback('delivery-status', { status: 'delivered' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json<{ error: string }>().error, /^id:/);
  });

  void test('a permanent failure marks the number undeliverable and tells the case owner, once', async () => {
    const area = await buildArea();
    const sent = await sendText(area);
    for (let i = 0; i < 2; i++)
      assert.equal(
        (await callback('delivery-status', receipt(sent.provider_id!, 'permanent-failure'))).statusCode,
        200,
      );
    const point = await db
      .selectFrom('contact_points')
      .select('undeliverable_at')
      .where('customer_id', '=', area.customer.id)
      .where('kind', '=', 'phone')
      .executeTakeFirstOrThrow();
    assert.ok(point.undeliverable_at, 'the number is marked undeliverable');
    const undelivered = (await events(area.kase.id)).filter((e) => e.kind === 'message_undelivered');
    assert.equal(undelivered.length, 1);
    assert.equal(undelivered[0].visible_to_customer, false);
    assert.match(undelivered[0].body ?? '', /text message could not be delivered/);
    const told = await db
      .selectFrom('messages')
      .select(['recipient', 'template', 'body'])
      .where('case_id', '=', area.kase.id)
      .where('template', '=', 'case.message_undeliverable')
      .execute();
    assert.equal(told.length, 1, 'the owner is emailed once');
    assert.equal(told[0].recipient, area.owner.email);
    assert.match(told[0].body, new RegExp(area.kase.reference));
  });

  void test('the reconciliation job asks Notify for the statuses its callbacks missed', async () => {
    const area = await buildArea();
    const sent = await sendText(area);
    notify.setStatus(sent.provider_id!, 'permanent-failure');
    const later = new TestClock(new Date(clock.now().getTime() + 2 * 60 * 60_000));
    const changed = await reconcileStatuses({ db, clock: later, adapters });
    assert.ok(changed >= 1);
    const row = await db
      .selectFrom('messages')
      .selectAll()
      .where('id', '=', sent.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.provider_status, 'permanent-failure');
    assert.ok(
      notify.requests.some((r) => r.method === 'GET' && r.path === `/v2/notifications/${sent.provider_id}`),
    );
    assert.equal((await reconcileStatuses({ db, clock: later, adapters })) >= 0, true);
    const again = await db
      .selectFrom('messages')
      .selectAll()
      .where('id', '=', sent.id)
      .executeTakeFirstOrThrow();
    assert.equal(again.provider_status_rank, 4, 'a final status is not asked for again');
  });
});

void describe('received texts', () => {
  void test('a text naming its case is threaded onto it, resumes its paused clock, and a retry is taken once', async () => {
    const area = await buildArea();
    await db
      .updateTable('cases')
      .set({ sla_paused_at: new Date(clock.now().getTime() - 86_400_000) })
      .where('id', '=', area.kase.id)
      .execute();
    const body = text(
      area.phone.notify,
      `About ref ${area.kase.reference.toLowerCase()}: the bin is still there`,
    );
    const first = await callback('received-text', body);
    assert.equal(first.statusCode, 200, first.body);
    assert.equal(first.json<{ outcome: string }>().outcome, 'threaded');
    const retry = await callback('received-text', body);
    assert.equal(retry.json<{ outcome: string }>().outcome, 'duplicate');

    const messages = (await events(area.kase.id)).filter((e) => e.kind === 'message');
    assert.equal(messages.length, 1, 'threaded once');
    assert.match(messages[0].body ?? '', /the bin is still there/);
    assert.equal(messages[0].visible_to_customer, true);
    const kase = await db
      .selectFrom('cases')
      .selectAll()
      .where('id', '=', area.kase.id)
      .executeTakeFirstOrThrow();
    assert.equal(kase.sla_paused_at, null, 'the clock runs again');
    const interactions = await db
      .selectFrom('interactions')
      .selectAll()
      .where('customer_id', '=', area.customer.id)
      .where('channel', '=', 'sms')
      .execute();
    assert.equal(interactions.length, 1, 'on the customer timeline as a text');
    assert.equal(interactions[0].direction, 'inbound');
  });

  void test('a text from a number we texted about an open case threads onto it; a stranger waits in triage', async () => {
    const area = await buildArea();
    const stranger = mobile();
    await sendText(area);
    // No reference: the open case we last texted this number about.
    const reply = await callback('received-text', text(area.phone.notify, 'Thanks, Monday is fine'));
    assert.equal(reply.json<{ outcome: string }>().outcome, 'threaded');
    const lone = await callback('received-text', text(stranger.notify, `Is ${area.kase.reference} done?`));
    assert.equal(lone.json<{ outcome: string }>().outcome, 'triage');
    const stored = await db
      .selectFrom('inbound_texts')
      .selectAll()
      .where('from_number', '=', stranger.e164)
      .executeTakeFirstOrThrow();
    assert.equal(stored.outcome, 'triage');
    assert.equal(
      stored.reason,
      'reference-not-matched',
      'a reference from a number not on the case is only a hint',
    );
    assert.equal(stored.suggested_case_id, area.kase.id);
    assert.equal(stored.authority_id, authority.id);
  });

  void test('STOP opts a number out of texts (none is sent to it) and START opts it back in', async () => {
    const area = await buildArea();
    assert.equal(
      (await callback('received-text', text(area.phone.notify, ' stop '))).json<{ outcome: string }>()
        .outcome,
      'opt_out',
    );
    const blocked = await sendText(area);
    assert.equal(blocked.status, 'failed');
    assert.match(blocked.error ?? '', /texted STOP/);
    assert.equal(notify.sent.filter((n) => n.reference === blocked.id).length, 0, 'never handed to Notify');
    assert.equal(
      (await callback('received-text', text(area.phone.notify, 'START'))).json<{ outcome: string }>().outcome,
      'opt_in',
    );
    const sent = await sendText(area);
    assert.equal(sent.status, 'delivered');
  });

  void test('the reconciliation poll takes in, once, the texts the callbacks missed, within 7 days', async () => {
    const area = await buildArea();
    notify.receivedPageSize = 2;
    try {
      const now = clock.now().getTime();
      const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000);
      const viaCallback = notify.receiveText({
        from: area.phone.notify,
        content: 'first (callback came)',
        at: at(50),
      });
      await callback('received-text', {
        ...text(area.phone.notify, 'first (callback came)', viaCallback),
        date_received: at(50).toISOString(),
      });
      const missed = [40, 30, 20, 10].map((m) =>
        notify.receiveText({ from: area.phone.notify, content: `missed ${m}`, at: at(m) }),
      );
      const tooOld = notify.receiveText({
        from: area.phone.notify,
        content: 'last week',
        at: at(8 * 24 * 60),
      });
      const deps = { db, clock, authorityCode: authority.code, inbox: notifyTextInbox(settings()) };
      // Texts of other tests in this file may be in the peer's list too; ours are the ones counted here.
      await pollReceivedTexts(deps);
      const ours = await db
        .selectFrom('inbound_texts')
        .select(['notify_id', 'body', 'outcome'])
        .where('from_number', '=', area.phone.e164)
        .orderBy('received_at')
        .execute();
      assert.deepEqual(
        ours.map((r) => r.body),
        ['first (callback came)', 'missed 40', 'missed 30', 'missed 20', 'missed 10'],
      );
      assert.ok(!ours.some((r) => r.notify_id === tooOld), 'nothing older than 7 days');
      assert.ok(missed.every((id) => ours.some((r) => r.notify_id === id)));
      assert.equal(await pollReceivedTexts(deps), 0, 'a second poll takes in nothing');
      assert.ok(
        notify.requests.some((r) => r.path.startsWith('/v2/received-text-messages?older_than=')),
        'paged with older_than',
      );
      const threaded = (await events(area.kase.id)).filter((e) => e.kind === 'message');
      assert.equal(threaded.length, 0, 'we never texted this number and no reference: triage, not the case');
    } finally {
      notify.receivedPageSize = 250;
    }
  });
});

void describe('text triage (staff)', () => {
  void test('staff add a waiting text to a case by reference (errors keep what was typed), or mark it as no action', async () => {
    const area = await buildArea();
    const stranger = mobile();
    const first = await callback(
      'received-text',
      text(stranger.notify, 'My bin was missed again on Elm Road'),
    );
    assert.equal(first.json<{ outcome: string }>().outcome, 'triage');
    const second = await callback('received-text', text(stranger.notify, 'Wrong number, sorry'));
    assert.equal(second.json<{ outcome: string }>().outcome, 'triage');
    const [waiting, wrong] = await db
      .selectFrom('inbound_texts')
      .select(['id', 'body'])
      .where('from_number', '=', stranger.e164)
      .orderBy('body')
      .execute();
    assert.ok(waiting && wrong);

    const browser = await signedIn(t.app, area.owner);
    const page = await browser.get('/staff/texts');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /My bin was missed again on Elm Road/);
    assert.match(page.body, /From a number we do not know/);

    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1];
    const bad = await browser.post(`/staff/texts/${waiting.id}/case`, {
      _csrf: token,
      reference: 'ZZZZ-ZZZZ',
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /<title>Error: /);
    assert.match(bad.body, /There is no case with the reference ZZZZ-ZZZZ/);
    assert.match(bad.body, new RegExp(`href="#reference-${waiting.id}"`));
    assert.match(bad.body, /value="ZZZZ-ZZZZ"/, 'what was typed is kept');

    const added = await browser.post(`/staff/texts/${waiting.id}/case`, {
      _csrf: token,
      reference: area.kase.reference.toLowerCase(),
    });
    assert.equal(added.statusCode, 303);
    assert.equal(added.headers.location, `/staff/texts?done=added&ref=${area.kase.reference}`);
    const onCase = (await events(area.kase.id)).filter((e) => e.kind === 'message');
    assert.deepEqual(
      onCase.map((e) => e.body),
      ['My bin was missed again on Elm Road'],
    );
    const again = await browser.post(`/staff/texts/${waiting.id}/case`, {
      _csrf: token,
      reference: area.kase.reference,
    });
    assert.equal(again.statusCode, 404, 'a text is handled once');

    const dismissed = await browser.post(`/staff/texts/${wrong.id}/no-action`, { _csrf: token });
    assert.equal(dismissed.statusCode, 303);
    const after = await browser.get('/staff/texts?done=dismissed');
    assert.match(after.body, /Text marked as no action/);
    assert.doesNotMatch(after.body, /Wrong number, sorry/);

    const elsewhere = await buildAuthority(db);
    const outsider = await buildStaff(db, elsewhere.id, { roles: ['officer'] });
    const other = await signedIn(t.app, outsider);
    const otherPage = await other.get('/staff/texts');
    assert.doesNotMatch(otherPage.body, /Elm Road|Wrong number/, "another council's staff do not see them");
  });
});
