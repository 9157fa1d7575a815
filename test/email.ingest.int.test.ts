/**
 * Issue 13: what happens to each received email, on the real database. Each fixture of the corpus
 * (test/fixtures/email) is received by a mailbox of its own, with the fixture's resident, reference, signed
 * reply address and our own Message-IDs rewritten to this test's fresh ones (tests share one database),
 * and each test asserts exactly what happens: the email's state and reason, the case it threads onto or
 * creates, the timeline event, the interaction, the outbox, the contact point.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { TestClock } from '../src/platform/clock.ts';
import type { Database, Db } from '../src/platform/db/index.ts';
import { ensureMailbox, ingestEmail, signReplyAddress, type IngestDeps } from '../src/modules/email/index.ts';
import { openTestDatabase } from './support/db.ts';
import { buildAuthority, buildStaff, uniq } from './builders/index.ts';
import { buildCase, buildCustomer, randomReference } from './builders/customers.ts';
import { buildTeamRunning } from './builders/services.ts';

const SECRET = 'test-email-reply-secret-0123456789abcdef';
const DOMAIN = 'mail.frontdoor.example.gov.uk';
const ACK = '0f2a5a1e-3c1b-4d7e-9a53-1d2e3f4a5b6c';
const UPDATE = '1c9e8d7f-2b3a-4c5d-8e9f-0a1b2c3d4e5f';
const FIXTURE_SIGNED = 'reply+kx7p-3rmd-9690tzngrd';

let database: Database;
let db: Db;
const clock = new TestClock('2026-12-07T17:00:00Z');
let deps: IngestDeps;

before(async () => {
  database = await openTestDatabase();
  db = database.db;
  deps = { db, clock, settings: { replySecret: SECRET, ownDomains: [DOMAIN] } };
});
after(async () => {
  await database.close();
});

/** One council, a highways team running road reports and FOI, a resident with a verified address, a case. */
async function world(
  o: {
    closedAt?: Date | null;
    status?: string;
    defaultService?: 'road' | 'foi' | null;
    reopenDays?: number;
  } = {},
) {
  const authority = await buildAuthority(db);
  const { teamId, services } = await buildTeamRunning(db, authority.id, 'Highways', [
    'report-a-road-problem',
    'freedom-of-information-request',
  ]);
  const road = services[0];
  const foi = services[1];
  const officer = await buildStaff(db, authority.id, {
    teamIds: [teamId],
    roles: ['caseworker'],
  });
  const jo = `jo.${uniq('r')}@example.com`;
  const customer = await buildCustomer(db, authority.id, {
    givenName: 'Jo',
    familyName: 'Bloggs',
    email: jo,
  });
  await db
    .updateTable('contact_points')
    .set({ verified_at: new Date('2026-01-01') })
    .where('customer_id', '=', customer.id)
    .execute();
  const reference = randomReference();
  const kase = await buildCase(db, {
    authorityId: authority.id,
    serviceId: road.id,
    teamId,
    customerId: customer.id,
    reference,
    status: o.status ?? 'received',
    closedAt: o.closedAt ?? null,
  });
  await db.updateTable('cases').set({ assignee_id: officer.id }).where('id', '=', kase.id).execute();
  // Our acknowledgement and update, as the fixtures' In-Reply-To / References name them.
  const ack = randomUUID();
  const update = randomUUID();
  for (const [id, subject] of [
    [ack, 'We have your report'],
    [update, 'Your report has been updated'],
  ] as const)
    await db
      .insertInto('messages')
      .values({
        id,
        authority_id: authority.id,
        customer_id: customer.id,
        case_id: kase.id,
        channel: 'email',
        recipient: jo,
        template: 'case.status_changed',
        subject,
        body: 'x',
        status: 'delivered',
        provider: 'smtp',
        provider_id: `<${id}@${DOMAIN}>`,
        dedupe_key: `test:${id}`,
      })
      .execute();
  const mailboxAddress = `highways-${uniq('mb')}@council.example.gov.uk`;
  const defaultService = o.defaultService === undefined ? null : o.defaultService;
  const mailboxId = await ensureMailbox(db, {
    authorityId: authority.id,
    teamId,
    address: mailboxAddress,
    name: 'Highways',
    defaultServiceId: defaultService === 'road' ? road.id : defaultService === 'foi' ? foi.id : null,
    reopenDays: o.reopenDays ?? 20,
  });
  const signed = signReplyAddress(reference, { secret: SECRET, address: `reply@${DOMAIN}` }).split('@')[0];
  /** The fixture, with this world's resident, reference, signed address and message ids. */
  const suffix = uniq('w');
  const fixture = (name: string, extra: Record<string, string> = {}) => {
    let text = readFileSync(new URL(`./fixtures/email/${name}`, import.meta.url)).toString('latin1');
    const swaps: Record<string, string> = {
      [FIXTURE_SIGNED]: signed,
      'KX7P-3RMD': reference,
      'KX7P 3RMD': `${reference.slice(0, 4)} ${reference.slice(5)}`,
      'jo.bloggs@example.com': jo,
      'Jo.Bloggs@example.com': jo,
      [ACK]: ack,
      [UPDATE]: update,
      'highways@council.example.gov.uk': mailboxAddress,
      ...extra,
    };
    for (const [from, to] of Object.entries(swaps)) text = text.split(from).join(to);
    // Each world's copy has Message-IDs of its own (a fixture received in two worlds is not one message
    // arriving in two mailboxes), the same within the world (two fixtures reusing one id still do).
    text = text.replace(
      /^(Message-ID:\s*<)([^@>]+)@([^>]+)>/im,
      (_m, head: string, local: string, domain: string) => `${head}${local}.${suffix}@${domain}>`,
    );
    return Buffer.from(text, 'latin1');
  };
  const receive = (raw: Buffer, receivedAt = new Date('2026-12-07T16:30:00Z'), id = mailboxId) =>
    ingestEmail(deps, { raw, receivedAt, mailboxId: id });
  return {
    authority,
    teamId,
    road,
    foi,
    officer,
    jo,
    customer,
    kase,
    reference,
    ack,
    update,
    mailboxId,
    fixture,
    receive,
  };
}

const eventsOf = (caseId: string) =>
  db
    .selectFrom('case_events')
    .select(['kind', 'body', 'visible_to_customer'])
    .where('case_id', '=', caseId)
    .orderBy('created_at')
    .execute();

const emailRow = (id: string) =>
  db.selectFrom('emails').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

const outboxFor = (caseId: string) =>
  db
    .selectFrom('messages')
    .select(['template', 'recipient'])
    .where('case_id', '=', caseId)
    .where('dedupe_key', 'not like', 'test:%')
    .execute();

describe('issue 13: each email in the corpus does exactly what it should', () => {
  test('issue 13 threading: a reply to our acknowledgement threads onto its case by the signed reply address, trimmed, on the timeline and the customer record', async () => {
    const w = await world();
    const result = await w.receive(w.fixture('reply-to-frontdoor.eml'));
    assert.deepEqual(
      { state: result.state, reason: result.reason, caseId: result.caseId, duplicate: result.duplicate },
      { state: 'threaded', reason: null, caseId: w.kase.id, duplicate: false },
    );
    const row = await emailRow(result.emailId);
    assert.equal(row.threaded_by, 'reply-address');
    assert.equal(row.trimmed_text, 'The hole is still there and it is getting bigger.');
    assert.match(row.body_text, /We have your report\. Your reference is/);
    assert.equal(
      row.received_at.toISOString(),
      '2026-12-07T16:30:00.000Z',
      'the receipt time, not the Date header',
    );
    const message = (await eventsOf(w.kase.id)).find((e) => e.kind === 'message');
    assert.equal(message?.body, 'The hole is still there and it is getting bigger.');
    assert.equal(message?.visible_to_customer, true);
    const interactions = await db
      .selectFrom('interactions')
      .select(['channel', 'direction', 'customer_id'])
      .where('case_id', '=', w.kase.id)
      .execute();
    assert.deepEqual(interactions, [{ channel: 'email', direction: 'inbound', customer_id: w.customer.id }]);
    const source = await db
      .selectFrom('email_sources')
      .select('raw')
      .where('email_id', '=', result.emailId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      Buffer.from(source.raw),
      w.fixture('reply-to-frontdoor.eml'),
      'the original MIME, byte for byte',
    );
  });

  test('issue 13 receiving: the same message fetched twice is stored once; in a second mailbox it is a copy, not a second message', async () => {
    const w = await world();
    const first = await w.receive(w.fixture('reply-to-frontdoor.eml'));
    const again = await w.receive(w.fixture('reply-to-frontdoor.eml'));
    assert.equal(again.duplicate, true);
    assert.equal(again.emailId, first.emailId);
    const other = await ensureMailbox(db, {
      authorityId: w.authority.id,
      teamId: w.teamId,
      address: `streets-${uniq('mb')}@council.example.gov.uk`,
      name: 'Streets',
    });
    const copy = await w.receive(w.fixture('reply-to-frontdoor.eml'), undefined, other);
    assert.deepEqual(
      [copy.duplicate, copy.state, copy.reason, copy.caseId],
      [false, 'recorded', 'copy-in-another-mailbox', w.kase.id],
    );
    const messages = (await eventsOf(w.kase.id)).filter((e) => e.kind === 'message');
    assert.equal(messages.length, 1);
  });

  test("issue 13 threading: a reply carrying another CRM's In-Reply-To threads by the reference in its body", async () => {
    const w = await world();
    const result = await w.receive(w.fixture('reply-foreign-crm.eml'));
    assert.deepEqual([result.state, result.caseId], ['threaded', w.kase.id]);
    assert.equal((await emailRow(result.emailId)).threaded_by, 'body-reference');
  });

  test("issue 13 threading: a CC'd third party's reply goes to triage with the case suggested, never onto the case", async () => {
    const w = await world();
    const result = await w.receive(w.fixture('cc-third-party.eml'));
    assert.deepEqual([result.state, result.reason, result.caseId], ['triage', 'not-a-party', null]);
    assert.equal((await emailRow(result.emailId)).suggested_case_id, w.kase.id);
    assert.equal((await eventsOf(w.kase.id)).filter((e) => e.kind === 'message').length, 0);
  });

  test('issue 13 threading: a reply with a new subject is a new case (linked to the old one), not a silent merge', async () => {
    const w = await world({ defaultService: 'road' });
    const result = await w.receive(w.fixture('reply-new-subject.eml'));
    assert.deepEqual([result.state, result.reason], ['new_case', 'new-subject']);
    assert.ok(result.createdCaseId && result.createdCaseId !== w.kase.id);
    const link = await db
      .selectFrom('case_links')
      .selectAll()
      .where((eb) => eb.or([eb('case_id', '=', w.kase.id), eb('linked_case_id', '=', w.kase.id)]))
      .execute();
    assert.equal(link.length, 1);
    const created = await db
      .selectFrom('cases')
      .selectAll()
      .where('id', '=', result.createdCaseId)
      .executeTakeFirstOrThrow();
    assert.equal(created.customer_id, w.customer.id, 'a verified sender is the known customer');
    assert.equal(created.origin_channel, 'email');
    assert.equal((await eventsOf(w.kase.id)).filter((e) => e.kind === 'message').length, 0);
  });

  test('issue 13 threading: with no default service, a new subject waits in triage with the case suggested', async () => {
    const w = await world();
    const result = await w.receive(w.fixture('reply-new-subject.eml'));
    assert.deepEqual([result.state, result.reason], ['triage', 'new-subject']);
    assert.equal((await emailRow(result.emailId)).suggested_case_id, w.kase.id);
  });

  test('issue 13 loops: an Outlook out-of-office on a closed case is recorded on the thread and never reopens it; nothing is sent', async () => {
    const w = await world({ status: 'completed', closedAt: new Date('2026-12-06T10:00:00Z') });
    const result = await w.receive(w.fixture('outlook-out-of-office.eml'));
    assert.deepEqual([result.state, result.reason, result.caseId], ['recorded', 'out-of-office', w.kase.id]);
    const kase = await db
      .selectFrom('cases')
      .select(['status', 'closed_at'])
      .where('id', '=', w.kase.id)
      .executeTakeFirstOrThrow();
    assert.equal(kase.status, 'completed');
    assert.ok(kase.closed_at);
    assert.deepEqual(
      (await eventsOf(w.kase.id)).map((e) => [e.kind, e.visible_to_customer]),
      [['email_auto_reply', false]],
    );
    assert.deepEqual(await outboxFor(w.kase.id), []);
  });

  test('issue 13 loops: a Gmail vacation reply is recorded as out of office', async () => {
    const w = await world();
    const result = await w.receive(w.fixture('gmail-vacation.eml'));
    assert.deepEqual([result.state, result.reason], ['recorded', 'out-of-office']);
  });

  test('issue 13 loops: a mailer-daemon failure notice and our own mail come back are recorded, never answered', async () => {
    const w = await world({ defaultService: 'road' });
    const daemon = await w.receive(w.fixture('mailer-daemon-loop.eml'));
    assert.deepEqual(
      [daemon.state, daemon.reason, daemon.createdCaseId, daemon.acknowledged],
      ['recorded', 'null-return-path', null, false],
    );
    const own = await w.receive(w.fixture('own-domain-loop.eml'));
    assert.equal(own.state, 'recorded');
    assert.equal(own.createdCaseId, null);
    assert.equal(
      (await db.selectFrom('cases').select('id').where('team_id', '=', w.teamId).execute()).length,
      1,
      'no case was made from either',
    );
  });

  test('issue 13 bounces: a DSN 5.1.1 marks the address undeliverable, notes the case and tells its owner', async () => {
    const w = await world();
    const result = await w.receive(w.fixture('dsn-5.1.1.eml'));
    assert.deepEqual(
      [result.state, result.reason, result.caseId],
      ['recorded', 'bounce-permanent', w.kase.id],
    );
    const point = await db
      .selectFrom('contact_points')
      .select('undeliverable_at')
      .where('customer_id', '=', w.customer.id)
      .executeTakeFirstOrThrow();
    assert.ok(point.undeliverable_at);
    assert.deepEqual(
      (await eventsOf(w.kase.id)).map((e) => e.kind),
      ['email_undeliverable'],
    );
    assert.deepEqual(await outboxFor(w.kase.id), [
      { template: 'case.email_undeliverable', recipient: w.officer.email },
    ]);
  });

  test('issue 13 bounces: a DSN 5.2.2 (mailbox full) does not mark the address undeliverable', async () => {
    const w = await world();
    const result = await w.receive(w.fixture('dsn-5.2.2.eml'));
    assert.deepEqual([result.state, result.reason], ['recorded', 'bounce-mailbox-full']);
    const point = await db
      .selectFrom('contact_points')
      .select('undeliverable_at')
      .where('customer_id', '=', w.customer.id)
      .executeTakeFirstOrThrow();
    assert.equal(point.undeliverable_at, null);
    assert.deepEqual(await outboxFor(w.kase.id), []);
  });

  test('issue 13 receiving: winmail.dat from an unknown sender to a mailbox without a default service waits in triage, attachment listed', async () => {
    const w = await world();
    const result = await w.receive(w.fixture('winmail-dat.eml'));
    assert.deepEqual([result.state, result.reason], ['triage', 'unknown-sender']);
    const row = await emailRow(result.emailId);
    assert.deepEqual(
      row.attachments.map((a) => [a.filename, a.contentType]),
      [['winmail.dat', 'application/ms-tnef']],
    );
  });

  test('issue 13 receiving: two different messages reusing one Message-ID are both kept', async () => {
    const w = await world();
    const a = await w.receive(w.fixture('reused-message-id-a.eml'));
    const b = await w.receive(w.fixture('reused-message-id-b.eml'));
    assert.equal(a.duplicate, false);
    assert.equal(b.duplicate, false);
    assert.notEqual(a.emailId, b.emailId);
  });

  test('issue 13 new mail: an email to foi@ becomes an FOI request due on the 20th working day after its receipt time; one acknowledgement a day', async () => {
    const w = await world({ defaultService: 'foi' });
    const sender = `requester.${uniq('f')}@example.org`;
    const raw = (n: number) =>
      Buffer.from(
        [
          `From: A Requester <${sender}>`,
          `To: foi@council.example.gov.uk`,
          `Subject: Pothole repair spending ${n}`,
          `Date: Mon, 1 Jan 2024 09:00:00 +0000`,
          `Message-ID: <foi-${n}-${randomUUID()}@example.org>`,
          '',
          'Please tell me how much the council spent on pothole repairs in 2025.',
          '',
        ].join('\r\n'),
      );
    // Received on Friday 18 December 2026 at 16:00: day 1 is Monday 21 December. Not working days (FOIA
    // s.10(6): a bank holiday in any part of the UK): Christmas Day, Boxing Day (substitute Monday 28),
    // New Year's Day and Scotland's 2 January (substitute Monday 4). Day 20 is Thursday 21 January 2027.
    const first = await w.receive(raw(1), new Date('2026-12-18T16:00:00Z'));
    assert.equal(first.state, 'new_case');
    assert.equal(first.acknowledged, true);
    const kase = await db
      .selectFrom('cases')
      .selectAll()
      .where('id', '=', first.createdCaseId)
      .executeTakeFirstOrThrow();
    assert.equal(kase.service_id, w.foi.id);
    assert.equal(kase.received_at.toISOString(), '2026-12-18T16:00:00.000Z');
    assert.equal(kase.due_at?.toISOString().slice(0, 10), '2027-01-21');
    assert.equal(kase.guest_email, sender);
    assert.match(String(kase.answers.requestDetails), /how much the council spent/);
    assert.deepEqual(await outboxFor(kase.id), [{ template: 'case.acknowledgement', recipient: sender }]);
    const second = await w.receive(raw(2), new Date('2026-12-18T16:05:00Z'));
    assert.equal(second.state, 'new_case');
    assert.equal(second.acknowledged, false, 'at most one automatic acknowledgement per sender per day');
    assert.deepEqual(await outboxFor(second.createdCaseId!), []);
  });

  test('issue 13 threading: a reply within the reopen window reopens the closed case; after it, a new linked case', async () => {
    const closedAt = new Date('2026-12-01T10:00:00Z');
    const w = await world({ status: 'completed', closedAt, reopenDays: 10 });
    const within = await w.receive(w.fixture('reply-to-frontdoor.eml'), new Date('2026-12-07T16:30:00Z'));
    assert.deepEqual([within.state, within.reason, within.caseId], ['threaded', 'reopened', w.kase.id]);
    const kase = await db
      .selectFrom('cases')
      .select(['status', 'closed_at'])
      .where('id', '=', w.kase.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual([kase.status, kase.closed_at], ['received', null]);

    const late = await world({ status: 'completed', closedAt, reopenDays: 3 });
    const after = await late.receive(
      late.fixture('reply-to-frontdoor.eml'),
      new Date('2026-12-07T16:30:00Z'),
    );
    assert.deepEqual([after.state, after.reason], ['new_case', 'closed-case-linked']);
    const created = await db
      .selectFrom('cases')
      .select(['service_id', 'customer_id'])
      .where('id', '=', after.createdCaseId)
      .executeTakeFirstOrThrow();
    assert.deepEqual([created.service_id, created.customer_id], [late.road.id, late.customer.id]);
    const old = await db
      .selectFrom('cases')
      .select('status')
      .where('id', '=', late.kase.id)
      .executeTakeFirstOrThrow();
    assert.equal(old.status, 'completed');
  });

  test('issue 13 authentication: a sender that fails DMARC is not taken as the customer: the reply waits in triage', async () => {
    const w = await world();
    const result = await ingestEmail(deps, {
      raw: w.fixture('reply-to-frontdoor.eml'),
      receivedAt: new Date('2026-12-07T16:30:00Z'),
      mailboxId: w.mailboxId,
      authentication: {
        spf: 'fail',
        dkim: 'none',
        dmarc: 'fail',
        aligned: { dkim: false, spf: false },
        header: null,
        source: 'verified',
      },
    });
    assert.deepEqual([result.state, result.reason], ['triage', 'sender-not-verified']);
  });
});
