/**
 * Phone channel benchmark (issue 14; budgets: ≥ 1,000 call events ingested per second on PostgreSQL, and
 * the screen pop reaching the answering agent's browser within 300 ms of the `answer` event at p95, on a
 * county-scale customer table of 1,000,000 customers).
 *
 *   node --import tsx bench/telephony.ts [--customers 100000] [--calls 3000] [--seconds 20]
 *       (PGlite; PostgreSQL through run.ts, which makes and drops a temporary database)
 *
 * Migrates a fresh database (a temporary PGlite folder, or the PostgreSQL database at `databaseUrl`), makes
 * a council, a team, a phone queue, 21 agents with extensions (2000 is the measured agent, 2001–2020 take
 * the background calls) and customers each with a UK mobile number (`+44 740` and 7 digits, E.164, loaded
 * set-based with generate_series; every 500th number is shared by two customers), then ANALYZE. Default
 * customers: 1,000,000 on PostgreSQL, 100,000 on PGlite (loading a million rows into PGlite takes too long
 * for a bench run). The real app (buildApp) listens on loopback; call events are JSON, signed
 * (`x-frontdoor-signature: sha256=<HMAC>`), posted over HTTP. A deterministic mix of calls (seeded):
 *   ~65 % answered (newCall, ringing, answer, a hold and unhold in one in three, hangup),
 *   ~15 % abandoned in the phone menu (newCall, ivr with no choice, hangup cancel),
 *   ~10 % abandoned while ringing (newCall, ringing, hangup cancel),
 *   ~10 % withheld numbers, answered;
 * callers: 75 % known customers, 5 % shared numbers, 20 % numbers nobody has; one event in 30 is sent
 * twice (a platform retry). It measures:
 *   (a) ingest: `concurrency` (default 64) requests in flight from a worker thread (the platform's side,
 *       bench/telephony.client.ts), the events of a call in order, calls interleaved; events/s committed
 *       and p50/p95 ms per request; then a short 1-in-flight phase with the statement profile (statements per event, costliest statements). Checked afterwards: call_events rows
 *       = distinct events sent (retries not stored twice), calls rows = calls sent.
 *   (b) screen pop: the measured agent signs in through /staff/sign-in in Chromium (playwright-core) and
 *       stays on the staff home with an EventSource of its own on /staff/push recording Date.now() on each
 *       `call` event (a form field on the page is "typed in", so the shipped staff-push.js shows a banner
 *       instead of navigating away). For each measured call: newCall, then Date.now() in Node just before
 *       posting `answer`, to the browser's arrival time; p50/p95/max, first with nothing else going on, then
 *       with background ingest (4 in flight) running.
 */
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { createHmac } from 'node:crypto';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { sql, type LogEvent } from 'kysely';
import { migrateToLatest, openDatabase, type Database, type Db } from '../src/platform/db/index.ts';
import { normalisePhone } from '../src/platform/contact/index.ts';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config/index.ts';
import { ensurePhoneQueue } from '../src/modules/telephony/index.ts';
import { hashPassword } from '../src/modules/identity/index.ts';
import { CHROMIUM_PATH, launch } from '../e2e/support/browser.ts';
import { ingestInWorker, type Call as ClientCall } from './telephony.client.ts';
import { seeded, percentile, round, arg } from './common.ts';

export interface TelephonyBenchOptions {
  engine: 'pglite' | 'postgres';
  /** PostgreSQL URL of a database of the bench's own (run.ts makes a temporary one). */
  databaseUrl?: string;
  /** Customers, each with a phone number. Default 1,000,000 on PostgreSQL, 100,000 on PGlite. */
  customers?: number;
  /** Calls in the concurrent ingest phase (its bound; the 1-in-flight phase has a tenth). Default 3,000. */
  calls?: number;
  /** Upper bound on each ingest phase, seconds. Default 20. */
  seconds?: number;
  /** Requests in flight in the concurrent ingest phase. Default 64. */
  concurrency?: number;
  /** Measured screen pops, each phase (quiet, then under background load). Default 100. */
  pops?: number;
  log?: boolean;
}

export interface Percentiles {
  p50: number;
  p95: number;
  max: number;
}

export interface IngestFigures {
  concurrency: number;
  calls: number;
  /** Requests posted (retries included). */
  requests: number;
  seconds: number;
  eventsPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  errors: number;
}

export interface TelephonyBenchResult {
  engine: 'pglite' | 'postgres';
  customers: number;
  sharedNumbers: number;
  loadSeconds: number;
  bound: { calls: number; seconds: number };
  mix: Record<Kind, number>;
  concurrent: IngestFigures;
  serial: IngestFigures;
  loadAverage: number;
  /**
   * This process's CPU time (user + system) per event at `concurrency` in flight, ms: the app's share and
   * the bench's own HTTP client and signing, which run in the same process.
   */
  cpuMsPerEvent: number;
  statementsPerEvent: number;
  topStatements: { sql: string; count: number; totalMs: number; meanMs: number }[];
  pop: {
    quiet: Percentiles & { pops: number; answerP50Ms: number };
    loaded: Percentiles & { pops: number; answerP50Ms: number; backgroundEventsPerSecond: number };
  };
  /** After the run: call_events rows vs distinct events sent; calls rows vs calls sent; retries sent. */
  check: { events: number; distinctSent: number; calls: number; callsSent: number; retries: number };
}

type Kind = 'answered' | 'ivr-abandon' | 'ring-abandon' | 'withheld';

const SECRET = 'bench-telephony-secret-0123456789abcdef';
const START = Date.parse('2026-12-07T08:00:00Z');
const QUEUE = 'bench-main';
const MEASURED_EXTENSION = '2000';
const AGENTS = 20;
const PASSWORD = 'bench-agent-password-correct-horse';
const SHARE_EVERY = 500;

/** Customer i's number (E.164): `+44 740` and i in 7 digits; customer 500k+1 shares 500k's number. */
const numberOf = (i: number) => `+44740${String(i % SHARE_EVERY === 1 ? i - 1 : i).padStart(7, '0')}`;
/** The same number as a caller's phone shows it (national format). */
const nationalOf = (i: number) => `0${numberOf(i).slice(3)}`;

const percentiles = (values: number[]): Percentiles => {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    max: round(sorted[sorted.length - 1] ?? 0),
  };
};

interface Call extends ClientCall {
  kind: Kind;
}

/** One call of the mix; everything drawn from `r`. */
function generateCall(r: ReturnType<typeof seeded>, customers: number, i: number, tag: string): Call {
  const roll = r.next();
  const kind: Kind =
    roll < 0.65 ? 'answered' : roll < 0.8 ? 'ivr-abandon' : roll < 0.9 ? 'ring-abandon' : 'withheld';
  const callId = `${tag}-${i}`;
  const who = r.next();
  const from =
    kind === 'withheld'
      ? 'anonymous'
      : who < 0.75
        ? nationalOf(r.int(customers))
        : who < 0.8
          ? nationalOf(SHARE_EVERY * r.int(Math.floor(customers / SHARE_EVERY)))
          : `07510 ${String(r.int(1_000_000)).padStart(6, '0')}`;
  const extension = String(2001 + r.int(AGENTS));
  const t0 = START + i * 4_000;
  const at = (seconds: number) => new Date(t0 + seconds * 1000).toISOString();
  const events: Record<string, unknown>[] = [
    { event: 'newCall', callId, from, to: '01632 960000', direction: 'in', queue: QUEUE, timestamp: at(0) },
  ];
  switch (kind) {
    case 'answered':
    case 'withheld':
      events.push(
        { event: 'ringing', callId, extension, timestamp: at(20) },
        { event: 'answer', callId, extension, timestamp: at(25) },
      );
      if (r.next() < 1 / 3)
        events.push(
          { event: 'hold', callId, eventId: 'h1', timestamp: at(60) },
          { event: 'unhold', callId, eventId: 'u1', timestamp: at(90) },
        );
      events.push({ event: 'hangup', callId, cause: 'normalClearing', timestamp: at(180 + r.int(300)) });
      break;
    case 'ivr-abandon':
      events.push(
        { event: 'ivr', callId, path: [], eventId: 'menu1', timestamp: at(15) },
        { event: 'hangup', callId, cause: 'cancel', timestamp: at(30) },
      );
      break;
    case 'ring-abandon':
      events.push(
        { event: 'ringing', callId, extension, timestamp: at(20) },
        { event: 'hangup', callId, cause: 'cancel', timestamp: at(50) },
      );
      break;
  }
  const bodies: string[] = [];
  for (const event of events) {
    const body = JSON.stringify(event);
    bodies.push(body);
    if (r.next() < 1 / 30) bodies.push(body);
  }
  return { kind, bodies, distinct: events.length };
}

/** A council, team, queue, agents (one with a password, to sign in) and the customers with their numbers. */
async function setUp(db: Db, customers: number) {
  const stamp = Date.now().toString(36);
  const authority = await db
    .insertInto('authorities')
    .values({
      code: `bench-tel-${stamp}`,
      name: `Bench council ${stamp}`,
      kind: 'county',
      website: null,
      phone: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const team = await db
    .insertInto('teams')
    .values({ authority_id: authority.id, code: `bench-cc-${stamp}`, name: 'Contact centre', email: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  await ensurePhoneQueue(db, {
    authorityId: authority.id,
    teamId: team.id,
    code: QUEUE,
    name: 'Main line',
    number: '01632 960000',
  });
  const passwordHash = await hashPassword(PASSWORD);
  const email = `agent-${stamp}@bench.example.gov.uk`;
  for (let k = 0; k <= AGENTS; k += 1) {
    const staff = await db
      .insertInto('staff_users')
      .values({
        authority_id: authority.id,
        email: k === 0 ? email : `agent-${k}-${stamp}@bench.example.gov.uk`,
        display_name: k === 0 ? 'Measured Agent' : `Agent ${k}`,
        password_hash: passwordHash,
        roles: ['agent'],
        languages: [],
        specialisms: [],
        active: true,
        phone_extension: String(2000 + k),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('staff_team_members')
      .values({ authority_id: authority.id, staff_user_id: staff.id, team_id: team.id, is_leader: false })
      .execute();
  }
  const t0 = performance.now();
  const given = sql.raw(
    `(array['Jo','Sam','Priya','Tom','Aisha','Gareth','Mei','Olu','Hannah','Piotr','Ruth','Dev'])[1 + g % 12]`,
  );
  await sql`
    insert into customers (id, authority_id, given_name, family_name, search_name, preferred_channel)
    select md5('bench-telephony-customer-' || g)::uuid, ${authority.id}, ${given}, 'Caller' || g,
           lower(${given} || ' caller' || g), 'phone'
    from generate_series(0, ${customers - 1}::int) g`.execute(db);
  await sql`
    insert into contact_points (authority_id, customer_id, kind, value, normalised, is_primary)
    select ${authority.id}, md5('bench-telephony-customer-' || g)::uuid, 'phone',
           '0740' || lpad(h::text, 7, '0'), '+44740' || lpad(h::text, 7, '0'), true
    from (select g, case when g % ${SHARE_EVERY}::int = 1 then g - 1 else g end as h
          from generate_series(0, ${customers - 1}::int) g) s`.execute(db);
  await sql`analyze`.execute(db);
  const loadSeconds = round((performance.now() - t0) / 1000);
  return { authorityId: authority.id, email, loadSeconds };
}

/** Posts one signed call event over HTTP from this thread (the screen-pop phase's measured calls). */
function poster(base: string) {
  return async (body: string): Promise<{ ok: boolean; status: number; text: string }> => {
    const signature = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
    const response = await fetch(`${base}/telephony/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-frontdoor-signature': signature },
      body,
    });
    const text = await response.text();
    return { ok: response.status === 200, status: response.status, text };
  };
}

/**
 * Posts `calls` with `concurrency` in flight (each call's events in order) until done, `seconds` or `stop`,
 * from the load generator's own thread (bench/telephony.client.ts).
 */
async function ingestAll(
  base: string,
  calls: Call[],
  concurrency: number,
  seconds: number,
  stop?: SharedArrayBuffer,
  onStarted?: () => void,
): Promise<IngestFigures & { distinct: number; callsDone: number; retries: number }> {
  const run = await ingestInWorker({ base, secret: SECRET, calls, concurrency, seconds, stop }, onStarted);
  const elapsed = run.elapsedMs / 1000;
  if (run.firstFailure) process.stderr.write(`bench/telephony: first ingest error: ${run.firstFailure}\n`);
  const latencies = [...run.latencies].sort((a, b) => a - b);
  return {
    concurrency,
    calls: run.callsDone,
    requests: latencies.length,
    seconds: round(elapsed),
    eventsPerSecond: Math.round((latencies.length - run.errors) / elapsed),
    p50Ms: round(percentile(latencies, 50)),
    p95Ms: round(percentile(latencies, 95)),
    errors: run.errors,
    distinct: run.distinct,
    callsDone: run.callsDone,
    retries: run.retries,
  };
}

/** Runs the phone channel benchmark on one engine. */
export async function run(options: TelephonyBenchOptions): Promise<TelephonyBenchResult> {
  const log = options.log ?? true;
  const say = (text: string) => log && process.stdout.write(`${text}\n`);
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(
      `bench/telephony: Chromium is not installed at ${CHROMIUM_PATH} (set CHROMIUM_PATH, or apt-get install -y chromium): the screen-pop latency cannot be measured`,
    );
  const customerCount = options.customers ?? (options.engine === 'postgres' ? 1_000_000 : 100_000);
  const callCount = options.calls ?? 3000;
  const seconds = options.seconds ?? 20;
  const concurrency = options.concurrency ?? 64;
  const pops = options.pops ?? 100;
  const dataDir = mkdtempSync(join(tmpdir(), 'frontdoor-bench-telephony-'));
  let counting = false;
  let profiling = false;
  let statements = 0;
  const bySql = new Map<string, { count: number; totalMs: number }>();
  const profile = (event: LogEvent) => {
    if (counting) statements += 1;
    if (!profiling) return;
    const text = event.query.sql.replace(/\s+/g, ' ').trim();
    const entry = bySql.get(text) ?? { count: 0, totalMs: 0 };
    entry.count += 1;
    entry.totalMs += event.queryDurationMillis;
    bySql.set(text, entry);
  };
  let database: Database;
  if (options.engine === 'postgres') {
    if (!options.databaseUrl) throw new Error('bench/telephony: give a databaseUrl for the postgres engine');
    database = await openDatabase({
      engine: 'postgres',
      url: options.databaseUrl,
      poolSize: 10,
      log: profile,
      timeouts: { statementMs: 900_000 },
    });
  } else {
    database = await openDatabase({ engine: 'pglite', dataDir: join(dataDir, 'db'), log: profile });
  }
  const db = database.db;
  try {
    await migrateToLatest(db);
    for (const i of [0, 1, 499, 500, 501, customerCount - 1, Math.floor(customerCount / 3)])
      if (normalisePhone(nationalOf(i)) !== numberOf(i))
        throw new Error(`bench/telephony: ${nationalOf(i)} is not a valid UK number for libphonenumber`);
    say(
      `telephony bench: engine ${options.engine}, loading ${customerCount.toLocaleString('en-GB')} customers`,
    );
    const world = await setUp(db, customerCount);
    const sharedNumbers = Math.floor((customerCount - 2) / SHARE_EVERY) + 1;
    say(`  loaded in ${world.loadSeconds} s (${sharedNumbers} numbers shared by two customers)`);

    const config = loadConfig({
      SESSION_SECRET: 'bench-secret-bench-secret-bench-secret-01',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      RUN_WORKER: 'false',
      TELEPHONY_SECRET: SECRET,
    });
    const app = await buildApp({ config, database, logger: false });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const post = poster(base);
    const browser = await launch();
    try {
      const r = seeded(14);
      const concurrentCalls = Array.from({ length: callCount }, (_, i) =>
        generateCall(r, customerCount, i, 'c'),
      );
      const serialCalls = Array.from({ length: Math.ceil(callCount / 10) }, (_, i) =>
        generateCall(r, customerCount, callCount + i, 's'),
      );
      const backgroundCalls = Array.from({ length: callCount }, (_, i) =>
        generateCall(r, customerCount, 2 * callCount + i, 'b'),
      );
      const mix = { answered: 0, 'ivr-abandon': 0, 'ring-abandon': 0, withheld: 0 } as Record<Kind, number>;
      for (const c of [...concurrentCalls, ...serialCalls]) mix[c.kind] += 1;

      // Warm-up: a few calls, not measured (and not counted: they are checked with the rest).
      const warm = Array.from({ length: 20 }, (_, i) =>
        generateCall(r, customerCount, 3 * callCount + i, 'w'),
      );
      const warmed = await ingestAll(base, warm, 4, 30);

      // (a) Ingest at `concurrency` in flight, then 1 in flight with the statement profile.
      const loadAverage = round(loadavg()[0]);
      const cpuBefore = process.cpuUsage();
      const concurrent = await ingestAll(base, concurrentCalls, concurrency, seconds);
      const cpu = process.cpuUsage(cpuBefore);
      const cpuMsPerEvent = round((cpu.user + cpu.system) / 1000 / Math.max(1, concurrent.requests));
      say(
        `  ingest, ${concurrency} in flight   ${concurrent.eventsPerSecond} events/s  p50 ${concurrent.p50Ms} ms  p95 ${concurrent.p95Ms} ms  (${concurrent.requests} requests, ${concurrent.calls} calls in ${concurrent.seconds} s, ${concurrent.errors} errors; ${cpuMsPerEvent} ms of this process's CPU an event)`,
      );
      counting = true;
      profiling = true;
      const serial = await ingestAll(base, serialCalls, 1, seconds);
      counting = false;
      profiling = false;
      say(
        `  ingest, 1 in flight   ${serial.eventsPerSecond} events/s  p50 ${serial.p50Ms} ms  p95 ${serial.p95Ms} ms  (${serial.requests} requests in ${serial.seconds} s, ${serial.errors} errors)`,
      );
      const statementsPerEvent = round(statements / Math.max(1, serial.requests));
      const topStatements = [...bySql.entries()]
        .map(([text, s]) => ({
          sql: text.slice(0, 160),
          count: s.count,
          totalMs: round(s.totalMs),
          meanMs: round(s.totalMs / s.count),
        }))
        .sort((a, b) => b.totalMs - a.totalMs)
        .slice(0, 8);
      say(`  statements per event ${statementsPerEvent} (BEGIN and COMMIT included); costliest in total:`);
      for (const s of topStatements) say(`    ${s.totalMs} ms  ×${s.count}  mean ${s.meanMs} ms  ${s.sql}`);

      // (b) Screen pop: the measured agent's page in Chromium.
      const context = await browser.newContext({ baseURL: base });
      const page = await context.newPage();
      await page.goto('/staff/sign-in');
      await page.fill('input[name=email]', world.email);
      await page.fill('input[name=password]', PASSWORD);
      await Promise.all([
        page.waitForURL((url) => !url.pathname.startsWith('/staff/sign-in')),
        page.press('input[name=password]', 'Enter'),
      ]);
      await page.goto('/staff');
      await page.evaluate(() => {
        // "Type" in a form so the shipped staff-push.js shows a banner instead of navigating away.
        const form = document.createElement('form');
        const input = document.createElement('input');
        input.name = 'bench-note';
        form.appendChild(input);
        document.body.appendChild(form);
        input.dispatchEvent(new Event('input', { bubbles: true }));
        const w = window as unknown as { arrivals: { at: number; href: string }[]; benchOpen: boolean };
        w.arrivals = [];
        w.benchOpen = false;
        const source = new EventSource('/staff/push');
        source.addEventListener('open', () => (w.benchOpen = true));
        source.addEventListener('call', (event) => {
          const at = Date.now();
          let href = '';
          try {
            href = (JSON.parse((event as MessageEvent<string>).data) as { href?: string }).href ?? '';
          } catch {
            href = '';
          }
          w.arrivals.push({ at, href });
        });
      });
      await page.waitForFunction(() => (window as unknown as { benchOpen: boolean }).benchOpen, null, {
        timeout: 10_000,
      });
      const rp = seeded(300);
      let measured = 0;
      const answerTimes: number[] = [];
      const measure = async (count: number, tag: string) => {
        const latencies: number[] = [];
        for (let k = 0; k < count; k += 1) {
          const customer = rp.int(customerCount);
          const callId = `pop-${tag}-${k}`;
          const at = START + 86_400_000 + measured * 10_000;
          const send = async (event: Record<string, unknown>) => {
            const response = await post(JSON.stringify(event));
            if (!response.ok)
              throw new Error(
                `bench/telephony: ${String(event.event)} answered ${response.status} ${response.text}`,
              );
          };
          await send({
            event: 'newCall',
            callId,
            from: nationalOf(customer),
            to: '01632 960000',
            direction: 'in',
            queue: QUEUE,
            timestamp: new Date(at).toISOString(),
          });
          const t0 = Date.now();
          const a0 = performance.now();
          await send({
            event: 'answer',
            callId,
            extension: MEASURED_EXTENSION,
            timestamp: new Date(at + 5_000).toISOString(),
          });
          answerTimes.push(performance.now() - a0);
          measured += 1;
          await page.waitForFunction(
            (n) => (window as unknown as { arrivals: unknown[] }).arrivals.length >= n,
            measured,
            { timeout: 10_000, polling: 5 },
          );
          const arrival = await page.evaluate(
            (n) => (window as unknown as { arrivals: { at: number; href: string }[] }).arrivals[n - 1],
            measured,
          );
          latencies.push(arrival.at - t0);
          await send({
            event: 'hangup',
            callId,
            cause: 'normalClearing',
            timestamp: new Date(at + 60_000).toISOString(),
          });
        }
        return latencies;
      };
      await measure(5, 'warm');
      const quietAnswers = answerTimes.length;
      const quietLatencies = await measure(pops, 'quiet');
      const quiet = {
        ...percentiles(quietLatencies),
        pops,
        answerP50Ms: percentiles(answerTimes.slice(quietAnswers)).p50,
      };
      say(
        `  screen pop, quiet       p50 ${quiet.p50} ms  p95 ${quiet.p95} ms  max ${quiet.max} ms  (${pops} pops; answer request p50 ${quiet.answerP50Ms} ms)`,
      );
      const stopBackground = new SharedArrayBuffer(4);
      const loadedAnswers = answerTimes.length;
      let backgroundStarted!: () => void;
      const started = new Promise<void>((resolve) => (backgroundStarted = resolve));
      const backgroundRun = ingestAll(base, backgroundCalls, 4, 600, stopBackground, backgroundStarted);
      await started;
      const loadedLatencies = await measure(pops, 'loaded');
      Atomics.store(new Int32Array(stopBackground), 0, 1);
      const background = await backgroundRun;
      const loaded = {
        ...percentiles(loadedLatencies),
        pops,
        answerP50Ms: percentiles(answerTimes.slice(loadedAnswers)).p50,
        backgroundEventsPerSecond: background.eventsPerSecond,
      };
      say(
        `  screen pop, under load  p50 ${loaded.p50} ms  p95 ${loaded.p95} ms  max ${loaded.max} ms  (${pops} pops; answer request p50 ${loaded.answerP50Ms} ms; background ${background.eventsPerSecond} events/s at 4 in flight)`,
      );
      const arrivals = await page.evaluate(
        () => (window as unknown as { arrivals: { href: string }[] }).arrivals.length,
      );
      if (arrivals !== measured)
        throw new Error(`bench/telephony: ${arrivals} pops arrived for ${measured} answers`);
      await context.close();

      // The check: every distinct event stored once, every call once.
      const popEvents = measured * 3;
      const distinctSent =
        warmed.distinct + concurrent.distinct + serial.distinct + background.distinct + popEvents;
      const callsSent =
        warmed.callsDone + concurrent.callsDone + serial.callsDone + background.callsDone + measured;
      const retries = warmed.retries + concurrent.retries + serial.retries + background.retries;
      const counted = await sql<{ events: string; calls: string }>`
        select (select count(*) from call_events) as events, (select count(*) from calls) as calls`.execute(
        db,
      );
      const check = {
        events: Number(counted.rows[0].events),
        distinctSent,
        calls: Number(counted.rows[0].calls),
        callsSent,
        retries,
      };
      say(
        `  check: ${check.events} call events stored for ${check.distinctSent} distinct sent (${retries} retries); ${check.calls} calls for ${check.callsSent} sent`,
      );
      const errors = warmed.errors + concurrent.errors + serial.errors + background.errors;
      if (errors || check.events !== check.distinctSent || check.calls !== check.callsSent)
        throw new Error(
          `bench/telephony: stored events or calls do not match what was sent (${errors} errors)`,
        );
      return {
        engine: options.engine,
        customers: customerCount,
        sharedNumbers,
        loadSeconds: world.loadSeconds,
        bound: { calls: callCount, seconds },
        mix,
        concurrent,
        serial,
        loadAverage,
        cpuMsPerEvent,
        statementsPerEvent,
        topStatements,
        pop: { quiet, loaded },
        check,
      };
    } finally {
      await browser.close();
      await app.close();
    }
  } finally {
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const choice = arg('engine') ?? 'pglite';
  if (choice !== 'pglite')
    throw new Error(
      'bench/telephony: run PostgreSQL through bench/run.ts (it makes and drops a temporary database)',
    );
  await run({
    engine: 'pglite',
    customers: arg('customers') ? Number(arg('customers')) : undefined,
    calls: arg('calls') ? Number(arg('calls')) : undefined,
    seconds: arg('seconds') ? Number(arg('seconds')) : undefined,
    pops: arg('pops') ? Number(arg('pops')) : undefined,
  });
}
