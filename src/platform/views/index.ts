/**
 * Views done once: one Nunjucks environment with GOV.UK Frontend and MOJ Frontend on the search path,
 * autoescape on, templates compiled once and cached (no per-request work that could be done once).
 */
import nunjucks from 'nunjucks';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { displayPhone } from '../contact/index.ts';
import { translate } from '../i18n/index.ts';

const require = createRequire(import.meta.url);
export const govukFrontendDist = join(dirname(require.resolve('govuk-frontend/package.json')), 'dist');
export const mojFrontendRoot = dirname(require.resolve('@ministryofjustice/frontend/package.json'));
export const platformTemplates = join(dirname(fileURLToPath(import.meta.url)), 'templates');

export interface Views {
  render(template: string, context: Record<string, unknown>): string;
  env: nunjucks.Environment;
}

const dateFormats: Record<string, Intl.DateTimeFormatOptions> = {
  date: { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' },
  weekday: { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' },
  short: { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'Europe/London' },
  datetime: {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: 'Europe/London',
  },
  time: { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/London' },
  /** "December 2026" (a `YYYY-MM` month, or any date in it). */
  month: { month: 'long', year: 'numeric', timeZone: 'Europe/London' },
};

/** One formatter per format, made once: constructing an Intl.DateTimeFormat costs far more than using it. */
const dateFormatters = new Map<keyof typeof dateFormats, Intl.DateTimeFormat>();

export function formatDate(
  value: Date | string | null | undefined,
  format: keyof typeof dateFormats = 'date',
): string {
  if (value === null || value === undefined || value === '') return '';
  const date =
    typeof value === 'string'
      ? new Date(
          value.length === 10 ? `${value}T12:00:00Z` : value.length === 7 ? `${value}-15T12:00:00Z` : value,
        )
      : value;
  let formatter = dateFormatters.get(format);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', dateFormats[format]);
    dateFormatters.set(format, formatter);
  }
  const text = formatter.format(date);
  // GOV.UK style writes "Friday 25 December 2026", without the comma en-GB puts after the weekday.
  return format === 'weekday' ? text.replace(',', '') : text;
}

/** @param moduleViewDirs each module's `views` folder, so templates are named like `identity/staff/sign-in.njk`. */
export function createViews(moduleViewDirs: string[], options: { watch?: boolean } = {}): Views {
  const loader = new nunjucks.FileSystemLoader(
    [platformTemplates, ...moduleViewDirs, govukFrontendDist, mojFrontendRoot],
    {
      noCache: false,
      watch: options.watch ?? false,
    },
  );
  const env = new nunjucks.Environment(loader, {
    autoescape: true,
    throwOnUndefined: false,
    trimBlocks: true,
    lstripBlocks: true,
  });
  env.addFilter('date', (value: Date | string | null | undefined, format?: string) =>
    formatDate(value, format ?? 'date'),
  );
  env.addFilter('json', (value: unknown) => JSON.stringify(value));
  // A stored phone number as people write it: `07700 900188` (UK), `+33 6 12 34 56 78` (abroad).
  env.addFilter('phone', (value: string | null | undefined) => displayPhone(value));
  env.addGlobal(
    't',
    function (this: { ctx: { locale?: string } }, key: string, params?: Record<string, string | number>) {
      return translate(this.ctx.locale ?? 'en', key, params);
    },
  );
  return {
    env,
    render: (template, context) => env.render(template, context),
  };
}
