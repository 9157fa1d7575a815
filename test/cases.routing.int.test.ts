/**
 * Routing in createCase against a real database: an answer rule sends the case to another team of the
 * council; the case is offered to an available team member who speaks the customer's language; the
 * reason is stored as `routing_reason` and as a staff-only `routed` event; nobody suitable → team queue.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildAuthority, buildStaff, buildTeam, uniq } from './builders/index.ts';
import { buildCustomer } from './builders/customers.ts';
import { openTestDatabase } from './support/db.ts';
import { withTransaction, type Database, type Db } from '../src/platform/db/index.ts';
import { sql } from 'kysely';
import {
  createCase,
  loadCaseService,
  newCaseFactsColumns,
  readNewCaseFacts,
  ruleTeamCodesOf,
  type CaseService,
} from '../src/modules/cases/index.ts';

let database: Database;
let db: Db;
before(async () => {
  database = await openTestDatabase();
  db = database.db;
});
after(() => database.close());

async function setup() {
  const authority = await buildAuthority(db);
  const own = await buildTeam(db, authority.id, { name: 'Blue Badge team' });
  const city = await buildTeam(db, authority.id, { name: 'City team' });
  const slug = uniq('route');
  const def = {
    version: 1,
    slug,
    name: 'Apply for a routing test badge',
    authority: 'county',
    team: 'x',
    category: 'Test services',
    summary: 'A service used by the routing tests.',
    beforeYouStart: [],
    synonyms: [],
    sensitivity: 'normal',
    kind: 'application',
    sla: { unit: 'working_days', amount: 10 },
    retentionDays: 365,
    annualVolume: 0,
    workflow: {
      statuses: [
        {
          code: 'received',
          label: 'Received',
          customerLabel: 'Received',
          customerVisible: true,
          next: ['closed'],
        },
        { code: 'closed', label: 'Closed', customerLabel: 'Finished', customerVisible: true, next: [] },
      ],
      initial: 'received',
      closed: ['closed'],
    },
    routing: {
      rules: [
        {
          when: { question: 'area', equals: 'city' },
          team: city.code,
          reason: 'City residents go to the City team.',
        },
      ],
    },
    form: {
      pages: [
        {
          id: 'details',
          title: 'Details',
          questions: [
            {
              id: 'area',
              type: 'radios',
              label: 'Where do you live?',
              required: true,
              options: [
                { value: 'city', label: 'City' },
                { value: 'county', label: 'County' },
              ],
            },
          ],
        },
      ],
    },
  };
  const row = await db
    .insertInto('services')
    .values({
      authority_id: authority.id,
      team_id: own.id,
      slug,
      name: def.name,
      category: def.category,
      summary: def.summary,
      definition: JSON.stringify(def),
      definition_version: 1,
      sla: JSON.stringify(def.sla),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const service = (await loadCaseService(db, { id: row.id })) as CaseService;
  return { authority, own, city, service };
}

/**
 * The routing facts read as columns of a query over the stored service, as the form submission reads them
 * with its draft (`newCaseFactsColumns` with column references; rule team codes from the stored JSON).
 */
async function factsReadWithService(service: CaseService, customerId: string | null, at: Date) {
  const facts = newCaseFactsColumns({
    authorityId: sql.ref('s.authority_id'),
    serviceId: sql.ref('s.id'),
    serviceTeamId: sql.ref('s.team_id'),
    ruleTeamCodes: ruleTeamCodesOf(sql.ref('s.definition')),
    customerId: sql<string | null>`${customerId}::uuid`,
    at,
  });
  const row = await db
    .selectFrom('services as s')
    .select([
      facts.teams.as('teams'),
      facts.candidates.as('candidates'),
      facts.customer.as('customer'),
      facts.lastInbound.as('lastInbound'),
    ])
    .where('s.id', '=', service.id)
    .executeTakeFirstOrThrow();
  return readNewCaseFacts(row);
}

async function make(
  service: CaseService,
  customerId: string | null,
  area: string,
  options: { factsWithService?: boolean } = {},
) {
  const receivedAt = new Date('2026-11-23T10:00:00Z');
  const routingFacts = options.factsWithService
    ? await factsReadWithService(service, customerId, receivedAt)
    : undefined;
  const created = await withTransaction(db, (trx) =>
    createCase(trx, {
      service,
      customerId,
      contact: customerId ? null : { email: 'guest@example.com' },
      answers: { area },
      formVersion: 1,
      channel: 'web',
      receivedAt,
      idempotencyKey: uniq('key'),
      routingFacts,
    }),
  );
  const row = await db
    .selectFrom('cases as c')
    .innerJoin('interactions as i', 'i.case_id', 'c.id')
    .select(['c.team_id', 'c.assignee_id', 'c.routing_reason', 'i.is_repeat'])
    .where('c.id', '=', created.id)
    .executeTakeFirstOrThrow();
  const events = await db
    .selectFrom('case_events')
    .select(['body', 'visible_to_customer'])
    .where('case_id', '=', created.id)
    .where('kind', '=', 'routed')
    .execute();
  return { created, row, events };
}

void describe('routing new cases', () => {
  test('offers the case to an available team member who speaks the customer language, with the reason', async () => {
    const s = await setup();
    await buildStaff(db, s.authority.id, { teamIds: [s.own.id], name: 'Ben Jones', languages: ['en'] });
    await buildStaff(db, s.authority.id, {
      teamIds: [s.own.id],
      name: 'Away Person',
      languages: ['pl'],
    }).then((u) => db.updateTable('staff_users').set({ available: false }).where('id', '=', u.id).execute());
    const amira = await buildStaff(db, s.authority.id, {
      teamIds: [s.own.id],
      name: 'Amira Khan',
      languages: ['en', 'pl'],
    });
    const customer = await buildCustomer(db, s.authority.id, { email: `${uniq('c')}@example.com` });
    await db
      .updateTable('customers')
      .set({ preferred_language: 'pl' })
      .where('id', '=', customer.id)
      .execute();

    const { created, row, events } = await make(s.service, customer.id, 'county');
    assert.equal(created.teamId, s.own.id);
    assert.equal(row.team_id, s.own.id);
    assert.equal(row.assignee_id, amira.id);
    assert.equal(
      row.routing_reason,
      'Blue Badge team handles "Apply for a routing test badge". Offered to Amira Khan: speaks Polish, the customer\'s language.',
    );
    assert.deepEqual(events, [{ body: row.routing_reason, visible_to_customer: false }]);
  });

  test('an answer rule sends the case to another team; with nobody suitable it waits on the queue', async () => {
    const s = await setup();
    await buildStaff(db, s.authority.id, { teamIds: [s.city.id], name: 'Cy Member', languages: ['en'] });
    const { row } = await make(s.service, null, 'city');
    assert.equal(row.team_id, s.city.id);
    assert.equal(row.assignee_id, null);
    assert.equal(row.routing_reason, 'City residents go to the City team. It waits on the team queue.');
  });

  test('facts read with the service (as the form submission does) route exactly as createCase reading them itself', async () => {
    // Two councils set up alike: one routes with the facts createCase reads, the other with the facts read
    // with the service. The second case of the customer is a repeat contact in both.
    const world = async () => {
      const s = await setup();
      await buildStaff(db, s.authority.id, { teamIds: [s.own.id], name: 'Own Member', languages: ['pl'] });
      await buildStaff(db, s.authority.id, { teamIds: [s.city.id], name: 'City Member', languages: ['pl'] });
      const customer = await buildCustomer(db, s.authority.id, { email: `${uniq('c')}@example.com` });
      await db
        .updateTable('customers')
        .set({ preferred_language: 'pl' })
        .where('id', '=', customer.id)
        .execute();
      return { ...s, customerId: customer.id };
    };
    const [a, b] = [await world(), await world()];
    const facts = await factsReadWithService(b.service, b.customerId, new Date('2026-11-23T10:00:00Z'));
    assert.deepEqual(facts.candidates.map((c) => c.name).sort(), ['City Member', 'Own Member']);
    assert.equal(facts.teams.length, 2);
    assert.equal(facts.customer?.preferred_language, 'pl');
    const outcome = (r: Awaited<ReturnType<typeof make>>, s: typeof a) => ({
      team: r.row.team_id === s.city.id ? 'city' : r.row.team_id === s.own.id ? 'own' : 'other',
      assigned: r.row.assignee_id !== null,
      reason: r.row.routing_reason,
      repeat: r.row.is_repeat,
    });
    for (const who of ['customer', 'guest'] as const)
      for (const area of ['city', 'county']) {
        const alone = await make(a.service, who === 'customer' ? a.customerId : null, area);
        const withService = await make(b.service, who === 'customer' ? b.customerId : null, area, {
          factsWithService: true,
        });
        assert.deepEqual(outcome(withService, b), outcome(alone, a), `${area}, ${who}`);
      }
  });
});
