/**
 * /metrics (issue 10, item 8): built on prom-client, one registry per app, and never open to everyone —
 * a bearer token (METRICS_TOKEN) or a separate listener (METRICS_PORT); with neither it is not served.
 *
 * Runs on PGlite by default and on PostgreSQL when TEST_DATABASE_URL is set. Builds its own apps; the
 * outbox row it adds is under its own topic, never due, and removed afterwards.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../src/config/index.ts';
import { TestClock } from '../src/platform/clock.ts';
import type { Database } from '../src/platform/db/index.ts';
import { enqueue, Worker } from '../src/platform/jobs/index.ts';
import { Metrics } from '../src/platform/metrics/index.ts';
import { startMetricsServer } from '../src/platform/http/ops.ts';
import { openTestDatabase } from './support/db.ts';
import { buildTestApp, type TestApp } from './support/app.ts';
import { buildAuthority, buildTeam } from './builders/index.ts';
import { ensureMailbox, ingestEmail } from '../src/modules/email/index.ts';

const TOKEN = `metrics-${randomUUID()}`;
let database: Database;
before(async () => {
  database = await openTestDatabase();
});
after(() => database.close());

/** A sample's value from Prometheus text, e.g. value(text, 'x_total{a="b"}'); undefined when absent. */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

void describe('who may read /metrics', () => {
  void test('with neither METRICS_TOKEN nor METRICS_PORT set, /metrics is not served', async () => {
    const t = await buildTestApp({ database });
    try {
      const res = await t.app.inject('/metrics');
      assert.equal(res.statusCode, 404);
      assert.doesNotMatch(res.body, /process_cpu|http_request/);
    } finally {
      await t.close();
    }
  });

  void test('with METRICS_TOKEN, only a request with that bearer token gets the metrics', async () => {
    const t = await buildTestApp({ database, env: { METRICS_TOKEN: TOKEN } });
    try {
      const none = await t.app.inject('/metrics');
      assert.equal(none.statusCode, 401);
      assert.equal(none.headers['www-authenticate'], 'Bearer realm="metrics"');
      assert.doesNotMatch(none.body, /process_cpu/);
      for (const authorization of [`Bearer ${TOKEN}x`, `Basic ${TOKEN}`, TOKEN, 'Bearer ']) {
        const wrong = await t.app.inject({ url: '/metrics', headers: { authorization } });
        assert.equal(wrong.statusCode, 401, authorization);
      }
      const ok = await t.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(ok.statusCode, 200);
      assert.match(String(ok.headers['content-type']), /^text\/plain; version=0\.0\.4/);
      assert.equal(ok.headers['cache-control'], 'no-store');
    } finally {
      await t.close();
    }
  });

  void test('with METRICS_PORT, a separate listener serves /metrics (token too when set) and the app does not', async () => {
    const config = loadConfig({
      DATA_DIR: mkdtempSync(join(tmpdir(), 'fd-metrics-')),
      METRICS_PORT: '9464',
      METRICS_TOKEN: TOKEN,
    });
    assert.deepEqual(config.metrics, { token: TOKEN, host: '127.0.0.1', port: 9464 });
    const t = await buildTestApp({ database, env: { METRICS_PORT: '9464', METRICS_TOKEN: TOKEN } });
    const metrics = new Metrics();
    const server = await startMetricsServer({ metrics, host: '127.0.0.1', port: 0, token: TOKEN });
    try {
      const fromApp = await t.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(fromApp.statusCode, 404, 'the app does not serve it when it has its own listener');

      const base = `http://127.0.0.1:${server.port}`;
      assert.equal((await fetch(`${base}/metrics`)).status, 401);
      const ok = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(ok.status, 200);
      assert.match(await ok.text(), /^process_cpu_user_seconds_total /m);
      assert.equal((await fetch(`${base}/`, { headers: { authorization: `Bearer ${TOKEN}` } })).status, 404);
    } finally {
      await server.close();
      await t.close();
    }
  });

  void test('METRICS_TOKEN must be long; a bad one is reported without echoing it', () => {
    try {
      loadConfig({ DATA_DIR: mkdtempSync(join(tmpdir(), 'fd-metrics-')), METRICS_TOKEN: 'short-secret' });
      assert.fail('expected a ConfigError');
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.problems.length, 1);
      assert.match(error.problems[0], /^METRICS_TOKEN must be at least 24 printable characters/);
      assert.doesNotMatch(error.problems[0], /short-secret/);
    }
  });
});

void describe('what /metrics reports', () => {
  let t: TestApp;
  const clock = new TestClock(new Date(Date.now() + 3_600_000));
  const topic = `test.metrics.${randomUUID()}`;
  before(async () => {
    t = await buildTestApp({ database, clock, env: { METRICS_TOKEN: TOKEN } });
  });
  after(async () => {
    await database.db.deleteFrom('outbox').where('topic', '=', topic).execute();
    await t.close();
  });
  const scrape = async () => {
    const res = await t.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(res.statusCode, 200);
    return res.body;
  };

  void test("prom-client's default process metrics", async () => {
    const text = await scrape();
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
    ])
      assert.ok(value(text, name) !== undefined, `${name} is reported`);
  });

  void test('request durations by route pattern and status code, never the raw URL', async () => {
    const slug = `no-such-service-${randomUUID()}`;
    await t.app.inject(`/services/${slug}`);
    await t.app.inject(`/services/${slug}`);
    await t.app.inject(`/nowhere/${slug}`);
    await t.app.inject('/health/live');
    const text = await scrape();
    assert.match(text, /^# TYPE http_request_duration_seconds histogram$/m);
    assert.equal(
      value(
        text,
        'http_request_duration_seconds_count{method="GET",route="/services/:slug",status_code="404"}',
      ),
      2,
    );
    assert.equal(
      value(text, 'http_request_duration_seconds_count{method="GET",route="/health/live",status_code="200"}'),
      1,
    );
    assert.equal(
      value(text, 'http_request_duration_seconds_count{method="GET",route="unmatched",status_code="404"}'),
      1,
    );
    assert.ok(
      value(
        text,
        'http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/services/:slug",status_code="404"}',
      ) === 2,
    );
    assert.doesNotMatch(text, new RegExp(slug), 'no URL in any label');
  });

  void test('outbox depth by status and the age of the oldest pending row', async () => {
    // Created now by the database's clock, seen from the app's clock an hour ahead; never due.
    await enqueue(database.db, { topic, payload: {}, runAfter: new Date('2100-01-01T00:00:00Z') });
    const text = await scrape();
    assert.ok((value(text, 'frontdoor_outbox_rows{status="pending"}') ?? 0) >= 1);
    for (const status of ['processing', 'done', 'dead'])
      assert.ok(value(text, `frontdoor_outbox_rows{status="${status}"}`) !== undefined, status);
    assert.ok(
      (value(text, 'frontdoor_outbox_oldest_pending_age_seconds') ?? 0) >= 3_500,
      'the oldest pending row is at least an hour old by the app clock',
    );
    assert.ok(value(text, 'frontdoor_outbox_due_lag_seconds') !== undefined);
  });

  void test('issue 13 metrics: emails received per mailbox, the triage queue and its oldest email, time to first response', async () => {
    const authority = await buildAuthority(database.db);
    const team = await buildTeam(database.db, authority.id);
    const address = `metrics-${randomUUID().slice(0, 8)}@council.example.gov.uk`;
    const mailboxId = await ensureMailbox(database.db, {
      authorityId: authority.id,
      teamId: team.id,
      address,
      name: 'M',
    });
    await ingestEmail(
      { db: database.db, clock, settings: { replySecret: null, ownDomains: [] } },
      {
        raw: Buffer.from(
          `From: someone@example.org\r\nTo: ${address}\r\nSubject: Hello\r\nMessage-ID: <${randomUUID()}@example.org>\r\n\r\nHi.\r\n`,
        ),
        receivedAt: new Date(clock.now().getTime() - 7_200_000),
        mailboxId,
      },
    );
    const text = await scrape();
    assert.equal(value(text, `frontdoor_emails_received{mailbox="${address}"}`), 1);
    assert.ok((value(text, 'frontdoor_email_triage_waiting') ?? 0) >= 1);
    assert.ok((value(text, 'frontdoor_email_triage_oldest_age_seconds') ?? 0) >= 7_000, 'two hours old');
    assert.ok(value(text, 'frontdoor_email_first_response_seconds{quantile="0.5"}') !== undefined);
  });
});

void test('job failures are counted by topic and outcome in the registry the worker is given', async () => {
  const topic = `test.metrics.${randomUUID()}`;
  const clock = new TestClock();
  const metrics = new Metrics();
  await enqueue(database.db, { topic, payload: {}, runAfter: clock.now(), maxAttempts: 2 });
  const worker = new Worker({
    db: database.db,
    clock,
    topics: [topic],
    metrics,
    handlers: {
      [topic]: async () => {
        throw new Error('provider unavailable');
      },
    },
  });
  assert.equal(await worker.runOnce(), 1);
  clock.advance(30_000);
  assert.equal(await worker.runOnce(), 1);
  const text = await metrics.render();
  assert.equal(value(text, `frontdoor_job_failures_total{topic="${topic}",outcome="retry"}`), 1);
  assert.equal(value(text, `frontdoor_job_failures_total{topic="${topic}",outcome="dead"}`), 1);
  // Each app has its own registry: a second one starts from nothing, and building it does not collide.
  assert.equal(
    value(await new Metrics().render(), `frontdoor_job_failures_total{topic="${topic}",outcome="retry"}`),
    undefined,
  );
});
