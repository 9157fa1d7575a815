/**
 * SQL for the outbox (docs/jobs.md): the producer's insert, the worker's claim and fenced outcome update,
 * and the operator queries (counts for /metrics, retry a dead row, purge done rows). Times are always
 * parameters from the caller's Clock, never the database's `now()`.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB, NewRow, RowUpdate } from '../db/schema.ts';

/** Inserts a job unless its dedupe key is already there; the new id, or null for a duplicate. */
export async function insertJob(
  trx: Kysely<DB> | Transaction<DB>,
  row: NewRow<'outbox'>,
): Promise<number | null> {
  const inserted = await trx
    .insertInto('outbox')
    .values(row)
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted?.id ?? null;
}

/** A row as the claim returns it. */
export interface ClaimedRow {
  id: number;
  priority: number;
  topic: string;
  payload: Record<string, unknown>;
  attempts: number;
  max_attempts: number;
  authority_id: string | null;
  locked_until: Date;
  run_after: Date;
}

/**
 * Claims up to `limit` due rows for `workerId` in one statement: pending rows whose `run_after` has passed
 * and processing rows whose lock expired, optionally only `topics` and only rows of at least
 * `minPriority`. `SKIP LOCKED` lets concurrent workers take disjoint rows; `as materialized` pins the
 * locking subquery to one evaluation, so LIMIT and SKIP LOCKED hold. Rows come back in no particular order.
 */
export async function claimDueRows(
  db: Kysely<DB>,
  claim: {
    now: Date;
    lockedUntil: Date;
    workerId: string;
    limit: number;
    topics?: readonly string[];
    minPriority?: number;
  },
): Promise<ClaimedRow[]> {
  const { now, lockedUntil, workerId, limit } = claim;
  const topicFilter = claim.topics ? sql`and topic = any(${claim.topics}::text[])` : sql``;
  const priorityFilter = claim.minPriority !== undefined ? sql`and priority >= ${claim.minPriority}` : sql``;
  const result = await sql<ClaimedRow>`
      with due as materialized (
        select id from outbox
        where status in ('pending', 'processing')
          and ((status = 'pending' and run_after <= ${now}) or (status = 'processing' and locked_until < ${now}))
          ${topicFilter}
          ${priorityFilter}
        order by priority desc, run_after, id
        limit ${limit}
        for update skip locked
      )
      update outbox as o
      set status = 'processing', locked_until = ${lockedUntil}, locked_by = ${workerId}, attempts = o.attempts + 1
      from due
      where o.id = due.id
      returning o.id, o.priority, o.topic, o.payload, o.attempts, o.max_attempts, o.authority_id, o.locked_until, o.run_after`.execute(
    db,
  );
  return result.rows;
}

/**
 * Records a claimed row's outcome, fenced on the claim (still processing, locked by `workerId`, at the
 * claimed attempt). False when the claim was lost: the lock expired and another worker took the row.
 */
export async function finishClaimedRow(
  db: Kysely<DB>,
  claim: { id: number; workerId: string; attempts: number },
  values: RowUpdate<'outbox'>,
): Promise<boolean> {
  const result = await db
    .updateTable('outbox')
    .set(values)
    .where('id', '=', claim.id)
    .where('status', '=', 'processing')
    .where('locked_by', '=', claim.workerId)
    .where('attempts', '=', claim.attempts)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Counts by status with the oldest pending `created_at` and the oldest due time at `now`; one scan. */
export async function outboxCounts(db: Kysely<DB>, now: Date, topics?: readonly string[]) {
  const topicFilter = topics ? sql`where topic = any(${topics}::text[])` : sql``;
  const result = await sql<{
    pending: number;
    processing: number;
    done: number;
    dead: number;
    oldest_pending: Date | null;
    oldest_due: Date | null;
  }>`
    select
      count(*) filter (where status = 'pending')::int as pending,
      count(*) filter (where status = 'processing')::int as processing,
      count(*) filter (where status = 'done')::int as done,
      count(*) filter (where status = 'dead')::int as dead,
      min(created_at) filter (where status = 'pending') as oldest_pending,
      least(
        min(run_after) filter (where status = 'pending' and run_after <= ${now}),
        min(locked_until) filter (where status = 'processing' and locked_until < ${now})
      ) as oldest_due
    from outbox
    ${topicFilter}`.execute(db);
  return result.rows[0];
}

/** Puts a dead row back to pending with fresh attempts, due at `now`; false unless it was dead. */
export async function resetDeadRow(db: Kysely<DB>, id: number, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('outbox')
    .set({
      status: 'pending',
      attempts: 0,
      run_after: now,
      locked_until: null,
      locked_by: null,
      processed_at: null,
    })
    .where('id', '=', id)
    .where('status', '=', 'dead')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Deletes done rows processed before `before` (only `topics` when given); returns how many. */
export async function deleteDoneRows(
  db: Kysely<DB>,
  before: Date,
  topics?: readonly string[],
): Promise<number> {
  let query = db.deleteFrom('outbox').where('status', '=', 'done').where('processed_at', '<', before);
  if (topics) query = query.where('topic', 'in', topics);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}
