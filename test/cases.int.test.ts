/**
 * Cases core against a real database (PGlite by default, PostgreSQL with TEST_DATABASE_URL): creating a
 * case in one transaction with its SLA due date, idempotency (including a concurrent double submit), the
 * workflow, SLA pauses, messages, notes and the resident timeline. Each test makes its own records.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildAuthority, buildStaff, buildTeam, uniq } from './builders/index.ts';
import { buildCustomer } from './builders/customers.ts';
import { openTestDatabase, testEngine } from './support/db.ts';
import type { Database, Db } from '../src/platform/db/index.ts';
import { withTransaction } from '../src/platform/db/index.ts';
import {
  addMessage,
  addNote,
  changeStatus,
  createCase,
  findByReference,
  getCaseTimeline,
  getResidentCaseView,
  listCasesForCustomer,
  loadCaseService,
  REFERENCE_PATTERN,
  type CaseService,
  type CreateCaseInput,
} from '../src/modules/cases/index.ts';

let database: Database;
let db: Db;

before(async () => {
  database = await openTestDatabase({ poolSize: 6 });
  db = database.db;
});
after(() => database.close());

function definition(slug: string, sla = { unit: 'working_days', amount: 2 }) {
  return {
    version: 3,
    slug,
    name: 'Report a cases test problem',
    authority: 'county',
    team: 'highways',
    category: 'Test services',
    summary: 'A service used by the cases tests.',
    beforeYouStart: [],
    synonyms: [],
    sensitivity: 'normal',
    kind: 'report',
    sla,
    retentionDays: 365,
    annualVolume: 0,
    workflow: {
      statuses: [
        {
          code: 'received',
          label: 'Received',
          customerLabel: 'Received',
          customerVisible: true,
          next: ['triage', 'awaiting_information', 'closed'],
        },
        {
          code: 'triage',
          label: 'Triage',
          customerLabel: 'Being sorted',
          customerVisible: false,
          next: ['in_progress'],
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

async function makeService(sla?: {
  unit: string;
  amount: number;
}): Promise<CaseService & { teamId: string }> {
  const authority = await buildAuthority(db);
  const team = await buildTeam(db, authority.id);
  const slug = uniq('cases');
  const def = definition(slug, sla);
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
  const service = await loadCaseService(db, { id: row.id });
  assert.ok(service);
  return service;
}

const input = (service: CaseService, overrides: Partial<CreateCaseInput> = {}): CreateCaseInput => ({
  service,
  contact: { name: 'Ada Lovelace', email: 'Ada@Example.com', phone: null },
  answers: { details: 'A pothole' },
  formVersion: service.definitionVersion,
  channel: 'web',
  receivedAt: new Date('2026-11-23T10:00:00Z'),
  idempotencyKey: uniq('key'),
  ...overrides,
});

const messagesFor = (caseId: string) =>
  db
    .selectFrom('messages')
    .select(['template', 'recipient', 'body'])
    .where('case_id', '=', caseId)
    .orderBy('created_at')
    .execute();

void describe('createCase', () => {
  void test('writes the case, its created event, the interaction, an audit row and the acknowledgement together', async () => {
    const service = await makeService();
    const created = await withTransaction(db, (trx) => createCase(trx, input(service)));
    assert.equal(created.created, true);
    assert.match(created.reference, REFERENCE_PATTERN);
    assert.equal(created.status, 'received');
    assert.equal(created.teamId, service.teamId, 'routed to the service team');
    const row = await db
      .selectFrom('cases')
      .selectAll()
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.guest_email, 'ada@example.com');
    assert.equal(row.guest_name, 'Ada Lovelace');
    assert.equal(row.form_version, 3);
    assert.equal(row.origin_channel, 'web');
    const events = await db
      .selectFrom('case_events')
      .selectAll()
      .where('case_id', '=', created.id)
      .orderBy('created_at')
      .execute();
    assert.deepEqual(
      events.map((e) => [e.kind, e.visible_to_customer]),
      [
        ['created', true],
        ['routed', false],
      ],
    );
    const interactions = await db
      .selectFrom('interactions')
      .selectAll()
      .where('case_id', '=', created.id)
      .execute();
    assert.equal(interactions.length, 1);
    assert.equal(interactions[0].channel, 'web');
    assert.equal(interactions[0].agent_id, null);
    const audits = await db
      .selectFrom('audit_log')
      .select('action')
      .where('record_id', '=', created.id)
      .execute();
    assert.deepEqual(
      audits.map((a) => a.action),
      ['case.created'],
    );
    const messages = await messagesFor(created.id);
    assert.equal(messages.length, 1);
    assert.equal(messages[0].template, 'case.acknowledgement');
    assert.ok(messages[0].body.includes(created.reference));
    assert.ok(
      await db
        .selectFrom('outbox')
        .select('id')
        .where('dedupe_key', 'like', `%case.acknowledgement:${created.id}`)
        .executeTakeFirst(),
    );
  });

  void test('the due date counts working days, skipping weekends, bank holidays and contacts after 17:00', async () => {
    const service = await makeService({ unit: 'working_days', amount: 2 });
    // Thursday 24 December 2026, 10:00: Friday 25th and Monday 28th are bank holidays in England and Wales.
    const christmas = await withTransaction(db, (trx) =>
      createCase(trx, input(service, { receivedAt: new Date('2026-12-24T10:00:00Z') })),
    );
    assert.equal(christmas.dueAt?.toISOString(), '2026-12-30T23:59:59.999Z');
    // Friday 27 November 2026 at 17:30 counts as received on Monday 30th: due Wednesday 2 December.
    const late = await withTransaction(db, (trx) =>
      createCase(trx, input(service, { receivedAt: new Date('2026-11-27T17:30:00Z') })),
    );
    assert.equal(late.dueAt?.toISOString(), '2026-12-02T23:59:59.999Z');
    const view = await getResidentCaseView(db, late.id);
    assert.equal(view?.dueAt?.toISOString(), '2026-12-02T23:59:59.999Z');
  });

  void test('is idempotent: a retry returns the first case and writes nothing more', async () => {
    const service = await makeService();
    const first = input(service);
    const a = await withTransaction(db, (trx) => createCase(trx, first));
    const b = await withTransaction(db, (trx) =>
      createCase(trx, { ...first, answers: { details: 'changed' } }),
    );
    assert.equal(b.id, a.id);
    assert.equal(b.reference, a.reference);
    assert.equal(b.created, false);
    const events = await db.selectFrom('case_events').select('id').where('case_id', '=', a.id).execute();
    assert.equal(events.length, 2); // created + routed
    assert.equal((await messagesFor(a.id)).length, 1);
  });

  void test(`a concurrent double submit creates exactly one case (${testEngine})`, async () => {
    const service = await makeService();
    const same = input(service);
    const results = await Promise.all(
      Array.from({ length: 4 }, () => withTransaction(db, (trx) => createCase(trx, same))),
    );
    assert.equal(new Set(results.map((r) => r.id)).size, 1);
    assert.equal(results.filter((r) => r.created).length, 1);
    const rows = await db
      .selectFrom('cases')
      .select('id')
      .where('idempotency_key', '=', same.idempotencyKey)
      .execute();
    assert.equal(rows.length, 1);
    const events = await db
      .selectFrom('case_events')
      .select('id')
      .where('case_id', '=', rows[0].id)
      .execute();
    assert.equal(events.length, 2); // created + routed
    assert.equal((await messagesFor(rows[0].id)).length, 1);
  });

  void test('nothing is left behind when the surrounding transaction fails', async () => {
    const service = await makeService();
    const attempt = input(service);
    await assert.rejects(
      withTransaction(db, async (trx) => {
        await createCase(trx, attempt);
        throw new Error('the caller failed afterwards');
      }),
    );
    assert.equal(
      (
        await db
          .selectFrom('cases')
          .select('id')
          .where('idempotency_key', '=', attempt.idempotencyKey)
          .execute()
      ).length,
      0,
    );
    assert.equal(
      (
        await db
          .selectFrom('case_events')
          .select('id')
          .where('authority_id', '=', service.authorityId)
          .execute()
      ).length,
      0,
    );
    assert.equal(
      (await db.selectFrom('messages').select('id').where('authority_id', '=', service.authorityId).execute())
        .length,
      0,
    );
  });

  void test('assisted digital: the channel, the member of staff and the agent are recorded', async () => {
    const service = await makeService();
    const staff = await buildStaff(db, service.authorityId);
    const created = await withTransaction(db, (trx) =>
      createCase(trx, input(service, { channel: 'face_to_face', createdByStaffId: staff.id })),
    );
    const row = await db
      .selectFrom('cases')
      .select(['created_by', 'origin_channel'])
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(row, { created_by: staff.id, origin_channel: 'face_to_face' });
    const interaction = await db
      .selectFrom('interactions')
      .select(['agent_id', 'channel'])
      .where('case_id', '=', created.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(interaction, { agent_id: staff.id, channel: 'face_to_face' });
  });
});

void describe('repeat contacts', () => {
  void test("a new request about the same service within 7 days of the same customer's last contact is a repeat", async () => {
    const service = await makeService();
    const customer = await buildCustomer(db, service.authorityId, {
      givenName: 'Rhiannon',
      familyName: 'Price',
    });
    const raise = (at: string, channel: CreateCaseInput['channel'] = 'web') =>
      withTransaction(db, (trx) =>
        createCase(
          trx,
          input(service, { customerId: customer.id, contact: undefined, receivedAt: new Date(at), channel }),
        ),
      );
    const repeatOf = async (caseId: string) =>
      (
        await db
          .selectFrom('interactions')
          .select('is_repeat')
          .where('case_id', '=', caseId)
          .executeTakeFirstOrThrow()
      ).is_repeat;
    const first = await raise('2026-11-02T10:00:00Z');
    assert.equal(await repeatOf(first.id), false, 'the first contact');
    const chase = await raise('2026-11-09T10:00:00Z', 'phone'); // 7 days later, to the minute: still a repeat
    assert.equal(await repeatOf(chase.id), true, 'within 7 days, on another channel');
    const later = await raise('2026-11-16T10:00:01Z'); // 7 days and 1 second after the last one
    assert.equal(await repeatOf(later.id), false, 'more than 7 days after the last contact');
    const other = await makeService();
    const elsewhere = await withTransaction(db, (trx) =>
      createCase(
        trx,
        input(other, {
          customerId: customer.id,
          contact: undefined,
          receivedAt: new Date('2026-11-16T11:00:00Z'),
        }),
      ),
    );
    assert.equal(await repeatOf(elsewhere.id), false, 'another service is not a repeat');
  });
});

void describe('workflow', () => {
  void test('status changes follow the workflow; illegal ones are refused and change nothing', async () => {
    const service = await makeService();
    const staff = await buildStaff(db, service.authorityId);
    const created = await withTransaction(db, (trx) => createCase(trx, input(service)));
    const actor = { kind: 'staff' as const, staffId: staff.id };
    await assert.rejects(
      withTransaction(db, (trx) => changeStatus(trx, created.id, 'in_progress', actor)),
      /cannot move from "Received" to "In progress"/,
    );
    await assert.rejects(
      withTransaction(db, (trx) => changeStatus(trx, created.id, 'no_such_status', actor)),
      /is not a status/,
    );
    assert.equal(
      (await db.selectFrom('cases').select('status').where('id', '=', created.id).executeTakeFirstOrThrow())
        .status,
      'received',
    );

    // An internal status: on the staff timeline only, no message to the resident.
    const triage = await withTransaction(db, (trx) =>
      changeStatus(trx, created.id, 'triage', actor, { at: new Date('2026-11-23T11:00:00Z') }),
    );
    assert.equal(triage.visibleToCustomer, false);
    assert.equal((await messagesFor(created.id)).length, 1, 'only the acknowledgement');
    // A visible status: on the resident timeline with its resident label, and a message.
    const progress = await withTransaction(db, (trx) =>
      changeStatus(trx, created.id, 'in_progress', actor, { at: new Date('2026-11-23T12:00:00Z') }),
    );
    assert.equal(progress.visibleToCustomer, true);
    const messages = await messagesFor(created.id);
    assert.deepEqual(
      messages.map((m) => m.template),
      ['case.acknowledgement', 'case.status_changed'],
    );
    assert.ok(messages[1].body.includes('We are working on it'));
    const resident = await getCaseTimeline(db, created.id, { customerVisibleOnly: true });
    assert.deepEqual(
      resident.map((e) => e.status?.customerLabel ?? e.kind),
      ['We are working on it', 'created'],
    );
    const staffView = await getCaseTimeline(db, created.id, { customerVisibleOnly: false });
    assert.deepEqual(
      staffView.map((e) => e.kind),
      ['status_changed', 'status_changed', 'routed', 'created'],
    );
    // While the status is internal the resident keeps seeing the last visible label.
    const view = await getResidentCaseView(db, created.id);
    assert.equal(view?.statusLabel, 'We are working on it');
    // Closing sets closed_at and nothing can follow.
    await withTransaction(db, (trx) =>
      changeStatus(trx, created.id, 'closed', actor, { at: new Date('2026-11-24T09:00:00Z') }),
    );
    const closed = await db
      .selectFrom('cases')
      .select(['closed_at', 'status'])
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    assert.equal(closed.closed_at?.toISOString(), '2026-11-24T09:00:00.000Z');
    await assert.rejects(
      withTransaction(db, (trx) => changeStatus(trx, created.id, 'in_progress', actor)),
      /cannot move/,
    );
  });

  void test('waiting for the resident pauses the SLA clock; their reply resumes it and moves the due date', async () => {
    const service = await makeService({ unit: 'working_days', amount: 10 });
    const staff = await buildStaff(db, service.authorityId);
    const created = await withTransaction(db, (trx) => createCase(trx, input(service)));
    // Received Monday 23 November 2026 10:00 + 10 working days = Monday 7 December.
    assert.equal(created.dueAt?.toISOString(), '2026-12-07T23:59:59.999Z');
    await withTransaction(db, (trx) =>
      changeStatus(
        trx,
        created.id,
        'awaiting_information',
        { kind: 'staff', staffId: staff.id },
        { at: new Date('2026-11-24T10:00:00Z') },
      ),
    );
    const paused = await db
      .selectFrom('cases')
      .select(['sla_paused_at'])
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    assert.equal(paused.sla_paused_at?.toISOString(), '2026-11-24T10:00:00.000Z');
    assert.equal((await getResidentCaseView(db, created.id))?.waitingForResident, true);
    // The resident replies on Thursday 26th: two working days (25th, 26th) were lost.
    await withTransaction(db, (trx) =>
      addMessage(trx, created.id, {
        from: 'resident',
        body: 'Here is the photo you asked for.',
        at: new Date('2026-11-26T10:00:00Z'),
        actor: { kind: 'customer', customerId: null },
      }),
    );
    const resumed = await db
      .selectFrom('cases')
      .select(['sla_paused_at', 'due_at', 'status'])
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    assert.equal(resumed.sla_paused_at, null);
    assert.equal(resumed.due_at?.toISOString(), '2026-12-09T23:59:59.999Z');
    assert.equal(resumed.status, 'awaiting_information', 'staff decide the next status');
    // Moving on does not count the pause twice.
    await withTransaction(db, (trx) =>
      changeStatus(
        trx,
        created.id,
        'in_progress',
        { kind: 'staff', staffId: staff.id },
        { at: new Date('2026-11-30T10:00:00Z') },
      ),
    );
    const after = await db
      .selectFrom('cases')
      .select('due_at')
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    assert.equal(after.due_at?.toISOString(), '2026-12-09T23:59:59.999Z');
    const kinds = (await getCaseTimeline(db, created.id, { customerVisibleOnly: false })).map((e) => e.kind);
    assert.ok(kinds.includes('sla_paused') && kinds.includes('sla_resumed'));
  });

  void test('leaving a pausing status without a reply resumes the clock too', async () => {
    const service = await makeService({ unit: 'working_days', amount: 10 });
    const created = await withTransaction(db, (trx) => createCase(trx, input(service)));
    const system = { kind: 'system' as const };
    await withTransaction(db, (trx) =>
      changeStatus(trx, created.id, 'awaiting_information', system, { at: new Date('2026-11-24T10:00:00Z') }),
    );
    await withTransaction(db, (trx) =>
      changeStatus(trx, created.id, 'in_progress', system, { at: new Date('2026-11-27T10:00:00Z') }),
    );
    const row = await db
      .selectFrom('cases')
      .select(['due_at', 'sla_paused_at'])
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.sla_paused_at, null);
    assert.equal(row.due_at?.toISOString(), '2026-12-10T23:59:59.999Z');
  });
});

void describe('messages, notes and reads', () => {
  void test('notes stay internal; staff messages reach the resident; replies are on their timeline', async () => {
    const service = await makeService();
    const staff = await buildStaff(db, service.authorityId, { name: 'Sam Officer' });
    const created = await withTransaction(db, (trx) => createCase(trx, input(service)));
    await withTransaction(db, (trx) =>
      addNote(trx, created.id, {
        body: 'Checked the site photos.',
        staffId: staff.id,
        at: new Date('2026-11-23T11:00:00Z'),
      }),
    );
    await withTransaction(db, (trx) =>
      addMessage(trx, created.id, {
        from: 'staff',
        body: 'We will inspect it on Friday.',
        at: new Date('2026-11-23T12:00:00Z'),
        actor: { kind: 'staff', staffId: staff.id },
      }),
    );
    await assert.rejects(
      withTransaction(db, (trx) =>
        addNote(trx, created.id, { body: '  ', staffId: staff.id, at: new Date() }),
      ),
    );
    const resident = await getCaseTimeline(db, created.id, { customerVisibleOnly: true });
    assert.deepEqual(
      resident.map((e) => e.kind),
      ['message', 'created'],
    );
    assert.equal(resident[0].direction, 'outbound');
    assert.equal(resident[0].by, 'staff');
    assert.ok(!resident.some((e) => e.body === 'Checked the site photos.'));
    const all = await getCaseTimeline(db, created.id, { customerVisibleOnly: false });
    assert.ok(all.some((e) => e.kind === 'note' && e.staffName === 'Sam Officer'));
    const messages = await messagesFor(created.id);
    assert.deepEqual(
      messages.map((m) => m.template),
      ['case.acknowledgement', 'case.message'],
    );
    const interactions = await db
      .selectFrom('interactions')
      .select(['direction', 'agent_id'])
      .where('case_id', '=', created.id)
      .orderBy('occurred_at')
      .execute();
    assert.deepEqual(interactions, [
      { direction: 'inbound', agent_id: null },
      { direction: 'outbound', agent_id: staff.id },
    ]);
  });

  void test('a customer sees their cases with resident-facing labels; references are found however they are typed', async () => {
    const service = await makeService();
    const customer = await db
      .insertInto('customers')
      .values({
        authority_id: service.authorityId,
        given_name: 'Mary',
        family_name: 'Seacole',
        search_name: 'mary seacole',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const one = await withTransaction(db, (trx) =>
      createCase(trx, input(service, { customerId: customer.id, contact: null })),
    );
    const two = await withTransaction(db, (trx) =>
      createCase(
        trx,
        input(service, {
          customerId: customer.id,
          contact: null,
          receivedAt: new Date('2026-11-24T10:00:00Z'),
        }),
      ),
    );
    await withTransaction(db, (trx) => changeStatus(trx, one.id, 'triage', { kind: 'system' }));
    const list = await listCasesForCustomer(db, customer.id);
    assert.deepEqual(
      list.map((c) => [c.reference, c.statusLabel]).sort(),
      [
        [one.reference, 'Received'],
        [two.reference, 'Received'],
      ].sort(),
    );
    const row = await db
      .selectFrom('cases')
      .select(['guest_email', 'customer_id'])
      .where('id', '=', one.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(row, { guest_email: null, customer_id: customer.id });
    const typed = one.reference.toLowerCase().replace('-', ' ');
    assert.equal((await findByReference(db, typed))?.id, one.id);
    assert.equal((await findByReference(db, one.reference.replace('-', '')))?.id, one.id);
    assert.equal(await findByReference(db, 'OOOO-0000'), null);
  });
});
