/**
 * Answers a member of staff sent after their session had timed out (issue 12, item 21). Frozen: never
 * edit after it has landed; add a new migration instead. Runs unchanged on PostgreSQL 15+ and PGlite.
 *
 * - `pending_staff_answers`: the form fields (no file uploads, no passwords, no CSRF token) and where they
 *   were going, kept for the staff user whose session ended, until they sign in again and send or
 *   discard them, or until `expires_at` (a couple of hours).
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table pending_staff_answers (
      id uuid primary key default gen_random_uuid(),
      staff_user_id uuid not null references staff_users(id) on delete cascade,
      action text not null,
      fields jsonb not null,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null
    )
  `.execute(db);
  await sql`create index pending_staff_answers_staff_idx on pending_staff_answers (staff_user_id, created_at)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table pending_staff_answers`.execute(db);
}
