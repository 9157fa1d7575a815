/**
 * One schema per form page, at the edge. Messages follow the GOV.UK error message patterns. Dates are GOV.UK
 * date inputs (`<name>-day`, `<name>-month`, `<name>-year`) added with `withDateInputs`; forms with a date
 * that may not be in the future take today.
 */
import { z } from 'zod';
import type { IsoDate } from '../../platform/calendar/index.ts';
import { withDateInputs } from '../../platform/http/date-input.ts';
import {
  contactChannel,
  idempotencyKey,
  optionalId,
  optionalText,
  requiredId,
  requiredText,
} from '../../platform/http/form-fields.ts';
import { DECISIONS, REFUSAL_REASONS, REMEDY_KINDS, ROOT_CAUSES, WORKFLOW_TYPES } from './complaints.types.ts';

/** Staff: record a complaint received by phone, letter, email or in person. */
export const newComplaintSchema = (today: IsoDate) =>
  withDateInputs(newComplaintFields, {
    receivedOn: { label: 'Date received', required: true, notAfterToday: today },
    matterDate: { label: 'Date of the matter', notAfterToday: today },
  });

const newComplaintFields = z.object({
  customerId: optionalId('Select a customer from the search'),
  contactName: optionalText(200, 'Name'),
  contactEmail: optionalText(254, 'Email address'),
  contactPhone: optionalText(30, 'Telephone number'),
  linkedReference: optionalText(20, 'Reference'),
  aboutServiceId: optionalId('Select a service from the list'),
  summary: requiredText(5000, 'Enter what the complaint is about', 'The complaint'),
  desiredOutcome: optionalText(2000, 'What the resident wants'),
  reasonableAdjustments: optionalText(1000, 'Reasonable adjustments'),
  workflowType: z.enum(WORKFLOW_TYPES, { message: 'Select the kind of complaint' }),
  channel: contactChannel('Select how the complaint was made'),
  idempotencyKey,
});

export const acknowledgeSchema = (today: IsoDate) =>
  withDateInputs(z.object({}), {
    acknowledgedOn: { label: 'Date acknowledged', notAfterToday: today },
  });

export const extendSchema = z.object({
  extensionDays: z
    .string({ message: 'Enter the number of working days' })
    .trim()
    .regex(/^\d{1,2}$/, 'Enter the number of working days as a whole number, like 10')
    .transform(Number)
    .pipe(z.number().int().min(1, 'The extension must be at least 1 working day')),
  extensionReason: requiredText(2000, 'Enter the reason for the extension', 'The reason'),
});

export const respondSchema = (today: IsoDate) =>
  withDateInputs(
    z.object({
      decision: z.enum(DECISIONS, { message: 'Select the decision' }),
      reasons: requiredText(5000, 'Enter the reasons for the decision', 'The reasons'),
      outcome: optionalText(5000, 'What we will do'),
      outstandingActions: optionalText(2000, 'Outstanding actions'),
    }),
    { respondedOn: { label: 'Date of the response', notAfterToday: today } },
  );

export const refuseSchema = z.object({
  refusalReason: z.enum(REFUSAL_REASONS, { message: 'Select the reason for refusing the complaint' }),
  refusalDetails: optionalText(2000, 'The explanation'),
});

export const assignSchema = z.object({
  handlerId: requiredId('Select an officer'),
});

export const remedySchema = withDateInputs(
  z.object({
    remedyKind: z.enum(REMEDY_KINDS, { message: 'Select the kind of remedy' }),
    remedyDescription: requiredText(2000, 'Describe the remedy', 'The description'),
    remedyAmount: z
      .string()
      .optional()
      .transform((v) => (v ?? '').trim().replace(/^£/, ''))
      .refine(
        (v) => v === '' || /^\d{1,6}(\.\d{1,2})?$/.test(v),
        'Enter the amount in pounds, like 50 or 49.99',
      )
      .transform((v) => (v === '' ? null : Math.round(Number(v) * 100))),
  }),
  { remedyDueOn: { label: 'Date it will be done by' } },
);

export const rootCauseSchema = z.object({
  rootCause: z.enum(ROOT_CAUSES, { message: 'Select the root cause' }),
  aboutServiceId: optionalId('Select a service from the list'),
});

export const learningActionSchema = withDateInputs(
  z.object({
    learningDescription: requiredText(2000, 'Describe the learning action', 'The description'),
    ownerId: requiredId('Select an owner'),
    learningTeamId: optionalId('Select a team from the list'),
  }),
  { learningDueOn: { label: 'Due date', required: true } },
);

export const completeLearningSchema = z.object({
  note: optionalText(2000, 'The note'),
});

/** Where "Mark as complete" goes back to: the learning list or a complaint page (anything else: the list). */
export const learningReturnTo = z
  .string()
  .regex(/^\/staff\/complaints(\/[0-9a-f-]{36}|\/learning)?$/)
  .catch('/staff/complaints/learning');

export const escalateStaffSchema = (today: IsoDate) =>
  withDateInputs(z.object({ escalationReason: optionalText(2000, 'The reason') }), {
    requestedOn: { label: 'Date of the request', notAfterToday: today },
  });

/** Resident: complain about a request (linked to it). */
export const residentComplaintSchema = z.object({
  summary: requiredText(5000, 'Enter what went wrong', 'What went wrong'),
  desiredOutcome: optionalText(2000, 'What you would like us to do'),
  reasonableAdjustments: optionalText(1000, 'What would help you'),
  idempotencyKey,
});

export const residentEscalateSchema = z.object({
  reason: optionalText(2000, 'Your reason'),
});
