/**
 * Resident portal benchmark (issue 3; budgets: form submission ≥ 700 committed cases/s, resident pages
 * ≥ 2,500 req/s on the 2-core reference machine with PostgreSQL 15).
 *
 *   npx tsx bench/portal.ts [--engine pglite|postgres|both] [--seconds 5] [--concurrency 16] [--submissions 2000]
 *
 * Starts the real app (buildApp) on loopback over a PGlite folder (a fresh temporary one) or PostgreSQL at
 * BENCH_DATABASE_URL, installs every shipped service definition, and measures with a small keep-alive
 * HTTP load loop (node:http, no extra packages), next to a bare Fastify JSON route started in the same run
 * as the baseline:
 *   (a) form submission: POST /apply/:draftId/submit of completed drafts (prepared beforehand) → the
 *       committed case, its timeline event, interaction, acknowledgement message and outbox row; checked
 *       afterwards by counting cases and outbox rows;
 *   (b) portal pages under concurrent load: the home page and a service page.
 * Every phase is bounded by a request count and a duration. `run({ engine })` returns the figures.
 */
import Fastify from 'fastify';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config/index.ts';
import { migrateToLatest, openDatabase, type Database, type Db } from '../src/platform/db/index.ts';
import { loadServiceDefinitions } from '../src/modules/services/index.ts';
import {
  bindingHash,
  loadCaseService,
  newBindingSecret,
  type CaseService,
} from '../src/modules/cases/index.ts';
import { seedDemoAddresses, startDraft } from '../src/modules/forms/index.ts';

export interface PortalBenchOptions {
  engine: 'pglite' | 'postgres';
  /** PostgreSQL URL (default BENCH_DATABASE_URL). */
  databaseUrl?: string;
  /** Upper bound on each load phase. Default 5 s. */
  seconds?: number;
  /** Concurrent connections. Default 16. */
  concurrency?: number;
  /** Completed drafts prepared for the submission phase (its request bound). Default 2,000. */
  submissions?: number;
  /** Requests per page phase (bound). Default 50,000. */
  pageRequests?: number;
  log?: boolean;
}

export interface LoadFigures {
  requests: number;
  errors: number;
  seconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export interface PortalBenchResult {
  engine: 'pglite' | 'postgres';
  concurrency: number;
  baseline: LoadFigures;
  home: LoadFigures;
  servicePage: LoadFigures;
  submission: LoadFigures & { casesCommitted: number; outboxRows: number };
}

interface Request {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * A small autocannon-like loop: `concurrency` workers on keep-alive sockets, each sending the next
 * request as soon as the previous answer has been read, until `maxRequests` or `seconds` run out.
 */
async function load(
  port: number,
  next: (i: number) => Request | null,
  options: { concurrency: number; seconds: number; maxRequests: number; expect: (status: number) => boolean },
): Promise<LoadFigures> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const latencies: number[] = [];
  let issued = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  const send = (request: Request) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method: request.method,
          path: request.path,
          agent,
          headers: {
            ...(request.body ? { 'content-length': String(Buffer.byteLength(request.body)) } : {}),
            ...request.headers,
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(request.body);
    });
  const worker = async () => {
    while (issued < options.maxRequests && performance.now() < deadline) {
      const request = next(issued);
      issued += 1;
      if (!request) return;
      const t0 = performance.now();
      try {
        const status = await send(request);
        if (!options.expect(status)) errors += 1;
      } catch {
        errors += 1;
      }
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    errors,
    seconds: Math.round(seconds * 100) / 100,
    requestsPerSecond: Math.round(latencies.length / seconds),
    p50Ms: Math.round(percentile(latencies, 50) * 100) / 100,
    p99Ms: Math.round(percentile(latencies, 99) * 100) / 100,
  };
}

async function installServices(db: Db): Promise<{ slug: string; id: string }[]> {
  const stamp = Date.now().toString(36);
  const authorities = new Map<string, { authorityId: string; teamId: string }>();
  const installed: { slug: string; id: string }[] = [];
  for (const definition of loadServiceDefinitions()) {
    let owner = authorities.get(definition.authority);
    if (!owner) {
      const authority = await db
        .insertInto('authorities')
        .values({
          code: `bench-${definition.authority}-${stamp}`,
          name: `Bench ${definition.authority} ${stamp}`,
          kind: definition.authority === 'city' ? 'city' : 'county',
          website: null,
          phone: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const team = await db
        .insertInto('teams')
        .values({ authority_id: authority.id, code: `bench-${stamp}`, name: 'Bench team', email: null })
        .returning('id')
        .executeTakeFirstOrThrow();
      owner = { authorityId: authority.id, teamId: team.id };
      authorities.set(definition.authority, owner);
    }
    const slug = `${definition.slug.slice(0, 40).replace(/-+$/, '')}-${stamp}`;
    const row = await db
      .insertInto('services')
      .values({
        authority_id: owner.authorityId,
        team_id: owner.teamId,
        slug,
        name: definition.name,
        category: definition.category,
        summary: definition.summary,
        synonyms: definition.synonyms,
        keywords: definition.synonyms.join(' '),
        definition: JSON.stringify({ ...definition, slug }),
        definition_version: definition.version,
        sla: JSON.stringify(definition.sla),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    installed.push({ slug, id: row.id });
  }
  return installed;
}

/** Answers to every unconditional question of a service's form, as the engine would have saved them. */
export function completeAnswers(service: CaseService): Record<string, unknown> {
  const answers: Record<string, unknown> = {};
  for (const page of service.definition.form.pages)
    for (const q of page.questions) {
      if (q.showIf) continue;
      switch (q.type) {
        case 'radios':
        case 'checkboxes':
          answers[q.id] = q.type === 'radios' ? q.options?.[0]?.value : [q.options?.[0]?.value];
          break;
        case 'email':
          answers[q.id] = 'resident@example.com';
          break;
        case 'phone':
          answers[q.id] = '07700 900 982';
          break;
        case 'address':
          answers[q.id] = { line1: '1 High Street', town: 'Kingsbridge', postcode: 'KB1 2AB' };
          break;
        case 'date':
          answers[q.id] = '2026-01-02';
          break;
        case 'number':
          answers[q.id] = q.validation?.min ?? 1;
          break;
        case 'location':
          answers[q.id] = { description: 'Outside the library' };
          break;
        case 'text':
        case 'textarea':
        case 'postcode':
        case 'file':
          answers[q.id] =
            q.type === 'file' ? [] : q.type === 'postcode' ? 'KB1 2AB' : (q.examples?.[0] ?? 'Some words');
          break;
      }
    }
  return answers;
}

/** Completed drafts of the general enquiry form (answers as the engine would have saved them). */
async function prepareDrafts(
  db: Db,
  serviceId: string,
  count: number,
  bindingSecret: string,
): Promise<{ id: string; token: string }[]> {
  const service = await loadCaseService(db, { id: serviceId });
  if (!service) throw new Error('bench: service missing');
  const answers = completeAnswers(service);
  const drafts: { id: string; token: string }[] = [];
  const now = new Date();
  for (let i = 0; i < count; i += 1) {
    const id = await startDraft(db, { service, bindingSecret, channel: 'web', now });
    drafts.push({ id, token: '' });
  }
  for (let i = 0; i < drafts.length; i += 500) {
    const ids = drafts.slice(i, i + 500).map((d) => d.id);
    await db
      .updateTable('form_drafts')
      .set({ answers: JSON.stringify(answers) })
      .where('id', 'in', ids)
      .execute();
  }
  const tokens = await db
    .selectFrom('form_drafts')
    .select(['id', 'token', 'binding_hash'])
    .where('service_id', '=', serviceId)
    .execute();
  const byId = new Map(tokens.map((t) => [t.id, t]));
  for (const draft of drafts) {
    const row = byId.get(draft.id);
    if (!row || row.binding_hash !== bindingHash(bindingSecret)) throw new Error('bench: draft not stored');
    draft.token = row.token;
  }
  return drafts;
}

/** Runs the portal benchmark on one engine. */
export async function run(options: PortalBenchOptions): Promise<PortalBenchResult> {
  const log = options.log ?? true;
  const say = (text: string) => log && process.stdout.write(`${text}\n`);
  const seconds = options.seconds ?? 5;
  const concurrency = options.concurrency ?? 16;
  const submissions = options.submissions ?? 2000;
  const pageRequests = options.pageRequests ?? 50_000;
  const dataDir = mkdtempSync(join(tmpdir(), 'frontdoor-bench-portal-'));
  let database: Database;
  if (options.engine === 'postgres') {
    const url = options.databaseUrl ?? process.env.BENCH_DATABASE_URL;
    if (!url) throw new Error('bench/portal: set BENCH_DATABASE_URL for the postgres engine');
    database = await openDatabase({ engine: 'postgres', url, poolSize: 10 });
  } else {
    database = await openDatabase({ engine: 'pglite', dataDir: join(dataDir, 'db') });
  }
  const db = database.db;
  const baseline = Fastify({ logger: false });
  baseline.get('/', async () => ({ hello: 'world' }));
  try {
    await migrateToLatest(db);
    await seedDemoAddresses(db);
    const services = await installServices(db);
    const config = loadConfig({
      SESSION_SECRET: 'bench-secret-bench-secret-bench-secret-01',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      RUN_WORKER: 'false',
    });
    const app = await buildApp({ config, database, logger: false });
    await app.listen({ host: '127.0.0.1', port: 0 });
    await baseline.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as AddressInfo).port;
    const basePort = (baseline.server.address() as AddressInfo).port;
    say(
      `portal bench: engine ${options.engine}, ${services.length} services, concurrency ${concurrency}, ≤ ${seconds} s a phase`,
    );

    // A CSRF cookie and its form token, as a browser gets them from any page.
    const page = await fetch(`http://127.0.0.1:${port}/track`);
    const csrfCookie = /fd_csrf=([^;]+)/.exec(page.headers.get('set-cookie') ?? '')?.[1] ?? '';
    const csrfToken = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
    if (!csrfCookie || !csrfToken) throw new Error('bench: no CSRF token');

    const ok = (status: number) => status === 200;
    const bounds = { concurrency, seconds, maxRequests: pageRequests, expect: ok };
    const baselineFigures = await load(basePort, () => ({ method: 'GET', path: '/' }), bounds);
    say(
      `  bare Fastify JSON route   ${baselineFigures.requestsPerSecond} req/s  p50 ${baselineFigures.p50Ms} ms  p99 ${baselineFigures.p99Ms} ms`,
    );
    const home = await load(port, () => ({ method: 'GET', path: '/' }), bounds);
    say(
      `  home page                 ${home.requestsPerSecond} req/s  p50 ${home.p50Ms} ms  p99 ${home.p99Ms} ms  (${home.errors} errors)`,
    );
    const slug = services[Math.floor(services.length / 2)].slug;
    const servicePage = await load(port, () => ({ method: 'GET', path: `/services/${slug}` }), bounds);
    say(
      `  service page              ${servicePage.requestsPerSecond} req/s  p50 ${servicePage.p50Ms} ms  p99 ${servicePage.p99Ms} ms  (${servicePage.errors} errors)`,
    );

    const target = services.find((s) => s.slug.startsWith('general-enquiry')) ?? services[0];
    const secret = newBindingSecret();
    const drafts = await prepareDrafts(db, target.id, submissions, secret);
    const cookie = `fd_csrf=${csrfCookie}; fd_form=${secret}`;
    const submission = await load(
      port,
      (i) => {
        const draft = drafts[i];
        if (!draft) return null;
        return {
          method: 'POST',
          path: `/apply/${draft.id}/submit`,
          headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ _csrf: csrfToken, token: draft.token }).toString(),
        };
      },
      { concurrency, seconds: Math.max(seconds, 10), maxRequests: drafts.length, expect: (s) => s === 303 },
    );
    const committed = await db
      .selectFrom('cases')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('service_id', '=', target.id)
      .executeTakeFirstOrThrow();
    const outbox = await sql<{ n: number }>`
      select count(*)::int as n from outbox o
      where o.dedupe_key like '%case.acknowledgement:%'
        and exists (select 1 from cases c where c.service_id = ${target.id}
                    and o.dedupe_key like '%case.acknowledgement:' || c.id::text)`.execute(db);
    const result = {
      ...submission,
      casesCommitted: Number(committed.n),
      outboxRows: Number(outbox.rows[0]?.n ?? 0),
    };
    say(
      `  form submission           ${submission.requestsPerSecond} cases/s  p50 ${submission.p50Ms} ms  p99 ${submission.p99Ms} ms  (${result.casesCommitted} cases, ${result.outboxRows} outbox rows, ${submission.errors} errors)`,
    );
    await app.close();
    return {
      engine: options.engine,
      concurrency,
      baseline: baselineFigures,
      home,
      servicePage,
      submission: result,
    };
  } finally {
    await baseline.close();
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function arg(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const choice = arg('engine') ?? (process.env.BENCH_DATABASE_URL ? 'both' : 'pglite');
  const engines: ('pglite' | 'postgres')[] =
    choice === 'both' ? ['pglite', 'postgres'] : [choice === 'postgres' ? 'postgres' : 'pglite'];
  const common = {
    seconds: arg('seconds') ? Number(arg('seconds')) : undefined,
    concurrency: arg('concurrency') ? Number(arg('concurrency')) : undefined,
    submissions: arg('submissions') ? Number(arg('submissions')) : undefined,
  };
  for (const engine of engines) await run({ engine, ...common });
}
