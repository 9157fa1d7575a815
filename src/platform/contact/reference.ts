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

const REF_CHARS = 'A-HJ-NP-Z2-9';
/** A labelled reference: `Ref: kx7p-3rmd`, `reference KX7P 3RMD`, `reference number is …` (any case). */
const LABELLED = new RegExp(
  `\\b(?:ref|reference)(?:\\s{1,3}(?:number|no\\.?))?(?:\\s{1,3}is)?\\s{0,3}[:#]?\\s{0,3}([${REF_CHARS}]{4}[ \\-\\u2010-\\u2015]?[${REF_CHARS}]{4})\\b`,
  'gi',
);
/** A bare reference, upper case only (`SELF-HELP` would otherwise be one). */
const BARE = new RegExp(`(?<![A-Za-z0-9-])([${REF_CHARS}]{4}-[${REF_CHARS}]{4})(?![A-Za-z0-9-])`, 'g');

/** References in a body, in order of appearance, each once; at most `limit` (quoted threads repeat). */
export function referencesInBody(text: string, limit = 3): string[] {
  const found: { at: number; ref: string }[] = [];
  for (const pattern of [LABELLED, BARE]) {
    pattern.lastIndex = 0;
    for (const match of text.matchAll(pattern)) {
      const ref = normaliseReference(match[1]);
      if (ref) found.push({ at: match.index ?? 0, ref });
    }
  }
  const refs = [...new Set(found.sort((a, b) => a.at - b.at).map((f) => f.ref))];
  return refs.slice(0, limit);
}
