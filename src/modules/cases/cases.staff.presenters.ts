/**
 * The staff case page's view model: the case's facts and answers, the timeline split into messages (what
 * the resident sees) and internal notes, the action forms' choices, and the form state after a refused
 * change (which form is open, its errors and the answers kept). Templates get ready-to-render data.
 */
import { formatDate } from '../../platform/views/index.ts';
import { escapeHtml } from '../../platform/views/govuk-items.ts';
import type { StaffPrincipal } from '../identity/index.ts';
import { answersInWords } from '../services/index.ts';
import { fillTemplate, PRIORITIES } from './cases.handling.ts';
import { staffMaySeeCase } from './cases.policy.ts';
import { languageAndNeeds } from '../customers/index.ts';
import { customerNameOf, timeLeft } from './cases.queues.presenters.ts';
import { allowedNextStatuses, defaultCaseCalendar } from './cases.service.ts';
import { MAX_EXTENSION_DAYS } from './cases.sla.ts';
import { keepsStatutoryClock } from './cases.statutory.ts';
import type { StaffCasePage } from './cases.staff.service.ts';

/** Which form a validation error belongs to: its `<details>` opens and the field shows the message. */
export type StaffCaseForm =
  'status' | 'note' | 'message' | 'assign' | 'transfer' | 'extend' | 'details' | 'link';

export type FormErrors = { href: string; text: string }[];

/** The page's form state: after a refused change, the open form, its errors and the answers given. */
export interface StaffCaseFormState {
  errors?: FormErrors;
  values?: Record<string, string>;
  form?: StaffCaseForm;
}

/** The answers as label/value pairs, in words (option labels, dates), in the order of the form's questions. */
export function answerRows(definition: unknown, answers: Record<string, unknown>) {
  const locations = new Set(
    (
      (definition as { form?: { pages?: { questions?: { id?: string; type?: string }[] }[] } } | null)?.form
        ?.pages ?? []
    )
      .flatMap((page) => page.questions ?? [])
      .filter((q) => q.type === 'location' && q.id)
      .map((q) => q.id),
  );
  return answersInWords(definition, answers).map((a) => {
    // A location keeps its lines and its point on the map as a link.
    const html = locations.has(a.id) ? locationHtml(answers[a.id]) : null;
    return { key: { text: a.question }, value: html ? { html } : { text: a.answer } };
  });
}

/**
 * A location answer as staff read it: the description, the postcode, and the point chosen on the map as a
 * link that opens it on a map (null when the answer is not a location object).
 */
function locationHtml(value: unknown): string | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const l = value as {
    description?: unknown;
    postcode?: unknown;
    address?: unknown;
    lat?: unknown;
    lng?: unknown;
  };
  const lines: string[] = [];
  if (typeof l.description === 'string' && l.description)
    lines.push(escapeHtml(l.description).replace(/\r?\n/g, '<br>'));
  if (typeof l.address === 'string' && l.address) lines.push(`Nearest address: ${escapeHtml(l.address)}`);
  else if (typeof l.postcode === 'string' && l.postcode) lines.push(`Postcode: ${escapeHtml(l.postcode)}`);
  if (typeof l.lat === 'number' && typeof l.lng === 'number') {
    const href = `https://www.openstreetmap.org/?mlat=${l.lat}&mlon=${l.lng}#map=18/${l.lat}/${l.lng}`;
    lines.push(
      `Map point: <a class="govuk-link" href="${escapeHtml(href)}" data-testid="location-link">${l.lat}, ${l.lng}<span class="govuk-visually-hidden"> (opens a map)</span></a>`,
    );
  }
  return lines.length ? lines.join('<br>') : 'Not given';
}

/**
 * The context of `cases/staff/case.njk` for `staff` at `now`. `query.template` is a reply template chosen
 * with the "Use template" button (a GET, so it works without JavaScript); `query.done` names the change
 * just made.
 */
export function staffCasePageView(
  page: StaffCasePage,
  viewer: { staff: StaffPrincipal; now: Date; query: { done?: string; template?: string } },
  state: StaffCaseFormState = {},
) {
  const { row, service, timeline, feedback, sla, members, teams, links, templates } = page;
  const { staff, now, query } = viewer;
  const current = service.definition.workflow.statuses.find((s) => s.code === row.status);
  const next = row.closed_at ? [] : allowedNextStatuses(service, row.status);
  const canWrite = staff.permissions.has('cases:write');
  const canAssign = staff.permissions.has('cases:assign');
  const statuses = new Map(service.definition.workflow.statuses.map((st) => [st.code, st]));
  const view = (e: (typeof timeline)[number]) => ({
    ...e,
    // Older events (and the demo history) carry only the status code: label them from the workflow.
    status: e.status && {
      code: e.status.code,
      label: e.status.label || statuses.get(e.status.code)?.label || e.status.code,
      customerLabel: e.status.customerLabel || statuses.get(e.status.code)?.customerLabel || e.status.code,
    },
    date: formatDate(e.at, 'datetime'),
    who: e.by === 'resident' ? 'Resident' : e.by === 'staff' ? (e.staffName ?? 'Staff') : 'Frontdoor',
  });
  const customerName = customerNameOf({
    customerId: row.customer_id,
    givenName: row.given_name,
    familyName: row.family_name,
    organisationName: row.organisation_name,
    guestName: row.guest_name,
  });
  const values = { ...(state.values ?? {}) };
  const chosen = templates.find((t) => t.id === query.template);
  if (chosen && values.message === undefined)
    values.message = fillTemplate(chosen.body, {
      name: customerName,
      reference: row.reference,
      service: service.name,
      officer: staff.name,
    });
  const handover = timeline.find((e) => (e.kind === 'transferred' || e.kind === 'assigned') && e.body);
  const inTeam = staff.teams.some((t) => t.id === row.team_id);
  const errorFor = (href: string) => state.errors?.find((e) => e.href === href)?.text;
  return {
    pageTitle: `${state.errors?.length ? 'Error: ' : ''}${row.reference} – ${service.name}`,
    c: row,
    serviceName: service.name,
    statusLabel: current?.label ?? row.status,
    customerStatusLabel: current?.customerLabel ?? row.status,
    receivedDate: formatDate(row.received_at, 'datetime'),
    // The clock's due date (pauses and extensions included), as the queues show it.
    dueDate: sla ? formatDate(sla.dueAt, 'date') : row.due_at ? formatDate(row.due_at, 'date') : null,
    timeLeft: sla
      ? timeLeft({ ...sla, unit: service.sla.unit }, now, defaultCaseCalendar().toLocalDate(now))
      : null,
    extensionDays: sla?.extensionDays ?? 0,
    customerName,
    customerHref: row.customer_id ? `/staff/customers/${row.customer_id}` : null,
    // Issue 17: the customer's language and needs in words, at the top of the case.
    languageAndNeeds: languageAndNeeds(row.preferred_language, row.communication_needs),
    answers: answerRows(service.definition, row.answers),
    messages: timeline.filter((e) => e.visibleToCustomer).map(view),
    internal: timeline.filter((e) => !e.visibleToCustomer).map(view),
    handover: handover ? view(handover) : null,
    feedback,
    nextStatuses: next.map((s) => ({
      value: s.code,
      text: s.label,
      hint: {
        text: s.customerVisible
          ? `The resident sees “${s.customerLabel}” and gets a message`
          : 'Not shown to the resident',
      },
      checked: values.status === s.code,
    })),
    canWrite,
    canAssign,
    canTake: canWrite && !row.closed_at && row.assignee_id !== staff.id && (inTeam || canAssign),
    canRelease: canWrite && !row.closed_at && row.assignee_id === staff.id,
    assigneeItems: [
      { value: '', text: 'Nobody (team queue)' },
      ...members.map((m) => ({
        value: m.id,
        text: `${m.name}${m.is_leader ? ' (team leader)' : ''}${m.available ? '' : ' – not available'}`,
        selected: (values.assignee ?? row.assignee_id ?? '') === m.id,
      })),
    ],
    teamItems: [
      { value: '', text: 'Choose a team' },
      ...teams
        .filter((t) => t.id !== row.team_id)
        .map((t) => ({ value: t.id, text: t.name, selected: values.team === t.id })),
    ],
    priorityItems: PRIORITIES.map((p) => ({
      value: p,
      text: p[0].toUpperCase() + p.slice(1),
      selected: (values.priority ?? row.priority) === p,
    })),
    tagsValue: values.tags ?? row.tags.join(', '),
    links: links.map((l) => {
      const visible = staffMaySeeCase(staff, { sensitivity: l.sensitivity, teamId: l.team_id });
      return {
        id: l.id,
        // A restricted case the viewer may not see shows only that a link exists.
        reference: visible ? l.reference : 'A restricted case',
        href: visible ? `/staff/cases/${l.id}` : null,
        service: visible ? `${l.service_name} · ${l.authority_name}` : '',
        closed: l.closed_at !== null,
      };
    }),
    templateItems: [
      { value: '', text: 'Choose a template' },
      ...templates.map((t) => ({ value: t.id, text: t.title, selected: chosen?.id === t.id })),
    ],
    maxExtensionDays: MAX_EXTENSION_DAYS,
    // A statutory deadline moves on its record (the complaint or information request), by its own rules.
    canExtend: !keepsStatutoryClock(service.definition.kind),
    openForm: state.form ?? null,
    fieldErrors: {
      status: errorFor('#status'),
      note: errorFor('#note'),
      message: errorFor('#message'),
      assignee: errorFor('#assignee'),
      handoverNote: errorFor('#handoverNote'),
      team: errorFor('#team'),
      transferNote: errorFor('#transferNote'),
      days: errorFor('#days'),
      reason: errorFor('#reason'),
      priority: errorFor('#priority'),
      tags: errorFor('#tags'),
      reference: errorFor('#reference'),
    },
    errors: state.errors ?? [],
    values,
    done: query.done ?? null,
  };
}
