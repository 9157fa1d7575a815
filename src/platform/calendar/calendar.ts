/**
 * The working-day calendar: which dates are working days for a council, and day arithmetic over them.
 *
 * Conventions (see docs/calendar.md):
 *
 * - A **working day** is a Monday–Friday that is not a bank holiday in any of the calendar's
 *   divisions (FOI, for instance, uses all three: a bank holiday anywhere in the UK is not a working day).
 * - **Day of receipt** (`receivedDate`): the London date of the instant, moved to the next working day
 *   when that date is not a working day or the instant is at or after the cut-off (default 17:00).
 * - **Counting**: `addWorkingDays(d, n)` is the n-th working day *after* `d` (`d` itself is day 0), so a
 *   "within 20 working days of receipt" deadline is `addWorkingDays(receipt, 20)`.
 *   `workingDaysBetween(from, to)` counts the working days `d` with `from < d ≤ to`; it is the inverse:
 *   `workingDaysBetween(d, addWorkingDays(d, n)) === n` for every date `d`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  DIVISIONS,
  BankHolidayDataError,
  isDivision,
  parseBankHolidays,
  type BankHolidaysData,
  type Division,
} from './bank-holidays.ts';
import {
  LONDON,
  addCalendarDays,
  addCalendarMonths,
  assertIsoDate,
  assertTimeZone,
  endOfZonedDay,
  isWeekend,
  parseWallTime,
  startOfZonedDay,
  zonedInstant,
  zonedParts,
  type IsoDate,
  type WallTime,
} from './dates.ts';

export interface CalendarOptions {
  /** Whose bank holidays are non-working days. Several divisions give the union of their holidays. */
  divisions: readonly Division[];
  /**
   * Contacts at or after this London time count as received on the next working day. Default `"17:00"`;
   * `null` for no cut-off (only weekends and bank holidays move the date of receipt).
   */
  cutOff?: WallTime | null;
  /** Default and only sensible value for UK councils: `"Europe/London"`. */
  timeZone?: string;
  /**
   * What to do with a weekday outside the years the bank holiday data covers:
   * `"throw"` (default) raises a {@link CalendarCoverageError}, because a statutory deadline computed
   * without the holidays would be silently wrong; `"weekends-only"` treats it as a working day.
   */
  outOfRange?: 'throw' | 'weekends-only';
}

/** Thrown for a weekday outside the years the bank holiday data covers (refresh the data). */
export class CalendarCoverageError extends RangeError {
  constructor(date: IsoDate, from: IsoDate, to: IsoDate) {
    super(
      `${date} is outside the bank holiday data (${from} to ${to}); ` +
        'refresh src/platform/calendar/bank-holidays.json (see docs/calendar.md)',
    );
    this.name = 'CalendarCoverageError';
  }
}

/** A bank holiday that falls on a date, with the division it belongs to. */
export interface BankHolidayOnDate {
  division: Division;
  title: string;
  notes: string;
}

export class WorkingDayCalendar {
  readonly divisions: readonly Division[];
  readonly cutOff: WallTime | null;
  readonly timeZone: string;
  readonly outOfRange: 'throw' | 'weekends-only';
  /** First and last dates the bank holiday data covers for every selected division (whole years). */
  readonly coverage: { readonly from: IsoDate; readonly to: IsoDate };

  readonly #holidays = new Map<IsoDate, BankHolidayOnDate[]>();
  readonly #cutOffMinutes: number | null;

  constructor(data: BankHolidaysData, options: CalendarOptions) {
    const divisions = [...new Set(options.divisions)];
    if (divisions.length === 0) throw new RangeError('a calendar needs at least one division');
    for (const division of divisions) {
      if (!isDivision(division)) {
        throw new RangeError(
          `unknown division ${JSON.stringify(division)}; expected one of ${DIVISIONS.join(', ')}`,
        );
      }
    }
    this.divisions = Object.freeze(divisions);
    this.cutOff = options.cutOff === undefined ? '17:00' : options.cutOff;
    this.#cutOffMinutes = this.cutOff === null ? null : parseWallTime(this.cutOff, 'cutOff');
    this.timeZone = options.timeZone ?? LONDON;
    assertTimeZone(this.timeZone);
    this.outOfRange = options.outOfRange ?? 'throw';

    let firstYear = -Infinity;
    let lastYear = Infinity;
    for (const division of divisions) {
      const events = data[division]?.events;
      if (!events || events.length === 0) {
        throw new BankHolidayDataError([`${division}: no bank holidays in the data`]);
      }
      let min = Infinity;
      let max = -Infinity;
      for (const event of events) {
        assertIsoDate(event.date, `${division} bank holiday date`);
        const year = Number(event.date.slice(0, 4));
        min = Math.min(min, year);
        max = Math.max(max, year);
        const list = this.#holidays.get(event.date) ?? [];
        list.push({ division, title: event.title, notes: event.notes });
        this.#holidays.set(event.date, list);
      }
      firstYear = Math.max(firstYear, min);
      lastYear = Math.min(lastYear, max);
    }
    if (firstYear > lastYear) {
      throw new BankHolidayDataError([`the divisions ${divisions.join(', ')} have no year in common`]);
    }
    this.coverage = Object.freeze({
      from: `${String(firstYear).padStart(4, '0')}-01-01`,
      to: `${String(lastYear).padStart(4, '0')}-12-31`,
    });
  }

  /** Reads and validates a GOV.UK-format file and builds a calendar from it. */
  static fromFile(path: string, options: CalendarOptions): WorkingDayCalendar {
    return new WorkingDayCalendar(readBankHolidaysFile(path), options);
  }

  /** True when `date` is within {@link coverage}. */
  isCovered(date: IsoDate): boolean {
    assertIsoDate(date);
    return date >= this.coverage.from && date <= this.coverage.to;
  }

  /** The bank holidays (of the selected divisions) on `date`; empty if none. */
  bankHolidaysOn(date: IsoDate): readonly BankHolidayOnDate[] {
    assertIsoDate(date);
    return this.#holidays.get(date) ?? [];
  }

  /** A bank holiday in at least one of the selected divisions. */
  isBankHoliday(date: IsoDate): boolean {
    return this.bankHolidaysOn(date).length > 0;
  }

  /** Monday to Friday and not a bank holiday in any selected division. */
  isWorkingDay(date: IsoDate): boolean {
    assertIsoDate(date);
    if (isWeekend(date)) return false;
    if (!this.isCovered(date) && this.outOfRange === 'throw') {
      throw new CalendarCoverageError(date, this.coverage.from, this.coverage.to);
    }
    return !this.#holidays.has(date);
  }

  /** The first working day strictly after `date`. */
  nextWorkingDay(date: IsoDate): IsoDate {
    let d = addCalendarDays(date, 1);
    while (!this.isWorkingDay(d)) d = addCalendarDays(d, 1);
    return d;
  }

  /** The last working day strictly before `date`. */
  previousWorkingDay(date: IsoDate): IsoDate {
    let d = addCalendarDays(date, -1);
    while (!this.isWorkingDay(d)) d = addCalendarDays(d, -1);
    return d;
  }

  /** `date` if it is a working day, otherwise the next working day. */
  workingDayOnOrAfter(date: IsoDate): IsoDate {
    return this.isWorkingDay(date) ? date : this.nextWorkingDay(date);
  }

  /**
   * The `n`-th working day after `date` (`n ≥ 0`; `n = 0` returns `date` itself, working day or not).
   * `date` itself is never counted: Thu 24 Dec 2026 + 1 working day = Tue 29 Dec 2026 in England
   * (25th Christmas, 26th–27th weekend, 28th Boxing Day substitute).
   */
  addWorkingDays(date: IsoDate, n: number): IsoDate {
    assertIsoDate(date);
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be a whole number ≥ 0, got ${n}`);
    let d = date;
    for (let i = 0; i < n; i += 1) d = this.nextWorkingDay(d);
    return d;
  }

  /**
   * The number of working days `d` with `from < d ≤ to` (so `from` is not counted and `to` is, the same
   * convention as {@link addWorkingDays}). When `to` is before `from` the result is minus the count
   * of working days with `to < d ≤ from`; the same date gives 0.
   */
  workingDaysBetween(from: IsoDate, to: IsoDate): number {
    assertIsoDate(from, 'from');
    assertIsoDate(to, 'to');
    if (to === from) return 0;
    const [lo, hi, sign] = to > from ? [from, to, 1] : [to, from, -1];
    let count = 0;
    for (let d = addCalendarDays(lo, 1); d <= hi; d = addCalendarDays(d, 1)) {
      if (this.isWorkingDay(d)) count += 1;
    }
    return sign * count;
  }

  /**
   * The effective date of receipt of a contact made at `instant`: its local (London) date, moved to the
   * next working day when that date is not a working day or the time is at or after the cut-off.
   * With the default 17:00 cut-off, 16:59:59 on a working day is that day; 17:00:00 is the next
   * working day; Friday 18:00 is Monday (or Tuesday after a bank holiday Monday).
   */
  receivedDate(instant: Date): IsoDate {
    const local = zonedParts(instant, this.timeZone);
    if (!this.isWorkingDay(local.date)) return this.nextWorkingDay(local.date);
    if (this.#cutOffMinutes !== null) {
      const secondsIntoDay = (local.hour * 60 + local.minute) * 60 + local.second;
      if (secondsIntoDay >= this.#cutOffMinutes * 60) return this.nextWorkingDay(local.date);
    }
    return local.date;
  }

  /** Same date `months` later, or the last day of that month if it has no such date (31 Jan + 1 → 28/29 Feb). */
  addCalendarMonths(date: IsoDate, months: number): IsoDate {
    return addCalendarMonths(date, months);
  }

  /** The calendar's local date of an instant. */
  toLocalDate(instant: Date): IsoDate {
    return zonedParts(instant, this.timeZone).date;
  }

  /** The instant the calendar's clocks read `time` on `date`. */
  localInstant(date: IsoDate, time: WallTime): Date {
    return zonedInstant(date, time, this.timeZone);
  }

  /** Local midnight at the start of `date`. */
  startOfDay(date: IsoDate | Date): Date {
    return startOfZonedDay(date, this.timeZone);
  }

  /** Local 23:59:59.999 on `date`. */
  endOfDay(date: IsoDate | Date): Date {
    return endOfZonedDay(date, this.timeZone);
  }
}

/** Reads and validates a GOV.UK-format bank holiday file. */
export function readBankHolidaysFile(path: string): BankHolidaysData {
  const text = readFileSync(path, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new BankHolidayDataError([`not valid JSON: ${(error as Error).message}`], path);
  }
  return parseBankHolidays(json, path);
}

/** The bank holiday file shipped with Frontdoor (GOV.UK data, 2018–2028). */
export const DEFAULT_BANK_HOLIDAYS_PATH = fileURLToPath(new URL('./bank-holidays.json', import.meta.url));

let shipped: BankHolidaysData | undefined;

/** The shipped bank holiday data, read and validated once per process. */
export function defaultBankHolidays(): BankHolidaysData {
  shipped ??= readBankHolidaysFile(DEFAULT_BANK_HOLIDAYS_PATH);
  return shipped;
}

/**
 * A calendar over the shipped bank holiday data. `divisions` defaults to England and Wales; pass all
 * three (or use {@link DIVISIONS}) for FOI/EIR, where a bank holiday anywhere in the UK is not a working day.
 */
export function loadDefaultCalendar(options: Partial<CalendarOptions> = {}): WorkingDayCalendar {
  return new WorkingDayCalendar(defaultBankHolidays(), {
    ...options,
    divisions: options.divisions ?? ['england-and-wales'],
  });
}
