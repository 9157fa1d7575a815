/**
 * Service-level (SLA) clocks: when is a case due, how much of its time has gone, is it at risk?
 *
 * A clock has a **policy** (`{ unit, amount }`), a **start** instant, optional **pauses** (intervals in
 * which the clock is stopped, e.g. "awaiting customer") and optional **extensions**. Everything is a
 * pure function of those inputs, the calendar and `now`.
 *
 * ## Rules
 *
 * **`working_days`** — "due within N working days of receipt":
 * - the clock starts on the *day of receipt* `R = calendar.receivedDate(start)` (the London date, moved
 *   to the next working day for a weekend/bank holiday or at/after the 17:00 cut-off);
 * - the due date is the N-th working day after `R` (`R` itself is not counted), plus one working day per
 *   extension day, and it is due at the **end of that day, 23:59:59.999 London time**;
 * - **pauses**: each instant `t` stands on the working day `receivedDate(t)`. A pause from `a` to `b`
 *   pushes the due date by the number of working days `d` with `receivedDate(a) < d ≤ receivedDate(b)`,
 *   i.e. `calendar.workingDaysBetween(receivedDate(a), receivedDate(b))`. So: paused and resumed on the
 *   same working day → 0; Friday 10:00 to Monday 10:00 → 1 (Monday); Friday 17:30 to Monday 09:00 → 0
 *   (both stand on Monday: no working day was lost); Thursday 24 Dec 2026 10:00 to Tuesday 29 Dec 10:00
 *   in England → 1 (the 29th; 25th and 28th are bank holidays). A resumption at or after the cut-off
 *   stands on the next working day, exactly as a new contact would.
 *
 * **`calendar_days`** — the due date is the London date of `start` plus N calendar days (plus
 * extension days), due at 23:59:59.999 London time; no cut-off and no working-day roll. A pause pushes
 * by the number of calendar days between the London dates of its start and end.
 *
 * **`hours`** — elapsed wall-clock time: due at `start + N hours + 24 h per extension day + the total
 * length of the pauses`. Nights, weekends and holidays count; paused time does not.
 *
 * **All units**:
 * - pauses before `start` are clipped to it; overlapping pauses are merged; at most one may be open
 *   (`to: null`) and it must be the last;
 * - a pause that starts *after* the clock has already breached (after the due instant as computed from
 *   the earlier pauses) does not move the due date: a breached case cannot be un-breached by pausing it;
 * - everything is "as of `now`": pauses starting after `now` are ignored and an open pause is treated
 *   as running until `now`. {@link SlaClock.dueAt} without `now` uses every pause in full and throws if
 *   one is still open.
 *
 * **State** at `now`: `'paused'` while inside a pause that counts; otherwise `'breached'` when
 * `now > dueAt`; otherwise `'warning'` when `fractionElapsed ≥ 0.8` (configurable); else `'on_track'`.
 *
 * **`fractionElapsed(now)`** = consumed ÷ (consumed + remaining), where *consumed* is the clock time from
 * `start` to `now` less paused time, and *remaining* is the clock time from `now` to `dueAt` (negative
 * once breached, so the fraction exceeds 1). Clock time is wall-clock time for `hours` and
 * `calendar_days`; for `working_days` it is *working time*: each working day counts as one unit spread
 * evenly over its 24 hours and other days count nothing, so a weekend does not use up the allowance. It
 * is 0 at the start and exactly 1 at `dueAt`. (For a 5-working-day clock received at 10:00 on a
 * Monday, the warning comes on at about 21:10 on the Friday, the last working day before the due date.)
 *
 * **`workingDaysLeft(now)`** = `calendar.workingDaysBetween(London date of now, London date of dueAt)`:
 * 0 when due today, 1 when due on the next working day, negative when overdue.
 */
import {
  calendarDaysBetween,
  addCalendarDays,
  type IsoDate,
  type WorkingDayCalendar,
} from '../calendar/index.ts';

export type SlaUnit = 'working_days' | 'hours' | 'calendar_days';

export interface SlaPolicy {
  unit: SlaUnit;
  /** Whole number of working or calendar days (≥ 0), or a number of hours (> 0, fractions allowed). */
  amount: number;
}

/** An interval in which the clock is stopped. `to: null` means still paused. */
export interface SlaPause {
  from: Date;
  to: Date | null;
}

/** More time granted: `days` working days, calendar days, or (for an `hours` policy) 24-hour periods. */
export interface SlaExtension {
  days: number;
  reason: string;
}

export type SlaState = 'on_track' | 'warning' | 'breached' | 'paused';

/** Fraction of the allowance after which a clock shows `'warning'`. */
export const SLA_WARNING_THRESHOLD = 0.8;

export interface SlaClockInput {
  policy: SlaPolicy;
  startedAt: Date;
  pauses?: readonly SlaPause[];
  extensions?: readonly SlaExtension[];
  /** Default {@link SLA_WARNING_THRESHOLD} (0.8). */
  warningThreshold?: number;
}

export interface SlaSnapshot {
  dueAt: Date;
  /** London date of `dueAt`. */
  dueDate: IsoDate;
  state: SlaState;
  fractionElapsed: number;
  workingDaysLeft: number;
  /** Working days (or calendar days / milliseconds, by unit) the counted pauses have added. */
  pausedBy: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

interface Interval {
  from: number;
  /** `null` = open. */
  to: number | null;
}

interface CountedPause {
  from: number;
  /** End as of `now` (never after `now`). */
  to: number;
  /** Still in effect at `now`. */
  active: boolean;
}

interface Computation {
  dueMs: number;
  pausedBy: number;
  pauses: CountedPause[];
}

function validDate(value: unknown, label: string): number {
  if (!(value instanceof Date) || Number.isNaN(value.getTime()))
    throw new RangeError(`${label} must be a valid Date`);
  return value.getTime();
}

export class SlaClock {
  readonly policy: Readonly<SlaPolicy>;
  readonly startedAt: Date;
  readonly extensions: readonly SlaExtension[];
  readonly warningThreshold: number;
  readonly #calendar: WorkingDayCalendar;
  readonly #start: number;
  readonly #pauses: Interval[];

  constructor(input: SlaClockInput, calendar: WorkingDayCalendar) {
    const { policy } = input;
    if (policy.unit !== 'working_days' && policy.unit !== 'hours' && policy.unit !== 'calendar_days') {
      throw new RangeError(`unknown SLA unit ${JSON.stringify(policy.unit)}`);
    }
    if (policy.unit === 'hours') {
      if (!Number.isFinite(policy.amount) || policy.amount <= 0) {
        throw new RangeError(`an hours SLA needs a positive amount, got ${policy.amount}`);
      }
    } else if (!Number.isInteger(policy.amount) || policy.amount < 0) {
      throw new RangeError(`a ${policy.unit} SLA needs a whole number ≥ 0, got ${policy.amount}`);
    }
    this.policy = Object.freeze({ ...policy });
    this.#start = validDate(input.startedAt, 'startedAt');
    this.startedAt = new Date(this.#start);
    this.#calendar = calendar;

    const extensions = input.extensions ?? [];
    extensions.forEach((extension, i) => {
      if (!Number.isInteger(extension.days) || extension.days <= 0) {
        throw new RangeError(`extensions[${i}].days must be a whole number > 0, got ${extension.days}`);
      }
      if (typeof extension.reason !== 'string' || extension.reason.trim() === '') {
        throw new RangeError(`extensions[${i}] needs a reason`);
      }
    });
    this.extensions = Object.freeze(extensions.map((e) => Object.freeze({ ...e })));

    this.warningThreshold = input.warningThreshold ?? SLA_WARNING_THRESHOLD;
    if (!(this.warningThreshold > 0 && this.warningThreshold <= 1)) {
      throw new RangeError(`warningThreshold must be in (0, 1], got ${this.warningThreshold}`);
    }
    this.#pauses = normalisePauses(input.pauses ?? [], this.#start);
  }

  get #extensionDays(): number {
    return this.extensions.reduce((sum, e) => sum + e.days, 0);
  }

  /** The due instant, as of `now` (see the module rules). Without `now`, throws if a pause is open. */
  dueAt(now?: Date): Date {
    return new Date(this.#compute(now).dueMs);
  }

  /** London (calendar-zone) date of {@link dueAt}. */
  dueDate(now?: Date): IsoDate {
    return this.#calendar.toLocalDate(this.dueAt(now));
  }

  /** Inside a pause that counts. */
  isPaused(now: Date): boolean {
    return this.#compute(now).pauses.some((p) => p.active);
  }

  /** See the module rules: 0 at the start, 1 at `dueAt`, above 1 once breached. */
  fractionElapsed(now: Date): number {
    const nowMs = validDate(now, 'now');
    if (nowMs <= this.#start) return 0;
    const { dueMs, pauses } = this.#compute(now);
    const measure = (a: number, b: number): number =>
      this.policy.unit === 'working_days' ? workingTimeBetween(this.#calendar, a, b) : b - a;
    const paused = pauses.reduce((sum, p) => sum + measure(p.from, p.to), 0);
    const consumed = Math.max(0, measure(this.#start, nowMs) - paused);
    const remaining = nowMs <= dueMs ? measure(nowMs, dueMs) : -measure(dueMs, nowMs);
    const total = consumed + remaining;
    if (total <= 0) return nowMs > dueMs ? 1 : 0;
    return consumed / total;
  }

  state(now: Date): SlaState {
    const nowMs = validDate(now, 'now');
    const { dueMs, pauses } = this.#compute(now);
    if (pauses.some((p) => p.active)) return 'paused';
    if (nowMs > dueMs) return 'breached';
    return this.fractionElapsed(now) >= this.warningThreshold ? 'warning' : 'on_track';
  }

  /** Working days from today (London) to the due date: 0 = due today, negative = overdue. */
  workingDaysLeft(now: Date): number {
    const today = this.#calendar.toLocalDate(now);
    return this.#calendar.workingDaysBetween(today, this.dueDate(now));
  }

  snapshot(now: Date): SlaSnapshot {
    const { dueMs, pausedBy } = this.#compute(now);
    const dueAt = new Date(dueMs);
    return {
      dueAt,
      dueDate: this.#calendar.toLocalDate(dueAt),
      state: this.state(now),
      fractionElapsed: this.fractionElapsed(now),
      workingDaysLeft: this.workingDaysLeft(now),
      pausedBy,
    };
  }

  #compute(now?: Date): Computation {
    const nowMs = now === undefined ? undefined : validDate(now, 'now');
    const cal = this.#calendar;
    const counted: CountedPause[] = [];
    let pausedBy = 0;

    const relevant: CountedPause[] = [];
    for (const pause of this.#pauses) {
      if (nowMs !== undefined && pause.from > nowMs) break;
      if (pause.to === null && nowMs === undefined) {
        throw new RangeError('the clock is paused with no end: pass `now` to get the due date as of now');
      }
      const end =
        pause.to === null ? (nowMs as number) : nowMs === undefined ? pause.to : Math.min(pause.to, nowMs);
      const active = nowMs !== undefined && (pause.to === null || pause.to > nowMs);
      relevant.push({ from: pause.from, to: end, active });
    }

    let dueMs: number;
    switch (this.policy.unit) {
      case 'working_days': {
        let due = cal.addWorkingDays(
          cal.receivedDate(this.startedAt),
          this.policy.amount + this.#extensionDays,
        );
        for (const pause of relevant) {
          if (pause.from > cal.endOfDay(due).getTime()) break;
          const push = cal.workingDaysBetween(
            cal.receivedDate(new Date(pause.from)),
            cal.receivedDate(new Date(pause.to)),
          );
          due = cal.addWorkingDays(due, push);
          pausedBy += push;
          counted.push(pause);
        }
        dueMs = cal.endOfDay(due).getTime();
        break;
      }
      case 'calendar_days': {
        let due = addCalendarDays(cal.toLocalDate(this.startedAt), this.policy.amount + this.#extensionDays);
        for (const pause of relevant) {
          if (pause.from > cal.endOfDay(due).getTime()) break;
          const push = calendarDaysBetween(
            cal.toLocalDate(new Date(pause.from)),
            cal.toLocalDate(new Date(pause.to)),
          );
          due = addCalendarDays(due, push);
          pausedBy += push;
          counted.push(pause);
        }
        dueMs = cal.endOfDay(due).getTime();
        break;
      }
      case 'hours': {
        dueMs = this.#start + this.policy.amount * HOUR_MS + this.#extensionDays * DAY_MS;
        for (const pause of relevant) {
          if (pause.from > dueMs) break;
          dueMs += pause.to - pause.from;
          pausedBy += pause.to - pause.from;
          counted.push(pause);
        }
        break;
      }
    }
    return { dueMs, pausedBy, pauses: counted };
  }
}

function normalisePauses(pauses: readonly SlaPause[], start: number): Interval[] {
  const intervals: Interval[] = pauses.map((pause, i) => {
    const from = validDate(pause.from, `pauses[${i}].from`);
    const to = pause.to === null ? null : validDate(pause.to, `pauses[${i}].to`);
    if (to !== null && to < from) throw new RangeError(`pauses[${i}] ends before it starts`);
    return { from, to };
  });
  const open = intervals.filter((p) => p.to === null);
  if (open.length > 1) throw new RangeError('at most one pause may be open (to: null)');
  if (open.length === 1 && intervals.some((p) => p.to !== null && p.from > open[0].from)) {
    throw new RangeError('an open pause (to: null) must be the last pause');
  }
  const clipped = intervals
    .filter((p) => p.to === null || p.to > start)
    .map((p) => ({ from: Math.max(p.from, start), to: p.to }))
    .sort((a, b) => a.from - b.from);
  const merged: Interval[] = [];
  for (const pause of clipped) {
    const last = merged[merged.length - 1];
    if (last && (last.to === null || pause.from <= last.to)) {
      last.to = last.to === null || pause.to === null ? null : Math.max(last.to, pause.to);
    } else {
      merged.push({ ...pause });
    }
  }
  return merged;
}

/**
 * Working time between two instants, in working days: each working day of the calendar counts as 1,
 * spread evenly over its (23, 24 or 25) hours; other days count 0. Used for `fractionElapsed`.
 */
export function workingTimeBetween(calendar: WorkingDayCalendar, fromMs: number, toMs: number): number {
  if (toMs < fromMs) return -workingTimeBetween(calendar, toMs, fromMs);
  const fraction = (ms: number, date: IsoDate): number => {
    if (!calendar.isWorkingDay(date)) return 0;
    const start = calendar.startOfDay(date).getTime();
    const length = calendar.endOfDay(date).getTime() + 1 - start;
    return (ms - start) / length;
  };
  const da = calendar.toLocalDate(new Date(fromMs));
  const db = calendar.toLocalDate(new Date(toMs));
  if (da === db) return fraction(toMs, db) - fraction(fromMs, da);
  const whole =
    calendar.workingDaysBetween(da, db) -
    (calendar.isWorkingDay(db) ? 1 : 0) +
    (calendar.isWorkingDay(da) ? 1 : 0);
  return whole + fraction(toMs, db) - fraction(fromMs, da);
}

/** Convenience: the snapshot of a clock described by `input` at `now`. */
export function evaluateSla(input: SlaClockInput, calendar: WorkingDayCalendar, now: Date): SlaSnapshot {
  return new SlaClock(input, calendar).snapshot(now);
}

/** A clock whose due instant is set elsewhere (a statutory deadline another record keeps). */
export interface FixedDueInput {
  startedAt: Date;
  dueAt: Date;
  /** The clock is stopped (waiting for the requester). */
  paused: boolean;
  /** Default {@link SLA_WARNING_THRESHOLD}. */
  warningThreshold?: number;
}

/**
 * The snapshot of a clock whose due instant is given rather than counted from a policy: the same fields
 * and rules as {@link SlaClock.snapshot} (working time for the fraction, `'paused'` while stopped,
 * `'breached'` after `dueAt`, `'warning'` from the threshold), so staff screens treat both alike.
 * `pausedBy` is 0: whatever the pauses did is already in `dueAt`.
 */
export function fixedDueSnapshot(input: FixedDueInput, calendar: WorkingDayCalendar, now: Date): SlaSnapshot {
  const start = validDate(input.startedAt, 'startedAt');
  const due = validDate(input.dueAt, 'dueAt');
  const at = validDate(now, 'now');
  const threshold = input.warningThreshold ?? SLA_WARNING_THRESHOLD;
  const total = workingTimeBetween(calendar, start, Math.max(start, due));
  const used = at <= start ? 0 : workingTimeBetween(calendar, start, at);
  const fractionElapsed = total > 0 ? used / total : at > due ? 1 : 0;
  const dueDate = calendar.toLocalDate(input.dueAt);
  return {
    dueAt: new Date(due),
    dueDate,
    state: input.paused
      ? 'paused'
      : at > due
        ? 'breached'
        : fractionElapsed >= threshold
          ? 'warning'
          : 'on_track',
    fractionElapsed,
    workingDaysLeft: calendar.workingDaysBetween(calendar.toLocalDate(now), dueDate),
    pausedBy: 0,
  };
}
