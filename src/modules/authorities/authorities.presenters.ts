/**
 * The contact page's view model: every council's ways in, ready to render (links built, addresses split
 * into lines, office access facts in words, the bank holidays coming up when every line and office is shut).
 */
import type { WorkingDayCalendar } from '../../platform/calendar/index.ts';
import { addCalendarDays, type IsoDate } from '../../platform/calendar/index.ts';

type Translate = (key: string, params?: Record<string, string | number>) => string;

export interface ContactRow {
  id: string;
  name: string;
  phone: string | null;
  phone_hours: string | null;
  email: string | null;
  website: string | null;
  postal_address: string | null;
  bsl_video_relay_url: string | null;
}

export interface OfficeRow {
  authority_id: string;
  name: string;
  address: string;
  postcode: string | null;
  opening_hours: string;
  step_free: boolean;
  hearing_loop: boolean;
  parking: boolean;
  accessible_toilet: boolean;
}

/** `tel:` address for a UK number as people write it ("01632 960000" → "tel:+441632960000"). */
export function telHref(number: string, prefix = ''): string {
  const digits = number.replace(/[^\d+]/g, '');
  if (prefix) return `tel:${prefix}${digits.replace(/^\+44/, '0')}`;
  return `tel:${digits.startsWith('0') ? `+44${digits.slice(1)}` : digits}`;
}

const lines = (text: string | null) =>
  (text ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

export function contactPage(
  councils: ContactRow[],
  offices: OfficeRow[],
  upcoming: { date: IsoDate; title: string }[],
  t: Translate,
) {
  return {
    closures: upcoming,
    councils: councils.map((c) => ({
      name: c.name,
      phone: c.phone
        ? {
            text: c.phone,
            href: telHref(c.phone),
            relayText: `18001 ${c.phone}`,
            relayHref: telHref(c.phone, '18001'),
            hours: c.phone_hours,
          }
        : null,
      email: c.email ? { text: c.email, href: `mailto:${c.email}` } : null,
      website: c.website,
      postalAddress: lines(c.postal_address),
      bslVideoRelayUrl: c.bsl_video_relay_url,
      offices: offices
        .filter((o) => o.authority_id === c.id)
        .map((o) => ({
          name: o.name,
          address: [...lines(o.address), ...(o.postcode ? [o.postcode] : [])],
          hours: o.opening_hours,
          access: [
            o.step_free ? t('contact.access.stepFree') : t('contact.access.notStepFree'),
            ...(o.hearing_loop ? [t('contact.access.hearingLoop')] : []),
            ...(o.accessible_toilet ? [t('contact.access.toilet')] : []),
            ...(o.parking ? [t('contact.access.parking')] : []),
          ],
        })),
    })),
  };
}

/** Bank holidays in the next `days` days (every line and office is closed on them). */
export function upcomingClosures(calendar: WorkingDayCalendar, today: IsoDate, days = 42) {
  const found: { date: IsoDate; title: string }[] = [];
  for (let i = 0; i <= days; i += 1) {
    const date = addCalendarDays(today, i);
    if (!calendar.isCovered(date)) break;
    const holiday = calendar.bankHolidaysOn(date)[0];
    if (holiday) found.push({ date, title: holiday.title });
  }
  return found;
}
