/**
 * The audit-log search (/staff/audit): an auditor finds entries by person (staff email) and by record (a
 * case reference), newest first, only for their own council; the search itself is audited; anyone
 * without `audit:read` (an agent) gets 403.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildAuthority, buildService, buildStaff, buildTeam } from './builders/index.ts';
import { buildCase, buildCustomer, signedIn } from './builders/customers.ts';
import { buildTestApp, type TestApp } from './support/app.ts';
import { audit } from '../src/platform/audit/index.ts';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());

async function council() {
  const db = t.database.db;
  const authority = await buildAuthority(db);
  const team = await buildTeam(db, authority.id);
  const auditor = await buildStaff(db, authority.id, { roles: ['auditor'], name: 'Avery Auditor' });
  const agent = await buildStaff(db, authority.id, {
    roles: ['agent'],
    teamIds: [team.id],
    name: 'Pat Agentson',
  });
  const service = await buildService(db, authority.id, team.id);
  const customer = await buildCustomer(db, authority.id);
  const kase = await buildCase(db, {
    authorityId: authority.id,
    serviceId: service.id,
    teamId: team.id,
    customerId: customer.id,
  });
  return { authority, team, auditor, agent, customer, kase };
}

void describe('audit log search', () => {
  test('an auditor searches by person and by record, newest first; the search is audited', async () => {
    const db = t.database.db;
    const c = await council();
    const other = await council();
    await audit(db, {
      actorType: 'staff',
      actorId: c.agent.id,
      authorityId: c.authority.id,
      action: 'case.view',
      recordType: 'case',
      recordId: c.kase.id,
      at: new Date('2026-11-23T10:00:00Z'),
    });
    await audit(db, {
      actorType: 'staff',
      actorId: c.agent.id,
      authorityId: c.authority.id,
      action: 'customer.view',
      recordType: 'customer',
      recordId: c.customer.id,
      at: new Date('2026-11-24T10:00:00Z'),
    });
    await audit(db, {
      actorType: 'customer',
      actorId: c.customer.id,
      authorityId: c.authority.id,
      action: 'case.viewed',
      recordType: 'case',
      recordId: c.kase.id,
      at: new Date('2026-11-25T10:00:00Z'),
    });
    // Another council's entry about its own case: never shown to this council's auditor.
    await audit(db, {
      actorType: 'staff',
      actorId: other.agent.id,
      authorityId: other.authority.id,
      action: 'case.view',
      recordType: 'case',
      recordId: other.kase.id,
    });

    const browser = await signedIn(t.app, c.auditor);
    const form = await browser.get('/staff/audit');
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /<h1 class="govuk-heading-l">Audit log<\/h1>/);
    assert.match(form.body, /href="\/staff\/audit"/); // navigation entry

    const byPerson = await browser.get(
      `/staff/audit?person=${encodeURIComponent(c.agent.email.toUpperCase())}`,
    );
    assert.equal(byPerson.statusCode, 200);
    assert.match(byPerson.body, /Pat Agentson/);
    const customerView = byPerson.body.indexOf('customer.view');
    const caseView = byPerson.body.indexOf('case.view<');
    assert.ok(customerView > 0 && caseView > 0 && customerView < caseView, 'newest first');
    assert.doesNotMatch(byPerson.body, /case\.viewed/);

    const byName = await browser.get('/staff/audit?person=agentson&action=customer.');
    assert.match(byName.body, /customer\.view/);
    assert.doesNotMatch(byName.body, /case\.view</);

    const byRecord = await browser.get(
      `/staff/audit?record=${encodeURIComponent(c.kase.reference.toLowerCase())}`,
    );
    assert.equal(byRecord.statusCode, 200);
    assert.match(byRecord.body, /case\.viewed/);
    assert.match(byRecord.body, /case\.view</);
    assert.ok(byRecord.body.includes(`/staff/cases/${c.kase.id}`));
    assert.doesNotMatch(byRecord.body, /customer\.view/);

    const byCustomerId = await browser.get(
      `/staff/audit?person=${c.customer.id}&from=25/11/2026&to=2026-11-25`,
    );
    assert.match(byCustomerId.body, /case\.viewed/);
    const outOfRange = await browser.get(`/staff/audit?person=${c.customer.id}&from=26/11/2026`);
    assert.match(outOfRange.body, /No audit entries match your search/);

    // Another council's agent can be searched for (they might have read this council's records), but
    // their entries about their own council's records are not shown.
    const otherCouncil = await browser.get(`/staff/audit?person=${encodeURIComponent(other.agent.email)}`);
    assert.equal(otherCouncil.statusCode, 200);
    assert.match(otherCouncil.body, /No audit entries match your search/);
    const nobody = await browser.get(`/staff/audit?person=${encodeURIComponent('nobody@example.com')}`);
    assert.equal(nobody.statusCode, 400);
    assert.match(nobody.body, /No member of staff has that email address or name/);
    const otherRecord = await browser.get(`/staff/audit?record=${other.kase.id}&recordType=case`);
    assert.match(otherRecord.body, /No audit entries match your search/);

    const empty = await browser.get('/staff/audit?from=1/1/2026');
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /<title>Error: /);
    assert.match(empty.body, /Enter a person or a record to search for/);

    const searches = await db
      .selectFrom('audit_log')
      .select(['action', 'record_id', 'details'])
      .where('actor_id', '=', c.auditor.id)
      .where('action', '=', 'audit.searched')
      .execute();
    assert.ok(searches.length >= 6, `searches audited (${searches.length})`);
    assert.ok(searches.some((s) => s.record_id === c.kase.id));
  });

  test("the auditors of the council that owns a record see another council's staff reading it", async () => {
    const db = t.database.db;
    const city = await council();
    const county = await council();
    // A county agent read a city customer's record: the row carries the reader's council, and the
    // database fills in the council that owns the record.
    await audit(db, {
      actorType: 'staff',
      actorId: county.agent.id,
      authorityId: county.authority.id,
      action: 'customer.view',
      recordType: 'customer',
      recordId: city.customer.id,
    });
    const row = await db
      .selectFrom('audit_log')
      .select(['authority_id', 'record_authority_id'])
      .where('actor_id', '=', county.agent.id)
      .where('record_id', '=', city.customer.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(row, { authority_id: county.authority.id, record_authority_id: city.authority.id });

    const cityAuditor = await signedIn(t.app, city.auditor);
    const byPerson = await cityAuditor.get(`/staff/audit?person=${encodeURIComponent(county.agent.email)}`);
    assert.equal(byPerson.statusCode, 200);
    assert.match(byPerson.body, /customer\.view/);
    const byRecord = await cityAuditor.get(`/staff/audit?record=${city.customer.id}&recordType=customer`);
    assert.match(byRecord.body, /customer\.view/);
    // The reader's own council's auditors see it too.
    const countyAuditor = await signedIn(t.app, county.auditor);
    const own = await countyAuditor.get(`/staff/audit?person=${encodeURIComponent(county.agent.email)}`);
    assert.match(own.body, /customer\.view/);
  });

  test('an agent cannot search the audit log', async () => {
    const c = await council();
    const browser = await signedIn(t.app, c.agent);
    const res = await browser.get(`/staff/audit?person=${encodeURIComponent(c.agent.email)}`);
    assert.equal(res.statusCode, 403);
    const nav = await browser.get('/staff');
    assert.doesNotMatch(nav.body, /href="\/staff\/audit"/);
  });
});
