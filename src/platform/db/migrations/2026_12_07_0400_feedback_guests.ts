/**
 * Feedback requests to guests (issue 12, item 11). Frozen: never edit after it has landed; add a new
 * migration instead. Runs unchanged on PostgreSQL 15+ and on PGlite.
 *
 * - `feedback_requests.customer_id` may be null: a guest (no customer record) is asked on the contact they
 *   gave with their request.
 * - `guest_email_key`, `guest_phone_key`: SHA-256 of the guest's normalised email address and phone number
 *   (never the contact itself), so a guest is asked at most once a fortnight per contact.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table feedback_requests alter column customer_id drop not null`.execute(db);
  await sql`alter table feedback_requests add column guest_email_key text, add column guest_phone_key text`.execute(
    db,
  );
  await sql`create index feedback_requests_guest_email_idx on feedback_requests (guest_email_key, created_at desc) where guest_email_key is not null`.execute(
    db,
  );
  await sql`create index feedback_requests_guest_phone_idx on feedback_requests (guest_phone_key, created_at desc) where guest_phone_key is not null`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index feedback_requests_guest_phone_idx`.execute(db);
  await sql`drop index feedback_requests_guest_email_idx`.execute(db);
  await sql`alter table feedback_requests drop column guest_phone_key, drop column guest_email_key`.execute(
    db,
  );
  await sql`delete from feedback where request_id in (select id from feedback_requests where customer_id is null)`.execute(
    db,
  );
  await sql`delete from feedback_requests where customer_id is null`.execute(db);
  await sql`alter table feedback_requests alter column customer_id set not null`.execute(db);
}
