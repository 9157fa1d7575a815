/** Request bodies of the JSON API, validated with zod; problems become `{ error: { code: 'validation', fields } }`. */
import { z } from 'zod';
import { isIsoDate } from '../../platform/calendar/index.ts';
import { WORKFLOW_TYPES } from '../complaints/index.ts';
import { REGIMES } from '../information-requests/index.ts';

const isoDate = z
  .string({ message: 'must be a date written YYYY-MM-DD' })
  .refine((v) => isIsoDate(v), 'must be a real date written YYYY-MM-DD');

const person = z
  .strictObject({
    name: z.string().trim().max(200).optional(),
    email: z.email({ message: 'must be an email address' }).max(254).optional(),
    phone: z
      .string()
      .trim()
      .regex(/^\+?[0-9 ()-]{7,20}$/, 'must be a telephone number')
      .optional(),
  })
  .refine((p) => p.email !== undefined || p.phone !== undefined, {
    message: 'needs an email address or a telephone number so the council can reply',
  });

export const complaintBody = z.strictObject({
  complainant: person,
  summary: z.string({ message: 'is required' }).trim().min(1, 'is required').max(5000),
  desiredOutcome: z.string().trim().max(2000).optional(),
  receivedOn: isoDate.optional(),
  matterDate: isoDate.optional(),
  relatesTo: z.string().trim().max(20).optional(),
  workflowType: z.enum(WORKFLOW_TYPES).optional(),
  reasonableAdjustments: z.string().trim().max(1000).optional(),
});
export type ComplaintBody = z.output<typeof complaintBody>;

export const informationRequestBody = z.strictObject({
  regime: z.enum(REGIMES, { message: 'must be foi, eir or sar' }),
  requester: person,
  request: z.string({ message: 'is required' }).trim().min(1, 'is required').max(20_000),
  receivedOn: isoDate.optional(),
});
export type InformationRequestBody = z.output<typeof informationRequestBody>;

/** zod issues as API field errors (`complainant.email`, `summary`, …). */
export function fieldErrors(error: z.ZodError): { field: string; message: string }[] {
  return error.issues.map((issue) => ({
    field: issue.path.length ? issue.path.join('.') : 'body',
    message: issue.message,
  }));
}
