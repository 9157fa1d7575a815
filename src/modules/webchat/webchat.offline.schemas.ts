/** The message form shown when webchat is closed or full (plain-English messages, GOV.UK error summaries). */
import { z } from 'zod';
import { isUkPhone, normaliseEmail, normalisePhone } from '../../platform/contact/index.ts';
import { UUID_PATTERN, parseForm, toFormErrors, type FormResult } from '../../platform/http/validation.ts';

export const REASONS = ['closed', 'full'] as const;

/** `?reason=` on the form's address: anything else reads as closed (the page still works). */
export const reasonQuery = z.object({
  reason: z.enum(REASONS).catch('closed').default('closed'),
});

const text = (empty: string, max: number, tooLong: string) =>
  z.string({ message: empty }).trim().min(1, empty).max(max, tooLong);

const optional = z
  .string()
  .optional()
  .transform((v) => (v ?? '').trim());

/** The message. At least one way to reply: an email address or a UK phone number. */
export const messageSchema = z
  .object({
    submissionId: z.string().regex(UUID_PATTERN, 'The form has expired: reload the page and try again'),
    reason: z.enum(REASONS).catch('closed'),
    name: text('Enter your name', 200, 'Your name must be 200 characters or fewer'),
    email: optional.refine(
      (v) => v === '' || normaliseEmail(v) !== null,
      'Enter an email address in the correct format, like name@example.com',
    ),
    phone: optional.refine(
      (v) => v === '' || isUkPhone(v),
      'Enter a UK phone number, like 01632 960 001 or 07700 900 982',
    ),
    message: text('Enter your message', 3000, 'Your message must be 3,000 characters or fewer'),
  })
  .transform((v) => ({
    ...v,
    email: v.email === '' ? null : normaliseEmail(v.email),
    phone: v.phone === '' ? null : normalisePhone(v.phone),
  }));

export type OfflineMessage = z.output<typeof messageSchema>;

const NO_REPLY_WAY = 'Enter an email address or a phone number so we can reply';

/**
 * The form parsed, with "at least one way to reply" checked alongside the other fields (a refinement on
 * the object would only run once every field is valid, so the resident would meet the errors in turns).
 */
export function parseMessageForm(body: unknown): FormResult<OfflineMessage> {
  const raw = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const blank = (v: unknown) => typeof v !== 'string' || v.trim() === '';
  const noReplyWay = blank(raw.email) && blank(raw.phone);
  const parsed = parseForm(messageSchema, raw);
  if (parsed.ok && !noReplyWay) return parsed;
  const fields = parsed.ok
    ? []
    : parsed.errors.errorList.map((e) => ({ field: e.href.slice(1), message: e.text }));
  if (noReplyWay) {
    // In the form's order: after the name, before the phone and the message.
    const at = fields.findIndex((f) => f.field !== 'name' && f.field !== 'submissionId');
    fields.splice(at === -1 ? fields.length : at, 0, { field: 'email', message: NO_REPLY_WAY });
  }
  return { ok: false, errors: toFormErrors(fields), values: raw };
}
