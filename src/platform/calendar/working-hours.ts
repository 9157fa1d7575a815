/**
 * Working hours: time that only runs while the office is open (a callback "within 2 working hours").
 * Working days come from the {@link WorkingDayCalendar} (weekends and bank holidays are closed); office
 * hours are wall-clock times in the calendar's zone, so a clock change never moves opening time. UK clocks
 * change at night on a Sunday, so an hour of office time is always an hour of real time.
 */
import type { WorkingDayCalendar } from './calendar.ts';
import { LONDON, parseWallTime, zonedInstant, zonedParts, type IsoDate, type WallTime } from './dates.ts';

/** Office hours as wall-clock times, e.g. `{ open: '09:00', close: '17:00' }`. */
export interface OfficeHours {
  open: WallTime;
  close: WallTime;
}

export const DEFAULT_OFFICE_HOURS: OfficeHours = { open: '09:00', close: '17:00' };

const wallTime = (minutes: number): WallTime =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** The instant `minutes` (may be fractional) after local midnight on `date`, for minutes within the day. */
function instantAt(date: IsoDate, minutes: number, timeZone: string): Date {
  const whole = Math.floor(minutes);
  return new Date(
    zonedInstant(date, wallTime(whole), timeZone).getTime() + Math.round((minutes - whole) * 60_000),
  );
}

/**
 * The instant `hours` working hours after `start`. Only office time on working days counts: a start before
 * opening counts from opening, a start at or after closing (or on a closed day) from the next working day's
 * opening. The result may be closing time itself (15:00 + 2 hours = 17:00). `hours` = 0 gives the first
 * moment at or after `start` when the office is open.
 *
 * Thu 24 Dec 2026 16:30 + 2 working hours (England, 09:00–17:00) = Tue 29 Dec 10:30: 30 minutes on the
 * 24th, then the 25th (Christmas), the weekend and the 28th (Boxing Day substitute) are closed.
 */
export function addWorkingHours(
  calendar: WorkingDayCalendar,
  start: Date,
  hours: number,
  office: OfficeHours = DEFAULT_OFFICE_HOURS,
  timeZone: string = LONDON,
): Date {
  if (!Number.isFinite(hours) || hours < 0) throw new RangeError(`hours must be ≥ 0, got ${hours}`);
  const open = parseWallTime(office.open, 'office opening time');
  const close = parseWallTime(office.close, 'office closing time');
  if (close <= open) throw new RangeError('office hours must close after they open');
  const local = zonedParts(start, timeZone);
  let date = local.date;
  let at = local.hour * 60 + local.minute + local.second / 60 + local.millisecond / 60_000;
  let remaining = hours * 60;
  for (;;) {
    if (!calendar.isWorkingDay(date) || at >= close) {
      date = calendar.nextWorkingDay(date);
      at = open;
      continue;
    }
    if (at < open) at = open;
    const left = close - at;
    if (remaining <= left) return instantAt(date, at + remaining, timeZone);
    remaining -= left;
    date = calendar.nextWorkingDay(date);
    at = open;
  }
}

/**
 * Whether `instant` is within office hours (opening inclusive, closing inclusive: a callback may be agreed
 * for 17:00) on a working day.
 */
export function isWithinOfficeHours(
  calendar: WorkingDayCalendar,
  instant: Date,
  office: OfficeHours = DEFAULT_OFFICE_HOURS,
  timeZone: string = LONDON,
): boolean {
  const local = zonedParts(instant, timeZone);
  const at = local.hour * 60 + local.minute + local.second / 60;
  return (
    calendar.isWorkingDay(local.date) && at >= parseWallTime(office.open) && at <= parseWallTime(office.close)
  );
}
