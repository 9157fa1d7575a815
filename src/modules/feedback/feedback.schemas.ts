/** One schema per form, at the edge. */
import { z } from 'zod';
import { UUID } from '../complaints/index.ts';

const score = (message: string) =>
  z
    .string({ message })
    .regex(/^[1-5]$/, message)
    .transform(Number);

const optionalText = (max: number, label: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v ?? '').trim())
    .pipe(z.string().max(max, `${label} must be ${max.toLocaleString('en-GB')} characters or fewer`))
    .transform((v) => (v === '' ? null : v));

const requiredText = (max: number, missing: string, label: string) =>
  z
    .string({ message: missing })
    .trim()
    .min(1, missing)
    .max(max, `${label} must be ${max.toLocaleString('en-GB')} characters or fewer`);

const optionalId = (message: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v ? v.trim() : ''))
    .refine((v) => v === '' || UUID.test(v), message)
    .transform((v) => (v === '' ? null : v.toLowerCase()));

export const contactFeedbackSchema = z.object({
  satisfaction: score('Select how satisfied you were'),
  effort: score('Select how easy it was'),
  comment: optionalText(2000, 'Your comments'),
});

/** The page the form was on: a local path only (never another site). */
export const pagePath = z
  .string()
  .optional()
  .transform((v) => (v ?? '/').trim())
  .transform((v) => (/^\/(?!\/)[\w\-./%~]*$/.test(v) && v.length <= 300 ? v : '/'))
  // Private links (feedback and SAR bundle tokens) are never stored or echoed back.
  .transform((v) => (/^\/(feedback|sar-bundles)\/(?!page(\/|$))[^/]+/.test(v) ? '/' : v))
  // Anything else (a repeated field arrives as an array) is no page: back to the home page.
  .catch('/');

export const pageFeedbackSchema = z.object({
  helpful: z.enum(['yes', 'no'], { message: 'Select yes or no' }),
  comment: optionalText(1000, 'Your comments'),
  path: pagePath,
});

export const complimentSchema = z.object({
  kind: z.enum(['compliment', 'comment'], { message: 'Select compliment or comment' }),
  teamId: z.string({ message: 'Select the team it is about' }).regex(UUID, 'Select the team it is about'),
  serviceId: optionalId('Select a service from the list'),
  caseReference: optionalText(20, 'Reference'),
  body: requiredText(5000, 'Enter what they said', 'What they said'),
  channel: z.enum(['phone', 'email', 'letter', 'face_to_face', 'web', 'social'], {
    message: 'Select how it was made',
  }),
});

export const followUpSchema = z.object({ note: optionalText(2000, 'The note') });

export const routeSchema = z.object({
  toTeamId: z.string({ message: 'Select a team' }).regex(UUID, 'Select a team'),
});

export const improvementSchema = z.object({
  youSaid: requiredText(1000, 'Enter what residents told us', 'You said'),
  weDid: requiredText(2000, 'Enter what we did', 'We did'),
  teamId: optionalId('Select a team from the list'),
  serviceId: optionalId('Select a service from the list'),
});
