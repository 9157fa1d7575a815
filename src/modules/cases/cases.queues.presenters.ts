/**
 * View models for the staff work queues: "time left" in words with a state tag (text, never colour
 * alone), customer names, and GOV.UK pagination that keeps the filters. Pure functions: no database, no
 * clock of their own (`now` and London's `today` are passed in).
 */
import { calendarDaysBetween, type IsoDate } from '../../platform/calendar/index.ts';
import type { SlaState, SlaUnit } from '../../platform/clocks/index.ts';
import { formatDate } from '../../platform/views/index.ts';
import type { QueueRow } from './cases.queues.repository.ts';
import type { QueueQuery, QueueResult } from './cases.queues.service.ts';
import type { CaseSla } from './cases.sla.ts';

/** What the words need from a case's SLA snapshot (`CaseSla`) and its service's policy unit. */
export interface TimeLeftInput {
  unit: SlaUnit;
  state: SlaState;
  closed: boolean;
  paused: boolean;
  dueAt: Date;
  /** London date of `dueAt`. */
  dueDate: IsoDate;
  /** Working days from today to the due date (0 = due today, negative = overdue). */
  workingDaysLeft: number;
}

export type TimeLeftTone = 'on_track' | 'due_soon' | 'overdue' | 'paused' | 'closed';

export interface TimeLeftView {
  text: string;
  tone: TimeLeftTone;
  tag: { text: string; classes: string };
}

const TAGS: Record<TimeLeftTone, { text: string; classes: string }> = {
  on_track: { text: 'On track', classes: 'govuk-tag--green' },
  due_soon: { text: 'Due soon', classes: 'govuk-tag--orange' },
  overdue: { text: 'Overdue', classes: 'govuk-tag--red' },
  paused: { text: 'Paused', classes: 'govuk-tag--grey' },
  closed: { text: 'Closed', classes: 'govuk-tag--grey' },
};

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** A span of wall-clock time in the largest sensible unit: minutes under an hour, hours under two days. */
function spanText(ms: number): string {
  if (ms < HOUR_MS) return plural(Math.max(1, Math.floor(ms / MINUTE_MS)), 'minute', 'minutes');
  if (ms < 48 * HOUR_MS) return plural(Math.floor(ms / HOUR_MS), 'hour', 'hours');
  return plural(Math.floor(ms / (24 * HOUR_MS)), 'day', 'days');
}

function words(sla: TimeLeftInput, now: Date, today: IsoDate): string {
  const overdue = sla.state === 'breached';
  switch (sla.unit) {
    case 'hours': {
      const ms = sla.dueAt.getTime() - now.getTime();
      return overdue ? `Overdue by ${spanText(-ms)}` : `${spanText(ms)} left`;
    }
    case 'calendar_days': {
      const days = calendarDaysBetween(today, sla.dueDate);
      if (overdue) return `Overdue by ${plural(Math.max(1, -days), 'day', 'days')}`;
      return days <= 0 ? 'Due today' : `${plural(days, 'day', 'days')} left`;
    }
    case 'working_days': {
      const days = sla.workingDaysLeft;
      // Past the due date on a weekend or holiday is still overdue, by at least one working day.
      if (overdue) return `Overdue by ${plural(Math.max(1, -days), 'working day', 'working days')}`;
      return days <= 0 ? 'Due today' : `${plural(days, 'working day', 'working days')} left`;
    }
  }
}

/**
 * "3 working days left", "Due today", "Overdue by 2 working days", "5 hours left", "Clock paused",
 * "Closed", with the tag for the state: on track, due soon (≥ 80% of the time used, the clock's
 * `warning`), overdue, paused or closed.
 */
export function timeLeft(sla: TimeLeftInput, now: Date, today: IsoDate): TimeLeftView {
  if (sla.closed) return { text: 'Closed', tone: 'closed', tag: TAGS.closed };
  if (sla.paused || sla.state === 'paused') return { text: 'Clock paused', tone: 'paused', tag: TAGS.paused };
  const tone: TimeLeftTone =
    sla.state === 'breached' ? 'overdue' : sla.state === 'warning' ? 'due_soon' : 'on_track';
  return { text: words(sla, now, today), tone, tag: TAGS[tone] };
}

/** The customer's name, else the guest's, else "Guest". */
export function customerNameOf(row: {
  customerId: string | null;
  givenName: string | null;
  familyName: string | null;
  organisationName?: string | null;
  guestName: string | null;
}): string {
  const name = `${row.givenName ?? ''} ${row.familyName ?? ''}`.trim() || row.organisationName?.trim();
  if (row.customerId && name) return name;
  return row.guestName?.trim() || 'Guest';
}

export const PRIORITY_LABELS = { urgent: 'Urgent', high: 'High', normal: 'Normal', low: 'Low' } as const;

export interface PaginationView {
  previous?: { href: string };
  next?: { href: string };
  items: ({ number: number; href: string; current: boolean } | { ellipsis: true })[];
}

/**
 * GOV.UK pagination for page `page` of `pages`: first, last, and the pages either side of the current one,
 * with ellipses between. `href(n)` builds each link (keeping the filters). Null when there is one page.
 */
export function paginationOf(
  page: number,
  pages: number,
  href: (n: number) => string,
): PaginationView | null {
  if (pages <= 1) return null;
  const shown = [...new Set([1, page - 1, page, page + 1, pages])]
    .filter((n) => n >= 1 && n <= pages)
    .sort((a, b) => a - b);
  const items: PaginationView['items'] = [];
  let last = 0;
  for (const n of shown) {
    if (n - last > 1) items.push({ ellipsis: true });
    items.push({ number: n, href: href(n), current: n === page });
    last = n;
  }
  return {
    ...(page > 1 ? { previous: { href: href(page - 1) } } : {}),
    ...(page < pages ? { next: { href: href(page + 1) } } : {}),
    items,
  };
}

// ---------------------------------------------------------------------------------------------------
// The page

type Option = { value: string; text: string; selected?: boolean };

const DUE_OPTIONS: Option[] = [
  { value: 'overdue', text: 'Overdue' },
  { value: 'today', text: 'Due today' },
  { value: 'week', text: 'Due within 5 working days' },
  { value: 'paused', text: 'Clock paused' },
];
const ASSIGNEE_OPTIONS: Option[] = [
  { value: 'unassigned', text: 'Unassigned' },
  { value: 'me', text: 'Assigned to me' },
];
const SORT_OPTIONS: Option[] = [
  { value: 'due', text: 'Due date (soonest first)' },
  { value: 'received', text: 'Received (oldest first)' },
  { value: 'priority', text: 'Priority (urgent first)' },
];

function select(any: string, options: Option[], value: string | undefined): Option[] {
  return [
    { value: '', text: any, selected: !value },
    ...options.map((o) => ({ ...o, selected: o.value === value })),
  ];
}

/** The query string for a queue link: the queue, the filters in use, the sort if not the default, the page. */
export function queueHref(key: string, query: QueueQuery, page = 1): string {
  const params = new URLSearchParams({ queue: key });
  if (query.serviceId) params.set('service', query.serviceId);
  if (query.status) params.set('status', query.status);
  if (query.due) params.set('due', query.due);
  if (query.priority) params.set('priority', query.priority);
  if (query.tag) params.set('tag', query.tag);
  if (query.assignee) params.set('assignee', query.assignee);
  if (query.includeClosed) params.set('closed', 'include');
  if (query.sort !== 'due') params.set('sort', query.sort);
  if (page > 1) params.set('page', String(page));
  return `/staff/queues?${params.toString()}`;
}

export interface QueueRowView {
  id: string;
  href: string;
  reference: string;
  serviceName: string;
  customerName: string;
  statusLabel: string;
  priority: string;
  assignee: string;
  dueDate: string;
  timeLeft: TimeLeftView;
  /** The resident wrote last (by email or on their request page): when, or null. */
  repliedAt: string | null;
}

function rowView(
  row: QueueRow,
  sla: CaseSla | undefined,
  now: Date,
  today: IsoDate,
  repliedAt: Date | undefined,
): QueueRowView {
  const dueAt = sla?.dueAt ?? row.dueAt;
  return {
    id: row.id,
    href: `/staff/cases/${row.id}`,
    reference: row.reference,
    serviceName: row.serviceName,
    customerName: customerNameOf(row),
    statusLabel: row.statusLabel ?? row.status,
    priority: PRIORITY_LABELS[row.priority],
    assignee: row.assigneeName ?? 'Unassigned',
    dueDate: dueAt ? formatDate(dueAt, row.sla.unit === 'hours' ? 'datetime' : 'short') : 'No due date',
    timeLeft: sla
      ? timeLeft({ ...sla, unit: row.sla.unit }, now, today)
      : { text: 'No due date', tone: 'on_track', tag: TAGS.on_track },
    repliedAt: repliedAt ? formatDate(repliedAt, 'datetime') : null,
  };
}

/** Everything `cases/staff/queues.njk` shows, ready to render. */
export function queuePageView(result: QueueResult, query: QueueQuery) {
  const { queue, facets } = result;
  const services = new Map<string, string>();
  const statuses = new Map<string, string>();
  for (const f of [...facets].sort((a, b) => (a.service_name ?? '').localeCompare(b.service_name ?? ''))) {
    services.set(f.service_id, f.service_name ?? 'Service');
    const label = f.status_label ?? f.status;
    // The chosen service's own wording wins when services label a code differently.
    if (!statuses.has(f.status) || f.service_id === query.serviceId) statuses.set(f.status, label);
  }
  if (query.serviceId && !services.has(query.serviceId)) services.set(query.serviceId, 'Chosen service');
  if (query.status && !statuses.has(query.status)) statuses.set(query.status, query.status);
  const toOptions = (m: Map<string, string>) =>
    [...m].map(([value, text]) => ({ value, text })).sort((a, b) => a.text.localeCompare(b.text));

  const first = (result.page - 1) * result.pageSize + 1;
  const filtered = Boolean(
    query.serviceId ||
    query.status ||
    query.due ||
    query.priority ||
    query.tag ||
    query.assignee ||
    query.includeClosed,
  );
  const titleName = queue.kind === 'mine' ? 'My cases' : `${queue.name} queue`;
  return {
    pageTitle: `${titleName}${result.page > 1 ? ` (page ${result.page})` : ''} – Work queues`,
    heading: titleName,
    caption: queue.kind === 'team' ? `Work queues · ${queue.authorityName}` : 'Work queues',
    queueKey: queue.key,
    navItems: result.choices.map((c) => ({
      text: `${c.name} (${c.open})`,
      href: `/staff/queues?queue=${encodeURIComponent(c.key)}`,
      active: c.key === queue.key,
    })),
    otherTeams: result.otherTeams
      ? [
          { value: '', text: 'Choose a team' },
          ...result.otherTeams.map((t) => ({
            value: `team:${t.id}`,
            text: `${t.name} (${t.authorityName})`,
            selected: `team:${t.id}` === queue.key,
          })),
        ]
      : null,
    filters: {
      services: select('Any service', toOptions(services), query.serviceId),
      statuses: select('Any status', toOptions(statuses), query.status),
      due: select('Any due date', DUE_OPTIONS, query.due),
      priorities: select(
        'Any priority',
        (['urgent', 'high', 'normal', 'low'] as const).map((p) => ({ value: p, text: PRIORITY_LABELS[p] })),
        query.priority,
      ),
      assignees: select('Anyone', ASSIGNEE_OPTIONS, query.assignee),
      sorts: SORT_OPTIONS.map((o) => ({ ...o, selected: o.value === query.sort })),
      tag: query.tag ?? '',
      includeClosed: query.includeClosed ?? false,
    },
    filtered,
    clearHref: `/staff/queues?queue=${encodeURIComponent(queue.key)}`,
    rows: result.rows.map((r) =>
      rowView(r, result.sla.get(r.id), result.now, result.today, result.replied.get(r.id)),
    ),
    total: result.total,
    summary:
      result.rows.length === 0
        ? null
        : `Showing ${first} to ${first + result.rows.length - 1} of ${result.total} ${result.total === 1 ? 'case' : 'cases'}`,
    beyondLastPage: result.rows.length === 0 && result.page > 1,
    firstPageHref: queueHref(queue.key, query),
    pagination: paginationOf(result.page, result.pages, (n) => queueHref(queue.key, query, n)),
  };
}
