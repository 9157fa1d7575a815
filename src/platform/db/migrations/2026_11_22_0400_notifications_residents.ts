/**
 * Notifications and resident accounts (issue 3, part B). Frozen: never edit after it has landed.
 *
 * - `messages`: every email, text message and letter Frontdoor sends or records, rendered at queue time.
 *   Delivered by the `notifications.send` job; `dedupe_key` makes queueing idempotent.
 * - `resident_codes`: one-time sign-in (and email confirmation) codes, stored as keyed hashes only.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table messages (
      id uuid primary key default gen_random_uuid(),
      authority_id uuid not null references authorities(id),
      customer_id uuid references customers(id),
      case_id uuid references cases(id),
      channel text not null check (channel in ('email', 'sms', 'letter')),
      recipient text not null,
      template text not null,
      language text not null default 'en',
      subject text not null,
      body text not null,
      status text not null default 'queued'
        check (status in ('queued', 'sending', 'delivered', 'failed', 'recorded')),
      provider text check (provider in ('notify', 'smtp', 'local')),
      provider_id text,
      attempts integer not null default 0,
      error text,
      dedupe_key text not null unique,
      created_at timestamptz not null default now(),
      sent_at timestamptz
    )`.execute(db);
  await sql`create index messages_authority_created_idx on messages (authority_id, created_at desc)`.execute(
    db,
  );
  await sql`create index messages_case_idx on messages (case_id) where case_id is not null`.execute(db);
  await sql`create index messages_customer_idx on messages (customer_id, created_at desc) where customer_id is not null`.execute(
    db,
  );

  await sql`
    create table resident_codes (
      id uuid primary key default gen_random_uuid(),
      purpose text not null default 'sign_in' check (purpose in ('sign_in', 'confirm_email')),
      email_normalised text not null,
      customer_id uuid references customers(id),
      code_hash text not null,
      requester_hash text not null,
      expires_at timestamptz not null,
      attempts integer not null default 0,
      used_at timestamptz,
      created_at timestamptz not null
    )`.execute(db);
  await sql`create index resident_codes_email_idx on resident_codes (email_normalised, created_at desc)`.execute(
    db,
  );
  await sql`create index resident_codes_requester_idx on resident_codes (requester_hash, created_at desc)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists resident_codes`.execute(db);
  await sql`drop table if exists messages`.execute(db);
}
