/**
 * Core schema (DESIGN.md §3). Frozen: never edit after it has landed; add a new migration instead.
 * Runs unchanged on PostgreSQL 15+ and on PGlite. Every tenant-owned table carries authority_id.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create extension if not exists pg_trgm`.execute(db);

  await sql`
    create table authorities (
      id uuid primary key default gen_random_uuid(),
      code text not null unique,
      name text not null,
      kind text not null check (kind in ('county', 'district', 'city', 'unitary', 'parish')),
      website text,
      phone text,
      created_at timestamptz not null default now()
    )`.execute(db);

  await sql`
    create table teams (
      id uuid primary key default gen_random_uuid(),
      authority_id uuid not null references authorities(id),
      code text not null,
      name text not null,
      email text,
      created_at timestamptz not null default now(),
      unique (authority_id, code)
    )`.execute(db);

  await sql`
    create table staff_users (
      id uuid primary key default gen_random_uuid(),
      authority_id uuid not null references authorities(id),
      email text not null,
      display_name text not null,
      password_hash text,
      roles text[] not null default '{}',
      languages text[] not null default '{}',
      specialisms text[] not null default '{}',
      active boolean not null default true,
      failed_sign_ins integer not null default 0,
      locked_at timestamptz,
      last_sign_in_at timestamptz,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create unique index staff_users_email_key on staff_users (lower(email))`.execute(db);

  await sql`
    create table staff_team_members (
      authority_id uuid not null references authorities(id),
      staff_user_id uuid not null references staff_users(id),
      team_id uuid not null references teams(id),
      is_leader boolean not null default false,
      primary key (staff_user_id, team_id)
    )`.execute(db);
  await sql`create index staff_team_members_team_idx on staff_team_members (team_id)`.execute(db);

  await sql`
    create table customers (
      id uuid primary key default gen_random_uuid(),
      authority_id uuid not null references authorities(id),
      kind text not null default 'person' check (kind in ('person', 'organisation')),
      title text,
      given_name text,
      family_name text,
      organisation_name text,
      date_of_birth date,
      preferred_channel text not null default 'email' check (preferred_channel in ('email', 'sms', 'letter', 'phone')),
      preferred_language text not null default 'en',
      communication_needs jsonb not null default '[]',
      search_name text not null default '',
      merged_into uuid references customers(id),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index customers_search_name_trgm on customers using gin (search_name gin_trgm_ops)`.execute(
    db,
  );
  await sql`create index customers_dob_idx on customers (date_of_birth)`.execute(db);

  await sql`
    create table contact_points (
      id uuid primary key default gen_random_uuid(),
      authority_id uuid not null references authorities(id),
      customer_id uuid not null references customers(id),
      kind text not null check (kind in ('email', 'phone', 'address')),
      value text not null,
      normalised text not null,
      address jsonb,
      uprn text,
      is_primary boolean not null default false,
      verified_at timestamptz,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index contact_points_customer_idx on contact_points (customer_id)`.execute(db);
  await sql`create index contact_points_normalised_idx on contact_points (kind, normalised)`.execute(db);
  await sql`create index contact_points_normalised_trgm on contact_points using gin (normalised gin_trgm_ops)`.execute(
    db,
  );

  await sql`
    create table vulnerabilities (
      id uuid primary key default gen_random_uuid(),
      authority_id uuid not null references authorities(id),
      customer_id uuid not null references customers(id),
      reason text not null,
      consent_given boolean not null,
      review_date date,
      recorded_by uuid references staff_users(id),
      created_at timestamptz not null default now(),
      ended_at timestamptz
    )`.execute(db);
  await sql`create index vulnerabilities_customer_idx on vulnerabilities (customer_id)`.execute(db);

  await sql`
    create table customer_relationships (
      id uuid primary key default gen_random_uuid(),
      authority_id uuid not null references authorities(id),
      customer_id uuid not null references customers(id),
      related_customer_id uuid not null references customers(id),
      kind text not null check (kind in ('representative', 'carer', 'next_of_kin', 'other')),
      notes text,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index customer_relationships_customer_idx on customer_relationships (customer_id)`.execute(
    db,
  );

  await sql`
    create table services (
      id uuid primary key default gen_random_uuid(),
      authority_id uuid not null references authorities(id),
      team_id uuid not null references teams(id),
      slug text not null unique,
      name text not null,
      category text not null,
      summary text not null,
      synonyms text[] not null default '{}',
      keywords text not null default '',
      sensitivity text not null default 'normal' check (sensitivity in ('normal', 'restricted')),
      kind text not null default 'request',
      definition jsonb not null default '{}',
      definition_version integer not null default 1,
      sla jsonb not null default '{"unit":"working_days","amount":10}',
      retention_days integer not null default 2190,
      annual_volume integer not null default 0,
      active boolean not null default true,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`
    create index services_search_idx on services using gin (
      (setweight(to_tsvector('english', name), 'A') ||
       setweight(to_tsvector('english', keywords), 'A') ||
       setweight(to_tsvector('english', summary), 'B'))
    )`.execute(db);

  await sql`
    create table cases (
      id uuid primary key default gen_random_uuid(),
      authority_id uuid not null references authorities(id),
      reference text not null unique,
      service_id uuid not null references services(id),
      customer_id uuid references customers(id),
      representative_id uuid references customers(id),
      status text not null,
      priority text not null default 'normal' check (priority in ('low', 'normal', 'high', 'urgent')),
      origin_channel text not null,
      team_id uuid not null references teams(id),
      assignee_id uuid references staff_users(id),
      received_at timestamptz not null,
      due_at timestamptz,
      sla_paused_at timestamptz,
      answers jsonb not null default '{}',
      form_version integer not null default 1,
      location jsonb,
      tags text[] not null default '{}',
      outcome text,
      resolved_at_first_contact boolean not null default false,
      closed_at timestamptz,
      created_by uuid references staff_users(id),
      idempotency_key text unique,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index cases_customer_idx on cases (customer_id, created_at desc)`.execute(db);
  await sql`create index cases_team_queue_idx on cases (team_id, due_at) where closed_at is null`.execute(db);
  await sql`create index cases_assignee_queue_idx on cases (assignee_id, due_at) where closed_at is null`.execute(
    db,
  );
  await sql`create index cases_service_received_idx on cases (service_id, received_at)`.execute(db);
  await sql`create index cases_reference_trgm on cases using gin (reference gin_trgm_ops)`.execute(db);

  await sql`
    create table case_events (
      id uuid primary key default gen_random_uuid(),
      authority_id uuid not null references authorities(id),
      case_id uuid not null references cases(id),
      kind text not null,
      visible_to_customer boolean not null default false,
      body text,
      data jsonb not null default '{}',
      actor_staff_id uuid references staff_users(id),
      actor_customer_id uuid references customers(id),
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index case_events_case_idx on case_events (case_id, created_at)`.execute(db);

  await sql`
    create table interactions (
      id uuid primary key default gen_random_uuid(),
      authority_id uuid not null references authorities(id),
      customer_id uuid references customers(id),
      case_id uuid references cases(id),
      service_id uuid references services(id),
      channel text not null check (channel in ('web', 'email', 'phone', 'webchat', 'face_to_face', 'sms', 'letter', 'open311', 'social', 'api')),
      direction text not null default 'inbound' check (direction in ('inbound', 'outbound')),
      queued_at timestamptz,
      answered_at timestamptz,
      ended_at timestamptz,
      occurred_at timestamptz not null default now(),
      agent_id uuid references staff_users(id),
      summary text,
      body text,
      outcome text,
      resolved_at_first_contact boolean not null default false,
      is_repeat boolean not null default false,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index interactions_customer_idx on interactions (customer_id, occurred_at desc)`.execute(
    db,
  );
  await sql`create index interactions_case_idx on interactions (case_id)`.execute(db);
  await sql`create index interactions_occurred_idx on interactions (authority_id, occurred_at)`.execute(db);

  await sql`
    create table outbox (
      id bigint generated always as identity primary key,
      authority_id uuid references authorities(id),
      topic text not null,
      payload jsonb not null default '{}',
      dedupe_key text unique,
      status text not null default 'pending' check (status in ('pending', 'processing', 'done', 'dead')),
      attempts integer not null default 0,
      max_attempts integer not null default 8,
      run_after timestamptz not null default now(),
      locked_until timestamptz,
      locked_by text,
      last_error text,
      created_at timestamptz not null default now(),
      processed_at timestamptz
    )`.execute(db);
  await sql`create index outbox_due_idx on outbox (run_after, id) where status in ('pending', 'processing')`.execute(
    db,
  );

  await sql`
    create table audit_log (
      id bigint generated always as identity primary key,
      authority_id uuid references authorities(id),
      at timestamptz not null default now(),
      actor_type text not null check (actor_type in ('staff', 'customer', 'system', 'api', 'anonymous')),
      actor_id text,
      action text not null,
      record_type text,
      record_id text,
      outcome text not null default 'ok',
      reason text,
      request_id text,
      details jsonb not null default '{}'
    )`.execute(db);
  await sql`create index audit_log_actor_idx on audit_log (actor_id, at desc)`.execute(db);
  await sql`create index audit_log_record_idx on audit_log (record_type, record_id, at desc)`.execute(db);
  await sql`
    create function audit_log_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_log is append-only';
    end $$`.execute(db);
  await sql`
    create trigger audit_log_no_change before update or delete on audit_log
    for each row execute function audit_log_append_only()`.execute(db);

  await sql`
    create table sessions (
      id text primary key,
      kind text not null check (kind in ('staff', 'resident')),
      staff_user_id uuid references staff_users(id),
      customer_id uuid references customers(id),
      data jsonb not null default '{}',
      created_at timestamptz not null default now(),
      last_seen_at timestamptz not null default now(),
      expires_at timestamptz not null
    )`.execute(db);
  await sql`create index sessions_expires_idx on sessions (expires_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'sessions',
    'audit_log',
    'outbox',
    'interactions',
    'case_events',
    'cases',
    'services',
    'customer_relationships',
    'vulnerabilities',
    'contact_points',
    'customers',
    'staff_team_members',
    'staff_users',
    'teams',
    'authorities',
  ]) {
    await sql`drop table if exists ${sql.table(table)} cascade`.execute(db);
  }
  await sql`drop function if exists audit_log_append_only()`.execute(db);
}
