/**
 * Audit rows carry the council that owns the record (issue 10, item 9). Frozen: never edit after it has
 * landed; add a new migration instead. Runs unchanged on PostgreSQL 15+ and on PGlite.
 *
 * In a two-tier area a county agent may read a city customer: the row's `authority_id` is the reader's
 * council, `record_authority_id` the record owner's, so the auditors of both see it. A trigger fills the
 * owner from the record on insert, so every writer (the request-level hook and the use-cases) gets it
 * without a look-up of its own. Record ids are text: only well-formed UUIDs are looked up.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table audit_log add column record_authority_id uuid`.execute(db);
  await sql`create index audit_log_record_authority_idx on audit_log (record_authority_id, at desc)`.execute(
    db,
  );
  await sql`
    create function audit_log_fill_record_authority() returns trigger language plpgsql as $$
    declare
      rid uuid;
    begin
      if new.record_authority_id is not null or new.record_id is null
         or new.record_id !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
        return new;
      end if;
      rid := new.record_id::uuid;
      if new.record_type = 'case' then
        select authority_id into new.record_authority_id from cases where id = rid;
      elsif new.record_type = 'customer' then
        select authority_id into new.record_authority_id from customers where id = rid;
      elsif new.record_type = 'complaint' then
        select authority_id into new.record_authority_id from complaints where id = rid or case_id = rid limit 1;
      elsif new.record_type = 'information_request' then
        select authority_id into new.record_authority_id from information_requests
          where id = rid or case_id = rid limit 1;
      elsif new.record_type = 'attachment' then
        select authority_id into new.record_authority_id from attachments where id = rid;
      end if;
      return new;
    end $$`.execute(db);
  await sql`
    create trigger audit_log_record_authority before insert on audit_log
    for each row execute function audit_log_fill_record_authority()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger if exists audit_log_record_authority on audit_log`.execute(db);
  await sql`drop function if exists audit_log_fill_record_authority()`.execute(db);
  await sql`alter table audit_log drop column if exists record_authority_id`.execute(db);
}
