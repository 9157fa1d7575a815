/**
 * The job worker (docs/jobs.md, ADR 0003): claims due outbox rows with `FOR UPDATE SKIP LOCKED`, runs
 * the handler registered for each row's topic, and records the outcome.
 *
 * Delivery is AT LEAST ONCE. A row is claimed (attempts + 1, locked until now + lockSeconds), its handler
 * runs outside any transaction, then the row is marked done. If the process dies between the handler's
 * side effect and "mark done", the lock expires and another worker runs the handler again. Handlers must
 * therefore be idempotent per row: use `job.id` (or a key derived from it) as the idempotency key with
 * outside services, and check before repeating a local side effect.
 *
 * Every outcome update is fenced on (locked_by = this worker, attempts = the claimed attempt,
 * status = 'processing'): a worker whose lock expired and whose row was reclaimed cannot overwrite the
 * newer claim's result.
 *
 * Times come from the injected Clock and are passed as parameters (never `now()`), so tests move time.
 *
 * Order and concurrency: rows are claimed by priority (urgent first), then due time. With `concurrency`
 * above 1, `start()` runs up to that many jobs at once, claiming only as many rows as it has free slots,
 * and keeps the last slot for urgent rows: a provider that hangs on ordinary messages can hold at most
 * `concurrency - 1` slots (for as long as its timeout), and a one-time code still goes straight out.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import type { DB, RowUpdate } from '../db/schema.ts';
import { systemClock, type Clock } from '../clock.ts';
import { JOB_PRIORITY } from './outbox.ts';
import { claimDueRows, finishClaimedRow } from './outbox.repository.ts';

/** What a handler receives. `attempts` counts this delivery (1 on the first). */
export interface Job {
  id: number;
  topic: string;
  payload: Record<string, unknown>;
  attempts: number;
  authorityId: string | null;
}

/** Runs one job. Throw to retry with backoff; throw `PermanentJobError` to dead-letter at once. */
export type JobHandler = (job: Job) => Promise<void>;

/** A claimed row: the job plus what the worker needs to fence and finish it. */
export interface ClaimedJob extends Job {
  maxAttempts: number;
  lockedUntil: Date;
  /** `outbox.priority`: JOB_PRIORITY.urgent or JOB_PRIORITY.normal. */
  priority: number;
}

/** Counts what went wrong, for /metrics (platform/metrics `jobMetrics`). Never given payloads. */
export interface JobMetrics {
  /** A handler failed: `retry` (back to pending) or `dead` (dead-lettered, also for unknown topics). */
  jobFailed(topic: string, outcome: 'retry' | 'dead'): void;
}

/** The subset of a pino logger the worker uses. Never given payload contents. */
export interface JobLogger {
  info(obj: Record<string, unknown>, msg?: string): void;
  warn(obj: Record<string, unknown>, msg?: string): void;
  error(obj: Record<string, unknown>, msg?: string): void;
}

export interface WorkerOptions {
  db: Kysely<DB>;
  /** Topic → handler. A claimed row whose topic has no handler goes `dead`. */
  handlers: Record<string, JobHandler>;
  clock?: Clock;
  /** Recorded in `locked_by`. Default `<hostname>:<pid>:<random>`; must be unique per Worker instance. */
  workerId?: string;
  /** Rows claimed per statement by `runOnce()` (and by `start()` when concurrency is 1). Default 10. */
  batchSize?: number;
  /**
   * Jobs `start()` runs at once. Default 1: one after another, in batches. Above 1, each claimed row
   * starts at once in its own slot, and one slot is kept for urgent rows.
   */
  concurrency?: number;
  metrics?: JobMetrics;
  /** How long a claim is valid; after that another worker may reclaim the row. Default 300. */
  lockSeconds?: number;
  /** Sleep between polls when the last batch was not full. Default 1000. */
  pollIntervalMs?: number;
  /** Delay in ms before retry number `attempt + 1`, given the attempt that just failed. Default `exponentialBackoff`. */
  backoff?: (attempt: number) => number;
  /** Only claim these topics (default: all). Tests use it to stay clear of rows other test files own. */
  topics?: string[];
  logger?: JobLogger;
}

/** Throw from a handler when retrying cannot help (bad payload, record deleted): the row goes `dead` at once. */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError';
}

const BACKOFF_BASE_MS = 30_000;
const BACKOFF_CAP_MS = 60 * 60 * 1000;
const MAX_ERROR_LENGTH = 1000;

/** 30 s · 2^(attempt − 1), capped at 1 hour. Deterministic (no jitter) so tests can predict it. */
export function exponentialBackoff(attempt: number): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 30));
  return Math.min(BACKOFF_BASE_MS * 2 ** exponent, BACKOFF_CAP_MS);
}

/**
 * The text stored in `last_error` and logged: the error's message only (never a stack or the payload),
 * without NUL characters (PostgreSQL text cannot hold them), at most 1000 characters.
 */
export function errorText(error: unknown): string {
  const raw =
    error instanceof Error
      ? error.message
      : typeof error === 'string'
        ? error
        : `Non-error value thrown (${typeof error})`;
  let text = raw.replaceAll('\u0000', '');
  if (text === '') text = error instanceof Error ? error.name : 'Unknown error';
  if (text.length <= MAX_ERROR_LENGTH) return text;
  let cut = MAX_ERROR_LENGTH;
  const last = text.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut -= 1; // do not split a surrogate pair
  return text.slice(0, cut);
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`Worker: ${name} must be a whole number of at least 1`);
  return value;
}

export class Worker {
  readonly workerId: string;
  private readonly db: Kysely<DB>;
  private readonly handlers: Record<string, JobHandler>;
  private readonly clock: Clock;
  private readonly batchSize: number;
  private readonly lockMs: number;
  private readonly pollIntervalMs: number;
  private readonly backoff: (attempt: number) => number;
  private readonly topics: string[] | undefined;
  private readonly logger: JobLogger | undefined;
  private readonly concurrency: number;
  private readonly metrics: JobMetrics | undefined;
  /** Jobs running in slots (concurrency above 1), and how many of them are not urgent. */
  private readonly running = new Set<Promise<void>>();
  private runningNormal = 0;

  private loop: Promise<void> | null = null;
  private stopping = false;
  /** Set by stop(): claimed rows whose handler has not started are released instead of run. */
  private draining = false;
  private readonly inFlight = new Set<Promise<unknown>>();
  private wakeRequested = false;
  private interruptSleep: (() => void) | null = null;

  constructor(options: WorkerOptions) {
    this.db = options.db;
    this.handlers = options.handlers;
    this.clock = options.clock ?? systemClock;
    this.workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.batchSize = positiveInteger('batchSize', options.batchSize ?? 10);
    const lockSeconds = options.lockSeconds ?? 300;
    if (!(lockSeconds > 0) || !Number.isFinite(lockSeconds))
      throw new RangeError('Worker: lockSeconds must be a positive number');
    this.lockMs = lockSeconds * 1000;
    const pollIntervalMs = options.pollIntervalMs ?? 1000;
    if (!(pollIntervalMs >= 0) || !Number.isFinite(pollIntervalMs))
      throw new RangeError('Worker: pollIntervalMs must be zero or more');
    this.pollIntervalMs = pollIntervalMs;
    this.backoff = options.backoff ?? exponentialBackoff;
    this.topics = options.topics ? [...options.topics] : undefined;
    this.logger = options.logger;
    this.concurrency = positiveInteger('concurrency', options.concurrency ?? 1);
    this.metrics = options.metrics;
  }

  /**
   * Atomically claim up to `limit` (default `batchSize`) due rows: pending rows whose `run_after` has
   * passed, and processing rows whose lock expired (their worker died); `urgentOnly` takes urgent rows
   * only. One statement; `SKIP LOCKED` lets concurrent workers on PostgreSQL take disjoint rows without
   * waiting for each other. Returned in (priority desc, run_after, id) order: urgent rows first.
   */
  async claim(options: { limit?: number; urgentOnly?: boolean } = {}): Promise<ClaimedJob[]> {
    const limit = positiveInteger('limit', options.limit ?? this.batchSize);
    const now = this.clock.now();
    const lockedUntil = new Date(now.getTime() + this.lockMs);
    const rows = await claimDueRows(this.db, {
      now,
      lockedUntil,
      workerId: this.workerId,
      limit,
      topics: this.topics,
      minPriority: options.urgentOnly ? JOB_PRIORITY.urgent : undefined,
    });
    return rows
      .sort((a, b) => b.priority - a.priority || a.run_after.getTime() - b.run_after.getTime() || a.id - b.id)
      .map((row) => ({
        id: row.id,
        topic: row.topic,
        payload: row.payload,
        attempts: row.attempts,
        authorityId: row.authority_id,
        maxAttempts: row.max_attempts,
        lockedUntil: row.locked_until,
        priority: row.priority,
      }));
  }

  /**
   * Claim one batch and run it, one job after another. Returns how many rows were claimed. Throws only
   * if the claim itself fails; a failing handler or outcome update is logged and never stops the batch.
   */
  async runOnce(): Promise<number> {
    const run = this.runBatch();
    this.inFlight.add(run);
    try {
      return await run;
    } finally {
      this.inFlight.delete(run);
    }
  }

  /**
   * Run until `stop()`. With concurrency 1: `runOnce` in a loop, straight on after a full batch, otherwise
   * sleep `pollIntervalMs` (or until `wake()`). Above 1: fill free slots as they free up (see `runSlots`).
   * Errors are logged and the loop carries on, backing off while the database is down.
   */
  start(): void {
    if (this.loop) {
      if (this.stopping) throw new Error('Worker is stopping; await stop() before start()');
      return;
    }
    this.stopping = false;
    this.loop = this.runLoop();
  }

  /**
   * Stop polling and resolve once the in-flight batch is finished: the running handler completes and is
   * recorded; claimed rows whose handler had not started are released back to `pending` unchanged.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.draining = true;
    this.interruptSleep?.();
    try {
      if (this.loop) await this.loop;
      await Promise.allSettled([...this.inFlight]);
    } finally {
      this.loop = null;
      this.stopping = false;
      this.draining = false;
      this.wakeRequested = false;
    }
  }

  /** Poll now instead of waiting out the interval (call after enqueueing something urgent). */
  wake(): void {
    if (!this.loop || this.stopping) return;
    this.nudge();
  }

  private nudge(): void {
    if (this.interruptSleep) this.interruptSleep();
    else this.wakeRequested = true;
  }

  private async runLoop(): Promise<void> {
    this.logger?.info({ workerId: this.workerId, concurrency: this.concurrency }, 'job worker started');
    if (this.concurrency > 1) {
      await this.runSlots();
      this.logger?.info({ workerId: this.workerId }, 'job worker stopped');
      return;
    }
    let failures = 0;
    while (!this.stopping) {
      let claimed = 0;
      try {
        claimed = await this.runOnce();
        failures = 0;
      } catch (error) {
        failures += 1;
        this.claimFailed(error, failures);
      }
      if (this.stopping) break;
      if (failures > 0) {
        await this.sleep(this.backoffAfterFailures(failures));
      } else if (claimed < this.batchSize) {
        await this.sleep(this.pollIntervalMs);
      }
    }
    this.logger?.info({ workerId: this.workerId }, 'job worker stopped');
  }

  private claimFailed(error: unknown, failures: number): void {
    this.logger?.error(
      { workerId: this.workerId, err: errorText(error), failures },
      'job worker: claiming a batch failed',
    );
  }

  /** How long to wait after `failures` failed claims in a row (the database is down): doubling, ≤ 30 s. */
  private backoffAfterFailures(failures: number): number {
    return Math.max(this.pollIntervalMs, Math.min(this.pollIntervalMs * 2 ** Math.min(failures, 6), 30_000));
  }

  /**
   * The concurrent loop. Claims only as many rows as there are free slots, so a claimed row never waits
   * behind a slow one (its lock runs while it waits). Normal rows may fill `concurrency - 1` slots; the
   * last free slot claims urgent rows only. A finishing job wakes the loop to fill its slot.
   */
  private async runSlots(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      const free = this.concurrency - this.running.size;
      const normalFree = Math.min(free, this.concurrency - 1 - this.runningNormal);
      const urgentOnly = normalFree <= 0;
      const limit = urgentOnly ? free : normalFree;
      let claimed = 0;
      if (limit > 0) {
        try {
          const jobs = await this.claim({ limit, urgentOnly });
          failures = 0;
          claimed = jobs.length;
          for (const job of jobs) this.startInSlot(job);
        } catch (error) {
          failures += 1;
          this.claimFailed(error, failures);
        }
      }
      if (this.stopping) break;
      if (failures > 0) {
        await this.sleep(this.backoffAfterFailures(failures));
      } else if (limit === 0 || claimed < limit) {
        await this.sleep(this.pollIntervalMs);
      }
    }
    await Promise.allSettled([...this.running]);
  }

  private startInSlot(job: ClaimedJob): void {
    const normal = job.priority < JOB_PRIORITY.urgent;
    if (normal) this.runningNormal += 1;
    const run: Promise<void> = this.process(job)
      .catch((error: unknown) => {
        this.logger?.error(
          { jobId: job.id, topic: job.topic, workerId: this.workerId, err: errorText(error) },
          'job worker: running a job failed',
        );
      })
      .finally(() => {
        this.running.delete(run);
        this.inFlight.delete(run);
        if (normal) this.runningNormal -= 1;
        if (!this.stopping) this.nudge();
      });
    this.running.add(run);
    this.inFlight.add(run);
  }

  private sleep(ms: number): Promise<void> {
    if (this.wakeRequested) {
      this.wakeRequested = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.interruptSleep = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.interruptSleep = done;
    });
  }

  private async runBatch(): Promise<number> {
    const jobs = await this.claim();
    for (const [index, job] of jobs.entries()) {
      if (this.draining) {
        for (const unstarted of jobs.slice(index)) await this.release(unstarted, 'worker stopping');
        break;
      }
      if (this.clock.now().getTime() >= job.lockedUntil.getTime()) {
        // Earlier jobs in the batch took the whole lock period; another worker may take this one now.
        await this.release(job, 'lock expired before the job started');
        continue;
      }
      await this.process(job);
    }
    return jobs.length;
  }

  private async process(job: ClaimedJob): Promise<void> {
    const context = { jobId: job.id, topic: job.topic, attempts: job.attempts, workerId: this.workerId };

    if (job.attempts > job.maxAttempts) {
      // Claimed again after its lock expired on the last allowed attempt: the worker keeps dying on it.
      const message = `Gave up after ${job.maxAttempts} attempts: the lock expired before the job finished (worker crashed or the job ran longer than the lock)`;
      this.metrics?.jobFailed(job.topic, 'dead');
      await this.finish(job, {
        status: 'dead',
        last_error: message,
        locked_until: null,
        processed_at: this.clock.now(),
      });
      this.logger?.error({ ...context, err: message }, 'job dead-lettered');
      return;
    }

    const handler = Object.hasOwn(this.handlers, job.topic) ? this.handlers[job.topic] : undefined;
    if (!handler) {
      const message = `No handler registered for topic "${job.topic}"`;
      this.metrics?.jobFailed(job.topic, 'dead');
      await this.finish(job, {
        status: 'dead',
        last_error: errorText(message),
        locked_until: null,
        processed_at: this.clock.now(),
      });
      this.logger?.error({ ...context, err: message }, 'job dead-lettered');
      return;
    }

    const started = performance.now();
    try {
      await handler({
        id: job.id,
        topic: job.topic,
        payload: job.payload,
        attempts: job.attempts,
        authorityId: job.authorityId,
      });
    } catch (error) {
      const message = errorText(error);
      const now = this.clock.now();
      const dead = error instanceof PermanentJobError || job.attempts >= job.maxAttempts;
      this.metrics?.jobFailed(job.topic, dead ? 'dead' : 'retry');
      if (dead) {
        await this.finish(job, {
          status: 'dead',
          last_error: message,
          locked_until: null,
          processed_at: now,
        });
        this.logger?.error(
          { ...context, err: message, permanent: error instanceof PermanentJobError },
          'job dead-lettered',
        );
      } else {
        const delay = this.backoff(job.attempts);
        const runAfter = new Date(now.getTime() + (Number.isFinite(delay) && delay > 0 ? delay : 0));
        await this.finish(job, {
          status: 'pending',
          run_after: runAfter,
          last_error: message,
          locked_until: null,
          locked_by: null,
        });
        this.logger?.warn(
          { ...context, err: message, retryAt: runAfter.toISOString() },
          'job failed; will retry',
        );
      }
      return;
    }
    if (
      await this.finish(job, {
        status: 'done',
        processed_at: this.clock.now(),
        locked_until: null,
        last_error: null,
      })
    ) {
      this.logger?.info({ ...context, durationMs: Math.round(performance.now() - started) }, 'job done');
    }
  }

  /** Give a claimed, unstarted row back untouched (the claim's attempt is not counted). */
  private async release(job: ClaimedJob, reason: string): Promise<void> {
    if (
      await this.finish(job, {
        status: 'pending',
        attempts: job.attempts - 1,
        locked_until: null,
        locked_by: null,
      })
    ) {
      this.logger?.info({ jobId: job.id, topic: job.topic, workerId: this.workerId, reason }, 'job released');
    }
  }

  /** Record an outcome, fenced on this worker's claim. False if the claim was lost or the update failed. */
  private async finish(job: ClaimedJob, values: RowUpdate<'outbox'>): Promise<boolean> {
    try {
      const claim = { id: job.id, workerId: this.workerId, attempts: job.attempts };
      if (await finishClaimedRow(this.db, claim, values)) return true;
      this.logger?.warn(
        {
          jobId: job.id,
          topic: job.topic,
          attempts: job.attempts,
          workerId: this.workerId,
          outcome: values.status,
        },
        'job outcome not recorded: the lock expired and the row was reclaimed',
      );
    } catch (error) {
      this.logger?.error(
        {
          jobId: job.id,
          topic: job.topic,
          attempts: job.attempts,
          workerId: this.workerId,
          outcome: values.status,
          err: errorText(error),
        },
        'job outcome not recorded: database error (the row will be retried when its lock expires)',
      );
    }
    return false;
  }
}
