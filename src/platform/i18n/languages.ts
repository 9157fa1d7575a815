/**
 * The languages Frontdoor knows by code: their English name (what staff read), their own name (what a
 * resident choosing a language reads, marked with its `lang` and `dir`), and writing direction. Residents
 * can choose any language with `offered: true` for messages and interpreters; staff may record others.
 */
export interface Language {
  code: string;
  english: string;
  endonym: string;
  dir: 'ltr' | 'rtl';
  offered: boolean;
}

const L = (
  code: string,
  english: string,
  endonym: string,
  offered = true,
  dir: 'ltr' | 'rtl' = 'ltr',
): Language => ({
  code,
  english,
  endonym,
  dir,
  offered,
});

export const LANGUAGE_LIST: readonly Language[] = [
  L('en', 'English', 'English'),
  L('cy', 'Welsh', 'Cymraeg'),
  L('pl', 'Polish', 'Polski'),
  L('ro', 'Romanian', 'Română'),
  L('pa', 'Punjabi', 'ਪੰਜਾਬੀ'),
  L('ur', 'Urdu', 'اردو', true, 'rtl'),
  L('bn', 'Bengali', 'বাংলা'),
  L('gu', 'Gujarati', 'ગુજરાતી'),
  L('ar', 'Arabic', 'العربية', true, 'rtl'),
  L('pt', 'Portuguese', 'Português'),
  L('lt', 'Lithuanian', 'Lietuvių'),
  L('so', 'Somali', 'Soomaali'),
  L('tr', 'Turkish', 'Türkçe'),
  L('uk', 'Ukrainian', 'Українська'),
  L('zh', 'Chinese', '中文'),
  L('fa', 'Persian', 'فارسی', true, 'rtl'),
  L('es', 'Spanish', 'Español', false),
  L('fr', 'French', 'Français', false),
  L('it', 'Italian', 'Italiano', false),
  L('ru', 'Russian', 'Русский', false),
  L('bsl', 'British Sign Language', 'British Sign Language', false),
];

const byCode = new Map(LANGUAGE_LIST.map((l) => [l.code, l]));

/** The language with this code (any case, `pt_BR`-style regions ignored), or null. */
export function findLanguage(code: string | null | undefined): Language | null {
  if (!code) return null;
  const key = code.trim().toLowerCase().replace(/_/g, '-');
  return byCode.get(key) ?? byCode.get(key.split('-')[0]) ?? null;
}

/** English name for staff ("Urdu"); an unknown code is shown as "Other language (xx)", never bare. */
export function languageName(code: string | null | undefined): string {
  if (!code) return '';
  return findLanguage(code)?.english ?? `Other language (${code})`;
}
