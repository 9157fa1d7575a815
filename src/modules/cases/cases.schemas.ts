/**
 * One schema per resident form of the cases module. Messages are translation keys (`cases.error.*`),
 * turned into text in the resident's language when the page is rendered.
 */
import { z } from 'zod';
import { normaliseReference } from './cases.reference.ts';
import { parseTrackContact } from './cases.track.ts';

export const trackStartSchema = z.object({
  reference: z
    .string({ message: 'cases.error.referenceMissing' })
    .trim()
    .min(1, 'cases.error.referenceMissing')
    .refine((v) => normaliseReference(v) !== null, 'cases.error.referenceFormat'),
  contact: z
    .string({ message: 'cases.error.contactMissing' })
    .trim()
    .min(1, 'cases.error.contactMissing')
    .max(320, 'cases.error.contactFormat')
    .refine((v) => parseTrackContact(v) !== null, 'cases.error.contactFormat'),
});

export const trackCodeSchema = z.object({
  code: z
    .string({ message: 'cases.error.codeMissing' })
    .transform((v) => v.replace(/\s+/g, ''))
    .pipe(
      z
        .string()
        .min(1, 'cases.error.codeMissing')
        .regex(/^\d{6}$/, 'cases.error.codeFormat'),
    ),
});

export const replySchema = z.object({
  message: z
    .string({ message: 'cases.error.messageMissing' })
    .trim()
    .min(1, 'cases.error.messageMissing')
    .max(5000, 'cases.error.messageTooLong'),
});
