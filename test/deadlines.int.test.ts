/**
 * Issue 12's acceptance: every date a resident is given for a request is the deadline staff work to for
 * the same record. For an FOI request, an EIR request, a subject access request, a complaint (at stage 1
 * and after the resident asks for stage 2) and an ordinary service request, each made through the real
 * routes, the date on the confirmation page, the request page, "Your requests" and the acknowledgement is
 * compared with the record's own deadline (what the FOI and complaint pages show), the staff case page
 * and the staff customer view.
 *
 * The clock stands at Thursday 3 December 2026, 10:00 London: 20 working days later is 5 January 2027 in
 * England and Wales but 6 January 2027 for FOI/EIR, which skip bank holidays in any part of the UK (4
 * January 2027 is a Scottish one).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { TestClock } from '../src/platform/clock.ts';
import { endOfLondonDay } from '../src/platform/calendar/index.ts';
import { withTransaction, type Db } from '../src/platform/db/index.ts';
import { SessionStore } from '../src/platform/http/sessions.ts';
import { formatDate } from '../src/platform/views/index.ts';
import { respondToComplaint } from '../src/modules/complaints/index.ts';
import { seedDemoAddresses } from '../src/modules/forms/index.ts';
import { extendRequest } from '../src/modules/information-requests/index.ts';
import { loadServiceDefinitions } from '../src/modules/services/index.ts';
import { buildAuthority, buildStaff, buildTeam } from './builders/index.ts';
import { buildCustomer, signedIn } from './builders/customers.ts';
import { installShippedService } from './builders/services.ts';
import { Browser, buildTestApp, type TestApp } from './support/app.ts';
import { walkAndSubmit } from './support/form-walk.ts';
import { runOutboxRow } from './support/jobs.ts';

let t: TestApp;
let db: Db;
const clock = new TestClock('2026-12-03T10:00:00Z');

interface Council {
  authorityId: string;
  teamId: string;
  staff: { id: string; email: string };
  slugs: Map<string, string>;
}
let council: Council;

before(async () => {
  t = await buildTestApp({ clock });
  db = t.database.db;
  await seedDemoAddresses(db);
  const authority = await buildAuthority(db);
  const team = await buildTeam(db, authority.id, { name: 'Customer services' });
  const slugs = new Map<string, string>();
  for (const slug of [
    'freedom-of-information-request',
    'subject-access-request',
    'make-a-complaint',
    'general-enquiry',
  ])
    slugs.set(
      slug,
      (await installShippedService(db, { authorityId: authority.id, teamId: team.id, slug })).slug,
    );
  const staff = await buildStaff(db, authority.id, {
    roles: ['officer', 'ig_officer', 'complaints_officer'],
    teamIds: [team.id],
  });
  council = { authorityId: authority.id, teamId: team.id, staff, slugs };
});
after(() => t.close());

const definitionOf = (slug: string) => {
  const found = loadServiceDefinitions().find((d) => d.slug === slug);
  assert.ok(found, slug);
  return found;
};

/** A signed-in resident of the council (a session row and its signed cookie, as sign-in makes). */
async function resident(): Promise<{ customerId: string; browser: Browser }> {
  const customer = await buildCustomer(db, council.authorityId, {
    email: `${randomUUID().slice(0, 8)}@example.com`,
  });
  const { token } = await new SessionStore(db, clock, 30).create('resident', { customerId: customer.id });
  const browser = new Browser(t.app);
  browser.cookies.set('fd_session', t.app.signCookie(token));
  return { customerId: customer.id, browser };
}

/** "… get back to you by 6 January 2027." → "6 January 2027" (the one promise a page makes), or null. */
function promisedDate(html: string): string | null {
  const dates = [...html.matchAll(/get back to you by (\d{1,2} [A-Z][a-z]+ \d{4})/g)].map((m) => m[1]);
  assert.ok(new Set(dates).size <= 1, `one date on the page, not ${dates.join(', ')}`);
  return dates[0] ?? null;
}

interface ResidentDates {
  confirmation?: string | null;
  requestPage: string | null;
  expectAnswerBy: string | null;
  yourRequests: string | null;
}

/** The dates the resident is given on the request page and in "Your requests" (and the confirmation). */
async function residentDates(
  browser: Browser,
  caseId: string,
  reference: string,
  confirmation?: string,
): Promise<ResidentDates> {
  const page = await browser.get(`/track/requests/${caseId}`);
  assert.equal(page.statusCode, 200);
  const requests = await browser.get('/account/requests');
  assert.equal(requests.statusCode, 200);
  const item = requests.body.slice(requests.body.indexOf(reference));
  return {
    ...(confirmation ? { confirmation: promisedDate((await browser.get(confirmation)).body) } : {}),
    requestPage: promisedDate(page.body),
    expectAnswerBy: /Expect an answer by\s*<\/dt>\s*<dd[^>]*>\s*([^<]+?)\s*</.exec(page.body)?.[1] ?? null,
    yourRequests: /get back to you by (\d{1,2} [A-Z][a-z]+ \d{4})/.exec(item)?.[1] ?? null,
  };
}

/** The due date staff see on the case page and (short form) in the customer's single view. */
async function staffDates(caseId: string, customerId: string, reference: string) {
  const officer = await signedIn(t.app, council.staff);
  const casePage = await officer.get(`/staff/cases/${caseId}`);
  assert.equal(casePage.statusCode, 200);
  const view = await officer.get(`/staff/customers/${customerId}`);
  assert.equal(view.statusCode, 200);
  const row = /<tr[^>]*>((?:(?!<\/tr>)[\s\S])*?)<\/tr>/g;
  const caseRow = [...view.body.matchAll(row)].map((m) => m[1]).find((r) => r.includes(reference)) ?? '';
  return {
    casePage: /data-testid="case-due">([^<]*)</.exec(casePage.body)?.[1] ?? null,
    customerView: caseRow,
  };
}

async function acknowledgement(caseId: string): Promise<string> {
  const row = await db
    .selectFrom('messages')
    .select(['body', 'channel'])
    .where('case_id', '=', caseId)
    .where('template', '=', 'case.acknowledgement')
    .executeTakeFirstOrThrow();
  return row.body;
}

async function referenceOf(caseId: string): Promise<string> {
  const row = await db
    .selectFrom('cases')
    .select('reference')
    .where('id', '=', caseId)
    .executeTakeFirstOrThrow();
  return row.reference;
}

/** Every resident-facing date of the case is `due` (an ISO date), and staff see the same. */
async function assertSameDeadline(
  input: { caseId: string; customerId: string; browser: Browser; confirmation?: string },
  due: string,
  options: { acknowledgement?: boolean } = {},
) {
  const long = formatDate(endOfLondonDay(due), 'date');
  const reference = await referenceOf(input.caseId);
  const dates = await residentDates(input.browser, input.caseId, reference, input.confirmation);
  assert.deepEqual(
    dates,
    {
      ...(input.confirmation ? { confirmation: long } : {}),
      requestPage: long,
      expectAnswerBy: long,
      yourRequests: long,
    },
    `the resident is told ${long} everywhere`,
  );
  if (options.acknowledgement !== false)
    assert.match(await acknowledgement(input.caseId), new RegExp(`by ${long}`), 'the acknowledgement');
  const staff = await staffDates(input.caseId, input.customerId, reference);
  assert.equal(staff.casePage, long, 'the staff case page');
  assert.ok(
    staff.customerView.includes(formatDate(endOfLondonDay(due), 'short')),
    `the customer view shows ${formatDate(endOfLondonDay(due), 'short')}: ${staff.customerView}`,
  );
}

void describe('issue 12: every resident-facing deadline equals the staff deadline for the same record', () => {
  void test('issue 12 item 1: an FOI request made on Thursday 3 December 2026 is due on 6 January 2027 everywhere', async () => {
    const { customerId, browser } = await resident();
    const slug = council.slugs.get('freedom-of-information-request')!;
    const made = await walkAndSubmit({
      app: t.app,
      db,
      browser,
      definition: definitionOf('freedom-of-information-request'),
      slug,
      answers: { contactBy: 'email' },
    });
    // Before the worker makes the FOI record, the resident has already been given a date.
    assert.equal(promisedDate((await browser.get(made.confirmation)).body), '6 January 2027');
    assert.match(await acknowledgement(made.caseId), /by 6 January 2027/);
    await runOutboxRow(db, clock, `case.created:${made.caseId}`);
    const record = await db
      .selectFrom('information_requests')
      .select(['due_on', 'regime'])
      .where('case_id', '=', made.caseId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(record, { due_on: '2027-01-06', regime: 'foi' }, 'the staff deadline');
    await assertSameDeadline({ ...made, customerId, browser }, record.due_on);
  });

  void test('issue 12 item 1: an EIR request recorded by staff, then extended to 40 working days, is due on the same day for the resident', async () => {
    const { customerId, browser } = await resident();
    const officer = await signedIn(t.app, council.staff);
    const res = await officer.submit('/staff/information-requests/new', '/staff/information-requests/new', {
      regime: 'eir',
      customerId,
      requestText: 'Air quality readings on the high street for 2026.',
      'receivedOn-day': '3',
      'receivedOn-month': '12',
      'receivedOn-year': '2026',
      channel: 'email',
      idempotencyKey: randomUUID(),
    });
    assert.equal(res.statusCode, 303, res.body.slice(0, 300));
    const request = await db
      .selectFrom('information_requests')
      .select(['id', 'case_id', 'due_on'])
      .where('customer_id', '=', customerId)
      .executeTakeFirstOrThrow();
    assert.equal(request.due_on, '2027-01-06');
    await assertSameDeadline({ caseId: request.case_id, customerId, browser }, request.due_on);

    const { dueOn } = await withTransaction(db, (trx) =>
      extendRequest(trx, request.id, {
        staffId: council.staff.id,
        now: clock.now(),
        reason: 'Complex and voluminous',
      }),
    );
    assert.equal(dueOn, '2027-02-03');
    await assertSameDeadline({ caseId: request.case_id, customerId, browser }, dueOn, {
      acknowledgement: false,
    });
  });

  void test('issue 12 item 1: a subject access request is due one calendar month later (a working day), the same for the resident', async () => {
    const { customerId, browser } = await resident();
    const made = await walkAndSubmit({
      app: t.app,
      db,
      browser,
      definition: definitionOf('subject-access-request'),
      slug: council.slugs.get('subject-access-request')!,
      answers: { subject: 'myself', contactBy: 'email' },
    });
    await runOutboxRow(db, clock, `case.created:${made.caseId}`);
    const record = await db
      .selectFrom('information_requests')
      .select(['due_on', 'regime'])
      .where('case_id', '=', made.caseId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(record, { due_on: '2027-01-04', regime: 'sar' }, '3 January 2027 is a Sunday');
    await assertSameDeadline({ ...made, customerId, browser }, record.due_on);
  });

  void test('issue 12 item 2: a complaint is due when stage 1 must be answered, then when stage 2 must be, the same for the resident', async () => {
    const { customerId, browser } = await resident();
    const made = await walkAndSubmit({
      app: t.app,
      db,
      browser,
      definition: definitionOf('make-a-complaint'),
      slug: council.slugs.get('make-a-complaint')!,
      answers: { contactBy: 'email' },
      pastDate: ['20', '11', '2026'],
    });
    await runOutboxRow(db, clock, `case.created:${made.caseId}`);
    const complaint = await db
      .selectFrom('complaints')
      .select('id')
      .where('case_id', '=', made.caseId)
      .executeTakeFirstOrThrow();
    const stage = async (n: number) =>
      (
        await db
          .selectFrom('complaint_stages')
          .select('respond_by')
          .where('complaint_id', '=', complaint.id)
          .where('stage', '=', n)
          .executeTakeFirstOrThrow()
      ).respond_by;
    const stage1 = await stage(1);
    assert.equal(stage1, '2026-12-24', 'acknowledge by 10 December, answer 10 working days after');
    await assertSameDeadline({ ...made, customerId, browser }, stage1);

    // Stage 1 ran late enough to be flagged as due soon and then overdue.
    await db
      .updateTable('cases')
      .set({ sla_warned_at: clock.now(), sla_breached_at: clock.now() })
      .where('id', '=', made.caseId)
      .execute();
    await withTransaction(db, (trx) =>
      respondToComplaint(trx, complaint.id, {
        staffId: council.staff.id,
        now: clock.now(),
        decision: 'not_upheld',
        reasons: 'The bin was not out.',
      }),
    );
    // Answered: no date is promised while the resident decides whether to ask for stage 2.
    const answered = (await browser.get(`/track/requests/${made.caseId}`)).body;
    assert.equal(promisedDate(answered), null);
    assert.match(answered, /We have not set a date for our next step/);
    assert.equal(
      (await db.selectFrom('cases').select('due_at').where('id', '=', made.caseId).executeTakeFirstOrThrow())
        .due_at,
      null,
      'nothing is due, so the SLA scan raises no breach',
    );
    assert.equal(
      (await staffDates(made.caseId, customerId, await referenceOf(made.caseId))).casePage,
      'No due date',
      'staff are not shown a date counted from the SLA instead',
    );
    const escalated = await browser.submit(
      `/complaints/${made.caseId}/escalate`,
      `/complaints/${made.caseId}/escalate`,
      { reason: '' },
    );
    assert.equal(escalated.statusCode, 303, escalated.body.slice(0, 300));
    const flags = await db
      .selectFrom('cases')
      .select(['sla_warned_at', 'sla_breached_at'])
      .where('id', '=', made.caseId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      flags,
      { sla_warned_at: null, sla_breached_at: null },
      'stage 2 is a new clock: it can warn again',
    );
    const requestPage = (await browser.get(`/track/requests/${made.caseId}`)).body;
    assert.match(
      requestPage,
      /data-testid="request-status"><strong>Your complaint is being looked at again \(stage 2\)/,
      'the current status, not "We have sent you our reply"',
    );
    const stage2 = await stage(2);
    assert.equal(stage2, '2027-01-12', 'acknowledge by 10 December, answer 20 working days after');
    await assertSameDeadline({ caseId: made.caseId, customerId, browser }, stage2, {
      acknowledgement: false,
    });
    const letter = await db
      .selectFrom('messages')
      .select('body')
      .where('case_id', '=', made.caseId)
      .where('template', '=', 'complaint.escalation_acknowledgement')
      .executeTakeFirstOrThrow();
    assert.match(letter.body, new RegExp(formatDate(endOfLondonDay(stage2), 'date')));
  });

  void test('issue 12 item 1: an ordinary service request is due when its SLA says, the same for the resident and staff', async () => {
    const { customerId, browser } = await resident();
    const made = await walkAndSubmit({
      app: t.app,
      db,
      browser,
      definition: definitionOf('general-enquiry'),
      slug: council.slugs.get('general-enquiry')!,
      answers: { contactBy: 'email' },
    });
    const row = await db
      .selectFrom('cases')
      .select('due_at')
      .where('id', '=', made.caseId)
      .executeTakeFirstOrThrow();
    assert.equal(formatDate(row.due_at, 'date'), '17 December 2026', '10 working days');
    await assertSameDeadline({ ...made, customerId, browser }, '2026-12-17');
  });
});
