/**
 * SLA clocks of cases against a real database (PGlite by default, PostgreSQL with TEST_DATABASE_URL):
 * pause and resume across a weekend and bank holidays, extensions (with a reason, kept when a pause
 * ends), the 17:00 cut-off, and the warning and breach scan firing exactly once per case even with two
 * workers racing (two pools on PostgreSQL, two concurrent calls on PGlite). Each test makes its own council.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { buildAuthority, buildStaff, buildTeam, uniq } from './builders/index.ts';
import { buildCustomer } from './builders/customers.ts';
import { openTestDatabase, testEngine } from './support/db.ts';
import { withTransaction, type Database, type Db } from '../src/platform/db/index.ts';
import { DomainRuleError } from '../src/platform/http/errors.ts';
import { TestClock } from '../src/platform/clock.ts';
import {
  addMessage,
  caseJobHandlers,
  caseSlaSnapshot,
  changeStatus,
  createCase,
  extendSla,
  loadCaseService,
  scanSla,
  CASES_SLA_SCAN_TOPIC,
  type CaseService,
} from '../src/modules/cases/index.ts';
import { schedule } from '../src/worker.ts';

let database: Database;
let second: Database;
let db: Db;

before(async () => {
  database = await openTestDatabase({ poolSize: 6 });
  db = database.db;
  // A second handle, as a second worker process would have (PGlite in memory is one process: same handle).
  second = testEngine === 'postgres' ? await openTestDatabase({ poolSize: 6 }) : database;
});
after(async () => {
  if (second !== database) await second.close();
  await database.close();
});

function definition(slug: string, amount: number) {
  return {
    version: 1,
    slug,
    name: 'Apply for an SLA test permit',
    authority: 'county',
    team: 'permits',
    category: 'Test services',
    summary: 'A service used by the SLA tests.',
    beforeYouStart: [],
    synonyms: [],
    sensitivity: 'normal',
    kind: 'application',
    sla: { unit: 'working_days', amount },
    retentionDays: 365,
    annualVolume: 0,
    workflow: {
      statuses: [
        {
          code: 'received',
          label: 'Received',
          customerLabel: 'Received',
          customerVisible: true,
          next: ['awaiting_information', 'closed'],
        },
        {
          code: 'awaiting_information',
          label: 'Waiting for the resident',
          customerLabel: 'We need more information from you',
          customerVisible: true,
          pausesSla: true,
          next: ['in_progress', 'closed'],
        },
        {
          code: 'in_progress',
          label: 'In progress',
          customerLabel: 'We are working on it',
          customerVisible: true,
          next: ['closed'],
        },
        { code: 'closed', label: 'Closed', customerLabel: 'Finished', customerVisible: true, next: [] },
      ],
      initial: 'received',
      closed: ['closed'],
    },
    form: {
      pages: [
        {
          id: 'details',
          title: 'Details',
          questions: [{ id: 'details', type: 'textarea', label: 'Tell us about it', required: true }],
        },
      ],
    },
  };
}

async function council(amount = 5) {
  const authority = await buildAuthority(db);
  const team = await buildTeam(db, authority.id);
  const leader = await buildStaff(db, authority.id, {
    roles: ['team_leader'],
    teamIds: [team.id],
    leaderOf: [team.id],
  });
  const officer = await buildStaff(db, authority.id, { roles: ['officer'], teamIds: [team.id] });
  const customer = await buildCustomer(db, authority.id, { email: `${uniq('r')}@example.com` });
  const slug = uniq('sla');
  const def = definition(slug, amount);
  const row = await db
    .insertInto('services')
    .values({
      authority_id: authority.id,
      team_id: team.id,
      slug,
      name: def.name,
      category: def.category,
      summary: def.summary,
      definition: JSON.stringify(def),
      definition_version: def.version,
      sla: JSON.stringify(def.sla),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const service = (await loadCaseService(db, { id: row.id })) as CaseService;
  return { authority, team, leader, officer, customer, service };
}

type Council = Awaited<ReturnType<typeof council>>;

async function newCase(c: Council, receivedAt: string, assigneeId: string | null = null) {
  const created = await withTransaction(db, (trx) =>
    createCase(trx, {
      service: c.service,
      customerId: c.customer.id,
      answers: { details: 'Please' },
      formVersion: 1,
      channel: 'web',
      receivedAt: new Date(receivedAt),
      idempotencyKey: uniq('key'),
    }),
  );
  if (assigneeId)
    await db.updateTable('cases').set({ assignee_id: assigneeId }).where('id', '=', created.id).execute();
  return created;
}

const row = (caseId: string) =>
  db
    .selectFrom('cases')
    .select(['due_at', 'sla_warned_at', 'sla_breached_at', 'sla_extension_days', 'sla_paused_at'])
    .where('id', '=', caseId)
    .executeTakeFirstOrThrow();

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** Staff SLA messages of one council: template, case and recipient. */
async function slaMessages(authorityId: string) {
  return db
    .selectFrom('messages')
    .select(['template', 'case_id', 'recipient', 'body', 'subject'])
    .where('authority_id', '=', authorityId)
    .where('template', 'in', ['case.sla_warning', 'case.sla_breach'])
    .orderBy('case_id')
    .orderBy('template')
    .orderBy('recipient')
    .execute();
}

async function eventsOf(caseId: string, kinds: string[]) {
  return db
    .selectFrom('case_events')
    .select(['kind', 'visible_to_customer', 'body', 'data'])
    .where('case_id', '=', caseId)
    .where('kind', 'in', kinds)
    .orderBy('created_at')
    .execute();
}

void describe('case SLA clocks', () => {
  test('pause and resume across a weekend and the Christmas bank holidays push the due date by working days only', async () => {
    const c = await council(2);
    // Mon 21 Dec 2026 10:00, 2 working days → due Wed 23 Dec.
    const kase = await newCase(c, '2026-12-21T10:00:00Z');
    assert.equal(iso(kase.dueAt), '2026-12-23T23:59:59.999Z');
    // Paused Wed 23 Dec 10:00; the resident replies Tue 29 Dec 10:00. Working days in (23, 29]: Thu 24 and
    // Tue 29 (Fri 25 Christmas, the weekend, Mon 28 Boxing Day substitute) → due moves 2 working days.
    await withTransaction(db, (trx) =>
      changeStatus(
        trx,
        kase.id,
        'awaiting_information',
        { kind: 'staff', staffId: c.officer.id },
        {
          at: new Date('2026-12-23T10:00:00Z'),
        },
      ),
    );
    const whilePaused = await caseSlaSnapshot(db, kase.id, new Date('2026-12-26T12:00:00Z'));
    assert.equal(whilePaused?.state, 'paused');
    assert.equal(whilePaused?.paused, true);
    await withTransaction(db, (trx) =>
      addMessage(trx, kase.id, {
        from: 'resident',
        body: 'Here it is',
        at: new Date('2026-12-29T10:00:00Z'),
        actor: { kind: 'customer', customerId: c.customer.id },
      }),
    );
    const resumed = await row(kase.id);
    assert.equal(iso(resumed.due_at), '2026-12-29T23:59:59.999Z');
    const snap = await caseSlaSnapshot(db, { id: kase.id }, new Date('2026-12-29T12:00:00Z'));
    assert.ok(snap);
    assert.equal(iso(snap.dueAt), '2026-12-29T23:59:59.999Z');
    assert.equal(snap.dueDate, '2026-12-29');
    assert.equal(snap.pausedBy, 2);
    assert.equal(snap.paused, false);
    assert.equal(snap.workingDaysLeft, 0);
    assert.equal(snap.state, 'warning');
    assert.equal((await caseSlaSnapshot(db, kase.id, new Date('2026-12-30T00:00:00Z')))?.state, 'breached');
  });

  test('the 17:00 cut-off: a case received at 17:00 counts from the next working day', async () => {
    const c = await council(5);
    const before5 = await newCase(c, '2026-11-23T16:59:00Z');
    const at5 = await newCase(c, '2026-11-23T17:00:00Z');
    const friday = await newCase(c, '2026-11-27T18:00:00Z');
    const now = new Date('2026-11-28T12:00:00Z');
    assert.equal((await caseSlaSnapshot(db, before5.id, now))?.dueDate, '2026-11-30');
    assert.equal((await caseSlaSnapshot(db, at5.id, now))?.dueDate, '2026-12-01');
    assert.equal((await caseSlaSnapshot(db, friday.id, now))?.dueDate, '2026-12-07');
    assert.equal(iso((await row(at5.id)).due_at), '2026-12-01T23:59:59.999Z');
  });

  test('an extension needs a reason, adds working days, is staff-only and audited, and survives a pause', async () => {
    const c = await council(5);
    const kase = await newCase(c, '2026-11-23T10:00:00Z'); // due Mon 30 Nov
    const actor = { kind: 'staff' as const, staffId: c.leader.id };
    await assert.rejects(
      withTransaction(db, (trx) => extendSla(trx, kase.id, { days: 3, reason: '   ' }, actor)),
      DomainRuleError,
    );
    await assert.rejects(
      withTransaction(db, (trx) => extendSla(trx, kase.id, { days: 0, reason: 'x' }, actor)),
      DomainRuleError,
    );
    const result = await withTransaction(db, (trx) =>
      extendSla(trx, kase.id, { days: 3, reason: 'Waiting for the OT report' }, actor, {
        at: new Date('2026-11-24T09:00:00Z'),
      }),
    );
    assert.equal(iso(result.previousDueAt), '2026-11-30T23:59:59.999Z');
    assert.equal(iso(result.dueAt), '2026-12-03T23:59:59.999Z'); // Tue 1, Wed 2, Thu 3
    const after = await row(kase.id);
    assert.equal(after.sla_extension_days, 3);
    assert.equal(iso(after.due_at), '2026-12-03T23:59:59.999Z');
    const [event] = await eventsOf(kase.id, ['sla_extended']);
    assert.ok(event);
    assert.equal(event.visible_to_customer, false);
    assert.equal(event.body, 'Waiting for the OT report');
    assert.equal(event.data.days, 3);
    const audits = await db
      .selectFrom('audit_log')
      .select(['actor_id', 'reason'])
      .where('record_id', '=', kase.id)
      .where('action', '=', 'case.sla_extended')
      .execute();
    assert.deepEqual(audits, [{ actor_id: c.leader.id, reason: 'Waiting for the OT report' }]);

    // Paused Tue 24 10:00, resumed Thu 26 10:00 (2 working days): the extension is kept → Mon 7 Dec.
    await withTransaction(db, (trx) =>
      changeStatus(trx, kase.id, 'awaiting_information', actor, { at: new Date('2026-11-24T10:00:00Z') }),
    );
    await withTransaction(db, (trx) =>
      changeStatus(trx, kase.id, 'in_progress', actor, { at: new Date('2026-11-26T10:00:00Z') }),
    );
    assert.equal(iso((await row(kase.id)).due_at), '2026-12-07T23:59:59.999Z');
    const snap = await caseSlaSnapshot(db, kase.id, new Date('2026-11-26T12:00:00Z'));
    assert.equal(iso(snap?.dueAt ?? null), '2026-12-07T23:59:59.999Z');
    assert.equal(snap?.extensionDays, 3);
  });

  test('warnings and breach escalations each fire exactly once, even with two workers racing', async () => {
    const c = await council(5);
    const leader2 = await buildStaff(db, c.authority.id, {
      roles: ['team_leader'],
      teamIds: [c.team.id],
      leaderOf: [c.team.id],
    });
    const leaders = [c.leader.email, leader2.email].sort();
    const assigned = await newCase(c, '2026-11-23T10:00:00Z', c.officer.id); // due Mon 30 Nov
    const unassigned = await newCase(c, '2026-11-23T10:00:00Z');
    const overdue = await newCase(c, '2026-11-16T10:00:00Z'); // due Mon 23 Nov
    const onTrack = await newCase(c, '2026-11-27T10:00:00Z'); // due Fri 4 Dec
    const paused = await newCase(c, '2026-11-16T10:00:00Z');
    await withTransaction(db, (trx) =>
      changeStatus(
        trx,
        paused.id,
        'awaiting_information',
        { kind: 'system' },
        {
          at: new Date('2026-11-17T10:00:00Z'),
        },
      ),
    );
    const closed = await newCase(c, '2026-11-16T10:00:00Z');
    await withTransaction(db, (trx) =>
      changeStatus(trx, closed.id, 'closed', { kind: 'system' }, { at: new Date('2026-11-17T10:00:00Z') }),
    );

    // Mon 30 Nov 09:00: the two due today are at 89% (warning); one is a week overdue.
    const now = new Date('2026-11-30T09:00:00Z');
    const options = { now, publicUrl: 'https://frontdoor.example.gov.uk', authorityId: c.authority.id };
    const runs = await Promise.all([scanSla(db, options), scanSla(second.db, options)]);
    assert.equal(runs[0].warned + runs[1].warned, 2, 'two warnings in all');
    assert.equal(runs[0].breached + runs[1].breached, 1, 'one escalation in all');

    const expected = [
      ...[c.officer.email].map((to) => ({
        template: 'case.sla_warning',
        case_id: assigned.id,
        recipient: to,
      })),
      ...leaders.map((to) => ({ template: 'case.sla_warning', case_id: unassigned.id, recipient: to })),
      ...leaders.map((to) => ({ template: 'case.sla_breach', case_id: overdue.id, recipient: to })),
    ].sort((a, b) =>
      `${a.case_id}${a.template}${a.recipient}`.localeCompare(`${b.case_id}${b.template}${b.recipient}`),
    );
    const sent = await slaMessages(c.authority.id);
    assert.deepEqual(
      sent.map(({ template, case_id, recipient }) => ({ template, case_id, recipient })),
      expected,
    );
    const warning = sent.find((m) => m.case_id === assigned.id);
    assert.ok(warning);
    assert.match(warning.subject, new RegExp(assigned.reference));
    assert.match(warning.body, /Apply for an SLA test permit/);
    assert.match(warning.body, /30 November 2026/);
    assert.ok(warning.body.includes(`https://frontdoor.example.gov.uk/staff/cases/${assigned.id}`));

    // Flags: the overdue case is marked warned too, without a separate warning message.
    const flags = await Promise.all(
      [assigned, unassigned, overdue, onTrack, paused, closed].map((k) => row(k.id)),
    );
    assert.deepEqual(
      flags.map((f) => [iso(f.sla_warned_at), iso(f.sla_breached_at)]),
      [
        [now.toISOString(), null],
        [now.toISOString(), null],
        [now.toISOString(), now.toISOString()],
        [null, null],
        [null, null],
        [null, null],
      ],
    );
    const warnedEvents = await eventsOf(assigned.id, ['sla_warning', 'sla_breached']);
    assert.deepEqual(
      warnedEvents.map((e) => [e.kind, e.visible_to_customer]),
      [['sla_warning', false]],
    );
    assert.deepEqual(
      (await eventsOf(overdue.id, ['sla_warning', 'sla_breached'])).map((e) => e.kind),
      ['sla_breached'],
    );

    // Again at the same time, and later the same day: nothing new.
    await Promise.all([scanSla(db, options), scanSla(second.db, options)]);
    await scanSla(db, { ...options, now: new Date('2026-11-30T20:00:00Z') });
    assert.equal((await slaMessages(c.authority.id)).length, sent.length);

    // Tue 1 Dec 09:00: the two warned cases are now overdue → escalated once each, to the leaders.
    const later = { ...options, now: new Date('2026-12-01T09:00:00Z') };
    const second2 = await Promise.all([scanSla(db, later), scanSla(second.db, later), scanSla(db, later)]);
    assert.equal(
      second2.reduce((n, r) => n + r.breached, 0),
      2,
    );
    assert.equal(
      second2.reduce((n, r) => n + r.warned, 0),
      0,
    );
    const all = await slaMessages(c.authority.id);
    assert.equal(all.length, sent.length + 4);
    for (const kase of [assigned, unassigned]) {
      assert.deepEqual(
        all.filter((m) => m.case_id === kase.id && m.template === 'case.sla_breach').map((m) => m.recipient),
        leaders,
      );
      assert.deepEqual(
        (await eventsOf(kase.id, ['sla_warning', 'sla_breached'])).map((e) => e.kind),
        ['sla_warning', 'sla_breached'],
      );
    }
    await scanSla(db, later);
    assert.equal((await slaMessages(c.authority.id)).length, all.length);
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from audit_log where authority_id = ${c.authority.id}
        and action in ('case.sla_warning', 'case.sla_breached')`.execute(db);
    assert.equal(rows[0]?.n, 5);
  });

  test('the worker runs the scan on its topic every 5 minutes', async () => {
    assert.ok(schedule.some((s) => s.topic === CASES_SLA_SCAN_TOPIC && s.everyMinutes === 5));
    // The handler scans every council: run it only on the in-memory database this process owns, not on a
    // PostgreSQL database other test files share.
    if (testEngine !== 'pglite') return;
    const c = await council(5);
    const kase = await newCase(c, '2026-11-16T10:00:00Z');
    const clock = new TestClock('2026-11-30T09:00:00Z');
    await caseJobHandlers({ db, clock })[CASES_SLA_SCAN_TOPIC]?.({
      id: 1,
      topic: CASES_SLA_SCAN_TOPIC,
      payload: {},
      attempts: 1,
    } as never);
    assert.equal(iso((await row(kase.id)).sla_breached_at), '2026-11-30T09:00:00.000Z');
  });
});
