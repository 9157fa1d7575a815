/**
 * Use-cases behind the figures page, its JSON and the wallboard: ask the repository for grouped counts,
 * merge the call and callback groups and turn them into figures. The JSON shape is documented in
 * docs/telephony-figures.md; change it only by adding fields.
 */
import { addCalendarDays, startOfLondonDay, toIsoDate } from '../../platform/calendar/index.ts';
import type { Db } from '../../platform/db/index.ts';
import {
  addCounts,
  figuresFromCounts,
  ZERO_COUNTS,
  type CallCounts,
  type CallFigures,
  type FigureSettings,
  type Period,
} from './telephony.figures.ts';
import * as repo from './telephony.figures.repository.ts';

export interface PhoneFiguresReport {
  period: { from: string; to: string; timeZone: 'Europe/London' };
  queue: string | null;
  settings: FigureSettings;
  totals: CallFigures;
  byQueue: ({ queue: string | null; name: string | null } & CallFigures)[];
  byHour: ({ hour: number } & CallFigures)[];
  byDay: ({ date: string } & CallFigures)[];
}

/** The figures for a period (whole Europe/London days), optionally one queue, over the given councils. */
export async function phoneFigures(
  db: Db,
  input: { authorityIds: string[]; period: Period; queueCode: string | null; settings: FigureSettings },
): Promise<PhoneFiguresReport> {
  const scope = {
    authorityIds: input.authorityIds,
    start: input.period.start,
    end: input.period.end,
    queueCode: input.queueCode,
  };
  const [calls, callbacks] = await Promise.all([
    repo.callCounts(db, scope, input.settings),
    repo.callbackCounts(db, scope),
  ]);
  const groups = new Map<string, { row: repo.CountsRow; counts: CallCounts }>();
  for (const row of [...calls, ...callbacks]) {
    const key = `${row.kind}|${row.queueCode ?? ''}|${row.hour ?? ''}|${row.day ?? ''}`;
    const group = groups.get(key);
    if (group) {
      group.counts = addCounts(group.counts, row.counts);
      group.row.queueName ??= row.queueName;
    } else groups.set(key, { row, counts: addCounts(ZERO_COUNTS, row.counts) });
  }
  const of = (kind: repo.GroupKind) => [...groups.values()].filter((g) => g.row.kind === kind);
  const figures = (counts: CallCounts) => figuresFromCounts(counts, input.settings);
  const total = of('total')[0]?.counts ?? ZERO_COUNTS;
  return {
    period: { from: input.period.from, to: input.period.to, timeZone: 'Europe/London' },
    queue: input.queueCode,
    settings: input.settings,
    totals: figures(total),
    byQueue: of('queue')
      .sort((a, b) => {
        // Queues by code, then calls and callbacks with no queue.
        if (a.row.queueCode === b.row.queueCode) return 0;
        if (a.row.queueCode === null) return 1;
        if (b.row.queueCode === null) return -1;
        return a.row.queueCode < b.row.queueCode ? -1 : 1;
      })
      .map((g) => ({ queue: g.row.queueCode, name: g.row.queueName, ...figures(g.counts) })),
    byHour: of('hour')
      .sort((a, b) => (a.row.hour ?? 0) - (b.row.hour ?? 0))
      .map((g) => ({ hour: g.row.hour ?? 0, ...figures(g.counts) })),
    byDay: of('day')
      .sort((a, b) => (a.row.day ?? '').localeCompare(b.row.day ?? ''))
      .map((g) => ({ date: g.row.day ?? '', ...figures(g.counts) })),
  };
}

export interface WallboardQueue {
  queue: string | null;
  name: string;
  authorityName: string | null;
  waitingNow: number;
  longestWaitSeconds: number | null;
  onCallNow: number;
  offered: number;
  answered: number;
  abandoned: number;
  serviceLevel: number | null;
  serviceLevelMet: boolean | null;
  callbacksDue: number;
  callbacksOverdue: number;
}

export interface Wallboard {
  asOf: Date;
  today: string;
  queues: WallboardQueue[];
  totals: WallboardQueue;
}

/** Today so far (Europe/London) and now, by queue, over the given councils. */
export async function wallboard(
  db: Db,
  input: { authorityIds: string[]; now: Date; settings: FigureSettings },
): Promise<Wallboard> {
  const today = toIsoDate(input.now);
  const start = startOfLondonDay(today);
  const end = startOfLondonDay(addCalendarDays(today, 1));
  const scope = { authorityIds: input.authorityIds, start, end, queueCode: null };
  const [queues, counts, live, callbacks] = await Promise.all([
    repo.queuesFor(db, input.authorityIds),
    repo.callCounts(db, scope, input.settings),
    repo.liveByQueue(db, input.authorityIds, input.now),
    repo.openCallbacks(db, input.authorityIds, input.now, end),
  ]);
  const board = (
    queue: string | null,
    name: string,
    authorityName: string | null,
    c: Partial<CallCounts> | undefined,
    l: Omit<repo.LiveQueueRow, 'queueCode'>[],
    cb: repo.OpenCallbacksRow | undefined,
  ): WallboardQueue => {
    const f = figuresFromCounts(addCounts(ZERO_COUNTS, c ?? {}), input.settings);
    const waits = l.map((x) => x.longestWaitSeconds).filter((x): x is number => x !== null);
    return {
      queue,
      name,
      authorityName,
      waitingNow: l.reduce((n, x) => n + x.waitingNow, 0),
      longestWaitSeconds: waits.length ? Math.max(...waits) : null,
      onCallNow: l.reduce((n, x) => n + x.onCallNow, 0),
      offered: f.offered,
      answered: f.answered,
      abandoned: f.abandoned,
      serviceLevel: f.serviceLevel,
      serviceLevelMet: f.serviceLevelMet,
      callbacksDue: cb?.dueToday ?? 0,
      callbacksOverdue: cb?.overdue ?? 0,
    };
  };
  const countsFor = (code: string) => counts.find((r) => r.kind === 'queue' && r.queueCode === code)?.counts;
  const rows = queues.map((q) =>
    board(
      q.code,
      q.name,
      q.authorityName,
      countsFor(q.code),
      live.filter((l) => l.queueCode === q.code),
      callbacks.find((c) => !c.total && c.queueCode === q.code),
    ),
  );
  // Agents on calls outside any queue (outbound, direct dial) count in the totals only.
  const totals = board(
    null,
    'All queues',
    null,
    counts.find((r) => r.kind === 'total')?.counts,
    live,
    callbacks.find((c) => c.total),
  );
  return { asOf: input.now, today, queues: rows, totals };
}
