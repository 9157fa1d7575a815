/**
 * Issue 13 acceptance: the loop test. An auto-replying peer and Frontdoor exchange mail for 5 minutes of
 * simulated time; at most one automatic message goes out.
 *
 * Real protocols both ways: Frontdoor sends through its SMTP adapter (nodemailer) to the peer's mail server
 * (test/support/smtp.ts); the peer's autoresponder answers every message it receives through Frontdoor's
 * inbound SMTP endpoint (smtp-server, started by `startEmailReceiving`), whose 250 means the reply is
 * committed. Two autoresponders: a polite one (RFC 3834 `Auto-Submitted: auto-replied`, In-Reply-To) and a
 * rude one that sets no header at all, answers with a new subject and no In-Reply-To (each such answer
 * looks like a new request from a person). Every 10 simulated seconds Frontdoor's queued mail is sent.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { TestClock } from '../src/platform/clock.ts';
import type { Database, Db } from '../src/platform/db/index.ts';
import { ensureMailbox, startEmailReceiving, type RunningReceivers } from '../src/modules/email/index.ts';
import { jobHandlers } from '../src/worker.ts';
import { openTestDatabase } from './support/db.ts';
import { startSmtpServer, type ReceivedMail, type TestSmtpServer } from './support/smtp.ts';
import { buildAuthority, uniq } from './builders/index.ts';
import { buildTeamRunning } from './builders/services.ts';

const DOMAIN = 'mail.frontdoor.example.gov.uk';
const SECRET = 'loop-test-email-reply-secret-0123456789abcdef';

let database: Database;
let db: Db;
let peer: TestSmtpServer;
let receivers: RunningReceivers;
const clock = new TestClock('2026-12-07T09:00:00Z');

before(async () => {
  database = await openTestDatabase();
  db = database.db;
  peer = await startSmtpServer();
  receivers = await startEmailReceiving({
    db,
    clock,
    config: {
      email: { messageIdDomain: DOMAIN, replySecret: SECRET },
      mailFrom: `Wessex County Council <frontdoor@${DOMAIN}>`,
      inboundEmail: {
        smtp: { host: '127.0.0.1', port: 0, maxBytes: 1024 * 1024, allowedRelays: [] },
        trustedAuthservIds: [],
        imapPollSeconds: 60,
        imapPasswords: {},
      },
    },
  });
});
after(async () => {
  await receivers.stop();
  await peer.stop();
  await database.close();
});

const handlers = () =>
  jobHandlers({
    db,
    clock,
    sessionIdleMinutes: 30,
    config: {
      notify: null,
      smtp: {
        url: peer.url,
        from: `Wessex County Council <frontdoor@${DOMAIN}>`,
        connectTimeoutMs: 2_000,
        responseTimeoutMs: 5_000,
      },
      email: { messageIdDomain: DOMAIN, replyAddress: `reply@${DOMAIN}`, replySecret: SECRET },
    } as Parameters<typeof jobHandlers>[0]['config'],
  });

/** Sends everything queued for the mailbox's authority, as the worker would. */
async function sendQueued(authorityId: string): Promise<void> {
  const send = handlers()['notifications.send'];
  const queued = await db
    .selectFrom('messages')
    .select('id')
    .where('authority_id', '=', authorityId)
    .where('status', '=', 'queued')
    .execute();
  for (const m of queued)
    await send({
      id: 0,
      topic: 'notifications.send',
      payload: { messageId: m.id },
      attempts: 1,
      authorityId,
    });
}

type Autoresponder = (received: ReceivedMail, n: number) => SendMailOptions;

const polite: Autoresponder = (received) => ({
  subject: `Automatic reply: ${received.subject}`,
  text: 'I am away until Monday with no access to email.',
  inReplyTo: received.messageId ?? undefined,
  references: received.messageId ?? undefined,
  headers: { 'Auto-Submitted': 'auto-replied' },
});

const rude: Autoresponder = (_received, n) => ({
  subject: `Thanks for your message (${n})`,
  text: 'Thank you for contacting me. I will read your message when I am back.',
});

async function exchange(respond: Autoresponder) {
  const authority = await buildAuthority(db);
  const { teamId, services } = await buildTeamRunning(db, authority.id, 'Highways', [
    'report-a-road-problem',
  ]);
  const mailbox = `highways-${uniq('loop')}@council.example.gov.uk`;
  // Where replies to our mail come back (EMAIL_REPLY_ADDRESS): signed reply+…@ addresses reach it.
  await ensureMailbox(db, { authorityId: authority.id, teamId, address: `reply@${DOMAIN}`, name: 'Replies' });
  await ensureMailbox(db, {
    authorityId: authority.id,
    teamId,
    address: mailbox,
    name: 'Highways',
    defaultServiceId: services[0].id,
  });
  const resident = `away.${uniq('r')}@example.com`;
  const client = nodemailer.createTransport({ host: '127.0.0.1', port: receivers.smtpPort!, secure: false });
  // The resident writes once, as a person.
  await client.sendMail({
    from: resident,
    to: mailbox,
    subject: 'Pothole on Mill Lane',
    text: 'There is a deep pothole outside number 4.',
    messageId: `<first-${randomUUID()}@example.com>`,
  });
  // Five minutes of simulated time: every 10 s Frontdoor sends what it queued and the autoresponder
  // answers everything new it received.
  let answered = 0;
  for (let tick = 0; tick < 30; tick += 1) {
    clock.advance(10_000);
    await sendQueued(authority.id);
    const inbox = peer.to(resident);
    for (const received of inbox.slice(answered)) {
      answered += 1;
      const replyTo = received.headers.get('reply-to') as { value: { address: string }[] } | undefined;
      await client.sendMail({
        from: resident,
        to: replyTo?.value[0]?.address ?? mailbox,
        messageId: `<auto-${randomUUID()}@example.com>`,
        ...respond(received, answered),
      });
    }
  }
  client.close();
  const sent = await db
    .selectFrom('messages')
    .select(['template', 'status'])
    .where('authority_id', '=', authority.id)
    .where('recipient', '=', resident)
    .execute();
  const emails = await db
    .selectFrom('emails')
    .select(['state', 'reason'])
    .where('from_address', '=', resident)
    .orderBy('received_at')
    .execute();
  return { sent, inbox: peer.to(resident), answered, emails };
}

describe('issue 13 loops: an auto-replying peer and Frontdoor exchange mail for 5 minutes', () => {
  test('issue 13 loops: a polite autoresponder (Auto-Submitted: auto-replied) gets one acknowledgement, and its replies are recorded, never answered', async () => {
    const { sent, inbox, answered, emails } = await exchange(polite);
    assert.deepEqual(sent, [{ template: 'case.acknowledgement', status: 'delivered' }]);
    assert.equal(inbox.length, 1, 'the peer received one automatic message in 5 minutes');
    assert.equal(inbox[0].headers.get('auto-submitted'), 'auto-generated');
    assert.equal(answered, 1);
    assert.deepEqual(
      emails.map((e) => [e.state, e.reason]),
      [
        ['new_case', null],
        ['recorded', 'out-of-office'],
      ],
    );
  });

  test('issue 13 loops: a rude autoresponder (no headers, a new subject each time) still gets at most one automatic message', async () => {
    const { sent, inbox, answered } = await exchange(rude);
    const automatic = sent.filter((m) => m.template !== 'case.message');
    assert.ok(automatic.length <= 1, `automatic messages sent: ${automatic.length}`);
    assert.equal(inbox.length, 1, 'the peer received one automatic message in 5 minutes');
    assert.equal(answered, 1);
  });
});
