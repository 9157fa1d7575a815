/** Domain → view models for complaint pages: ready-to-render rows, no logic left for templates. */
import type { IsoDate, WorkingDayCalendar } from '../../platform/calendar/index.ts';
import { formatDate } from '../../platform/views/index.ts';
import { workingDaysLeft } from './complaints.clock.ts';
import {
  DECISION_LABELS,
  REFUSAL_LABELS,
  REMEDY_LABELS,
  ROOT_CAUSE_LABELS,
  WORKFLOW_TYPE_LABELS,
  type ComplaintView,
  type LearningActionView,
  type QueueItem,
  type StageView,
} from './complaints.types.ts';

type Cell = { text?: string; html?: string; format?: string; attributes?: Record<string, string> };

const escape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** "3 working days left", "Due today", "2 working days overdue", with a tag whose colour repeats the words. */
export function daysLeftTag(
  today: IsoDate,
  deadline: IsoDate,
  calendar?: WorkingDayCalendar,
): { html: string; days: number } {
  const days = workingDaysLeft(today, deadline, calendar);
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

export const stageLabel = (stage: number, workflowType: string) =>
  workflowType === 'childrens_social_care' && stage === 3 ? 'Stage 3 (review panel)' : `Stage ${stage}`;

const STATUS_LABELS: Record<string, string> = {
  open: 'Open',
  responded: 'Responded',
  refused: 'Refused',
  closed: 'Closed',
};

export function queueRows(items: QueueItem[], today: IsoDate, calendar?: WorkingDayCalendar): Cell[][] {
  return items.map((item) => {
    const awaitingAck = item.acknowledgedOn === null && item.acknowledgeBy !== null;
    const deadline = awaitingAck ? item.acknowledgeBy! : item.respondBy;
    const tag = item.status === 'open' ? daysLeftTag(today, deadline, calendar) : null;
    return [
      { html: `<a class="govuk-link" href="/staff/complaints/${item.id}">${escape(item.reference)}</a>` },
      { text: item.customerName ?? 'Not known' },
      {
        text:
          stageLabel(item.stage, item.workflowType) +
          (item.workflowType === 'childrens_social_care' ? " (children's)" : ''),
      },
      {
        text:
          item.status === 'open'
            ? awaitingAck
              ? 'Acknowledge by'
              : 'Respond by'
            : STATUS_LABELS[item.status],
      },
      { text: formatDate(deadline) + (item.extended ? ' (extended)' : '') },
      tag ? { html: tag.html } : { text: '' },
      { text: item.handlerName ?? 'Not assigned' },
    ];
  });
}

function row(key: string, value: string | null | undefined, html = false) {
  return {
    key: { text: key },
    value: html ? { html: value ?? '' } : { text: value && value !== '' ? value : 'Not recorded' },
  };
}

export function stageSummary(
  stage: StageView,
  workflowType: string,
  today: IsoDate,
  calendar?: WorkingDayCalendar,
) {
  const open = stage.respondedOn === null;
  const rows = [
    row(stage.stage === 1 ? 'Received' : 'Requested', formatDate(stage.startedOn)),
    ...(stage.acknowledgeBy
      ? [
          row(
            'Acknowledged',
            stage.acknowledgedOn
              ? `${formatDate(stage.acknowledgedOn)}${stage.acknowledgedOn > stage.acknowledgeBy ? ' (late: due ' + formatDate(stage.acknowledgeBy) + ')' : ''}`
              : `Not yet (due ${formatDate(stage.acknowledgeBy)})`,
          ),
        ]
      : []),
    row(
      'Respond by',
      `${escape(formatDate(stage.respondBy))}${open ? ' ' + daysLeftTag(today, stage.respondBy, calendar).html : ''}`,
      true,
    ),
    row(
      'Extension',
      stage.extensionDays
        ? `${stage.extensionDays} working days on ${formatDate(stage.extendedOn)}: ${stage.extensionReason ?? ''}`
        : 'None',
    ),
    row('Handled by', stage.handlerName ?? 'Not assigned'),
  ];
  if (stage.escalationReason !== null || stage.stage > 1)
    rows.push(row('Reason for escalating', stage.escalationReason ?? 'None given (none needed)'));
  if (stage.respondedOn) {
    rows.push(
      row('Responded', `${formatDate(stage.respondedOn)} (${stage.onTime ? 'on time' : 'late'})`),
      row('Decision', stage.decision ? DECISION_LABELS[stage.decision] : null),
      row('Reasons', stage.reasons),
    );
  }
  return {
    title: stageLabel(stage.stage, workflowType),
    rows,
    responseHtml: stage.responseText ? letterHtml(stage.responseText) : null,
  };
}

/** A letter's text as GOV.UK paragraphs (escaped; line breaks kept). */
export function letterHtml(text: string): string {
  return text
    .split(/\n\n+/)
    .map((p) => `<p class="govuk-body">${escape(p).replace(/\n/g, '<br>')}</p>`)
    .join('');
}

export function complaintSummaryRows(view: ComplaintView) {
  return [
    row('Kind', WORKFLOW_TYPE_LABELS[view.workflowType]),
    row('Complainant', view.customerName ?? view.contactName ?? 'Not known'),
    row('Received', formatDate(view.receivedOn)),
    row(
      'Matter happened',
      view.matterDate
        ? `${formatDate(view.matterDate)}${view.withinWindow ? '' : ' (outside the time limit for complaints)'}`
        : null,
    ),
    row(
      'About',
      view.linkedCase
        ? `${escape(view.linkedCase.reference)}: ${escape(view.linkedCase.serviceName)} (${view.linkedCase.closed ? 'closed' : 'still open'})`
        : escape(view.aboutServiceName ?? 'Not recorded'),
      true,
    ),
    row('What happened', view.summary),
    row('What they want', view.desiredOutcome),
    row('Reasonable adjustments', view.reasonableAdjustments ?? 'None asked for'),
    row('Root cause', view.rootCause ? ROOT_CAUSE_LABELS[view.rootCause] : null),
    ...(view.refusalReason
      ? [
          row(
            'Refused',
            `${formatDate(view.refusedOn)}: ${REFUSAL_LABELS[view.refusalReason]}${view.refusalDetails ? '. ' + view.refusalDetails : ''}`,
          ),
        ]
      : []),
  ];
}

export function remedyRows(view: ComplaintView, csrfToken: string, canAct: boolean): Cell[][] {
  return view.remedies.map((r) => [
    { text: REMEDY_LABELS[r.kind] },
    { text: r.description + (r.amountPence !== null ? ` (£${(r.amountPence / 100).toFixed(2)})` : '') },
    { text: r.dueOn ? formatDate(r.dueOn) : 'No date' },
    r.completedOn
      ? { text: `Done ${formatDate(r.completedOn)}` }
      : canAct
        ? {
            html: `<form method="post" action="/staff/complaints/${view.id}/remedies/${r.id}/complete"><input type="hidden" name="_csrf" value="${escape(csrfToken)}"><button class="govuk-button govuk-button--secondary app-button--small govuk-!-margin-bottom-0" data-module="govuk-button">Mark as done<span class="govuk-visually-hidden">: ${escape(REMEDY_LABELS[r.kind])}</span></button></form>`,
          }
        : { text: 'To do' },
  ]);
}

export function learningRows(
  actions: LearningActionView[],
  today: IsoDate,
  csrfToken: string,
  returnTo: string,
): Cell[][] {
  return actions.map((a) => [
    { text: a.description },
    ...(a.complaintReference
      ? [
          {
            html: `<a class="govuk-link" href="/staff/complaints/${a.complaintId ?? ''}">${escape(a.complaintReference)}</a>`,
          },
        ]
      : [{ text: 'None' }]),
    { text: a.teamName ?? 'No team' },
    { text: a.ownerName },
    { text: formatDate(a.dueOn) },
    a.completedOn
      ? { text: `Done ${formatDate(a.completedOn)}${a.completionNote ? ': ' + a.completionNote : ''}` }
      : {
          html:
            (a.dueOn < today ? '<strong class="govuk-tag govuk-tag--red">Overdue</strong> ' : '') +
            `<form method="post" action="/staff/complaints/learning/${a.id}/complete" class="app-inline-form"><input type="hidden" name="_csrf" value="${escape(csrfToken)}"><input type="hidden" name="returnTo" value="${escape(returnTo)}"><button class="govuk-button govuk-button--secondary app-button--small govuk-!-margin-bottom-0" data-module="govuk-button" data-testid="complete-learning">Mark as complete<span class="govuk-visually-hidden">: ${escape(a.description)}</span></button></form>`,
        },
  ]);
}

export const items = <T extends string>(labels: Record<T, string>, selected?: unknown) =>
  (Object.keys(labels) as T[]).map((value) => ({ value, text: labels[value], checked: value === selected }));

export const selectItems = (options: { id: string; name: string }[], selected: unknown, blank: string) => [
  { value: '', text: blank },
  ...options.map((o) => ({ value: o.id, text: o.name, selected: o.id === selected })),
];
