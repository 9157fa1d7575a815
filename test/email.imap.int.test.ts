/**
 * Issue 13 item 1, receiving by IMAP: the `ImapPoller` (imapflow) against a real dovecot (Debian's
 * dovecot-imapd, test/support/dovecot.ts). Mail goes in with `doveadm save` and `doveadm import`; the cursor
 * and `deliver` are in memory here (the database store and the ingest pipeline are wired elsewhere). Each
 * test has its own dovecot user, so tests share nothing but the server.
 */
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net, { type AddressInfo } from 'node:net';
import { ImapPoller, type ImapCursor, type ImapMail } from '../src/modules/email/index.ts';
import { dovecotMissing, startDovecot, type Dovecot } from './support/dovecot.ts';

const USERS = ['order', 'restart', 'failing', 'validity', 'idle', 'kicked', 'moved', 'backlog'] as const;
type User = (typeof USERS)[number];

const skip = dovecotMissing();
let dovecot: Dovecot;
before(async () => {
  if (skip) return;
  dovecot = await startDovecot([...USERS]);
});
after(async () => {
  await dovecot?.stop();
});

const running: ImapPoller[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((poller) => poller.stop()));
});

/** A message whose Date header is years before it was received. */
const message = (id: string, subject = id) =>
  [
    'From: Resident <resident@example.com>',
    'To: highways@council.example.gov.uk',
    `Subject: ${subject}`,
    'Date: Mon, 1 Jan 2001 09:00:00 +0000',
    `Message-ID: <${id}@example.com>`,
    '',
    `Body of ${id}`,
    '',
  ].join('\r\n');

const messageIdOf = (mail: ImapMail) => /^Message-ID: <([^>]+)>/im.exec(mail.raw.toString('latin1'))?.[1];

interface Harness {
  poller: ImapPoller;
  delivered: ImapMail[];
  cursor: { value: ImapCursor | null };
  logs: { level: string; msg: string }[];
}

function harness(
  user: User,
  options: {
    port?: number;
    cursor?: { value: ImapCursor | null };
    deliver?: (mail: ImapMail, call: number) => Promise<void>;
    after?: 'keep' | { moveTo: string };
    pollIntervalMs?: number;
    batchSize?: number;
    maxBatchBytes?: number;
  } = {},
): Harness {
  const cursor = options.cursor ?? { value: null };
  const delivered: ImapMail[] = [];
  const logs: { level: string; msg: string }[] = [];
  const log = (level: string) => (_obj: Record<string, unknown>, msg?: string) =>
    logs.push({ level, msg: msg ?? '' });
  let calls = 0;
  const poller = new ImapPoller({
    host: dovecot.host,
    port: options.port ?? dovecot.port,
    secure: false,
    user,
    password: dovecot.password,
    after: options.after ?? 'keep',
    pollIntervalMs: options.pollIntervalMs ?? 60_000,
    backoff: { initialMs: 50, maxMs: 400 },
    ...(options.batchSize ? { batchSize: options.batchSize } : {}),
    ...(options.maxBatchBytes ? { maxBatchBytes: options.maxBatchBytes } : {}),
    logger: { info: log('info'), warn: log('warn'), error: log('error') },
    cursor: {
      load: async () => cursor.value && { ...cursor.value },
      save: async (value) => {
        cursor.value = { ...value };
      },
    },
    deliver: async (mail) => {
      calls += 1;
      await options.deliver?.(mail, calls);
      delivered.push(mail);
    },
  });
  running.push(poller);
  return { poller, delivered, cursor, logs };
}

/** Waits for something the server or the loop does (not for a clock); fails after 10 s with `what`. */
async function until(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('issue 13 receiving by IMAP (dovecot)', { skip, timeout: 30_000 }, () => {
  test('issue 13 receiving: new messages are delivered once, in UID order, with receivedAt the server INTERNALDATE, not the Date header', async () => {
    const before = new Date(Math.floor(Date.now() / 1000) * 1000);
    for (const id of ['order-1', 'order-2', 'order-3']) await dovecot.inject('order', message(id));
    const afterInject = new Date();
    const { poller, delivered, cursor } = harness('order');

    assert.deepEqual(await poller.pollOnce(), { delivered: 3 });

    const { uidValidity } = await dovecot.mailboxStatus('order');
    assert.deepEqual(
      delivered.map((m) => [m.uid, messageIdOf(m), m.uidValidity]),
      [
        [1, 'order-1@example.com', uidValidity],
        [2, 'order-2@example.com', uidValidity],
        [3, 'order-3@example.com', uidValidity],
      ],
    );
    for (const mail of delivered) {
      assert.ok(
        mail.receivedAt >= before && mail.receivedAt <= afterInject,
        `${mail.receivedAt.toISOString()}`,
      );
      assert.notEqual(mail.receivedAt.getUTCFullYear(), 2001);
      assert.match(mail.raw.toString(), /Body of order-\d/);
    }
    assert.deepEqual(cursor.value, { uidValidity, lastUid: 3 });
    const status = poller.status();
    assert.equal(status.connected, true);
    assert.equal(status.consecutiveFailures, 0);
    assert.equal(status.lastError, null);
    assert.ok(status.lastPollAt);
  });

  test('issue 13 receiving: polling again delivers nothing new, and the cursor survives a new poller (restart)', async () => {
    await dovecot.inject('restart', message('restart-1'));
    await dovecot.inject('restart', message('restart-2'));
    const first = harness('restart');
    assert.deepEqual(await first.poller.pollOnce(), { delivered: 2 });
    assert.deepEqual(await first.poller.pollOnce(), { delivered: 0 });
    await first.poller.stop();

    await dovecot.inject('restart', message('restart-3'));
    const second = harness('restart', { cursor: first.cursor });
    assert.deepEqual(await second.poller.pollOnce(), { delivered: 1 });
    assert.deepEqual(
      second.delivered.map((m) => [m.uid, messageIdOf(m)]),
      [[3, 'restart-3@example.com']],
    );
    assert.deepEqual(await second.poller.pollOnce(), { delivered: 0 });
    assert.equal(first.delivered.length + second.delivered.length, 3);
  });

  test('issue 13 receiving: deliver failing on the 3rd message keeps the cursor after the 2nd; the next poll delivers from the 3rd', async () => {
    for (let i = 1; i <= 4; i += 1) await dovecot.inject('failing', message(`failing-${i}`));
    const { poller, delivered, cursor } = harness('failing', {
      deliver: async (_mail, call) => {
        if (call === 3) throw new Error('database unavailable');
      },
    });
    const { uidValidity } = await dovecot.mailboxStatus('failing');

    await assert.rejects(poller.pollOnce(), /database unavailable/);
    assert.deepEqual(
      delivered.map((m) => m.uid),
      [1, 2],
    );
    assert.deepEqual(cursor.value, { uidValidity, lastUid: 2 });
    assert.equal(poller.status().consecutiveFailures, 1);
    assert.equal(poller.status().lastError, 'database unavailable');
    assert.equal(poller.status().connected, true, 'a delivery failure does not drop the connection');

    assert.deepEqual(await poller.pollOnce(), { delivered: 2 });
    assert.deepEqual(
      delivered.map((m) => [m.uid, messageIdOf(m)]),
      [
        [1, 'failing-1@example.com'],
        [2, 'failing-2@example.com'],
        [3, 'failing-3@example.com'],
        [4, 'failing-4@example.com'],
      ],
    );
    assert.deepEqual(cursor.value, { uidValidity, lastUid: 4 });
    assert.equal(poller.status().consecutiveFailures, 0);
  });

  test('issue 13 receiving: a UIDVALIDITY change delivers everything in the folder again under the new validity', async () => {
    await dovecot.inject('validity', message('validity-1'));
    await dovecot.inject('validity', message('validity-2'));
    const { poller, delivered, cursor, logs } = harness('validity');
    assert.deepEqual(await poller.pollOnce(), { delivered: 2 });
    const old = cursor.value?.uidValidity;
    assert.equal(logs.length, 0);

    // While the poller's session is still open on the folder (dovecot does not tell it).
    const renewed = await dovecot.resetUidValidity('validity');
    assert.notEqual(renewed, old);
    assert.deepEqual(await poller.pollOnce(), { delivered: 2 });

    assert.deepEqual(
      delivered.map((m) => [m.uidValidity, m.uid, messageIdOf(m)]),
      [
        [old, 1, 'validity-1@example.com'],
        [old, 2, 'validity-2@example.com'],
        [renewed, 1, 'validity-1@example.com'],
        [renewed, 2, 'validity-2@example.com'],
      ],
    );
    assert.deepEqual(cursor.value, { uidValidity: renewed, lastUid: 2 });
    assert.ok(logs.some((l) => l.level === 'warn' && /UIDVALIDITY changed/.test(l.msg)));
    assert.deepEqual(await poller.pollOnce(), { delivered: 0 });
  });

  test('issue 13 receiving: in the loop, new mail is delivered when the server announces it (IDLE), not at the next poll', async () => {
    const { poller, delivered } = harness('idle', { pollIntervalMs: 10 * 60_000 });
    poller.start();
    await until('the first pass', () => poller.status().lastPollAt !== null);
    await dovecot.inject('idle', message('idle-1'));
    await until('the message announced by the server', () => delivered.length === 1);
    assert.equal(messageIdOf(delivered[0]), 'idle-1@example.com');
  });

  test('issue 13 receiving: doveadm kick drops the connection; the loop reconnects with backoff and delivers mail sent afterwards', async () => {
    const { poller, delivered, logs } = harness('kicked', { pollIntervalMs: 100 });
    await dovecot.inject('kicked', message('kicked-1'));
    poller.start();
    await until('the first message', () => delivered.length === 1);

    assert.equal(await dovecot.kick('kicked'), true, 'dovecot dropped a connection');
    await until('the poller to notice', () => logs.some((l) => l.level === 'warn'));
    await dovecot.inject('kicked', message('kicked-2'));
    await until('the message sent after the kick', () => delivered.length === 2);

    assert.deepEqual(
      delivered.map((m) => [m.uid, messageIdOf(m)]),
      [
        [1, 'kicked-1@example.com'],
        [2, 'kicked-2@example.com'],
      ],
    );
    await until('a pass after the reconnection', () => poller.status().consecutiveFailures === 0);
    assert.equal(poller.status().connected, true);
    await poller.stop();
    assert.equal(poller.status().connected, false);
  });

  test("issue 13 receiving: after { moveTo: 'Processed' } INBOX is empty and the messages are in Processed", async () => {
    for (let i = 1; i <= 3; i += 1) await dovecot.inject('moved', message(`moved-${i}`));
    const { poller, delivered } = harness('moved', {
      after: { moveTo: 'Processed' },
      deliver: async (_mail, call) => {
        if (call === 2) throw new Error('database unavailable');
      },
    });
    const counts = async () => [
      (await dovecot.mailboxStatus('moved', 'INBOX')).messages,
      (await dovecot.mailboxStatus('moved', 'Processed')).messages,
    ];

    // A pass that stops early still moves what it delivered.
    await assert.rejects(poller.pollOnce(), /database unavailable/);
    assert.deepEqual(await counts(), [2, 1]);
    assert.deepEqual(await poller.pollOnce(), { delivered: 2 });
    assert.deepEqual(await counts(), [0, 3]);
    assert.deepEqual(await poller.pollOnce(), { delivered: 0 });
    assert.deepEqual(
      delivered.map((m) => messageIdOf(m)),
      ['moved-1@example.com', 'moved-2@example.com', 'moved-3@example.com'],
    );
  });

  test('issue 13 receiving: a backlog of 2,000 messages is delivered in batches, all of them, each once, in UID order', async () => {
    const count = 2_000;
    await dovecot.injectMany(
      'backlog',
      Array.from({ length: count }, (_, i) => message(`backlog-${i}`)),
    );
    // Batches of 200 UIDs, each fetched in groups of at most 16 KiB of source.
    const { poller, delivered, cursor } = harness('backlog', { batchSize: 200, maxBatchBytes: 16 * 1024 });

    assert.deepEqual(await poller.pollOnce(), { delivered: count });

    assert.equal(delivered.length, count);
    assert.equal(new Set(delivered.map((m) => m.uid)).size, count);
    assert.equal(new Set(delivered.map(messageIdOf)).size, count);
    assert.ok(delivered.every((m, i) => i === 0 || m.uid > delivered[i - 1].uid));
    assert.equal(cursor.value?.lastUid, delivered[count - 1].uid);
    assert.deepEqual(await poller.pollOnce(), { delivered: 0 });
  });

  test('issue 13 receiving: an unreachable server fails the pass without delivering, and status() says so', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const { poller, delivered, cursor } = harness('order', { port });

    await assert.rejects(poller.pollOnce());
    await assert.rejects(poller.pollOnce());
    const status = poller.status();
    assert.equal(status.connected, false);
    assert.equal(status.consecutiveFailures, 2);
    assert.ok(status.lastError);
    assert.equal(status.lastPollAt, null);
    assert.equal(delivered.length, 0);
    assert.equal(cursor.value, null);
  });
});
