/**
 * Subject access bundles: complete by construction (every table with a `customer_id` column is covered,
 * checked against the live database), assembled from everything held about the person, reviewed by an
 * officer and released as downloads (JSON and HTML, Content-Disposition: attachment) by a private link.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { TestClock } from '../src/platform/clock.ts';
import { withTransaction, type Db } from '../src/platform/db/index.ts';
import { SessionStore } from '../src/platform/http/sessions.ts';
import { audit } from '../src/platform/audit/index.ts';
import {
  SAR_BUNDLE_COVERAGE,
  buildSarBundle,
  createInformationRequest,
  generateSarBundle,
  type SarBundleSections,
} from '../src/modules/information-requests/index.ts';
import { createComplaint } from '../src/modules/complaints/index.ts';
import { addMessage, addNote, createCase, keepUpload, loadCaseService } from '../src/modules/cases/index.ts';
import {
  recordCompliment,
  recordContactFeedback,
  requestFeedbackAfterContacts,
} from '../src/modules/feedback/index.ts';
import { ResidentAccounts } from '../src/modules/residents/index.ts';
import { ensureMailbox, ingestEmail } from '../src/modules/email/index.ts';
import { DEMO_CUSTOMERS, demoCustomerIds, seedDemo } from '../src/seed/demo.ts';
import { installShippedService } from './builders/services.ts';
import { buildAuthority, buildStaff, buildTeam } from './builders/index.ts';
import {
  buildCase,
  buildCustomer,
  buildInteraction,
  buildRelationship,
  buildVulnerability,
  signedIn,
} from './builders/customers.ts';
import { Browser, buildTestApp, type TestApp } from './support/app.ts';

let t: TestApp;
let db: Db;
const clock = new TestClock('2026-11-23T10:00:00Z');

before(async () => {
  t = await buildTestApp({ clock });
  db = t.database.db;
});
after(() => t.close());

void test('every table with a customer_id column is covered by the SAR bundle (add new tables to SAR_BUNDLE_COVERAGE)', async () => {
  const result = await sql<{ table_name: string }>`
    select distinct c.table_name
    from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = current_schema() and c.column_name = 'customer_id' and t.table_type = 'BASE TABLE'
    order by 1`.execute(db);
  const live = result.rows.map((r) => r.table_name);
  const covered = Object.keys(SAR_BUNDLE_COVERAGE).filter((table) => table !== 'customers');
  const missing = live.filter((table) => !covered.includes(table));
  assert.deepEqual(
    missing,
    [],
    `tables holding customer data that the SAR bundle leaves out: ${missing.join(', ')}`,
  );
  const stale = covered.filter((table) => !live.includes(table));
  assert.deepEqual(
    stale,
    [],
    `SAR_BUNDLE_COVERAGE names tables that have no customer_id column: ${stale.join(', ')}`,
  );
});

async function setUp() {
  const authority = await buildAuthority(db);
  const team = await buildTeam(db, authority.id, { name: 'IG' });
  const service = await installShippedService(db, {
    authorityId: authority.id,
    teamId: team.id,
    slug: 'subject-access-request',
  });
  await installShippedService(db, { authorityId: authority.id, teamId: team.id, slug: 'make-a-complaint' });
  const officer = await buildStaff(db, authority.id, {
    roles: ['ig_officer'],
    teamIds: [team.id],
    name: 'Ivy Officer',
  });
  const customer = await buildCustomer(db, authority.id, {
    givenName: 'Sabrina',
    familyName: `Subject${randomUUID().slice(0, 6)}`,
    email: `${randomUUID().slice(0, 8)}@example.com`,
    phone: '07700 900456',
    address: { line1: '1 High Street', postcode: 'KB1 1AA' },
  });
  return { authority, team, service, officer, customer };
}

/** Puts something about the customer in every table the bundle covers. */
async function everythingAbout(s: Awaited<ReturnType<typeof setUp>>) {
  const { authority, team, service, officer, customer } = s;
  const duplicate = await buildCustomer(db, authority.id, { givenName: 'Sabrina', familyName: 'Duplicate' });
  await db
    .updateTable('customers')
    .set({ merged_into: customer.id })
    .where('id', '=', duplicate.id)
    .execute();
  await buildVulnerability(db, {
    authorityId: authority.id,
    customerId: customer.id,
    reason: 'Recently bereaved',
  });
  const carer = await buildCustomer(db, authority.id, { givenName: 'Carl', familyName: 'Carer' });
  await buildRelationship(db, {
    authorityId: authority.id,
    customerId: carer.id,
    relatedCustomerId: customer.id,
    kind: 'carer',
  });
  const kase = await buildCase(db, {
    authorityId: authority.id,
    serviceId: service.id,
    teamId: team.id,
    customerId: customer.id,
  });
  await db
    .insertInto('case_events')
    .values({
      authority_id: authority.id,
      case_id: kase.id,
      kind: 'note',
      body: 'Called back about the request',
      actor_staff_id: officer.id,
    })
    .execute();
  await buildInteraction(db, {
    authorityId: authority.id,
    customerId: duplicate.id,
    summary: 'Phoned about council tax',
  });
  await db
    .insertInto('form_drafts')
    .values({
      id: randomUUID(),
      authority_id: authority.id,
      service_id: service.id,
      form_version: 1,
      answers: JSON.stringify({ information: 'draft' }),
      token: randomUUID(),
      binding_hash: 'x',
      customer_id: customer.id,
      expires_at: new Date('2026-12-23T00:00:00Z'),
    })
    .execute();
  await new SessionStore(db, clock, 30).create('resident', { customerId: customer.id });
  await db
    .insertInto('resident_codes')
    .values({
      email_normalised: 'x@example.com',
      customer_id: customer.id,
      code_hash: 'hash',
      requester_hash: 'r',
      expires_at: new Date('2026-11-23T10:15:00Z'),
      created_at: new Date('2026-11-23T10:00:00Z'),
    })
    .execute();
  await withTransaction(db, (trx) =>
    createComplaint(
      trx,
      {
        authorityId: authority.id,
        customerId: customer.id,
        summary: 'Nobody called me back',
        receivedOn: '2026-11-20',
        channel: 'phone',
        actor: { kind: 'staff', staffId: officer.id },
        idempotencyKey: `test:${randomUUID()}`,
      },
      { now: clock.now() },
    ),
  );
  const request = await withTransaction(db, (trx) =>
    createInformationRequest(
      trx,
      {
        authorityId: authority.id,
        regime: 'sar',
        customerId: customer.id,
        requestText: 'Everything you hold about me',
        receivedOn: '2026-11-16',
        channel: 'email',
        actor: { kind: 'customer', customerId: customer.id },
        idempotencyKey: `test:${randomUUID()}`,
      },
      { now: clock.now() },
    ),
  );
  const feedbackRequest = await db
    .insertInto('feedback_requests')
    .values({
      authority_id: authority.id,
      customer_id: customer.id,
      case_id: kase.id,
      token_hash: randomUUID(),
      expires_at: new Date('2026-12-23T00:00:00Z'),
      created_at: clock.now(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('feedback')
    .values({
      authority_id: authority.id,
      kind: 'contact',
      request_id: feedbackRequest.id,
      customer_id: customer.id,
      case_id: kase.id,
      satisfaction: 2,
      effort: 4,
      comment: 'Slow',
      created_at: clock.now(),
    })
    .execute();
  await db
    .insertInto('compliments')
    .values({
      authority_id: authority.id,
      kind: 'compliment',
      customer_id: customer.id,
      team_id: team.id,
      body: 'Lovely staff',
      received_on: '2026-11-20',
      channel: 'email',
    })
    .execute();
  // A phone call from them and a callback promised to them (issue 14).
  const call = await db
    .insertInto('calls')
    .values({
      authority_id: authority.id,
      platform: 'default',
      call_id: randomUUID(),
      from_number: '+447700900123',
      caller_number: '+447700900123',
      offered_at: new Date('2026-11-20T09:00:00Z'),
      answered_at: new Date('2026-11-20T09:00:20Z'),
      ended_at: new Date('2026-11-20T09:04:00Z'),
      hangup_cause: 'normalClearing',
      customer_id: customer.id,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('callbacks')
    .values({
      authority_id: authority.id,
      customer_id: customer.id,
      phone: '+447700900123',
      topic: 'Their records',
      source: 'phone',
      origin_call_id: call.id,
      due_at: new Date('2026-11-20T14:00:00Z'),
    })
    .execute();
  // A webchat with its messages (issue 16) and a text they sent (issue 17).
  const chat = await db
    .insertInto('chats')
    .values({
      authority_id: authority.id,
      status: 'ended',
      resident_name: 'Margaret',
      customer_id: customer.id,
      resume_token_sha256: randomUUID(),
      ended_at: new Date('2026-11-20T10:10:00Z'),
      ended_by: 'resident',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('chat_messages')
    .values({ chat_id: chat.id, seq: 1, sender: 'resident', body: 'Is my bin day changing?' })
    .execute();
  await db
    .insertInto('inbound_texts')
    .values({
      notify_id: randomUUID(),
      authority_id: authority.id,
      from_number: '+447700900123',
      body: 'Thank you',
      received_at: new Date('2026-11-21T09:00:00Z'),
      outcome: 'triage',
      customer_id: customer.id,
    })
    .execute();
  // An email from them (a verified address: it is put on their record).
  const address = await db
    .selectFrom('contact_points')
    .select('normalised')
    .where('customer_id', '=', customer.id)
    .where('kind', '=', 'email')
    .executeTakeFirstOrThrow();
  await db
    .updateTable('contact_points')
    .set({ verified_at: new Date('2026-11-01T10:00:00Z') })
    .where('customer_id', '=', customer.id)
    .execute();
  const mailboxId = await ensureMailbox(db, {
    authorityId: authority.id,
    teamId: team.id,
    address: `ig-${randomUUID().slice(0, 8)}@council.example.gov.uk`,
    name: 'Information governance',
  });
  await ingestEmail(
    { db, clock: new TestClock('2026-11-20T10:00:00Z'), settings: { replySecret: null, ownDomains: [] } },
    {
      raw: Buffer.from(
        `From: ${address.normalised}\r\nTo: ig@council.example.gov.uk\r\nSubject: My records\r\nMessage-ID: <${randomUUID()}@example.com>\r\n\r\nPlease tell me what you hold about me.\r\n`,
      ),
      receivedAt: new Date('2026-11-20T10:00:00Z'),
      mailboxId,
    },
  );
  await audit(db, {
    actorType: 'staff',
    actorId: officer.id,
    authorityId: authority.id,
    action: 'customer.viewed',
    recordType: 'customer',
    recordId: customer.id,
  });
  return { request, kase, duplicate };
}

void describe('assembling the bundle', () => {
  void test('the bundle holds something from every covered table, including records merged into the person', async () => {
    const s = await setUp();
    const { request, duplicate } = await everythingAbout(s);
    // Event kinds other modules add later (routing, SLA extensions and warnings) come with their case
    // without any change here: the bundle takes every event of the person's cases.
    const theirCase = await db
      .selectFrom('cases')
      .select(['id', 'authority_id'])
      .where('customer_id', '=', s.customer.id)
      .executeTakeFirstOrThrow();
    await db
      .insertInto('case_events')
      .values(
        ['routed', 'sla_extended', 'sla_warning'].map((kind) => ({
          authority_id: theirCase.authority_id,
          case_id: theirCase.id,
          kind,
          body: `A ${kind} event`,
          visible_to_customer: false,
        })),
      )
      .execute();
    await generateSarBundle(db, request.id, { staffId: s.officer.id, now: clock.now() }); // a previous bundle
    const bundle = await buildSarBundle(db, s.customer.id, clock.now());
    assert.deepEqual(new Set(bundle.customerIds), new Set([s.customer.id, duplicate.id]));
    for (const [table, section] of Object.entries(SAR_BUNDLE_COVERAGE)) {
      const rows = bundle.sections[section] as unknown[];
      assert.ok(rows.length > 0, `section ${section} (table ${table}) is empty`);
    }
    const sections: SarBundleSections = bundle.sections;
    assert.ok(
      sections.cases.some((c) => c.events.some((e) => e.body === 'Called back about the request')),
      'case events come with their case',
    );
    for (const kind of ['routed', 'sla_extended', 'sla_warning'])
      assert.ok(
        sections.cases.some((c) => c.events.some((e) => e.kind === kind)),
        `${kind} events (staff-only too) are in the bundle`,
      );
    assert.ok(
      sections.interactions.some((i) => i.summary === 'Phoned about council tax'),
      'the merged duplicate’s contacts are included',
    );
    assert.ok(sections.relationships.some((r) => r.kind === 'carer'));
    assert.ok(sections.complaints[0].stages.length === 1);
    assert.ok(
      sections.accessLog.some((a) => a.action === 'customer.viewed' && a.staff === 'Ivy Officer'),
      'who looked at their record',
    );
    assert.ok(sections.messages.length > 0);
    const json = JSON.stringify(bundle);
    assert.doesNotMatch(json, /code_hash|token_hash|password/, 'no secrets in the bundle');
  });
});

void describe('review and release', () => {
  void test('the officer reviews, releases, and the requester downloads JSON and HTML as attachments by a private link', async () => {
    const s = await setUp();
    const { request } = await everythingAbout(s);
    const officer = await signedIn(t.app, s.officer);
    const page = `/staff/information-requests/${request.id}`;
    const made = await officer.submit(page, `${page}/bundles`, {});
    assert.equal(made.statusCode, 303, made.body.slice(0, 300));
    const reviewUrl = String(made.headers.location).split('?')[0];
    const review = await officer.get(reviewUrl);
    assert.equal(review.statusCode, 200);
    assert.match(review.body, /Your complaints/);
    const staffJson = await officer.get(`${reviewUrl}/bundle.json`);
    assert.match(
      String(staffJson.headers['content-disposition']),
      /^attachment; filename="your-information-.+\.json"$/,
    );

    const bundleId = reviewUrl.split('/').pop()!;
    const visitor = new Browser(t.app);
    const released = await officer.submit(reviewUrl, `${reviewUrl}/release`, {
      reviewNote: 'Removed a neighbour’s name',
    });
    assert.equal(released.statusCode, 303);
    const letter = await db
      .selectFrom('messages')
      .select('body')
      .where('dedupe_key', '=', `sar.bundle_released:${bundleId}`)
      .executeTakeFirstOrThrow();
    const token = /\/sar-bundles\/([A-Za-z0-9_-]+)/.exec(letter.body)?.[1];
    assert.ok(token, 'the letter holds the download link');

    const landing = await visitor.get(`/sar-bundles/${token}`);
    assert.equal(landing.statusCode, 200);
    const json = await visitor.get(`/sar-bundles/${token}/bundle.json`);
    assert.equal(json.statusCode, 200);
    assert.match(String(json.headers['content-disposition']), /^attachment;/);
    assert.match(String(json.headers['content-type']), /^application\/json/);
    const parsed = JSON.parse(json.body) as { format: string; sections: Record<string, unknown[]> };
    assert.equal(parsed.format, 'frontdoor-sar-bundle');
    assert.ok(parsed.sections.complaints.length > 0);
    const html = await visitor.get(`/sar-bundles/${token}/bundle.html`);
    assert.equal(html.statusCode, 200);
    assert.match(String(html.headers['content-disposition']), /^attachment; filename=".+\.html"$/);
    assert.match(html.body, /<h2>Your complaints<\/h2>/);
    assert.match(html.body, /Nobody called me back/);

    const downloads = await db
      .selectFrom('audit_log')
      .select('action')
      .where('record_id', '=', bundleId)
      .where('action', '=', 'sar.bundle_downloaded')
      .execute();
    assert.equal(downloads.length, 2);
    assert.equal((await visitor.get('/sar-bundles/not-a-real-token-at-all-000000')).statusCode, 404);

    clock.advance(31 * 86_400_000);
    try {
      assert.equal(
        (await visitor.get(`/sar-bundles/${token}/bundle.json`)).statusCode,
        404,
        'the link expires after 30 days',
      );
    } finally {
      clock.advance(-31 * 86_400_000);
    }
  });

  void test('a bundle cannot be made for another council’s request, and drafts cannot be downloaded publicly', async () => {
    const s = await setUp();
    const { request } = await everythingAbout(s);
    const other = await setUp();
    const outsider = await signedIn(t.app, other.officer);
    assert.equal((await outsider.get(`/staff/information-requests/${request.id}`)).statusCode, 404);
    const bundleId = await generateSarBundle(db, request.id, { staffId: s.officer.id, now: clock.now() });
    const row = await db
      .selectFrom('sar_bundles')
      .select(['status', 'download_token_hash'])
      .where('id', '=', bundleId)
      .executeTakeFirstOrThrow();
    assert.equal(row.status, 'draft');
    assert.equal(row.download_token_hash, null);
  });

  void test('issue 12 item 15: the readable bundle gives words, not codes: answers, dates, languages, types, statuses and no ids', async () => {
    const s = await setUp();
    const { request } = await everythingAbout(s);
    await db
      .updateTable('customers')
      .set({
        date_of_birth: '1950-03-14',
        preferred_language: 'ur',
        communication_needs: JSON.stringify([{ kind: 'interpreter', language: 'ur' }, 'large_print']),
      })
      .where('id', '=', s.customer.id)
      .execute();
    const road = await installShippedService(db, {
      authorityId: s.authority.id,
      teamId: s.team.id,
      slug: 'report-a-road-problem',
    });
    const kase = await buildCase(db, {
      authorityId: s.authority.id,
      serviceId: road.id,
      teamId: s.team.id,
      customerId: s.customer.id,
      status: 'received',
    });
    await db
      .updateTable('cases')
      .set({ answers: JSON.stringify({ problemType: 'pothole', potholeSize: 'small', danger: 'dont_know' }) })
      .where('id', '=', kase.id)
      .execute();
    await db
      .insertInto('case_events')
      .values({
        authority_id: s.authority.id,
        case_id: kase.id,
        kind: 'transferred',
        body: 'Moved to the right team',
        data: JSON.stringify({ teamId: s.team.id, fromTeamId: s.team.id }),
      })
      .execute();
    const officer = await signedIn(t.app, s.officer);
    const bundleId = await generateSarBundle(db, request.id, { staffId: s.officer.id, now: clock.now() });
    const html = await officer.get(
      `/staff/information-requests/${request.id}/bundles/${bundleId}/bundle.html`,
    );
    assert.equal(html.statusCode, 200);
    const text = html.body
      .replace(/<[^>]+>/g, '\n')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&');
    for (const code of [/Kind\s+person/i, /Team id/i, /Language\s+ur\b/, /dont_know/])
      assert.doesNotMatch(text, code, `no ${code} in the readable bundle`);
    const values = new Set(text.split('\n').map((line) => line.trim()));
    for (const code of [
      'pothole',
      'small',
      'dont_know',
      'ur',
      'person',
      'received',
      'transferred',
      'interpreter',
    ])
      assert.ok(!values.has(code), `no value reads "${code}"`);
    assert.doesNotMatch(text, /\b\d{4}-\d{2}(-\d{2})?\b/, 'no ISO dates');
    assert.doesNotMatch(text, /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/, 'no ids');
    for (const words of [
      '14 March 1950',
      'Urdu',
      'Interpreter (Urdu)',
      'Large print',
      'Smaller than a dinner plate',
      'What is the problem?',
      'Pothole',
    ])
      assert.ok(text.includes(words), `the bundle says "${words}"`);
  });
});

/** Every `id` value anywhere in the bundle (rows, nested stages, events, attachments…), as text. */
function idsIn(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) idsIn(item, found);
  else if (value !== null && typeof value === 'object' && !(value instanceof Date))
    for (const [key, inner] of Object.entries(value)) {
      if ((key === 'id' || key.endsWith('_id')) && (typeof inner === 'string' || typeof inner === 'number'))
        found.add(String(inner));
      idsIn(inner, found);
    }
  return found;
}

void describe('a resident of the demo area', () => {
  void test('the bundle holds every row of every table that refers to them, and who looked at them', async () => {
    // A clock of its own, years away from the other tests' data, so the feedback scan below (which looks at
    // every council) only finds this seed's contacts; a namespace of its own so files can seed in parallel.
    const demoClock = new TestClock('2028-03-08T10:00:00Z');
    const d = await buildTestApp({ clock: demoClock, database: t.database });
    try {
      const namespace = `sar${randomUUID().slice(0, 6)}`;
      await seedDemo(db, { namespace, customers: 10, clock: demoClock });
      const { margaret } = await demoCustomerIds(db, { namespace });
      const person = await db
        .selectFrom('customers')
        .select(['id', 'authority_id'])
        .where('id', '=', margaret)
        .executeTakeFirstOrThrow();
      const authorityId = person.authority_id;
      const team = await db
        .selectFrom('teams')
        .select('id')
        .where('authority_id', '=', authorityId)
        .orderBy('name')
        .executeTakeFirstOrThrow();
      const officer = await buildStaff(db, authorityId, {
        roles: ['agent', 'ig_officer', 'complaints_officer'],
        teamIds: [team.id],
        name: 'Demo Officer',
      });
      const now = () => demoClock.now();

      // A request, a message each way with a file, and a staff note (cases module).
      const serviceRow = await db
        .selectFrom('services')
        .select('id')
        .where('authority_id', '=', authorityId)
        .where('slug', 'like', '%bin%')
        .orderBy('slug')
        .executeTakeFirstOrThrow();
      const service = await loadCaseService(db, { id: serviceRow.id });
      assert.ok(service, 'a demo bins service');
      const kase = await withTransaction(db, (trx) =>
        createCase(trx, {
          service,
          customerId: person.id,
          answers: { details: 'Bin not emptied' },
          formVersion: service.definitionVersion,
          channel: 'web',
          receivedAt: now(),
          idempotencyKey: `test:${randomUUID()}`,
        }),
      );
      const file = await keepUpload(
        db,
        {
          field: 'file',
          filename: 'photo-of-bin.jpg',
          storageKey: randomUUID(),
          path: '/nonexistent',
          sizeBytes: 10,
          sha256: 'x',
          head: Buffer.alloc(0),
          truncated: false,
          kept: false,
        },
        { authorityId, contentType: 'image/jpeg', customerId: person.id },
      );
      await withTransaction(db, async (trx) => {
        await addMessage(trx, kase.id, {
          from: 'resident',
          body: 'Here is a photo',
          at: now(),
          actor: { kind: 'customer', customerId: person.id },
          attachmentIds: [file.id],
        });
        await addMessage(trx, kase.id, {
          from: 'staff',
          body: 'We will come back on Thursday',
          at: now(),
          actor: { kind: 'staff', staffId: officer.id },
        });
        await addNote(trx, kase.id, { body: 'Crew told', staffId: officer.id, at: now() });
      });

      // The officer looks at her record and logs a phone call, resolved (customers module, over HTTP).
      const browser = await signedIn(d.app, officer);
      assert.equal((await browser.get(`/staff/customers/${person.id}`)).statusCode, 200);
      const logged = await browser.submit(
        `/staff/customers/${person.id}`,
        `/staff/customers/${person.id}/contacts`,
        {
          channel: 'phone',
          serviceId: serviceRow.id,
          summary: 'Asked about her garden waste',
          outcome: 'resolved',
        },
      );
      assert.equal(logged.statusCode, 303, logged.body.slice(0, 300));

      // A complaint, an FOI request and a subject access request (complaints and information-requests).
      await withTransaction(db, (trx) =>
        createComplaint(
          trx,
          {
            authorityId,
            customerId: person.id,
            summary: 'Nobody came',
            receivedOn: '2028-03-07',
            channel: 'phone',
            actor: { kind: 'staff', staffId: officer.id },
            idempotencyKey: `test:${randomUUID()}`,
          },
          { now: now() },
        ),
      );
      const newRequest = (regime: 'foi' | 'sar', requestText: string) =>
        withTransaction(db, (trx) =>
          createInformationRequest(
            trx,
            {
              authorityId,
              regime,
              customerId: person.id,
              requestText,
              receivedOn: '2028-03-06',
              channel: 'email',
              actor: { kind: 'customer', customerId: person.id },
              idempotencyKey: `test:${randomUUID()}`,
            },
            { now: now() },
          ),
        );
      await newRequest('foi', 'How many bins were missed last year?');
      const sar = await newRequest('sar', 'Everything you hold about me');

      // Feedback after the resolved call (asked by the scan, answered through the link), and a compliment.
      await requestFeedbackAfterContacts(db, { now: now(), publicUrl: 'https://frontdoor.example' });
      const ask = await db
        .selectFrom('messages')
        .select('body')
        .where('customer_id', '=', person.id)
        .where('body', 'like', '%/feedback/%')
        .executeTakeFirstOrThrow();
      const token = /\/feedback\/([A-Za-z0-9_-]+)/.exec(ask.body)?.[1];
      assert.ok(token, 'the feedback message holds the link');
      await recordContactFeedback(db, token, { satisfaction: 2, effort: 2, comment: 'Slow', now: now() });
      await recordCompliment(db, {
        authorityId,
        kind: 'compliment',
        teamId: team.id,
        body: 'The crew were kind',
        receivedOn: '2028-03-07',
        channel: 'phone',
        customerId: person.id,
        recordedBy: officer.id,
        now: now(),
      });

      // Support needs and a carer (customers tables written by builders: the module has no write function),
      // a sign-in code and a session (residents module).
      await buildVulnerability(db, { authorityId, customerId: person.id, reason: 'Hard of hearing' });
      const carer = await buildCustomer(db, authorityId, { givenName: 'Colin', familyName: 'Carer' });
      await buildRelationship(db, {
        authorityId,
        customerId: carer.id,
        relatedCustomerId: person.id,
        kind: 'carer',
      });
      await new ResidentAccounts(db, demoClock, 'test-secret').requestCode({
        email: DEMO_CUSTOMERS.margaret.email.replace('@', `+${namespace}@`),
        purpose: 'sign_in',
        ip: '192.0.2.1',
        customerId: person.id,
      });
      await new SessionStore(db, demoClock, 30).create('resident', { customerId: person.id });

      await generateSarBundle(db, sar.id, { staffId: officer.id, now: now() }); // a previous bundle
      const bundle = await buildSarBundle(db, person.id, now());
      const inBundle = idsIn(bundle);

      // Every row of every table with a column that refers to a customer (customer_id, actor_customer_id,
      // related_customer_id, representative_id, merged_into…), and every row of a table owned by one of
      // their cases (case_id), must be in the bundle. Found from the live schema, so new tables are checked.
      const subjectIds = bundle.customerIds;
      const caseIds = (
        await db
          .selectFrom('cases')
          .select('id')
          .where((eb) =>
            eb.or([eb('customer_id', 'in', subjectIds), eb('representative_id', 'in', subjectIds)]),
          )
          .execute()
      ).map((c) => c.id);
      assert.ok(caseIds.includes(kase.id));
      const columns = await sql<{ table_name: string; column_name: string }>`
        select c.table_name, c.column_name
        from information_schema.columns c
        join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
        where c.table_schema = current_schema() and t.table_type = 'BASE TABLE'
          and (c.column_name like '%customer_id' or c.column_name in ('merged_into', 'representative_id', 'case_id'))
        order by 1, 2`.execute(db);
      const withId = new Set(
        (
          await sql<{ table_name: string }>`
            select table_name from information_schema.columns
            where table_schema = current_schema() and column_name = 'id'`.execute(db)
        ).rows.map((r) => r.table_name),
      );
      // Tables without an id of their own. case_links (which of the person's cases are linked to which) is
      // not in the bundle yet: the links themselves say nothing about the person beyond the cases, which
      // are. A new table here fails the test until someone decides.
      const noId = new Set<string>();
      const missing: string[] = [];
      const checked = new Set<string>();
      for (const { table_name: table, column_name: column } of columns.rows) {
        const values = column === 'case_id' ? caseIds : subjectIds;
        if (table === 'sessions') {
          // A session's id is its cookie value, so the bundle lists sign-ins without it: count them instead.
          const rows = await sql<{ n: string }>`
            select count(*) as n from sessions where ${sql.ref(column)}::text = any(${sql.val(values)})`.execute(
            db,
          );
          assert.equal(bundle.sections.signIns.length, Number(rows.rows[0].n), 'every sign-in');
          checked.add(table);
          continue;
        }
        if (!withId.has(table)) {
          noId.add(table);
          continue;
        }
        const rows = await sql<{ id: string }>`
          select id::text as id from ${sql.table(table)} where ${sql.ref(column)}::text = any(${sql.val(values)})`.execute(
          db,
        );
        if (rows.rows.length) checked.add(table);
        for (const row of rows.rows)
          if (!inBundle.has(row.id)) missing.push(`${table}.${column} = … (row ${row.id})`);
      }
      assert.deepEqual(missing, [], 'rows about the person that the bundle leaves out');
      assert.deepEqual([...noId], ['case_links'], 'tables without an id that refer to the person');
      assert.ok(inBundle.has(person.id), 'her own record');
      for (const table of [
        'contact_points',
        'vulnerabilities',
        'customer_relationships',
        'cases',
        'case_events',
        'attachments',
        'interactions',
        'messages',
        'sessions',
        'resident_codes',
        'complaints',
        'information_requests',
        'sar_bundles',
        'feedback_requests',
        'feedback',
        'compliments',
      ])
        assert.ok(checked.has(table), `the test put something about her in ${table}`);

      // Who looked at or changed her records, and what she did herself (the audit log).
      const audited = await db
        .selectFrom('audit_log')
        .select(['id', 'action'])
        .where((eb) =>
          eb.or([
            eb.and([eb('record_type', '=', 'customer'), eb('record_id', 'in', subjectIds)]),
            eb.and([eb('record_type', '=', 'case'), eb('record_id', 'in', caseIds)]),
            eb.and([eb('actor_type', '=', 'customer'), eb('actor_id', 'in', subjectIds)]),
          ]),
        )
        .execute();
      assert.ok(
        audited.some((a) => a.action === 'customer.view'),
        'the officer’s look at her record',
      );
      const logIds = new Set(bundle.sections.accessLog.map((a) => String(a.id)));
      assert.deepEqual(
        audited.filter((a) => !logIds.has(String(a.id))).map((a) => a.action),
        [],
        'audit rows about her that the bundle leaves out',
      );
      assert.ok(
        bundle.sections.accessLog.some((a) => a.staff === 'Demo Officer' && a.action === 'customer.view'),
      );

      // The readable copy renders, with her records in it (for an IG officer of the council holding the
      // request: in a two-tier area it may not be the one holding her record).
      const holder = await db
        .selectFrom('information_requests as r')
        .innerJoin('cases as c', 'c.id', 'r.case_id')
        .select(['r.authority_id', 'c.team_id'])
        .where('r.id', '=', sar.id)
        .executeTakeFirstOrThrow();
      const igOfficer = await buildStaff(db, holder.authority_id, {
        roles: ['ig_officer'],
        teamIds: [holder.team_id],
      });
      const igBrowser = await signedIn(d.app, igOfficer);
      // The readable copy renders, with her records in it.
      const bundleId = await generateSarBundle(db, sar.id, { staffId: officer.id, now: now() });
      const html = await igBrowser.get(
        `/staff/information-requests/${sar.id}/bundles/${bundleId}/bundle.html`,
      );
      assert.equal(html.statusCode, 200);
      assert.match(html.body, /Margaret/);
      assert.match(html.body, /Nobody came/);
      assert.match(html.body, /photo-of-bin\.jpg/);
      assert.match(html.body, /The crew were kind/);
      assert.doesNotMatch(JSON.stringify(bundle), /code_hash|token_hash|password/);
    } finally {
      await d.app.close();
    }
  });
});
