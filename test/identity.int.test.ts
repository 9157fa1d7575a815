/**
 * Staff sign-in hardening (issue 10, items 4, 7 and 8):
 * - a lock-out ends by itself (moved with a TestClock), lasts longer each time it repeats, is announced
 *   to the account holder by email, and an administrator can end it from the staff list;
 * - the sign-in page states the configured attempt limit and lock period;
 * - `npm run admin -- create` (runAdminCli) gives a one-time, expiring set-password link that enforces the
 *   password policy;
 * - the CSRF token is bound to the session: a token paired with a planted cookie does not work;
 * - signed-in and API responses carry `Cache-Control: no-store`; anonymous catalogue pages do not.
 *
 * Runs on PGlite by default and on PostgreSQL when TEST_DATABASE_URL is set; each test builds its own council.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TestClock } from '../src/platform/clock.ts';
import { runAdminCli } from '../src/modules/identity/index.ts';
import { SessionStore } from '../src/platform/http/sessions.ts';
import { SESSION_COOKIE } from '../src/platform/http/sessions.ts';
import { buildAuthority, buildService, buildStaff, buildTeam, TEST_PASSWORD } from './builders/index.ts';
import { buildCustomer, signedIn } from './builders/customers.ts';
import { Browser, buildTestApp, type TestApp } from './support/app.ts';

let t: TestApp;
const clock = new TestClock('2026-12-01T10:00:00Z');

before(async () => {
  t = await buildTestApp({
    clock,
    env: { SIGN_IN_MAX_FAILURES: '3', SIGN_IN_LOCK_MINUTES: '10', SESSION_IDLE_MINUTES: '2000' },
  });
});
after(() => t.close());

const signIn = (browser: Browser, email: string, password: string) =>
  browser.submit('/staff/sign-in', '/staff/sign-in', { email, password });

async function lockOut(email: string): Promise<void> {
  const browser = new Browser(t.app);
  for (let i = 0; i < 3; i++) await signIn(browser, email, 'wrong password');
}

const staffRow = (id: string) =>
  t.database.db
    .selectFrom('staff_users')
    .select(['locked_until', 'lockout_count', 'failed_sign_ins'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();

const messagesTo = (email: string) =>
  t.database.db
    .selectFrom('messages')
    .select(['template', 'recipient', 'subject', 'body', 'status'])
    .where('recipient', '=', email)
    .orderBy('created_at')
    .execute();

const csrfOf = (body: string) => /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? '';

void describe('staff lock-out', () => {
  void test('the sign-in page states the configured attempt limit and lock period', async () => {
    const page = await new Browser(t.app).get('/staff/sign-in');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /After 3 wrong attempts in a row your account is locked for 10 minutes/);
    assert.doesNotMatch(page.body, /After 5 wrong attempts/);
  });

  void test('a lock-out ends by itself after the configured period (moved with the clock)', async () => {
    const authority = await buildAuthority(t.database.db);
    const staff = await buildStaff(t.database.db, authority.id);
    const browser = new Browser(t.app);
    await signIn(browser, staff.email, 'wrong password');
    await signIn(browser, staff.email, 'wrong password');
    const third = await signIn(browser, staff.email, 'wrong password');
    assert.match(third.body, /Your account is locked after too many wrong attempts\. Try again after/);

    const locked = await signIn(browser, staff.email, TEST_PASSWORD);
    assert.equal(locked.statusCode, 401, 'locked: the right password is refused');
    clock.advance(9 * 60_000);
    assert.equal(
      (await signIn(browser, staff.email, TEST_PASSWORD)).statusCode,
      401,
      'still locked at 9 min',
    );
    clock.advance(60_000 + 1);
    const ok = await signIn(browser, staff.email, TEST_PASSWORD);
    assert.equal(ok.statusCode, 302, 'the lock has ended at 10 minutes');
    assert.equal((await browser.get('/staff')).statusCode, 200);
    const row = await staffRow(staff.id);
    assert.deepEqual([row.locked_until, row.lockout_count, row.failed_sign_ins], [null, 0, 0]);
  });

  void test('each repeated lock-out lasts twice as long, and a wrong password after one ends starts a fresh count', async () => {
    const authority = await buildAuthority(t.database.db);
    const staff = await buildStaff(t.database.db, authority.id);
    const lockedFor = async () => {
      const row = await staffRow(staff.id);
      return (row.locked_until!.getTime() - clock.now().getTime()) / 60_000;
    };
    await lockOut(staff.email);
    assert.equal(await lockedFor(), 10);
    clock.advance(10 * 60_000 + 1);
    const browser = new Browser(t.app);
    const first = await signIn(browser, staff.email, 'wrong password');
    assert.match(first.body, /Enter a correct email address and password/, 'a fresh set of attempts');
    await signIn(browser, staff.email, 'wrong password');
    await signIn(browser, staff.email, 'wrong password');
    assert.equal(Math.round(await lockedFor()), 20, 'the second lock-out in a row lasts 20 minutes');
    clock.advance(20 * 60_000 + 1);
    await lockOut(staff.email);
    assert.equal(Math.round(await lockedFor()), 40);
    assert.equal((await staffRow(staff.id)).lockout_count, 3);
  });

  void test('the account holder is emailed (through the outbox) when the account locks', async () => {
    const authority = await buildAuthority(t.database.db);
    const staff = await buildStaff(t.database.db, authority.id);
    await lockOut(staff.email);
    const messages = await messagesTo(staff.email);
    assert.equal(messages.length, 1);
    assert.equal(messages[0].template, 'staff.account_locked');
    assert.equal(messages[0].status, 'queued');
    assert.match(messages[0].body, /wrong password for your Frontdoor staff account 3 times/);
    const jobs = await t.database.db
      .selectFrom('outbox')
      .select('id')
      .where('topic', '=', 'notifications.send')
      .where('authority_id', '=', authority.id)
      .execute();
    assert.equal(jobs.length, 1, 'delivered by the worker, not in the request');
  });

  void test('a lock-out does not end a session already signed in', async () => {
    const authority = await buildAuthority(t.database.db);
    const staff = await buildStaff(t.database.db, authority.id);
    const browser = await signedIn(t.app, staff);
    await lockOut(staff.email);
    assert.equal((await browser.get('/staff')).statusCode, 200);
  });

  void test('an administrator sees locked accounts of their council and unlocks one; the holder is emailed', async () => {
    const authority = await buildAuthority(t.database.db);
    const admin = await buildStaff(t.database.db, authority.id, { roles: ['admin'], name: 'Alex Admin' });
    const staff = await buildStaff(t.database.db, authority.id, { name: 'Lee Locked' });
    const other = await buildAuthority(t.database.db);
    const outsider = await buildStaff(t.database.db, other.id, { name: 'Olly Other' });
    await lockOut(staff.email);
    await lockOut(outsider.email);

    const browser = await signedIn(t.app, admin);
    const list = await browser.get('/staff/admin/staff');
    assert.equal(list.statusCode, 200);
    assert.match(list.body, /Lee Locked/);
    assert.doesNotMatch(list.body, /Olly Other/, 'only the administrator’s own council');
    assert.match(list.body, /Locked<\/strong> until/);
    assert.match(list.body, new RegExp(`action="/staff/admin/staff/${staff.id}/unlock"`));
    assert.match(list.body, /href="\/staff\/admin\/staff"/, 'in the staff navigation');

    // Another council's account is not found, and stays locked.
    const foreign = await browser.post(`/staff/admin/staff/${outsider.id}/unlock`, {
      _csrf: csrfOf(list.body),
    });
    assert.equal(foreign.statusCode, 404);
    assert.ok((await staffRow(outsider.id)).locked_until);

    const unlocked = await browser.post(`/staff/admin/staff/${staff.id}/unlock`, {
      _csrf: csrfOf(list.body),
    });
    assert.equal(unlocked.statusCode, 303);
    assert.equal(unlocked.headers.location, '/staff/admin/staff?unlocked=1');
    assert.match((await browser.get('/staff/admin/staff?unlocked=1')).body, /Account unlocked/);
    assert.equal((await signIn(new Browser(t.app), staff.email, TEST_PASSWORD)).statusCode, 302);

    const messages = await messagesTo(staff.email);
    assert.deepEqual(
      messages.map((m) => m.template),
      ['staff.account_locked', 'staff.account_unlocked'],
    );
    assert.match(messages[1].body, /Alex Admin has unlocked your Frontdoor staff account/);
    const audits = await t.database.db
      .selectFrom('audit_log')
      .select(['actor_id', 'record_id'])
      .where('action', '=', 'staff.unlocked')
      .where('record_id', '=', staff.id)
      .execute();
    assert.deepEqual(audits, [{ actor_id: admin.id, record_id: staff.id }]);
  });

  void test('staff without the staff:manage permission cannot open the staff list or unlock', async () => {
    const authority = await buildAuthority(t.database.db);
    const agent = await buildStaff(t.database.db, authority.id, { roles: ['agent'] });
    const staff = await buildStaff(t.database.db, authority.id);
    await lockOut(staff.email);
    const browser = await signedIn(t.app, agent);
    assert.equal((await browser.get('/staff/admin/staff')).statusCode, 403);
    const home = await browser.get('/staff');
    const res = await browser.post(`/staff/admin/staff/${staff.id}/unlock`, { _csrf: csrfOf(home.body) });
    assert.equal(res.statusCode, 403);
    assert.ok((await staffRow(staff.id)).locked_until);
  });
});

void describe('first administrator: one-time set-password link', () => {
  async function createAdmin(authority: string, email: string): Promise<string> {
    const lines: string[] = [];
    await runAdminCli(
      ['create', '--email', email, '--authority', authority, '--name', 'Sam First'],
      { db: t.database.db, clock, publicUrl: 'https://frontdoor.example.gov.uk' },
      (line) => lines.push(line),
    );
    const url = /https:\/\/frontdoor\.example\.gov\.uk(\/staff\/set-password\/[A-Za-z0-9_-]+)/.exec(
      lines.join('\n'),
    );
    assert.ok(url, `a link is printed:\n${lines.join('\n')}`);
    return url[1];
  }

  void test('the link sets a password that meets the policy, signs in as an administrator, and works once', async () => {
    const authority = await buildAuthority(t.database.db);
    const email = `first-${Date.now()}@test.example.gov.uk`;
    const path = await createAdmin(authority.code, email);
    const browser = new Browser(t.app);
    const page = await browser.get(path);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Set your password/);
    assert.equal(page.headers['cache-control'], 'no-store');
    assert.equal(page.headers['referrer-policy'], 'no-referrer');
    assert.equal(
      (await signIn(new Browser(t.app), email, 'anything at all')).statusCode,
      401,
      'no password yet',
    );

    const short = await browser.submit(path, path, { password: 'short', confirm: 'short' });
    assert.equal(short.statusCode, 400);
    assert.match(short.body, /href="#password">Password must be 12 characters or more/);
    const common = await browser.submit(path, path, { password: 'password1234', confirm: 'password1234' });
    assert.match(common.body, /Choose a password that is harder to guess/);
    const mismatch = await browser.submit(path, path, {
      password: 'kettle river pencil',
      confirm: 'kettle river pencils',
    });
    assert.match(mismatch.body, /href="#confirm">The passwords do not match/);

    const done = await browser.submit(path, path, {
      password: 'kettle river pencil',
      confirm: 'kettle river pencil',
    });
    assert.equal(done.statusCode, 303);
    assert.equal(done.headers.location, '/staff/sign-in?passwordSet=1');
    const row = await t.database.db
      .selectFrom('staff_users')
      .select(['password_hash', 'roles', 'authority_id'])
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
    assert.match(row.password_hash!, /^\$argon2id\$/);
    assert.deepEqual([row.roles, row.authority_id], [['admin'], authority.id]);

    const admin = new Browser(t.app);
    assert.equal((await signIn(admin, email, 'kettle river pencil')).statusCode, 302);
    assert.equal((await admin.get('/staff/admin/staff')).statusCode, 200);

    const again = await new Browser(t.app).get(path);
    assert.equal(again.statusCode, 404);
    assert.match(again.body, /This link no longer works/);
  });

  void test('the council is found by its name, and the link expires after 24 hours', async () => {
    const authority = await buildAuthority(t.database.db);
    const path = await createAdmin(authority.name.toUpperCase(), `late-${Date.now()}@test.example.gov.uk`);
    clock.advance(24 * 3_600_000 + 1);
    const page = await new Browser(t.app).get(path);
    assert.equal(page.statusCode, 404);
    assert.match(page.body, /This link no longer works/);
  });
});

void describe('CSRF bound to the session', () => {
  void test('a token paired with a cookie the attacker planted does not work with the victim’s session', async () => {
    const authority = await buildAuthority(t.database.db);
    const victimStaff = await buildStaff(t.database.db, authority.id);
    const victim = await signedIn(t.app, victimStaff);
    // The attacker gets a valid cookie + token pair of their own…
    const attacker = new Browser(t.app);
    const page = await attacker.get('/staff/sign-in');
    const attackerToken = csrfOf(page.body);
    // …and plants the cookie in the victim's browser (e.g. from a sibling subdomain).
    victim.cookies.set('fd_csrf', attacker.cookies.get('fd_csrf')!);
    const forged = await victim.post('/staff/availability', { _csrf: attackerToken, available: 'no' });
    assert.equal(forged.statusCode, 403);
    assert.match(forged.body, /Your form was out of date/);

    // The victim's own pages carry the session's token, which works whatever the cookie says.
    const home = await victim.get('/staff');
    const own = await victim.post('/staff/availability', { _csrf: csrfOf(home.body), available: 'no' });
    assert.equal(own.statusCode, 303);
  });

  void test('a token from before sign-in stops working once signed in, and signing out returns to the cookie token', async () => {
    const authority = await buildAuthority(t.database.db);
    const staff = await buildStaff(t.database.db, authority.id);
    const browser = new Browser(t.app);
    const before = csrfOf((await browser.get('/staff/sign-in')).body);
    const res = await browser.post('/staff/sign-in', {
      _csrf: before,
      email: staff.email,
      password: TEST_PASSWORD,
    });
    assert.equal(res.statusCode, 302);
    const stale = await browser.post('/staff/availability', { _csrf: before, available: 'no' });
    assert.equal(stale.statusCode, 403);
    const home = await browser.get('/staff');
    const signedInToken = csrfOf(home.body);
    assert.notEqual(signedInToken, before);
    assert.equal((await browser.post('/staff/sign-out', { _csrf: signedInToken })).statusCode, 302);
    const again = await browser.submit('/staff/sign-in', '/staff/sign-in', {
      email: staff.email,
      password: TEST_PASSWORD,
    });
    assert.equal(again.statusCode, 302, 'signing in again works with the fresh page’s token');
  });
});

void test('a staff form posted after the session timed out goes to sign-in, not a CSRF refusal', async () => {
  const authority = await buildAuthority(t.database.db);
  const staff = await buildStaff(t.database.db, authority.id);
  const browser = await signedIn(t.app, staff);
  const token = csrfOf((await browser.get('/staff')).body);
  clock.advance(2001 * 60_000);
  const res = await browser.post('/staff/availability', { _csrf: token, available: 'no' });
  assert.equal(res.statusCode, 302);
  // Its answers are kept to send after signing in again (issue 12 item 21, test/staff-timeout.int.test.ts).
  assert.equal(res.headers.location, '/staff/sign-in?answersKept=1');
  const row = await t.database.db
    .selectFrom('staff_users')
    .select('available')
    .where('id', '=', staff.id)
    .executeTakeFirstOrThrow();
  assert.equal(row.available, true, 'nothing changed');
});

void describe('Cache-Control: no-store', () => {
  void test('signed-in staff pages and form posts are no-store; anonymous catalogue pages and assets are not', async () => {
    const authority = await buildAuthority(t.database.db);
    const team = await buildTeam(t.database.db, authority.id);
    const service = await buildService(t.database.db, authority.id, team.id);
    const staff = await buildStaff(t.database.db, authority.id);
    const browser = await signedIn(t.app, staff);
    const home = await browser.get('/staff');
    assert.equal(home.headers['cache-control'], 'no-store');
    const notFound = await browser.get('/staff/no-such-page');
    assert.equal(notFound.headers['cache-control'], 'no-store');
    const post = await new Browser(t.app).submit('/staff/sign-in', '/staff/sign-in', {
      email: 'nobody@test.example.gov.uk',
      password: 'x',
    });
    assert.equal(post.headers['cache-control'], 'no-store');

    const anonymous = new Browser(t.app);
    assert.equal((await anonymous.get('/')).headers['cache-control'], undefined);
    assert.equal((await anonymous.get(`/services/${service.slug}`)).headers['cache-control'], undefined);
    const css = await browser.get(t.app.assets.url('staff.css'));
    assert.equal(css.statusCode, 200);
    assert.equal(css.headers['cache-control'], 'public, max-age=31536000, immutable');
  });

  void test('a signed-in resident’s pages are no-store', async () => {
    const authority = await buildAuthority(t.database.db);
    const customer = await buildCustomer(t.database.db, authority.id);
    const { token } = await new SessionStore(t.database.db, clock, 30).create('resident', {
      customerId: customer.id,
    });
    const signed = t.app.signCookie(token);
    const res = await t.app.inject({
      method: 'GET',
      url: '/account',
      headers: { cookie: `${SESSION_COOKIE}=${encodeURIComponent(signed)}` },
    });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['cache-control'], 'no-store');
  });

  void test('API responses are no-store', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/complaints/WX-NOPE' });
    assert.equal(res.statusCode, 401);
    assert.equal(res.headers['cache-control'], 'no-store');
  });
});
