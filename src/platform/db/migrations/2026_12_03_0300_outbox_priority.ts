/**
 * Outbox priority (issue 10, item 5). Frozen: never edit after it has landed; add a new migration instead.
 * Runs unchanged on PostgreSQL 15+ and on PGlite.
 *
 * - `outbox.priority`: higher is claimed first (0 normal, 10 urgent: one-time codes a resident is waiting
 *   for). Existing rows are normal.
 * - `outbox_claim_idx` replaces `outbox_due_idx` for the worker's claim order (priority desc, run_after, id).
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table outbox add column priority smallint not null default 0`.execute(db);
  await sql`create index outbox_claim_idx on outbox (priority desc, run_after, id) where status in ('pending', 'processing')`.execute(
    db,
  );
  await sql`drop index outbox_due_idx`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`create index outbox_due_idx on outbox (run_after, id) where status in ('pending', 'processing')`.execute(
    db,
  );
  await sql`drop index outbox_claim_idx`.execute(db);
  await sql`alter table outbox drop column priority`.execute(db);
}
