/**
 * The email channel (issue 13). Frozen: never edit after it has landed; add a new migration instead. Runs
 * unchanged on PostgreSQL 15+ and on PGlite.
 *
 * - `mailboxes`: a council's shared mailboxes (`highways@`, `foi@`), each owned by an authority and a team,
 *   with what to do with new mail (a case of `default_service_id`, or triage), how long after closing a
 *   reply reopens a case, and how to fetch it by IMAP (the password is never stored: `imap_password_env`
 *   names the environment variable that holds it). Mail relayed by SMTP is matched on `address`.
 * - `mailbox_cursors`: where IMAP polling got to (UIDVALIDITY and the last UID delivered; never dates).
 * - `emails`: every email received (and the state of its handling: threaded onto a case, a new case,
 *   waiting in triage, no action, recorded). Unique on mailbox + Message-ID + fingerprint: the same
 *   message fetched twice is stored once; a sender that reuses a Message-ID for different mail is not lost.
 * - `email_sources`: the original MIME exactly as received (evidence for FOI and SAR), kept apart so lists
 *   never read it.
 * - `email_acknowledgements`: when each sender last got an automatic acknowledgement (one a day at most).
 * - `contact_points.undeliverable_at`: a permanent bounce (5.1.x) from this address.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table mailboxes (
      id uuid primary key default gen_random_uuid(),
      authority_id uuid not null references authorities(id),
      team_id uuid not null references teams(id),
      address text not null unique,
      name text not null,
      default_service_id uuid references services(id),
      reopen_days integer not null default 20 check (reopen_days >= 0),
      auto_acknowledge boolean not null default true,
      imap_host text,
      imap_port integer,
      imap_secure boolean not null default true,
      imap_user text,
      imap_password_env text,
      imap_folder text not null default 'INBOX',
      imap_move_to text,
      active boolean not null default true,
      created_at timestamptz not null default now()
    )
  `.execute(db);
  await sql`
    create table mailbox_cursors (
      mailbox_id uuid primary key references mailboxes(id) on delete cascade,
      uid_validity text not null,
      last_uid bigint not null,
      updated_at timestamptz not null default now()
    )
  `.execute(db);
  await sql`
    create table emails (
      id uuid primary key default gen_random_uuid(),
      authority_id uuid not null references authorities(id),
      mailbox_id uuid not null references mailboxes(id),
      message_id text not null,
      message_id_synthesised boolean not null default false,
      fingerprint text not null,
      in_reply_to text,
      reference_ids jsonb not null default '[]',
      from_address text,
      from_name text,
      reply_to text,
      recipients jsonb not null default '{}',
      subject text not null default '',
      body_text text not null default '',
      trimmed_text text not null default '',
      has_html boolean not null default false,
      attachments jsonb not null default '[]',
      received_at timestamptz not null,
      sent_at timestamptz,
      size_bytes integer not null,
      auth jsonb not null default '{}',
      classification jsonb not null default '{}',
      state text not null check (state in ('threaded', 'new_case', 'triage', 'no_action', 'recorded')),
      reason text,
      threaded_by text,
      case_id uuid references cases(id),
      customer_id uuid references customers(id),
      suggested_case_id uuid references cases(id),
      suggested_customer_id uuid references customers(id),
      interaction_id uuid references interactions(id),
      handled_by uuid references staff_users(id),
      handled_at timestamptz,
      created_at timestamptz not null default now(),
      unique (mailbox_id, message_id, fingerprint)
    )
  `.execute(db);
  await sql`create index emails_message_id_idx on emails (message_id)`.execute(db);
  await sql`create index emails_case_idx on emails (case_id, received_at) where case_id is not null`.execute(
    db,
  );
  await sql`create index emails_triage_idx on emails (authority_id, received_at) where state = 'triage'`.execute(
    db,
  );
  await sql`create index emails_mailbox_received_idx on emails (mailbox_id, received_at desc)`.execute(db);
  await sql`
    create table email_sources (
      email_id uuid primary key references emails(id) on delete cascade,
      raw bytea not null,
      sha256 text not null
    )
  `.execute(db);
  await sql`
    create table email_acknowledgements (
      address text primary key,
      last_at timestamptz not null
    )
  `.execute(db);
  await sql`alter table contact_points add column undeliverable_at timestamptz`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table contact_points drop column undeliverable_at`.execute(db);
  await sql`drop table email_acknowledgements`.execute(db);
  await sql`drop table email_sources`.execute(db);
  await sql`drop table emails`.execute(db);
  await sql`drop table mailbox_cursors`.execute(db);
  await sql`drop table mailboxes`.execute(db);
}
