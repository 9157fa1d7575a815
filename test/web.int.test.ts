import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildAuthority, buildService, buildStaff, buildTeam, TEST_PASSWORD } from './builders/index.ts';
import { Browser, buildTestApp, type TestApp } from './support/app.ts';
import { TestClock } from '../src/platform/clock.ts';

let t: TestApp;
const clock = new TestClock('2026-11-23T10:00:00Z');
let authorityId: string;
let teamId: string;
let serviceName: string;
let serviceSlug: string;

before(async () => {
  t = await buildTestApp({ clock, env: { SESSION_IDLE_MINUTES: '20' } });
  const db = t.database.db;
  const authority = await buildAuthority(db);
  authorityId = authority.id;
  teamId = (await buildTeam(db, authority.id, { name: 'Highways' })).id;
  const service = await buildService(db, authority.id, teamId, {
    name: 'Report a zebra crossing fault',
    synonyms: ['belisha beacon'],
    category: 'Roads',
  });
  serviceName = service.name;
  serviceSlug = service.slug;
});
after(() => t.close());

void describe('resident pages', () => {
  void test('home page lists services by category with a search box', async () => {
    const res = await new Browser(t.app).get('/');
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /<h1 class="govuk-heading-xl">Find a council service<\/h1>/);
    assert.match(res.body, new RegExp(`href="/services/${serviceSlug}">${serviceName}`));
    assert.match(res.body, /<html lang="en"/);
    assert.match(res.body, /<title>Find a council service – /);
    assert.match(res.body, /name="q"/);
  });

  void test('search finds a service by a synonym residents use, and offers contact options when nothing matches', async () => {
    const found = await new Browser(t.app).get('/search?q=belisha+beacon');
    assert.equal(found.statusCode, 200);
    assert.match(found.body, new RegExp(serviceName));
    const none = await new Browser(t.app).get('/search?q=xyzzyplugh');
    assert.match(none.body, /We could not find a service/);
    assert.match(none.body, /href="\/contact"/);
  });

  void test('service page shows the summary and what you need', async () => {
    const res = await new Browser(t.app).get(`/services/${serviceSlug}`);
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /your address/);
    assert.match(res.body, /10 working days/);
  });

  void test('unknown pages get a GOV.UK 404 page', async () => {
    const res = await new Browser(t.app).get('/no-such-page');
    assert.equal(res.statusCode, 404);
    assert.match(res.body, /Page not found/);
    const svc = await new Browser(t.app).get('/services/no-such-service');
    assert.equal(svc.statusCode, 404);
  });

  void test('security headers: CSP with nonces and no unsafe-inline, frame-ancestors none', async () => {
    const res = await new Browser(t.app).get('/');
    const csp = String(res.headers['content-security-policy']);
    assert.match(csp, /script-src 'self' 'nonce-[^']+'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(nonce && res.body.includes(`nonce="${nonce}"`), 'inline script carries the nonce');
    // The headers are made once (security-headers.ts); the nonces are new on every response.
    const again = String((await new Browser(t.app).get('/')).headers['content-security-policy']);
    assert.equal(again.replace(/nonce-[0-9a-f]{32}/g, 'nonce'), csp.replace(/nonce-[0-9a-f]{32}/g, 'nonce'));
    assert.notEqual(/'nonce-([^']+)'/.exec(again)?.[1], nonce);
    assert.match(csp, /script-src 'self' 'nonce-[0-9a-f]{32}';.*style-src 'self' 'nonce-[0-9a-f]{32}'/);
  });
});

void describe('portal header', () => {
  void test('anonymous visitors get Sign in and Track a request; no sign-out button', async () => {
    const res = await new Browser(t.app).get('/');
    assert.match(
      res.body,
      /<a class="govuk-service-navigation__link" href="\/account\/sign-in"[^>]*data-testid="nav-sign-in"[^>]*>\s*Sign in/,
    );
    assert.match(res.body, /href="\/track"[^>]*>\s*Track a request/);
    assert.doesNotMatch(res.body, /nav-sign-out/);
    assert.doesNotMatch(res.body, /Your account/);
  });
});

void describe('page cache (anonymous catalogue pages)', () => {
  void test('a cached page gets a fresh CSP nonce and this browser’s CSRF token on every request', async () => {
    const one = new Browser(t.app);
    const two = new Browser(t.app);
    const a = await one.get(`/services/${serviceSlug}`);
    const b = await two.get(`/services/${serviceSlug}`);
    for (const res of [a, b]) {
      assert.equal(res.statusCode, 200);
      const nonce = /'nonce-([^']+)'/.exec(String(res.headers['content-security-policy']))?.[1];
      assert.ok(nonce && res.body.includes(`nonce="${nonce}"`));
      assert.doesNotMatch(res.body, /fdnonce|fdcsrf/, 'no placeholder left');
    }
    const tokenA = /name="_csrf" value="([^"]+)"/.exec(a.body)?.[1];
    const tokenB = /name="_csrf" value="([^"]+)"/.exec(b.body)?.[1];
    assert.ok(tokenA && tokenB && tokenA !== tokenB, 'each browser gets its own form token');
    // A cached page gives the same browser the same token (the one its CSRF cookie signs).
    const page = await two.get(`/services/${serviceSlug}`);
    assert.ok(t.app.pageCache && t.app.pageCache.hits > 0, 'served from the cache');
    const tokenAgain = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
    assert.equal(tokenAgain, tokenB);
  });

  void test('signed-in people never get (or fill) the cache; invalidate() shows catalogue changes at once', async () => {
    const db = t.database.db;
    const extra = await buildService(db, authorityId, teamId, {
      name: 'Report a flooded underpass',
      category: 'Roads',
    });
    t.app.pageCache?.invalidate(); // the home page may be cached by an earlier test (entries live 5 s)
    const before = await new Browser(t.app).get('/');
    assert.match(before.body, /Report a flooded underpass/);
    await db.updateTable('services').set({ active: false }).where('id', '=', extra.id).execute();
    t.app.pageCache?.invalidate();
    const after = await new Browser(t.app).get('/');
    assert.doesNotMatch(after.body, /Report a flooded underpass/);

    // A staff member's page shows their session-dependent parts and is not stored.
    const staff = await buildStaff(db, authorityId, { roles: ['agent'] });
    const browser = new Browser(t.app);
    await browser.submit('/staff/sign-in', '/staff/sign-in', { email: staff.email, password: TEST_PASSWORD });
    const misses = t.app.pageCache?.misses ?? 0;
    const hits = t.app.pageCache?.hits ?? 0;
    await browser.get('/');
    assert.equal(t.app.pageCache?.misses, misses);
    assert.equal(t.app.pageCache?.hits, hits);
  });
});

void describe('CSRF', () => {
  void test('a POST without the form token is refused with a clear page', async () => {
    const browser = new Browser(t.app);
    await browser.get('/staff/sign-in');
    const res = await browser.post('/staff/sign-in', { email: 'a@b.gov.uk', password: 'x' });
    assert.equal(res.statusCode, 403);
    assert.match(res.body, /Your form was out of date/);
  });

  void test('a token from another browser is refused', async () => {
    const a = new Browser(t.app);
    const page = await a.get('/staff/sign-in');
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1];
    const b = new Browser(t.app);
    await b.get('/staff/sign-in');
    const res = await b.post('/staff/sign-in', { _csrf: token, email: 'a@b.gov.uk', password: 'x' });
    assert.equal(res.statusCode, 403);
  });
});

void describe('staff sign-in', () => {
  void test('signs in with a correct password, records an audit row, and signs out', async () => {
    const staff = await buildStaff(t.database.db, authorityId, {
      roles: ['agent'],
      teamIds: [teamId],
      name: 'Priya Shah',
    });
    const browser = new Browser(t.app);
    const res = await browser.submit('/staff/sign-in', '/staff/sign-in', {
      email: staff.email.toUpperCase(),
      password: TEST_PASSWORD,
      returnTo: '/staff',
    });
    assert.equal(res.statusCode, 302);
    assert.equal(res.headers.location, '/staff');
    const home = await browser.get('/staff');
    assert.equal(home.statusCode, 200);
    assert.match(home.body, /Signed in as Priya Shah/);
    assert.match(home.body, /Highways/);
    const audit = await t.database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('actor_id', '=', staff.id)
      .where('action', '=', 'staff.sign_in')
      .execute();
    assert.equal(audit.length, 1);
    assert.equal(audit[0].outcome, 'ok');
    const out = await browser.submit('/staff', '/staff/sign-out', {});
    assert.equal(out.statusCode, 302);
    const after = await browser.get('/staff');
    assert.equal(after.statusCode, 302);
    assert.match(String(after.headers.location), /^\/staff\/sign-in/);
  });

  void test('empty fields get an error summary that links to each field, keeping the email', async () => {
    const browser = new Browser(t.app);
    const res = await browser.submit('/staff/sign-in', '/staff/sign-in', {
      email: 'not-an-email',
      password: '',
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /<title>Error: Sign in/);
    assert.match(res.body, /href="#email">Enter an email address in the correct format/);
    assert.match(res.body, /href="#password">Enter your password/);
    assert.match(res.body, /value="not-an-email"/);
  });

  void test('a wrong password fails without saying whether the account exists; five failures lock the account', async () => {
    const staff = await buildStaff(t.database.db, authorityId);
    const browser = new Browser(t.app);
    const unknown = await browser.submit('/staff/sign-in', '/staff/sign-in', {
      email: 'nobody@test.example.gov.uk',
      password: 'wrong',
    });
    assert.equal(unknown.statusCode, 401);
    assert.match(unknown.body, /Enter a correct email address and password/);
    for (let i = 0; i < 4; i++) {
      const res = await browser.submit('/staff/sign-in', '/staff/sign-in', {
        email: staff.email,
        password: 'wrong',
      });
      assert.match(res.body, /Enter a correct email address and password/);
    }
    const fifth = await browser.submit('/staff/sign-in', '/staff/sign-in', {
      email: staff.email,
      password: 'wrong',
    });
    assert.match(fifth.body, /Your account is locked/);
    const right = await browser.submit('/staff/sign-in', '/staff/sign-in', {
      email: staff.email,
      password: TEST_PASSWORD,
    });
    assert.equal(right.statusCode, 401, 'a locked account cannot sign in even with the right password');
    const row = await t.database.db
      .selectFrom('staff_users')
      .select(['locked_at', 'failed_sign_ins'])
      .where('id', '=', staff.id)
      .executeTakeFirstOrThrow();
    assert.ok(row.locked_at);
    const audits = await t.database.db
      .selectFrom('audit_log')
      .select(['outcome'])
      .where('actor_id', '=', staff.id)
      .execute();
    assert.equal(audits.length, 6);
  });

  void test('the session ends after the idle period', async () => {
    const staff = await buildStaff(t.database.db, authorityId);
    const browser = new Browser(t.app);
    await browser.submit('/staff/sign-in', '/staff/sign-in', { email: staff.email, password: TEST_PASSWORD });
    assert.equal((await browser.get('/staff')).statusCode, 200);
    clock.advance(21 * 60_000);
    const res = await browser.get('/staff');
    assert.equal(res.statusCode, 302);
    clock.advance(-21 * 60_000);
  });

  void test('"stay signed in" extends the session', async () => {
    const staff = await buildStaff(t.database.db, authorityId);
    const browser = new Browser(t.app);
    await browser.submit('/staff/sign-in', '/staff/sign-in', { email: staff.email, password: TEST_PASSWORD });
    clock.advance(15 * 60_000);
    const extend = await browser.submit('/staff', '/staff/session/extend', {});
    assert.equal(extend.statusCode, 302);
    clock.advance(15 * 60_000);
    assert.equal((await browser.get('/staff')).statusCode, 200);
    clock.advance(-30 * 60_000);
  });

  void test('a contact centre behind one address can start its shift: 15 members of staff sign in within a minute; 60 attempts from one address is the most', async () => {
    const office = '10.8.8.8';
    const fromOffice = () => {
      const browser = new Browser(t.app);
      Object.defineProperty(browser, 'remoteAddress', { value: office });
      return browser;
    };
    for (let i = 0; i < 15; i++) {
      const staff = await buildStaff(t.database.db, authorityId);
      const res = await fromOffice().submit('/staff/sign-in', '/staff/sign-in', {
        email: staff.email,
        password: TEST_PASSWORD,
      });
      assert.equal(res.statusCode, 302, `member of staff ${i + 1} signs in`);
      assert.equal(res.headers.location, '/staff');
    }
    // Then one machine trying many accounts is stopped at 60 attempts a minute from its address.
    const sprayer = fromOffice();
    const statuses: number[] = [];
    for (let i = 0; i < 50; i++)
      statuses.push(
        (
          await sprayer.submit('/staff/sign-in', '/staff/sign-in', {
            email: `nobody${i}@y.gov.uk`,
            password: 'p',
          })
        ).statusCode,
      );
    assert.equal(
      statuses.filter((s) => s === 429).length,
      5,
      `attempts 61 to 65 refused: ${statuses.join(',')}`,
    );
  });

  void test('the sign-in form is rate limited', async () => {
    const browser = new Browser(t.app);
    const page = await browser.get('/staff/sign-in');
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1];
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/staff/sign-in',
        remoteAddress: '10.9.9.9',
        payload: new URLSearchParams({ _csrf: token, email: 'x@y.gov.uk', password: 'p' }).toString(),
        headers: {
          cookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
          'content-type': 'application/x-www-form-urlencoded',
        },
      });
      statuses.push(res.statusCode);
    }
    assert.ok(statuses.includes(429), `expected a 429 among ${statuses.join(',')}`);
  });
});

void describe('operations', () => {
  void test('/health/live and /health/ready', async () => {
    assert.equal((await t.app.inject('/health/live')).statusCode, 200);
    const ready = await t.app.inject('/health/ready');
    assert.equal(ready.statusCode, 200);
    assert.equal(ready.json<{ status: string }>().status, 'ok');
  });

  void test('/metrics is not public: without METRICS_TOKEN or METRICS_PORT it is not served', async () => {
    // What it reports, and who may read it when configured: test/metrics.int.test.ts.
    assert.equal((await t.app.inject('/metrics')).statusCode, 404);
  });

  void test('every response carries a request id', async () => {
    const res = await t.app.inject('/');
    assert.match(String(res.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  });
});
