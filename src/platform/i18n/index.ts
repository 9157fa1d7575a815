/**
 * The translation layer every user-facing string goes through. Messages live in `locales/<lang>.json`
 * as flat keys ("home.title"); `{name}` placeholders are filled from params. Adding a language is adding
 * a file: no code changes. A missing key in another language falls back to English.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const localesDir = join(dirname(fileURLToPath(import.meta.url)), 'locales');

type Messages = Record<string, string>;

function loadLocales(): Map<string, Messages> {
  const map = new Map<string, Messages>();
  for (const file of readdirSync(localesDir)) {
    if (file.endsWith('.json'))
      map.set(
        file.replace(/\.json$/, ''),
        JSON.parse(readFileSync(join(localesDir, file), 'utf8')) as Messages,
      );
  }
  return map;
}

const locales = loadLocales();
export const defaultLocale = 'en';
export const availableLocales = [...locales.keys()];

export class MissingTranslationError extends Error {}

export function translate(locale: string, key: string, params: Record<string, string | number> = {}): string {
  const message = locales.get(locale)?.[key] ?? locales.get(defaultLocale)?.[key];
  if (message === undefined) throw new MissingTranslationError(`No English text for "${key}"`);
  return message.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

export function hasMessage(key: string): boolean {
  return locales.get(defaultLocale)?.[key] !== undefined;
}

export function messagesFor(locale: string): Messages {
  return { ...locales.get(defaultLocale), ...locales.get(locale) };
}

export { LANGUAGE_LIST, findLanguage, languageName, type Language } from './languages.ts';
