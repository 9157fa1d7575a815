/**
 * Resident sign-in through GOV.UK One Login (OIDC), against a real OpenID provider on 127.0.0.1
 * (test/support/oidc-provider.ts): the routes exist only when ONE_LOGIN_* is set, a verified email
 * address signs in (creating the account on first use), and an unverified one is refused.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { TestClock } from '../src/platform/clock.ts';
import { buildAuthority, uniq } from './builders/index.ts';
import { Browser, buildTestApp, type TestApp } from './support/app.ts';
import { signInWithBrowser, startOidcProvider, type TestOidcProvider } from './support/oidc-provider.ts';
import { guardOutbound } from './support/notify-peer.ts';

const guard = guardOutbound();
const REDIRECT_URI = 'http://127.0.0.1:3000/account/sign-in/one-login/callback';
const email = `${uniq('one-login')}@example.com`;
let op: TestOidcProvider;
let t: TestApp;

before(async () => {
  op = await startOidcProvider({
    redirectUri: REDIRECT_URI,
    accounts: [
      { login: 'resident', sub: 'urn:fdc:gov.uk:2022:resident-1', claims: { email, email_verified: true } },
      {
        login: 'unverified',
        sub: 'urn:fdc:gov.uk:2022:resident-2',
        claims: { email: `${uniq('unverified')}@example.com`, email_verified: false },
      },
    ],
  });
  t = await buildTestApp({
    clock: new TestClock(new Date(Date.now() + 60_000)),
    env: {
      ONE_LOGIN_ISSUER_URL: op.issuer,
      ONE_LOGIN_CLIENT_ID: op.clientId,
      ONE_LOGIN_CLIENT_SECRET: op.clientSecret,
      ONE_LOGIN_REDIRECT_URI: REDIRECT_URI,
      OIDC_ALLOW_HTTP: 'true',
    },
  });
  await buildAuthority(t.database.db, { kind: 'county' });
});
after(async () => {
  await t.close();
  await op.stop();
  guard.restore();
  assert.deepEqual(guard.blocked, [], 'no connections outside 127.0.0.1');
});

async function throughOneLogin(browser: Browser, login: string) {
  const start = await browser.get('/account/sign-in/one-login');
  assert.equal(start.statusCode, 302);
  const location = String(start.headers.location);
  assert.ok(location.startsWith(op.issuer), 'redirected to the provider');
  assert.equal(new URL(location).searchParams.get('scope'), 'openid email');
  const callback = await signInWithBrowser(location, { login, redirectUri: REDIRECT_URI });
  return browser.get(`/account/sign-in/one-login/callback${callback.search}`);
}

void test('the sign-in page offers GOV.UK One Login when it is configured', async () => {
  const page = await new Browser(t.app).get('/account/sign-in');
  assert.match(page.body, /href="\/account\/sign-in\/one-login"[^>]*>Sign in with GOV.UK One Login</);
});

void test('a verified One Login email address signs in, creating the account on first use', async () => {
  const browser = new Browser(t.app);
  const done = await throughOneLogin(browser, 'resident');
  assert.equal(done.statusCode, 303, done.body.slice(0, 300));
  assert.equal(done.headers.location, '/account');
  const account = await browser.get('/account');
  assert.equal(account.statusCode, 200);
  assert.match(account.body, new RegExp(`Signed in as ${email.replace('.', '\\.')}`));
  const points = await t.database.db
    .selectFrom('contact_points')
    .select(['customer_id', 'verified_at'])
    .where('kind', '=', 'email')
    .where('normalised', '=', email)
    .execute();
  assert.equal(points.length, 1);
  assert.ok(points[0].verified_at);

  // Again: the same account.
  const second = new Browser(t.app);
  assert.equal((await throughOneLogin(second, 'resident')).statusCode, 303);
  const again = await t.database.db
    .selectFrom('contact_points')
    .select('customer_id')
    .where('kind', '=', 'email')
    .where('normalised', '=', email)
    .execute();
  assert.deepEqual(again, [{ customer_id: points[0].customer_id }]);
});

void test('an email address One Login has not verified is refused', async () => {
  const browser = new Browser(t.app);
  const res = await throughOneLogin(browser, 'unverified');
  assert.equal(res.statusCode, 401);
  assert.match(res.body, /We could not sign you in with GOV.UK One Login/);
  assert.equal((await browser.get('/account')).statusCode, 303);
});

void test('a callback without the sign-in cookie is refused', async () => {
  const res = await new Browser(t.app).get('/account/sign-in/one-login/callback?code=x&state=y');
  assert.equal(res.statusCode, 401);
});
