/**
 * Resident account routes: sign in with an emailed code (or GOV.UK One Login when configured), "Your
 * account", "Your details" (tell us once) and "Your requests". Thin: parse, call one use-case, render or
 * redirect (post/redirect/get). Every page works without JavaScript.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../platform/clock.ts';
import { withTransaction, type Db } from '../../platform/db/index.ts';
import type { SessionStore } from '../../platform/http/sessions.ts';
import { parseForm, toFormErrors } from '../../platform/http/validation.ts';
import { endSession, startSession } from '../../platform/http/web.ts';
import { translate } from '../../platform/i18n/index.ts';
import { listCasesForCustomer, whatHappensNext } from '../cases/index.ts';
import { OidcAdapter } from '../identity/index.ts';
import { loadProfile, saveToProfile } from './residents.profile.ts';
import { changesFromForm, detailsFormItems, detailsFormValues, requestList } from './residents.presenters.ts';
import { schemasFor } from './residents.schemas.ts';
import { ResidentAccounts, type CodeCheckFailure, type CodePurpose } from './residents.service.ts';

/** GOV.UK One Login settings (config.oneLogin; see docs/residents.md "GOV.UK One Login"). */
export interface OneLoginSettings {
  issuerUrl: string;
  clientId: string;
  /** For test set-ups only; production One Login authenticates with privateKey. */
  clientSecret: string | null;
  /** PEM private key for private_key_jwt (the public key is registered with One Login). */
  privateKey: string | null;
  /** `kid` of the registered public key. */
  privateKeyId: string | null;
  redirectUri: string;
  allowHttp: boolean;
  /** Space-separated, e.g. 'openid email phone'. */
  scopes: string;
  /** Vector of trust, a JSON list as One Login expects it, e.g. '["Cl.Cm"]'. */
  vtr: string;
}

/** Languages GOV.UK One Login can show its pages in (`ui_locales`). */
const ONE_LOGIN_LOCALES = new Set(['en', 'cy']);

export interface ResidentRoutesDeps {
  db: Db;
  clock: Clock;
  sessions: SessionStore;
  secureCookies: boolean;
  /** Keys the one-time code hashes (config.sessionSecret). */
  secret: string;
  /** GOV.UK One Login (OIDC); null: sign in by emailed code only. */
  oneLogin: OneLoginSettings | null;
}

const CODE_COOKIE = 'fd_account_code';
const ONE_LOGIN_COOKIE = 'fd_one_login';
const ONE_LOGIN_PATH = '/account/sign-in/one-login';

const CODE_ERRORS: Record<CodeCheckFailure, string> = {
  wrong: 'codeWrong',
  expired: 'codeExpired',
  used: 'codeUsed',
  too_many: 'codeTooMany',
  unknown: 'codeUnknown',
};

export async function registerResidentRoutes(app: FastifyInstance, deps: ResidentRoutesDeps): Promise<void> {
  const accounts = new ResidentAccounts(deps.db, deps.clock, deps.secret);
  const t = (request: FastifyRequest, key: string, params?: Record<string, string | number>) =>
    translate(request.locale, key, params);
  const cookieOptions = (path: string, maxAge: number) => ({
    path,
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: deps.secureCookies,
    signed: true,
    maxAge,
  });

  const residentId = (request: FastifyRequest): string | null =>
    request.session?.kind === 'resident' ? request.session.customerId : null;

  /** The signed-in resident's profile, or null (the caller redirects to sign in). */
  async function requireResident(request: FastifyRequest, reply: FastifyReply) {
    const customerId = residentId(request);
    const profile = customerId ? await loadProfile(deps.db, customerId) : null;
    if (!profile) {
      if (customerId) await endSession(request, reply, deps.sessions);
      return null;
    }
    request.viewContext.residentSignedIn = true;
    return profile;
  }
  const toSignIn = (reply: FastifyReply) => reply.redirect('/account/sign-in', 303);

  function pendingCodeId(request: FastifyRequest, purpose: CodePurpose): string | null {
    const raw = request.cookies[CODE_COOKIE];
    const unsigned = raw ? request.unsignCookie(raw) : null;
    if (!unsigned?.valid || !unsigned.value) return null;
    const [kind, id] = unsigned.value.split(':');
    return kind === purpose && id ? id : null;
  }
  const rememberCode = (reply: FastifyReply, purpose: CodePurpose, codeId: string) =>
    reply.setCookie(CODE_COOKIE, `${purpose}:${codeId}`, cookieOptions('/account', 15 * 60));
  const forgetCode = (reply: FastifyReply) => reply.clearCookie(CODE_COOKIE, { path: '/account' });

  // ── sign in ─────────────────────────────────────────────────────────────────────────────────────────

  const renderSignIn = (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) =>
    reply.view('residents/sign-in.njk', {
      navActive: 'account',
      pageTitle: t(request, 'account.signIn.title'),
      oneLoginEnabled: deps.oneLogin !== null,
      values: {},
      ...extra,
    });

  app.get('/account/sign-in', { config: { permission: 'public' } }, async (request, reply) => {
    if (residentId(request)) return reply.redirect('/account', 303);
    const query = (request.query ?? {}) as Record<string, unknown>;
    return renderSignIn(request, reply, { signedOut: query.signedOut === '1' });
  });

  app.post(
    '/account/sign-in',
    { config: { permission: 'public', rateLimit: { max: 20, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const parsed = parseForm(schemasFor(request.locale).signIn, request.body);
      if (!parsed.ok)
        return renderSignIn(request, reply.status(400), { ...parsed.errors, values: parsed.values });
      const result = await accounts.requestCode({
        email: parsed.value.email,
        purpose: 'sign_in',
        ip: request.ip,
        requestId: request.id,
      });
      if (!result.ok)
        return renderSignIn(request, reply.status(429), {
          ...toFormErrors([{ field: 'email', message: t(request, 'account.errors.rateLimited') }]),
          values: { email: parsed.value.email },
        });
      rememberCode(reply, 'sign_in', result.codeId);
      return reply.redirect('/account/sign-in/code', 303);
    },
  );

  const renderCode = (
    request: FastifyRequest,
    reply: FastifyReply,
    purpose: CodePurpose,
    email: string,
    extra: Record<string, unknown> = {},
  ) =>
    reply.view('residents/code.njk', {
      navActive: 'account',
      pageTitle: t(request, purpose === 'sign_in' ? 'account.code.title' : 'account.confirmEmail.title'),
      heading: t(request, purpose === 'sign_in' ? 'account.code.title' : 'account.confirmEmail.title'),
      sentTo: t(request, purpose === 'sign_in' ? 'account.code.sentTo' : 'account.confirmEmail.sentTo', {
        email,
      }),
      action: purpose === 'sign_in' ? '/account/sign-in/code' : '/account/details/confirm-email',
      submitText: t(request, purpose === 'sign_in' ? 'account.code.submit' : 'account.confirmEmail.submit'),
      newCodeHref: purpose === 'sign_in' ? '/account/sign-in' : '/account/details',
      values: {},
      ...extra,
    });

  app.get('/account/sign-in/code', { config: { permission: 'public' } }, async (request, reply) => {
    const codeId = pendingCodeId(request, 'sign_in');
    const pending = codeId ? await accounts.pendingCode(codeId, 'sign_in') : null;
    if (!pending) return reply.redirect('/account/sign-in', 303);
    return renderCode(request, reply, 'sign_in', pending.email);
  });

  app.post(
    '/account/sign-in/code',
    { config: { permission: 'public', rateLimit: { max: 30, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const codeId = pendingCodeId(request, 'sign_in');
      const pending = codeId ? await accounts.pendingCode(codeId, 'sign_in') : null;
      if (!codeId || !pending) return reply.redirect('/account/sign-in', 303);
      const parsed = parseForm(schemasFor(request.locale).code, request.body);
      if (!parsed.ok)
        return renderCode(request, reply.status(400), 'sign_in', pending.email, {
          ...parsed.errors,
          values: parsed.values,
        });
      const result = await accounts.signInWithCode(codeId, parsed.value.code, request.id);
      if (!result.ok)
        return renderCode(request, reply.status(400), 'sign_in', pending.email, {
          ...toFormErrors([
            { field: 'code', message: t(request, `account.errors.${CODE_ERRORS[result.reason]}`) },
          ]),
          codeDead: result.reason !== 'wrong',
        });
      forgetCode(reply);
      await startSession(
        request,
        reply,
        deps.sessions,
        'resident',
        { customerId: result.customerId },
        deps.secureCookies,
      );
      return reply.redirect('/account', 303);
    },
  );

  app.post('/account/sign-out', { config: { permission: 'public' } }, async (request, reply) => {
    const customerId = residentId(request);
    if (customerId) {
      await accounts.signedOut(customerId, request.id);
      await endSession(request, reply, deps.sessions);
    }
    return reply.redirect('/account/sign-in?signedOut=1', 303);
  });

  // ── GOV.UK One Login (only when configured) ─────────────────────────────────────────────────────────

  const oneLogin = deps.oneLogin;
  if (oneLogin) {
    let adapter: Promise<OidcAdapter> | null = null;
    const connect = () => {
      adapter ??= OidcAdapter.connect({
        issuerUrl: oneLogin.issuerUrl,
        clientId: oneLogin.clientId,
        clientSecret: oneLogin.clientSecret,
        privateKey: oneLogin.privateKey,
        privateKeyId: oneLogin.privateKeyId,
        // One Login wants the token endpoint URL as the client assertion's audience.
        clientAssertionAudience: 'token_endpoint',
        redirectUri: oneLogin.redirectUri,
        allowInsecureHttp: oneLogin.allowHttp,
        scopes: oneLogin.scopes,
        authorizationParams: { vtr: oneLogin.vtr },
      }).catch((error: unknown) => {
        adapter = null;
        throw error;
      });
      return adapter;
    };

    app.get(ONE_LOGIN_PATH, { config: { permission: 'public' } }, async (request, reply) => {
      // One Login's pages in the resident's language when it has it (English or Welsh).
      const uiLocales = ONE_LOGIN_LOCALES.has(request.locale) ? request.locale : 'en';
      const start = await (await connect()).startLogin({ uiLocales });
      reply.setCookie(
        ONE_LOGIN_COOKIE,
        JSON.stringify({ state: start.state, nonce: start.nonce, codeVerifier: start.codeVerifier }),
        cookieOptions(ONE_LOGIN_PATH, 600),
      );
      return reply.redirect(start.url);
    });

    app.get(`${ONE_LOGIN_PATH}/callback`, { config: { permission: 'public' } }, async (request, reply) => {
      const raw = request.cookies[ONE_LOGIN_COOKIE];
      const unsigned = raw ? request.unsignCookie(raw) : null;
      reply.clearCookie(ONE_LOGIN_COOKIE, { path: ONE_LOGIN_PATH });
      const fail = () =>
        renderSignIn(request, reply.status(401), {
          ...toFormErrors([{ field: 'email', message: t(request, 'account.errors.oneLoginFailed') }]),
        });
      if (!unsigned?.valid || !unsigned.value) return fail();
      try {
        const expected = JSON.parse(unsigned.value) as { state: string; nonce: string; codeVerifier: string };
        const callback = new URL(oneLogin.redirectUri);
        callback.search = new URL(request.url, 'http://localhost').search;
        const identity = await (await connect()).completeLogin(callback, expected);
        const result = await accounts.signInWithIdentityProvider(identity.email, request.id);
        if (!result.ok) return fail();
        await startSession(
          request,
          reply,
          deps.sessions,
          'resident',
          { customerId: result.customerId },
          deps.secureCookies,
        );
        return reply.redirect('/account', 303);
      } catch (error) {
        request.log.warn(
          { code: (error as { code?: string }).code ?? 'oidc_error' },
          'One Login sign-in failed',
        );
        return fail();
      }
    });
  }

  // ── your account ────────────────────────────────────────────────────────────────────────────────────

  app.get('/account', { config: { permission: 'public' } }, async (request, reply) => {
    const profile = await requireResident(request, reply);
    if (!profile) return toSignIn(reply);
    const query = (request.query ?? {}) as Record<string, unknown>;
    const name = [profile.givenName, profile.familyName].filter(Boolean).join(' ');
    return reply.view('residents/account.njk', {
      navActive: 'account',
      pageTitle: t(request, 'account.home.title'),
      signedInAs: name || profile.email || '',
      saved: query.saved === 'details' || query.saved === 'email' ? query.saved : null,
      needsName: !profile.givenName,
    });
  });

  // ── your details ────────────────────────────────────────────────────────────────────────────────────

  const renderDetails = (
    request: FastifyRequest,
    reply: FastifyReply,
    values: Record<string, unknown>,
    extra: Record<string, unknown> = {},
  ) =>
    reply.view('residents/details.njk', {
      navActive: 'account',
      pageTitle: t(request, 'account.details.title'),
      values,
      ...detailsFormItems(request.locale, values),
      ...extra,
    });

  app.get('/account/details', { config: { permission: 'public' } }, async (request, reply) => {
    const profile = await requireResident(request, reply);
    if (!profile) return toSignIn(reply);
    return renderDetails(request, reply, detailsFormValues(profile));
  });

  app.post(
    '/account/details',
    { config: { permission: 'public', rateLimit: { max: 30, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const profile = await requireResident(request, reply);
      if (!profile) return toSignIn(reply);
      const parsed = parseForm(schemasFor(request.locale).details, request.body);
      if (!parsed.ok) return renderDetails(request, reply.status(400), parsed.values, { ...parsed.errors });
      const form = parsed.value;
      await withTransaction(deps.db, (trx) =>
        saveToProfile(trx, profile.customerId, changesFromForm(form, profile), {
          at: deps.clock.now(),
          requestId: request.id,
        }),
      );
      if (form.email === profile.email) return reply.redirect('/account?saved=details', 303);

      // A new email address is only used once the resident has shown they can read it.
      const result = await accounts.requestCode({
        email: form.email,
        purpose: 'confirm_email',
        customerId: profile.customerId,
        ip: request.ip,
        requestId: request.id,
      });
      if (!result.ok) {
        const fresh = await loadProfile(deps.db, profile.customerId);
        return renderDetails(
          request,
          reply.status(429),
          fresh ? detailsFormValues(fresh) : { email: form.email },
          {
            ...toFormErrors([{ field: 'email', message: t(request, 'account.errors.rateLimited') }]),
          },
        );
      }
      rememberCode(reply, 'confirm_email', result.codeId);
      return reply.redirect('/account/details/confirm-email', 303);
    },
  );

  app.get('/account/details/confirm-email', { config: { permission: 'public' } }, async (request, reply) => {
    const profile = await requireResident(request, reply);
    if (!profile) return toSignIn(reply);
    const codeId = pendingCodeId(request, 'confirm_email');
    const pending = codeId ? await accounts.pendingCode(codeId, 'confirm_email') : null;
    if (!pending || pending.customerId !== profile.customerId) return reply.redirect('/account/details', 303);
    return renderCode(request, reply, 'confirm_email', pending.email, { otherChangesSaved: true });
  });

  app.post(
    '/account/details/confirm-email',
    { config: { permission: 'public', rateLimit: { max: 30, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const profile = await requireResident(request, reply);
      if (!profile) return toSignIn(reply);
      const codeId = pendingCodeId(request, 'confirm_email');
      const pending = codeId ? await accounts.pendingCode(codeId, 'confirm_email') : null;
      if (!codeId || !pending || pending.customerId !== profile.customerId)
        return reply.redirect('/account/details', 303);
      const parsed = parseForm(schemasFor(request.locale).code, request.body);
      if (!parsed.ok)
        return renderCode(request, reply.status(400), 'confirm_email', pending.email, {
          ...parsed.errors,
          values: parsed.values,
        });
      const result = await accounts.confirmEmail(profile.customerId, codeId, parsed.value.code, request.id);
      if (!result.ok)
        return renderCode(request, reply.status(400), 'confirm_email', pending.email, {
          ...toFormErrors([
            { field: 'code', message: t(request, `account.errors.${CODE_ERRORS[result.reason]}`) },
          ]),
          codeDead: result.reason !== 'wrong',
        });
      forgetCode(reply);
      return reply.redirect('/account?saved=email', 303);
    },
  );

  // ── your requests ───────────────────────────────────────────────────────────────────────────────────

  app.get('/account/requests', { config: { permission: 'public' } }, async (request, reply) => {
    const profile = await requireResident(request, reply);
    if (!profile) return toSignIn(reply);
    const items = await listCasesForCustomer(deps.db, profile.customerId);
    return reply.view('residents/requests.njk', {
      navActive: 'account',
      pageTitle: t(request, 'account.requests.title'),
      requests: requestList(items, request.locale, (item) =>
        whatHappensNext({ closed: item.closed, paused: false, dueAt: item.dueAt }, request.locale),
      ),
    });
  });
}
