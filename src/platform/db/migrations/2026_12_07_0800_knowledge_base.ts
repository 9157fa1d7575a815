/**
 * The knowledge base (issue 15). Frozen: never edit after it has landed; add a new migration instead. Runs
 * unchanged on PostgreSQL 15+ and on PGlite.
 *
 * - `teams.knowledge_second_publisher`: the team's rule that an article it owns is published by someone
 *   other than the person who last changed it (the "two pairs of eyes" setting; off by default).
 * - `articles`: one row per article: slug (unique, the public address), owning council, team and named
 *   owner, audience (public or internal), state, the replacement of an archived article, review date,
 *   valid-from / valid-to, the published version, and view counts. `requires_second_publisher` makes one
 *   article need a second person whatever its team says.
 * - `article_versions`: every version (1, 2, …): title, summary, body (Markdown), keywords, change note,
 *   author; a published version also has who published it and when. A draft is the highest version that is
 *   not published yet; published versions are never changed.
 * - `article_services`: which services an article answers questions about.
 * - `article_search`: the search documents of the published version, in the 'english' configuration both
 *   engines ship: `document` (title and keywords weight A, summary B, body C) ranks; `head` (title, keywords
 *   and summary only) finds candidates for "any of these words"; `terms` (title and keywords as text) has a
 *   trigram index for typos. Only published articles have a row; it repeats the article's council, audience
 *   and dates so a search reads this table alone until it has its best few.
 * - `article_feedback`: "Was this page helpful?" on a help page; `article_tasks`: work for the owner (a
 *   "not helpful" with a comment; later review reminders), `article_uses`: "answered with article X vN" on
 *   a case or interaction, `article_search_misses`: searches that found nothing.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table teams add column knowledge_second_publisher boolean not null default false`.execute(
    db,
  );

  await sql`
    create table articles (
      id uuid primary key default gen_random_uuid(),
      slug text not null unique,
      authority_id uuid not null references authorities(id),
      team_id uuid not null references teams(id),
      owner_id uuid references staff_users(id),
      audience text not null default 'public' check (audience in ('public', 'internal')),
      state text not null default 'draft'
        check (state in ('draft', 'in_review', 'published', 'withdrawn', 'archived')),
      requires_second_publisher boolean not null default false,
      replaced_by uuid references articles(id),
      published_version integer,
      review_on date,
      valid_from timestamptz,
      valid_to timestamptz,
      submitted_by uuid references staff_users(id),
      submitted_at timestamptz,
      withdrawn_at timestamptz,
      archived_at timestamptz,
      views integer not null default 0,
      reviewed_reminded_at timestamptz,
      review_escalated_at timestamptz,
      created_by uuid references staff_users(id),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )
  `.execute(db);
  await sql`create index articles_team_idx on articles (team_id, state)`.execute(db);
  await sql`create index articles_owner_idx on articles (owner_id) where owner_id is not null`.execute(db);
  await sql`create index articles_review_idx on articles (review_on) where state = 'published'`.execute(db);

  await sql`
    create table article_versions (
      article_id uuid not null references articles(id),
      number integer not null check (number > 0),
      title text not null,
      summary text not null,
      body text not null,
      keywords text not null default '',
      change_note text,
      author_id uuid references staff_users(id),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      published_by uuid references staff_users(id),
      published_at timestamptz,
      primary key (article_id, number)
    )
  `.execute(db);

  await sql`
    create table article_services (
      article_id uuid not null references articles(id),
      service_id uuid not null references services(id),
      primary key (article_id, service_id)
    )
  `.execute(db);
  await sql`create index article_services_service_idx on article_services (service_id)`.execute(db);

  await sql`
    create table article_search (
      article_id uuid primary key references articles(id),
      authority_id uuid not null references authorities(id),
      audience text not null check (audience in ('public', 'internal')),
      valid_from timestamptz,
      valid_to timestamptz,
      terms text not null,
      head tsvector not null,
      document tsvector not null
    )
  `.execute(db);
  // fastupdate off: an article is written into the indexes when it is published. With the default, new
  // entries wait in a pending list that every search reads through until a vacuum merges it (5,000 articles
  // just loaded: 12 ms of index scans instead of 0.5 ms); publishing is rare, searching is not.
  await sql`create index article_search_head_idx on article_search using gin (head) with (fastupdate = off)`.execute(
    db,
  );
  await sql`create index article_search_document_idx on article_search using gin (document) with (fastupdate = off)`.execute(
    db,
  );
  await sql`create index article_search_terms_trgm_idx on article_search using gin (terms gin_trgm_ops) with (fastupdate = off)`.execute(
    db,
  );

  await sql`
    create table article_feedback (
      id uuid primary key default gen_random_uuid(),
      article_id uuid not null references articles(id),
      version integer,
      helpful boolean not null,
      comment text,
      created_at timestamptz not null default now()
    )
  `.execute(db);
  await sql`create index article_feedback_article_idx on article_feedback (article_id, created_at)`.execute(
    db,
  );

  await sql`
    create table article_tasks (
      id uuid primary key default gen_random_uuid(),
      article_id uuid not null references articles(id),
      owner_id uuid references staff_users(id),
      team_id uuid references teams(id),
      kind text not null check (kind in ('feedback', 'review', 'review_escalated')),
      detail text,
      feedback_id uuid references article_feedback(id),
      done_by uuid references staff_users(id),
      done_at timestamptz,
      created_at timestamptz not null default now()
    )
  `.execute(db);
  await sql`create index article_tasks_owner_open_idx on article_tasks (owner_id) where done_at is null`.execute(
    db,
  );
  await sql`create index article_tasks_article_idx on article_tasks (article_id)`.execute(db);

  await sql`
    create table article_uses (
      id uuid primary key default gen_random_uuid(),
      article_id uuid not null references articles(id),
      version integer not null,
      case_id uuid references cases(id),
      interaction_id uuid references interactions(id),
      channel text,
      used_by uuid references staff_users(id),
      used_at timestamptz not null default now()
    )
  `.execute(db);
  await sql`create index article_uses_article_idx on article_uses (article_id, used_at)`.execute(db);
  await sql`create index article_uses_case_idx on article_uses (case_id) where case_id is not null`.execute(
    db,
  );

  await sql`
    create table article_search_misses (
      id bigint generated always as identity primary key,
      query text not null,
      audience text not null default 'public' check (audience in ('public', 'internal')),
      searched_at timestamptz not null default now()
    )
  `.execute(db);
  await sql`create index article_search_misses_at_idx on article_search_misses (searched_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table article_search_misses`.execute(db);
  await sql`drop table article_uses`.execute(db);
  await sql`drop table article_tasks`.execute(db);
  await sql`drop table article_feedback`.execute(db);
  await sql`drop table article_search`.execute(db);
  await sql`drop table article_services`.execute(db);
  await sql`drop table article_versions`.execute(db);
  await sql`drop table articles`.execute(db);
  await sql`alter table teams drop column knowledge_second_publisher`.execute(db);
}
