/** Domain → view models for the resident request page (templates get ready-to-render data). */
import { translate } from '../../platform/i18n/index.ts';
import { formatDate } from '../../platform/views/index.ts';
import { whatHappensNext } from './cases.service.ts';
import type { ResidentCaseView, TimelineEvent } from './cases.types.ts';

export interface TimelineItemView {
  title: string;
  byline: string | null;
  timestamp: string;
  dateText: string;
  paragraphs: string[];
  attachments: { href: string; text: string }[];
}

export function fileSizeText(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

function residentTitle(event: TimelineEvent, locale: string): string {
  const t = (key: string) => translate(locale, key);
  switch (event.kind) {
    case 'created':
      return t('cases.timeline.created');
    case 'status_changed':
    case 'reopened':
      return event.status?.customerLabel || t('cases.timeline.updated');
    case 'message':
      return event.direction === 'inbound'
        ? t('cases.timeline.messageFromYou')
        : t('cases.timeline.messageToYou');
    default:
      return t('cases.timeline.updated');
  }
}

export function residentTimeline(events: TimelineEvent[], locale: string): TimelineItemView[] {
  return events.map((event) => ({
    title: residentTitle(event, locale),
    byline:
      event.by === 'resident'
        ? translate(locale, 'cases.timeline.byYou')
        : event.by === 'staff'
          ? translate(locale, 'cases.timeline.byCouncil')
          : null,
    timestamp: event.at.toISOString(),
    dateText: formatDate(event.at, 'datetime'),
    paragraphs:
      (event.kind === 'message' || event.kind === 'status_changed') && event.body
        ? event.body
            .split(/\n\s*\n|\r?\n/)
            .map((p) => p.trim())
            .filter(Boolean)
        : [],
    attachments: event.attachments.map((a) => ({
      href: `/attachments/${a.id}`,
      text: `${a.filename} (${fileSizeText(a.sizeBytes)})`,
    })),
  }));
}

export interface RequestPageModel {
  reference: string;
  serviceName: string;
  statusLabel: string;
  whatHappensNext: string;
  summaryRows: { key: { text: string }; value: { text: string } }[];
  timeline: TimelineItemView[];
  closed: boolean;
}

export function requestPageModel(
  view: ResidentCaseView,
  events: TimelineEvent[],
  locale: string,
): RequestPageModel {
  const t = (key: string) => translate(locale, key);
  const rows = [
    { key: { text: t('cases.request.reference') }, value: { text: view.reference } },
    { key: { text: t('cases.request.service') }, value: { text: view.serviceName } },
    { key: { text: t('cases.request.received') }, value: { text: formatDate(view.receivedAt) } },
  ];
  if (view.dueAt && !view.closed)
    rows.push({ key: { text: t('cases.request.expectAnswer') }, value: { text: formatDate(view.dueAt) } });
  return {
    reference: view.reference,
    serviceName: view.serviceName,
    statusLabel: view.statusLabel,
    whatHappensNext: whatHappensNext(
      { closed: view.closed, paused: view.waitingForResident, dueAt: view.dueAt },
      locale,
    ),
    summaryRows: rows,
    timeline: residentTimeline(events, locale),
    closed: view.closed,
  };
}
