import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { migrateToLatest, openDatabase, type Database, type Db } from '../platform/db/index.ts';
import { TestClock } from '../platform/clock.ts';
import { loadServiceDefinitions } from '../modules/services/index.ts';
import { openTestDatabase } from '../../test/support/db.ts';
import { seedDemo } from './demo.ts';
import { POPULATION_BASE, generateHistory, yearlyVolumes, type GenerateHistorySummary } from './generator.ts';
import { runSeedCli, SeedCliUsageError } from './cli.ts';
import { REFERENCE_PATTERN } from './references.ts';

const clock = new TestClock('2026-11-20T12:00:00Z');
const endDate = new Date('2026-11-20T12:00:00Z');
const yearStart = new Date('2025-11-20T12:00:00Z');

async function areaIds(db: Db, ns: string): Promise<string[]> {
  const rows = await db
    .selectFrom('authorities')
    .select('id')
    .where('code', 'in', [`${ns}-county`, `${ns}-city`])
    .execute();
  return rows.map((r) => r.id);
}

describe('history generator (2,000 customers, 1 year)', () => {
  let database: Database;
  const ns = `g${randomUUID().slice(0, 8)}`;
  let summary: GenerateHistorySummary;
  let ids: string[];
  let demoCases: number;
  let demoCasesBeforeYear: number;

  before(async () => {
    database = await openTestDatabase();
    await seedDemo(database.db, { clock, namespace: ns, customers: 10 });
    ids = await areaIds(database.db, ns);
    demoCases = Number(
      (
        await database.db
          .selectFrom('cases')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('authority_id', 'in', ids)
          .executeTakeFirstOrThrow()
      ).n,
    );
    demoCasesBeforeYear = Number(
      (
        await database.db
          .selectFrom('cases')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('authority_id', 'in', ids)
          .where('received_at', '<', yearStart)
          .executeTakeFirstOrThrow()
      ).n,
    );
    summary = await generateHistory(database.db, {
      customers: 2000,
      years: 1,
      seed: 9,
      endDate,
      namespace: ns,
      batchSize: 1000,
    });
  });
  after(() => database.close());

  test('per-service case counts follow the scaling rule and stay in proportion to annual volumes', async () => {
    const definitions = loadServiceDefinitions();
    const expected = yearlyVolumes(definitions, 2000);
    const all = await database.db
      .selectFrom('cases')
      .innerJoin('services', 'services.id', 'cases.service_id')
      .select(['services.slug', (eb) => eb.fn.countAll<number>().as('n')])
      .where('cases.authority_id', 'in', ids)
      .groupBy('services.slug')
      .execute();
    const total = expected.reduce((sum, v) => sum + v.cases, 0);
    assert.equal(summary.cases, total);
    assert.equal(summary.customers, 2000);
    for (const volume of expected) {
      const definition = definitions.find((d) => d.slug === volume.slug);
      const exact = Math.round((definition?.annualCases ?? 0) * (2000 / POPULATION_BASE));
      assert.equal(volume.cases, exact, volume.slug);
      assert.equal(summary.perService[volume.slug]?.cases ?? 0, volume.cases, volume.slug);
      const stored = Number(all.find((r) => r.slug === `${ns}-${volume.slug}`)?.n ?? 0);
      assert.ok(stored >= volume.cases, `${volume.slug}: ${stored} stored, ${volume.cases} generated`);
    }
    // Proportions: adult social care referrals outnumber street light faults by their published ratio (25,278 : 1,150).
    const asc = summary.perService['adult-social-care-referral'].cases;
    const blueBadge = summary.perService['apply-for-a-blue-badge'].cases;
    assert.ok(Math.abs(asc / blueBadge - 25278 / 17315) < 0.1, `asc ${asc} : blue badge ${blueBadge}`);
  });

  test("contacts add up to each service's scaled annual volume and are never fewer than cases", () => {
    const expected = yearlyVolumes(loadServiceDefinitions(), 2000);
    for (const volume of expected) {
      const got = summary.perService[volume.slug] ?? { cases: 0, interactions: 0 };
      assert.ok(got.interactions >= got.cases, volume.slug);
      assert.equal(got.interactions, volume.contacts, volume.slug);
    }
    assert.ok(summary.interactions >= summary.cases);
  });

  test('history sits inside the year, on working days for office channels, with unique references', async () => {
    const { db } = database;
    const outside = await db
      .selectFrom('cases')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('authority_id', 'in', ids)
      .where('received_at', '<', yearStart)
      .executeTakeFirstOrThrow();
    assert.equal(
      Number(outside.n),
      demoCasesBeforeYear,
      'only the demo seed has cases from before the generated year',
    );
    const weekendCalls = await db
      .selectFrom('interactions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('authority_id', 'in', ids)
      .where('channel', 'in', ['phone', 'face_to_face'])
      .where('direction', '=', 'inbound')
      .where(sql<boolean>`extract(isodow from occurred_at at time zone 'Europe/London') in (6, 7)`)
      .executeTakeFirstOrThrow();
    assert.equal(Number(weekendCalls.n), 0);
    const refs = await db.selectFrom('cases').select('reference').where('authority_id', 'in', ids).execute();
    assert.equal(refs.length, demoCases + summary.cases);
    assert.equal(new Set(refs.map((r) => r.reference)).size, refs.length);
    for (const r of refs.slice(0, 200)) assert.match(r.reference, REFERENCE_PATTERN);
    const customers = await db
      .selectFrom('customers')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('authority_id', 'in', ids)
      .executeTakeFirstOrThrow();
    assert.equal(Number(customers.n), 2000 + 10 + 7);
  });

  test('a second run with the same seed adds new people and references without clashes', async () => {
    const second = await generateHistory(database.db, {
      customers: 300,
      years: 1,
      seed: 9,
      endDate,
      namespace: ns,
    });
    assert.equal(
      second.cases,
      yearlyVolumes(loadServiceDefinitions(), 300).reduce((sum, v) => sum + v.cases, 0),
    );
    const refs = await database.db
      .selectFrom('cases')
      .select('reference')
      .where('authority_id', 'in', ids)
      .execute();
    assert.equal(refs.length, demoCases + summary.cases + second.cases);
  });
});

test('the generator is deterministic for a seed', async () => {
  const snapshot = async () => {
    const database = await openDatabase({ engine: 'pglite', dataDir: 'memory' });
    try {
      await migrateToLatest(database.db);
      await seedDemo(database.db, { clock, customers: 5 });
      await generateHistory(database.db, { customers: 400, years: 1, seed: 21, endDate });
      const names = await database.db
        .selectFrom('customers')
        .select(['id', 'search_name'])
        .orderBy('id')
        .execute();
      const cases = await database.db
        .selectFrom('cases')
        .select(['reference', 'status', 'received_at', 'customer_id'])
        .orderBy('reference')
        .execute();
      return { names, cases };
    } finally {
      await database.close();
    }
  };
  const first = await snapshot();
  assert.ok(first.cases.length > 100);
  assert.deepEqual(await snapshot(), first);
});

test('the seed command seeds the demo, generates history and rejects bad arguments', async () => {
  const database = await openTestDatabase();
  try {
    const ns = `c${randomUUID().slice(0, 8)}`;
    const lines: string[] = [];
    await runSeedCli(
      ['--customers', '300', '--years', '1', '--seed', '4', '--end-date', '2026-11-20', '--namespace', ns],
      database,
      (line) => lines.push(line),
    );
    assert.equal(lines[0], 'Seeded the demo councils.');
    assert.ok(
      lines.some((l) => l.startsWith('done in')),
      lines.join('\n'),
    );
    const ids = await areaIds(database.db, ns);
    const customers = await database.db
      .selectFrom('customers')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('authority_id', 'in', ids)
      .executeTakeFirstOrThrow();
    assert.equal(Number(customers.n), 300 + 300 + 7);

    await assert.rejects(
      runSeedCli(['--customers', 'lots'], database, () => undefined),
      SeedCliUsageError,
    );
    await assert.rejects(
      runSeedCli(['--years', '2'], database, () => undefined),
      /--years needs --customers/,
    );
    await assert.rejects(
      runSeedCli(['--colour', 'blue'], database, () => undefined),
      SeedCliUsageError,
    );
    const help: string[] = [];
    await runSeedCli(['--help'], database, (line) => help.push(line));
    assert.match(help.join('\n'), /--customers N/);
  } finally {
    await database.close();
  }
});
