/**
 * The web platform: everything every page needs, registered once. Security headers (CSP with nonces,
 * no 'unsafe-inline'), form parsing, cookies, CSRF on every state-changing request, database sessions,
 * the `reply.view` renderer with the shared view context, static assets and the error pages.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import cookie from '@fastify/cookie';
import compress from '@fastify/compress';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createViews, type Views } from '../views/index.ts';
import { brandImageUrl, loadAssets, registerAssets, type Assets, type BrandSettings } from './assets.ts';
import { availableLocales, defaultLocale, translate } from '../i18n/index.ts';
import { AppError, CsrfError, ValidationError } from './errors.ts';
import { registerSecurityHeaders } from './security-headers.ts';
import { CSRF_COOKIE, csrfTokenFor, csrfTokenValid, newCsrfSecret, type CsrfBinding } from './csrf.ts';
import { SESSION_COOKIE, type SessionRecord, type SessionStore } from './sessions.ts';
import { PageCache, type PageCacheOptions } from './page-cache.ts';
import { faultSummary, isConnectionFault } from '../db/index.ts';
import { registerInputEdge } from './edge.ts';

declare module 'fastify' {
  interface FastifyRequest {
    session: SessionRecord | null;
    /** The cookie's session had timed out on this request (it is gone now): whose it was. */
    expiredSession: { kind: SessionRecord['kind']; staffUserId: string | null } | null;
    csrfToken: string;
    locale: string;
    /** Extra values every view of this request gets (set by module hooks, e.g. the signed-in staff member). */
    viewContext: Record<string, unknown>;
    /** Set when this anonymous page may be stored in the page cache (see page-cache.ts). */
    pageCacheKey: { key: string; generation: number } | null;
  }
  interface FastifyInstance {
    /** Rendered anonymous pages; `invalidate()` after changing what public pages show. */
    pageCache: PageCache | null;
    /** The fingerprinted static assets (docs/assets.md). */
    assets: Assets;
  }
  interface FastifyReply {
    view(template: string, context?: Record<string, unknown>): FastifyReply;
    cspNonce: { script: string; style: string };
  }
  interface FastifyContextConfig {
    /** Who may use the route: 'public', 'staff' (any signed-in staff) or a named permission. */
    permission?: string;
    /**
     * The audit action written for every request to this staff route (who, role, council, record from the
     * path, outcome, time) by the one hook in identity.staff.routes.ts. `false` declares that the route
     * shows or changes no personal data; test/access.int.test.ts checks every staff route says which.
     */
    auditEvent?: string | false;
    /** Skip CSRF checks (only for API routes authenticated with bearer tokens). */
    csrfExempt?: boolean;
    /**
     * A machine-to-machine endpoint (a signed webhook): no browser session, CSRF cookie, page cache or CSP
     * nonce is made for it, since nothing there is a page and no one signs in.
     */
    machine?: boolean;
    /** The page shows personal data even to someone not signed in: sent with `Cache-Control: no-store`. */
    personalData?: boolean;
  }
}

export interface WebOptions {
  sessionSecret: string;
  secureCookies: boolean;
  sessions: SessionStore;
  moduleViewDirs: string[];
  /** Extra origins forms may post or redirect to (the staff identity provider). */
  formActionOrigins?: string[];
  /** Cache the HTML of these anonymous pages (see page-cache.ts); omit to render every request. */
  pageCache?: PageCacheOptions;
  /** The front door's name, colour, logo and icon (docs/assets.md). */
  brand: BrandSettings;
  /** The location step's map tiles (MAP_TILE_URL, docs/forms.md "Location"); null or absent: no map. */
  map?: { tileUrl: string; attribution: string; centre: string } | null;
}

/** Origins of a logo or icon given as an https URL, which pages may then show. */
function imageOrigins(brand: BrandSettings): string[] {
  return [brand.logo, brand.icon].flatMap((image) =>
    image && 'url' in image ? [new URL(image.url).origin] : [],
  );
}

/** Recomputes `request.csrfToken` after the request's session changes (sign-in, sign-out). */
const csrfRebinders = new WeakMap<FastifyRequest, () => void>();

/** The CSRF token of a request is bound to its session when it has one, else to its CSRF cookie. */
function csrfBinding(request: FastifyRequest): CsrfBinding | null {
  if (request.session) return { sessionId: request.session.id };
  const cookie = request.cookies[CSRF_COOKIE];
  return cookie ? { cookie } : null;
}

/**
 * Responses that must never be stored by a browser or proxy: anything for a signed-in session (staff or
 * resident), every /api and /open311 response (unless the handler marked it `public`: the OpenAPI
 * document), every response to a form post, and routes that declare `personalData`. Anonymous pages
 * (the catalogue) and static assets keep their caching.
 */
function mustNotStore(request: FastifyRequest, existing: string): boolean {
  const path = request.url.split('?')[0] ?? '';
  if (path.startsWith('/assets/')) return false;
  if (request.session) return true;
  if (path.startsWith('/api/') || path.startsWith('/open311/')) return !existing.startsWith('public');
  if (request.method !== 'GET' && request.method !== 'HEAD') return true;
  return request.routeOptions.config?.personalData === true;
}

const publicDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'views', 'public');

/** Responses smaller than this are sent as they are: compressing them saves nothing worth the time. */
const COMPRESS_THRESHOLD_BYTES = 1024;

export async function registerWeb(app: FastifyInstance, options: WebOptions): Promise<Views> {
  const views = createViews(options.moduleViewDirs);
  const assets = await loadAssets(options.brand, publicDir);
  app.decorate('assets', assets);
  const { brand } = options;
  views.env.addGlobal('asset', (name: string) => assets.url(name));
  views.env.addGlobal('brand', {
    siteName: brand.siteName,
    colour: brand.colour,
    logoUrl: brandImageUrl(assets, 'logo', brand.logo),
    iconUrl: brandImageUrl(assets, 'icon', brand.icon),
  });
  // Form templates show the location map (and load its files) only when this is set.
  views.env.addGlobal('locationMap', options.map ?? null);
  // brotli or gzip for every route registered after this (all of them); /assets/ sends its own.
  await app.register(compress, { encodings: ['br', 'gzip'], threshold: COMPRESS_THRESHOLD_BYTES });
  await app.register(formbody, { bodyLimit: 1_048_576 });
  await app.register(cookie, { secret: options.sessionSecret });
  // helmet's headers, made once (security-headers.ts: @fastify/helmet rebuilds them on every request).
  await registerSecurityHeaders(app, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        // The map's tile server only when one is configured.
        imgSrc: [
          "'self'",
          'data:',
          ...imageOrigins(brand),
          ...(options.map ? [new URL(options.map.tileUrl).origin] : []),
        ],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'", ...(options.formActionOrigins ?? [])],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        upgradeInsecureRequests: options.secureCookies ? [] : null,
      },
    },
    strictTransportSecurity: options.secureCookies ? { maxAge: 31536000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
  });

  // Stylesheets, scripts, logo and icon, fingerprinted (docs/assets.md). No GOV.UK font or crown file.
  registerAssets(app, assets);

  const cookieOptions = {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: options.secureCookies,
  };

  app.decorateRequest('session', null);
  app.decorateRequest('expiredSession', null);
  app.decorateRequest('csrfToken', '');
  app.decorateRequest('locale', defaultLocale);
  app.decorateRequest('viewContext', null as never); // set per request in onRequest
  app.decorateRequest('pageCacheKey', null);
  const pageCache = options.pageCache ? new PageCache(options.pageCache) : null;
  app.decorate('pageCache', pageCache);

  app.addHook('onRequest', async (request, reply) => {
    request.viewContext = {};
    if (request.routeOptions.config.machine) return;
    let csrfCookie = request.cookies[CSRF_COOKIE];
    if (!csrfCookie || csrfCookie.length > 64) {
      csrfCookie = newCsrfSecret();
      reply.setCookie(CSRF_COOKIE, csrfCookie, cookieOptions);
      request.cookies[CSRF_COOKIE] = csrfCookie;
    }
    const lang = request.cookies.fd_lang;
    request.locale = lang && availableLocales.includes(lang) ? lang : defaultLocale;
    const unsigned = request.cookies[SESSION_COOKIE]
      ? request.unsignCookie(request.cookies[SESSION_COOKIE])
      : null;
    const loaded =
      unsigned?.valid && unsigned.value
        ? await options.sessions.loadOrExpired(unsigned.value)
        : { session: null, expired: null };
    request.session = loaded.session;
    request.expiredSession = loaded.expired;
    const bind = () => {
      const binding = csrfBinding(request);
      request.csrfToken = binding ? csrfTokenFor(options.sessionSecret, binding) : '';
    };
    bind();
    csrfRebinders.set(request, bind);
    if (!pageCache) return;
    const key = pageCache.keyFor({
      method: request.method,
      url: request.url,
      routeUrl: request.routeOptions.url,
      hasSession: request.session !== null,
      locale: request.locale,
    });
    if (!key) return;
    const cached = pageCache.get(key, reply.cspNonce?.script ?? '', request.csrfToken);
    if (cached === null) {
      pageCache.misses += 1;
      request.pageCacheKey = { key, generation: pageCache.generation };
      return;
    }
    pageCache.hits += 1;
    return reply.type('text/html; charset=utf-8').send(cached);
  });

  // NUL characters and lone surrogates anywhere in the input: 400 (docs/web.md "Input at the edge").
  registerInputEdge(app);
  app.addHook('preHandler', async (request) => {
    if (request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS') return;
    if (request.routeOptions.config.csrfExempt) return;
    // A staff-only route without a session (it timed out while the form was open) is sent to sign-in by
    // the staff guard before any handler runs; let it, rather than showing "form out of date" for a token
    // that was bound to the session that has gone.
    const permission = request.routeOptions.config.permission;
    if (!request.session && permission && permission !== 'public' && permission !== 'api') return;
    const body = request.body as Record<string, unknown> | undefined;
    if (!csrfTokenValid(options.sessionSecret, csrfBinding(request), body?._csrf)) throw new CsrfError();
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const existing = String(reply.getHeader('cache-control') ?? '');
    if (!existing.includes('no-store') && mustNotStore(request, existing))
      reply.header('cache-control', 'no-store');
    return payload;
  });

  app.decorateReply(
    'view',
    function (this: FastifyReply, template: string, context: Record<string, unknown> = {}) {
      const request = this.request;
      // A cacheable page is rendered once with placeholders for the per-request values.
      const caching = pageCache && request.pageCacheKey && (this.statusCode ?? 200) === 200;
      const html = views.render(template, {
        locale: request.locale,
        cspNonce: caching ? pageCache.noncePlaceholder : (this.cspNonce?.script ?? ''),
        csrfToken: caching ? pageCache.csrfPlaceholder : request.csrfToken,
        currentPath: request.url.split('?')[0],
        // The portal header offers "Sign in" or "Your account" and "Sign out".
        residentSignedIn: request.session?.kind === 'resident',
        ...request.viewContext,
        ...context,
      });
      if (caching && request.pageCacheKey) {
        pageCache.set(request.pageCacheKey.key, html, request.pageCacheKey.generation);
        return this.type('text/html; charset=utf-8').send(
          pageCache.fill(html, this.cspNonce?.script ?? '', request.csrfToken),
        );
      }
      return this.type('text/html; charset=utf-8').send(html);
    },
  );

  return views;
}

/** Starts a session of the given kind, replacing any current one (prevents session fixation). */
export async function startSession(
  request: FastifyRequest,
  reply: FastifyReply,
  sessions: SessionStore,
  kind: SessionRecord['kind'],
  owner: { staffUserId?: string; customerId?: string; data?: Record<string, unknown> },
  secure: boolean,
): Promise<SessionRecord> {
  if (request.session) await sessions.destroy(request.session.id);
  const { token, session } = await sessions.create(kind, owner);
  reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure,
    signed: true,
  });
  // Rotate the CSRF secret at privilege change.
  const csrf = newCsrfSecret();
  reply.setCookie(CSRF_COOKIE, csrf, { path: '/', httpOnly: true, sameSite: 'lax', secure });
  request.cookies[CSRF_COOKIE] = csrf;
  request.session = session;
  csrfRebinders.get(request)?.();
  return session;
}

export async function endSession(
  request: FastifyRequest,
  reply: FastifyReply,
  sessions: SessionStore,
): Promise<void> {
  if (request.session) await sessions.destroy(request.session.id);
  request.session = null;
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
  csrfRebinders.get(request)?.();
}

/** Sent as Retry-After with a 503 when the database is unreachable. */
const RETRY_AFTER_SECONDS = 5;

/** Renders GOV.UK error pages for browsers and JSON for /api. Never shows internals. */
export function registerErrorPages(app: FastifyInstance): void {
  const isApi = (request: FastifyRequest) =>
    request.url.startsWith('/api/') || request.url.startsWith('/open311/');
  const page = (request: FastifyRequest, reply: FastifyReply, status: number, kind: string) => {
    const t = (key: string) => translate(request.locale, key);
    const staffArea = request.url.startsWith('/staff');
    const paragraphs = [t(`errors.${kind}.p1`)];
    const second = `errors.${kind}.p2`;
    try {
      paragraphs.push(t(second));
    } catch {
      /* optional second paragraph */
    }
    return reply.status(status).view('errors/error.njk', {
      pageTitle: t(`errors.${kind}.title`),
      heading: t(`errors.${kind}.title`),
      paragraphs,
      staffArea,
      link: {
        href: staffArea ? '/staff' : '/',
        text: t(staffArea ? 'errors.backToStaffHome' : 'errors.backToHome'),
      },
    });
  };

  app.setNotFoundHandler(
    { preHandler: app.rateLimit ? app.rateLimit({ max: 120, timeWindow: '1 minute' }) : undefined },
    async (request, reply) => {
      if (isApi(request))
        return reply.status(404).send({ error: { code: 'not_found', message: 'Not found' } });
      return page(request, reply, 404, 'notFound');
    },
  );

  app.setErrorHandler(
    async (error: Error & { statusCode?: number; validation?: unknown }, request, reply) => {
      // The database connection failed or was lost: 503, try again shortly (docs/database.md).
      if (isConnectionFault(error)) {
        request.log.warn({ fault: faultSummary(error) }, 'request failed: database unavailable');
        reply.header('retry-after', String(RETRY_AFTER_SECONDS));
        if (isApi(request))
          return reply.status(503).send({
            error: { code: 'unavailable', message: 'The service is unavailable. Try again shortly.' },
          });
        return page(request, reply, 503, 'unavailable');
      }
      const status = error instanceof AppError ? error.statusCode : (error.statusCode ?? 500);
      if (status >= 500) request.log.error({ err: error }, 'request failed');
      else
        request.log.info(
          { code: error instanceof AppError ? error.code : 'client_error', status },
          'request rejected',
        );
      if (isApi(request)) {
        const code =
          error instanceof AppError
            ? error.code
            : status === 429
              ? 'rate_limited'
              : status >= 500
                ? 'internal'
                : 'bad_request';
        const body: Record<string, unknown> = {
          code,
          message: status >= 500 ? 'Something went wrong' : error.message,
        };
        if (error instanceof ValidationError) body.fields = error.fields;
        return reply.status(status).send({ error: body });
      }
      if (error instanceof CsrfError) return page(request, reply, 403, 'csrf');
      if (status === 404) return page(request, reply, 404, 'notFound');
      if (status === 403) return page(request, reply, 403, 'forbidden');
      if (status === 429) return page(request, reply, 429, 'rateLimited');
      if (status === 503 || error.name === 'DatabaseUnavailableError')
        return page(request, reply, 503, 'unavailable');
      if (status >= 400 && status < 500) return page(request, reply, status, 'badRequest');
      return page(request, reply, 500, 'server');
    },
  );
}
