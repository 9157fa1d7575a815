/** The audit search form (a GET: filters in the query string). */
import { z } from 'zod';

export const RECORD_TYPES: Record<string, string> = {
  case: 'Case',
  customer: 'Customer',
  complaint: 'Complaint',
  information_request: 'Information request',
  staff_user: 'Staff member',
  attachment: 'File',
  message: 'Message',
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string): boolean => UUID.test(value);

/** `2026-11-30` or `30/11/2026` (or `30 11 2026`) → ISO date, or null. */
export function parseDay(value: string): string | null {
  const v = value.trim();
  let y: number, m: number, d: number;
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(v);
  const uk = /^(\d{1,2})[/ .-](\d{1,2})[/ .-](\d{4})$/.exec(v);
  if (iso) [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else if (uk) [y, m, d] = [Number(uk[3]), Number(uk[2]), Number(uk[1])];
  else return null;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return date.toISOString().slice(0, 10);
}

const field = z
  .string()
  .trim()
  .max(200, 'Must be 200 characters or fewer')
  .optional()
  .transform((v) => v ?? '');
const day = (label: string) =>
  field.refine((v) => v === '' || parseDay(v) !== null, `${label} must be a real date, like 30/11/2026`);

export const auditSearchSchema = z
  .object({
    person: field,
    record: field,
    recordType: z
      .string()
      .optional()
      .transform((v) => (v && v in RECORD_TYPES ? v : '')),
    from: day('Date from'),
    to: day('Date to'),
    action: field.refine(
      (v) => v === '' || /^[a-z0-9_.:-]+$/.test(v),
      'Enter an action like case.view or case.',
    ),
    page: z
      .string()
      .optional()
      .transform((v) => Math.min(Math.max(Number.parseInt(v ?? '1', 10) || 1, 1), 1000)),
  })
  .superRefine((value, ctx) => {
    if (value.person === '' && value.record === '')
      ctx.addIssue({ code: 'custom', path: ['person'], message: 'Enter a person or a record to search for' });
    if (value.record !== '' && isUuid(value.record) && value.recordType === '')
      ctx.addIssue({ code: 'custom', path: ['recordType'], message: 'Select the type of record' });
    const from = parseDay(value.from);
    const to = parseDay(value.to);
    if (from && to && from > to)
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: 'Date to must be the same as or after date from',
      });
  });

export type AuditSearch = z.output<typeof auditSearchSchema>;
