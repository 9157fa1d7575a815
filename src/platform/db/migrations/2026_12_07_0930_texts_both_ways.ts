/**
 * Texts both ways through GOV.UK Notify (issue 17, item 4). Frozen: never edit after it has landed; add a new
 * migration instead. Runs unchanged on PostgreSQL 15+ and on PGlite.
 *
 * - `messages.provider_status` / `_rank` / `_at`: what the provider last said about a message it took
 *   (Notify's delivery receipts and status polls: `sending`, `delivered`, `permanent-failure`…). The rank
 *   orders them (created 1, sending 2, sent 3, final 4) so a receipt that arrives late never moves a
 *   message backwards.
 * - `inbound_texts`: every text a resident sent, once per Notify id (the callback and the reconciliation
 *   poll may both bring it), with what was done with it: threaded onto a case, waiting in triage, or an
 *   opt-out / opt-in word.
 * - `text_opt_outs`: numbers that texted STOP (and have not texted START since): no text is sent to them.
 * - `callbacks.source` may be `system` (item 3: a "call the resident" task for a request we have no way to
 *   send messages about).
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table messages add column provider_status text`.execute(db);
  await sql`alter table messages add column provider_status_rank smallint not null default 0`.execute(db);
  await sql`alter table messages add column provider_status_at timestamptz`.execute(db);
  await sql`
    create index messages_provider_pending_idx on messages (sent_at)
      where provider = 'notify' and status = 'delivered' and provider_status_rank < 4
  `.execute(db);
  await sql`create index messages_provider_id_idx on messages (provider_id) where provider_id is not null`.execute(
    db,
  );
  await sql`
    create table inbound_texts (
      id uuid primary key default gen_random_uuid(),
      notify_id text not null unique,
      authority_id uuid not null references authorities(id),
      from_number text not null,
      body text not null,
      received_at timestamptz not null,
      outcome text not null check (outcome in ('threaded', 'triage', 'opt_out', 'opt_in')),
      reason text,
      case_id uuid references cases(id),
      suggested_case_id uuid references cases(id),
      customer_id uuid references customers(id),
      handled_at timestamptz,
      handled_by uuid references staff_users(id),
      created_at timestamptz not null default now()
    )
  `.execute(db);
  await sql`create index inbound_texts_triage_idx on inbound_texts (authority_id, received_at)
    where outcome = 'triage' and handled_at is null`.execute(db);
  await sql`create index inbound_texts_received_idx on inbound_texts (received_at)`.execute(db);
  await sql`
    create table text_opt_outs (
      phone text primary key,
      opted_out_at timestamptz not null,
      inbound_text_id uuid references inbound_texts(id)
    )
  `.execute(db);
  await sql`alter table callbacks drop constraint callbacks_source_check`.execute(db);
  await sql`alter table callbacks add constraint callbacks_source_check
    check (source in ('phone', 'web', 'staff', 'system'))`.execute(db);
  // The callbacks scan looks every minute for acknowledgements that had nobody to go to: a few rows, found
  // without reading every message.
  await sql`create index messages_unsent_ack_idx on messages (created_at)
    where template = 'case.acknowledgement' and status = 'failed' and recipient = ''`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index messages_unsent_ack_idx`.execute(db);
  await sql`alter table callbacks drop constraint callbacks_source_check`.execute(db);
  await sql`alter table callbacks add constraint callbacks_source_check
    check (source in ('phone', 'web', 'staff'))`.execute(db);
  await sql`drop table text_opt_outs`.execute(db);
  await sql`drop table inbound_texts`.execute(db);
  await sql`drop index messages_provider_id_idx`.execute(db);
  await sql`drop index messages_provider_pending_idx`.execute(db);
  await sql`alter table messages drop column provider_status_at`.execute(db);
  await sql`alter table messages drop column provider_status_rank`.execute(db);
  await sql`alter table messages drop column provider_status`.execute(db);
}
