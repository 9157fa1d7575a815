// A real OpenID provider (panva/oidc-provider v9) for integration tests of staff sign-in.
//
// It listens on 127.0.0.1 with a random port, has one confidential client (authorization code +
// PKCE required, client_secret_basic) and, when asked, a second one that authenticates with
// private_key_jwt against a public JWKS the test gives (as GOV.UK One Login does), a few test accounts, and a tiny custom interaction:
// the login prompt renders a one-field HTML form (POST the account's login name), and the consent
// prompt is approved automatically, as a council IdP would for its own first-party staff app.
// `signInWithBrowser()` plays the part of the browser: it follows redirects by hand, keeps cookies
// and submits the login form, and stops at the client's redirect_uri without requesting it.
//
// It is quiet: no dev interactions, dev keys or dev adapter (each would print a warning), errors
// are rendered as JSON, and the "unsupported runtime" notice oidc-provider v9 prints on Node 20
// at import time is swallowed. `stop()` closes the server and every open connection.
//
// oidc-provider ships no TypeScript types (and @types/oidc-provider is not installed), so the
// small part of its API used here is described by the local interfaces below.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestAccount {
  /** What the test types into the login form. */
  login: string;
  /** The OIDC `sub`. */
  sub: string;
  /** Claims released for the scopes granted (email, email_verified, name, frontdoor_roles, ...). */
  claims: Record<string, unknown>;
}

export interface TestOidcProviderOptions {
  /** Registered redirect_uri of the test client. */
  redirectUri?: string;
  /** Registered post_logout_redirect_uri of the test client. */
  postLogoutRedirectUri?: string;
  accounts?: TestAccount[];
  /**
   * Also register a client (`privateKeyJwtClientId`) that authenticates at the token endpoint with
   * `private_key_jwt`, verified against these public keys (JWKs, e.g. from `KeyObject.export({ format: 'jwk' })`).
   */
  privateKeyJwt?: { jwks: { keys: Record<string, unknown>[] } };
}

export interface TestOidcProvider {
  /** Issuer identifier, e.g. http://127.0.0.1:54321 */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The private_key_jwt client's id (registered only with `privateKeyJwt`). */
  privateKeyJwtClientId: string;
  redirectUri: string;
  postLogoutRedirectUri: string;
  accounts: readonly TestAccount[];
  /** Errors the provider reported as server_error (handy when a test fails unexpectedly). */
  serverErrors: unknown[];
  /** Header and claims of every client assertion (private_key_jwt) whose signature the provider accepted. */
  clientAssertions: AcceptedClientAssertion[];
  stop(): Promise<void>;
}

export interface AcceptedClientAssertion {
  alg: unknown;
  kid: unknown;
  iss: unknown;
  sub: unknown;
  aud: unknown;
}

export const TEST_CLIENT_ID = 'frontdoor-staff';
export const TEST_CLIENT_SECRET = 'frontdoor-staff-test-secret-which-is-long-enough';
export const TEST_PRIVATE_KEY_JWT_CLIENT_ID = 'frontdoor-private-key-jwt';
export const DEFAULT_REDIRECT_URI = 'http://127.0.0.1:3000/staff/auth/oidc/callback';
export const DEFAULT_POST_LOGOUT_REDIRECT_URI = 'http://127.0.0.1:3000/staff/signed-out';

/** Claim in which the test provider releases the user's roles (scope `roles`). */
export const TEST_ROLES_CLAIM = 'frontdoor_roles';

export const DEFAULT_ACCOUNTS: readonly TestAccount[] = [
  {
    login: 'jo.bloggs',
    sub: 'staff-0001',
    claims: {
      email: 'jo.bloggs@example-council.gov.uk',
      email_verified: true,
      name: 'Jo Bloggs',
      given_name: 'Jo',
      family_name: 'Bloggs',
      [TEST_ROLES_CLAIM]: ['caseworker', 'team-lead'],
    },
  },
  {
    // An account the IdP holds no email address for.
    login: 'no.email',
    sub: 'staff-0002',
    claims: { name: 'No Email' },
  },
  {
    // An account whose email the IdP says it has not verified.
    login: 'unverified',
    sub: 'staff-0003',
    claims: { email: 'unverified@example-council.gov.uk', email_verified: false, name: 'Un Verified' },
  },
];

// ---------------------------------------------------------------------------------------------
// The slice of the oidc-provider API used here.

interface InteractionDetails {
  uid: string;
  prompt: { name: string; details: Record<string, unknown> };
  params: Record<string, unknown>;
  session?: { accountId?: string };
  grantId?: string;
}

interface GrantInstance {
  addOIDCScope(scope: string): void;
  addOIDCClaims(claims: string[]): void;
  addResourceScope(indicator: string, scope: string): void;
  save(): Promise<string>;
}

interface GrantModel {
  new (init: { accountId: string; clientId: string }): GrantInstance;
  find(id: string): Promise<GrantInstance | undefined>;
}

type InteractionResult =
  | { login: { accountId: string } }
  | { consent: { grantId: string } }
  | { error: string; error_description?: string };

interface ProviderInstance {
  callback(): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
  interactionFinished(
    req: IncomingMessage,
    res: ServerResponse,
    result: InteractionResult,
    options?: { mergeWithLastSubmission?: boolean },
  ): Promise<void>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  Grant: GrantModel;
}

type ProviderConstructor = new (issuer: string, configuration: Record<string, unknown>) => ProviderInstance;

let providerConstructor: Promise<ProviderConstructor> | undefined;

function loadProvider(): Promise<ProviderConstructor> {
  providerConstructor ??= (async () => {
    // oidc-provider v9 prints "Unsupported runtime. Use Node.js v22.x LTS" on Node 20 when its
    // module is evaluated. Swallow exactly that kind of line while importing; nothing else.
    const originalWarn = console.warn;
    console.warn = (...args: unknown[]): void => {
      if (typeof args[0] === 'string' && args[0].includes('oidc-provider WARNING')) return;
      originalWarn(...args);
    };
    try {
      // A non-literal specifier keeps TypeScript from looking for (absent) type declarations.
      const specifier: string = 'oidc-provider';
      const mod: unknown = await import(specifier);
      const ctor: unknown =
        typeof mod === 'object' && mod !== null && 'Provider' in mod ? mod.Provider : undefined;
      if (typeof ctor !== 'function') throw new Error('oidc-provider did not export Provider');
      return ctor as ProviderConstructor;
    } finally {
      console.warn = originalWarn;
    }
  })();
  return providerConstructor;
}

// ---------------------------------------------------------------------------------------------
// A minimal in-memory storage adapter (the built-in one prints a "development only" warning).

interface StoredPayload extends Record<string, unknown> {
  uid?: string;
  grantId?: string;
  userCode?: string;
  consumed?: number;
}

function createAdapterClass(): new (model: string) => object {
  const entries = new Map<string, { payload: StoredPayload; expiresAt: number }>();
  const index = new Map<string, string>();
  const grants = new Map<string, Set<string>>();

  const live = (key: string): StoredPayload | undefined => {
    const entry = entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      entries.delete(key);
      return undefined;
    }
    return entry.payload;
  };

  return class InMemoryAdapter {
    readonly #model: string;

    constructor(model: string) {
      this.#model = model;
    }

    #key(id: string): string {
      return `${this.#model}:${id}`;
    }

    async upsert(id: string, payload: StoredPayload, expiresIn?: number): Promise<void> {
      const key = this.#key(id);
      const expiresAt = typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : Infinity;
      entries.set(key, { payload: structuredClone(payload), expiresAt });
      if (this.#model === 'Session' && typeof payload.uid === 'string')
        index.set(`sessionUid:${payload.uid}`, id);
      if (typeof payload.userCode === 'string') index.set(`userCode:${payload.userCode}`, id);
      if (typeof payload.grantId === 'string') {
        const members = grants.get(payload.grantId) ?? new Set<string>();
        members.add(key);
        grants.set(payload.grantId, members);
      }
    }

    async find(id: string): Promise<StoredPayload | undefined> {
      return live(this.#key(id));
    }

    async findByUid(uid: string): Promise<StoredPayload | undefined> {
      const id = index.get(`sessionUid:${uid}`);
      return id === undefined ? undefined : this.find(id);
    }

    async findByUserCode(userCode: string): Promise<StoredPayload | undefined> {
      const id = index.get(`userCode:${userCode}`);
      return id === undefined ? undefined : this.find(id);
    }

    async consume(id: string): Promise<void> {
      const payload = live(this.#key(id));
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    }

    async destroy(id: string): Promise<void> {
      entries.delete(this.#key(id));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      for (const key of grants.get(grantId) ?? []) entries.delete(key);
      grants.delete(grantId);
    }
  };
}

// ---------------------------------------------------------------------------------------------

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', type);
  res.setHeader('Cache-Control', 'no-store');
  res.end(body);
}

const INTERACTION_PATH = /^\/interaction\/([A-Za-z0-9_-]+)(\/login)?$/;

/** Starts the provider on 127.0.0.1 with a random port. Always `await stop()` (e.g. in `after`). */
export async function startOidcProvider(options: TestOidcProviderOptions = {}): Promise<TestOidcProvider> {
  const redirectUri = options.redirectUri ?? DEFAULT_REDIRECT_URI;
  const postLogoutRedirectUri = options.postLogoutRedirectUri ?? DEFAULT_POST_LOGOUT_REDIRECT_URI;
  const accounts = options.accounts ?? DEFAULT_ACCOUNTS;
  const bySub = new Map(accounts.map((a) => [a.sub, a]));
  const byLogin = new Map(accounts.map((a) => [a.login, a]));

  const Provider = await loadProvider();

  // Listen first (the issuer URL needs the port), attach the request handler once the provider exists.
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;

  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });

  const clientAssertions: AcceptedClientAssertion[] = [];
  const provider = new Provider(issuer, {
    // Called after the assertion's signature, iss, exp and aud checks pass: record what was accepted.
    assertJwtClientAuthClaimsAndHeader: async (
      _ctx: unknown,
      claims: Record<string, unknown>,
      header: Record<string, unknown>,
    ) => {
      clientAssertions.push({
        alg: header.alg,
        kid: header.kid,
        iss: claims.iss,
        sub: claims.sub,
        aud: claims.aud,
      });
    },
    adapter: createAdapterClass(),
    jwks: { keys: [{ ...signingKey, kid: 'test-signing-key', use: 'sig', alg: 'RS256' }] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    clients: [
      {
        client_id: TEST_CLIENT_ID,
        client_secret: TEST_CLIENT_SECRET,
        redirect_uris: [redirectUri],
        post_logout_redirect_uris: [postLogoutRedirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
      ...(options.privateKeyJwt
        ? [
            {
              client_id: TEST_PRIVATE_KEY_JWT_CLIENT_ID,
              redirect_uris: [redirectUri],
              post_logout_redirect_uris: [postLogoutRedirectUri],
              grant_types: ['authorization_code'],
              response_types: ['code'],
              token_endpoint_auth_method: 'private_key_jwt',
              jwks: options.privateKeyJwt.jwks,
            },
          ]
        : []),
    ],
    pkce: { required: () => true },
    // Numbers rather than the default functions, which print a "you SHOULD change it" notice.
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      Grant: 3600,
      IdToken: 600,
      Interaction: 600,
      Session: 3600,
    },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      phone: ['phone_number', 'phone_number_verified'],
      profile: ['name', 'given_name', 'family_name'],
      roles: [TEST_ROLES_CLAIM],
    },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: true },
    },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx: unknown, sub: string) => {
      const account = bySub.get(sub);
      if (!account) return undefined;
      return { accountId: sub, claims: async () => ({ sub, ...account.claims }) };
    },
    // The default error page logs a "you SHOULD change it" notice; JSON is enough for tests.
    renderError: async (ctx: { type: string; body: unknown }, out: Record<string, unknown>) => {
      ctx.type = 'application/json';
      ctx.body = out;
    },
  });

  const serverErrors: unknown[] = [];
  provider.on('server_error', (_ctx: unknown, err: unknown) => {
    serverErrors.push(err);
  });

  const providerCallback = provider.callback();

  const interaction = async (
    req: IncomingMessage,
    res: ServerResponse,
    isLoginPost: boolean,
  ): Promise<void> => {
    const details = await provider.interactionDetails(req, res);

    if (details.prompt.name === 'login') {
      if (!isLoginPost || req.method !== 'POST') {
        const action = `/interaction/${encodeURIComponent(details.uid)}/login`;
        send(
          res,
          200,
          'text/html; charset=utf-8',
          `<!doctype html><title>Sign in</title><form method="post" action="${escapeHtml(action)}">` +
            `<label>Login <input name="login" autocomplete="username"></label><button>Sign in</button></form>`,
        );
        return;
      }
      const form = await readForm(req);
      const account = byLogin.get(form.get('login') ?? '');
      const result: InteractionResult = account
        ? { login: { accountId: account.sub } }
        : { error: 'access_denied', error_description: 'Unknown test account' };
      await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
      return;
    }

    if (details.prompt.name === 'consent') {
      // First-party staff application: approve whatever is missing without asking.
      const accountId = details.session?.accountId;
      const clientId = details.params.client_id;
      if (typeof accountId !== 'string' || typeof clientId !== 'string') {
        send(res, 400, 'text/plain', 'no session');
        return;
      }
      const grant =
        (details.grantId ? await provider.Grant.find(details.grantId) : undefined) ??
        new provider.Grant({ accountId, clientId });
      const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = details.prompt.details;
      if (Array.isArray(missingOIDCScope)) grant.addOIDCScope(missingOIDCScope.join(' '));
      if (Array.isArray(missingOIDCClaims)) grant.addOIDCClaims(missingOIDCClaims.map(String));
      if (missingResourceScopes && typeof missingResourceScopes === 'object') {
        for (const [indicator, scopes] of Object.entries(missingResourceScopes)) {
          if (Array.isArray(scopes)) grant.addResourceScope(indicator, scopes.join(' '));
        }
      }
      const grantId = await grant.save();
      await provider.interactionFinished(
        req,
        res,
        { consent: { grantId } },
        { mergeWithLastSubmission: true },
      );
      return;
    }

    send(res, 400, 'text/plain', `unsupported prompt ${details.prompt.name}`);
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const match = INTERACTION_PATH.exec(new URL(req.url ?? '/', issuer).pathname);
    const work = match ? interaction(req, res, match[2] !== undefined) : providerCallback(req, res);
    work.catch((err: unknown) => {
      serverErrors.push(err);
      if (!res.headersSent) send(res, 400, 'text/plain', 'interaction failed');
      else res.end();
    });
  });

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= new Promise<void>((resolve, reject) => {
      server.close((err) => (err ? reject(err) : resolve()));
      server.closeAllConnections();
    });
    return stopped;
  };

  return {
    issuer,
    clientId: TEST_CLIENT_ID,
    clientSecret: TEST_CLIENT_SECRET,
    privateKeyJwtClientId: TEST_PRIVATE_KEY_JWT_CLIENT_ID,
    redirectUri,
    postLogoutRedirectUri,
    accounts,
    serverErrors,
    clientAssertions,
    stop,
  };
}

// ---------------------------------------------------------------------------------------------
// A browser stand-in: manual redirects, a cookie jar, and the login form.

interface StoredCookie {
  name: string;
  value: string;
  path: string;
}

class CookieJar {
  readonly #cookies = new Map<string, StoredCookie>();

  store(setCookieHeaders: string[], requestUrl: URL): void {
    for (const header of setCookieHeaders) {
      const [pair = '', ...attributes] = header.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let path = requestUrl.pathname.replace(/\/[^/]*$/, '') || '/';
      let expired = value === '';
      for (const attribute of attributes) {
        const [rawKey = '', ...rest] = attribute.split('=');
        const key = rawKey.trim().toLowerCase();
        const attrValue = rest.join('=').trim();
        if (key === 'path' && attrValue.startsWith('/')) path = attrValue;
        if (key === 'max-age' && Number(attrValue) <= 0) expired = true;
        if (key === 'expires' && Date.parse(attrValue) <= Date.now()) expired = true;
      }
      const id = `${name}\u0000${path}`;
      if (expired) this.#cookies.delete(id);
      else this.#cookies.set(id, { name, value, path });
    }
  }

  headerFor(url: URL): string {
    const matches = [...this.#cookies.values()]
      .filter(
        (c) =>
          url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`),
      )
      .sort((a, b) => b.path.length - a.path.length);
    return matches.map((c) => `${c.name}=${c.value}`).join('; ');
  }
}

export interface BrowserSignInOptions {
  /** The login name to type into the provider's login form. */
  login: string;
  /** Stop (without requesting it) when redirected to a URL starting with this. */
  redirectUri: string;
  maxSteps?: number;
}

/**
 * Drives the provider from an authorization URL to the client's redirect_uri the way a browser
 * would, and returns the callback URL (with `code`, `state` and `iss`, or `error`). Only ever
 * requests URLs on the authorization URL's origin.
 */
export async function signInWithBrowser(
  authorizationUrl: string,
  options: BrowserSignInOptions,
): Promise<URL> {
  const jar = new CookieJar();
  const start = new URL(authorizationUrl);
  let url = start;
  let init: { method: 'GET' } | { method: 'POST'; body: URLSearchParams } = { method: 'GET' };

  for (let step = 0; step < (options.maxSteps ?? 12); step += 1) {
    if (url.href.startsWith(options.redirectUri)) return url;
    if (url.origin !== start.origin)
      throw new Error(`refusing to follow a redirect off the provider: ${url.origin}`);

    const headers: Record<string, string> = { accept: 'text/html' };
    const cookie = jar.headerFor(url);
    if (cookie) headers.cookie = cookie;
    if (init.method === 'POST') headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await fetch(url, {
      method: init.method,
      body: init.method === 'POST' ? init.body.toString() : undefined,
      headers,
      redirect: 'manual',
    });
    jar.store(response.headers.getSetCookie(), url);

    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      url = new URL(location, url);
      init = { method: 'GET' };
      continue;
    }

    const body = await response.text();
    const form = /<form[^>]*\baction="([^"]+)"/i.exec(body);
    if (response.status === 200 && form?.[1]) {
      url = new URL(form[1].replace(/&amp;/g, '&'), url);
      init = { method: 'POST', body: new URLSearchParams({ login: options.login }) };
      continue;
    }
    throw new Error(`unexpected ${response.status} from ${url.pathname}: ${body.slice(0, 300)}`);
  }
  throw new Error('too many steps before reaching the redirect_uri');
}
