/**
 * "Responded to within timescale" with hand-counted fixtures: complaint stages 1 and 2, FOI, EIR and SAR,
 * answered on time, late, or not yet (in time and past the deadline), across two services and two months.
 * The hand count is the table above the first test.
 */
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { TestClock } from '../src/platform/clock.ts';
import { withTransaction, type Db, type Tx } from '../src/platform/db/index.ts';
import {
  acknowledgeComplaint,
  createComplaint,
  escalateComplaint,
  extendComplaint,
  respondToComplaint,
} from '../src/modules/complaints/index.ts';
import {
  createInformationRequest,
  extendRequest,
  respondToRequest,
  timelinessReport,
  withdrawRequest,
  type Regime,
} from '../src/modules/information-requests/index.ts';
import { installShippedService } from './builders/services.ts';
import { buildAuthority, buildService, buildStaff, buildTeam } from './builders/index.ts';
import { signedIn } from './builders/customers.ts';
import { buildTestApp, type TestApp } from './support/app.ts';

let t: TestApp;
let db: Db;
const clock = new TestClock('2026-11-23T10:00:00Z');
let authorityId: string;
let officer: { id: string; email: string };
let secondOfficer: { id: string; email: string };

before(async () => {
  t = await buildTestApp({ clock });
  db = t.database.db;
  const authority = await buildAuthority(db);
  authorityId = authority.id;
  const team = await buildTeam(db, authority.id);
  await installShippedService(db, { authorityId, teamId: team.id, slug: 'make-a-complaint' });
  await installShippedService(db, {
    authorityId,
    teamId: team.id,
    slug: 'freedom-of-information-request',
    name: 'FOI requests',
  });
  await installShippedService(db, {
    authorityId,
    teamId: team.id,
    slug: 'subject-access-request',
    name: 'Subject access',
  });
  const bins = await buildService(db, authorityId, team.id, { name: 'Bins' });
  const roads = await buildService(db, authorityId, team.id, { name: 'Roads' });
  officer = await buildStaff(db, authorityId, {
    roles: ['complaints_officer', 'ig_officer'],
    teamIds: [team.id],
  });
  secondOfficer = await buildStaff(db, authorityId, { roles: ['complaints_officer'], teamIds: [team.id] });

  // Corporate complaints, stage 1: received → respond by (no acknowledgement recorded: 5 + 10 working days).
  // 1 Sep → 22 Sep; 1 Oct → 22 Oct; 3 Aug → 24 Aug (outside the period).
  const complaints: [string, string, string][] = [
    ['2026-09-01', '2026-09-15', bins.id], // on time
    ['2026-09-01', '2026-09-22', bins.id], // on time (the last day)
    ['2026-09-01', '2026-09-23', bins.id], // late
    ['2026-10-01', '2026-10-20', bins.id], // on time
    ['2026-10-01', '2026-10-22', roads.id], // on time (the last day)
    ['2026-10-01', '2026-10-30', roads.id], // late
    ['2026-10-01', '2026-10-05', roads.id], // on time
    ['2026-08-03', '2026-08-28', roads.id], // late, but answered before the period
  ];
  for (const [receivedOn, respondedOn, aboutServiceId] of complaints) {
    await withTransaction(db, async (trx) => {
      const made = await newComplaint(trx, receivedOn, aboutServiceId);
      await respond(trx, made, officer.id, respondedOn);
    });
  }
  // Stage 1 still open: 20 Nov → 11 Dec (waiting, in time); 15 Oct → 5 Nov (waiting, past the deadline).
  await withTransaction(db, (trx) => newComplaint(trx, '2026-11-20', bins.id));
  await withTransaction(db, (trx) => newComplaint(trx, '2026-10-15', roads.id));

  // Stage 2: each complaint was received 20 Jul and answered at stage 1 on 7 Aug (respond by 10 Aug: on
  // time, in August), then escalated. Stage 2 respond by = escalation + 5 + 20 working days, or the
  // acknowledgement + 20, plus any extension. Handled by a second officer (the Code requires it).
  // [escalated, acknowledged, extension days, responded, service]
  const stage2: [string, string | null, number | null, string | null, string][] = [
    ['2026-09-01', null, null, '2026-09-30', bins.id], // respond by 6 Oct: on time
    ['2026-09-01', null, null, '2026-10-07', bins.id], // respond by 6 Oct: late
    ['2026-09-01', null, 10, '2026-10-20', bins.id], // extended to 20 Oct: on time (the last day)
    ['2026-10-01', '2026-10-02', null, '2026-10-30', roads.id], // ack 2 Oct → 30 Oct: on time (the last day)
    ['2026-09-15', null, null, '2026-10-21', roads.id], // respond by 20 Oct: late
    ['2026-09-01', null, null, null, roads.id], // respond by 6 Oct, not answered: past the deadline
    ['2026-11-16', null, null, null, bins.id], // respond by 21 Dec, not answered: waiting, in time
  ];
  for (const [escalatedOn, acknowledgedOn, extensionDays, respondedOn, aboutServiceId] of stage2) {
    await withTransaction(db, async (trx) => {
      const made = await newComplaint(trx, '2026-07-20', aboutServiceId);
      await respond(trx, made, officer.id, '2026-08-07');
      await escalateComplaint(trx, made, {
        actor: { kind: 'staff', staffId: secondOfficer.id },
        now: clock.now(),
        requestedOn: escalatedOn,
      });
      const action = { staffId: secondOfficer.id, now: clock.now() };
      if (acknowledgedOn) await acknowledgeComplaint(trx, made, { ...action, acknowledgedOn });
      if (extensionDays)
        await extendComplaint(trx, made, { ...action, days: extensionDays, reason: 'Complex' });
      if (respondedOn) await respond(trx, made, secondOfficer.id, respondedOn);
    });
  }

  // Requests (20 working days with UK-wide bank holidays; SAR one calendar month):
  // FOI/EIR 1 Sep → 29 Sep (EIR extended to 40 working days: 27 Oct); 1 Oct → 29 Oct; 15 Oct → 12 Nov;
  // 16 Nov → 15 Dec (30 Nov is St Andrew's Day). SAR 1 Sep → 1 Oct; 10 Nov → 10 Dec.
  // [regime, received, responded (null: still open), withdrawn, EIR extension notified on]
  const requests: [Regime, string, string | null, boolean?, string?][] = [
    ['foi', '2026-09-01', '2026-09-28'], // on time
    ['foi', '2026-10-01', '2026-10-29'], // on time (the last day)
    ['foi', '2026-10-01', '2026-11-02'], // late
    ['foi', '2026-10-01', null, true], // withdrawn: not counted
    ['foi', '2026-10-15', null], // due 12 Nov, not answered: past the deadline
    ['eir', '2026-09-01', '2026-09-29'], // on time (the last day)
    ['eir', '2026-09-01', '2026-10-02'], // late
    ['eir', '2026-09-01', '2026-10-27', false, '2026-09-10'], // extended to 27 Oct: on time (the last day)
    ['eir', '2026-10-01', null], // due 29 Oct, not answered: past the deadline
    ['eir', '2026-11-16', null], // due 15 Dec: waiting, in time
    ['sar', '2026-09-01', '2026-09-30'], // on time
    ['sar', '2026-11-10', null], // due 10 Dec: waiting, in time
  ];
  for (const [regime, receivedOn, respondedOn, withdrawn, extensionNotifiedOn] of requests) {
    await withTransaction(db, async (trx) => {
      const made = await createInformationRequest(
        trx,
        {
          authorityId,
          regime,
          contact: { email: 'someone@example.com' },
          requestText: 'Please send',
          receivedOn,
          channel: 'email',
          actor: { kind: 'staff', staffId: officer.id },
          idempotencyKey: `test:${randomUUID()}`,
        },
        { now: clock.now() },
      );
      const action = { staffId: officer.id, now: clock.now() };
      if (extensionNotifiedOn)
        await extendRequest(trx, made.id, {
          ...action,
          reason: 'Complex and voluminous',
          notifiedOn: extensionNotifiedOn,
        });
      if (respondedOn)
        await respondToRequest(trx, made.id, {
          ...action,
          outcome: 'released',
          responseText: 'Here',
          respondedOn,
        });
      else if (withdrawn) await withdrawRequest(trx, made.id, action);
    });
  }
});

async function newComplaint(trx: Tx, receivedOn: string, aboutServiceId: string): Promise<string> {
  const made = await createComplaint(
    trx,
    {
      authorityId,
      contact: { email: 'someone@example.com' },
      summary: 'A complaint',
      receivedOn,
      aboutServiceId,
      channel: 'phone',
      actor: { kind: 'staff', staffId: officer.id },
      idempotencyKey: `test:${randomUUID()}`,
    },
    { now: clock.now() },
  );
  return made.id;
}

function respond(trx: Tx, complaintId: string, staffId: string, respondedOn: string) {
  return respondToComplaint(trx, complaintId, {
    staffId,
    now: clock.now(),
    decision: 'upheld',
    reasons: 'Because',
    respondedOn,
  });
}
after(() => t.close());

/*
 * The hand count for responses from 1 Sep to 30 Nov 2026, open items counted on 23 Nov 2026 ("today").
 *
 * | Kind            | Service      | Responses | On time | %     | Waiting | Past deadline |
 * |-----------------|--------------|-----------|---------|-------|---------|---------------|
 * | Complaints st.1 | Bins         | 4         | 3       | 75.0  | 1       | 0             |
 * | Complaints st.1 | Roads        | 3         | 2       | 66.7  | 1       | 1             |
 * | Complaints st.2 | Bins         | 3         | 2       | 66.7  | 1       | 0             |
 * | Complaints st.2 | Roads        | 2         | 1       | 50.0  | 1       | 1             |
 * | FOI             | FOI requests | 3         | 2       | 66.7  | 1       | 1             |
 * | EIR             | FOI requests | 3         | 2       | 66.7  | 2       | 1             |
 * | SAR             | Subject acc. | 1         | 1       | 100.0 | 1       | 0             |
 *
 * | Kind            | Month   | Responses | On time | %     |
 * |-----------------|---------|-----------|---------|-------|
 * | Complaints st.1 | 2026-09 | 3         | 2       | 66.7  |
 * | Complaints st.1 | 2026-10 | 4         | 3       | 75.0  |
 * | Complaints st.2 | 2026-09 | 1         | 1       | 100.0 |
 * | Complaints st.2 | 2026-10 | 4         | 2       | 50.0  |
 * | FOI             | 2026-09 | 1         | 1       | 100.0 |
 * | FOI             | 2026-10 | 1         | 1       | 100.0 |
 * | FOI             | 2026-11 | 1         | 0       | 0.0   |
 * | EIR             | 2026-09 | 1         | 1       | 100.0 |
 * | EIR             | 2026-10 | 2         | 1       | 50.0  |
 * | SAR             | 2026-09 | 1         | 1       | 100.0 |
 *
 * By kind: stage 1 7/5 (71.4%), stage 2 5/3 (60.0%), FOI 3/2 (66.7%), EIR 3/2 (66.7%), SAR 1/1 (100%).
 * All complaints 12/8 (66.7%); all requests for information 7/5 (71.4%). The withdrawn FOI is in none.
 */
void test('percentages on time by stage, kind, service and month match the hand count', async () => {
  const report = await timelinessReport(db, {
    from: '2026-09-01',
    to: '2026-11-30',
    asOf: '2026-11-23',
    authorityIds: [authorityId],
  });
  assert.equal(report.asOf, '2026-11-23');
  assert.deepEqual(report.complaints, { total: 12, onTime: 8, percent: 66.7 });
  assert.deepEqual(report.informationRequests, { total: 7, onTime: 5, percent: 71.4 });
  assert.deepEqual(
    report.byKind.map((k) => [k.kind, k.total, k.onTime, k.percent, k.open, k.overdue]),
    [
      ['complaint_stage_1', 7, 5, 71.4, 2, 1],
      ['complaint_stage_2', 5, 3, 60, 2, 1],
      ['foi', 3, 2, 66.7, 1, 1],
      ['eir', 3, 2, 66.7, 2, 1],
      ['sar', 1, 1, 100, 1, 0],
    ],
  );
  assert.deepEqual(
    report.byService.map((r) => [r.kind, r.service, r.total, r.onTime, r.percent, r.open, r.overdue]),
    [
      ['complaint_stage_1', 'Bins', 4, 3, 75, 1, 0],
      ['complaint_stage_1', 'Roads', 3, 2, 66.7, 1, 1],
      ['complaint_stage_2', 'Bins', 3, 2, 66.7, 1, 0],
      ['complaint_stage_2', 'Roads', 2, 1, 50, 1, 1],
      ['foi', 'FOI requests', 3, 2, 66.7, 1, 1],
      ['eir', 'FOI requests', 3, 2, 66.7, 2, 1],
      ['sar', 'Subject access', 1, 1, 100, 1, 0],
    ],
  );
  assert.deepEqual(
    report.byMonth.map((r) => [r.month, r.kind, r.total, r.onTime, r.percent]),
    [
      ['2026-09', 'complaint_stage_1', 3, 2, 66.7],
      ['2026-09', 'complaint_stage_2', 1, 1, 100],
      ['2026-09', 'foi', 1, 1, 100],
      ['2026-09', 'eir', 1, 1, 100],
      ['2026-09', 'sar', 1, 1, 100],
      ['2026-10', 'complaint_stage_1', 4, 3, 75],
      ['2026-10', 'complaint_stage_2', 4, 2, 50],
      ['2026-10', 'foi', 1, 1, 100],
      ['2026-10', 'eir', 2, 1, 50],
      ['2026-11', 'foi', 1, 0, 0],
    ],
  );
});

void test('the period counts responses by their date, and open items on its last day', async () => {
  // August: the late stage 1 answer of 28 Aug and the seven stage 1 answers of 7 Aug (all on time);
  // nothing was waiting on 31 Aug (the stage 2 requests came later).
  const august = await timelinessReport(db, {
    from: '2026-08-01',
    to: '2026-08-31',
    authorityIds: [authorityId],
  });
  assert.equal(august.asOf, '2026-08-31');
  assert.deepEqual(august.complaints, { total: 8, onTime: 7, percent: 87.5 });
  assert.deepEqual(
    august.byKind.map((k) => [k.kind, k.total, k.onTime, k.percent, k.open, k.overdue]),
    [['complaint_stage_1', 8, 7, 87.5, 0, 0]],
  );
  // On 30 Sep: stage 2 requests of 1 Sep (respond by 6 Oct) not yet answered were still in time.
  const september = await timelinessReport(db, {
    from: '2026-09-01',
    to: '2026-09-30',
    authorityIds: [authorityId],
  });
  const stage2 = september.byKind.find((k) => k.kind === 'complaint_stage_2');
  assert.deepEqual(stage2 && [stage2.total, stage2.onTime, stage2.open, stage2.overdue], [1, 1, 4, 0]);
  const none = await timelinessReport(db, {
    from: '2025-01-01',
    to: '2025-01-31',
    authorityIds: [authorityId],
  });
  assert.deepEqual(none.complaints, { total: 0, onTime: 0, percent: null });
  assert.deepEqual(none.byKind, []);
});

void test('the staff report page shows the percentages', async () => {
  const browser = await signedIn(t.app, officer);
  const res = await browser.get('/staff/reports/timeliness?from=2026-09-01&to=2026-11-30');
  assert.equal(res.statusCode, 200);
  assert.match(res.body, /data-testid="complaints-percent">66\.7%</);
  assert.match(res.body, /data-testid="requests-percent">71\.4%</);
  assert.match(res.body, /Complaints: stage 2/);
  assert.match(res.body, /Past deadline/);
});
