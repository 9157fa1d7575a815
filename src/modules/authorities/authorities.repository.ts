import { sql } from 'kysely';
import type { Db, Tx } from '../../platform/db/index.ts';

export function listAuthorities(db: Db | Tx) {
  return db
    .selectFrom('authorities')
    .select(['id', 'code', 'name', 'kind', 'phone', 'website'])
    .orderBy('name')
    .execute();
}

/** Councils whose code is `value` or whose name is `value` (ignoring case). */
export function findAuthoritiesByCodeOrName(db: Db | Tx, value: string) {
  const wanted = value.trim();
  return db
    .selectFrom('authorities')
    .select(['id', 'code', 'name'])
    .where((eb) => eb.or([eb('code', '=', wanted), eb(eb.fn('lower', ['name']), '=', wanted.toLowerCase())]))
    .orderBy('code')
    .execute();
}

export async function countAuthorities(db: Db | Tx): Promise<number> {
  const row = await db
    .selectFrom('authorities')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Adds a council (the first one, on a fresh installation: `npm run admin -- create`). */
export async function insertAuthority(
  db: Db | Tx,
  values: { code: string; name: string; kind: 'county' | 'district' | 'city' | 'unitary' | 'parish' },
): Promise<{ id: string; code: string; name: string }> {
  return db
    .insertInto('authorities')
    .values(values)
    .returning(['id', 'code', 'name'])
    .executeTakeFirstOrThrow();
}

/** Every council's contact details for the contact page, name order. */
export function listContactDetails(db: Db | Tx) {
  return db
    .selectFrom('authorities')
    .select([
      'id',
      'name',
      'phone',
      'phone_hours',
      'email',
      'website',
      'postal_address',
      'bsl_video_relay_url',
    ])
    .orderBy('name')
    .execute();
}

/** Open offices of every council, name order. */
export function listOffices(db: Db | Tx) {
  return db
    .selectFrom('offices')
    .select([
      'authority_id',
      'name',
      'address',
      'postcode',
      'opening_hours',
      'step_free',
      'hearing_loop',
      'parking',
      'accessible_toilet',
    ])
    .where('active', '=', true)
    .orderBy('name')
    .execute();
}

/** The teams of the given councils, by name (team pickers on staff pages). */
export function teamPicker(
  db: Db | Tx,
  authorityIds: readonly string[],
): Promise<{ id: string; name: string }[]> {
  if (authorityIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('teams')
    .select(['id', 'name'])
    .where('authority_id', 'in', authorityIds)
    .orderBy('name')
    .execute();
}

/** One team with its council, or undefined. */
export function findTeam(db: Db | Tx, id: string) {
  return db
    .selectFrom('teams as t')
    .innerJoin('authorities as a', 'a.id', 't.authority_id')
    .select(['t.id', 't.name', 't.authority_id as authorityId', 'a.name as authorityName'])
    .where('t.id', '=', id)
    .executeTakeFirst();
}

/**
 * The council that takes contacts tied to no case or queue (calls, texts): the one with this code, else the
 * county (or a unitary), else the first made.
 */
export async function fallbackAuthorityId(db: Db | Tx, code: string | null): Promise<string | null> {
  const row = await db
    .selectFrom('authorities')
    .select('id')
    .$if(code !== null, (q) => q.where('code', '=', code!))
    .orderBy(sql`case kind when 'county' then 0 when 'unitary' then 1 else 2 end`)
    .orderBy('created_at')
    .executeTakeFirst();
  return row?.id ?? null;
}
