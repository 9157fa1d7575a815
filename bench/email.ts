/**
 * Inbound email benchmark (issue 13; budget: ≥ 200 inbound messages parsed, threaded and committed per
 * second on PostgreSQL on the 2-core reference machine).
 *
 *   node --import tsx bench/email.ts [--messages 2000] [--seconds 20]     (PGlite; PostgreSQL through run.ts)
 *
 * Migrates a fresh database (a temporary PGlite folder, or the PostgreSQL database at `databaseUrl`, which
 * run.ts creates and drops), makes a council, a highways team running the shipped road-report service, a
 * mailbox whose new mail becomes road reports, customers with verified email addresses, and open cases
 * each with two emails we sent (acknowledgement and update, Message-ID `<message uuid>@our domain`). Then
 * it generates a deterministic inbound mix (seeded, same every run):
 *   ~60 % replies to our messages (In-Reply-To and References ours, from the case's customer, quoted
 *         history below, half with the reference in the subject, half without: then the thread's subjects
 *         are compared),
 *   ~25 % new mail from known customers (a new case each, with its acknowledgement in the outbox, at most
 *         one acknowledgement per sender a day),
 *   ~10 % Outlook out-of-office replies to our messages (recorded on the thread),
 *   ~5 %  mail from unknown senders naming a case's reference (not a party: triage),
 * bodies of a few KB, one in five with a small JPEG attached. It measures:
 *   (a) parsing alone: `parseInbound` over every raw message, messages/s (the same run's floor cost);
 *   (b) the full ingest, `ingestEmail` per raw message (parse, classify, store with its MIME, thread, act,
 *       commit), at 4 in flight (the SMTP endpoint and several IMAP pollers deliver in parallel) and at 1,
 *       each on messages of its own: messages/s committed, p50/p95 ms per message;
 * and checks afterwards that every message is stored once, and how many ended in each state. Each phase is
 * bounded by a message count and a duration. Statements per message and the costliest statements (total
 * time per statement text, from Kysely's log) are reported for profiling.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { inspect } from 'node:util';
import type { LogEvent } from 'kysely';
import EmailReplyParser from 'email-reply-parser';
import { migrateToLatest, openDatabase, type Database, type Db } from '../src/platform/db/index.ts';
import type { Clock } from '../src/platform/clock.ts';
import { REFERENCE_ALPHABET } from '../src/platform/contact/index.ts';
import { loadServiceDefinitions } from '../src/modules/services/index.ts';
import { ensureMailbox, ingestEmail, parseInbound, type IngestDeps } from '../src/modules/email/index.ts';
import { seeded, percentile, round, arg } from './common.ts';

export interface EmailBenchOptions {
  engine: 'pglite' | 'postgres';
  /** PostgreSQL URL of a database of the bench's own (run.ts makes a temporary one). */
  databaseUrl?: string;
  /** Messages per ingest phase (its bound). Default 2,000 at 4 in flight, half that at 1. */
  messages?: number;
  /** Upper bound on each ingest phase, seconds. Default 20. */
  seconds?: number;
  /** Messages in flight in the concurrent phase. Default 4. */
  concurrency?: number;
  /** Customers with verified addresses. Default 1,000. */
  customers?: number;
  /** Open cases with our two sent emails each. Default 2,000. */
  cases?: number;
  log?: boolean;
}

export interface Throughput {
  concurrency: number;
  messages: number;
  seconds: number;
  messagesPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  errors: number;
}

/** Runs `work` over `items` one at a time: items/s and p50/p95 ms. */
async function timeEach<T>(items: T[], work: (item: T) => unknown) {
  const times: number[] = [];
  const started = performance.now();
  for (const item of items) {
    const t0 = performance.now();
    await work(item);
    times.push(performance.now() - t0);
  }
  const elapsed = (performance.now() - started) / 1000;
  times.sort((a, b) => a - b);
  return {
    messages: items.length,
    messagesPerSecond: Math.round(items.length / elapsed),
    p50Ms: round(percentile(times, 50)),
    p95Ms: round(percentile(times, 95)),
  };
}

export interface EmailBenchResult {
  engine: 'pglite' | 'postgres';
  customers: number;
  cases: number;
  /** Each ingest phase's bounds: messages (the concurrent phase; the serial one has half) and seconds. */
  bound: { messages: number; seconds: number };
  /** The generated mix by kind (both ingest phases together). */
  mix: Record<Kind, number>;
  /** Mean size of a raw message, bytes. */
  meanBytes: number;
  /** `parseInbound` alone over every generated message. */
  parse: { messages: number; messagesPerSecond: number; p50Ms: number; p95Ms: number };
  /**
   * Trimming the quoted history alone (email-reply-parser's `parseReply` on each parsed text, as
   * `ingestEmail` does before it stores the email): part of the ingest's cost, measured on its own.
   */
  trim: { messages: number; messagesPerSecond: number; p50Ms: number; p95Ms: number };
  concurrent: Throughput;
  serial: Throughput;
  /** The machine's 1-minute load average when the ingest phases started (other work on it skews figures). */
  loadAverage: number;
  /** This process's CPU time (user + system) per message in the concurrent ingest phase, ms. */
  cpuMsPerMessage: number;
  /** After both phases: `emails` rows of the bench's mailbox, distinct messages among them, by state. */
  check: { ingested: number; rows: number; distinct: number; states: Record<string, number> };
  /** New cases acknowledged (an outbox message each). */
  acknowledgements: number;
  /** Statements (round trips, BEGIN and COMMIT included) per ingested message, mean. */
  statementsPerMessage: number;
  /** The statements that took the most time in total during the 1-in-flight phase (profiled there only). */
  topStatements: { sql: string; count: number; totalMs: number; meanMs: number }[];
}

type Kind = 'reply' | 'new' | 'out-of-office' | 'unknown';

const DOMAIN = 'mail.frontdoor.example.gov.uk';
const SECRET = 'bench-email-reply-secret-0123456789abcdef';
const START = Date.parse('2026-12-07T08:00:00Z');

const GIVEN = [
  'Jo',
  'Sam',
  'Priya',
  'Tom',
  'Aisha',
  'Gareth',
  'Mei',
  'Olu',
  'Hannah',
  'Piotr',
  'Ruth',
  'Dev',
];
const FAMILY = ['Bloggs', 'Patel', 'Jones', 'Okafor', 'Nowak', 'Evans', 'Chen', 'Murphy', 'Khan', 'Hughes'];
const STREETS = ['Station Road', 'High Street', 'Mill Lane', 'Church Street', 'Park Avenue', 'Queens Road'];
const TOPICS = [
  'Pothole on',
  'Broken kerb on',
  'Flooding at the bottom of',
  'Road surface breaking up on',
  'Drain blocked on',
  'Sunken manhole cover on',
];
const SENTENCES = [
  'The hole is still there and it is getting bigger after the rain this week.',
  'My neighbour nearly came off her bike there on Tuesday evening.',
  'It is right outside the school gates so a lot of children walk past it every morning.',
  'Cars are swerving into the other lane to avoid it, which is dangerous on the bend.',
  'I have attached a photo taken this morning so you can see how deep it is now.',
  'Could you let me know when someone will be able to come and look at it please?',
  'The temporary repair that was done last month has already broken up again.',
  'There is standing water across half of the road whenever it rains.',
  'I have lived here for twenty years and it has never been this bad.',
  'Thank you for getting back to me so quickly about this.',
];
const SIGNATURE = '\n\nKind regards\n\n';

function paragraphs(r: ReturnType<typeof seeded>, bytes: number): string {
  const out: string[] = [];
  let size = 0;
  while (size < bytes) {
    const p = Array.from({ length: 2 + r.int(4) }, () => r.pick(SENTENCES)).join(' ');
    out.push(p);
    size += p.length + 2;
  }
  return out.join('\n\n');
}

/** A small fake JPEG (a few KB), base64 in 76-character lines. */
function jpeg(r: ReturnType<typeof seeded>): string {
  const bytes = Buffer.alloc(4_000 + r.int(12_000));
  for (let i = 0; i < bytes.length; i += 1) bytes[i] = r.int(256);
  bytes.set([0xff, 0xd8, 0xff, 0xe0], 0);
  return (bytes.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
}

interface Fixture {
  mailbox: string;
  customers: { name: string; email: string }[];
  cases: { reference: string; customer: number; ack: string; update: string }[];
}

interface Generated {
  kind: Kind;
  raw: Buffer;
  receivedAt: Date;
}

/** One inbound message of the mix (the i-th of the run); everything drawn from `r`. */
function generate(r: ReturnType<typeof seeded>, world: Fixture, i: number, tag: string): Generated {
  const roll = r.next();
  const kind: Kind = roll < 0.6 ? 'reply' : roll < 0.85 ? 'new' : roll < 0.95 ? 'out-of-office' : 'unknown';
  const receivedAt = new Date(START + i * 1_500);
  const date = new Date(receivedAt.getTime() - 20_000).toUTCString().replace('GMT', '+0000');
  const messageId = `<${tag}.${i}.${r.int(1e9).toString(36)}@mail.example.com>`;
  const kase = r.pick(world.cases);
  const owner = world.customers[kase.customer];
  const attach = kind !== 'out-of-office' && r.next() < 0.2;
  const headers: string[] = [
    `Received: from mail.example.com by mx.council.example.gov.uk; ${date}`,
    `Date: ${date}`,
    `Message-ID: ${messageId}`,
    'MIME-Version: 1.0',
  ];
  let text: string;
  const ours = (id: string) => `<${id}@${DOMAIN}>`;
  const quoted = (subject: string) =>
    [
      '',
      `From: Highways <frontdoor@${DOMAIN}>`,
      'Sent: 05 December 2026 10:00',
      `Subject: ${subject}`,
      '',
      `We have your report. Your reference is ${kase.reference}.`,
      '',
      paragraphs(r, 1_500 + r.int(2_500)),
    ].join('\n');
  switch (kind) {
    case 'reply': {
      const withRef = r.next() < 0.5;
      const subject = withRef
        ? `RE: Your report has been updated [Ref: ${kase.reference}]`
        : 'Re: Your report has been updated';
      headers.push(
        `From: ${owner.name} <${owner.email}>`,
        `To: Highways <${world.mailbox}>`,
        `Subject: ${subject}`,
        `In-Reply-To: ${ours(kase.update)}`,
        `References: ${ours(kase.ack)}\r\n ${ours(kase.update)}`,
        'X-Auto-Response-Suppress: DR, RN, NRN',
      );
      text = `${paragraphs(r, 150 + r.int(400))}${SIGNATURE}${owner.name}\n${quoted(`Your report has been updated [Ref: ${kase.reference}]`)}`;
      break;
    }
    case 'new': {
      const subject = `${r.pick(TOPICS)} ${r.pick(STREETS)}`;
      const sender = world.customers[r.int(world.customers.length)];
      headers.push(
        `From: ${sender.name} <${sender.email}>`,
        `To: Highways <${world.mailbox}>`,
        `Subject: ${subject}`,
      );
      text = `Hello,\n\n${paragraphs(r, 800 + r.int(2_500))}${SIGNATURE}${sender.name}\n${r.int(200)} ${r.pick(STREETS)}`;
      break;
    }
    case 'out-of-office':
      headers.push(
        `From: ${owner.name} <${owner.email}>`,
        `To: Highways <${world.mailbox}>`,
        `Subject: Automatic reply: Your report has been updated [Ref: ${kase.reference}]`,
        `In-Reply-To: ${ours(kase.update)}`,
        `References: ${ours(kase.update)}`,
        'Auto-Submitted: auto-replied',
        'X-Auto-Response-Suppress: All',
      );
      text = 'I am out of the office until Monday 14 December with no access to email.';
      break;
    case 'unknown': {
      const stranger = `someone.${r.int(1e6)}@elsewhere.example.net`;
      headers.push(
        `From: A Neighbour <${stranger}>`,
        `To: Highways <${world.mailbox}>`,
        `Subject: Fwd: Your report has been updated [Ref: ${kase.reference}]`,
      );
      text = `My neighbour passed this on to me. ${paragraphs(r, 300 + r.int(800))}\n\n---------- Forwarded message ---------${quoted(`Your report has been updated [Ref: ${kase.reference}]`)}`;
      break;
    }
  }
  const body = text.replace(/\n/g, '\r\n');
  let mime: string;
  if (attach) {
    const boundary = `----=_Part_${i}_${r.int(1e9)}`;
    headers.push(`Content-Type: multipart/mixed; boundary="${boundary}"`);
    mime = [
      `--${boundary}`,
      'Content-Type: text/plain; charset="utf-8"',
      'Content-Transfer-Encoding: 8bit',
      '',
      body,
      `--${boundary}`,
      'Content-Type: image/jpeg; name="photo.jpg"',
      'Content-Disposition: attachment; filename="photo.jpg"',
      'Content-Transfer-Encoding: base64',
      '',
      jpeg(r),
      `--${boundary}--`,
      '',
    ].join('\r\n');
  } else {
    headers.push('Content-Type: text/plain; charset="utf-8"', 'Content-Transfer-Encoding: 8bit');
    mime = body;
  }
  return { kind, raw: Buffer.from(`${headers.join('\r\n')}\r\n\r\n${mime}`), receivedAt };
}

/** A council, a highways team running road reports, its mailbox, customers and open cases with our mail. */
async function setUp(db: Db, customers: number, cases: number): Promise<Fixture & { mailboxId: string }> {
  const stamp = Date.now().toString(36);
  const authority = await db
    .insertInto('authorities')
    .values({
      code: `bench-email-${stamp}`,
      name: `Bench council ${stamp}`,
      kind: 'county',
      website: null,
      phone: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const team = await db
    .insertInto('teams')
    .values({ authority_id: authority.id, code: `bench-hw-${stamp}`, name: 'Highways', email: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  const definition = loadServiceDefinitions().find((d) => d.slug === 'report-a-road-problem');
  if (!definition) throw new Error('bench/email: no shipped report-a-road-problem definition');
  const slug = `report-a-road-problem-${stamp}`;
  const service = await db
    .insertInto('services')
    .values({
      authority_id: authority.id,
      team_id: team.id,
      slug,
      name: definition.name,
      category: definition.category,
      summary: definition.summary,
      synonyms: [],
      keywords: '',
      kind: definition.kind,
      definition: JSON.stringify({ ...definition, slug }),
      definition_version: definition.version,
      sla: JSON.stringify(definition.sla),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const mailbox = `highways-${stamp}@council.example.gov.uk`;
  const mailboxId = await ensureMailbox(db, {
    authorityId: authority.id,
    teamId: team.id,
    address: mailbox,
    name: 'Highways',
    defaultServiceId: service.id,
  });
  const r = seeded(7);
  const people = Array.from({ length: customers }, (_, i) => {
    const given = r.pick(GIVEN);
    const family = `${r.pick(FAMILY)}${i}`;
    return { id: randomUUID(), given, family, email: `${given}.${family}@example.com`.toLowerCase() };
  });
  const verified = new Date('2026-01-01T00:00:00Z');
  for (let i = 0; i < people.length; i += 500) {
    const chunk = people.slice(i, i + 500);
    await db
      .insertInto('customers')
      .values(
        chunk.map((p) => ({
          id: p.id,
          authority_id: authority.id,
          given_name: p.given,
          family_name: p.family,
          title: null,
          organisation_name: null,
          date_of_birth: null,
          communication_needs: '[]',
          preferred_channel: 'email' as const,
          search_name: `${p.given} ${p.family}`.toLowerCase(),
          merged_into: null,
        })),
      )
      .execute();
    await db
      .insertInto('contact_points')
      .values(
        chunk.map((p) => ({
          authority_id: authority.id,
          customer_id: p.id,
          kind: 'email' as const,
          value: p.email,
          normalised: p.email,
          address: null,
          uprn: null,
          is_primary: true,
          verified_at: verified,
        })),
      )
      .execute();
  }
  const references = new Set<string>();
  const open = Array.from({ length: cases }, (_, i) => {
    let reference = '';
    while (reference === '' || references.has(reference)) {
      let out = '';
      for (let k = 0; k < 8; k += 1) out += REFERENCE_ALPHABET[r.int(32)];
      reference = `${out.slice(0, 4)}-${out.slice(4)}`;
    }
    references.add(reference);
    return { id: randomUUID(), reference, customer: i % customers, ack: randomUUID(), update: randomUUID() };
  });
  for (let i = 0; i < open.length; i += 500) {
    const chunk = open.slice(i, i + 500);
    await db
      .insertInto('cases')
      .values(
        chunk.map((c) => ({
          id: c.id,
          authority_id: authority.id,
          reference: c.reference,
          service_id: service.id,
          customer_id: people[c.customer].id,
          representative_id: null,
          status: 'received',
          origin_channel: 'web' as const,
          team_id: team.id,
          assignee_id: null,
          received_at: new Date('2026-11-01T10:00:00Z'),
          due_at: new Date('2026-12-20T17:00:00Z'),
          sla_paused_at: null,
          location: null,
          outcome: null,
          closed_at: null,
          created_by: null,
          idempotency_key: null,
        })),
      )
      .execute();
    await db
      .insertInto('messages')
      .values(
        chunk.flatMap((c) =>
          (
            [
              [c.ack, 'case.acknowledgement', `We have your report [Ref: ${c.reference}]`],
              [c.update, 'case.status_changed', `Your report has been updated [Ref: ${c.reference}]`],
            ] as const
          ).map(([id, template, subject]) => ({
            id,
            authority_id: authority.id,
            customer_id: people[c.customer].id,
            case_id: c.id,
            channel: 'email' as const,
            recipient: people[c.customer].email,
            template,
            subject,
            body: 'x',
            status: 'delivered' as const,
            provider: 'smtp',
            provider_id: `<${id}@${DOMAIN}>`,
            dedupe_key: `bench:${id}`,
          })),
        ),
      )
      .execute();
  }
  return {
    mailbox,
    mailboxId,
    customers: people.map((p) => ({ name: `${p.given} ${p.family}`, email: p.email })),
    cases: open,
  };
}

/** Ingests `mails` with `concurrency` in flight, until all are done or `seconds` have passed. */
async function ingestAll(
  deps: IngestDeps,
  mailboxId: string,
  mails: Generated[],
  concurrency: number,
  seconds: number,
): Promise<Throughput & { ingested: number }> {
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  let firstError: unknown = null;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const worker = async () => {
    while (next < mails.length && performance.now() < deadline) {
      const mail = mails[next];
      next += 1;
      const t0 = performance.now();
      try {
        await ingestEmail(deps, { raw: mail.raw, receivedAt: mail.receivedAt, mailboxId });
      } catch (error) {
        errors += 1;
        firstError ??= error;
      }
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  if (firstError) process.stderr.write(`bench/email: first ingest error: ${inspect(firstError)}\n`);
  latencies.sort((a, b) => a - b);
  return {
    concurrency,
    messages: latencies.length,
    ingested: latencies.length - errors,
    seconds: round(elapsed),
    messagesPerSecond: Math.round((latencies.length - errors) / elapsed),
    p50Ms: round(percentile(latencies, 50)),
    p95Ms: round(percentile(latencies, 95)),
    errors,
  };
}

/** Runs the email benchmark on one engine. */
export async function run(options: EmailBenchOptions): Promise<EmailBenchResult> {
  const log = options.log ?? true;
  const say = (text: string) => log && process.stdout.write(`${text}\n`);
  const messages = options.messages ?? 2000;
  const seconds = options.seconds ?? 20;
  const concurrency = options.concurrency ?? 4;
  const customerCount = options.customers ?? 1000;
  const caseCount = options.cases ?? 2000;
  const dataDir = mkdtempSync(join(tmpdir(), 'frontdoor-bench-email-'));
  // Statement profile while `profiling` (the 1-in-flight phase): count and total time per statement text.
  let profiling = false;
  let statements = 0;
  const bySql = new Map<string, { count: number; totalMs: number }>();
  const profile = (event: LogEvent) => {
    if (!profiling) return;
    statements += 1;
    const text = event.query.sql.replace(/\s+/g, ' ').trim();
    const entry = bySql.get(text) ?? { count: 0, totalMs: 0 };
    entry.count += 1;
    entry.totalMs += event.queryDurationMillis;
    bySql.set(text, entry);
  };
  let database: Database;
  if (options.engine === 'postgres') {
    if (!options.databaseUrl) throw new Error('bench/email: give a databaseUrl for the postgres engine');
    database = await openDatabase({
      engine: 'postgres',
      url: options.databaseUrl,
      poolSize: 10,
      log: profile,
    });
  } else {
    database = await openDatabase({ engine: 'pglite', dataDir: join(dataDir, 'db'), log: profile });
  }
  const db = database.db;
  try {
    await migrateToLatest(db);
    const world = await setUp(db, customerCount, caseCount);
    const clock: Clock = { now: () => new Date(START + 3_600_000) };
    const deps: IngestDeps = { db, clock, settings: { replySecret: SECRET, ownDomains: [DOMAIN] } };
    const r = seeded(13);
    const concurrentMails = Array.from({ length: messages }, (_, i) => generate(r, world, i, 'c'));
    const serialMails = Array.from({ length: Math.ceil(messages / 2) }, (_, i) =>
      generate(r, world, messages + i, 's'),
    );
    const all = [...concurrentMails, ...serialMails];
    const mix = { reply: 0, new: 0, 'out-of-office': 0, unknown: 0 } as Record<Kind, number>;
    for (const m of all) mix[m.kind] += 1;
    const meanBytes = Math.round(all.reduce((n, m) => n + m.raw.length, 0) / all.length);
    say(
      `email bench: engine ${options.engine}, ${customerCount} customers, ${caseCount} open cases, ${all.length} messages (mean ${(meanBytes / 1024).toFixed(1)} KB; ${mix.reply} replies, ${mix.new} new, ${mix['out-of-office']} out of office, ${mix.unknown} unknown senders)`,
    );

    // (a) Parsing alone, over every message (after a short warm-up); then trimming the quoted history alone.
    const parseOne = (m: Generated) =>
      parseInbound(m.raw, { receivedAt: m.receivedAt, mailbox: world.mailbox });
    for (const m of all.slice(0, 50)) await parseOne(m);
    const parse = await timeEach(all, parseOne);
    say(
      `  parse alone             ${parse.messagesPerSecond} messages/s  p50 ${parse.p50Ms} ms  p95 ${parse.p95Ms} ms`,
    );
    const texts: string[] = [];
    for (const m of all) texts.push((await parseOne(m)).text);
    const trim = await timeEach(texts, (text) => new EmailReplyParser().parseReply(text));
    say(
      `  trim quoted text alone  ${trim.messagesPerSecond} messages/s  p50 ${trim.p50Ms} ms  p95 ${trim.p95Ms} ms`,
    );

    // (b) The full ingest, at `concurrency` in flight, then one at a time.
    const loadAverage = round(loadavg()[0]);
    // The statement profile (a regex over every statement's text, in this process) runs only in the
    // 1-in-flight phase: its cost is the bench's, not the ingest's, and must not weigh on the throughput.
    const cpuBefore = process.cpuUsage();
    const concurrent = await ingestAll(deps, world.mailboxId, concurrentMails, concurrency, seconds);
    const cpu = process.cpuUsage(cpuBefore);
    const cpuMsPerMessage = round((cpu.user + cpu.system) / 1000 / Math.max(1, concurrent.ingested));
    say(
      `  ingest, ${concurrency} in flight     ${concurrent.messagesPerSecond} messages/s  p50 ${concurrent.p50Ms} ms  p95 ${concurrent.p95Ms} ms  (${concurrent.ingested} in ${concurrent.seconds} s, ${concurrent.errors} errors; ${cpuMsPerMessage} ms of this process's CPU a message)`,
    );
    profiling = true;
    const serial = await ingestAll(deps, world.mailboxId, serialMails, 1, seconds);
    profiling = false;
    say(
      `  ingest, 1 in flight      ${serial.messagesPerSecond} messages/s  p50 ${serial.p50Ms} ms  p95 ${serial.p95Ms} ms  (${serial.ingested} in ${serial.seconds} s, ${serial.errors} errors)`,
    );

    const counted = await db
      .selectFrom('emails')
      .select((eb) => [
        eb.fn.countAll<string>().as('rows'),
        eb.fn
          .count<string>(eb.fn('concat', ['message_id', 'fingerprint']))
          .distinct()
          .as('distinct'),
      ])
      .where('mailbox_id', '=', world.mailboxId)
      .executeTakeFirstOrThrow();
    const states = await db
      .selectFrom('emails')
      .select(['state', (eb) => eb.fn.countAll<string>().as('n')])
      .where('mailbox_id', '=', world.mailboxId)
      .groupBy('state')
      .orderBy('state')
      .execute();
    const acks = await db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('template', '=', 'case.acknowledgement')
      .where('dedupe_key', 'not like', 'bench:%')
      .executeTakeFirstOrThrow();
    const check = {
      ingested: concurrent.ingested + serial.ingested,
      rows: Number(counted.rows),
      distinct: Number(counted.distinct),
      states: Object.fromEntries(states.map((s) => [s.state, Number(s.n)])),
    };
    say(
      `  check: ${check.rows} emails stored for ${check.ingested} ingested, ${check.distinct} distinct; ${Object.entries(
        check.states,
      )
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}; ${acks.n} acknowledgements queued`,
    );
    if (check.rows !== check.ingested || check.distinct !== check.rows)
      throw new Error('bench/email: stored emails do not match the messages ingested');
    const statementsPerMessage = round(statements / Math.max(1, serial.ingested));
    const topStatements = [...bySql.entries()]
      .map(([text, s]) => ({
        sql: text.slice(0, 160),
        count: s.count,
        totalMs: round(s.totalMs),
        meanMs: round(s.totalMs / s.count),
      }))
      .sort((a, b) => b.totalMs - a.totalMs)
      .slice(0, 8);
    say(`  statements per message ${statementsPerMessage} (BEGIN and COMMIT included); costliest in total:`);
    for (const s of topStatements) say(`    ${s.totalMs} ms  ×${s.count}  mean ${s.meanMs} ms  ${s.sql}`);
    return {
      engine: options.engine,
      customers: customerCount,
      cases: caseCount,
      bound: { messages, seconds },
      mix,
      meanBytes,
      parse,
      trim,
      concurrent,
      serial,
      cpuMsPerMessage,
      loadAverage,
      check,
      acknowledgements: Number(acks.n),
      statementsPerMessage,
      topStatements,
    };
  } finally {
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const choice = arg('engine') ?? 'pglite';
  if (choice !== 'pglite')
    throw new Error(
      'bench/email: run PostgreSQL through bench/run.ts (it makes and drops a temporary database)',
    );
  await run({
    engine: 'pglite',
    messages: arg('messages') ? Number(arg('messages')) : undefined,
    seconds: arg('seconds') ? Number(arg('seconds')) : undefined,
  });
}
