/**
 * Notifications against real local peers: an SMTP server (smtp-server + mailparser) and a Notify API
 * stand-in that verifies the real client's JWTs. The real outbox Worker delivers, with a TestClock.
 *
 * Parallel-safe: each test builds its own authority, customers and cases, and parks its messages' outbox
 * rows under private topics in the queueing transaction, so workers in other test files never take them
 * (and ours, which claim only their own topic, never take theirs).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { TestClock } from '../src/platform/clock.ts';
import { withTransaction, type Database, type Db } from '../src/platform/db/index.ts';
import { Worker } from '../src/platform/jobs/index.ts';
import {
  adaptersFromConfig,
  deliverMessage,
  queueMessage,
  type DeliveryAdapters,
  type QueueMessageInput,
} from '../src/modules/notifications/index.ts';
import { jobHandlers } from '../src/worker.ts';
import { ConfigError, loadConfig } from '../src/config/index.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildAuthority,
  buildService,
  buildStaff,
  buildTeam,
  TEST_PASSWORD,
  uniq,
} from './builders/index.ts';
import { openTestDatabase } from './support/db.ts';
import { Browser, buildTestApp, type TestApp } from './support/app.ts';
import { startSmtpServer, type TestSmtpServer } from './support/smtp.ts';
import { guardOutbound, startNotifyPeer, type NotifyPeer } from './support/notify-peer.ts';

const guard = guardOutbound();
let database: Database;
let db: Db;
let smtp: TestSmtpServer;
let notify: NotifyPeer;
// Ahead of the database's clock, so rows enqueued with the default run_after (now()) are due.
const clock = new TestClock(new Date(Date.now() + 60_000));

const EMAIL_TEMPLATE = randomUUID();
const SMS_TEMPLATE = randomUUID();

before(async () => {
  database = await openTestDatabase();
  db = database.db;
  smtp = await startSmtpServer();
  notify = await startNotifyPeer();
});
after(async () => {
  await smtp.stop();
  await notify.stop();
  await database.close();
  guard.restore();
  assert.deepEqual(guard.blocked, [], 'no connections outside 127.0.0.1');
  assert.deepEqual(notify.unexpected, [], 'the Notify peer got only valid, expected requests');
});

const notifyAdapters = (): DeliveryAdapters =>
  adaptersFromConfig({
    notify: {
      apiKey: notify.apiKey,
      baseUrl: notify.baseUrl,
      templateIds: { email: EMAIL_TEMPLATE, sms: SMS_TEMPLATE },
    },
    smtp: null,
  });
const smtpAdapters = (): DeliveryAdapters =>
  adaptersFromConfig({
    notify: null,
    smtp: { url: smtp.url, from: 'Test Council <no-reply@test.example.gov.uk>' },
  });
const noAdapters = (): DeliveryAdapters => adaptersFromConfig({ notify: null, smtp: null });

// ── builders (this file's own records) ─────────────────────────────────────────────────────────────────

interface Area {
  authorityId: string;
  teamId: string;
  serviceId: string;
}

async function buildArea(): Promise<Area> {
  const authority = await buildAuthority(db, { name: `Council ${uniq('n')}` });
  await db.updateTable('authorities').set({ phone: '01632 960000' }).where('id', '=', authority.id).execute();
  const team = await buildTeam(db, authority.id);
  const service = await buildService(db, authority.id, team.id, { name: 'Report a pothole' });
  return { authorityId: authority.id, teamId: team.id, serviceId: service.id };
}

async function buildCustomer(
  area: Area,
  options: {
    email?: string | null;
    phone?: string | null;
    address?: boolean;
    preferred?: 'email' | 'sms' | 'letter' | 'phone';
    language?: string;
  } = {},
) {
  const customer = await db
    .insertInto('customers')
    .values({
      authority_id: area.authorityId,
      given_name: 'Sam',
      family_name: 'Tester',
      preferred_channel: options.preferred ?? 'email',
      preferred_language: options.language ?? 'en',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const point = (
    kind: 'email' | 'phone' | 'address',
    value: string,
    normalised: string,
    address: unknown = null,
  ) =>
    db
      .insertInto('contact_points')
      .values({
        authority_id: area.authorityId,
        customer_id: customer.id,
        kind,
        value,
        normalised,
        address: address === null ? null : JSON.stringify(address),
        is_primary: true,
      })
      .execute();
  if (options.email) await point('email', options.email, options.email.toLowerCase());
  if (options.phone) await point('phone', options.phone, options.phone);
  if (options.address)
    await point('address', '1 High Street, Testbury, TE1 1ST', '1 HIGH STREET TESTBURY TE11ST', {
      line1: '1 High Street',
      town: 'Testbury',
      postcode: 'TE1 1ST',
    });
  return customer.id;
}

async function buildCase(area: Area, customerId: string | null) {
  return db
    .insertInto('cases')
    .values({
      authority_id: area.authorityId,
      reference: `T-${randomUUID().slice(0, 8).toUpperCase()}`,
      service_id: area.serviceId,
      customer_id: customerId,
      status: 'received',
      origin_channel: 'web',
      team_id: area.teamId,
      received_at: clock.now(),
    })
    .returning(['id', 'reference'])
    .executeTakeFirstOrThrow();
}

const uniqueEmail = () => `${uniq('resident')}@example.com`;

async function queue(input: Omit<QueueMessageInput, 'dedupeKey'> & { dedupeKey?: string }) {
  const dedupeKey = input.dedupeKey ?? uniq('msg');
  await withTransaction(db, async (trx) => {
    await queueMessage(trx, { ...input, dedupeKey });
    // Park the job under a topic of its own in the same transaction, so no other test file's worker
    // (claiming notifications.send) can take it; workerFor() hands it to this file's worker.
    await trx
      .updateTable('outbox')
      .set({ topic: `test.notifications.parked.${dedupeKey}` })
      .where('dedupe_key', '=', `notifications.send:${dedupeKey}`)
      .execute();
  });
  return db.selectFrom('messages').selectAll().where('dedupe_key', '=', dedupeKey).executeTakeFirstOrThrow();
}

/** Moves these messages' parked jobs to a fresh topic and returns a Worker that handles only that topic. */
async function workerFor(messageIds: string[], adapters: DeliveryAdapters) {
  const topic = `test.notifications.${randomUUID()}`;
  await db
    .updateTable('outbox')
    .set({ topic })
    .where(sql<string>`payload->>'messageId'`, 'in', messageIds)
    .where('topic', 'like', 'test.notifications.parked.%')
    .execute();
  return new Worker({
    db,
    clock,
    topics: [topic],
    handlers: { [topic]: (job) => deliverMessage({ db, clock, adapters }, job) },
  });
}

const message = (id: string) =>
  db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const caseEvents = (caseId: string) =>
  db.selectFrom('case_events').selectAll().where('case_id', '=', caseId).orderBy('created_at').execute();
const jobOf = (messageId: string) =>
  db
    .selectFrom('outbox')
    .selectAll()
    .where(sql<string>`payload->>'messageId'`, '=', messageId)
    .executeTakeFirstOrThrow();

const ack = (reference: string) => ({
  reference,
  serviceName: 'Report a pothole',
  dueDate: '4 December 2026',
});

// ── queueing ───────────────────────────────────────────────────────────────────────────────────────────

void describe('queueMessage', () => {
  void test('channel: the one asked for, else the preferred one, else whatever contact exists (email, text, letter)', async () => {
    const area = await buildArea();
    const email = uniqueEmail();
    const everything = await buildCustomer(area, {
      email,
      phone: '+447700900001',
      address: true,
      preferred: 'sms',
    });
    const base = {
      authorityId: area.authorityId,
      template: 'case.acknowledgement' as const,
      personalisation: ack('T-1'),
    };

    const preferred = await queue({ ...base, customerId: everything });
    assert.equal(preferred.channel, 'sms');
    assert.equal(preferred.recipient, '+447700900001');
    const explicit = await queue({ ...base, customerId: everything, channel: 'letter' });
    assert.equal(explicit.channel, 'letter');
    assert.equal(explicit.recipient, 'Sam Tester\n1 High Street\nTestbury\nTE1 1ST');

    // Prefers texts but only has a landline: a landline cannot take texts, so a letter.
    const landline = await buildCustomer(area, { phone: '+441632960001', address: true, preferred: 'sms' });
    assert.equal((await queue({ ...base, customerId: landline })).channel, 'letter');
    // Prefers phone calls: a written message falls back to the email address.
    const caller = await buildCustomer(area, {
      email: uniqueEmail(),
      phone: '+447700900002',
      preferred: 'phone',
    });
    assert.equal((await queue({ ...base, customerId: caller })).channel, 'email');
    // Asked for email, has none: the next thing that exists.
    const mobileOnly = await buildCustomer(area, { phone: '+447700900003', preferred: 'letter' });
    const fallback = await queue({ ...base, customerId: mobileOnly, channel: 'email' });
    assert.deepEqual([fallback.channel, fallback.recipient], ['sms', '+447700900003']);
    // A guest: the contact they gave, normalised.
    const guest = await queue({ ...base, to: { phone: '07700 900 004' } });
    assert.deepEqual([guest.channel, guest.recipient, guest.customer_id], ['sms', '+447700900004', null]);

    // Nobody to send it to: stored as failed for staff to see, and nothing is enqueued.
    const unreachable = await buildCustomer(area, {});
    const failed = await queue({ ...base, customerId: unreachable });
    assert.equal(failed.status, 'failed');
    assert.match(failed.error ?? '', /No email address, mobile number or postal address/);
    const jobs = await db
      .selectFrom('outbox')
      .select('id')
      .where(sql<string>`payload->>'messageId'`, '=', failed.id)
      .execute();
    assert.equal(jobs.length, 0);
    const queued = await jobOf(preferred.id);
    assert.equal(queued.dedupe_key, `notifications.send:${preferred.dedupe_key}`);

    // Straight from queueMessage (not parked by this file's helper): the notifications.send job.
    const direct = uniq('direct');
    await withTransaction(db, (trx) =>
      queueMessage(trx, { ...base, customerId: everything, dedupeKey: direct }),
    );
    const job = await db
      .selectFrom('outbox')
      .selectAll()
      .where('dedupe_key', '=', `notifications.send:${direct}`)
      .executeTakeFirstOrThrow();
    const directMessage = await db
      .selectFrom('messages')
      .select('id')
      .where('dedupe_key', '=', direct)
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      [job.topic, job.payload, job.authority_id, job.max_attempts],
      ['notifications.send', { messageId: directMessage.id }, area.authorityId, 8],
    );
    assert.deepEqual(queued.payload, { messageId: preferred.id });
  });

  void test('the text is rendered at queue time: reference, what happens next, how to get help; English when there is no translation', async () => {
    const area = await buildArea();
    const customerId = await buildCustomer(area, { email: uniqueEmail(), language: 'pl' });
    const row = await queue({
      authorityId: area.authorityId,
      customerId,
      template: 'case.acknowledgement',
      personalisation: ack('T-REF-123'),
    });
    assert.equal(row.status, 'queued');
    assert.equal(row.language, 'en', 'no Polish templates yet, so English');
    assert.equal(row.subject, 'We have received your request: Report a pothole (T-REF-123)');
    assert.match(row.body, /^Dear Sam Tester,/);
    assert.match(row.body, /Your reference is T-REF-123\./);
    assert.match(row.body, /What happens next\n\nWe will look at your request/);
    assert.match(row.body, /We aim to finish by 4 December 2026\./);
    assert.match(row.body, /If you need help\n\nContact Council .* on 01632 960000\./);
    assert.doesNotMatch(row.body, /\{\w+\}/, 'no unfilled placeholders');
    assert.doesNotMatch(row.body, /check progress/, 'a paragraph without its personalisation is left out');
  });

  void test('personalisation in snake_case (service_name, what_happens_next, due_date, track_url) is understood', async () => {
    const area = await buildArea();
    const row = await queue({
      authorityId: area.authorityId,
      to: { email: uniqueEmail() },
      template: 'case.acknowledgement',
      personalisation: {
        reference: 'T-SNAKE',
        service_name: 'Report fly-tipping',
        what_happens_next: 'An officer will visit within 3 working days.',
        due_date: '',
        track_url: 'https://frontdoor.example.gov.uk/track',
      },
    });
    assert.equal(row.subject, 'We have received your request: Report fly-tipping (T-SNAKE)');
    assert.match(row.body, /What happens next\n\nAn officer will visit within 3 working days\./);
    assert.match(row.body, /check progress at https:\/\/frontdoor\.example\.gov\.uk\/track/);
    assert.doesNotMatch(row.body, /We aim to finish by/, 'an empty due date is left out');
  });

  void test('a dedupe key queues one message and one job; a rolled-back transaction queues nothing', async () => {
    const area = await buildArea();
    const customerId = await buildCustomer(area, { email: uniqueEmail() });
    const input = {
      authorityId: area.authorityId,
      customerId,
      template: 'case.acknowledgement' as const,
      personalisation: ack('T-2'),
      dedupeKey: uniq('dedupe'),
    };
    const first = await queue(input);
    const second = await queue(input);
    assert.equal(first.id, second.id);
    const jobs = await db
      .selectFrom('outbox')
      .select('id')
      .where(sql<string>`payload->>'messageId'`, '=', first.id)
      .execute();
    assert.equal(jobs.length, 1);

    const rolledBack = uniq('rollback');
    await assert.rejects(
      withTransaction(db, async (trx) => {
        await queueMessage(trx, { ...input, dedupeKey: rolledBack });
        throw new Error('the business change failed');
      }),
      /business change failed/,
    );
    const none = await db.selectFrom('messages').select('id').where('dedupe_key', '=', rolledBack).execute();
    assert.equal(none.length, 0);
  });

  void test('programming mistakes fail loudly: unknown template, missing reference, empty dedupe key', async () => {
    const area = await buildArea();
    const base = { authorityId: area.authorityId, to: { email: uniqueEmail() }, dedupeKey: uniq('x') };
    await assert.rejects(
      withTransaction(db, (trx) =>
        queueMessage(trx, { ...base, template: 'case.acknowledgement', personalisation: {} }),
      ),
      /needs personalisation reference/,
    );
    await assert.rejects(
      withTransaction(db, (trx) =>
        queueMessage(trx, {
          ...base,
          template: 'no.such.template' as QueueMessageInput['template'],
          personalisation: {},
        }),
      ),
      /unknown template/,
    );
    await assert.rejects(
      withTransaction(db, (trx) =>
        queueMessage(trx, {
          ...base,
          dedupeKey: ' ',
          template: 'resident.sign_in_code',
          personalisation: { code: '1' },
        }),
      ),
      /dedupeKey/,
    );
  });
});

// ── delivery ───────────────────────────────────────────────────────────────────────────────────────────

void describe('delivery by the notifications.send job', () => {
  void test('the worker registers the notifications.send handler', () => {
    const handlers = jobHandlers({ db, clock, sessionIdleMinutes: 30 });
    assert.equal(typeof handlers['notifications.send'], 'function');
  });

  void test('with neither Notify nor SMTP set, messages are recorded in the local outbox and shown on the case timeline', async () => {
    const area = await buildArea();
    const customerId = await buildCustomer(area, { email: uniqueEmail(), address: true });
    const kase = await buildCase(area, customerId);
    const email = await queue({
      authorityId: area.authorityId,
      customerId,
      caseId: kase.id,
      template: 'case.acknowledgement',
      personalisation: ack(kase.reference),
    });
    const letter = await queue({
      authorityId: area.authorityId,
      customerId,
      caseId: kase.id,
      channel: 'letter',
      template: 'case.status_changed',
      personalisation: { reference: kase.reference, status: 'Repair scheduled' },
    });
    const worker = await workerFor([email.id, letter.id], noAdapters());
    assert.equal(await worker.runOnce(), 2);
    for (const id of [email.id, letter.id]) {
      const row = await message(id);
      assert.equal(row.status, 'recorded');
      assert.equal(row.provider, 'local');
      assert.ok(row.sent_at);
    }
    const events = await caseEvents(kase.id);
    assert.deepEqual(
      events.map((e) => [e.kind, e.data.channel, e.data.status, e.visible_to_customer]),
      [
        ['message_sent', 'email', 'recorded', false],
        ['message_sent', 'letter', 'recorded', true],
      ],
      'an email that was only recorded is not shown to the resident as sent; a letter for the print run is',
    );
    assert.equal((await jobOf(email.id)).status, 'done');
  });

  void test('SMTP: the email arrives with the reference in its body and the case timeline says it was sent', async () => {
    const area = await buildArea();
    const address = uniqueEmail();
    const customerId = await buildCustomer(area, { email: address });
    const kase = await buildCase(area, customerId);
    const row = await queue({
      authorityId: area.authorityId,
      customerId,
      caseId: kase.id,
      template: 'case.acknowledgement',
      personalisation: ack(kase.reference),
    });
    const worker = await workerFor([row.id], smtpAdapters());
    assert.equal(await worker.runOnce(), 1);

    const mails = smtp.to(address);
    assert.equal(mails.length, 1);
    assert.equal(mails[0].subject, row.subject);
    assert.match(mails[0].text, new RegExp(`Your reference is ${kase.reference}`));
    assert.equal(mails[0].from, 'no-reply@test.example.gov.uk');
    assert.equal(mails[0].messageId, `<${row.id}@test.example.gov.uk>`);

    const sent = await message(row.id);
    assert.equal(sent.status, 'delivered');
    assert.equal(sent.provider, 'smtp');
    assert.equal(sent.attempts, 1);
    const events = await caseEvents(kase.id);
    assert.equal(events.length, 1);
    assert.equal(events[0].kind, 'message_sent');
    assert.equal(events[0].visible_to_customer, true);
    assert.deepEqual(
      [events[0].data.channel, events[0].data.status, events[0].data.messageId],
      ['email', 'delivered', row.id],
    );
    assert.equal(events[0].body, `Email sent: ${row.subject}`);
  });

  void test('SMTP carries email only: a text message is recorded, not sent', async () => {
    const area = await buildArea();
    const customerId = await buildCustomer(area, { phone: '+447700900010', preferred: 'sms' });
    const row = await queue({
      authorityId: area.authorityId,
      customerId,
      template: 'case.status_changed',
      personalisation: { reference: 'T-3', status: 'Closed' },
    });
    const worker = await workerFor([row.id], smtpAdapters());
    await worker.runOnce();
    const after = await message(row.id);
    assert.deepEqual([after.channel, after.status, after.provider], ['sms', 'recorded', 'local']);
  });

  void test('Notify: the email request carries the template id, the personalisation and the message id as reference', async () => {
    const area = await buildArea();
    const address = uniqueEmail();
    const customerId = await buildCustomer(area, { email: address });
    const kase = await buildCase(area, customerId);
    const row = await queue({
      authorityId: area.authorityId,
      customerId,
      caseId: kase.id,
      template: 'case.acknowledgement',
      personalisation: ack(kase.reference),
    });
    const worker = await workerFor([row.id], notifyAdapters());
    assert.equal(await worker.runOnce(), 1);

    const sent = notify.sent.filter((n) => n.reference === row.id);
    assert.equal(sent.length, 1);
    assert.equal(sent[0].type, 'email');
    assert.equal(sent[0].templateId, EMAIL_TEMPLATE);
    assert.equal(sent[0].to, address);
    assert.deepEqual(sent[0].personalisation, { subject: row.subject, body: row.body });
    assert.match(sent[0].personalisation.body, new RegExp(kase.reference));
    const request = notify.requests.find((r) => r.body.reference === row.id);
    assert.equal(request?.path, '/v2/notifications/email');
    assert.equal(
      request?.serviceId,
      notify.serviceId,
      'the JWT was signed with the key and names the service',
    );

    const after = await message(row.id);
    assert.deepEqual([after.status, after.provider, after.provider_id], ['delivered', 'notify', sent[0].id]);
    assert.equal((await caseEvents(kase.id))[0].data.status, 'delivered');
  });

  void test('Notify: a text message goes to /v2/notifications/sms with the SMS template', async () => {
    const area = await buildArea();
    const customerId = await buildCustomer(area, { phone: '+447700900020', preferred: 'sms' });
    const row = await queue({
      authorityId: area.authorityId,
      customerId,
      template: 'case.status_changed',
      personalisation: { reference: 'T-SMS-1', status: 'Repair scheduled' },
    });
    const worker = await workerFor([row.id], notifyAdapters());
    await worker.runOnce();
    const sent = notify.sent.filter((n) => n.reference === row.id);
    assert.equal(sent.length, 1);
    assert.deepEqual([sent[0].type, sent[0].templateId, sent[0].to], ['sms', SMS_TEMPLATE, '+447700900020']);
    assert.match(sent[0].personalisation.body, /your request T-SMS-1 is now: Repair scheduled/);
    assert.equal((await message(row.id)).status, 'delivered');
  });

  void test('a failing provider (500) is retried by the worker after the backoff and delivered once', async () => {
    const area = await buildArea();
    const customerId = await buildCustomer(area, { email: uniqueEmail() });
    const kase = await buildCase(area, customerId);
    const row = await queue({
      authorityId: area.authorityId,
      customerId,
      caseId: kase.id,
      template: 'case.acknowledgement',
      personalisation: ack(kase.reference),
    });
    const worker = await workerFor([row.id], notifyAdapters());
    notify.failNext(1, 500);
    assert.equal(await worker.runOnce(), 1);
    const failedOnce = await message(row.id);
    assert.equal(failedOnce.status, 'queued', 'Notify refused it, so nothing was sent: queued again');
    assert.match(failedOnce.error ?? '', /GOV\.UK Notify returned 500/);
    assert.doesNotMatch(failedOnce.error ?? '', /@/, 'no email address in the error');
    const job = await jobOf(row.id);
    assert.equal(job.status, 'pending');
    assert.equal(job.run_after.getTime(), clock.now().getTime() + 30_000);
    assert.equal((await caseEvents(kase.id)).length, 0);

    assert.equal(await worker.runOnce(), 0, 'not retried before the backoff has passed');
    clock.advance(30_000);
    assert.equal(await worker.runOnce(), 1);
    const delivered = await message(row.id);
    assert.deepEqual([delivered.status, delivered.attempts, delivered.error], ['delivered', 2, null]);
    assert.equal(notify.sent.filter((n) => n.reference === row.id).length, 1);
    assert.equal((await jobOf(row.id)).status, 'done');
    assert.equal((await caseEvents(kase.id)).length, 1);
  });

  void test('SMTP: a temporary 451 is retried later and the email arrives once', async () => {
    const area = await buildArea();
    const address = uniqueEmail();
    const customerId = await buildCustomer(area, { email: address });
    const row = await queue({
      authorityId: area.authorityId,
      customerId,
      template: 'case.message',
      personalisation: { reference: 'T-451', message: 'Please send us a photo of the damage.' },
    });
    const worker = await workerFor([row.id], smtpAdapters());
    smtp.failNext(1);
    await worker.runOnce();
    assert.equal((await message(row.id)).status, 'queued');
    assert.match((await message(row.id)).error ?? '', /mail server returned 451/);
    clock.advance(30_000);
    await worker.runOnce();
    assert.equal((await message(row.id)).status, 'delivered');
    assert.equal(smtp.to(address).length, 1);
    assert.match(smtp.to(address)[0].text, /Please send us a photo of the damage\./);
  });

  void test('running the job twice for the same message delivers it once', async () => {
    const area = await buildArea();
    const address = uniqueEmail();
    const customerId = await buildCustomer(area, { email: address });
    const kase = await buildCase(area, customerId);
    const row = await queue({
      authorityId: area.authorityId,
      customerId,
      caseId: kase.id,
      template: 'case.acknowledgement',
      personalisation: ack(kase.reference),
    });
    const adapters = smtpAdapters();
    const job = {
      id: 1,
      topic: 'notifications.send',
      payload: { messageId: row.id },
      attempts: 1,
      authorityId: null,
    };
    await deliverMessage({ db, clock, adapters }, job);
    await deliverMessage({ db, clock, adapters }, { ...job, attempts: 2 });
    assert.equal(smtp.to(address).length, 1);
    assert.equal((await message(row.id)).attempts, 1);
    assert.equal((await caseEvents(kase.id)).length, 1);
  });

  void test('after an attempt with an unknown outcome, Notify is asked by reference and the message is not sent again', async () => {
    const area = await buildArea();
    const customerId = await buildCustomer(area, { email: uniqueEmail() });
    const row = await queue({
      authorityId: area.authorityId,
      customerId,
      template: 'case.acknowledgement',
      personalisation: ack('T-CRASH'),
    });
    const adapters = notifyAdapters();
    const job = {
      id: 1,
      topic: 'notifications.send',
      payload: { messageId: row.id },
      attempts: 1,
      authorityId: null,
    };
    await deliverMessage({ db, clock, adapters }, job);
    const firstId = (await message(row.id)).provider_id;
    // The worker died after Notify accepted the message and before the result was recorded.
    await db
      .updateTable('messages')
      .set({ status: 'sending', provider_id: null, sent_at: null })
      .where('id', '=', row.id)
      .execute();
    await deliverMessage({ db, clock, adapters }, { ...job, attempts: 2 });
    assert.equal(notify.sent.filter((n) => n.reference === row.id).length, 1, 'not sent a second time');
    assert.ok(notify.requests.some((r) => r.method === 'GET' && r.path.includes(`reference=${row.id}`)));
    const after = await message(row.id);
    assert.deepEqual([after.status, after.provider_id], ['delivered', firstId]);
  });

  void test('Notify 400 fails the message at once: the job goes dead and staff see it on the timeline', async () => {
    const area = await buildArea();
    const customerId = await buildCustomer(area, { email: uniqueEmail() });
    const kase = await buildCase(area, customerId);
    const row = await queue({
      authorityId: area.authorityId,
      customerId,
      caseId: kase.id,
      template: 'case.acknowledgement',
      personalisation: ack(kase.reference),
    });
    const worker = await workerFor([row.id], notifyAdapters());
    notify.failNext(1, 400);
    await worker.runOnce();
    const failed = await message(row.id);
    assert.equal(failed.status, 'failed');
    assert.match(failed.error ?? '', /returned 400/);
    assert.equal((await jobOf(row.id)).status, 'dead');
    const events = await caseEvents(kase.id);
    assert.deepEqual(
      events.map((e) => [e.kind, e.visible_to_customer]),
      [['message_failed', false]],
    );
  });

  void test('letters are recorded for the print run even when Notify is set', async () => {
    const area = await buildArea();
    const customerId = await buildCustomer(area, { address: true, preferred: 'letter' });
    const row = await queue({
      authorityId: area.authorityId,
      customerId,
      template: 'case.acknowledgement',
      personalisation: ack('T-LETTER'),
    });
    const worker = await workerFor([row.id], notifyAdapters());
    await worker.runOnce();
    const after = await message(row.id);
    assert.deepEqual([after.channel, after.status, after.provider], ['letter', 'recorded', 'local']);
    assert.equal(notify.sent.filter((n) => n.reference === row.id).length, 0);
  });
});

// ── the staff outbox ───────────────────────────────────────────────────────────────────────────────────

void describe('staff outbox /staff/messages', () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp({ database, clock });
  });
  after(() => t.close());

  async function signedInStaff(authorityId: string, teamIds: string[] = []) {
    const staff = await buildStaff(db, authorityId, { roles: ['agent'], teamIds });
    const browser = new Browser(t.app);
    const res = await browser.submit('/staff/sign-in', '/staff/sign-in', {
      email: staff.email,
      password: TEST_PASSWORD,
    });
    assert.equal(res.statusCode, 302);
    return { staff, browser };
  }

  void test('lists messages with their status but no recipients or bodies; opening one shows it and is audited', async () => {
    const area = await buildArea();
    const address = uniqueEmail();
    const customerId = await buildCustomer(area, { email: address });
    const kase = await buildCase(area, customerId);
    const row = await queue({
      authorityId: area.authorityId,
      customerId,
      caseId: kase.id,
      template: 'case.message',
      personalisation: { reference: kase.reference, message: 'Your skip permit is ready to collect.' },
    });
    const { staff, browser } = await signedInStaff(area.authorityId);

    const list = await browser.get('/staff/messages');
    assert.equal(list.statusCode, 200);
    assert.match(list.body, /<h1 class="govuk-heading-l">Messages<\/h1>/);
    assert.match(list.body, new RegExp(kase.reference));
    assert.match(list.body, /Message about a request/);
    assert.match(list.body, /Queued/);
    assert.match(list.body, new RegExp(`href="/staff/messages/${row.id}"`));
    assert.doesNotMatch(list.body, /skip permit/, 'no bodies in the list');
    assert.ok(!list.body.includes(address), 'no recipients in the list');
    assert.match(
      list.body,
      /class="govuk-service-navigation__link" href="\/staff\/messages"/,
      'in the staff navigation',
    );

    const one = await browser.get(`/staff/messages/${row.id}`);
    assert.equal(one.statusCode, 200);
    assert.match(one.body, /Your skip permit is ready to collect\./);
    assert.ok(one.body.includes(address));
    const audits = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('record_type', '=', 'message')
      .where('record_id', '=', row.id)
      .execute();
    assert.equal(audits.length, 1);
    assert.deepEqual([audits[0].action, audits[0].actor_id], ['message.view', staff.id]);

    const filtered = await browser.get('/staff/messages?status=delivered');
    assert.ok(!filtered.body.includes(row.id), 'filtered out: it is queued, not sent');
  });

  void test("another council's messages, and messages about restricted cases of other teams, are not shown", async () => {
    const mine = await buildArea();
    const theirs = await buildArea();
    const theirCustomer = await buildCustomer(theirs, { email: uniqueEmail() });
    const theirMessage = await queue({
      authorityId: theirs.authorityId,
      customerId: theirCustomer,
      template: 'case.acknowledgement',
      personalisation: ack('T-OTHER'),
    });
    const restrictedService = await buildService(db, mine.authorityId, mine.teamId, {
      sensitivity: 'restricted',
    });
    const restrictedArea = { ...mine, serviceId: restrictedService.id };
    const customerId = await buildCustomer(mine, { email: uniqueEmail() });
    const restrictedCase = await buildCase(restrictedArea, customerId);
    const restricted = await queue({
      authorityId: mine.authorityId,
      customerId,
      caseId: restrictedCase.id,
      template: 'case.acknowledgement',
      personalisation: ack(restrictedCase.reference),
    });

    const outsider = await signedInStaff(mine.authorityId);
    const list = await outsider.browser.get('/staff/messages');
    assert.ok(!list.body.includes(theirMessage.id));
    assert.ok(!list.body.includes(restricted.id));
    assert.equal((await outsider.browser.get(`/staff/messages/${theirMessage.id}`)).statusCode, 404);
    assert.equal((await outsider.browser.get(`/staff/messages/${restricted.id}`)).statusCode, 404);

    const teamMember = await signedInStaff(mine.authorityId, [mine.teamId]);
    assert.equal((await teamMember.browser.get(`/staff/messages/${restricted.id}`)).statusCode, 200);
  });

  void test('one-time codes are hidden from staff unless the message was only recorded locally', async () => {
    const area = await buildArea();
    const code = await queue({
      authorityId: area.authorityId,
      to: { email: uniqueEmail() },
      template: 'resident.sign_in_code',
      personalisation: { code: '482913', expiresInMinutes: '15' },
    });
    const { browser } = await signedInStaff(area.authorityId);
    const queued = await browser.get(`/staff/messages/${code.id}`);
    assert.ok(!queued.body.includes('482913'), 'a live code is not shown');
    assert.match(queued.body, /••••••/);

    const worker = await workerFor([code.id], noAdapters());
    await worker.runOnce();
    const recorded = await browser.get(`/staff/messages/${code.id}`);
    assert.ok(
      recorded.body.includes('482913'),
      'recorded only (no email service): the outbox is how it is read',
    );
  });

  void test('signed-out visitors are sent to staff sign-in', async () => {
    const res = await new Browser(t.app).get('/staff/messages');
    assert.equal(res.statusCode, 302);
    assert.match(String(res.headers.location), /^\/staff\/sign-in/);
  });
});

// ── configuration ──────────────────────────────────────────────────────────────────────────────────────

void describe('notification settings', () => {
  const dataDir = () => mkdtempSync(join(tmpdir(), 'fd-notify-config-'));
  const key = `council_live-${randomUUID()}-${randomUUID()}`;

  void test('nothing set: no adapters, messages are recorded', () => {
    const config = loadConfig({ DATA_DIR: dataDir() });
    assert.deepEqual([config.notify, config.smtp, config.oneLogin], [null, null, null]);
  });

  void test('Notify: key, optional base URL and template ids', () => {
    const config = loadConfig({
      DATA_DIR: dataDir(),
      NOTIFY_API_KEY: key,
      NOTIFY_BASE_URL: 'http://127.0.0.1:9999',
      NOTIFY_TEMPLATE_IDS: JSON.stringify({ email: EMAIL_TEMPLATE, sms: SMS_TEMPLATE }),
    });
    assert.deepEqual(config.notify, {
      apiKey: key,
      baseUrl: 'http://127.0.0.1:9999',
      templateIds: { email: EMAIL_TEMPLATE, sms: SMS_TEMPLATE },
      connectTimeoutMs: 5_000,
      responseTimeoutMs: 10_000,
    });
  });

  void test('bad or incomplete settings are listed without echoing secrets', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig({ DATA_DIR: dataDir(), ...env });
        return [];
      } catch (error) {
        assert.ok(error instanceof ConfigError);
        return error.problems;
      }
    };
    assert.deepEqual(problems({ NOTIFY_API_KEY: key }), [
      'NOTIFY_TEMPLATE_IDS is required when NOTIFY_API_KEY is set',
    ]);
    const badKey = problems({ NOTIFY_API_KEY: 'not-a-key-secret-value' });
    assert.equal(badKey.length, 1);
    assert.match(badKey[0], /^NOTIFY_API_KEY must be a GOV.UK Notify API key/);
    assert.doesNotMatch(badKey[0], /secret-value/);
    assert.match(
      problems({ NOTIFY_API_KEY: key, NOTIFY_TEMPLATE_IDS: '{"email":"nope"}' })[0],
      /^NOTIFY_TEMPLATE_IDS must be a JSON object/,
    );
    assert.deepEqual(problems({ SMTP_URL: 'smtp://user:pass@mail.example.gov.uk:587' }), [
      'MAIL_FROM is required when SMTP_URL is set',
    ]);
    const badSmtp = problems({ SMTP_URL: 'http://user:hunter2@x', MAIL_FROM: 'a@b.c' });
    assert.match(badSmtp[0], /^SMTP_URL must be an SMTP URL/);
    assert.doesNotMatch(badSmtp[0], /hunter2/);
    assert.deepEqual(problems({ ONE_LOGIN_CLIENT_ID: 'x' }), [
      'ONE_LOGIN_ISSUER_URL, ONE_LOGIN_CLIENT_ID, ONE_LOGIN_CLIENT_SECRET and ONE_LOGIN_REDIRECT_URI must be set together',
    ]);
  });

  void test('SMTP settings', () => {
    const config = loadConfig({
      DATA_DIR: dataDir(),
      SMTP_URL: 'smtps://user:pass@mail.example.gov.uk:465',
      MAIL_FROM: 'Wessex County Council <no-reply@wessex.example.gov.uk>',
    });
    assert.deepEqual(config.smtp, {
      url: 'smtps://user:pass@mail.example.gov.uk:465',
      from: 'Wessex County Council <no-reply@wessex.example.gov.uk>',
      connectTimeoutMs: 5_000,
      responseTimeoutMs: 10_000,
    });
  });

  void test('provider timeouts and worker concurrency: short defaults, configurable, checked', () => {
    const defaults = loadConfig({ DATA_DIR: dataDir() });
    assert.equal(defaults.workerConcurrency, 4);
    const tuned = loadConfig({
      DATA_DIR: dataDir(),
      SMTP_URL: 'smtp://mail.example.gov.uk:25',
      MAIL_FROM: 'no-reply@wessex.example.gov.uk',
      DELIVERY_CONNECT_TIMEOUT_MS: '1500',
      DELIVERY_RESPONSE_TIMEOUT_MS: '3000',
      WORKER_CONCURRENCY: '8',
    });
    assert.equal(tuned.smtp?.connectTimeoutMs, 1_500);
    assert.equal(tuned.smtp?.responseTimeoutMs, 3_000);
    assert.equal(tuned.workerConcurrency, 8);
    assert.throws(
      () => loadConfig({ DATA_DIR: dataDir(), DELIVERY_CONNECT_TIMEOUT_MS: '0', WORKER_CONCURRENCY: 'lots' }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.problems.length === 2 &&
        error.problems.some((p) => p.startsWith('DELIVERY_CONNECT_TIMEOUT_MS must be a whole number')) &&
        error.problems.some((p) => p.startsWith('WORKER_CONCURRENCY must be a whole number')),
    );
  });
});
