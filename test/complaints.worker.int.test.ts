/**
 * The worker hands `case.created` to the casework modules (complaints, information requests, feedback),
 * schedules their periodic jobs (the adoption safety nets and the feedback scan: handled by `jobHandlers`,
 * but without a schedule entry they would never run), and hands the public URL to the feedback job so the
 * links in feedback requests are absolute.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { TestClock } from '../src/platform/clock.ts';
import type { Database, Db } from '../src/platform/db/index.ts';
import { COMPLAINTS_ADOPT_TOPIC } from '../src/modules/complaints/index.ts';
import { FEEDBACK_SCAN_TOPIC } from '../src/modules/feedback/index.ts';
import { INFORMATION_REQUESTS_ADOPT_TOPIC } from '../src/modules/information-requests/index.ts';
import { CASE_CREATED_TOPIC, createCase, loadCaseService } from '../src/modules/cases/index.ts';
import { withTransaction } from '../src/platform/db/index.ts';
import { installShippedService } from './builders/services.ts';
import { jobHandlers, schedule, scheduleDueJobs } from '../src/worker.ts';
import { openTestDatabase } from './support/db.ts';
import { buildAuthority, buildService, buildTeam } from './builders/index.ts';
import { buildCase, buildCustomer } from './builders/customers.ts';

let database: Database;
let db: Db;

before(async () => {
  database = await openTestDatabase();
  db = database.db;
});
after(() => database.close());

const TOPICS = [COMPLAINTS_ADOPT_TOPIC, INFORMATION_REQUESTS_ADOPT_TOPIC, FEEDBACK_SCAN_TOPIC];

void describe('scheduling the casework jobs', () => {
  void test('case.created has a handler; the adoption safety nets run hourly and feedback.scan every few minutes', () => {
    const every = (topic: string) => schedule.find((s) => s.topic === topic)?.everyMinutes;
    assert.equal(every(COMPLAINTS_ADOPT_TOPIC), 60);
    assert.equal(every(INFORMATION_REQUESTS_ADOPT_TOPIC), 60);
    const scan = every(FEEDBACK_SCAN_TOPIC);
    assert.ok(scan !== undefined && scan >= 1 && scan <= 10, 'feedback.scan runs every few minutes');
    const handlers = jobHandlers({
      db,
      clock: new TestClock('2031-01-01T00:00:00Z'),
      sessionIdleMinutes: 30,
    });
    for (const topic of [...TOPICS, CASE_CREATED_TOPIC])
      assert.equal(typeof handlers[topic], 'function', `${topic} has a handler`);
  });

  void test('a case.created job for a kind no module adopts, or a malformed one, does nothing and does not fail', async () => {
    const handlers = jobHandlers({
      db,
      clock: new TestClock('2031-01-01T00:00:00Z'),
      sessionIdleMinutes: 30,
    });
    const job = (payload: Record<string, unknown>) => ({
      id: 1,
      topic: CASE_CREATED_TOPIC,
      payload,
      attempts: 1,
      authorityId: null,
    });
    await handlers[CASE_CREATED_TOPIC](job({ caseId: randomUUID(), kind: 'report' }));
    await handlers[CASE_CREATED_TOPIC](job({ caseId: randomUUID(), kind: 'complaint' }));
    await handlers[CASE_CREATED_TOPIC](job({}));
  });

  void test('createCase announces case.created only for services another module keeps a record for', async () => {
    const authority = await buildAuthority(db);
    const team = await buildTeam(db, authority.id);
    const open = async (slug: string) => {
      const installed = await installShippedService(db, { authorityId: authority.id, teamId: team.id, slug });
      const service = (await loadCaseService(db, { id: installed.id }))!;
      return withTransaction(db, (trx) =>
        createCase(trx, {
          service,
          customerId: null,
          contact: { email: `${randomUUID().slice(0, 8)}@example.com` },
          answers: {},
          formVersion: service.definitionVersion,
          channel: 'web',
          receivedAt: new Date('2026-11-23T10:00:00Z'),
          idempotencyKey: `test:${randomUUID()}`,
        }),
      );
    };
    const announced = async (caseId: string) =>
      db
        .selectFrom('outbox')
        .select(['topic', 'payload', 'authority_id'])
        .where('dedupe_key', '=', `case.created:${caseId}`)
        .execute();
    const bin = await open('report-a-missed-bin');
    assert.deepEqual(await announced(bin.id), [], 'a missed bin report is nobody else’s record');
    for (const [slug, kind] of [
      ['make-a-complaint', 'complaint'],
      ['freedom-of-information-request', 'foi'],
      ['subject-access-request', 'sar'],
      ['give-a-compliment', 'compliment'],
    ]) {
      const created = await open(slug);
      assert.deepEqual(await announced(created.id), [
        { topic: CASE_CREATED_TOPIC, payload: { caseId: created.id, kind }, authority_id: authority.id },
      ]);
    }
  });

  void test('scheduleDueJobs enqueues each topic once per slot, and again in the next slot', async () => {
    // An hour of its own (in 2031 or later) so parallel runs against one PostgreSQL never share a slot.
    const start = new Date(Date.UTC(2031, 0, 1) + Math.floor(Math.random() * 500_000) * 3_600_000);
    const clock = new TestClock(start.toISOString());
    const jobsFor = async (topic: string) => {
      const everyMinutes = schedule.find((s) => s.topic === topic)!.everyMinutes;
      const key = `${topic}:${Math.floor(clock.now().getTime() / (everyMinutes * 60_000))}`;
      return db.selectFrom('outbox').select(['topic']).where('dedupe_key', '=', key).execute();
    };
    await scheduleDueJobs(db, clock);
    await scheduleDueJobs(db, clock);
    for (const topic of TOPICS)
      assert.equal((await jobsFor(topic)).length, 1, `${topic}: one job for the slot`);
    // The longest period (the hourly safety nets) later: every topic is in a slot of its own again.
    clock.advance(60 * 60_000);
    for (const topic of TOPICS) assert.equal((await jobsFor(topic)).length, 0, `${topic}: next slot not yet`);
    await scheduleDueJobs(db, clock);
    for (const topic of TOPICS)
      assert.equal((await jobsFor(topic)).length, 1, `${topic}: one job for the next slot`);
  });

  void test('the feedback.scan handler writes absolute links with the configured public URL', async () => {
    const clock = new TestClock('2031-06-10T10:00:00Z');
    const authority = await buildAuthority(db);
    const team = await buildTeam(db, authority.id, { name: `Waste ${randomUUID().slice(0, 4)}` });
    const service = await buildService(db, authority.id, team.id, { name: 'Report a missed bin' });
    const customer = await buildCustomer(db, authority.id, {
      email: `${randomUUID().slice(0, 8)}@example.com`,
    });
    await buildCase(db, {
      authorityId: authority.id,
      serviceId: service.id,
      teamId: team.id,
      customerId: customer.id,
      closedAt: new Date(clock.now().getTime() - 3_600_000),
      status: 'collected',
    });
    const handlers = jobHandlers({
      db,
      clock,
      sessionIdleMinutes: 30,
      config: { notify: null, smtp: null, publicUrl: 'https://frontdoor.example.gov.uk' },
    });
    await handlers[FEEDBACK_SCAN_TOPIC]({
      id: 1,
      topic: FEEDBACK_SCAN_TOPIC,
      payload: {},
      attempts: 1,
      authorityId: null,
    });
    const message = await db
      .selectFrom('messages')
      .select(['body', 'template'])
      .where('customer_id', '=', customer.id)
      .executeTakeFirstOrThrow();
    assert.match(message.body, /https:\/\/frontdoor\.example\.gov\.uk\/feedback\/[A-Za-z0-9_-]{20,}/);
  });
});
