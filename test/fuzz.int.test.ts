/**
 * Fuzzing every route: no malformed request may get a server error. The test walks `app.routeCatalogue`
 * (every registered route), and for each route, as each identity (signed out, a signed-in resident, each staff
 * role, and an API client with a bearer token), sends deterministic malformed variants: NUL characters and
 * lone UTF-16 surrogates in path parameters, query strings and body fields, huge strings, non-UUID and random
 * UUID ids, repeated fields, bad dates and numbers, wrong content types, malformed JSON, malformed and
 * truncated multipart bodies and missing CSRF tokens. Requests carry valid CSRF tokens (unless the variant is
 * "no CSRF") so they get past the CSRF check and reach validation. Any response ≥ 500 fails the test, listed
 * with method, url, payload kind, status and message.
 *
 * Field names are harvested from the app's own forms (every GET page, as every identity), so new forms are
 * fuzzed without changing this file. The PRNG is seeded: the same code sends the same requests.
 *
 * Runs on PGlite by default and on PostgreSQL when TEST_DATABASE_URL is set; it builds its own council.
 * Nothing leaves the machine: messages are outbox rows, delivered only by the worker, which isn't running.
 * See docs/web.md "Input at the edge".
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { TestClock } from '../src/platform/clock.ts';
import { withTransaction, type Db } from '../src/platform/db/index.ts';
import { CSRF_COOKIE, csrfTokenFor, newCsrfSecret } from '../src/platform/http/csrf.ts';
import { SESSION_COOKIE, SessionStore } from '../src/platform/http/sessions.ts';
import { ROLES } from '../src/modules/identity/index.ts';
import { createComplaint } from '../src/modules/complaints/index.ts';
import { createInformationRequest } from '../src/modules/information-requests/index.ts';
import { issueApiToken } from '../src/modules/api/index.ts';
import { installShippedService } from './builders/services.ts';
import { buildAuthority, buildStaff, buildTeam } from './builders/index.ts';
import { buildCase, buildCustomer } from './builders/customers.ts';
import { buildTestApp, type TestApp } from './support/app.ts';
import { testEngine } from './support/db.ts';

/** At least this many requests in total (the acceptance bar in issue 10). */
const MINIMUM_REQUESTS = 10_000;

// ---------------------------------------------------------------------------------------------------------
// A seeded PRNG (mulberry32): deterministic variants, so a failure is reproducible.

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let r = Math.imul(a ^ (a >>> 15), 1 | a);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(20261203);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
/** A UUID from the PRNG (well-formed, almost surely unknown). */
function fakeUuid(): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20)}`;
}

// ---------------------------------------------------------------------------------------------------------
// Malformed values. Each is the raw, already percent-encoded text that goes into a URL or a form body.

/** Raw percent-encoded strings for path segments, query values and form fields. */
const BAD_ENCODED = [
  '%00', // NUL
  'a%00b',
  '%ED%A0%80', // a lone high surrogate written as (invalid) UTF-8
  '%ED%B0%80x', // a lone low surrogate
  '%F0%9F', // a truncated 4-byte sequence
  '%FF%FE',
  '%C0%AF', // an overlong "/"
  '%E2%80%AE', // right-to-left override
  'x'.repeat(5000),
  '%27%20OR%201%3D1--',
  '..%2F..%2Fetc%2Fpasswd',
  '%3Cscript%3Ealert(1)%3C%2Fscript%3E',
  '-1',
  '1e309',
  '99999999999999999999999',
  'NaN',
  '2026-02-30',
  '2026-13-01',
  '0000-00-00',
  '31/02/2026',
  'not-a-uuid',
  '00000000-0000-0000-0000-000000000000',
  '%20',
  '',
];
/** Malformed path parameter values (also encoded). */
const BAD_PARAMS = [
  'not-a-uuid',
  '1',
  '%00',
  'a%00',
  '%ED%A0%80',
  '%F0%9F',
  'x'.repeat(3000),
  '..%2F..',
  '%27',
  '00000000-0000-0000-0000-00000000000Z',
  'ABCD-EFGH%00',
  '%E2%80%AE',
];
const BAD_DATES = ['2026-02-30', '2026-13-01', '2026-00-10', '99999-01-01', 'yesterday', '2026-2-3', '30'];
const DATE_FIELD = /(date|day|month|year|from|to|on|since|until|before|after|deadline)$/i;
const ID_FIELD = /(id|ids)$/i;

const enc = (s: string) => encodeURIComponent(s);

// ---------------------------------------------------------------------------------------------------------
// Fixtures

let t: TestApp;
let db: Db;
const clock = new TestClock('2026-11-23T10:00:00Z');

interface Identity {
  name: string;
  cookies: Record<string, string>;
  csrf: string;
  /** Bearer token (the API client only). */
  token?: string;
  kind: 'anonymous' | 'resident' | 'staff' | 'api';
}

interface Fixtures {
  identities: Identity[];
  /** Valid values for path parameters, keyed by "<segment before>/:<param>". */
  params: Record<string, string>;
}
let f: Fixtures;

/** Cookies and the CSRF token a browser would have (bound to the session when signed in, else the cookie). */
function identityWithCookies(
  name: string,
  kind: Identity['kind'],
  session?: { token: string; session: { id: string } },
): Identity {
  const csrfCookie = newCsrfSecret();
  const cookies: Record<string, string> = { [CSRF_COOKIE]: csrfCookie };
  if (session) cookies[SESSION_COOKIE] = t.app.signCookie(session.token);
  const binding = session ? { sessionId: session.session.id } : { cookie: csrfCookie };
  return { name, kind, cookies, csrf: csrfTokenFor(t.config.sessionSecret, binding) };
}

/** The last error the app logged as a server error (so a failure names the cause, not just "500"). */
let lastServerError = '';

before(async () => {
  t = await buildTestApp({ clock });
  db = t.database.db;
  // With logging off, every request logs to this one object: catch what the error handler logs for a 5xx.
  (t.app.log as unknown as { error: (o: { err?: unknown }) => void }).error = (o) => {
    lastServerError = o?.err instanceof Error ? `${o.err.name}: ${o.err.message}` : String(o?.err);
  };
  const county = await buildAuthority(db, { kind: 'county' });
  const waste = await buildTeam(db, county.id, { name: 'Waste' });
  const complaintsTeam = await buildTeam(db, county.id, { name: 'Complaints' });
  const ig = await buildTeam(db, county.id, { name: 'Information governance' });
  const bins = await installShippedService(db, {
    authorityId: county.id,
    teamId: waste.id,
    slug: 'report-a-missed-bin',
  });
  await installShippedService(db, {
    authorityId: county.id,
    teamId: complaintsTeam.id,
    slug: 'make-a-complaint',
  });
  await installShippedService(db, {
    authorityId: county.id,
    teamId: ig.id,
    slug: 'freedom-of-information-request',
  });
  const sessions = new SessionStore(db, clock, t.config.sessionIdleMinutes);
  const identities: Identity[] = [identityWithCookies('anonymous', 'anonymous')];

  const staff: Partial<Record<(typeof ROLES)[number], string>> = {};
  for (const role of ROLES) {
    const member = await buildStaff(db, county.id, {
      roles: [role],
      teamIds: [waste.id, complaintsTeam.id, ig.id],
      leaderOf: role === 'team_leader' ? [waste.id] : [],
      name: `Fuzz ${role}`,
    });
    staff[role] = member.id;
    identities.push(
      identityWithCookies(role, 'staff', await sessions.create('staff', { staffUserId: member.id })),
    );
  }

  const customer = await buildCustomer(db, county.id, { email: `${randomUUID().slice(0, 8)}@example.com` });
  identities.push(
    identityWithCookies(
      'resident',
      'resident',
      await sessions.create('resident', { customerId: customer.id }),
    ),
  );

  const { token: apiToken } = await issueApiToken(db, {
    authorityId: county.id,
    name: 'Fuzz partner',
    createdBy: staff.admin!,
    now: clock.now(),
  });
  identities.push({ ...identityWithCookies('api client', 'api'), token: apiToken });

  const normalCase = await buildCase(db, {
    authorityId: county.id,
    serviceId: bins.id,
    teamId: waste.id,
    customerId: customer.id,
  });
  const complaint = await withTransaction(db, (trx) =>
    createComplaint(
      trx,
      {
        authorityId: county.id,
        customerId: customer.id,
        summary: 'My bin was missed three weeks running.',
        receivedOn: '2026-11-16',
        linkedCaseId: normalCase.id,
        channel: 'phone',
        actor: { kind: 'staff', staffId: staff.complaints_officer! },
        idempotencyKey: `test:${randomUUID()}`,
      },
      { now: clock.now() },
    ),
  );
  const request = await withTransaction(db, (trx) =>
    createInformationRequest(
      trx,
      {
        authorityId: county.id,
        regime: 'foi',
        customerId: customer.id,
        requestText: 'How many bins were missed in 2025?',
        receivedOn: '2026-11-16',
        channel: 'email',
        actor: { kind: 'staff', staffId: staff.ig_officer! },
        idempotencyKey: `test:${randomUUID()}`,
      },
      { now: clock.now() },
    ),
  );
  f = {
    identities,
    params: {
      'cases/:id': normalCase.id,
      'requests/:caseId': normalCase.id,
      'customers/:id': customer.id,
      'complaints/:id': complaint.id,
      'complaints/:caseId': complaint.caseId,
      'information-requests/:id': request.id,
      'information-requests/:caseId': request.caseId,
      'teams/:teamId': waste.id,
      'services/:slug': bins.slug,
      'complaints/:reference': normalCase.reference,
      'information-requests/:reference': normalCase.reference,
    },
  };
});
after(() => t.close());

// ---------------------------------------------------------------------------------------------------------
// Sending

interface Sent {
  method: string;
  url: string;
  kind: string;
  identity: string;
  status: number;
  message: string;
}

let counter = 0;
const results: Sent[] = [];

function cookieHeader(identity: Identity): string {
  return Object.entries(identity.cookies)
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');
}

async function send(
  identity: Identity,
  method: string,
  url: string,
  kind: string,
  options: { payload?: string | Buffer; contentType?: string } = {},
): Promise<LightMyRequestResponse> {
  counter += 1;
  const headers: Record<string, string> = { cookie: cookieHeader(identity) };
  if (identity.token) headers.authorization = `Bearer ${identity.token}`;
  if (options.contentType) headers['content-type'] = options.contentType;
  const request: InjectOptions = {
    method: method,
    url,
    headers,
    // A different address per request, so rate limits (sign-in, codes, 404s) don't hide what's behind them.
    remoteAddress: `10.${(counter >> 16) & 255}.${(counter >> 8) & 255}.${counter & 255}`,
    ...(options.payload !== undefined ? { payload: options.payload } : {}),
  };
  let response: LightMyRequestResponse;
  lastServerError = '';
  try {
    response = await t.app.inject(request);
  } catch (error) {
    results.push({
      method,
      url,
      kind,
      identity: identity.name,
      status: 0,
      message: `inject threw: ${String(error)}`,
    });
    throw error;
  }
  results.push({
    method,
    url: url.length > 200 ? `${url.slice(0, 200)}…` : url,
    kind,
    identity: identity.name,
    status: response.statusCode,
    message:
      response.statusCode >= 500
        ? lastServerError.slice(0, 300) || response.body.replace(/\s+/g, ' ').slice(0, 200)
        : '',
  });
  return response;
}

// ---------------------------------------------------------------------------------------------------------
// Routes, parameters and the fields the app's forms use

const ENDS_SESSION = new Set(['POST /staff/sign-out', 'POST /account/sign-out']);
/**
 * Streams that stay open while someone is signed in (server-sent events): a request to one never ends, so
 * they are not fuzzed here; test/telephony.staff.int.test.ts reads the stream over a real connection.
 */
const STREAMS = new Set(['GET /staff/push']);

/** Fills path parameters with valid values (fixtures, drafts), or a random UUID for the rest. */
function fill(url: string, identity: Identity, override?: { index: number; value: string }): string {
  const segments = url.split('/');
  let index = -1;
  return segments
    .map((segment, i) => {
      if (!segment.startsWith(':')) return segment;
      index += 1;
      if (override && override.index === index) return override.value;
      const key = `${segments[i - 1]}/${segment}`;
      if (segment === ':draftId') return drafts.get(identity.name) ?? fakeUuid();
      if (segment === ':pageId') return pages.get(identity.name) ?? 'where';
      return f.params[key] ?? fakeUuid();
    })
    .join('/');
}

const paramCount = (url: string) => url.split('/').filter((s) => s.startsWith(':')).length;

/** The form fields (and their first offered value) posted to each path, harvested from the app's pages. */
const formFields = new Map<string, Map<string, string>>();
/** Every field name any form uses. */
const allFields = new Map<string, string>();
/** Per identity: a draft of the bins form and its first page (so /apply routes reach the forms engine). */
const drafts = new Map<string, string>();
const pages = new Map<string, string>();

function harvest(pagePath: string, html: string): void {
  for (const form of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    const action = /action="([^"]*)"/.exec(form[1])?.[1]?.replace(/&amp;/g, '&') ?? pagePath;
    const path = action.split('?')[0].split('#')[0] || pagePath;
    const fields = formFields.get(path) ?? new Map<string, string>();
    for (const input of form[2].matchAll(/<(input|select|textarea)\b([^>]*)>/g)) {
      const name = /\bname="([^"]+)"/.exec(input[2])?.[1];
      if (!name || name === '_csrf') continue;
      // A select's value: its first real option (so "valid" bodies pick an id that exists).
      const rest = form[2].slice((input.index ?? 0) + input[0].length);
      const value =
        input[1] === 'select'
          ? (/<option\b[^>]*value="([^"]+)"/.exec(rest.split('</select>')[0] ?? '')?.[1] ?? '')
          : (/\bvalue="([^"]*)"/.exec(input[2])?.[1] ?? '');
      if (!fields.has(name)) fields.set(name, value);
      if (!allFields.has(name)) allFields.set(name, value);
    }
    formFields.set(path, fields);
  }
}

/** Fields the route's own form posts, or (for routes without a harvested form) a broad set. */
function fieldsFor(path: string): Map<string, string> {
  const own = formFields.get(path);
  if (own && own.size > 0) return own;
  const fallback = new Map<string, string>();
  let n = 0;
  for (const [k, v] of allFields) if (n++ < 40) fallback.set(k, v);
  for (const k of ['id', 'teamId', 'assigneeId', 'serviceId', 'status', 'reason', 'note', 'date', 'q'])
    fallback.set(k, '');
  return fallback;
}

/** Generic query keys the list and search pages read. */
const QUERY_KEYS = [
  'q',
  'page',
  'from',
  'to',
  'status',
  'teamId',
  'serviceId',
  'sort',
  'returnTo',
  'done',
  'return',
];

// ---------------------------------------------------------------------------------------------------------
// Variants

function formBody(entries: [string, string][]): string {
  return entries.map(([k, v]) => `${enc(k)}=${v}`).join('&');
}

/** Body variants: [kind, payload, content type, includes a valid CSRF token]. */
function bodyVariants(
  identity: Identity,
  path: string,
): { kind: string; payload: string | Buffer; type: string }[] {
  const fields = [...fieldsFor(path)];
  const csrf: [string, string] = ['_csrf', enc(identity.csrf)];
  const malformed = (value: (name: string) => string) =>
    formBody([csrf, ...fields.map(([k]) => [k, value(k)] as [string, string])]);
  const valid = (k: string, v: string) => enc(v || (DATE_FIELD.test(k) ? '2026-11-20' : 'yes'));
  const boundary = '----fuzz' + Math.floor(random() * 1e9).toString(36);
  const variants: { kind: string; payload: string | Buffer; type: string }[] = [
    {
      kind: 'form: NUL in every field',
      payload: malformed(() => 'a%00b'),
      type: 'application/x-www-form-urlencoded',
    },
    {
      kind: 'form: lone surrogates / invalid UTF-8',
      payload: malformed(() => pick(['%ED%A0%80', '%ED%B0%80x', '%F0%9F', '%FF%FE', '%C0%AF'])),
      type: 'application/x-www-form-urlencoded',
    },
    {
      kind: 'form: one field NUL, others valid',
      payload: (() => {
        const target = fields.length ? pick(fields)[0] : 'x';
        return formBody([
          csrf,
          ...fields.map(
            ([k, v]) => [k, k === target ? `${valid(k, v)}%00` : valid(k, v)] as [string, string],
          ),
        ]);
      })(),
      type: 'application/x-www-form-urlencoded',
    },
    {
      kind: 'form: repeated fields',
      payload: formBody([
        csrf,
        ...fields.flatMap(
          ([k, v]) =>
            [
              [k, valid(k, v)],
              [k, pick(BAD_ENCODED)],
            ] as [string, string][],
        ),
      ]),
      type: 'application/x-www-form-urlencoded',
    },
    {
      kind: 'form: bad dates, numbers and ids',
      payload: malformed((k) =>
        DATE_FIELD.test(k)
          ? enc(pick(BAD_DATES))
          : ID_FIELD.test(k)
            ? pick(['not-a-uuid', fakeUuid(), '%00', '1'])
            : pick(BAD_ENCODED),
      ),
      type: 'application/x-www-form-urlencoded',
    },
    {
      kind: 'form: valid-looking values, unknown ids',
      payload: malformed((k) => (ID_FIELD.test(k) ? fakeUuid() : DATE_FIELD.test(k) ? '2026-11-20' : 'yes')),
      type: 'application/x-www-form-urlencoded',
    },
    {
      kind: 'form: one id unknown, others valid',
      payload: (() => {
        const ids = fields.filter(([k]) => ID_FIELD.test(k));
        const target = ids.length ? pick(ids)[0] : '';
        return formBody([
          csrf,
          ...fields.map(([k, v]) => [k, k === target ? fakeUuid() : valid(k, v)] as [string, string]),
        ]);
      })(),
      type: 'application/x-www-form-urlencoded',
    },
    {
      kind: 'form: huge values',
      payload: malformed(() => 'x'.repeat(Math.max(1000, Math.floor(200_000 / (fields.length + 1))))),
      type: 'application/x-www-form-urlencoded',
    },
    {
      kind: 'form: bracket keys',
      payload: formBody([
        csrf,
        ...fields.map(([k]) => [`${k}[]`, 'a'] as [string, string]),
        ...fields.map(([k]) => [`${k}[x]`, 'b'] as [string, string]),
      ]),
      type: 'application/x-www-form-urlencoded',
    },
    { kind: 'form: no CSRF', payload: malformed(() => 'x'), type: 'application/x-www-form-urlencoded' },
    {
      kind: 'form: CSRF repeated',
      payload: formBody([csrf, csrf, ...fields.map(([k, v]) => [k, valid(k, v)] as [string, string])]),
      type: 'application/x-www-form-urlencoded',
    },
    {
      kind: 'form: NUL in CSRF',
      payload: formBody([['_csrf', `${enc(identity.csrf)}%00`]]),
      type: 'application/x-www-form-urlencoded',
    },
    {
      kind: 'json: fields as a JSON body',
      payload: JSON.stringify({
        _csrf: identity.csrf,
        ...Object.fromEntries(
          fields.map(([k]) => [k, pick([['a'], { x: 1 }, 1, null, true, '\u0000', '\ud800'])]),
        ),
      }),
      type: 'application/json',
    },
    {
      kind: 'json: malformed',
      payload: '{"_csrf": "' + identity.csrf + '", "a": ',
      type: 'application/json',
    },
    {
      kind: 'json: lone surrogate escape',
      payload: `{"_csrf":"${identity.csrf}","summary":"\\ud800","complainant":{"name":"\\udc00","email":"a@b.com"}}`,
      type: 'application/json',
    },
    { kind: 'json: deep nesting', payload: '['.repeat(5000) + ']'.repeat(5000), type: 'application/json' },
    { kind: 'text/plain body', payload: `_csrf=${enc(identity.csrf)}&a=b`, type: 'text/plain' },
    { kind: 'unknown content type', payload: '\u0000\u0001\u0002', type: 'application/x-fuzz' },
    {
      kind: 'multipart: no boundary',
      payload: `--x\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${identity.csrf}\r\n--x--\r\n`,
      type: 'multipart/form-data',
    },
    {
      kind: 'multipart: truncated part',
      payload: `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${identity.csrf}\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n\x89PNG`,
      type: `multipart/form-data; boundary=${boundary}`,
    },
    {
      kind: 'multipart: fields, NUL filename, bad header',
      payload: [
        `--${boundary}`,
        'Content-Disposition: form-data; name="_csrf"',
        '',
        identity.csrf,
        ...fields
          .slice(0, 10)
          .flatMap(([k]) => [`--${boundary}`, `Content-Disposition: form-data; name="${k}"`, '', 'a\u0000b']),
        `--${boundary}`,
        'Content-Disposition: form-data; name="file"; filename="\u0000../../x.exe"',
        'Content-Type: application/octet-stream',
        '',
        'MZ',
        `--${boundary}`,
        'Content-Disposition: garbage',
        '',
        'x',
        `--${boundary}--`,
        '',
      ].join('\r\n'),
      type: `multipart/form-data; boundary=${boundary}`,
    },
    {
      kind: 'multipart: garbage body',
      payload: Buffer.from(Array.from({ length: 512 }, () => Math.floor(random() * 256))),
      type: `multipart/form-data; boundary=${boundary}`,
    },
  ];
  return variants;
}

/** Query-string variants for a GET: [kind, query]. */
function queryVariants(path: string): { kind: string; query: string }[] {
  const own = formFields.get(path);
  const keys = [...new Set([...(own ? own.keys() : []), ...QUERY_KEYS])];
  const q = (value: (k: string) => string) => keys.map((k) => `${enc(k)}=${value(k)}`).join('&');
  return [
    { kind: 'query: NUL', query: q(() => 'a%00b') },
    {
      kind: 'query: lone surrogates / invalid UTF-8',
      query: q(() => pick(['%ED%A0%80', '%ED%B0%80', '%F0%9F', '%C0%AF'])),
    },
    { kind: 'query: repeated keys', query: keys.map((k) => `${enc(k)}=1&${enc(k)}=2`).join('&') },
    { kind: 'query: bracket keys', query: keys.map((k) => `${enc(k)}[]=1&${enc(k)}[a]=2`).join('&') },
    {
      kind: 'query: bad dates and numbers',
      query: q((k) => (DATE_FIELD.test(k) ? enc(pick(BAD_DATES)) : pick(BAD_ENCODED))),
    },
    {
      kind: 'query: unknown ids',
      query: q((k) => (ID_FIELD.test(k) ? pick([fakeUuid(), 'not-a-uuid']) : 'x')),
    },
    { kind: 'query: huge', query: q(() => 'x'.repeat(600)) },
    { kind: 'query: malformed escapes', query: 'q=%&page=%zz&%=1&&=&from=%E0%A4%A' },
  ];
}

// ---------------------------------------------------------------------------------------------------------

void describe('fuzzing every route', () => {
  void test(`at least ${MINIMUM_REQUESTS} malformed requests over every registered route, none ≥ 500 (${testEngine})`, async (context) => {
    const routes = t.app.routeCatalogue.filter((r) => !STREAMS.has(`${r.method} ${r.url}`));
    assert.ok(routes.length > 100, `${routes.length} routes in the catalogue`);

    // The CSRF tokens work (else every POST would stop at the CSRF check and the fuzz would prove little).
    for (const identity of f.identities) {
      const posted = await send(identity, 'POST', '/feedback/page', 'CSRF check', {
        payload: formBody([
          ['_csrf', enc(identity.csrf)],
          ['helpful', 'yes'],
          ['path', '%2F'],
        ]),
        contentType: 'application/x-www-form-urlencoded',
      });
      assert.equal(posted.statusCode, 303, `${identity.name}: a form post with its CSRF token is accepted`);
    }

    // Drafts of the bins form, so the forms engine's pages are reached with a real draft.
    for (const identity of f.identities) {
      const start =
        identity.kind === 'staff'
          ? `/staff/services/${f.params['services/:slug']}/start`
          : `/services/${f.params['services/:slug']}/start`;
      const started = await send(identity, 'GET', start, 'harvest: start a draft');
      const location = String(started.headers.location ?? '');
      const m = /\/apply\/([0-9a-f-]{36})(?:\/([^/?#]+))?/.exec(location);
      if (m) {
        drafts.set(identity.name, m[1]);
        if (m[2]) pages.set(identity.name, m[2]);
      }
    }

    // Harvest the forms of every page every identity can see (the responses are the GET routes' probes).
    const probes = new Map<string, LightMyRequestResponse>();
    for (const identity of f.identities)
      for (const route of routes.filter((r) => r.method === 'GET')) {
        const url = fill(route.url, identity);
        const response = await send(identity, 'GET', url, 'valid GET');
        probes.set(`${identity.name} ${route.url}`, response);
        if (response.statusCode === 200 && String(response.headers['content-type']).includes('html'))
          harvest(url.split('?')[0], response.body);
      }
    assert.ok(allFields.size > 30, `harvested ${allFields.size} field names`);

    // Each identity fuzzes every route. Where it cannot reach the handler (signed out on a staff page, a role
    // without the permission), a few variants suffice: the edge and the guard answer before any handler.
    const SUBSET = 4;
    const covered = new Set<string>();
    for (const identity of f.identities) {
      const ordered = [
        ...routes.filter((r) => !ENDS_SESSION.has(`${r.method} ${r.url}`)),
        ...routes.filter((r) => ENDS_SESSION.has(`${r.method} ${r.url}`)),
      ];
      for (const route of ordered) {
        const isApi = route.url.startsWith('/api/');
        if (identity.kind === 'api' && !isApi) continue;
        const base = fill(route.url, identity);
        covered.add(`${route.method} ${route.url}`);
        const probe =
          route.method === 'GET'
            ? (probes.get(`${identity.name} ${route.url}`) ??
              (await send(identity, 'GET', base, 'valid GET')))
            : await send(identity, route.method, base, 'form: only CSRF', {
                payload: formBody([['_csrf', enc(identity.csrf)]]),
                contentType: 'application/x-www-form-urlencoded',
              });
        const location = String(probe.headers.location ?? '');
        const denied =
          probe.statusCode === 401 ||
          probe.statusCode === 403 ||
          location.startsWith('/staff/sign-in') ||
          location.startsWith('/account/sign-in');
        // Public pages are fuzzed in full signed out, as the resident and as one member of staff.
        const redundant =
          !route.url.startsWith('/staff') && identity.kind === 'staff' && identity.name !== 'agent';
        const few = denied || redundant;
        const trim = <T>(items: T[]): T[] =>
          few ? items.filter((_, i) => i % 5 === 0).slice(0, SUBSET) : items;

        // Path parameter variants: every parameter, several malformed values each, plus a random UUID.
        const paramUrls: { kind: string; url: string }[] = [];
        for (let index = 0; index < paramCount(route.url); index++) {
          paramUrls.push({
            kind: `param ${index}: random UUID`,
            url: fill(route.url, identity, { index, value: fakeUuid() }),
          });
          for (let k = 0; k < 4; k++) {
            const value = pick(BAD_PARAMS);
            paramUrls.push({
              kind: `param ${index}: ${value.slice(0, 20)}`,
              url: fill(route.url, identity, { index, value }),
            });
          }
        }
        if (route.method === 'GET') {
          for (const v of trim(queryVariants(base)))
            await send(identity, 'GET', `${base}?${v.query}`, v.kind);
          for (const p of trim(paramUrls)) await send(identity, 'GET', p.url, p.kind);
          await send(identity, 'GET', `${base}%00`, 'path: trailing NUL');
        } else {
          for (const v of trim(bodyVariants(identity, base)))
            await send(identity, route.method, base, v.kind, { payload: v.payload, contentType: v.type });
          const valid = formBody([
            ['_csrf', enc(identity.csrf)],
            ...[...fieldsFor(base)].map(([k, v]) => [k, enc(v || 'yes')] as [string, string]),
          ]);
          for (const p of trim(paramUrls))
            await send(identity, route.method, p.url, `${p.kind}, harvested body`, {
              payload: valid,
              contentType: 'application/x-www-form-urlencoded',
            });
          await send(identity, route.method, `${base}?_csrf=%00&q=%ED%A0%80`, 'post: bad query', {
            payload: valid,
            contentType: 'application/x-www-form-urlencoded',
          });
        }
      }
    }

    const failures = results.filter((r) => r.status >= 500 || r.status === 0);
    const byStatus = new Map<number, number>();
    for (const r of results) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
    context.diagnostic(
      `${results.length} requests over ${routes.length} routes; by status: ${[...byStatus]
        .sort((a, b) => a[0] - b[0])
        .map(([status, n]) => `${status}×${n}`)
        .join(' ')}`,
    );
    assert.equal(covered.size, routes.length, 'every registered route was fuzzed');
    assert.ok(
      results.length >= MINIMUM_REQUESTS,
      `${results.length} requests sent (need ${MINIMUM_REQUESTS})`,
    );
    assert.deepEqual(
      failures.map((r) => `${r.identity} ${r.method} ${r.url} [${r.kind}] → ${r.status} ${r.message}`),
      [],
      `${failures.length} of ${results.length} requests got a server error`,
    );
  });
});
