import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { buildAuthority, buildService, buildStaff, buildTeam } from './builders/index.ts';
import {
  buildCase,
  buildCustomer,
  buildVulnerability,
  randomReference,
  signedIn,
} from './builders/customers.ts';
import { buildTestApp, type TestApp } from './support/app.ts';
import type { Browser } from './support/app.ts';
import { TestClock } from '../src/platform/clock.ts';
import {
  explainCustomerSearch,
  parseSearchQuery,
  searchCustomers,
  type CustomerScope,
} from '../src/modules/customers/index.ts';

let t: TestApp;
const clock = new TestClock('2026-11-23T10:00:00Z');
let browser: Browser;
let scope: CustomerScope;
let jane: { id: string };
let janeThomas: { id: string };
let reference: string;
let otherAuthorityCustomer: { id: string };
let staffId: string;

/** The customer ids in the order the results table lists them. */
function resultIds(body: string): string[] {
  const table = /data-testid="customer-results"[\s\S]*?<\/table>/.exec(body)?.[0] ?? '';
  return [...table.matchAll(/href="\/staff\/customers\/([0-9a-f-]{36})"/g)].map((m) => m[1]);
}

async function search(q: string): Promise<string[]> {
  const res = await browser.get(`/staff/customers?q=${encodeURIComponent(q)}`);
  assert.equal(res.statusCode, 200, `search ${q}`);
  return resultIds(res.body);
}

before(async () => {
  t = await buildTestApp({ clock });
  const db = t.database.db;
  const county = await buildAuthority(db, { kind: 'county' });
  const city = await buildAuthority(db, { kind: 'city' });
  const team = await buildTeam(db, county.id);
  const cityTeam = await buildTeam(db, city.id);
  const service = await buildService(db, county.id, team.id, { name: 'Blue badge' });
  const cityService = await buildService(db, city.id, cityTeam.id, { name: 'Council tax' });
  const staff = await buildStaff(db, county.id, { roles: ['agent'], teamIds: [team.id] });
  staffId = staff.id;
  scope = { staffId: staff.id, authorityIds: [county.id], teamIds: [team.id] };
  jane = await buildCustomer(db, county.id, {
    givenName: 'Jane',
    familyName: 'Thompson',
    dateOfBirth: '1948-03-14',
    email: 'jane.thompson@example.com',
    phone: '07700 900123',
    address: { line1: '10 Mill Lane', postcode: 'KB1 2AB' },
  });
  janeThomas = await buildCustomer(db, county.id, {
    givenName: 'Jane',
    familyName: 'Thomas',
    dateOfBirth: '1961-07-02',
    phone: '+44 7700 900999',
    address: { line1: '3 Orchard Way', postcode: 'KB9 9ZZ' },
  });
  await buildCustomer(db, county.id, { givenName: 'Bob', familyName: 'Smith', dateOfBirth: '1948-03-14' });
  reference = randomReference();
  await buildCase(db, {
    authorityId: county.id,
    serviceId: service.id,
    teamId: team.id,
    customerId: jane.id,
    reference,
  });
  await buildCase(db, {
    authorityId: city.id,
    serviceId: cityService.id,
    teamId: cityTeam.id,
    customerId: jane.id,
  });
  await buildCase(db, {
    authorityId: county.id,
    serviceId: service.id,
    teamId: team.id,
    customerId: jane.id,
    closedAt: new Date('2026-11-05T10:00:00Z'),
  });
  // An adult social care case the contact centre may not see: not counted in the results.
  const ascTeam = await buildTeam(db, county.id);
  const asc = await buildService(db, county.id, ascTeam.id, { sensitivity: 'restricted' });
  await buildCase(db, { authorityId: county.id, serviceId: asc.id, teamId: ascTeam.id, customerId: jane.id });
  await buildVulnerability(db, { authorityId: county.id, customerId: jane.id });
  // Held by the city only, no county case: out of the county agent's scope.
  otherAuthorityCustomer = await buildCustomer(db, city.id, {
    givenName: 'Jane',
    familyName: 'Thompson',
    phone: '07700 900123',
  });
  browser = await signedIn(t.app, staff);
});
after(() => t.close());

void describe('find a customer', () => {
  void test('the search page has one autofocused search box and the navigation entry', async () => {
    const res = await browser.get('/staff/customers');
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /<h1 class="govuk-heading-l">Find a customer<\/h1>/);
    assert.match(res.body, /<input[^>]+id="q"[^>]+autofocus/);
    assert.match(res.body, /href="\/staff\/customers"[^<]*>\s*(<strong[^>]*>)?Find a customer/);
  });

  void test('a misspelt surname ("Thompsen") finds Thompson', async () => {
    const ids = await search('Thompsen');
    assert.ok(ids.includes(jane.id), 'Jane Thompson is found');
    assert.ok(
      !ids.includes(otherAuthorityCustomer.id),
      'a customer of another council with no case here is not',
    );
    const full = await search('jane thompsen');
    assert.equal(full[0], jane.id, 'the closest name comes first');
  });

  void test('a phone number in any format finds the customer', async () => {
    for (const q of ['07700 900123', '07700900123', '+44 7700 900123', '+447700900123', '(07700) 900-123']) {
      const ids = await search(q);
      assert.equal(ids[0], jane.id, `phone ${q}`);
    }
    assert.equal((await search('07700 900999'))[0], janeThomas.id);
  });

  void test('a postcode with or without the space, in any case, finds the customer', async () => {
    for (const q of ['KB1 2AB', 'KB12AB', 'kb1 2ab', 'kb12ab']) {
      assert.deepEqual(await search(q), [jane.id], `postcode ${q}`);
    }
  });

  void test('an address finds the customer', async () => {
    assert.equal((await search('10 mill lane'))[0], jane.id);
    assert.equal((await search('orchard way'))[0], janeThomas.id);
  });

  void test('a date of birth in any common format finds the customer, and a name narrows it', async () => {
    for (const q of ['14/3/1948', '14/03/1948', '14 March 1948', '14 Mar 1948', '1948-03-14']) {
      const ids = await search(q);
      assert.ok(ids.includes(jane.id), `dob ${q}`);
      assert.equal(ids.length, 2, `dob ${q} finds both people born that day`);
    }
    const narrowed = await search('thompsen 14/3/1948');
    assert.equal(narrowed[0], jane.id, 'name and date of birth together rank Jane first');
    const wrongDate = await search('thompsen 15/3/1948');
    assert.ok(wrongDate.includes(jane.id), 'a mistyped date of birth still finds her by name');
    assert.equal((await search('thompson kb1 2ab'))[0], jane.id, 'name and postcode');
  });

  void test('a case reference finds the customer, tolerant of case and a missing hyphen', async () => {
    for (const q of [
      reference,
      reference.toLowerCase(),
      reference.replace('-', ''),
      reference.replace('-', ' '),
    ]) {
      assert.deepEqual(await search(q), [jane.id], `reference ${q}`);
    }
  });

  void test('an email address finds the customer, exact first', async () => {
    assert.deepEqual((await search('Jane.Thompson@example.com')).slice(0, 1), [jane.id]);
    assert.ok(
      (await search('jane.thomson@example.com')).includes(jane.id),
      'a typo in the email still finds her',
    );
  });

  void test('results show enough to tell people apart: dob, address, masked email, phone, open cases, vulnerability', async () => {
    const res = await browser.get('/staff/customers?q=thompson');
    const row =
      /<tr class="govuk-table__row">(?:(?!<\/tr>)[\s\S])*Thompson(?:(?!<\/tr>)[\s\S])*<\/tr>/.exec(
        res.body,
      )?.[0] ?? '';
    assert.match(row, /14 March 1948/);
    assert.match(row, /10 Mill Lane, Kingsbridge, KB1 2AB/);
    assert.match(row, /j•••n@example\.com/);
    assert.doesNotMatch(row, /jane\.thompson@example\.com/);
    assert.match(row, /07700 900123/);
    assert.match(row, /data-testid="vulnerable-marker"/);
    assert.match(
      row,
      /govuk-table__cell--numeric">2</,
      'two open cases across both councils (the closed and the restricted case are not counted)',
    );
  });

  void test('nothing found says so', async () => {
    const res = await browser.get('/staff/customers?q=zzqqxx');
    assert.match(res.body, /No customers found/);
  });

  void test('merged records are not listed', async () => {
    const db = t.database.db;
    const dup = await buildCustomer(db, scope.authorityIds[0], {
      givenName: 'Jane',
      familyName: 'Thompsonne',
    });
    assert.ok((await search('thompsonne')).includes(dup.id));
    await db.updateTable('customers').set({ merged_into: jane.id }).where('id', '=', dup.id).execute();
    assert.ok(!(await search('thompsonne')).includes(dup.id));
  });

  void test('at most 25 results', async () => {
    const db = t.database.db;
    for (let i = 0; i < 30; i++)
      await buildCustomer(db, scope.authorityIds[0], {
        givenName: `Sam${i}`,
        familyName: 'Pemberton-Quayle',
      });
    const rows = await searchCustomers(db, parseSearchQuery('pemberton-quayle'), scope);
    assert.equal(rows.length, 25);
  });

  void test('each search is audited with the customers shown, not the search terms', async () => {
    await search('07700 900123');
    const row = await t.database.db
      .selectFrom('audit_log')
      .select(['action', 'details'])
      .where('actor_id', '=', staffId)
      .where('action', '=', 'customer.search')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    const details = row.details as { customerIds: string[] };
    assert.deepEqual(details.customerIds, [jane.id]);
    assert.doesNotMatch(JSON.stringify(details), /07700/);
  });

  void test('the name search uses the trigram GIN index', async () => {
    const plans = await t.database.db.transaction().execute(async (trx) => {
      await sql`set local enable_seqscan = off`.execute(trx);
      const name = await explainCustomerSearch(trx, parseSearchQuery('thompsen'), scope);
      const address = await explainCustomerSearch(trx, parseSearchQuery('mill lane'), scope);
      const postcode = await explainCustomerSearch(trx, parseSearchQuery('KB1 2AB'), scope);
      return { name, address, postcode };
    });
    assert.match(JSON.stringify(plans.name.plan), /"Index Name":"customers_search_name_trgm"/);
    for (const plan of [plans.address.plan, plans.postcode.plan]) {
      const json = JSON.stringify(plan);
      assert.doesNotMatch(json, /"Node Type":"Seq Scan","[^}]*"Relation Name":"(contact_points|customers)"/);
      assert.match(json, /"Index Name":"contact_points_normalised_(trgm|idx)"/);
    }
  });
});
