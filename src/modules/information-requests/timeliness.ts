/**
 * "Responded to within timescale": the share of complaint stages and FOI, EIR and subject access requests
 * answered on or before their deadline (with any lawful extension), by kind, stage, service and month.
 * Counted by the date of the response: a response in the period counts in the period.
 */
import type { IsoDate } from '../../platform/calendar/index.ts';
import type { Db, Tx } from '../../platform/db/index.ts';
import { ROOT_CAUSE_LABELS, respondedComplaintStages, type RootCause } from '../complaints/index.ts';
import * as repo from './information-requests.repository.ts';

export type TimelinessKind =
  | 'complaint_stage_1'
  | 'complaint_stage_2'
  | 'complaint_stage_3'
  | 'foi'
  | 'eir'
  | 'sar'
  | 'foi_review'
  | 'eir_review';

export const TIMELINESS_LABELS: Record<TimelinessKind, string> = {
  complaint_stage_1: 'Complaints: stage 1',
  complaint_stage_2: 'Complaints: stage 2',
  complaint_stage_3: "Complaints: stage 3 (children's review panel)",
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

export interface TimelinessReport {
  from: IsoDate;
  to: IsoDate;
  byKind: ({ kind: TimelinessKind; label: string } & TimelinessCount)[];
  byService: ({ kind: TimelinessKind; label: string; service: string } & TimelinessCount)[];
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

function count(items: Item[]): TimelinessCount {
  const onTime = items.filter((i) => i.onTime).length;
  return { total: items.length, onTime, percent: percentage(onTime, items.length) };
}

function group<K extends string>(items: Item[], key: (i: Item) => K): Map<K, Item[]> {
  const map = new Map<K, Item[]>();
  for (const item of items) map.set(key(item), [...(map.get(key(item)) ?? []), item]);
  return map;
}

const ORDER = Object.keys(TIMELINESS_LABELS) as TimelinessKind[];

/**
 * The timeliness report for responses dated between `from` and `to` (inclusive), optionally for some
 * councils only.
 */
export async function timelinessReport(
  db: Db | Tx,
  filter: { from: IsoDate; to: IsoDate; authorityIds?: string[] },
): Promise<TimelinessReport> {
  const [stages, requests, reviews] = await Promise.all([
    respondedComplaintStages(db, filter),
    repo.respondedRequests(db, filter),
    repo.completedReviews(db, filter),
  ]);
  const items: Item[] = [
    ...stages.map((s) => ({
      kind: `complaint_stage_${s.stage}` as TimelinessKind,
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
    return list.length ? [{ kind, label: TIMELINESS_LABELS[kind], ...count(list) }] : [];
  });
  const byService = [...group(items, (i) => `${ORDER.indexOf(i.kind)}|${i.service}`).entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([, list]) => ({
      kind: list[0].kind,
      label: TIMELINESS_LABELS[list[0].kind],
      service: list[0].service,
      ...count(list),
    }));
  const byMonth = [...group(items, (i) => `${i.month}|${ORDER.indexOf(i.kind)}`).entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([, list]) => ({
      kind: list[0].kind,
      label: TIMELINESS_LABELS[list[0].kind],
      month: list[0].month,
      ...count(list),
    }));
  const causes = new Map<string, { service: string; rootCause: string; count: number }>();
  for (const s of stages) {
    if (s.stage !== 1 || !s.rootCause) continue;
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
    byKind,
    byService,
    byMonth,
    complaints: count(items.filter((i) => i.kind.startsWith('complaint_'))),
    informationRequests: count(items.filter((i) => i.kind === 'foi' || i.kind === 'eir' || i.kind === 'sar')),
    rootCauses: [...causes.values()].sort((a, b) => b.count - a.count || a.service.localeCompare(b.service)),
  };
}
