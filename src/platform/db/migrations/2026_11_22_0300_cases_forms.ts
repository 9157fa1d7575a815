/**
 * Cases core and the forms engine (issue 3, part A). Frozen: never edit after it has landed; add a new
 * migration instead. Runs unchanged on PostgreSQL 15+ and on PGlite.
 *
 * - `cases.guest_*`: the contact a guest (not signed in) gave, so we can acknowledge and let them track.
 * - `form_drafts`: answers in progress live in the database, not the session (STANDARDS). The id in the
 *   URL is random; `binding_hash` ties a draft to the browser that started it; `token` is the
 *   idempotency token the final POST carries.
 * - `addresses`: a small gazetteer (UPRN, lines, town, postcode) for the postcode lookup.
 * - `attachments`: uploaded files, stored outside the web root under DATA_DIR/uploads.
 * - `one_time_codes`: hashed 6-digit codes (tracking a request as a guest, resident sign-in).
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table cases add column guest_name text, add column guest_email text, add column guest_phone text`.execute(
    db,
  );

  await sql`
    create table form_drafts (
      id uuid primary key,
      authority_id uuid not null references authorities(id),
      service_id uuid not null references services(id),
      form_version integer not null,
      answers jsonb not null default '{}',
      token text not null unique,
      binding_hash text not null,
      customer_id uuid references customers(id),
      staff_user_id uuid references staff_users(id),
      channel text not null default 'web',
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      expires_at timestamptz not null,
      submitted_case_id uuid references cases(id)
    )`.execute(db);
  await sql`create index form_drafts_expires_idx on form_drafts (expires_at) where submitted_case_id is null`.execute(
    db,
  );

  await sql`
    create table addresses (
      uprn text primary key,
      line1 text not null,
      line2 text,
      town text not null,
      postcode text not null,
      postcode_key text not null
    )`.execute(db);
  await sql`create index addresses_postcode_idx on addresses (postcode_key)`.execute(db);

  await sql`
    create table attachments (
      id uuid primary key default gen_random_uuid(),
      authority_id uuid not null references authorities(id),
      draft_id uuid references form_drafts(id) on delete set null,
      case_id uuid references cases(id),
      case_event_id uuid references case_events(id),
      question_id text,
      filename text not null,
      content_type text not null,
      size_bytes integer not null,
      sha256 text not null,
      storage_key text not null unique,
      uploaded_by_customer_id uuid references customers(id),
      uploaded_by_staff_id uuid references staff_users(id),
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index attachments_case_idx on attachments (case_id) where case_id is not null`.execute(db);
  await sql`create index attachments_draft_idx on attachments (draft_id) where draft_id is not null`.execute(
    db,
  );

  await sql`
    create table one_time_codes (
      id uuid primary key default gen_random_uuid(),
      authority_id uuid references authorities(id),
      purpose text not null,
      subject text,
      code_hash text not null,
      expires_at timestamptz not null,
      attempts integer not null default 0,
      used_at timestamptz,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index one_time_codes_subject_idx on one_time_codes (purpose, subject, created_at)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['one_time_codes', 'attachments', 'addresses', 'form_drafts']) {
    await sql`drop table if exists ${sql.table(table)} cascade`.execute(db);
  }
  await sql`alter table cases drop column if exists guest_name, drop column if exists guest_email, drop column if exists guest_phone`.execute(
    db,
  );
}
