/**
 * Access control, walked rather than remembered: every route the app registers is declared once in ACCESS
 * below (the roles allowed, or `public`, or `api`), and the test checks the running app against it: every
 * staff route for every role (allowed → not 403 and not sent to sign-in; denied → 403), signed-out requests,
 * API routes without a token, and the restricted-service rule (a restricted case is 404, never 403, to other
 * teams, and each attempt is audited).
 *
 * Declaring a new route: add one line to ACCESS. The first test fails for a registered route that is not in
 * the table and for a table entry that no longer matches a route. See docs/access-control.md.
 *
 * Runs on PGlite by default and on PostgreSQL when TEST_DATABASE_URL is set; it builds its own council.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { TestClock } from '../src/platform/clock.ts';
import { withTransaction, type Db } from '../src/platform/db/index.ts';
import { ROLES, type Role } from '../src/modules/identity/index.ts';
import { createComplaint } from '../src/modules/complaints/index.ts';
import { createInformationRequest } from '../src/modules/information-requests/index.ts';
import { installShippedService } from './builders/services.ts';
import { buildAuthority, buildStaff, buildTeam } from './builders/index.ts';
import { buildCase, buildCustomer, signedIn } from './builders/customers.ts';
import { buildAttachment } from './builders/attachments.ts';
import { Browser, buildTestApp, type TestApp } from './support/app.ts';

// ---------------------------------------------------------------------------------------------------------
// The declared matrix. Role groups are spelt out (not derived from identity.policy.ts) so that a change to
// the policy that widens or narrows access makes this test fail until the table is changed on purpose.
// ---------------------------------------------------------------------------------------------------------
const ALL_STAFF = [
  'agent',
  'officer',
  'team_leader',
  'complaints_officer',
  'ig_officer',
  'admin',
  'auditor',
] as const satisfies readonly Role[];
/** cases:write */
const CASE_WRITERS = ['agent', 'officer', 'team_leader', 'complaints_officer', 'ig_officer'] as const;
/** customers:write */
const CUSTOMER_WRITERS = ['agent', 'officer', 'team_leader'] as const;
/** cases:assign */
const TEAM_LEADERS = ['team_leader'] as const;
/** complaints:manage */
const COMPLAINTS = ['complaints_officer'] as const;
/** information-requests:manage */
const INFO_GOVERNANCE = ['ig_officer'] as const;
/** reports:read */
const REPORT_READERS = ['team_leader', 'complaints_officer', 'ig_officer', 'admin', 'auditor'] as const;
/** reports:read and team leader or admin ("You said, we did": the handler's isManager check) */
const MANAGERS = ['team_leader', 'admin'] as const;
/** admin:manage, staff:manage */
const ADMINS = ['admin'] as const;
/** audit:read */
const AUDITORS = ['auditor'] as const;
/** Anyone, signed in or not. */
const PUBLIC = 'public';
/** /api/v1 routes authenticated with a bearer token (no session). */
const API = 'api';

type Access = readonly Role[] | typeof PUBLIC | typeof API;

const ACCESS: Record<string, Access> = {
  // identity
  'GET /staff/sign-in': PUBLIC,
  'POST /staff/sign-in': PUBLIC,
  'POST /staff/sign-out': ALL_STAFF,
  'POST /staff/session/extend': ALL_STAFF,
  'GET /staff/answers-kept/:id': ALL_STAFF,
  'POST /staff/answers-kept/:id/send': ALL_STAFF,
  'POST /staff/answers-kept/:id/discard': ALL_STAFF,
  'GET /staff': ALL_STAFF,
  'POST /staff/availability': CASE_WRITERS,
  'GET /staff/push': ALL_STAFF,
  'GET /staff/admin/staff': ADMINS,
  'POST /staff/admin/staff/:id/unlock': ADMINS,
  'GET /staff/set-password/:token': PUBLIC,
  'POST /staff/set-password/:token': PUBLIC,
  // ops and public pages
  'GET /health/live': PUBLIC,
  'GET /health/ready': PUBLIC,
  'GET /metrics': PUBLIC,
  'GET /': PUBLIC,
  'GET /search': PUBLIC,
  'GET /services/:slug': PUBLIC,
  'GET /contact': PUBLIC,
  'GET /accessibility': PUBLIC,
  'GET /privacy': PUBLIC,
  // cases
  'GET /track': PUBLIC,
  'POST /track': PUBLIC,
  'GET /track/code': PUBLIC,
  'POST /track/code': PUBLIC,
  'GET /track/requests/:caseId': PUBLIC,
  'POST /track/requests/:caseId/reply': PUBLIC,
  // Public route, record rule inside: a case's file follows its case (see the restricted-case test).
  'GET /attachments/:id': PUBLIC,
  'GET /staff/cases/:id': ALL_STAFF,
  'POST /staff/cases/:id/status': CASE_WRITERS,
  'POST /staff/cases/:id/notes': CASE_WRITERS,
  'GET /staff/queues': ALL_STAFF,
  'POST /staff/cases/:id/messages': CASE_WRITERS,
  'POST /staff/cases/:id/answers': CASE_WRITERS, // "Insert answer" in the reply box without JavaScript
  'POST /staff/cases/:id/assign': CASE_WRITERS,
  'POST /staff/cases/:id/transfer': CASE_WRITERS,
  'POST /staff/cases/:id/extend': CASE_WRITERS,
  'POST /staff/cases/:id/details': CASE_WRITERS,
  'POST /staff/cases/:id/links': CASE_WRITERS,
  'POST /staff/cases/:id/links/:otherId/remove': CASE_WRITERS,
  // forms (resident and assisted digital)
  'GET /services/:slug/start': PUBLIC,
  'GET /staff/services': CASE_WRITERS,
  'GET /staff/services/:slug/start': CASE_WRITERS,
  'GET /apply/:draftId': PUBLIC,
  'GET /apply/:draftId/check': PUBLIC,
  'POST /apply/:draftId/submit': PUBLIC,
  'GET /apply/:draftId/confirmation': PUBLIC,
  'GET /apply/:draftId/:pageId': PUBLIC,
  'POST /apply/:draftId/:pageId': PUBLIC,
  'GET /staff/apply/:draftId': CASE_WRITERS,
  'GET /staff/apply/:draftId/check': CASE_WRITERS,
  'POST /staff/apply/:draftId/submit': CASE_WRITERS,
  'GET /staff/apply/:draftId/confirmation': CASE_WRITERS,
  'GET /staff/apply/:draftId/:pageId': CASE_WRITERS,
  'POST /staff/apply/:draftId/:pageId': CASE_WRITERS,
  // notifications
  'GET /staff/messages': ALL_STAFF,
  'GET /staff/messages/:id': ALL_STAFF,
  'GET /staff/email': ALL_STAFF,
  'GET /staff/email/:id': ALL_STAFF,
  'GET /staff/email/:id/original': ALL_STAFF,
  'POST /staff/email/:id/case': CASE_WRITERS,
  'POST /staff/email/:id/new-case': CASE_WRITERS,
  'POST /staff/email/:id/no-action': CASE_WRITERS,
  // phone channel and callbacks (issue 14)
  'POST /telephony/v1/events': PUBLIC,
  'POST /notify/v1/delivery-status': PUBLIC,
  'POST /notify/v1/received-text': PUBLIC,
  'GET /staff/texts': ALL_STAFF,
  'POST /staff/texts/:id/case': CASE_WRITERS,
  'POST /staff/texts/:id/no-action': CASE_WRITERS,
  'GET /staff/calls': ALL_STAFF,
  'GET /staff/calls/missed': ALL_STAFF,
  'GET /staff/calls/:id': ALL_STAFF,
  'POST /staff/calls/:id/customer': CUSTOMER_WRITERS,
  'POST /staff/calls/:id/wrap-up': CUSTOMER_WRITERS,
  'GET /staff/phone': CASE_WRITERS,
  'POST /staff/phone': CASE_WRITERS,
  'GET /staff/phone/figures': REPORT_READERS,
  'GET /staff/phone/figures.json': REPORT_READERS,
  'GET /staff/phone/wallboard': REPORT_READERS,
  'GET /staff/callbacks': ALL_STAFF,
  'GET /staff/callbacks/new': CUSTOMER_WRITERS,
  'POST /staff/callbacks/new': CUSTOMER_WRITERS,
  'GET /staff/callbacks/:id': ALL_STAFF,
  'POST /staff/callbacks/:id/attempts': CUSTOMER_WRITERS,
  'POST /staff/callbacks/:id/cancel': CUSTOMER_WRITERS,
  'GET /contact/callback': PUBLIC,
  'POST /contact/callback': PUBLIC,
  'GET /contact/callback/:id': PUBLIC,
  'GET /contact/message': PUBLIC,
  'POST /contact/message': PUBLIC,
  'GET /contact/message/:id': PUBLIC,
  // knowledge base (issue 15): reading is for all staff, writing content for those who write to residents
  'GET /help': PUBLIC,
  'GET /help/:slug': PUBLIC,
  'POST /help/:slug/feedback': PUBLIC,
  'GET /help/:slug/feedback': PUBLIC,
  'GET /api/v1/articles': PUBLIC,
  'GET /api/v1/articles/:slug': PUBLIC,
  'GET /staff/knowledge': ALL_STAFF,
  'POST /staff/knowledge/tasks/:id/done': CASE_WRITERS,
  'GET /staff/knowledge/new': CASE_WRITERS,
  'POST /staff/knowledge/new': CASE_WRITERS,
  'GET /staff/knowledge/:id': ALL_STAFF,
  'GET /staff/knowledge/:id/edit': CASE_WRITERS,
  'POST /staff/knowledge/:id/edit': CASE_WRITERS,
  'POST /staff/knowledge/:id/submit': CASE_WRITERS,
  'POST /staff/knowledge/:id/publish': CASE_WRITERS,
  'POST /staff/knowledge/:id/withdraw': CASE_WRITERS,
  'POST /staff/knowledge/:id/archive': CASE_WRITERS,
  'GET /staff/knowledge/:id/versions/:number': ALL_STAFF,
  'GET /staff/knowledge/:id/compare': ALL_STAFF,
  'GET /staff/knowledge/teams': TEAM_LEADERS,
  'POST /staff/knowledge/teams/:id': TEAM_LEADERS,
  'GET /staff/knowledge/answers': ALL_STAFF, // the reply box's ?? search (JSON)
  'GET /staff/knowledge/dashboard': ALL_STAFF, // content owners' figures; the auditor reads them
  // customers
  'GET /staff/customers': ALL_STAFF,
  'GET /staff/customers/new': CUSTOMER_WRITERS,
  'POST /staff/customers/new': CUSTOMER_WRITERS,
  'GET /staff/customers/:id': ALL_STAFF,
  'POST /staff/customers/:id/contacts': CUSTOMER_WRITERS,
  'GET /staff/customers/:id/merge': CUSTOMER_WRITERS,
  'POST /staff/customers/:id/merge': CUSTOMER_WRITERS,
  'POST /staff/customers/:id/unmerge': ADMINS,
  // residents
  'GET /account/sign-in': PUBLIC,
  'POST /account/sign-in': PUBLIC,
  'GET /account/sign-in/code': PUBLIC,
  'POST /account/sign-in/code': PUBLIC,
  'POST /account/sign-out': PUBLIC,
  'GET /account': PUBLIC,
  'GET /account/details': PUBLIC,
  'POST /account/details': PUBLIC,
  'GET /account/details/confirm-email': PUBLIC,
  'POST /account/details/confirm-email': PUBLIC,
  'GET /account/requests': PUBLIC,
  // complaints
  'GET /staff/complaints': COMPLAINTS,
  'GET /staff/complaints/new': COMPLAINTS,
  'POST /staff/complaints/new': COMPLAINTS,
  'GET /staff/complaints/learning': COMPLAINTS,
  'POST /staff/complaints/learning/:id/complete': COMPLAINTS,
  'GET /staff/complaints/:id': COMPLAINTS,
  'POST /staff/complaints/:id/acknowledge': COMPLAINTS,
  'POST /staff/complaints/:id/extend': COMPLAINTS,
  'POST /staff/complaints/:id/respond': COMPLAINTS,
  'POST /staff/complaints/:id/refuse': COMPLAINTS,
  'POST /staff/complaints/:id/escalate': COMPLAINTS,
  'POST /staff/complaints/:id/assign': COMPLAINTS,
  'POST /staff/complaints/:id/remedies': COMPLAINTS,
  'POST /staff/complaints/:id/root-cause': COMPLAINTS,
  'POST /staff/complaints/:id/learning-actions': COMPLAINTS,
  'POST /staff/complaints/:id/remedies/:remedyId/complete': COMPLAINTS,
  'GET /complaints/new': PUBLIC,
  'POST /complaints/new': PUBLIC,
  'GET /complaints/:caseId': PUBLIC,
  'GET /complaints/:caseId/escalate': PUBLIC,
  'POST /complaints/:caseId/escalate': PUBLIC,
  // information requests (FOI, EIR, SAR)
  'GET /staff/information-requests': INFO_GOVERNANCE,
  'GET /staff/information-requests/new': INFO_GOVERNANCE,
  'POST /staff/information-requests/new': INFO_GOVERNANCE,
  'GET /staff/information-requests/:id': INFO_GOVERNANCE,
  'POST /staff/information-requests/:id/clarification': INFO_GOVERNANCE,
  'POST /staff/information-requests/:id/clarification/answer': INFO_GOVERNANCE,
  'POST /staff/information-requests/:id/identity': INFO_GOVERNANCE,
  'POST /staff/information-requests/:id/identity/verified': INFO_GOVERNANCE,
  'POST /staff/information-requests/:id/extend': INFO_GOVERNANCE,
  'POST /staff/information-requests/:id/public-interest': INFO_GOVERNANCE,
  'POST /staff/information-requests/:id/respond': INFO_GOVERNANCE,
  'POST /staff/information-requests/:id/withdraw': INFO_GOVERNANCE,
  'POST /staff/information-requests/:id/assign': INFO_GOVERNANCE,
  'POST /staff/information-requests/:id/review': INFO_GOVERNANCE,
  'POST /staff/information-requests/:id/review/extend': INFO_GOVERNANCE,
  'POST /staff/information-requests/:id/review/complete': INFO_GOVERNANCE,
  'POST /staff/information-requests/:id/publish': INFO_GOVERNANCE,
  'POST /staff/information-requests/:id/unpublish': INFO_GOVERNANCE,
  'POST /staff/information-requests/:id/bundles': INFO_GOVERNANCE,
  'GET /staff/information-requests/:id/bundles/:bundleId': INFO_GOVERNANCE,
  'POST /staff/information-requests/:id/bundles/:bundleId/release': INFO_GOVERNANCE,
  'GET /staff/information-requests/:id/bundles/:bundleId/bundle.json': INFO_GOVERNANCE,
  'GET /staff/information-requests/:id/bundles/:bundleId/bundle.html': INFO_GOVERNANCE,
  'GET /staff/reports/timeliness': REPORT_READERS,
  'GET /disclosure-log': PUBLIC,
  'GET /disclosure-log/:id': PUBLIC,
  'GET /sar-bundles/:token': PUBLIC,
  'GET /sar-bundles/:token/bundle.json': PUBLIC,
  'GET /sar-bundles/:token/bundle.html': PUBLIC,
  'GET /information-requests/:caseId/review': PUBLIC,
  'POST /information-requests/:caseId/review': PUBLIC,
  // API
  'GET /api/v1/openapi.json': PUBLIC,
  'POST /api/v1/complaints': API,
  'GET /api/v1/complaints/:reference': API,
  'POST /api/v1/information-requests': API,
  'GET /api/v1/information-requests/:reference': API,
  'GET /staff/admin/api-tokens': ADMINS,
  'POST /staff/admin/api-tokens': ADMINS,
  'POST /staff/admin/api-tokens/:id/revoke': ADMINS,
  // feedback
  'GET /feedback/:token': PUBLIC,
  'POST /feedback/:token': PUBLIC,
  'POST /feedback/page': PUBLIC,
  'GET /feedback/page/thanks': PUBLIC,
  'GET /you-said-we-did': PUBLIC,
  'GET /staff/feedback': ALL_STAFF,
  'GET /staff/feedback/teams/:teamId': ALL_STAFF,
  'POST /staff/feedback/teams/:teamId/follow-ups/:id/done': CASE_WRITERS,
  'POST /staff/feedback/teams/:teamId/compliments/:id/route': CASE_WRITERS,
  'GET /staff/feedback/compliments/new': CASE_WRITERS,
  'POST /staff/feedback/compliments/new': CASE_WRITERS,
  'GET /staff/you-said-we-did': MANAGERS,
  'POST /staff/you-said-we-did': MANAGERS,
  'POST /staff/you-said-we-did/:id/withdraw': MANAGERS,
  'GET /staff/reports/feedback': REPORT_READERS,
  // audit
  'GET /staff/audit': AUDITORS,
  // webchat core (issue 16): the resident's chat (the resume token is the credential) and the agents' side
  'GET /contact/chat': PUBLIC,
  'POST /contact/chat': PUBLIC,
  'POST /contact/chat/message': PUBLIC,
  'POST /contact/chat/person': PUBLIC,
  'POST /contact/chat/end': PUBLIC,
  'POST /contact/chat/new': PUBLIC,
  'GET /contact/chat/ws': PUBLIC,
  'GET /contact/chat/events': PUBLIC,
  'POST /contact/chat/send': PUBLIC,
  'GET /staff/chat/ws': CUSTOMER_WRITERS,
  'GET /staff/chat': CUSTOMER_WRITERS,
  'POST /staff/chat/availability': CUSTOMER_WRITERS,
  'POST /staff/chat/:id/accept': CUSTOMER_WRITERS,
  'GET /staff/chat/:id': CUSTOMER_WRITERS,
  'POST /staff/chat/:id/message': CUSTOMER_WRITERS,
  'POST /staff/chat/:id/end': CUSTOMER_WRITERS,
  'POST /staff/chat/:id/wrap-up': CUSTOMER_WRITERS,
  'POST /staff/chat/:id/transfer': CUSTOMER_WRITERS,
};

/**
 * Staff routes that show or change no personal data, and so declare `auditEvent: false`. Every other staff
 * route must declare the audit event the shared hook writes (identity.staff.routes.ts).
 */
const NO_PERSONAL_DATA = new Set([
  'POST /staff/sign-out', // the identity service records the sign-out itself
  'POST /staff/session/extend',
  'GET /staff/services', // the service catalogue
  'GET /staff/you-said-we-did', // published improvements, no names
  'GET /staff/push', // the push stream itself; the pages it leads to are audited
  'POST /staff/chat/availability', // the agent's own availability for chats
  'GET /staff/phone/figures', // contact-centre counts, no names
  'GET /staff/phone/figures.json',
  'GET /staff/phone/wallboard',
]);

/** Streams that stay open (server-sent events): their access is tested where they are (telephony.staff). */
const STREAMS = new Set(['GET /staff/push']);

/** Routes that end the session: each role requests them last. */
const ENDS_SESSION = new Set(['POST /staff/sign-out']);

// ---------------------------------------------------------------------------------------------------------

let t: TestApp;
let db: Db;
const clock = new TestClock('2026-11-23T10:00:00Z');

interface Fixtures {
  /** One member of staff per role, all in the waste team (so none is in the social care team). */
  staff: Record<Role, { id: string; email: string }>;
  socialCareOfficer: { id: string; email: string };
  wasteTeamId: string;
  binServiceSlug: string;
  customerId: string;
  normalCase: { id: string; reference: string };
  restrictedCase: { id: string; reference: string };
  /** Files (attachments) on the normal and the restricted case. */
  normalFile: { id: string; filename: string };
  restrictedFile: { id: string; filename: string };
  complaintId: string;
  informationRequestId: string;
  /** An FOI case made through a form and not yet given its request record (the worker adopts it, not pages). */
  makeUnadoptedFoiCase: () => Promise<void>;
}
let f: Fixtures;

before(async () => {
  t = await buildTestApp({ clock });
  db = t.database.db;
  const county = await buildAuthority(db, { kind: 'county' });
  const waste = await buildTeam(db, county.id, { name: 'Waste' });
  const socialCare = await buildTeam(db, county.id, { name: 'Adult social care' });
  const complaintsTeam = await buildTeam(db, county.id, { name: 'Complaints' });
  const ig = await buildTeam(db, county.id, { name: 'Information governance' });
  const bins = await installShippedService(db, {
    authorityId: county.id,
    teamId: waste.id,
    slug: 'report-a-missed-bin',
  });
  const care = await installShippedService(db, {
    authorityId: county.id,
    teamId: socialCare.id,
    slug: 'adult-social-care-referral',
  });
  await db.updateTable('services').set({ sensitivity: 'restricted' }).where('id', '=', care.id).execute();
  await installShippedService(db, {
    authorityId: county.id,
    teamId: complaintsTeam.id,
    slug: 'make-a-complaint',
  });
  const foi = await installShippedService(db, {
    authorityId: county.id,
    teamId: ig.id,
    slug: 'freedom-of-information-request',
  });

  const staff = {} as Fixtures['staff'];
  for (const role of ROLES)
    staff[role] = await buildStaff(db, county.id, {
      roles: [role],
      teamIds: [waste.id],
      leaderOf: role === 'team_leader' ? [waste.id] : [],
      name: `Test ${role}`,
    });
  const socialCareOfficer = await buildStaff(db, county.id, {
    roles: ['officer'],
    teamIds: [socialCare.id],
    name: 'Social care officer',
  });

  const customer = await buildCustomer(db, county.id, { email: `${randomUUID().slice(0, 8)}@example.com` });
  const normalCase = await buildCase(db, {
    authorityId: county.id,
    serviceId: bins.id,
    teamId: waste.id,
    customerId: customer.id,
  });
  const restrictedCase = await buildCase(db, {
    authorityId: county.id,
    serviceId: care.id,
    teamId: socialCare.id,
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
        actor: { kind: 'staff', staffId: staff.complaints_officer.id },
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
        actor: { kind: 'staff', staffId: staff.ig_officer.id },
        idempotencyKey: `test:${randomUUID()}`,
      },
      { now: clock.now() },
    ),
  );
  const uploadDir = join(t.config.dataDir, 'uploads');
  f = {
    staff,
    socialCareOfficer,
    wasteTeamId: waste.id,
    binServiceSlug: bins.slug,
    customerId: customer.id,
    normalCase,
    restrictedCase,
    normalFile: await buildAttachment(db, { authorityId: county.id, uploadDir, caseId: normalCase.id }),
    restrictedFile: await buildAttachment(db, {
      authorityId: county.id,
      uploadDir,
      caseId: restrictedCase.id,
    }),
    complaintId: complaint.id,
    informationRequestId: request.id,
    makeUnadoptedFoiCase: async () => {
      await buildCase(db, {
        authorityId: county.id,
        serviceId: foi.id,
        teamId: ig.id,
        customerId: customer.id,
      });
    },
  };
});
after(() => t.close());

// ---------------------------------------------------------------------------------------------------------
// Helpers

const keyOf = (r: { method: string; url: string }) => `${r.method} ${r.url}`;

function staffRoutes() {
  return t.app.routeCatalogue.filter((r) => r.url === '/staff' || r.url.startsWith('/staff/'));
}

/** Roles the table allows on a staff route (the first test makes sure every route is in the table). */
function allowedRoles(key: string): readonly Role[] | null {
  const access = ACCESS[key];
  return access === PUBLIC || access === API || access === undefined ? null : access;
}

/**
 * Path parameters filled from the fixtures, keyed by the segment before the parameter. Anything not listed
 * gets a well-formed random UUID: the permission gate runs before the handler looks the record up.
 */
function fill(url: string, overrides: { caseId?: string } = {}): string {
  const segments = url.split('/');
  return segments
    .map((segment, i) => {
      if (!segment.startsWith(':')) return segment;
      switch (`${segments[i - 1]}/${segment}`) {
        case 'cases/:id':
          return overrides.caseId ?? f.normalCase.id;
        case 'customers/:id':
          return f.customerId;
        case 'complaints/:id':
          return f.complaintId;
        case 'information-requests/:id':
          return f.informationRequestId;
        case 'teams/:teamId':
          return f.wasteTeamId;
        case 'services/:slug':
          return f.binServiceSlug;
        default:
          return randomUUID();
      }
    })
    .join('/');
}

function csrfOf(response: LightMyRequestResponse): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(response.body)?.[1];
  assert.ok(token, 'a page with a CSRF token');
  return token;
}

/** A signed-in browser and the CSRF token its session's pages carry (sign-in rotates the cookie). */
async function session(staff: { email: string }): Promise<{ browser: Browser; csrf: string }> {
  const browser = await signedIn(t.app, staff);
  return { browser, csrf: csrfOf(await browser.get('/staff')) };
}

async function request(
  s: { browser: Browser; csrf: string },
  method: string,
  url: string,
): Promise<LightMyRequestResponse> {
  return method === 'GET' ? s.browser.get(url) : s.browser.post(url, { _csrf: s.csrf });
}

const isForbiddenPage = (r: LightMyRequestResponse) =>
  r.statusCode === 403 && r.body.includes('You cannot see this page');
const isCsrfRefusal = (r: LightMyRequestResponse) => r.body.includes('Your form was out of date');
const sentToSignIn = (r: LightMyRequestResponse) =>
  r.statusCode >= 300 && r.statusCode < 400 && String(r.headers.location ?? '').startsWith('/staff/sign-in');

// ---------------------------------------------------------------------------------------------------------

void describe('access control', () => {
  void test('every registered route is declared in the access table, and every declared route exists', () => {
    const registered = new Set(t.app.routeCatalogue.map(keyOf));
    const undeclared = [...registered].filter((k) => !(k in ACCESS));
    const stale = Object.keys(ACCESS).filter((k) => !registered.has(k));
    assert.deepEqual(undeclared, [], 'routes missing from ACCESS in test/access.int.test.ts');
    assert.deepEqual(stale, [], 'ACCESS lists routes the app does not register');
    for (const route of t.app.routeCatalogue) {
      const access = ACCESS[keyOf(route)];
      if (route.permission === 'public' || route.permission === 'api')
        assert.equal(access, route.permission, `${keyOf(route)} is declared ${route.permission}`);
      else assert.ok(Array.isArray(access), `${keyOf(route)} needs a signed-in role list`);
    }
    assert.ok(staffRoutes().length > 50, 'the walk covers the staff area');
  });

  void test('every staff route declares its audit event, or that it touches no personal data', () => {
    const problems: string[] = [];
    for (const route of staffRoutes()) {
      const key = keyOf(route);
      if (route.permission === 'public') continue;
      if (NO_PERSONAL_DATA.has(key)) {
        if (route.auditEvent !== false) problems.push(`${key} is listed as no personal data: declare false`);
      } else if (typeof route.auditEvent !== 'string' || !/^[a-z_]+\.[a-z_]+$/.test(route.auditEvent))
        problems.push(`${key} declares no audit event (${String(route.auditEvent)})`);
    }
    assert.deepEqual(problems, []);
  });

  void test('every staff route, for every role, allows or refuses exactly as declared, and every request is audited', async () => {
    const routes = staffRoutes().filter((r) => allowedRoles(keyOf(r)) !== null && !STREAMS.has(keyOf(r)));
    const ordered = [
      ...routes.filter((r) => !ENDS_SESSION.has(keyOf(r))),
      ...routes.filter((r) => ENDS_SESSION.has(keyOf(r))),
    ];
    const problems: string[] = [];
    const made: { role: Role; route: (typeof routes)[number]; requestId: string; status: number }[] = [];
    for (const role of ROLES) {
      const s = await session(f.staff[role]);
      for (const route of ordered) {
        const key = keyOf(route);
        const allowed = allowedRoles(key)!.includes(role);
        const response = await request(s, route.method, fill(route.url));
        made.push({
          role,
          route,
          requestId: String(response.headers['x-request-id']),
          status: response.statusCode,
        });
        const what = `${role} ${key} → ${response.statusCode} ${String(response.headers.location ?? '')}`;
        if (isCsrfRefusal(response)) problems.push(`${what} (CSRF refusal: the test is broken)`);
        else if (allowed) {
          const signOut = ENDS_SESSION.has(key);
          if (response.statusCode === 403) problems.push(`${what}: expected allowed`);
          else if (sentToSignIn(response) && !signOut) problems.push(`${what}: sent to sign-in`);
          else if (response.statusCode >= 500) problems.push(`${what}: server error`);
        } else if (!isForbiddenPage(response)) problems.push(`${what}: expected 403`);
      }
      // Signing out really ended the session.
      assert.ok(sentToSignIn(await s.browser.get('/staff')), `${role} is signed out at the end`);
    }
    assert.deepEqual(problems, []);

    // Audit, declared and done: each request to a route with an audit event left a row for that request,
    // by that member of staff, with an outcome that matches the answer (refused → denied). Rows the shared
    // hook wrote carry the route and the roles; use-cases may have written a richer row instead.
    const rows = await db
      .selectFrom('audit_log')
      .select(['request_id', 'action', 'outcome', 'actor_id', 'actor_type', 'authority_id', 'details'])
      .where(
        'request_id',
        'in',
        made.map((m) => m.requestId),
      )
      .execute();
    const byRequest = new Map<string | null, typeof rows>();
    for (const r of rows) byRequest.set(r.request_id, [...(byRequest.get(r.request_id) ?? []), r]);
    const unaudited: string[] = [];
    let byHookAlone = 0;
    const hookOnlyRoutes = new Set<string>();
    for (const m of made) {
      const event = m.route.auditEvent;
      if (!event) continue;
      const mine = (byRequest.get(m.requestId) ?? []).filter((r) => r.actor_id === f.staff[m.role].id);
      const what = `${m.role} ${keyOf(m.route)} → ${m.status}`;
      if (mine.length === 0) {
        unaudited.push(`${what}: no audit row`);
        continue;
      }
      if (m.status === 403 && !mine.some((r) => r.outcome === 'denied'))
        unaudited.push(`${what}: not denied`);
      if (m.status < 400 && !mine.some((r) => r.outcome === 'ok')) unaudited.push(`${what}: not ok`);
      const hook = mine.find(
        (r) => r.action === event && (r.details as { route?: string }).route === keyOf(m.route),
      );
      if (hook) {
        assert.equal(hook.actor_type, 'staff');
        assert.ok(hook.authority_id, `${what}: the reader's council`);
        assert.deepEqual((hook.details as { roles?: string[] }).roles, [m.role], `${what}: the role`);
      }
      if (hook && mine.length === 1) {
        byHookAlone += 1;
        hookOnlyRoutes.add(keyOf(m.route));
      }
    }
    assert.deepEqual(unaudited, []);
    // Without the hook's write these requests would have no audit row at all: the hook is what audits them.
    assert.ok(hookOnlyRoutes.size >= 20, `routes audited by the shared hook alone: ${hookOnlyRoutes.size}`);
    assert.ok(byHookAlone >= 100, `requests audited by the shared hook alone: ${byHookAlone}`);
  });

  void test('viewing a queue adopts nothing (the worker does, on case.created) and is audited for the member of staff', async () => {
    await f.makeUnadoptedFoiCase();
    const s = await session(f.staff.ig_officer);
    const page = await s.browser.get('/staff/information-requests');
    assert.equal(page.statusCode, 200);
    const rows = await db
      .selectFrom('audit_log')
      .select(['action', 'actor_type', 'actor_id'])
      .where('request_id', '=', String(page.headers['x-request-id']))
      .execute();
    assert.ok(!rows.some((r) => r.actor_type === 'system'), 'no system work (adoption) runs in a page view');
    assert.ok(
      rows.some((r) => r.actor_id === f.staff.ig_officer.id && r.action === 'information_request.queue'),
      "the officer's view of the queue is audited",
    );
  });

  void test('signed out, every staff route sends you to sign in; API routes without a token are 401', async () => {
    const browser = new Browser(t.app);
    const csrf = csrfOf(await browser.get('/staff/sign-in'));
    const problems: string[] = [];
    for (const route of staffRoutes().filter((r) => allowedRoles(keyOf(r)) !== null)) {
      const url = fill(route.url);
      const response = await request({ browser, csrf }, route.method, url);
      // A signed-out push stream is told to stop (204), not sent to a sign-in page nobody sees.
      if (STREAMS.has(keyOf(route))) {
        if (response.statusCode !== 204) problems.push(`${keyOf(route)} → ${response.statusCode}`);
        continue;
      }
      const expected =
        route.method === 'GET' ? `/staff/sign-in?returnTo=${encodeURIComponent(url)}` : '/staff/sign-in';
      if (response.statusCode !== 302 || response.headers.location !== expected)
        problems.push(`${keyOf(route)} → ${response.statusCode} ${String(response.headers.location ?? '')}`);
    }
    assert.deepEqual(problems, []);

    const api = t.app.routeCatalogue.filter((r) => ACCESS[keyOf(r)] === API);
    assert.ok(api.length >= 4);
    for (const route of api) {
      const response = await t.app.inject({
        method: route.method as 'GET' | 'POST',
        url: route.url.replace(':reference', 'ABCD-EFGH'),
        ...(route.method === 'POST' ? { payload: {} } : {}),
      });
      assert.equal(response.statusCode, 401, `${keyOf(route)} without a bearer token`);
    }
  });

  void test('a restricted case and its files are 404 (never 403) to every role outside its team, each attempt audited', async () => {
    const caseRoutes = staffRoutes().filter((r) => r.url.startsWith('/staff/cases/:id'));
    assert.ok(caseRoutes.some((r) => r.method === 'GET') && caseRoutes.some((r) => r.method === 'POST'));
    const restricted = f.restrictedCase;

    for (const role of ROLES) {
      const s = await session(f.staff[role]);
      let reachedHandler = 0;
      for (const route of caseRoutes) {
        const key = keyOf(route);
        const response = await request(s, route.method, fill(route.url, { caseId: restricted.id }));
        if (allowedRoles(key)!.includes(role)) {
          reachedHandler += 1;
          assert.equal(response.statusCode, 404, `${role} ${key} on a restricted case of another team`);
          assert.doesNotMatch(response.body, new RegExp(restricted.reference), 'nothing of the case shown');
        } else {
          // Refused by permission before the record is looked at: the same answer as for no such case.
          const nothing = await request(s, route.method, fill(route.url, { caseId: randomUUID() }));
          assert.equal(response.statusCode, 403, `${role} ${key} lacks the permission`);
          assert.equal(nothing.statusCode, 403, `${role} ${key} on a case that does not exist`);
        }
      }
      // The case's file follows the case: 404 and audited, while a normal case's file downloads.
      const file = await s.browser.get(`/attachments/${f.restrictedFile.id}`);
      assert.equal(file.statusCode, 404, `${role} GET /attachments/:id of a restricted case of another team`);
      assert.doesNotMatch(file.body, new RegExp(f.restrictedFile.filename), 'nothing of the file shown');
      const normal = await s.browser.get(`/attachments/${f.normalFile.id}`);
      assert.equal(normal.statusCode, 200, `${role} GET /attachments/:id of a normal case`);
      const rows = await db
        .selectFrom('audit_log')
        .select(['action', 'outcome', 'record_type', 'details'])
        .where('record_id', '=', restricted.id)
        .where('actor_id', '=', f.staff[role].id)
        .execute();
      // Every attempt is audited: refused by the record rule (view_denied) or by the permission (access_denied).
      assert.equal(rows.length, caseRoutes.length + 1, `${role}: one audit row per attempt (+ the file)`);
      assert.equal(
        rows.filter((r) => r.action === 'case.view_denied').length,
        reachedHandler + 1,
        `${role}: record-rule refusals`,
      );
      assert.equal(
        rows.filter((r) => (r.details as { attempted?: string }).attempted === 'download_attachment').length,
        1,
        `${role}: the file download refusal names what was tried`,
      );
      for (const row of rows) {
        assert.ok(['case.view_denied', 'case.access_denied'].includes(row.action), row.action);
        assert.equal(row.outcome, 'denied');
        assert.equal(row.record_type, 'case');
      }
    }

    // The owning team sees it (and the note form answers with a validation error, not a refusal).
    const owner = await session(f.socialCareOfficer);
    const page = await owner.browser.get(`/staff/cases/${restricted.id}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, new RegExp(restricted.reference));
    const note = await request(owner, 'POST', `/staff/cases/${restricted.id}/notes`);
    assert.equal(note.statusCode, 400);
    const file = await owner.browser.get(`/attachments/${f.restrictedFile.id}`);
    assert.equal(file.statusCode, 200, 'the owning team downloads the case file');
    assert.match(String(file.headers['content-disposition']), /^attachment; /);
    const ownerDenied = await db
      .selectFrom('audit_log')
      .select('id')
      .where('record_id', '=', restricted.id)
      .where('actor_id', '=', f.socialCareOfficer.id)
      .where('outcome', '=', 'denied')
      .execute();
    assert.equal(ownerDenied.length, 0);
  });

  void test("the customer's single view lists a restricted case only to its team", async () => {
    const url = `/staff/customers/${f.customerId}`;
    for (const role of ROLES) {
      const s = await session(f.staff[role]);
      const page = await s.browser.get(url);
      assert.equal(page.statusCode, 200, `${role} sees the customer`);
      assert.match(page.body, new RegExp(f.normalCase.reference), `${role} sees the normal case`);
      assert.doesNotMatch(
        page.body,
        new RegExp(f.restrictedCase.reference),
        `${role}: restricted case hidden`,
      );
    }
    const owner = await session(f.socialCareOfficer);
    const page = await owner.browser.get(url);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, new RegExp(f.restrictedCase.reference), 'the owning team sees its case listed');
  });

  void test('an auditor can read but every POST is refused (403), apart from keeping the session', async () => {
    const s = await session(f.staff.auditor);
    for (const url of [`/staff/cases/${f.normalCase.id}`, `/staff/customers/${f.customerId}`, '/staff/audit'])
      assert.equal((await s.browser.get(url)).statusCode, 200, url);
    const posts = staffRoutes().filter(
      (r) => r.method === 'POST' && r.permission !== 'staff' && r.permission !== 'public',
    );
    assert.ok(posts.length > 30);
    for (const route of posts) {
      const response = await request(s, 'POST', fill(route.url));
      assert.ok(isForbiddenPage(response), `auditor ${keyOf(route)} → ${response.statusCode}`);
    }
    const unchanged = await db
      .selectFrom('case_events')
      .select('id')
      .where('actor_staff_id', '=', f.staff.auditor.id)
      .execute();
    assert.equal(unchanged.length, 0, 'the auditor added nothing to any case');
    const refusals = await db
      .selectFrom('audit_log')
      .select(['action', 'outcome'])
      .where('actor_id', '=', f.staff.auditor.id)
      .where('record_id', '=', f.normalCase.id)
      .where('action', '=', 'case.access_denied')
      .execute();
    assert.ok(refusals.length >= 7, 'each refused change to the case is audited as denied');
    assert.ok(refusals.every((r) => r.outcome === 'denied'));
  });
});
