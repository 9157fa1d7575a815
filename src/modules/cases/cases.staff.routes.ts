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
import { withTransaction, type Db } from '../../platform/db/index.ts';
import { NotFoundError } from '../../platform/http/errors.ts';
import { formatDate } from '../../platform/views/index.ts';
import type { StaffPrincipal } from '../identity/index.ts';
import { canSeeCase } from '../customers/index.ts';
import {
  addNote,
  allowedNextStatuses,
  changeStatus,
  getCaseTimeline,
  loadCaseService,
} from './cases.service.ts';

export interface CasesStaffDeps {
  db: Db;
  clock: Clock;
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
    ])
    .where('c.id', '=', id)
    .executeTakeFirst();
  if (!row) throw new NotFoundError();
  // The same rule as the customer's single view, which lists cases of every council sharing the front
  // door: normal cases are visible to all staff of the shared front door; restricted ones to the owning team.
  const allowed = canSeeCase(
    { staffId: staff.id, authorityIds: [], teamIds: staff.teams.map((t) => t.id) },
    { sensitivity: row.sensitivity, teamId: row.team_id },
  );
  if (!allowed) {
    await audit(db, {
      actorType: 'staff',
      actorId: staff.id,
      authorityId: staff.authorityId,
      action: 'case.view_denied',
      recordType: 'case',
      recordId: row.id,
      outcome: 'denied',
      requestId: request.id,
      details: { attempted: action },
    });
    throw new NotFoundError();
  }
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

export async function registerCasesStaffRoutes(app: FastifyInstance, deps: CasesStaffDeps): Promise<void> {
  const { db } = deps;

  async function render(
    request: FastifyRequest,
    reply: FastifyReply,
    row: CaseRow,
    extra: { errors?: FormErrors; values?: Record<string, string>; status?: number } = {},
  ) {
    const staff = request.staff!;
    const service = await loadCaseService(db, { id: row.service_id }, { includeInactive: true });
    if (!service) throw new NotFoundError();
    const [timeline, feedback] = await Promise.all([
      getCaseTimeline(db, row.id, { customerVisibleOnly: false }),
      // Read directly (the feedback module imports this one): satisfaction after this case was closed.
      db
        .selectFrom('feedback')
        .select(['id', 'satisfaction', 'effort', 'comment', 'created_at'])
        .where('case_id', '=', row.id)
        .orderBy('created_at', 'desc')
        .execute(),
    ]);
    const current = service.definition.workflow.statuses.find((s) => s.code === row.status);
    const next = row.closed_at ? [] : allowedNextStatuses(service, row.status);
    const canWrite = staff.permissions.has('cases:write');
    const view = (e: (typeof timeline)[number]) => ({
      ...e,
      date: formatDate(e.at, 'datetime'),
      who: e.by === 'resident' ? 'Resident' : e.by === 'staff' ? (e.staffName ?? 'Staff') : 'Frontdoor',
    });
    const customerName =
      row.customer_id && (row.given_name || row.family_name)
        ? `${row.given_name ?? ''} ${row.family_name ?? ''}`.trim()
        : (row.guest_name ?? 'Guest');
    return reply.status(extra.status ?? 200).view('cases/staff/case.njk', {
      pageTitle: `${extra.errors?.length ? 'Error: ' : ''}${row.reference} – ${service.name}`,
      c: row,
      serviceName: service.name,
      statusLabel: current?.label ?? row.status,
      customerStatusLabel: current?.customerLabel ?? row.status,
      receivedDate: formatDate(row.received_at, 'datetime'),
      dueDate: row.due_at ? formatDate(row.due_at, 'date') : null,
      overdue: !row.closed_at && row.due_at !== null && row.due_at.getTime() < deps.clock.now().getTime(),
      paused: row.sla_paused_at !== null,
      customerName,
      customerHref: row.customer_id ? `/staff/customers/${row.customer_id}` : null,
      answers: answerRows(service.definition, row.answers),
      messages: timeline.filter((e) => e.visibleToCustomer).map(view),
      internal: timeline.filter((e) => !e.visibleToCustomer).map(view),
      feedback,
      nextStatuses: next.map((s) => ({
        value: s.code,
        text: s.label,
        hint: {
          text: s.customerVisible
            ? `The resident sees “${s.customerLabel}” and gets a message`
            : 'Not shown to the resident',
        },
        checked: extra.values?.status === s.code,
      })),
      canWrite,
      errors: extra.errors ?? [],
      values: extra.values ?? {},
      done: (request.query as { done?: string }).done ?? null,
    });
  }

  app.get('/staff/cases/:id', { config: { permission: 'cases:read' } }, async (request, reply) => {
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

  app.post('/staff/cases/:id/status', { config: { permission: 'cases:write' } }, async (request, reply) => {
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
        errors: [{ href: '#status', text: 'Select what happens next' }],
      });
    await withTransaction(db, async (trx) => {
      await changeStatus(
        trx,
        row.id,
        to,
        { kind: 'staff', staffId: request.staff!.id },
        {
          at: deps.clock.now(),
        },
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

  app.post('/staff/cases/:id/notes', { config: { permission: 'cases:write' } }, async (request, reply) => {
    const row = await visibleCase(db, request, 'add_note');
    const values = bodyOf(request);
    const body = (values.note ?? '').trim();
    if (!body)
      return render(request, reply, row, {
        status: 400,
        values,
        errors: [{ href: '#note', text: 'Enter a note' }],
      });
    if (body.length > 5000)
      return render(request, reply, row, {
        status: 400,
        values,
        errors: [{ href: '#note', text: 'Note must be 5,000 characters or fewer' }],
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
}
