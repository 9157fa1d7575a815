/**
 * Years of history at county scale, for benchmarks and realistic dashboards: customers with contact
 * points, then for each year and each service, cases and contacts in proportion to the service's
 * published annual volume, on working days with office-hours peaks. Deterministic for a seed (given the
 * same starting database and end date).
 *
 * Scaling rule: each generated customer stands for one resident of the county's 725,000, so a year's
 * volumes are `annualVolume × customers / 725,000` contacts and `annualCases × customers / 725,000`
 * cases per service (times `volumeFactor`, default 1). 725,000 customers reproduce the published year;
 * 2,000 customers give a small but proportionate one (about 1,300 contacts).
 *
 * Rows go in with one `unnest` insert per table per batch (at most `batchSize` rows each) and every batch
 * commits on its own, so memory stays flat however large the run, and a crash keeps what was committed.
 * Two batches are in flight at once: while the database writes one, this process builds the next.
 */
import type { Kysely } from 'kysely';
import type { DB, NewRow } from '../platform/db/index.ts';
import { DemoNamespace } from './area.ts';
import { insertCasesSkippingTaken, insertRows } from './bulk.repository.ts';
import { loadStoredArea } from './catalogue.ts';
import { countCustomersAndCases } from './seed.repository.ts';
import { HistoryBuilder, ServiceModel, type BuiltCase, type InteractionRow } from './history.ts';
import { PeopleFactory, type PersonRows } from './people.ts';
import { IdStream, Random } from './random.ts';
import { ReferenceSequence } from './references.ts';
import { TimeModel, channelClass } from './time.ts';

/** The county population the published volumes belong to. */
export const POPULATION_BASE = 725_000;
/** Share of the area's people who live in the city (155,000 of 880,000). */
export const CITY_SHARE = 155 / 880;

const DAY = 86_400_000;

export interface GenerateHistoryOptions {
  customers: number;
  years: number;
  seed?: number;
  /** History runs up to this instant (default now); cases still open then are left open. */
  endDate?: Date;
  onProgress?: (message: string) => void;
  /** Generate into a namespaced copy of the demo area (see seedDemo). */
  namespace?: string;
  /** Rows per insert statement, 1,000–5,000 (default 5,000). */
  batchSize?: number;
  /** Multiplies every volume (default 1). */
  volumeFactor?: number;
}

export interface ServiceVolume {
  slug: string;
  cases: number;
  contacts: number;
}

export interface GenerateHistorySummary {
  customers: number;
  contactPoints: number;
  cases: number;
  caseEvents: number;
  interactions: number;
  seconds: number;
  /** Cases and contacts written per service (base slug), over all years. */
  perService: Record<string, { cases: number; interactions: number }>;
}

/** Cases and contacts a year per service under the scaling rule. */
export function yearlyVolumes(
  definitions: readonly { slug: string; annualVolume: number; annualCases?: number }[],
  customers: number,
  volumeFactor = 1,
): ServiceVolume[] {
  const scale = (customers / POPULATION_BASE) * volumeFactor;
  return definitions.map((d) => {
    const cases = Math.round((d.annualCases ?? d.annualVolume) * scale);
    return { slug: d.slug, cases, contacts: Math.max(cases, Math.round(d.annualVolume * scale)) };
  });
}

/** Runs at most `limit` write tasks at once; the first failure stops new work and is rethrown. */
class Pipeline {
  private readonly inFlight = new Set<Promise<void>>();
  private failure: { error: unknown } | null = null;

  constructor(private readonly limit: number) {}

  async add(task: () => Promise<void>): Promise<void> {
    while (this.inFlight.size >= this.limit) await Promise.race(this.inFlight);
    if (this.failure) throw this.failure.error;
    const running: Promise<void> = task().then(
      () => {
        this.inFlight.delete(running);
      },
      (error: unknown) => {
        this.failure ??= { error };
        this.inFlight.delete(running);
      },
    );
    this.inFlight.add(running);
  }

  /** Waits for everything in flight; throws the first failure. */
  async drain(): Promise<void> {
    await Promise.all(this.inFlight);
    if (this.failure) throw this.failure.error;
  }
}

/** Picks customers with a realistic skew (a few people contact the council often) spread over the index space. */
class CustomerPicker {
  private readonly multiplier: number;

  constructor(private readonly count: number) {
    let m = 7919;
    const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
    while (count > 1 && gcd(m, count) !== 1) m += 2;
    this.multiplier = m;
  }

  pick(random: Random): number {
    const skewed = Math.floor(this.count * random.next() ** 1.6);
    return (skewed * this.multiplier + 12345) % this.count;
  }
}

function poisson(random: Random, mean: number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  for (let p = random.next(); p > limit; p *= random.next()) k += 1;
  return k;
}

const formatter = new Intl.NumberFormat('en-GB');
const n = (value: number) => formatter.format(Math.round(value));

/**
 * Adds customers and `years` of history to the demo area (seed it first). Returns what was written.
 */
export async function generateHistory(
  db: Kysely<DB>,
  options: GenerateHistoryOptions,
): Promise<GenerateHistorySummary> {
  const started = Date.now();
  const { customers, years } = options;
  if (!Number.isInteger(customers) || customers < 1)
    throw new RangeError('customers must be a whole number of at least 1');
  if (!Number.isInteger(years) || years < 1 || years > 20)
    throw new RangeError('years must be a whole number from 1 to 20');
  const batchSize = Math.min(5000, Math.max(1000, options.batchSize ?? 5000));
  const seed = options.seed ?? 1;
  const progress = options.onProgress ?? (() => undefined);
  const ns = new DemoNamespace(options.namespace);
  const area = await loadStoredArea(db, ns);
  if (!area)
    throw new Error(
      `The demo area (${ns.code('county')}, ${ns.code('city')}) is not there: run seedDemo first`,
    );

  const authorityIds = [area.authorityIds.county, area.authorityIds.city];
  const before = await countCustomersAndCases(db, authorityIds);
  // A second run with the same seed adds different people and references, not clashing copies.
  const runKey = `history|${ns.key}|${seed}|${before.customers}|${before.cases}`;

  const end = (options.endDate ?? new Date()).getTime();
  const startDate = new Date(end);
  startDate.setUTCFullYear(startDate.getUTCFullYear() - years);
  const start = startDate.getTime();
  const time = new TimeModel(new Date(start), new Date(end));
  const factory = new PeopleFactory({
    key: runKey,
    total: customers,
    cityShare: CITY_SHARE,
    authorityIds: area.authorityIds,
    createdFrom: start - 3 * 365 * DAY,
    createdTo: start,
    reviewAround: end,
  });
  const pipeline = new Pipeline(2);
  const summary: GenerateHistorySummary = {
    customers: 0,
    contactPoints: 0,
    cases: 0,
    caseEvents: 0,
    interactions: 0,
    seconds: 0,
    perService: {},
  };

  try {
    // Customers, with contact points, the odd vulnerability flag and carer/representative links.
    const relationIds = new IdStream('relationships', runKey);
    const relationRandom = Random.derive(seed, runKey, 'relationships');
    const customerStep = Math.max(1000, Math.floor(batchSize / 2));
    let reported = 0;
    for (let first = 0; first < customers; first += customerStep) {
      const last = Math.min(customers, first + customerStep);
      const rows: PersonRows[] = [];
      const relationships: NewRow<'customer_relationships'>[] = [];
      for (let i = first; i < last; i += 1) {
        const person = factory.person(i);
        rows.push(factory.rows(person, i));
        if (person.kind === 'person' && i > first && relationRandom.chance(0.01)) {
          const other = first + relationRandom.int(i - first);
          relationships.push({
            id: relationIds.next(),
            authority_id: person.authorityId,
            customer_id: person.id,
            related_customer_id: factory.idAt(other),
            kind: relationRandom.pick(['carer', 'representative', 'next_of_kin'] as const),
            notes: null,
            created_at: person.createdAt,
          });
        }
      }
      const points = rows.flatMap((r) => r.contactPoints);
      summary.customers += rows.length;
      summary.contactPoints += points.length;
      await pipeline.add(() =>
        db.transaction().execute(async (trx) => {
          await insertRows(
            trx,
            'customers',
            rows.map((r) => r.customer),
            batchSize,
          );
          await insertRows(trx, 'contact_points', points, batchSize);
          await insertRows(
            trx,
            'vulnerabilities',
            rows.flatMap((r) => r.vulnerabilities),
            batchSize,
          );
          await insertRows(trx, 'customer_relationships', relationships, batchSize);
        }),
      );
      if (last - reported >= customers / 10 || last === customers) {
        reported = last;
        progress(`customers: ${n(last)} of ${n(customers)} (${n(last / ((Date.now() - started) / 1000))}/s)`);
      }
    }
    await pipeline.drain();

    // History, year by year and service by service.
    const models = area.services.map((service) => new ServiceModel(service));
    const volumes = yearlyVolumes(
      models.map((m) => m.service.definition),
      customers,
      options.volumeFactor,
    );
    const history = new HistoryBuilder({
      time,
      now: end,
      ids: {
        cases: new IdStream('cases', runKey),
        events: new IdStream('events', runKey),
        interactions: new IdStream('interactions', runKey),
      },
      references: new ReferenceSequence(ns.key),
      referenceStart: before.cases,
    });
    const slugOf = new Map(models.map((m) => [m.service.id, m.service.definition.slug]));
    const everyone = new CustomerPicker(customers);
    const cityPeople = new CustomerPicker(Math.max(1, factory.cityCount));
    let builtCases: BuiltCase[] = [];
    let loose: InteractionRow[] = [];
    let pendingRows = 0;
    const historyStarted = Date.now();

    const flush = async () => {
      if (builtCases.length === 0 && loose.length === 0) return;
      const batch = builtCases;
      const contacts = loose;
      builtCases = [];
      loose = [];
      pendingRows = 0;
      await pipeline.add(() =>
        db.transaction().execute(async (trx) => {
          const inserted = await insertCasesSkippingTaken(
            trx,
            batch.map((b) => b.case),
          );
          const kept = inserted.size === batch.length ? batch : batch.filter((b) => inserted.has(b.case.id));
          const events = kept.flatMap((b) => b.events);
          const interactions = [...kept.flatMap((b) => b.interactions), ...contacts];
          await insertRows(trx, 'case_events', events, batchSize);
          await insertRows(trx, 'interactions', interactions, batchSize);
          summary.cases += kept.length;
          summary.caseEvents += events.length;
          summary.interactions += interactions.length;
          for (const b of kept) {
            const slug = slugOf.get(b.case.service_id) ?? '';
            const entry = (summary.perService[slug] ??= { cases: 0, interactions: 0 });
            entry.cases += 1;
            entry.interactions += b.interactions.length;
          }
          for (const c of contacts) {
            const entry = (summary.perService[slugOf.get(c.service_id ?? '') ?? ''] ??= {
              cases: 0,
              interactions: 0,
            });
            entry.interactions += 1;
          }
        }),
      );
    };
    for (let year = 0; year < years; year += 1) {
      const from = new Date(end);
      from.setUTCFullYear(from.getUTCFullYear() - (years - year));
      const to = new Date(end);
      to.setUTCFullYear(to.getUTCFullYear() - (years - year - 1));
      const yearStarted = Date.now();
      let yearContacts = 0;
      let yearCases = 0;
      for (const [index, model] of models.entries()) {
        const { service } = model;
        const volume = volumes[index];
        const random = Random.derive(seed, runKey, 'year', year, service.definition.slug);
        const picker = service.role === 'city' ? cityPeople : everyone;
        let contacts = 0;
        // Follow-ups (chasers, call-backs) come out of the service's contact volume, so contacts add up to it.
        let followUpsLeft = Math.min(
          Math.round(volume.cases * model.followUpRate),
          volume.contacts - volume.cases,
        );
        for (let c = 0; c < volume.cases; c += 1) {
          const followUps = Math.min(followUpsLeft, poisson(random, followUpsLeft / (volume.cases - c)));
          followUpsLeft -= followUps;
          const person = factory.person(picker.pick(random));
          const channel = model.channels.pick(random);
          const receivedAt = time.contactTime(
            random,
            from.getTime(),
            to.getTime(),
            channelClass(channel),
            service.teamCode,
          );
          const built = history.buildCase(random, model, person, {
            channel,
            receivedAt,
            followUps,
            firstContact: random.chance(model.firstContactShare),
          });
          contacts += built.interactions.length;
          pendingRows += 1 + built.events.length + built.interactions.length;
          builtCases.push(built);
          if (builtCases.length >= batchSize / 2 || pendingRows >= batchSize * 3) await flush();
        }
        // Contacts that needed no case: questions answered, signposting, transfers, abandoned calls.
        for (let c = contacts; c < volume.contacts; c += 1) {
          const channel = model.channels.pick(random);
          const at = time.contactTime(
            random,
            from.getTime(),
            to.getTime(),
            channelClass(channel),
            service.teamCode,
          );
          const personId = random.chance(0.05) ? null : factory.idAt(picker.pick(random));
          loose.push(history.buildContact(random, model, personId, channel, at));
          contacts += 1;
          pendingRows += 1;
          if (loose.length >= batchSize || pendingRows >= batchSize * 3) await flush();
        }
        yearContacts += contacts;
        yearCases += volume.cases;
      }
      await flush();
      const seconds = (Date.now() - yearStarted) / 1000;
      progress(
        `history ${from.toISOString().slice(0, 10)} to ${to.toISOString().slice(0, 10)}: ${n(yearCases)} cases, ${n(yearContacts)} contacts (${n(yearContacts / Math.max(seconds, 0.001))} contacts/s)`,
      );
    }
    await pipeline.drain();
    summary.seconds = (Date.now() - started) / 1000;
    const rows =
      summary.customers + summary.contactPoints + summary.cases + summary.caseEvents + summary.interactions;
    progress(
      `done in ${summary.seconds.toFixed(1)} s: ${n(summary.customers)} customers, ${n(summary.cases)} cases, ${n(summary.caseEvents)} case events, ${n(summary.interactions)} interactions (${n(rows / summary.seconds)} rows/s; history ${n(summary.interactions / ((Date.now() - historyStarted) / 1000))} interactions/s)`,
    );
    return summary;
  } catch (error) {
    await pipeline.drain().catch(() => undefined);
    throw error;
  }
}
