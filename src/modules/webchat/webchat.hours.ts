/**
 * Webchat opening hours (issue 16): weekly hours in wall-clock time, closed on bank holidays, and dated
 * exceptions (a day closed, or a day with other hours such as Christmas Eve until 1pm). Pure functions over
 * a {@link WorkingDayCalendar}; the hours come from a data file a council edits without code (see
 * docs/webchat.md "Opening hours and the message form").
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import {
  LONDON,
  addCalendarDays,
  dayOfWeek,
  isIsoDate,
  loadDefaultCalendar,
  parseWallTime,
  zonedInstant,
  zonedParts,
  type IsoDate,
  type WallTime,
  type WorkingDayCalendar,
} from '../../platform/calendar/index.ts';

/** One opening on a day, in wall-clock time: `{ open: '09:00', close: '17:00' }`. */
export interface DayHours {
  open: WallTime;
  close: WallTime;
}

export const WEEKDAYS = [
  'sunday',
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** A dated exception: closed all day, or open at other hours. `label` is shown to residents. */
export type HoursException =
  | { date: IsoDate; closed: true; label?: string }
  | { date: IsoDate; closed?: false; open: WallTime; close: WallTime; label?: string };

export interface ChatHours {
  /** Hours for each day of the week; a day that is absent or null is closed. */
  weekly: Partial<Record<Weekday, DayHours | null>>;
  /** Closed on bank holidays (England and Wales) unless an exception for that date opens it. */
  closedOnBankHolidays: boolean;
  exceptions: readonly HoursException[];
}

/** The demo's hours: Monday to Friday 9am to 5pm, Saturday 9am to 12pm, Christmas Eve and New Year's Eve until 1pm. */
export const DEMO_CHAT_HOURS: ChatHours = {
  weekly: {
    monday: { open: '09:00', close: '17:00' },
    tuesday: { open: '09:00', close: '17:00' },
    wednesday: { open: '09:00', close: '17:00' },
    thursday: { open: '09:00', close: '17:00' },
    friday: { open: '09:00', close: '17:00' },
    saturday: { open: '09:00', close: '12:00' },
  },
  closedOnBankHolidays: true,
  exceptions: [
    { date: '2026-12-24', open: '09:00', close: '13:00', label: 'Christmas Eve' },
    { date: '2026-12-26', closed: true, label: 'Christmas' },
    { date: '2026-12-31', open: '09:00', close: '13:00', label: 'New Year’s Eve' },
    { date: '2027-12-24', open: '09:00', close: '13:00', label: 'Christmas Eve' },
    { date: '2027-12-25', closed: true, label: 'Christmas Day' },
    { date: '2027-12-31', open: '09:00', close: '13:00', label: 'New Year’s Eve' },
    { date: '2028-01-01', closed: true, label: 'New Year’s Day' },
  ],
};

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const wall = z.string().regex(TIME, 'times are written HH:MM, like 09:00');
const dayHours = z
  .object({ open: wall, close: wall })
  .strict()
  .refine((d) => parseWallTime(d.close) > parseWallTime(d.open), 'a day must close after it opens');
const isoDate = z.string().refine(isIsoDate, 'dates are written YYYY-MM-DD');

const hoursSchema = z
  .object({
    weekly: z.object(Object.fromEntries(WEEKDAYS.map((d) => [d, dayHours.nullable().optional()]))).strict(),
    closedOnBankHolidays: z.boolean().default(true),
    exceptions: z
      .array(
        z.union([
          z.object({ date: isoDate, closed: z.literal(true), label: z.string().max(80).optional() }).strict(),
          z
            .object({
              date: isoDate,
              closed: z.literal(false).optional(),
              open: wall,
              close: wall,
              label: z.string().max(80).optional(),
            })
            .strict()
            .refine((d) => parseWallTime(d.close) > parseWallTime(d.open), 'a day must close after it opens'),
        ]),
      )
      .default([]),
  })
  .strict();

/** Chat hours from the data file's JSON; throws with the first problem (checked at start, not per request). */
export function parseChatHours(json: unknown, source = 'chat hours'): ChatHours {
  const result = hoursSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`${source}: ${issue?.path.join('.') || 'file'}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}

/** The hours in `path` (JSON, docs/webchat.md), or the demo's when there is no such file. */
export function readChatHours(path: string | null | undefined): ChatHours {
  if (!path) return DEMO_CHAT_HOURS;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return DEMO_CHAT_HOURS;
    throw error;
  }
  return parseChatHours(JSON.parse(text) as unknown, path);
}

let calendarSingleton: WorkingDayCalendar | null = null;
/** England and Wales bank holidays; beyond the data's years only the weekly hours apply. */
export const chatCalendar = (): WorkingDayCalendar =>
  (calendarSingleton ??= loadDefaultCalendar({ outOfRange: 'weekends-only' }));

/** What the hours are on `date`: an opening, or closed (with why, when it is a holiday or an exception). */
export function hoursOn(
  hours: ChatHours,
  date: IsoDate,
  calendar: WorkingDayCalendar = chatCalendar(),
): { hours: DayHours | null; label: string | null } {
  const exception = hours.exceptions.find((e) => e.date === date);
  if (exception) {
    return exception.closed === true
      ? { hours: null, label: exception.label ?? null }
      : { hours: { open: exception.open, close: exception.close }, label: exception.label ?? null };
  }
  if (hours.closedOnBankHolidays && calendar.isBankHoliday(date)) {
    return { hours: null, label: calendar.bankHolidaysOn(date)[0]?.title ?? 'Bank holiday' };
  }
  return { hours: hours.weekly[WEEKDAYS[dayOfWeek(date)]] ?? null, label: null };
}

export type ChatOpenState = { open: true; closesAt: Date } | { open: false; nextOpening: Date | null };

/** How far ahead to look for the next opening (a council closed for longer shows no date). */
const HORIZON_DAYS = 31;

/**
 * Whether chat is open at `now` (opening inclusive, closing exclusive: at 17:00 a 9-to-5 chat is closed),
 * with the closing time when open, or the next opening within a month when closed.
 */
export function chatOpenAt(
  hours: ChatHours,
  now: Date,
  calendar: WorkingDayCalendar = chatCalendar(),
  timeZone: string = LONDON,
): ChatOpenState {
  const local = zonedParts(now, timeZone);
  const today = hoursOn(hours, local.date, calendar).hours;
  if (today) {
    const opensAt = zonedInstant(local.date, today.open, timeZone);
    const closesAt = zonedInstant(local.date, today.close, timeZone);
    if (now.getTime() >= opensAt.getTime() && now.getTime() < closesAt.getTime())
      return { open: true, closesAt };
    if (now.getTime() < opensAt.getTime()) return { open: false, nextOpening: opensAt };
  }
  for (let days = 1; days <= HORIZON_DAYS; days += 1) {
    const date = addCalendarDays(local.date, days);
    const day = hoursOn(hours, date, calendar).hours;
    if (day) return { open: false, nextOpening: zonedInstant(date, day.open, timeZone) };
  }
  return { open: false, nextOpening: null };
}

/** "9am", "1pm", "9:30am", "12pm" (GOV.UK style). */
export function timeText(time: WallTime): string {
  const minutes = parseWallTime(time);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  const hour12 = h % 12 === 0 ? 12 : h % 12;
  return `${hour12}${m ? `:${String(m).padStart(2, '0')}` : ''}${h < 12 ? 'am' : 'pm'}`;
}

const DAY_NAMES: Record<Weekday, string> = {
  monday: 'Monday',
  tuesday: 'Tuesday',
  wednesday: 'Wednesday',
  thursday: 'Thursday',
  friday: 'Friday',
  saturday: 'Saturday',
  sunday: 'Sunday',
};

/** The weekly hours as rows for a summary list, Monday first: `{ day: 'Monday', hours: '9am to 5pm' }`. */
export function weeklyHoursText(hours: ChatHours): { day: string; hours: string }[] {
  const order: Weekday[] = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
  return order.map((day) => {
    const h = hours.weekly[day];
    return { day: DAY_NAMES[day], hours: h ? `${timeText(h.open)} to ${timeText(h.close)}` : 'Closed' };
  });
}

/** Exceptions from `from` on (within `days`), for "Christmas Eve (Thursday 24 December): 9am to 1pm". */
export function upcomingExceptions(
  hours: ChatHours,
  from: IsoDate,
  days = 31,
): { date: IsoDate; label: string | null; hours: string }[] {
  const until = addCalendarDays(from, days);
  return hours.exceptions
    .filter((e) => e.date >= from && e.date <= until)
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0))
    .map((e) => ({
      date: e.date,
      label: e.label ?? null,
      hours: e.closed === true ? 'Closed' : `${timeText(e.open)} to ${timeText(e.close)}`,
    }));
}

/** "Tuesday 29 December at 9am" (with "today" or "tomorrow" when it is). */
export function openingText(at: Date, now: Date, timeZone: string = LONDON): string {
  const when = zonedParts(at, timeZone);
  const today = zonedParts(now, timeZone).date;
  const time = timeText(`${String(when.hour).padStart(2, '0')}:${String(when.minute).padStart(2, '0')}`);
  if (when.date === today) return `today at ${time}`;
  if (when.date === addCalendarDays(today, 1)) return `tomorrow at ${time}`;
  const day = new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', timeZone })
    .format(at)
    .replace(',', '');
  return `${day} at ${time}`;
}
