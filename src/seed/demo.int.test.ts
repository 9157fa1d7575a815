/**
 * The demo seed. Tests that need the real codes (`county`, `city`) use their own in-memory PGlite, so they
 * never write fixed-code data into a shared PostgreSQL test database; the rest use a unique namespace.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { migrateToLatest, openDatabase, type Database, type Db } from '../platform/db/index.ts';
import { TestClock } from '../platform/clock.ts';
import { ROLES, verifyPassword } from '../modules/identity/index.ts';
import { loadServiceDefinitions } from '../modules/services/index.ts';
import { openTestDatabase } from '../../test/support/db.ts';
import { DEMO_CUSTOMERS, DEMO_PASSWORD, demoCustomerIds, demoSignIns, seedDemo } from './demo.ts';
import { REFERENCE_PATTERN } from './references.ts';

const clock = new TestClock('2026-11-23T09:00:00Z');

async function memoryDatabase(): Promise<Database> {
  const database = await openDatabase({ engine: 'pglite', dataDir: 'memory' });
  await migrateToLatest(database.db);
  return database;
}

function namespace(): string {
  return `t${randomUUID().slice(0, 8)}`;
}

async function areaIds(db: Db, codes: string[]): Promise<string[]> {
  const rows = await db.selectFrom('authorities').select('id').where('code', 'in', codes).execute();
  return rows.map((r) => r.id);
}

describe('the demo area (shared test database, own namespace)', () => {
  let database: Database;
  let ns: string;
  let ids: string[];

  before(async () => {
    database = await openTestDatabase();
    ns = namespace();
    const summary = await seedDemo(database.db, { clock, namespace: ns, seed: 11 });
    assert.equal(summary.created, true);
    ids = await areaIds(database.db, [`${ns}-county`, `${ns}-city`]);
  });
  after(() => database.close());

  test('seeding creates both councils, the catalogue, every role and 300 customers with cases', async () => {
    const { db } = database;
    const authorities = await db
      .selectFrom('authorities')
      .select(['code', 'name', 'kind'])
      .where('id', 'in', ids)
      .orderBy('kind', 'desc')
      .execute();
    assert.deepEqual(authorities, [
      { code: `${ns}-county`, name: 'Wessex County Council', kind: 'county' },
      { code: `${ns}-city`, name: 'Kingsbridge City Council', kind: 'city' },
    ]);
    const services = await db
      .selectFrom('services')
      .select(['slug', 'keywords', 'synonyms', 'sensitivity', 'annual_volume'])
      .where('authority_id', 'in', ids)
      .execute();
    assert.ok(services.length >= 15, `${services.length} services`);
    assert.equal(services.length, loadServiceDefinitions().length);
    for (const s of services) assert.equal(s.keywords, s.synonyms.join(' '));
    assert.equal(
      services.find((s) => s.slug === `${ns}-adult-social-care-referral`)?.sensitivity,
      'restricted',
    );

    const roles = await db
      .selectFrom('staff_users')
      .select(sql<string>`unnest(roles)`.as('role'))
      .where('authority_id', 'in', ids)
      .execute();
    assert.deepEqual(new Set(roles.map((r) => r.role)), new Set(ROLES));
    const leaders = await db
      .selectFrom('staff_team_members')
      .select('staff_user_id')
      .where('authority_id', 'in', ids)
      .where('is_leader', '=', true)
      .execute();
    assert.ok(leaders.length >= 2);
    const polish = await db
      .selectFrom('staff_users')
      .select('email')
      .where('authority_id', 'in', ids)
      .where(sql<boolean>`languages @> array['pl', 'ur']`)
      .execute();
    assert.deepEqual(polish, [{ email: `agent@${ns}-county.example.gov.uk` }]);

    const withCases = await db
      .selectFrom('customers as c')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('c.authority_id', 'in', ids)
      .where((eb) =>
        eb.exists(eb.selectFrom('cases').select('cases.id').whereRef('cases.customer_id', '=', 'c.id')),
      )
      .executeTakeFirstOrThrow();
    assert.ok(Number(withCases.n) >= 300, `${withCases.n} customers with cases`);
  });

  test('both councils have an email, a postal address, phone hours, a BSL video relay link and offices, and a second run keeps edits', async () => {
    const { db } = database;
    const councils = await db
      .selectFrom('authorities')
      .select(['id', 'email', 'postal_address', 'phone_hours', 'bsl_video_relay_url'])
      .where('id', 'in', ids)
      .execute();
    for (const c of councils) {
      assert.match(c.email ?? '', /@.*\.example\.gov\.uk$/);
      assert.ok(c.postal_address && c.phone_hours && c.bsl_video_relay_url);
    }
    const offices = await db
      .selectFrom('offices')
      .select(['authority_id'])
      .where('authority_id', 'in', ids)
      .execute();
    assert.equal(offices.length, 3);
    await db.updateTable('authorities').set({ phone_hours: 'Edited' }).where('id', '=', ids[0]).execute();
    await seedDemo(db, { clock, namespace: ns, seed: 11 });
    const edited = await db
      .selectFrom('authorities')
      .select('phone_hours')
      .where('id', '=', ids[0])
      .executeTakeFirstOrThrow();
    assert.equal(edited.phone_hours, 'Edited');
    assert.equal(
      (await db.selectFrom('offices').select('id').where('authority_id', 'in', ids).execute()).length,
      3,
    );
  });

  test('running it twice does not duplicate anything', async () => {
    const count = async () =>
      (
        await sql<{ customers: number; cases: number; staff: number }>`select
          (select count(*) from customers where authority_id in (${sql.join(ids)}))::int as customers,
          (select count(*) from cases where authority_id in (${sql.join(ids)}))::int as cases,
          (select count(*) from staff_users where authority_id in (${sql.join(ids)}))::int as staff`.execute(
          database.db,
        )
      ).rows[0];
    const first = await count();
    const again = await seedDemo(database.db, { clock, namespace: ns, seed: 11 });
    assert.equal(again.created, false);
    assert.deepEqual(again.signIns, demoSignIns(ns));
    assert.deepEqual(await count(), first);
  });

  test('cases follow their workflows, references are unique and every channel has contacts', async () => {
    const { db } = database;
    const definitions = new Map(loadServiceDefinitions().map((d) => [`${ns}-${d.slug}`, d]));
    const cases = await db
      .selectFrom('cases')
      .innerJoin('services', 'services.id', 'cases.service_id')
      .select([
        'cases.reference',
        'cases.status',
        'cases.closed_at',
        'cases.received_at',
        'cases.due_at',
        'services.slug',
        'cases.team_id',
        'services.team_id as service_team',
      ])
      .where('cases.authority_id', 'in', ids)
      .execute();
    assert.equal(new Set(cases.map((c) => c.reference)).size, cases.length);
    for (const c of cases) {
      assert.match(c.reference, REFERENCE_PATTERN);
      const workflow = definitions.get(c.slug)?.workflow;
      assert.ok(workflow, c.slug);
      assert.ok(
        workflow.statuses.some((s) => s.code === c.status),
        `${c.slug}: ${c.status}`,
      );
      assert.equal(workflow.closed.includes(c.status), c.closed_at !== null, `${c.reference} ${c.status}`);
      assert.equal(c.team_id, c.service_team);
      assert.ok(c.received_at <= clock.now());
    }
    assert.ok(cases.filter((c) => c.closed_at === null).length >= 30, 'queues have open cases');

    const channels = await db
      .selectFrom('interactions')
      .select(['channel', (eb) => eb.fn.countAll<number>().as('n')])
      .where('authority_id', 'in', ids)
      .groupBy('channel')
      .execute();
    for (const channel of ['phone', 'web', 'email', 'face_to_face', 'webchat', 'letter']) {
      assert.ok(
        channels.some((c) => c.channel === channel),
        `no ${channel} contacts`,
      );
    }
    const calls = await db
      .selectFrom('interactions')
      .select(['queued_at', 'answered_at', 'ended_at', 'outcome', 'resolved_at_first_contact', 'direction'])
      .where('authority_id', 'in', ids)
      .where('channel', '=', 'phone')
      .execute();
    for (const call of calls.filter((c) => c.direction === 'inbound')) {
      assert.ok(call.queued_at && call.ended_at && call.queued_at <= call.ended_at);
      if (call.answered_at)
        assert.ok(call.queued_at <= call.answered_at && call.answered_at <= call.ended_at);
      else assert.equal(call.outcome, 'abandoned');
    }
    assert.ok(calls.some((c) => c.resolved_at_first_contact));

    const events = await db
      .selectFrom('case_events')
      .select(['kind', 'visible_to_customer'])
      .where('authority_id', 'in', ids)
      .distinct()
      .execute();
    for (const kind of ['created', 'status_changed', 'message', 'note'])
      assert.ok(
        events.some((e) => e.kind === kind),
        kind,
      );
    assert.ok(events.some((e) => e.kind === 'message' && e.visible_to_customer));
    assert.ok(events.some((e) => e.kind === 'note' && !e.visible_to_customer));
  });

  test('issue 12 item 6: every seeded message says which way it went: from the resident who wrote it, or from the council', async () => {
    const messages = await database.db
      .selectFrom('case_events')
      .select(['data', 'actor_customer_id', 'actor_staff_id'])
      .where('authority_id', 'in', ids)
      .where('kind', '=', 'message')
      .execute();
    assert.ok(messages.some((m) => m.actor_customer_id) && messages.some((m) => m.actor_staff_id));
    for (const m of messages)
      assert.equal(m.data.direction, m.actor_customer_id ? 'inbound' : 'outbound', JSON.stringify(m));
  });

  test('issue 12 item 24: closed FOI, SAR and complaint cases have the records the reports and the disclosure log read', async () => {
    const { db } = database;
    const closed = await db
      .selectFrom('cases as c')
      .innerJoin('services as s', 's.id', 'c.service_id')
      .select(['c.id', 's.kind'])
      .where('c.authority_id', 'in', ids)
      .where('c.closed_at', 'is not', null)
      .where('s.kind', 'in', ['foi', 'sar', 'complaint'])
      .execute();
    assert.ok(closed.some((c) => c.kind === 'foi') && closed.some((c) => c.kind === 'complaint'));
    const requests = await db
      .selectFrom('information_requests')
      .select(['case_id', 'regime', 'status', 'responded_on', 'due_on', 'published_at', 'disclosure_title'])
      .where('authority_id', 'in', ids)
      .execute();
    const stages = await db
      .selectFrom('complaint_stages as g')
      .innerJoin('complaints as x', 'x.id', 'g.complaint_id')
      .select(['x.case_id', 'g.responded_on', 'g.respond_by', 'x.root_cause'])
      .where('x.authority_id', 'in', ids)
      .execute();
    for (const c of closed) {
      if (c.kind === 'complaint') {
        const stage = stages.find((g) => g.case_id === c.id);
        assert.ok(stage?.responded_on && stage.respond_by && stage.root_cause, `complaint ${c.id}`);
      } else {
        const request = requests.find((r) => r.case_id === c.id);
        assert.equal(request?.regime, c.kind);
        assert.equal(request.status, 'responded');
        assert.ok(request.responded_on && request.due_on);
      }
    }
    const published = requests.filter((r) => r.published_at);
    assert.ok(published.length > 0, 'some FOI answers are in the disclosure log');
    assert.ok(published.every((r) => r.regime === 'foi' && r.disclosure_title));

    const answers = await db
      .selectFrom('feedback')
      .select(['satisfaction', 'case_id'])
      .where('authority_id', 'in', ids)
      .where('kind', '=', 'contact')
      .execute();
    assert.ok(answers.length > 0 && answers.every((a) => a.satisfaction && a.case_id));
    const improvements = await db
      .selectFrom('improvements')
      .select('id')
      .where('authority_id', 'in', ids)
      .execute();
    assert.equal(improvements.length, 6);
  });

  test('contact details use only reserved example domains, drama phone numbers and normalised postcodes', async () => {
    const points = await database.db
      .selectFrom('contact_points')
      .select(['kind', 'value', 'normalised', 'address'])
      .where('authority_id', 'in', ids)
      .execute();
    for (const p of points) {
      if (p.kind === 'email') assert.match(p.normalised, /@(?:[a-z0-9-]+\.)?example\.(?:com|org)$/);
      if (p.kind === 'phone') {
        assert.match(p.value, /^(07700 900\d{3}|01632 960\d{3})$/);
        assert.equal(p.normalised, `+44${p.value.replace(/\s/g, '').slice(1)}`);
      }
      if (p.kind === 'address') {
        assert.match(p.address?.postcode ?? '', /^(KB|WX)\d{1,2} \d[A-Z]{2}$/);
        assert.equal(p.normalised, p.address?.postcode.replace(' ', ''));
      }
    }
    const staff = await database.db
      .selectFrom('staff_users')
      .select(['email', 'password_hash'])
      .where('authority_id', 'in', ids)
      .execute();
    for (const s of staff) assert.match(s.email, /\.example\.gov\.uk$/);
    assert.equal(new Set(staff.map((s) => s.password_hash)).size, 1, 'one hash shared by every demo account');
    assert.equal(await verifyPassword(staff[0].password_hash ?? '', DEMO_PASSWORD), true);
  });

  test('a failure part-way through leaves nothing behind', async () => {
    const broken = namespace();
    const definitions = loadServiceDefinitions();
    // Two services with one slug: the services insert fails after the authorities went in.
    await assert.rejects(
      seedDemo(database.db, {
        clock,
        namespace: broken,
        customers: 5,
        definitions: [...definitions, definitions[0]],
      }),
    );
    assert.deepEqual(await areaIds(database.db, [`${broken}-county`, `${broken}-city`]), []);
  });
});

describe('the demo area with its real codes (own in-memory database)', () => {
  let database: Database;

  before(async () => {
    database = await memoryDatabase();
    await seedDemo(database.db, { clock, customers: 50 });
  });
  after(() => database.close());

  test('sign-ins use the documented emails and the demo password', async () => {
    const signIns = demoSignIns();
    assert.ok(
      signIns.some(
        (s) => s.email === 'agent@county.example.gov.uk' && s.role === 'agent' && s.team === 'contact-centre',
      ),
    );
    assert.ok(signIns.some((s) => s.email === 'agent@city.example.gov.uk' && s.role === 'agent'));
    assert.ok(signIns.every((s) => s.password === DEMO_PASSWORD));
    const stored = await database.db.selectFrom('staff_users').select('email').orderBy('email').execute();
    assert.deepEqual(
      stored.map((s) => s.email),
      signIns.map((s) => s.email).sort(),
    );
  });

  test('Margaret Thompson has her documented details and open cases with both councils', async () => {
    const { db } = database;
    const ids = await demoCustomerIds(db);
    const margaret = await db
      .selectFrom('customers')
      .selectAll()
      .where('id', '=', ids.margaret)
      .executeTakeFirstOrThrow();
    assert.equal(margaret.search_name, 'margaret thompson');
    assert.equal(margaret.date_of_birth, '1948-03-14');
    const points = await db
      .selectFrom('contact_points')
      .select(['kind', 'value', 'normalised'])
      .where('customer_id', '=', ids.margaret)
      .orderBy('kind')
      .execute();
    assert.deepEqual(points, [
      { kind: 'address', value: '14 Cathedral Close, Kingsbridge, KB1 4QT', normalised: 'KB14QT' },
      { kind: 'email', value: DEMO_CUSTOMERS.margaret.email, normalised: DEMO_CUSTOMERS.margaret.email },
      { kind: 'phone', value: '07700 900123', normalised: '+447700900123' },
    ]);
    const open = await db
      .selectFrom('cases')
      .innerJoin('services', 'services.id', 'cases.service_id')
      .innerJoin('authorities', 'authorities.id', 'cases.authority_id')
      .select(['cases.reference', 'services.slug', 'authorities.code', 'cases.status'])
      .where('cases.customer_id', '=', ids.margaret)
      .where('cases.closed_at', 'is', null)
      .orderBy('services.slug')
      .execute();
    // The references are documented in docs/demo-data.md.
    assert.deepEqual(open, [
      { reference: 'JKZR-HMEN', slug: 'apply-for-a-blue-badge', code: 'county', status: 'under_review' },
      { reference: 'P999-VLTM', slug: 'report-a-missed-bin', code: 'city', status: 'return_scheduled' },
    ]);
  });

  test('Tomasz Nowak prefers Polish and Ayesha Khan has a vulnerability flag', async () => {
    const { db } = database;
    const ids = await demoCustomerIds(db);
    const tomasz = await db
      .selectFrom('customers')
      .select(['preferred_language', 'communication_needs'])
      .where('id', '=', ids.tomasz)
      .executeTakeFirstOrThrow();
    assert.deepEqual(tomasz, { preferred_language: 'pl', communication_needs: ['interpreter:pl'] });
    const flags = await db
      .selectFrom('vulnerabilities')
      .select(['reason', 'consent_given'])
      .where('customer_id', '=', ids.ayesha)
      .execute();
    assert.equal(flags.length, 1);
    assert.equal(flags[0].consent_given, true);
    const carers = await db
      .selectFrom('customer_relationships')
      .select(['kind', 'related_customer_id'])
      .where('customer_id', '=', ids.eileen)
      .orderBy('kind')
      .execute();
    assert.deepEqual(carers, [
      { kind: 'carer', related_customer_id: ids.gareth },
      { kind: 'representative', related_customer_id: ids.gareth },
    ]);
  });
});

test('the same seed gives the same customers and references; another seed does not', async () => {
  const snapshot = async (seed: number) => {
    const database = await memoryDatabase();
    try {
      await seedDemo(database.db, { clock, seed, customers: 40 });
      const names = await database.db
        .selectFrom('customers')
        .select('search_name')
        .orderBy('created_at')
        .orderBy('search_name')
        .execute();
      const refs = await database.db
        .selectFrom('cases')
        .select(['reference', 'status'])
        .orderBy('reference')
        .execute();
      const margaret = (await demoCustomerIds(database.db)).margaret;
      const margaretRefs = await database.db
        .selectFrom('cases')
        .select('reference')
        .where('customer_id', '=', margaret)
        .orderBy('reference')
        .execute();
      return {
        names: names.map((n) => n.search_name),
        refs: refs.map((r) => `${r.reference} ${r.status}`),
        margaret: margaretRefs.map((r) => r.reference),
      };
    } finally {
      await database.close();
    }
  };
  const first = await snapshot(5);
  assert.ok(first.names.length >= 40 && first.refs.length >= 40);
  assert.deepEqual(await snapshot(5), first);
  const other = await snapshot(6);
  assert.notDeepEqual(other.names, first.names);
  assert.notDeepEqual(other.refs, first.refs);
  // The named customers' cases are made first, so their references do not depend on the seed.
  assert.deepEqual(other.margaret, first.margaret);
});
