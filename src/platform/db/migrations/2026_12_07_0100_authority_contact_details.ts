/**
 * Contact details a resident needs to reach a council without the website (issue 12, item 22). Frozen:
 * never edit after it has landed; add a new migration instead. Runs unchanged on PostgreSQL 15+ and PGlite.
 *
 * - `authorities`: an email address, a postal address, the phone lines' opening hours and a British Sign
 *   Language video relay link, beside the phone number and website it already had.
 * - `offices`: the places residents can visit (customer service centres, libraries with a council desk),
 *   with opening hours as text for now and the access facts people ask about before they travel.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table authorities
      add column email text,
      add column postal_address text,
      add column phone_hours text,
      add column bsl_video_relay_url text
  `.execute(db);
  await sql`
    create table offices (
      id uuid primary key default gen_random_uuid(),
      authority_id uuid not null references authorities(id),
      name text not null,
      address text not null,
      postcode text,
      opening_hours text not null,
      step_free boolean not null default false,
      hearing_loop boolean not null default false,
      parking boolean not null default false,
      accessible_toilet boolean not null default false,
      active boolean not null default true,
      created_at timestamptz not null default now(),
      unique (authority_id, name)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table offices`.execute(db);
  await sql`
    alter table authorities
      drop column email, drop column postal_address, drop column phone_hours, drop column bsl_video_relay_url
  `.execute(db);
}
