/**
 * The forms engine's rules, as pure functions over a service definition and the answers so far:
 * which questions and pages apply (`showIf`), where to go next, whether the form is complete, and how a
 * posted page is read and validated into answers. No I/O: the routes look up addresses and store files
 * and pass the results in.
 *
 * Answers are stored as JSON, one value per question id:
 * text, textarea, email, phone → string · postcode → "KB1 2AB" · number → number · radios → option value ·
 * checkboxes → option values[] · date → "YYYY-MM-DD" · address → { uprn?, line1, line2?, town, postcode } ·
 * location → { description?, postcode?, lat?, lng? } (a description or a map point) · file → [{ attachmentId, filename, sizeBytes, contentType }].
 *
 * Validation is hand-written per question type rather than a zod schema built per page: the composite
 * GOV.UK fields (date, address, location) need one message per field part and error links to the exact
 * input, which a generated schema would obscure. Email addresses, phone numbers and postcodes are checked by
 * the one normaliser for each (platform/contact); answers keep what the resident typed (postcodes
 * formatted), and the case stores the normalised forms.
 */
import { readDateParts, type DateParts, type DatePartsResult } from '../../platform/http/date-input.ts';
import type { FormPage, FormQuestion, ServiceDefinition } from '../services/index.ts';
import { isUkPhone, normaliseEmail, normalisePostcode } from '../../platform/contact/index.ts';
import { addCalendarDays, addCalendarMonths } from '../../platform/calendar/index.ts';
import { formatDate } from '../../platform/views/index.ts';

export type Answers = Record<string, unknown>;
export type RawFields = Record<string, unknown>;

export interface AddressAnswer {
  uprn?: string;
  line1: string;
  line2?: string;
  town: string;
  postcode: string;
}

export interface LocationAnswer {
  /** What the resident wrote; absent only when they chose a point on the map instead. */
  description?: string;
  /** The nearest postcode, formatted ("KB1 2AB"), if they gave one. */
  postcode?: string;
  /** The nearest address, chosen from those at the postcode ("Find addresses"), as one line, with its UPRN. */
  address?: string;
  uprn?: string;
  lat?: number;
  lng?: number;
}

export interface FileAnswer {
  attachmentId: string;
  filename: string;
  sizeBytes: number;
  contentType: string;
}

export interface GazetteerAddress {
  uprn: string;
  line1: string;
  line2: string | null;
  town: string;
  postcode: string;
}

export interface FieldError {
  /** The element id the error summary links to. */
  field: string;
  /** The question the inline message belongs to. */
  questionId: string;
  message: string;
}

/** Translator for engine chrome and error messages (`forms.*` keys). */
export type Translate = (key: string, params?: Record<string, string | number>) => string;

export const TEXT_MAX = 500;
export const TEXTAREA_MAX = 5000;
const UK_BOUNDS = { latMin: 49.8, latMax: 60.9, lngMin: -8.7, lngMax: 1.8 };

// ---------------------------------------------------------------------------------------------------
// Conditions and flow

/** Which definition page holds a question. */
export function pageOf(definition: ServiceDefinition, questionId: string): FormPage | undefined {
  return definition.form.pages.find((p) => p.questions.some((q) => q.id === questionId));
}

/** Whether `q`'s condition holds for these answers (true when it has none). */
export function conditionHolds(q: FormQuestion, answers: Answers): boolean {
  if (!q.showIf) return true;
  const value = answers[q.showIf.question];
  return Array.isArray(value) ? value.includes(q.showIf.equals) : value === q.showIf.equals;
}

/** A question whose condition is on a question of the same page. */
export function isNestedOnPage(page: FormPage, q: FormQuestion): boolean {
  return q.showIf !== undefined && page.questions.some((other) => other.id === q.showIf?.question);
}

/** Suffix of a follow-up page id (`who--more`): a definition page id can never contain `--`. */
export const FOLLOW_UP_SUFFIX = '--more';

const expanded = new WeakMap<ServiceDefinition, ServiceDefinition>();

/**
 * The form as the engine asks it: a question that depends on an answer on the same page moves to a
 * follow-up page straight after it (`<page>--more`, same title), asked only when the answer matches.
 * So every condition is on an earlier page: no conditional reveals, identical with and without
 * JavaScript, and one thing per page. (GOV.UK Frontend's conditional reveal puts `aria-expanded` on
 * radios, which axe-core reports as a WCAG failure.) Cached per definition object.
 */
export function expandForm(definition: ServiceDefinition): ServiceDefinition {
  const cached = expanded.get(definition);
  if (cached) return cached;
  const pages: FormPage[] = [];
  for (const page of definition.form.pages) {
    let current: FormPage = page;
    for (;;) {
      const nested = current.questions.filter((q) => isNestedOnPage(current, q));
      if (nested.length === 0) {
        pages.push(current);
        break;
      }
      pages.push({ ...current, questions: current.questions.filter((q) => !nested.includes(q)) });
      current = { id: `${current.id}${FOLLOW_UP_SUFFIX}`, title: page.title, questions: nested };
    }
  }
  const result: ServiceDefinition = { ...definition, form: { pages } };
  expanded.set(definition, result);
  return result;
}

/** Whether a question is asked, given every answer (conditions chain: a hidden parent hides its children). */
export function isShown(definition: ServiceDefinition, q: FormQuestion, answers: Answers): boolean {
  if (!q.showIf) return true;
  if (!conditionHolds(q, answers)) return false;
  const parent = definition.form.pages.flatMap((p) => p.questions).find((p) => p.id === q.showIf?.question);
  return parent ? isShown(definition, parent, answers) : false;
}

/** A page applies when at least one of its top-level questions is asked. */
export function pageApplies(definition: ServiceDefinition, page: FormPage, answers: Answers): boolean {
  return page.questions.some((q) => !isNestedOnPage(page, q) && isShown(definition, q, answers));
}

export function applicablePages(definition: ServiceDefinition, answers: Answers): FormPage[] {
  return definition.form.pages.filter((p) => pageApplies(definition, p, answers));
}

export function findPage(definition: ServiceDefinition, pageId: string): FormPage | undefined {
  return definition.form.pages.find((p) => p.id === pageId);
}

export function nextPage(definition: ServiceDefinition, pageId: string, answers: Answers): FormPage | null {
  const pages = definition.form.pages;
  const index = pages.findIndex((p) => p.id === pageId);
  for (let i = index + 1; i < pages.length; i += 1)
    if (pageApplies(definition, pages[i], answers)) return pages[i];
  return null;
}

export function previousPage(
  definition: ServiceDefinition,
  pageId: string,
  answers: Answers,
): FormPage | null {
  const pages = definition.form.pages;
  const index = pages.findIndex((p) => p.id === pageId);
  for (let i = index - 1; i >= 0; i -= 1) if (pageApplies(definition, pages[i], answers)) return pages[i];
  return null;
}

export function hasAnswer(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

/** The first page with a required question that is asked but not answered; null when complete. */
export function firstIncompletePage(definition: ServiceDefinition, answers: Answers): FormPage | null {
  for (const page of applicablePages(definition, answers)) {
    for (const q of page.questions)
      if (q.required && isShown(definition, q, answers) && !hasAnswer(answers[q.id])) return page;
  }
  return null;
}

/** Drops answers to questions that are no longer asked (a changed answer hid them). */
export function pruneHidden(definition: ServiceDefinition, answers: Answers): Answers {
  const kept: Answers = { ...answers };
  for (const q of definition.form.pages.flatMap((p) => p.questions))
    if (q.id in kept && !isShown(definition, q, kept)) delete kept[q.id];
  return kept;
}

// ---------------------------------------------------------------------------------------------------
// Reading a posted page

const str = (value: unknown): string => {
  if (Array.isArray(value)) return str(value[0]);
  return typeof value === 'string' ? value : '';
};
const list = (value: unknown): string[] =>
  (Array.isArray(value) ? value : value === undefined || value === null ? [] : [value]).filter(
    (v): v is string => typeof v === 'string' && v !== '',
  );

/**
 * Label text for use inside a sentence: "First name" → "first name". Proper nouns stay as they are:
 * acronyms ("UPRN") and capitalised phrases ("National Insurance number", "Blue Badge number").
 */
export function inSentence(label: string): string {
  const trimmed = label.replace(/[?:.]\s*$/, '');
  const [first, second] = trimmed.split(/\s+/);
  const properNoun = second !== undefined && /^[A-Z]/.test(second);
  return /^[A-Z][a-z]/.test(first ?? '') && !properNoun
    ? trimmed[0].toLowerCase() + trimmed.slice(1)
    : trimmed;
}

const isQuestion = (label: string) => label.trim().endsWith('?');
/** Labels that are already instructions ("Describe the problem", "Tell us what happened") are their own message. */
const isInstruction = (label: string) =>
  /^(Describe|Tell|Give|List|Explain|Enter|Say|Add)\b/.test(label.trim());

/**
 * How an error message names a question at the start of a sentence: the label ("Date of death must be a
 * real date"), or for a question "Your answer to ‘When did it happen?’" (never "When did it happen must…").
 */
function subjectOf(q: FormQuestion, t: Translate): string {
  return isQuestion(q.label)
    ? t('forms.error.yourAnswerToStart', { label: q.label.trim() })
    : q.label.replace(/[?:.]\s*$/, '');
}

/**
 * How an error message names a question after "Enter": "how many visits" or "your answer to ‘How much was
 * lost, in pounds?’". A label with a comma in it gets a closing comma ("Enter the cost, in pounds, as a number").
 */
function objectOf(q: FormQuestion, t: Translate): string {
  if (isQuestion(q.label)) return t('forms.error.yourAnswerTo', { label: q.label.trim() });
  const label = inSentence(q.label);
  return label.includes(',') ? `${label},` : label;
}

/** Ids of the inputs of a question, in page order: the error summary links to the first relevant one. */
export function fieldId(q: FormQuestion, part?: string): string {
  return part ? `${q.id}-${part}` : q.id;
}

function requiredMessage(q: FormQuestion, t: Translate): string {
  switch (q.type) {
    case 'radios':
    case 'checkboxes':
      return isQuestion(q.label)
        ? t('forms.error.selectQuestion', { label: q.label })
        : t('forms.error.select', { label: inSentence(q.label) });
    case 'file': {
      // "Upload a photo of their face" → "Select a photo of their face", never "Select upload a photo…".
      const what = /^Upload\s+(.+?)(\s*\(optional\))?\s*$/i.exec(q.label.trim())?.[1];
      return what
        ? t('forms.error.fileMissing', { label: what })
        : t('forms.error.fileMissingAny', { label: q.label.trim() });
    }
    case 'text':
    case 'textarea':
    case 'number':
    case 'date':
    case 'email':
    case 'phone':
    case 'postcode':
    case 'address':
    case 'location':
      if (isInstruction(q.label)) return q.label.trim().replace(/[.:]$/, '');
      return isQuestion(q.label)
        ? t('forms.error.answerQuestion', { label: q.label })
        : t('forms.error.enter', { label: inSentence(q.label) });
  }
}

export type { DateParts };

/**
 * A real calendar date from GOV.UK date input parts, or the problem: the platform's reading of date inputs
 * (the same as staff forms'), with years before 1850 refused (no resident's answer goes back further).
 */
export function readDate(parts: DateParts): DatePartsResult {
  return readDateParts(parts, { minYear: 1850 });
}

export interface AddressContext {
  /** Addresses for the postcode typed, looked up by the route (null when it did not look). */
  lookup: GazetteerAddress[] | null;
}

export interface PageReadContext {
  t: Translate;
  /** Today in London, `YYYY-MM-DD` (dates "in the past"/"in the future" are relative to it). */
  today: string;
  /** The council's working days, for a date rule counted in working days (`maxWorkingDaysAgo`). */
  workingDays: { workingDaysBetween(from: string, to: string): number };
  /** Answers from other pages (conditions on earlier pages). */
  answers: Answers;
  /** Per address question: the gazetteer lookup for the postcode posted. */
  addresses: Record<string, AddressContext>;
  /** Per file question: the files now held (stored earlier or just uploaded) and upload problems. */
  files: Record<string, { held: FileAnswer[]; problems: string[] }>;
}

export interface PageReadResult {
  /** Valid answers for the page's asked questions (absent = not answered). */
  answers: Answers;
  errors: FieldError[];
  /** Address questions that need the resident to choose from a list or type the address. */
  addressModes: Record<string, 'lookup' | 'choose' | 'manual'>;
}

/**
 * The earliest date a date question takes (`YYYY-MM-DD`; `0000-01-01` when it has no such rule): at most
 * `maxWorkingDaysAgo` working days before today (a date d is n working days ago when n working days fall
 * after it up to today, so a Thursday collection may be reported until the Monday for 2 working days) and
 * at most `maxYearsAgo` years before today.
 */
export function earliestDate(
  v: NonNullable<FormQuestion['validation']>,
  ctx: Pick<PageReadContext, 'today' | 'workingDays'>,
): string {
  let earliest = '0000-01-01';
  if (v.maxWorkingDaysAgo !== undefined) {
    let d = ctx.today;
    while (ctx.workingDays.workingDaysBetween(addCalendarDays(d, -1), ctx.today) <= v.maxWorkingDaysAgo)
      d = addCalendarDays(d, -1);
    if (d > earliest) earliest = d;
  }
  if (v.maxYearsAgo !== undefined) {
    const d = addCalendarMonths(ctx.today, -12 * v.maxYearsAgo);
    if (d > earliest) earliest = d;
  }
  return earliest;
}

/** Reads and validates every question on `page` that is asked, given this page's own posted choices. */
export function readPage(
  page: FormPage,
  definition: ServiceDefinition,
  body: RawFields,
  ctx: PageReadContext,
): PageReadResult {
  const { t } = ctx;
  const answers: Answers = {};
  const errors: FieldError[] = [];
  const addressModes: Record<string, 'lookup' | 'choose' | 'manual'> = {};
  // Conditions on this page use what was just posted.
  const combined: Answers = { ...ctx.answers };
  for (const q of page.questions) {
    if (q.type === 'radios') combined[q.id] = str(body[q.id]) || undefined;
    if (q.type === 'checkboxes') combined[q.id] = list(body[q.id]);
  }
  const fail = (q: FormQuestion, message: string, part?: string) =>
    errors.push({ field: fieldId(q, part), questionId: q.id, message });

  for (const q of page.questions) {
    if (!isShown(definition, q, combined)) continue;
    const v = q.validation ?? {};
    switch (q.type) {
      case 'text':
      case 'textarea': {
        const value = str(body[q.id]).trim();
        const max = v.maxLength ?? (q.type === 'text' ? TEXT_MAX : TEXTAREA_MAX);
        if (value === '') {
          if (q.required) fail(q, requiredMessage(q, t));
        } else if (value.length > max) fail(q, t('forms.error.tooLong', { label: subjectOf(q, t), max }));
        else if (v.minLength !== undefined && value.length < v.minLength)
          fail(q, t('forms.error.tooShort', { label: subjectOf(q, t), min: v.minLength }));
        else if (v.pattern !== undefined && !new RegExp(v.pattern).test(value))
          fail(q, v.patternMessage ?? t('forms.error.format', { label: objectOf(q, t) }));
        else answers[q.id] = value;
        break;
      }
      case 'number': {
        const text = str(body[q.id]).trim().replace(/,/g, '');
        if (text === '') {
          if (q.required) fail(q, requiredMessage(q, t));
          break;
        }
        const n = Number(text);
        const object = objectOf(q, t);
        const subject = subjectOf(q, t);
        if (!/^-?\d+(\.\d+)?$/.test(text) || !Number.isFinite(n))
          fail(q, t('forms.error.number', { label: object }));
        else if (v.wholeNumber && !Number.isInteger(n))
          fail(q, t('forms.error.wholeNumber', { label: object }));
        else if (v.min !== undefined && n < v.min)
          fail(q, t('forms.error.numberMin', { label: subject, min: v.min }));
        else if (v.max !== undefined && n > v.max)
          fail(q, t('forms.error.numberMax', { label: subject, max: v.max }));
        else answers[q.id] = n;
        break;
      }
      case 'radios': {
        const value = str(body[q.id]);
        if (value === '') {
          if (q.required) fail(q, requiredMessage(q, t));
        } else if (!q.options?.some((o) => o.value === value)) fail(q, requiredMessage(q, t));
        else answers[q.id] = value;
        break;
      }
      case 'checkboxes': {
        const values = list(body[q.id]);
        const valid = values.filter((value) => q.options?.some((o) => o.value === value));
        if (valid.length !== values.length || (q.required && valid.length === 0))
          fail(q, requiredMessage(q, t));
        else if (valid.length) answers[q.id] = [...new Set(valid)];
        break;
      }
      case 'date': {
        const parts = {
          day: str(body[fieldId(q, 'day')]),
          month: str(body[fieldId(q, 'month')]),
          year: str(body[fieldId(q, 'year')]),
        };
        const label = subjectOf(q, t);
        const read = readDate(parts);
        if (!read.ok && read.missing.length === 3) {
          if (q.required)
            errors.push({ field: fieldId(q, 'day'), questionId: q.id, message: requiredMessage(q, t) });
        } else if (!read.ok && read.missing.length) {
          const missing = read.missing.map((m) => t(`forms.date.${m}`).toLowerCase());
          errors.push({
            field: fieldId(q, read.missing[0]),
            questionId: q.id,
            message: t('forms.error.dateMissing', { label, parts: missing.join(` ${t('forms.and')} `) }),
          });
        } else if (!read.ok) {
          errors.push({
            field: fieldId(q, 'day'),
            questionId: q.id,
            message: t('forms.error.dateReal', { label }),
          });
        } else if (v.notInFuture && read.iso > ctx.today) {
          errors.push({
            field: fieldId(q, 'day'),
            questionId: q.id,
            message: t('forms.error.datePast', { label }),
          });
        } else if (v.notInPast && read.iso < ctx.today) {
          errors.push({
            field: fieldId(q, 'day'),
            questionId: q.id,
            message: t('forms.error.dateFuture', { label }),
          });
        } else if (read.iso < earliestDate(v, ctx)) {
          const date = formatDate(earliestDate(v, ctx));
          errors.push({
            field: fieldId(q, 'day'),
            questionId: q.id,
            message: v.earliestMessage
              ? v.earliestMessage.replace('{date}', date)
              : t('forms.error.dateEarliest', { label, date }),
          });
        } else answers[q.id] = read.iso;
        break;
      }
      case 'email': {
        const value = str(body[q.id]).trim();
        if (value === '') {
          if (q.required) fail(q, requiredMessage(q, t));
        } else if (!normaliseEmail(value)) fail(q, t('forms.error.email'));
        else answers[q.id] = value;
        break;
      }
      case 'phone': {
        const value = str(body[q.id]).trim();
        if (value === '') {
          if (q.required) fail(q, requiredMessage(q, t));
        } else if (!isUkPhone(value)) fail(q, t('forms.error.phone'));
        else answers[q.id] = value;
        break;
      }
      case 'postcode': {
        const value = str(body[q.id]).trim();
        if (value === '') {
          if (q.required) fail(q, requiredMessage(q, t));
        } else {
          const postcode = normalisePostcode(value);
          if (!postcode) fail(q, t('forms.error.postcode'));
          else answers[q.id] = postcode;
        }
        break;
      }
      case 'address': {
        const result = readAddress(q, body, ctx.addresses[q.id] ?? { lookup: null }, t);
        addressModes[q.id] = result.mode;
        if (result.answer) answers[q.id] = result.answer;
        errors.push(...result.errors);
        break;
      }
      case 'location': {
        const result = readLocation(q, body, t, ctx.addresses[q.id]?.lookup ?? null);
        if (result.answer) answers[q.id] = result.answer;
        errors.push(...result.errors);
        break;
      }
      case 'file': {
        const held = ctx.files[q.id] ?? { held: [], problems: [] };
        for (const message of held.problems) fail(q, message);
        if (held.problems.length === 0) {
          const max = v.maxFiles ?? 1;
          if (held.held.length > max) fail(q, t('forms.error.fileCount', { max }));
          else if (held.held.length === 0) {
            if (q.required) fail(q, requiredMessage(q, t));
          } else answers[q.id] = held.held;
        }
        break;
      }
    }
  }
  return { answers, errors, addressModes };
}

/** An address from the gazetteer as one line ("14 Mill Lane, Kingsbridge, KB1 2AB"), as address lists show it. */
export function addressLine(a: GazetteerAddress): string {
  return [a.line1, a.line2, a.town, a.postcode].filter(Boolean).join(', ');
}

/**
 * A location: one description, an optional postcode (looked up with "Find addresses" to choose the nearest
 * address), and the point chosen on the map (hidden fields the map script fills; never typed). A
 * description, a nearest address or a point is enough; without JavaScript the description or the address
 * found from the postcode is the answer. A point must be two numbers inside the UK. `lookup`: the
 * addresses at the postcode posted (null when the route did not look).
 */
function readLocation(
  q: FormQuestion,
  body: RawFields,
  t: Translate,
  lookup: GazetteerAddress[] | null,
): { answer: LocationAnswer | null; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const err = (part: string, message: string) =>
    errors.push({ field: fieldId(q, part), questionId: q.id, message });
  const description = str(body[fieldId(q, 'description')]).trim();
  const postcodeText = str(body[fieldId(q, 'postcode')]).trim();
  const latText = str(body[fieldId(q, 'lat')]).trim();
  const lngText = str(body[fieldId(q, 'lng')]).trim();
  const uprn = str(body[fieldId(q, 'uprn')]).trim();
  const nearest = uprn ? (lookup ?? []).find((a) => a.uprn === uprn) : undefined;
  let point: { lat: number; lng: number } | null = null;
  if (latText || lngText) {
    const lat = Number(latText);
    const lng = Number(lngText);
    const inUk =
      latText !== '' &&
      lngText !== '' &&
      Number.isFinite(lat) &&
      Number.isFinite(lng) &&
      lat >= UK_BOUNDS.latMin &&
      lat <= UK_BOUNDS.latMax &&
      lng >= UK_BOUNDS.lngMin &&
      lng <= UK_BOUNDS.lngMax;
    if (inUk) point = { lat, lng };
    else err('point', t('forms.error.locationPoint'));
  }
  if (description.length > TEXT_MAX)
    err('description', t('forms.error.tooLong', { label: t('forms.location.description'), max: TEXT_MAX }));
  else if (description === '' && !point && !nearest && (q.required || postcodeText) && errors.length === 0)
    err('description', t('forms.error.locationDescription'));
  const postcode = postcodeText ? normalisePostcode(postcodeText) : null;
  if (postcodeText && !postcode) err('postcode', t('forms.error.postcode'));
  if (errors.length || (description === '' && !point && !nearest)) return { answer: null, errors };
  return {
    answer: {
      ...(description ? { description } : {}),
      ...(postcode ? { postcode } : {}),
      ...(nearest ? { address: addressLine(nearest), uprn: nearest.uprn } : {}),
      ...(point ?? {}),
    },
    errors,
  };
}

function readAddress(
  q: FormQuestion,
  body: RawFields,
  ctx: AddressContext,
  t: Translate,
): { answer: AddressAnswer | null; errors: FieldError[]; mode: 'lookup' | 'choose' | 'manual' } {
  const errors: FieldError[] = [];
  const err = (part: string, message: string) =>
    errors.push({ field: fieldId(q, part), questionId: q.id, message });
  const manual = str(body[fieldId(q, 'mode')]) === 'manual';
  const postcodeText = str(body[fieldId(q, 'postcode')]).trim();
  const postcode = postcodeText ? normalisePostcode(postcodeText) : null;
  if (manual) {
    const line1 = str(body[fieldId(q, 'line1')]).trim();
    const line2 = str(body[fieldId(q, 'line2')]).trim();
    const town = str(body[fieldId(q, 'town')]).trim();
    if (!q.required && !line1 && !line2 && !town && !postcodeText)
      return { answer: null, errors, mode: 'manual' };
    if (!line1) err('line1', t('forms.error.addressLine1'));
    else if (line1.length > 100)
      err('line1', t('forms.error.tooLong', { label: t('forms.address.line1'), max: 100 }));
    if (line2.length > 100)
      err('line2', t('forms.error.tooLong', { label: t('forms.address.line2'), max: 100 }));
    if (!town) err('town', t('forms.error.addressTown'));
    else if (town.length > 100)
      err('town', t('forms.error.tooLong', { label: t('forms.address.town'), max: 100 }));
    if (!postcodeText) err('postcode', t('forms.error.postcodeMissing'));
    else if (!postcode) err('postcode', t('forms.error.postcode'));
    if (errors.length || !postcode) return { answer: null, errors, mode: 'manual' };
    return { answer: { line1, ...(line2 ? { line2 } : {}), town, postcode }, errors, mode: 'manual' };
  }
  if (!postcodeText) {
    if (q.required) err('postcode', t('forms.error.postcodeMissing'));
    return { answer: null, errors, mode: 'lookup' };
  }
  if (!postcode) {
    err('postcode', t('forms.error.postcode'));
    return { answer: null, errors, mode: 'lookup' };
  }
  const found = ctx.lookup ?? [];
  if (found.length === 0) {
    err('line1', t('forms.error.addressNotFound', { postcode }));
    return { answer: null, errors, mode: 'manual' };
  }
  const uprn = str(body[fieldId(q, 'uprn')]);
  const chosen = found.find((a) => a.uprn === uprn);
  if (!chosen) {
    err('uprn', t('forms.error.addressChoose'));
    return { answer: null, errors, mode: 'choose' };
  }
  return {
    answer: {
      uprn: chosen.uprn,
      line1: chosen.line1,
      ...(chosen.line2 ? { line2: chosen.line2 } : {}),
      town: chosen.town,
      postcode: chosen.postcode,
    },
    errors,
    mode: 'choose',
  };
}

// ---------------------------------------------------------------------------------------------------
// From answers

/** Stored answers as the posted field values of a page (to show a page again). */
export function answersToFields(page: FormPage, answers: Answers): RawFields {
  const fields: RawFields = {};
  for (const q of page.questions) {
    const value = answers[q.id];
    if (value === undefined || value === null) continue;
    switch (q.type) {
      case 'date':
        if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
          const [y, m, d] = value.split('-');
          fields[fieldId(q, 'day')] = String(Number(d));
          fields[fieldId(q, 'month')] = String(Number(m));
          fields[fieldId(q, 'year')] = y;
        }
        break;
      case 'address': {
        const a = value as Partial<AddressAnswer>;
        fields[fieldId(q, 'postcode')] = a.postcode ?? '';
        if (a.uprn) fields[fieldId(q, 'uprn')] = a.uprn;
        else {
          fields[fieldId(q, 'mode')] = 'manual';
          fields[fieldId(q, 'line1')] = a.line1 ?? '';
          fields[fieldId(q, 'line2')] = a.line2 ?? '';
          fields[fieldId(q, 'town')] = a.town ?? '';
        }
        break;
      }
      case 'location': {
        const l = value as Partial<LocationAnswer>;
        fields[fieldId(q, 'description')] = l.description ?? '';
        fields[fieldId(q, 'postcode')] = l.postcode ?? '';
        if (l.uprn) fields[fieldId(q, 'uprn')] = l.uprn;
        if (typeof l.lat === 'number') fields[fieldId(q, 'lat')] = String(l.lat);
        if (typeof l.lng === 'number') fields[fieldId(q, 'lng')] = String(l.lng);
        break;
      }
      case 'file':
        break;
      case 'checkboxes':
        fields[q.id] = Array.isArray(value) ? value : [];
        break;
      case 'text':
      case 'textarea':
      case 'email':
      case 'phone':
      case 'postcode':
      case 'radios':
      case 'number':
        fields[q.id] = typeof value === 'number' ? String(value) : str(value);
        break;
    }
  }
  return fields;
}

/** The guest contact the answers give (questions prefilled from name, email and phone, or by type). */
export function contactFromAnswers(
  definition: ServiceDefinition,
  answers: Answers,
): { name: string | null; email: string | null; phone: string | null } {
  const questions = definition.form.pages.flatMap((p) => p.questions).filter((q) => hasAnswer(answers[q.id]));
  const text = (q: FormQuestion | undefined) => (q ? str(answers[q.id]).trim() || null : null);
  const by = (prefill: string) => questions.find((q) => q.prefill === prefill);
  const full = text(by('full_name'));
  const given = text(by('given_name'));
  const family = text(by('family_name'));
  const name = full ?? ([given, family].filter(Boolean).join(' ') || null);
  const email = text(by('email') ?? questions.find((q) => q.type === 'email'));
  const phone = text(by('phone') ?? questions.find((q) => q.type === 'phone'));
  return { name, email, phone };
}

/** The first location answer (or an address used as a location), for the case's `location`. */
export function locationFromAnswers(definition: ServiceDefinition, answers: Answers): LocationAnswer | null {
  for (const q of definition.form.pages.flatMap((p) => p.questions)) {
    if (q.type === 'location' && answers[q.id] && typeof answers[q.id] === 'object')
      return answers[q.id] as LocationAnswer;
  }
  return null;
}

/** Attachment ids held in file answers. */
export function attachmentIdsOf(definition: ServiceDefinition, answers: Answers): string[] {
  return definition.form.pages
    .flatMap((p) => p.questions)
    .filter((q) => q.type === 'file')
    .flatMap((q) => (Array.isArray(answers[q.id]) ? (answers[q.id] as FileAnswer[]) : []))
    .map((f) => f.attachmentId)
    .filter((id): id is string => typeof id === 'string');
}
