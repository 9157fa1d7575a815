/**
 * Use-cases of the knowledge base: drafting and editing articles, review and publishing (with a second
 * person when the owning team or the article says so), withdrawing and archiving, versions, search (public
 * and staff), help pages, feedback that becomes a task for the owner, and the demo content loader.
 */
import { addCalendarMonths, toIsoDate, type IsoDate } from '../../platform/calendar/index.ts';
import type { Db, Tx } from '../../platform/db/index.ts';
import type { ArticleAudience } from '../../platform/db/schema.ts';
import { DomainRuleError, NotFoundError } from '../../platform/http/errors.ts';
import { markdownToText } from './knowledge.markdown.ts';
import * as repo from './knowledge.repository.ts';

type Conn = Db | Tx;

/** Months from publishing to the review date when the editor gives none. */
export const REVIEW_MONTHS = 6;

export interface ArticleInput {
  title: string;
  summary: string;
  body: string;
  keywords: string | null;
  audience: ArticleAudience;
  teamId: string;
  ownerId: string;
  services: string[];
  changeNote: string | null;
  secondPublisher: boolean;
  reviewOn: IsoDate | null;
  validFrom: IsoDate | null;
  validTo: IsoDate | null;
}

const instant = (date: IsoDate | null) => (date ? new Date(`${date}T00:00:00Z`) : null);

/** A web address made from a title: "Check your bin day!" → "check-your-bin-day". */
export function slugify(title: string): string {
  return (
    title
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 70)
      .replace(/-+$/, '') || 'article'
  );
}

async function freeSlug(db: Conn, wanted: string): Promise<string> {
  for (let n = 1; n < 1000; n++) {
    const slug = n === 1 ? wanted : `${wanted}-${n}`;
    if (!(await repo.slugTaken(db, slug))) return slug;
  }
  throw new DomainRuleError('Choose another web address');
}

/** A new article in draft, with version 1. */
export async function createDraft(
  trx: Tx,
  input: ArticleInput & { authorityId: string; slug: string | null; staffId: string; now: Date },
): Promise<{ id: string; slug: string }> {
  let slug: string;
  if (input.slug) {
    if (await repo.slugTaken(trx, input.slug)) throw new DomainRuleError('That web address is already used');
    slug = input.slug;
  } else slug = await freeSlug(trx, slugify(input.title));
  const id = await repo.insertArticle(trx, {
    slug,
    authority_id: input.authorityId,
    team_id: input.teamId,
    owner_id: input.ownerId,
    audience: input.audience,
    state: 'draft',
    requires_second_publisher: input.secondPublisher,
    review_on: input.reviewOn,
    valid_from: instant(input.validFrom),
    valid_to: instant(input.validTo),
    published_version: null,
    replaced_by: null,
    submitted_by: null,
    submitted_at: null,
    withdrawn_at: null,
    archived_at: null,
    reviewed_reminded_at: null,
    review_escalated_at: null,
    created_by: input.staffId,
    created_at: input.now,
    updated_at: input.now,
  });
  await repo.insertVersion(trx, {
    article_id: id,
    number: 1,
    title: input.title,
    summary: input.summary,
    body: input.body,
    keywords: input.keywords ?? '',
    change_note: input.changeNote ?? 'First version',
    author_id: input.staffId,
    created_at: input.now,
    updated_at: input.now,
    published_by: null,
    published_at: null,
  });
  await repo.replaceServices(trx, id, input.services);
  return { id, slug };
}

/**
 * Saves an edit: into the unpublished version when there is one, else as a new version (the published one
 * stays on the help page until the new one is published). Editing after "submit for review" takes the
 * article back to draft.
 */
export async function saveDraft(
  trx: Tx,
  articleId: string,
  input: ArticleInput & { staffId: string; now: Date },
): Promise<void> {
  const article = await repo.findArticleById(trx, articleId, { lock: true });
  if (!article) throw new NotFoundError();
  if (article.state === 'archived') throw new DomainRuleError('An archived article cannot be changed');
  const latest = await repo.latestVersion(trx, articleId);
  const fields = {
    title: input.title,
    summary: input.summary,
    body: input.body,
    keywords: input.keywords ?? '',
    change_note: input.changeNote,
    author_id: input.staffId,
    updated_at: input.now,
  };
  if (latest && !latest.published_at) await repo.updateVersion(trx, articleId, latest.number, fields);
  else
    await repo.insertVersion(trx, {
      ...fields,
      article_id: articleId,
      number: (latest?.number ?? 0) + 1,
      created_at: input.now,
      published_by: null,
      published_at: null,
    });
  await repo.updateArticle(trx, articleId, {
    team_id: input.teamId,
    owner_id: input.ownerId,
    audience: input.audience,
    requires_second_publisher: input.secondPublisher,
    review_on: input.reviewOn ?? article.review_on,
    valid_from: instant(input.validFrom),
    valid_to: instant(input.validTo),
    state: article.state === 'in_review' ? 'draft' : article.state,
    submitted_at: null,
    submitted_by: null,
    updated_at: input.now,
  });
  await repo.replaceServices(trx, articleId, input.services);
  // Dates and audience apply at once to the published version: keep the search document in step.
  if (article.state === 'published' && article.published_version) {
    const live = await repo.findVersion(trx, articleId, article.published_version);
    if (live) await indexVersion(trx, articleId, live);
  }
}

/** The version waiting to be published (the latest, when it is not published yet). */
async function pendingVersion(db: Conn, articleId: string) {
  const latest = await repo.latestVersion(db, articleId);
  return latest && !latest.published_at ? latest : null;
}

export async function submitForReview(trx: Tx, articleId: string, staffId: string, now: Date): Promise<void> {
  const article = await repo.findArticleById(trx, articleId, { lock: true });
  if (!article) throw new NotFoundError();
  if (!(await pendingVersion(trx, articleId)))
    throw new DomainRuleError('There are no changes to review: edit the article first');
  await repo.updateArticle(trx, articleId, {
    state: article.state === 'draft' ? 'in_review' : article.state,
    submitted_by: staffId,
    submitted_at: now,
    updated_at: now,
  });
}

/** Whether a second person must publish this article: its team's setting or the article's own flag. */
export const needsSecondPublisher = (article: repo.ArticleRow): boolean =>
  article.requires_second_publisher || article.team_second_publisher;

/**
 * Publishes the pending version. When a second person is needed, the version must have been submitted
 * for review and the publisher must be neither its author nor the person who submitted it.
 */
export async function publish(
  trx: Tx,
  articleId: string,
  input: { staffId: string; now: Date },
): Promise<{ version: number }> {
  const article = await repo.findArticleById(trx, articleId, { lock: true });
  if (!article) throw new NotFoundError();
  if (article.state === 'archived') throw new DomainRuleError('An archived article cannot be published');
  const version = await pendingVersion(trx, articleId);
  if (!version) throw new DomainRuleError('There is no new version to publish');
  if (needsSecondPublisher(article)) {
    if (!article.submitted_at) throw new DomainRuleError('Submit the article for review first');
    if (version.author_id === input.staffId || article.submitted_by === input.staffId)
      throw new DomainRuleError('Someone other than the author must publish this article');
  }
  await repo.updateVersion(trx, articleId, version.number, {
    published_by: input.staffId,
    published_at: input.now,
  });
  const today = toIsoDate(input.now);
  const reviewOn =
    article.review_on && article.review_on > today
      ? article.review_on
      : addCalendarMonths(today, REVIEW_MONTHS);
  await repo.updateArticle(trx, articleId, {
    state: 'published',
    published_version: version.number,
    review_on: reviewOn,
    submitted_at: null,
    submitted_by: null,
    withdrawn_at: null,
    reviewed_reminded_at: null,
    review_escalated_at: null,
    updated_at: input.now,
  });
  await indexVersion(trx, articleId, version);
  return { version: version.number };
}

async function indexVersion(
  db: Conn,
  articleId: string,
  version: { title: string; keywords: string; summary: string; body: string },
) {
  await repo.writeSearchDocument(db, articleId, {
    title: version.title,
    keywords: version.keywords,
    summary: version.summary,
    body: markdownToText(version.body),
  });
}

/** Withdrawn: the page stays with a "no longer current" banner; the article leaves search. */
export async function withdraw(trx: Tx, articleId: string, now: Date): Promise<void> {
  const article = await repo.findArticleById(trx, articleId, { lock: true });
  if (!article) throw new NotFoundError();
  if (article.state !== 'published') throw new DomainRuleError('Only a published article can be withdrawn');
  await repo.updateArticle(trx, articleId, { state: 'withdrawn', withdrawn_at: now, updated_at: now });
  await repo.deleteSearchDocument(trx, articleId);
}

/** Archived: the page redirects to its replacement (a published article); the article leaves search. */
export async function archive(
  trx: Tx,
  articleId: string,
  input: { replacementSlug: string; now: Date },
): Promise<void> {
  const article = await repo.findArticleById(trx, articleId, { lock: true });
  if (!article) throw new NotFoundError();
  if (article.state === 'archived') throw new DomainRuleError('The article is already archived');
  const replacement = await repo.findArticleBySlug(trx, input.replacementSlug);
  if (!replacement || replacement.id === articleId || replacement.state !== 'published')
    throw new DomainRuleError('Enter the web address of a published article that replaces this one');
  if (replacement.audience !== article.audience && article.audience === 'public')
    throw new DomainRuleError('A public article must be replaced by a public article');
  await repo.updateArticle(trx, articleId, {
    state: 'archived',
    replaced_by: replacement.id,
    archived_at: input.now,
    updated_at: input.now,
  });
  await repo.deleteSearchDocument(trx, articleId);
}

export const findArticle = repo.findArticleById;
export const listArticles = repo.listArticles;
export const listVersions = repo.listVersions;
export const findVersion = repo.findVersion;
export const latestVersion = repo.latestVersion;
export const servicesOfArticle = repo.servicesOfArticle;
export const teamMembers = repo.teamMembers;
export const teamsOf = repo.teamsOf;
export const openTasksFor = repo.openTasksFor;
export const setTeamSecondPublisher = repo.setTeamSecondPublisher;
export const teamsWithSetting = repo.teamsWithSetting;

export async function completeTask(db: Conn, taskId: string, staffId: string, now: Date, scope: string[]) {
  const task = await repo.findTask(db, taskId);
  if (!task || !scope.includes(task.authority_id)) throw new NotFoundError();
  await repo.markTaskDone(db, taskId, staffId, now);
}

// --- Search ------------------------------------------------------------------------------------------------

/** Words of a query as an "any of these words" tsquery (letters and digits only, so always valid). */
export function anyWordsQuery(query: string, join: ' | ' | ' & ' = ' | '): string {
  const words = (query.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => w.length > 1);
  return [...new Set(words)].slice(0, 12).join(join);
}

export interface SearchHit {
  slug: string;
  title: string;
  summary: string;
  audience: ArticleAudience;
  /** The matching words of the text, as [text, matched] pieces (the view marks the matched ones). */
  snippet: { text: string; match: boolean }[];
  score: number;
}

function snippetPieces(snippet: string): { text: string; match: boolean }[] {
  const pieces: { text: string; match: boolean }[] = [];
  for (const part of snippet.split(repo.SNIPPET_START)) {
    const [matched, rest] = part.includes(repo.SNIPPET_STOP)
      ? part.split(repo.SNIPPET_STOP, 2)
      : [null, part];
    if (matched) pieces.push({ text: matched, match: true });
    if (rest) pieces.push({ text: rest.replace(/[*_#]+/g, ''), match: false });
  }
  return pieces;
}

/**
 * Searches published articles: `public` for residents and the API (public, within their dates), `all` for
 * staff (internal too). A public search that finds nothing is logged (what residents look for and miss).
 */
export async function searchArticles(
  db: Conn,
  input: {
    query: string;
    audience: 'public' | 'all';
    now: Date;
    authorityIds?: readonly string[];
    limit?: number;
  },
): Promise<SearchHit[]> {
  const query = input.query.trim().slice(0, 200);
  if (!query) return [];
  const rows = await repo.searchArticles(db, {
    query,
    tsquery: anyWordsQuery(query) || 'zzzznothing',
    allWords: anyWordsQuery(query, ' & ') || 'zzzznothing',
    audience: input.audience,
    now: input.now,
    authorityIds: input.authorityIds,
    limit: input.limit ?? 20,
  });
  if (rows.length === 0)
    await repo.insertSearchMiss(db, query, input.audience === 'public' ? 'public' : 'internal', input.now);
  return rows.map((r) => ({
    slug: r.slug,
    title: r.title,
    summary: r.summary,
    audience: r.audience,
    snippet: snippetPieces(r.snippet),
    score: r.score,
  }));
}

export const listPublicArticles = repo.listPublicArticles;

/** Public articles about a service (its start page's "Questions about this service"). */
export async function articlesForService(db: Conn, serviceId: string, now: Date) {
  return (await repo.listPublicArticles(db, { now, limit: 10, serviceId })).map((a) => ({
    slug: a.slug,
    title: a.title,
  }));
}

export type HelpPage =
  | { kind: 'redirect'; slug: string }
  | {
      kind: 'page';
      article: repo.ArticleRow;
      version: repo.VersionRow;
      current: boolean;
      services: { id: string; slug: string; name: string }[];
    };

/**
 * The public page of an article: published and public (current), withdrawn or past its show-until date
 * (shown with a "no longer current" banner), archived (a redirect to its replacement); anything else,
 * and every internal article, is not found.
 */
export async function helpPage(db: Conn, slug: string, now: Date): Promise<HelpPage> {
  const article = await repo.findArticleBySlug(db, slug);
  if (!article || article.audience !== 'public' || !article.published_version) throw new NotFoundError();
  if (article.state === 'archived') {
    if (!article.replaced_by) throw new NotFoundError();
    const replacement = await repo.findArticleById(db, article.replaced_by);
    if (!replacement) throw new NotFoundError();
    return { kind: 'redirect', slug: replacement.slug };
  }
  if (article.state !== 'published' && article.state !== 'withdrawn') throw new NotFoundError();
  if (article.valid_from && article.valid_from > now) throw new NotFoundError();
  const version = await repo.findVersion(db, article.id, article.published_version);
  if (!version) throw new NotFoundError();
  const current = article.state === 'published' && !(article.valid_to && article.valid_to <= now);
  if (current) await repo.incrementViews(db, article.id);
  return { kind: 'page', article, version, current, services: await repo.servicesOfArticle(db, article.id) };
}

/**
 * "Was this page helpful?" on a help page. A "no" with a comment becomes a task for the article's owner
 * (shown on their staff home and on /staff/knowledge).
 */
export async function recordFeedback(
  trx: Tx,
  slug: string,
  input: { helpful: boolean; comment: string | null; now: Date },
): Promise<{ taskId: string | null }> {
  const article = await repo.findArticleBySlug(trx, slug);
  if (!article || article.audience !== 'public' || !article.published_version) throw new NotFoundError();
  const feedbackId = await repo.insertFeedback(trx, {
    article_id: article.id,
    version: article.published_version,
    helpful: input.helpful,
    comment: input.comment,
    created_at: input.now,
  });
  if (input.helpful || !input.comment) return { taskId: null };
  const taskId = await repo.insertTask(trx, {
    article_id: article.id,
    owner_id: article.owner_id,
    team_id: article.team_id,
    kind: 'feedback',
    detail: input.comment,
    feedback_id: feedbackId,
    created_at: input.now,
  });
  return { taskId };
}

// --- Demo content ------------------------------------------------------------------------------------------

/** One article file (`content/<slug>.md`): front matter and a Markdown body. */
export interface ArticleFile {
  slug: string;
  title: string;
  summary: string;
  audience: ArticleAudience;
  authority: string;
  team: string;
  services: string[];
  keywords: string;
  body: string;
}

const list = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Parses one article file; throws with the file's name on a missing field. */
export function parseArticleFile(slug: string, text: string): ArticleFile {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(text);
  if (!match) throw new Error(`${slug}.md: no front matter`);
  const fields: Record<string, string> = {};
  for (const line of match[1].split(/\r?\n/)) {
    const field = /^([a-z]+):\s*(.*?)\s*(?:#.*)?$/.exec(line);
    if (field) fields[field[1]] = field[2];
  }
  for (const name of ['title', 'summary', 'audience', 'authority', 'team'])
    if (!fields[name]) throw new Error(`${slug}.md: no ${name}`);
  if (fields.audience !== 'public' && fields.audience !== 'internal')
    throw new Error(`${slug}.md: audience must be public or internal`);
  return {
    slug,
    title: fields.title,
    summary: fields.summary,
    audience: fields.audience,
    authority: fields.authority,
    team: fields.team,
    services: list(fields.services),
    keywords: list(fields.keywords).join(', '),
    body: match[2].trim(),
  };
}

/**
 * Seeds article files as published articles (idempotent: an article whose slug exists is left alone).
 * `authorityCode` and `serviceSlug` map the files' codes to a (possibly namespaced) demo area; the owner is
 * a member of the team (its leader first), and the publisher the same person (demo content).
 */
export async function seedArticles(
  db: Db,
  files: readonly ArticleFile[],
  options: {
    now: Date;
    authorityCode?: (code: string) => string;
    serviceSlug?: (slug: string) => string;
    articleSlug?: (slug: string) => string;
  },
): Promise<{ created: number; skipped: string[] }> {
  let created = 0;
  const skipped: string[] = [];
  for (const file of files) {
    const slug = options.articleSlug ? options.articleSlug(file.slug) : file.slug;
    if (await repo.slugTaken(db, slug)) continue;
    const authority = await repo.authorityByCode(
      db,
      options.authorityCode?.(file.authority) ?? file.authority,
    );
    const team = authority ? await repo.teamByCode(db, authority.id, file.team) : undefined;
    const owner = team ? (await repo.teamMembers(db, team.id))[0] : undefined;
    if (!authority || !team || !owner) {
      skipped.push(file.slug);
      continue;
    }
    const services = await repo.servicesBySlug(
      db,
      file.services.map((s) => options.serviceSlug?.(s) ?? s),
    );
    await db.transaction().execute(async (trx) => {
      const article = await createDraft(trx, {
        authorityId: authority.id,
        slug,
        title: file.title,
        summary: file.summary,
        body: file.body,
        keywords: file.keywords,
        audience: file.audience,
        teamId: team.id,
        ownerId: owner.id,
        services: services.map((s) => s.id),
        changeNote: 'First version',
        secondPublisher: false,
        reviewOn: null,
        validFrom: null,
        validTo: null,
        staffId: owner.id,
        now: options.now,
      });
      await publish(trx, article.id, { staffId: owner.id, now: options.now });
    });
    created++;
  }
  return { created, skipped };
}

// --- Comparing versions ------------------------------------------------------------------------------------

export interface DiffLine {
  kind: 'same' | 'added' | 'removed';
  text: string;
}

/** A line diff (longest common subsequence): what version `to` removed from and added to `from`. */
export function diffLines(from: string, to: string): DiffLine[] {
  const a = from.replace(/\r\n?/g, '\n').split('\n');
  const b = to.replace(/\r\n?/g, '\n').split('\n');
  if (a.length * b.length > 4_000_000)
    return [
      ...a.map((text) => ({ kind: 'removed' as const, text })),
      ...b.map((text) => ({ kind: 'added' as const, text })),
    ];
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push({ kind: 'same', text: a[i] });
      i++;
      j++;
    } else if (lcs[i + 1][j] >= lcs[i][j + 1]) out.push({ kind: 'removed', text: a[i++] });
    else out.push({ kind: 'added', text: b[j++] });
  }
  while (i < a.length) out.push({ kind: 'removed', text: a[i++] });
  while (j < b.length) out.push({ kind: 'added', text: b[j++] });
  return out;
}
