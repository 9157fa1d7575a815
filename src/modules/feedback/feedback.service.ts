/**
 * Feedback use-cases: asking residents how we did after a case closes or a contact is resolved (at most
 * once a fortnight per person, on their preferred channel, through a private link), recording the answer
 * and opening a follow-up on a low score, "Was this page helpful?", compliments and comments routed to the
 * team concerned, and "You said, we did". No request/reply and no SQL here.
 */
import { createHash, randomBytes } from 'node:crypto';
import { audit } from '../../platform/audit/index.ts';
import { addCalendarDays, isIsoDate, toIsoDate, type IsoDate } from '../../platform/calendar/index.ts';
import { adoptEach, auditStaffChange, cleanText as clean } from '../../platform/commands/index.ts';
import { normaliseEmail, normalisePhone } from '../../platform/contact/index.ts';
import { withTransaction, type Db, type Tx } from '../../platform/db/index.ts';
import { ConflictError, DomainRuleError, NotFoundError } from '../../platform/http/errors.ts';
import { formatDate } from '../../platform/views/index.ts';
import { findTeam as findTeamRow, teamPicker } from '../authorities/index.ts';
import { caseSummary, caseSummaryByReference } from '../cases/index.ts';
import { queueMessage } from '../notifications/index.ts';
import { servicePicker } from '../services/index.ts';
import * as repo from './feedback.repository.ts';

/** A resident is asked for feedback at most once in this many days. */
export const FEEDBACK_INTERVAL_DAYS = 14;
/** Feedback links work for this long. */
export const FEEDBACK_LINK_DAYS = 30;
/** A satisfaction or ease score at or below this opens a follow-up for the team. */
export const LOW_SCORE = 2;

const DAY = 86_400_000;
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

// ---------------------------------------------------------------------------------------------------
// Asking for feedback

export interface FeedbackScanOptions {
  now: Date;
  /** Absolute base URL for the link (config.publicUrl). */
  publicUrl?: string;
  /** How far back to look for closed cases and resolved contacts. Default 72 hours. */
  lookbackHours?: number;
  limit?: number;
}

interface Candidate {
  authorityId: string;
  customerId: string | null;
  /** A guest's contact (no customer record): where to ask, and the keys the fortnight rule counts by. */
  guest: {
    email: string | null;
    phone: string | null;
    emailKey: string | null;
    phoneKey: string | null;
  } | null;
  caseId: string | null;
  interactionId: string | null;
  serviceId: string | null;
  teamId: string | null;
  channel: string;
  reference: string;
  what: string;
  at: Date;
}

/** A guest's contact for feedback, or null when they gave none we could use. */
function guestContact(email: string | null, phone: string | null): Candidate['guest'] {
  const e = normaliseEmail(email);
  const p = normalisePhone(phone);
  if (!e && !p) return null;
  return {
    email: e,
    phone: p,
    emailKey: e ? hashToken(`email:${e}`) : null,
    phoneKey: p ? hashToken(`phone:${p}`) : null,
  };
}

/**
 * Asks residents for feedback after a case closed or a contact was resolved in the last few days: a private
 * link by their preferred channel, at most once every 14 days per person (later contacts in that time are
 * not asked about). A guest (no customer record) is asked about their closed request on the email address or
 * phone number they gave (the channel they chose on the form), at most once every 14 days per contact. Safe to run from several workers at once. Returns how many were asked and skipped.
 */
export async function requestFeedbackAfterContacts(
  db: Db,
  options: FeedbackScanOptions,
): Promise<{ requested: number; skipped: number }> {
  const until = options.now;
  const since = new Date(until.getTime() - (options.lookbackHours ?? 72) * 3_600_000);
  const limit = options.limit ?? 500;
  const [cases, contacts] = await Promise.all([
    repo.recentlyClosedCases(db, since, until, limit),
    repo.recentlyResolvedContacts(db, since, until, limit),
  ]);
  const candidates: Candidate[] = [
    ...cases.map((c) => ({
      authorityId: c.authority_id,
      customerId: c.customer_id,
      guest: c.customer_id ? null : guestContact(c.guest_email, c.guest_phone),
      caseId: c.id,
      interactionId: null,
      serviceId: c.service_id,
      teamId: c.team_id,
      channel: c.origin_channel,
      reference: c.reference,
      what: `your request: ${c.service_name} (${c.reference})`,
      at: c.closed_at!,
    })),
    ...contacts.map((i) => ({
      authorityId: i.authority_id,
      customerId: i.customer_id!,
      guest: null,
      caseId: null,
      interactionId: i.id,
      serviceId: i.service_id,
      teamId: i.team_id,
      channel: i.channel,
      reference: `contact on ${formatDate(i.occurred_at)}`,
      what: `your contact with us on ${formatDate(i.occurred_at)}${i.service_name ? ` about ${i.service_name}` : ''}`,
      at: i.created_at,
    })),
  ].sort((a, b) => a.at.getTime() - b.at.getTime());

  let requested = 0;
  let skipped = 0;
  const base = (options.publicUrl ?? '').replace(/\/$/, '');
  for (const candidate of candidates) {
    const { customerId, guest } = candidate;
    if (!customerId && !guest) {
      skipped += 1;
      continue;
    }
    const keys = customerId
      ? [customerId]
      : [guest!.emailKey, guest!.phoneKey].filter((k): k is string => k !== null);
    const asked = await withTransaction(db, async (trx) => {
      await repo.lockFeedbackKeys(trx, keys);
      const last = customerId
        ? await repo.lastRequestAt(trx, customerId)
        : await repo.lastGuestRequestAt(trx, { email: guest!.emailKey, phone: guest!.phoneKey });
      if (last && options.now.getTime() - last.getTime() < FEEDBACK_INTERVAL_DAYS * DAY) return false;
      const token = randomBytes(24).toString('base64url');
      const id = await repo.insertRequest(trx, {
        authority_id: candidate.authorityId,
        customer_id: customerId,
        guest_email_key: guest?.emailKey ?? null,
        guest_phone_key: guest?.phoneKey ?? null,
        case_id: candidate.caseId,
        interaction_id: candidate.interactionId,
        service_id: candidate.serviceId,
        team_id: candidate.teamId,
        channel: candidate.channel,
        token_hash: hashToken(token),
        expires_at: new Date(options.now.getTime() + FEEDBACK_LINK_DAYS * DAY),
        created_at: options.now,
      });
      if (!id) return false;
      await queueMessage(trx, {
        authorityId: candidate.authorityId,
        customerId,
        caseId: candidate.caseId,
        channel: null,
        ...(guest ? { to: { email: guest.email, phone: guest.phone } } : {}),
        template: 'feedback.request',
        personalisation: {
          ...(candidate.caseId ? { reference: candidate.reference } : {}),
          what: candidate.what,
          link: `${base}/feedback/${token}`,
        },
        dedupeKey: `feedback.request:${id}`,
      });
      return true;
    });
    if (asked) requested += 1;
    else skipped += 1;
  }
  return { requested, skipped };
}

// ---------------------------------------------------------------------------------------------------
// Answers

export interface FeedbackLink {
  requestId: string;
  what: string;
  answered: boolean;
}

/** The request behind a feedback link, or null when the link is unknown or has expired. */
export async function feedbackLink(db: Db | Tx, token: string, now: Date): Promise<FeedbackLink | null> {
  if (!/^[A-Za-z0-9_-]{20,80}$/.test(token)) return null;
  const row = await repo.requestByTokenHash(db, hashToken(token));
  if (!row || row.expires_at.getTime() <= now.getTime()) return null;
  return {
    requestId: row.id,
    what: row.reference
      ? `your request ${row.reference}${row.service_name ? ` (${row.service_name})` : ''}`
      : `your recent contact${row.service_name ? ` about ${row.service_name}` : ''}`,
    answered: row.responded_at !== null,
  };
}

/**
 * Records the answer to a feedback link (once). A low score (satisfaction or ease of 2 or less) opens a
 * follow-up for the team concerned.
 */
export async function recordContactFeedback(
  db: Db,
  token: string,
  input: { satisfaction: number; effort: number; comment?: string | null; now: Date },
): Promise<{ followUp: boolean }> {
  const row = await repo.requestByTokenHash(db, hashToken(token));
  if (!row || row.expires_at.getTime() <= input.now.getTime())
    throw new NotFoundError('This feedback link has expired');
  return withTransaction(db, async (trx) => {
    const locked = await repo.lockRequest(trx, row.id);
    if (!locked || locked.responded_at) throw new ConflictError('You have already answered, thank you');
    const feedbackId = await repo.insertFeedback(trx, {
      authority_id: row.authority_id,
      kind: 'contact',
      request_id: row.id,
      customer_id: row.customer_id,
      case_id: row.case_id,
      interaction_id: row.interaction_id,
      service_id: row.service_id,
      team_id: row.team_id,
      channel: row.channel,
      satisfaction: input.satisfaction,
      effort: input.effort,
      comment: clean(input.comment),
      created_at: input.now,
    });
    await repo.markResponded(trx, row.id, input.now);
    const low = input.satisfaction <= LOW_SCORE || input.effort <= LOW_SCORE;
    if (low) {
      await repo.insertFollowUp(trx, {
        authority_id: row.authority_id,
        feedback_id: feedbackId,
        team_id: row.team_id,
        case_id: row.case_id,
        reason: `Low score: satisfaction ${input.satisfaction} of 5, ease ${input.effort} of 5`,
        created_at: input.now,
      });
    }
    await audit(trx, {
      actorType: row.customer_id ? 'customer' : 'anonymous',
      actorId: row.customer_id,
      authorityId: row.authority_id,
      action: 'feedback.given',
      recordType: 'feedback',
      recordId: feedbackId,
      details: { low },
      at: input.now,
    });
    return { followUp: low };
  });
}

/** "Was this page helpful?" from any portal page. */
export async function recordPageFeedback(
  db: Db,
  input: { helpful: boolean; comment?: string | null; path: string; customerId?: string | null; now: Date },
): Promise<void> {
  await repo.insertFeedback(db, {
    authority_id: null,
    kind: 'page',
    customer_id: input.customerId ?? null,
    page_path: input.path,
    helpful: input.helpful,
    comment: clean(input.comment),
    channel: 'web',
    created_at: input.now,
  });
}

// ---------------------------------------------------------------------------------------------------
// Follow-ups, compliments and comments

export async function completeFollowUp(
  db: Db,
  input: {
    id: string;
    teamId: string;
    staffId: string;
    note?: string | null;
    now: Date;
    authorityId: string;
  },
): Promise<void> {
  await withTransaction(db, async (trx) => {
    if (
      !(await repo.completeFollowUp(trx, input.id, input.teamId, {
        by: input.staffId,
        at: input.now,
        note: clean(input.note),
      }))
    )
      throw new ConflictError('That follow-up is already done');
    await auditStaffChange(
      trx,
      'follow_up',
      { id: input.id, authority_id: input.authorityId },
      input,
      'feedback.follow_up_done',
    );
  });
}

export interface NewCompliment {
  authorityId: string;
  kind: 'compliment' | 'comment';
  teamId: string;
  body: string;
  receivedOn: IsoDate;
  channel: string;
  serviceId?: string | null;
  customerId?: string | null;
  caseReference?: string | null;
  recordedBy: string | null;
  now: Date;
}

/** Records a compliment or comment, routed to the team concerned (and linked to a case when given). */
export async function recordCompliment(db: Db | Tx, input: NewCompliment): Promise<string> {
  const body = clean(input.body);
  if (!body) throw new DomainRuleError('Enter what they said');
  if (!isIsoDate(input.receivedOn) || input.receivedOn > toIsoDate(input.now))
    throw new DomainRuleError('The date received must be today or in the past');
  let caseId: string | null = null;
  let customerId = input.customerId ?? null;
  if (input.caseReference) {
    const found = await caseSummaryByReference(db, input.caseReference);
    if (!found) throw new DomainRuleError('Enter the reference of an existing request, like KX7P-3RMD');
    caseId = found.id;
    customerId ??= found.customerId;
  }
  const id = await repo.insertCompliment(db, {
    authority_id: input.authorityId,
    kind: input.kind,
    customer_id: customerId,
    case_id: caseId,
    service_id: input.serviceId ?? null,
    team_id: input.teamId,
    body,
    received_on: input.receivedOn,
    channel: input.channel,
    recorded_by: input.recordedBy,
    created_at: input.now,
  });
  await audit(db, {
    actorType: input.recordedBy ? 'staff' : 'system',
    actorId: input.recordedBy,
    authorityId: input.authorityId,
    action: `feedback.${input.kind}_recorded`,
    recordType: 'compliment',
    recordId: id,
    at: input.now,
  });
  return id;
}

/** Moves a compliment or comment to the team it is really about. */
export async function routeCompliment(
  db: Db,
  input: { id: string; fromTeamId: string; toTeamId: string },
): Promise<void> {
  if (!(await repo.routeCompliment(db, input.id, input.fromTeamId, input.toTeamId)))
    throw new NotFoundError('No such compliment');
}

/**
 * Gives a "Give a compliment" case (made through the forms engine) its compliment record, with the team of
 * the case; staff can pass it to the team it is about. Run by the `case.created` job; safe to run again and
 * from several processes: false when the case is not a compliment case without a record.
 */
export async function adoptComplimentCase(db: Db, caseId: string, options: { now: Date }): Promise<boolean> {
  return withTransaction(db, async (trx) => {
    const c = await caseSummary(trx, caseId);
    if (!c || c.service.kind !== 'compliment' || !(await repo.lockComplimentCase(trx, caseId))) return false;
    const answers = c.answers;
    const text = [
      answers.message,
      typeof answers.staffName === 'string' ? `Staff member: ${answers.staffName}` : null,
    ]
      .filter((v): v is string => typeof v === 'string' && v.trim() !== '')
      .join('\n\n');
    await repo.insertCompliment(trx, {
      authority_id: c.authorityId,
      kind: 'compliment',
      customer_id: c.customerId,
      case_id: c.id,
      team_id: c.teamId,
      body: text || 'See the case',
      received_on: toIsoDate(c.receivedAt),
      channel: c.originChannel,
      recorded_by: null,
      created_at: options.now,
    });
    return true;
  });
}

/**
 * The safety net behind the `case.created` job: adopts compliment cases that still have no compliment
 * record (made before the event existed, or written without `createCase`). Returns how many.
 */
export async function adoptComplimentCases(db: Db, options: { now: Date; limit?: number }): Promise<number> {
  return adoptEach(await repo.unadoptedComplimentCases(db, options.limit ?? 100), (id) =>
    adoptComplimentCase(db, id, options),
  );
}

// ---------------------------------------------------------------------------------------------------
// Team page and reports

export async function teamFeedback(db: Db | Tx, teamId: string, now: Date) {
  const since = new Date(now.getTime() - 90 * DAY);
  const [feedback, open, done, compliments, summary] = await Promise.all([
    repo.feedbackOfTeam(db, teamId, since),
    repo.followUpsOfTeam(db, teamId, 'open'),
    repo.followUpsOfTeam(db, teamId, 'done'),
    repo.complimentsOfTeam(db, teamId, addCalendarDays(toIsoDate(now), -365)),
    repo.teamSummary(db, { teamIds: [teamId], since, until: now }),
  ]);
  return {
    feedback,
    openFollowUps: open,
    doneFollowUps: done.slice(0, 20),
    compliments,
    summary: summary[0] ?? null,
  };
}

export interface FeedbackReportRow {
  teamId: string;
  teamName: string;
  responses: number;
  satisfaction: number | null;
  effort: number | null;
  /** Share of rated answers scoring 4 or 5, to one decimal place. */
  percentSatisfied: number | null;
  compliments: number;
  comments: number;
  openFollowUps: number;
}

/** Feedback, compliments and comments per team, for responses between two dates. */
export async function feedbackReport(
  db: Db | Tx,
  filter: { from: IsoDate; to: IsoDate; authorityIds: string[] },
) {
  const teams = await teamPicker(db, filter.authorityIds);
  const teamIds = teams.map((t) => t.id);
  if (teamIds.length === 0)
    return { teams: [] as FeedbackReportRow[], pages: [] as { path: string; yes: number; no: number }[] };
  const since = new Date(`${filter.from}T00:00:00Z`);
  const until = new Date(`${filter.to}T23:59:59.999Z`);
  const [summary, compliments, followUps, pages] = await Promise.all([
    repo.teamSummary(db, { teamIds, since, until }),
    repo.complimentCounts(db, { teamIds, from: filter.from, to: filter.to }),
    repo.openFollowUpCounts(db, teamIds),
    repo.pageFeedbackSummary(db, since, until),
  ]);
  const rows = teams
    .map((t) => {
      const s = summary.find((r) => r.team_id === t.id);
      const c = compliments.find((r) => r.team_id === t.id);
      const f = followUps.find((r) => r.team_id === t.id);
      const rated = Number(s?.rated ?? 0);
      return {
        teamId: t.id,
        teamName: t.name,
        responses: Number(s?.responses ?? 0),
        satisfaction: s?.satisfaction ? Number(s.satisfaction) : null,
        effort: s?.effort ? Number(s.effort) : null,
        percentSatisfied: rated ? Math.round((Number(s?.satisfied ?? 0) / rated) * 1000) / 10 : null,
        compliments: Number(c?.compliments ?? 0),
        comments: Number(c?.comments ?? 0),
        openFollowUps: Number(f?.open ?? 0),
      };
    })
    .filter((r) => r.responses + r.compliments + r.comments + r.openFollowUps > 0);
  return {
    teams: rows,
    pages: pages.map((p) => ({ path: p.page_path ?? '', yes: Number(p.yes), no: Number(p.no) })),
  };
}

// ---------------------------------------------------------------------------------------------------
// "You said, we did"

export async function publishImprovement(
  db: Db,
  input: {
    authorityId: string;
    youSaid: string;
    weDid: string;
    teamId?: string | null;
    serviceId?: string | null;
    publishedBy: string;
    now: Date;
  },
): Promise<string> {
  const youSaid = clean(input.youSaid);
  const weDid = clean(input.weDid);
  if (!youSaid || !weDid) throw new DomainRuleError('Enter what residents said and what we did');
  return withTransaction(db, async (trx) => {
    const id = await repo.insertImprovement(trx, {
      authority_id: input.authorityId,
      team_id: input.teamId ?? null,
      service_id: input.serviceId ?? null,
      you_said: youSaid,
      we_did: weDid,
      published_on: toIsoDate(input.now),
      published_by: input.publishedBy,
      created_at: input.now,
    });
    await auditStaffChange(
      trx,
      'improvement',
      { id, authority_id: input.authorityId },
      { staffId: input.publishedBy, now: input.now },
      'feedback.improvement_published',
    );
    return id;
  });
}

export async function withdrawImprovement(
  db: Db,
  input: { id: string; authorityIds: string[]; now: Date },
): Promise<void> {
  if (!(await repo.withdrawImprovement(db, input.id, input.authorityIds, input.now)))
    throw new NotFoundError('No such improvement');
}

export async function listImprovements(
  db: Db | Tx,
  filter: { authorityIds?: string[]; limit?: number } = {},
) {
  const rows = await repo.publishedImprovements(db, {
    authorityIds: filter.authorityIds,
    limit: filter.limit ?? 100,
  });
  return rows.map((r) => ({
    id: r.id,
    youSaid: r.you_said,
    weDid: r.we_did,
    publishedOn: r.published_on,
    authorityName: r.authority_name,
    teamName: r.team_name,
    serviceName: r.service_name,
  }));
}

/** The team and service pickers of feedback's staff pages. */
export async function teamsAndServices(db: Db | Tx, authorityIds: string[]) {
  const [teams, services] = await Promise.all([
    teamPicker(db, authorityIds),
    servicePicker(db, authorityIds),
  ]);
  return { teams, services };
}

export async function findTeam(db: Db | Tx, teamId: string) {
  return (await findTeamRow(db, teamId)) ?? null;
}
