/**
 * The job worker against a real database (PGlite by default, PostgreSQL when TEST_DATABASE_URL is set).
 * Parallel-safe: every test uses its own topics and gives its Workers a `topics` filter, so it only ever
 * claims and asserts on its own rows.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { openTestDatabase, testEngine } from '../../../test/support/db.ts';
import { buildAuthority } from '../../../test/builders/index.ts';
import type { Database } from '../db/index.ts';
import { TestClock, type Clock } from '../clock.ts';
import { PermanentJobError, Worker, enqueue, type Job, type JobLogger } from './index.ts';

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

async function rowById(id: number) {
  return database.db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function spyLogger() {
  const entries: {
    level: 'info' | 'warn' | 'error';
    msg: string | undefined;
    obj: Record<string, unknown>;
  }[] = [];
  const logger: JobLogger = {
    info: (obj, msg) => void entries.push({ level: 'info', msg, obj }),
    warn: (obj, msg) => void entries.push({ level: 'warn', msg, obj }),
    error: (obj, msg) => void entries.push({ level: 'error', msg, obj }),
  };
  return { logger, entries };
}

void test('a job is delivered once and marked done; the payload reaches the handler', async () => {
  const topic = newTopic();
  const clock = new TestClock();
  const authority = await buildAuthority(database.db);
  const id = await database.db.transaction().execute((trx) =>
    enqueue(trx, {
      topic,
      payload: { caseId: 'c-42', channel: 'email' },
      authorityId: authority.id,
      runAfter: clock.now(),
    }),
  );
  assert.ok(id);

  const delivered: Job[] = [];
  const { logger, entries } = spyLogger();
  const worker = new Worker({
    db: database.db,
    clock,
    topics: [topic],
    workerId: 'w-deliver',
    logger,
    handlers: { [topic]: async (job) => void delivered.push(job) },
  });
  assert.equal(await worker.runOnce(), 1);
  assert.equal(await worker.runOnce(), 0);

  assert.deepEqual(delivered, [
    { id, topic, payload: { caseId: 'c-42', channel: 'email' }, attempts: 1, authorityId: authority.id },
  ]);
  const row = await rowById(id);
  assert.equal(row.status, 'done');
  assert.equal(row.attempts, 1);
  assert.equal(row.processed_at?.toISOString(), clock.now().toISOString());
  assert.equal(row.locked_until, null);
  assert.equal(row.locked_by, 'w-deliver');
  assert.equal(row.last_error, null);
  const done = entries.find((e) => e.msg === 'job done');
  assert.ok(done);
  assert.equal(JSON.stringify(done.obj).includes('c-42'), false, 'payload contents are never logged');
});

void test('claim takes due rows only, in run_after order, at most batchSize, and locks them for lockSeconds', async () => {
  const topic = newTopic();
  const clock = new TestClock();
  const at = (s: number) => new Date(clock.now().getTime() + s * 1000);
  const late = await enqueue(database.db, { topic, payload: { n: 'late' }, runAfter: at(-10) });
  const early = await enqueue(database.db, { topic, payload: { n: 'early' }, runAfter: at(-30) });
  const middle = await enqueue(database.db, { topic, payload: { n: 'middle' }, runAfter: at(-20) });
  const future = await enqueue(database.db, { topic, payload: { n: 'future' }, runAfter: at(10) });
  assert.ok(late && early && middle && future);

  const worker = new Worker({
    db: database.db,
    clock,
    topics: [topic],
    workerId: 'w-claim',
    batchSize: 2,
    lockSeconds: 60,
    handlers: {},
  });
  const first = await worker.claim();
  assert.deepEqual(
    first.map((j) => j.id),
    [early, middle],
  );
  assert.deepEqual(
    first.map((j) => j.attempts),
    [1, 1],
  );
  assert.equal(first[0]?.lockedUntil.toISOString(), at(60).toISOString());
  const locked = await rowById(early);
  assert.equal(locked.status, 'processing');
  assert.equal(locked.locked_by, 'w-claim');
  assert.equal(locked.locked_until?.toISOString(), at(60).toISOString());

  assert.deepEqual(
    (await worker.claim()).map((j) => j.id),
    [late],
    'the future row is not due',
  );
  assert.deepEqual(await worker.claim(), []);
  clock.advance(10_000);
  assert.deepEqual(
    (await worker.claim()).map((j) => j.id),
    [future],
  );
});

void test('urgent rows are claimed before normal rows that have been due longer; urgentOnly takes urgent rows only', async () => {
  const topic = newTopic();
  const clock = new TestClock();
  const at = (s: number) => new Date(clock.now().getTime() + s * 1000);
  const old1 = await enqueue(database.db, { topic, payload: {}, runAfter: at(-60) });
  const old2 = await enqueue(database.db, { topic, payload: {}, runAfter: at(-50), priority: 'normal' });
  const code1 = await enqueue(database.db, { topic, payload: {}, runAfter: at(-1), priority: 'urgent' });
  const code2 = await enqueue(database.db, { topic, payload: {}, runAfter: at(0), priority: 'urgent' });
  const notYet = await enqueue(database.db, { topic, payload: {}, runAfter: at(30), priority: 'urgent' });
  assert.ok(old1 && old2 && code1 && code2 && notYet);
  assert.equal((await rowById(code1)).priority, 10);
  assert.equal((await rowById(old1)).priority, 0);

  const worker = new Worker({ db: database.db, clock, topics: [topic], batchSize: 3, handlers: {} });
  const first = await worker.claim();
  assert.deepEqual(
    first.map((j) => j.id),
    [code1, code2, old1],
    'urgent rows first (oldest first among them), then the oldest normal row',
  );
  assert.deepEqual(
    first.map((j) => j.priority),
    [10, 10, 0],
  );
  assert.deepEqual(await worker.claim({ urgentOnly: true }), [], 'no urgent row is due');
  clock.advance(30_000);
  assert.deepEqual(
    (await worker.claim({ urgentOnly: true })).map((j) => j.id),
    [notYet],
  );
  assert.deepEqual(
    (await worker.claim({ limit: 1 })).map((j) => j.id),
    [old2],
  );
  await assert.rejects(
    enqueue(database.db, { topic, payload: {}, priority: 'asap' as 'urgent' }),
    /priority must be normal or urgent/,
  );
});

void test('with concurrency 4 a hanging job holds one slot while the others are delivered, hanging jobs never take the last slot, and an urgent job goes straight out', async () => {
  const topic = newTopic();
  const clock = new TestClock();
  const release = deferred();
  let hanging = 0;
  let mostHanging = 0;
  const delivered: string[] = [];
  const hangingChanged: (() => void)[] = [];
  const waitForHanging = (n: number) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (hanging >= n) resolve();
        else hangingChanged.push(check);
      };
      check();
    });
  let deliveredChanged: (() => void) | null = null;
  const waitForDelivered = (what: (names: string[]) => boolean) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (what(delivered)) resolve();
        else deliveredChanged = check;
      };
      check();
    });
  const worker = new Worker({
    db: database.db,
    clock,
    topics: [topic],
    concurrency: 4,
    pollIntervalMs: 20,
    handlers: {
      [topic]: async (job) => {
        const name = String(job.payload.name);
        if (name.startsWith('hang')) {
          hanging += 1;
          mostHanging = Math.max(mostHanging, hanging);
          for (const check of hangingChanged.splice(0)) check();
          await release.promise; // a provider call that does not answer
          hanging -= 1;
        }
        delivered.push(name);
        deliveredChanged?.();
      },
    },
  });
  const add = (name: string, priority: 'normal' | 'urgent' = 'normal') =>
    enqueue(database.db, { topic, payload: { name }, runAfter: clock.now(), priority });

  await add('hang-1');
  for (let n = 1; n <= 5; n += 1) await add(`quick-${n}`);
  worker.start();
  try {
    await within(
      waitForDelivered((names) => names.filter((n) => n.startsWith('quick')).length === 5),
      5_000,
      'the quick jobs to be delivered while hang-1 hangs',
    );
    assert.equal(hanging, 1, 'hang-1 is still running');

    for (let n = 2; n <= 5; n += 1) await add(`hang-${n}`);
    worker.wake();
    await within(waitForHanging(3), 5_000, 'three hanging jobs');
    await add('code', 'urgent');
    worker.wake();
    await within(
      waitForDelivered((names) => names.includes('code')),
      5_000,
      'the urgent job to be delivered while three slots hang',
    );
    assert.equal(hanging, 3, 'the code went out while the other three slots were still hanging');
    assert.equal(mostHanging, 3, 'normal jobs never took the slot kept for urgent ones');
    const waiting = (await rowsFor(topic)).filter((r) => r.status === 'pending').map((r) => r.payload.name);
    assert.deepEqual(waiting, ['hang-4', 'hang-5'], 'the rest wait for a slot');
  } finally {
    release.resolve();
    await within(worker.stop(), 5_000, 'stop() to wait for the released jobs');
  }
  const rows = await rowsFor(topic);
  assert.ok(
    rows.filter((r) => r.status !== 'pending').every((r) => r.status === 'done'),
    'every started job finished and was recorded before stop() resolved',
  );
});

void test('a failing handler is retried with backoff, then goes dead after max_attempts with last_error recorded', async () => {
  const topic = newTopic();
  const clock = new TestClock();
  const id = await enqueue(database.db, {
    topic,
    payload: { to: 'resident@example.org' },
    runAfter: clock.now(),
    maxAttempts: 3,
  });
  assert.ok(id);
  const attempts: number[] = [];
  const worker = new Worker({
    db: database.db,
    clock,
    topics: [topic],
    handlers: {
      [topic]: async (job) => {
        attempts.push(job.attempts);
        throw new Error('SMTP timeout');
      },
    },
  });

  assert.equal(await worker.runOnce(), 1);
  let row = await rowById(id);
  assert.equal(row.status, 'pending');
  assert.equal(row.attempts, 1);
  assert.equal(row.last_error, 'SMTP timeout');
  assert.equal(row.locked_by, null);
  assert.equal(row.run_after.toISOString(), new Date(clock.now().getTime() + 30_000).toISOString());

  clock.advance(29_999);
  assert.equal(await worker.runOnce(), 0, 'not due before the backoff');
  clock.advance(1);
  assert.equal(await worker.runOnce(), 1, 'due once the backoff has passed');
  row = await rowById(id);
  assert.equal(row.status, 'pending');
  assert.equal(row.attempts, 2);
  assert.equal(
    row.run_after.toISOString(),
    new Date(clock.now().getTime() + 60_000).toISOString(),
    'backoff doubles',
  );

  clock.advance(60_000);
  assert.equal(await worker.runOnce(), 1);
  row = await rowById(id);
  assert.equal(row.status, 'dead');
  assert.equal(row.attempts, 3);
  assert.equal(row.last_error, 'SMTP timeout');
  assert.equal(row.processed_at?.toISOString(), clock.now().toISOString());

  clock.advance(24 * 3600_000);
  assert.equal(await worker.runOnce(), 0, 'a dead row is never claimed');
  assert.deepEqual(attempts, [1, 2, 3]);
});

void test('a custom backoff function decides the retry time; last_error is the message only, truncated', async () => {
  const topic = newTopic();
  const clock = new TestClock();
  const id = await enqueue(database.db, {
    topic,
    payload: { secret: 'do-not-store' },
    runAfter: clock.now(),
  });
  assert.ok(id);
  const worker = new Worker({
    db: database.db,
    clock,
    topics: [topic],
    backoff: (attempt) => attempt * 5_000,
    handlers: {
      [topic]: async () => {
        throw new Error('x'.repeat(3000));
      },
    },
  });
  await worker.runOnce();
  const row = await rowById(id);
  assert.equal(row.run_after.toISOString(), new Date(clock.now().getTime() + 5_000).toISOString());
  assert.equal(row.last_error, 'x'.repeat(1000));
});

void test('PermanentJobError dead-letters at once', async () => {
  const topic = newTopic();
  const clock = new TestClock();
  const id = await enqueue(database.db, { topic, payload: {}, runAfter: clock.now() });
  assert.ok(id);
  let calls = 0;
  const worker = new Worker({
    db: database.db,
    clock,
    topics: [topic],
    handlers: {
      [topic]: async () => {
        calls += 1;
        throw new PermanentJobError('case c-1 no longer exists');
      },
    },
  });
  await worker.runOnce();
  clock.advance(24 * 3600_000);
  await worker.runOnce();
  const row = await rowById(id);
  assert.equal(calls, 1);
  assert.equal(row.status, 'dead');
  assert.equal(row.attempts, 1);
  assert.equal(row.last_error, 'case c-1 no longer exists');
});

void test('an unknown topic goes dead with a clear error, without running any handler', async () => {
  const topic = newTopic();
  const clock = new TestClock();
  const id = await enqueue(database.db, { topic, payload: {}, runAfter: clock.now() });
  assert.ok(id);
  let calls = 0;
  const worker = new Worker({
    db: database.db,
    clock,
    topics: [topic],
    handlers: { other: async () => void (calls += 1) },
  });
  assert.equal(await worker.runOnce(), 1);
  const row = await rowById(id);
  assert.equal(row.status, 'dead');
  assert.equal(row.last_error, `No handler registered for topic "${topic}"`);
  assert.equal(calls, 0);
});

void test('an expired lock (worker crashed mid-job) is reclaimed by another worker after lockSeconds', async () => {
  const topic = newTopic();
  const clock = new TestClock();
  const id = await enqueue(database.db, { topic, payload: { n: 1 }, runAfter: clock.now() });
  assert.ok(id);
  const crashed = new Worker({
    db: database.db,
    clock,
    topics: [topic],
    workerId: 'w-crashed',
    lockSeconds: 120,
    handlers: {},
  });
  assert.equal((await crashed.claim()).length, 1, 'claimed, then the process died');

  const delivered: Job[] = [];
  const survivor = new Worker({
    db: database.db,
    clock,
    topics: [topic],
    workerId: 'w-survivor',
    lockSeconds: 120,
    handlers: { [topic]: async (job) => void delivered.push(job) },
  });
  clock.advance(120_000);
  assert.equal(await survivor.runOnce(), 0, 'still locked at exactly lockSeconds');
  clock.advance(1);
  assert.equal(await survivor.runOnce(), 1);
  assert.deepEqual(
    delivered.map((j) => [j.id, j.attempts]),
    [[id, 2]],
  );
  const row = await rowById(id);
  assert.equal(row.status, 'done');
  assert.equal(row.locked_by, 'w-survivor');
});

void test('a worker whose lock expired cannot overwrite the result of the worker that reclaimed the row', async () => {
  const topic = newTopic();
  const clock = new TestClock();
  const id = await enqueue(database.db, { topic, payload: {}, runAfter: clock.now() });
  assert.ok(id);
  const slowStarted = deferred();
  const slowFinish = deferred();
  const { logger, entries } = spyLogger();
  const slow = new Worker({
    db: database.db,
    clock,
    topics: [topic],
    workerId: 'w-slow',
    lockSeconds: 60,
    logger,
    handlers: {
      [topic]: async () => {
        slowStarted.resolve();
        await slowFinish.promise;
        throw new Error('late failure');
      },
    },
  });
  const fast = new Worker({
    db: database.db,
    clock,
    topics: [topic],
    workerId: 'w-fast',
    lockSeconds: 60,
    handlers: { [topic]: async () => undefined },
  });

  const slowRun = slow.runOnce();
  await within(slowStarted.promise, 5_000, 'the slow handler to start');
  clock.advance(61_000);
  assert.equal(await fast.runOnce(), 1, 'the expired claim is taken over');
  slowFinish.resolve();
  assert.equal(await slowRun, 1);

  const row = await rowById(id);
  assert.equal(row.status, 'done', "the late failure did not overwrite the other worker's result");
  assert.equal(row.locked_by, 'w-fast');
  assert.equal(row.attempts, 2);
  assert.equal(row.last_error, null);
  assert.ok(entries.some((e) => e.level === 'warn' && e.msg?.includes('not recorded')));
});

void test('a claimed job whose lock ran out while earlier jobs in the batch ran is released, not run late', async () => {
  const topic = newTopic();
  const clock = new TestClock();
  const first = await enqueue(database.db, {
    topic,
    payload: {},
    runAfter: new Date(clock.now().getTime() - 1),
  });
  const second = await enqueue(database.db, { topic, payload: {}, runAfter: clock.now() });
  assert.ok(first && second);
  const ran: number[] = [];
  const worker = new Worker({
    db: database.db,
    clock,
    topics: [topic],
    lockSeconds: 10,
    handlers: {
      [topic]: async (job) => {
        ran.push(job.id);
        clock.advance(10_000); // the first job uses up the whole lock period
      },
    },
  });
  assert.equal(await worker.runOnce(), 2);
  assert.deepEqual(ran, [first]);
  const released = await rowById(second);
  assert.equal(released.status, 'pending');
  assert.equal(released.attempts, 0);
  assert.equal(await worker.runOnce(), 1);
  assert.deepEqual(ran, [first, second]);
});

void test('a row whose worker keeps dying goes dead once max_attempts claims have expired', async () => {
  const topic = newTopic();
  const clock = new TestClock();
  const id = await enqueue(database.db, { topic, payload: {}, runAfter: clock.now(), maxAttempts: 2 });
  assert.ok(id);
  const crashing = new Worker({ db: database.db, clock, topics: [topic], lockSeconds: 10, handlers: {} });
  await crashing.claim();
  clock.advance(10_001);
  await crashing.claim();
  clock.advance(10_001);
  let calls = 0;
  const worker = new Worker({
    db: database.db,
    clock,
    topics: [topic],
    lockSeconds: 10,
    handlers: { [topic]: async () => void (calls += 1) },
  });
  assert.equal(await worker.runOnce(), 1);
  const row = await rowById(id);
  assert.equal(calls, 0);
  assert.equal(row.status, 'dead');
  assert.match(row.last_error ?? '', /Gave up after 2 attempts: the lock expired/);
});

void test(`concurrent workers never deliver the same row twice (${testEngine === 'postgres' ? 'postgres: two connection pools, two workers each' : 'pglite: two workers sharing the single connection'})`, async () => {
  const topic = newTopic();
  const clock = new TestClock();
  const total = 300;
  const ids = await database.db.transaction().execute(async (trx) => {
    const out: number[] = [];
    for (let n = 0; n < total; n += 1) {
      const id = await enqueue(trx, { topic, payload: { n }, runAfter: clock.now() });
      assert.ok(id);
      out.push(id);
    }
    return out;
  });

  const extra: Database[] = [];
  try {
    const handles =
      testEngine === 'postgres'
        ? await Promise.all([openTestDatabase({ poolSize: 4 }), openTestDatabase({ poolSize: 4 })]).then(
            (opened) => {
              extra.push(...opened);
              return opened.map((d) => d.db);
            },
          )
        : [database.db];
    const perHandle = 2;
    const deliveries = new Map<number, string[]>();
    const workers = handles.flatMap((db, h) =>
      Array.from({ length: perHandle }, (_, w) => {
        const workerId = `w-${h}-${w}`;
        return new Worker({
          db,
          clock,
          topics: [topic],
          workerId,
          batchSize: 7,
          handlers: {
            [topic]: async (job) => {
              deliveries.set(job.id, [...(deliveries.get(job.id) ?? []), workerId]);
              await delay(0); // let other workers interleave
            },
          },
        });
      }),
    );
    const counts = await Promise.all(
      workers.map(async (worker) => {
        let claimed = 0;
        for (let n = await worker.runOnce(); n > 0; n = await worker.runOnce()) claimed += n;
        return claimed;
      }),
    );

    assert.equal(
      counts.reduce((a, b) => a + b, 0),
      total,
      'every row claimed exactly once in total',
    );
    assert.equal(deliveries.size, total);
    for (const id of ids) assert.equal(deliveries.get(id)?.length, 1, `row ${id} delivered once`);
    const rows = await rowsFor(topic);
    assert.ok(
      rows.every((r) => r.status === 'done' && r.attempts === 1),
      'all done, each claimed once',
    );
    assert.ok(
      counts.filter((c) => c > 0).length >= 2,
      `work was shared between workers: ${counts.join(', ')}`,
    );
  } finally {
    await Promise.all(extra.map((d) => d.close()));
  }
});

void test('stop() waits for the in-flight handler and releases claimed jobs that had not started', async () => {
  const topic = newTopic();
  const clock = new TestClock();
  const ids: number[] = [];
  for (let n = 0; n < 3; n += 1) {
    const id = await enqueue(database.db, {
      topic,
      payload: { n },
      runAfter: new Date(clock.now().getTime() + n),
    });
    assert.ok(id);
    ids.push(id);
  }
  clock.advance(10);
  const started = deferred();
  const finish = deferred();
  const seen: number[] = [];
  const worker = new Worker({
    db: database.db,
    clock,
    topics: [topic],
    pollIntervalMs: 10,
    handlers: {
      [topic]: async (job) => {
        seen.push(job.id);
        started.resolve();
        await finish.promise;
      },
    },
  });
  worker.start();
  await within(started.promise, 5_000, 'the first handler to start');

  let stopped = false;
  const stopping = worker.stop().then(() => void (stopped = true));
  await delay(50);
  assert.equal(stopped, false, 'stop() is still waiting for the handler');
  finish.resolve();
  await within(stopping, 5_000, 'stop() to resolve');

  assert.deepEqual(seen, [ids[0]]);
  const [first, second, third] = await rowsFor(topic);
  assert.equal(first?.status, 'done');
  for (const released of [second, third]) {
    assert.equal(released?.status, 'pending');
    assert.equal(released?.attempts, 0, 'a release does not use up an attempt');
    assert.equal(released?.locked_by, null);
  }

  // Stopped: no more polling, even when woken.
  worker.wake();
  await delay(50);
  assert.equal((await rowsFor(topic)).filter((r) => r.status === 'pending').length, 2);
  // A manual runOnce after stop still works.
  assert.equal(await worker.runOnce(), 2);
});

void test('start() drains full batches straight away, wake() nudges an idle loop, and stop() interrupts the sleep', async () => {
  const topic = newTopic();
  const clock = new TestClock();
  for (let n = 0; n < 5; n += 1) await enqueue(database.db, { topic, payload: { n }, runAfter: clock.now() });
  const delivered: number[] = [];
  let notify = deferred();
  const worker = new Worker({
    db: database.db,
    clock,
    topics: [topic],
    batchSize: 2,
    pollIntervalMs: 60_000,
    handlers: {
      [topic]: async (job) => {
        delivered.push(Number(job.payload.n));
        if (delivered.length === 5 || delivered.length === 6) notify.resolve();
      },
    },
  });
  worker.start();
  worker.start(); // idempotent
  await within(
    notify.promise,
    5_000,
    'five jobs in batches of 2, 2, 1 without waiting for the poll interval',
  );
  assert.deepEqual(delivered, [0, 1, 2, 3, 4]);

  notify = deferred();
  await enqueue(database.db, { topic, payload: { n: 5 }, runAfter: clock.now() });
  worker.wake();
  await within(notify.promise, 5_000, 'the woken loop to deliver the new job');
  assert.deepEqual(delivered, [0, 1, 2, 3, 4, 5]);

  await within(worker.stop(), 2_000, 'stop() to interrupt a 60 s sleep');
});

void test('the loop logs a failing batch and carries on', async () => {
  const topic = newTopic();
  const base = new TestClock();
  let failNext = true;
  const clock: Clock = {
    now: () => {
      if (failNext) {
        failNext = false;
        throw new Error('clock unavailable');
      }
      return base.now();
    },
  };
  const id = await enqueue(database.db, { topic, payload: {}, runAfter: base.now() });
  assert.ok(id);
  const done = deferred();
  const { logger, entries } = spyLogger();
  const worker = new Worker({
    db: database.db,
    clock,
    topics: [topic],
    pollIntervalMs: 5,
    logger,
    handlers: { [topic]: async () => done.resolve() },
  });
  worker.start();
  await within(done.promise, 5_000, 'the job to be delivered after the failed batch');
  await worker.stop();
  const failure = entries.find((e) => e.level === 'error');
  assert.equal(failure?.msg, 'job worker: claiming a batch failed');
  assert.equal(failure?.obj.err, 'clock unavailable');
  assert.equal((await rowById(id)).status, 'done');
  assert.ok(entries.some((e) => e.msg === 'job worker stopped'));
});
