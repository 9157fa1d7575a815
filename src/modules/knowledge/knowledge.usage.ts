/**
 * Staff use of the knowledge base (issue 15, items 3 and 4):
 * - answers to insert into a reply (`??bin` or the "Insert answer" button): published articles, public and
 *   internal, as plain text plus the public link of a public article;
 * - recording, when the reply is sent, each article inserted in `article_uses` ("answered with article X vN");
 * - the review job: the owner is reminded once when the review date passes, the owning team's leaders once
 *   more 10 working days later when nobody has reviewed it;
 * - the content owners' dashboard figures.
 */
import {
  addCalendarDays,
  toIsoDate,
  type IsoDate,
  type WorkingDayCalendar,
} from '../../platform/calendar/index.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Db, Tx } from '../../platform/db/index.ts';
import { authorityScope, type StaffPrincipal } from '../identity/index.ts';
import { notifyStaff } from '../../platform/realtime/index.ts';
import { markdownToText } from './knowledge.markdown.ts';
import { searchArticles } from './knowledge.service.ts';
import * as repo from './knowledge.usage.repository.ts';

type Conn = Db | Tx;

/** An article ready to insert into a reply. `ref` is what the reply form carries: `<id>:<version>`. */
export interface InsertableAnswer {
  id: string;
  version: number;
  ref: string;
  title: string;
  audience: 'public' | 'internal';
  text: string;
}

const toAnswer = (
  a: Awaited<ReturnType<typeof repo.insertableArticles>>[number],
  publicUrl: string | undefined,
): InsertableAnswer => {
  const link = a.audience === 'public' ? `\n\n${(publicUrl ?? '').replace(/\/$/, '')}/help/${a.slug}` : '';
  return {
    id: a.id,
    version: a.published_version ?? 1,
    ref: `${a.id}:${a.published_version ?? 1}`,
    title: a.title,
    audience: a.audience,
    text: `${markdownToText(a.body).trim()}${link}`,
  };
};

/** Articles matching what the agent typed (public and internal, within these councils), best first. */
export async function findAnswers(
  db: Conn,
  input: { query: string; authorityIds: readonly string[]; now: Date; publicUrl?: string; limit?: number },
): Promise<InsertableAnswer[]> {
  const hits = await searchArticles(db, {
    query: input.query,
    audience: 'all',
    now: input.now,
    authorityIds: input.authorityIds,
    limit: input.limit ?? 6,
  });
  const rows = await repo.insertableArticles(db, { slugs: hits.map((h) => h.slug) }, input.authorityIds);
  const bySlug = new Map(rows.map((r) => [r.slug, r]));
  return hits.flatMap((h) => {
    const row = bySlug.get(h.slug);
    return row ? [toAnswer(row, input.publicUrl)] : [];
  });
}

/** One article to insert, by id (the "Insert" button of the no-JavaScript flow). */
export async function answerById(
  db: Conn,
  input: { id: string; authorityIds: readonly string[]; publicUrl?: string },
): Promise<InsertableAnswer | null> {
  if (!UUID.test(input.id)) return null;
  const [row] = await repo.insertableArticles(db, { ids: [input.id] }, input.authorityIds);
  return row ? toAnswer(row, input.publicUrl) : null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The `<id>:<version>` refs a reply form carried, well-formed and without repeats (at most 20). */
export function parseArticleRefs(raw: unknown): { id: string; version: number }[] {
  const values = Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : [];
  const seen = new Set<string>();
  const refs: { id: string; version: number }[] = [];
  for (const value of values) {
    if (typeof value !== 'string') continue;
    const match = /^([0-9a-f-]{36}):([1-9]\d{0,5})$/i.exec(value.trim());
    if (!match || !UUID.test(match[1]) || seen.has(value)) continue;
    seen.add(value);
    refs.push({ id: match[1].toLowerCase(), version: Number(match[2]) });
    if (refs.length === 20) break;
  }
  return refs;
}

/**
 * Records that a reply just sent used these articles (`article_uses`), in the reply's transaction. Refs of
 * unknown articles, other councils' or versions that do not exist are ignored. Returns what was recorded
 * (for the case timeline: "Answered with article <title> v<N>").
 */
export async function recordArticleUses(
  trx: Conn,
  input: {
    refs: readonly { id: string; version: number }[];
    caseId: string | null;
    interactionId?: string | null;
    channel: string;
    staffId: string;
    authorityIds: readonly string[];
    now: Date;
  },
): Promise<{ id: string; version: number; title: string }[]> {
  if (input.refs.length === 0) return [];
  const titles = await repo.versionTitles(
    trx,
    input.refs.map((r) => r.id),
    input.authorityIds,
  );
  const titleOf = new Map(titles.map((t) => [`${t.id}:${t.number}`, t.title]));
  const recorded: { id: string; version: number; title: string }[] = [];
  for (const ref of input.refs) {
    const title = titleOf.get(`${ref.id}:${ref.version}`);
    if (!title) continue;
    await repo.insertUse(trx, {
      article_id: ref.id,
      version: ref.version,
      case_id: input.caseId,
      interaction_id: input.interactionId ?? null,
      channel: input.channel,
      used_by: input.staffId,
      used_at: input.now,
    });
    recorded.push({ ...ref, title });
  }
  return recorded;
}

export const articleUsesOfCase = repo.usesOfCase;

/**
 * The reply box's view of the knowledge base (given to the cases module by app.ts, and later to email and
 * chat): search, one answer by id, and recording the answers of a reply when it is sent.
 */
export function phoneScriptsFor(deps: { db: Db; clock: Clock }) {
  return (staff: StaffPrincipal, call: { queueId: string | null; customerId: string | null }) =>
    phoneScripts(deps.db, { ...call, authorityIds: authorityScope(staff), now: deps.clock.now() });
}

export function replyAnswersFor(deps: { db: Db; clock: Clock; publicUrl?: string }) {
  return {
    find: (staff: StaffPrincipal, query: string) =>
      findAnswers(deps.db, {
        query,
        authorityIds: authorityScope(staff),
        now: deps.clock.now(),
        publicUrl: deps.publicUrl,
      }),
    byId: (staff: StaffPrincipal, id: string) =>
      answerById(deps.db, { id, authorityIds: authorityScope(staff), publicUrl: deps.publicUrl }),
    recordUses: (
      trx: Tx,
      input: { refs: unknown; caseId: string; channel: string; staff: StaffPrincipal; now: Date },
    ) =>
      recordArticleUses(trx, {
        refs: parseArticleRefs(input.refs),
        caseId: input.caseId,
        channel: input.channel,
        staffId: input.staff.id,
        authorityIds: authorityScope(input.staff),
        now: input.now,
      }),
  };
}

// --- Review reminders ----------------------------------------------------------------------------------------

/** Working days after the owner's reminder before the team's leaders are told. */
export const ESCALATE_AFTER_WORKING_DAYS = 10;

/**
 * Reminds owners of articles past their review date (once: a `review` task and a staff notification) and,
 * 10 working days after that reminder with the article still not reviewed, the owning team's leaders (once:
 * a `review_escalated` task each and a notification). Idempotent; safe to run on several workers.
 */
export async function remindReviews(
  db: Db,
  input: { now: Date; calendar: WorkingDayCalendar },
): Promise<{ reminded: number; escalated: number }> {
  const today = toIsoDate(input.now);
  let reminded = 0;
  for (const a of await repo.reviewsDue(db, today, { kind: 'reminder' })) {
    if (!(await repo.claimReviewStep(db, a.id, 'reviewed_reminded_at', input.now))) continue;
    reminded++;
    const detail = `Review was due on ${a.review_on}`;
    await repo.insertReviewTask(db, {
      article_id: a.id,
      owner_id: a.owner_id,
      team_id: a.team_id,
      kind: 'review',
      detail,
      created_at: input.now,
    });
    if (a.owner_id)
      await notifyStaff(db, a.owner_id, {
        kind: 'knowledge_review',
        title: `Article to review: ${a.title}`,
        body: detail,
        href: `/staff/knowledge/${a.id}`,
      });
  }
  // Reminded on or before the day that is 10 working days before today.
  const remindedBy = endOfDay(workingDaysBefore(input.calendar, today, ESCALATE_AFTER_WORKING_DAYS));
  let escalated = 0;
  for (const a of await repo.reviewsDue(db, today, { kind: 'escalation', remindedBy })) {
    if (!(await repo.claimReviewStep(db, a.id, 'review_escalated_at', input.now))) continue;
    escalated++;
    const detail = `Not reviewed ${ESCALATE_AFTER_WORKING_DAYS} working days after the owner's reminder (review was due on ${a.review_on})`;
    for (const leader of await repo.teamLeaders(db, a.team_id)) {
      await repo.insertReviewTask(db, {
        article_id: a.id,
        owner_id: leader,
        team_id: a.team_id,
        kind: 'review_escalated',
        detail,
        created_at: input.now,
      });
      await notifyStaff(db, leader, {
        kind: 'knowledge_review_escalated',
        title: `Article overdue for review: ${a.title}`,
        body: detail,
        href: `/staff/knowledge/${a.id}`,
      });
    }
  }
  return { reminded, escalated };
}

function workingDaysBefore(calendar: WorkingDayCalendar, today: IsoDate, n: number): IsoDate {
  let day = today;
  for (let i = 0; i < n; i++) day = calendar.previousWorkingDay(day);
  return day;
}
const endOfDay = (day: IsoDate) => new Date(`${addCalendarDays(day, 1)}T00:00:00Z`);

// --- Dashboard ---------------------------------------------------------------------------------------------

export async function dashboardFigures(
  db: Conn,
  input: { authorityIds: readonly string[]; now: Date; days?: number },
) {
  const since = new Date(input.now.getTime() - (input.days ?? 90) * 86_400_000);
  const ids = input.authorityIds;
  if (ids.length === 0)
    return { mostViewed: [], mostInserted: [], mostNotHelpful: [], overdue: [], misses: [], since };
  const [mostViewed, mostInserted, mostNotHelpful, overdue, misses] = await Promise.all([
    repo.mostViewed(db, ids, 10),
    repo.mostInserted(db, ids, since, 10),
    repo.mostNotHelpful(db, ids, since, 10),
    repo.overdueReviews(db, ids, toIsoDate(input.now), 50),
    repo.searchMisses(db, since, 20),
  ]);
  return { mostViewed, mostInserted, mostNotHelpful, overdue, misses, since };
}

// --- Phone scripts -------------------------------------------------------------------------------------------

/**
 * Internal articles an agent needs beside a call: those linked to the call's queue service or to the
 * customer's open cases' services; when there are none, internal articles found by "phone script".
 */
export async function phoneScripts(
  db: Conn,
  input: { queueId: string | null; customerId: string | null; authorityIds: readonly string[]; now: Date },
): Promise<{ title: string; summary: string; href: string }[]> {
  let rows = await repo.internalArticlesForCall(db, input);
  if (rows.length === 0) {
    const hits = await searchArticles(db, {
      query: 'phone script',
      audience: 'all',
      now: input.now,
      authorityIds: input.authorityIds,
      limit: 10,
    });
    const found = await repo.internalArticlesBySlugs(
      db,
      hits.filter((h) => h.audience === 'internal').map((h) => h.slug),
    );
    const rank = new Map(hits.map((h, i) => [h.slug, i]));
    rows = found.sort((a, b) => (rank.get(a.slug) ?? 0) - (rank.get(b.slug) ?? 0));
  }
  return rows.map((r) => ({ title: r.title, summary: r.summary, href: `/staff/knowledge/${r.id}` }));
}
