// Integration tests for the staff OIDC adapter against a real oidc-provider on 127.0.0.1.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
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

/** A key pair as the PEM private key Frontdoor is given and the public JWK registered at the provider. */
function keyPair(
  kind: 'rsa' | 'ec',
  kid: string,
): { privateKeyPem: string; publicJwk: Record<string, unknown> } {
  const { privateKey, publicKey } =
    kind === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicJwk: {
      ...publicKey.export({ format: 'jwk' }),
      kid,
      use: 'sig',
      alg: kind === 'rsa' ? 'RS256' : 'ES256',
    },
  };
}

void describe('OidcAdapter with private_key_jwt client authentication', () => {
  const rsa = keyPair('rsa', 'frontdoor-rsa-1');
  const ec = keyPair('ec', 'frontdoor-ec-1');
  // Not registered at the provider; given the registered key's kid, so only the signature is wrong.
  const stranger = keyPair('rsa', 'frontdoor-rsa-1');
  let op: TestOidcProvider;
  let settings: OidcSettings;

  before(async () => {
    op = await startOidcProvider({ privateKeyJwt: { jwks: { keys: [rsa.publicJwk, ec.publicJwk] } } });
    settings = {
      issuerUrl: op.issuer,
      clientId: op.privateKeyJwtClientId,
      privateKey: rsa.privateKeyPem,
      privateKeyId: 'frontdoor-rsa-1',
      redirectUri: op.redirectUri,
      scopes: 'openid email phone',
      allowInsecureHttp: true,
    };
  });

  after(async () => {
    await op.stop();
  });

  async function signInWith(adapter: OidcAdapter, login = 'jo.bloggs') {
    const start = await adapter.startLogin();
    const callback = await signInWithBrowser(start.url, { login, redirectUri: op.redirectUri });
    return adapter.completeLogin(callback, start);
  }

  void test('the full code flow signs in with an RSA private key (RS256, kid, aud = issuer)', async () => {
    const seen = op.clientAssertions.length;
    const identity = await signInWith(await OidcAdapter.connect(settings));
    assert.deepEqual(op.clientAssertions.slice(seen), [
      {
        alg: 'RS256',
        kid: 'frontdoor-rsa-1',
        iss: op.privateKeyJwtClientId,
        sub: op.privateKeyJwtClientId,
        aud: op.issuer,
      },
    ]);
    assert.equal(identity.subject, 'staff-0001');
    assert.equal(identity.email, 'jo.bloggs@example-council.gov.uk');
    assert.equal(identity.claims.aud, op.privateKeyJwtClientId);
    assert.deepEqual(op.serverErrors, []);
  });

  void test('the client assertion can be addressed to the token endpoint (as GOV.UK One Login asks)', async () => {
    const adapter = await OidcAdapter.connect({ ...settings, clientAssertionAudience: 'token_endpoint' });
    const seen = op.clientAssertions.length;
    assert.equal((await signInWith(adapter)).subject, 'staff-0001');
    assert.deepEqual(
      op.clientAssertions.slice(seen).map((a) => a.aud),
      [`${op.issuer}/token`],
    );
  });

  void test('an EC P-256 private key (ES256) works too', async () => {
    const adapter = await OidcAdapter.connect({
      ...settings,
      privateKey: ec.privateKeyPem,
      privateKeyId: 'frontdoor-ec-1',
    });
    const seen = op.clientAssertions.length;
    assert.equal((await signInWith(adapter)).subject, 'staff-0001');
    assert.deepEqual(
      op.clientAssertions.slice(seen).map((a) => [a.alg, a.kid]),
      [['ES256', 'frontdoor-ec-1']],
    );
  });

  void test('a private key the provider does not hold is refused at the token endpoint', async () => {
    const adapter = await OidcAdapter.connect({ ...settings, privateKey: stranger.privateKeyPem });
    const accepted = op.clientAssertions.length;
    const start = await adapter.startLogin();
    const callback = await signInWithBrowser(start.url, { login: 'jo.bloggs', redirectUri: op.redirectUri });
    try {
      await adapter.completeLogin(callback, start);
      assert.fail('expected completeLogin to throw');
    } catch (err) {
      assert.ok(err instanceof OidcError, String(err));
      assert.equal(err.code, 'token_exchange_failed', `${err.message} (${err.detail ?? ''})`);
      assert.match(err.message, /did not accept Frontdoor’s client credentials/);
      assert.match(err.detail ?? '', /invalid_client/);
      const text = `${err.message} ${err.detail ?? ''} ${JSON.stringify(err)}`;
      assert.ok(!text.includes('PRIVATE KEY'), 'the private key leaked');
      assert.ok(!/eyJ[\w-]+\.eyJ/.test(text), 'a JWT leaked');
    }
    assert.equal(op.clientAssertions.length, accepted, 'the provider accepted no assertion');
  });

  void test('the private-key client cannot sign in with a client secret instead', async () => {
    const adapter = await OidcAdapter.connect({
      ...settings,
      privateKey: null,
      clientSecret: op.clientSecret,
    });
    await assert.rejects(signInWith(adapter), isOidcError('token_exchange_failed'));
  });

  void test('settings: a key that is not a usable PEM private key is refused without echoing it', async () => {
    const publicPem = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .publicKey.export({ format: 'pem', type: 'spki' })
      .toString();
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .privateKey.export({ format: 'pem', type: 'pkcs8' })
      .toString();
    const ed = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    for (const privateKey of ['not-a-key-but-a-secret-value', publicPem, small, ed]) {
      try {
        await OidcAdapter.connect({ ...settings, privateKey });
        assert.fail('expected connect to throw');
      } catch (err) {
        assert.ok(err instanceof OidcError, String(err));
        assert.equal(err.code, 'invalid_settings');
        assert.match(err.message, /privateKey/);
        assert.ok(!err.message.includes('secret-value') && !err.message.includes('BEGIN'));
      }
    }
  });

  void test('settings: a private key and a client secret together are refused', async () => {
    await assert.rejects(
      OidcAdapter.connect({ ...settings, clientSecret: 'also-a-secret' }),
      isOidcError('invalid_settings'),
    );
    await assert.rejects(
      OidcAdapter.connect({ ...settings, privateKey: undefined }),
      isOidcError('invalid_settings'),
    );
  });

  void test('extra authorization parameters (vtr) and ui_locales are sent; reserved ones are refused', async () => {
    const adapter = await OidcAdapter.connect({ ...settings, authorizationParams: { vtr: '["Cl.Cm"]' } });
    const start = await adapter.startLogin({ uiLocales: 'cy en' });
    const q = new URL(start.url).searchParams;
    assert.equal(q.get('vtr'), '["Cl.Cm"]');
    assert.equal(q.get('ui_locales'), 'cy en');
    assert.equal(q.get('scope'), 'openid email phone');
    assert.equal(q.get('state'), start.state);
    await assert.rejects(
      OidcAdapter.connect({ ...settings, authorizationParams: { state: 'fixed' } }),
      isOidcError('invalid_settings'),
    );
  });
});
