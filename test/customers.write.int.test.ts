import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildAuthority, buildService, buildStaff, buildTeam } from './builders/index.ts';
import {
  buildCase,
  buildCustomer,
  buildInteraction,
  buildRelationship,
  buildVulnerability,
  signedIn,
} from './builders/customers.ts';
import { buildTestApp, type TestApp } from './support/app.ts';
import type { Browser } from './support/app.ts';
import { TestClock } from '../src/platform/clock.ts';

let t: TestApp;
const clock = new TestClock('2026-11-23T10:00:00Z');
let authorityId: string;
let teamId: string;
let serviceId: string;
let otherServiceId: string;
let agent: { id: string; email: string };
let browser: Browser;

before(async () => {
  t = await buildTestApp({ clock });
  const db = t.database.db;
  const authority = await buildAuthority(db);
  authorityId = authority.id;
  teamId = (await buildTeam(db, authorityId)).id;
  serviceId = (await buildService(db, authorityId, teamId, { name: 'Bins and recycling' })).id;
  otherServiceId = (await buildService(db, authorityId, teamId, { name: 'Parking permits' })).id;
  agent = await buildStaff(db, authorityId, { roles: ['agent'], teamIds: [teamId] });
  browser = await signedIn(t.app, agent);
});
after(() => t.close());

const DAY = 24 * 60 * 60 * 1000;

async function logContact(customerId: string, fields: Record<string, string>, as: Browser = browser) {
  return as.submit(`/staff/customers/${customerId}`, `/staff/customers/${customerId}/contacts`, fields);
}

async function interactionsOf(customerId: string) {
  return t.database.db
    .selectFrom('interactions')
    .selectAll()
    .where('customer_id', '=', customerId)
    .orderBy('occurred_at', 'desc')
    .execute();
}

void describe('log a contact', () => {
  void test('an empty form shows GOV.UK errors linked to each field and keeps the page', async () => {
    const customer = await buildCustomer(t.database.db, authorityId, {
      givenName: 'Errol',
      familyName: 'Empty',
    });
    const res = await logContact(customer.id, { summary: '' });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /<title>Error: Errol Empty – Customer/);
    assert.match(res.body, /href="#channel">Select how the customer contacted us/);
    assert.match(res.body, /href="#summary">Enter a summary of the contact/);
    assert.match(res.body, /href="#outcome">Select the outcome of the contact/);
    const long = await logContact(customer.id, {
      channel: 'phone',
      outcome: 'resolved',
      summary: 'x'.repeat(2001),
    });
    assert.match(long.body, /Summary must be 2,000 characters or fewer/);
    assert.equal((await interactionsOf(customer.id)).length, 0);
  });

  void test('saves the contact with the agent and first-contact resolution, audits it, and shows it on the timeline', async () => {
    const customer = await buildCustomer(t.database.db, authorityId, {
      givenName: 'Rita',
      familyName: 'Resolved',
    });
    const res = await logContact(customer.id, {
      channel: 'phone',
      serviceId,
      summary: 'Missed bin collection, rebooked for Thursday',
      outcome: 'resolved',
    });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, `/staff/customers/${customer.id}?done=contact#timeline`);
    const [row] = await interactionsOf(customer.id);
    assert.equal(row.agent_id, agent.id);
    assert.equal(row.channel, 'phone');
    assert.equal(row.service_id, serviceId);
    assert.equal(row.resolved_at_first_contact, true);
    assert.equal(row.is_repeat, false);
    const audit = await t.database.db
      .selectFrom('audit_log')
      .select(['details'])
      .where('action', '=', 'customer.contact_logged')
      .where('record_id', '=', customer.id)
      .executeTakeFirstOrThrow();
    assert.equal((audit.details as { interactionId: string }).interactionId, row.id);
    const page = await browser.get(String(res.headers.location).replace('#timeline', ''));
    assert.match(page.body, /data-testid="success-banner"/);
    assert.match(page.body, /Contact saved/);
    assert.match(page.body, /Phone call – Bins and recycling/);
    assert.match(page.body, /Missed bin collection, rebooked for Thursday/);
    assert.match(page.body, /Resolved at first contact<\/strong>/);
  });

  void test('a second contact about the same service within 7 days is a repeat; after 7 days or about another service it is not', async () => {
    const customer = await buildCustomer(t.database.db, authorityId, {
      givenName: 'Ray',
      familyName: 'Peat',
    });
    const start = clock.now();
    // Moving the clock past the idle timeout ends sessions: this test uses its own browsers.
    let own = await signedIn(t.app, agent);
    try {
      await buildInteraction(t.database.db, {
        authorityId,
        customerId: customer.id,
        serviceId,
        channel: 'web',
        occurredAt: new Date(start.getTime() - 7 * DAY),
      });
      const repeat = await logContact(
        customer.id,
        { channel: 'phone', serviceId, summary: 'Still not collected', outcome: 'callback' },
        own,
      );
      assert.equal(repeat.headers.location, `/staff/customers/${customer.id}?done=repeat#timeline`);
      assert.equal(
        (await interactionsOf(customer.id))[0].is_repeat,
        true,
        'exactly 7 days later is a repeat',
      );

      const other = await logContact(
        customer.id,
        { channel: 'email', serviceId: otherServiceId, summary: 'Permit question', outcome: 'resolved' },
        own,
      );
      assert.equal(other.headers.location, `/staff/customers/${customer.id}?done=contact#timeline`);

      const none = await logContact(
        customer.id,
        { channel: 'letter', summary: 'General enquiry', outcome: 'resolved' },
        own,
      );
      assert.equal(
        none.headers.location,
        `/staff/customers/${customer.id}?done=contact#timeline`,
        'no service, no repeat',
      );

      clock.advance(7 * DAY + 1000);
      own = await signedIn(t.app, agent);
      const later = await logContact(
        customer.id,
        { channel: 'phone', serviceId, summary: 'New problem', outcome: 'resolved' },
        own,
      );
      assert.equal(later.headers.location, `/staff/customers/${customer.id}?done=contact#timeline`);

      const page = await own.get(`/staff/customers/${customer.id}`);
      assert.equal(
        [...page.body.matchAll(/data-testid="repeat-contact"/g)].length,
        1,
        'the repeat is marked on the timeline',
      );
    } finally {
      clock.set(start);
    }
  });

  void test('links to an open case, taking its service; a closed case is refused', async () => {
    const db = t.database.db;
    const customer = await buildCustomer(db, authorityId, { givenName: 'Cass', familyName: 'Linked' });
    const open = await buildCase(db, { authorityId, serviceId, teamId, customerId: customer.id });
    const closed = await buildCase(db, {
      authorityId,
      serviceId,
      teamId,
      customerId: customer.id,
      closedAt: new Date('2026-11-02T00:00:00Z'),
    });
    const res = await logContact(customer.id, {
      channel: 'phone',
      caseId: open.id,
      summary: 'Chasing',
      outcome: 'case_updated',
    });
    assert.equal(res.statusCode, 303);
    const [row] = await interactionsOf(customer.id);
    assert.equal(row.case_id, open.id);
    assert.equal(row.service_id, serviceId);
    const refused = await logContact(customer.id, {
      channel: 'phone',
      caseId: closed.id,
      summary: 'Chasing',
      outcome: 'case_updated',
    });
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /href="#caseId">Select an open case from the list/);
  });
});

void describe('new customer with a duplicate check', () => {
  void test('validation uses GOV.UK messages and keeps the answers', async () => {
    const res = await browser.submit('/staff/customers/new', '/staff/customers/new', {
      givenName: '',
      familyName: 'Nogiven',
      'dob-day': '31',
      'dob-month': '2',
      'dob-year': '1980',
      email: 'not-an-email',
      phone: '123',
      postcode: 'NOTAPOSTCODE',
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /<title>Error: Add a new customer/);
    assert.match(res.body, /href="#givenName">Enter a given name/);
    assert.match(res.body, /href="#dob-day">Date of birth must be a real date/);
    assert.match(res.body, /href="#email">Enter an email address in the correct format/);
    assert.match(res.body, /href="#phone">Enter a telephone number/);
    assert.match(res.body, /href="#postcode">Enter a real postcode/);
    assert.match(res.body, /value="Nogiven"/);
    const partial = await browser.submit('/staff/customers/new', '/staff/customers/new', {
      givenName: 'A',
      familyName: 'B',
      'dob-day': '1',
      'dob-year': '1980',
    });
    assert.match(partial.body, /href="#dob-month">Date of birth must include a month/);
    const future = await browser.submit('/staff/customers/new', '/staff/customers/new', {
      givenName: 'A',
      familyName: 'B',
      'dob-day': '1',
      'dob-month': '1',
      'dob-year': '2030',
    });
    assert.match(future.body, /Date of birth must be in the past/);
  });

  void test('with no likely matches, creates the customer with normalised contact points and an audit row', async () => {
    const family = `Uniquename${Date.now()}`;
    const res = await browser.submit('/staff/customers/new', '/staff/customers/new', {
      givenName: ' Nadia ',
      familyName: family,
      'dob-day': '9',
      'dob-month': '11',
      'dob-year': '1990',
      email: 'Nadia.New@Example.com',
      phone: '07700 900456',
      addressLine: '5 Quay Street',
      postcode: 'kb3 4ef',
    });
    assert.equal(res.statusCode, 303);
    const id = /\/staff\/customers\/([0-9a-f-]{36})\?done=created/.exec(String(res.headers.location))?.[1];
    assert.ok(id);
    const db = t.database.db;
    const row = await db.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal(row.search_name, `nadia ${family.toLowerCase()}`);
    assert.equal(row.date_of_birth, '1990-11-09');
    assert.equal(row.authority_id, authorityId);
    const points = await db
      .selectFrom('contact_points')
      .select(['kind', 'normalised'])
      .where('customer_id', '=', id)
      .orderBy('kind')
      .execute();
    assert.deepEqual(points, [
      { kind: 'address', normalised: '5 QUAY STREET KB34EF' },
      { kind: 'email', normalised: 'nadia.new@example.com' },
      { kind: 'phone', normalised: '+447700900456' },
    ]);
    const audit = await db
      .selectFrom('audit_log')
      .select(['actor_id'])
      .where('action', '=', 'customer.create')
      .where('record_id', '=', id)
      .execute();
    assert.deepEqual(audit, [{ actor_id: agent.id }]);
    const page = await browser.get(String(res.headers.location));
    assert.match(page.body, /Customer record created/);
  });

  void test('offers likely matches (same email; similar name with the same date of birth) and can create a new record anyway', async () => {
    const db = t.database.db;
    const existing = await buildCustomer(db, authorityId, {
      givenName: 'Dorothy',
      familyName: 'Duplicate',
      dateOfBirth: '1955-06-15',
      email: 'dot.dupe@example.com',
    });
    const fields = {
      givenName: 'Dorothy',
      familyName: 'Duplicat',
      'dob-day': '15',
      'dob-month': '6',
      'dob-year': '1955',
      email: '',
      phone: '',
      addressLine: '',
      postcode: '',
    };
    const offer = await browser.submit('/staff/customers/new', '/staff/customers/new', fields);
    assert.equal(offer.statusCode, 200);
    assert.match(offer.body, /These people might be the same person/);
    assert.match(offer.body, new RegExp(`href="/staff/customers/${existing.id}">Use this record`));
    const byEmail = await browser.submit('/staff/customers/new', '/staff/customers/new', {
      ...fields,
      givenName: 'Someone',
      familyName: 'Else',
      'dob-day': '',
      'dob-month': '',
      'dob-year': '',
      email: 'DOT.DUPE@example.com',
    });
    assert.match(byEmail.body, new RegExp(`href="/staff/customers/${existing.id}">Use this record`));
    const before = await db
      .selectFrom('customers')
      .select(db.fn.countAll<number>().as('n'))
      .where('authority_id', '=', authorityId)
      .executeTakeFirstOrThrow();
    assert.match(offer.body, /name="confirm" value="yes"/);
    const created = await browser.post('/staff/customers/new', {
      _csrf: /name="_csrf" value="([^"]+)"/.exec(offer.body)![1],
      ...fields,
      confirm: 'yes',
    });
    assert.equal(created.statusCode, 303);
    const afterCount = await db
      .selectFrom('customers')
      .select(db.fn.countAll<number>().as('n'))
      .where('authority_id', '=', authorityId)
      .executeTakeFirstOrThrow();
    assert.equal(Number(afterCount.n), Number(before.n) + 1);
    const id = /\/staff\/customers\/([0-9a-f-]{36})/.exec(String(created.headers.location))![1];
    const audit = await db
      .selectFrom('audit_log')
      .select(['details'])
      .where('action', '=', 'customer.create')
      .where('record_id', '=', id)
      .executeTakeFirstOrThrow();
    assert.deepEqual((audit.details as { duplicatesOffered: string[] }).duplicatesOffered, [existing.id]);
  });
});

void describe('merge and unmerge', () => {
  void test('merging moves everything in one go, audits the moved rows, and unmerge puts exactly those rows back', async () => {
    const db = t.database.db;
    const survivor = await buildCustomer(db, authorityId, {
      givenName: 'Mary',
      familyName: 'Merger',
      email: 'mary@example.com',
    });
    const dup = await buildCustomer(db, authorityId, {
      givenName: 'Mary',
      familyName: 'Mergar',
      phone: '07700 900777',
      address: { line1: '1 Dup Lane', postcode: 'KB5 5XY' },
    });
    const friend = await buildCustomer(db, authorityId, { givenName: 'Fred', familyName: 'Friend' });
    const kase = await buildCase(db, { authorityId, serviceId, teamId, customerId: dup.id });
    const interaction = await buildInteraction(db, { authorityId, customerId: dup.id, serviceId });
    const flag = await buildVulnerability(db, { authorityId, customerId: dup.id, reason: 'Hearing loss' });
    const rel = await buildRelationship(db, {
      authorityId,
      customerId: friend.id,
      relatedCustomerId: dup.id,
      kind: 'next_of_kin',
    });

    const picker = await browser.get(
      `/staff/customers/${survivor.id}/merge?q=${encodeURIComponent('mary mergar')}`,
    );
    assert.equal(picker.statusCode, 200);
    assert.match(
      picker.body,
      new RegExp(`href="/staff/customers/${survivor.id}/merge\\?duplicate=${dup.id}"`),
    );
    const confirm = await browser.get(`/staff/customers/${survivor.id}/merge?duplicate=${dup.id}`);
    assert.equal(confirm.statusCode, 200);
    assert.match(confirm.body, /Merge Mary Mergar into Mary Merger\?/);
    assert.match(confirm.body, /1 Dup Lane/);

    const merged = await browser.submit(
      `/staff/customers/${survivor.id}/merge?duplicate=${dup.id}`,
      `/staff/customers/${survivor.id}/merge`,
      {
        duplicateId: dup.id,
      },
    );
    assert.equal(merged.statusCode, 303);
    const owner = async (
      table: 'contact_points' | 'cases' | 'interactions' | 'vulnerabilities',
      id: string,
    ) =>
      (await db.selectFrom(table).select('customer_id').where('id', '=', id).executeTakeFirstOrThrow())
        .customer_id;
    assert.equal(await owner('cases', kase.id), survivor.id);
    assert.equal(await owner('interactions', interaction.id), survivor.id);
    assert.equal(await owner('vulnerabilities', flag.id), survivor.id);
    const relRow = await db
      .selectFrom('customer_relationships')
      .select('related_customer_id')
      .where('id', '=', rel.id)
      .executeTakeFirstOrThrow();
    assert.equal(relRow.related_customer_id, survivor.id);
    const dupPoints = await db
      .selectFrom('contact_points')
      .select('id')
      .where('customer_id', '=', dup.id)
      .execute();
    assert.equal(dupPoints.length, 0);
    const dupRow = await db
      .selectFrom('customers')
      .select('merged_into')
      .where('id', '=', dup.id)
      .executeTakeFirstOrThrow();
    assert.equal(dupRow.merged_into, survivor.id);
    const audit = await db
      .selectFrom('audit_log')
      .select(['details'])
      .where('action', '=', 'customer.merge')
      .where('record_id', '=', survivor.id)
      .executeTakeFirstOrThrow();
    const moved = (audit.details as { moved: Record<string, string[]> }).moved;
    assert.equal(moved.contact_points.length, 2);
    assert.deepEqual(moved.cases, [kase.id]);
    assert.deepEqual(moved.relationships_as_related, [rel.id]);

    // The survivor now has everything; the duplicate redirects and is not found by search.
    const page = await browser.get(`/staff/customers/${survivor.id}?done=merged`);
    assert.match(page.body, /Records merged/);
    assert.match(page.body, /1 Dup Lane/);
    assert.match(page.body, /Hearing loss/);
    assert.equal(
      (await browser.get(`/staff/customers/${dup.id}`)).headers.location,
      `/staff/customers/${survivor.id}`,
    );

    // A contact point added to the survivor after the merge stays with the survivor on unmerge.
    const after = await db
      .insertInto('contact_points')
      .values({
        authority_id: authorityId,
        customer_id: survivor.id,
        kind: 'email',
        value: 'm2@example.com',
        normalised: 'm2@example.com',
        address: null,
        uprn: null,
        verified_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();

    // Agents cannot unmerge; administrators can.
    const refused = await browser.submit(
      `/staff/customers/${survivor.id}`,
      `/staff/customers/${survivor.id}/unmerge`,
      { mergedId: dup.id },
    );
    assert.equal(refused.statusCode, 403);
    const admin = await buildStaff(db, authorityId, { roles: ['admin'] });
    const adminBrowser = await signedIn(t.app, admin);
    const adminPage = await adminBrowser.get(`/staff/customers/${survivor.id}`);
    assert.match(adminPage.body, /Merged into this record/);
    assert.match(adminPage.body, /data-testid="unmerge"/);
    const undone = await adminBrowser.submit(
      `/staff/customers/${survivor.id}`,
      `/staff/customers/${survivor.id}/unmerge`,
      { mergedId: dup.id },
    );
    assert.equal(undone.statusCode, 303);
    assert.equal(undone.headers.location, `/staff/customers/${survivor.id}?done=unmerged`);

    assert.equal(await owner('cases', kase.id), dup.id);
    assert.equal(await owner('interactions', interaction.id), dup.id);
    assert.equal(await owner('vulnerabilities', flag.id), dup.id);
    assert.equal(await owner('contact_points', after.id), survivor.id);
    const relBack = await db
      .selectFrom('customer_relationships')
      .select('related_customer_id')
      .where('id', '=', rel.id)
      .executeTakeFirstOrThrow();
    assert.equal(relBack.related_customer_id, dup.id);
    assert.equal(
      (await db.selectFrom('contact_points').select('id').where('customer_id', '=', dup.id).execute()).length,
      2,
    );
    const dupAfter = await db
      .selectFrom('customers')
      .select('merged_into')
      .where('id', '=', dup.id)
      .executeTakeFirstOrThrow();
    assert.equal(dupAfter.merged_into, null);
    const unmergeAudit = await db
      .selectFrom('audit_log')
      .select(['actor_id', 'details'])
      .where('action', '=', 'customer.unmerge')
      .where('record_id', '=', survivor.id)
      .where('outcome', '=', 'ok')
      .executeTakeFirstOrThrow();
    assert.equal(unmergeAudit.actor_id, admin.id);
    const refusedAudit = await db
      .selectFrom('audit_log')
      .select(['outcome'])
      .where('action', '=', 'customer.unmerge')
      .where('actor_id', '=', agent.id)
      .where('record_id', '=', survivor.id)
      .execute();
    assert.deepEqual(refusedAudit, [{ outcome: 'denied' }], "the agent's refused unmerge is audited");
    assert.equal(
      (await browser.get(`/staff/customers/${dup.id}`)).statusCode,
      200,
      'the duplicate is its own record again',
    );

    // A second unmerge finds nothing to undo.
    const again = await adminBrowser.submit(
      `/staff/customers/${survivor.id}`,
      `/staff/customers/${survivor.id}/unmerge`,
      { mergedId: dup.id },
    );
    assert.equal(again.statusCode, 404);
  });

  void test('a record cannot be merged into itself, and a duplicate out of scope is a 404 audited as denied', async () => {
    const db = t.database.db;
    const a = await buildCustomer(db, authorityId, { givenName: 'Solo', familyName: 'Self' });
    const self = await browser.get(`/staff/customers/${a.id}/merge?duplicate=${a.id}`);
    assert.equal(self.statusCode, 404);
    const other = await buildAuthority(db);
    const stranger = await buildCustomer(db, other.id, { givenName: 'Far', familyName: 'Away' });
    const res = await browser.submit(`/staff/customers/${a.id}/merge`, `/staff/customers/${a.id}/merge`, {
      duplicateId: stranger.id,
    });
    assert.equal(res.statusCode, 404);
    const row = await db
      .selectFrom('customers')
      .select('merged_into')
      .where('id', '=', stranger.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.merged_into, null);
    const denied = await db
      .selectFrom('audit_log')
      .select('outcome')
      .where('action', '=', 'customer.merge')
      .where('record_id', '=', stranger.id)
      .execute();
    assert.deepEqual(denied, [{ outcome: 'denied' }]);
  });
});
