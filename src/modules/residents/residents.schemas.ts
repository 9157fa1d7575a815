/**
 * One schema per resident form page (sign in, code, your details). Messages follow the GOV.UK error
 * message patterns and go through the translation layer; field names are the ids the error summary links to.
 */
import { z } from 'zod';
import { translate } from '../../platform/i18n/index.ts';
import {
  canReceiveTexts,
  isUkPhone,
  normaliseEmail,
  normalisePhone,
  normalisePostcode,
} from '../../platform/contact/index.ts';

/** Languages residents can choose for letters, emails and texts, and for an interpreter. */
export const LANGUAGES = [
  'en',
  'cy',
  'pl',
  'ro',
  'pa',
  'ur',
  'bn',
  'gu',
  'ar',
  'pt',
  'lt',
  'so',
  'tr',
  'uk',
  'zh',
  'fa',
] as const;
export type LanguageCode = (typeof LANGUAGES)[number];

export const CHANNELS = ['email', 'sms', 'letter', 'phone'] as const;
export type PreferredChannel = (typeof CHANNELS)[number];

/** Communication needs offered on "Your details" (stored in `customers.communication_needs`). */
export const NEEDS = ['large_print', 'easy_read', 'bsl', 'interpreter', 'text_relay'] as const;
export type Need = (typeof NEEDS)[number];

export function schemas(locale: string) {
  const m = (key: string) => translate(locale, `account.errors.${key}`);

  const email = z
    .string({ message: m('emailMissing') })
    .trim()
    .min(1, m('emailMissing'))
    .max(254, m('emailTooLong'))
    .pipe(z.email({ message: m('emailFormat') }))
    .transform((value) => normaliseEmail(value) ?? value.toLowerCase());

  const signIn = z.object({ email });

  const code = z.object({
    code: z
      .string({ message: m('codeMissing') })
      .transform((value) => value.replace(/[\s-]/g, ''))
      .pipe(
        z
          .string()
          .min(1, m('codeMissing'))
          .regex(/^\d{6}$/, m('codeFormat')),
      ),
  });

  const text = (missing: string, tooLong: string) =>
    z
      .string({ message: m(missing) })
      .trim()
      .min(1, m(missing))
      .max(100, m(tooLong));
  const optional = (tooLong: string) =>
    z
      .string()
      .trim()
      .max(100, m(tooLong))
      .optional()
      .transform((v) => v ?? '');
  const list = z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));

  const details = z
    .object({
      givenName: text('givenNameMissing', 'givenNameTooLong'),
      familyName: text('familyNameMissing', 'familyNameTooLong'),
      email,
      phone: optional('phoneFormat'),
      addressLine1: optional('addressLine1TooLong'),
      addressLine2: optional('addressLine2TooLong'),
      addressTown: optional('addressTownTooLong'),
      addressPostcode: optional('postcodeFormat'),
      preferredChannel: z.enum(CHANNELS, { message: m('channelMissing') }),
      language: z.enum(LANGUAGES, { message: m('languageMissing') }),
      needs: list.pipe(z.array(z.enum(NEEDS, { message: m('needsInvalid') }))),
      interpreterLanguage: z
        .string()
        .trim()
        .optional()
        .transform((v) => v ?? ''),
    })
    .superRefine((value, ctx) => {
      const issue = (path: string, key: string) =>
        ctx.addIssue({ code: 'custom', path: [path], message: m(key) });
      let phone: string | null = null;
      if (value.phone) {
        phone = isUkPhone(value.phone) ? normalisePhone(value.phone) : null;
        if (!phone) issue('phone', 'phoneFormat');
      }
      const anyAddress =
        value.addressLine1 || value.addressLine2 || value.addressTown || value.addressPostcode;
      if (anyAddress) {
        if (!value.addressLine1) issue('addressLine1', 'addressLine1Missing');
        if (!value.addressTown) issue('addressTown', 'addressTownMissing');
        if (!value.addressPostcode) issue('addressPostcode', 'postcodeMissing');
        else if (!normalisePostcode(value.addressPostcode)) issue('addressPostcode', 'postcodeFormat');
      }
      if (value.preferredChannel === 'sms' && !canReceiveTexts(phone) && !(value.phone && !phone))
        issue('preferredChannel', 'channelNeedsMobile');
      if (value.preferredChannel === 'phone' && !value.phone) issue('preferredChannel', 'channelNeedsPhone');
      if (value.preferredChannel === 'letter' && !anyAddress)
        issue('preferredChannel', 'channelNeedsAddress');
      if (value.needs.includes('interpreter')) {
        if (!value.interpreterLanguage) issue('interpreterLanguage', 'interpreterLanguageMissing');
        else if (!(LANGUAGES as readonly string[]).includes(value.interpreterLanguage))
          issue('interpreterLanguage', 'interpreterLanguageMissing');
      }
    })
    .transform((value) => ({
      givenName: value.givenName,
      familyName: value.familyName,
      email: value.email,
      phone: value.phone && isUkPhone(value.phone) ? normalisePhone(value.phone) : null,
      address: value.addressLine1
        ? {
            line1: value.addressLine1,
            ...(value.addressLine2 ? { line2: value.addressLine2 } : {}),
            town: value.addressTown,
            postcode: normalisePostcode(value.addressPostcode) ?? value.addressPostcode,
          }
        : null,
      preferredChannel: value.preferredChannel,
      preferredLanguage: value.language,
      needs: value.needs,
      interpreterLanguage: value.needs.includes('interpreter') ? value.interpreterLanguage : null,
    }));

  return { signIn, code, details };
}

export type DetailsForm = z.output<ReturnType<typeof schemas>['details']>;

/** Schemas are built once per locale (no per-request work that could be done once). */
const cache = new Map<string, ReturnType<typeof schemas>>();
export function schemasFor(locale: string): ReturnType<typeof schemas> {
  let found = cache.get(locale);
  if (!found) {
    found = schemas(locale);
    cache.set(locale, found);
  }
  return found;
}
