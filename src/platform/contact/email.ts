/**
 * Email addresses: the one normaliser for every table and search (`contact_points.normalised`,
 * `cases.guest_email`, sign-in codes, message recipients).
 *
 * Trimmed and lower-cased, the local part too. RFC 5321 lets the part before the @ be case-sensitive,
 * but no mainstream mail service treats it so, and residents type their address differently from one
 * visit to the next (`Jo.Bloggs@…` on a form, `jo.bloggs@…` on the phone), so one lower-case form is what
 * lets us match them to their record. Every address already stored is in this form.
 *
 * Valid enough to send to: one @, no spaces, a dot in the domain, at most 64 characters before the @ and
 * 254 in all (the SMTP limits). Pure functions; the table of cases is email.test.ts.
 */
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

/** `  Jo.Bloggs@Example.COM ` → `jo.bloggs@example.com`; null when it is not an email address. */
export function normaliseEmail(value: string | null | undefined): string | null {
  if (typeof value !== 'string') return null;
  const email = value.trim().toLowerCase();
  if (email.length > 254 || !EMAIL.test(email)) return null;
  return email.indexOf('@') <= 64 ? email : null;
}
