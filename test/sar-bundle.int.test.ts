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
import { installShippedService } from '../src/modules/complaints/complaints.fixtures.ts';
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
});
