// OpenID Connect sign-in for staff, on openid-client v6 (functional API).
//
// Flow: authorization code + PKCE (S256) + state + nonce. The caller keeps the values returned by
// startLogin() in the server-side session and hands them back to completeLogin() on the callback.
// Errors are OidcError with a stable `code`; messages are plain English and never contain tokens,
// codes or secrets (`detail` holds the library's diagnostic message, also token-free).
//
// Client authentication at the token endpoint: a client secret (client_secret_basic or _post), or
// private_key_jwt (a short-lived JWT assertion signed with our private key; the provider holds the
// public key), which GOV.UK One Login requires.
//
// Mapping OidcIdentity.email to a local staff account is done elsewhere.

import { createPrivateKey, timingSafeEqual, webcrypto } from 'node:crypto';
import * as client from 'openid-client';

export interface OidcSettings {
  /** Issuer identifier exactly as the provider publishes it (discovery is `<issuer>/.well-known/openid-configuration`). */
  issuerUrl: string;
  clientId: string;
  /** The client secret. Required unless `privateKey` is given (then it must be absent). */
  clientSecret?: string | null;
  /**
   * PEM private key (PKCS#8 `BEGIN PRIVATE KEY`, or `BEGIN RSA/EC PRIVATE KEY`) for `private_key_jwt`
   * client authentication. RSA keys sign with RS256, P-256 EC keys with ES256. The public half is
   * registered at the provider. Never logged or echoed.
   */
  privateKey?: string | null;
  /** `kid` put in the client assertion's header, matching the registered public key's; optional. */
  privateKeyId?: string | null;
  /**
   * `aud` of the private_key_jwt client assertion: the issuer identifier (default, what RFC 7523 bis
   * recommends) or the token endpoint URL (what GOV.UK One Login asks for).
   */
  clientAssertionAudience?: 'issuer' | 'token_endpoint';
  /**
   * Extra authorization request parameters sent on every sign-in, e.g. GOV.UK One Login's
   * `{ vtr: '["Cl.Cm"]' }`. They cannot replace the ones the adapter sets itself.
   */
  authorizationParams?: Record<string, string>;
  /** Must be registered at the provider, e.g. https://frontdoor.example.gov.uk/staff/auth/oidc/callback */
  redirectUri: string;
  /** Space-separated; default 'openid email profile'. 'openid' is always included. */
  scopes?: string;
  /** Allow http:// issuers. Only for tests and local development. */
  allowInsecureHttp?: boolean;
  /** Claim holding the staff member's email address; default 'email'. */
  emailClaim?: string;
  /** Claim holding the user's roles or groups (array of strings, or a space-separated string). */
  rolesClaim?: string;
  /**
   * How the client secret is sent to the token endpoint; default 'client_secret_basic' (the OIDC
   * default). Ignored with `privateKey`, which always uses 'private_key_jwt'.
   */
  tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post';
  /** Timeout for each HTTP request to the provider, in seconds; default 15. */
  httpTimeoutSeconds?: number;
}

export interface OidcLoginStart {
  /** Where to redirect the browser. */
  url: string;
  state: string;
  nonce: string;
  codeVerifier: string;
}

export interface OidcIdentity {
  /** The provider's stable identifier for the user (`sub`). */
  subject: string;
  /**
   * Email address from `emailClaim`, trimmed, case preserved (compare case-insensitively).
   * Always present: completeLogin() throws `missing_email` rather than return an identity without one.
   */
  email: string;
  name: string | null;
  /** Values of `rolesClaim`; empty when not configured or not released. */
  roles: string[];
  /** ID token claims, completed from the UserInfo endpoint when the ID token lacks wanted claims. */
  claims: Record<string, unknown>;
  /**
   * The raw ID token, only so it can be passed to logoutUrl() as id_token_hint. Keep it in the
   * server-side session at most; never log it or send it to the browser.
   */
  idToken: string;
}

export type OidcErrorCode =
  | 'invalid_settings' // settings missing or malformed
  | 'insecure_issuer' // http:// issuer without allowInsecureHttp
  | 'discovery_failed' // provider unreachable or its metadata unusable
  | 'state_mismatch' // callback state is missing or not the one this session started
  | 'issuer_mismatch' // callback `iss` is not our provider (mix-up defence)
  | 'access_denied' // the user (or provider policy) refused the sign-in
  | 'authorization_failed' // the provider returned another error to the callback
  | 'invalid_callback' // callback without an authorization code
  | 'token_exchange_failed' // the token endpoint refused the code or could not be reached
  | 'nonce_mismatch' // ID token nonce is not the one this session sent
  | 'id_token_invalid' // the token response or ID token failed validation
  | 'userinfo_failed' // the UserInfo request failed
  | 'missing_email' // no usable email address for the user
  | 'email_not_verified'; // provider says `email_verified: false`

export class OidcError extends Error {
  readonly code: OidcErrorCode;
  /** Token-free diagnostic text from the underlying library or provider, for logs. */
  readonly detail: string | undefined;

  constructor(code: OidcErrorCode, message: string, detail?: string) {
    super(message);
    this.name = 'OidcError';
    this.code = code;
    this.detail = detail;
  }
}

const DEFAULT_SCOPES = 'openid email profile';
/** Parameters startLogin() sets itself; authorizationParams may not override them. */
const RESERVED_PARAMS = new Set([
  'client_id',
  'redirect_uri',
  'scope',
  'response_type',
  'code_challenge',
  'code_challenge_method',
  'state',
  'nonce',
]);
const DEFAULT_TIMEOUT_SECONDS = 15;

/** Diagnostic text from an error chain: codes and messages only, never `cause` payload objects. */
function describe(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current instanceof Error; depth += 1) {
    const code = (current as { code?: unknown }).code;
    parts.push(typeof code === 'string' ? `${code}: ${current.message}` : current.message);
    if (current instanceof client.ResponseBodyError) {
      parts.push(`status ${current.status}, error ${current.error}`);
      break;
    }
    if (current instanceof client.WWWAuthenticateChallengeError) {
      const error = current.cause.find((c) => c.parameters.error)?.parameters.error;
      parts.push(`status ${current.status}, error ${error ?? 'unknown'}`);
      break;
    }
    current = current.cause;
  }
  return parts.join(' <- ').slice(0, 500);
}

function sameString(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

function requireText(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new OidcError('invalid_settings', `The OIDC setting ${name} is missing.`);
  }
  return value.trim();
}

function requireUrl(value: string, name: string): URL {
  try {
    return new URL(value);
  } catch {
    throw new OidcError('invalid_settings', `The OIDC setting ${name} is not a valid URL.`);
  }
}

/** The signing algorithm for a private key, as WebCrypto import parameters and the JWS `alg`. */
function signingAlgorithm(
  type: string | undefined,
  curve: string | undefined,
): { params: webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams; alg: string } | null {
  if (type === 'rsa') return { params: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, alg: 'RS256' };
  if (type === 'ec' && curve === 'prime256v1')
    return { params: { name: 'ECDSA', namedCurve: 'P-256' }, alg: 'ES256' };
  return null;
}

/**
 * Imports a PEM private key as a non-extractable WebCrypto signing key (what openid-client needs
 * for private_key_jwt). Errors never include the key.
 */
async function importPrivateKey(pem: string): Promise<webcrypto.CryptoKey> {
  const invalid = () =>
    new OidcError(
      'invalid_settings',
      'The OIDC setting privateKey is not a PEM private key (RSA, or EC on the P-256 curve).',
    );
  let keyObject: ReturnType<typeof createPrivateKey>;
  try {
    keyObject = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw invalid();
  }
  const algorithm = signingAlgorithm(keyObject.asymmetricKeyType, keyObject.asymmetricKeyDetails?.namedCurve);
  if (!algorithm) throw invalid();
  if (keyObject.asymmetricKeyType === 'rsa' && (keyObject.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) {
    throw new OidcError(
      'invalid_settings',
      'The OIDC setting privateKey must be an RSA key of at least 2048 bits.',
    );
  }
  const der = keyObject.export({ format: 'der', type: 'pkcs8' });
  try {
    return await webcrypto.subtle.importKey('pkcs8', der, algorithm.params, false, ['sign']);
  } catch {
    throw invalid();
  }
}

function normaliseScopes(scopes: string | undefined): string {
  const list = (scopes ?? DEFAULT_SCOPES).split(/\s+/).filter(Boolean);
  return [...new Set(['openid', ...list])].join(' ');
}

/** The inner error of an openid-client ClientError carries `{ claim }` for JWT claim comparisons. */
function failedClaim(err: unknown): string | undefined {
  const inner = err instanceof Error ? err.cause : undefined;
  const payload = inner instanceof Error ? inner.cause : undefined;
  if (
    typeof payload === 'object' &&
    payload !== null &&
    'claim' in payload &&
    typeof payload.claim === 'string'
  ) {
    return payload.claim;
  }
  return undefined;
}

const ID_TOKEN_FAILURES = new Set([
  'OAUTH_INVALID_RESPONSE',
  'OAUTH_PARSE_ERROR',
  'OAUTH_JWT_CLAIM_COMPARISON_FAILED',
  'OAUTH_JWT_TIMESTAMP_CHECK_FAILED',
  'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED',
  'OAUTH_KEY_SELECTION_FAILED',
  'OAUTH_UNSUPPORTED_OPERATION',
]);

function tokenExchangeError(err: unknown): OidcError {
  const detail = describe(err);
  if (err instanceof client.WWWAuthenticateChallengeError && err.status === 401) {
    return new OidcError(
      'token_exchange_failed',
      'The identity provider did not accept Frontdoor’s client credentials (check the client ID, and the private key or client secret).',
      detail,
    );
  }
  if (err instanceof client.ResponseBodyError && err.error === 'invalid_client') {
    return new OidcError(
      'token_exchange_failed',
      'The identity provider did not accept Frontdoor’s client credentials (check the client ID, and the private key or client secret).',
      detail,
    );
  }
  if (err instanceof client.ResponseBodyError) {
    return new OidcError(
      'token_exchange_failed',
      'The identity provider did not accept the sign-in code.',
      detail,
    );
  }
  if (err instanceof client.ClientError && failedClaim(err) === 'nonce') {
    return new OidcError(
      'nonce_mismatch',
      'The sign-in response was not issued for this sign-in attempt.',
      detail,
    );
  }
  if (err instanceof client.ClientError && typeof err.code === 'string' && ID_TOKEN_FAILURES.has(err.code)) {
    return new OidcError(
      'id_token_invalid',
      'The identity provider returned an identity token that is not valid.',
      detail,
    );
  }
  return new OidcError(
    'token_exchange_failed',
    'Could not complete sign-in with the identity provider.',
    detail,
  );
}

function stringClaim(claims: Record<string, unknown>, name: string): string | null {
  const value = claims[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

export class OidcAdapter {
  readonly #config: client.Configuration;
  readonly #redirectUri: string;
  readonly #scopes: string;
  readonly #emailClaim: string;
  readonly #rolesClaim: string | undefined;
  readonly #authorizationParams: Record<string, string>;

  private constructor(config: client.Configuration, settings: OidcSettings, redirectUri: string) {
    this.#config = config;
    this.#redirectUri = redirectUri;
    this.#authorizationParams = { ...settings.authorizationParams };
    this.#scopes = normaliseScopes(settings.scopes);
    this.#emailClaim = settings.emailClaim?.trim() || 'email';
    this.#rolesClaim = settings.rolesClaim?.trim() || undefined;
  }

  /** Validates the settings and performs OpenID Connect discovery against the issuer. */
  static async connect(settings: OidcSettings): Promise<OidcAdapter> {
    const issuerUrl = requireUrl(requireText(settings.issuerUrl, 'issuerUrl'), 'issuerUrl');
    const clientId = requireText(settings.clientId, 'clientId');
    const hasPrivateKey = typeof settings.privateKey === 'string' && settings.privateKey.trim() !== '';
    const hasSecret = typeof settings.clientSecret === 'string' && settings.clientSecret.trim() !== '';
    if (hasPrivateKey && hasSecret) {
      throw new OidcError('invalid_settings', 'Give the OIDC setting privateKey or clientSecret, not both.');
    }
    const clientSecret = hasPrivateKey ? null : requireText(settings.clientSecret, 'clientSecret');
    const redirectUri = requireUrl(requireText(settings.redirectUri, 'redirectUri'), 'redirectUri');
    if (redirectUri.search || redirectUri.hash) {
      throw new OidcError(
        'invalid_settings',
        'The OIDC setting redirectUri must not have a query or fragment.',
      );
    }
    if (issuerUrl.protocol !== 'https:') {
      if (issuerUrl.protocol !== 'http:') {
        throw new OidcError('invalid_settings', 'The OIDC setting issuerUrl must be an https URL.');
      }
      if (settings.allowInsecureHttp !== true) {
        throw new OidcError('insecure_issuer', 'The identity provider must be reached over https.');
      }
    }
    for (const name of Object.keys(settings.authorizationParams ?? {})) {
      if (RESERVED_PARAMS.has(name)) {
        throw new OidcError(
          'invalid_settings',
          `The OIDC setting authorizationParams must not set ${name}; the adapter sets it.`,
        );
      }
    }

    // Filled in after discovery; only read when a client assertion is signed (at the token endpoint).
    const discovered: { tokenEndpoint?: string } = {};
    let clientAuth: client.ClientAuth;
    let clientMetadata: Partial<client.ClientMetadata>;
    if (clientSecret === null) {
      const key = await importPrivateKey(settings.privateKey ?? '');
      const kid = settings.privateKeyId?.trim() || undefined;
      const toTokenEndpoint = settings.clientAssertionAudience === 'token_endpoint';
      clientAuth = client.PrivateKeyJwt(
        { key, kid },
        toTokenEndpoint
          ? {
              [client.modifyAssertion]: (_header, payload) => {
                payload.aud = discovered.tokenEndpoint;
              },
            }
          : undefined,
      );
      clientMetadata = { token_endpoint_auth_method: 'private_key_jwt' };
    } else {
      clientAuth =
        settings.tokenEndpointAuthMethod === 'client_secret_post'
          ? client.ClientSecretPost(clientSecret)
          : client.ClientSecretBasic(clientSecret);
      clientMetadata = { client_secret: clientSecret };
    }
    const timeout = settings.httpTimeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;

    let config: client.Configuration;
    try {
      config = await client.discovery(issuerUrl, clientId, clientMetadata, clientAuth, {
        // allowInsecureRequests is marked @deprecated upstream only to make it stand out.
        execute: settings.allowInsecureHttp === true ? [client.allowInsecureRequests] : [],
        timeout,
      });
    } catch (err) {
      throw new OidcError(
        'discovery_failed',
        'Could not load the identity provider’s OpenID configuration.',
        describe(err),
      );
    }

    const metadata = config.serverMetadata();
    if (!metadata.authorization_endpoint || !metadata.token_endpoint) {
      throw new OidcError(
        'discovery_failed',
        'The identity provider’s OpenID configuration has no authorization or token endpoint.',
      );
    }
    discovered.tokenEndpoint = metadata.token_endpoint;
    return new OidcAdapter(config, settings, redirectUri.href);
  }

  /**
   * Starts an authorization-code sign-in. Store state, nonce and codeVerifier server-side.
   * `options.uiLocales` asks the provider to show its pages in these languages (`ui_locales`,
   * space-separated BCP 47 tags, e.g. 'cy en').
   */
  async startLogin(options: { uiLocales?: string } = {}): Promise<OidcLoginStart> {
    const codeVerifier = client.randomPKCECodeVerifier();
    const codeChallenge = await client.calculatePKCECodeChallenge(codeVerifier);
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(this.#config, {
      ...this.#authorizationParams,
      ...(options.uiLocales ? { ui_locales: options.uiLocales } : {}),
      redirect_uri: this.#redirectUri,
      scope: this.#scopes,
      response_type: 'code',
      code_challenge: codeChallenge,
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url: url.href, state, nonce, codeVerifier };
  }

  /**
   * Handles the provider's redirect back to redirectUri: checks state and issuer, exchanges the
   * code (with the PKCE verifier), validates the ID token (signature, issuer, audience, expiry,
   * nonce) and returns who signed in. Only the callback's query string is used; the redirect_uri
   * sent to the token endpoint is always the configured one (so proxies can't make it differ).
   */
  async completeLogin(
    callbackUrl: URL,
    expected: { state: string; nonce: string; codeVerifier: string },
  ): Promise<OidcIdentity> {
    const params = callbackUrl.searchParams;

    const returnedState = params.get('state');
    if (!expected.state || returnedState === null || !sameString(returnedState, expected.state)) {
      throw new OidcError(
        'state_mismatch',
        'The sign-in response does not match a sign-in started in this browser.',
      );
    }
    if (!expected.nonce || !expected.codeVerifier) {
      throw new OidcError('state_mismatch', 'The sign-in session is incomplete; start signing in again.');
    }

    const metadata = this.#config.serverMetadata();
    const iss = params.get('iss');
    if (
      (iss === null && metadata.authorization_response_iss_parameter_supported === true) ||
      (iss !== null && iss !== metadata.issuer)
    ) {
      throw new OidcError(
        'issuer_mismatch',
        'The sign-in response did not come from the configured identity provider.',
      );
    }

    const error = params.get('error');
    if (error !== null) {
      const detail = `error ${error.slice(0, 100)}`;
      if (error === 'access_denied') {
        throw new OidcError('access_denied', 'The identity provider did not allow this sign-in.', detail);
      }
      throw new OidcError(
        'authorization_failed',
        'The identity provider could not complete the sign-in.',
        detail,
      );
    }
    if (!params.get('code')) {
      throw new OidcError('invalid_callback', 'The sign-in response has no authorization code.');
    }

    const currentUrl = new URL(this.#redirectUri);
    currentUrl.search = params.toString();

    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(this.#config, currentUrl, {
        pkceCodeVerifier: expected.codeVerifier,
        expectedState: expected.state,
        expectedNonce: expected.nonce,
        idTokenExpected: true,
      });
    } catch (err) {
      throw tokenExchangeError(err);
    }

    const idClaims = tokens.claims();
    if (!idClaims || typeof tokens.id_token !== 'string') {
      throw new OidcError('id_token_invalid', 'The identity provider did not return an identity token.');
    }

    let claims: Record<string, unknown> = { ...idClaims };
    const wanted = [this.#emailClaim, 'name', ...(this.#rolesClaim ? [this.#rolesClaim] : [])];
    if (wanted.some((claim) => claims[claim] === undefined) && metadata.userinfo_endpoint) {
      try {
        const userinfo = await client.fetchUserInfo(this.#config, tokens.access_token, idClaims.sub);
        // ID token values win; UserInfo only fills gaps (fetchUserInfo already checked `sub`).
        claims = { ...userinfo, ...claims };
      } catch (err) {
        throw new OidcError(
          'userinfo_failed',
          'Could not fetch the user’s details from the identity provider.',
          describe(err),
        );
      }
    }

    const email = stringClaim(claims, this.#emailClaim);
    if (email === null || !email.includes('@')) {
      throw new OidcError(
        'missing_email',
        'The identity provider did not give an email address for this user.',
      );
    }
    if (this.#emailClaim === 'email' && claims.email_verified === false) {
      throw new OidcError(
        'email_not_verified',
        'The identity provider has not verified this user’s email address.',
      );
    }

    const given = stringClaim(claims, 'given_name');
    const family = stringClaim(claims, 'family_name');
    const name = stringClaim(claims, 'name') ?? ([given, family].filter(Boolean).join(' ') || null);

    let roles: string[] = [];
    if (this.#rolesClaim) {
      const value = claims[this.#rolesClaim];
      if (Array.isArray(value)) roles = value.filter((v): v is string => typeof v === 'string' && v !== '');
      else if (typeof value === 'string') roles = value.split(/\s+/).filter(Boolean);
    }

    return { subject: idClaims.sub, email, name, roles, claims, idToken: tokens.id_token };
  }

  /** RP-initiated logout URL at the provider, or null when the provider has no end_session_endpoint. */
  logoutUrl(idTokenHint?: string, postLogoutRedirectUri?: string): string | null {
    if (!this.#config.serverMetadata().end_session_endpoint) return null;
    const params: Record<string, string> = {};
    if (idTokenHint) params.id_token_hint = idTokenHint;
    if (postLogoutRedirectUri) params.post_logout_redirect_uri = postLogoutRedirectUri;
    return client.buildEndSessionUrl(this.#config, params).href;
  }
}
