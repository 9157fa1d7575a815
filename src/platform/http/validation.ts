/**
 * The GOV.UK error round trip in one helper: parse a form body with a zod schema; on failure return
 * an error summary list (linking to each field), inline messages by field, and the user's answers.
 */
import type { z } from 'zod';
import type { FieldError } from './errors.ts';

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
