/**
 * Resident accounts without passwords, "Your details" (tell us once) and "Your requests", through the
 * real app (app.inject with a cookie-jar browser) on PGlite, or PostgreSQL with TEST_DATABASE_URL.
 *
 * Codes are read from the `messages` table, as the delivery worker would send them. Parallel-safe: every
 * test makes its own council, customers and cases, and uses unique email addresses.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import type { LightMyRequestResponse } from 'fastify';
import { TestClock } from '../src/platform/clock.ts';
import { withTransaction, type Db } from '../src/platform/db/index.ts';
import { offerToSaveToProfile, profileForPrefill, saveToProfile } from '../src/modules/residents/index.ts';
import {
  buildAuthority,
  buildService,
  buildStaff,
  buildTeam,
  TEST_PASSWORD,
  uniq,
} from './builders/index.ts';
import { Browser, buildTestApp, type TestApp } from './support/app.ts';

let t: TestApp;
let db: Db;
const clock = new TestClock(new Date(Date.now() + 60_000));

before(async () => {
  t = await buildTestApp({ clock });
  db = t.database.db;
  // Resident accounts live in the lead authority: make sure one exists even on an empty database.
  await buildAuthority(db, { kind: 'county' });
});
after(() => t.close());

// ── helpers ────────────────────────────────────────────────────────────────────────────────────────────

const uniqueEmail = () => `${uniq('resident')}@example.com`;

async function latestCode(email: string): Promise<string> {
  const row = await db
    .selectFrom('messages')
    .select(['body', 'template', 'channel'])
    .where('recipient', '=', email)
    .where('template', '=', 'resident.sign_in_code')
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirstOrThrow();
  assert.equal(row.channel, 'email');
  const code = /\n\n(\d{6})\n\n/.exec(row.body)?.[1];
  assert.ok(code, 'the message holds a 6-digit code');
  return code;
}

async function requestCode(browser: Browser, email: string) {
  return browser.submit('/account/sign-in', '/account/sign-in', { email });
}

async function enterCode(browser: Browser, code: string, page = '/account/sign-in/code') {
  return browser.submit(page, page, { code });
}

async function signIn(browser: Browser, email: string) {
  const asked = await requestCode(browser, email);
  assert.equal(asked.statusCode, 303);
  const entered = await enterCode(browser, await latestCode(email));
  assert.equal(entered.statusCode, 303, entered.body.slice(0, 300));
  assert.equal(entered.headers.location, '/account');
  return entered;
}

interface Area {
  authorityId: string;
  teamId: string;
  serviceId: string;
}

async function buildArea(kind: 'county' | 'city' = 'city', definitionFile?: string): Promise<Area> {
  const authority = await buildAuthority(db, { kind });
  const team = await buildTeam(db, authority.id);
  const service = await buildService(db, authority.id, team.id);
  if (definitionFile) {
    const definition: unknown = JSON.parse(
      readFileSync(new URL(`../src/modules/services/definitions/${definitionFile}`, import.meta.url), 'utf8'),
    );
    await db
      .updateTable('services')
      .set({ definition: JSON.stringify(definition), name: (definition as { name: string }).name })
      .where('id', '=', service.id)
      .execute();
  }
  return { authorityId: authority.id, teamId: team.id, serviceId: service.id };
}

async function buildResident(
  area: Area,
  email: string,
  options: { verified?: boolean; phone?: string } = {},
) {
  const customer = await db
    .insertInto('customers')
    .values({
      authority_id: area.authorityId,
      given_name: 'Priya',
      family_name: 'Shah',
      search_name: 'priya shah',
      preferred_channel: 'email',
      communication_needs: JSON.stringify(['hearing_loop']),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('contact_points')
    .values({
      authority_id: area.authorityId,
      customer_id: customer.id,
      kind: 'email',
      value: email,
      normalised: email,
      is_primary: true,
      verified_at: options.verified === false ? null : clock.now(),
    })
    .execute();
  if (options.phone)
    await db
      .insertInto('contact_points')
      .values({
        authority_id: area.authorityId,
        customer_id: customer.id,
        kind: 'phone',
        value: options.phone,
        normalised: options.phone,
        is_primary: true,
      })
      .execute();
  return customer.id;
}

async function buildCase(
  area: Area,
  customerId: string | null,
  options: { status?: string; closed?: boolean; representativeId?: string } = {},
) {
  return db
    .insertInto('cases')
    .values({
      authority_id: area.authorityId,
      reference: `R-${randomUUID().slice(0, 8).toUpperCase()}`,
      service_id: area.serviceId,
      customer_id: customerId,
      representative_id: options.representativeId ?? null,
      status: options.status ?? 'received',
      origin_channel: 'web',
      team_id: area.teamId,
      received_at: clock.now(),
      closed_at: options.closed ? clock.now() : null,
    })
    .returning(['id', 'reference'])
    .executeTakeFirstOrThrow();
}

const eventsOf = (caseId: string) =>
  db.selectFrom('case_events').selectAll().where('case_id', '=', caseId).orderBy('created_at').execute();

async function customerByEmail(email: string) {
  return db
    .selectFrom('contact_points')
    .select(['customer_id', 'verified_at', 'is_primary'])
    .where('kind', '=', 'email')
    .where('normalised', '=', email)
    .execute();
}

/** The form as the details page would submit it, with some fields changed. */
async function detailsForm(browser: Browser, overrides: Record<string, string> = {}) {
  const page = await browser.get('/account/details');
  assert.equal(page.statusCode, 200);
  const value = (id: string) =>
    new RegExp(`id="${id}" name="${id}"[^>]*value="([^"]*)"`).exec(page.body)?.[1]?.replace(/&#39;/g, "'") ??
    '';
  const channel =
    /name="preferredChannel" type="radio" value="(\w+)" checked/.exec(page.body)?.[1] ?? 'email';
  const language =
    /<option value="(\w+)" selected[ >]/.exec(page.body.split('id="language"')[1] ?? '')?.[1] ?? 'en';
  return {
    givenName: value('givenName'),
    familyName: value('familyName'),
    email: value('email'),
    phone: value('phone'),
    addressLine1: value('addressLine1'),
    addressLine2: value('addressLine2'),
    addressTown: value('addressTown'),
    addressPostcode: value('addressPostcode'),
    preferredChannel: channel,
    language,
    ...overrides,
  };
}

async function postRaw(browser: Browser, url: string, body: string): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method: 'POST',
    url,
    remoteAddress: browser.remoteAddress,
    payload: body,
    headers: {
      cookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      'content-type': 'application/x-www-form-urlencoded',
    },
  });
}

function csrfOf(html: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  assert.ok(token);
  return token;
}

// ── sign in by code ────────────────────────────────────────────────────────────────────────────────────

void describe('signing in with a code sent by email', () => {
  void test('a new address: code by email, then an account with a verified email address and a session', async () => {
    const browser = new Browser(t.app);
    const email = uniqueEmail();
    const start = await browser.get('/account/sign-in');
    assert.equal(start.statusCode, 200);
    assert.match(start.body, /<h1 class="govuk-heading-l">Sign in to your council account<\/h1>/);
    assert.doesNotMatch(start.body, /One Login/, 'One Login only when configured');

    const asked = await requestCode(browser, email.toUpperCase());
    assert.equal(asked.statusCode, 303);
    assert.equal(asked.headers.location, '/account/sign-in/code');
    const codePage = await browser.get('/account/sign-in/code');
    assert.match(codePage.body, new RegExp(`We have sent a code to ${email.replace('.', '\\.')}`));

    const message = await db
      .selectFrom('messages')
      .selectAll()
      .where('recipient', '=', email)
      .executeTakeFirstOrThrow();
    assert.equal(message.subject, 'Your sign in code');
    assert.match(message.body, /The code expires in 15 minutes/);
    const stored = await db
      .selectFrom('resident_codes')
      .selectAll()
      .where('email_normalised', '=', email)
      .executeTakeFirstOrThrow();
    const code = await latestCode(email);
    assert.ok(!stored.code_hash.includes(code), 'only a hash of the code is stored');
    assert.equal(stored.expires_at.getTime() - stored.created_at.getTime(), 15 * 60_000);

    assert.deepEqual(await customerByEmail(email), [], 'no account until the code is entered');
    const entered = await enterCode(browser, code);
    assert.equal(entered.statusCode, 303);
    assert.equal(entered.headers.location, '/account');
    const accounts = await customerByEmail(email);
    assert.equal(accounts.length, 1);
    assert.ok(accounts[0].verified_at, 'the email address is verified');

    const account = await browser.get('/account');
    assert.equal(account.statusCode, 200);
    assert.match(account.body, /Your account/);
    assert.match(account.body, new RegExp(`Signed in as ${email.replace('.', '\\.')}`));
    assert.match(account.body, /href="\/account\/requests"/);
    assert.match(account.body, /href="\/account\/details"/);
    const audits = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'resident.sign_in')
      .where('actor_id', '=', accounts[0].customer_id)
      .execute();
    assert.equal(audits.length, 1);
    assert.equal(audits[0].details.accountCreated, true);
  });

  void test('a resident with a verified email address signs in to their own record; an unverified match is not used', async () => {
    const area = await buildArea();
    const email = uniqueEmail();
    const customerId = await buildResident(area, email);
    const browser = new Browser(t.app);
    await signIn(browser, email);
    const account = await browser.get('/account');
    assert.match(account.body, /Signed in as Priya Shah/);
    assert.equal((await customerByEmail(email)).length, 1, 'no second account');
    const audit = await db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'resident.sign_in')
      .where('actor_id', '=', customerId)
      .executeTakeFirstOrThrow();
    assert.equal(audit.details.accountCreated, false);

    // Someone typed this address into a form once (not verified): proving control of it now does not
    // open that record, it makes a new account.
    const typed = uniqueEmail();
    const unverified = await buildResident(area, typed, { verified: false });
    await signIn(new Browser(t.app), typed);
    const owners = (await customerByEmail(typed)).map((r) => r.customer_id);
    assert.equal(owners.length, 2);
    assert.ok(owners.includes(unverified));
  });

  void test('a code works once', async () => {
    const email = uniqueEmail();
    const browser = new Browser(t.app);
    await requestCode(browser, email);
    const code = await latestCode(email);
    const pending = browser.cookies.get('fd_account_code');
    assert.equal((await enterCode(browser, code)).statusCode, 303);
    // Sign out and replay the same code with the same pending-code cookie.
    await browser.submit('/account', '/account/sign-out', {});
    browser.cookies.set('fd_account_code', pending!);
    const again = await enterCode(browser, code);
    assert.equal(again.statusCode, 400);
    assert.match(again.body, /You have already used that code/);
    assert.equal((await browser.get('/account')).statusCode, 303, 'not signed in');
  });

  void test('a code expires after 15 minutes', async () => {
    const email = uniqueEmail();
    const browser = new Browser(t.app);
    await requestCode(browser, email);
    const code = await latestCode(email);
    clock.advance(15 * 60_000);
    const late = await enterCode(browser, code);
    assert.equal(late.statusCode, 400);
    assert.match(late.body, /The code has expired/);
    assert.match(late.body, /<title>Error: /);
    assert.match(late.body, /data-testid="new-code"/);

    // One second before expiry still works.
    const browser2 = new Browser(t.app);
    const email2 = uniqueEmail();
    await requestCode(browser2, email2);
    const code2 = await latestCode(email2);
    clock.advance(15 * 60_000 - 1000);
    assert.equal((await enterCode(browser2, code2)).statusCode, 303);
  });

  void test('after 5 wrong codes the code stops working, even the right one', async () => {
    const email = uniqueEmail();
    const browser = new Browser(t.app);
    await requestCode(browser, email);
    const code = await latestCode(email);
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 1; i <= 4; i += 1) {
      const res = await enterCode(browser, wrong);
      assert.equal(res.statusCode, 400);
      assert.match(res.body, /The code is not correct/);
    }
    const fifth = await enterCode(browser, wrong);
    assert.match(fifth.body, /You have entered the wrong code too many times/);
    const right = await enterCode(browser, code);
    assert.equal(right.statusCode, 400);
    assert.match(right.body, /You have entered the wrong code too many times/);
    assert.equal((await customerByEmail(email)).length, 0);

    const malformed = await enterCode(browser, '12ab');
    assert.match(malformed.body, /The code must be 6 numbers/);
  });

  void test('at most 3 codes per email address, and per IP address, in 15 minutes', async () => {
    const email = uniqueEmail();
    const first = new Browser(t.app);
    for (let i = 0; i < 3; i += 1) assert.equal((await requestCode(first, email)).statusCode, 303);
    const fourth = await requestCode(first, email);
    assert.equal(fourth.statusCode, 429);
    assert.match(fourth.body, /You have asked for too many codes/);
    // From another address too: the limit is per email address.
    assert.equal((await requestCode(new Browser(t.app), email)).statusCode, 429);

    // Per IP address: one browser asking for codes for many addresses.
    const spray = new Browser(t.app);
    for (let i = 0; i < 3; i += 1) assert.equal((await requestCode(spray, uniqueEmail())).statusCode, 303);
    assert.equal((await requestCode(spray, uniqueEmail())).statusCode, 429);

    clock.advance(15 * 60_000 + 1000);
    assert.equal((await requestCode(first, email)).statusCode, 303, 'allowed again after 15 minutes');
    assert.equal((await requestCode(spray, uniqueEmail())).statusCode, 303);
  });

  void test('no account enumeration: known and unknown addresses get the same responses', async () => {
    const area = await buildArea();
    const known = uniqueEmail();
    await buildResident(area, known);
    const unknown = uniqueEmail();
    // Same length, so the pages can be compared byte for byte after swapping the address.
    assert.equal(known.length, unknown.length);

    const responses = [];
    for (const email of [known, unknown]) {
      const browser = new Browser(t.app);
      const posted = await requestCode(browser, email);
      const page = await browser.get('/account/sign-in/code');
      responses.push({ email, posted, page });
    }
    const [a, b] = responses;
    assert.equal(a.posted.statusCode, b.posted.statusCode);
    assert.equal(a.posted.headers.location, b.posted.headers.location);
    assert.deepEqual(Object.keys(a.posted.headers).sort(), Object.keys(b.posted.headers).sort());
    assert.equal(a.posted.body, b.posted.body);
    const mask = (html: string, email: string) =>
      html
        .replaceAll(email, 'EMAIL')
        .replace(/name="_csrf" value="[^"]+"/g, '_csrf')
        .replace(/data-csrf="[^"]+"/g, '')
        .replace(/nonce="[^"]+"/g, 'nonce');
    assert.equal(mask(a.page.body, a.email), mask(b.page.body, b.email));

    const messages = await db
      .selectFrom('messages')
      .select(['recipient', 'customer_id', 'subject', 'body'])
      .where('recipient', 'in', [known, unknown])
      .execute();
    assert.equal(messages.length, 2);
    assert.deepEqual(
      messages.map((m) => m.customer_id),
      [null, null],
      'the code is sent to the address typed, never looked up',
    );
    assert.equal(
      messages[0].body.replace(/\d{6}/, 'CODE'),
      messages[1].body.replace(/\d{6}/, 'CODE'),
      'the same email either way',
    );
  });

  void test('signing out ends the session', async () => {
    const browser = new Browser(t.app);
    await signIn(browser, uniqueEmail());
    const out = await browser.submit('/account', '/account/sign-out', {});
    assert.equal(out.statusCode, 303);
    assert.equal(out.headers.location, '/account/sign-in?signedOut=1');
    assert.match((await browser.get('/account/sign-in?signedOut=1')).body, /You have signed out/);
    const again = await browser.get('/account');
    assert.equal(again.statusCode, 303);
    assert.equal(again.headers.location, '/account/sign-in');
  });

  void test('account pages need a resident session; a staff session does not count', async () => {
    const visitor = new Browser(t.app);
    for (const path of [
      '/account',
      '/account/details',
      '/account/requests',
      '/account/details/confirm-email',
    ]) {
      const res = await visitor.get(path);
      assert.equal(res.statusCode, 303, path);
      assert.equal(res.headers.location, '/account/sign-in');
    }
    const start = await visitor.get('/account/sign-in');
    const post = await visitor.post('/account/details', { _csrf: csrfOf(start.body), givenName: 'Mallory' });
    assert.equal(post.statusCode, 303);

    const area = await buildArea();
    const staff = await buildStaff(db, area.authorityId);
    const staffBrowser = new Browser(t.app);
    await staffBrowser.submit('/staff/sign-in', '/staff/sign-in', {
      email: staff.email,
      password: TEST_PASSWORD,
    });
    assert.equal((await staffBrowser.get('/account')).statusCode, 303);
  });

  void test('the code page without a pending code goes back to the start', async () => {
    const res = await new Browser(t.app).get('/account/sign-in/code');
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/account/sign-in');
  });
});

// ── your details ───────────────────────────────────────────────────────────────────────────────────────

void describe('Your details: tell us once', () => {
  void test('issue 12 item 25: each language is named in itself with its own lang (and dir for right-to-left scripts)', async () => {
    const area = await buildArea('county');
    const email = uniqueEmail();
    await buildResident(area, email);
    const browser = new Browser(t.app);
    await signIn(browser, email);
    const page = (await browser.get('/account/details')).body;
    assert.match(page, /<option value="cy"[^>]* lang="cy"[^>]*>Cymraeg<\/option>/);
    assert.match(page, /<option value="ur"[^>]* lang="ur" dir="rtl"[^>]*>اردو<\/option>/);
    assert.match(page, /<option value="pl"[^>]* lang="pl"[^>]*>Polski<\/option>/);
    // No language name in another script is left without its own lang attribute.
    for (const option of page.matchAll(/<option value="([a-z]+)"([^>]*)>([^<]+)<\/option>/g))
      assert.match(option[2], new RegExp(`lang="${option[1]}"`), `option ${option[3]}`);
  });

  void test('changing a phone number updates all open cases in one transaction, visible on their timelines', async () => {
    const county = await buildArea('county');
    const city = await buildArea('city');
    const email = uniqueEmail();
    const customerId = await buildResident(county, email, { phone: '+447700900100' });
    const open1 = await buildCase(county, customerId);
    const open2 = await buildCase(city, customerId, { status: 'in_progress' });
    const closed = await buildCase(county, customerId, { closed: true });
    const someoneElse = await buildResident(county, uniqueEmail());
    const theirs = await buildCase(county, someoneElse);
    const asRepresentative = await buildCase(city, someoneElse, { representativeId: customerId });

    const browser = new Browser(t.app);
    await signIn(browser, email);
    const page = await browser.get('/account/details');
    assert.match(page.body, /value="07700 900100"/, 'the phone number as people write it');
    const res = await browser.post('/account/details', {
      ...(await detailsForm(browser, { phone: '07700 900 555' })),
      _csrf: csrfOf(page.body),
    });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/account?saved=details');
    assert.match((await browser.get('/account?saved=details')).body, /Your details have been updated/);

    const phones = await db
      .selectFrom('contact_points')
      .select(['value', 'normalised'])
      .where('customer_id', '=', customerId)
      .where('kind', '=', 'phone')
      .execute();
    assert.deepEqual(phones, [{ value: '+447700900555', normalised: '+447700900555' }]);

    const changedAt = clock.now().getTime();
    for (const c of [open1, open2, asRepresentative]) {
      const events = await eventsOf(c.id);
      assert.equal(events.length, 1, `one event on ${c.reference}`);
      const [event] = events;
      assert.equal(event.kind, 'customer_details_changed');
      assert.equal(event.visible_to_customer, false);
      assert.deepEqual(event.data, { fields: ['phone'] });
      assert.equal(event.actor_customer_id, customerId);
      assert.equal(event.created_at.getTime(), changedAt);
      assert.doesNotMatch(
        `${event.body ?? ''} ${JSON.stringify(event.data)}`,
        /7700|555/,
        'which fields, not values',
      );
    }
    assert.equal((await eventsOf(closed.id)).length, 0, 'closed cases are left alone');
    assert.equal((await eventsOf(theirs.id)).length, 0, "another resident's case is left alone");
    const touched = await db
      .selectFrom('cases')
      .select(['id', 'updated_at'])
      .where('id', 'in', [open1.id, open2.id])
      .execute();
    assert.ok(touched.every((c) => c.updated_at.getTime() === changedAt));
    const audit = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'customer.details_changed')
      .where('record_id', '=', customerId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(audit.details, { fields: ['phone'], cases: 3 });

    // Saving again without changes records nothing more.
    const same = await browser.get('/account/details');
    await browser.post('/account/details', { ...(await detailsForm(browser)), _csrf: csrfOf(same.body) });
    assert.equal((await eventsOf(open1.id)).length, 1);
  });

  void test('a failure part-way through the cases rolls back every change', async () => {
    const area = await buildArea('county');
    const email = uniqueEmail();
    const customerId = await buildResident(area, email, { phone: '+447700900200' });
    const first = await buildCase(area, customerId);
    const second = await buildCase(area, customerId);
    const before = await db
      .selectFrom('customers')
      .select('updated_at')
      .where('id', '=', customerId)
      .executeTakeFirstOrThrow();

    // Make the database refuse the timeline event of the second case (only that case).
    const fn = `fail_case_${second.id.replaceAll('-', '')}`;
    await sql
      .raw(
        `create function ${fn}() returns trigger language plpgsql as $$ begin
           if new.case_id = '${second.id}' then raise exception 'simulated failure'; end if; return new; end $$`,
      )
      .execute(db);
    await sql
      .raw(`create trigger ${fn} before insert on case_events for each row execute function ${fn}()`)
      .execute(db);
    try {
      const browser = new Browser(t.app);
      await signIn(browser, email);
      const page = await browser.get('/account/details');
      const res = await browser.post('/account/details', {
        ...(await detailsForm(browser, { phone: '07700 900 999', givenName: 'Asha' })),
        _csrf: csrfOf(page.body),
      });
      assert.equal(res.statusCode, 500);
    } finally {
      await sql.raw(`drop trigger if exists ${fn} on case_events`).execute(db);
      await sql.raw(`drop function if exists ${fn}()`).execute(db);
    }
    const phones = await db
      .selectFrom('contact_points')
      .select('normalised')
      .where('customer_id', '=', customerId)
      .where('kind', '=', 'phone')
      .execute();
    assert.deepEqual(phones, [{ normalised: '+447700900200' }], 'phone unchanged');
    const after = await db
      .selectFrom('customers')
      .select(['given_name', 'updated_at'])
      .where('id', '=', customerId)
      .executeTakeFirstOrThrow();
    assert.equal(after.given_name, 'Priya', 'name unchanged');
    assert.equal(after.updated_at.getTime(), before.updated_at.getTime());
    assert.equal((await eventsOf(first.id)).length, 0, 'the first case got no event either');
  });

  void test('a bad phone number: GOV.UK error summary, inline error, and every answer kept', async () => {
    const area = await buildArea();
    const email = uniqueEmail();
    const customerId = await buildResident(area, email, { phone: '+447700900300' });
    const kase = await buildCase(area, customerId);
    const browser = new Browser(t.app);
    await signIn(browser, email);
    const page = await browser.get('/account/details');
    const res = await browser.post('/account/details', {
      ...(await detailsForm(browser, { phone: '12345', givenName: 'Priyanka', addressPostcode: 'KB1 2AB' })),
      _csrf: csrfOf(page.body),
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /<title>Error: Your details – /);
    assert.match(res.body, /class="govuk-error-summary"/);
    assert.match(
      res.body,
      /<a href="#phone">Enter a UK phone number, like 07700 900 982 or 01632 960 001<\/a>/,
    );
    assert.match(res.body, /<a href="#addressLine1">Enter the first line of your address<\/a>/);
    assert.match(res.body, /id="phone-error"/);
    assert.match(res.body, /id="phone" name="phone" type="tel"[^>]*value="12345"/);
    assert.match(res.body, /id="givenName" name="givenName" type="text"[^>]*value="Priyanka"/);
    const customer = await db
      .selectFrom('customers')
      .select('given_name')
      .where('id', '=', customerId)
      .executeTakeFirstOrThrow();
    assert.equal(customer.given_name, 'Priya', 'nothing saved');
    assert.equal((await eventsOf(kase.id)).length, 0);
  });

  void test('contact preferences, language and communication needs are saved; needs staff noted are kept', async () => {
    const area = await buildArea();
    const email = uniqueEmail();
    const customerId = await buildResident(area, email);
    const browser = new Browser(t.app);
    await signIn(browser, email);
    const page = await browser.get('/account/details');
    const fields = await detailsForm(browser, {
      phone: '07700900400',
      preferredChannel: 'sms',
      language: 'pl',
      addressLine1: '9 Mill Lane',
      addressTown: 'Kingsbridge',
      addressPostcode: 'kb12ab',
      interpreterLanguage: 'pl',
    });
    const body = new URLSearchParams({ ...fields, _csrf: csrfOf(page.body) });
    body.append('needs', 'large_print');
    body.append('needs', 'interpreter');
    const res = await postRaw(browser, '/account/details', body.toString());
    assert.equal(res.statusCode, 303, res.body.slice(0, 500));
    const customer = await db
      .selectFrom('customers')
      .select(['preferred_channel', 'preferred_language', 'communication_needs'])
      .where('id', '=', customerId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(customer, {
      preferred_channel: 'sms',
      preferred_language: 'pl',
      communication_needs: ['hearing_loop', 'large_print', 'interpreter:pl'],
    });
    const address = await db
      .selectFrom('contact_points')
      .select(['address', 'normalised'])
      .where('customer_id', '=', customerId)
      .where('kind', '=', 'address')
      .executeTakeFirstOrThrow();
    assert.deepEqual(address.address, { line1: '9 Mill Lane', town: 'Kingsbridge', postcode: 'KB1 2AB' });
    assert.equal(address.normalised, '9 MILL LANE KINGSBRIDGE KB12AB');

    // Texts need a mobile number; an interpreter needs a language.
    const again = await browser.get('/account/details');
    const bad = new URLSearchParams({
      ...(await detailsForm(browser, {
        phone: '01632 960 001',
        preferredChannel: 'sms',
        interpreterLanguage: '',
      })),
      _csrf: csrfOf(again.body),
    });
    bad.append('needs', 'interpreter');
    const refused = await postRaw(browser, '/account/details', bad.toString());
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /To get text messages, enter a UK mobile number/);
    assert.match(refused.body, /Select the language you need an interpreter for/);
  });

  void test('a new email address is used only after the code sent to it is entered', async () => {
    const area = await buildArea();
    const oldEmail = uniqueEmail();
    const newEmail = uniqueEmail();
    const customerId = await buildResident(area, oldEmail);
    const kase = await buildCase(area, customerId);
    const browser = new Browser(t.app);
    await signIn(browser, oldEmail);
    const page = await browser.get('/account/details');
    const res = await browser.post('/account/details', {
      ...(await detailsForm(browser, { email: newEmail, givenName: 'Prisha' })),
      _csrf: csrfOf(page.body),
    });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/account/details/confirm-email');
    const confirmPage = await browser.get('/account/details/confirm-email');
    assert.match(confirmPage.body, /Check your new email address/);
    assert.match(confirmPage.body, /We have saved your other changes/);
    assert.deepEqual(
      (await eventsOf(kase.id)).map((e) => e.data),
      [{ fields: ['name'] }],
    );
    assert.deepEqual(await customerByEmail(newEmail), [], 'not used before it is confirmed');

    const confirmed = await enterCode(browser, await latestCode(newEmail), '/account/details/confirm-email');
    assert.equal(confirmed.statusCode, 303);
    assert.equal(confirmed.headers.location, '/account?saved=email');
    const [now] = await customerByEmail(newEmail);
    assert.equal(now.customer_id, customerId);
    assert.ok(now.verified_at && now.is_primary);
    const [old] = await customerByEmail(oldEmail);
    assert.deepEqual([old.verified_at, old.is_primary], [null, false], 'the old address no longer signs in');
    assert.deepEqual(
      (await eventsOf(kase.id)).map((e) => e.data),
      [{ fields: ['name'] }, { fields: ['email'] }],
    );

    // Signing in with the new address reaches the same account.
    const next = new Browser(t.app);
    await signIn(next, newEmail);
    assert.match((await next.get('/account')).body, /Signed in as Prisha Shah/);
    assert.equal((await customerByEmail(newEmail)).length, 1);
  });

  void test('profileForPrefill, offerToSaveToProfile and saveToProfile for the forms engine', async () => {
    const area = await buildArea();
    const email = uniqueEmail();
    const customerId = await buildResident(area, email, { phone: '+447700900600' });
    const kase = await buildCase(area, customerId);
    assert.deepEqual(await profileForPrefill(db, customerId), {
      givenName: 'Priya',
      familyName: 'Shah',
      email,
      phone: '+447700900600',
      address: null,
    });
    assert.equal(await profileForPrefill(db, randomUUID()), null);

    const offer = await offerToSaveToProfile(db, customerId, {
      givenName: 'Priya',
      phone: '+447700900600',
      address: { line1: '2 Station Road', town: 'Lydcote', postcode: 'wx6 2hs' },
    });
    assert.deepEqual(offer, { address: { line1: '2 Station Road', town: 'Lydcote', postcode: 'WX6 2HS' } });

    const result = await withTransaction(db, (trx) =>
      saveToProfile(trx, customerId, offer, { at: clock.now() }),
    );
    assert.deepEqual(result, { changedFields: ['address'], caseIds: [kase.id] });
    assert.deepEqual((await profileForPrefill(db, customerId))?.address, {
      line1: '2 Station Road',
      line2: null,
      town: 'Lydcote',
      postcode: 'WX6 2HS',
    });
    assert.deepEqual(
      await offerToSaveToProfile(db, customerId, {
        address: { line1: '2 Station Road', town: 'Lydcote', postcode: 'WX62HS' },
      }),
      {},
    );
  });
});

// ── your requests ──────────────────────────────────────────────────────────────────────────────────────

void describe('Your requests', () => {
  void test('every request across services and councils, with its status in residents’ words and what happens next', async () => {
    const city = await buildArea('city', 'report-a-missed-bin.json');
    const county = await buildArea('county', 'report-a-road-problem.json');
    const email = uniqueEmail();
    const customerId = await buildResident(city, email);
    const bin = await buildCase(city, customerId, { status: 'return_scheduled' });
    const road = await buildCase(county, customerId, { status: 'received' });
    const done = await buildCase(city, customerId, { status: 'collected', closed: true });
    const other = await buildCase(city, await buildResident(city, uniqueEmail()));

    const browser = new Browser(t.app);
    await signIn(browser, email);
    const res = await browser.get('/account/requests');
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /<h1 class="govuk-heading-l">Your requests<\/h1>/);
    for (const c of [bin, road, done]) assert.match(res.body, new RegExp(c.reference));
    assert.ok(!res.body.includes(other.reference));
    assert.match(res.body, /Our crew will come back to empty it/);
    assert.match(res.body, /Report a missed bin collection/);
    assert.match(res.body, new RegExp(`href="/track/requests/${bin.id}"`));
    assert.match(res.body, /What happens next/);

    const page = await browser.get(`/track/requests/${bin.id}`);
    assert.equal(page.statusCode, 200, 'the request page opens for the signed-in owner');
    assert.match(
      page.body,
      new RegExp(
        `<a class="govuk-link" href="/complaints/new\\?about=${bin.id}" data-testid="complain-link">Complain about this request</a>`,
      ),
    );
    // Signed in: the header offers "Your account" and a sign-out button (a POST with the form token).
    assert.match(page.body, /href="\/account"[^>]*data-testid="nav-account"/);
    assert.doesNotMatch(page.body, /data-testid="nav-sign-in"/);
    assert.match(
      page.body,
      /<form method="post" action="\/account\/sign-out" class="app-nav-form">\s*<input type="hidden" name="_csrf" value="[^"]+">/,
    );
    assert.equal((await browser.get(`/track/requests/${other.id}`)).statusCode, 404);
  });

  void test('a resident viewing their own request is audited as that resident, not anonymous', async () => {
    const city = await buildArea('city', 'report-a-missed-bin.json');
    const email = uniqueEmail();
    const customerId = await buildResident(city, email);
    const bin = await buildCase(city, customerId, { status: 'return_scheduled' });
    const browser = new Browser(t.app);
    await signIn(browser, email);
    const page = await browser.get(`/track/requests/${bin.id}`);
    assert.equal(page.statusCode, 200);
    const rows = await db
      .selectFrom('audit_log')
      .select(['actor_type', 'actor_id', 'outcome', 'record_authority_id'])
      .where('action', '=', 'case.viewed')
      .where('record_id', '=', bin.id)
      .where('request_id', '=', String(page.headers['x-request-id']))
      .execute();
    assert.deepEqual(rows, [
      { actor_type: 'customer', actor_id: customerId, outcome: 'ok', record_authority_id: city.authorityId },
    ]);
  });

  void test('requests made as a guest with the same email address join the account at sign-in, recorded on their timelines', async () => {
    const city = await buildArea('city', 'report-a-missed-bin.json');
    const email = uniqueEmail();
    const guest = async (guestEmail: string | null, guestPhone: string | null = null) => {
      const row = await buildCase(city, null);
      await db
        .updateTable('cases')
        .set({ guest_email: guestEmail, guest_phone: guestPhone, guest_name: 'Priya Shah' })
        .where('id', '=', row.id)
        .execute();
      return row;
    };
    // Typed with capitals and spaces on the form; another person's; a phone-only guest request.
    const mine = await guest(`  ${email.toUpperCase()} `);
    const someoneElses = await guest(uniqueEmail());
    const phoneOnly = await guest(null, '07700 900 982');

    const browser = new Browser(t.app);
    await signIn(browser, email);
    const res = await browser.get('/account/requests');
    assert.match(res.body, new RegExp(mine.reference));
    assert.ok(!res.body.includes(someoneElses.reference));
    assert.ok(!res.body.includes(phoneOnly.reference));
    assert.equal((await browser.get(`/track/requests/${mine.id}`)).statusCode, 200);

    const [account] = await customerByEmail(email);
    const row = await db
      .selectFrom('cases')
      .select(['customer_id', 'guest_email'])
      .where('id', '=', mine.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.customer_id, account.customer_id);
    assert.equal(row.guest_email?.trim(), email.toUpperCase(), 'what the guest typed is kept');
    const linked = (await eventsOf(mine.id)).filter((e) => e.kind === 'customer_linked');
    assert.equal(linked.length, 1);
    assert.equal(linked[0].visible_to_customer, false);
    assert.equal(linked[0].actor_customer_id, account.customer_id);
    for (const c of [someoneElses, phoneOnly]) {
      const other = await db
        .selectFrom('cases')
        .select('customer_id')
        .where('id', '=', c.id)
        .executeTakeFirstOrThrow();
      assert.equal(other.customer_id, null);
    }

    // Signing in again adds nothing twice.
    const again = new Browser(t.app);
    await signIn(again, email);
    assert.equal((await eventsOf(mine.id)).filter((e) => e.kind === 'customer_linked').length, 1);
  });

  void test('a resident with no requests is told so', async () => {
    const browser = new Browser(t.app);
    await signIn(browser, uniqueEmail());
    const res = await browser.get('/account/requests');
    assert.match(res.body, /data-testid="no-requests"/);
  });
});
