/**
 * Contact-centre figures for the phone channel (issue 14): what each figure means, and the arithmetic that
 * turns the counts the repository aggregates in SQL into rates and averages. Pure: no SQL, no clock.
 * The definitions here are the ones the figures page shows under "How this is counted" and
 * docs/telephony-figures.md documents.
 */
import {
  addCalendarDays,
  isIsoDate,
  startOfLondonDay,
  toIsoDate,
  type IsoDate,
} from '../../platform/calendar/index.ts';

/** The thresholds behind the figures; every one has a default and can be changed when registering the routes. */
export interface FigureSettings {
  /** A queued call that ends unanswered within this many seconds is a short abandon (not offered). */
  shortAbandonSeconds: number;
  /** Answered within this many seconds of joining the queue counts towards the service level. */
  serviceLevelSeconds: number;
  /** The service level the centre aims for, as a fraction (0.8 = 80%). */
  serviceLevelTarget: number;
  /** A wrap-up this long after the call ended or sooner counts as after-call work in the handle time. */
  afterCallWorkMaxMinutes: number;
  /** Another contact within this many days after a call means it was not resolved at first contact. */
  repeatWithinDays: number;
}

export const DEFAULT_FIGURE_SETTINGS: FigureSettings = {
  shortAbandonSeconds: 5,
  serviceLevelSeconds: 20,
  serviceLevelTarget: 0.8,
  afterCallWorkMaxMinutes: 10,
  repeatWithinDays: 7,
};

/** What the repository counts for one group of calls (a queue, an hour, a day or the whole period). */
export interface CallCounts {
  received: number;
  blocked: number;
  ivrAbandoned: number;
  noOptionChosen: number;
  queued: number;
  shortAbandoned: number;
  answered: number;
  answeredWithinTarget: number;
  abandoned: number;
  callbackRequested: number;
  voicemailOrForwarded: number;
  speedOfAnswerSeconds: number;
  speedOfAnswerCalls: number;
  handleSeconds: number;
  handledCalls: number;
  wrappedUp: number;
  resolvedFirstContact: number;
  failureDemand: number;
  callbacksDue: number;
  callbacksKeptOnTime: number;
}

export const ZERO_COUNTS: CallCounts = {
  received: 0,
  blocked: 0,
  ivrAbandoned: 0,
  noOptionChosen: 0,
  queued: 0,
  shortAbandoned: 0,
  answered: 0,
  answeredWithinTarget: 0,
  abandoned: 0,
  callbackRequested: 0,
  voicemailOrForwarded: 0,
  speedOfAnswerSeconds: 0,
  speedOfAnswerCalls: 0,
  handleSeconds: 0,
  handledCalls: 0,
  wrappedUp: 0,
  resolvedFirstContact: 0,
  failureDemand: 0,
  callbacksDue: 0,
  callbacksKeptOnTime: 0,
};

/** The published figures for one group: the JSON shape of docs/telephony-figures.md. Rates are fractions. */
export interface CallFigures {
  received: number;
  blocked: number;
  ivrAbandoned: number;
  noOptionChosen: number;
  queued: number;
  shortAbandoned: number;
  offered: number;
  answered: number;
  answeredWithinTarget: number;
  abandoned: number;
  callbackRequested: number;
  voicemailOrForwarded: number;
  serviceLevel: number | null;
  serviceLevelMet: boolean | null;
  abandonRate: number | null;
  averageSpeedOfAnswerSeconds: number | null;
  averageHandleTimeSeconds: number | null;
  wrappedUp: number;
  resolvedFirstContact: number;
  firstContactResolution: number | null;
  failureDemand: number;
  failureDemandShare: number | null;
  callbacksDue: number;
  callbacksKeptOnTime: number;
  callbacksKeptRate: number | null;
}

const ratio = (part: number, whole: number): number | null =>
  whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000;
const mean = (sum: number, count: number): number | null =>
  count === 0 ? null : Math.round((sum / count) * 10) / 10;

/** Turns counts into figures: offered, rates (fractions to 4 places) and averages (seconds to 1 place). */
export function figuresFromCounts(counts: CallCounts, settings: FigureSettings): CallFigures {
  const offered = counts.queued - counts.shortAbandoned;
  const serviceLevel = ratio(counts.answeredWithinTarget, offered);
  return {
    received: counts.received,
    blocked: counts.blocked,
    ivrAbandoned: counts.ivrAbandoned,
    noOptionChosen: counts.noOptionChosen,
    queued: counts.queued,
    shortAbandoned: counts.shortAbandoned,
    offered,
    answered: counts.answered,
    answeredWithinTarget: counts.answeredWithinTarget,
    abandoned: counts.abandoned,
    callbackRequested: counts.callbackRequested,
    voicemailOrForwarded: counts.voicemailOrForwarded,
    serviceLevel,
    serviceLevelMet: serviceLevel === null ? null : serviceLevel >= settings.serviceLevelTarget,
    abandonRate: ratio(counts.abandoned, offered),
    averageSpeedOfAnswerSeconds: mean(counts.speedOfAnswerSeconds, counts.speedOfAnswerCalls),
    averageHandleTimeSeconds: mean(counts.handleSeconds, counts.handledCalls),
    wrappedUp: counts.wrappedUp,
    resolvedFirstContact: counts.resolvedFirstContact,
    firstContactResolution: ratio(counts.resolvedFirstContact, counts.wrappedUp),
    failureDemand: counts.failureDemand,
    failureDemandShare: ratio(counts.failureDemand, counts.wrappedUp),
    callbacksDue: counts.callbacksDue,
    callbacksKeptOnTime: counts.callbacksKeptOnTime,
    callbacksKeptRate: ratio(counts.callbacksKeptOnTime, counts.callbacksDue),
  };
}

/** Adds two sets of counts (the figures page merges call and callback groups with it). */
export function addCounts(a: CallCounts, b: Partial<CallCounts>): CallCounts {
  const out = { ...a };
  for (const key of Object.keys(out) as (keyof CallCounts)[]) out[key] += b[key] ?? 0;
  return out;
}

/** One figure's name and how it is counted, in plain English, for the page and the docs. */
export interface FigureDefinition {
  key: keyof CallFigures | 'waitingNow' | 'longestWaitSeconds' | 'onCallNow' | 'callbacksOverdue';
  name: string;
  definition: string;
}

/** The definitions, with the settings in force written into them. */
export function figureDefinitions(s: FigureSettings): FigureDefinition[] {
  const target = `${Math.round(s.serviceLevelTarget * 100)}%`;
  // Headline figures first, then those counted apart.
  return [
    {
      key: 'offered',
      name: 'Calls offered',
      definition: 'Calls that joined a queue, minus short abandons.',
    },
    {
      key: 'answered',
      name: 'Calls answered',
      definition: 'Inbound calls answered by a member of staff.',
    },
    {
      key: 'abandoned',
      name: 'Calls abandoned',
      definition: `Calls that joined a queue and ended unanswered after ${s.shortAbandonSeconds} seconds or more, except those where the caller asked for a callback and those that went to voicemail or were forwarded.`,
    },
    {
      key: 'abandonRate',
      name: 'Abandon rate',
      definition: 'Calls abandoned divided by calls offered.',
    },
    {
      key: 'serviceLevel',
      name: 'Service level',
      definition: `Calls answered within ${s.serviceLevelSeconds} seconds of joining the queue, divided by calls offered. The target is ${target}.`,
    },
    {
      key: 'averageSpeedOfAnswerSeconds',
      name: 'Average speed of answer',
      definition:
        'The average time answered calls waited in the queue, from joining the queue to being answered.',
    },
    {
      key: 'averageHandleTimeSeconds',
      name: 'Average handle time',
      definition: `For answered calls that have ended: talk and hold time (answer to hang-up) plus after-call work (hang-up to wrap-up, when the wrap-up was done within ${s.afterCallWorkMaxMinutes} minutes).`,
    },
    {
      key: 'firstContactResolution',
      name: 'First contact resolution',
      definition: `Answered calls wrapped up as resolved at first contact where the customer made no other contact (any channel) about the same service, or about anything when the call had no service, within ${s.repeatWithinDays} days after the call; divided by answered calls that were wrapped up. For unknown callers the wrap-up alone counts. Recent calls may still be repeated, so figures for the last ${s.repeatWithinDays} days can go down.`,
    },
    {
      key: 'failureDemandShare',
      name: 'Failure demand',
      definition:
        'Wrapped-up calls the agent marked as failure demand (chasing progress, a repeat, wrong information or other contact the council caused), divided by wrapped-up calls.',
    },
    {
      key: 'callbacksKeptRate',
      name: 'Callbacks kept on time',
      definition:
        'Callbacks due in the period (not cancelled) completed on time, divided by callbacks due in the period. By queue, a callback belongs to the queue of the call it was asked for from; by hour and day, to when it was due.',
    },
    {
      key: 'received',
      name: 'Calls received',
      definition:
        'Inbound calls that arrived in the period (by when the call arrived), including those that ended in the phone menu. Calls rejected because the number is blocked are not included; they are counted apart. Outbound calls are never counted.',
    },
    {
      key: 'ivrAbandoned',
      name: 'Ended in the phone menu',
      definition:
        'Calls that ended before joining a queue and were never answered: the caller hung up in the phone menu. Not offered, not abandoned.',
    },
    {
      key: 'noOptionChosen',
      name: 'No option chosen',
      definition: 'Calls where the caller chose no option in the phone menu (whatever happened next).',
    },
    {
      key: 'shortAbandoned',
      name: 'Short abandons',
      definition: `Calls that joined a queue and ended unanswered within ${s.shortAbandonSeconds} seconds (for example a wrong number). Not offered and not abandoned. A call where the caller asked for a callback, or that went to voicemail or was forwarded, is never a short abandon.`,
    },
    {
      key: 'callbackRequested',
      name: 'Callbacks requested instead of waiting',
      definition:
        'Calls that joined a queue, were not answered and from which the caller asked for a callback. Not abandoned.',
    },
    {
      key: 'voicemailOrForwarded',
      name: 'Voicemail or forwarded',
      definition:
        'Calls that joined a queue, were not answered and went to voicemail or were forwarded elsewhere.',
    },
    {
      key: 'blocked',
      name: 'Blocked calls',
      definition:
        'Calls rejected on arrival because the number is blocked. Counted apart from everything else.',
    },
  ];
}

/** Definitions of the wallboard's live numbers. */
export function wallboardDefinitions(s: FigureSettings): FigureDefinition[] {
  const byKey = new Map(figureDefinitions(s).map((d) => [d.key, d]));
  return [
    {
      key: 'waitingNow',
      name: 'Waiting now',
      definition: 'Calls in a queue now: joined a queue in the last 24 hours, not answered and not ended.',
    },
    {
      key: 'longestWaitSeconds',
      name: 'Longest wait',
      definition: 'How long the call that has waited longest so far has been in the queue.',
    },
    {
      key: 'onCallNow',
      name: 'Agents on a call',
      definition:
        'Members of staff on an answered call that has not ended (calls answered in the last 24 hours).',
    },
    byKey.get('answered')!,
    byKey.get('abandoned')!,
    byKey.get('serviceLevel')!,
    {
      key: 'callbacksDue',
      name: 'Callbacks due today',
      definition: 'Open callbacks due by the end of today, including overdue ones.',
    },
    {
      key: 'callbacksOverdue',
      name: 'Callbacks overdue',
      definition: 'Open callbacks whose due time has passed.',
    },
  ];
}

export type PeriodChoice = 'today' | 'yesterday' | 'last7' | 'custom';

/** A period of whole Europe/London days, `from` to `to` inclusive, and the instants that bound it. */
export interface Period {
  choice: PeriodChoice;
  from: IsoDate;
  to: IsoDate;
  start: Date;
  end: Date;
}

/** The period for a choice on a given day (custom dates must be checked first: `from` ≤ `to`). */
export function periodFor(choice: PeriodChoice, now: Date, custom?: { from: IsoDate; to: IsoDate }): Period {
  const today = toIsoDate(now);
  const [from, to] =
    choice === 'today'
      ? [today, today]
      : choice === 'yesterday'
        ? [addCalendarDays(today, -1), addCalendarDays(today, -1)]
        : choice === 'last7'
          ? [addCalendarDays(today, -6), today]
          : [custom!.from, custom!.to];
  return { choice, from, to, start: startOfLondonDay(from), end: startOfLondonDay(addCalendarDays(to, 1)) };
}

/** Builds an ISO date from a GOV.UK date input's three parts, or null when they are not a real date. */
export function dateFromParts(day: string, month: string, year: string): IsoDate | null {
  if (!/^\d{1,2}$/.test(day.trim()) || !/^\d{1,2}$/.test(month.trim()) || !/^\d{4}$/.test(year.trim()))
    return null;
  const iso = `${year.trim()}-${month.trim().padStart(2, '0')}-${day.trim().padStart(2, '0')}`;
  return isIsoDate(iso) ? iso : null;
}

/** "45%", "2 min 5 s", "–": how figures read on the page. */
export function percentText(value: number | null): string {
  return value === null ? '–' : `${(Math.round(value * 1000) / 10).toString()}%`;
}

export function secondsText(value: number | null): string {
  if (value === null) return '–';
  const whole = Math.round(value);
  if (whole < 60) return `${whole} s`;
  const minutes = Math.floor(whole / 60);
  const seconds = whole % 60;
  return seconds === 0 ? `${minutes} min` : `${minutes} min ${seconds} s`;
}
