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
import {
  createCase,
  loadCaseService,
  newBindingSecret,
  readNewCaseFacts,
  type CaseService,
} from '../src/modules/cases/index.ts';
import { newCaseFacts } from '../src/modules/cases/cases.routing.repository.ts';
import { startDraft } from '../src/modules/forms/index.ts';
import { findDraftForSubmit } from '../src/modules/forms/forms.repository.ts';

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

async function make(service: CaseService, customerId: string | null, area: string) {
  const created = await withTransaction(db, (trx) =>
    createCase(trx, {
      service,
      customerId,
      contact: customerId ? null : { email: 'guest@example.com' },
      answers: { area },
      formVersion: 1,
      channel: 'web',
      receivedAt: new Date('2026-11-23T10:00:00Z'),
      idempotencyKey: uniq('key'),
    }),
  );
  const row = await db
    .selectFrom('cases')
    .select(['team_id', 'assignee_id', 'routing_reason'])
    .where('id', '=', created.id)
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

  test('the form submission reads the same routing facts with its draft as createCase reads alone', async () => {
    const s = await setup();
    await buildStaff(db, s.authority.id, { teamIds: [s.own.id], name: 'Own Member', languages: ['pl'] });
    await buildStaff(db, s.authority.id, { teamIds: [s.city.id], name: 'City Only' });
    const customer = await buildCustomer(db, s.authority.id, { email: `${uniq('c')}@example.com` });
    await db
      .updateTable('customers')
      .set({ preferred_language: 'pl', communication_needs: JSON.stringify(['bsl']) })
      .where('id', '=', customer.id)
      .execute();
    const at = new Date('2026-11-23T10:00:00Z');
    await make(s.service, customer.id, 'county'); // an earlier contact about the service
    const byId = (facts: Awaited<ReturnType<typeof newCaseFacts>>) => ({
      ...facts,
      candidates: [...facts.candidates].sort((a, b) => a.id.localeCompare(b.id)),
    });
    for (const customerId of [customer.id, null]) {
      const draftId = await startDraft(db, {
        service: s.service,
        bindingSecret: newBindingSecret(),
        customerId,
        channel: 'web',
        now: at,
      });
      const row = await findDraftForSubmit(db, draftId, new Date(at.getTime() + 60_000));
      assert.ok(row);
      const withDraft = readNewCaseFacts({
        teams: row.facts_teams,
        candidates: row.facts_candidates,
        customer: row.facts_customer,
        lastInbound: row.facts_last_inbound,
      });
      const alone = await newCaseFacts(db, {
        authorityId: s.service.authorityId,
        serviceId: s.service.id,
        serviceTeamId: s.service.teamId,
        ruleTeamCodes: [s.city.code],
        customerId,
        at: new Date(at.getTime() + 60_000),
      });
      assert.deepEqual(byId(withDraft), byId(alone));
      assert.equal(withDraft.candidates.length, 2, 'members of the own team and of the rule team');
      assert.equal(withDraft.customer?.preferred_language ?? null, customerId ? 'pl' : null);
      assert.equal(withDraft.lastInboundAbout !== null, customerId !== null);
    }
  });
});
