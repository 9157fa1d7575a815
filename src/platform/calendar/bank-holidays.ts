/**
 * UK bank holiday data in the shape GOV.UK publishes at https://www.gov.uk/bank-holidays.json,
 * with a hand-written validator (so a bad file fails loudly, listing every problem) and a merge.
 */
import { isIsoDate, type IsoDate } from './dates.ts';

/** The three GOV.UK divisions. Wales shares England's bank holidays. */
export const DIVISIONS = ['england-and-wales', 'scotland', 'northern-ireland'] as const;

export type Division = (typeof DIVISIONS)[number];

/** One bank holiday, exactly as GOV.UK writes it. */
export interface BankHolidayEvent {
  title: string;
  date: IsoDate;
  /** `""` or `"Substitute day"` (when the holiday is moved off a weekend). */
  notes: string;
  bunting: boolean;
}

export interface BankHolidayDivision {
  division: Division;
  events: BankHolidayEvent[];
}

/** The whole GOV.UK document: one entry per division. */
export type BankHolidaysData = Record<Division, BankHolidayDivision>;

export function isDivision(value: unknown): value is Division {
  return typeof value === 'string' && (DIVISIONS as readonly string[]).includes(value);
}

/** Thrown by {@link parseBankHolidays}; `issues` lists each problem with a path into the document. */
export class BankHolidayDataError extends Error {
  readonly issues: readonly string[];

  constructor(issues: readonly string[], source?: string) {
    const where = source ? ` in ${source}` : '';
    super(
      `Invalid bank holiday data${where} (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n` +
        issues.map((issue) => `  - ${issue}`).join('\n'),
    );
    this.name = 'BankHolidayDataError';
    this.issues = issues;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return typeof value === 'string' ? JSON.stringify(value) : `${typeof value} ${JSON.stringify(value)}`;
}

/**
 * Checks that `json` (already `JSON.parse`d) has the GOV.UK shape and returns a clean copy holding
 * only the known fields, events sorted by date. Every division must be present; within a division
 * every event needs a non-empty `title`, a real `date` (`YYYY-MM-DD`), a string `notes` and a
 * boolean `bunting`, and no date may appear twice. Unknown top-level keys are ignored.
 *
 * @throws {BankHolidayDataError} listing every problem found, e.g.
 *   `scotland.events[3].date: expected a real date written YYYY-MM-DD, got "2026-02-30"`.
 */
export function parseBankHolidays(json: unknown, source?: string): BankHolidaysData {
  const issues: string[] = [];
  if (!isRecord(json)) {
    throw new BankHolidayDataError(
      [`top level: expected an object keyed by division, got ${describe(json)}`],
      source,
    );
  }
  const result = {} as BankHolidaysData;
  for (const division of DIVISIONS) {
    const entry = json[division];
    if (!isRecord(entry)) {
      issues.push(`${division}: expected an object with "division" and "events", got ${describe(entry)}`);
      continue;
    }
    if (entry.division !== division) {
      issues.push(
        `${division}.division: expected ${JSON.stringify(division)}, got ${describe(entry.division)}`,
      );
    }
    if (!Array.isArray(entry.events)) {
      issues.push(`${division}.events: expected an array, got ${describe(entry.events)}`);
      continue;
    }
    const events: BankHolidayEvent[] = [];
    const seen = new Map<string, number>();
    (entry.events as unknown[]).forEach((raw, index) => {
      const path = `${division}.events[${index}]`;
      if (!isRecord(raw)) {
        issues.push(`${path}: expected an object, got ${describe(raw)}`);
        return;
      }
      const before = issues.length;
      if (typeof raw.title !== 'string' || raw.title.trim() === '') {
        issues.push(`${path}.title: expected a non-empty string, got ${describe(raw.title)}`);
      }
      if (!isIsoDate(raw.date)) {
        issues.push(`${path}.date: expected a real date written YYYY-MM-DD, got ${describe(raw.date)}`);
      } else if (seen.has(raw.date)) {
        issues.push(`${path}.date: ${raw.date} already appears at ${division}.events[${seen.get(raw.date)}]`);
      } else {
        seen.set(raw.date, index);
      }
      if (typeof raw.notes !== 'string') {
        issues.push(`${path}.notes: expected a string ("" if none), got ${describe(raw.notes)}`);
      }
      if (typeof raw.bunting !== 'boolean') {
        issues.push(`${path}.bunting: expected true or false, got ${describe(raw.bunting)}`);
      }
      if (issues.length === before) {
        events.push({
          title: raw.title as string,
          date: raw.date as string,
          notes: raw.notes as string,
          bunting: raw.bunting as boolean,
        });
      }
    });
    result[division] = { division, events: sortEvents(events) };
  }
  if (issues.length > 0) throw new BankHolidayDataError(issues, source);
  return result;
}

function sortEvents(events: BankHolidayEvent[]): BankHolidayEvent[] {
  return [...events].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

/** What {@link mergeBankHolidays} did. */
export interface BankHolidayMergeReport {
  /** Events whose division+date was not in the existing data. */
  added: number;
  /** Events whose division+date existed but whose title, notes or bunting differed (the incoming one won). */
  updated: number;
  /** Events present in both and identical. */
  unchanged: number;
  /**
   * Existing events kept although the incoming data covers their year and does not list them: usually a
   * holiday that was moved or cancelled (as 4 May 2020 was). They are kept, because a merge is a union;
   * check them and delete them by hand if they are gone.
   */
  onlyInExisting: { division: Division; date: IsoDate; title: string }[];
}

/**
 * Unions two documents by division + date. Where both have an event on the same date in the same
 * division, the incoming one wins (title, notes and bunting). Events come out sorted by date.
 */
export function mergeBankHolidays(
  existing: BankHolidaysData,
  incoming: BankHolidaysData,
): { data: BankHolidaysData; report: BankHolidayMergeReport } {
  const report: BankHolidayMergeReport = { added: 0, updated: 0, unchanged: 0, onlyInExisting: [] };
  const data = {} as BankHolidaysData;
  for (const division of DIVISIONS) {
    const byDate = new Map<IsoDate, BankHolidayEvent>();
    for (const event of existing[division].events) byDate.set(event.date, { ...event });
    const incomingYears = new Set(incoming[division].events.map((e) => e.date.slice(0, 4)));
    const incomingDates = new Set(incoming[division].events.map((e) => e.date));
    for (const event of incoming[division].events) {
      const previous = byDate.get(event.date);
      if (!previous) report.added += 1;
      else if (
        previous.title !== event.title ||
        previous.notes !== event.notes ||
        previous.bunting !== event.bunting
      )
        report.updated += 1;
      else report.unchanged += 1;
      byDate.set(event.date, { ...event });
    }
    for (const event of existing[division].events) {
      if (incomingYears.has(event.date.slice(0, 4)) && !incomingDates.has(event.date)) {
        report.onlyInExisting.push({ division, date: event.date, title: event.title });
      }
    }
    data[division] = { division, events: sortEvents([...byDate.values()]) };
  }
  return { data, report };
}

/** The document as the shipped file stores it: divisions in GOV.UK order, events by date, 2-space JSON. */
export function serializeBankHolidays(data: BankHolidaysData): string {
  const ordered: Record<string, BankHolidayDivision> = {};
  for (const division of DIVISIONS) {
    ordered[division] = {
      division,
      events: sortEvents(data[division].events).map(({ title, date, notes, bunting }) => ({
        title,
        date,
        notes,
        bunting,
      })),
    };
  }
  return `${JSON.stringify(ordered, null, 2)}\n`;
}
