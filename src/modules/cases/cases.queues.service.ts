/**
 * The staff work queues use-case: which queue a member of staff may open ("mine", one of their teams, or
 * for team leaders any team of the councils sharing the front door), one page of it with the filters and
 * sort applied, each case's SLA clock, the counts for the queue navigation, and the audit row. No
 * request/reply here and no SQL (that is cases.queues.repository.ts).
 */
import { audit } from '../../platform/audit/index.ts';
import type { IsoDate, WorkingDayCalendar } from '../../platform/calendar/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { NotFoundError } from '../../platform/http/errors.ts';
import type { StaffPrincipal } from '../identity/index.ts';
import * as repo from './cases.queues.repository.ts';
import { defaultCaseCalendar } from './cases.service.ts';
import { caseSlaSnapshots, type CaseSla } from './cases.sla.ts';

export const QUEUE_PAGE_SIZE = 50;

/** Working days ahead that the "due this week" filter covers (the due date at most this many away). */
export const DUE_SOON_WORKING_DAYS = 5;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The parsed query string of /staff/queues (invalid filter values are dropped at the edge). */
export interface QueueQuery {
  queue?: string;
  serviceId?: string;
  status?: string;
  due?: repo.DueFilter;
  priority?: repo.Priority;
  tag?: string;
  assignee?: repo.AssigneeFilter;
  includeClosed?: boolean;
  sort: repo.QueueSort;
  page: number;
}

export type OpenQueue =
  | { kind: 'mine'; key: 'mine'; name: string }
  | { kind: 'team'; key: string; teamId: string; name: string; authorityId: string; authorityName: string };

export interface QueueResult {
  queue: OpenQueue;
  /** "My cases" and each of the viewer's teams, with open counts. */
  choices: { key: string; name: string; open: number }[];
  /** Every team (only for staff with `cases:assign`), for "open another team's queue". */
  otherTeams: { id: string; name: string; authorityName: string }[] | null;
  facets: Awaited<ReturnType<typeof repo.queueFacets>>;
  rows: repo.QueueRow[];
  sla: Map<string, CaseSla>;
  /** Cases on the page whose latest message is the resident's, and when it came. */
  replied: Map<string, Date>;
  total: number;
  page: number;
  pages: number;
  pageSize: number;
  now: Date;
  /** London date of `now`. */
  today: IsoDate;
}

async function openQueue(
  db: Db,
  staff: StaffPrincipal,
  requested: string | undefined,
  mineOpen: number,
): Promise<OpenQueue> {
  const mine: OpenQueue = { kind: 'mine', key: 'mine', name: 'My cases' };
  if (requested === 'mine') return mine;
  if (requested?.startsWith('team:')) {
    const teamId = requested.slice('team:'.length);
    if (!UUID.test(teamId)) throw new NotFoundError();
    const own = staff.teams.find((t) => t.id === teamId);
    if (own)
      return {
        kind: 'team',
        key: requested,
        teamId,
        name: own.name,
        authorityId: own.authorityId,
        authorityName: own.authorityName,
      };
    // Team leaders may open any team's queue; to anyone else another team's queue does not exist.
    const team = staff.permissions.has('cases:assign') ? await repo.findTeam(db, teamId) : undefined;
    if (!team) throw new NotFoundError();
    return {
      kind: 'team',
      key: requested,
      teamId,
      name: team.name,
      authorityId: team.authority_id,
      authorityName: team.authority_name,
    };
  }
  const first = staff.teams[0];
  if (mineOpen > 0 || !first) return mine;
  return {
    kind: 'team',
    key: `team:${first.id}`,
    teamId: first.id,
    name: first.name,
    authorityId: first.authorityId,
    authorityName: first.authorityName,
  };
}

/**
 * Opens the queue the query asks for (default: "mine" when the viewer has open assigned cases, else
 * their first team) and reads one page of it: one statement for the rows and total, one
 * `caseSlaSnapshots` call for their clocks, plus the navigation counts and filter options. Writes a
 * `queue.view` audit row (record `team` or `staff`) with the cases shown. Another team's queue is
 * NotFound unless the viewer has `cases:assign`.
 */
export async function loadQueue(
  db: Db,
  staff: StaffPrincipal,
  query: QueueQuery,
  options: { now: Date; requestId?: string; calendar?: WorkingDayCalendar },
): Promise<QueueResult> {
  const { now } = options;
  const calendar = options.calendar ?? defaultCaseCalendar();
  const viewer = { staffId: staff.id, teamIds: staff.teams.map((t) => t.id) };
  const [mineOpen, teamCounts, otherTeams] = await Promise.all([
    repo.openAssignedCount(db, viewer),
    repo.openCountsByTeam(db, viewer.teamIds),
    staff.permissions.has('cases:assign') ? repo.allTeams(db) : Promise.resolve(null),
  ]);
  const queue = await openQueue(db, staff, query.queue, mineOpen);
  const scope: repo.QueueScope =
    queue.kind === 'mine' ? { kind: 'mine', staffId: staff.id } : { kind: 'team', teamId: queue.teamId };

  const today = calendar.toLocalDate(now);
  const criteria: repo.QueueCriteria = {
    scope,
    viewer,
    serviceId: query.serviceId,
    status: query.status,
    priority: query.priority,
    tag: query.tag,
    assignee: query.assignee,
    due: query.due,
    includeClosed: query.includeClosed,
    sort: query.sort,
    bounds: {
      now,
      endOfToday: calendar.endOfDay(today),
      endOfWeek: calendar.endOfDay(calendar.addWorkingDays(today, DUE_SOON_WORKING_DAYS)),
    },
    limit: QUEUE_PAGE_SIZE,
    offset: (query.page - 1) * QUEUE_PAGE_SIZE,
  };
  const [{ rows, total }, facets] = await Promise.all([
    repo.queuePage(db, criteria),
    repo.queueFacets(db, scope, viewer),
  ]);
  const [sla, replied] = await Promise.all([
    caseSlaSnapshots(
      db,
      rows.map((r) => r.id),
      now,
      { calendar },
    ),
    repo.residentRepliedLast(
      db,
      rows.map((r) => r.id),
    ),
  ]);

  await audit(db, {
    actorType: 'staff',
    actorId: staff.id,
    authorityId: queue.kind === 'team' ? queue.authorityId : staff.authorityId,
    action: 'queue.view',
    recordType: queue.kind === 'team' ? 'team' : 'staff',
    recordId: queue.kind === 'team' ? queue.teamId : staff.id,
    requestId: options.requestId ?? null,
    details: {
      filters: {
        service: query.serviceId ?? null,
        status: query.status ?? null,
        due: query.due ?? null,
        priority: query.priority ?? null,
        tag: query.tag ?? null,
        assignee: query.assignee ?? null,
        includeClosed: query.includeClosed ?? false,
        sort: query.sort,
      },
      page: query.page,
      caseIds: rows.map((r) => r.id),
    },
  });

  const countOf = new Map(teamCounts.map((c) => [c.team_id, Number(c.open)]));
  return {
    queue,
    choices: [
      { key: 'mine', name: 'My cases', open: mineOpen },
      ...staff.teams.map((t) => ({ key: `team:${t.id}`, name: t.name, open: countOf.get(t.id) ?? 0 })),
    ],
    otherTeams: otherTeams?.map((t) => ({ id: t.id, name: t.name, authorityName: t.authority_name })) ?? null,
    facets,
    rows,
    sla,
    replied,
    total,
    page: query.page,
    pages: Math.max(1, Math.ceil(total / QUEUE_PAGE_SIZE)),
    pageSize: QUEUE_PAGE_SIZE,
    now,
    today,
  };
}
