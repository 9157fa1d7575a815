/**
 * Contact-centre figures for team leaders (issue 14): `/staff/phone/figures` (period and queue filters,
 * summary, tables by queue, hour and day, each figure's definition one click away), the same figures as
 * JSON at `/staff/phone/figures.json`, and the live wallboard `/staff/phone/wallboard`, which refreshes
 * itself every 15 seconds without JavaScript. All need `reports:read` and show only the councils in the
 * member of staff's scope. No personal data: nothing is audited.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/index.ts';
import { staffRoute } from '../../platform/http/route-options.ts';
import { formatDate } from '../../platform/views/index.ts';
import { authorityScope, staffNavItems } from '../identity/index.ts';
import {
  dateFromParts,
  DEFAULT_FIGURE_SETTINGS,
  figureDefinitions,
  percentText,
  periodFor,
  secondsText,
  wallboardDefinitions,
  type CallFigures,
  type FigureSettings,
  type Period,
  type PeriodChoice,
} from './telephony.figures.ts';
import { queuesFor } from './telephony.figures.repository.ts';
import { phoneFigures, wallboard, type WallboardQueue } from './telephony.figures.service.ts';

export interface PhoneFiguresDeps {
  db: Db;
  clock: Clock;
  /** Thresholds (short abandon, service level and its target, …); defaults in DEFAULT_FIGURE_SETTINGS. */
  settings?: Partial<FigureSettings>;
}

const text = z.string().max(20).optional();
const figuresQuery = z.object({
  period: z.enum(['today', 'yesterday', 'last7', 'custom']).optional(),
  queue: z.string().max(100).optional(),
  'from-day': text,
  'from-month': text,
  'from-year': text,
  'to-day': text,
  'to-month': text,
  'to-year': text,
});

const PERIOD_LABELS: Record<PeriodChoice, string> = {
  today: 'Today',
  yesterday: 'Yesterday',
  last7: 'Last 7 days',
  custom: 'Choose dates',
};

interface ParsedFilters {
  period: Period | null;
  queueCode: string | null;
  values: z.output<typeof figuresQuery>;
  errors: { field: string; message: string }[];
}

async function parseFilters(
  db: Db,
  request: FastifyRequest,
  now: Date,
  authorityIds: string[],
): Promise<ParsedFilters & { queues: Awaited<ReturnType<typeof queuesFor>> }> {
  const parsed = figuresQuery.safeParse(request.query ?? {});
  const values = parsed.success ? parsed.data : {};
  const errors: { field: string; message: string }[] = [];
  if (!parsed.success) errors.push({ field: 'period', message: 'Choose a period from the list' });
  const choice: PeriodChoice = values.period ?? 'today';
  const queues = await queuesFor(db, authorityIds);
  const queueCode = values.queue ? values.queue : null;
  if (queueCode && !queues.some((q) => q.code === queueCode))
    errors.push({ field: 'queue', message: 'Choose a queue from the list' });
  let period: Period | null = null;
  if (choice === 'custom') {
    const from = dateFromParts(
      values['from-day'] ?? '',
      values['from-month'] ?? '',
      values['from-year'] ?? '',
    );
    const to = dateFromParts(values['to-day'] ?? '', values['to-month'] ?? '', values['to-year'] ?? '');
    if (!from) errors.push({ field: 'from-day', message: 'Enter a real start date, for example 1 12 2026' });
    if (!to) errors.push({ field: 'to-day', message: 'Enter a real end date, for example 7 12 2026' });
    if (from && to && from > to)
      errors.push({ field: 'to-day', message: 'The end date must be the same as or after the start date' });
    if (from && to && from <= to) period = periodFor('custom', now, { from, to });
  } else period = periodFor(choice, now);
  return { period: errors.length ? null : period, queueCode, values, errors, queues };
}

/** One summary card per figure: its value, what it is out of, and its definition behind "How this is counted". */
function summaryCards(f: CallFigures, s: FigureSettings) {
  const target = `${Math.round(s.serviceLevelTarget * 100)}%`;
  const values: Partial<Record<string, { value: string; detail?: string }>> = {
    received: { value: String(f.received) },
    offered: { value: String(f.offered) },
    answered: { value: String(f.answered) },
    abandoned: { value: String(f.abandoned) },
    abandonRate: { value: percentText(f.abandonRate), detail: `${f.abandoned} of ${f.offered} offered` },
    serviceLevel: {
      value: percentText(f.serviceLevel),
      detail:
        f.serviceLevelMet === null
          ? `Target ${target}`
          : `${f.answeredWithinTarget} of ${f.offered} offered. Target ${target}: ${f.serviceLevelMet ? 'met' : 'not met'}`,
    },
    averageSpeedOfAnswerSeconds: { value: secondsText(f.averageSpeedOfAnswerSeconds) },
    averageHandleTimeSeconds: { value: secondsText(f.averageHandleTimeSeconds) },
    firstContactResolution: {
      value: percentText(f.firstContactResolution),
      detail: `${f.resolvedFirstContact} of ${f.wrappedUp} wrapped up`,
    },
    failureDemandShare: {
      value: percentText(f.failureDemandShare),
      detail: `${f.failureDemand} of ${f.wrappedUp} wrapped up`,
    },
    callbacksKeptRate: {
      value: percentText(f.callbacksKeptRate),
      detail: `${f.callbacksKeptOnTime} of ${f.callbacksDue} due`,
    },
    shortAbandoned: { value: String(f.shortAbandoned) },
    ivrAbandoned: { value: String(f.ivrAbandoned) },
    noOptionChosen: { value: String(f.noOptionChosen) },
    callbackRequested: { value: String(f.callbackRequested) },
    voicemailOrForwarded: { value: String(f.voicemailOrForwarded) },
    blocked: { value: String(f.blocked) },
  };
  return figureDefinitions(s).map((d) => ({
    key: d.key,
    name: d.name,
    definition: d.definition,
    ...values[d.key],
  }));
}

const TABLE_HEAD = [
  'Received',
  'Offered',
  'Answered',
  'Abandoned',
  'Abandon rate',
  'Service level',
  'Average speed of answer',
  'Average handle time',
  'First contact resolution',
  'Failure demand',
  'Callbacks kept on time',
  'Short abandons',
  'Ended in menu',
  'No option chosen',
  'Callbacks requested',
  'Voicemail or forwarded',
  'Blocked',
].map((t) => ({ text: t, format: 'numeric' }));

function tableRow(label: string, f: CallFigures) {
  const num = (value: string) => ({ text: value, format: 'numeric' });
  return [
    { text: label },
    num(String(f.received)),
    num(String(f.offered)),
    num(String(f.answered)),
    num(String(f.abandoned)),
    num(percentText(f.abandonRate)),
    num(percentText(f.serviceLevel)),
    num(secondsText(f.averageSpeedOfAnswerSeconds)),
    num(secondsText(f.averageHandleTimeSeconds)),
    num(percentText(f.firstContactResolution)),
    num(percentText(f.failureDemandShare)),
    num(`${percentText(f.callbacksKeptRate)} (${f.callbacksKeptOnTime} of ${f.callbacksDue})`),
    num(String(f.shortAbandoned)),
    num(String(f.ivrAbandoned)),
    num(String(f.noOptionChosen)),
    num(String(f.callbackRequested)),
    num(String(f.voicemailOrForwarded)),
    num(String(f.blocked)),
  ];
}

const hourLabel = (hour: number) =>
  `${String(hour).padStart(2, '0')}:00 to ${String(hour).padStart(2, '0')}:59`;

function wallboardView(q: WallboardQueue, s: FigureSettings) {
  const target = `${Math.round(s.serviceLevelTarget * 100)}%`;
  return {
    name: q.name,
    authorityName: q.authorityName,
    id: `queue-${q.queue ?? 'all'}`,
    numbers: [
      { label: 'Waiting now', value: String(q.waitingNow) },
      { label: 'Longest wait', value: secondsText(q.longestWaitSeconds) },
      { label: 'Agents on a call', value: String(q.onCallNow) },
      { label: 'Answered today', value: String(q.answered) },
      { label: 'Abandoned today', value: String(q.abandoned) },
      {
        label: 'Service level today',
        value: percentText(q.serviceLevel),
        note:
          q.serviceLevelMet === null
            ? `Target ${target}`
            : `Target ${target}: ${q.serviceLevelMet ? 'met' : 'below target'}`,
      },
      { label: 'Callbacks due today', value: String(q.callbacksDue) },
      { label: 'Callbacks overdue', value: String(q.callbacksOverdue) },
    ],
  };
}

/** Registers the phone figures page, its JSON and the wallboard, and the "Phone figures" staff nav item. */
export async function registerPhoneFigures(app: FastifyInstance, deps: PhoneFiguresDeps): Promise<void> {
  const settings: FigureSettings = { ...DEFAULT_FIGURE_SETTINGS, ...deps.settings };
  if (!staffNavItems.some((i) => i.href === '/staff/phone/figures'))
    staffNavItems.push({ href: '/staff/phone/figures', text: 'Phone figures', permission: 'reports:read' });

  app.get('/staff/phone/figures', staffRoute('reports:read', false), async (request, reply) => {
    const authorityIds = authorityScope(request.staff!);
    const now = deps.clock.now();
    const filters = await parseFilters(deps.db, request, now, authorityIds);
    const report = filters.period
      ? await phoneFigures(deps.db, {
          authorityIds,
          period: filters.period,
          queueCode: filters.queueCode,
          settings,
        })
      : null;
    const v = filters.values;
    const errorFor = (field: string) => {
      const e = filters.errors.find((x) => x.field === field);
      return e ? { text: e.message } : undefined;
    };
    const dateItems = (prefix: 'from' | 'to', error: boolean) =>
      (['day', 'month', 'year'] as const).map((part) => ({
        name: part,
        value: v[`${prefix}-${part}`] ?? '',
        classes: `govuk-input--width-${part === 'year' ? 4 : 2}${error ? ' govuk-input--error' : ''}`,
      }));
    const queueName = filters.queues.find((q) => q.code === filters.queueCode)?.name;
    const periodText = report
      ? report.period.from === report.period.to
        ? formatDate(report.period.from, 'weekday')
        : `${formatDate(report.period.from)} to ${formatDate(report.period.to)}`
      : '';
    if (filters.errors.length) reply.code(400);
    return reply.view('telephony/figures.njk', {
      pageTitle: 'Phone figures',
      errorList: filters.errors.map((e) => ({ text: e.message, href: `#${e.field}` })),
      periodItems: (Object.keys(PERIOD_LABELS) as PeriodChoice[]).map((value) => ({
        value,
        text: PERIOD_LABELS[value],
        checked: (v.period ?? 'today') === value,
      })),
      queueItems: [
        { value: '', text: 'All queues', selected: !filters.queueCode },
        ...filters.queues.map((q) => ({
          value: q.code,
          text: `${q.name} (${q.authorityName})`,
          selected: q.code === filters.queueCode,
        })),
      ],
      queueError: errorFor('queue'),
      fromError: errorFor('from-day'),
      toError: errorFor('to-day'),
      fromItems: dateItems('from', Boolean(errorFor('from-day'))),
      toItems: dateItems('to', Boolean(errorFor('to-day'))),
      jsonHref: `/staff/phone/figures.json${request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : ''}`,
      report: report
        ? {
            periodText,
            queueText: queueName ?? 'All queues',
            cards: summaryCards(report.totals, settings),
            byQueue: report.byQueue.map((r) =>
              tableRow(r.queue === null ? 'No queue' : (r.name ?? r.queue), r),
            ),
            byHour: report.byHour.map((r) => tableRow(hourLabel(r.hour), r)),
            byDay: report.byDay.map((r) => tableRow(formatDate(r.date, 'short'), r)),
            head: TABLE_HEAD,
          }
        : null,
      definitions: figureDefinitions(settings),
    });
  });

  app.get('/staff/phone/figures.json', staffRoute('reports:read', false), async (request, reply) => {
    const authorityIds = authorityScope(request.staff!);
    const now = deps.clock.now();
    const filters = await parseFilters(deps.db, request, now, authorityIds);
    reply.header('cache-control', 'private, no-store');
    if (!filters.period)
      return reply
        .code(400)
        .send({ errors: filters.errors.map((e) => ({ field: e.field, message: e.message })) });
    const report = await phoneFigures(deps.db, {
      authorityIds,
      period: filters.period,
      queueCode: filters.queueCode,
      settings,
    });
    return reply.send({ generatedAt: now.toISOString(), ...report });
  });

  // WCAG 2.2.1 (timing adjustable): a refreshing page must be able to be stopped, so `?refresh=off` shows
  // the same board without the meta refresh (axe's meta-refresh rule flags the refreshing page by design).
  app.get('/staff/phone/wallboard', staffRoute('reports:read', false), async (request, reply) => {
    const refresh = (request.query as { refresh?: unknown } | undefined)?.refresh !== 'off';
    const board = await wallboard(deps.db, {
      authorityIds: authorityScope(request.staff!),
      now: deps.clock.now(),
      settings,
    });
    reply.header('cache-control', 'private, no-store');
    return reply.view('telephony/wallboard.njk', {
      pageTitle: 'Phone wallboard',
      refresh,
      updatedAt: formatDate(board.asOf, 'time'),
      todayText: formatDate(board.today, 'weekday'),
      queues: board.queues.map((q) => wallboardView(q, settings)),
      totals: wallboardView(board.totals, settings),
      definitions: wallboardDefinitions(settings),
    });
  });
}
