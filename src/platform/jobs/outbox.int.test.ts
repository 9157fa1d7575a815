/**
 * Outbox producer and operator helpers against a real database (PGlite by default, PostgreSQL when
 * TEST_DATABASE_URL is set). Every test uses its own topics, so files can share one database.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { openTestDatabase } from '../../../test/support/db.ts';
import { buildAuthority } from '../../../test/builders/index.ts';
import type { Database } from '../db/index.ts';
import { TestClock } from '../clock.ts';
import { Worker, enqueue, outboxStats, purgeDone, retryDead, type Job } from './index.ts';

let database: Database;
before(async () => {
  database = await openTestDatabase();
});
after(async () => {
  await database.close();
});

const newTopic = (): string => `test.${randomUUID()}`;

async function rowsFor(topic: string) {
  return database.db.selectFrom('outbox').selectAll().where('topic', '=', topic).orderBy('id').execute();
}

void test('enqueue inserts a pending row with the given fields and returns its id', async () => {
  const topic = newTopic();
  const authority = await buildAuthority(database.db);
  const runAfter = new Date('2026-11-23T10:00:00Z');
  const id = await database.db.transaction().execute((trx) =>
    enqueue(trx, {
      topic,
      payload: { caseId: 'c-1', n: 2 },
      authorityId: authority.id,
      runAfter,
      maxAttempts: 3,
    }),
  );
  assert.equal(typeof id, 'number');
  const [row] = await rowsFor(topic);
  assert.ok(row);
  assert.equal(row.id, id);
  assert.equal(row.status, 'pending');
  assert.deepEqual(row.payload, { caseId: 'c-1', n: 2 });
  assert.equal(row.authority_id, authority.id);
  assert.equal(row.attempts, 0);
  assert.equal(row.max_attempts, 3);
  assert.equal(row.run_after.toISOString(), runAfter.toISOString());
  assert.equal(row.dedupe_key, null);
});

void test('enqueue defaults: max_attempts 8, run_after set by the database', async () => {
  const topic = newTopic();
  const id = await enqueue(database.db, { topic, payload: {} });
  assert.ok(id);
  const [row] = await rowsFor(topic);
  assert.equal(row?.max_attempts, 8);
  assert.ok(row?.run_after instanceof Date);
});

void test('a row enqueued in a transaction that rolls back is never delivered', async () => {
  const topic = newTopic();
  const clock = new TestClock();
  await assert.rejects(
    database.db.transaction().execute(async (trx) => {
      const id = await enqueue(trx, { topic, payload: { x: 1 }, runAfter: clock.now() });
      assert.ok(id);
      throw new Error('business rule failed');
    }),
    /business rule failed/,
  );
  const delivered: Job[] = [];
  const worker = new Worker({
    db: database.db,
    clock,
    topics: [topic],
    handlers: { [topic]: async (job) => void delivered.push(job) },
  });
  clock.advance(24 * 3600 * 1000);
  assert.equal(await worker.runOnce(), 0);
  assert.deepEqual(delivered, []);
  assert.deepEqual(await rowsFor(topic), []);
});

void test('a second enqueue with the same dedupeKey is a no-op and returns null', async () => {
  const topic = newTopic();
  const dedupeKey = `dedupe-${randomUUID()}`;
  const clock = new TestClock();
  const first = await enqueue(database.db, { topic, payload: { v: 1 }, dedupeKey, runAfter: clock.now() });
  const second = await database.db
    .transaction()
    .execute((trx) => enqueue(trx, { topic, payload: { v: 2 }, dedupeKey, runAfter: clock.now() }));
  assert.equal(typeof first, 'number');
  assert.equal(second, null);
  const rows = await rowsFor(topic);
  assert.equal(rows.length, 1);
  assert.deepEqual(rows[0]?.payload, { v: 1 });

  const delivered: unknown[] = [];
  const worker = new Worker({
    db: database.db,
    clock,
    topics: [topic],
    handlers: { [topic]: async (job) => void delivered.push(job.payload) },
  });
  await worker.runOnce();
  // Still a no-op once the first row is done.
  assert.equal(
    await enqueue(database.db, { topic, payload: { v: 3 }, dedupeKey, runAfter: clock.now() }),
    null,
  );
  await worker.runOnce();
  assert.deepEqual(delivered, [{ v: 1 }]);
});

void test('enqueue validates its input', async () => {
  await assert.rejects(enqueue(database.db, { topic: ' ', payload: {} }), TypeError);
  await assert.rejects(enqueue(database.db, { topic: newTopic(), payload: {}, maxAttempts: 0 }), RangeError);
  await assert.rejects(
    enqueue(database.db, { topic: newTopic(), payload: {}, runAfter: new Date('nope') }),
    RangeError,
  );
});

void test('outboxStats counts by status and reports the age of the oldest pending row and the due lag', async () => {
  const [a, b, c] = [newTopic(), newTopic(), newTopic()];
  const topics = [a, b, c];
  const clock = new TestClock('2026-11-23T09:00:00Z');

  assert.deepEqual(await outboxStats(database.db, { clock, topics }), {
    pending: 0,
    processing: 0,
    done: 0,
    dead: 0,
    oldestPendingAgeSeconds: null,
    dueLagSeconds: null,
  });

  await enqueue(database.db, { topic: a, payload: {}, runAfter: clock.now() });
  await enqueue(database.db, { topic: b, payload: {}, runAfter: clock.now(), maxAttempts: 1 });
  await enqueue(database.db, { topic: c, payload: {}, runAfter: new Date(clock.now().getTime() + 3600_000) });
  const worker = new Worker({
    db: database.db,
    clock,
    topics: [a, b],
    handlers: {
      [a]: async () => undefined,
      [b]: async () => {
        throw new Error('nope');
      },
    },
  });
  await worker.runOnce();

  // created_at comes from the database's now(); measure the oldest pending age from a clock set after it.
  const [pendingRow] = await rowsFor(c);
  assert.ok(pendingRow);
  const statsClock = new TestClock(new Date(pendingRow.created_at.getTime() + 90_500));
  const stats = await outboxStats(database.db, { clock: statsClock, topics });
  assert.equal(stats.pending, 1);
  assert.equal(stats.processing, 0);
  assert.equal(stats.done, 1);
  assert.equal(stats.dead, 1);
  assert.equal(stats.oldestPendingAgeSeconds, 90);

  // Due lag: the pending row became due at 10:00; at 10:02 it has waited 120 s.
  clock.set('2026-11-23T10:02:00Z');
  const lagging = await outboxStats(database.db, { clock, topics });
  assert.equal(lagging.dueLagSeconds, 120);
});

void test('retryDead puts a dead row back to pending with fresh attempts; other rows are untouched', async () => {
  const topic = newTopic();
  const clock = new TestClock();
  let fail = true;
  const calls: number[] = [];
  const id = await enqueue(database.db, { topic, payload: {}, runAfter: clock.now(), maxAttempts: 1 });
  assert.ok(id);
  const worker = new Worker({
    db: database.db,
    clock,
    topics: [topic],
    handlers: {
      [topic]: async (job) => {
        calls.push(job.attempts);
        if (fail) throw new Error('downstream unavailable');
      },
    },
  });
  await worker.runOnce();
  assert.equal((await rowsFor(topic))[0]?.status, 'dead');

  assert.equal(await retryDead(database.db, id + 1_000_000_000), false);
  clock.advance(60_000);
  assert.equal(await retryDead(database.db, id, { clock }), true);
  const [row] = await rowsFor(topic);
  assert.equal(row?.status, 'pending');
  assert.equal(row?.attempts, 0);
  assert.equal(row?.run_after.toISOString(), clock.now().toISOString());
  assert.equal(row?.last_error, 'downstream unavailable');
  assert.equal(row?.processed_at, null);

  fail = false;
  assert.equal(await worker.runOnce(), 1);
  const [done] = await rowsFor(topic);
  assert.equal(done?.status, 'done');
  assert.equal(done?.last_error, null);
  assert.deepEqual(calls, [1, 1]);
  assert.equal(await retryDead(database.db, id), false, 'a done row cannot be retried');
});

void test('purgeDone deletes only done rows processed before the cut-off', async () => {
  const [doneTopic, pendingTopic] = [newTopic(), newTopic()];
  const clock = new TestClock();
  await enqueue(database.db, { topic: doneTopic, payload: {}, runAfter: clock.now() });
  await enqueue(database.db, {
    topic: pendingTopic,
    payload: {},
    runAfter: new Date(clock.now().getTime() + 60_000),
  });
  const worker = new Worker({
    db: database.db,
    clock,
    topics: [doneTopic],
    handlers: { [doneTopic]: async () => undefined },
  });
  await worker.runOnce();

  const topics = [doneTopic, pendingTopic];
  assert.equal(
    await purgeDone(database.db, clock.now(), { topics }),
    0,
    'processed_at is not before the cut-off',
  );
  assert.equal(await purgeDone(database.db, new Date(clock.now().getTime() + 1), { topics }), 1);
  assert.deepEqual(await rowsFor(doneTopic), []);
  assert.equal((await rowsFor(pendingTopic)).length, 1);
});
