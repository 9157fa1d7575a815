/**
 * Webchat (issue 16): the conversation core's tables. Frozen: never edit after it has landed; add a new
 * migration instead. Runs unchanged on PostgreSQL 15+ and on PGlite.
 *
 * - `chats`: one conversation with a resident. `status`: `assistant` (the automated assistant is answering),
 *   `queued` (waiting for a person), `waiting` (offered to an agent, not yet accepted: still in the queue),
 *   `active` (an agent holds it), `ended`, `abandoned` (the resident left before a person answered).
 *   `resume_token_sha256` is the hash of the random token that is the resident's credential (never stored
 *   in clear). `queue_front` puts a chat re-queued after its agent dropped out ahead of the others;
 *   `queue_since` orders the rest, and `ticket` (the order chats were started in) breaks ties. `last_seq` is the last message sequence (assigned under the row lock).
 *   The wrap-up (`outcome`, `service_id`, `resolved_at_first_contact`) and `interaction_id` (the transcript on
 *   the customer's timeline) are written when the chat ends.
 * - `chat_messages`: the conversation, numbered 1, 2, 3… per chat; `client_id` (the sender's own id for the
 *   message) is unique per chat, so a resend is the same message.
 * - `chat_agents`: staff who take chats: available or not, how many at once, languages and services they
 *   take, and their last heartbeat (a lapsed heartbeat drops them and re-queues their chats).
 * - `chat_offers`: each offer of a chat to an agent and what became of it.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table chats (
      id uuid primary key default gen_random_uuid(),
      ticket bigint generated always as identity,
      authority_id uuid not null references authorities(id),
      status text not null
        check (status in ('assistant', 'queued', 'waiting', 'active', 'ended', 'abandoned')),
      resident_name text not null,
      language text not null default 'en',
      customer_id uuid references customers(id),
      resume_token_sha256 text not null unique,
      agent_id uuid references staff_users(id),
      team_id uuid references teams(id),
      suggested_service_slug text,
      handover_reason text,
      transfer_note text,
      unhelpful_answers integer not null default 0,
      last_seq integer not null default 0,
      queue_front boolean not null default false,
      queue_since timestamptz,
      queued_at timestamptz,
      offered_at timestamptz,
      answered_at timestamptz,
      ended_at timestamptz,
      ended_by text check (ended_by in ('resident', 'agent', 'system')),
      outcome text,
      service_id uuid references services(id),
      resolved_at_first_contact boolean,
      wrapped_up_at timestamptz,
      interaction_id uuid references interactions(id),
      created_at timestamptz not null default now()
    )
  `.execute(db);
  await sql`create index chats_queue_idx on chats (authority_id, queue_front desc, queue_since, ticket) where status in ('queued', 'waiting')`.execute(
    db,
  );
  await sql`create index chats_agent_idx on chats (agent_id) where status = 'active'`.execute(db);
  await sql`create index chats_ended_idx on chats (authority_id, ended_at desc) where answered_at is not null`.execute(
    db,
  );

  await sql`
    create table chat_messages (
      id bigint generated always as identity primary key,
      chat_id uuid not null references chats(id),
      seq integer not null,
      sender text not null check (sender in ('resident', 'assistant', 'agent', 'system')),
      agent_id uuid references staff_users(id),
      body text not null,
      client_id text,
      article jsonb,
      created_at timestamptz not null default now(),
      unique (chat_id, seq),
      unique (chat_id, client_id)
    )
  `.execute(db);

  await sql`
    create table chat_agents (
      staff_id uuid primary key references staff_users(id),
      authority_id uuid not null references authorities(id),
      available boolean not null default false,
      max_chats integer not null default 3 check (max_chats between 1 and 10),
      languages text[] not null default '{}',
      services text[] not null default '{}',
      last_heartbeat_at timestamptz,
      last_offered_at timestamptz,
      updated_at timestamptz not null default now()
    )
  `.execute(db);
  await sql`create index chat_agents_available_idx on chat_agents (authority_id) where available`.execute(db);

  await sql`
    create table chat_offers (
      id uuid primary key default gen_random_uuid(),
      chat_id uuid not null references chats(id),
      staff_id uuid not null references staff_users(id),
      offered_at timestamptz not null,
      outcome text not null default 'pending'
        check (outcome in ('pending', 'accepted', 'declined', 'expired')),
      decided_at timestamptz
    )
  `.execute(db);
  await sql`create index chat_offers_pending_idx on chat_offers (staff_id) where outcome = 'pending'`.execute(
    db,
  );
  await sql`create index chat_offers_chat_idx on chat_offers (chat_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table chat_offers`.execute(db);
  await sql`drop table chat_agents`.execute(db);
  await sql`drop table chat_messages`.execute(db);
  await sql`drop table chats`.execute(db);
}
