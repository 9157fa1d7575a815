/**
 * One schema per form page, at the edge. Dates are GOV.UK date inputs added with `withDateInputs`; forms
 * with a date that may not be in the future take today.
 */
import { z } from 'zod';
import type { IsoDate } from '../../platform/calendar/index.ts';
import { withDateInputs } from '../../platform/http/date-input.ts';
import * as field from '../../platform/http/form-fields.ts';
import { OUTCOMES, REGIMES } from './information-requests.types.ts';

const empty = z.object({});

/** Staff: record a request received by email, letter, phone or in person. */
export const newRequestSchema = (today: IsoDate) =>
  withDateInputs(newRequestFields, {
    receivedOn: { label: 'Date received', required: true, notAfterToday: today },
  });

const newRequestFields = z.object({
  regime: z.enum(REGIMES, { message: 'Select the kind of request' }),
  customerId: field.optionalId('Select a customer from the search'),
  requesterName: field.optionalText(200, 'Name'),
  requesterEmail: field.optionalText(254, 'Email address'),
  requesterPhone: field.optionalText(30, 'Telephone number'),
  requestText: field.requiredText(20_000, 'Enter the request', 'The request'),
  channel: field.contactChannel('Select how the request was made'),
  idempotencyKey: field.idempotencyKey,
});

export const clarificationSchema = (today: IsoDate) =>
  withDateInputs(
    z.object({
      question: field.requiredText(5000, 'Enter what the requester needs to clarify', 'The question'),
    }),
    { askedOn: { label: 'Date asked', notAfterToday: today } },
  );

export const clarificationAnswerSchema = (today: IsoDate) =>
  withDateInputs(empty, { answeredOn: { label: 'Date the answer arrived', notAfterToday: today } });

export const identityVerifiedSchema = (today: IsoDate) =>
  withDateInputs(empty, { verifiedOn: { label: 'Date the proof arrived', notAfterToday: today } });

export const identitySchema = z.object({
  identityText: field.optionalText(2000, 'The message'),
});

export const extensionSchema = (today: IsoDate) =>
  withDateInputs(
    z.object({
      extensionReason: field.requiredText(2000, 'Enter the reason for the extension', 'The reason'),
    }),
    { notifiedOn: { label: 'Date the requester was told', notAfterToday: today } },
  );

export const publicInterestSchema = (today: IsoDate) =>
  withDateInputs(
    z.object({
      piExemptions: field.checkboxValues,
      piReason: field.optionalText(2000, 'The explanation'),
    }),
    {
      targetDate: { label: 'Target date', required: true },
      piNotifiedOn: { label: 'Date the requester was told', notAfterToday: today },
    },
  );

export const respondSchema = (today: IsoDate) =>
  withDateInputs(
    z.object({
      outcome: z.enum(OUTCOMES, { message: 'Select the outcome' }),
      responseText: field.requiredText(50_000, 'Enter the response', 'The response'),
      exemptions: field.checkboxValues,
      costEstimateHours: z
        .string()
        .optional()
        .transform((v) => (v ?? '').trim())
        .refine((v) => v === '' || /^\d{1,4}(\.\d{1,2})?$/.test(v), 'Enter the estimate in hours, like 22.5')
        .transform((v) => (v === '' ? null : Number(v))),
    }),
    { respondedOn: { label: 'Date of the response', notAfterToday: today } },
  );

export const withdrawSchema = z.object({ withdrawReason: field.optionalText(2000, 'The reason') });

export const assignSchema = z.object({ handlerId: field.requiredId('Select an officer') });

export const reviewSchema = (today: IsoDate) =>
  withDateInputs(z.object({ grounds: field.optionalText(5000, 'The grounds') }), {
    reviewRequestedOn: { label: 'Date the review was asked for', notAfterToday: today },
  });

export const completeReviewSchema = z.object({
  reviewOutcome: z.enum(['upheld', 'partly_upheld', 'overturned'], {
    message: 'Select the result of the review',
  }),
  reviewNotes: field.optionalText(5000, 'The explanation'),
});

export const publishSchema = z.object({
  disclosureTitle: field.requiredText(200, 'Enter a title for the disclosure log', 'The title'),
  disclosureSummary: field.requiredText(50_000, 'Enter the text to publish', 'The text'),
  personalDataRemoved: z
    .unknown()
    .refine((v) => v === 'yes', 'Confirm that you have removed all personal data'),
});

export const releaseSchema = z.object({ reviewNote: field.optionalText(2000, 'The note') });

/** A requester asking for an internal review from their account: why they are unhappy. */
export const residentReviewSchema = z.object({
  grounds: field.requiredText(
    2000,
    'Tell us why you want us to look at our response again',
    'Why you want a review',
  ),
});
