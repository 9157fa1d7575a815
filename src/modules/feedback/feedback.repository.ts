/**
 * SQL of the feedback module: feedback_requests, feedback, follow_ups, compliments, improvements (owned
 * here), and the reads it needs on cases, interactions, teams and services.
 */
import { sql } from 'kysely';
import {
  casesWithoutRecord,
  type Db,
  type NewRow,
  type RowUpdate,
  type Tx,
} from '../../platform/db/index.ts';

type Q = Db | Tx;

/**
 * Cases closed in the window that have not had a feedback request (oldest first): with a customer, or a
 * guest's case with the email address or phone number they gave.
 */
export function recentlyClosedCases(db: Q, since: Date, until: Date, limit: number) {
  return db
    .selectFrom('cases as c')
    .innerJoin('services as s', 's.id', 'c.service_id')
    .leftJoin('feedback_requests as r', 'r.case_id', 'c.id')
    .select([
      'c.id',
      'c.authority_id',
      'c.customer_id',
      'c.guest_email',
      'c.guest_phone',
      'c.reference',
      'c.team_id',
      'c.service_id',
      'c.origin_channel',
      'c.closed_at',
      's.name as service_name',
    ])
    .where('c.closed_at', 'is not', null)
    .where((eb) =>
      eb.or([
        eb('c.customer_id', 'is not', null),
        eb('c.guest_email', 'is not', null),
        eb('c.guest_phone', 'is not', null),
      ]),
    )
    .where('c.closed_at', '>', since)
    .where('c.closed_at', '<=', until)
    .where('r.id', 'is', null)
    .orderBy('c.closed_at')
    .limit(limit)
    .execute();
}

/** Contacts logged as resolved (no case) in the window that have not had a feedback request. */
export function recentlyResolvedContacts(db: Q, since: Date, until: Date, limit: number) {
  return db
    .selectFrom('interactions as i')
    .leftJoin('services as s', 's.id', 'i.service_id')
    .leftJoin('feedback_requests as r', 'r.interaction_id', 'i.id')
    .select([
      'i.id',
      'i.authority_id',
      'i.customer_id',
      'i.service_id',
      'i.channel',
      'i.occurred_at',
      'i.created_at',
      's.team_id',
      's.name as service_name',
    ])
    .where('i.resolved_at_first_contact', '=', true)
    .where('i.customer_id', 'is not', null)
    .where('i.case_id', 'is', null)
    .where('i.created_at', '>', since)
    .where('i.created_at', '<=', until)
    .where('r.id', 'is', null)
    .orderBy('i.created_at')
    .limit(limit)
    .execute();
}

/**
 * Serialises feedback requests to one person (PostgreSQL advisory lock, released at commit): a customer id,
 * or a guest's contact key. Keys are locked in sorted order, so two guests sharing one contact never deadlock.
 */
export async function lockFeedbackKeys(trx: Tx, keys: string[]): Promise<void> {
  for (const key of [...keys].sort())
    await sql`select pg_advisory_xact_lock(hashtext(${`feedback:${key}`}))`.execute(trx);
}

export async function lastRequestAt(db: Q, customerId: string): Promise<Date | null> {
  const row = await db
    .selectFrom('feedback_requests')
    .select('created_at')
    .where('customer_id', '=', customerId)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.created_at ?? null;
}

/** When a guest was last asked on any of these contacts (keys of their email address and phone number). */
export async function lastGuestRequestAt(
  db: Q,
  keys: { email: string | null; phone: string | null },
): Promise<Date | null> {
  if (!keys.email && !keys.phone) return null;
  const row = await db
    .selectFrom('feedback_requests')
    .select('created_at')
    .where((eb) =>
      eb.or([
        ...(keys.email ? [eb('guest_email_key', '=', keys.email)] : []),
        ...(keys.phone ? [eb('guest_phone_key', '=', keys.phone)] : []),
      ]),
    )
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.created_at ?? null;
}

export async function insertRequest(trx: Tx, row: NewRow<'feedback_requests'>): Promise<string | null> {
  const inserted = await trx
    .insertInto('feedback_requests')
    .values(row)
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted?.id ?? null;
}

export function requestByTokenHash(db: Q, hash: string) {
  return db
    .selectFrom('feedback_requests as r')
    .leftJoin('cases as c', 'c.id', 'r.case_id')
    .leftJoin('services as s', 's.id', 'r.service_id')
    .select([
      'r.id',
      'r.authority_id',
      'r.customer_id',
      'r.case_id',
      'r.interaction_id',
      'r.service_id',
      'r.team_id',
      'r.channel',
      'r.expires_at',
      'r.responded_at',
      'c.reference',
      's.name as service_name',
    ])
    .where('r.token_hash', '=', hash)
    .executeTakeFirst();
}

export function lockRequest(trx: Tx, id: string) {
  return trx
    .selectFrom('feedback_requests')
    .select(['id', 'responded_at'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export async function markResponded(trx: Tx, id: string, at: Date): Promise<void> {
  await trx.updateTable('feedback_requests').set({ responded_at: at }).where('id', '=', id).execute();
}

export async function insertFeedback(db: Q, row: NewRow<'feedback'>): Promise<string> {
  const { id } = await db.insertInto('feedback').values(row).returning('id').executeTakeFirstOrThrow();
  return id;
}

export async function insertFollowUp(trx: Tx, row: NewRow<'follow_ups'>): Promise<void> {
  await trx
    .insertInto('follow_ups')
    .values(row)
    .onConflict((oc) => oc.column('feedback_id').doNothing())
    .execute();
}

export function feedbackOfTeam(db: Q, teamId: string, since: Date) {
  return db
    .selectFrom('feedback as f')
    .leftJoin('cases as c', 'c.id', 'f.case_id')
    .leftJoin('services as s', 's.id', 'f.service_id')
    .select([
      'f.id',
      'f.satisfaction',
      'f.effort',
      'f.comment',
      'f.channel',
      'f.created_at',
      'c.reference',
      'c.id as case_id',
      's.name as service_name',
    ])
    .where('f.team_id', '=', teamId)
    .where('f.kind', '=', 'contact')
    .where('f.created_at', '>=', since)
    .orderBy('f.created_at', 'desc')
    .limit(200)
    .execute();
}

export function followUpsOfTeam(db: Q, teamId: string, status: 'open' | 'done') {
  return db
    .selectFrom('follow_ups as u')
    .innerJoin('feedback as f', 'f.id', 'u.feedback_id')
    .leftJoin('cases as c', 'c.id', 'u.case_id')
    .leftJoin('staff_users as d', 'd.id', 'u.done_by')
    .select([
      'u.id',
      'u.reason',
      'u.status',
      'u.note',
      'u.created_at',
      'u.done_at',
      'f.satisfaction',
      'f.effort',
      'f.comment',
      'c.reference',
      'd.display_name as done_by_name',
    ])
    .where('u.team_id', '=', teamId)
    .where('u.status', '=', status)
    .orderBy('u.created_at', status === 'open' ? 'asc' : 'desc')
    .limit(200)
    .execute();
}

export async function completeFollowUp(
  db: Q,
  id: string,
  teamId: string,
  values: { by: string; at: Date; note: string | null },
): Promise<boolean> {
  const result = await db
    .updateTable('follow_ups')
    .set({ status: 'done', done_by: values.by, done_at: values.at, note: values.note })
    .where('id', '=', id)
    .where('team_id', '=', teamId)
    .where('status', '=', 'open')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Serialises adoption of one case (advisory lock, released at commit) and says whether it is still unadopted. */
export async function lockComplimentCase(trx: Tx, caseId: string): Promise<boolean> {
  await sql`select pg_advisory_xact_lock(hashtext(${`compliment-case:${caseId}`}))`.execute(trx);
  const row = await trx
    .selectFrom('compliments')
    .select('id')
    .where('case_id', '=', caseId)
    .executeTakeFirst();
  return row === undefined;
}

export async function insertCompliment(db: Q, row: NewRow<'compliments'>): Promise<string> {
  const { id } = await db.insertInto('compliments').values(row).returning('id').executeTakeFirstOrThrow();
  return id;
}

export function complimentsOfTeam(db: Q, teamId: string, since: string) {
  return db
    .selectFrom('compliments as m')
    .leftJoin('services as s', 's.id', 'm.service_id')
    .leftJoin('cases as c', 'c.id', 'm.case_id')
    .select([
      'm.id',
      'm.kind',
      'm.body',
      'm.received_on',
      'm.channel',
      's.name as service_name',
      'c.reference',
    ])
    .where('m.team_id', '=', teamId)
    .where('m.received_on', '>=', since)
    .orderBy('m.received_on', 'desc')
    .limit(200)
    .execute();
}

export async function routeCompliment(
  db: Q,
  id: string,
  fromTeamId: string,
  toTeamId: string,
): Promise<boolean> {
  const result = await db
    .updateTable('compliments')
    .set({ team_id: toTeamId })
    .where('id', '=', id)
    .where('team_id', '=', fromTeamId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** "Give a compliment" cases (forms engine) that have no compliment record yet. */
export function unadoptedComplimentCases(db: Q, limit: number) {
  return casesWithoutRecord(db, { table: 'compliments', kinds: ['compliment'], openOnly: false, limit });
}

// ---- "You said, we did"

export async function insertImprovement(db: Q, row: NewRow<'improvements'>): Promise<string> {
  const { id } = await db.insertInto('improvements').values(row).returning('id').executeTakeFirstOrThrow();
  return id;
}

export function publishedImprovements(db: Q, filter: { authorityIds?: string[]; limit: number }) {
  let query = db
    .selectFrom('improvements as i')
    .innerJoin('authorities as a', 'a.id', 'i.authority_id')
    .leftJoin('teams as t', 't.id', 'i.team_id')
    .leftJoin('services as s', 's.id', 'i.service_id')
    .select([
      'i.id',
      'i.you_said',
      'i.we_did',
      'i.published_on',
      'a.name as authority_name',
      't.name as team_name',
      's.name as service_name',
    ])
    .where('i.withdrawn_at', 'is', null);
  if (filter.authorityIds) query = query.where('i.authority_id', 'in', filter.authorityIds);
  return query
    .orderBy('i.published_on', 'desc')
    .orderBy('i.created_at', 'desc')
    .limit(filter.limit)
    .execute();
}

export async function withdrawImprovement(
  db: Q,
  id: string,
  authorityIds: string[],
  at: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('improvements')
    .set({ withdrawn_at: at })
    .where('id', '=', id)
    .where('authority_id', 'in', authorityIds)
    .where('withdrawn_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

// ---- reports

export function teamSummary(db: Q, filter: { teamIds: string[]; since: Date; until: Date }) {
  return db
    .selectFrom('feedback')
    .select((eb) => [
      'team_id',
      eb.fn.countAll<number>().as('responses'),
      sql<string | null>`round(avg(satisfaction)::numeric, 1)`.as('satisfaction'),
      sql<string | null>`round(avg(effort)::numeric, 1)`.as('effort'),
      sql<number>`count(*) filter (where satisfaction >= 4)`.as('satisfied'),
      sql<number>`count(*) filter (where satisfaction is not null)`.as('rated'),
    ])
    .where('kind', '=', 'contact')
    .where('team_id', 'in', filter.teamIds)
    .where('created_at', '>=', filter.since)
    .where('created_at', '<=', filter.until)
    .groupBy('team_id')
    .execute();
}

export function complimentCounts(db: Q, filter: { teamIds: string[]; from: string; to: string }) {
  return db
    .selectFrom('compliments')
    .select((eb) => [
      'team_id',
      sql<number>`count(*) filter (where kind = 'compliment')`.as('compliments'),
      sql<number>`count(*) filter (where kind = 'comment')`.as('comments'),
      eb.fn.countAll<number>().as('total'),
    ])
    .where('team_id', 'in', filter.teamIds)
    .where('received_on', '>=', filter.from)
    .where('received_on', '<=', filter.to)
    .groupBy('team_id')
    .execute();
}

export function openFollowUpCounts(db: Q, teamIds: string[]) {
  return db
    .selectFrom('follow_ups')
    .select((eb) => ['team_id', eb.fn.countAll<number>().as('open')])
    .where('team_id', 'in', teamIds)
    .where('status', '=', 'open')
    .groupBy('team_id')
    .execute();
}

export function pageFeedbackSummary(db: Q, since: Date, until: Date) {
  return db
    .selectFrom('feedback')
    .select([
      'page_path',
      sql<number>`count(*) filter (where helpful)`.as('yes'),
      sql<number>`count(*) filter (where not helpful)`.as('no'),
    ])
    .where('kind', '=', 'page')
    .where('created_at', '>=', since)
    .where('created_at', '<=', until)
    .groupBy('page_path')
    .orderBy(sql`count(*) filter (where not helpful)`, 'desc')
    .limit(50)
    .execute();
}

export type Update = RowUpdate<'feedback'>;
