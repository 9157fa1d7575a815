/**
 * Staff identity routes and the staff-area guard. Every route in the app must declare
 * `config.permission`; the guard enforces it in one place (a route without one fails at start-up).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { endSession, startSession } from '../../platform/http/web.ts';
import { parseForm, toFormErrors } from '../../platform/http/validation.ts';
import type { SessionStore } from '../../platform/http/sessions.ts';
import { ForbiddenError, NotFoundError } from '../../platform/http/errors.ts';
import type { Db } from '../../platform/db/index.ts';
import type { Clock } from '../../platform/clock.ts';
import { formatDate } from '../../platform/views/index.ts';
import { setPasswordSchema, signInSchema } from './identity.schemas.ts';
import { StaffAccounts } from './identity.accounts.ts';
import { rolesLabel, type IdentityService, type StaffPrincipal } from './identity.service.ts';
import { PERMISSIONS, type Permission } from './identity.policy.ts';
import { findStaffById, openCaseCountsForTeams, setAvailability } from './identity.repository.ts';
import {
  fieldLabel,
  fieldsToKeep,
  forgetKeptAnswers,
  keepAnswers,
  keptAnswers,
  latestKeptAnswers,
} from './identity.pending-answers.ts';
import { audit, auditedInScope, runInAuditScope, type AuditOutcome } from '../../platform/audit/index.ts';
import type { OidcAdapter } from './oidc.ts';
import { staffRoute } from '../../platform/http/route-options.ts';

declare module 'fastify' {
  interface FastifyRequest {
    staff: StaffPrincipal | null;
  }
  interface FastifyInstance {
    /** Every route and the permission it declares, in registration order (HEAD twins and assets left out). */
    routeCatalogue: readonly CatalogueRoute[];
  }
}

/** One entry of `app.routeCatalogue`: what the access-control test walks. */
export interface CatalogueRoute {
  method: string;
  url: string;
  permission: string;
  /** The declared audit event; `false` when the route declares it touches no personal data. */
  auditEvent: string | false | undefined;
}

/** The record a staff route is about: the first path parameter, typed by the segment before it. */
export function auditRecordOf(
  routeUrl: string,
  params: Record<string, unknown>,
): { type: string; id: string } | null {
  const segments = routeUrl.split('/');
  for (let i = 1; i < segments.length; i += 1) {
    const segment = segments[i];
    if (!segment.startsWith(':')) continue;
    const value = params[segment.slice(1)];
    if (typeof value !== 'string' || value === '' || value.length > 200) return null;
    const type = segments[i - 1].replace(/ies$/, 'y').replace(/s$/, '').replace(/-/g, '_');
    const renamed: Record<string, string> = { learning: 'learning_action', apply: 'form_draft' };
    return { type: renamed[type] ?? type, id: value.toLowerCase() };
  }
  return null;
}

/** ok below 400; denied when refused (401, 403); failed for anything else (not found, invalid, error). */
export function auditOutcomeOf(statusCode: number): AuditOutcome {
  if (statusCode < 400) return 'ok';
  if (statusCode === 401 || statusCode === 403) return 'denied';
  return 'failed';
}

export interface StaffRoutesDeps {
  db: Db;
  identity: IdentityService;
  sessions: SessionStore;
  secureCookies: boolean;
  oidc: (() => Promise<OidcAdapter>) | null;
  oidcRedirectUri?: string;
  clock: Clock;
  /** For the links `npm run admin -- create` prints. */
  publicUrl: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const OIDC_COOKIE = 'fd_oidc';

function safeReturnTo(value: unknown): string {
  return typeof value === 'string' && /^\/staff(\/[\w\-/?=&.%]*)?$/.test(value) && !value.startsWith('//')
    ? value
    : '/staff';
}

/** Navigation for the staff workspace, filtered by permission. Modules add entries through `staffNavItems`. */
export const staffNavItems: { href: string; text: string; permission: Permission }[] = [
  { href: '/staff', text: 'Home', permission: 'workspace:use' },
];

/**
 * Panels other modules add to the staff home, above "New cases" (the phone channel's "Current call", callbacks
 * due). `load` returns null to show nothing; otherwise a template on the view path, rendered with the
 * variable `panel` set to `context`. Panels load in parallel and in `order`.
 */
export interface StaffHomePanel {
  id: string;
  order: number;
  load(staff: StaffPrincipal): Promise<{ template: string; context: Record<string, unknown> } | null>;
}
export const staffHomePanels: StaffHomePanel[] = [];

export async function registerStaffIdentity(app: FastifyInstance, deps: StaffRoutesDeps): Promise<void> {
  app.decorateRequest('staff', null);
  const catalogue: CatalogueRoute[] = [];
  app.decorate('routeCatalogue', catalogue);

  app.addHook('onRoute', (route) => {
    const permission = route.config?.permission;
    if (route.url.startsWith('/assets') || route.url.startsWith('/public')) return;
    if (!permission)
      throw new Error(`Route ${route.method.toString()} ${route.url} must declare config.permission`);
    if (
      permission !== 'public' &&
      permission !== 'staff' &&
      permission !== 'api' &&
      !(PERMISSIONS as readonly string[]).includes(permission)
    ) {
      throw new Error(`Route ${route.url} names unknown permission ${permission}`);
    }
    for (const method of [route.method].flat())
      if (method !== 'HEAD')
        catalogue.push({ method, url: route.url, permission, auditEvent: route.config?.auditEvent });
  });

  // Every request runs in an audit scope, so the hook below knows what the use-case already recorded.
  app.addHook('onRequest', (request, _reply, done) => runInAuditScope(request.id, done));

  // Audit, declared and done: every staff route that declares `auditEvent` gets a row for every request,
  // written before the response leaves (who, role, council, record, outcome, time). When the use-case has
  // already recorded the request (a success with its own, richer row in its transaction; a refusal or
  // failure with its own denied/failed row), the hook does not write it twice.
  app.addHook('onSend', async (request, reply, payload) => {
    const event = request.routeOptions.config.auditEvent;
    const staff = request.staff;
    if (!event || !staff) return payload;
    const outcome = auditOutcomeOf(reply.statusCode);
    // Only rows this member of staff's request wrote count (not, say, a system job's adoption rows).
    const written = auditedInScope().filter((w) => w.actorId === staff.id);
    const recorded =
      outcome === 'ok' ? written.length > 0 : written.some((w) => w.action === event || w.outcome !== 'ok');
    if (recorded) return payload;
    const record = auditRecordOf(
      request.routeOptions.url ?? '',
      (request.params ?? {}) as Record<string, unknown>,
    );
    await audit(deps.db, {
      actorType: 'staff',
      actorId: staff.id,
      authorityId: staff.authorityId,
      action: event,
      recordType: record?.type ?? null,
      recordId: record?.id ?? null,
      outcome,
      requestId: request.id,
      details: {
        roles: staff.roles,
        route: `${request.method} ${request.routeOptions.url ?? ''}`,
        status: reply.statusCode,
        params: request.params ?? {},
      },
    });
    return payload;
  });

  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    const permission = request.routeOptions.config.permission;
    if (request.session?.kind === 'staff' && request.session.staffUserId) {
      request.staff = await deps.identity.principal(request.session.staffUserId);
      if (!request.staff) await endSession(request, reply, deps.sessions);
    }
    if (request.staff) {
      const staff = request.staff;
      request.viewContext.staff = { name: staff.name, rolesLabel: rolesLabel(staff.roles) };
      request.viewContext.sessionIdleSeconds = deps.sessions.idleMinutes * 60;
      // Without JavaScript there is no warning dialog: every page says when the session will end.
      if (request.session) request.viewContext.signOutAt = formatDate(request.session.expiresAt, 'time');
      const path = request.url.split('?')[0];
      request.viewContext.staffNav = staffNavItems
        .filter((item) => staff.permissions.has(item.permission))
        .map((item) => ({
          href: item.href,
          text: item.text,
          active: item.href === '/staff' ? path === '/staff' : path.startsWith(item.href),
        }));
    }
    if (!permission || permission === 'public' || permission === 'api') return;
    if (!request.staff) {
      // The push stream of a page whose session has ended: 204 tells EventSource to stop. (A redirect would
      // load the sign-in page behind the person's back and replace the CSRF cookie of the form they see.)
      if (request.method === 'GET' && request.url.split('?')[0] === '/staff/push')
        return reply.code(204).send();
      if (request.method === 'GET')
        return reply.redirect(`/staff/sign-in?returnTo=${encodeURIComponent(request.url)}`);
      // A form sent just after the session timed out: keep its answers for that member of staff (not file
      // uploads: multipart bodies are never kept), to send after they sign in again.
      const expired = request.expiredSession;
      const form = (request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
      const fields = form ? fieldsToKeep(request.body) : null;
      if (expired?.kind === 'staff' && expired.staffUserId && fields && request.url.startsWith('/staff/')) {
        await keepAnswers(deps.db, deps.clock, {
          staffUserId: expired.staffUserId,
          action: request.url,
          fields,
        });
        return reply.redirect('/staff/sign-in?answersKept=1');
      }
      return reply.redirect('/staff/sign-in');
    }
    if (permission !== 'staff' && !request.staff.permissions.has(permission as Permission))
      throw new ForbiddenError();
  });

  const accounts = new StaffAccounts(deps.db, deps.clock, deps.publicUrl);
  const renderSignIn = (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) =>
    reply.view('identity/sign-in.njk', {
      pageTitle: 'Sign in',
      returnTo: safeReturnTo((request.query as Record<string, unknown>).returnTo),
      oidcEnabled: deps.oidc !== null,
      staffArea: true,
      maxFailures: deps.identity.lockPolicy.maxFailures,
      lockMinutes: deps.identity.lockPolicy.lockMinutes,
      ...extra,
    });

  app.get('/staff/sign-in', { config: { permission: 'public' } }, async (request, reply) => {
    if (request.staff) return reply.redirect('/staff');
    const query = request.query as Record<string, unknown>;
    return renderSignIn(request, reply, {
      notice: query.answersKept
        ? 'answersKept'
        : query.signedOut === 'timeout'
          ? 'timeout'
          : query.signedOut
            ? 'signedOut'
            : query.passwordSet
              ? 'passwordSet'
              : null,
    });
  });

  // Sign-in attempts: 10 a minute for one account from one address (the account's lock-out counts the
  // failures), and 60 a minute from one address in all, so a contact centre behind one address can start its
  // shift while one machine trying many accounts is still slowed down.
  // (Two limits on one route: the plugin runs one limiter per request, so the address's is checked here.)
  const attemptsFromOneAddress = app.createRateLimit
    ? app.createRateLimit({
        max: 60,
        timeWindow: '1 minute',
        keyGenerator: (request) => `sign-in:${request.ip}`,
      })
    : undefined;
  const signInsFromOneAddress = attemptsFromOneAddress
    ? async (request: FastifyRequest) => {
        const limit = await attemptsFromOneAddress(request);
        if (!limit.isAllowed && limit.isExceeded)
          throw Object.assign(new Error('Too many sign-in attempts from one address'), { statusCode: 429 });
      }
    : undefined;
  app.post(
    '/staff/sign-in',
    {
      config: {
        permission: 'public',
        rateLimit: {
          max: 10,
          timeWindow: '1 minute',
          hook: 'preHandler',
          keyGenerator: (request) => {
            const email = (request.body as { email?: unknown } | undefined)?.email;
            return `${request.ip}:${typeof email === 'string' ? email.trim().toLowerCase() : ''}`;
          },
        },
      },
      preHandler: signInsFromOneAddress,
    },
    async (request, reply) => {
      const body = request.body as Record<string, unknown>;
      const returnTo = safeReturnTo(body.returnTo);
      const parsed = parseForm(signInSchema, body);
      if (!parsed.ok) {
        return renderSignIn(request, reply.status(400), {
          ...parsed.errors,
          values: { email: parsed.values.email },
          returnTo,
        });
      }
      const result = await deps.identity.signInWithPassword(
        parsed.value.email,
        parsed.value.password,
        request.id,
      );
      if (!result.ok) {
        const message =
          result.reason === 'locked'
            ? `Your account is locked after too many wrong attempts. Try again after ${
                result.lockedUntil ? formatDate(result.lockedUntil, 'datetime') : 'a while'
              }, or ask your administrator to unlock it.`
            : 'Enter a correct email address and password';
        return renderSignIn(request, reply.status(401), {
          ...toFormErrors([{ field: 'email', message }]),
          values: { email: parsed.value.email },
          returnTo,
        });
      }
      await startSession(
        request,
        reply,
        deps.sessions,
        'staff',
        { staffUserId: result.staffUserId },
        deps.secureCookies,
      );
      // Answers kept when their session timed out come first: they were in the middle of something.
      const kept = await latestKeptAnswers(deps.db, deps.clock, result.staffUserId);
      return reply.redirect(kept ? `/staff/answers-kept/${kept.id}` : returnTo);
    },
  );

  // ---- answers kept after a time-out (identity.pending-answers.ts)
  const findKept = async (request: FastifyRequest) => {
    const { id } = request.params as { id: string };
    if (!UUID.test(id)) throw new NotFoundError();
    const kept = await keptAnswers(deps.db, deps.clock, id, request.staff!.id);
    if (!kept || !kept.action.startsWith('/staff/')) throw new NotFoundError();
    return kept;
  };
  app.get('/staff/answers-kept/:id', staffRoute('staff', 'kept_answers.view'), async (request, reply) => {
    const kept = await findKept(request);
    const hidden = Object.entries(kept.fields).flatMap(([name, value]) =>
      [value].flat().map((v) => ({ name, value: v })),
    );
    // What the person typed (not choices, which are codes, nor record ids): shown so they can check it.
    const typed = hidden.filter(
      (f) =>
        f.value.trim() !== '' && !UUID.test(f.value) && (/\s/.test(f.value.trim()) || f.value.length > 30),
    );
    return reply.view('identity/answers-kept.njk', {
      pageTitle: 'Send the answers you gave before you were signed out',
      id: kept.id,
      hidden,
      keptAt: formatDate(kept.created_at, 'time'),
      typedRows: typed.map((f) => ({ key: { text: fieldLabel(f.name) }, value: { text: f.value } })),
    });
  });
  // Sends the kept answers on: a 307 redirect makes the browser post the same form (the kept fields and
  // this session's CSRF token) to where it was going, as if it had been sent in time.
  app.post(
    '/staff/answers-kept/:id/send',
    staffRoute('staff', 'kept_answers.send'),
    async (request, reply) => {
      const kept = await findKept(request);
      await forgetKeptAnswers(deps.db, kept.id, request.staff!.id);
      return reply.redirect(kept.action, 307);
    },
  );
  app.post(
    '/staff/answers-kept/:id/discard',
    staffRoute('staff', 'kept_answers.discard'),
    async (request, reply) => {
      const kept = await findKept(request);
      await forgetKeptAnswers(deps.db, kept.id, request.staff!.id);
      return reply.redirect('/staff');
    },
  );

  app.post('/staff/sign-out', staffRoute('staff', false), async (request, reply) => {
    if (request.staff) await deps.identity.signedOut(request.staff.id, request.id);
    await endSession(request, reply, deps.sessions);
    return reply.redirect('/staff/sign-in?signedOut=1');
  });

  // Keep-alive from the timeout warning ("Stay signed in"). Works as a plain form post without JavaScript too.
  app.post('/staff/session/extend', staffRoute('staff', false), async (request, reply) => {
    const expiresAt = await deps.sessions.extend(request.session!.id);
    if ((request.headers.accept ?? '').includes('application/json'))
      return reply.send({ expiresAt: expiresAt.toISOString() });
    return reply.redirect(safeReturnTo((request.body as Record<string, unknown>).returnTo));
  });

  // Routing offers new cases only to staff who are available (cases.routing.ts); each sets it here.
  const availability = staffRoute('cases:write', 'staff.availability_changed');
  app.post('/staff/availability', availability, async (request, reply) => {
    const staff = request.staff!;
    const available = (request.body as { available?: unknown } | undefined)?.available === 'yes';
    await setAvailability(deps.db, staff.id, available);
    await audit(deps.db, {
      actorType: 'staff',
      actorId: staff.id,
      authorityId: staff.authorityId,
      action: 'staff.availability_changed',
      recordType: 'staff',
      recordId: staff.id,
      requestId: request.id,
      details: { available },
    });
    return reply.redirect(`/staff?done=${available ? 'available' : 'away'}`, 303);
  });

  app.get('/staff', staffRoute('workspace:use', 'staff.home_viewed'), async (request, reply) => {
    const staff = request.staff!;
    const counts = await openCaseCountsForTeams(
      deps.db,
      staff.teams.map((t) => t.id),
    );
    const byTeam = new Map(counts.map((c) => [c.team_id, c]));
    const me = await findStaffById(deps.db, staff.id);
    const panels = (
      await Promise.all(
        [...staffHomePanels]
          .sort((a, b) => a.order - b.order)
          .map(async (p) => {
            const loaded = await p.load(staff);
            return loaded ? { id: p.id, ...loaded } : null;
          }),
      )
    ).filter((p) => p !== null);
    return reply.view('identity/home.njk', {
      pageTitle: 'Home',
      panels,
      available: me?.available ?? true,
      takesCases: staff.permissions.has('cases:write'),
      managesStaff: staff.permissions.has('staff:manage'),
      done: (request.query as { done?: string }).done ?? null,
      teamRows: staff.teams.map((team) => [
        {
          html: `<a class="govuk-link" href="/staff/queues?queue=team:${team.id}">${escapeHtml(team.name)}</a>`,
        },
        { text: team.authorityName },
        { text: team.isLeader ? 'Team leader' : 'Member' },
        { text: String(byTeam.get(team.id)?.open ?? 0), format: 'numeric' },
        {
          text: String(Number(byTeam.get(team.id)?.open ?? 0) - Number(byTeam.get(team.id)?.assigned ?? 0)),
          format: 'numeric',
        },
      ]),
      rolesLabel: rolesLabel(staff.roles),
    });
  });

  // The staff list (administrators): every account of their council, and "Unlock" for locked ones.
  if (!staffNavItems.some((i) => i.href === '/staff/admin/staff'))
    staffNavItems.push({ href: '/staff/admin/staff', text: 'Staff', permission: 'staff:manage' });
  app.get(
    '/staff/admin/staff',
    { config: { permission: 'staff:manage', auditEvent: 'staff.list' } },
    async (request, reply) => {
      const entries = await deps.identity.staffList(request.staff!);
      const query = request.query as Record<string, string | undefined>;
      return reply.view('identity/admin-staff.njk', {
        pageTitle: 'Staff',
        unlocked: query.unlocked === '1',
        rows: entries.map((e) => [
          { text: e.name },
          { text: e.email },
          { text: rolesLabel(e.roles) },
          {
            html: !e.active
              ? '<strong class="govuk-tag govuk-tag--grey">Inactive</strong>'
              : e.lockedUntil
                ? `<strong class="govuk-tag govuk-tag--red">Locked</strong> until ${escapeHtml(formatDate(e.lockedUntil, 'datetime'))}`
                : '<strong class="govuk-tag govuk-tag--green">Active</strong>',
          },
          { text: e.lastSignInAt ? formatDate(e.lastSignInAt, 'datetime') : 'Never' },
          e.lockedUntil
            ? {
                html: `<form method="post" action="/staff/admin/staff/${e.id}/unlock"><input type="hidden" name="_csrf" value="${escapeHtml(request.csrfToken)}"><button class="govuk-button govuk-button--secondary app-button--small govuk-!-margin-bottom-0" data-module="govuk-button" data-testid="unlock">Unlock<span class="govuk-visually-hidden"> ${escapeHtml(e.name)}</span></button></form>`,
              }
            : { text: '' },
        ]),
      });
    },
  );

  app.post<{ Params: { id: string } }>(
    '/staff/admin/staff/:id/unlock',
    { config: { permission: 'staff:manage', auditEvent: 'staff.unlocked' } },
    async (request, reply) => {
      if (!UUID.test(request.params.id)) throw new NotFoundError();
      await deps.identity.unlock(request.staff!, request.params.id, request.id);
      return reply.redirect('/staff/admin/staff?unlocked=1', 303);
    },
  );

  // One-time "set your password" links (`npm run admin -- create`). The token is in the path, so the
  // pages are never cached and send no referrer.
  const renderSetPassword = (
    reply: FastifyReply,
    token: string,
    account: { email: string; name: string },
    extra: Record<string, unknown> = {},
  ) =>
    reply.header('referrer-policy', 'no-referrer').view('identity/set-password.njk', {
      pageTitle: 'Set your password',
      staffArea: true,
      token,
      account,
      ...extra,
    });
  const linkGone = (reply: FastifyReply) =>
    reply
      .status(404)
      .header('referrer-policy', 'no-referrer')
      .view('identity/set-password-gone.njk', { pageTitle: 'This link no longer works', staffArea: true });

  app.get<{ Params: { token: string } }>(
    '/staff/set-password/:token',
    { config: { permission: 'public', personalData: true } },
    async (request, reply) => {
      const account = await accounts.passwordLink(request.params.token);
      if (!account) return linkGone(reply);
      return renderSetPassword(reply, request.params.token, account);
    },
  );

  app.post<{ Params: { token: string } }>(
    '/staff/set-password/:token',
    {
      config: {
        permission: 'public',
        personalData: true,
        rateLimit: { max: 10, timeWindow: '1 minute' },
      },
    },
    async (request, reply) => {
      const account = await accounts.passwordLink(request.params.token);
      if (!account) return linkGone(reply);
      const parsed = parseForm(setPasswordSchema(account.email), request.body);
      if (!parsed.ok)
        return renderSetPassword(reply.status(400), request.params.token, account, { ...parsed.errors });
      const done = await accounts.setPassword(request.params.token, parsed.value.password, request.id);
      if (!done) return linkGone(reply);
      return reply.redirect('/staff/sign-in?passwordSet=1', 303);
    },
  );

  if (deps.oidc) {
    const connect = deps.oidc;
    app.get('/staff/auth/oidc', { config: { permission: 'public' } }, async (request, reply) => {
      const adapter = await connect();
      const start = await adapter.startLogin();
      reply.setCookie(
        OIDC_COOKIE,
        JSON.stringify({ state: start.state, nonce: start.nonce, codeVerifier: start.codeVerifier }),
        {
          path: '/staff/auth/oidc',
          httpOnly: true,
          sameSite: 'lax',
          secure: deps.secureCookies,
          signed: true,
          maxAge: 600,
        },
      );
      return reply.redirect(start.url);
    });

    app.get('/staff/auth/oidc/callback', { config: { permission: 'public' } }, async (request, reply) => {
      const raw = request.cookies[OIDC_COOKIE];
      const unsigned = raw ? request.unsignCookie(raw) : null;
      reply.clearCookie(OIDC_COOKIE, { path: '/staff/auth/oidc' });
      const fail = (message: string) =>
        renderSignIn(request, reply.status(401), { ...toFormErrors([{ field: 'email', message }]) });
      if (!unsigned?.valid || !unsigned.value)
        return fail('Your sign-in took too long or was interrupted. Try again.');
      const expected = JSON.parse(unsigned.value) as { state: string; nonce: string; codeVerifier: string };
      try {
        const adapter = await connect();
        const callback = new URL(deps.oidcRedirectUri ?? '/', 'http://localhost');
        callback.search = new URL(request.url, 'http://localhost').search;
        const identity = await adapter.completeLogin(callback, expected);
        const result = await deps.identity.signInWithIdentityProvider(
          identity.email,
          identity.subject,
          request.id,
        );
        if (!result.ok)
          return fail(
            'There is no active Frontdoor account for your council sign-in. Ask your administrator.',
          );
        await startSession(
          request,
          reply,
          deps.sessions,
          'staff',
          { staffUserId: result.staffUserId },
          deps.secureCookies,
        );
        return reply.redirect('/staff');
      } catch (error) {
        request.log.warn({ code: (error as { code?: string }).code ?? 'oidc_error' }, 'OIDC sign-in failed');
        return fail('We could not sign you in with your council account. Try again.');
      }
    });
  }
}

export function newRequestId(): string {
  return randomUUID();
}

function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
