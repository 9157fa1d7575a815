/**
 * Customer search benchmark (issue 4; budget: staff customer search p95 ≤ 50 ms at 1,000,000 customers).
 *
 *   npx tsx bench/customer-search.ts --customers 100000 [--queries 400] [--seed 42] [--pglite ./data/bench]
 *
 * Uses PostgreSQL at BENCH_DATABASE_URL when set, else a PGlite folder (default ./data/bench-customers).
 * Bulk-loads N synthetic customers with an email, a phone and an address each (multi-row inserts of 5,000,
 * deterministic PRNG; a third have a case), unless a previous run already loaded the same N and seed into
 * that database. Then runs the queries (misspelt names, full names, phones in several formats, postcodes with
 * and without a space, dates of birth in several formats, case references) through the module's own
 * `searchCustomers`, and reports p50/p95/p99 of the round trip and of PostgreSQL's own "Execution Time"
 * (EXPLAIN (ANALYZE, FORMAT JSON) of the same statement). `run(options)` returns the figures for `npm run bench`.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import { openDatabase, migrateToLatest, type Db, type Database } from '../src/platform/db/index.ts';
import {
  explainCustomerSearch,
  normaliseAddress,
  normaliseEmail,
  normalisePhone,
  parseSearchQuery,
  searchCustomers,
  searchNameOf,
  type CustomerScope,
} from '../src/modules/customers/index.ts';

export interface CustomerSearchBenchOptions {
  customers: number;
  queries?: number;
  seed?: number;
  /** PostgreSQL URL; when absent a PGlite folder is used. */
  databaseUrl?: string;
  pgliteDir?: string;
  /** Print progress and the table (default true). */
  log?: boolean;
}

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export interface CustomerSearchBenchResult {
  engine: 'postgres' | 'pglite';
  customers: number;
  contactPoints: number;
  queries: number;
  loadSeconds: number | null;
  roundTripMs: Percentiles;
  executionMs: Percentiles;
  byKind: Record<
    string,
    { count: number; roundTripMs: Percentiles; executionMs: Percentiles; meanResults: number }
  >;
}

/** mulberry32: small, fast, deterministic. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GIVEN =
  `Oliver George Harry Jack Noah Leo Arthur Muhammad Oscar Charlie Jacob Thomas Henry William Alfie Joshua
Freddie Archie Theo Isaac James Edward Samuel Joseph Daniel David Michael Peter Paul Richard Robert John Stephen Mark
Olivia Amelia Isla Ava Mia Ivy Lily Isabella Rosie Sophia Grace Freya Willow Florence Emily Ella Poppy Evie Elsie
Margaret Patricia Susan Linda Barbara Elizabeth Jennifer Maria Sarah Karen Nancy Lisa Betty Dorothy Sandra Ashley
Kimberly Donna Carol Michelle Emma Amanda Helen Deborah Rachel Laura Priya Aisha Fatima Zainab Mohammed Ahmed Ali
Tunde Chidi Ngozi Kwame Wojciech Agnieszka Piotr Katarzyna Siobhan Niamh Ciaran Aoife Rhys Cerys Dylan Megan Bethan`.split(
    /\s+/,
  );
const FAMILY =
  `Smith Jones Taylor Brown Williams Wilson Johnson Davies Patel Robinson Wright Thompson Evans Walker White
Roberts Green Hall Thomas Clarke Jackson Wood Harris Edwards Turner Martin Cooper Hill Ward Hughes Moore Clark King
Harrison Lewis Baker Lee Allen Morris Khan Scott Watson Davis Parker James Bennett Young Phillips Richardson Mitchell
Bailey Carter Cook Singh Shaw Bell Collins Morgan Kelly Begum Miller Cox Hussain Marshall Simpson Price Anderson Adams
Wilkinson Ali Ahmed Foster Ellis Murphy Chapman Mason Gray Richards Webb Griffiths Hunt Palmer Campbell Holmes Mills
Rogers Barnes Knight Matthews Barker Powell Stevens Kaur Fisher Butler Dixon Russell Harvey Pearson Graham Okafor
Nowak Kowalski Nguyen Murray Fletcher Kennedy Burns Gordon Okonkwo Mensah Osei Byrne Gallagher Doherty Pemberton
Ashworth Fairbrother Hargreaves Winterbottom Ramsbottom Cholmondeley Featherstonehaugh Montgomery Blackwood`.split(
    /\s+/,
  );
const STREETS =
  `High Street|Station Road|Church Lane|Mill Lane|Victoria Road|Main Street|Park Road|The Green|London Road
|Manor Road|Church Street|Queens Road|New Road|Kings Road|Green Lane|Orchard Way|School Lane|The Crescent|Chapel Street
|Springfield Road|Grange Road|Albert Road|Windmill Hill|Mount Pleasant|Quarry Lane|Meadow View|Castle Street`
    .split('|')
    .map((s) => s.trim());
const TOWNS = [
  'Kingsbridge',
  'Wessex Magna',
  'Ashcombe',
  'Brierley',
  'Coldharbour',
  'Dunmere',
  'Eastwell',
  'Fernham',
];
const REF_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const BATCH = 5000;

interface Person {
  id: string;
  given: string;
  family: string;
  dob: string;
  email: string;
  phone: string;
  line1: string;
  town: string;
  postcode: string;
  reference: string | null;
}

function uuidFrom(rand: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(rand() * 16).toString(16));
  hex[12] = '4';
  hex[16] = '89ab'[Math.floor(rand() * 4)];
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function person(rand: () => number, i: number, benchKey: string): Person {
  const pick = <T>(list: T[]) => list[Math.floor(rand() * list.length)];
  const given = pick(GIVEN);
  const family = pick(FAMILY);
  const year = 1925 + Math.floor(rand() * 83);
  const month = 1 + Math.floor(rand() * 12);
  const day = 1 + Math.floor(rand() * 28);
  const area = ['KB', 'WX', 'AS', 'BR', 'CH', 'DN'][Math.floor(rand() * 6)];
  const postcode = `${area}${1 + Math.floor(rand() * 30)} ${Math.floor(rand() * 10)}${REF_ALPHABET[Math.floor(rand() * 24)]}${REF_ALPHABET[Math.floor(rand() * 24)]}`;
  const mobile = String(7_000_000_000 + i * 7 + Math.floor(rand() * 7)).padStart(10, '0');
  let reference: string | null = null;
  if (rand() < 0.33) {
    reference = '';
    for (let k = 0; k < 8; k++) reference += REF_ALPHABET[Math.floor(rand() * 32)];
    reference = `${reference.slice(0, 4)}-${reference.slice(4)}`;
  }
  return {
    id: uuidFrom(rand),
    given,
    family,
    dob: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
    email: `${given}.${family}${i}@${benchKey}.example.com`.toLowerCase(),
    phone: `0${mobile}`,
    line1: `${1 + Math.floor(rand() * 200)} ${pick(STREETS)}`,
    town: pick(TOWNS),
    postcode,
    reference,
  };
}

function percentiles(values: number[]): Percentiles {
  if (values.length === 0) return { p50: 0, p95: 0, p99: 0, max: 0, mean: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    p50: round(at(50)),
    p95: round(at(95)),
    p99: round(at(99)),
    max: round(sorted[sorted.length - 1]),
    mean: round(values.reduce((s, v) => s + v, 0) / values.length),
  };
}

async function load(db: Db, n: number, seed: number, log: (m: string) => void) {
  const code = `bench-customers-${n}-${seed}`;
  const existing = await db
    .selectFrom('authorities')
    .select('id')
    .where('code', '=', code)
    .executeTakeFirst();
  // Mix N into the seed: loads of different sizes into one database get different ids.
  const rand = prng(Math.imul(seed, 0x9e3779b1) ^ n);
  const benchKey = `b${seed}n${n}`;
  if (existing) {
    const team = await db
      .selectFrom('teams')
      .select('id')
      .where('authority_id', '=', existing.id)
      .executeTakeFirstOrThrow();
    const people: Person[] = [];
    for (let i = 0; i < n; i++) people.push(person(rand, i, benchKey));
    const [{ count }] = await db
      .selectFrom('customers')
      .select(db.fn.countAll<number>().as('count'))
      .where('authority_id', '=', existing.id)
      .execute();
    if (Number(count) === n) {
      log(`Reusing ${n} customers loaded earlier (authority ${code}).`);
      return { authorityId: existing.id, teamId: team.id, people, loadSeconds: null };
    }
    throw new Error(
      `Authority ${code} exists with ${count} customers, not ${n}: use another --seed or database.`,
    );
  }
  const started = performance.now();
  // One transaction: an interrupted load leaves nothing behind.
  const ids = await db.transaction().execute(async (db) => {
    const authority = await db
      .insertInto('authorities')
      .values({ code, name: `Benchmark council (${n})`, kind: 'county', website: null, phone: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    const team = await db
      .insertInto('teams')
      .values({ authority_id: authority.id, code: 'bench', name: 'Benchmark team', email: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    const service = await db
      .insertInto('services')
      .values({
        authority_id: authority.id,
        team_id: team.id,
        slug: `${code}-service`,
        name: 'Benchmark service',
        category: 'Benchmark',
        summary: 'Used by the customer search benchmark.',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const people: Person[] = [];
    for (let i = 0; i < n; i++) people.push(person(rand, i, benchKey));
    for (let start = 0; start < n; start += BATCH) {
      const batch = people.slice(start, start + BATCH);
      await db
        .insertInto('customers')
        .values(
          batch.map((p) => ({
            id: p.id,
            authority_id: authority.id,
            given_name: p.given,
            family_name: p.family,
            title: null,
            organisation_name: null,
            date_of_birth: p.dob,
            search_name: searchNameOf(p.given, p.family),
            merged_into: null,
          })),
        )
        .execute();
      const points = batch.flatMap((p) => {
        const address = { line1: p.line1, town: p.town, postcode: p.postcode };
        return [
          {
            kind: 'email' as const,
            value: p.email,
            normalised: normaliseEmail(p.email)!,
            address: null,
            customer: p.id,
          },
          {
            kind: 'phone' as const,
            value: p.phone,
            normalised: normalisePhone(p.phone)!,
            address: null,
            customer: p.id,
          },
          {
            kind: 'address' as const,
            value: `${p.line1}, ${p.town}, ${p.postcode}`,
            normalised: normaliseAddress(address),
            address: JSON.stringify(address),
            customer: p.id,
          },
        ];
      });
      for (let k = 0; k < points.length; k += BATCH) {
        await db
          .insertInto('contact_points')
          .values(
            points.slice(k, k + BATCH).map((c) => ({
              authority_id: authority.id,
              customer_id: c.customer,
              kind: c.kind,
              value: c.value,
              normalised: c.normalised,
              address: c.address,
              uprn: null,
              is_primary: true,
              verified_at: null,
            })),
          )
          .execute();
      }
      const cases = batch.filter((p) => p.reference);
      if (cases.length)
        await db
          .insertInto('cases')
          .values(
            cases.map((p) => ({
              authority_id: authority.id,
              reference: p.reference!,
              service_id: service.id,
              customer_id: p.id,
              representative_id: null,
              status: 'received',
              origin_channel: 'phone',
              team_id: team.id,
              assignee_id: null,
              received_at: new Date('2026-11-01T10:00:00Z'),
              due_at: new Date('2026-12-01T10:00:00Z'),
              sla_paused_at: null,
              location: null,
              outcome: null,
              closed_at: null,
              created_by: null,
              idempotency_key: null,
            })),
          )
          .onConflict((oc) => oc.column('reference').doNothing())
          .execute();
      if ((start / BATCH) % 10 === 9 || start + BATCH >= n)
        log(`  loaded ${Math.min(start + BATCH, n)} / ${n}`);
    }
    return { authorityId: authority.id, teamId: team.id, people };
  });
  await sql`analyze customers`.execute(db);
  await sql`analyze contact_points`.execute(db);
  await sql`analyze cases`.execute(db);
  return { ...ids, loadSeconds: (performance.now() - started) / 1000 };
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** A typo: swap, drop, double or replace one letter (keeps the first letter, as most real typos do). */
function misspell(word: string, rand: () => number): string {
  if (word.length < 4) return word;
  const i = 1 + Math.floor(rand() * (word.length - 2));
  const op = Math.floor(rand() * 4);
  if (op === 0) return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
  if (op === 1) return word.slice(0, i) + word.slice(i + 1);
  if (op === 2) return word.slice(0, i) + word[i] + word.slice(i);
  const vowels = 'aeiou';
  const replacement = vowels.includes(word[i]) ? vowels[(vowels.indexOf(word[i]) + 1) % 5] : 'e';
  return word.slice(0, i) + replacement + word.slice(i + 1);
}

function queriesFor(people: Person[], count: number, seed: number): { kind: string; q: string }[] {
  const rand = prng(seed ^ 0x9e3779b9);
  const pick = () => people[Math.floor(rand() * people.length)];
  const out: { kind: string; q: string }[] = [];
  const makers: [string, () => string][] = [
    ['misspelt surname', () => misspell(pick().family, rand)],
    [
      'misspelt full name',
      () => {
        const p = pick();
        return `${p.given} ${misspell(p.family, rand)}`;
      },
    ],
    [
      'name + dob',
      () => {
        const p = pick();
        const [y, m, d] = p.dob.split('-');
        return `${misspell(p.family, rand)} ${Number(d)}/${Number(m)}/${y}`;
      },
    ],
    [
      'phone',
      () => {
        const p = pick();
        const n = p.phone;
        const f = Math.floor(rand() * 3);
        return f === 0
          ? `${n.slice(0, 5)} ${n.slice(5)}`
          : f === 1
            ? n
            : `+44 ${n.slice(1, 5)} ${n.slice(5)}`;
      },
    ],
    [
      'postcode',
      () => {
        const p = pick();
        return rand() < 0.5 ? p.postcode : p.postcode.replace(' ', '').toLowerCase();
      },
    ],
    [
      'dob',
      () => {
        const p = pick();
        const [y, m, d] = p.dob.split('-');
        const f = Math.floor(rand() * 3);
        return f === 0
          ? `${Number(d)}/${Number(m)}/${y}`
          : f === 1
            ? `${Number(d)} ${MONTHS[Number(m) - 1]} ${y}`
            : p.dob;
      },
    ],
    [
      'reference',
      () => {
        let p = pick();
        while (!p.reference) p = pick();
        return rand() < 0.5 ? p.reference : p.reference.replace('-', '').toLowerCase();
      },
    ],
    [
      'address',
      () => {
        const p = pick();
        return p.line1;
      },
    ],
    ['email', () => pick().email],
  ];
  for (let i = 0; i < count; i++) {
    const [kind, make] = makers[i % makers.length];
    out.push({ kind, q: make() });
  }
  return out;
}

export async function run(options: CustomerSearchBenchOptions): Promise<CustomerSearchBenchResult> {
  const log = options.log === false ? () => undefined : (m: string) => console.log(m);
  const seed = options.seed ?? 42;
  const queryCount = Math.max(200, options.queries ?? 400);
  const database: Database = options.databaseUrl
    ? await openDatabase({ engine: 'postgres', url: options.databaseUrl, poolSize: 4 })
    : await openDatabase({ engine: 'pglite', dataDir: options.pgliteDir ?? './data/bench-customers' });
  try {
    const db = database.db;
    await migrateToLatest(db);
    log(
      `Customer search benchmark on ${database.engine}: ${options.customers} customers, ${queryCount} queries`,
    );
    const loaded = await load(db, options.customers, seed, log);
    const scope: CustomerScope = {
      staffId: '00000000-0000-4000-8000-000000000000',
      authorityIds: [loaded.authorityId],
      teamIds: [loaded.teamId],
    };
    const queries = queriesFor(loaded.people, queryCount, seed);

    // Warm up caches and the plan path.
    for (const { q } of queries.slice(0, 20)) await searchCustomers(db, parseSearchQuery(q), scope);

    const timings: { kind: string; ms: number; exec: number; results: number }[] = [];
    for (const { kind, q } of queries) {
      const criteria = parseSearchQuery(q);
      const t0 = performance.now();
      const rows = await searchCustomers(db, criteria, scope);
      const ms = performance.now() - t0;
      timings.push({ kind, ms, exec: 0, results: rows.length });
    }
    for (let i = 0; i < queries.length; i++) {
      const criteria = parseSearchQuery(queries[i].q);
      const { executionTimeMs } = await db
        .transaction()
        .execute((trx) => explainCustomerSearch(trx, criteria, scope, { analyze: true }));
      timings[i].exec = executionTimeMs ?? 0;
    }

    const [{ points }] = await db
      .selectFrom('contact_points')
      .select(db.fn.countAll<number>().as('points'))
      .where('authority_id', '=', loaded.authorityId)
      .execute();
    const byKind: CustomerSearchBenchResult['byKind'] = {};
    for (const kind of [...new Set(timings.map((t) => t.kind))]) {
      const of = timings.filter((t) => t.kind === kind);
      byKind[kind] = {
        count: of.length,
        roundTripMs: percentiles(of.map((t) => t.ms)),
        executionMs: percentiles(of.map((t) => t.exec)),
        meanResults: Math.round((of.reduce((s, t) => s + t.results, 0) / of.length) * 10) / 10,
      };
    }
    const result: CustomerSearchBenchResult = {
      engine: database.engine,
      customers: options.customers,
      contactPoints: Number(points),
      queries: timings.length,
      loadSeconds: loaded.loadSeconds === null ? null : Math.round(loaded.loadSeconds * 10) / 10,
      roundTripMs: percentiles(timings.map((t) => t.ms)),
      executionMs: percentiles(timings.map((t) => t.exec)),
      byKind,
    };
    if (options.log !== false) {
      if (result.loadSeconds !== null) log(`Loaded in ${result.loadSeconds} s`);
      const row = (name: string, r: Percentiles, e: Percentiles, extra = '') =>
        `${name.padEnd(20)} ${[r.p50, r.p95, r.p99].map((v) => v.toFixed(2).padStart(8)).join('')}   ${[e.p50, e.p95, e.p99].map((v) => v.toFixed(2).padStart(8)).join('')}${extra}`;
      log(
        `\n${''.padEnd(20)} ${'round trip ms (p50 p95 p99)'.padEnd(26)}  ${'EXPLAIN ANALYZE execution ms'}`,
      );
      log(row(`all (${result.queries})`, result.roundTripMs, result.executionMs));
      for (const [kind, k] of Object.entries(byKind))
        log(row(`${kind} (${k.count})`, k.roundTripMs, k.executionMs, `   ~${k.meanResults} results`));
    }
    return result;
  } finally {
    await database.close();
  }
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const customers = Number(arg('customers') ?? '100000');
  if (!Number.isInteger(customers) || customers < 1)
    throw new Error('--customers must be a positive whole number');
  await run({
    customers,
    queries: arg('queries') ? Number(arg('queries')) : undefined,
    seed: arg('seed') ? Number(arg('seed')) : undefined,
    databaseUrl: process.env.BENCH_DATABASE_URL,
    pgliteDir: arg('pglite'),
  });
}
