/**
 * All SQL of the knowledge module: `articles`, `article_versions`, `article_services`, `article_search`,
 * `article_feedback`, `article_tasks`, `article_uses` and `article_search_misses` (owned), plus the reads it
 * needs of teams, their members, staff names and services.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Db, Tx } from '../../platform/db/index.ts';
import type { ArticleAudience, ArticleState, NewRow, RowUpdate } from '../../platform/db/schema.ts';

type Conn = Db | Tx;

export async function insertArticle(db: Conn, row: NewRow<'articles'>): Promise<string> {
  const { id } = await db.insertInto('articles').values(row).returning('id').executeTakeFirstOrThrow();
  return id;
}

export async function updateArticle(db: Conn, id: string, patch: RowUpdate<'articles'>): Promise<void> {
  await db.updateTable('articles').set(patch).where('id', '=', id).execute();
}

export async function insertVersion(db: Conn, row: NewRow<'article_versions'>): Promise<void> {
  await db.insertInto('article_versions').values(row).execute();
}

export async function updateVersion(
  db: Conn,
  articleId: string,
  number: number,
  patch: RowUpdate<'article_versions'>,
): Promise<void> {
  await db
    .updateTable('article_versions')
    .set(patch)
    .where('article_id', '=', articleId)
    .where('number', '=', number)
    .execute();
}

export async function replaceServices(db: Conn, articleId: string, serviceIds: readonly string[]) {
  await db.deleteFrom('article_services').where('article_id', '=', articleId).execute();
  if (serviceIds.length)
    await db
      .insertInto('article_services')
      .values([...new Set(serviceIds)].map((service_id) => ({ article_id: articleId, service_id })))
      .execute();
}

const articleColumns = [
  'a.id',
  'a.slug',
  'a.authority_id',
  'a.team_id',
  'a.owner_id',
  'a.audience',
  'a.state',
  'a.requires_second_publisher',
  'a.replaced_by',
  'a.published_version',
  'a.review_on',
  'a.valid_from',
  'a.valid_to',
  'a.submitted_by',
  'a.submitted_at',
  'a.withdrawn_at',
  'a.views',
  'a.created_at',
  'a.updated_at',
  't.name as team_name',
  't.knowledge_second_publisher as team_second_publisher',
  'o.display_name as owner_name',
] as const;

function articleQuery(db: Conn) {
  return db
    .selectFrom('articles as a')
    .innerJoin('teams as t', 't.id', 'a.team_id')
    .leftJoin('staff_users as o', 'o.id', 'a.owner_id')
    .select(articleColumns);
}

export type ArticleRow = Awaited<ReturnType<typeof findArticleById>> & object;

export function findArticleById(db: Conn, id: string, options: { lock?: boolean } = {}) {
  const query = articleQuery(db).where('a.id', '=', id);
  return (options.lock ? query.forUpdate('a') : query).executeTakeFirst();
}

export function findArticleBySlug(db: Conn, slug: string) {
  return articleQuery(db).where('a.slug', '=', slug).executeTakeFirst();
}

export function slugTaken(db: Conn, slug: string) {
  return db.selectFrom('articles').select('id').where('slug', '=', slug).executeTakeFirst();
}

const versionColumns = [
  'v.article_id',
  'v.number',
  'v.title',
  'v.summary',
  'v.body',
  'v.keywords',
  'v.change_note',
  'v.author_id',
  'v.created_at',
  'v.updated_at',
  'v.published_by',
  'v.published_at',
  'au.display_name as author_name',
  'pb.display_name as publisher_name',
] as const;

function versionQuery(db: Conn) {
  return db
    .selectFrom('article_versions as v')
    .leftJoin('staff_users as au', 'au.id', 'v.author_id')
    .leftJoin('staff_users as pb', 'pb.id', 'v.published_by')
    .select(versionColumns);
}

export type VersionRow = Awaited<ReturnType<typeof findVersion>> & object;

export function findVersion(db: Conn, articleId: string, number: number) {
  return versionQuery(db)
    .where('v.article_id', '=', articleId)
    .where('v.number', '=', number)
    .executeTakeFirst();
}

export function latestVersion(db: Conn, articleId: string) {
  return versionQuery(db)
    .where('v.article_id', '=', articleId)
    .orderBy('v.number', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export function listVersions(db: Conn, articleId: string) {
  return versionQuery(db).where('v.article_id', '=', articleId).orderBy('v.number', 'desc').execute();
}

export function servicesOfArticle(db: Conn, articleId: string) {
  return db
    .selectFrom('article_services as x')
    .innerJoin('services as s', 's.id', 'x.service_id')
    .select(['s.id', 's.slug', 's.name'])
    .where('x.article_id', '=', articleId)
    .orderBy('s.name')
    .execute();
}

/** Staff list: every article of the councils, with its latest title, filtered. */
export function listArticles(
  db: Conn,
  filter: {
    authorityIds: readonly string[];
    state?: ArticleState;
    audience?: ArticleAudience;
    teamId?: string;
    ownerId?: string;
    limit: number;
  },
) {
  if (filter.authorityIds.length === 0) return Promise.resolve([]);
  let query = db
    .selectFrom('articles as a')
    .innerJoin('teams as t', 't.id', 'a.team_id')
    .leftJoin('staff_users as o', 'o.id', 'a.owner_id')
    .innerJoin('article_versions as v', (join) =>
      join
        .onRef('v.article_id', '=', 'a.id')
        .on(
          'v.number',
          '=',
          sql<number>`(select max(number) from article_versions m where m.article_id = a.id)`,
        ),
    )
    .select([
      'a.id',
      'a.slug',
      'a.state',
      'a.audience',
      'a.review_on',
      'a.updated_at',
      'a.published_version',
      't.name as team_name',
      'o.display_name as owner_name',
      'v.title',
      'v.number',
    ])
    .where('a.authority_id', 'in', filter.authorityIds);
  if (filter.state) query = query.where('a.state', '=', filter.state);
  if (filter.audience) query = query.where('a.audience', '=', filter.audience);
  if (filter.teamId) query = query.where('a.team_id', '=', filter.teamId);
  if (filter.ownerId) query = query.where('a.owner_id', '=', filter.ownerId);
  return query.orderBy('a.updated_at', 'desc').limit(filter.limit).execute();
}

/** Search document SQL of one version's text (see the knowledge-base migration). */
export function searchColumns(text: { title: string; keywords: string; summary: string; body: string }) {
  return {
    terms: `${text.title} ${text.keywords}`,
    head: sql<string>`setweight(to_tsvector('english', ${text.title} || ' ' || ${text.keywords}), 'A')
      || setweight(to_tsvector('english', ${text.summary}), 'B')`,
    document: sql<string>`setweight(to_tsvector('english', ${text.title} || ' ' || ${text.keywords}), 'A')
      || setweight(to_tsvector('english', ${text.summary}), 'B')
      || setweight(to_tsvector('english', ${text.body}), 'C')`,
  };
}

/** Writes the search documents of a published version, with the article's council, audience and dates. */
export async function writeSearchDocument(
  db: Conn,
  articleId: string,
  text: { title: string; keywords: string; summary: string; body: string },
): Promise<void> {
  const columns = searchColumns(text);
  await db
    .insertInto('article_search')
    .columns([
      'article_id',
      'authority_id',
      'audience',
      'valid_from',
      'valid_to',
      'terms',
      'head',
      'document',
    ])
    .expression(
      db
        .selectFrom('articles')
        .select([
          'id',
          'authority_id',
          'audience',
          'valid_from',
          'valid_to',
          sql<string>`${columns.terms}`.as('terms'),
          columns.head.as('head'),
          columns.document.as('document'),
        ])
        .where('id', '=', articleId),
    )
    .onConflict((oc) =>
      oc.column('article_id').doUpdateSet({
        authority_id: (eb) => eb.ref('excluded.authority_id'),
        audience: (eb) => eb.ref('excluded.audience'),
        valid_from: (eb) => eb.ref('excluded.valid_from'),
        valid_to: (eb) => eb.ref('excluded.valid_to'),
        terms: (eb) => eb.ref('excluded.terms'),
        head: (eb) => eb.ref('excluded.head'),
        document: (eb) => eb.ref('excluded.document'),
      }),
    )
    .execute();
}

export async function deleteSearchDocument(db: Conn, articleId: string): Promise<void> {
  await db.deleteFrom('article_search').where('article_id', '=', articleId).execute();
}

/** Marks around the matched words of a snippet: control characters no article contains. */
export const SNIPPET_START = '\u0002';
export const SNIPPET_STOP = '\u0003';

export interface SearchHitRow {
  id: string;
  slug: string;
  audience: ArticleAudience;
  title: string;
  summary: string;
  snippet: string;
  score: number;
}

/**
 * The Markdown body as words for a snippet: a link's text without its address, no `#`/`*` marks or list
 * bullets (the snippet is shown as text, so the marks would show).
 */
const MARKDOWN_LINK = String.raw`\[([^]]*)\]\([^)]*\)`;
const LINK_TEXT = String.raw`\1`;
const MARKDOWN_MARKS = String.raw`[*#]+|^[ ]*(-|[0-9]+\.)[ ]`;

function plainText(body: RawBuilder<unknown>) {
  return sql<string>`regexp_replace(regexp_replace(${body}, ${MARKDOWN_LINK}, ${LINK_TEXT}, 'g'), ${MARKDOWN_MARKS}, '', 'gn')`;
}

/** How many of the best word matches (by text rank) are scored for spelling as well. */
const RANKED_CANDIDATES = 60;

/**
 * Published articles that match: full-text (any of the words, weighted) or a title or keywords close in
 * spelling (trigram word similarity), best first. Articles past their valid-to date are never found;
 * `audience` 'public' also keeps internal articles and those not yet valid out.
 */
export async function searchArticles(
  db: Conn,
  input: {
    query: string;
    /** Any of the words. */
    tsquery: string;
    /** All of the words. */
    allWords: string;
    audience: 'public' | 'all';
    now: Date;
    authorityIds?: readonly string[];
    limit: number;
  },
): Promise<SearchHitRow[]> {
  const tsq = sql`to_tsquery('english', ${input.tsquery})`;
  const all = sql`to_tsquery('english', ${input.allWords})`;
  if (input.authorityIds && input.authorityIds.length === 0) return [];
  const authorityIds = input.authorityIds;
  // Published, within its dates, for this audience and these councils. An article past its valid-to date
  // leaves every search (staff too) by itself.
  const candidates = (match: RawBuilder<SqlBool>) => {
    let query = db
      .selectFrom('article_search')
      .select([
        'article_search.article_id',
        'article_search.terms',
        sql<number>`ts_rank('{0.2, 0.4, 0.7, 1.0}', article_search.document, ${tsq})`.as('rank'),
      ])
      .where(match)
      .where((eb) =>
        eb.or([eb('article_search.valid_to', 'is', null), eb('article_search.valid_to', '>', input.now)]),
      );
    if (input.audience === 'public')
      query = query
        .where('article_search.audience', '=', 'public')
        .where((eb) =>
          eb.or([
            eb('article_search.valid_from', 'is', null),
            eb('article_search.valid_from', '<=', input.now),
          ]),
        );
    if (authorityIds) query = query.where('article_search.authority_id', 'in', authorityIds);
    return query;
  };
  // Two kinds of candidate: the words (any of them in the title, keywords or summary; all of them anywhere),
  // of which only the best by text rank go on — a short query's common words find hundreds, and the spelling
  // similarity below is the costly part (PGlite, 5,000 articles, a seven-word query: 900 similarities, 23 ms);
  // and a title or keywords close in spelling (the trigram index: few, each already past the similarity
  // threshold, so none of them is lost to the cut). The score is the rank plus the spelling similarity.
  const byWords = candidates(
    sql<SqlBool>`(article_search.head @@ ${tsq} or article_search.document @@ ${all})`,
  )
    .orderBy('rank', 'desc')
    .limit(RANKED_CANDIDATES);
  const bySpelling = candidates(sql<SqlBool>`article_search.terms %> ${input.query}`);
  const top = db
    .selectFrom(
      db
        .selectFrom(byWords.as('w'))
        .selectAll()
        .union(db.selectFrom(bySpelling.as('t')).selectAll())
        .as('c'),
    )
    .select([
      'c.article_id',
      sql<number>`c.rank + 0.6 * word_similarity(${input.query}, c.terms)`.as('score'),
    ])
    .orderBy('score', 'desc')
    .orderBy('c.article_id')
    .limit(input.limit);
  // The planner prices a trigram test as cheap as an equality and scans the whole table (or walks its primary
  // key), running the similarity on every row; a bitmap OR of the three indexes finds the candidates several
  // times faster (PGlite, 5,000 articles: 176 ms → 40 ms). Hence bitmap scans only, for this one statement
  // (SET LOCAL ends with the transaction).
  const statement = (conn: Conn) =>
    conn
      .selectFrom(top.as('top'))
      .innerJoin('articles as a', 'a.id', 'top.article_id')
      .innerJoin('article_versions as v', (join) =>
        join.onRef('v.article_id', '=', 'a.id').onRef('v.number', '=', 'a.published_version'),
      )
      .where('a.state', '=', 'published')
      .select([
        'a.id',
        'a.slug',
        'a.audience',
        'top.score',
        'v.title',
        'v.summary',
        sql<string>`ts_headline('english', v.summary || ' ' || ${plainText(sql`v.body`)}, ${tsq}, ${`StartSel=${SNIPPET_START}, StopSel=${SNIPPET_STOP}, MaxWords=30, MinWords=12, MaxFragments=1`})`.as(
          'snippet',
        ),
      ])
      .orderBy('top.score', 'desc')
      .orderBy('a.slug')
      .execute();
  const rows = db.isTransaction
    ? await statement(db)
    : await db.transaction().execute(async (own) => {
        await sql`select set_config('enable_seqscan', 'off', true), set_config('enable_indexscan', 'off', true)`.execute(
          own,
        );
        return statement(own);
      });
  return rows.map((r) => ({ ...r, score: Number(r.score) }));
}

/** Published public articles within their dates, by title (the /help list and the API list). */
export function listPublicArticles(
  db: Conn,
  input: { now: Date; limit: number; offset?: number; serviceId?: string },
) {
  let query = db
    .selectFrom('articles as a')
    .innerJoin('article_versions as v', (join) =>
      join.onRef('v.article_id', '=', 'a.id').onRef('v.number', '=', 'a.published_version'),
    )
    .select([
      'a.id',
      'a.slug',
      'a.authority_id',
      'v.title',
      'v.summary',
      'v.number as version',
      'v.published_at',
    ])
    .where('a.state', '=', 'published')
    .where('a.audience', '=', 'public')
    .where((eb) => eb.or([eb('a.valid_from', 'is', null), eb('a.valid_from', '<=', input.now)]))
    .where((eb) => eb.or([eb('a.valid_to', 'is', null), eb('a.valid_to', '>', input.now)]));
  if (input.serviceId) {
    const serviceId = input.serviceId;
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom('article_services as x')
          .select('x.article_id')
          .whereRef('x.article_id', '=', 'a.id')
          .where('x.service_id', '=', serviceId),
      ),
    );
  }
  return query
    .orderBy('v.title')
    .orderBy('a.slug')
    .limit(input.limit)
    .offset(input.offset ?? 0)
    .execute();
}

export async function incrementViews(db: Conn, articleId: string): Promise<void> {
  await db
    .updateTable('articles')
    .set({ views: sql`views + 1` })
    .where('id', '=', articleId)
    .execute();
}

export async function insertFeedback(db: Conn, row: NewRow<'article_feedback'>): Promise<string> {
  const { id } = await db
    .insertInto('article_feedback')
    .values(row)
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

export async function insertTask(db: Conn, row: NewRow<'article_tasks'>): Promise<string> {
  const { id } = await db.insertInto('article_tasks').values(row).returning('id').executeTakeFirstOrThrow();
  return id;
}

/** Open tasks for an owner (and, when given, the teams they lead), oldest first. */
export function openTasksFor(db: Conn, ownerId: string, limit: number) {
  return db
    .selectFrom('article_tasks as k')
    .innerJoin('articles as a', 'a.id', 'k.article_id')
    .leftJoin('article_versions as v', (join) =>
      join.onRef('v.article_id', '=', 'a.id').onRef('v.number', '=', 'a.published_version'),
    )
    .select(['k.id', 'k.kind', 'k.detail', 'k.created_at', 'a.id as article_id', 'a.slug', 'v.title'])
    .where('k.owner_id', '=', ownerId)
    .where('k.done_at', 'is', null)
    .orderBy('k.created_at')
    .limit(limit)
    .execute();
}

export function findTask(db: Conn, id: string) {
  return db
    .selectFrom('article_tasks as k')
    .innerJoin('articles as a', 'a.id', 'k.article_id')
    .select(['k.id', 'k.owner_id', 'k.done_at', 'a.authority_id'])
    .where('k.id', '=', id)
    .executeTakeFirst();
}

export async function markTaskDone(db: Conn, id: string, staffId: string, now: Date): Promise<void> {
  await db
    .updateTable('article_tasks')
    .set({ done_at: now, done_by: staffId })
    .where('id', '=', id)
    .where('done_at', 'is', null)
    .execute();
}

export async function insertSearchMiss(db: Conn, query: string, audience: ArticleAudience, now: Date) {
  await db.insertInto('article_search_misses').values({ query, audience, searched_at: now }).execute();
}

export async function teamRequiresSecondPublisher(db: Conn, teamId: string): Promise<boolean> {
  const row = await db
    .selectFrom('teams')
    .select('knowledge_second_publisher')
    .where('id', '=', teamId)
    .executeTakeFirst();
  return Boolean(row?.knowledge_second_publisher);
}

export async function setTeamSecondPublisher(db: Conn, teamId: string, required: boolean): Promise<void> {
  await db
    .updateTable('teams')
    .set({ knowledge_second_publisher: required })
    .where('id', '=', teamId)
    .execute();
}

/** Active members of a team, by name (the owner picker). */
export function teamMembers(db: Conn, teamId: string) {
  return db
    .selectFrom('staff_team_members as m')
    .innerJoin('staff_users as u', 'u.id', 'm.staff_user_id')
    .select(['u.id', 'u.display_name as name', 'm.is_leader'])
    .where('m.team_id', '=', teamId)
    .where('u.active', '=', true)
    .orderBy('m.is_leader', 'desc')
    .orderBy('u.display_name')
    .execute();
}

export function teamByCode(db: Conn, authorityId: string, code: string) {
  return db
    .selectFrom('teams')
    .select(['id', 'authority_id'])
    .where('authority_id', '=', authorityId)
    .where('code', '=', code)
    .executeTakeFirst();
}

export function authorityByCode(db: Conn, code: string) {
  return db.selectFrom('authorities').select('id').where('code', '=', code).executeTakeFirst();
}

export function servicesBySlug(db: Conn, slugs: readonly string[]) {
  if (slugs.length === 0) return Promise.resolve([]);
  return db.selectFrom('services').select(['id', 'slug']).where('slug', 'in', slugs).execute();
}

export function serviceBySlug(db: Conn, slug: string) {
  return db.selectFrom('services').select(['id', 'authority_id']).where('slug', '=', slug).executeTakeFirst();
}

/** Teams of the councils (the article form's team list). */
export function teamsOf(db: Conn, authorityIds: readonly string[]) {
  if (authorityIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('teams')
    .select(['id', 'name', 'authority_id'])
    .where('authority_id', 'in', authorityIds)
    .orderBy('name')
    .execute();
}

/** Teams of the councils with their "second person publishes" setting. */
export function teamsWithSetting(db: Conn, authorityIds: readonly string[]) {
  if (authorityIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('teams')
    .select(['id', 'name', 'knowledge_second_publisher'])
    .where('authority_id', 'in', authorityIds)
    .orderBy('name')
    .execute();
}
