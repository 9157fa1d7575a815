// Integration tests for the staff OIDC adapter against a real oidc-provider on 127.0.0.1.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';

import {
  signInWithBrowser,
  startOidcProvider,
  TEST_ROLES_CLAIM,
} from '../../../test/support/oidc-provider.ts';
import type { TestOidcProvider } from '../../../test/support/oidc-provider.ts';
import { OidcAdapter, OidcError } from './oidc.ts';
import type { OidcErrorCode, OidcSettings } from './oidc.ts';

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
  return port;
}

function isOidcError(code: OidcErrorCode): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(err instanceof OidcError, `expected an OidcError, got ${String(err)}`);
    assert.equal(err.code, code, `${err.code}: ${err.message} (${err.detail ?? ''})`);
    return true;
  };
}

void describe('OidcAdapter against a local oidc-provider', () => {
  let op: TestOidcProvider;
  let settings: OidcSettings;
  let adapter: OidcAdapter;

  before(async () => {
    op = await startOidcProvider();
    settings = {
      issuerUrl: op.issuer,
      clientId: op.clientId,
      clientSecret: op.clientSecret,
      redirectUri: op.redirectUri,
      scopes: 'openid email profile roles',
      rolesClaim: TEST_ROLES_CLAIM,
      allowInsecureHttp: true,
    };
    adapter = await OidcAdapter.connect(settings);
  });

  after(async () => {
    await op.stop();
  });

  /** Starts a login and signs in as `login` through the provider's pages, like a browser. */
  async function signIn(login = 'jo.bloggs') {
    const start = await adapter.startLogin();
    const callback = await signInWithBrowser(start.url, { login, redirectUri: op.redirectUri });
    return { start, callback };
  }

  void test('connect() discovers the provider', () => {
    assert.ok(adapter instanceof OidcAdapter);
  });

  void test('startLogin() asks for a code with PKCE S256, state and nonce', async () => {
    const first = await adapter.startLogin();
    const second = await adapter.startLogin();
    const url = new URL(first.url);
    assert.equal(url.origin, op.issuer);
    const q = url.searchParams;
    assert.equal(q.get('response_type'), 'code');
    assert.equal(q.get('client_id'), op.clientId);
    assert.equal(q.get('redirect_uri'), op.redirectUri);
    assert.equal(q.get('scope'), 'openid email profile roles');
    assert.equal(q.get('code_challenge_method'), 'S256');
    assert.equal(q.get('state'), first.state);
    assert.equal(q.get('nonce'), first.nonce);
    assert.ok((q.get('code_challenge') ?? '').length >= 43);
    assert.ok(!first.url.includes(first.codeVerifier), 'the verifier itself never leaves the server');
    assert.notEqual(first.state, second.state);
    assert.notEqual(first.nonce, second.nonce);
    assert.notEqual(first.codeVerifier, second.codeVerifier);
  });

  void test('full authorization-code + PKCE round trip returns the user', async () => {
    const { start, callback } = await signIn();
    assert.ok(callback.searchParams.get('code'));
    const identity = await adapter.completeLogin(callback, start);
    assert.equal(identity.subject, 'staff-0001');
    assert.equal(identity.email, 'jo.bloggs@example-council.gov.uk');
    assert.equal(identity.name, 'Jo Bloggs');
    assert.deepEqual(identity.roles, ['caseworker', 'team-lead']);
    assert.equal(identity.claims.iss, op.issuer);
    assert.equal(identity.claims.aud, op.clientId);
    assert.equal(identity.claims.nonce, start.nonce);
    assert.match(identity.idToken, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.deepEqual(op.serverErrors, []);
  });

  void test('a tampered state is rejected with state_mismatch', async () => {
    const { start, callback } = await signIn();
    const tampered = new URL(callback);
    tampered.searchParams.set('state', `${start.state}x`);
    await assert.rejects(adapter.completeLogin(tampered, start), isOidcError('state_mismatch'));

    const missing = new URL(callback);
    missing.searchParams.delete('state');
    await assert.rejects(adapter.completeLogin(missing, start), isOidcError('state_mismatch'));

    // A callback belonging to a different sign-in attempt (another session's state).
    const other = await adapter.startLogin();
    await assert.rejects(adapter.completeLogin(callback, other), isOidcError('state_mismatch'));
  });

  void test('a wrong nonce is rejected with nonce_mismatch', async () => {
    const { start, callback } = await signIn();
    await assert.rejects(
      adapter.completeLogin(callback, { ...start, nonce: 'not-the-nonce-that-was-sent' }),
      isOidcError('nonce_mismatch'),
    );
  });

  void test('a wrong PKCE code verifier is rejected by the provider', async () => {
    const { start, callback } = await signIn();
    const otherVerifier = (await adapter.startLogin()).codeVerifier;
    await assert.rejects(
      adapter.completeLogin(callback, { ...start, codeVerifier: otherVerifier }),
      isOidcError('token_exchange_failed'),
    );
  });

  void test('a wrong client secret is rejected at the token endpoint', async () => {
    const wrongSecret = await OidcAdapter.connect({ ...settings, clientSecret: 'not-the-secret' });
    const start = await wrongSecret.startLogin();
    const callback = await signInWithBrowser(start.url, { login: 'jo.bloggs', redirectUri: op.redirectUri });
    await assert.rejects(wrongSecret.completeLogin(callback, start), isOidcError('token_exchange_failed'));
  });

  void test('an authorization code cannot be used twice', async () => {
    const { start, callback } = await signIn();
    await adapter.completeLogin(callback, start);
    await assert.rejects(adapter.completeLogin(callback, start), isOidcError('token_exchange_failed'));
  });

  void test('a callback from another issuer is rejected with issuer_mismatch', async () => {
    const { start, callback } = await signIn();
    const mixedUp = new URL(callback);
    mixedUp.searchParams.set('iss', 'https://attacker.example');
    await assert.rejects(adapter.completeLogin(mixedUp, start), isOidcError('issuer_mismatch'));
  });

  void test('a refused sign-in comes back as access_denied', async () => {
    const { start, callback } = await signIn('nobody-with-this-login');
    assert.equal(callback.searchParams.get('error'), 'access_denied');
    await assert.rejects(adapter.completeLogin(callback, start), isOidcError('access_denied'));
  });

  void test('a user without an email address is rejected with missing_email', async () => {
    const { start, callback } = await signIn('no.email');
    await assert.rejects(adapter.completeLogin(callback, start), isOidcError('missing_email'));
  });

  void test('an email the provider has not verified is rejected with email_not_verified', async () => {
    const { start, callback } = await signIn('unverified');
    await assert.rejects(adapter.completeLogin(callback, start), isOidcError('email_not_verified'));
  });

  void test('errors do not leak tokens or codes', async () => {
    const { start, callback } = await signIn();
    const code = callback.searchParams.get('code') ?? '';
    try {
      await adapter.completeLogin(callback, { ...start, nonce: 'wrong' });
      assert.fail('expected completeLogin to throw');
    } catch (err) {
      assert.ok(err instanceof OidcError);
      const text = `${err.message} ${err.detail ?? ''} ${JSON.stringify(err)}`;
      assert.ok(!text.includes(code), 'authorization code leaked');
      assert.ok(!/eyJ[\w-]+\.eyJ/.test(text), 'a JWT leaked');
      assert.ok(!text.includes(op.clientSecret), 'client secret leaked');
    }
  });

  void test('logoutUrl() points at the end_session_endpoint', () => {
    const url = adapter.logoutUrl('id.token.hint', 'http://127.0.0.1:3000/staff/signed-out');
    assert.ok(url);
    const parsed = new URL(url);
    assert.equal(parsed.origin, op.issuer);
    assert.equal(parsed.searchParams.get('client_id'), op.clientId);
    assert.equal(parsed.searchParams.get('id_token_hint'), 'id.token.hint');
    assert.equal(
      parsed.searchParams.get('post_logout_redirect_uri'),
      'http://127.0.0.1:3000/staff/signed-out',
    );
  });

  void test('an http issuer is refused unless allowInsecureHttp is set', async () => {
    await assert.rejects(
      OidcAdapter.connect({ ...settings, allowInsecureHttp: false }),
      isOidcError('insecure_issuer'),
    );
  });

  void test('discovery against a closed port fails with discovery_failed', async () => {
    const port = await closedPort();
    await assert.rejects(
      OidcAdapter.connect({ ...settings, issuerUrl: `http://127.0.0.1:${port}` }),
      isOidcError('discovery_failed'),
    );
  });

  void test('discovery with the wrong issuer identifier fails with discovery_failed', async () => {
    await assert.rejects(
      OidcAdapter.connect({ ...settings, issuerUrl: `${op.issuer}/some-tenant` }),
      isOidcError('discovery_failed'),
    );
  });
});
