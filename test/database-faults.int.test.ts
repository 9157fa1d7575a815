/**
 * Database connection faults, against the real process (`tsx src/server.ts start`: web and worker) on a
 * PostgreSQL database of its own:
 * - its backends are terminated again and again while partners post complaints through the API: the
 *   process stays up, every acknowledged complaint is there exactly once, and retries with the same
 *   Idempotency-Key never make a second one;
 * - while the database refuses connections, /health/ready answers 503 quickly, a page answers 503 with the
 *   GOV.UK "service unavailable" page and the API 503 JSON, both with Retry-After; once it accepts them
 *   again the process serves within seconds.
 * Connections are a PostgreSQL matter: on PGlite (no TEST_DATABASE_URL) those tests are skipped. The first
 * test runs on both engines: the error handler turns a terminated-backend error (57P01) into 503.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { connect, createServer, type Socket } from 'node:net';
import pg from 'pg';
import type { KyselyPlugin } from 'kysely';
import { migrateToLatest, openDatabase } from '../src/platform/db/index.ts';
import { issueApiToken } from '../src/modules/api/index.ts';
import { installShippedService } from './builders/services.ts';
import { buildAuthority, buildStaff, buildTeam } from './builders/index.ts';
import { openTestDatabase } from './support/db.ts';
import { buildTestApp } from './support/app.ts';

const baseUrl = process.env.TEST_DATABASE_URL;
const skip = baseUrl
  ? false
  : 'needs PostgreSQL: set TEST_DATABASE_URL (connection faults do not exist on PGlite)';

const node = process.execPath;
const children: ChildProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function adminClient(): Promise<pg.Client> {
  const url = new URL(baseUrl!);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  return client;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** A database of this test's own, migrated, with a council that takes complaints and an API token. */
async function freshDatabase(admin: pg.Client) {
  const name =
    `${new URL(baseUrl!).pathname.slice(1)}_faults_${randomBytes(4).toString('hex')}`.toLowerCase();
  await admin.query(`create database "${name}"`);
  cleanups.push(async () => {
    await admin.query(`alter database "${name}" allow_connections true`);
    await admin.query(`drop database if exists "${name}" with (force)`);
  });
  const url = new URL(baseUrl!);
  url.pathname = `/${name}`;
  const database = await openDatabase({ engine: 'postgres', url: url.toString(), poolSize: 2 });
  try {
    await migrateToLatest(database.db);
    const authority = await buildAuthority(database.db);
    const team = await buildTeam(database.db, authority.id);
    await installShippedService(database.db, {
      authorityId: authority.id,
      teamId: team.id,
      slug: 'make-a-complaint',
    });
    const adminUser = await buildStaff(database.db, authority.id, { roles: ['admin'] });
    const token = await issueApiToken(database.db, {
      authorityId: authority.id,
      name: 'Partner',
      createdBy: adminUser.id,
      now: new Date(),
    });
    return { name, url: url.toString(), directUrl: url.toString(), authorityId: authority.id, token };
  } finally {
    await database.close();
  }
}

interface Server {
  child: ChildProcess;
  origin: string;
  output: () => string;
  alive: () => boolean;
}

async function startServer(databaseUrl: string, extraEnv: Record<string, string> = {}): Promise<Server> {
  const port = await freePort();
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !['DATABASE_URL', 'TEST_DATABASE_URL', 'PORT', 'NODE_OPTIONS'].includes(k))
      env[k] = v;
  const child = spawn(node, ['--import', 'tsx', 'src/server.ts', 'start'], {
    env: {
      ...env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      DEMO_SEED: 'false',
      RUN_WORKER: 'true',
      // Each simulated partner has its own address, so the API's per-address rate limit is not the subject.
      TRUST_PROXY: 'true',
      LOG_LEVEL: 'warn',
      SESSION_SECRET: 'database-faults-test-secret-0123456789',
      DATABASE_CONNECT_TIMEOUT_MS: '2000',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited ${child.exitCode}:\n${out}`);
    if (Date.now() > deadline) throw new Error(`server did not become ready:\n${out}`);
    const ready = await fetch(`${origin}/health/ready`).catch(() => null);
    if (ready?.status === 200) break;
    await pause(200);
  }
  return {
    child,
    origin,
    output: () => out,
    alive: () => child.exitCode === null && child.signalCode === null,
  };
}

/** Ends every session the app has on `name` (the test's own admin connection is on another database). */
async function terminateBackends(admin: pg.Client, name: string): Promise<number> {
  const result = await admin.query(
    `select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`,
    [name],
  );
  return result.rowCount ?? 0;
}

function postComplaint(origin: string, token: string, key: string, partner: number) {
  return fetch(`${origin}/api/v1/complaints`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'idempotency-key': key,
      'x-forwarded-for': `10.1.0.${partner + 1}`,
    },
    body: JSON.stringify({
      complainant: { name: `Partner ${partner}`, email: 'resident@example.com' },
      summary: `The bins were not collected (${key}).`,
    }),
    signal: AbortSignal.timeout(20_000),
  });
}

/**
 * `partners` clients post `perPartner` complaints each, retrying a failed one with the same Idempotency-Key,
 * while `fault` runs every 150–300 ms. Then: the process is alive, every submission was acknowledged in the
 * end, and each acknowledged complaint is stored exactly once under the reference it was given.
 */
async function submitUnderFaults(
  server: Server,
  fresh: Awaited<ReturnType<typeof freshDatabase>>,
  options: { partners: number; perPartner: number; fault: () => Promise<number> },
): Promise<{ rounds: number; ended: number }> {
  const MAX_TRIES = 40;
  const deadline = Date.now() + 120_000;
  /** key → every reference an acknowledged (201) answer gave for it. */
  const acknowledged = new Map<string, string[]>();
  const statuses = new Map<string, number>();
  const count = (status: string) => statuses.set(status, (statuses.get(status) ?? 0) + 1);

  let submitting = true;
  // Partners go on past `perPartner` until the faults have had at least MIN_ROUNDS rounds, so a fast
  // machine cannot finish the work before the connections have been cut often enough to mean anything.
  const MIN_ROUNDS = 6;
  let faultRounds = 0;
  let submitted = 0;
  const partner = async (p: number) => {
    for (let i = 0; i < options.perPartner || (faultRounds < MIN_ROUNDS && Date.now() < deadline); i += 1) {
      const key = randomUUID();
      submitted += 1;
      for (let attempt = 1; attempt <= MAX_TRIES && Date.now() < deadline; attempt += 1) {
        if (!server.alive()) return; // reported below, with the process's output
        try {
          const response = await postComplaint(server.origin, fresh.token.token, key, p);
          count(String(response.status));
          if (response.status === 201) {
            const body = (await response.json()) as { reference: string };
            acknowledged.set(key, [...(acknowledged.get(key) ?? []), body.reference]);
            // Now and then a partner retries a request that succeeded: it must be replayed, not redone.
            if (i % 3 === 0) {
              const again = await postComplaint(server.origin, fresh.token.token, key, p);
              count(`retry ${again.status}`);
              if (again.status === 201) {
                assert.equal(again.headers.get('idempotent-replayed'), 'true');
                const replay = (await again.json()) as { reference: string };
                acknowledged.set(key, [...acknowledged.get(key)!, replay.reference]);
              } else await again.text();
            }
            break;
          }
          const text = await response.text();
          assert.equal(
            response.status,
            503,
            `only 503 while connections drop, got ${response.status}: ${text}`,
          );
          assert.equal(response.headers.get('retry-after'), '5');
          assert.equal((JSON.parse(text) as { error: { code: string } }).error.code, 'unavailable');
        } catch (error) {
          if (error instanceof assert.AssertionError) throw error;
          count(`network ${(error as Error).name}`); // the process must not be the cause: checked below
        }
        await pause(20 * Math.min(attempt, 10));
      }
    }
  };

  const faults = async () => {
    let rounds = 0;
    let ended = 0;
    while (submitting && rounds < 40 && Date.now() < deadline) {
      await pause(150 + Math.floor(Math.random() * 150));
      ended += await options.fault();
      rounds += 1;
      faultRounds = rounds;
    }
    return { rounds, ended };
  };

  const running = faults();
  try {
    await Promise.all(Array.from({ length: options.partners }, (_, p) => partner(p)));
  } finally {
    submitting = false;
  }
  const result = await running;

  assert.ok(server.alive(), `the process died:\n${server.output()}`);
  assert.doesNotMatch(server.output(), /Unhandled 'error' event|uncaughtException/);
  assert.ok(
    (statuses.get('503') ?? 0) > 0,
    `some requests met a dropped connection: ${JSON.stringify([...statuses])}`,
  );
  assert.ok(submitted >= options.partners * options.perPartner);
  assert.equal(
    acknowledged.size,
    submitted,
    `every submission was acknowledged in the end: ${JSON.stringify([...statuses])}`,
  );

  // Every acknowledged complaint is in the database exactly once, under the reference it was given.
  const check = new pg.Client({ connectionString: fresh.directUrl });
  await check.connect();
  try {
    const rows = await check.query<{ reference: string; idempotency_key: string }>(
      `select c.reference, c.idempotency_key from cases c join complaints k on k.case_id = c.id
       where c.authority_id = $1`,
      [fresh.authorityId],
    );
    assert.equal(rows.rows.length, acknowledged.size, 'no complaint was made twice, none is missing');
    const byKey = new Map(rows.rows.map((r) => [r.idempotency_key, r.reference]));
    for (const [key, references] of acknowledged) {
      const stored = byKey.get(`api:${fresh.token.id}:${key}`);
      assert.ok(stored, `acknowledged complaint ${key} is stored`);
      for (const reference of references) assert.equal(reference, stored, 'a retry gets the same complaint');
    }
  } finally {
    await check.end();
  }
  return result;
}

/**
 * A TCP proxy between the app and PostgreSQL, to break the network rather than the server: `reset()` sends
 * a TCP reset on every connection; `partition()` keeps connections open but passes nothing (and new ones
 * are accepted but never answered), like a cable pulled; `heal()` forwards again.
 */
async function startProxy(target: { host: string; port: number }) {
  const pairs = new Set<{ client: Socket; upstream: Socket | null }>();
  let partitioned = false;
  const server = createServer((client) => {
    const pair: { client: Socket; upstream: Socket | null } = { client, upstream: null };
    pairs.add(pair);
    client.on('error', () => undefined);
    client.on('close', () => {
      pairs.delete(pair);
      pair.upstream?.destroy();
    });
    if (partitioned) return client.pause();
    const upstream = connect(target.port, target.host);
    pair.upstream = upstream;
    upstream.on('error', () => undefined);
    upstream.on('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const pair of pairs) pair.client.destroy();
        server.close(() => resolve());
      }),
  );
  return {
    port,
    reset(): number {
      const n = pairs.size;
      for (const pair of pairs) {
        pair.client.resetAndDestroy();
        pair.upstream?.resetAndDestroy();
      }
      return n;
    },
    partition(): void {
      partitioned = true;
      for (const pair of pairs) {
        pair.client.unpipe();
        pair.upstream?.unpipe();
        pair.client.pause();
        pair.upstream?.pause();
      }
    },
    heal(): void {
      partitioned = false;
      // Connections held through the partition are gone by now (the app gave up on them); drop them.
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream?.destroy();
      }
    },
  };
}

void test('a terminated-backend error (57P01) is a 503: the GOV.UK unavailable page, and JSON for the API', async () => {
  const database = await openTestDatabase();
  // Every query fails the way it does when PostgreSQL ends the session, once `failing` is set.
  let failing = false;
  const terminated: KyselyPlugin = {
    transformQuery(args) {
      if (failing) {
        const error = new pg.DatabaseError(
          'terminating connection due to administrator command',
          116,
          'error',
        );
        error.code = '57P01';
        error.severity = 'FATAL';
        throw error;
      }
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  const t = await buildTestApp({ database: { ...database, db: database.db.withPlugin(terminated) } });
  try {
    const authority = await buildAuthority(database.db);
    const adminUser = await buildStaff(database.db, authority.id, { roles: ['admin'] });
    const { token } = await issueApiToken(database.db, {
      authorityId: authority.id,
      name: 'Partner',
      createdBy: adminUser.id,
      now: new Date(),
    });
    assert.equal((await t.app.inject({ method: 'GET', url: '/search?q=bins' })).statusCode, 200);

    failing = true;
    const page = await t.app.inject({ method: 'GET', url: '/search?q=bins' });
    assert.equal(page.statusCode, 503);
    assert.equal(page.headers['retry-after'], '5');
    assert.match(page.headers['content-type'] as string, /text\/html/);
    assert.match(page.body, /<title>[^<]*Sorry, the service is unavailable/);
    assert.doesNotMatch(page.body, /57P01|administrator command/, 'no internals shown');

    const api = await t.app.inject({
      method: 'POST',
      url: '/api/v1/complaints',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: { complainant: { name: 'Ada', email: 'ada@example.com' }, summary: 'The bins were missed.' },
    });
    assert.equal(api.statusCode, 503);
    assert.equal(api.headers['retry-after'], '5');
    assert.deepEqual(api.json(), {
      error: { code: 'unavailable', message: 'The service is unavailable. Try again shortly.' },
    });

    const ready = await t.app.inject({ method: 'GET', url: '/health/ready' });
    assert.equal(ready.statusCode, 503);
    assert.deepEqual(ready.json(), { status: 'database_unreachable' });

    failing = false;
    assert.equal((await t.app.inject({ method: 'GET', url: '/search?q=bins' })).statusCode, 200);
  } finally {
    await t.close();
    await database.close();
  }
});

void describe('database connection faults (PostgreSQL, real process)', { skip }, () => {
  void test('backends terminated again and again under concurrent submissions: the process lives, no acknowledged write is lost, none is doubled', async () => {
    const admin = await adminClient();
    cleanups.push(() => admin.end());
    const fresh = await freshDatabase(admin);
    const server = await startServer(fresh.url);

    const { rounds, ended } = await submitUnderFaults(server, fresh, {
      partners: 6,
      perPartner: 8,
      fault: () => terminateBackends(admin, fresh.name),
    });
    assert.ok(rounds >= 5 && ended >= 10, `terminations happened (${rounds} rounds, ${ended} backends)`);

    // And the process serves normally again within seconds. (A connection killed by the last termination
    // round may still be idle in the pool when the next request takes it: that one request is a 503, and
    // the client retries with the same idempotency key, as every client here does.)
    const key = randomUUID();
    const deadline = Date.now() + 10_000;
    let ok = await postComplaint(server.origin, fresh.token.token, key, 0);
    while (ok.status === 503 && Date.now() < deadline) {
      await pause(250);
      ok = await postComplaint(server.origin, fresh.token.token, key, 0);
    }
    assert.equal(ok.status, 201);
    server.child.kill('SIGTERM');
    await new Promise<void>((resolve) => server.child.once('exit', () => resolve()));
    assert.equal(server.child.exitCode, 0, `graceful shutdown after the faults:\n${server.output()}`);
  });

  void test('while the database refuses connections: readiness 503 fast, pages and the API 503 with Retry-After; then 200 again within seconds', async () => {
    const admin = await adminClient();
    cleanups.push(() => admin.end());
    const fresh = await freshDatabase(admin);
    const server = await startServer(fresh.url);

    await admin.query(`alter database "${fresh.name}" allow_connections false`);
    await terminateBackends(admin, fresh.name);

    let started = performance.now();
    const ready = await fetch(`${server.origin}/health/ready`);
    const readyMs = performance.now() - started;
    assert.equal(ready.status, 503);
    assert.deepEqual(await ready.json(), { status: 'database_unreachable' });
    assert.ok(readyMs < 3000, `readiness answered in ${Math.round(readyMs)} ms`);

    started = performance.now();
    const page = await fetch(`${server.origin}/search?q=bins`);
    const html = await page.text();
    assert.equal(page.status, 503);
    assert.equal(page.headers.get('retry-after'), '5');
    assert.match(html, /Sorry, the service is unavailable/);
    assert.match(html, /govuk-template/);
    assert.doesNotMatch(html, /57P01|not currently accepting|pg_|at \//, 'no internals shown');
    assert.ok(performance.now() - started < 5000, 'the page did not hang');

    const api = await postComplaint(server.origin, fresh.token.token, randomUUID(), 0);
    assert.equal(api.status, 503);
    assert.equal(api.headers.get('retry-after'), '5');
    assert.deepEqual(((await api.json()) as { error: { code: string } }).error.code, 'unavailable');

    const live = await fetch(`${server.origin}/health/live`);
    assert.equal(live.status, 200, 'liveness does not depend on the database');

    // Back again: ready within seconds, and the page serves.
    await admin.query(`alter database "${fresh.name}" allow_connections true`);
    const back = performance.now();
    let status = 0;
    while (performance.now() - back < 10_000) {
      status = (await fetch(`${server.origin}/health/ready`)).status;
      if (status === 200) break;
      await pause(100);
    }
    assert.equal(status, 200, 'ready again after the database came back');
    assert.ok(performance.now() - back < 10_000);
    assert.equal((await fetch(`${server.origin}/search?q=bins`)).status, 200);
    assert.equal((await postComplaint(server.origin, fresh.token.token, randomUUID(), 0)).status, 201);
    assert.ok(server.alive(), `the process died:\n${server.output()}`);
  });

  void test('TCP resets between app and database under load, then a network partition: alive, nothing lost or doubled, 503 within the bounds, 200 once healed', async () => {
    const admin = await adminClient();
    cleanups.push(() => admin.end());
    const fresh = await freshDatabase(admin);
    const direct = new URL(fresh.directUrl);
    const proxy = await startProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
    const viaProxy = new URL(fresh.directUrl);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    // Statement timeout 2 s, so a query with no answer is given up after 2 + 5 s.
    const server = await startServer(viaProxy.toString(), { DATABASE_STATEMENT_TIMEOUT_MS: '2000' });

    const { rounds, ended } = await submitUnderFaults(server, fresh, {
      partners: 4,
      perPartner: 10,
      fault: async () => proxy.reset(),
    });
    assert.ok(rounds >= 3 && ended >= 5, `resets happened (${rounds} rounds, ${ended} connections)`);

    // Pooled connections are open when the network goes, so requests wait on a query with no answer (the
    // client-side bound ends that), not on a new connection (the connect timeout ends that).
    const warm = await Promise.all(
      Array.from({ length: 6 }, () => fetch(`${server.origin}/search?q=bins`).then((r) => r.status)),
    );
    assert.deepEqual(warm, [200, 200, 200, 200, 200, 200]);
    proxy.partition();

    let started = performance.now();
    const [page, api] = await Promise.all([
      fetch(`${server.origin}/search?q=bins`, { signal: AbortSignal.timeout(30_000) }),
      postComplaint(server.origin, fresh.token.token, randomUUID(), 0),
    ]);
    const waited = performance.now() - started;
    assert.equal(page.status, 503);
    assert.match(await page.text(), /Sorry, the service is unavailable/);
    assert.equal(api.status, 503);
    assert.equal(((await api.json()) as { error: { code: string } }).error.code, 'unavailable');
    // The bound is the statement timeout (2 s) plus 5 s; without it they would wait for TCP to give up.
    assert.ok(waited < 10_000, `requests were bounded during the partition (${Math.round(waited)} ms)`);

    started = performance.now();
    const ready = await fetch(`${server.origin}/health/ready`);
    assert.equal(ready.status, 503);
    assert.ok(
      performance.now() - started < 3000,
      `readiness answered in ${Math.round(performance.now() - started)} ms`,
    );

    proxy.heal();
    const back = performance.now();
    let status = 0;
    while (performance.now() - back < 10_000) {
      status = (await fetch(`${server.origin}/health/ready`)).status;
      if (status === 200) break;
      await pause(100);
    }
    assert.equal(status, 200, 'ready again once the network healed');
    assert.equal((await fetch(`${server.origin}/search?q=bins`)).status, 200);
    assert.ok(server.alive(), `the process died:\n${server.output()}`);
  });
});
