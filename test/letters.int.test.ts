/**
 * Letters through GOV.UK Notify (issue 17, item 5), with the real `notifications-node-client` against the
 * local Notify peer: a letter goes with Notify's address fields and our message id as its reference; an
 * address that breaks Notify's rules fails at once with the reason and never reaches Notify; a letter Notify
 * refuses fails without retrying; its status is polled like any message's; without a letter template,
 * letters stay in the print run (recorded), as before.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { TestClock } from '../src/platform/clock.ts';
import { withTransaction, type Db } from '../src/platform/db/index.ts';
import { PermanentJobError } from '../src/platform/jobs/index.ts';
import {
  adaptersFromConfig,
  deliverMessage,
  queueMessage,
  reconcileStatuses,
  type DeliveryAdapters,
} from '../src/modules/notifications/index.ts';
import { buildAuthority, buildTeam, uniq } from './builders/index.ts';
import { buildCase, buildCustomer } from './builders/customers.ts';
import { installShippedService } from './builders/services.ts';
import { openTestDatabase } from './support/db.ts';
import { guardOutbound, startNotifyPeer, type NotifyPeer } from './support/notify-peer.ts';
import type { Database } from '../src/platform/db/index.ts';

const guard = guardOutbound();
const clock = new TestClock(new Date(Date.now() + 60_000));
const LETTER_TEMPLATE = randomUUID();
let database: Database;
let db: Db;
let notify: NotifyPeer;

before(async () => {
  database = await openTestDatabase();
  db = database.db;
  notify = await startNotifyPeer();
});
after(async () => {
  await database.close();
  await notify.stop();
  guard.restore();
  assert.deepEqual(guard.blocked, [], 'no connections outside 127.0.0.1');
  assert.deepEqual(notify.unexpected, [], 'the Notify peer got only valid, expected requests');
});

const adapters = (letterTemplate: boolean): DeliveryAdapters =>
  adaptersFromConfig({
    notify: {
      apiKey: notify.apiKey,
      baseUrl: notify.baseUrl,
      templateIds: {
        email: randomUUID(),
        sms: randomUUID(),
        ...(letterTemplate ? { letter: LETTER_TEMPLATE } : {}),
      },
    },
    smtp: null,
  });

async function letterAbout(recipient?: string) {
  const authority = await buildAuthority(db);
  const team = await buildTeam(db, authority.id);
  const service = await installShippedService(db, {
    authorityId: authority.id,
    teamId: team.id,
    slug: 'report-a-missed-bin',
  });
  const customer = await buildCustomer(db, authority.id, {
    givenName: 'Ada',
    familyName: 'Lovelace',
    address: { line1: '1 High Street', town: 'Kingsbridge', postcode: 'TQ7 1AA' },
    preferredChannel: 'letter',
  });
  const kase = await buildCase(db, {
    authorityId: authority.id,
    serviceId: service.id,
    teamId: team.id,
    customerId: customer.id,
  });
  const dedupeKey = uniq('letter');
  await withTransaction(db, async (trx) => {
    await queueMessage(trx, {
      authorityId: authority.id,
      customerId: customer.id,
      caseId: kase.id,
      channel: 'letter',
      template: 'case.message',
      personalisation: { reference: kase.reference, message: 'We will come on Monday', serviceName: 'Bins' },
      dedupeKey,
    });
    await trx
      .updateTable('outbox')
      .set({ topic: `test.letters.parked.${dedupeKey}` })
      .where('dedupe_key', '=', `notifications.send:${dedupeKey}`)
      .execute();
  });
  if (recipient !== undefined)
    await db.updateTable('messages').set({ recipient }).where('dedupe_key', '=', dedupeKey).execute();
  const row = await db
    .selectFrom('messages')
    .selectAll()
    .where('dedupe_key', '=', dedupeKey)
    .executeTakeFirstOrThrow();
  return { row, kase };
}

async function deliver(id: string, withLetters = true) {
  const job = {
    id: 1,
    topic: 'notifications.send',
    payload: { messageId: id },
    attempts: 1,
    authorityId: null,
  };
  try {
    await deliverMessage({ db, clock, adapters: adapters(withLetters) }, job);
    return null;
  } catch (error) {
    return error;
  }
}

const message = (id: string) =>
  db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

void describe('letters through Notify', () => {
  void test('a letter goes to Notify with its address lines and our reference, and its status is polled', async () => {
    const { row } = await letterAbout();
    assert.equal(await deliver(row.id), null);
    const sent = await message(row.id);
    assert.equal(sent.status, 'delivered');
    assert.equal(sent.provider, 'notify');
    const request = notify.requests.find(
      (r) => r.path === '/v2/notifications/letter' && r.body.reference === row.id,
    );
    assert.ok(request, 'posted to Notify');
    const fields = request.body.personalisation as Record<string, string>;
    assert.deepEqual(
      [fields.address_line_1, fields.address_line_2, fields.address_line_3, fields.address_line_4],
      ['Ada Lovelace', '1 High Street', 'Kingsbridge', 'TQ7 1AA'],
    );
    assert.equal(request.body.template_id, LETTER_TEMPLATE);
    notify.setStatus(sent.provider_id!, 'received');
    const later = new TestClock(new Date(clock.now().getTime() + 2 * 60 * 60_000));
    await reconcileStatuses({ db, clock: later, adapters: adapters(true) });
    const polled = await message(row.id);
    assert.equal(polled.provider_status, 'received', 'Notify has printed and posted it');
  });

  void test("an address that breaks Notify's rules fails at once, with the reason, and never reaches Notify", async () => {
    const { row, kase } = await letterAbout('Ada Lovelace\n1 High Street\nKingsbridge');
    const error = await deliver(row.id);
    assert.ok(error instanceof PermanentJobError, 'not retried');
    const failed = await message(row.id);
    assert.equal(failed.status, 'failed');
    assert.match(failed.error ?? '', /The last line must be a real UK postcode/);
    assert.ok(!notify.requests.some((r) => r.body.reference === row.id), 'Notify never saw it');
    const events = await db
      .selectFrom('case_events')
      .select(['kind', 'body'])
      .where('case_id', '=', kase.id)
      .execute();
    assert.ok(
      events.some((e) => e.kind === 'message_failed' && /Letter could not be sent/.test(e.body ?? '')),
    );
  });

  void test('a letter Notify refuses fails without retrying', async () => {
    const { row } = await letterAbout();
    notify.failNext(1, 400);
    const error = await deliver(row.id);
    assert.ok(error instanceof PermanentJobError);
    assert.equal((await message(row.id)).status, 'failed');
  });

  void test('without a letter template, letters stay in the print run as before', async () => {
    const { row } = await letterAbout();
    assert.equal(await deliver(row.id, false), null);
    const kept = await message(row.id);
    assert.equal(kept.status, 'recorded');
    assert.equal(kept.provider, 'local');
  });
});
