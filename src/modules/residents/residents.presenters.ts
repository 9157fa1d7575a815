/** Resident profile and requests → view models for the account pages (templates get ready-made data). */
import { translate } from '../../platform/i18n/index.ts';
import { formatDate } from '../../platform/views/index.ts';
import type { ResidentProfile, ProfileChanges } from './residents.profile.ts';
import { CHANNELS, LANGUAGES, NEEDS, type DetailsForm } from './residents.schemas.ts';
import { findLanguage } from '../../platform/i18n/index.ts';

/** `+447700900123` → `07700 900123` (how people write UK numbers); other numbers unchanged. */
export function displayPhone(e164: string | null): string {
  if (!e164) return '';
  if (!e164.startsWith('+44')) return e164;
  const national = `0${e164.slice(3)}`;
  return `${national.slice(0, 5)} ${national.slice(5)}`;
}

const isOffered = (need: string) =>
  (NEEDS as readonly string[]).includes(need) || need.startsWith('interpreter');

/** The form's values for a profile (GET /account/details). */
export function detailsFormValues(profile: ResidentProfile): Record<string, unknown> {
  const interpreter = profile.communicationNeeds.find((n) => n.startsWith('interpreter'));
  return {
    givenName: profile.givenName ?? '',
    familyName: profile.familyName ?? '',
    email: profile.email ?? '',
    phone: displayPhone(profile.phone),
    addressLine1: profile.address?.line1 ?? '',
    addressLine2: profile.address?.line2 ?? '',
    addressTown: profile.address?.town ?? '',
    addressPostcode: profile.address?.postcode ?? '',
    preferredChannel: profile.preferredChannel,
    language: profile.preferredLanguage,
    needs: [
      ...profile.communicationNeeds.filter((n) => (NEEDS as readonly string[]).includes(n)),
      ...(interpreter ? ['interpreter'] : []),
    ],
    interpreterLanguage: interpreter?.split(':')[1] ?? '',
  };
}

/** Submitted form → profile changes. Needs the form does not offer (e.g. a hearing loop noted by staff) are kept. */
export function changesFromForm(form: DetailsForm, profile: ResidentProfile): ProfileChanges {
  const kept = profile.communicationNeeds.filter((n) => !isOffered(n));
  const chosen = form.needs.map((n) =>
    n === 'interpreter' ? `interpreter:${form.interpreterLanguage ?? ''}` : n,
  );
  return {
    givenName: form.givenName,
    familyName: form.familyName,
    phone: form.phone,
    address: form.address,
    preferredChannel: form.preferredChannel,
    preferredLanguage: form.preferredLanguage,
    communicationNeeds: [...kept, ...chosen],
  };
}

/** Radios, select and checkbox items for the details form, in the page's language. */
export function detailsFormItems(locale: string, values: Record<string, unknown>) {
  const t = (key: string) => translate(locale, key);
  const selected = (name: string) => (typeof values[name] === 'string' ? values[name] : '');
  const languageItems = (current: string, withBlank: boolean) => [
    ...(withBlank
      ? [{ value: '', text: t('account.details.chooseLanguage'), selected: current === '' }]
      : []),
    // Each language named in itself, marked with its own language and direction (WCAG 3.1.2).
    ...LANGUAGES.map((code) => {
      const language = findLanguage(code);
      return {
        value: code,
        text: language?.endonym ?? code,
        selected: code === current,
        attributes: { lang: code, ...(language?.dir === 'rtl' ? { dir: 'rtl' } : {}) },
      };
    }),
  ];
  return {
    channelItems: CHANNELS.map((c) => ({ value: c, text: t(`account.details.channel.${c}`) })),
    languageItems: languageItems(selected('language'), false),
    interpreterLanguageItems: languageItems(selected('interpreterLanguage'), true).filter(
      (i) => i.value !== 'en',
    ),
    /** Every need but the interpreter, which comes last with its language question revealed under it. */
    needItems: NEEDS.filter((n) => n !== 'interpreter').map((n) => ({
      value: n,
      text: t(`account.details.need.${n}`),
    })),
    interpreterItem: { value: 'interpreter', text: t('account.details.need.interpreter') },
    needValues: Array.isArray(values.needs)
      ? values.needs
      : typeof values.needs === 'string'
        ? [values.needs]
        : [],
  };
}

export interface RequestItemLike {
  id: string;
  reference: string;
  serviceName: string;
  statusLabel: string;
  receivedAt: Date;
  dueAt: Date | null;
  closed: boolean;
}

/** "Your requests": each request with its status in residents' words and what happens next. */
export function requestList(
  items: RequestItemLike[],
  locale: string,
  nextStep: (item: RequestItemLike) => string,
) {
  return items.map((item) => ({
    href: `/track/requests/${item.id}`,
    serviceName: item.serviceName,
    reference: item.reference,
    received: formatDate(item.receivedAt),
    statusLabel: item.statusLabel,
    statusClasses: item.closed ? 'govuk-tag--grey' : 'govuk-tag--blue',
    nextStep: nextStep(item),
    hiddenContext: translate(locale, 'account.requests.viewHidden', { reference: item.reference }),
  }));
}
