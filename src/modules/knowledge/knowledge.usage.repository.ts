/**
 * SQL for how staff use the knowledge base: articles to insert into a reply, `article_uses` (answered with
 * article X vN), the review reminders (`article_tasks` of kind review / review_escalated) and the content
 * owners' dashboard figures.
 */
import { sql } from 'kysely';
import type { Db, Tx } from '../../platform/db/index.ts';

type Conn = Db | Tx;

/** Articles with the text of their published version (`a`, `v`). */
const withPublishedText = (db: Conn) =>
  db
    .selectFrom('articles as a')
    .innerJoin('article_versions as v', (join) =>
      join.onRef('v.article_id', '=', 'a.id').onRef('v.number', '=', 'a.published_version'),
    );

/** Published articles by slug (search hits) or id (a reply's hidden fields), with their published text. */
export function insertableArticles(
  db: Conn,
  by: { slugs?: readonly string[]; ids?: readonly string[] },
  authorityIds: readonly string[],
) {
  if (authorityIds.length === 0) return Promise.resolve([]);
  let query = withPublishedText(db)
    .select(['a.id', 'a.slug', 'a.audience', 'a.published_version', 'v.title', 'v.summary', 'v.body'])
    .where('a.state', '=', 'published')
    .where('a.authority_id', 'in', authorityIds);
  if (by.slugs) {
    if (by.slugs.length === 0) return Promise.resolve([]);
    query = query.where('a.slug', 'in', by.slugs);
  }
  if (by.ids) {
    if (by.ids.length === 0) return Promise.resolve([]);
    query = query.where('a.id', 'in', by.ids);
  }
  return query.execute();
}

/** Title of a version of an article of these councils (any state: a reply may quote an older version). */
export function versionTitles(db: Conn, ids: readonly string[], authorityIds: readonly string[]) {
  if (ids.length === 0 || authorityIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('articles as a')
    .innerJoin('article_versions as v', 'v.article_id', 'a.id')
    .select(['a.id', 'v.number', 'v.title'])
    .where('a.id', 'in', ids)
    .where('a.authority_id', 'in', authorityIds)
    .execute();
}

export async function insertUse(
  db: Conn,
  row: {
    article_id: string;
    version: number;
    case_id: string | null;
    interaction_id: string | null;
    channel: string;
    used_by: string;
    used_at: Date;
  },
): Promise<void> {
  await db.insertInto('article_uses').values(row).execute();
}

export function usesOfCase(db: Conn, caseId: string) {
  return db
    .selectFrom('article_uses as u')
    .innerJoin('article_versions as v', (join) =>
      join.onRef('v.article_id', '=', 'u.article_id').onRef('v.number', '=', 'u.version'),
    )
    .select(['u.article_id', 'u.version', 'u.channel', 'u.used_at', 'v.title'])
    .where('u.case_id', '=', caseId)
    .orderBy('u.used_at')
    .execute();
}

// --- Review reminders ----------------------------------------------------------------------------------------

/**
 * Published articles past their review date due for a step: `reminder`, the owner not reminded yet; or
 * `escalation`, reminded on or before `remindedBy` and not escalated yet.
 */
export function reviewsDue(
  db: Conn,
  today: string,
  step: { kind: 'reminder' } | { kind: 'escalation'; remindedBy: Date },
) {
  const due = withPublishedText(db)
    .select(['a.id', 'a.owner_id', 'a.team_id', 'a.review_on', 'v.title'])
    .where('a.state', '=', 'published')
    .where('a.review_on', '<', today);
  return (
    step.kind === 'reminder'
      ? due.where('a.reviewed_reminded_at', 'is', null)
      : due.where('a.reviewed_reminded_at', '<=', step.remindedBy).where('a.review_escalated_at', 'is', null)
  ).execute();
}

/** Marks the step done (its column set); false when another worker got there first. */
export async function claimReviewStep(
  db: Conn,
  articleId: string,
  column: 'reviewed_reminded_at' | 'review_escalated_at',
  now: Date,
): Promise<boolean> {
  const row = await db
    .updateTable('articles')
    .set({ [column]: now })
    .where('id', '=', articleId)
    .where(column, 'is', null)
    .returning('id')
    .executeTakeFirst();
  return !!row;
}

export async function insertReviewTask(
  db: Conn,
  row: {
    article_id: string;
    owner_id: string | null;
    team_id: string;
    kind: 'review' | 'review_escalated';
    detail: string;
    created_at: Date;
  },
): Promise<void> {
  await db.insertInto('article_tasks').values(row).execute();
}

export async function teamLeaders(db: Conn, teamId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('staff_team_members')
    .select('staff_user_id')
    .where('team_id', '=', teamId)
    .where('is_leader', '=', true)
    .execute();
  return rows.map((r) => r.staff_user_id);
}

// --- Dashboard ---------------------------------------------------------------------------------------------

const publishedTitle = (db: Conn, authorityIds: readonly string[]) =>
  withPublishedText(db).where('a.authority_id', 'in', authorityIds);

export function mostViewed(db: Conn, authorityIds: readonly string[], limit: number) {
  return publishedTitle(db, authorityIds)
    .select(['a.id', 'v.title', 'a.views as count'])
    .where('a.views', '>', 0)
    .orderBy('a.views', 'desc')
    .orderBy('v.title')
    .limit(limit)
    .execute();
}

export function mostInserted(db: Conn, authorityIds: readonly string[], since: Date, limit: number) {
  return publishedTitle(db, authorityIds)
    .innerJoin('article_uses as u', 'u.article_id', 'a.id')
    .select(['a.id', 'v.title', sql<number>`count(*)::int`.as('count')])
    .where('u.used_at', '>=', since)
    .groupBy(['a.id', 'v.title'])
    .orderBy('count', 'desc')
    .orderBy('v.title')
    .limit(limit)
    .execute();
}

export function mostNotHelpful(db: Conn, authorityIds: readonly string[], since: Date, limit: number) {
  return publishedTitle(db, authorityIds)
    .innerJoin('article_feedback as f', 'f.article_id', 'a.id')
    .select(['a.id', 'v.title', sql<number>`count(*)::int`.as('count')])
    .where('f.helpful', '=', false)
    .where('f.created_at', '>=', since)
    .groupBy(['a.id', 'v.title'])
    .orderBy('count', 'desc')
    .orderBy('v.title')
    .limit(limit)
    .execute();
}

export function overdueReviews(db: Conn, authorityIds: readonly string[], today: string, limit: number) {
  return publishedTitle(db, authorityIds)
    .leftJoin('staff_users as o', 'o.id', 'a.owner_id')
    .select(['a.id', 'v.title', 'a.review_on', 'o.display_name as owner'])
    .where('a.state', '=', 'published')
    .where('a.review_on', '<', today)
    .orderBy('a.review_on')
    .limit(limit)
    .execute();
}

/** Public searches that found nothing (not tied to a council: the help pages are shared). */
export function searchMisses(db: Conn, since: Date, limit: number) {
  return db
    .selectFrom('article_search_misses')
    .select([sql<string>`lower(query)`.as('query'), sql<number>`count(*)::int`.as('count')])
    .where('audience', '=', 'public')
    .where('searched_at', '>=', since)
    .groupBy(sql`lower(query)`)
    .orderBy('count', 'desc')
    .orderBy('query')
    .limit(limit)
    .execute();
}

// --- Phone scripts -------------------------------------------------------------------------------------------

/**
 * Published internal articles (within their valid-to date) of these councils linked to the call's queue
 * service or to the services of the customer's open cases, by title.
 */
export function internalArticlesForCall(
  db: Conn,
  input: { queueId: string | null; customerId: string | null; authorityIds: readonly string[]; now: Date },
) {
  if (input.authorityIds.length === 0 || (!input.queueId && !input.customerId)) return Promise.resolve([]);
  return withPublishedText(db)
    .innerJoin('article_services as s', 's.article_id', 'a.id')
    .select(['a.id', 'v.title', 'v.summary'])
    .distinct()
    .where('a.state', '=', 'published')
    .where('a.audience', '=', 'internal')
    .where('a.authority_id', 'in', input.authorityIds)
    .where((eb) => eb.or([eb('a.valid_to', 'is', null), eb('a.valid_to', '>', input.now)]))
    .where((eb) =>
      eb.or([
        eb(
          's.service_id',
          'in',
          eb
            .selectFrom('phone_queues as q')
            .select('q.service_id')
            .where('q.id', '=', input.queueId ?? '00000000-0000-0000-0000-000000000000')
            .where('q.service_id', 'is not', null)
            .$narrowType<{ service_id: string }>(),
        ),
        eb(
          's.service_id',
          'in',
          eb
            .selectFrom('cases as c')
            .select('c.service_id')
            .where('c.customer_id', '=', input.customerId ?? '00000000-0000-0000-0000-000000000000')
            .where('c.closed_at', 'is', null),
        ),
      ]),
    )
    .orderBy('v.title')
    .limit(10)
    .execute();
}

/** Published internal articles by slug (the general phone scripts found by search). */
export function internalArticlesBySlugs(db: Conn, slugs: readonly string[]) {
  if (slugs.length === 0) return Promise.resolve([]);
  return withPublishedText(db)
    .select(['a.id', 'a.slug', 'v.title', 'v.summary'])
    .where('a.state', '=', 'published')
    .where('a.slug', 'in', slugs)
    .where('a.audience', '=', 'internal')
    .execute();
}
