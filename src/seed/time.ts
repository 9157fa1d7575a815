/**
 * When demo contacts happen: working days (England and Wales bank holidays from the platform calendar),
 * office-hours peaks for phone, face to face, letters and webchat, evening peaks for web and email, and
 * a little seasonality (potholes after frost, school places in the autumn). Everything is precomputed per
 * day, so placing millions of contacts costs a table lookup each.
 */
import { loadDefaultCalendar, startOfLondonDay } from '../platform/calendar/index.ts';
import type { Channel, SlaPolicy } from '../platform/db/index.ts';
import { WeightedPicker, type Random } from './random.ts';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

export type ChannelClass = 'office' | 'digital';

/** Phone lines, counters and the post room keep office hours; the website and inboxes never close. */
export function channelClass(channel: Channel): ChannelClass {
  return channel === 'web' ||
    channel === 'email' ||
    channel === 'open311' ||
    channel === 'api' ||
    channel === 'social'
    ? 'digital'
    : 'office';
}

/** 15-minute slots over the day: peaks mid-morning and early afternoon for office channels, evenings online. */
function slotWeights(kind: ChannelClass): [number, number][] {
  const slots: [number, number][] = [];
  for (let slot = 0; slot < 96; slot += 1) {
    const hour = slot / 4;
    let weight: number;
    if (kind === 'office') {
      if (hour < 8 || hour >= 18) weight = 0;
      else if (hour < 9) weight = 0.35;
      else if (hour < 11) weight = 1;
      else if (hour < 12) weight = 0.9;
      else if (hour < 13) weight = 0.65;
      else if (hour < 15) weight = 0.85;
      else if (hour < 16) weight = 0.7;
      else if (hour < 17) weight = 0.5;
      else weight = 0.12;
    } else if (hour < 6) weight = 0.05;
    else if (hour < 8) weight = 0.3;
    else if (hour < 12) weight = 0.8;
    else if (hour < 14) weight = 0.9;
    else if (hour < 17) weight = 0.75;
    else if (hour < 19) weight = 0.7;
    else if (hour < 22) weight = 1;
    else weight = 0.35;
    slots.push([slot, weight]);
  }
  return slots;
}

const SLOTS: Record<ChannelClass, WeightedPicker<number>> = {
  office: new WeightedPicker(slotWeights('office')),
  digital: new WeightedPicker(slotWeights('digital')),
};

/** Monthly demand multipliers by team (January first). Teams not listed are flat. */
export const SEASONALITY: Readonly<Record<string, readonly number[]>> = {
  highways: [1.45, 1.5, 1.35, 1.1, 0.9, 0.8, 0.75, 0.75, 0.85, 0.95, 1.1, 1.3],
  'street-lighting': [1.4, 1.2, 1, 0.8, 0.6, 0.5, 0.5, 0.6, 0.9, 1.3, 1.5, 1.6],
  admissions: [1.5, 1.1, 1, 1.3, 0.8, 0.7, 0.6, 0.7, 1.4, 1.6, 1.2, 1],
  welfare: [1.3, 1.2, 1.1, 0.9, 0.8, 0.7, 0.7, 0.8, 0.9, 1.1, 1.3, 1.4],
  'waste-sites': [0.7, 0.8, 1.1, 1.3, 1.3, 1.2, 1.1, 1.1, 1, 0.9, 0.8, 0.7],
};

const OFFICE_DAY = [0, 1.25, 1.05, 1, 0.95, 0.85, 0]; // Sunday … Saturday
const DIGITAL_DAY = [0.6, 1.05, 1, 1, 1, 0.95, 0.55];

interface Day {
  iso: string;
  startMs: number;
  dow: number;
  month: number;
  working: boolean;
}

function isoOfDayNumber(n: number): string {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

/**
 * A table of days from `from` to `to` (plus a year of margin for due dates), with pickers for the day
 * and the minute of a contact.
 */
export class TimeModel {
  private readonly firstDay: number;
  private readonly days: Day[] = [];
  /** Day numbers of working days, ascending. */
  private readonly workingDays: number[] = [];
  /** For each day in the table, how many working days are on or before it. */
  private readonly workingCount: Int32Array;
  private readonly dayPickers = new Map<string, WeightedPicker<number>>();

  constructor(from: Date, to: Date) {
    const calendar = loadDefaultCalendar({ outOfRange: 'weekends-only', cutOff: null });
    this.firstDay = Math.floor(from.getTime() / DAY_MS) - 7;
    const lastDay = Math.floor(to.getTime() / DAY_MS) + 400;
    this.workingCount = new Int32Array(lastDay - this.firstDay + 1);
    let count = 0;
    for (let n = this.firstDay; n <= lastDay; n += 1) {
      const iso = isoOfDayNumber(n);
      const working = calendar.isWorkingDay(iso);
      if (working) {
        this.workingDays.push(n);
        count += 1;
      }
      this.workingCount[n - this.firstDay] = count;
      this.days.push({
        iso,
        startMs: startOfLondonDay(iso).getTime(),
        dow: (((n + 4) % 7) + 7) % 7,
        month: Number(iso.slice(5, 7)) - 1,
        working,
      });
    }
  }

  private day(n: number): Day {
    const day = this.days[n - this.firstDay];
    if (!day) throw new RangeError(`day ${isoOfDayNumber(n)} is outside the time model`);
    return day;
  }

  /** The London day number an instant falls on. */
  dayOf(ms: number): number {
    let n = Math.floor(ms / DAY_MS);
    if (this.day(n).startMs > ms) n -= 1;
    else if (n + 1 - this.firstDay < this.days.length && this.day(n + 1).startMs <= ms) n += 1;
    return n;
  }

  isWorkingDay(n: number): boolean {
    return this.day(n).working;
  }

  private minuteOf(dayNumber: number, minute: number): number {
    return this.day(dayNumber).startMs + minute * MINUTE_MS;
  }

  /** A minute within the day, weighted by the channel's hourly pattern. */
  instantOn(random: Random, dayNumber: number, kind: ChannelClass): number {
    const slot = SLOTS[kind].pick(random);
    return this.minuteOf(dayNumber, slot * 15 + random.int(15)) + random.int(60) * 1000;
  }

  /** A contact time within [fromMs, toMs) for the channel class and team seasonality. */
  contactTime(random: Random, fromMs: number, toMs: number, kind: ChannelClass, team: string): number {
    const from = this.dayOf(fromMs);
    const to = this.dayOf(toMs - 1);
    const key = `${from}:${to}:${kind}:${team}`;
    let picker = this.dayPickers.get(key);
    if (!picker) {
      const season = SEASONALITY[team];
      const entries: [number, number][] = [];
      for (let n = from; n <= to; n += 1) {
        const day = this.day(n);
        const base =
          kind === 'office'
            ? day.working
              ? OFFICE_DAY[day.dow]
              : 0
            : day.working
              ? DIGITAL_DAY[day.dow]
              : 0.6;
        entries.push([n, base * (season ? season[day.month] : 1)]);
      }
      // A range with no working day (a bank holiday weekend) still needs somewhere to put the contact.
      picker = new WeightedPicker(
        entries.some(([, w]) => w > 0) ? entries : entries.map(([d]) => [d, 1] as [number, number]),
      );
      this.dayPickers.set(key, picker);
    }
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const ms = this.instantOn(random, picker.pick(random), kind);
      if (ms >= fromMs && ms < toMs) return ms;
    }
    return fromMs + random.int(Math.max(1, toMs - fromMs));
  }

  /**
   * A time within [fromMs, toMs) for a one-off range (follow-ups on one case): a day chosen evenly, then a
   * minute by the channel's hourly pattern. Not cached, unlike {@link contactTime}. Null when the range
   * has no office hours in it (a bank holiday weekend) and the channel keeps office hours.
   */
  timeBetween(random: Random, fromMs: number, toMs: number, kind: ChannelClass): number | null {
    const first = this.dayOf(fromMs);
    const last = this.dayOf(toMs - 1);
    for (let attempt = 0; attempt < 8; attempt += 1) {
      let dayNumber = first + random.int(last - first + 1);
      if (kind === 'office' && !this.isWorkingDay(dayNumber)) dayNumber = this.nextWorkingDay(dayNumber);
      if (dayNumber > last) continue;
      const ms = this.instantOn(random, dayNumber, kind);
      if (ms >= fromMs && ms < toMs) return ms;
    }
    if (kind === 'digital') return fromMs + random.int(Math.max(1, toMs - fromMs));
    const ms = this.workingTimeAtOrAfter(random, fromMs);
    return ms < toMs ? ms : null;
  }

  /** `ms` if it is within working hours (09:00–17:00 on a working day), otherwise a time early the next working day. */
  workingTimeAtOrAfter(random: Random, ms: number): number {
    const n = this.dayOf(ms);
    const day = this.day(n);
    const minute = (ms - day.startMs) / MINUTE_MS;
    if (day.working && minute >= 9 * 60 && minute < 17 * 60) return ms;
    const target = day.working && minute < 9 * 60 ? n : this.nextWorkingDay(n);
    return this.minuteOf(target, 9 * 60 + random.int(150)) + random.int(60) * 1000;
  }

  nextWorkingDay(n: number): number {
    const position = this.workingCount[n - this.firstDay];
    const next = this.workingDays[position];
    if (next === undefined) throw new RangeError('beyond the time model');
    return next;
  }

  /** The `amount`-th working day after the day of `ms` (that day not counted), at the same time of day. */
  addWorkingDays(ms: number, amount: number): number {
    const n = this.dayOf(ms);
    const offset = ms - this.day(n).startMs;
    const position = this.workingCount[n - this.firstDay];
    const target = this.workingDays[position + amount - 1];
    if (target === undefined) throw new RangeError('beyond the time model');
    return this.day(target).startMs + offset;
  }

  /** When a case received at `ms` is due under the SLA policy. */
  dueAt(ms: number, sla: SlaPolicy): number {
    switch (sla.unit) {
      case 'working_days':
        return this.addWorkingDays(ms, sla.amount);
      case 'calendar_days':
        return ms + sla.amount * DAY_MS;
      case 'hours':
        return ms + sla.amount * 3_600_000;
    }
  }
}
