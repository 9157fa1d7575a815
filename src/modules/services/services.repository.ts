import { sql } from 'kysely';
import type { Db, Tx } from '../../platform/db/index.ts';

/**
 * The staff label of a case's status, read from its service's stored definition in the same query (null
 * when the workflow has no such status): `workflowStatusLabel('s.definition', 'c.status')` in a query over
 * cases joined to services. Every staff list labels a status this way, so a status has one name for staff.
 */
export function workflowStatusLabel(definitionColumn: string, statusColumn: string) {
  return sql<
    string | null
  >`jsonb_path_query_first(${sql.ref(definitionColumn)}, '$.workflow.statuses[*] ? (@.code == $code).label', jsonb_build_object('code', ${sql.ref(statusColumn)})) #>> '{}'`;
}

const listColumns = [
  's.id',
  's.slug',
  's.name',
  's.category',
  's.summary',
  'a.name as authority_name',
  'a.code as authority_code',
] as const;

export function listActiveServices(db: Db | Tx) {
  return db
    .selectFrom('services as s')
    .innerJoin('authorities as a', 'a.id', 's.authority_id')
    .select(listColumns)
    .where('s.active', '=', true)
    .orderBy('s.category')
    .orderBy('s.name')
    .execute();
}

export function findServiceBySlug(db: Db | Tx, slug: string) {
  return db
    .selectFrom('services as s')
    .innerJoin('authorities as a', 'a.id', 's.authority_id')
    .innerJoin('teams as t', 't.id', 's.team_id')
    .select([
      ...listColumns,
      's.definition',
      's.sla',
      's.kind',
      'a.phone as authority_phone',
      'a.website as authority_website',
      't.name as team_name',
    ])
    .where('s.slug', '=', slug)
    .where('s.active', '=', true)
    .executeTakeFirst();
}

const document = sql`(setweight(to_tsvector('english', s.name), 'A') || setweight(to_tsvector('english', s.keywords), 'A') || setweight(to_tsvector('english', s.summary), 'B'))`;

/**
 * Full-text search over name, synonyms and summary (uses the services_search_idx expression index),
 * with a trigram fallback for misspellings ("pothol", "buss pass").
 */
export async function searchServices(db: Db | Tx, query: string, limit = 20) {
  const ranked = await db
    .selectFrom('services as s')
    .innerJoin('authorities as a', 'a.id', 's.authority_id')
    .select([
      ...listColumns,
      sql<number>`ts_rank(${document}, websearch_to_tsquery('english', ${query}))`.as('rank'),
    ])
    .where('s.active', '=', true)
    .where(sql<boolean>`${document} @@ websearch_to_tsquery('english', ${query})`)
    .orderBy('rank', 'desc')
    .orderBy('s.name')
    .limit(limit)
    .execute();
  if (ranked.length > 0) return ranked;
  return db
    .selectFrom('services as s')
    .innerJoin('authorities as a', 'a.id', 's.authority_id')
    .select([
      ...listColumns,
      sql<number>`greatest(word_similarity(${query}, s.name), word_similarity(${query}, s.keywords))`.as(
        'rank',
      ),
    ])
    .where('s.active', '=', true)
    .where(
      sql<boolean>`greatest(word_similarity(${query}, s.name), word_similarity(${query}, s.keywords)) > 0.4`,
    )
    .orderBy('rank', 'desc')
    .limit(limit)
    .execute();
}

/** The active services of the given councils, by name (service pickers on staff pages). */
export function servicePicker(
  db: Db | Tx,
  authorityIds: readonly string[],
): Promise<{ id: string; name: string }[]> {
  if (authorityIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('services')
    .select(['id', 'name'])
    .where('authority_id', 'in', authorityIds)
    .where('active', '=', true)
    .orderBy('name')
    .execute();
}

/** One service (active or not) with its team and council, or undefined. */
export function findServiceSummary(db: Db | Tx, id: string) {
  return db
    .selectFrom('services')
    .select(['id', 'name', 'team_id as teamId', 'authority_id as authorityId'])
    .where('id', '=', id)
    .executeTakeFirst();
}

/**
 * The service to open a case of `kind` under (complaints, FOI, SAR): the council's own active service of
 * that kind, else the oldest active one (two-tier areas share one front door for them). Null when none.
 */
export async function findServiceOfKind(
  db: Db | Tx,
  authorityId: string,
  kind: string,
): Promise<string | null> {
  const row = await db
    .selectFrom('services')
    .select('id')
    .where('kind', '=', kind)
    .where('active', '=', true)
    .orderBy(sql`case when authority_id = ${authorityId} then 0 else 1 end`)
    .orderBy('created_at')
    .limit(1)
    .executeTakeFirst();
  return row?.id ?? null;
}
