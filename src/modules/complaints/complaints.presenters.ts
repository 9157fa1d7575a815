/** Domain → view models for complaint pages: ready-to-render rows, no logic left for templates. */
import type { IsoDate, WorkingDayCalendar } from '../../platform/calendar/index.ts';
import { formatDate } from '../../platform/views/index.ts';
import {
  daysLeftTag,
  escapeHtml as escape,
  postButton,
  radioItems,
  summaryRow,
} from '../../platform/views/govuk-items.ts';
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
      {
        html: `<a class="govuk-link" href="/staff/complaints/${item.id}">${escape(item.reference)}</a>`,
        classes: 'app-nowrap',
      },
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

export function stageSummary(
  stage: StageView,
  workflowType: string,
  today: IsoDate,
  calendar?: WorkingDayCalendar,
) {
  const open = stage.respondedOn === null;
  const rows = [
    summaryRow(stage.stage === 1 ? 'Received' : 'Requested', formatDate(stage.startedOn)),
    ...(stage.acknowledgeBy
      ? [
          summaryRow(
            'Acknowledged',
            stage.acknowledgedOn
              ? `${formatDate(stage.acknowledgedOn)}${stage.acknowledgedOn > stage.acknowledgeBy ? ' (late: due ' + formatDate(stage.acknowledgeBy) + ')' : ''}`
              : `Not yet (due ${formatDate(stage.acknowledgeBy)})`,
          ),
        ]
      : []),
    summaryRow(
      'Respond by',
      `${escape(formatDate(stage.respondBy))}${open ? ' ' + daysLeftTag(today, stage.respondBy, calendar).html : ''}`,
      true,
    ),
    summaryRow(
      'Extension',
      stage.extensionDays
        ? `${stage.extensionDays} working days on ${formatDate(stage.extendedOn)}: ${stage.extensionReason ?? ''}`
        : 'None',
    ),
    summaryRow('Handled by', stage.handlerName ?? 'Not assigned'),
  ];
  if (stage.escalationReason !== null || stage.stage > 1)
    rows.push(summaryRow('Reason for escalating', stage.escalationReason ?? 'None given (none needed)'));
  if (stage.respondedOn) {
    rows.push(
      summaryRow('Responded', `${formatDate(stage.respondedOn)} (${stage.onTime ? 'on time' : 'late'})`),
      summaryRow('Decision', stage.decision ? DECISION_LABELS[stage.decision] : null),
      summaryRow('Reasons', stage.reasons),
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
    summaryRow('Kind', WORKFLOW_TYPE_LABELS[view.workflowType]),
    summaryRow('Complainant', view.customerName ?? view.contactName ?? 'Not known'),
    summaryRow('Received', formatDate(view.receivedOn)),
    summaryRow(
      'Matter happened',
      view.matterDate
        ? `${formatDate(view.matterDate)}${view.withinWindow ? '' : ' (outside the time limit for complaints)'}`
        : null,
    ),
    summaryRow(
      'About',
      view.linkedCase
        ? `${escape(view.linkedCase.reference)}: ${escape(view.linkedCase.serviceName)} (${view.linkedCase.closed ? 'closed' : 'still open'})`
        : escape(view.aboutServiceName ?? 'Not recorded'),
      true,
    ),
    summaryRow('What happened', view.summary),
    summaryRow('What they want', view.desiredOutcome),
    summaryRow('Reasonable adjustments', view.reasonableAdjustments ?? 'None asked for'),
    summaryRow('Root cause', view.rootCause ? ROOT_CAUSE_LABELS[view.rootCause] : null),
    ...(view.refusalReason
      ? [
          summaryRow(
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
            html: postButton({
              action: `/staff/complaints/${view.id}/remedies/${r.id}/complete`,
              csrfToken,
              text: 'Mark as done',
              about: REMEDY_LABELS[r.kind],
            }),
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
            postButton({
              action: `/staff/complaints/learning/${a.id}/complete`,
              csrfToken,
              text: 'Mark as complete',
              about: a.description,
              hidden: { returnTo },
              testId: 'complete-learning',
              inline: true,
            }),
        },
  ]);
}

/** The remedies of a stage as one line each ("Apology: …"), for the response form. */
export const remedyList = (remedies: ComplaintView['remedies']) =>
  remedies.map((r) => `${REMEDY_LABELS[r.kind]}: ${r.description}`);

/** The radios of the complaint page's action forms, with the answers posted (or the saved root cause). */
export function actionChoices(values: Record<string, unknown>, view: ComplaintView) {
  return {
    decisions: radioItems(DECISION_LABELS, values.decision),
    refusalReasons: radioItems(REFUSAL_LABELS, values.refusalReason),
    remedyKinds: radioItems(REMEDY_LABELS, values.remedyKind),
    rootCauses: radioItems(ROOT_CAUSE_LABELS, values.rootCause ?? view.rootCause),
  };
}
