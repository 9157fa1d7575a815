/**
 * Case references, as residents read them out over the phone: 8 characters from an alphabet without
 * look-alikes (no 0/O, no 1/I), written `XXXX-XXXX`, e.g. `KX7P-3RMD`. The cases module draws them
 * (`generateReference`); this is the one normaliser for what people type or say back.
 * Pure; the table of cases is reference.test.ts.
 */
export const REFERENCE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const REFERENCE_PATTERN = /^[ABCDEFGHJKLMNPQRSTUVWXYZ2-9]{4}-[ABCDEFGHJKLMNPQRSTUVWXYZ2-9]{4}$/;

/**
 * The stored form of a reference someone typed or read out: case-insensitive, with spaces, hyphens or
 * dashes anywhere or not at all (`kx7p 3rmd`, `KX7P3RMD`, `kx7p–3rmd`). Returns null when it cannot be a
 * reference (wrong length, or a character such as 0, O, 1 or I that no reference contains), so callers
 * can ask the resident to check it without a database query.
 */
export function normaliseReference(input: string | null | undefined): string | null {
  if (typeof input !== 'string') return null;
  const compact = input.toUpperCase().replace(/[\s\-\u2010-\u2015_.]/g, '');
  if (compact.length !== 8) return null;
  const reference = `${compact.slice(0, 4)}-${compact.slice(4)}`;
  return REFERENCE_PATTERN.test(reference) ? reference : null;
}
