/**
 * Staff sign-in hardening (issue 10, item 4 and 7). Frozen: never edit after it has landed; add a new
 * migration instead. Runs unchanged on PostgreSQL 15+ and on PGlite.
 *
 * - `staff_users.locked_until`: a lock-out now ends by itself; `lockout_count` counts lock-outs since the
 *   last successful sign-in, so each repeated lock-out lasts longer. Accounts locked before this migration
 *   (which nothing could unlock) get the base period of 15 minutes from when they were locked.
 * - `staff_password_links`: one-time "set your password" links (the first administrator, made with
 *   `npm run admin -- create`). Only the SHA-256 of the token is stored; a link works once and expires.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table staff_users
      add column locked_until timestamptz,
      add column lockout_count integer not null default 0 check (lockout_count >= 0)
  `.execute(db);
  await sql`update staff_users set locked_until = locked_at + interval '15 minutes' where locked_at is not null`.execute(
    db,
  );

  await sql`
    create table staff_password_links (
      id uuid primary key default gen_random_uuid(),
      authority_id uuid not null references authorities(id),
      staff_user_id uuid not null references staff_users(id),
      token_sha256 text not null unique,
      created_at timestamptz not null,
      expires_at timestamptz not null,
      used_at timestamptz
    )`.execute(db);
  await sql`create index staff_password_links_staff_idx on staff_password_links (staff_user_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table staff_password_links`.execute(db);
  await sql`alter table staff_users drop column locked_until, drop column lockout_count`.execute(db);
}
