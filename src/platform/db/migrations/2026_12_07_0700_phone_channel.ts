/**
 * The phone channel (issue 14). Frozen: never edit after it has landed; add a new migration instead. Runs
 * unchanged on PostgreSQL 15+ and on PGlite.
 *
 * - `staff_users.phone_extension` / `phone_login`: how the council's phone platform names an agent (an
 *   `answer` event carries one or the other), unique within an authority / everywhere.
 * - `phone_queues`: the platform's queues (its own code, e.g. `county-main`), each owned by an authority and
 *   a team, optionally the number residents dial and the service most of its calls are about.
 * - `blocked_numbers`: numbers whose new calls the platform is told to reject (abusive or nuisance callers).
 * - `calls`: one row per call (platform + the platform's callId), a projection of its events that any order
 *   of arrival leads to: times take the earliest (offered, queued, ringing, answered) or latest (ended)
 *   value seen. `caller_number` is the resident's side (from for inbound, to for outbound), E.164 or null
 *   when withheld. `interaction_id` is the call on the customer's timeline.
 * - `call_events`: every event as received, unique per call + dedupe key (the event, plus what tells two of
 *   the same kind apart), so a retried webhook changes nothing.
 * - `interactions.reason`, `failure_demand`, `wrapped_up_at`: the agent's wrap-up (the outcome and service
 *   already have columns). Failure demand is contact the council caused: chasing progress, a repeat, wrong
 *   information.
 * - `callbacks` / `callback_attempts`: a promise to call someone back by `due_at`, owned by a person or a
 *   team, with its attempts (each linked to the outbound call when there was one), reminder and escalation
 *   times, and whether it was kept on time.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table staff_users add column phone_extension text, add column phone_login text`.execute(db);
  await sql`create unique index staff_users_phone_extension_key on staff_users (authority_id, phone_extension) where phone_extension is not null`.execute(
    db,
  );
  await sql`create unique index staff_users_phone_login_key on staff_users (lower(phone_login)) where phone_login is not null`.execute(
    db,
  );

  await sql`
    create table phone_queues (
      id uuid primary key default gen_random_uuid(),
      authority_id uuid not null references authorities(id),
      team_id uuid not null references teams(id),
      code text not null unique,
      name text not null,
      number text,
      service_id uuid references services(id),
      created_at timestamptz not null default now()
    )
  `.execute(db);
  await sql`create index phone_queues_number_idx on phone_queues (number) where number is not null`.execute(
    db,
  );

  await sql`
    create table blocked_numbers (
      authority_id uuid not null references authorities(id),
      number text not null,
      reason text not null,
      created_by uuid references staff_users(id),
      created_at timestamptz not null default now(),
      primary key (authority_id, number)
    )
  `.execute(db);

  await sql`
    create table calls (
      id uuid primary key default gen_random_uuid(),
      authority_id uuid not null references authorities(id),
      platform text not null,
      call_id text not null,
      direction text not null default 'inbound' check (direction in ('inbound', 'outbound')),
      from_number text,
      to_number text,
      caller_number text,
      queue_id uuid references phone_queues(id),
      queue_code text,
      ivr_path text[] not null default '{}',
      ivr_no_option boolean not null default false,
      offered_at timestamptz not null,
      queued_at timestamptz,
      ringing_at timestamptz,
      answered_at timestamptz,
      ended_at timestamptz,
      hangup_cause text,
      agent_id uuid references staff_users(id),
      agent_extension text,
      transfers integer not null default 0,
      transferred_to text,
      hold_started_at timestamptz,
      hold_seconds integer not null default 0,
      blocked boolean not null default false,
      customer_id uuid references customers(id),
      match_count integer not null default 0,
      interaction_id uuid references interactions(id),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (platform, call_id)
    )
  `.execute(db);
  await sql`create index calls_offered_idx on calls (authority_id, offered_at)`.execute(db);
  await sql`create index calls_agent_idx on calls (agent_id, offered_at desc) where agent_id is not null`.execute(
    db,
  );
  await sql`create index calls_caller_idx on calls (caller_number, offered_at desc) where caller_number is not null`.execute(
    db,
  );
  await sql`create index calls_interaction_idx on calls (interaction_id) where interaction_id is not null`.execute(
    db,
  );

  await sql`
    create table call_events (
      id bigint generated always as identity primary key,
      call_row_id uuid not null references calls(id),
      event text not null,
      dedupe_key text not null,
      occurred_at timestamptz not null,
      received_at timestamptz not null default now(),
      payload jsonb not null default '{}',
      unique (call_row_id, dedupe_key)
    )
  `.execute(db);

  await sql`
    alter table interactions
      add column reason text,
      add column failure_demand text check (failure_demand in ('chasing_progress', 'repeat', 'wrong_information', 'other')),
      add column wrapped_up_at timestamptz
  `.execute(db);

  await sql`
    create table callbacks (
      id uuid primary key default gen_random_uuid(),
      authority_id uuid not null references authorities(id),
      customer_id uuid references customers(id),
      case_id uuid references cases(id),
      service_id uuid references services(id),
      team_id uuid references teams(id),
      owner_id uuid references staff_users(id),
      phone text not null,
      name text,
      topic text not null,
      best_time text,
      source text not null check (source in ('phone', 'web', 'staff')),
      origin_call_id uuid references calls(id),
      origin_interaction_id uuid references interactions(id),
      due_at timestamptz not null,
      status text not null default 'open' check (status in ('open', 'kept', 'not_reached', 'cancelled')),
      max_attempts integer not null default 3 check (max_attempts > 0),
      attempt_spacing_minutes integer not null default 30 check (attempt_spacing_minutes >= 0),
      attempts integer not null default 0,
      next_attempt_at timestamptz,
      reminded_at timestamptz,
      escalated_at timestamptz,
      completed_at timestamptz,
      kept_on_time boolean,
      outcome text,
      notes text,
      idempotency_key text unique,
      created_by uuid references staff_users(id),
      created_at timestamptz not null default now()
    )
  `.execute(db);
  await sql`create index callbacks_open_idx on callbacks (due_at) where status = 'open'`.execute(db);
  await sql`create index callbacks_phone_idx on callbacks (phone) where status = 'open'`.execute(db);
  await sql`create index callbacks_customer_idx on callbacks (customer_id) where customer_id is not null`.execute(
    db,
  );
  await sql`create index callbacks_origin_call_idx on callbacks (origin_call_id) where origin_call_id is not null`.execute(
    db,
  );

  await sql`
    create table callback_attempts (
      id uuid primary key default gen_random_uuid(),
      callback_id uuid not null references callbacks(id),
      call_row_id uuid references calls(id),
      staff_id uuid references staff_users(id),
      at timestamptz not null,
      outcome text not null check (outcome in ('answered', 'no_answer', 'voicemail', 'busy', 'wrong_number')),
      note text,
      created_at timestamptz not null default now()
    )
  `.execute(db);
  await sql`create index callback_attempts_callback_idx on callback_attempts (callback_id, at)`.execute(db);
  await sql`alter table calls add column callback_id uuid references callbacks(id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table calls drop column callback_id`.execute(db);
  await sql`drop table callback_attempts`.execute(db);
  await sql`drop table callbacks`.execute(db);
  await sql`alter table interactions drop column reason, drop column failure_demand, drop column wrapped_up_at`.execute(
    db,
  );
  await sql`drop table call_events`.execute(db);
  await sql`drop table calls`.execute(db);
  await sql`drop table blocked_numbers`.execute(db);
  await sql`drop table phone_queues`.execute(db);
  await sql`drop index staff_users_phone_login_key`.execute(db);
  await sql`drop index staff_users_phone_extension_key`.execute(db);
  await sql`alter table staff_users drop column phone_extension, drop column phone_login`.execute(db);
}
