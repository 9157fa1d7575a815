/**
 * The staff case page: a case's facts, answers, timeline (customer-facing messages and internal notes kept
 * apart), feedback, and the actions allowed by the service's workflow (change status, add a note).
 *
 * Access: as on the customer's single view, staff of the shared (two-tier) front door see every council's
 * normal cases; a case of a restricted service (e.g. adult social care) is visible only to the owning team. Anything else is 404, never 403, and
 * the attempt writes a `case.view_denied` audit row. Every view and change writes an audit row.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { audit } from '../../platform/audit/index.ts';
import type { Clock } from '../../platform/clock.ts';
import { withTransaction, type Db, type Tx } from '../../platform/db/index.ts';
import { DomainRuleError, ForbiddenError, NotFoundError } from '../../platform/http/errors.ts';
import { formatDate } from '../../platform/views/index.ts';
import type { StaffPrincipal } from '../identity/index.ts';
import { requireStaffMaySeeCase, staffMaySeeCase } from './cases.policy.ts';
import {
  addNote,
  allowedNextStatuses,
  changeStatus,
  getCaseTimeline,
  addMessage,
  defaultCaseCalendar,
  loadCaseService,
} from './cases.service.ts';
import { customerNameOf, timeLeft } from './cases.queues.presenters.ts';
import type { CaseOptions } from './cases.types.ts';
import {
  assignCase,
  fillTemplate,
  linkCases,
  MAX_HANDOVER_NOTE,
  PRIORITIES,
  transferCase,
  unlinkCases,
  updateCaseDetails,
  type HandlingActor,
} from './cases.handling.ts';
import * as handlingRepo from './cases.handling.repository.ts';
import { caseSlaSnapshot, extendSla, MAX_EXTENSION_DAYS } from './cases.sla.ts';
import { staffRoute } from '../../platform/http/route-options.ts';

/** Route options of the case page's routes: permission and the audit event written for each request. */
const read = (auditEvent: string) => staffRoute('cases:read', auditEvent);
const write = (auditEvent: string) => staffRoute('cases:write', auditEvent);

export interface CasesStaffDeps {
  db: Db;
  clock: Clock;
  /** Base URL for links in messages (config.publicUrl). */
  publicUrl?: string;
  caseOptions?: CaseOptions;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type FormErrors = { href: string; text: string }[];

function caseIdOf(request: FastifyRequest): string {
  const id = (request.params as { id?: string }).id ?? '';
  if (!UUID.test(id)) throw new NotFoundError();
  return id;
}

function bodyOf(request: FastifyRequest): Record<string, string> {
  const raw = (request.body ?? {}) as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** Loads the case if this member of staff may see it; otherwise audits the attempt and throws 404. */
async function visibleCase(db: Db, request: FastifyRequest, action: string) {
  const staff: StaffPrincipal = request.staff!;
  const id = caseIdOf(request);
  const row = await db
    .selectFrom('cases as c')
    .innerJoin('services as s', 's.id', 'c.service_id')
    .innerJoin('authorities as a', 'a.id', 'c.authority_id')
    .innerJoin('teams as t', 't.id', 'c.team_id')
    .leftJoin('staff_users as u', 'u.id', 'c.assignee_id')
    .leftJoin('customers as p', 'p.id', 'c.customer_id')
    .select([
      'c.id',
      'c.authority_id',
      'c.reference',
      'c.status',
      'c.priority',
      'c.tags',
      'c.assignee_id',
      'c.origin_channel',
      'c.customer_id',
      'c.guest_name',
      'c.guest_email',
      'c.guest_phone',
      'c.received_at',
      'c.due_at',
      'c.closed_at',
      'c.sla_paused_at',
      'c.answers',
      'c.team_id',
      'c.routing_reason',
      'c.service_id',
      's.sensitivity',
      'a.name as authority_name',
      't.name as team_name',
      'u.display_name as assignee_name',
      'p.given_name',
      'p.family_name',
      'p.organisation_name',
    ])
    .where('c.id', '=', id)
    .executeTakeFirst();
  if (!row) throw new NotFoundError();
  // The one staff rule for a case, its actions and its files (cases.policy.ts): the same as the customer's
  // single view, which lists cases of every council sharing the front door.
  await requireStaffMaySeeCase(
    db,
    staff,
    { id: row.id, sensitivity: row.sensitivity, teamId: row.team_id },
    { action, requestId: request.id },
  );
  return row;
}

type CaseRow = Awaited<ReturnType<typeof visibleCase>>;

/** The answers as label/value pairs, in the order of the form's questions where the definition has them. */
function answerRows(definition: unknown, answers: Record<string, unknown>) {
  const labels = new Map<string, string>();
  const pages = (definition as { form?: { pages?: { questions?: { id?: string; label?: string }[] }[] } })
    .form?.pages;
  for (const page of pages ?? [])
    for (const q of page.questions ?? []) if (q.id && q.label) labels.set(q.id, q.label);
  const text = (v: unknown): string => {
    if (v === null || v === undefined || v === '') return 'Not given';
    if (Array.isArray(v)) return v.map(text).join(', ');
    if (typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.text === 'string') return o.text;
      return Object.values(o)
        .filter((x) => typeof x === 'string' || typeof x === 'number')
        .join(', ');
    }
    return typeof v === 'string' ? v : JSON.stringify(v);
  };
  const keys = [...labels.keys()].filter((k) => k in answers);
  for (const k of Object.keys(answers)) if (!keys.includes(k)) keys.push(k);
  return keys.map((k) => ({ key: { text: labels.get(k) ?? k }, value: { text: text(answers[k]) } }));
}

/** Which form a validation error belongs to: its `<details>` opens and the field shows the message. */
type FormName = 'status' | 'note' | 'message' | 'assign' | 'transfer' | 'extend' | 'details' | 'link';

interface RenderExtra {
  errors?: FormErrors;
  values?: Record<string, string>;
  status?: number;
  form?: FormName;
}

export async function registerCasesStaffRoutes(app: FastifyInstance, deps: CasesStaffDeps): Promise<void> {
  await app.register(async (scope) => {
    // Requests refused by the route permission (e.g. an auditor posting a note) are audited as denied too.
    scope.addHook('onError', async (request, _reply, error) => {
      if (!(error instanceof ForbiddenError) || !request.staff) return;
      const id = (request.params as { id?: string }).id ?? '';
      await audit(deps.db, {
        actorType: 'staff',
        actorId: request.staff.id,
        authorityId: request.staff.authorityId,
        action: 'case.access_denied',
        recordType: 'case',
        recordId: UUID.test(id) ? id : null,
        outcome: 'denied',
        requestId: request.id,
        details: { route: `${request.method} ${request.routeOptions.url ?? ''}` },
      });
    });
    await caseRoutes(scope, deps);
  });
}

async function caseRoutes(app: FastifyInstance, deps: CasesStaffDeps): Promise<void> {
  const { db } = deps;

  const actorOf = (request: FastifyRequest): HandlingActor => ({
    staffId: request.staff!.id,
    canAssignOthers: request.staff!.permissions.has('cases:assign'),
    teamIds: request.staff!.teams.map((t) => t.id),
  });
  const handlingOptions = (request: FastifyRequest) => ({
    at: deps.clock.now(),
    requestId: request.id,
    publicUrl: deps.publicUrl,
  });
  const seesCase =
    (request: FastifyRequest) => (c: { sensitivity: 'normal' | 'restricted'; teamId: string }) =>
      staffMaySeeCase(request.staff!, c);

  async function render(request: FastifyRequest, reply: FastifyReply, row: CaseRow, extra: RenderExtra = {}) {
    const staff = request.staff!;
    const now = deps.clock.now();
    const service = await loadCaseService(db, { id: row.service_id }, { includeInactive: true });
    if (!service) throw new NotFoundError();
    const [timeline, feedback, sla, members, teams, links, templates] = await Promise.all([
      getCaseTimeline(db, row.id, { customerVisibleOnly: false }),
      // Read directly (the feedback module imports this one): satisfaction after this case was closed.
      db
        .selectFrom('feedback')
        .select(['id', 'satisfaction', 'effort', 'comment', 'created_at'])
        .where('case_id', '=', row.id)
        .orderBy('created_at', 'desc')
        .execute(),
      caseSlaSnapshot(db, row.id, now),
      handlingRepo.teamMembers(db, row.team_id),
      handlingRepo.teamsOfAuthority(db, row.authority_id),
      handlingRepo.linkedCases(db, row.id),
      handlingRepo.replyTemplatesFor(db, row.authority_id, row.service_id),
    ]);
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
    const query = request.query as { done?: string; template?: string };
    const values = { ...(extra.values ?? {}) };
    // A reply template chosen with the "Use template" button (a GET, so it works without JavaScript).
    const chosen = templates.find((t) => t.id === query.template);
    if (chosen && values.message === undefined)
      values.message = fillTemplate(chosen.body, {
        name: customerName,
        reference: row.reference,
        service: service.name,
        officer: staff.name,
      });
    const handover = timeline.find((e) => (e.kind === 'transferred' || e.kind === 'assigned') && e.body);
    const seen = seesCase(request);
    const inTeam = staff.teams.some((t) => t.id === row.team_id);
    const errorFor = (href: string) => extra.errors?.find((e) => e.href === href)?.text;
    return reply.status(extra.status ?? 200).view('cases/staff/case.njk', {
      pageTitle: `${extra.errors?.length ? 'Error: ' : ''}${row.reference} – ${service.name}`,
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
        const visible = seen({ sensitivity: l.sensitivity, teamId: l.team_id });
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
      openForm: extra.form ?? null,
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
      errors: extra.errors ?? [],
      values,
      done: query.done ?? null,
    });
  }

  /** Runs a change in one transaction; a broken business rule re-renders the page with the error on `href`. */
  async function attempt(
    request: FastifyRequest,
    reply: FastifyReply,
    row: CaseRow,
    form: FormName,
    href: string,
    change: (trx: Tx) => Promise<unknown>,
    done: string,
  ) {
    const values = bodyOf(request);
    try {
      await withTransaction(db, change);
    } catch (error) {
      if (error instanceof FieldError)
        return render(request, reply, row, {
          status: 400,
          values,
          form,
          errors: [{ href: error.href, text: error.message }],
        });
      if (error instanceof DomainRuleError)
        return render(request, reply, row, {
          status: 400,
          values,
          form,
          errors: [{ href, text: error.message }],
        });
      throw error;
    }
    return reply.redirect(`/staff/cases/${row.id}?done=${done}`, 303);
  }

  app.get('/staff/cases/:id', read('case.viewed'), async (request, reply) => {
    const row = await visibleCase(db, request, 'view');
    await audit(db, {
      actorType: 'staff',
      actorId: request.staff!.id,
      authorityId: row.authority_id,
      action: 'case.view',
      recordType: 'case',
      recordId: row.id,
      requestId: request.id,
    });
    return render(request, reply, row);
  });

  app.post('/staff/cases/:id/status', write('case.status_changed'), async (request, reply) => {
    const row = await visibleCase(db, request, 'change_status');
    const values = bodyOf(request);
    const to = values.status ?? '';
    const note = (values.statusNote ?? '').trim();
    const service = await loadCaseService(db, { id: row.service_id }, { includeInactive: true });
    const allowed = service && !row.closed_at ? allowedNextStatuses(service, row.status) : [];
    if (!allowed.some((s) => s.code === to))
      return render(request, reply, row, {
        status: 400,
        values,
        form: 'status',
        errors: [{ href: '#status', text: 'Select what happens next' }],
      });
    await withTransaction(db, async (trx) => {
      await changeStatus(
        trx,
        row.id,
        to,
        { kind: 'staff', staffId: request.staff!.id },
        { publicUrl: deps.publicUrl, ...deps.caseOptions, at: deps.clock.now() },
      );
      if (note) await addNote(trx, row.id, { staffId: request.staff!.id, body: note, at: deps.clock.now() });
      await audit(trx, {
        actorType: 'staff',
        actorId: request.staff!.id,
        authorityId: row.authority_id,
        action: 'case.status_changed',
        recordType: 'case',
        recordId: row.id,
        requestId: request.id,
        details: { from: row.status, to },
      });
    });
    return reply.redirect(`/staff/cases/${row.id}?done=status`, 303);
  });

  app.post('/staff/cases/:id/notes', write('case.note_added'), async (request, reply) => {
    const row = await visibleCase(db, request, 'add_note');
    const values = bodyOf(request);
    const body = (values.note ?? '').trim();
    const problem = !body
      ? 'Enter a note'
      : body.length > 5000
        ? 'Note must be 5,000 characters or fewer'
        : null;
    if (problem)
      return render(request, reply, row, {
        status: 400,
        values,
        form: 'note',
        errors: [{ href: '#note', text: problem }],
      });
    await withTransaction(db, async (trx) => {
      await addNote(trx, row.id, { staffId: request.staff!.id, body, at: deps.clock.now() });
      await audit(trx, {
        actorType: 'staff',
        actorId: request.staff!.id,
        authorityId: row.authority_id,
        action: 'case.note_added',
        recordType: 'case',
        recordId: row.id,
        requestId: request.id,
      });
    });
    return reply.redirect(`/staff/cases/${row.id}?done=note#internal`, 303);
  });

  // A message the resident sees on their request page and gets by email/text (through the outbox).
  app.post('/staff/cases/:id/messages', write('case.message_sent'), async (request, reply) => {
    const row = await visibleCase(db, request, 'send_message');
    const values = bodyOf(request);
    const body = (values.message ?? '').trim();
    const problem = !body
      ? 'Enter a message to the resident'
      : body.length > 5000
        ? 'Message must be 5,000 characters or fewer'
        : null;
    if (problem)
      return render(request, reply, row, {
        status: 400,
        values,
        form: 'message',
        errors: [{ href: '#message', text: problem }],
      });
    return attempt(
      request,
      reply,
      row,
      'message',
      '#message',
      async (trx) => {
        const staff = { kind: 'staff' as const, staffId: request.staff!.id };
        const { eventId } = await addMessage(
          trx,
          row.id,
          { from: 'staff', actor: staff, body, at: deps.clock.now() },
          { publicUrl: deps.publicUrl, ...deps.caseOptions },
        );
        await audit(trx, {
          actorType: 'staff',
          actorId: request.staff!.id,
          authorityId: row.authority_id,
          action: 'case.message_sent',
          recordType: 'case',
          recordId: row.id,
          requestId: request.id,
          details: { eventId },
        });
      },
      'message',
    );
  });

  app.post('/staff/cases/:id/assign', write('case.assigned'), async (request, reply) => {
    const row = await visibleCase(db, request, 'assign');
    const values = bodyOf(request);
    const choice = values.assignee ?? '';
    const assigneeId = choice === 'me' ? request.staff!.id : choice === '' ? null : choice;
    if (assigneeId !== null && !UUID.test(assigneeId))
      return render(request, reply, row, {
        status: 400,
        values,
        form: 'assign',
        errors: [{ href: '#assignee', text: 'Choose who should have the case' }],
      });
    return attempt(
      request,
      reply,
      row,
      'assign',
      '#assignee',
      async (trx) => {
        try {
          await assignCase(
            trx,
            row.id,
            { assigneeId, note: values.handoverNote },
            actorOf(request),
            handlingOptions(request),
          );
        } catch (error) {
          // A missing or long handover note belongs to the note field.
          if (error instanceof DomainRuleError && /handover note/i.test(error.message))
            throw new FieldError('#handoverNote', error.message);
          throw error;
        }
      },
      assigneeId === null ? 'unassigned' : 'assigned',
    );
  });

  app.post('/staff/cases/:id/transfer', write('case.transferred'), async (request, reply) => {
    const row = await visibleCase(db, request, 'transfer');
    const values = bodyOf(request);
    const errors: FormErrors = [];
    if (!UUID.test(values.team ?? ''))
      errors.push({ href: '#team', text: 'Choose the team to pass the case to' });
    const note = (values.transferNote ?? '').trim();
    if (!note) errors.push({ href: '#transferNote', text: 'Enter a handover note for the new team' });
    else if (note.length > MAX_HANDOVER_NOTE)
      errors.push({ href: '#transferNote', text: 'Handover note must be 2,000 characters or fewer' });
    if (errors.length) return render(request, reply, row, { status: 400, values, form: 'transfer', errors });
    return attempt(
      request,
      reply,
      row,
      'transfer',
      '#team',
      (trx) =>
        transferCase(trx, row.id, { teamId: values.team, note }, actorOf(request), handlingOptions(request)),
      'transferred',
    );
  });

  app.post('/staff/cases/:id/extend', write('case.sla_extended'), async (request, reply) => {
    const row = await visibleCase(db, request, 'extend');
    const values = bodyOf(request);
    const errors: FormErrors = [];
    const daysText = (values.days ?? '').trim();
    const days = /^\d+$/.test(daysText) ? Number(daysText) : NaN;
    if (daysText === '') errors.push({ href: '#days', text: 'Enter how many working days to add' });
    else if (!Number.isInteger(days) || days < 1 || days > MAX_EXTENSION_DAYS)
      errors.push({ href: '#days', text: `Days must be a whole number from 1 to ${MAX_EXTENSION_DAYS}` });
    const reason = (values.reason ?? '').trim();
    if (!reason) errors.push({ href: '#reason', text: 'Enter the reason for the extension' });
    if (errors.length) return render(request, reply, row, { status: 400, values, form: 'extend', errors });
    return attempt(
      request,
      reply,
      row,
      'extend',
      '#days',
      (trx) =>
        extendSla(
          trx,
          row.id,
          { days, reason },
          { kind: 'staff', staffId: request.staff!.id },
          { at: deps.clock.now(), requestId: request.id },
        ),
      'extended',
    );
  });

  app.post('/staff/cases/:id/details', write('case.details_changed'), async (request, reply) => {
    const row = await visibleCase(db, request, 'change_details');
    const values = bodyOf(request);
    return attempt(
      request,
      reply,
      row,
      'details',
      (values.priority ?? '') && (PRIORITIES as readonly string[]).includes(values.priority ?? '')
        ? '#tags'
        : '#priority',
      (trx) =>
        updateCaseDetails(
          trx,
          row.id,
          { priority: values.priority ?? '', tags: values.tags ?? '' },
          { staffId: request.staff!.id },
          handlingOptions(request),
        ),
      'details',
    );
  });

  app.post('/staff/cases/:id/links', write('case.linked'), async (request, reply) => {
    const row = await visibleCase(db, request, 'link');
    const values = bodyOf(request);
    return attempt(
      request,
      reply,
      row,
      'link',
      '#reference',
      (trx) =>
        linkCases(
          trx,
          row.id,
          { reference: values.reference ?? '' },
          { staffId: request.staff!.id },
          seesCase(request),
          handlingOptions(request),
        ),
      'linked',
    );
  });

  app.post('/staff/cases/:id/links/:otherId/remove', write('case.unlinked'), async (request, reply) => {
    const row = await visibleCase(db, request, 'unlink');
    const otherId = (request.params as { otherId?: string }).otherId ?? '';
    if (!UUID.test(otherId)) throw new NotFoundError();
    await withTransaction(db, (trx) =>
      unlinkCases(trx, row.id, otherId, { staffId: request.staff!.id }, handlingOptions(request)),
    );
    return reply.redirect(`/staff/cases/${row.id}?done=unlinked`, 303);
  });
}

/** A rule broken on a particular field (thrown inside a transaction so it rolls back). */
class FieldError extends Error {
  constructor(
    readonly href: string,
    message: string,
  ) {
    super(message);
  }
}
