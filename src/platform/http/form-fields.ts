/**
 * Zod builders for the fields staff and resident forms repeat: optional and required text, ids chosen from
 * pickers, checkbox lists and the idempotency key of a "record a …" form. Messages follow the GOV.UK error
 * message patterns ("Enter …", "… must be 2,000 characters or fewer", "Select …").
 */
import { z } from 'zod';
import { UUID_PATTERN } from './validation.ts';

const tooLong = (max: number, label: string) =>
  `${label} must be ${max.toLocaleString('en-GB')} characters or fewer`;

/** Optional free text, trimmed; empty → null. */
export const optionalText = (max: number, label: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v ?? '').trim())
    .pipe(z.string().max(max, tooLong(max, label)))
    .transform((v) => (v === '' ? null : v));

/** Required free text, trimmed. */
export const requiredText = (max: number, missing: string, label: string) =>
  z.string({ message: missing }).trim().min(1, missing).max(max, tooLong(max, label));

/** An optional id from a picker or search (empty → null, lower case). */
export const optionalId = (message: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v ? v.trim() : ''))
    .refine((v) => v === '' || UUID_PATTERN.test(v), message)
    .transform((v) => (v === '' ? null : v.toLowerCase()));

/** A required id from a picker: anything but a UUID is "not chosen". */
export const requiredId = (message: string) => z.string({ message }).regex(UUID_PATTERN, message);

/** The hidden idempotency key of a "record a …" form (a UUID made when the form was shown). */
export const idempotencyKey = z.string().regex(UUID_PATTERN, 'The form was out of date: try again');

/** Checkboxes post one value as a string and several as an array: always a list, without blanks. */
export const checkboxValues = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]).filter((s) => s !== ''));

/** How a contact reached the council, for "record a …" forms (the order the radios show). */
export const CONTACT_CHANNEL_LABELS = {
  phone: 'Phone',
  email: 'Email',
  letter: 'Letter',
  face_to_face: 'Face to face',
  web: 'Website',
  social: 'Social media',
} as const;

export type ContactChannel = keyof typeof CONTACT_CHANNEL_LABELS;

/** One of the contact channels, or `message` when none (or another value) was chosen. */
export const contactChannel = (message: string) =>
  z.enum(Object.keys(CONTACT_CHANNEL_LABELS) as [ContactChannel, ...ContactChannel[]], { message });
