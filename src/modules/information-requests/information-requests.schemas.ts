/** One schema per form, at the edge (dates are GOV.UK date inputs read with `readDates`). */
import { z } from 'zod';
import { UUID } from '../complaints/index.ts';
import { OUTCOMES, REGIMES } from './information-requests.types.ts';

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

/** Checkboxes post one value as a string and several as an array. */
const codes = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]).filter((s) => s !== ''));

export const newRequestSchema = z.object({
  regime: z.enum(REGIMES, { message: 'Select the kind of request' }),
  customerId: z
    .string()
    .optional()
    .transform((v) => (v ? v.trim() : ''))
    .refine((v) => v === '' || UUID.test(v), 'Select a customer from the search')
    .transform((v) => (v === '' ? null : v.toLowerCase())),
  requesterName: optionalText(200, 'Name'),
  requesterEmail: optionalText(254, 'Email address'),
  requesterPhone: optionalText(30, 'Telephone number'),
  requestText: requiredText(20_000, 'Enter the request', 'The request'),
  channel: z.enum(['email', 'letter', 'web', 'phone', 'face_to_face', 'social'], {
    message: 'Select how the request was made',
  }),
  idempotencyKey: z.string().regex(UUID, 'The form was out of date: try again'),
});

export const clarificationSchema = z.object({
  question: requiredText(5000, 'Enter what the requester needs to clarify', 'The question'),
});

export const identitySchema = z.object({
  identityText: optionalText(2000, 'The message'),
});

export const extensionSchema = z.object({
  extensionReason: requiredText(2000, 'Enter the reason for the extension', 'The reason'),
});

export const publicInterestSchema = z.object({
  piExemptions: codes,
  piReason: optionalText(2000, 'The explanation'),
});

export const respondSchema = z.object({
  outcome: z.enum(OUTCOMES, { message: 'Select the outcome' }),
  responseText: requiredText(50_000, 'Enter the response', 'The response'),
  exemptions: codes,
  costEstimateHours: z
    .string()
    .optional()
    .transform((v) => (v ?? '').trim())
    .refine((v) => v === '' || /^\d{1,4}(\.\d{1,2})?$/.test(v), 'Enter the estimate in hours, like 22.5')
    .transform((v) => (v === '' ? null : Number(v))),
});

export const withdrawSchema = z.object({ withdrawReason: optionalText(2000, 'The reason') });

export const assignSchema = z.object({
  handlerId: z.string({ message: 'Select an officer' }).regex(UUID, 'Select an officer'),
});

export const reviewSchema = z.object({ grounds: optionalText(5000, 'The grounds') });

export const completeReviewSchema = z.object({
  reviewOutcome: z.enum(['upheld', 'partly_upheld', 'overturned'], {
    message: 'Select the result of the review',
  }),
  reviewNotes: optionalText(5000, 'The explanation'),
});

export const publishSchema = z.object({
  disclosureTitle: requiredText(200, 'Enter a title for the disclosure log', 'The title'),
  disclosureSummary: requiredText(50_000, 'Enter the text to publish', 'The text'),
  personalDataRemoved: z
    .unknown()
    .refine((v) => v === 'yes', 'Confirm that you have removed all personal data'),
});

export const releaseSchema = z.object({ reviewNote: optionalText(2000, 'The note') });

/** A requester asking for an internal review from their account: why they are unhappy. */
export const residentReviewSchema = z.object({
  grounds: requiredText(
    2000,
    'Tell us why you want us to look at our response again',
    'Why you want a review',
  ),
});
