/**
 * One schema per form, at the edge. Messages follow the GOV.UK error message patterns; outputs are
 * already normalised for the service layer.
 */
import { z } from 'zod';
import {
  CONTACT_OUTCOMES,
  LOGGABLE_CHANNELS,
  type ContactOutcome,
  type LoggableChannel,
} from './customers.rules.ts';
import {
  normaliseEmail,
  normalisePhone,
  normalisePostcode,
  postcodeKey,
} from '../../platform/contact/index.ts';
import { isoDate } from './customers.normalise.ts';

const text = (max: number, tooLong: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v ?? '').trim())
    .pipe(z.string().max(max, tooLong));

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const optionalId = z
  .string()
  .optional()
  .transform((v) => (v && UUID.test(v) ? v.toLowerCase() : v ? 'invalid' : null));

const channels = Object.keys(LOGGABLE_CHANNELS) as [LoggableChannel, ...LoggableChannel[]];
const outcomes = Object.keys(CONTACT_OUTCOMES) as [ContactOutcome, ...ContactOutcome[]];

/** "Log a contact" on the single view. */
export const logContactSchema = z.object({
  channel: z.enum(channels, { message: 'Select how the customer contacted us' }),
  serviceId: optionalId.refine((v) => v !== 'invalid', 'Select a service from the list'),
  summary: z
    .string({ message: 'Enter a summary of the contact' })
    .trim()
    .min(1, 'Enter a summary of the contact')
    .max(2000, 'Summary must be 2,000 characters or fewer'),
  outcome: z.enum(outcomes, { message: 'Select the outcome of the contact' }),
  caseId: optionalId.refine((v) => v !== 'invalid', 'Select a case from the list'),
});
export type LogContactInput = z.output<typeof logContactSchema>;

export interface NewCustomerInput {
  givenName: string;
  familyName: string;
  dateOfBirth: string | null;
  email: { value: string; normalised: string } | null;
  phone: { value: string; normalised: string } | null;
  address: { line1: string; postcode: string } | null;
  postcode: string | null;
  /** "Create a new record anyway" after the duplicate check. */
  confirmed: boolean;
}

/** The new-customer form. `today` (ISO date) bounds the date of birth. */
export function newCustomerSchema(today: string) {
  return z
    .object({
      givenName: text(100, 'Given name must be 100 characters or fewer').pipe(
        z.string().min(1, 'Enter a given name'),
      ),
      familyName: text(100, 'Family name must be 100 characters or fewer').pipe(
        z.string().min(1, 'Enter a family name'),
      ),
      'dob-day': text(2, 'Date of birth must be a real date'),
      'dob-month': text(2, 'Date of birth must be a real date'),
      'dob-year': text(4, 'Year must include 4 numbers'),
      email: text(254, 'Email address must be 254 characters or fewer'),
      phone: text(30, 'Enter a telephone number, like 01632 960 001 or 07700 900 982'),
      addressLine: text(200, 'Address line must be 200 characters or fewer'),
      postcode: text(10, 'Enter a real postcode'),
      confirm: z.string().optional(),
    })
    .superRefine((v, ctx) => {
      const parts = { day: v['dob-day'], month: v['dob-month'], year: v['dob-year'] };
      const given = Object.values(parts).some(Boolean);
      if (given) {
        const missing = (Object.keys(parts) as (keyof typeof parts)[]).filter((k) => !parts[k]);
        if (missing.length) {
          ctx.addIssue({
            code: 'custom',
            path: [`dob-${missing[0]}`],
            message: `Date of birth must include a ${missing.join(' and ')}`,
          });
        } else if (
          !/^\d{1,2}$/.test(parts.day) ||
          !/^\d{1,2}$/.test(parts.month) ||
          !/^\d+$/.test(parts.year)
        ) {
          ctx.addIssue({ code: 'custom', path: ['dob-day'], message: 'Date of birth must be a real date' });
        } else if (parts.year.length !== 4) {
          ctx.addIssue({ code: 'custom', path: ['dob-year'], message: 'Year must include 4 numbers' });
        } else {
          const iso = isoDate(Number(parts.year), Number(parts.month), Number(parts.day));
          if (!iso)
            ctx.addIssue({ code: 'custom', path: ['dob-day'], message: 'Date of birth must be a real date' });
          else if (iso >= today)
            ctx.addIssue({ code: 'custom', path: ['dob-day'], message: 'Date of birth must be in the past' });
          else if (iso < '1900-01-01')
            ctx.addIssue({ code: 'custom', path: ['dob-year'], message: 'Date of birth must be after 1900' });
        }
      }
      if (v.email && !normaliseEmail(v.email))
        ctx.addIssue({
          code: 'custom',
          path: ['email'],
          message: 'Enter an email address in the correct format, like name@example.com',
        });
      if (v.phone && !normalisePhone(v.phone))
        ctx.addIssue({
          code: 'custom',
          path: ['phone'],
          message: 'Enter a telephone number, like 01632 960 001 or 07700 900 982',
        });
      if (v.postcode && !normalisePostcode(v.postcode))
        ctx.addIssue({ code: 'custom', path: ['postcode'], message: 'Enter a real postcode' });
      if (v.addressLine && !v.postcode)
        ctx.addIssue({ code: 'custom', path: ['postcode'], message: 'Enter a postcode for the address' });
    })
    .transform((v): NewCustomerInput => {
      const postcode = v.postcode ? postcodeKey(v.postcode) : null;
      const email = v.email ? normaliseEmail(v.email) : null;
      const phone = v.phone ? normalisePhone(v.phone) : null;
      return {
        givenName: v.givenName,
        familyName: v.familyName,
        dateOfBirth: v['dob-year']
          ? isoDate(Number(v['dob-year']), Number(v['dob-month']), Number(v['dob-day']))
          : null,
        email: email ? { value: v.email, normalised: email } : null,
        phone: phone ? { value: v.phone, normalised: phone } : null,
        address: postcode
          ? { line1: v.addressLine, postcode: normalisePostcode(v.postcode) ?? postcode }
          : null,
        postcode,
        confirmed: v.confirm === 'yes',
      };
    });
}

/** The merge confirmation. */
export const mergeSchema = z.object({
  duplicateId: z.string().regex(UUID, 'Select the duplicate record'),
});

/** Undo a merge. */
export const unmergeSchema = z.object({
  mergedId: z.string().regex(UUID, 'Select the merged record'),
});
