/**
 * Complaints under the Complaint Handling Code, through the real app (app.inject with a cookie-jar browser)
 * and the use-cases, on PGlite (default) or PostgreSQL (TEST_DATABASE_URL). Every test makes its own council,
 * services, staff and customers, so files can run in parallel.
 *
 * Dates are hand-counted on the England and Wales calendar: the clock stands at Monday 23 November 2026.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { TestClock } from '../src/platform/clock.ts';
import { withTransaction, type Db } from '../src/platform/db/index.ts';
import {
  acknowledgeComplaint,
  createComplaint,
  escalateComplaint,
  getComplaint,
  respondToComplaint,
} from '../src/modules/complaints/index.ts';
import { createCase, loadCaseService } from '../src/modules/cases/index.ts';
import { DEMO_PASSWORD, seedDemo } from '../src/seed/demo.ts';
import { buildTeamRunning } from './builders/services.ts';
import { outboxRow, runOutboxRow } from './support/jobs.ts';
import { buildAuthority, buildColleagues, buildStaff } from './builders/index.ts';
import { buildCase, buildCustomer, residentSignedIn, signedIn } from './builders/customers.ts';
import { Browser, buildTestApp, type TestApp } from './support/app.ts';

const clock = new TestClock('2026-11-23T10:00:00Z');
let t: TestApp;
let db: Db;

before(async () => {
  t = await buildTestApp({ clock });
  db = t.database.db;
});
after(() => t.close());

interface Council {
  authorityId: string;
  complaintsTeamId: string;
  wasteTeamId: string;
  complaintServiceId: string;
  binServiceId: string;
  officerA: { id: string; email: string };
  officerB: { id: string; email: string };
}

async function council(): Promise<Council> {
  const authority = await buildAuthority(db);
  const complaints = await buildTeamRunning(db, authority.id, 'Complaints', ['make-a-complaint']);
  const waste = await buildTeamRunning(db, authority.id, 'Waste', ['report-a-missed-bin']);
  const [officerA, officerB] = await buildColleagues(
    db,
    authority.id,
    { teamId: complaints.teamId, role: 'complaints_officer' },
    ['Officer A', 'Officer B'],
  );
  return {
    authorityId: authority.id,
    complaintsTeamId: complaints.teamId,
    wasteTeamId: waste.teamId,
    complaintServiceId: complaints.services[0].id,
    binServiceId: waste.services[0].id,
    officerA,
    officerB,
  };
}

async function residentWithBinRequest(c: Council) {
  const customer = await buildCustomer(db, c.authorityId, {
    email: `${randomUUID().slice(0, 8)}@example.com`,
  });
  const binCase = await buildCase(db, {
    authorityId: c.authorityId,
    serviceId: c.binServiceId,
    teamId: c.wasteTeamId,
    customerId: customer.id,
    status: 'received',
  });
  return { customer, binCase };
}

async function staffComplaint(c: Council, overrides: Partial<Parameters<typeof createComplaint>[1]> = {}) {
  const { customer, binCase } = await residentWithBinRequest(c);
  const created = await withTransaction(db, (trx) =>
    createComplaint(
      trx,
      {
        authorityId: c.authorityId,
        customerId: customer.id,
        summary: 'My bin was missed three weeks running.',
        receivedOn: '2026-11-16',
        linkedCaseId: binCase.id,
        channel: 'phone',
        actor: { kind: 'staff', staffId: c.officerA.id },
        idempotencyKey: `test:${randomUUID()}`,
        ...overrides,
      },
      { now: clock.now() },
    ),
  );
  return { customer, binCase, created };
}

async function messagesOf(caseId: string) {
  return db
    .selectFrom('messages')
    .select(['body', 'status', 'template', 'dedupe_key'])
    .where('case_id', '=', caseId)
    .orderBy('created_at')
    .execute();
}

const residentBrowser = (customerId: string) => residentSignedIn(t, clock, customerId);

void describe('making a complaint', () => {
  void test('a back-dated complaint counts every clock from the date of receipt and leaves the linked request open', async () => {
    const c = await council();
    const { binCase, created } = await staffComplaint(c);
    const view = await getComplaint(db, created.id);
    assert.ok(view);
    assert.equal(view.receivedOn, '2026-11-16');
    assert.equal(view.stage, 1);
    assert.equal(view.stages[0].acknowledgeBy, '2026-11-23', '5 working days after Monday 16 November');
    assert.equal(
      view.stages[0].respondBy,
      '2026-12-07',
      '10 working days after the acknowledgement deadline',
    );
    assert.equal(view.linkedCase?.id, binCase.id);
    assert.equal(view.aboutServiceId, c.binServiceId, 'the service complained about is the linked request’s');
    const linked = await db
      .selectFrom('cases')
      .select(['status', 'closed_at'])
      .where('id', '=', binCase.id)
      .executeTakeFirstOrThrow();
    assert.equal(linked.status, 'received');
    assert.equal(linked.closed_at, null);
    const note = await db
      .selectFrom('case_events')
      .select(['kind', 'visible_to_customer'])
      .where('case_id', '=', binCase.id)
      .where('kind', '=', 'complaint_linked')
      .executeTakeFirst();
    assert.equal(note?.visible_to_customer, false);
    const complaintCase = await db
      .selectFrom('cases')
      .select(['service_id', 'reference'])
      .where('id', '=', created.caseId)
      .executeTakeFirstOrThrow();
    assert.equal(complaintCase.service_id, c.complaintServiceId);
    assert.equal(complaintCase.reference, created.reference);
  });

  void test('a staff member records a complaint through the form, with the date received in the past', async () => {
    const c = await council();
    const { customer, binCase } = await residentWithBinRequest(c);
    const browser = await signedIn(t.app, c.officerA);
    const res = await browser.submit(
      `/staff/complaints/new?customerId=${customer.id}`,
      '/staff/complaints/new',
      {
        customerId: customer.id,
        idempotencyKey: randomUUID(),
        'receivedOn-day': '13',
        'receivedOn-month': '11',
        'receivedOn-year': '2026',
        channel: 'letter',
        workflowType: 'corporate',
        linkedReference: binCase.reference.toLowerCase().replace('-', ' '),
        summary: 'Nobody returned to collect my bin.',
        reasonableAdjustments: 'Large print letters',
      },
    );
    assert.equal(res.statusCode, 303, res.body.slice(0, 500));
    const id = /\/staff\/complaints\/([0-9a-f-]{36})/.exec(String(res.headers.location))?.[1];
    assert.ok(id);
    const view = await getComplaint(db, id);
    assert.equal(view?.receivedOn, '2026-11-13');
    assert.equal(view?.stages[0].acknowledgeBy, '2026-11-20');
    assert.equal(view?.linkedCase?.id, binCase.id);
    const page = await browser.get(`/staff/complaints/${id}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Reasonable adjustments: Large print letters/);
  });

  void test('a date received in the future is refused with a GOV.UK error', async () => {
    const c = await council();
    const browser = await signedIn(t.app, c.officerA);
    const res = await browser.submit('/staff/complaints/new', '/staff/complaints/new', {
      idempotencyKey: randomUUID(),
      'receivedOn-day': '1',
      'receivedOn-month': '12',
      'receivedOn-year': '2026',
      channel: 'phone',
      workflowType: 'corporate',
      summary: 'Something',
      contactEmail: 'someone@example.com',
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /<title>Error: /);
    assert.match(res.body, /href="#receivedOn-day">Date received must be today or in the past/);
  });

  void test('the same submission twice makes one complaint', async () => {
    const c = await council();
    const { customer } = await residentWithBinRequest(c);
    const key = `test:${randomUUID()}`;
    const make = () =>
      withTransaction(db, (trx) =>
        createComplaint(
          trx,
          {
            authorityId: c.authorityId,
            customerId: customer.id,
            summary: 'x',
            receivedOn: '2026-11-20',
            channel: 'web',
            actor: { kind: 'customer', customerId: customer.id },
            idempotencyKey: key,
          },
          { now: clock.now() },
        ),
      );
    const first = await make();
    const second = await make();
    assert.equal(first.created, true);
    assert.equal(second.created, false);
    assert.equal(second.id, first.id);
  });

  void test('a complaint made through the "Make a complaint" form gets its record when the worker runs case.created, not on a page view', async () => {
    const c = await council();
    const { customer, binCase } = await residentWithBinRequest(c);
    // What the forms engine does on submit: createCase, which writes case.created in the same transaction.
    const service = (await loadCaseService(db, { id: c.complaintServiceId }))!;
    const formCase = await withTransaction(db, (trx) =>
      createCase(trx, {
        service,
        customerId: customer.id,
        answers: { whatHappened: 'Missed again', whenHappened: '2026-11-10', reference: binCase.reference },
        formVersion: service.definitionVersion,
        channel: 'web',
        receivedAt: new Date('2026-11-19T15:00:00Z'),
        idempotencyKey: `test:${randomUUID()}`,
      }),
    );
    const recordOf = () =>
      db.selectFrom('complaints').selectAll().where('case_id', '=', formCase.id).execute();
    const job = await outboxRow(db, `case.created:${formCase.id}`);
    assert.deepEqual(
      [job.topic, job.status, job.payload],
      ['case.created', 'pending', { caseId: formCase.id, kind: 'complaint' }],
    );

    const officer = await signedIn(t.app, c.officerA);
    assert.equal((await officer.get('/staff/complaints')).statusCode, 200);
    assert.deepEqual(await recordOf(), [], 'viewing the queue adopts nothing');

    await runOutboxRow(db, clock, `case.created:${formCase.id}`);
    const [row] = await recordOf();
    assert.equal(row.received_on, '2026-11-19');
    assert.equal(row.matter_date, '2026-11-10');
    assert.equal(row.linked_case_id, binCase.id);
    assert.equal(row.summary, 'Missed again');
    assert.match((await officer.get('/staff/complaints')).body, new RegExp(formCase.reference));

    await runOutboxRow(db, clock, `case.created:${formCase.id}`);
    assert.equal((await recordOf()).length, 1, 'a retried job adopts nothing twice');
    const created = await db
      .selectFrom('audit_log')
      .select('id')
      .where('action', '=', 'complaint.created')
      .where('record_id', '=', row.id)
      .execute();
    assert.equal(created.length, 1, 'and audits the adoption once');
  });

  void test('the complaints.adopt sweep adopts a complaint case made without the event', async () => {
    const c = await council();
    const { customer } = await residentWithBinRequest(c);
    const oldCase = await buildCase(db, {
      authorityId: c.authorityId,
      serviceId: c.complaintServiceId,
      teamId: c.complaintsTeamId,
      customerId: customer.id,
      receivedAt: new Date('2026-11-18T09:00:00Z'),
    });
    await db
      .insertInto('outbox')
      .values({ topic: 'complaints.adopt', payload: '{}', dedupe_key: `test:${oldCase.id}` })
      .execute();
    // A shared database may hold older unadopted complaint cases (the seeded demo): sweep until ours is done.
    for (let i = 0; i < 50; i += 1) {
      await runOutboxRow(db, clock, `test:${oldCase.id}`);
      if (await db.selectFrom('complaints').select('id').where('case_id', '=', oldCase.id).executeTakeFirst())
        break;
    }
    const row = await db
      .selectFrom('complaints')
      .select(['received_on', 'summary'])
      .where('case_id', '=', oldCase.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(row, { received_on: '2026-11-18', summary: 'See the answers on the case' });
  });
});

void describe('stage 1', () => {
  void test('acknowledging restarts the response clock from the acknowledgement and writes to the resident', async () => {
    const c = await council();
    const { created } = await staffComplaint(c, { reasonableAdjustments: 'Please phone rather than write' });
    const browser = await signedIn(t.app, c.officerA);
    const res = await browser.submit(
      `/staff/complaints/${created.id}`,
      `/staff/complaints/${created.id}/acknowledge`,
      {
        'acknowledgedOn-day': '20',
        'acknowledgedOn-month': '11',
        'acknowledgedOn-year': '2026',
      },
    );
    assert.equal(res.statusCode, 303, res.body.slice(0, 300));
    const view = await getComplaint(db, created.id);
    assert.equal(view?.stages[0].acknowledgedOn, '2026-11-20');
    assert.equal(view?.stages[0].respondBy, '2026-12-04', '10 working days after Friday 20 November');
    assert.equal(view?.stages[0].handlerId, c.officerA.id, 'the officer who acts becomes the handler');
    const complaintCase = await db
      .selectFrom('cases')
      .select('status')
      .where('id', '=', created.caseId)
      .executeTakeFirstOrThrow();
    assert.equal(complaintCase.status, 'acknowledged');
    const letters = await messagesOf(created.caseId);
    const ack = letters.find((m) => m.dedupe_key.startsWith('complaint.acknowledged'));
    assert.ok(ack);
    assert.equal(ack.status, 'queued');
    assert.match(ack.body, /4 December 2026/);
    assert.match(
      ack.body,
      /Please phone rather than write/,
      'reasonable adjustments are repeated in communications',
    );
    assert.equal(ack.template, 'complaint.acknowledgement', 'a dedicated template, not the generic message');
    assert.ok(
      letters.every((m) => m.template !== 'case.status_changed'),
      'no generic status message on top of the letter',
    );
    const event = await db
      .selectFrom('case_events')
      .select(['visible_to_customer', 'data'])
      .where('case_id', '=', created.caseId)
      .where('kind', '=', 'status_changed')
      .executeTakeFirstOrThrow();
    assert.equal(event.visible_to_customer, true, 'the resident still sees the new status on their timeline');
  });

  void test('a format or channel in the reasonable adjustments is honoured in every letter', async () => {
    const c = await council();
    const customer = await buildCustomer(db, c.authorityId, {
      email: `${randomUUID().slice(0, 8)}@example.com`,
      address: { line1: '1 High Street', postcode: 'KB1 1AA' },
    });
    const { created } = await staffComplaint(c, {
      customerId: customer.id,
      reasonableAdjustments: 'Large print, by post please: I cannot read small text on screens',
    });
    await withTransaction(db, (trx) =>
      acknowledgeComplaint(trx, created.id, { staffId: c.officerA.id, now: clock.now() }),
    );
    const ack = await db
      .selectFrom('messages')
      .select(['channel', 'body', 'template'])
      .where('case_id', '=', created.caseId)
      .where('dedupe_key', 'like', 'complaint.acknowledged:%')
      .executeTakeFirstOrThrow();
    assert.equal(ack.channel, 'letter', 'sent by post although the resident usually gets email');
    assert.match(ack.body, /^Format you asked for: large print\./);
    assert.match(ack.body, /by post please: I cannot read small text on screens/);
  });

  void test('an extension is allowed once, capped at 10 working days, and its reason goes to the resident with the Ombudsman’s details', async () => {
    const c = await council();
    const { created } = await staffComplaint(c);
    await withTransaction(db, (trx) =>
      acknowledgeComplaint(trx, created.id, {
        staffId: c.officerA.id,
        now: clock.now(),
        acknowledgedOn: '2026-11-20',
      }),
    );
    const browser = await signedIn(t.app, c.officerA);
    const page = `/staff/complaints/${created.id}`;

    const tooLong = await browser.submit(page, `${page}/extend`, {
      extensionDays: '11',
      extensionReason: 'We are waiting for the crew’s records.',
    });
    assert.equal(tooLong.statusCode, 422);
    assert.match(tooLong.body, /at most 10 working days/);

    const noReason = await browser.submit(page, `${page}/extend`, {
      extensionDays: '5',
      extensionReason: '',
    });
    assert.equal(noReason.statusCode, 400);
    assert.match(noReason.body, /Enter the reason for the extension/);

    const ok = await browser.submit(page, `${page}/extend`, {
      extensionDays: '10',
      extensionReason: 'We are waiting for the crew’s records.',
    });
    assert.equal(ok.statusCode, 303);
    const view = await getComplaint(db, created.id);
    assert.equal(view?.stages[0].extensionDays, 10);
    assert.equal(view?.stages[0].respondBy, '2026-12-18', '4 December plus 10 working days');

    const letter = (await messagesOf(created.caseId)).find((m) =>
      m.dedupe_key.startsWith('complaint.extended'),
    );
    assert.ok(letter, 'the extension letter is queued');
    assert.match(letter.body, /We are waiting for the crew’s records\./);
    assert.match(letter.body, /Local Government and Social Care Ombudsman/);
    assert.match(letter.body, /www\.lgo\.org\.uk/);
    assert.match(letter.body, /18 December 2026/);

    const again = await browser.submit(page, `${page}/extend`, {
      extensionDays: '1',
      extensionReason: 'More delay',
    });
    assert.equal(again.statusCode, 422);
    assert.match(again.body, /can only be extended once/);
  });

  void test('the response is written from the template and tells the resident how to escalate', async () => {
    const c = await council();
    const { created } = await staffComplaint(c);
    const browser = await signedIn(t.app, c.officerA);
    const page = `/staff/complaints/${created.id}`;
    const remedy = await browser.submit(page, `${page}/remedies`, {
      remedyKind: 'action',
      remedyDescription: 'Collect the bin and add your address to the assisted collection list',
      'remedyDueOn-day': '27',
      'remedyDueOn-month': '11',
      'remedyDueOn-year': '2026',
    });
    assert.equal(remedy.statusCode, 303, remedy.body.slice(0, 300));
    const res = await browser.submit(page, `${page}/respond`, {
      decision: 'upheld',
      reasons: 'The crew missed your street because of a routing error.',
      outstandingActions: 'We will check the route on 1 December.',
    });
    assert.equal(res.statusCode, 303, res.body.slice(0, 300));
    const view = await getComplaint(db, created.id);
    assert.equal(view?.status, 'responded');
    assert.equal(view?.stages[0].decision, 'upheld');
    assert.equal(view?.stages[0].onTime, true);
    const letter = (await messagesOf(created.caseId)).find((m) =>
      m.dedupe_key.startsWith('complaint.response'),
    );
    assert.ok(letter);
    assert.match(letter.body, /What you complained about: My bin was missed three weeks running\./);
    assert.match(letter.body, /Our decision: Upheld\./);
    assert.match(letter.body, /Why we made this decision: The crew missed your street/);
    assert.equal(letter.template, 'complaint.response');
    assert.doesNotMatch(letter.body, /Ombudsman/, 'stage 1 points to stage 2, not yet the Ombudsman');
    assert.match(
      letter.body,
      /Collect the bin and add your address to the assisted collection list, by 27 November 2026/,
    );
    assert.match(letter.body, /Actions still to do: We will check the route on 1 December\./);
    assert.match(
      letter.body,
      /look at your complaint again \(stage 2\)\. You do not have to give a reason\./,
    );
    const complaintCase = await db
      .selectFrom('cases')
      .select(['status', 'closed_at'])
      .where('id', '=', created.caseId)
      .executeTakeFirstOrThrow();
    assert.equal(complaintCase.status, 'response_sent');
    assert.equal(complaintCase.closed_at, null);
  });
});

void describe('refusals', () => {
  void test('a complaint made more than 12 months after the matter can be refused as out of time, with the Ombudsman’s details', async () => {
    const c = await council();
    const { created } = await staffComplaint(c, { matterDate: '2025-11-15', receivedOn: '2026-11-16' });
    const browser = await signedIn(t.app, c.officerA);
    const page = `/staff/complaints/${created.id}`;
    const shown = await browser.get(page);
    assert.match(shown.body, /more than 12 months after the matter/);
    const res = await browser.submit(page, `${page}/refuse`, {
      refusalReason: 'outside_time_limit',
      refusalDetails: '',
    });
    assert.equal(res.statusCode, 303, res.body.slice(0, 300));
    const view = await getComplaint(db, created.id);
    assert.equal(view?.status, 'refused');
    assert.equal(view?.refusalReason, 'outside_time_limit');
    const letter = (await messagesOf(created.caseId)).find((m) =>
      m.dedupe_key.startsWith('complaint.refused'),
    );
    assert.ok(letter);
    assert.match(letter.body, /more than 12 months after the matter happened/);
    assert.match(letter.body, /Local Government and Social Care Ombudsman/);
    assert.match(letter.body, /www\.lgo\.org\.uk/);
    assert.equal(letter.template, 'complaint.refusal');
    const complaintCase = await db
      .selectFrom('cases')
      .select(['status', 'closed_at'])
      .where('id', '=', created.caseId)
      .executeTakeFirstOrThrow();
    assert.equal(
      complaintCase.status,
      'refused',
      'the workflow’s own "Refused" status (definition version 2)',
    );
    assert.ok(complaintCase.closed_at, 'refused is a closed status');
    const resident = await db
      .selectFrom('case_events')
      .select(['data'])
      .where('case_id', '=', created.caseId)
      .where('kind', '=', 'status_changed')
      .where('visible_to_customer', '=', true)
      .execute();
    assert.ok(
      resident.some((e) => JSON.stringify(e.data).includes('We cannot take your complaint further')),
      'the resident sees why on their timeline',
    );
  });

  void test('a complaint made within 12 months cannot be refused as out of time', async () => {
    const c = await council();
    const { created } = await staffComplaint(c, { matterDate: '2025-11-16', receivedOn: '2026-11-16' });
    const browser = await signedIn(t.app, c.officerA);
    const page = `/staff/complaints/${created.id}`;
    const res = await browser.submit(page, `${page}/refuse`, { refusalReason: 'outside_time_limit' });
    assert.equal(res.statusCode, 422);
    assert.match(res.body, /was made within 12 months of the matter/);
    assert.equal((await getComplaint(db, created.id))?.status, 'open');
  });

  void test('the window is configurable', async () => {
    const c = await council();
    const { created } = await staffComplaint(c, { matterDate: '2026-04-01', receivedOn: '2026-11-16' });
    await assert.rejects(
      withTransaction(db, async (trx) => {
        const { refuseComplaint } = await import('../src/modules/complaints/index.ts');
        await refuseComplaint(trx, created.id, {
          staffId: c.officerA.id,
          now: clock.now(),
          reason: 'outside_time_limit',
        });
      }),
      /within 12 months/,
    );
    await withTransaction(db, async (trx) => {
      const { refuseComplaint } = await import('../src/modules/complaints/index.ts');
      await refuseComplaint(
        trx,
        created.id,
        { staffId: c.officerA.id, now: clock.now(), reason: 'outside_time_limit' },
        { windowMonths: 6 },
      );
    });
    assert.equal((await getComplaint(db, created.id))?.status, 'refused');
  });
});

void describe('stage 2', () => {
  async function respondedAtStage1(c: Council) {
    const made = await staffComplaint(c);
    await withTransaction(db, (trx) =>
      respondToComplaint(trx, made.created.id, {
        staffId: c.officerA.id,
        now: clock.now(),
        decision: 'not_upheld',
        reasons: 'The bin was not out.',
      }),
    );
    return made;
  }

  void test('the resident escalates from their account without giving a reason', async () => {
    const c = await council();
    const { customer, created } = await respondedAtStage1(c);
    const browser = await residentBrowser(customer.id);
    const page = await browser.get(`/complaints/${created.caseId}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Ask us to look at it again/);
    assert.match(page.body, /Our decision: Not upheld\./);
    const res = await browser.submit(
      `/complaints/${created.caseId}/escalate`,
      `/complaints/${created.caseId}/escalate`,
      { reason: '' },
    );
    assert.equal(res.statusCode, 303, res.body.slice(0, 300));
    const view = await getComplaint(db, created.id);
    assert.equal(view?.stage, 2);
    assert.equal(view?.status, 'open');
    const stage2 = view?.stages.find((s) => s.stage === 2);
    assert.equal(stage2?.startedOn, '2026-11-23');
    assert.equal(stage2?.acknowledgeBy, '2026-11-30');
    assert.equal(
      stage2?.respondBy,
      '2026-12-30',
      '20 working days after 30 November (25 and 28 December are bank holidays)',
    );
    assert.equal(stage2?.escalationReason, null);
    const complaintCase = await db
      .selectFrom('cases')
      .select('status')
      .where('id', '=', created.caseId)
      .executeTakeFirstOrThrow();
    assert.equal(complaintCase.status, 'escalated');
    const audit = await db
      .selectFrom('audit_log')
      .select(['actor_type', 'actor_id'])
      .where('record_id', '=', created.id)
      .where('action', '=', 'complaint.escalated')
      .executeTakeFirstOrThrow();
    assert.deepEqual(audit, { actor_type: 'customer', actor_id: customer.id });
  });

  void test('issue 12 item 9: the tracking page of a complaint links to our response and to "Ask us to look at it again"', async () => {
    const c = await council();
    const { customer, created } = await respondedAtStage1(c);
    const browser = await residentBrowser(customer.id);
    const page = await browser.get(`/track/requests/${created.caseId}`);
    assert.equal(page.statusCode, 200);
    assert.match(
      page.body,
      new RegExp(
        `href="/complaints/${created.caseId}#our-response" data-testid="complaint-response-link">Read our response<`,
      ),
    );
    assert.match(
      page.body,
      new RegExp(
        `href="/complaints/${created.caseId}/escalate" data-testid="complaint-escalate-link">Ask us to look at it again<`,
      ),
    );
    const complaint = await browser.get(`/complaints/${created.caseId}`);
    assert.match(complaint.body, /id="our-response">Our response</);

    await withTransaction(db, (trx) =>
      escalateComplaint(trx, created.id, { actor: { kind: 'customer', customerId: null }, now: clock.now() }),
    );
    const after = await browser.get(`/track/requests/${created.caseId}`);
    assert.match(after.body, /data-testid="complaint-response-link"/);
    assert.doesNotMatch(after.body, /complaint-escalate-link/, 'no second escalation while stage 2 is open');
  });

  void test('another resident cannot see or escalate the complaint', async () => {
    const c = await council();
    const { created } = await respondedAtStage1(c);
    const stranger = await buildCustomer(db, c.authorityId, {});
    const browser = await residentBrowser(stranger.id);
    assert.equal((await browser.get(`/complaints/${created.caseId}`)).statusCode, 404);
    assert.equal((await new Browser(t.app).get(`/complaints/${created.caseId}/escalate`)).statusCode, 404);
  });

  void test('stage 2 must be handled by a different officer from stage 1', async () => {
    const c = await council();
    const { created } = await respondedAtStage1(c);
    await withTransaction(db, (trx) =>
      escalateComplaint(trx, created.id, { actor: { kind: 'customer', customerId: null }, now: clock.now() }),
    );
    const a = await signedIn(t.app, c.officerA);
    const page = `/staff/complaints/${created.id}`;
    const shown = await a.get(page);
    assert.match(shown.body, /a different officer must deal with this stage/);
    const refused = await a.submit(page, `${page}/respond`, {
      decision: 'not_upheld',
      reasons: 'Same again',
    });
    assert.equal(refused.statusCode, 422);
    assert.match(refused.body, /different officer/);
    const assignSelf = await a.submit(page, `${page}/assign`, { handlerId: c.officerA.id });
    assert.equal(assignSelf.statusCode, 422);
    await assert.rejects(
      withTransaction(db, (trx) =>
        acknowledgeComplaint(trx, created.id, { staffId: c.officerA.id, now: clock.now() }),
      ),
      /different officer/,
    );

    const b = await signedIn(t.app, c.officerB);
    assert.equal((await b.submit(page, `${page}/acknowledge`, {})).statusCode, 303);
    const final = await b.submit(page, `${page}/respond`, {
      decision: 'partly_upheld',
      reasons: 'We should have explained the rules.',
    });
    assert.equal(final.statusCode, 303, final.body.slice(0, 300));
    const view = await getComplaint(db, created.id);
    assert.equal(view?.status, 'closed');
    assert.equal(view?.stages[1].handlerId, c.officerB.id);
    const letter = (await messagesOf(created.caseId)).find(
      (m) => m.dedupe_key === `complaint.response:${created.id}:2`,
    );
    assert.ok(letter);
    assert.match(letter.body, /This is our final response/);
    assert.match(letter.body, /Local Government and Social Care Ombudsman/);
    assert.equal(letter.template, 'complaint.final_response');
    assert.ok(
      (await messagesOf(created.caseId)).every((m) => m.template !== 'case.status_changed'),
      'stage moves send no generic status message',
    );
    const complaintCase = await db
      .selectFrom('cases')
      .select(['status', 'closed_at'])
      .where('id', '=', created.caseId)
      .executeTakeFirstOrThrow();
    assert.equal(complaintCase.status, 'closed');
    assert.ok(complaintCase.closed_at);
  });

  void test('issue 12 item 8: the seeded demo has two complaints officers per council, and the complaints team’s leader takes stage 2', async () => {
    const ns = `c${randomUUID().slice(0, 8)}`;
    await seedDemo(db, { clock, namespace: ns, seed: 5, customers: 10 });
    const staffOf = async (code: string) =>
      db
        .selectFrom('staff_users as u')
        .innerJoin('staff_team_members as m', 'm.staff_user_id', 'u.id')
        .innerJoin('teams as t', 't.id', 'm.team_id')
        .innerJoin('authorities as a', 'a.id', 't.authority_id')
        .select(['u.id', 'u.email', 'u.roles', 'm.is_leader', 'a.id as authority_id'])
        .where('a.code', '=', `${ns}-${code}`)
        .where('t.code', '=', 'complaints')
        .orderBy('u.email')
        .execute();
    const signInAs = async (email: string) => {
      const browser = new Browser(t.app);
      const res = await browser.submit('/staff/sign-in', '/staff/sign-in', {
        email,
        password: DEMO_PASSWORD,
      });
      assert.equal(res.statusCode, 302, `sign-in as ${email}`);
      return browser;
    };
    for (const code of ['county', 'city']) {
      const team = await staffOf(code);
      const officers = team.filter((u) => u.roles.includes('complaints_officer'));
      assert.equal(officers.length, 2, `${code}: two complaints officers`);
      const leader = team.find((u) => u.is_leader && u.roles.includes('team_leader'));
      assert.ok(leader, `${code}: the complaints team has a leader`);
      assert.equal((await (await signInAs(leader.email)).get('/staff/complaints')).statusCode, 200);
    }

    // A county complaint: stage 1 by one officer, stage 2 by the team's leader.
    const county = await staffOf('county');
    const officer = county.find((u) => u.roles.includes('complaints_officer'))!;
    const leader = county.find((u) => u.is_leader)!;
    const customer = await buildCustomer(db, officer.authority_id, {
      email: `${randomUUID().slice(0, 8)}@example.com`,
    });
    const created = await withTransaction(db, (trx) =>
      createComplaint(
        trx,
        {
          authorityId: officer.authority_id,
          customerId: customer.id,
          summary: 'Nobody replied about the pothole outside my house.',
          receivedOn: '2026-11-16',
          channel: 'phone',
          actor: { kind: 'staff', staffId: officer.id },
          idempotencyKey: `test:${randomUUID()}`,
        },
        { now: clock.now() },
      ),
    );
    await withTransaction(db, (trx) =>
      respondToComplaint(trx, created.id, {
        staffId: officer.id,
        now: clock.now(),
        decision: 'not_upheld',
        reasons: 'The repair was booked.',
      }),
    );
    await withTransaction(db, (trx) =>
      escalateComplaint(trx, created.id, {
        actor: { kind: 'customer', customerId: customer.id },
        now: clock.now(),
      }),
    );
    const browser = await signInAs(leader.email);
    const page = `/staff/complaints/${created.id}`;
    assert.equal((await browser.get(page)).statusCode, 200);
    assert.equal((await browser.submit(page, `${page}/acknowledge`, {})).statusCode, 303);
    const final = await browser.submit(page, `${page}/respond`, {
      decision: 'upheld',
      reasons: 'The repair should have been done within the week.',
    });
    assert.equal(final.statusCode, 303, final.body.slice(0, 300));
    const view = await getComplaint(db, created.id);
    assert.equal(view?.status, 'closed');
    assert.equal(view?.stages[1].handlerId, leader.id);
  });

  void test('a stage 2 extension is capped at 20 working days', async () => {
    const c = await council();
    const { created } = await respondedAtStage1(c);
    await withTransaction(db, (trx) =>
      escalateComplaint(trx, created.id, {
        actor: { kind: 'staff', staffId: c.officerB.id },
        now: clock.now(),
      }),
    );
    const b = await signedIn(t.app, c.officerB);
    const page = `/staff/complaints/${created.id}`;
    const tooLong = await b.submit(page, `${page}/extend`, {
      extensionDays: '21',
      extensionReason: 'Complex',
    });
    assert.equal(tooLong.statusCode, 422);
    assert.match(tooLong.body, /at most 20 working days/);
    assert.equal(
      (await b.submit(page, `${page}/extend`, { extensionDays: '20', extensionReason: 'Complex' }))
        .statusCode,
      303,
    );
  });

  void test('a complaint cannot be escalated before the council has responded (unless the response is late)', async () => {
    const c = await council();
    const { created } = await staffComplaint(c, { receivedOn: '2026-11-23' });
    await assert.rejects(
      withTransaction(db, (trx) =>
        escalateComplaint(trx, created.id, {
          actor: { kind: 'customer', customerId: null },
          now: clock.now(),
        }),
      ),
      /once the council has responded/,
    );
    const late = new Date('2027-01-04T10:00:00Z');
    const result = await withTransaction(db, (trx) =>
      escalateComplaint(trx, created.id, { actor: { kind: 'customer', customerId: null }, now: late }),
    );
    assert.equal(result.stage, 2);
  });
});

void describe("children's social care complaints", () => {
  void test('stage 1 is 10 working days from receipt, extended to 20', async () => {
    const c = await council();
    const { created } = await staffComplaint(c, {
      workflowType: 'childrens_social_care',
      receivedOn: '2026-11-16',
    });
    let view = await getComplaint(db, created.id);
    assert.equal(view?.stages[0].respondBy, '2026-11-30');
    assert.equal(view?.stages[0].acknowledgeBy, '2026-11-19', '3 working days');
    const browser = await signedIn(t.app, c.officerA);
    const page = `/staff/complaints/${created.id}`;
    const res = await browser.submit(page, `${page}/extend`, {
      extensionDays: '10',
      extensionReason: 'We need to speak to the social worker.',
    });
    assert.equal(res.statusCode, 303);
    view = await getComplaint(db, created.id);
    assert.equal(view?.stages[0].respondBy, '2026-12-14', '20 working days from receipt');
  });
});

void describe('learning and remedies', () => {
  void test('a learning action is tracked to completion with its owner and due date', async () => {
    const c = await council();
    const { created } = await staffComplaint(c);
    const owner = await buildStaff(db, c.authorityId, {
      roles: ['team_leader'],
      teamIds: [c.wasteTeamId],
      name: 'Waste Leader',
    });
    const browser = await signedIn(t.app, c.officerA);
    const page = `/staff/complaints/${created.id}`;
    const res = await browser.submit(page, `${page}/learning-actions`, {
      learningDescription: 'Brief crews on assisted collections',
      ownerId: owner.id,
      learningTeamId: c.wasteTeamId,
      'learningDueOn-day': '18',
      'learningDueOn-month': '12',
      'learningDueOn-year': '2026',
    });
    assert.equal(res.statusCode, 303, res.body.slice(0, 400));
    const list = await browser.get('/staff/complaints/learning');
    assert.match(list.body, /Brief crews on assisted collections/);
    assert.match(list.body, /Waste Leader/);
    const action = await db
      .selectFrom('learning_actions')
      .selectAll()
      .where('complaint_id', '=', created.id)
      .executeTakeFirstOrThrow();
    assert.equal(action.due_on, '2026-12-18');
    const done = await browser.submit(
      '/staff/complaints/learning',
      `/staff/complaints/learning/${action.id}/complete`,
      { returnTo: '/staff/complaints/learning' },
    );
    assert.equal(done.statusCode, 303);
    const after = await db
      .selectFrom('learning_actions')
      .selectAll()
      .where('id', '=', action.id)
      .executeTakeFirstOrThrow();
    assert.equal(after.completed_on, '2026-11-23');
    assert.equal(after.completed_by, c.officerA.id);
  });

  void test('a financial remedy needs an amount', async () => {
    const c = await council();
    const { created } = await staffComplaint(c);
    const browser = await signedIn(t.app, c.officerA);
    const page = `/staff/complaints/${created.id}`;
    const res = await browser.submit(page, `${page}/remedies`, {
      remedyKind: 'financial',
      remedyDescription: 'Time and trouble payment',
    });
    assert.equal(res.statusCode, 422);
    assert.match(res.body, /Enter the amount of the financial remedy/);
    const ok = await browser.submit(page, `${page}/remedies`, {
      remedyKind: 'financial',
      remedyDescription: 'Time and trouble payment',
      remedyAmount: '£50',
    });
    assert.equal(ok.statusCode, 303);
    const remedy = await db
      .selectFrom('complaint_remedies')
      .selectAll()
      .where('complaint_id', '=', created.id)
      .executeTakeFirstOrThrow();
    assert.equal(remedy.amount_pence, 5000);
  });
});

void describe('queue and access', () => {
  void test('the queue lists open complaints with their deadlines and working days left', async () => {
    const c = await council();
    const { created } = await staffComplaint(c);
    const browser = await signedIn(t.app, c.officerA);
    const res = await browser.get('/staff/complaints');
    assert.equal(res.statusCode, 200);
    assert.match(res.body, new RegExp(created.reference));
    assert.match(res.body, /Acknowledge by/);
    assert.match(res.body, /23 November 2026/);
    assert.match(res.body, /Due today/);
  });

  void test('staff without complaints:manage are refused; staff of another council get a 404', async () => {
    const c = await council();
    const { created } = await staffComplaint(c);
    const agent = await buildStaff(db, c.authorityId, { roles: ['agent'] });
    const agentBrowser = await signedIn(t.app, agent);
    assert.equal((await agentBrowser.get('/staff/complaints')).statusCode, 403);
    const other = await council();
    const outsider = await signedIn(t.app, other.officerA);
    assert.equal((await outsider.get(`/staff/complaints/${created.id}`)).statusCode, 404);
    assert.doesNotMatch((await outsider.get('/staff/complaints')).body, new RegExp(created.reference));
  });
});

void describe('resident complaints about a request', () => {
  void test('“Complain about this request” links the complaint to the request and keeps it open', async () => {
    const c = await council();
    const { customer, binCase } = await residentWithBinRequest(c);
    const browser = await residentBrowser(customer.id);
    const form = await browser.get(`/complaints/new?about=${binCase.id}`);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /Complain about this request/);
    const res = await browser.submit(
      `/complaints/new?about=${binCase.id}`,
      `/complaints/new?about=${binCase.id}`,
      {
        idempotencyKey: /name="idempotencyKey" value="([^"]+)"/.exec(form.body)![1],
        summary: 'The crew keeps missing my bin.',
        reasonableAdjustments: 'Easy read please',
      },
    );
    assert.equal(res.statusCode, 303, res.body.slice(0, 300));
    const caseId = /\/complaints\/([0-9a-f-]{36})/.exec(String(res.headers.location))![1];
    const complaint = await db
      .selectFrom('complaints')
      .selectAll()
      .where('case_id', '=', caseId)
      .executeTakeFirstOrThrow();
    assert.equal(complaint.linked_case_id, binCase.id);
    assert.equal(complaint.customer_id, customer.id);
    assert.equal(complaint.received_on, '2026-11-23');
    assert.equal(complaint.reasonable_adjustments, 'Easy read please');
    const stillOpen = await db
      .selectFrom('cases')
      .select('closed_at')
      .where('id', '=', binCase.id)
      .executeTakeFirstOrThrow();
    assert.equal(stillOpen.closed_at, null);
    const page = await browser.get(`/complaints/${caseId}?made=1`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /We have received your complaint/);
  });

  void test('a resident cannot complain about someone else’s request', async () => {
    const c = await council();
    const { binCase } = await residentWithBinRequest(c);
    const stranger = await buildCustomer(db, c.authorityId, {});
    const browser = await residentBrowser(stranger.id);
    assert.equal((await browser.get(`/complaints/new?about=${binCase.id}`)).statusCode, 404);
  });
});
