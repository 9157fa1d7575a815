/**
 * Resident sign-in through GOV.UK One Login (OIDC), against a real OpenID provider on 127.0.0.1
 * (test/support/oidc-provider.ts): the routes exist only when ONE_LOGIN_* is set, a verified email
 * address signs in (creating the account on first use), and an unverified one is refused. As in
 * production, the client can authenticate with private_key_jwt (ONE_LOGIN_PRIVATE_KEY): the provider
 * holds the public key, and a key it does not hold is refused.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { ConfigError, loadConfig } from '../src/config/index.ts';
import { TestClock } from '../src/platform/clock.ts';
import { buildAuthority, uniq } from './builders/index.ts';
import { Browser, buildTestApp, type TestApp } from './support/app.ts';
import { signInWithBrowser, startOidcProvider, type TestOidcProvider } from './support/oidc-provider.ts';
import { guardOutbound } from './support/notify-peer.ts';

const guard = guardOutbound();
const REDIRECT_URI = 'http://127.0.0.1:3000/account/sign-in/one-login/callback';
const email = `${uniq('one-login')}@example.com`;
const KEY_ID = 'frontdoor-one-login-1';
let op: TestOidcProvider;
let t: TestApp;
/** The same site, signing in with the private key whose public half the provider holds. */
let withKey: TestApp;
/** The same site, configured with a private key the provider does not hold. */
let withWrongKey: TestApp;

/** A PEM private key as an env value with literal `\n`, as secret stores often give it. */
function rsaKeyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    pemWithLiteralNewlines: privateKey
      .export({ format: 'pem', type: 'pkcs8' })
      .toString()
      .replace(/\n/g, '\\n'),
    publicJwk: { ...publicKey.export({ format: 'jwk' }), kid: KEY_ID, use: 'sig', alg: 'RS256' },
  };
}
const registered = rsaKeyPair();
const unregistered = rsaKeyPair();

before(async () => {
  op = await startOidcProvider({
    privateKeyJwt: { jwks: { keys: [registered.publicJwk] } },
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
  const keyEnv = (pem: string) => ({
    ONE_LOGIN_ISSUER_URL: op.issuer,
    ONE_LOGIN_CLIENT_ID: op.privateKeyJwtClientId,
    ONE_LOGIN_PRIVATE_KEY: pem,
    ONE_LOGIN_PRIVATE_KEY_ID: KEY_ID,
    ONE_LOGIN_REDIRECT_URI: REDIRECT_URI,
    OIDC_ALLOW_HTTP: 'true',
  });
  const clock = new TestClock(new Date(Date.now() + 60_000));
  withKey = await buildTestApp({
    clock,
    database: t.database,
    env: keyEnv(registered.pemWithLiteralNewlines),
  });
  withWrongKey = await buildTestApp({
    clock,
    database: t.database,
    env: keyEnv(unregistered.pemWithLiteralNewlines),
  });
});
after(async () => {
  await withKey.close();
  await withWrongKey.close();
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
  const query = new URL(location).searchParams;
  assert.equal(query.get('scope'), 'openid email phone');
  assert.equal(query.get('vtr'), '["Cl.Cm"]');
  assert.equal(query.get('ui_locales'), 'en');
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

void test('with ONE_LOGIN_PRIVATE_KEY the site signs in with private_key_jwt (no client secret)', async () => {
  assert.equal(withKey.config.oneLogin?.clientSecret, null);
  const seen = op.clientAssertions.length;
  const browser = new Browser(withKey.app);
  const done = await throughOneLogin(browser, 'resident');
  assert.equal(done.statusCode, 303, done.body.slice(0, 300));
  assert.equal(done.headers.location, '/account');
  const account = await browser.get('/account');
  assert.equal(account.statusCode, 200);
  assert.match(account.body, new RegExp(`Signed in as ${email.replace('.', '\\.')}`));
  // The provider verified our signature with the registered public key; the assertion names the
  // key and is addressed to the token endpoint, as GOV.UK One Login requires.
  assert.deepEqual(op.clientAssertions.slice(seen), [
    {
      alg: 'RS256',
      kid: KEY_ID,
      iss: op.privateKeyJwtClientId,
      sub: op.privateKeyJwtClientId,
      aud: `${op.issuer}/token`,
    },
  ]);
});

void test('a private key One Login does not hold is refused: an error and no session', async () => {
  const seen = op.clientAssertions.length;
  const browser = new Browser(withWrongKey.app);
  const res = await throughOneLogin(browser, 'resident');
  assert.equal(res.statusCode, 401);
  assert.match(res.body, /We could not sign you in with GOV.UK One Login/);
  assert.equal(op.clientAssertions.length, seen, 'the provider accepted no assertion');
  const account = await browser.get('/account');
  assert.equal(account.statusCode, 303, 'not signed in');
});

void test('config: the One Login private key is checked, never echoed, and replaces the client secret', () => {
  const problems = (env: Record<string, string>): string[] => {
    try {
      loadConfig({ DATA_DIR: t.config.dataDir, SESSION_SECRET: 'x'.repeat(32), ...env });
      return [];
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      return error.problems;
    }
  };
  const complete = {
    ONE_LOGIN_ISSUER_URL: 'https://oidc.account.gov.uk/',
    ONE_LOGIN_CLIENT_ID: 'frontdoor',
    ONE_LOGIN_REDIRECT_URI: 'https://frontdoor.example.gov.uk/account/sign-in/one-login/callback',
  };
  const config = loadConfig({
    DATA_DIR: t.config.dataDir,
    SESSION_SECRET: 'x'.repeat(32),
    ...complete,
    ONE_LOGIN_PRIVATE_KEY: registered.pemWithLiteralNewlines,
    ONE_LOGIN_PRIVATE_KEY_ID: KEY_ID,
  });
  assert.match(
    config.oneLogin?.privateKey ?? '',
    /^-----BEGIN PRIVATE KEY-----\n[^\\]+-----END PRIVATE KEY-----$/,
  );
  assert.equal(config.oneLogin?.privateKeyId, KEY_ID);
  assert.equal(config.oneLogin?.clientSecret, null);
  assert.equal(config.oneLogin?.scopes, 'openid email phone');
  assert.equal(config.oneLogin?.vtr, '["Cl.Cm"]');

  const bad = problems({ ...complete, ONE_LOGIN_PRIVATE_KEY: 'not-a-pem-but-a-secret-value' });
  assert.equal(bad.length, 1);
  assert.match(bad[0], /^ONE_LOGIN_PRIVATE_KEY must be a PEM private key/);
  assert.doesNotMatch(bad[0], /secret-value/);
  assert.deepEqual(
    problems({
      ...complete,
      ONE_LOGIN_PRIVATE_KEY: registered.pemWithLiteralNewlines,
      ONE_LOGIN_CLIENT_SECRET: 's',
    }),
    [
      'ONE_LOGIN_PRIVATE_KEY and ONE_LOGIN_CLIENT_SECRET cannot both be set: GOV.UK One Login uses the private key',
    ],
  );
  assert.deepEqual(problems({ ONE_LOGIN_PRIVATE_KEY: registered.pemWithLiteralNewlines }), [
    'ONE_LOGIN_ISSUER_URL, ONE_LOGIN_CLIENT_ID, ONE_LOGIN_PRIVATE_KEY and ONE_LOGIN_REDIRECT_URI must be set together',
  ]);
  assert.deepEqual(
    problems({ ...complete, ONE_LOGIN_CLIENT_SECRET: 's', ONE_LOGIN_PRIVATE_KEY_ID: KEY_ID }),
    ['ONE_LOGIN_PRIVATE_KEY_ID is only used with ONE_LOGIN_PRIVATE_KEY'],
  );
  assert.match(
    problems({ ...complete, ONE_LOGIN_CLIENT_SECRET: 's', ONE_LOGIN_VTR: 'Cl.Cm' })[0],
    /^ONE_LOGIN_VTR must be a JSON list/,
  );
  assert.match(
    problems({ ...complete, ONE_LOGIN_CLIENT_SECRET: 's', ONE_LOGIN_SCOPES: 'openid phone' })[0],
    /^ONE_LOGIN_SCOPES must be space-separated scopes including openid and email/,
  );
});
