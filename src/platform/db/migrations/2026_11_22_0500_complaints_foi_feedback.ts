/**
 * Complaints, information requests (FOI, EIR, SAR), feedback and the partner API (issue 5). Frozen: never
 * edit after it has landed; add a new migration instead. Runs unchanged on PostgreSQL 15+ and on PGlite.
 *
 * - `complaints` (+ `complaint_stages`, `complaint_remedies`, `learning_actions`): a complaint is a case of a
 *   complaint service plus one row here; every stage keeps its own clock, handler and decision.
 * - `information_requests` (+ `information_request_reviews`, `sar_bundles`): FOI, EIR and subject access
 *   requests with their statutory clocks, internal reviews, the disclosure log and SAR bundles.
 * - `feedback_requests`, `feedback`, `follow_ups`, `compliments`, `improvements`: satisfaction after a
 *   contact, "was this page helpful?", follow-ups on low scores, compliments and comments, "You said, we did".
 * - `api_tokens`, `api_idempotency_keys`: bearer tokens for partners, and stored replies for retried POSTs.
 * - Two partial indexes on `cases` and `interactions` let the feedback scan find recently closed cases and
 *   resolved contacts without scanning those tables.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // ---- complaints
  await sql`
    create table complaints (
      id uuid primary key default gen_random_uuid(),
      authority_id uuid not null references authorities(id),
      case_id uuid not null unique references cases(id),
      customer_id uuid references customers(id),
      linked_case_id uuid references cases(id),
      about_service_id uuid references services(id),
      about_team_id uuid references teams(id),
      workflow_type text not null default 'corporate'
        check (workflow_type in ('corporate', 'childrens_social_care')),
      stage smallint not null default 1 check (stage between 1 and 3),
      status text not null default 'open' check (status in ('open', 'responded', 'refused', 'closed')),
      received_on date not null,
      matter_date date,
      summary text not null,
      desired_outcome text,
      reasonable_adjustments text,
      root_cause text,
      refusal_reason text,
      refusal_details text,
      refused_on date,
      closed_on date,
      created_by uuid references staff_users(id),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index complaints_queue_idx on complaints (authority_id, status, stage)`.execute(db);
  await sql`create index complaints_customer_idx on complaints (customer_id) where customer_id is not null`.execute(
    db,
  );
  await sql`create index complaints_linked_case_idx on complaints (linked_case_id) where linked_case_id is not null`.execute(
    db,
  );

  await sql`
    create table complaint_stages (
      id uuid primary key default gen_random_uuid(),
      authority_id uuid not null references authorities(id),
      complaint_id uuid not null references complaints(id),
      stage smallint not null check (stage between 1 and 3),
      started_on date not null,
      acknowledge_by date,
      acknowledged_on date,
      respond_by date not null,
      extension_days integer check (extension_days > 0),
      extension_reason text,
      extended_on date,
      handler_id uuid references staff_users(id),
      escalation_reason text,
      responded_on date,
      decision text check (decision in ('upheld', 'partly_upheld', 'not_upheld')),
      reasons text,
      outcome text,
      outstanding_actions text,
      response_text text,
      created_at timestamptz not null default now(),
      unique (complaint_id, stage)
    )`.execute(db);
  await sql`create index complaint_stages_responded_idx on complaint_stages (authority_id, responded_on) where responded_on is not null`.execute(
    db,
  );

  await sql`
    create table complaint_remedies (
      id uuid primary key default gen_random_uuid(),
      authority_id uuid not null references authorities(id),
      complaint_id uuid not null references complaints(id),
      stage smallint not null,
      kind text not null check (kind in ('apology', 'explanation', 'action', 'financial', 'decision_changed',
        'record_corrected', 'policy_changed')),
      description text not null,
      amount_pence integer check (amount_pence >= 0),
      due_on date,
      completed_on date,
      created_by uuid references staff_users(id),
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index complaint_remedies_complaint_idx on complaint_remedies (complaint_id)`.execute(db);

  await sql`
    create table learning_actions (
      id uuid primary key default gen_random_uuid(),
      authority_id uuid not null references authorities(id),
      complaint_id uuid references complaints(id),
      team_id uuid references teams(id),
      description text not null,
      owner_id uuid not null references staff_users(id),
      due_on date not null,
      completed_on date,
      completed_by uuid references staff_users(id),
      completion_note text,
      created_by uuid references staff_users(id),
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index learning_actions_open_idx on learning_actions (authority_id, due_on) where completed_on is null`.execute(
    db,
  );
  await sql`create index learning_actions_complaint_idx on learning_actions (complaint_id)`.execute(db);

  // ---- information requests
  await sql`
    create table information_requests (
      id uuid primary key default gen_random_uuid(),
      authority_id uuid not null references authorities(id),
      case_id uuid not null unique references cases(id),
      customer_id uuid references customers(id),
      regime text not null check (regime in ('foi', 'eir', 'sar')),
      status text not null default 'open'
        check (status in ('open', 'awaiting_clarification', 'awaiting_identity', 'responded', 'withdrawn')),
      received_on date not null,
      request_text text not null,
      handler_id uuid references staff_users(id),
      clarification_requested_on date,
      clarification_received_on date,
      identity_requested_on date,
      identity_verified_on date,
      public_interest_target date,
      public_interest_notified_on date,
      extended boolean not null default false,
      extension_notified_on date,
      extension_reason text,
      due_on date,
      responded_on date,
      outcome text check (outcome in ('released', 'part_released', 'refused', 'not_held', 'withdrawn')),
      response_text text,
      exemptions text[] not null default '{}',
      cost_estimate_hours numeric(7, 2),
      disclosure_title text,
      disclosure_summary text,
      published_at timestamptz,
      published_by uuid references staff_users(id),
      created_by uuid references staff_users(id),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index information_requests_queue_idx on information_requests (authority_id, status, due_on)`.execute(
    db,
  );
  await sql`create index information_requests_customer_idx on information_requests (customer_id) where customer_id is not null`.execute(
    db,
  );
  await sql`create index information_requests_responded_idx on information_requests (authority_id, responded_on) where responded_on is not null`.execute(
    db,
  );
  await sql`
    create index information_requests_disclosure_idx on information_requests using gin (
      to_tsvector('english', coalesce(disclosure_title, '') || ' ' || coalesce(disclosure_summary, ''))
    ) where published_at is not null`.execute(db);

  await sql`
    create table information_request_reviews (
      id uuid primary key default gen_random_uuid(),
      authority_id uuid not null references authorities(id),
      request_id uuid not null unique references information_requests(id),
      requested_on date not null,
      due_on date not null,
      extended boolean not null default false,
      grounds text,
      reviewer_id uuid references staff_users(id),
      completed_on date,
      outcome text check (outcome in ('upheld', 'partly_upheld', 'overturned')),
      notes text,
      created_at timestamptz not null default now()
    )`.execute(db);

  await sql`
    create table sar_bundles (
      id uuid primary key default gen_random_uuid(),
      authority_id uuid not null references authorities(id),
      request_id uuid not null references information_requests(id),
      customer_id uuid not null references customers(id),
      status text not null default 'draft' check (status in ('draft', 'released')),
      content jsonb not null,
      generated_at timestamptz not null,
      generated_by uuid references staff_users(id),
      review_note text,
      released_at timestamptz,
      released_by uuid references staff_users(id),
      download_token_hash text unique,
      download_expires_at timestamptz,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index sar_bundles_request_idx on sar_bundles (request_id, generated_at desc)`.execute(db);

  // ---- feedback
  await sql`
    create table feedback_requests (
      id uuid primary key default gen_random_uuid(),
      authority_id uuid not null references authorities(id),
      customer_id uuid not null references customers(id),
      case_id uuid references cases(id),
      interaction_id uuid references interactions(id),
      service_id uuid references services(id),
      team_id uuid references teams(id),
      channel text,
      token_hash text not null unique,
      expires_at timestamptz not null,
      responded_at timestamptz,
      created_at timestamptz not null
    )`.execute(db);
  await sql`create index feedback_requests_customer_idx on feedback_requests (customer_id, created_at desc)`.execute(
    db,
  );
  await sql`create unique index feedback_requests_case_key on feedback_requests (case_id) where case_id is not null`.execute(
    db,
  );
  await sql`create unique index feedback_requests_interaction_key on feedback_requests (interaction_id) where interaction_id is not null`.execute(
    db,
  );

  await sql`
    create table feedback (
      id uuid primary key default gen_random_uuid(),
      authority_id uuid references authorities(id),
      kind text not null check (kind in ('contact', 'page')),
      request_id uuid unique references feedback_requests(id),
      customer_id uuid references customers(id),
      case_id uuid references cases(id),
      interaction_id uuid references interactions(id),
      service_id uuid references services(id),
      team_id uuid references teams(id),
      channel text,
      satisfaction smallint check (satisfaction between 1 and 5),
      effort smallint check (effort between 1 and 5),
      comment text,
      page_path text,
      helpful boolean,
      created_at timestamptz not null
    )`.execute(db);
  await sql`create index feedback_team_idx on feedback (team_id, created_at desc) where team_id is not null`.execute(
    db,
  );
  await sql`create index feedback_case_idx on feedback (case_id) where case_id is not null`.execute(db);
  await sql`create index feedback_customer_idx on feedback (customer_id) where customer_id is not null`.execute(
    db,
  );
  await sql`create index feedback_created_idx on feedback (kind, created_at)`.execute(db);

  await sql`
    create table follow_ups (
      id uuid primary key default gen_random_uuid(),
      authority_id uuid not null references authorities(id),
      feedback_id uuid not null unique references feedback(id),
      team_id uuid references teams(id),
      case_id uuid references cases(id),
      reason text not null,
      status text not null default 'open' check (status in ('open', 'done')),
      note text,
      done_by uuid references staff_users(id),
      done_at timestamptz,
      created_at timestamptz not null
    )`.execute(db);
  await sql`create index follow_ups_team_idx on follow_ups (team_id, status, created_at)`.execute(db);

  await sql`
    create table compliments (
      id uuid primary key default gen_random_uuid(),
      authority_id uuid not null references authorities(id),
      kind text not null check (kind in ('compliment', 'comment')),
      customer_id uuid references customers(id),
      case_id uuid references cases(id),
      service_id uuid references services(id),
      team_id uuid not null references teams(id),
      body text not null,
      received_on date not null,
      channel text not null,
      recorded_by uuid references staff_users(id),
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index compliments_team_idx on compliments (team_id, received_on desc)`.execute(db);
  await sql`create index compliments_customer_idx on compliments (customer_id) where customer_id is not null`.execute(
    db,
  );

  await sql`
    create table improvements (
      id uuid primary key default gen_random_uuid(),
      authority_id uuid not null references authorities(id),
      team_id uuid references teams(id),
      service_id uuid references services(id),
      you_said text not null,
      we_did text not null,
      published_on date not null,
      published_by uuid not null references staff_users(id),
      withdrawn_at timestamptz,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index improvements_published_idx on improvements (published_on desc) where withdrawn_at is null`.execute(
    db,
  );

  // ---- partner API
  await sql`
    create table api_tokens (
      id uuid primary key default gen_random_uuid(),
      authority_id uuid not null references authorities(id),
      name text not null,
      token_hash text not null unique,
      token_hint text not null,
      created_by uuid references staff_users(id),
      created_at timestamptz not null default now(),
      revoked_at timestamptz,
      revoked_by uuid references staff_users(id),
      last_used_at timestamptz
    )`.execute(db);
  await sql`create index api_tokens_authority_idx on api_tokens (authority_id, created_at desc)`.execute(db);

  await sql`
    create table api_idempotency_keys (
      token_id uuid not null references api_tokens(id),
      key text not null,
      method text not null,
      path text not null,
      request_hash text not null,
      status_code integer not null,
      response jsonb not null,
      created_at timestamptz not null default now(),
      primary key (token_id, key)
    )`.execute(db);

  // ---- lookups the feedback scan needs on other modules' tables
  await sql`create index cases_closed_customer_idx on cases (closed_at) where closed_at is not null and customer_id is not null`.execute(
    db,
  );
  await sql`create index interactions_resolved_idx on interactions (created_at) where resolved_at_first_contact and customer_id is not null`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists interactions_resolved_idx`.execute(db);
  await sql`drop index if exists cases_closed_customer_idx`.execute(db);
  for (const table of [
    'api_idempotency_keys',
    'api_tokens',
    'improvements',
    'compliments',
    'follow_ups',
    'feedback',
    'feedback_requests',
    'sar_bundles',
    'information_request_reviews',
    'information_requests',
    'learning_actions',
    'complaint_remedies',
    'complaint_stages',
    'complaints',
  ]) {
    await sql`drop table if exists ${sql.table(table)} cascade`.execute(db);
  }
}
