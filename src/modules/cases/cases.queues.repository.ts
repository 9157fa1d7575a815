/**
 * SQL for the staff work queues (/staff/queues): one page of a team's or a person's cases with the
 * filters and sort applied, the queue's open counts for the sub-navigation, and the services and statuses
 * present (for the filter form). Reads cases, services, customers, staff_users and teams.
 *
 * Visibility is the rule of `canSeeCase` in SQL: a case of a restricted service is listed only to members
 * of the owning team. Open-case queries stay on the partial indexes `cases_team_status_idx` /
 * `cases_team_queue_idx` (team queue) and `cases_assignee_queue_idx` (my cases); "include closed" has no
 * index of its own (see docs/queues.md).
 */
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { DB, Db, SlaPolicy, Tx } from '../../platform/db/index.ts';
import { workflowStatusLabel } from '../services/index.ts';

type Q = Db | Tx;

export type QueueScope = { kind: 'mine'; staffId: string } | { kind: 'team'; teamId: string };
export type DueFilter = 'overdue' | 'today' | 'week' | 'paused';
export type Priority = 'low' | 'normal' | 'high' | 'urgent';
export type AssigneeFilter = 'unassigned' | 'me';
export type QueueSort = 'due' | 'received' | 'priority';

export interface QueueCriteria {
  scope: QueueScope;
  /** Who is looking: `assignee = me` and the restricted-service rule use these. */
  viewer: { staffId: string; teamIds: readonly string[] };
  serviceId?: string;
  status?: string;
  priority?: Priority;
  tag?: string;
  assignee?: AssigneeFilter;
  due?: DueFilter;
  includeClosed?: boolean;
  sort: QueueSort;
  /** Instants the due filters compare with (computed on the cases calendar by the caller). */
  bounds: { now: Date; endOfToday: Date; endOfWeek: Date };
  limit: number;
  offset: number;
}

type From = ExpressionBuilder<DB & { c: DB['cases'] } & { s: DB['services'] }, 'c' | 's'>;

/** The queue itself and who may see which case in it (no filters). */
function scopeWhere(eb: From, scope: QueueScope, viewer: QueueCriteria['viewer']): Expression<SqlBool> {
  const own =
    scope.kind === 'team' ? eb('c.team_id', '=', scope.teamId) : eb('c.assignee_id', '=', scope.staffId);
  const visible =
    viewer.teamIds.length > 0
      ? eb.or([eb('s.sensitivity', '=', 'normal'), eb('c.team_id', 'in', [...viewer.teamIds])])
      : eb('s.sensitivity', '=', 'normal');
  return eb.and([own, visible]);
}

function filterWhere(eb: From, c: QueueCriteria): Expression<SqlBool> {
  const parts: Expression<SqlBool>[] = [scopeWhere(eb, c.scope, c.viewer)];
  if (!c.includeClosed) parts.push(eb('c.closed_at', 'is', null));
  if (c.serviceId) parts.push(eb('c.service_id', '=', c.serviceId));
  if (c.status) parts.push(eb('c.status', '=', c.status));
  if (c.priority) parts.push(eb('c.priority', '=', c.priority));
  if (c.tag) parts.push(sql<SqlBool>`${c.tag} = any(c.tags)`);
  if (c.assignee === 'unassigned') parts.push(eb('c.assignee_id', 'is', null));
  if (c.assignee === 'me') parts.push(eb('c.assignee_id', '=', c.viewer.staffId));
  const { now, endOfToday, endOfWeek } = c.bounds;
  const running = [eb('c.closed_at', 'is', null), eb('c.sla_paused_at', 'is', null)];
  switch (c.due) {
    case undefined:
      break;
    case 'overdue':
      parts.push(...running, eb('c.due_at', '<', now));
      break;
    case 'today':
      parts.push(...running, eb('c.due_at', '>=', now), eb('c.due_at', '<=', endOfToday));
      break;
    case 'week':
      parts.push(...running, eb('c.due_at', '>=', now), eb('c.due_at', '<=', endOfWeek));
      break;
    case 'paused':
      parts.push(eb('c.closed_at', 'is', null), eb('c.sla_paused_at', 'is not', null));
      break;
  }
  return eb.and(parts);
}

/** The label of the case's status in its service's workflow (null when the definition has none). */
const statusLabel = workflowStatusLabel('s.definition', 'c.status');

function queueQuery(db: Q, criteria: QueueCriteria) {
  let query = db
    .selectFrom('cases as c')
    .innerJoin('services as s', 's.id', 'c.service_id')
    .leftJoin('staff_users as u', 'u.id', 'c.assignee_id')
    .leftJoin('customers as p', 'p.id', 'c.customer_id')
    .select([
      'c.id',
      'c.reference',
      'c.status',
      'c.priority',
      'c.received_at',
      'c.due_at',
      'c.closed_at',
      'c.sla_paused_at',
      'c.assignee_id',
      'c.team_id',
      'c.customer_id',
      'c.guest_name',
      's.name as service_name',
      's.sla',
      'u.display_name as assignee_name',
      'p.given_name',
      'p.family_name',
      'p.organisation_name',
      statusLabel.as('status_label'),
      sql<string>`count(*) over ()`.as('total'),
    ])
    .where((eb) => filterWhere(eb as From, criteria));
  if (criteria.sort === 'priority')
    query = query.orderBy(
      sql`case c.priority when 'urgent' then 0 when 'high' then 1 when 'normal' then 2 else 3 end`,
    );
  // Closed after open, paused after running, then by due date (no due date last).
  if (criteria.sort !== 'received')
    query = query
      .orderBy(sql`c.closed_at is not null`)
      .orderBy(sql`c.sla_paused_at is not null`)
      .orderBy(sql`c.due_at asc nulls last`);
  return query.orderBy('c.received_at').orderBy('c.id').limit(criteria.limit).offset(criteria.offset);
}

export interface QueueRow {
  id: string;
  reference: string;
  status: string;
  statusLabel: string | null;
  priority: Priority;
  receivedAt: Date;
  dueAt: Date | null;
  closedAt: Date | null;
  pausedAt: Date | null;
  assigneeId: string | null;
  assigneeName: string | null;
  teamId: string;
  serviceName: string;
  sla: SlaPolicy;
  customerId: string | null;
  givenName: string | null;
  familyName: string | null;
  organisationName: string | null;
  guestName: string | null;
}

/** One page of the queue and the number of cases matching in all (one statement). */
export async function queuePage(
  db: Q,
  criteria: QueueCriteria,
): Promise<{ rows: QueueRow[]; total: number }> {
  const rows = await queueQuery(db, criteria).execute();
  return {
    total: rows.length ? Number(rows[0].total) : 0,
    rows: rows.map((r) => ({
      id: r.id,
      reference: r.reference,
      status: r.status,
      statusLabel: r.status_label,
      priority: r.priority,
      receivedAt: r.received_at,
      dueAt: r.due_at,
      closedAt: r.closed_at,
      pausedAt: r.sla_paused_at,
      assigneeId: r.assignee_id,
      assigneeName: r.assignee_name,
      teamId: r.team_id,
      serviceName: r.service_name,
      sla: r.sla,
      customerId: r.customer_id,
      givenName: r.given_name,
      familyName: r.family_name,
      organisationName: r.organisation_name,
      guestName: r.guest_name,
    })),
  };
}

/** EXPLAIN (JSON) of the page query, inside the caller's transaction (tests turn off sequential scans). */
export async function explainQueuePage(trx: Tx, criteria: QueueCriteria): Promise<unknown> {
  const { rows } = await sql<{
    'QUERY PLAN': unknown;
  }>`explain (format json) ${queueQuery(trx, criteria)}`.execute(trx);
  const raw = rows[0]['QUERY PLAN'];
  return typeof raw === 'string' ? JSON.parse(raw) : raw;
}

/** Services and statuses among the queue's open cases, with counts and the workflow's status labels. */
export function queueFacets(db: Q, scope: QueueScope, viewer: QueueCriteria['viewer']) {
  return db
    .selectFrom('cases as c')
    .innerJoin('services as s', 's.id', 'c.service_id')
    .select((eb) => [
      'c.service_id',
      'c.status',
      eb.fn.max('s.name').as('service_name'),
      sql<string | null>`max(${statusLabel})`.as('status_label'),
      eb.fn.countAll<string>().as('open'),
    ])
    .where((eb) => eb.and([scopeWhere(eb as From, scope, viewer), eb('c.closed_at', 'is', null)]))
    .groupBy(['c.service_id', 'c.status'])
    .execute();
}

/** Open cases in each of `teamIds` (every case: members see their team's restricted cases). */
export function openCountsByTeam(db: Q, teamIds: readonly string[]) {
  if (teamIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('cases')
    .select((eb) => ['team_id', eb.fn.countAll<string>().as('open')])
    .where('team_id', 'in', [...teamIds])
    .where('closed_at', 'is', null)
    .groupBy('team_id')
    .execute();
}

/** Open cases assigned to `viewer.staffId` that the viewer may see. */
export async function openAssignedCount(db: Q, viewer: QueueCriteria['viewer']): Promise<number> {
  const row = await db
    .selectFrom('cases as c')
    .innerJoin('services as s', 's.id', 'c.service_id')
    .select((eb) => eb.fn.countAll<string>().as('open'))
    .where((eb) =>
      eb.and([
        scopeWhere(eb as From, { kind: 'mine', staffId: viewer.staffId }, viewer),
        eb('c.closed_at', 'is', null),
      ]),
    )
    .executeTakeFirst();
  return Number(row?.open ?? 0);
}

/** A team by id, with its council (null when there is no such team). */
export function findTeam(db: Q, teamId: string) {
  return db
    .selectFrom('teams as t')
    .innerJoin('authorities as a', 'a.id', 't.authority_id')
    .select(['t.id', 't.name', 't.authority_id', 'a.name as authority_name'])
    .where('t.id', '=', teamId)
    .executeTakeFirst();
}

/** Every team of the councils sharing the front door (for team leaders' "open another queue"). */
export function allTeams(db: Q) {
  return db
    .selectFrom('teams as t')
    .innerJoin('authorities as a', 'a.id', 't.authority_id')
    .select(['t.id', 't.name', 'a.name as authority_name'])
    .orderBy('a.name')
    .orderBy('t.name')
    .execute();
}

/**
 * The cases (of these) whose latest message is from the resident (a reply by email or on the request
 * page not yet answered), with when it came: the queue marks them "Resident replied". One statement for
 * a page of cases, on the case_events (case_id, created_at) index.
 */
export async function residentRepliedLast(db: Q, caseIds: readonly string[]): Promise<Map<string, Date>> {
  if (caseIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('case_events')
    .select(['case_id', 'created_at', sql<string>`data->>'direction'`.as('direction')])
    .distinctOn('case_id')
    .where('case_id', 'in', [...caseIds])
    .where('kind', '=', 'message')
    .orderBy('case_id')
    .orderBy('created_at', 'desc')
    .execute();
  return new Map(rows.filter((r) => r.direction === 'inbound').map((r) => [r.case_id, r.created_at]));
}
