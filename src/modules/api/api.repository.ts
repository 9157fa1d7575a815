/** All SQL of the api module: api_tokens and api_idempotency_keys. */
import { sql } from 'kysely';
import type { Db, NewRow, Tx } from '../../platform/db/index.ts';

type Q = Db | Tx;

export async function insertToken(db: Q, row: NewRow<'api_tokens'>): Promise<string> {
  const { id } = await db.insertInto('api_tokens').values(row).returning('id').executeTakeFirstOrThrow();
  return id;
}

/** Inserts unless the hash is already there (the deterministic demo token); returns the row either way. */
export async function upsertToken(db: Q, row: NewRow<'api_tokens'>) {
  await db
    .insertInto('api_tokens')
    .values(row)
    .onConflict((oc) => oc.column('token_hash').doNothing())
    .execute();
  return db
    .selectFrom('api_tokens')
    .selectAll()
    .where('token_hash', '=', row.token_hash)
    .executeTakeFirstOrThrow();
}

export function findActiveByHash(db: Q, hash: string) {
  return db
    .selectFrom('api_tokens')
    .select(['id', 'authority_id', 'name', 'last_used_at'])
    .where('token_hash', '=', hash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}

export async function touch(db: Q, id: string, at: Date): Promise<void> {
  await db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', id).execute();
}

export function tokensOf(db: Q, authorityId: string) {
  return db
    .selectFrom('api_tokens as t')
    .leftJoin('staff_users as c', 'c.id', 't.created_by')
    .leftJoin('staff_users as r', 'r.id', 't.revoked_by')
    .select([
      't.id',
      't.name',
      't.token_hint',
      't.created_at',
      't.revoked_at',
      't.last_used_at',
      'c.display_name as created_by_name',
      'r.display_name as revoked_by_name',
    ])
    .where('t.authority_id', '=', authorityId)
    .orderBy('t.created_at', 'desc')
    .execute();
}

export async function revoke(db: Q, id: string, authorityId: string, by: string, at: Date): Promise<boolean> {
  const result = await db
    .updateTable('api_tokens')
    .set({ revoked_at: at, revoked_by: by })
    .where('id', '=', id)
    .where('authority_id', '=', authorityId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** The demo area's county: a council whose staff use the reserved `.example.gov.uk` demo domain. */
export async function demoAuthorityId(db: Q): Promise<string | null> {
  const row = await db
    .selectFrom('authorities as a')
    .select('a.id')
    .where('a.code', '=', 'county')
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('staff_users as u')
          .select('u.id')
          .whereRef('u.authority_id', '=', 'a.id')
          .where(sql<boolean>`lower(u.email) like '%@county.example.gov.uk'`),
      ),
    )
    .executeTakeFirst();
  return row?.id ?? null;
}

// ---- idempotency

export function findIdempotent(db: Q, tokenId: string, key: string) {
  return db
    .selectFrom('api_idempotency_keys')
    .select(['method', 'path', 'request_hash', 'status_code', 'response'])
    .where('token_id', '=', tokenId)
    .where('key', '=', key)
    .executeTakeFirst();
}

export async function saveIdempotent(trx: Tx, row: NewRow<'api_idempotency_keys'>): Promise<void> {
  await trx
    .insertInto('api_idempotency_keys')
    .values(row)
    .onConflict((oc) => oc.columns(['token_id', 'key']).doNothing())
    .execute();
}

/** Serialises requests that share an idempotency key (PostgreSQL advisory lock, released at commit). */
export async function lockKey(trx: Tx, tokenId: string, key: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${`api-idempotency:${tokenId}:${key}`}))`.execute(trx);
}
