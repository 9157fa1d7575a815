/**
 * FOI, EIR and subject access requests to statutory timescales, through the use-cases and the staff pages,
 * on PGlite (default) or PostgreSQL (TEST_DATABASE_URL). Each test makes its own council and requests.
 * Deadlines are hand-counted (UK-wide working days for FOI/EIR: St Andrew's Day, Monday 30 November 2026,
 * is a Scottish bank holiday) and checked against the platform clocks where the count is long.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { TestClock } from '../src/platform/clock.ts';
import { withTransaction, type Db } from '../src/platform/db/index.ts';
import { eirExtendedDeadline, foiDeadline, sarExtendedDeadline } from '../src/platform/clocks/index.ts';
import {
  askForClarification,
  askForIdentity,
  completeReview,
  createInformationRequest,
  extendForPublicInterest,
  extendRequest,
  getInformationRequest,
  publishToDisclosureLog,
  recordClarification,
  recordIdentityVerified,
  requestReview,
  respondToRequest,
  reviewDeadline,
  type Regime,
} from '../src/modules/information-requests/index.ts';
import { toIsoDate } from '../src/platform/calendar/index.ts';
import { createCase, loadCaseService } from '../src/modules/cases/index.ts';
import { buildTeamRunning, installShippedService } from './builders/services.ts';
import { runOutboxRow } from './support/jobs.ts';
import { buildAuthority, buildColleagues, buildStaff, buildTeam } from './builders/index.ts';
import { buildCustomer, residentSignedIn, signedIn } from './builders/customers.ts';
import { Browser, buildTestApp, type TestApp } from './support/app.ts';

let t: TestApp;
let db: Db;
const clock = new TestClock('2026-11-23T10:00:00Z');

before(async () => {
  t = await buildTestApp({ clock });
  db = t.database.db;
});
after(() => t.close());

async function council() {
  const authority = await buildAuthority(db);
  const ig = await buildTeamRunning(db, authority.id, 'Information governance', [
    'freedom-of-information-request',
    'subject-access-request',
  ]);
  const [officer, reviewer] = await buildColleagues(
    db,
    authority.id,
    { teamId: ig.teamId, role: 'ig_officer' },
    ['IG Officer', 'IG Reviewer'],
  );
  return { authorityId: authority.id, officer, reviewer };
}

type Council = Awaited<ReturnType<typeof council>>;

async function makeRequest(
  c: Council,
  regime: Regime,
  receivedOn: string,
  options: { customerId?: string } = {},
) {
  const customerId =
    options.customerId ??
    (await buildCustomer(db, c.authorityId, { email: `${randomUUID().slice(0, 8)}@example.com` })).id;
  const created = await withTransaction(db, (trx) =>
    createInformationRequest(
      trx,
      {
        authorityId: c.authorityId,
        regime,
        customerId,
        requestText: 'How many potholes were reported on the A350 in 2025?',
        receivedOn,
        channel: 'email',
        actor: { kind: 'staff', staffId: c.officer.id },
        idempotencyKey: `test:${randomUUID()}`,
      },
      { now: clock.now() },
    ),
  );
  return { ...created, customerId };
}

const tx = <T>(work: Parameters<typeof withTransaction<T>>[1]) => withTransaction(db, work);
const staff = <const T extends object>(c: Council, extra: T) => ({
  staffId: c.officer.id,
  now: clock.now(),
  ...extra,
});

void describe('FOI', () => {
  void test('the deadline counts 20 UK-wide working days from the (back-dated) date of receipt', async () => {
    const c = await council();
    const request = await makeRequest(c, 'foi', '2026-11-16');
    const view = await getInformationRequest(db, request.id);
    assert.equal(
      view?.dueOn,
      '2026-12-15',
      '20 working days after 16 November, not counting St Andrew’s Day',
    );
    assert.notEqual(view?.dueOn, foiDeadline('2026-11-23'), 'not from the day it was recorded');
    const kase = await db
      .selectFrom('cases')
      .select(['due_at', 'reference'])
      .where('id', '=', request.caseId)
      .executeTakeFirstOrThrow();
    assert.equal(
      kase.due_at?.toISOString(),
      '2026-12-15T23:59:59.999Z',
      'the case clock follows the statutory deadline',
    );
  });

  void test('clarification stops the clock, and the 20 working days start again from the answer', async () => {
    const c = await council();
    const request = await makeRequest(c, 'foi', '2026-11-16');
    await tx((trx) =>
      askForClarification(
        trx,
        request.id,
        staff(c, { question: 'Which years do you mean?', askedOn: '2026-11-18' }),
      ),
    );
    let view = await getInformationRequest(db, request.id);
    assert.equal(view?.status, 'awaiting_clarification');
    assert.equal(view?.dueOn, null);
    assert.equal(view?.stopped, 'clarification');
    const kase = await db
      .selectFrom('cases')
      .select(['status', 'sla_paused_at', 'due_at'])
      .where('id', '=', request.caseId)
      .executeTakeFirstOrThrow();
    assert.equal(kase.status, 'clarification_needed');
    assert.ok(kase.sla_paused_at);
    const letter = await db
      .selectFrom('messages')
      .select('body')
      .where('case_id', '=', request.caseId)
      .where('dedupe_key', 'like', 'information_request.clarification:%')
      .executeTakeFirstOrThrow();
    assert.match(letter.body, /Which years do you mean\?/);
    await assert.rejects(
      tx((trx) => respondToRequest(trx, request.id, staff(c, { outcome: 'released', responseText: 'x' }))),
      /clock is stopped/,
    );

    await tx((trx) => recordClarification(trx, request.id, staff(c, { receivedOn: '2026-11-20' })));
    view = await getInformationRequest(db, request.id);
    assert.equal(view?.status, 'open');
    assert.equal(view?.dueOn, '2026-12-21', '20 working days after Friday 20 November');
    assert.equal(view?.dueOn, foiDeadline('2026-11-16', { clarificationReceivedOn: '2026-11-20' }));
  });

  void test('a public interest extension needs a target on or after the normal deadline, notified within it', async () => {
    const c = await council();
    const request = await makeRequest(c, 'foi', '2026-10-01');
    await assert.rejects(
      tx((trx) =>
        extendForPublicInterest(trx, request.id, staff(c, { targetDate: '2026-11-26', exemptions: ['s43'] })),
      ),
      /must be told within the normal 20 working days \(by 2026-10-29\)/,
    );
    await assert.rejects(
      tx((trx) =>
        extendForPublicInterest(
          trx,
          request.id,
          staff(c, { targetDate: '2026-10-20', exemptions: ['s43'], notifiedOn: '2026-10-15' }),
        ),
      ),
      /cannot be before 2026-10-29/,
    );
    await tx((trx) =>
      extendForPublicInterest(
        trx,
        request.id,
        staff(c, { targetDate: '2026-11-26', exemptions: ['s43'], notifiedOn: '2026-10-15' }),
      ),
    );
    const view = await getInformationRequest(db, request.id);
    assert.equal(view?.dueOn, '2026-11-26');
    assert.deepEqual(view?.exemptions, ['s43']);
  });

  void test('a cost limit refusal records the estimate, which must be over 18 hours (£450 at £25 an hour)', async () => {
    const c = await council();
    const request = await makeRequest(c, 'foi', '2026-11-16');
    await assert.rejects(
      tx((trx) =>
        respondToRequest(
          trx,
          request.id,
          staff(c, {
            outcome: 'refused',
            responseText: 'Too costly',
            exemptions: ['s12'],
            costEstimateHours: 18,
          }),
        ),
      ),
      /18 hours is within the cost limit/,
    );
    await assert.rejects(
      tx((trx) =>
        respondToRequest(
          trx,
          request.id,
          staff(c, { outcome: 'refused', responseText: 'Too costly', exemptions: ['s12'] }),
        ),
      ),
      /Enter the estimated hours/,
    );
    const result = await tx((trx) =>
      respondToRequest(
        trx,
        request.id,
        staff(c, {
          outcome: 'refused',
          responseText: 'Too costly',
          exemptions: ['s12'],
          costEstimateHours: 18.5,
        }),
      ),
    );
    assert.equal(result.onTime, true);
    const view = await getInformationRequest(db, request.id);
    assert.equal(view?.costEstimateHours, 18.5);
    assert.equal(view?.outcome, 'refused');
    const letter = await db
      .selectFrom('messages')
      .select('body')
      .where('case_id', '=', request.caseId)
      .where('dedupe_key', 'like', 'information_request.response:%')
      .executeTakeFirstOrThrow();
    assert.match(letter.body, /18\.5 hours/);
    assert.match(letter.body, /s\.12 Cost of compliance/);
    assert.match(letter.body, /internal review/);
  });

  void test('a refusal must name its exemptions; unknown exemptions are rejected', async () => {
    const c = await council();
    const request = await makeRequest(c, 'foi', '2026-11-16');
    await assert.rejects(
      tx((trx) => respondToRequest(trx, request.id, staff(c, { outcome: 'refused', responseText: 'No' }))),
      /Select the exemptions/,
    );
    await assert.rejects(
      tx((trx) =>
        respondToRequest(
          trx,
          request.id,
          staff(c, { outcome: 'refused', responseText: 'No', exemptions: ['s99'] }),
        ),
      ),
      /Unknown exemption/,
    );
    await tx((trx) =>
      respondToRequest(
        trx,
        request.id,
        staff(c, { outcome: 'part_released', responseText: 'Some', exemptions: ['s40', 's43'] }),
      ),
    );
    assert.deepEqual((await getInformationRequest(db, request.id))?.exemptions, ['s40', 's43']);
  });

  void test('FOI requests cannot take an EIR/SAR-style extension', async () => {
    const c = await council();
    const request = await makeRequest(c, 'foi', '2026-11-16');
    await assert.rejects(
      tx((trx) => extendRequest(trx, request.id, staff(c, { reason: 'Complex' }))),
      /FOI requests cannot be extended/,
    );
  });
});

void describe('EIR', () => {
  void test('the extension to 40 working days is only allowed when notified within the first 20', async () => {
    const c = await council();
    const request = await makeRequest(c, 'eir', '2026-10-01');
    assert.equal((await getInformationRequest(db, request.id))?.dueOn, '2026-10-29');
    await assert.rejects(
      tx((trx) => extendRequest(trx, request.id, staff(c, { reason: 'Complex and voluminous' }))),
      /EIR extension must be notified within 20 working days of receipt \(by 2026-10-29\)/,
    );
    await tx((trx) =>
      extendRequest(
        trx,
        request.id,
        staff(c, { reason: 'Complex and voluminous', notifiedOn: '2026-10-29' }),
      ),
    );
    const view = await getInformationRequest(db, request.id);
    assert.equal(view?.dueOn, '2026-11-26');
    assert.equal(view?.dueOn, eirExtendedDeadline('2026-10-01'));
    await assert.rejects(
      tx((trx) => extendRequest(trx, request.id, staff(c, { reason: 'Again', notifiedOn: '2026-10-20' }))),
      /already been extended/,
    );
    const letter = await db
      .selectFrom('messages')
      .select('body')
      .where('case_id', '=', request.caseId)
      .where('dedupe_key', 'like', 'information_request.extended:%')
      .executeTakeFirstOrThrow();
    assert.match(letter.body, /Complex and voluminous/);
    assert.match(letter.body, /26 November 2026/);
  });

  void test('an EIR internal review has 40 working days and a different reviewer', async () => {
    const c = await council();
    const request = await makeRequest(c, 'eir', '2026-11-02');
    await tx((trx) =>
      respondToRequest(
        trx,
        request.id,
        staff(c, { outcome: 'released', responseText: 'Here it is', respondedOn: '2026-11-20' }),
      ),
    );
    const { dueOn } = await tx((trx) =>
      requestReview(trx, request.id, {
        actor: { kind: 'customer', customerId: request.customerId },
        now: clock.now(),
      }),
    );
    assert.equal(dueOn, '2027-01-25');
    await assert.rejects(
      tx((trx) => completeReview(trx, request.id, staff(c, { outcome: 'upheld' }))),
      /someone other than the officer who responded/,
    );
    const { onTime } = await tx((trx) =>
      completeReview(trx, request.id, { staffId: c.reviewer.id, now: clock.now(), outcome: 'upheld' }),
    );
    assert.equal(onTime, true);
  });
});

void describe('internal review asked for by the requester', () => {
  const residentBrowser = (customerId: string) => residentSignedIn(t, clock, customerId);

  void test('from their account, with a reason, once the FOI request is answered; the review runs its own 20 working days', async () => {
    const c = await council();
    const request = await makeRequest(c, 'foi', '2026-11-02');
    const resident = await residentBrowser(request.customerId);
    const page = `/information-requests/${request.caseId}/review`;
    const early = await resident.get(page);
    assert.equal(early.statusCode, 200);
    assert.doesNotMatch(early.body, /data-testid="ask-review"/, 'not before we have responded');

    await tx((trx) =>
      respondToRequest(
        trx,
        request.id,
        staff(c, { outcome: 'released', responseText: 'Here it is', respondedOn: '2026-11-20' }),
      ),
    );
    const letter = await db
      .selectFrom('messages')
      .select('body')
      .where('dedupe_key', '=', `information_request.response:${request.id}`)
      .executeTakeFirstOrThrow();
    assert.match(
      letter.body,
      new RegExp(`/information-requests/${request.caseId}/review`),
      'the response links to it',
    );

    const form = await resident.get(page);
    assert.match(form.body, /data-testid="ask-review"/);
    assert.equal(form.body.match(/<h1[\s>]/g)?.length, 1);
    const empty = await resident.submit(page, page, { grounds: '' });
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /Tell us why you want us to look at our response again/);
    assert.match(empty.body, /<title>Error: /);

    const sent = await resident.submit(page, page, { grounds: 'You hold figures for 2024 as well.' });
    assert.equal(sent.statusCode, 303, sent.body.slice(0, 300));
    const view = await getInformationRequest(db, request.id);
    const expected = reviewDeadline('foi', toIsoDate(clock.now()), false);
    assert.equal(view?.review?.dueOn, expected, '20 working days from the day the review was asked for');
    assert.equal(view?.review?.grounds, 'You hold figures for 2024 as well.');
    const after = await resident.get(page);
    assert.match(after.body, /You have asked for an internal review/);
    assert.doesNotMatch(after.body, /data-testid="ask-review"/, 'asked once');
    const audit = await db
      .selectFrom('audit_log')
      .select(['actor_type', 'actor_id'])
      .where('action', '=', 'information_request.review_requested')
      .where('record_id', '=', request.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual([audit.actor_type, audit.actor_id], ['customer', request.customerId]);
  });

  void test('someone else, and subject access requests, get Page not found', async () => {
    const c = await council();
    const request = await makeRequest(c, 'foi', '2026-11-02');
    const other = await buildCustomer(db, c.authorityId, {
      email: `${randomUUID().slice(0, 8)}@example.com`,
    });
    const stranger = await residentBrowser(other.id);
    assert.equal((await stranger.get(`/information-requests/${request.caseId}/review`)).statusCode, 404);
    assert.equal(
      (await new Browser(t.app).get(`/information-requests/${request.caseId}/review`)).statusCode,
      404,
    );
    const sar = await makeRequest(c, 'sar', '2026-11-02');
    const owner = await residentBrowser(sar.customerId);
    assert.equal((await owner.get(`/information-requests/${sar.caseId}/review`)).statusCode, 404);
  });
});

void describe('subject access requests', () => {
  void test('one calendar month; clarification stops the clock from asking to answer', async () => {
    const c = await council();
    const request = await makeRequest(c, 'sar', '2026-11-02');
    assert.equal((await getInformationRequest(db, request.id))?.dueOn, '2026-12-02');
    await tx((trx) =>
      askForClarification(trx, request.id, staff(c, { question: 'Which services?', askedOn: '2026-11-10' })),
    );
    await tx((trx) => recordClarification(trx, request.id, staff(c, { receivedOn: '2026-11-16' })));
    assert.equal(
      (await getInformationRequest(db, request.id))?.dueOn,
      '2026-12-09',
      '2 December plus the 7 days from 10 to 16 November',
    );
  });

  void test('the month starts when proof of identity arrives', async () => {
    const c = await council();
    const request = await makeRequest(c, 'sar', '2026-11-02');
    await tx((trx) => askForIdentity(trx, request.id, staff(c, { askedOn: '2026-11-03' })));
    const waiting = await getInformationRequest(db, request.id);
    assert.equal(waiting?.status, 'awaiting_identity');
    assert.equal(waiting?.dueOn, null);
    await tx((trx) => recordIdentityVerified(trx, request.id, staff(c, { verifiedOn: '2026-11-09' })));
    const view = await getInformationRequest(db, request.id);
    assert.equal(view?.status, 'open');
    assert.equal(view?.dueOn, '2026-12-09');
  });

  void test('the extension by two further months must be notified within the first month', async () => {
    const c = await council();
    const request = await makeRequest(c, 'sar', '2026-10-01');
    await assert.rejects(
      tx((trx) => extendRequest(trx, request.id, staff(c, { reason: 'Many records across services' }))),
      /must be notified within the first month \(by 2026-11-02\)/,
    );
    await tx((trx) =>
      extendRequest(
        trx,
        request.id,
        staff(c, { reason: 'Many records across services', notifiedOn: '2026-11-02' }),
      ),
    );
    const view = await getInformationRequest(db, request.id);
    assert.equal(view?.dueOn, '2027-01-04', '1 January 2027 is a bank holiday, then a weekend');
    assert.equal(view?.dueOn, sarExtendedDeadline('2026-10-01'));
  });

  void test('subject access requests are never published and have no statutory internal review', async () => {
    const c = await council();
    const request = await makeRequest(c, 'sar', '2026-11-02');
    await tx((trx) =>
      respondToRequest(
        trx,
        request.id,
        staff(c, { outcome: 'released', responseText: 'Your bundle is ready' }),
      ),
    );
    await assert.rejects(
      tx((trx) =>
        publishToDisclosureLog(
          trx,
          request.id,
          staff(c, { title: 'x', summary: 'y', personalDataRemoved: true }),
        ),
      ),
      /never published/,
    );
    await assert.rejects(
      tx((trx) =>
        requestReview(trx, request.id, { actor: { kind: 'staff', staffId: c.officer.id }, now: clock.now() }),
      ),
      /no statutory internal review/,
    );
  });
});

void describe('disclosure log', () => {
  void test('a response is published only after the officer confirms personal data is removed, then anyone can find it', async () => {
    const c = await council();
    const request = await makeRequest(c, 'foi', '2026-11-16');
    await tx((trx) =>
      respondToRequest(
        trx,
        request.id,
        staff(c, { outcome: 'released', responseText: '412 potholes were reported.' }),
      ),
    );
    const browser = await signedIn(t.app, c.officer);
    const page = `/staff/information-requests/${request.id}`;
    const word = `zebracrossing${randomUUID().slice(0, 6)}`;
    const unconfirmed = await browser.submit(page, `${page}/publish`, {
      disclosureTitle: `Potholes on the A350 ${word}`,
      disclosureSummary: '412 potholes were reported in 2025.',
    });
    assert.equal(unconfirmed.statusCode, 400);
    assert.match(unconfirmed.body, /Confirm that you have removed all personal data/);
    const published = await browser.submit(page, `${page}/publish`, {
      disclosureTitle: `Potholes on the A350 ${word}`,
      disclosureSummary: '412 potholes were reported in 2025.',
      personalDataRemoved: 'yes',
    });
    assert.equal(published.statusCode, 303, published.body.slice(0, 300));

    const visitor = new Browser(t.app);
    const found = await visitor.get(`/disclosure-log?q=${word}`);
    assert.equal(found.statusCode, 200);
    assert.match(found.body, new RegExp(`Potholes on the A350 ${word}`));
    assert.match(found.body, /1 answer/);
    const entry = await visitor.get(`/disclosure-log/${request.id}`);
    assert.equal(entry.statusCode, 200);
    assert.match(entry.body, /412 potholes were reported in 2025\./);
    const unpublishedOne = await makeRequest(c, 'foi', '2026-11-16');
    assert.equal((await visitor.get(`/disclosure-log/${unpublishedOne.id}`)).statusCode, 404);
  });
});

void describe('staff pages', () => {
  void test('an IG officer records a back-dated request and sees its deadline; other staff are refused', async () => {
    const c = await council();
    const customer = await buildCustomer(db, c.authorityId, {
      email: `${randomUUID().slice(0, 8)}@example.com`,
    });
    const browser = await signedIn(t.app, c.officer);
    const res = await browser.submit(
      `/staff/information-requests/new?customerId=${customer.id}`,
      '/staff/information-requests/new',
      {
        regime: 'foi',
        customerId: customer.id,
        idempotencyKey: randomUUID(),
        'receivedOn-day': '16',
        'receivedOn-month': '11',
        'receivedOn-year': '2026',
        channel: 'email',
        requestText: 'Please send the gritting routes.',
      },
    );
    assert.equal(res.statusCode, 303, res.body.slice(0, 400));
    const page = await browser.get(String(res.headers.location));
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /15 December 2026/);
    const queue = await browser.get('/staff/information-requests');
    assert.match(queue.body, /15 December 2026/);
    const agent = await buildStaff(db, c.authorityId, { roles: ['agent'] });
    assert.equal((await (await signedIn(t.app, agent)).get('/staff/information-requests')).statusCode, 403);
  });
});

void describe('requests made through the forms', () => {
  void test('FOI and SAR cases from the forms engine get their request record, counted from the day they arrived', async () => {
    const authority = await buildAuthority(db);
    const team = await buildTeam(db, authority.id);
    const foi = await installShippedService(db, {
      authorityId: authority.id,
      teamId: team.id,
      slug: 'freedom-of-information-request',
    });
    const sar = await installShippedService(db, {
      authorityId: authority.id,
      teamId: team.id,
      slug: 'subject-access-request',
    });
    const customer = await buildCustomer(db, authority.id, {});
    // What the forms engine does on submit: createCase, which writes case.created in the same transaction.
    const submit = async (serviceId: string, answers: Record<string, unknown>, receivedAt: string) => {
      const service = (await loadCaseService(db, { id: serviceId }))!;
      return withTransaction(db, (trx) =>
        createCase(trx, {
          service,
          customerId: customer.id,
          answers,
          formVersion: service.definitionVersion,
          channel: 'web',
          receivedAt: new Date(receivedAt),
          idempotencyKey: `test:${randomUUID()}`,
        }),
      );
    };
    const foiCase = await submit(foi.id, { requestDetails: 'Gritting routes' }, '2026-11-16T18:30:00Z');
    const sarCase = await submit(sar.id, { information: 'My housing file' }, '2026-11-02T09:00:00Z');
    const records = () =>
      db
        .selectFrom('information_requests')
        .selectAll()
        .where('case_id', 'in', [foiCase.id, sarCase.id])
        .execute();
    const officer = await buildStaff(db, authority.id, { roles: ['ig_officer'] });
    assert.equal((await (await signedIn(t.app, officer)).get('/staff/information-requests')).statusCode, 200);
    assert.deepEqual(await records(), [], 'viewing the queue adopts nothing');

    for (const c of [foiCase, sarCase]) await runOutboxRow(db, clock, `case.created:${c.id}`);
    const rows = await records();
    const byCase = new Map(rows.map((r) => [r.case_id, r]));
    assert.deepEqual(
      [
        byCase.get(foiCase.id)?.regime,
        byCase.get(foiCase.id)?.received_on,
        byCase.get(foiCase.id)?.due_on,
        byCase.get(foiCase.id)?.request_text,
      ],
      ['foi', '2026-11-16', '2026-12-15', 'Gritting routes'],
      'the statutory clock ignores the 17:00 cut-off',
    );
    assert.deepEqual([byCase.get(sarCase.id)?.regime, byCase.get(sarCase.id)?.due_on], ['sar', '2026-12-02']);
    for (const c of [foiCase, sarCase]) await runOutboxRow(db, clock, `case.created:${c.id}`);
    const again = await records();
    assert.equal(again.length, 2, 'running again adopts nothing twice');
  });
});
