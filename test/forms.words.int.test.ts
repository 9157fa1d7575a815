/**
 * Issue 12 "Words, not codes" on the resident forms: page titles name the service, error messages read as
 * sentences, and a third party's details are never filled in from the applicant's own profile.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { TestClock } from '../src/platform/clock.ts';
import type { Db } from '../src/platform/db/index.ts';
import { SessionStore } from '../src/platform/http/sessions.ts';
import { seedDemoAddresses } from '../src/modules/forms/index.ts';
import { loadServiceDefinitions } from '../src/modules/services/index.ts';
import { buildAuthority, buildTeam } from './builders/index.ts';
import { buildCustomer } from './builders/customers.ts';
import { installShippedService } from './builders/services.ts';
import { Browser, buildTestApp, type TestApp } from './support/app.ts';
import { walkAndSubmit } from './support/form-walk.ts';

let t: TestApp;
let db: Db;
const clock = new TestClock('2026-12-03T10:00:00Z');
let authorityId: string;
let teamId: string;

before(async () => {
  t = await buildTestApp({ clock });
  db = t.database.db;
  await seedDemoAddresses(db);
  authorityId = (await buildAuthority(db)).id;
  teamId = (await buildTeam(db, authorityId)).id;
});
after(() => t.close());

const titleOf = (body: string) =>
  (/<title[^>]*>([\s\S]*?)<\/title>/.exec(body)?.[1] ?? '').replace(/\s+/g, ' ').trim();
const decode = (s: string) =>
  s
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');

test('issue 12 item 18: every page of every service form (questions, check answers, confirmation) has the service in its <title>', async () => {
  for (const definition of loadServiceDefinitions()) {
    const installed = await installShippedService(db, { authorityId, teamId, slug: definition.slug });
    const titles: string[] = [];
    await walkAndSubmit({
      app: t.app,
      db,
      browser: new Browser(t.app),
      definition,
      slug: installed.slug,
      onPage: (_url, body) => {
        titles.push(decode(titleOf(body)));
      },
    });
    assert.ok(titles.length >= 3, `${definition.slug}: walked ${titles.length} pages`);
    for (const title of titles)
      assert.ok(title.includes(`– ${definition.name} –`), `${definition.slug}: "${title}" names the service`);
  }
});

/** A signed-in resident whose profile has a date of birth (14 March 1950). */
async function residentBornIn1950(): Promise<Browser> {
  const customer = await buildCustomer(db, authorityId, {
    email: 'ada@example.com',
    dateOfBirth: '1950-03-14',
  });
  const { token } = await new SessionStore(db, clock, 30).create('resident', { customerId: customer.id });
  const browser = new Browser(t.app);
  browser.cookies.set('fd_session', t.app.signCookie(token));
  return browser;
}

test('issue 12 item 17: "Their date of birth" (Blue Badge, adult social care) is not filled from the applicant\'s profile and has no bday autocomplete', async () => {
  for (const slug of ['apply-for-a-blue-badge', 'adult-social-care-referral']) {
    const installed = await installShippedService(db, { authorityId, teamId, slug });
    const browser = await residentBornIn1950();
    const started = await browser.get(`/services/${installed.slug}/start`);
    const page = await browser.get(String(started.headers.location));
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /date of birth/i, `${slug}: the date of birth question is on the first page`);
    assert.doesNotMatch(page.body, /autocomplete="bday/, `${slug}: no bday autocomplete`);
    assert.doesNotMatch(page.body, /value="1950"/, `${slug}: the applicant's birth year is not filled in`);
    assert.doesNotMatch(page.body, /value="14"/, `${slug}: the applicant's birth day is not filled in`);
  }
  // The applicant's own date of birth is still filled in where it is theirs (older person's bus pass).
  const busPass = await installShippedService(db, {
    authorityId,
    teamId,
    slug: 'apply-for-an-older-persons-bus-pass',
  });
  const browser = await residentBornIn1950();
  const definition = loadServiceDefinitions().find((d) => d.slug === 'apply-for-an-older-persons-bus-pass')!;
  const own = definition.form.pages.find((p) => p.questions.some((q) => q.prefill === 'date_of_birth'))!;
  const started = await browser.get(`/services/${busPass.slug}/start`);
  const base = String(started.headers.location).replace(/\/[^/]+$/, '');
  const page = await browser.get(`${base}/${own.id}`);
  assert.match(page.body, /value="1950"/);
  assert.match(page.body, /autocomplete="bday-year"/);
});
