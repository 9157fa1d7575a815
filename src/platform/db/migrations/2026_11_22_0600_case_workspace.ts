/**
 * Staff workspace (issue 4). Frozen: never edit after it has landed; add a new migration instead. Runs
 * unchanged on PostgreSQL 15+ and on PGlite.
 *
 * - `cases`: why the case went where it did (`routing_reason`), whether the SLA warning (80%) and breach
 *   escalation have been sent (`sla_warned_at`, `sla_breached_at`: each is set once, by the statement
 *   that claims it, so two workers never send twice) and the working days added by extensions
 *   (`sla_extension_days`; each extension is also a `sla_extended` timeline event with its reason).
 * - `staff_users.available`: routing offers new cases only to staff who are available.
 * - `case_links`: related cases, stored once per pair in both directions' reading order.
 * - `reply_templates`: common replies, per authority and optionally per service.
 * - `cases_guest_email_idx`: finds a resident's earlier guest requests when they sign in with that email.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table cases
      add column routing_reason text,
      add column sla_warned_at timestamptz,
      add column sla_breached_at timestamptz,
      add column sla_extension_days integer not null default 0 check (sla_extension_days >= 0)
  `.execute(db);
  // The SLA scan looks only at open cases with a due date that have not yet been warned or escalated.
  await sql`create index cases_sla_scan_idx on cases (due_at) where closed_at is null and due_at is not null and sla_breached_at is null`.execute(
    db,
  );
  await sql`create index cases_team_status_idx on cases (team_id, status, due_at) where closed_at is null`.execute(
    db,
  );

  // Signing in links earlier guest requests made with the same email address (residents module).
  await sql`create index cases_guest_email_idx on cases (lower(btrim(guest_email))) where customer_id is null and guest_email is not null`.execute(
    db,
  );

  await sql`alter table staff_users add column available boolean not null default true`.execute(db);

  await sql`
    create table case_links (
      authority_id uuid not null references authorities(id),
      case_id uuid not null references cases(id),
      linked_case_id uuid not null references cases(id),
      created_by uuid references staff_users(id),
      created_at timestamptz not null default now(),
      primary key (case_id, linked_case_id),
      check (case_id <> linked_case_id)
    )
  `.execute(db);
  await sql`create index case_links_linked_idx on case_links (linked_case_id)`.execute(db);

  await sql`
    create table reply_templates (
      id uuid primary key default gen_random_uuid(),
      authority_id uuid not null references authorities(id),
      service_id uuid references services(id),
      title text not null,
      body text not null,
      created_at timestamptz not null default now(),
      unique (authority_id, title)
    )
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table reply_templates`.execute(db);
  await sql`drop table case_links`.execute(db);
  await sql`alter table staff_users drop column available`.execute(db);
  await sql`drop index cases_guest_email_idx`.execute(db);
  await sql`drop index cases_team_status_idx`.execute(db);
  await sql`drop index cases_sla_scan_idx`.execute(db);
  await sql`
    alter table cases
      drop column routing_reason,
      drop column sla_warned_at,
      drop column sla_breached_at,
      drop column sla_extension_days
  `.execute(db);
}
