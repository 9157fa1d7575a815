/**
 * The durable outbox (docs/jobs.md, ADR 0003): work that must happen after a business change commits —
 * sending a notification, calling a back-office system — is written as a row in the *same* transaction
 * as the change, so both commit or neither does. The Worker (worker.ts) delivers the rows afterwards,
 * at least once.
 *
 * This file holds the producer side (`enqueue`) and the operator helpers (`outboxStats`, `retryDead`,
 * `purgeDone`); their SQL, and the worker's, is in outbox.repository.ts. It never uses the database's `now()`: times come from the caller or an injected Clock so
 * tests control them, except `enqueue` without `runAfter`, which leaves `run_after` to the column default.
 */
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { systemClock, type Clock } from '../clock.ts';
import * as repo from './outbox.repository.ts';

/**
 * Claim order (`outbox.priority`, higher first). `urgent` is for work a person is waiting for right now —
 * a one-time code on the screen in front of them — and jumps every `normal` row that is due. Workers with
 * more than one slot keep one slot for urgent rows only (worker.ts), so a hanging provider call on
 * normal rows cannot hold them up.
 */
export const JOB_PRIORITY = { normal: 0, urgent: 10 } as const;
export type JobPriority = keyof typeof JOB_PRIORITY;

export interface EnqueueJob {
  /** Which handler runs the job, e.g. `notify.case-acknowledged`. */
  topic: string;
  /** JSON-serialisable input for the handler. Keep it small: ids, not whole records. */
  payload: Record<string, unknown>;
  authorityId?: string | null;
  /** A second enqueue with a dedupe key that is already in the outbox (any status) is a no-op. */
  dedupeKey?: string;
  /** Not delivered before this time. Default: the database's `now()` at insert. */
  runAfter?: Date;
  /** Deliveries before the row goes `dead`. Default 8 (column default). */
  maxAttempts?: number;
  /** `urgent` rows are claimed before `normal` ones (default `normal`). */
  priority?: JobPriority;
}

/**
 * Add a job to the outbox inside the caller's transaction (pass the `Transaction`, not the outer `db`,
 * so the row commits or rolls back with the business change). Returns the new row id, or null when
 * `dedupeKey` was already present (`on conflict (dedupe_key) do nothing`).
 */
export async function enqueue(trx: Kysely<DB> | Transaction<DB>, job: EnqueueJob): Promise<number | null> {
  if (typeof job.topic !== 'string' || job.topic.trim() === '')
    throw new TypeError('enqueue: topic must be a non-empty string');
  if (job.maxAttempts !== undefined && (!Number.isInteger(job.maxAttempts) || job.maxAttempts < 1)) {
    throw new RangeError('enqueue: maxAttempts must be a whole number of at least 1');
  }
  if (job.runAfter !== undefined && Number.isNaN(job.runAfter.getTime()))
    throw new RangeError('enqueue: runAfter is not a valid date');
  if (job.priority !== undefined && !Object.hasOwn(JOB_PRIORITY, job.priority))
    throw new RangeError('enqueue: priority must be normal or urgent');

  return repo.insertJob(trx, {
    topic: job.topic,
    // Serialise explicitly: pg would turn a top-level array into a PostgreSQL array literal.
    payload: JSON.stringify(job.payload),
    authority_id: job.authorityId ?? null,
    dedupe_key: job.dedupeKey ?? null,
    ...(job.runAfter !== undefined ? { run_after: job.runAfter } : {}),
    ...(job.maxAttempts !== undefined ? { max_attempts: job.maxAttempts } : {}),
    ...(job.priority !== undefined ? { priority: JOB_PRIORITY[job.priority] } : {}),
  });
}

export interface OutboxStats {
  pending: number;
  processing: number;
  done: number;
  dead: number;
  /** Seconds since the oldest `pending` row was created (includes rows waiting for a retry); null when none. */
  oldestPendingAgeSeconds: number | null;
  /**
   * Seconds the most overdue row has been due but not delivered: pending rows past `run_after`, and
   * processing rows whose lock expired (a crashed worker). Near zero when workers keep up; null when none.
   */
  dueLagSeconds: number | null;
}

export interface OutboxQueryOptions {
  clock?: Clock;
  /** Only count these topics (tests use this to ignore other files' rows). */
  topics?: string[];
}

/** Counts by status and the ages that matter for alerting; backs /metrics. One scan of the outbox table. */
export async function outboxStats(db: Kysely<DB>, options: OutboxQueryOptions = {}): Promise<OutboxStats> {
  const now = (options.clock ?? systemClock).now();
  const row = await repo.outboxCounts(db, now, options.topics);
  const ageSeconds = (at: Date | null): number | null =>
    at ? Math.max(0, Math.floor((now.getTime() - at.getTime()) / 1000)) : null;
  return {
    pending: row?.pending ?? 0,
    processing: row?.processing ?? 0,
    done: row?.done ?? 0,
    dead: row?.dead ?? 0,
    oldestPendingAgeSeconds: ageSeconds(row?.oldest_pending ?? null),
    dueLagSeconds: ageSeconds(row?.oldest_due ?? null),
  };
}

/**
 * Administrator action: put a `dead` row back to `pending` with a fresh set of attempts, due now.
 * `last_error` is kept for reference until the next attempt overwrites it. Returns false when the row
 * does not exist or is not dead. Callers (the admin route) are responsible for the audit record.
 */
export async function retryDead(
  db: Kysely<DB>,
  id: number,
  options: { clock?: Clock } = {},
): Promise<boolean> {
  const now = (options.clock ?? systemClock).now();
  return repo.resetDeadRow(db, id, now);
}

/**
 * Housekeeping: delete `done` rows that finished before `before`. Dead rows are kept for an operator to
 * look at. Note that a purged row's dedupe key no longer blocks a new enqueue with the same key.
 * `topics` limits the purge to those topics (tests use it).
 */
export async function purgeDone(
  db: Kysely<DB>,
  before: Date,
  options: { topics?: string[] } = {},
): Promise<number> {
  if (options.topics?.length === 0) return 0;
  return repo.deleteDoneRows(db, before, options.topics);
}
