/** One schema per form page of the callbacks module (plain-English messages, GOV.UK error summaries). */
import { z } from 'zod';
import { isUkPhone, normalisePhone } from '../../platform/contact/index.ts';
import { UUID_PATTERN } from '../../platform/http/validation.ts';

const token = z.string().regex(UUID_PATTERN, 'The form has expired: reload the page and try again');
const optionalId = z
  .string()
  .optional()
  .transform((v) => (v && UUID_PATTERN.test(v) ? v.toLowerCase() : null));
const text = (empty: string, max: number, tooLong: string) =>
  z.string({ message: empty }).trim().min(1, empty).max(max, tooLong);

export const TIME_PATTERN = /^([01]?\d|2[0-3])[:.]([0-5]\d)$/;

/** "Promise a callback" (staff). The agreed date and time are checked by the route (they need the clock). */
export const promiseSchema = z.object({
  formToken: token,
  customer: optionalId,
  call: optionalId,
  when: z.enum(['standard', 'agreed'], { message: 'Choose when we will call back' }),
  agreedTime: z.string().trim().optional().default(''),
  phone: z
    .string({ message: 'Enter the phone number to call' })
    .trim()
    .min(1, 'Enter the phone number to call')
    .refine((v) => normalisePhone(v) !== null, 'Enter a phone number, like 01632 960 001 or 07700 900 982')
    .transform((v) => normalisePhone(v)!),
  topic: text('Enter what the callback is about', 500, 'What it is about must be 500 characters or fewer'),
  owner: z
    .string({ message: 'Choose who will call back' })
    .regex(/^(me|team:[0-9a-f-]{36})$/i, 'Choose who will call back'),
  caseId: optionalId,
});

export const ATTEMPT_OUTCOMES = {
  answered: 'Answered',
  no_answer: 'No answer',
  voicemail: 'Left a voicemail',
  busy: 'Busy',
  wrong_number: 'Wrong number',
} as const;

export const attemptSchema = z.object({
  outcome: z.enum(Object.keys(ATTEMPT_OUTCOMES) as [keyof typeof ATTEMPT_OUTCOMES], {
    message: 'Choose what happened',
  }),
  note: z
    .string()
    .trim()
    .max(2000, 'The note must be 2,000 characters or fewer')
    .optional()
    .transform((v) => v || null),
});

export const cancelSchema = z.object({
  reason: text('Enter why the callback is cancelled', 500, 'The reason must be 500 characters or fewer'),
});

export const BEST_TIMES = {
  morning: 'Morning (9am to 12pm)',
  afternoon: 'Afternoon (12pm to 5pm)',
  any: 'Any time',
} as const;

/** "Ask us to call you back" (the portal). `council` is checked by the route against the councils. */
export const requestSchema = z.object({
  formToken: token,
  council: z.string().optional().default(''),
  name: text('Enter your name', 200, 'Your name must be 200 characters or fewer'),
  phone: z
    .string({ message: 'Enter a UK phone number' })
    .trim()
    .min(1, 'Enter a UK phone number')
    .refine((v) => isUkPhone(v), 'Enter a UK phone number, like 01632 960 001 or 07700 900 982')
    .transform((v) => normalisePhone(v)!),
  bestTime: z.enum(['morning', 'afternoon', 'any'], { message: 'Choose the best time to call you' }),
  topic: text(
    'Enter what you would like to talk about',
    500,
    'What you would like to talk about must be 500 characters or fewer',
  ),
});
