import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { buildAuthority, buildService, buildStaff, buildTeam } from './builders/index.ts';
import {
  buildCase,
  buildCustomer,
  buildInteraction,
  buildRelationship,
  buildVulnerability,
  randomReference,
  signedIn,
} from './builders/customers.ts';
import { Browser, buildTestApp, type TestApp } from './support/app.ts';
import { TestClock } from '../src/platform/clock.ts';
import { SessionStore } from '../src/platform/http/sessions.ts';
import { installShippedService } from './builders/services.ts';

let t: TestApp;
const clock = new TestClock('2026-11-23T10:00:00Z');
let county: { id: string; name: string };
let city: { id: string; name: string };
let countyTeam: { id: string };
let ascTeam: { id: string };
let agent: { id: string; email: string };
let ascWorker: { id: string; email: string };
let customer: { id: string };
let carer: { id: string };
const refs = { county: randomReference(), city: randomReference(), asc: randomReference() };
let agentBrowser: Browser;

before(async () => {
  t = await buildTestApp({ clock });
  const db = t.database.db;
  county = await buildAuthority(db, { kind: 'county' });
  city = await buildAuthority(db, { kind: 'city' });
  countyTeam = await buildTeam(db, county.id, { name: 'Contact centre' });
  ascTeam = await buildTeam(db, county.id, { name: 'Adult social care' });
  const cityTeam = await buildTeam(db, city.id);
  const blueBadge = await buildService(db, county.id, countyTeam.id, { name: 'Blue badge' });
  const councilTax = await buildService(db, city.id, cityTeam.id, { name: 'Council tax' });
  const asc = await buildService(db, county.id, ascTeam.id, {
    name: 'Adult social care',
    sensitivity: 'restricted',
  });
  agent = await buildStaff(db, county.id, { roles: ['agent'], teamIds: [countyTeam.id], name: 'Agent Ada' });
  ascWorker = await buildStaff(db, county.id, { roles: ['officer'], teamIds: [ascTeam.id] });
  customer = await buildCustomer(db, county.id, {
    givenName: 'Margaret',
    familyName: 'Okafor',
    dateOfBirth: '1940-05-01',
    email: 'margaret@example.com',
    phone: '01632 960001',
    address: { line1: '2 Station Road', postcode: 'KB2 3CD' },
    communicationNeeds: ['large_print', { kind: 'interpreter', language: 'Yoruba' }],
  });
  carer = await buildCustomer(db, county.id, { givenName: 'Tunde', familyName: 'Okafor' });
  await buildRelationship(db, {
    authorityId: county.id,
    customerId: customer.id,
    relatedCustomerId: carer.id,
    kind: 'carer',
  });
  await buildVulnerability(db, {
    authorityId: county.id,
    customerId: customer.id,
    reason: 'Lives alone with dementia',
    consentGiven: true,
    reviewDate: '2027-01-31',
  });
  await buildCase(db, {
    authorityId: county.id,
    serviceId: blueBadge.id,
    teamId: countyTeam.id,
    customerId: customer.id,
    reference: refs.county,
    status: 'awaiting_evidence',
  });
  await buildCase(db, {
    authorityId: city.id,
    serviceId: councilTax.id,
    teamId: cityTeam.id,
    customerId: customer.id,
    reference: refs.city,
  });
  const ascCase = await buildCase(db, {
    authorityId: county.id,
    serviceId: asc.id,
    teamId: ascTeam.id,
    customerId: customer.id,
    reference: refs.asc,
  });
  await buildInteraction(db, {
    authorityId: county.id,
    customerId: customer.id,
    serviceId: asc.id,
    caseId: ascCase.id,
    summary: 'Discussed care package',
    occurredAt: new Date('2026-11-20T09:00:00Z'),
  });
  for (let i = 0; i < 24; i++)
    await buildInteraction(db, {
      authorityId: county.id,
      customerId: customer.id,
      serviceId: blueBadge.id,
      summary: `Blue badge call ${i}`,
      occurredAt: new Date(Date.UTC(2026, 9, 1 + i, 12)),
      agentId: agent.id,
    });
  agentBrowser = await signedIn(t.app, agent);
});
after(() => t.close());

async function auditRows(actorId: string, action: string, recordId: string) {
  return t.database.db
    .selectFrom('audit_log')
    .select(['outcome', 'details'])
    .where('actor_id', '=', actorId)
    .where('action', '=', action)
    .where('record_id', '=', recordId)
    .execute();
}

void describe('single view of the customer', () => {
  void test('issue 12 item 3: a status has one staff label on the queue, the case page and the customer view, and the resident label where residents read it', async () => {
    const db = t.database.db;
    const team = await buildTeam(db, county.id, { name: 'Blue badges' });
    const service = await installShippedService(db, {
      authorityId: county.id,
      teamId: team.id,
      slug: 'apply-for-a-blue-badge',
    });
    const applicant = await buildCustomer(db, county.id, { givenName: 'Rosa', familyName: 'Label' });
    const kase = await buildCase(db, {
      authorityId: county.id,
      serviceId: service.id,
      teamId: team.id,
      customerId: applicant.id,
      status: 'under_review',
    });
    const officer = await buildStaff(db, county.id, { roles: ['officer'], teamIds: [team.id] });
    const staff = await signedIn(t.app, officer);
    const rowOf = (html: string) =>
      [...html.matchAll(/<tr[^>]*>((?:(?!<\/tr>)[\s\S])*?)<\/tr>/g)]
        .map((m) => m[1])
        .find((r) => r.includes(kase.reference)) ?? '';
    const queue = rowOf((await staff.get(`/staff/queues?queue=team:${team.id}`)).body);
    const view = rowOf((await staff.get(`/staff/customers/${applicant.id}`)).body);
    const casePage = (await staff.get(`/staff/cases/${kase.id}`)).body;
    assert.match(queue, /Being assessed/);
    assert.match(view, /Being assessed/);
    assert.doesNotMatch(view, /Under review/);
    assert.match(casePage, /Being assessed/);
    assert.doesNotMatch(casePage, /Under review/);

    const { token } = await new SessionStore(db, clock, 30).create('resident', { customerId: applicant.id });
    const resident = new Browser(t.app);
    resident.cookies.set('fd_session', t.app.signCookie(token));
    for (const page of [`/track/requests/${kase.id}`, '/account/requests']) {
      const body = (await resident.get(page)).body;
      assert.match(body, /We are checking your application/, page);
      assert.doesNotMatch(body, /Being assessed|Under review/, page);
    }
  });

  void test('shows identity, contact points, needs, vulnerability at the top and relationships with links', async () => {
    const res = await agentBrowser.get(`/staff/customers/${customer.id}`);
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /<title>Margaret Okafor – Customer – /);
    assert.match(res.body, /data-testid="customer-name">Margaret Okafor</);
    const warning = res.body.indexOf('data-testid="vulnerability"');
    assert.ok(
      warning > 0 && warning < res.body.indexOf('data-testid="cases"'),
      'vulnerability is above the cases',
    );
    assert.match(
      res.body,
      /Vulnerable: Lives alone with dementia\. Consent to share given\. Review by 31 January 2027\./,
    );
    assert.match(res.body, /Communication needs: Large print; Interpreter \(Yoruba\)/);
    assert.match(res.body, /1 May 1940/);
    assert.match(res.body, /margaret@example\.com/);
    assert.match(res.body, /01632 960001/);
    assert.match(res.body, /2 Station Road, Kingsbridge, KB2 3CD/);
    assert.match(
      res.body,
      new RegExp(`Carer[\\s\\S]{0,200}href="/staff/customers/${carer.id}">Tunde Okafor`),
    );
    const carerPage = await agentBrowser.get(`/staff/customers/${carer.id}`);
    assert.match(
      carerPage.body,
      new RegExp(`Cares for[\\s\\S]{0,200}href="/staff/customers/${customer.id}">Margaret Okafor`),
    );
  });

  void test('lists cases across services and both councils, but a restricted service case only to its team', async () => {
    const agentView = await agentBrowser.get(`/staff/customers/${customer.id}`);
    assert.match(agentView.body, new RegExp(refs.county));
    assert.match(agentView.body, new RegExp(refs.city));
    assert.match(agentView.body, new RegExp(city.name));
    assert.match(agentView.body, /Awaiting evidence/);
    assert.doesNotMatch(
      agentView.body,
      new RegExp(refs.asc),
      'the adult social care case is hidden from the contact centre',
    );
    assert.doesNotMatch(agentView.body, /Discussed care package/, 'and so is the contact about it');

    const asc = await signedIn(t.app, ascWorker);
    const ascView = await asc.get(`/staff/customers/${customer.id}`);
    assert.match(ascView.body, new RegExp(refs.asc), 'the adult social care team sees its case');
    assert.match(ascView.body, /Discussed care package/);
  });

  void test('every view writes an audit row', async () => {
    const staff = await buildStaff(t.database.db, county.id, { roles: ['agent'], teamIds: [countyTeam.id] });
    const browser = await signedIn(t.app, staff);
    await browser.get(`/staff/customers/${customer.id}`);
    await browser.get(`/staff/customers/${customer.id}`);
    const rows = await auditRows(staff.id, 'customer.view', customer.id);
    assert.equal(rows.length, 2);
    assert.ok(rows.every((r) => r.outcome === 'ok'));
  });

  void test('the timeline is newest first and paginated by 20', async () => {
    const first = await agentBrowser.get(`/staff/customers/${customer.id}`);
    const items = [...first.body.matchAll(/Blue badge call (\d+)/g)].map((m) => Number(m[1]));
    assert.equal(items.length, 20);
    assert.deepEqual(items.slice(0, 3), [23, 22, 21]);
    assert.match(first.body, /24 contacts, newest first/);
    assert.match(first.body, /govuk-pagination/);
    assert.match(first.body, /Agent Ada/, 'the byline names the agent');
    const second = await agentBrowser.get(`/staff/customers/${customer.id}?page=2`);
    const rest = [...second.body.matchAll(/Blue badge call (\d+)/g)].map((m) => Number(m[1]));
    assert.deepEqual(rest, [3, 2, 1, 0]);
  });

  void test('a merged record redirects to the survivor', async () => {
    const db = t.database.db;
    const dup = await buildCustomer(db, county.id, { givenName: 'Maggie', familyName: 'Okafor' });
    await db.updateTable('customers').set({ merged_into: customer.id }).where('id', '=', dup.id).execute();
    const res = await agentBrowser.get(`/staff/customers/${dup.id}`);
    assert.equal(res.statusCode, 302);
    assert.equal(res.headers.location, `/staff/customers/${customer.id}`);
  });

  void test('unknown ids are 404', async () => {
    assert.equal((await agentBrowser.get(`/staff/customers/${randomUUID()}`)).statusCode, 404);
    assert.equal((await agentBrowser.get('/staff/customers/not-a-uuid')).statusCode, 404);
  });

  void test('a customer of another council with no case there is a 404, and the attempt is audited as denied', async () => {
    const other = await buildAuthority(t.database.db);
    const stranger = await buildCustomer(t.database.db, other.id, {
      givenName: 'Out',
      familyName: 'Ofscope',
    });
    const res = await agentBrowser.get(`/staff/customers/${stranger.id}`);
    assert.equal(res.statusCode, 404);
    assert.doesNotMatch(res.body, /Ofscope/);
    const rows = await auditRows(agent.id, 'customer.view', stranger.id);
    assert.deepEqual(
      rows.map((r) => r.outcome),
      ['denied'],
    );
  });

  void test('a city customer becomes visible to the county once the county has a case for them', async () => {
    const db = t.database.db;
    const cityCustomer = await buildCustomer(db, city.id, { givenName: 'Cyril', familyName: 'Cityman' });
    assert.equal((await agentBrowser.get(`/staff/customers/${cityCustomer.id}`)).statusCode, 404);
    const service = await buildService(db, county.id, countyTeam.id);
    await buildCase(db, {
      authorityId: county.id,
      serviceId: service.id,
      teamId: countyTeam.id,
      customerId: cityCustomer.id,
    });
    assert.equal((await agentBrowser.get(`/staff/customers/${cityCustomer.id}`)).statusCode, 200);
  });

  void test('an auditor can read but not write; the refused write is a 403 and audited as denied', async () => {
    const auditor = await buildStaff(t.database.db, county.id, { roles: ['auditor'] });
    const browser = await signedIn(t.app, auditor);
    const page = await browser.get(`/staff/customers/${customer.id}`);
    assert.equal(page.statusCode, 200);
    assert.doesNotMatch(page.body, /Log a contact/);
    const res = await browser.submit(
      `/staff/customers/${customer.id}`,
      `/staff/customers/${customer.id}/contacts`,
      {
        channel: 'phone',
        summary: 'Should not be saved',
        outcome: 'resolved',
      },
    );
    assert.equal(res.statusCode, 403);
    const rows = await auditRows(auditor.id, 'customer.contact_logged', customer.id);
    assert.deepEqual(
      rows.map((r) => r.outcome),
      ['denied'],
    );
    assert.equal((await browser.get('/staff/customers/new')).statusCode, 403);
  });

  void test('signed-out users are sent to sign in', async () => {
    const stranger = new Browser(t.app);
    const res = await stranger.get(`/staff/customers/${customer.id}`);
    assert.equal(res.statusCode, 302);
    assert.match(String(res.headers.location), /^\/staff\/sign-in\?returnTo=/);
  });
});
