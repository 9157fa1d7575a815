/**
 * Runs outbox rows through the worker's own handlers (`jobHandlers` of src/worker.ts, the composition root),
 * one row at a time and by its dedupe key, so a test sees exactly what the worker would do with its row and
 * never claims rows other test files wrote to a shared database.
 */
import assert from 'node:assert/strict';
import type { Clock } from '../../src/platform/clock.ts';
import type { Db } from '../../src/platform/db/index.ts';
import { jobHandlers } from '../../src/worker.ts';

/** The outbox row with this dedupe key (fails the test when there is none). */
export async function outboxRow(db: Db, dedupeKey: string) {
  const row = await db
    .selectFrom('outbox')
    .selectAll()
    .where('dedupe_key', '=', dedupeKey)
    .executeTakeFirst();
  assert.ok(row, `an outbox row ${dedupeKey}`);
  return row;
}

/** Hands the outbox row `dedupeKey` to the worker's handler for its topic, as the worker would. */
export async function runOutboxRow(db: Db, clock: Clock, dedupeKey: string): Promise<void> {
  const row = await outboxRow(db, dedupeKey);
  const handler = jobHandlers({ db, clock, sessionIdleMinutes: 30 })[row.topic];
  assert.ok(handler, `a handler for ${row.topic}`);
  await handler({
    id: Number(row.id),
    topic: row.topic,
    payload: row.payload,
    attempts: row.attempts + 1,
    authorityId: row.authority_id,
  });
}
