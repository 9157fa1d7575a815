/**
 * One schema per form, at the edge. Messages follow the GOV.UK error message patterns. Dates are GOV.UK
 * date inputs (`<name>-day`, `<name>-month`, `<name>-year`) read by {@link readDate}.
 */
import { z } from 'zod';
import { isIsoDate, type IsoDate } from '../../platform/calendar/index.ts';
import { DECISIONS, REFUSAL_REASONS, REMEDY_KINDS, ROOT_CAUSES, WORKFLOW_TYPES } from './complaints.types.ts';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Optional free text, trimmed, empty → null. */
export const optionalText = (max: number, label: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v ?? '').trim())
    .pipe(z.string().max(max, `${label} must be ${max.toLocaleString('en-GB')} characters or fewer`))
    .transform((v) => (v === '' ? null : v));

export const requiredText = (max: number, missing: string, label: string) =>
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

export interface DateRule {
  required?: boolean;
  /** Bounds (inclusive) and their messages. */
  notAfter?: { date: IsoDate; message: string };
  notBefore?: { date: IsoDate; message: string };
}

/**
 * Reads a GOV.UK date input from a form body. Returns the ISO date, null when left empty (and not
 * required), or an error with the field to link to.
 */
export function readDate(
  body: Record<string, unknown>,
  name: string,
  label: string,
  rule: DateRule = {},
): { ok: true; value: IsoDate | null } | { ok: false; field: string; message: string } {
  const part = (p: string) =>
    typeof body[`${name}-${p}`] === 'string' ? String(body[`${name}-${p}`]).trim() : '';
  const parts = { day: part('day'), month: part('month'), year: part('year') };
  const given = Object.values(parts).some(Boolean);
  if (!given) {
    return rule.required
      ? { ok: false, field: `${name}-day`, message: `Enter ${label.toLowerCase()}` }
      : { ok: true, value: null };
  }
  const missing = (Object.keys(parts) as (keyof typeof parts)[]).filter((k) => !parts[k]);
  if (missing.length)
    return {
      ok: false,
      field: `${name}-${missing[0]}`,
      message: `${label} must include a ${missing.join(' and ')}`,
    };
  if (!/^\d{1,2}$/.test(parts.day) || !/^\d{1,2}$/.test(parts.month) || !/^\d{4}$/.test(parts.year))
    return { ok: false, field: `${name}-day`, message: `${label} must be a real date` };
  const iso = `${parts.year}-${parts.month.padStart(2, '0')}-${parts.day.padStart(2, '0')}`;
  if (!isIsoDate(iso)) return { ok: false, field: `${name}-day`, message: `${label} must be a real date` };
  if (rule.notAfter && iso > rule.notAfter.date)
    return { ok: false, field: `${name}-day`, message: rule.notAfter.message };
  if (rule.notBefore && iso < rule.notBefore.date)
    return { ok: false, field: `${name}-day`, message: rule.notBefore.message };
  return { ok: true, value: iso };
}

/** Parses the date fields of a form, adding issues in order; returns the values by name. */
export function readDates(
  body: Record<string, unknown>,
  fields: { name: string; label: string; rule?: DateRule }[],
): { values: Record<string, IsoDate | null>; errors: { field: string; message: string }[] } {
  const values: Record<string, IsoDate | null> = {};
  const errors: { field: string; message: string }[] = [];
  for (const f of fields) {
    const result = readDate(body, f.name, f.label, f.rule);
    if (result.ok) values[f.name] = result.value;
    else errors.push({ field: result.field, message: result.message });
  }
  return { values, errors };
}

/** Staff: record a complaint received by phone, letter, email or in person. */
export const newComplaintSchema = z.object({
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
  channel: z.enum(['phone', 'email', 'letter', 'face_to_face', 'web', 'social'], {
    message: 'Select how the complaint was made',
  }),
  idempotencyKey: z.string().regex(UUID, 'The form was out of date: try again'),
});

export const acknowledgeSchema = z.object({});

export const extendSchema = z.object({
  extensionDays: z
    .string({ message: 'Enter the number of working days' })
    .trim()
    .regex(/^\d{1,2}$/, 'Enter the number of working days as a whole number, like 10')
    .transform(Number)
    .pipe(z.number().int().min(1, 'The extension must be at least 1 working day')),
  extensionReason: requiredText(2000, 'Enter the reason for the extension', 'The reason'),
});

export const respondSchema = z.object({
  decision: z.enum(DECISIONS, { message: 'Select the decision' }),
  reasons: requiredText(5000, 'Enter the reasons for the decision', 'The reasons'),
  outcome: optionalText(5000, 'What we will do'),
  outstandingActions: optionalText(2000, 'Outstanding actions'),
});

export const refuseSchema = z.object({
  refusalReason: z.enum(REFUSAL_REASONS, { message: 'Select the reason for refusing the complaint' }),
  refusalDetails: optionalText(2000, 'The explanation'),
});

export const assignSchema = z.object({
  handlerId: z.string({ message: 'Select an officer' }).regex(UUID, 'Select an officer'),
});

export const remedySchema = z.object({
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
});

export const rootCauseSchema = z.object({
  rootCause: z.enum(ROOT_CAUSES, { message: 'Select the root cause' }),
  aboutServiceId: optionalId('Select a service from the list'),
});

export const learningActionSchema = z.object({
  learningDescription: requiredText(2000, 'Describe the learning action', 'The description'),
  ownerId: z.string({ message: 'Select an owner' }).regex(UUID, 'Select an owner'),
  learningTeamId: optionalId('Select a team from the list'),
});

export const completeLearningSchema = z.object({
  note: optionalText(2000, 'The note'),
});

export const escalateStaffSchema = z.object({
  escalationReason: optionalText(2000, 'The reason'),
});

/** Resident: complain about a request (linked to it). */
export const residentComplaintSchema = z.object({
  summary: requiredText(5000, 'Enter what went wrong', 'What went wrong'),
  desiredOutcome: optionalText(2000, 'What you would like us to do'),
  reasonableAdjustments: optionalText(1000, 'What would help you'),
  idempotencyKey: z.string().regex(UUID, 'The form was out of date: try again'),
});

export const residentEscalateSchema = z.object({
  reason: optionalText(2000, 'Your reason'),
});
