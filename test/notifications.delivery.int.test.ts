/**
 * Delivery under a misbehaving mail server (issue 10, item 5): every provider call has a short connect and
 * response timeout, the worker delivers several messages at once, and one-time codes jump the queue.
 *
 * Real peers on 127.0.0.1: a TCP server that accepts connections and never sends the SMTP greeting, and
 * an SMTP server (smtp-server) that never answers RCPT TO for some recipients — it hangs for them but
 * delivers to everyone else. The real nodemailer transport, the real notifications.send handler and the
 * real Worker; the timeouts are short settings, so the test runs in seconds. Time for the outbox (backoff,
 * locks) comes from a TestClock that is never moved, so a failed attempt is not retried during the test.
 *
 * Parallel-safe: its own authority, and every outbox row is moved to a topic of its own in the
 * transaction that queues it, so no other test file's worker takes it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { TestClock } from '../src/platform/clock.ts';
import { withTransaction, type Database, type Db } from '../src/platform/db/index.ts';
import { Worker } from '../src/platform/jobs/index.ts';
import {
  adaptersFromConfig,
  deliverMessage,
  DeliveryError,
  notifyAdapter,
  queueMessage,
  type DeliveryAdapters,
  type QueueMessageInput,
} from '../src/modules/notifications/index.ts';
import { buildAuthority, uniq } from './builders/index.ts';
import { openTestDatabase } from './support/db.ts';
import { Browser, buildTestApp } from './support/app.ts';
import { guardOutbound } from './support/notify-peer.ts';
import {
  startSilentSmtpPeer,
  startSmtpServer,
  type SilentSmtpPeer,
  type TestSmtpServer,
} from './support/smtp.ts';

const guard = guardOutbound();
let database: Database;
let db: Db;
let smtp: TestSmtpServer;
let silent: SilentSmtpPeer;
let authorityId: string;
// Ahead of the database's clock, so rows enqueued with the default run_after (now()) are due.
const clock = new TestClock(new Date(Date.now() + 60_000));
const FROM = 'Test Council <no-reply@test.example.gov.uk>';
const HANGING_DOMAIN = 'hangs.example.com';

before(async () => {
  database = await openTestDatabase();
  db = database.db;
  smtp = await startSmtpServer({ stallRecipient: (address) => address.endsWith(`@${HANGING_DOMAIN}`) });
  silent = await startSilentSmtpPeer();
  authorityId = (await buildAuthority(db)).id;
});
after(async () => {
  await silent.stop();
  await smtp.stop();
  await database.close();
  guard.restore();
  assert.deepEqual(guard.blocked, [], 'no connections outside 127.0.0.1');
});

function smtpAdapters(url: string, timeouts: { connectTimeoutMs: number; responseTimeoutMs: number }) {
  return adaptersFromConfig({ notify: null, smtp: { url, from: FROM, ...timeouts } });
}

/** Queues a message and, in the same transaction, moves its outbox row to `topic`. */
async function queueOn(topic: string, input: Omit<QueueMessageInput, 'dedupeKey' | 'authorityId'>) {
  const dedupeKey = uniq('msg');
  await withTransaction(db, async (trx) => {
    await queueMessage(trx, { authorityId, ...input, dedupeKey });
    await trx
      .updateTable('outbox')
      .set({ topic })
      .where('dedupe_key', '=', `notifications.send:${dedupeKey}`)
      .execute();
  });
  return db.selectFrom('messages').selectAll().where('dedupe_key', '=', dedupeKey).executeTakeFirstOrThrow();
}

const acknowledgement = (email: string) => ({
  channel: 'email' as const,
  to: { email },
  template: 'case.acknowledgement' as const,
  personalisation: { reference: uniq('REF'), serviceName: 'Report a pothole' },
});

function workerOn(topic: string, adapters: DeliveryAdapters, concurrency = 1) {
  return new Worker({
    db,
    clock,
    topics: [topic],
    concurrency,
    pollIntervalMs: 50,
    handlers: { [topic]: (job) => deliverMessage({ db, clock, adapters }, job) },
  });
}

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

void test('a mail server that accepts the connection but never greets: the attempt gives up after the connect timeout and is retried later', async () => {
  const topic = `test.delivery.${randomUUID()}`;
  const queued = await queueOn(topic, acknowledgement(`${uniq('resident')}@example.com`));
  const worker = workerOn(
    topic,
    smtpAdapters(silent.url, { connectTimeoutMs: 500, responseTimeoutMs: 1_000 }),
  );
  const connectionsBefore = silent.connections;

  const started = performance.now();
  assert.equal(await worker.runOnce(), 1);
  const tookMs = performance.now() - started;

  // The peer counts the connection on its own side of the socket: on a busy machine that can come a moment
  // after the client has given up.
  for (let waited = 0; silent.connections === connectionsBefore && waited < 2_000; waited += 20)
    await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(silent.connections, connectionsBefore + 1, 'the peer accepted the connection');
  // Well short of nodemailer's own greeting timeout (30 s), which applied before the settings did.
  assert.ok(tookMs < 10_000, `the attempt took ${Math.round(tookMs)} ms (connect timeout 500 ms)`);
  const message = await db
    .selectFrom('messages')
    .selectAll()
    .where('id', '=', queued.id)
    .executeTakeFirstOrThrow();
  assert.notEqual(message.status, 'delivered');
  assert.match(message.error ?? '', /Could not send message .* by SMTP \(ETIMEDOUT\)/);
  assert.doesNotMatch(message.error ?? '', /@/, 'no address in the error');
  const job = await db.selectFrom('outbox').selectAll().where('topic', '=', topic).executeTakeFirstOrThrow();
  assert.equal(job.status, 'pending', 'retried later');
  assert.equal(job.run_after.getTime(), clock.now().getTime() + 30_000);
});

void test('GOV.UK Notify that accepts the request and never answers: the call gives up after the configured timeout', async () => {
  const sockets = new Set<Socket>();
  const server = createServer(() => undefined); // reads the request, never responds
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  try {
    const { port } = server.address() as AddressInfo;
    const adapter = notifyAdapter({
      apiKey: `test_key-${randomUUID()}-${randomUUID()}`,
      baseUrl: `http://127.0.0.1:${port}`,
      templateIds: { email: randomUUID() },
      connectTimeoutMs: 200,
      responseTimeoutMs: 300,
    });
    const started = performance.now();
    await assert.rejects(
      adapter.send({
        id: randomUUID(),
        channel: 'email',
        template: 'case.acknowledgement',
        recipient: 'someone@example.com',
        subject: 'Subject',
        body: 'Body',
      }),
      (error: unknown) =>
        error instanceof DeliveryError &&
        /Could not reach GOV\.UK Notify \(ECONNABORTED\)/.test(error.message) &&
        !error.outcomeKnown,
    );
    const tookMs = performance.now() - started;
    assert.ok(tookMs < 4_000, `the call took ${Math.round(tookMs)} ms (timeouts 200 + 300 ms)`);
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

void test('a sign-in code is delivered within seconds while the mail server hangs on 20 acknowledgements queued before it', async () => {
  const topic = `test.delivery.${randomUUID()}`;
  const timeouts = { connectTimeoutMs: 1_000, responseTimeoutMs: 3_000 };
  const acknowledgements = [];
  for (let n = 1; n <= 20; n += 1)
    acknowledgements.push(await queueOn(topic, acknowledgement(`${uniq(`ack-${n}`)}@${HANGING_DOMAIN}`)));
  const worker = workerOn(topic, smtpAdapters(smtp.url, timeouts), 4);
  const stallsBefore = { ...smtp.stalls };
  let codeId = '';
  let stopped: Promise<void> = Promise.resolve();
  worker.start();
  try {
    await within(
      smtp.until(() => smtp.stalls.total > stallsBefore.total),
      10_000,
      'the first acknowledgement to hang',
    );

    const resident = `${uniq('resident')}@example.com`;
    const startedAt = performance.now();
    const code = await queueOn(topic, {
      channel: 'email',
      to: { email: resident },
      template: 'resident.sign_in_code',
      personalisation: { code: '493028', expiresInMinutes: '15' },
    });
    codeId = code.id;
    worker.wake();
    await within(
      smtp.until(() => smtp.to(resident).length === 1),
      60_000,
      'the sign-in code to arrive',
    );
    const tookMs = performance.now() - startedAt;
    const atArrival = { ...smtp.stalls };

    assert.match(smtp.to(resident)[0].text, /493028/);
    assert.ok(tookMs < 60_000, `the code took ${Math.round(tookMs)} ms`);
    assert.ok(
      atArrival.active >= 1,
      'the server was still hanging on acknowledgements when the code arrived',
    );
    assert.equal(
      atArrival.closedByClient,
      stallsBefore.closedByClient,
      `the code arrived (after ${Math.round(tookMs)} ms) before any hanging attempt had even timed out`,
    );
    const untouched = await db
      .selectFrom('outbox')
      .select('id')
      .where('topic', '=', topic)
      .where('attempts', '=', 0)
      .execute();
    assert.ok(
      untouched.length >= 16,
      `${untouched.length} acknowledgements had not been tried yet: it jumped the queue`,
    );

    // The hanging attempts are given up after the response timeout and the next acknowledgements are
    // tried: the worker keeps going, never with more than three slots hanging (one is kept for codes).
    await within(
      smtp.until(() => smtp.stalls.total - stallsBefore.total >= 6),
      30_000,
      'the next acknowledgements to be tried after the first ones timed out',
    );
    assert.ok(smtp.stalls.closedByClient - stallsBefore.closedByClient >= 3, 'the client gave up on them');
    assert.ok(smtp.stalls.mostActive <= 3, `at most 3 hanging at once (saw ${smtp.stalls.mostActive})`);
  } finally {
    // Wait for the in-flight attempts to time out; a failure to stop is reported below, never instead of
    // a failure above.
    stopped = within(worker.stop(), 30_000, 'stop() to let the in-flight attempts time out');
    await stopped.catch(() => undefined);
  }
  await stopped;

  const codeMessage = await db
    .selectFrom('messages')
    .select('status')
    .where('id', '=', codeId)
    .executeTakeFirstOrThrow();
  assert.equal(codeMessage.status, 'delivered', 'and recorded as delivered');
  const ids = acknowledgements.map((m) => m.id);
  const messages = await db
    .selectFrom('messages')
    .select(['status', 'error'])
    .where('id', 'in', ids)
    .execute();
  assert.equal(messages.filter((m) => m.status === 'delivered').length, 0);
  const tried = messages.filter((m) => m.error !== null);
  assert.ok(tried.length >= 6);
  for (const m of tried) assert.match(m.error ?? '', /by SMTP \(ETIMEDOUT\)/);
  const retrying = await db
    .selectFrom('outbox')
    .select(['status', 'run_after'])
    .where('topic', '=', topic)
    .where('attempts', '=', 1)
    .where(sql<string>`payload->>'messageId'`, 'in', ids)
    .execute();
  assert.ok(retrying.length >= 6);
  assert.ok(
    retrying.every((r) => r.status === 'pending' && r.run_after.getTime() === clock.now().getTime() + 30_000),
    'timed-out acknowledgements wait for their retry',
  );
});

void test('one-time codes are queued urgent; other messages are normal', async () => {
  const topic = `test.delivery.${randomUUID()}`;
  const ack = await queueOn(topic, acknowledgement(`${uniq('resident')}@example.com`));
  const code = await queueOn(topic, {
    channel: 'email',
    to: { email: `${uniq('resident')}@example.com` },
    template: 'resident.track_code',
    personalisation: { code: '111222', reference: 'REF-1' },
  });
  const priorities = await db
    .selectFrom('outbox')
    .select(['priority', 'payload'])
    .where('topic', '=', topic)
    .execute();
  const of = (id: string) => priorities.find((p) => p.payload.messageId === id)?.priority;
  assert.equal(of(ack.id), 0);
  assert.equal(of(code.id), 10);
});

void test('a code asked for on the resident sign-in page is queued urgent', async () => {
  const t = await buildTestApp({ database });
  try {
    const email = `${uniq('resident')}@example.com`;
    const browser = new Browser(t.app);
    const asked = await browser.submit('/account/sign-in', '/account/sign-in', { email });
    assert.equal(asked.headers.location, '/account/sign-in/code');
    const message = await db
      .selectFrom('messages')
      .select(['id', 'template'])
      .where('recipient', '=', email)
      .executeTakeFirstOrThrow();
    const job = await db
      .selectFrom('outbox')
      .select('priority')
      .where(sql<string>`payload->>'messageId'`, '=', message.id)
      .executeTakeFirstOrThrow();
    const row = { priority: job.priority, template: message.template };
    assert.deepEqual(row, { priority: 10, template: 'resident.sign_in_code' });
  } finally {
    await t.close();
  }
});
