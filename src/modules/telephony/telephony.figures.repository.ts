/**
 * All SQL behind the contact-centre figures and the wallboard: aggregates over `calls` (by the
 * `calls_offered_idx` range on authority and arrival time), their wrap-ups in `interactions` and the
 * `callbacks` table, grouped in the database with GROUPING SETS (whole period, queue, hour, day) so a long
 * period is never walked row by row in JavaScript. Read only. "Did the caller ask for a callback?" is an
 * `in (subquery)` that PostgreSQL hashes once per query (there is no index on `callbacks.origin_call_id`);
 * the repeat-contact check for first contact resolution uses `interactions_customer_service_idx`.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../platform/db/index.ts';
import { ZERO_COUNTS, type CallCounts, type FigureSettings } from './telephony.figures.ts';

/** Which grouping a row of counts belongs to. */
export type GroupKind = 'total' | 'queue' | 'hour' | 'day';

export interface CountsRow {
  kind: GroupKind;
  /** Queue code (null: calls that never reached a queue, or callbacks not asked for from a call). */
  queueCode: string | null;
  queueName: string | null;
  hour: number | null;
  day: string | null;
  counts: Partial<CallCounts>;
}

export interface FigureScope {
  authorityIds: string[];
  start: Date;
  end: Date;
  queueCode?: string | null;
}

const inList = (ids: string[]): RawBuilder<unknown> => sql`(${sql.join(ids.map((id) => sql`${id}::uuid`))})`;

// grouping(qcode, hr, dy): 7 = the whole period, 3 = by queue, 5 = by hour, 6 = by day.
const KIND: Record<number, GroupKind> = { 7: 'total', 3: 'queue', 5: 'hour', 6: 'day' };

interface RawGroup {
  g: number;
  qcode: string | null;
  qname: string | null;
  hour: number | null;
  day: string | null;
}

function rowOf(raw: RawGroup, counts: Partial<CallCounts>): CountsRow {
  return {
    kind: KIND[raw.g] ?? 'total',
    queueCode: raw.qcode,
    queueName: raw.qname,
    hour: raw.hour,
    day: raw.day,
    counts,
  };
}

/**
 * Counts inbound calls that arrived in [start, end), classified once per call (see telephony.figures.ts
 * for the definitions), for the whole period and by queue, hour and day (Europe/London).
 */
export async function callCounts(db: Db, scope: FigureScope, s: FigureSettings): Promise<CountsRow[]> {
  if (scope.authorityIds.length === 0) return [];
  const queueFilter = scope.queueCode ? sql`and coalesce(q.code, c.queue_code) = ${scope.queueCode}` : sql``;
  const result = await sql<RawGroup & Record<keyof CallCounts, number>>`
    with c as (
      select c.id, c.blocked, c.queued_at, c.answered_at, c.ended_at, c.hangup_cause, c.ivr_no_option,
        coalesce(q.code, c.queue_code) as qcode, q.name as qname,
        extract(hour from c.offered_at at time zone 'Europe/London')::int as hr,
        to_char(c.offered_at at time zone 'Europe/London', 'YYYY-MM-DD') as dy,
        extract(epoch from c.answered_at - c.queued_at)::float8 as answer_wait,
        case
          when c.blocked then 'blocked'
          when c.answered_at is not null then 'answered'
          when c.queued_at is null then case when c.ended_at is not null then 'ivr' else 'menu' end
          when c.id in (select cb.origin_call_id from callbacks cb
            where cb.origin_call_id is not null and cb.authority_id in ${inList(scope.authorityIds)}) then 'callback'
          when c.ended_at is null then 'waiting'
          when c.hangup_cause in ('voicemail', 'forwarded') then 'voicemail'
          when extract(epoch from c.ended_at - c.queued_at) < ${s.shortAbandonSeconds} then 'short'
          else 'abandoned'
        end as cls,
        case when c.answered_at is not null and c.ended_at is not null then
          extract(epoch from c.ended_at - c.answered_at)::float8
          + case when i.wrapped_up_at >= c.ended_at
                   and i.wrapped_up_at <= c.ended_at + make_interval(mins => ${s.afterCallWorkMaxMinutes})
                 then extract(epoch from i.wrapped_up_at - c.ended_at)::float8 else 0 end
        end as handle_seconds,
        (c.answered_at is not null and i.wrapped_up_at is not null) as wrapped,
        (c.answered_at is not null and i.wrapped_up_at is not null and i.failure_demand is not null) as failure,
        (c.answered_at is not null and i.wrapped_up_at is not null and i.resolved_at_first_contact
          and (i.customer_id is null or not exists (
            select 1 from interactions j
            where j.customer_id = i.customer_id and j.id <> i.id
              and j.occurred_at > coalesce(c.ended_at, c.answered_at)
              and j.occurred_at <= coalesce(c.ended_at, c.answered_at) + make_interval(days => ${s.repeatWithinDays})
              and (i.service_id is null or j.service_id = i.service_id)
          ))) as fcr
      from calls c
      left join phone_queues q on q.id = c.queue_id
      left join interactions i on i.id = c.interaction_id
      where c.authority_id in ${inList(scope.authorityIds)}
        and c.direction = 'inbound'
        and c.offered_at >= ${scope.start} and c.offered_at < ${scope.end}
        ${queueFilter}
    )
    select grouping(qcode, hr, dy)::int as g, qcode, max(qname) as qname, hr as hour, dy as day,
      count(*) filter (where cls <> 'blocked')::int as "received",
      count(*) filter (where cls = 'blocked')::int as "blocked",
      count(*) filter (where cls = 'ivr')::int as "ivrAbandoned",
      count(*) filter (where cls <> 'blocked' and ivr_no_option)::int as "noOptionChosen",
      count(*) filter (where cls <> 'blocked' and queued_at is not null)::int as "queued",
      count(*) filter (where cls = 'short')::int as "shortAbandoned",
      count(*) filter (where cls = 'answered')::int as "answered",
      count(*) filter (where cls = 'answered' and answer_wait <= ${s.serviceLevelSeconds})::int
        as "answeredWithinTarget",
      count(*) filter (where cls = 'abandoned')::int as "abandoned",
      count(*) filter (where cls = 'callback')::int as "callbackRequested",
      count(*) filter (where cls = 'voicemail')::int as "voicemailOrForwarded",
      coalesce(sum(answer_wait) filter (where cls = 'answered'), 0)::float8 as "speedOfAnswerSeconds",
      count(answer_wait) filter (where cls = 'answered')::int as "speedOfAnswerCalls",
      coalesce(sum(handle_seconds) filter (where cls = 'answered'), 0)::float8 as "handleSeconds",
      count(handle_seconds) filter (where cls = 'answered')::int as "handledCalls",
      count(*) filter (where cls = 'answered' and wrapped)::int as "wrappedUp",
      count(*) filter (where cls = 'answered' and fcr)::int as "resolvedFirstContact",
      count(*) filter (where cls = 'answered' and failure)::int as "failureDemand"
    from c
    group by grouping sets ((), (qcode), (hr), (dy))
  `.execute(db);
  return result.rows.map((r) => {
    const counts: Partial<CallCounts> = {};
    for (const key of Object.keys(ZERO_COUNTS) as (keyof CallCounts)[])
      if (key in r) counts[key] = Number(r[key]);
    return rowOf(r, counts);
  });
}

/**
 * Callbacks due in [start, end) and not cancelled, and how many were kept on time, grouped like the calls
 * (queue: the queue of the call the callback was asked for from; hour and day: when it was due).
 */
export async function callbackCounts(db: Db, scope: FigureScope): Promise<CountsRow[]> {
  if (scope.authorityIds.length === 0) return [];
  const queueFilter = scope.queueCode ? sql`and coalesce(q.code, oc.queue_code) = ${scope.queueCode}` : sql``;
  const result = await sql<RawGroup & { due: number; kept: number }>`
    with cb as (
      select cb.kept_on_time, coalesce(q.code, oc.queue_code) as qcode, q.name as qname,
        extract(hour from cb.due_at at time zone 'Europe/London')::int as hr,
        to_char(cb.due_at at time zone 'Europe/London', 'YYYY-MM-DD') as dy
      from callbacks cb
      left join calls oc on oc.id = cb.origin_call_id
      left join phone_queues q on q.id = oc.queue_id
      where cb.authority_id in ${inList(scope.authorityIds)}
        and cb.status <> 'cancelled'
        and cb.due_at >= ${scope.start} and cb.due_at < ${scope.end}
        ${queueFilter}
    )
    select grouping(qcode, hr, dy)::int as g, qcode, max(qname) as qname, hr as hour, dy as day,
      count(*)::int as due, count(*) filter (where kept_on_time)::int as kept
    from cb
    group by grouping sets ((), (qcode), (hr), (dy))
  `.execute(db);
  return result.rows.map((r) =>
    rowOf(r, { callbacksDue: Number(r.due), callbacksKeptOnTime: Number(r.kept) }),
  );
}

export interface QueueOption {
  code: string;
  name: string;
  authorityName: string;
}

/** The phone queues of the given councils, for the queue filter and the wallboard. */
export async function queuesFor(db: Db, authorityIds: string[]): Promise<QueueOption[]> {
  if (authorityIds.length === 0) return [];
  return db
    .selectFrom('phone_queues as q')
    .innerJoin('authorities as a', 'a.id', 'q.authority_id')
    .where('q.authority_id', 'in', authorityIds)
    .select(['q.code', 'q.name', 'a.name as authorityName'])
    .orderBy('a.name')
    .orderBy('q.name')
    .execute();
}

export interface LiveQueueRow {
  queueCode: string | null;
  waitingNow: number;
  longestWaitSeconds: number | null;
  onCallNow: number;
}

/**
 * What is happening now, by queue: calls waiting (queued, not answered, not ended) and the longest wait,
 * and staff on an answered call that has not ended. Only calls that arrived in the last 24 hours count, so
 * a call whose hang-up never arrived does not haunt the board.
 */
export async function liveByQueue(db: Db, authorityIds: string[], now: Date): Promise<LiveQueueRow[]> {
  if (authorityIds.length === 0) return [];
  const since = new Date(now.getTime() - 24 * 3600_000);
  const result = await sql<{ qcode: string | null; waiting: number; longest: number | null; oncall: number }>`
    select coalesce(q.code, c.queue_code) as qcode,
      count(*) filter (where c.direction = 'inbound' and not c.blocked and c.queued_at is not null
        and c.answered_at is null and c.ended_at is null)::int as waiting,
      max(extract(epoch from ${now}::timestamptz - c.queued_at)) filter (where c.direction = 'inbound'
        and not c.blocked and c.queued_at is not null and c.answered_at is null
        and c.ended_at is null)::float8 as longest,
      count(distinct coalesce(c.agent_id::text, c.agent_extension)) filter (where c.answered_at is not null
        and c.ended_at is null)::int as oncall
    from calls c
    left join phone_queues q on q.id = c.queue_id
    where c.authority_id in ${inList(authorityIds)}
      and c.offered_at >= ${since} and c.offered_at <= ${now}
      and c.ended_at is null
    group by 1
  `.execute(db);
  return result.rows.map((r) => ({
    queueCode: r.qcode,
    waitingNow: Number(r.waiting),
    longestWaitSeconds: r.longest === null ? null : Math.max(0, Math.round(Number(r.longest))),
    onCallNow: Number(r.oncall),
  }));
}

export interface OpenCallbacksRow {
  /** null with `total` false: callbacks not asked for from a queued call; `total` true: all of them. */
  queueCode: string | null;
  total: boolean;
  dueToday: number;
  overdue: number;
}

/** Open callbacks due before `endOfToday` (overdue ones included), by the queue of the call they came from. */
export async function openCallbacks(
  db: Db,
  authorityIds: string[],
  now: Date,
  endOfToday: Date,
): Promise<OpenCallbacksRow[]> {
  if (authorityIds.length === 0) return [];
  const result = await sql<{ g: number; qcode: string | null; due: number; overdue: number }>`
    select grouping(coalesce(q.code, oc.queue_code))::int as g, coalesce(q.code, oc.queue_code) as qcode,
      count(*)::int as due, count(*) filter (where cb.due_at < ${now})::int as overdue
    from callbacks cb
    left join calls oc on oc.id = cb.origin_call_id
    left join phone_queues q on q.id = oc.queue_id
    where cb.authority_id in ${inList(authorityIds)} and cb.status = 'open' and cb.due_at < ${endOfToday}
    group by grouping sets ((), (coalesce(q.code, oc.queue_code)))
  `.execute(db);
  return result.rows.map((r) => ({
    queueCode: r.qcode,
    total: Number(r.g) === 1,
    dueToday: Number(r.due),
    overdue: Number(r.overdue),
  }));
}
