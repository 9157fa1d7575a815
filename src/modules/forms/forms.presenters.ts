/**
 * Definition + answers → ready-to-render view models: GOV.UK component parameters for each question of a
 * page (of the expanded form, see `expandForm`), and the "Check your answers" summary list. Templates only
 * place what is built here.
 */
import { formatDate } from '../../platform/views/index.ts';
import { fileSizeText } from '../cases/index.ts';
import type { FormPage, FormQuestion, ServiceDefinition } from '../services/index.ts';
import {
  addressLine,
  applicablePages,
  fieldId,
  hasAnswer,
  FOLLOW_UP_SUFFIX,
  isNestedOnPage,
  isShown,
  type AddressAnswer,
  type Answers,
  type FieldError,
  type FileAnswer,
  type GazetteerAddress,
  type LocationAnswer,
  type RawFields,
  type Translate,
} from './forms.engine.ts';

export type ComponentKind =
  'input' | 'textarea' | 'radios' | 'checkboxes' | 'date' | 'address' | 'location' | 'file';

export interface QuestionView {
  id: string;
  component: ComponentKind;
  params: Record<string, unknown>;
  /** Composite questions (address, location, file): parts built here. */
  parts?: Record<string, unknown>;
}

export interface PageViewInput {
  page: FormPage;
  definition: ServiceDefinition;
  /** Posted or stored field values. */
  fields: RawFields;
  answers: Answers;
  errors: FieldError[];
  t: Translate;
  /** Per address question: how to show it and the addresses found for the postcode. */
  address: Record<
    string,
    { mode: 'lookup' | 'choose' | 'manual'; found: GazetteerAddress[]; notFound?: string }
  >;
  /** Per file question: files already uploaded. */
  files: Record<string, FileAnswer[]>;
}

const str = (value: unknown): string =>
  Array.isArray(value) ? str(value[0]) : typeof value === 'string' ? value : '';
const list = (value: unknown): string[] =>
  (Array.isArray(value) ? value : value === undefined || value === null ? [] : [value]).filter(
    (v): v is string => typeof v === 'string',
  );

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const AUTOCOMPLETE: Record<string, string> = {
  given_name: 'given-name',
  family_name: 'family-name',
  full_name: 'name',
  email: 'email',
  phone: 'tel',
  postcode: 'postal-code',
  date_of_birth: 'bday',
};

/** Whether the page has exactly one top-level question (its label becomes the page's <h1>). */
export function singleQuestionPage(page: FormPage): FormQuestion | null {
  const top = page.questions.filter((q) => !isNestedOnPage(page, q));
  return top.length === 1 ? top[0] : null;
}

type Level = 'l' | 'm' | 's';

function buildQuestion(
  input: PageViewInput,
  q: FormQuestion,
  level: Level,
  asHeading: boolean,
): QuestionView {
  const { fields, t } = input;
  const error = input.errors.find((e) => e.questionId === q.id);
  const errorMessage = error ? { text: error.message } : undefined;
  const errorFields = new Set(input.errors.filter((e) => e.questionId === q.id).map((e) => e.field));
  const label = { text: q.label, classes: `govuk-label--${level}`, isPageHeading: asHeading };
  const legend = { text: q.label, classes: `govuk-fieldset__legend--${level}`, isPageHeading: asHeading };
  const hint = q.hint ? { text: q.hint } : undefined;
  const v = q.validation ?? {};
  const autocomplete = q.prefill ? AUTOCOMPLETE[q.prefill] : undefined;

  switch (q.type) {
    case 'text':
    case 'email':
    case 'phone':
    case 'postcode':
    case 'number': {
      const params: Record<string, unknown> = {
        id: q.id,
        name: q.id,
        label,
        hint,
        value: str(fields[q.id]),
        errorMessage,
        autocomplete,
      };
      if (q.type === 'email')
        Object.assign(params, { type: 'email', spellcheck: false, autocomplete: 'email' });
      if (q.type === 'phone')
        Object.assign(params, { type: 'tel', autocomplete: 'tel', classes: 'govuk-input--width-20' });
      if (q.type === 'postcode')
        Object.assign(params, {
          autocomplete: 'postal-code',
          classes: 'govuk-input--width-10',
          spellcheck: false,
        });
      if (q.type === 'number')
        Object.assign(params, {
          inputmode: v.wholeNumber ? 'numeric' : 'decimal',
          classes: 'govuk-input--width-5',
          spellcheck: false,
        });
      if (q.type === 'text' && v.maxLength !== undefined && v.maxLength <= 20)
        params.classes = 'govuk-input--width-20';
      return { id: q.id, component: 'input', params };
    }
    case 'textarea':
      return {
        id: q.id,
        component: 'textarea',
        params: { id: q.id, name: q.id, label, hint, value: str(fields[q.id]), errorMessage, rows: 5 },
      };
    case 'radios':
    case 'checkboxes': {
      const selected = q.type === 'radios' ? [str(fields[q.id])] : list(fields[q.id]);
      return {
        id: q.id,
        component: q.type,
        params: {
          idPrefix: q.id,
          name: q.id,
          fieldset: { legend },
          hint: q.type === 'checkboxes' && !hint ? { text: t('forms.selectAll') } : hint,
          errorMessage,
          items: (q.options ?? []).map((o) => ({
            value: o.value,
            text: o.label,
            hint: o.hint ? { text: o.hint } : undefined,
            checked: selected.includes(o.value),
          })),
        },
      };
    }
    case 'date': {
      const item = (name: 'day' | 'month' | 'year', width: number) => ({
        name,
        label: t(`forms.date.${name}`),
        value: str(fields[fieldId(q, name)]),
        classes: `govuk-input--width-${width}${errorFields.size ? ' govuk-input--error' : ''}`,
        autocomplete: q.prefill === 'date_of_birth' ? `bday-${name}` : undefined,
      });
      return {
        id: q.id,
        component: 'date',
        params: {
          id: q.id,
          namePrefix: q.id,
          fieldset: { legend },
          hint: hint ?? { text: t('forms.date.hint') },
          errorMessage,
          items: [item('day', 2), item('month', 2), item('year', 4)],
        },
      };
    }
    case 'address': {
      const state = input.address[q.id] ?? { mode: 'lookup' as const, found: [] };
      const partError = (part: string) => {
        const e = input.errors.find((x) => x.field === fieldId(q, part));
        return e ? { text: e.message } : undefined;
      };
      const manualInput = (part: string, text: string, extra: Record<string, unknown> = {}) => ({
        id: fieldId(q, part),
        name: fieldId(q, part),
        label: { text },
        value: str(fields[fieldId(q, part)]),
        errorMessage: partError(part),
        ...extra,
      });
      const selectedUprn = str(fields[fieldId(q, 'uprn')]);
      return {
        id: q.id,
        component: 'address',
        params: { legend, hint, asHeading },
        parts: {
          mode: state.mode,
          modeField: fieldId(q, 'mode'),
          notFound: state.notFound ?? null,
          postcode: manualInput('postcode', t('forms.address.postcode'), {
            classes: 'govuk-input--width-10',
            autocomplete: 'postal-code',
            spellcheck: false,
          }),
          findButton: {
            text: t('forms.address.find'),
            name: 'action',
            value: `find:${q.id}`,
            classes: 'govuk-button--secondary',
          },
          manualButton: {
            text: t('forms.address.manual'),
            name: 'action',
            value: `manual:${q.id}`,
            classes: 'govuk-button--secondary',
          },
          select: {
            id: fieldId(q, 'uprn'),
            name: fieldId(q, 'uprn'),
            label: { text: t('forms.address.select') },
            errorMessage: partError('uprn'),
            items: addressItems(state.found, selectedUprn, t),
          },
          line1: manualInput('line1', t('forms.address.line1'), { autocomplete: 'address-line1' }),
          line2: manualInput('line2', t('forms.address.line2'), { autocomplete: 'address-line2' }),
          town: manualInput('town', t('forms.address.town'), {
            autocomplete: 'address-level2',
            classes: 'govuk-!-width-two-thirds',
          }),
          errorMessage,
        },
      };
    }
    case 'location': {
      // One description, an optional postcode, and the map's point in hidden fields (never typed boxes).
      // The question's hint belongs to the description; nothing here mentions a map, which only the
      // map script shows (views/public/location-map.js, when MAP_TILE_URL is set).
      const partError = (part: string) => {
        const e = input.errors.find((x) => x.field === fieldId(q, part));
        return e ? { text: e.message } : undefined;
      };
      const pointError = partError('point');
      const locationState = input.address[q.id];
      const found = locationState?.found ?? [];
      const lat = pointError ? '' : str(fields[fieldId(q, 'lat')]);
      const lng = pointError ? '' : str(fields[fieldId(q, 'lng')]);
      return {
        id: q.id,
        component: 'location',
        params: { legend, asHeading },
        parts: {
          description: {
            id: fieldId(q, 'description'),
            name: fieldId(q, 'description'),
            label: { text: t('forms.location.description') },
            hint: hint ?? { text: t('forms.location.descriptionHint') },
            value: str(fields[fieldId(q, 'description')]),
            errorMessage: partError('description'),
            rows: 3,
          },
          postcode: {
            id: fieldId(q, 'postcode'),
            name: fieldId(q, 'postcode'),
            label: { text: t('forms.location.postcode') },
            hint: { text: t('forms.location.postcodeHint') },
            value: str(fields[fieldId(q, 'postcode')]),
            errorMessage: partError('postcode'),
            classes: 'govuk-input--width-10',
            spellcheck: false,
          },
          // "Find addresses": the addresses at the postcode, to choose the nearest (without JavaScript too).
          findButton: {
            text: t('forms.location.find'),
            name: 'action',
            value: `find:${q.id}`,
            classes: 'govuk-button--secondary',
            attributes: { 'data-testid': 'location-find' },
          },
          nearest: found.length
            ? {
                id: fieldId(q, 'uprn'),
                name: fieldId(q, 'uprn'),
                label: { text: t('forms.location.nearest') },
                hint: { text: t('forms.location.nearestHint') },
                items: addressItems(found, str(fields[fieldId(q, 'uprn')]), t),
              }
            : null,
          notFound: locationState?.notFound ?? null,
          point: {
            id: fieldId(q, 'point'),
            latName: fieldId(q, 'lat'),
            lngName: fieldId(q, 'lng'),
            lat,
            lng,
            errorMessage: pointError,
            intro: t('forms.location.mapIntro'),
            label: t('forms.location.mapLabel'),
            chosen: t('forms.location.mapChosen'),
            noPoint: t('forms.location.mapNone'),
            remove: t('forms.location.mapRemove'),
            place: t('forms.location.mapPlace'),
          },
          hasError: input.errors.some((e) => e.questionId === q.id),
        },
      };
    }
    case 'file': {
      const held = input.files[q.id] ?? [];
      const max = v.maxFiles ?? 1;
      const types = (v.fileTypes ?? ['.pdf', '.jpg', '.jpeg', '.png']).join(',');
      return {
        id: q.id,
        component: 'file',
        params: {
          id: q.id,
          name: q.id,
          label,
          hint: {
            text: [
              q.hint,
              t('forms.file.rules', {
                types: fileTypesText(v.fileTypes),
                size: `${Math.min(v.maxFileSizeMb ?? 10, 10)}MB`,
              }),
              max > 1 ? t('forms.file.max', { max }) : '',
            ]
              .filter(Boolean)
              .join(' '),
          },
          errorMessage,
          multiple: max > 1,
          attributes: { accept: types },
        },
        parts: {
          held: held.map((f) => ({
            text: `${f.filename} (${fileSizeText(f.sizeBytes)})`,
            href: `/attachments/${f.attachmentId}`,
          })),
          heldTitle: t('forms.file.held'),
          replaceHint: t(max > 1 ? 'forms.file.replaceMany' : 'forms.file.replace'),
        },
      };
    }
  }
}

export function fileTypesText(types: readonly string[] | undefined): string {
  const names = [
    ...new Set(
      (types ?? ['.pdf', '.jpg', '.jpeg', '.png']).map((x) =>
        x === '.jpeg' ? 'JPG' : x.slice(1).toUpperCase(),
      ),
    ),
  ];
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

export interface PageView {
  heading: string;
  /** The page title as a caption when a question label is the <h1>. */
  caption: string | null;
  description: string | null;
  questions: QuestionView[];
  multipart: boolean;
  /** The page asks for a location: it loads the map's script and stylesheet when a map is configured. */
  hasLocation: boolean;
}

/** The choices of an address list: how many were found, then each address (the one chosen selected). */
function addressItems(found: GazetteerAddress[], selectedUprn: string, t: Translate) {
  return [
    {
      value: '',
      text:
        found.length === 1 ? t('forms.address.foundOne') : t('forms.address.found', { count: found.length }),
    },
    ...found.map((a) => ({ value: a.uprn, text: addressLine(a), selected: a.uprn === selectedUprn })),
  ];
}

export function pageView(input: PageViewInput): PageView {
  const single = singleQuestionPage(input.page);
  const questions = input.page.questions
    .filter((q) => !isNestedOnPage(input.page, q) && isShown(input.definition, q, input.answers))
    .map((q) => buildQuestion(input, q, single ? 'l' : 'm', single !== null));
  return {
    heading: single ? single.label : input.page.title,
    caption: single ? input.page.title : null,
    description: input.page.description ?? null,
    questions,
    multipart: input.page.questions.some((q) => q.type === 'file'),
    hasLocation: questions.some((q) => q.component === 'location'),
  };
}

/** One answer as summary-list HTML (escaped). */
export function answerHtml(q: FormQuestion, value: unknown, t: Translate): string {
  if (!hasAnswer(value)) return escapeHtml(t('forms.notProvided'));
  switch (q.type) {
    case 'radios':
      return escapeHtml(q.options?.find((o) => o.value === value)?.label ?? str(value));
    case 'checkboxes': {
      const labels = list(value).map((v) => q.options?.find((o) => o.value === v)?.label ?? v);
      return labels.length === 1
        ? escapeHtml(labels[0])
        : `<ul class="govuk-list govuk-list--bullet">${labels.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`;
    }
    case 'date':
      return escapeHtml(formatDate(str(value)));
    case 'address': {
      const a = value as AddressAnswer;
      return [a.line1, a.line2, a.town, a.postcode]
        .filter(Boolean)
        .map((l) => escapeHtml(String(l)))
        .join('<br>');
    }
    case 'location': {
      const l = value as LocationAnswer;
      const lines = [
        l.description ?? '',
        l.address ? t('forms.location.nearAddress', { address: l.address }) : (l.postcode ?? ''),
        typeof l.lat === 'number' && typeof l.lng === 'number'
          ? t('forms.location.at', { lat: l.lat, lng: l.lng })
          : '',
      ];
      return lines
        .filter(Boolean)
        .map((line) => escapeHtml(line).replace(/\r?\n/g, '<br>'))
        .join('<br>');
    }
    case 'file':
      return (value as FileAnswer[]).map((f) => escapeHtml(f.filename)).join('<br>');
    case 'textarea':
      return escapeHtml(str(value)).replace(/\r?\n/g, '<br>');
    case 'number':
      return escapeHtml(typeof value === 'number' ? String(value) : str(value));
    case 'text':
    case 'email':
    case 'phone':
    case 'postcode':
      return escapeHtml(str(value));
  }
}

export interface SummaryCard {
  title: string;
  rows: {
    key: { text: string };
    value: { html: string };
    actions: {
      items: { href: string; text: string; visuallyHiddenText: string; attributes: Record<string, string> }[];
    };
  }[];
}

/**
 * "Check your answers": one summary card per page of the definition (a follow-up page joins the page it
 * follows), with a Change link on each answer back to the page that asks it.
 */
export function checkAnswersCards(
  definition: ServiceDefinition,
  answers: Answers,
  base: string,
  t: Translate,
): SummaryCard[] {
  const cards: (SummaryCard & { pageId: string })[] = [];
  for (const page of applicablePages(definition, answers)) {
    const rows = page.questions
      .filter((q) => isShown(definition, q, answers))
      .map((q) => ({
        key: { text: q.label },
        value: { html: answerHtml(q, answers[q.id], t) },
        actions: {
          items: [
            {
              href: `${base}/${page.id}?change=1`,
              text: t('forms.change'),
              visuallyHiddenText: q.label,
              attributes: { 'data-testid': `change-${q.id}` },
            },
          ],
        },
      }));
    const rootId = page.id.split(FOLLOW_UP_SUFFIX)[0];
    const last = cards[cards.length - 1];
    if (last && last.pageId === rootId) last.rows.push(...rows);
    else cards.push({ pageId: rootId, title: page.title, rows });
  }
  return cards.map(({ title, rows }) => ({ title, rows }));
}
