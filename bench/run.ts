/**
 * `npm run bench`: runs the benchmarks and writes docs/benchmarks.md with the machine, the date, each figure
 * and the same-run baseline it is compared with (a bare Fastify JSON route for pages; the database's own
 * time for the workspace queries). Loopback only, bounded runs.
 *
 *   BENCH_DATABASE_URL=postgres://…/frontdoor_bench   also run on PostgreSQL (otherwise PGlite only). The
 *       workspace benchmark loads the generator's county-scale history into that database once and reuses
 *       it; the portal and email benchmarks each run in a fresh temporary database next to it, dropped
 *       afterwards.
 *   --customers N    customers for the workspace benchmark (default 1,000,000: about 5,000,000 interactions)
 *   --years Y        years of history (default 7)
 *   --pglite DIR     PGlite folder for the workspace data (default ./data/bench-workspace, kept for reuse)
 *   --telephony-customers N   customers for the telephony benchmark (default 1,000,000 on PostgreSQL,
 *       100,000 on PGlite)
 *   --only portal,workspace,weight,email,telephony,knowledge   run only these sections (comma-separated); docs/benchmarks.md keeps the
 *       other sections as they were written by the run that measured them
 */
import { cpus, totalmem, platform, release } from 'node:os';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { run as runPortal, type PortalBenchResult } from './portal.ts';
import { run as runWorkspace, type WorkspaceBenchResult, type Percentiles } from './workspace.ts';
import { run as runWeight, type WeightBenchResult } from './weight.ts';
import { run as runEmail, type EmailBenchResult } from './email.ts';
import { run as runTelephony, type TelephonyBenchResult } from './telephony.ts';
import { run as runKnowledge, type KnowledgeBenchResult } from './knowledge.ts';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const pgUrl = process.env.BENCH_DATABASE_URL;
const engines: ('pglite' | 'postgres')[] = pgUrl ? ['pglite', 'postgres'] : ['pglite'];
const SECTIONS = ['portal', 'workspace', 'weight', 'email', 'telephony', 'knowledge'] as const;
type Section = (typeof SECTIONS)[number];
const only = arg('only')
  ?.split(',')
  .map((name) => name.trim());
for (const name of only ?? [])
  if (!SECTIONS.includes(name as Section))
    throw new Error(`--only takes ${SECTIONS.join(', ')}; got "${name}"`);
const runs = (section: Section) => !only || only.includes(section);

async function admin(url: string, statement: string): Promise<void> {
  const target = new URL(url);
  target.pathname = '/postgres';
  const client = new pg.Client({ connectionString: target.toString() });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Runs `bench` on PostgreSQL in a temporary database beside BENCH_DATABASE_URL's, dropped afterwards. */
async function inTemporaryDatabase<T>(
  url: string,
  section: string,
  bench: (databaseUrl: string) => Promise<T>,
): Promise<T> {
  const name = `frontdoor_bench_${section}_${Date.now()}`;
  await admin(url, `create database ${name}`);
  const own = new URL(url);
  own.pathname = `/${name}`;
  try {
    return await bench(own.toString());
  } finally {
    await admin(url, `drop database if exists ${name} with (force)`);
  }
}

/** Runs the portal benchmark on PostgreSQL in a temporary database beside BENCH_DATABASE_URL's. */
const portalOnPostgres = (url: string): Promise<PortalBenchResult> =>
  inTemporaryDatabase(url, 'portal', (databaseUrl) =>
    runPortal({ engine: 'postgres', databaseUrl, log: true }),
  );

const portal: PortalBenchResult[] = [];
const workspace: WorkspaceBenchResult[] = [];
const email: EmailBenchResult[] = [];
const telephony: TelephonyBenchResult[] = [];
const knowledge: KnowledgeBenchResult[] = [];
for (const engine of engines) {
  if (runs('portal'))
    portal.push(
      engine === 'postgres' ? await portalOnPostgres(pgUrl!) : await runPortal({ engine, log: true }),
    );
  if (runs('workspace')) {
    const common = {
      customers: arg('customers') ? Number(arg('customers')) : undefined,
      years: arg('years') ? Number(arg('years')) : undefined,
      log: true,
    };
    workspace.push(
      await runWorkspace(
        engine === 'postgres'
          ? { ...common, databaseUrl: pgUrl }
          : { ...common, pgliteDir: arg('pglite') ?? './data/bench-workspace' },
      ),
    );
  }
  if (runs('email'))
    email.push(
      engine === 'postgres'
        ? await inTemporaryDatabase(pgUrl!, 'email', (databaseUrl) =>
            runEmail({ engine, databaseUrl, log: true }),
          )
        : await runEmail({ engine, log: true }),
    );
  if (runs('telephony')) {
    const customers = arg('telephony-customers') ? Number(arg('telephony-customers')) : undefined;
    telephony.push(
      engine === 'postgres'
        ? await inTemporaryDatabase(pgUrl!, 'telephony', (databaseUrl) =>
            runTelephony({ engine, databaseUrl, customers, log: true }),
          )
        : await runTelephony({ engine, customers, log: true }),
    );
  }
  if (runs('knowledge'))
    knowledge.push(
      engine === 'postgres'
        ? await inTemporaryDatabase(pgUrl!, 'knowledge', (databaseUrl) =>
            runKnowledge({ engine, databaseUrl, log: true }),
          )
        : await runKnowledge({ engine, log: true }),
    );
}

// Page weight does not depend on the database engine: measured once, on PGlite.
const weight: WeightBenchResult | null = runs('weight') ? await runWeight({ log: true }) : null;

const f = (n: number) => n.toFixed(n < 10 ? 2 : 0);
const kb = (bytes: number) => (bytes / 1024).toFixed(1);
const ppp = (p: Percentiles) => `${f(p.p50)} / ${f(p.p95)} / ${f(p.p99)}`;
const count = (n: number) => n.toLocaleString('en-GB');
const ratio = (a: number, b: number) => (b > 0 ? `${Math.round((100 * a) / b)}%` : '–');
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${platform()} ${release()}, Node ${process.version}`;
const runLine = `Run ${new Date().toISOString()} on ${machine}.`;
const header = [
  '# Benchmarks',
  '',
  'Each section says when and on what machine it was measured. Figures from other runs are not comparable:',
  'compare each figure with the baseline from the same run.',
  'Written by `npm run bench` (see `bench/run.ts`; `--only` re-measures some sections and keeps the others); do not edit by hand.',
  '',
];
/** Sections measured now, by their `## ` heading. */
const fresh = new Map<string, string[]>();
const PORTAL = '## Portal: pages and form submission (issue 3)';
const WORKSPACE = '## Staff workspace at county scale (issue 4)';
const WEIGHT = '## Page weight (issue 11)';
const EMAIL = '## Email: inbound messages (issue 13)';
const TELEPHONY = '## Phone channel: call events and screen pop (issue 14)';
const KNOWLEDGE = '## Knowledge base: article search (issue 15)';
if (portal.length)
  fresh.set(PORTAL, [
    PORTAL,
    '',
    runLine,
    '',
    'Real app on loopback, 16 keep-alive connections from a load generator in a process of its own (`bench/load.ts`); submissions are POSTs of completed drafts to a committed case, timeline events, interaction, audit row, acknowledgement message and outbox row. The ceiling is the database\'s own rate in the same run: a bare "insert case + insert case_event" transaction (BEGIN, 2 inserts, COMMIT) looped at the same concurrency on a pool of the same size, straight through pg with no app; statements are the round trips one submission sends (BEGIN and COMMIT included).',
    '',
    '| engine | bare Fastify JSON (baseline) req/s | home req/s (p50/p99 ms) | service page req/s (p50/p99 ms) | submission cases/s (p50/p99 ms) | ceiling case + event tx/s (p50/p99 ms) | submission / ceiling | statements per submission | budget |',
    '|---|---|---|---|---|---|---|---|---|',
    ...portal.map(
      (r) =>
        `| ${r.engine} | ${f(r.baseline.requestsPerSecond)} | ${f(r.home.requestsPerSecond)} (${f(r.home.p50Ms)}/${f(r.home.p99Ms)}) | ${f(r.servicePage.requestsPerSecond)} (${f(r.servicePage.p50Ms)}/${f(r.servicePage.p99Ms)}) | ${f(r.submission.requestsPerSecond)} (${f(r.submission.p50Ms)}/${f(r.submission.p99Ms)}) | ${f(r.ceiling.requestsPerSecond)} (${f(r.ceiling.p50Ms)}/${f(r.ceiling.p99Ms)}) | ${ratio(r.submission.requestsPerSecond, r.ceiling.requestsPerSecond)} | ${r.statementsPerSubmission} | pages ≥ 2,500 req/s, submissions ≥ 700/s |`,
    ),
    '',
  ]);
if (workspace.length)
  fresh.set(WORKSPACE, [
    WORKSPACE,
    '',
    runLine,
    '',
    "Data from the generator (`generateHistory`, as `npm run seed -- --customers 1000000 --years 7`). Search: varied queries built from real rows through `searchCustomers`, after one warm-up pass, next to PostgreSQL's own execution time for the same statement (`EXPLAIN ANALYZE`). Single view: `GET /staff/customers/:id` through the real app as the demo agent, next to the time spent in SQL during the page (sum of each query's round trip; queries can run in parallel).",
    '',
    '| engine | customers | interactions | cases | load s | search queries | search round trip p50 / p95 / p99 ms | database p50 / p95 / p99 ms | single views | page p50 / p95 / p99 ms | SQL p50 / p95 / p99 ms | busiest customer | budget |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...workspace.map(
      (r) =>
        `| ${r.engine} | ${count(r.customers)} | ${count(r.interactions)} | ${count(r.cases)} | ${r.loadSeconds ?? 'reused'} | ${r.search.queries} | ${ppp(r.search.roundTripMs)} | ${ppp(r.search.executionMs)} | ${r.singleView.pages} | ${ppp(r.singleView.pageMs)} | ${ppp(r.singleView.sqlMs)} | ${r.singleView.heaviest.interactions} interactions: ${f(r.singleView.heaviest.pageMs)} ms (SQL ${f(r.singleView.heaviest.sqlMs)}) | search p95 ≤ 50 ms at 1,000,000 |`,
    ),
    '',
    '### Search by kind of query (round trip p50 / p95 / p99 ms; database p50 / p95 / p99 ms)',
    '',
    `| kind | ${workspace.map((r) => `${r.engine} round trip | ${r.engine} database`).join(' | ')} |`,
    `|---|${workspace.map(() => '---|---').join('|')}|`,
    ...Object.keys(workspace[0].search.byKind).map(
      (kind) =>
        `| ${kind} | ${workspace.map((r) => (r.search.byKind[kind] ? `${ppp(r.search.byKind[kind].roundTripMs)} | ${ppp(r.search.byKind[kind].executionMs)}` : '– | –')).join(' | ')} |`,
    ),
    '',
  ]);
if (weight) {
  const budget = (weight.budgetBytes / 1024).toFixed(0);
  fresh.set(WEIGHT, [
    WEIGHT,
    '',
    runLine,
    '',
    'Transfer size of a first visit, as a browser fetches it (`accept-encoding: br, gzip`; Lighthouse counts the same): the HTML, then every stylesheet, module preload and script the page names; bytes on the wire (status line, headers and compressed body), in KB of 1,024 bytes. A repeat visit fetches only the HTML: the fingerprinted assets are cached for a year. No images (the default look has none). Real app with the demo area (`bench/weight.ts`).',
    '',
    '| page | area | HTML KB | CSS KB | JS KB | first visit KB | repeat visit KB | uncompressed KB | budget |',
    '|---|---|---|---|---|---|---|---|---|',
    ...weight.pages.map(
      (p) =>
        `| ${p.page} (\`${p.path.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/, ':draftId')}\`) | ${p.area} | ${kb(p.html)} | ${kb(p.css)} | ${kb(p.js)} | ${kb(p.total)} | ${kb(p.html)} | ${kb(p.uncompressed)} | ${p.area === 'resident' ? `< ${budget} KB: ${p.total < weight.budgetBytes ? 'met' : '**missed**'}` : '–'} |`,
    ),
    '',
  ]);
}

if (email.length) {
  const budget = 200;
  const verdict = (r: EmailBenchResult) =>
    r.engine === 'postgres'
      ? `≥ ${budget}/s on PostgreSQL: ${r.concurrent.messagesPerSecond >= budget ? 'met' : '**missed**'}`
      : `– (budget is for PostgreSQL)`;
  const first = email[0];
  fresh.set(EMAIL, [
    EMAIL,
    '',
    runLine,
    '',
    `\`ingestEmail\` per raw message, as the receivers call it (\`bench/email.ts\`): parse, classify, store with its original MIME, thread (In-Reply-To / References, subject reference), act (add to the case, open a case with its acknowledgement in the outbox, record, or triage) and commit, in a fresh database with ${count(first.customers)} customers with verified addresses and ${count(first.cases)} open cases, each with our acknowledgement and update. Deterministic mix of ${count(Object.values(first.mix).reduce((a, b) => a + b, 0))} messages, mean ${kb(first.meanBytes)} KB: ${first.mix.reply} replies to our messages with quoted history (half naming the reference in the subject), ${first.mix.new} new mail from known customers (a new case each), ${first.mix['out-of-office']} out-of-office replies, ${first.mix.unknown} unknown senders naming a case (triage); one in five with a small JPEG. Parsing alone is \`parseInbound\` over the same messages in the same run (the floor cost); trimming alone is email-reply-parser's \`parseReply\` on each whole parsed text (what \`trimReply\` did before it gave the parser only the text above the first quote line; kept as the library's cost for comparison). CPU is the bench process's own (user + system) per message at 4 in flight: Node's share of the work, which runs on one thread. The load average (1 minute, all cores) is the machine's when the ingest began: other work on the machine shares its cores with the bench and the database. Four in flight is the receivers' shape (the SMTP endpoint and several IMAP pollers deliver in parallel); the statement profile (statements per message, the costliest statements) is taken in the 1-in-flight phase only, so its own cost does not weigh on the throughput; each ingest phase is bounded (${count(first.bound.messages)} messages at 4 in flight, half as many at 1, or ${first.bound.seconds} s) and checked afterwards: every message stored once.`,
    '',
    '| engine | parse alone msg/s (p50/p95 ms) | trim quoted text alone msg/s (p50/p95 ms) | ingest, 4 in flight msg/s (p50/p95 ms) | ingest, 1 in flight msg/s (p50/p95 ms) | ingest / parse | Node CPU ms per message | load average at start | statements per message | stored (distinct) / ingested | states | budget |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...email.map(
      (r) =>
        `| ${r.engine} | ${f(r.parse.messagesPerSecond)} (${f(r.parse.p50Ms)}/${f(r.parse.p95Ms)}) | ${f(r.trim.messagesPerSecond)} (${f(r.trim.p50Ms)}/${f(r.trim.p95Ms)}) | ${f(r.concurrent.messagesPerSecond)} (${f(r.concurrent.p50Ms)}/${f(r.concurrent.p95Ms)}) | ${f(r.serial.messagesPerSecond)} (${f(r.serial.p50Ms)}/${f(r.serial.p95Ms)}) | ${ratio(r.concurrent.messagesPerSecond, r.parse.messagesPerSecond)} | ${f(r.cpuMsPerMessage)} | ${f(r.loadAverage)} | ${f(r.statementsPerMessage)} | ${r.check.rows} (${r.check.distinct}) / ${r.check.ingested} | ${Object.entries(
          r.check.states,
        )
          .map(([state, n]) => `${state} ${n}`)
          .join(', ')} | ${verdict(r)} |`,
    ),
    '',
  ]);
}

if (telephony.length) {
  const verdict = (r: TelephonyBenchResult) =>
    r.engine === 'postgres'
      ? `≥ 1,000 events/s: ${r.concurrent.eventsPerSecond >= 1000 ? 'met' : '**missed**'}; pop p95 ≤ 300 ms: ${Math.max(r.pop.quiet.p95, r.pop.loaded.p95) <= 300 ? 'met' : '**missed**'}${r.customers < 1_000_000 ? ` (at ${count(r.customers)} customers, not 1,000,000)` : ''}`
      : '– (budgets are for PostgreSQL at 1,000,000 customers)';
  const first = telephony[0];
  const calls = Object.values(first.mix).reduce((a, b) => a + b, 0);
  fresh.set(TELEPHONY, [
    TELEPHONY,
    '',
    runLine,
    '',
    `Real app on loopback (\`bench/telephony.ts\`), a fresh database per engine with a council, a phone queue, 21 agents with extensions and customers each with a UK mobile number (E.164 in \`contact_points\`, loaded set-based, then ANALYZE; one number in 500 shared by two customers): ${telephony.map((r) => `${count(r.customers)} on ${r.engine}`).join(', ')} (PGlite defaults to 100,000: loading a million rows into it takes too long for a bench run). Call events are signed JSON posted to \`POST /telephony/v1/events\` over HTTP (node:http, keep-alive) from a worker thread of the bench process (the platform's side; \`bench/telephony.client.ts\`), the events of a call in order and calls interleaved. Deterministic mix of ${count(calls)} calls: ${first.mix.answered} answered (a hold and unhold in one in three), ${first.mix['ivr-abandon']} abandoned in the phone menu, ${first.mix['ring-abandon']} abandoned while ringing, ${first.mix.withheld} from withheld numbers; callers 75 % known customers, 5 % shared numbers, 20 % unknown numbers; one event in 30 sent twice (a platform retry). Ingest: bounded by ${count(first.bound.calls)} calls or ${first.bound.seconds} s at ${first.concurrent.concurrency} in flight (a platform taking 1,000 events a second has some 200 calls starting every second and hundreds under way, each posting its own events: ${first.concurrent.concurrency} requests in flight is a modest share of that), then a tenth as many at 1 in flight, where the statement profile is taken; events/s counts every request answered 200 (retries included). Events that arrive while a batch is being written go together in the next (group commit: docs/telephony.md), so the statements per event fall as the load rises; at 1 in flight every event is a batch of its own. Checked afterwards: call_events rows = distinct events sent, calls rows = calls sent. Screen pop: the agent signed in through \`/staff/sign-in\` in Chromium, on the staff home with an EventSource of its own on \`/staff/push\` (a form field typed in, so the shipped script shows a banner rather than navigating); for each call, \`newCall\`, then from just before posting \`answer\` (Node's clock) to the browser's \`call\` event (the browser's clock, same machine); quiet, then with background ingest at 4 in flight. CPU per event is the bench process's own (user + system) at ${first.concurrent.concurrency} in flight: the app and the load generator's thread (HTTP client and signing); the database's CPU is not in it. The load average (1 minute, all cores) is the machine's when the ingest began: other work on the machine shares its 2 cores with the app, the database and the bench.`,
    '',
    `| engine | customers | load s | ingest, ${first.concurrent.concurrency} in flight events/s (p50/p95 ms) | ingest, 1 in flight events/s (p50/p95 ms) | statements per event | bench process CPU ms per event | load average at start | screen pop, quiet p50 / p95 / max ms | screen pop, under load p50 / p95 / max ms (background events/s) | stored events (distinct sent) / calls (sent) | budget |`,
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...telephony.map(
      (r) =>
        `| ${r.engine} | ${count(r.customers)} | ${f(r.loadSeconds)} | ${f(r.concurrent.eventsPerSecond)} (${f(r.concurrent.p50Ms)}/${f(r.concurrent.p95Ms)}) | ${f(r.serial.eventsPerSecond)} (${f(r.serial.p50Ms)}/${f(r.serial.p95Ms)}) | ${f(r.statementsPerEvent)} | ${f(r.cpuMsPerEvent)} | ${f(r.loadAverage)} | ${f(r.pop.quiet.p50)} / ${f(r.pop.quiet.p95)} / ${f(r.pop.quiet.max)} | ${f(r.pop.loaded.p50)} / ${f(r.pop.loaded.p95)} / ${f(r.pop.loaded.max)} (${f(r.pop.loaded.backgroundEventsPerSecond)}) | ${count(r.check.events)} (${count(r.check.distinctSent)}) / ${count(r.check.calls)} (${count(r.check.callsSent)}) | ${verdict(r)} |`,
    ),
    '',
    '### Costliest statements of an event (1 in flight, total ms / count / mean ms)',
    '',
    ...telephony.flatMap((r) => [
      `${r.engine}:`,
      '',
      ...r.topStatements.map(
        (s) => `- ${f(s.totalMs)} / ${s.count} / ${f(s.meanMs)}: \`${s.sql.replace(/`/g, "'")}\``,
      ),
      '',
    ]),
  ]);
}

/** The sections of the current file, by heading, so the ones not measured now are kept as they were. */
function existingSections(file: string): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  if (!existsSync(file)) return sections;
  const text = readFileSync(file, 'utf8').replace(/\n+$/, '');
  // Files written before sections carried their own run line: the header's applies to every section.
  const oldRunLine = /^Run .* on .*\.$/m.exec(text.split(/\n## /)[0] ?? '')?.[0];
  let current: string[] | null = null;
  for (const line of text.split('\n')) {
    if (line.startsWith('## ')) {
      current = [line];
      sections.set(line, current);
    } else current?.push(line);
  }
  for (const lines of sections.values()) {
    if (oldRunLine && !lines.some((l) => l.startsWith('Run '))) lines.splice(1, 0, '', oldRunLine);
    if (lines[lines.length - 1] !== '') lines.push('');
  }
  return sections;
}

if (knowledge.length) {
  const first = knowledge[0];
  fresh.set(KNOWLEDGE, [
    KNOWLEDGE,
    '',
    runLine,
    '',
    `The public article search (\`searchArticles\`, as /help, the portal search and the API call it; \`bench/knowledge.ts\`) in a fresh database per engine with ${count(first.articles)} published articles: the demo articles through the module's loader, the rest generated (deterministic, each with a topic of its own drawn from the demo articles' vocabulary; one in ten internal). Each of the ${first.queries} hand-written queries of \`test/fixtures/knowledge/search-queries.json\` (typos, synonyms, plain-language questions), one at a time after a warm-up round; ${count(first.searches)} timed searches per engine. Top-3 is the hand-written queries' hit rate at this size (the generated articles compete with the demo ones). The load average (1 minute, all cores) is the machine's when the timed searches began.`,
    '',
    '| engine | articles | load s | p50 / p95 / p99 / max ms | top-3 | load average | budget |',
    '|---|---|---|---|---|---|---|',
    ...knowledge.map(
      (r) =>
        `| ${r.engine} | ${count(r.articles)} | ${f(r.loadSeconds)} | ${f(r.p50)} / ${f(r.p95)} / ${f(r.p99)} / ${f(r.max)} | ${f(r.top3Rate)}% | ${f(r.loadAverage)} | p95 ≤ 30 ms: ${r.p95 <= 30 ? 'met' : '**missed**'} |`,
    ),
    '',
  ]);
}

const file = join(import.meta.dirname, '..', 'docs', 'benchmarks.md');
const kept = existingSections(file);
const order = [
  PORTAL,
  WORKSPACE,
  WEIGHT,
  EMAIL,
  TELEPHONY,
  KNOWLEDGE,
  ...[...kept.keys()].filter((h) => ![PORTAL, WORKSPACE, WEIGHT, EMAIL, TELEPHONY, KNOWLEDGE].includes(h)),
];
const lines = [...header, ...order.flatMap((heading) => fresh.get(heading) ?? kept.get(heading) ?? [])];
writeFileSync(file, `${lines.join('\n').replace(/\n+$/, '')}\n`);
process.stdout.write(`${[...fresh.values()].flat().join('\n')}\n`);
