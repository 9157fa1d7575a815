/**
 * Ready-to-render pieces for GOV.UK components that staff pages build in presenters: radio and select
 * items, a small POST button in a table cell (with the CSRF token), and the "working days left" tag. Text
 * is escaped here, so presenters can hand the HTML to `{ html }` cells.
 */
import type { IsoDate, WorkingDayCalendar } from '../calendar/index.ts';
import { englandAndWalesCalendar } from '../clocks/index.ts';

export function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** govukRadios / govukCheckboxes items from value → label, in the labels' order. */
export const radioItems = <T extends string>(labels: Record<T, string>, selected?: unknown) =>
  (Object.keys(labels) as T[]).map((value) => ({ value, text: labels[value], checked: value === selected }));

/** govukSelect items from a picker's options, with a blank first choice. */
export const selectItems = (
  options: readonly { id: string; name: string }[],
  selected: unknown,
  blank: string,
) => [
  { value: '', text: blank },
  ...options.map((o) => ({ value: o.id, text: o.name, selected: o.id === selected })),
];

/**
 * A one-button form that POSTs to `action` (e.g. "Mark as done" in a table row): secondary, small, with the
 * CSRF token, hidden fields, and words for screen readers saying which row the button is for.
 */
export function postButton(button: {
  action: string;
  csrfToken: string;
  text: string;
  /** Visually hidden words after the text (": <the row>"). */
  about?: string;
  hidden?: Record<string, string>;
  testId?: string;
  inline?: boolean;
}): string {
  const hidden = Object.entries(button.hidden ?? {})
    .map(([name, value]) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`)
    .join('');
  const about = button.about
    ? `<span class="govuk-visually-hidden">: ${escapeHtml(button.about)}</span>`
    : '';
  const testId = button.testId ? ` data-testid="${button.testId}"` : '';
  return (
    `<form method="post" action="${button.action}"${button.inline ? ' class="app-inline-form"' : ''}>` +
    `<input type="hidden" name="_csrf" value="${escapeHtml(button.csrfToken)}">${hidden}` +
    `<button class="govuk-button govuk-button--secondary app-button--small govuk-!-margin-bottom-0" data-module="govuk-button"${testId}>${button.text}${about}</button></form>`
  );
}

/** "3 working days left", "Due today", "2 working days overdue", with a tag whose colour repeats the words. */
export function daysLeftTag(
  today: IsoDate,
  deadline: IsoDate,
  calendar: WorkingDayCalendar = englandAndWalesCalendar(),
): { html: string; days: number } {
  const days = calendar.workingDaysBetween(today, deadline);
  const [text, colour] =
    days < 0
      ? [`${-days} working ${days === -1 ? 'day' : 'days'} overdue`, 'govuk-tag--red']
      : days === 0
        ? ['Due today', 'govuk-tag--orange']
        : [
            `${days} working ${days === 1 ? 'day' : 'days'} left`,
            days <= 2 ? 'govuk-tag--yellow' : 'govuk-tag--grey',
          ];
  return { html: `<strong class="govuk-tag ${colour}">${text}</strong>`, days };
}

/** A govukSummaryList row: the value as text ("Not recorded" when empty), or as HTML already escaped. */
export function summaryRow(key: string, value: string | null | undefined, html = false) {
  return {
    key: { text: key },
    value: html ? { html: value ?? '' } : { text: value && value !== '' ? value : 'Not recorded' },
  };
}
