/**
 * GOV.UK date inputs (`<name>-day`, `<name>-month`, `<name>-year`) read once for every form: the staff
 * casework forms (through {@link withDateInputs}, a zod schema that adds the dates to a form schema) and the
 * forms engine (through {@link readDateParts}, which leaves the wording of its translated messages to it).
 * Messages follow the GOV.UK date input pattern: "Enter …", "… must include a month", "… must be a real
 * date", and the caller's bounds.
 */
import { z } from 'zod';
import { isIsoDate, type IsoDate } from '../calendar/index.ts';

export type DatePart = 'day' | 'month' | 'year';

export interface DateParts {
  day: string;
  month: string;
  year: string;
}

export type DatePartsResult =
  { ok: true; iso: IsoDate } | { ok: false; missing: DatePart[]; invalid: boolean };

/**
 * A real calendar date from the three parts (day and month of one or two digits, a four-digit year no
 * earlier than `minYear`), or which parts are missing, or that the parts make no real date.
 */
export function readDateParts(parts: DateParts, options: { minYear?: number } = {}): DatePartsResult {
  const day = parts.day.trim();
  const month = parts.month.trim();
  const year = parts.year.trim();
  const missing = (['day', 'month', 'year'] as const).filter((k) => ({ day, month, year })[k] === '');
  if (missing.length) return { ok: false, missing, invalid: false };
  if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d{4}$/.test(year))
    return { ok: false, missing: [], invalid: true };
  const iso = `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
  if (!isIsoDate(iso) || Number(year) < (options.minYear ?? 0))
    return { ok: false, missing: [], invalid: true };
  return { ok: true, iso };
}

/** One date input on a staff form. */
export interface DateInput {
  /** The field's label as it starts a sentence, e.g. "Date received". */
  label: string;
  required?: boolean;
  /** Today: a later date is refused with "<label> must be today or in the past". */
  notAfterToday?: IsoDate;
}

export type DateInputProblem = { field: string; message: string };

const partOf = (body: Record<string, unknown>, name: string, part: DatePart): string => {
  const value = body[`${name}-${part}`];
  return typeof value === 'string' ? value : '';
};

/**
 * Reads the date input `name` from a form body: the ISO date, null when left empty (and not required), or
 * the problem with the field to link to (the first missing part, else the day).
 */
export function readDateInput(
  body: Record<string, unknown>,
  name: string,
  input: DateInput,
): { ok: true; value: IsoDate | null } | ({ ok: false } & DateInputProblem) {
  const { label } = input;
  const read = readDateParts({
    day: partOf(body, name, 'day'),
    month: partOf(body, name, 'month'),
    year: partOf(body, name, 'year'),
  });
  if (!read.ok && read.missing.length === 3)
    return input.required
      ? { ok: false, field: `${name}-day`, message: `Enter ${label.toLowerCase()}` }
      : { ok: true, value: null };
  if (!read.ok && read.missing.length)
    return {
      ok: false,
      field: `${name}-${read.missing[0]}`,
      message: `${label} must include a ${read.missing.join(' and ')}`,
    };
  if (!read.ok) return { ok: false, field: `${name}-day`, message: `${label} must be a real date` };
  if (input.notAfterToday && read.iso > input.notAfterToday)
    return { ok: false, field: `${name}-day`, message: `${label} must be today or in the past` };
  return { ok: true, value: read.iso };
}

type DateValues<D extends Record<string, DateInput>> = {
  [K in keyof D]: D[K] extends { required: true } ? IsoDate : IsoDate | null;
};

/**
 * A form schema with GOV.UK date inputs added: parses the body with `schema`, reads each date input named in
 * `dates`, and gives the schema's output with the dates (ISO strings, null when left empty) under their
 * names. The error summary lists the schema's problems first, then the dates' in the order given, so
 * `parseForm` does the whole GOV.UK error round trip for the page.
 */
export function withDateInputs<
  S extends z.ZodType<Record<string, unknown>>,
  D extends Record<string, DateInput>,
>(schema: S, dates: D): z.ZodType<z.output<S> & DateValues<D>, unknown> {
  return z.unknown().transform((body, ctx) => {
    const values = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    const parsed = schema.safeParse(values);
    if (!parsed.success)
      for (const issue of parsed.error.issues)
        ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    const read: Record<string, IsoDate | null> = {};
    let problems = !parsed.success;
    for (const [name, input] of Object.entries(dates)) {
      const result = readDateInput(values, name, input);
      if (result.ok) read[name] = result.value;
      else {
        problems = true;
        ctx.addIssue({ code: 'custom', path: [result.field], message: result.message });
      }
    }
    if (problems || !parsed.success) return z.NEVER;
    return { ...parsed.data, ...read } as z.output<S> & DateValues<D>;
  });
}
