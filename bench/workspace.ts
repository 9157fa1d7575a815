/**
 * Staff workspace benchmark (issue 4): customer search and the single view of the customer at county scale.
 *
 *   npx tsx bench/workspace.ts [--customers 1000000] [--years 7] [--queries 400] [--views 200] [--pglite DIR]
 *
 * Uses PostgreSQL at BENCH_DATABASE_URL when set, else a PGlite folder (default ./data/bench-workspace).
 * Loads the demo area, then `generateHistory` (the same generator as `npm run seed`) until the area holds
 * `--customers` customers; 1,000,000 customers over 7 years give about 5,000,000 interactions. A database
 * that already holds them (e.g. from `npm run seed -- --customers 1000000 --years 7`) is reused.
 *
 * Then, signed in as the demo contact-centre agent:
 * - **search**: at least 200 varied queries built from real rows (misspelt surnames, full names, phones in
 *   several formats, postcodes with and without the space, dates of birth, references, emails, addresses)
 *   through the module's own `searchCustomers`, after one warm-up pass; p50/p95/p99 of the round trip next to PostgreSQL's own
 *   execution time for the same statement (`EXPLAIN (ANALYZE)`).
 * - **single view**: `GET /staff/customers/:id` through the real app (routing, access checks, audit row,
 *   template) for `--views` customers who have history, p50/p95/p99 of the whole page next to the time
 *   spent in SQL during it (Kysely's query log: the sum of each query's round trip to the database, which
 *   can exceed the page time when the page runs queries in parallel). Pages are warmed once first.
 */
import { performance } from 'node:perf_hooks';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sql, type LogEvent } from 'kysely';
import { openDatabase, migrateToLatest, type Database, type Db } from '../src/platform/db/index.ts';
import {
  explainCustomerSearch,
  parseSearchQuery,
  searchCustomers,
  type CustomerScope,
} from '../src/modules/customers/index.ts';
import { seedDemo, DEMO_PASSWORD } from '../src/seed/demo.ts';
import { generateHistory } from '../src/seed/generator.ts';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config/index.ts';
import { Browser } from '../test/support/app.ts';

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export interface WorkspaceBenchOptions {
  customers?: number;
  years?: number;
  queries?: number;
  views?: number;
  /** PostgreSQL URL; when absent a PGlite folder is used. */
  databaseUrl?: string;
  pgliteDir?: string;
  log?: boolean;
}

export interface WorkspaceBenchResult {
  engine: 'postgres' | 'pglite';
  customers: number;
  interactions: number;
  cases: number;
  loadSeconds: number | null;
  search: {
    queries: number;
    roundTripMs: Percentiles;
    executionMs: Percentiles;
    byKind: Record<string, { count: number; roundTripMs: Percentiles; executionMs: Percentiles }>;
  };
  singleView: {
    pages: number;
    pageMs: Percentiles;
    sqlMs: Percentiles;
    meanQueries: number;
    meanInteractions: number;
    heaviest: { interactions: number; pageMs: number; sqlMs: number };
  };
}

export function percentiles(values: number[]): Percentiles {
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

/** A typing slip: swap two neighbouring letters, drop one, or double one. */
export function misspell(word: string, rand: () => number): string {
  if (word.length < 4) return `${word}${word.at(-1) ?? ''}`;
  const i = 1 + Math.floor(rand() * (word.length - 2));
  const kind = Math.floor(rand() * 3);
  if (kind === 0) return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
  if (kind === 1) return word.slice(0, i) + word.slice(i + 1);
  return word.slice(0, i) + word[i] + word.slice(i);
}

const MONTHS = 'January February March April May June July August September October November December'.split(
  ' ',
);

interface Sample {
  id: string;
  given_name: string | null;
  family_name: string | null;
  date_of_birth: string | null;
  email: string | null;
  phone: string | null;
  line1: string | null;
  postcode: string | null;
  reference: string | null;
}

function queriesFor(samples: Sample[], count: number, seed: number): { kind: string; q: string }[] {
  const rand = prng(seed);
  const pick = <T>(list: T[]) => list[Math.floor(rand() * list.length)];
  const having = (f: (s: Sample) => unknown) => samples.filter(f);
  const named = having((s) => s.given_name && s.family_name);
  const phones = having((s) => s.phone);
  const postcodes = having((s) => s.postcode);
  const dobs = having((s) => s.date_of_birth);
  const refs = having((s) => s.reference);
  const emails = having((s) => s.email);
  const lines = having((s) => s.line1);
  const makers: [string, () => string | null][] = [
    [
      'misspelt surname',
      () => {
        const s = pick(named);
        return `${s.given_name} ${misspell(s.family_name!, rand)}`;
      },
    ],
    ['full name', () => `${pick(named).given_name} ${pick(named).family_name}`],
    [
      'phone',
      () => {
        const digits = pick(phones).phone!.replace(/\D/g, '').replace(/^44/, '0');
        const f = Math.floor(rand() * 3);
        return f === 0
          ? digits
          : f === 1
            ? `${digits.slice(0, 5)} ${digits.slice(5)}`
            : `+44 ${digits.slice(1)}`;
      },
    ],
    [
      'postcode',
      () => {
        const p = pick(postcodes).postcode!;
        return rand() < 0.5 ? p : p.replace(/\s/g, '').toLowerCase();
      },
    ],
    [
      'date of birth',
      () => {
        const [y, m, d] = pick(dobs).date_of_birth!.split('-');
        const f = Math.floor(rand() * 3);
        return f === 0
          ? `${Number(d)}/${Number(m)}/${y}`
          : f === 1
            ? `${Number(d)} ${MONTHS[Number(m) - 1]} ${y}`
            : `${y}-${m}-${d}`;
      },
    ],
    [
      'reference',
      () => {
        if (refs.length === 0) return null;
        const r = pick(refs).reference!;
        return rand() < 0.5 ? r : r.replace(/[-\s]/g, '').toLowerCase();
      },
    ],
    ['email', () => pick(emails).email],
    ['address', () => pick(lines).line1],
  ];
  const out: { kind: string; q: string }[] = [];
  for (let i = 0; out.length < count && i < count * 2; i++) {
    const [kind, make] = makers[i % makers.length];
    const q = make();
    if (q) out.push({ kind, q });
  }
  return out;
}

/** The TABLESAMPLE percentage that gives about `want` rows out of `total`. */
function samplePercent(total: number, want: number): number {
  return Math.min(100, Math.max(0.01, Math.round(((want * 100) / Math.max(1, total)) * 100) / 100));
}

async function demoAuthorityIds(db: Db): Promise<string[]> {
  const rows = await db
    .selectFrom('authorities')
    .select('id')
    .where('code', 'in', ['county', 'city'])
    .execute();
  return rows.map((r) => r.id);
}

async function counts(db: Db, authorityIds: string[]) {
  const { rows } = await sql<{ customers: number; interactions: number; cases: number }>`
    select (select count(*) from customers where authority_id in (${sql.join(authorityIds)}))::int as customers,
           (select count(*) from interactions where authority_id in (${sql.join(authorityIds)}))::int as interactions,
           (select count(*) from cases where authority_id in (${sql.join(authorityIds)}))::int as cases`.execute(
    db,
  );
  return rows[0];
}

export async function run(options: WorkspaceBenchOptions = {}): Promise<WorkspaceBenchResult> {
  const log = options.log === false ? () => undefined : (m: string) => console.log(m);
  const target = options.customers ?? 1_000_000;
  const years = options.years ?? 7;
  const queryCount = Math.max(200, options.queries ?? 400);
  const viewCount = Math.max(50, options.views ?? 200);

  // Every query's round trip, added to the current page's total while a page is being measured.
  let sqlClock: { ms: number; queries: number } | null = null;
  const onQuery = (event: LogEvent) => {
    if (sqlClock) {
      sqlClock.ms += event.queryDurationMillis;
      sqlClock.queries += 1;
    }
  };
  const database: Database = options.databaseUrl
    ? await openDatabase({ engine: 'postgres', url: options.databaseUrl, poolSize: 4, log: onQuery })
    : await openDatabase({
        engine: 'pglite',
        dataDir: options.pgliteDir ?? './data/bench-workspace',
        log: onQuery,
      });
  const db = database.db;
  try {
    await migrateToLatest(db);
    await seedDemo(db);
    const authorityIds = await demoAuthorityIds(db);
    let loaded = await counts(db, authorityIds);
    let loadSeconds: number | null = null;
    log(
      `Workspace benchmark on ${database.engine}: ${loaded.customers} customers, ${loaded.interactions} interactions already there`,
    );
    if (loaded.customers < target) {
      const started = performance.now();
      await generateHistory(db, {
        customers: target - loaded.customers,
        years,
        seed: 7,
        endDate: new Date('2026-11-20T17:00:00Z'),
        onProgress: log,
      });
      loadSeconds = Math.round((performance.now() - started) / 100) / 10;
      for (const table of ['customers', 'contact_points', 'cases', 'interactions'])
        await sql`analyze ${sql.table(table)}`.execute(db);
      loaded = await counts(db, authorityIds);
    }

    // The demo contact-centre agent's scope, as the workspace computes it.
    const agent = await db
      .selectFrom('staff_users')
      .select(['id', 'authority_id'])
      .where('email', '=', 'agent@county.example.gov.uk')
      .executeTakeFirstOrThrow();
    const teams = await db
      .selectFrom('staff_team_members')
      .select(['team_id', 'authority_id'])
      .where('staff_user_id', '=', agent.id)
      .execute();
    const scope: CustomerScope = {
      staffId: agent.id,
      authorityIds: [...new Set([agent.authority_id, ...teams.map((t) => t.authority_id)])],
      teamIds: teams.map((t) => t.team_id),
    };

    // Real rows to build queries from: a deterministic spread over the whole table.
    await sql`select setseed(0.42)`.execute(db);
    const { rows: samples } = await sql<Sample>`
      select c.id, c.given_name, c.family_name, c.date_of_birth::text as date_of_birth,
        (select value from contact_points p where p.customer_id = c.id and p.kind = 'email' limit 1) as email,
        (select value from contact_points p where p.customer_id = c.id and p.kind = 'phone' limit 1) as phone,
        (select address->>'line1' from contact_points p where p.customer_id = c.id and p.kind = 'address' limit 1) as line1,
        (select address->>'postcode' from contact_points p where p.customer_id = c.id and p.kind = 'address' limit 1) as postcode,
        (select reference from cases k where k.customer_id = c.id limit 1) as reference
      from customers c tablesample bernoulli (${sql.lit(samplePercent(loaded.customers, 2000))}) repeatable (42)
      where c.authority_id in (${sql.join(scope.authorityIds)}) and c.merged_into is null
      limit 2000`.execute(db);
    const queries = queriesFor(samples, queryCount, 42);
    // One warm-up pass over every query: a live workspace has its indexes in memory.
    for (const { q } of queries) await searchCustomers(db, parseSearchQuery(q), scope);
    const timings: { kind: string; ms: number; exec: number }[] = [];
    for (const { kind, q } of queries) {
      const t0 = performance.now();
      await searchCustomers(db, parseSearchQuery(q), scope);
      timings.push({ kind, ms: performance.now() - t0, exec: 0 });
    }
    for (let i = 0; i < queries.length; i++) {
      const { executionTimeMs } = await db
        .transaction()
        .execute((trx) =>
          explainCustomerSearch(trx, parseSearchQuery(queries[i].q), scope, { analyze: true }),
        );
      timings[i].exec = executionTimeMs ?? 0;
    }
    const byKind: WorkspaceBenchResult['search']['byKind'] = {};
    for (const kind of [...new Set(timings.map((t) => t.kind))]) {
      const of = timings.filter((t) => t.kind === kind);
      byKind[kind] = {
        count: of.length,
        roundTripMs: percentiles(of.map((t) => t.ms)),
        executionMs: percentiles(of.map((t) => t.exec)),
      };
    }

    // The single view through the real app, signed in as the agent.
    const app = await buildApp({
      config: loadConfig({
        SESSION_SECRET: 'bench-secret-bench-secret-bench-secret-01',
        DATA_DIR: mkdtempSync(join(tmpdir(), 'fd-bench-workspace-')),
        LOG_LEVEL: 'silent',
      }),
      database,
      logger: false,
    });
    await app.ready();
    const pages: { pageMs: number; sqlMs: number; queries: number; interactions: number }[] = [];
    try {
      const browser = new Browser(app);
      const signIn = await browser.submit('/staff/sign-in', '/staff/sign-in', {
        email: 'agent@county.example.gov.uk',
        password: DEMO_PASSWORD,
      });
      if (signIn.statusCode >= 400)
        throw new Error(`The demo agent could not sign in (${signIn.statusCode})`);
      const { rows: viewed } = await sql<{ id: string; interactions: number }>`
        select c.id, (select count(*) from interactions i where i.customer_id = c.id)::int as interactions
        from customers c tablesample bernoulli (${sql.lit(samplePercent(loaded.customers, viewCount * 4))}) repeatable (7)
        where c.authority_id in (${sql.join(scope.authorityIds)}) and c.merged_into is null
          and exists (select 1 from interactions i where i.customer_id = c.id)
        limit ${viewCount}`.execute(db);
      const { rows: heaviest } = await sql<{ id: string; interactions: number }>`
        select customer_id as id, count(*)::int as interactions from interactions
        where authority_id in (${sql.join(scope.authorityIds)}) and customer_id is not null
        group by customer_id order by count(*) desc limit 1`.execute(db);
      for (const c of [...viewed, ...heaviest]) await browser.get(`/staff/customers/${c.id}`);
      for (const c of [...viewed, ...heaviest]) {
        sqlClock = { ms: 0, queries: 0 };
        const t0 = performance.now();
        const response = await browser.get(`/staff/customers/${c.id}`);
        const pageMs = performance.now() - t0;
        const clock: { ms: number; queries: number } = sqlClock;
        sqlClock = null;
        if (response.statusCode !== 200)
          throw new Error(`GET /staff/customers/${c.id}: ${response.statusCode}`);
        pages.push({ pageMs, sqlMs: clock.ms, queries: clock.queries, interactions: c.interactions });
      }
    } finally {
      await app.close();
    }
    const heavy = pages.pop()!;
    const result: WorkspaceBenchResult = {
      engine: database.engine,
      customers: loaded.customers,
      interactions: loaded.interactions,
      cases: loaded.cases,
      loadSeconds,
      search: {
        queries: timings.length,
        roundTripMs: percentiles(timings.map((t) => t.ms)),
        executionMs: percentiles(timings.map((t) => t.exec)),
        byKind,
      },
      singleView: {
        pages: pages.length,
        pageMs: percentiles(pages.map((p) => p.pageMs)),
        sqlMs: percentiles(pages.map((p) => p.sqlMs)),
        meanQueries: Math.round((pages.reduce((s, p) => s + p.queries, 0) / pages.length) * 10) / 10,
        meanInteractions:
          Math.round((pages.reduce((s, p) => s + p.interactions, 0) / pages.length) * 10) / 10,
        heaviest: {
          interactions: heavy.interactions,
          pageMs: Math.round(heavy.pageMs * 10) / 10,
          sqlMs: Math.round(heavy.sqlMs * 10) / 10,
        },
      },
    };
    const f = (p: Percentiles) => [p.p50, p.p95, p.p99].map((v) => v.toFixed(1).padStart(8)).join('');
    log(`\n${result.customers} customers, ${result.interactions} interactions, ${result.cases} cases`);
    log(`${''.padEnd(24)} ${'round trip / page ms'.padEnd(24)}  database ms (p50 p95 p99)`);
    log(
      `${`search (${result.search.queries})`.padEnd(24)} ${f(result.search.roundTripMs)}  ${f(result.search.executionMs)}`,
    );
    for (const [kind, k] of Object.entries(byKind))
      log(`${`  ${kind} (${k.count})`.padEnd(24)} ${f(k.roundTripMs)}  ${f(k.executionMs)}`);
    log(
      `${`single view (${pages.length})`.padEnd(24)} ${f(result.singleView.pageMs)}  ${f(result.singleView.sqlMs)}`,
    );
    log(
      `heaviest customer (${heavy.interactions} interactions): page ${result.singleView.heaviest.pageMs} ms, SQL ${result.singleView.heaviest.sqlMs} ms`,
    );
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
  const num = (name: string) => (arg(name) === undefined ? undefined : Number(arg(name)));
  await run({
    customers: num('customers'),
    years: num('years'),
    queries: num('queries'),
    views: num('views'),
    databaseUrl: process.env.BENCH_DATABASE_URL,
    pgliteDir: arg('pglite'),
  });
}
