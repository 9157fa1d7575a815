/**
 * Plain-date arithmetic and Europe/London wall-clock helpers.
 *
 * Two kinds of value are used throughout the calendar and the clocks:
 *
 * - an {@link IsoDate} (`YYYY-MM-DD`) is a calendar date with no time and no zone. All day arithmetic
 *   (adding days, months, working days) is done on these, so it can never be thrown out by a clock
 *   change;
 * - a JS `Date` is an instant. An instant becomes a date only by asking which date it is *in a time
 *   zone* ({@link toIsoDate}); a date becomes an instant only by naming a wall-clock time in a zone
 *   ({@link londonInstant}).
 *
 * Time zones are handled with `Intl.DateTimeFormat` only (no dependencies), so BST/GMT changes come
 * from the tz database that ships with Node.
 */

/** A calendar date written `YYYY-MM-DD` (e.g. `2026-12-24`). No time, no zone. */
export type IsoDate = string;

/** A wall-clock time written `HH:MM`, 24-hour (e.g. `17:00`). */
export type WallTime = string;

/** The time zone every council in the UK works in. */
export const LONDON = 'Europe/London';

const DAY_MS = 86_400_000;
const ISO_DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const WALL_TIME_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;

interface YMD {
  year: number;
  month: number;
  day: number;
}

function splitIsoDate(value: string): YMD | null {
  const match = ISO_DATE_RE.exec(value);
  if (!match) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return { year, month, day };
}

/** True when `value` is a string `YYYY-MM-DD` naming a date that exists (so not `2027-02-29`). */
export function isIsoDate(value: unknown): value is IsoDate {
  return typeof value === 'string' && splitIsoDate(value) !== null;
}

/** Throws a `RangeError` naming `label` unless `value` is a real `YYYY-MM-DD` date. */
export function assertIsoDate(value: unknown, label = 'date'): asserts value is IsoDate {
  if (!isIsoDate(value)) {
    throw new RangeError(
      `${label} must be a real calendar date written YYYY-MM-DD, got ${JSON.stringify(value)}`,
    );
  }
}

function ymd(date: IsoDate, label = 'date'): YMD {
  const parts = typeof date === 'string' ? splitIsoDate(date) : null;
  if (!parts) assertIsoDate(date, label);
  return parts as YMD;
}

function fromYmd(year: number, month: number, day: number): IsoDate {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Number of days in `month` (1–12) of `year`, leap years included. */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Days since 1970-01-01 (negative before). Handy as a sortable, subtractable key. */
export function toDayNumber(date: IsoDate): number {
  const { year, month, day } = ymd(date);
  return Math.round(Date.UTC(year, month - 1, day) / DAY_MS);
}

/** Inverse of {@link toDayNumber}. */
export function fromDayNumber(dayNumber: number): IsoDate {
  if (!Number.isInteger(dayNumber)) throw new RangeError(`day number must be an integer, got ${dayNumber}`);
  const d = new Date(dayNumber * DAY_MS);
  return fromYmd(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

/** `date` plus `days` calendar days (`days` may be negative). */
export function addCalendarDays(date: IsoDate, days: number): IsoDate {
  if (!Number.isInteger(days)) throw new RangeError(`days must be an integer, got ${days}`);
  return fromDayNumber(toDayNumber(date) + days);
}

/** `to − from` in calendar days: 0 for the same date, positive when `to` is later. */
export function calendarDaysBetween(from: IsoDate, to: IsoDate): number {
  return toDayNumber(to) - toDayNumber(from);
}

/** Day of the week, 0 = Sunday … 6 = Saturday (as `Date.prototype.getDay`). */
export function dayOfWeek(date: IsoDate): number {
  return (((toDayNumber(date) + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
}

/** Saturday or Sunday. */
export function isWeekend(date: IsoDate): boolean {
  const dow = dayOfWeek(date);
  return dow === 0 || dow === 6;
}

/** −1, 0 or 1, for sorting. (`YYYY-MM-DD` strings also compare correctly with `<`.) */
export function compareIsoDates(a: IsoDate, b: IsoDate): -1 | 0 | 1 {
  const da = toDayNumber(a);
  const db = toDayNumber(b);
  return da < db ? -1 : da > db ? 1 : 0;
}

/** The latest of the given dates. */
export function maxIsoDate(first: IsoDate, ...rest: IsoDate[]): IsoDate {
  assertIsoDate(first);
  let best = first;
  for (const d of rest) if (compareIsoDates(d, best) > 0) best = d;
  return best;
}

/**
 * The same day-of-month `months` months later (or earlier, if negative); when that day does not exist
 * in the target month, the last day of that month.
 *
 * - 2026-01-31 + 1 → 2026-02-28; 2028-01-31 + 1 → 2028-02-29 (leap year)
 * - 2028-02-29 + 12 → 2029-02-28; 2026-12-31 + 1 → 2027-01-31
 *
 * This is the ICO's "corresponding calendar date" rule for one-month periods.
 */
export function addCalendarMonths(date: IsoDate, months: number): IsoDate {
  if (!Number.isInteger(months)) throw new RangeError(`months must be an integer, got ${months}`);
  const { year, month, day } = ymd(date);
  const index = year * 12 + (month - 1) + months;
  const targetYear = Math.floor(index / 12);
  const targetMonth = (index % 12) + 1;
  return fromYmd(targetYear, targetMonth, Math.min(day, daysInMonth(targetYear, targetMonth)));
}

/** Parses `HH:MM` into minutes after midnight; throws a `RangeError` on anything else. */
export function parseWallTime(time: WallTime, label = 'time'): number {
  const match = typeof time === 'string' ? WALL_TIME_RE.exec(time) : null;
  if (!match)
    throw new RangeError(`${label} must be a 24-hour time written HH:MM, got ${JSON.stringify(time)}`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/** The wall-clock reading of an instant in a time zone. */
export interface ZonedParts {
  date: IsoDate;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Throws a `RangeError` unless `timeZone` is an IANA zone this runtime knows. */
export function assertTimeZone(timeZone: string): void {
  try {
    formatterFor(timeZone);
  } catch {
    throw new RangeError(`unknown time zone ${JSON.stringify(timeZone)}`);
  }
}

function assertInstant(instant: Date, label: string): void {
  if (!(instant instanceof Date) || Number.isNaN(instant.getTime())) {
    throw new RangeError(`${label} must be a valid Date`);
  }
}

/** The date and wall-clock time of `instant` in `timeZone` (default Europe/London). */
export function zonedParts(instant: Date, timeZone: string = LONDON): ZonedParts {
  assertInstant(instant, 'instant');
  // Fast path (SLA clocks call this for every new case): the zone's offset at both ends of the quarter
  // hour around the instant, remembered; when they agree no clock change happened in between (no zone
  // changes its clocks twice within 15 minutes), so the wall clock is plain arithmetic on the offset.
  const t = instant.getTime();
  const start = Math.floor(t / OFFSET_BUCKET_MS) * OFFSET_BUCKET_MS;
  const offset = bucketOffset(timeZone, start);
  if (offset === bucketOffset(timeZone, start + OFFSET_BUCKET_MS)) {
    const wall = new Date(t + offset);
    return {
      date: fromYmd(wall.getUTCFullYear(), wall.getUTCMonth() + 1, wall.getUTCDate()),
      hour: wall.getUTCHours(),
      minute: wall.getUTCMinutes(),
      second: wall.getUTCSeconds(),
      millisecond: wall.getUTCMilliseconds(),
    };
  }
  return intlZonedParts(instant, timeZone);
}

const OFFSET_BUCKET_MS = 15 * 60_000;
const bucketOffsets = new Map<string, number>();

function bucketOffset(timeZone: string, epochMs: number): number {
  const key = `${timeZone}|${epochMs}`;
  let offset = bucketOffsets.get(key);
  if (offset === undefined) {
    const p = intlZonedParts(new Date(epochMs), timeZone);
    const { year, month, day } = ymd(p.date);
    offset = Date.UTC(year, month - 1, day, p.hour, p.minute, p.second, p.millisecond) - epochMs;
    if (bucketOffsets.size >= 20_000) bucketOffsets.clear();
    bucketOffsets.set(key, offset);
  }
  return offset;
}

/** {@link zonedParts} from the tz database through Intl (slow: formatToParts). */
function intlZonedParts(instant: Date, timeZone: string): ZonedParts {
  const values: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) {
    if (part.type !== 'literal') values[part.type] = Number(part.value);
  }
  return {
    date: fromYmd(values.year, values.month, values.day),
    hour: values.hour,
    minute: values.minute,
    second: values.second,
    millisecond: ((instant.getTime() % 1000) + 1000) % 1000,
  };
}

/** Milliseconds the zone is ahead of UTC at `epochMs` (London: 0 in GMT, 3 600 000 in BST). */
function offsetAt(epochMs: number, timeZone: string): number {
  const p = zonedParts(new Date(epochMs), timeZone);
  const { year, month, day } = ymd(p.date);
  return Date.UTC(year, month - 1, day, p.hour, p.minute, p.second, p.millisecond) - epochMs;
}

/** The date `instant` falls on in `timeZone` (default Europe/London). 23:30 UTC in July is the next day in London. */
export function toIsoDate(instant: Date, timeZone: string = LONDON): IsoDate {
  return zonedParts(instant, timeZone).date;
}

/**
 * The instant at which clocks in `timeZone` read `time` on `date`.
 *
 * Clock changes are resolved like Temporal's `"compatible"` option: a time that happens twice (the
 * 01:00–01:59 hour on the last Sunday of October) gives the earlier, BST, instant; a time that never
 * happens (01:00–01:59 on the last Sunday of March) is moved forward by the length of the gap
 * (01:30 → 02:30 BST).
 */
export function zonedInstant(date: IsoDate, time: WallTime, timeZone: string = LONDON): Date {
  // Pure in its arguments and called several times for every SLA due date: remembered.
  const key = `${timeZone}|${date}|${time}`;
  const known = zonedInstants.get(key);
  if (known !== undefined) return new Date(known);
  const instant = computeZonedInstant(date, time, timeZone);
  if (zonedInstants.size >= 10_000) zonedInstants.clear();
  zonedInstants.set(key, instant.getTime());
  return instant;
}

const zonedInstants = new Map<string, number>();

function computeZonedInstant(date: IsoDate, time: WallTime, timeZone: string): Date {
  const { year, month, day } = ymd(date);
  const minutes = parseWallTime(time);
  const wall = Date.UTC(year, month - 1, day, Math.floor(minutes / 60), minutes % 60);
  const before = offsetAt(wall - DAY_MS, timeZone);
  const after = offsetAt(wall + DAY_MS, timeZone);
  const candidates = [wall - before, wall - after].filter((t) => t + offsetAt(t, timeZone) === wall);
  if (candidates.length > 0) return new Date(Math.min(...candidates));
  return new Date(wall - before); // in the spring-forward gap
}

/** The instant at which London clocks read `time` (default `00:00`) on `date`. */
export function londonInstant(date: IsoDate, time: WallTime = '00:00'): Date {
  return zonedInstant(date, time, LONDON);
}

/** The first instant of a day in `timeZone`; given an instant, of the day that instant falls on. */
export function startOfZonedDay(dateOrInstant: IsoDate | Date, timeZone: string = LONDON): Date {
  const date = dateOrInstant instanceof Date ? toIsoDate(dateOrInstant, timeZone) : dateOrInstant;
  return zonedInstant(date, '00:00', timeZone);
}

/** The last millisecond (23:59:59.999) of a day in `timeZone`. */
export function endOfZonedDay(dateOrInstant: IsoDate | Date, timeZone: string = LONDON): Date {
  const date = dateOrInstant instanceof Date ? toIsoDate(dateOrInstant, timeZone) : dateOrInstant;
  return new Date(zonedInstant(addCalendarDays(date, 1), '00:00', timeZone).getTime() - 1);
}

/** Midnight in London at the start of `date` (or of the London day `instant` falls on). */
export function startOfLondonDay(dateOrInstant: IsoDate | Date): Date {
  return startOfZonedDay(dateOrInstant, LONDON);
}

/** 23:59:59.999 London time on `date` (or on the London day `instant` falls on). */
export function endOfLondonDay(dateOrInstant: IsoDate | Date): Date {
  return endOfZonedDay(dateOrInstant, LONDON);
}
