/**
 * Resident portal benchmark (issue 3; budgets: form submission ≥ 700 committed cases/s, resident pages
 * ≥ 2,500 req/s on the 2-core reference machine with PostgreSQL 15).
 *
 *   npx tsx bench/portal.ts [--engine pglite|postgres|both] [--seconds 5] [--concurrency 16] [--submissions 2000]
 *
 * Starts the real app (buildApp) on loopback over a PGlite folder (a fresh temporary one) or PostgreSQL at
 * BENCH_DATABASE_URL, installs every shipped service definition, and measures with a small keep-alive
 * HTTP load loop (bench/load.ts: node:http, no extra packages, in a process of its own like a real
 * client), next to a bare Fastify JSON route started in the same run as the baseline:
 *   (a) form submission: POST /apply/:draftId/submit of completed drafts (prepared beforehand) → the
 *       committed case, its timeline event, interaction, acknowledgement message and outbox row; checked
 *       afterwards by counting cases and outbox rows;
 *   (b) portal pages under concurrent load: the home page and a service page;
 *   (c) the submission ceiling: the database's own rate for a bare case + event transaction at the same
 *       concurrency and pool size (no HTTP, no app), and the statements one submission sends.
 * Every phase is bounded by a request count and a duration. `run({ engine })` returns the figures.
 */
import Fastify from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { figures, load, loadFromChildProcess, type LoadFigures, type LoadRequest } from './load.ts';
import type { AddressInfo } from 'node:net';
import { CompiledQuery, sql, type LogEvent } from 'kysely';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
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

export interface PortalBenchResult {
  engine: 'pglite' | 'postgres';
  concurrency: number;
  baseline: LoadFigures;
  home: LoadFigures;
  servicePage: LoadFigures;
  submission: LoadFigures & { casesCommitted: number; outboxRows: number };
  /**
   * The same-run ceiling for submissions: a bare "insert case + insert case_event" transaction loop at the
   * same concurrency and pool size, straight through pg (no HTTP, no app): what the database allows.
   */
  ceiling: LoadFigures;
  /** Statements (round trips, BEGIN and COMMIT included) one form submission sends to the database. */
  statementsPerSubmission: number;
}

export async function installServices(db: Db): Promise<{ slug: string; id: string }[]> {
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
export async function prepareDrafts(
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

type Query = (text: string, values: unknown[]) => Promise<unknown>;
/** Runs `work` on one connection of the pool under test. */
type OnConnection = (work: (query: Query) => Promise<void>) => Promise<void>;

/** Connections straight from a pg.Pool (PostgreSQL). */
function pgConnections(pool: pg.Pool): OnConnection {
  return async (work) => {
    const client = await pool.connect();
    try {
      await work((text, values) => client.query(text, values));
    } finally {
      client.release();
    }
  };
}

/** Connections of the app's own pool (PGlite: there is only the one embedded session). */
function kyselyConnections(db: Db): OnConnection {
  return (work) =>
    db
      .connection()
      .execute((connection) =>
        work((text, values) => connection.executeQuery(CompiledQuery.raw(text, values))),
      );
}

/**
 * The database's own rate for the least a submission must do: `concurrency` loops, each running
 * BEGIN; insert a case; insert its `created` event; COMMIT (4 round trips), with no HTTP and no app code.
 */
async function ceiling(
  onConnection: OnConnection,
  owner: { authorityId: string; serviceId: string; teamId: string },
  options: { concurrency: number; seconds: number; maxTransactions: number },
): Promise<LoadFigures> {
  const latencies: number[] = [];
  let issued = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  const once = (i: number) =>
    onConnection(async (query) => {
      await query('begin', []);
      try {
        const now = new Date();
        const id = randomUUID();
        await query(
          `insert into cases (id, authority_id, reference, service_id, status, origin_channel, team_id,
             received_at, due_at, answers, idempotency_key)
           values ($1, $2, $3, $4, 'submitted', 'web', $5, $6, $6, '{}', $7)`,
          [
            id,
            owner.authorityId,
            `C${i}-${id.slice(0, 8)}`,
            owner.serviceId,
            owner.teamId,
            now,
            `ceiling:${id}`,
          ],
        );
        await query(
          `insert into case_events (authority_id, case_id, kind, visible_to_customer, data, created_at)
           values ($1, $2, 'created', true, '{}', $3)`,
          [owner.authorityId, id, now],
        );
        await query('commit', []);
      } catch (error) {
        await query('rollback', []).catch(() => undefined);
        throw error;
      }
    });
  const worker = async () => {
    while (issued < options.maxTransactions && performance.now() < deadline) {
      const i = issued;
      issued += 1;
      const t0 = performance.now();
      try {
        await once(i);
      } catch {
        errors += 1;
      }
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return figures(latencies, errors, (performance.now() - started) / 1000);
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
  const poolSize = 10;
  // Counts the statements sent while `counting` (one submission on its own, before the load).
  let counting = false;
  let statements = 0;
  const countStatements = (_event: LogEvent) => {
    if (counting) statements += 1;
  };
  const url = options.databaseUrl ?? process.env.BENCH_DATABASE_URL;
  let database: Database;
  if (options.engine === 'postgres') {
    if (!url) throw new Error('bench/portal: set BENCH_DATABASE_URL for the postgres engine');
    database = await openDatabase({ engine: 'postgres', url, poolSize, log: countStatements });
  } else {
    database = await openDatabase({
      engine: 'pglite',
      dataDir: join(dataDir, 'db'),
      log: countStatements,
    });
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

    const bounds = { concurrency, seconds, maxRequests: pageRequests, expect: [200], cycle: true };
    const baselineFigures = await loadFromChildProcess({
      port: basePort,
      requests: [{ method: 'GET', path: '/' }],
      ...bounds,
    });
    say(
      `  bare Fastify JSON route   ${baselineFigures.requestsPerSecond} req/s  p50 ${baselineFigures.p50Ms} ms  p99 ${baselineFigures.p99Ms} ms`,
    );
    const home = await loadFromChildProcess({ port, requests: [{ method: 'GET', path: '/' }], ...bounds });
    say(
      `  home page                 ${home.requestsPerSecond} req/s  p50 ${home.p50Ms} ms  p99 ${home.p99Ms} ms  (${home.errors} errors)`,
    );
    const slug = services[Math.floor(services.length / 2)].slug;
    const servicePage = await loadFromChildProcess({
      port,
      requests: [{ method: 'GET', path: `/services/${slug}` }],
      ...bounds,
    });
    say(
      `  service page              ${servicePage.requestsPerSecond} req/s  p50 ${servicePage.p50Ms} ms  p99 ${servicePage.p99Ms} ms  (${servicePage.errors} errors)`,
    );

    const target = services.find((s) => s.slug.startsWith('general-enquiry')) ?? services[0];
    const secret = newBindingSecret();
    const [probe, ...drafts] = await prepareDrafts(db, target.id, submissions + 1, secret);
    const cookie = `fd_csrf=${csrfCookie}; fd_form=${secret}`;
    const submit = (draft: { id: string; token: string }): LoadRequest => ({
      method: 'POST',
      path: `/apply/${draft.id}/submit`,
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrfToken, token: draft.token }).toString(),
    });
    counting = true;
    const probed = await load({
      port,
      requests: [submit(probe)],
      cycle: false,
      concurrency: 1,
      seconds,
      maxRequests: 1,
      expect: [303],
    });
    counting = false;
    if (probed.errors) throw new Error('bench: the probe submission failed');
    say(`  statements per submission ${statements} (BEGIN and COMMIT included)`);
    const submission = await loadFromChildProcess({
      port,
      requests: drafts.map(submit),
      cycle: false,
      concurrency,
      seconds: Math.max(seconds, 10),
      maxRequests: drafts.length,
      expect: [303],
    });
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
      casesCommitted: Number(committed.n) - 1,
      outboxRows: Number(outbox.rows[0]?.n ?? 0) - 1,
    };
    say(
      `  form submission           ${submission.requestsPerSecond} cases/s  p50 ${submission.p50Ms} ms  p99 ${submission.p99Ms} ms  (${result.casesCommitted} cases, ${result.outboxRows} outbox rows, ${submission.errors} errors)`,
    );
    await app.close();
    const owner = await db
      .selectFrom('services')
      .select(['authority_id', 'team_id'])
      .where('id', '=', target.id)
      .executeTakeFirstOrThrow();
    const pool = options.engine === 'postgres' ? new pg.Pool({ connectionString: url, max: poolSize }) : null;
    // The temporary database is dropped (with force) afterwards: a connection still closing then is no error.
    pool?.on('error', () => undefined);
    const ceilingFigures = await ceiling(
      pool ? pgConnections(pool) : kyselyConnections(db),
      { authorityId: owner.authority_id, serviceId: target.id, teamId: owner.team_id },
      { concurrency, seconds: Math.max(seconds, 10), maxTransactions: submissions },
    ).finally(() => pool?.end());
    say(
      `  ceiling: case + event tx  ${ceilingFigures.requestsPerSecond} tx/s  p50 ${ceilingFigures.p50Ms} ms  p99 ${ceilingFigures.p99Ms} ms  (${ceilingFigures.errors} errors)`,
    );
    return {
      engine: options.engine,
      concurrency,
      baseline: baselineFigures,
      home,
      servicePage,
      submission: result,
      ceiling: ceilingFigures,
      statementsPerSubmission: statements,
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
