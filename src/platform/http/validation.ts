/**
 * The GOV.UK error round trip in one helper: parse a form body with a zod schema; on failure return
 * an error summary list (linking to each field), inline messages by field, and the user's answers.
 */
import { z } from 'zod';
import { NotFoundError, ValidationError, type FieldError } from './errors.ts';
import { isIsoDate } from '../calendar/index.ts';

export interface FormErrors {
  /** For govukErrorSummary: text + href to the field. */
  errorList: { text: string; href: string }[];
  /** For each component's errorMessage: { text } keyed by field name. */
  errors: Record<string, { text: string }>;
}

export type FormResult<T> =
  { ok: true; value: T } | { ok: false; errors: FormErrors; values: Record<string, unknown> };

export function toFormErrors(fields: FieldError[]): FormErrors {
  const errors: Record<string, { text: string }> = {};
  const errorList: { text: string; href: string }[] = [];
  for (const { field, message } of fields) {
    if (errors[field]) continue;
    errors[field] = { text: message };
    errorList.push({ text: message, href: `#${field}` });
  }
  return { errors, errorList };
}

export function parseForm<S extends z.ZodType>(schema: S, body: unknown): FormResult<z.output<S>> {
  const values = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const result = schema.safeParse(values);
  if (result.success) return { ok: true, value: result.data };
  const fields = result.error.issues.map((issue) => ({
    field: String(issue.path[0] ?? 'form'),
    message: issue.message,
  }));
  return { ok: false, errors: toFormErrors(fields), values };
}

/** A UUID written the way PostgreSQL prints one (any case). */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A route parameter that names a record by id: anything but a UUID cannot name one. */
export const uuidParam = z
  .string()
  .regex(UUID_PATTERN)
  .transform((v) => v.toLowerCase());

/**
 * The id in route parameter `name`, or a 404 when it is missing or not a UUID: a malformed id names no
 * record, and a record that may not be seen is a 404 too (the staff convention). Use it before the id
 * reaches SQL, a redirect or a `Location` header.
 */
export function idFromParams(params: unknown, name = 'id'): string {
  const value = params && typeof params === 'object' ? (params as Record<string, unknown>)[name] : undefined;
  const parsed = uuidParam.safeParse(value);
  if (!parsed.success) throw new NotFoundError();
  return parsed.data;
}

/**
 * Parses a query string with a zod schema, the same way as form bodies. Invalid input is a 400
 * ValidationError (a GOV.UK error page, or a JSON error on the API); schemas that would rather ignore a bad
 * value use `.catch()` on that field. Repeated keys arrive as arrays: a schema expecting a string refuses them.
 */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.output<S> {
  const result = schema.safeParse(query && typeof query === 'object' ? query : {});
  if (result.success) return result.data;
  throw new ValidationError(
    result.error.issues.map((issue) => ({ field: String(issue.path[0] ?? 'query'), message: issue.message })),
  );
}

/**
 * An optional date filter in a query string (`?from=2026-11-01`): blank means "not given"; anything else
 * must be a real calendar date written YYYY-MM-DD (`2026-02-30` is refused, not rolled over).
 */
export const queryDate = (label: string) =>
  z
    .string({ message: `${label} must be a date written like 2026-11-23` })
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined))
    .refine((v) => v === undefined || isIsoDate(v), `${label} must be a real date written like 2026-11-23`);

/** The usual report period filter: `from` and `to`, both optional real dates. */
export const reportPeriodQuery = z.object({
  from: queryDate('The start date'),
  to: queryDate('The end date'),
});

/**
 * The string fields of a posted form (what a page re-shows after an error); anything else (a repeated
 * field's array, a file) is left out.
 */
export function formStrings(body: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (body && typeof body === 'object')
    for (const [k, v] of Object.entries(body)) if (typeof v === 'string') out[k] = v;
  return out;
}
