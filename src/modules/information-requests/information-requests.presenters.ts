/** Domain → view models for information request pages. */
import { ukWideCalendar, englandAndWalesCalendar } from '../../platform/clocks/index.ts';
import type { IsoDate } from '../../platform/calendar/index.ts';
import { formatDate } from '../../platform/views/index.ts';
import { daysLeftTag, escapeHtml as escape, summaryRow } from '../../platform/views/govuk-items.ts';
import { exemptionLabel, exemptionsFor } from './information-requests.exemptions.ts';
import {
  OUTCOME_LABELS,
  REGIME_LABELS,
  STATUS_LABELS,
  type QueueItem,
  type Regime,
  type RequestView,
} from './information-requests.types.ts';
import type { TimelinessReport } from './timeliness.ts';

const SHORT: Record<Regime, string> = { foi: 'FOI', eir: 'EIR', sar: 'SAR' };
const calendarFor = (regime: Regime) => (regime === 'sar' ? englandAndWalesCalendar() : ukWideCalendar());

export function queueRows(items: QueueItem[], today: IsoDate) {
  return items.map((item) => {
    const deadline = item.reviewDueOn ?? item.dueOn;
    return [
      {
        html: `<a class="govuk-link" href="/staff/information-requests/${item.id}">${escape(item.reference)}</a>`,
        classes: 'app-nowrap',
      },
      { text: SHORT[item.regime] },
      { text: item.requesterName ?? 'Not known' },
      { text: item.reviewDueOn ? 'Internal review' : STATUS_LABELS[item.status] },
      { text: deadline ? formatDate(deadline) : 'Clock stopped' },
      deadline && (item.reviewDueOn || item.status === 'open')
        ? { html: daysLeftTag(today, deadline, calendarFor(item.regime)).html }
        : { text: '' },
      { text: item.handlerName ?? 'Not assigned' },
    ];
  });
}

export function requestSummaryRows(view: RequestView, today: IsoDate) {
  const open = view.status !== 'responded' && view.status !== 'withdrawn';
  const rows = [
    summaryRow('Kind', REGIME_LABELS[view.regime]),
    summaryRow('Status', STATUS_LABELS[view.status]),
    summaryRow('Requester', view.requesterName),
    summaryRow('Received', formatDate(view.receivedOn)),
    summaryRow(
      'Deadline',
      view.dueOn
        ? `${escape(formatDate(view.dueOn))}${open ? ' ' + daysLeftTag(today, view.dueOn, calendarFor(view.regime)).html : ''}`
        : 'Clock stopped: waiting for the requester',
      true,
    ),
  ];
  if (view.clarificationRequestedOn)
    rows.push(
      summaryRow(
        'Clarification',
        `Asked ${formatDate(view.clarificationRequestedOn)}${view.clarificationReceivedOn ? `, answered ${formatDate(view.clarificationReceivedOn)}` : ', not answered yet'}`,
      ),
    );
  if (view.identityRequestedOn)
    rows.push(
      summaryRow(
        'Proof of identity',
        `Asked ${formatDate(view.identityRequestedOn)}${view.identityVerifiedOn ? `, confirmed ${formatDate(view.identityVerifiedOn)}` : ', not received yet'}`,
      ),
    );
  if (view.extended)
    rows.push(
      summaryRow(
        'Extension',
        `Notified ${formatDate(view.extensionNotifiedOn)}: ${view.extensionReason ?? ''}`,
      ),
    );
  if (view.publicInterestTarget)
    rows.push(
      summaryRow(
        'Public interest extension',
        `Target ${formatDate(view.publicInterestTarget)} (notified ${formatDate(view.publicInterestNotifiedOn)})`,
      ),
    );
  rows.push(summaryRow('Officer', view.handlerName ?? 'Not assigned'));
  if (view.respondedOn)
    rows.push(
      summaryRow(
        'Responded',
        `${formatDate(view.respondedOn)}${view.onTime === null ? '' : view.onTime ? ' (on time)' : ' (late)'}`,
      ),
      summaryRow('Outcome', view.outcome ? OUTCOME_LABELS[view.outcome] : null),
    );
  if (view.exemptions.length)
    rows.push(
      summaryRow('Exemptions', view.exemptions.map((e) => exemptionLabel(view.regime, e)).join('; ')),
    );
  if (view.costEstimateHours !== null)
    rows.push(summaryRow('Cost estimate', `${view.costEstimateHours} hours`));
  return rows;
}

export function exemptionItems(regime: Regime, selected: unknown) {
  const chosen = Array.isArray(selected) ? selected : typeof selected === 'string' ? [selected] : [];
  return exemptionsFor(regime).map((e) => ({
    value: e.code,
    text: e.label,
    checked: chosen.includes(e.code),
  }));
}

export function reportTables(report: TimelinessReport) {
  const pct = (p: number | null) => (p === null ? '–' : `${p.toFixed(1)}%`);
  return {
    byKind: report.byKind.map((r) => [
      { text: r.label },
      { text: String(r.total), format: 'numeric' },
      { text: String(r.onTime), format: 'numeric' },
      { text: pct(r.percent), format: 'numeric' },
      { text: String(r.open), format: 'numeric' },
      { text: String(r.overdue), format: 'numeric' },
    ]),
    byService: report.byService.map((r) => [
      { text: r.label },
      { text: r.service },
      { text: String(r.total), format: 'numeric' },
      { text: String(r.onTime), format: 'numeric' },
      { text: pct(r.percent), format: 'numeric' },
      { text: String(r.open), format: 'numeric' },
      { text: String(r.overdue), format: 'numeric' },
    ]),
    byMonth: report.byMonth.map((r) => [
      { text: formatDate(r.month, 'month') },
      { text: r.label },
      { text: String(r.total), format: 'numeric' },
      { text: String(r.onTime), format: 'numeric' },
      { text: pct(r.percent), format: 'numeric' },
    ]),
    rootCauses: report.rootCauses.map((r) => [
      { text: r.service },
      { text: r.rootCause },
      { text: String(r.count), format: 'numeric' },
    ]),
    asOfText: formatDate(report.asOf),
    complaints: pct(report.complaints.percent),
    informationRequests: pct(report.informationRequests.percent),
  };
}
