/**
 * "Responded to within timescale" with hand-counted fixtures: 7 complaints of which 5 were answered on time
 * (71.4%), and 4 requests for information of which 3 were (75.0%), by kind, service and month.
 */
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { TestClock } from '../src/platform/clock.ts';
import { withTransaction, type Db } from '../src/platform/db/index.ts';
import { createComplaint, respondToComplaint } from '../src/modules/complaints/index.ts';
import {
  createInformationRequest,
  respondToRequest,
  timelinessReport,
  withdrawRequest,
  type Regime,
} from '../src/modules/information-requests/index.ts';
import { installShippedService } from '../src/modules/complaints/complaints.fixtures.ts';
import { buildAuthority, buildService, buildStaff, buildTeam } from './builders/index.ts';
import { signedIn } from './builders/customers.ts';
import { buildTestApp, type TestApp } from './support/app.ts';

let t: TestApp;
let db: Db;
const clock = new TestClock('2026-11-23T10:00:00Z');
let authorityId: string;
let officer: { id: string; email: string };

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

  // Complaints: received → respond by (no acknowledgement recorded: 5 + 10 working days).
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
      await respondToComplaint(trx, made.id, {
        staffId: officer.id,
        now: clock.now(),
        decision: 'upheld',
        reasons: 'Because',
        respondedOn,
      });
    });
  }

  // Requests: FOI 1 Sep → 29 Sep; FOI 1 Oct → 29 Oct; SAR 1 Sep → 1 Oct.
  const requests: [Regime, string, string | null][] = [
    ['foi', '2026-09-01', '2026-09-28'], // on time
    ['foi', '2026-10-01', '2026-10-29'], // on time (the last day)
    ['foi', '2026-10-01', '2026-11-02'], // late
    ['sar', '2026-09-01', '2026-09-30'], // on time
    ['foi', '2026-10-01', null], // withdrawn: not counted
  ];
  for (const [regime, receivedOn, respondedOn] of requests) {
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
      if (respondedOn)
        await respondToRequest(trx, made.id, {
          staffId: officer.id,
          now: clock.now(),
          outcome: 'released',
          responseText: 'Here',
          respondedOn,
        });
      else await withdrawRequest(trx, made.id, { staffId: officer.id, now: clock.now() });
    });
  }
});
after(() => t.close());

void test('percentages on time by kind, service and month match the hand count', async () => {
  const report = await timelinessReport(db, {
    from: '2026-09-01',
    to: '2026-11-30',
    authorityIds: [authorityId],
  });
  assert.deepEqual(report.complaints, { total: 7, onTime: 5, percent: 71.4 });
  assert.deepEqual(report.informationRequests, { total: 4, onTime: 3, percent: 75 });
  assert.deepEqual(
    report.byKind.map((k) => [k.kind, k.total, k.onTime, k.percent]),
    [
      ['complaint_stage_1', 7, 5, 71.4],
      ['foi', 3, 2, 66.7],
      ['sar', 1, 1, 100],
    ],
  );
  const complaintsByService = report.byService
    .filter((r) => r.kind === 'complaint_stage_1')
    .map((r) => [r.service, r.total, r.onTime, r.percent]);
  assert.deepEqual(complaintsByService, [
    ['Bins', 4, 3, 75],
    ['Roads', 3, 2, 66.7],
  ]);
  const complaintsByMonth = report.byMonth
    .filter((r) => r.kind === 'complaint_stage_1')
    .map((r) => [r.month, r.total, r.onTime, r.percent]);
  assert.deepEqual(complaintsByMonth, [
    ['2026-09', 3, 2, 66.7],
    ['2026-10', 4, 3, 75],
  ]);
  const foiByMonth = report.byMonth.filter((r) => r.kind === 'foi').map((r) => [r.month, r.total, r.onTime]);
  assert.deepEqual(foiByMonth, [
    ['2026-09', 1, 1],
    ['2026-10', 1, 1],
    ['2026-11', 1, 0],
  ]);
});

void test('the period counts responses by their date', async () => {
  const august = await timelinessReport(db, {
    from: '2026-08-01',
    to: '2026-08-31',
    authorityIds: [authorityId],
  });
  assert.deepEqual(august.complaints, { total: 1, onTime: 0, percent: 0 });
  const none = await timelinessReport(db, {
    from: '2025-01-01',
    to: '2025-01-31',
    authorityIds: [authorityId],
  });
  assert.deepEqual(none.complaints, { total: 0, onTime: 0, percent: null });
});

void test('the staff report page shows the percentages', async () => {
  const browser = await signedIn(t.app, officer);
  const res = await browser.get('/staff/reports/timeliness?from=2026-09-01&to=2026-11-30');
  assert.equal(res.statusCode, 200);
  assert.match(res.body, /data-testid="complaints-percent">71\.4%</);
  assert.match(res.body, /data-testid="requests-percent">75\.0%</);
});
