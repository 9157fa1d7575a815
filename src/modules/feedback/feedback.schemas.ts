/** One schema per form page, at the edge. */
import { z } from 'zod';
import type { IsoDate } from '../../platform/calendar/index.ts';
import { withDateInputs } from '../../platform/http/date-input.ts';
import {
  contactChannel,
  optionalId,
  optionalText,
  requiredId,
  requiredText,
} from '../../platform/http/form-fields.ts';

const score = (message: string) =>
  z
    .string({ message })
    .regex(/^[1-5]$/, message)
    .transform(Number);

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

/**
 * Staff: record a compliment or comment made by phone, letter, email or in person. The date received is
 * today unless given (the form offers today's date too).
 */
export const complimentSchema = (today: IsoDate) =>
  withDateInputs(
    z.object({
      kind: z.enum(['compliment', 'comment'], { message: 'Select compliment or comment' }),
      teamId: requiredId('Select the team it is about'),
      serviceId: optionalId('Select a service from the list'),
      caseReference: optionalText(20, 'Reference'),
      body: requiredText(5000, 'Enter what they said', 'What they said'),
      channel: contactChannel('Select how it was made'),
    }),
    { receivedOn: { label: 'Date received', notAfterToday: today } },
  ).transform((v) => ({ ...v, receivedOn: v.receivedOn ?? today }));

export const followUpSchema = z.object({ note: optionalText(2000, 'The note') });

export const routeSchema = z.object({ toTeamId: requiredId('Select a team') });

export const improvementSchema = z.object({
  youSaid: requiredText(1000, 'Enter what residents told us', 'You said'),
  weDid: requiredText(2000, 'Enter what we did', 'We did'),
  teamId: optionalId('Select a team from the list'),
  serviceId: optionalId('Select a service from the list'),
});
