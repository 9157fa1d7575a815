/**
 * "Responded to within timescale": the share of complaint stages and FOI, EIR and subject access requests
 * answered on or before their deadline (with any lawful extension), by kind, stage, service and month.
 * Counted by the date of the response: a response in the period counts in the period. Corporate (Code)
 * and children's social care complaint stages are reported apart, as their timescales differ. Beside the
 * responses, the report counts what was still waiting for an answer at the end of the period and how much
 * of that was already past its deadline, so a late answer that has not been sent yet is not hidden.
 */
import type { IsoDate } from '../../platform/calendar/index.ts';
import type { Db, Tx } from '../../platform/db/index.ts';
import {
  ROOT_CAUSE_LABELS,
  openComplaintStages,
  respondedComplaintStages,
  type RootCause,
} from '../complaints/index.ts';
import * as repo from './information-requests.repository.ts';

export type TimelinessKind =
  | 'complaint_stage_1'
  | 'complaint_stage_2'
  | 'childrens_stage_1'
  | 'childrens_stage_2'
  | 'childrens_stage_3'
  | 'foi'
  | 'eir'
  | 'sar'
  | 'foi_review'
  | 'eir_review';

export const TIMELINESS_LABELS: Record<TimelinessKind, string> = {
  complaint_stage_1: 'Complaints: stage 1',
  complaint_stage_2: 'Complaints: stage 2',
  childrens_stage_1: "Children's social care complaints: stage 1",
  childrens_stage_2: "Children's social care complaints: stage 2",
  childrens_stage_3: "Children's social care complaints: stage 3 (review panel)",
  foi: 'Freedom of Information requests',
  eir: 'Environmental information requests',
  sar: 'Subject access requests',
  foi_review: 'FOI internal reviews',
  eir_review: 'EIR internal reviews',
};

export interface TimelinessCount {
  total: number;
  onTime: number;
  /** Percentage on time to one decimal place (5 of 7 → 71.4); null when there were none. */
  percent: number | null;
}

/** Still waiting for an answer on the report's `asOf` date: how many, and how many of them past the deadline. */
export interface OpenCount {
  open: number;
  overdue: number;
}

export interface TimelinessReport {
  from: IsoDate;
  to: IsoDate;
  /** The date the open counts are taken on: the end of the period (or today, if that is earlier). */
  asOf: IsoDate;
  byKind: ({ kind: TimelinessKind; label: string } & TimelinessCount & OpenCount)[];
  byService: ({ kind: TimelinessKind; label: string; service: string } & TimelinessCount & OpenCount)[];
  byMonth: ({ kind: TimelinessKind; label: string; month: string } & TimelinessCount)[];
  complaints: TimelinessCount;
  informationRequests: TimelinessCount;
  rootCauses: { service: string; rootCause: string; count: number }[];
}

/** onTime / total as a percentage to one decimal place. */
export function percentage(onTime: number, total: number): number | null {
  return total === 0 ? null : Math.round((onTime / total) * 1000) / 10;
}

interface Item {
  kind: TimelinessKind;
  service: string;
  month: string;
  onTime: boolean;
}

interface Waiting {
  kind: TimelinessKind;
  service: string;
  overdue: boolean;
}

/** The report kind of a complaint stage: corporate stages and children's social care stages apart. */
export function complaintKind(workflowType: string, stage: number): TimelinessKind {
  return (
    workflowType === 'childrens_social_care' ? `childrens_stage_${stage}` : `complaint_stage_${stage}`
  ) as TimelinessKind;
}

function openCount(list: Waiting[]): OpenCount {
  return { open: list.length, overdue: list.filter((w) => w.overdue).length };
}

function count(items: Item[]): TimelinessCount {
  const onTime = items.filter((i) => i.onTime).length;
  return { total: items.length, onTime, percent: percentage(onTime, items.length) };
}

function group<T, K extends string>(items: T[], key: (i: T) => K): Map<K, T[]> {
  const map = new Map<K, T[]>();
  for (const item of items) map.set(key(item), [...(map.get(key(item)) ?? []), item]);
  return map;
}

const ORDER = Object.keys(TIMELINESS_LABELS) as TimelinessKind[];

/**
 * The timeliness report for responses dated between `from` and `to` (inclusive), optionally for some
 * councils only, with what was still open on `asOf` (default `to`; pass today when the period has not
 * ended yet).
 */
export async function timelinessReport(
  db: Db | Tx,
  filter: { from: IsoDate; to: IsoDate; asOf?: IsoDate; authorityIds?: string[] },
): Promise<TimelinessReport> {
  const asOf = filter.asOf ?? filter.to;
  const scope = { asOf, authorityIds: filter.authorityIds };
  const [stages, requests, reviews, openStages, openRequests] = await Promise.all([
    respondedComplaintStages(db, filter),
    repo.respondedRequests(db, filter),
    repo.completedReviews(db, filter),
    openComplaintStages(db, scope),
    repo.openRequestsOn(db, scope),
  ]);
  const waiting: Waiting[] = [
    ...openStages.map((s) => ({
      kind: complaintKind(s.workflowType, s.stage),
      service: s.serviceName ?? 'Not recorded',
      overdue: s.overdue,
    })),
    ...openRequests.map((r) => ({
      kind: r.regime,
      service: r.service_name,
      overdue: r.due_on !== null && r.due_on < asOf,
    })),
  ];
  const items: Item[] = [
    ...stages.map((s) => ({
      kind: complaintKind(s.workflowType, s.stage),
      service: s.serviceName ?? 'Not recorded',
      month: s.respondedOn.slice(0, 7),
      onTime: s.onTime,
    })),
    ...requests.map((r) => ({
      kind: r.regime,
      service: r.service_name,
      month: r.responded_on!.slice(0, 7),
      onTime: r.due_on === null || r.responded_on! <= r.due_on,
    })),
    ...reviews
      .filter((v) => v.regime !== 'sar')
      .map((v) => ({
        kind: `${v.regime}_review` as TimelinessKind,
        service: 'Internal reviews',
        month: v.completed_on!.slice(0, 7),
        onTime: v.completed_on! <= v.due_on,
      })),
  ];
  const byKind = ORDER.flatMap((kind) => {
    const list = items.filter((i) => i.kind === kind);
    const open = waiting.filter((w) => w.kind === kind);
    return list.length || open.length
      ? [{ kind, label: TIMELINESS_LABELS[kind], ...count(list), ...openCount(open) }]
      : [];
  });
  const serviceKey = (i: { kind: TimelinessKind; service: string }) =>
    `${String(ORDER.indexOf(i.kind)).padStart(2, '0')}|${i.service}`;
  const answeredByService = group(items, serviceKey);
  const waitingByService = group(waiting, serviceKey);
  const byService = [...new Set([...answeredByService.keys(), ...waitingByService.keys()])]
    .sort((a, b) => (a < b ? -1 : 1))
    .map((key) => {
      const list = answeredByService.get(key) ?? [];
      const open = waitingByService.get(key) ?? [];
      const first = list[0] ?? open[0];
      return {
        kind: first.kind,
        label: TIMELINESS_LABELS[first.kind],
        service: first.service,
        ...count(list),
        ...openCount(open),
      };
    });
  const byMonth = [
    ...group(items, (i) => `${i.month}|${String(ORDER.indexOf(i.kind)).padStart(2, '0')}`).entries(),
  ]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([, list]) => ({
      kind: list[0].kind,
      label: TIMELINESS_LABELS[list[0].kind],
      month: list[0].month,
      ...count(list),
    }));
  const causes = new Map<string, { service: string; rootCause: string; count: number }>();
  for (const s of stages) {
    if (s.stage !== 1 || !s.rootCause) continue; // a root cause is set once, reported with the first stage
    const service = s.serviceName ?? 'Not recorded';
    const label = ROOT_CAUSE_LABELS[s.rootCause as RootCause] ?? s.rootCause;
    const key = `${service}|${label}`;
    const entry = causes.get(key) ?? { service, rootCause: label, count: 0 };
    entry.count += 1;
    causes.set(key, entry);
  }
  return {
    from: filter.from,
    to: filter.to,
    asOf,
    byKind,
    byService,
    byMonth,
    complaints: count(
      items.filter((i) => i.kind.startsWith('complaint_') || i.kind.startsWith('childrens_')),
    ),
    informationRequests: count(items.filter((i) => i.kind === 'foi' || i.kind === 'eir' || i.kind === 'sar')),
    rootCauses: [...causes.values()].sort((a, b) => b.count - a.count || a.service.localeCompare(b.service)),
  };
}
