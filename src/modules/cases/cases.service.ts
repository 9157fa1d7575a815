/**
 * Cases core use-cases: create a case from any channel, move it along its service's workflow, add
 * messages and notes, and read it back for residents and staff. No request/reply here and no SQL (that is
 * cases.repository.ts). Functions that change data take the caller's transaction, so a case, its first
 * timeline event, the contact record and the acknowledgement in the outbox commit together or not at all.
 */
import { randomUUID } from 'node:crypto';
import { audit, auditInBatch } from '../../platform/audit/index.ts';
import { normaliseEmail, normalisePhone } from '../../platform/contact/index.ts';
import { loadDefaultCalendar, type WorkingDayCalendar } from '../../platform/calendar/index.ts';
import { SlaClock, type SlaPause } from '../../platform/clocks/index.ts';
import { WriteBatch, type Db, type SlaPolicy, type Tx } from '../../platform/db/index.ts';
import { DomainRuleError, NotFoundError } from '../../platform/http/errors.ts';
import { translate } from '../../platform/i18n/index.ts';
import { formatDate } from '../../platform/views/index.ts';
import {
  channelOfContactAnswer,
  queueMessage,
  type QueueInBatch,
  type QueueMessageInput,
} from '../notifications/index.ts';
import { isRepeatContact } from '../customers/index.ts';
import { parseServiceDefinition, type ServiceDefinition, type WorkflowStatus } from '../services/index.ts';
import { announceCaseCreated } from './cases.events.ts';
import { generateReference, normaliseReference } from './cases.reference.ts';
import * as repo from './cases.repository.ts';
import { routeNewCase } from './cases.routing.ts';
import { keepsStatutoryClock, statutoryDueAt } from './cases.statutory.ts';
import { slaExtensionDays } from './cases.sla.repository.ts';
import type {
  AddMessageInput,
  AddNoteInput,
  CaseActor,
  CaseOptions,
  CaseService,
  CreateCaseInput,
  CreatedCase,
  CustomerCaseItem,
  ResidentCaseView,
  StatusChange,
  TimelineEvent,
} from './cases.types.ts';

const MAX_REFERENCE_ATTEMPTS = 6;

let calendarSingleton: WorkingDayCalendar | null = null;
/** England and Wales bank holidays, 17:00 cut-off: loaded once per process. */
export function defaultCaseCalendar(): WorkingDayCalendar {
  calendarSingleton ??= loadDefaultCalendar();
  return calendarSingleton;
}

// ---------------------------------------------------------------------------------------------------
// Services and their definitions

const definitionCache = new Map<string, ServiceDefinition>();
const DEFINITION_CACHE_LIMIT = 500;

/**
 * Validates a stored definition once per (service, version, last update) and keeps the result: parsing
 * with zod on every form page or submission would be work done per request that can be done once.
 */
function definitionKey(row: Pick<repo.ServiceRow, 'id' | 'definition_version' | 'updated_at'>): string {
  return `${row.id}:${row.definition_version}:${new Date(row.updated_at).getTime()}`;
}

function cachedDefinition(row: repo.ServiceRow): ServiceDefinition {
  const key = definitionKey(row);
  const cached = definitionCache.get(key);
  if (cached) return cached;
  const parsed = parseServiceDefinition(row.definition, `service ${row.slug}`);
  if (definitionCache.size >= DEFINITION_CACHE_LIMIT) definitionCache.clear();
  definitionCache.set(key, parsed);
  return parsed;
}

function toCaseService(row: repo.ServiceRow): CaseService {
  return {
    id: row.id,
    authorityId: row.authority_id,
    teamId: row.team_id,
    slug: row.slug,
    name: row.name,
    sla: row.sla,
    definitionVersion: row.definition_version,
    definition: cachedDefinition(row),
    authority: {
      id: row.authority_id,
      name: row.authority_name,
      phone: row.authority_phone,
      website: row.authority_website,
    },
  };
}

/**
 * A stored service as another module read it in a join of its own (the form submission reads the draft
 * and its service in one statement): the columns {@link loadCaseService} reads, as they came.
 */
export type StoredCaseService = repo.ServiceRow;

/**
 * The service from a row another module read in a join of its own WITHOUT the definition, when this
 * version of the definition is validated and cached already (null otherwise: load the service). A hot
 * path need not fetch and parse the definition's JSON again on every request.
 */
export function cachedCaseServiceFromRow(row: Omit<StoredCaseService, 'definition'>): CaseService | null {
  const cached = definitionCache.get(definitionKey(row));
  return cached ? toCaseService({ ...row, definition: cached }) : null;
}

/**
 * The service with its validated definition, by id or slug (active services only unless
 * `includeInactive`). Throws ServiceDefinitionError when the stored definition is not valid.
 */
export async function loadCaseService(
  db: Db | Tx,
  by: { id: string } | { slug: string },
  options: { includeInactive?: boolean } = {},
): Promise<CaseService | null> {
  const row =
    'id' in by ? await repo.findServiceRowById(db, by.id) : await repo.findServiceRowBySlug(db, by.slug);
  if (!row || (!row.active && !options.includeInactive)) return null;
  return toCaseService(row);
}

function statusOf(definition: ServiceDefinition, code: string): WorkflowStatus | undefined {
  return definition.workflow.statuses.find((s) => s.code === code);
}

function dueAtFor(
  policy: SlaPolicy,
  startedAt: Date,
  calendar: WorkingDayCalendar,
  pauses: SlaPause[] = [],
  extensionDays = 0,
): Date {
  const extensions = extensionDays > 0 ? [{ days: extensionDays, reason: 'extended' }] : [];
  return new SlaClock({ policy, startedAt, pauses, extensions }, calendar).dueAt();
}

// ---------------------------------------------------------------------------------------------------
// Messages to residents

function trackUrl(options: CaseOptions): string {
  return `${(options.publicUrl ?? '').replace(/\/$/, '')}/track`;
}

/** Resident-facing "what happens next", shared by messages and the request page. */
export function whatHappensNext(
  state: { closed: boolean; paused: boolean; dueAt: Date | null },
  locale = 'en',
): string {
  if (state.closed) return translate(locale, 'cases.next.closed');
  if (state.paused) return translate(locale, 'cases.next.waiting');
  if (state.dueAt) return translate(locale, 'cases.next.open', { date: formatDate(state.dueAt) });
  return translate(locale, 'cases.next.openNoDate');
}

interface MessageContext {
  caseId: string;
  authorityId: string;
  reference: string;
  serviceName: string;
  statusLabel: string;
  closed: boolean;
  paused: boolean;
  dueAt: Date | null;
  customerId: string | null;
  guestEmail: string | null;
  guestPhone: string | null;
  /** The channel the resident chose on the form; null → notifications reads it from the case. */
  channel?: 'email' | 'sms' | 'letter' | null;
}

async function sendCaseMessage(
  trx: Db | Tx,
  template: Extract<QueueMessageInput['template'], `case.${string}`>,
  context: MessageContext,
  dedupeKey: string,
  options: CaseOptions,
  extra: Record<string, string> = {},
  inBatch?: QueueInBatch,
): Promise<boolean> {
  if (!context.customerId && !context.guestEmail && !context.guestPhone) return false;
  await queueMessage(
    trx,
    {
      authorityId: context.authorityId,
      customerId: context.customerId,
      caseId: context.caseId,
      channel: context.channel ?? null,
      ...(context.customerId ? {} : { to: { email: context.guestEmail, phone: context.guestPhone } }),
      template,
      personalisation: {
        reference: context.reference,
        service_name: context.serviceName,
        status: context.statusLabel,
        what_happens_next: whatHappensNext(context, options.locale),
        due_date: context.dueAt ? formatDate(context.dueAt) : '',
        track_url: trackUrl(options),
        ...extra,
      },
      dedupeKey,
    },
    inBatch,
  );
  return true;
}

// ---------------------------------------------------------------------------------------------------
// Create

const clean = (value: string | null | undefined): string | null => {
  const trimmed = typeof value === 'string' ? value.trim() : '';
  return trimmed === '' ? null : trimmed;
};

async function existingCase(db: Db | Tx, service: CaseService, key: string): Promise<CreatedCase | null> {
  const row = await repo.findCaseByIdempotencyKey(db, key);
  if (!row) return null;
  const status = statusOf(service.definition, row.status);
  return {
    id: row.id,
    reference: row.reference,
    status: row.status,
    statusLabel: status?.customerLabel ?? row.status,
    teamId: row.team_id,
    dueAt: row.due_at,
    receivedAt: row.received_at,
    created: false,
  };
}

/**
 * Creates a case in the caller's transaction (or, given the database itself, in one statement of its
 * own: see below): status = the workflow's initial status, team from
 * {@link routeNewCase} (team, maybe an assignee, and the reason, kept as `routing_reason` and a staff-only
 * `routed` event), `due_at` from the service SLA on the working-day calendar, a customer-visible
 * `created` event, an interaction for the origin channel (agent = the member of staff for assisted
 * digital), an audit row and the acknowledgement in the outbox.
 *
 * Two round trips: one read (the routing facts) and one statement that writes the case and everything
 * that goes with it (platform/db/batch.ts), the rest gated on the case row being inserted. That statement
 * is atomic on its own, so a caller with nothing else to write in the same transaction (the form
 * submission) passes `db` and needs no BEGIN/COMMIT; a caller's own writes that must commit with the
 * case then go in the same statement through `input.alsoWrite`, never as statements of their own.
 *
 * Idempotent on `idempotencyKey`: a retry (or a concurrent double submit) returns the case the first
 * attempt created, with `created: false`, and writes nothing else.
 */
export async function createCase(
  trx: Db | Tx,
  input: CreateCaseInput,
  options: CaseOptions = {},
): Promise<CreatedCase> {
  const { service } = input;
  const key = input.idempotencyKey.trim();
  if (key === '') throw new TypeError('createCase: idempotencyKey is required');
  // No read first: the insert itself detects a retry (unique idempotency_key) and we re-read then.
  const { workflow } = service.definition;
  const initial = statusOf(service.definition, workflow.initial);
  if (!initial) throw new DomainRuleError(`${service.slug}: the initial status is not in the workflow`);
  const calendar = options.calendar ?? defaultCaseCalendar();
  // A complaint, an FOI/EIR or a subject access request is due when the law says, from the first moment.
  const dueAt =
    statutoryDueAt(service.definition.kind, input.receivedAt, input.answers) ??
    dueAtFor(service.sla, input.receivedAt, calendar);
  const { route, lastInboundAbout } = await routeNewCase(trx, service, input);
  const teamId = route.teamId;
  const customerId = input.customerId ?? null;
  const guest = customerId ? null : (input.contact ?? null);
  // Stored normalised (the forms engine and the API have checked them), or as given if they cannot be.
  const guestEmail = normaliseEmail(guest?.email) ?? clean(guest?.email)?.toLowerCase() ?? null;
  const guestPhone = normalisePhone(guest?.phone) ?? clean(guest?.phone);
  const staffId = input.createdByStaffId ?? null;
  // A new request about a service the same customer contacted us about in the last 7 days is a repeat
  // contact (failure demand), so first contact resolution is measured honestly across channels.
  const isRepeat = isRepeatContact(lastInboundAbout, input.receivedAt);

  for (let attempt = 0; attempt < MAX_REFERENCE_ATTEMPTS; attempt += 1) {
    const caseId = randomUUID();
    const eventId = randomUUID();
    const reference = generateReference();
    const batch = new WriteBatch();
    const gate = repo.insertCaseInBatch(batch, {
      id: caseId,
      authority_id: service.authorityId,
      reference,
      service_id: service.id,
      customer_id: customerId,
      status: initial.code,
      origin_channel: input.channel,
      team_id: teamId,
      assignee_id: route.assigneeId ?? null,
      routing_reason: route.reason,
      received_at: input.receivedAt,
      due_at: dueAt,
      sla_paused_at: initial.pausesSla ? input.receivedAt : null,
      answers: JSON.stringify(input.answers),
      form_version: input.formVersion,
      location: input.location ? JSON.stringify(input.location) : null,
      created_by: staffId,
      idempotency_key: key,
      guest_name: clean(guest?.name),
      guest_email: guestEmail,
      guest_phone: guestPhone,
      created_at: input.receivedAt,
      updated_at: input.receivedAt,
    });
    repo.insertEventInBatch(
      batch,
      {
        id: eventId,
        authority_id: service.authorityId,
        case_id: caseId,
        kind: 'created',
        visible_to_customer: true,
        data: JSON.stringify({ to: initial.code, channel: input.channel }),
        actor_staff_id: staffId,
        actor_customer_id: customerId,
        created_at: input.receivedAt,
      },
      gate,
    );
    repo.insertEventInBatch(
      batch,
      {
        id: randomUUID(),
        authority_id: service.authorityId,
        case_id: caseId,
        kind: 'routed',
        visible_to_customer: false,
        body: route.reason,
        data: JSON.stringify({ teamId, assigneeId: route.assigneeId ?? null }),
        // 1 ms after `created`, so the timeline (newest first) always lists it above the creation.
        created_at: new Date(input.receivedAt.getTime() + 1),
      },
      gate,
    );
    repo.insertInteractionInBatch(
      batch,
      {
        authority_id: service.authorityId,
        customer_id: customerId,
        case_id: caseId,
        service_id: service.id,
        channel: input.channel,
        direction: 'inbound',
        is_repeat: isRepeat,
        occurred_at: input.receivedAt,
        answered_at: staffId ? input.receivedAt : null,
        agent_id: staffId,
        summary: `${service.name}: request made (${reference})`,
      },
      gate,
    );
    repo.linkAttachmentsInBatch(
      trx,
      batch,
      input.attachmentIds ?? [],
      { caseId, eventId, authorityId: service.authorityId },
      gate,
    );
    auditInBatch(
      batch,
      {
        actorType: staffId ? 'staff' : customerId ? 'customer' : 'anonymous',
        actorId: staffId ?? customerId,
        authorityId: service.authorityId,
        action: 'case.created',
        recordType: 'case',
        recordId: caseId,
        details: { channel: input.channel, service: service.slug },
        at: input.receivedAt,
      },
      gate,
    );
    if (input.acknowledge !== false)
      await sendCaseMessage(
        trx,
        'case.acknowledgement',
        {
          caseId,
          authorityId: service.authorityId,
          reference,
          serviceName: service.name,
          statusLabel: initial.customerLabel,
          closed: workflow.closed.includes(initial.code),
          paused: initial.pausesSla === true,
          dueAt,
          customerId,
          guestEmail,
          guestPhone,
          // The case is written in the same statement, so notifications cannot read the answer from it yet.
          channel: channelOfContactAnswer(input.answers.contactBy),
        },
        `case.acknowledgement:${caseId}`,
        options,
        {},
        { batch, gate, authority: service.authority },
      );
    // case.created for the services another module keeps a record of (cases.events.ts), in the same statement.
    announceCaseCreated(
      batch,
      { caseId, authorityId: service.authorityId, kind: service.definition.kind },
      gate,
    );
    input.alsoWrite?.(batch, { caseId, gate });

    const inserted = await batch.execute(trx);
    if (inserted.length === 0) {
      // Either the same submission won a race (return it) or the random reference clashed (draw again).
      const winner = await existingCase(trx, service, key);
      if (winner) return winner;
      continue;
    }
    return {
      id: caseId,
      reference,
      status: initial.code,
      statusLabel: initial.customerLabel,
      teamId,
      dueAt,
      receivedAt: input.receivedAt,
      created: true,
    };
  }
  throw new Error('createCase: could not find a free reference');
}

// ---------------------------------------------------------------------------------------------------
// Workflow

function actorColumns(actor: CaseActor): { actor_staff_id: string | null; actor_customer_id: string | null } {
  return {
    actor_staff_id: actor.kind === 'staff' ? actor.staffId : null,
    actor_customer_id: actor.kind === 'customer' ? actor.customerId : null,
  };
}

async function lockCase(trx: Tx, caseId: string): Promise<{ locked: repo.LockedCase; service: CaseService }> {
  const locked = await repo.lockCaseWithService(trx, caseId);
  if (!locked) throw new NotFoundError('No such case');
  const service = await loadCaseService(trx, { id: locked.service_id }, { includeInactive: true });
  if (!service) throw new NotFoundError('No such service');
  return { locked, service };
}

/** Ends a pause of the SLA clock at `at`: pushes `due_at` by the paused working time. No-op when not paused. */
async function resumeSla(
  trx: Tx,
  locked: repo.LockedCase,
  service: CaseService,
  at: Date,
  reason: string,
  calendar: WorkingDayCalendar,
): Promise<Date | null> {
  if (!locked.sla_paused_at) return locked.due_at;
  const from = locked.sla_paused_at;
  const to = at.getTime() < from.getTime() ? from : at;
  const pauses = [...(await repo.completedPauses(trx, locked.id)), { from, to }];
  // Extensions (cases.sla.ts extendSla) stay in the due date when a pause ends. A statutory clock is the
  // record's to move (cases.statutory.ts): the SLA's working days must not overwrite it.
  const extensionDays = await slaExtensionDays(trx, locked.id);
  const dueAt = keepsStatutoryClock(service.definition.kind)
    ? locked.due_at
    : dueAtFor(service.sla, locked.received_at, calendar, pauses, extensionDays);
  await repo.updateCase(trx, locked.id, { sla_paused_at: null, due_at: dueAt, updated_at: at });
  await repo.insertEvent(trx, {
    authority_id: locked.authority_id,
    case_id: locked.id,
    kind: 'sla_resumed',
    visible_to_customer: false,
    data: JSON.stringify({
      from: from.toISOString(),
      to: to.toISOString(),
      reason,
      dueAt: dueAt?.toISOString() ?? null,
    }),
    created_at: at,
  });
  return dueAt;
}

/**
 * Moves a case to `to`, allowed only along the service workflow's `next` (anything else is a
 * DomainRuleError). Writes a `status_changed` event, visible to the resident iff the new status is
 * `customerVisible` (with its resident-facing label), and then queues a status message to the resident.
 * Entering a `pausesSla` status pauses the SLA clock; leaving it resumes the clock and moves `due_at`.
 */
export async function changeStatus(
  trx: Tx,
  caseId: string,
  to: string,
  actor: CaseActor,
  options: CaseOptions & {
    at?: Date;
    reason?: string;
    /**
     * false: no "your request is now …" message, for callers that write to the resident themselves (a
     * complaint's stage letters). The event and the resident's timeline are the same either way.
     */
    notify?: boolean;
  } = {},
): Promise<StatusChange> {
  const at = options.at ?? new Date();
  const { locked, service } = await lockCase(trx, caseId);
  const { definition } = service;
  const current = statusOf(definition, locked.status);
  const next = statusOf(definition, to);
  if (!next) throw new DomainRuleError(`"${to}" is not a status of ${service.name}`);
  if (!current?.next.includes(to))
    throw new DomainRuleError(
      `A case cannot move from "${current?.label ?? locked.status}" to "${next.label}"`,
    );

  const calendar = options.calendar ?? defaultCaseCalendar();
  let dueAt = locked.due_at;
  let pausedAt = locked.sla_paused_at;
  if (pausedAt && !next.pausesSla) {
    dueAt = await resumeSla(trx, locked, service, at, 'status_changed', calendar);
    pausedAt = null;
  }
  const closed = definition.workflow.closed.includes(to);
  if (next.pausesSla && !pausedAt && !closed) {
    pausedAt = at;
    await repo.insertEvent(trx, {
      authority_id: locked.authority_id,
      case_id: caseId,
      kind: 'sla_paused',
      visible_to_customer: false,
      data: JSON.stringify({ at: at.toISOString(), status: to }),
      ...actorColumns(actor),
      created_at: at,
    });
  }
  await repo.updateCase(trx, caseId, {
    status: to,
    sla_paused_at: pausedAt,
    closed_at: closed ? at : null,
    updated_at: at,
  });
  const eventId = await repo.insertEvent(trx, {
    authority_id: locked.authority_id,
    case_id: caseId,
    kind: 'status_changed',
    visible_to_customer: next.customerVisible,
    body: options.reason ?? null,
    data: JSON.stringify({ from: locked.status, to, label: next.label, customerLabel: next.customerLabel }),
    ...actorColumns(actor),
    created_at: at,
  });
  if (actor.kind === 'staff')
    await audit(trx, {
      actorType: 'staff',
      actorId: actor.staffId,
      authorityId: locked.authority_id,
      action: 'case.status_changed',
      recordType: 'case',
      recordId: caseId,
      details: { from: locked.status, to },
      at,
    });
  if (next.customerVisible && options.notify !== false)
    await sendCaseMessage(
      trx,
      'case.status_changed',
      {
        caseId,
        authorityId: locked.authority_id,
        reference: locked.reference,
        serviceName: service.name,
        statusLabel: next.customerLabel,
        closed,
        paused: pausedAt !== null,
        dueAt,
        customerId: locked.customer_id,
        guestEmail: locked.guest_email,
        guestPhone: locked.guest_phone,
      },
      `case.status_changed:${eventId}`,
      options,
    );
  return { caseId, from: locked.status, to, eventId, visibleToCustomer: next.customerVisible };
}

/**
 * Reopens a closed case (a resident's reply by email within the mailbox's reopen window, issue 13): back
 * to the status it had before it closed (else the workflow's first status), `closed_at` cleared, a
 * `reopened` event the resident sees. The due date stays as it was (a statutory clock is not restarted;
 * staff extend it if they need to). No-op on an open case; returns whether it reopened.
 */
export async function reopenCase(
  trx: Tx,
  caseId: string,
  input: { at: Date; reason: string; actor: CaseActor },
): Promise<boolean> {
  const { locked, service } = await lockCase(trx, caseId);
  const { workflow } = service.definition;
  if (locked.closed_at === null && !workflow.closed.includes(locked.status)) return false;
  const before = await repo.statusBeforeClosing(trx, caseId, workflow.closed);
  const back =
    before && statusOf(service.definition, before) && !workflow.closed.includes(before)
      ? before
      : workflow.initial;
  const status = statusOf(service.definition, back);
  await repo.updateCase(trx, caseId, { status: back, closed_at: null, updated_at: input.at });
  await repo.insertEvent(trx, {
    authority_id: locked.authority_id,
    case_id: caseId,
    kind: 'reopened',
    visible_to_customer: true,
    body: input.reason,
    data: JSON.stringify({
      from: locked.status,
      to: back,
      label: status?.label ?? back,
      customerLabel: status?.customerLabel ?? back,
    }),
    ...actorColumns(input.actor),
    created_at: input.at,
  });
  return true;
}

/** The statuses a case may move to next (for staff screens). */
export function allowedNextStatuses(service: CaseService, current: string): WorkflowStatus[] {
  const status = statusOf(service.definition, current);
  return (status?.next ?? []).flatMap((code) => statusOf(service.definition, code) ?? []);
}

// ---------------------------------------------------------------------------------------------------
// Messages and notes

/**
 * A resident's reply (inbound) or a staff message to the resident (outbound): a customer-visible
 * `message` event, an interaction, and for staff messages a notification to the resident. A resident
 * reply runs the `onResidentReply` hook (default: resume a paused SLA clock).
 */
export async function addMessage(
  trx: Tx,
  caseId: string,
  input: AddMessageInput,
  options: CaseOptions = {},
): Promise<{ eventId: string }> {
  const body = input.body.trim();
  if (body === '' && !(input.attachmentIds?.length ?? 0))
    throw new DomainRuleError('A message needs some text');
  const { locked, service } = await lockCase(trx, caseId);
  const inbound = input.from === 'resident';
  const eventId = await repo.insertEvent(trx, {
    authority_id: locked.authority_id,
    case_id: caseId,
    kind: 'message',
    visible_to_customer: true,
    body,
    data: JSON.stringify({ direction: inbound ? 'inbound' : 'outbound' }),
    ...actorColumns(input.actor),
    created_at: input.at,
  });
  await repo.linkAttachments(trx, input.attachmentIds ?? [], {
    caseId,
    eventId,
    authorityId: locked.authority_id,
  });
  await repo.insertInteraction(trx, {
    authority_id: locked.authority_id,
    customer_id: locked.customer_id,
    case_id: caseId,
    service_id: service.id,
    channel: input.channel ?? (inbound ? 'web' : 'email'),
    direction: inbound ? 'inbound' : 'outbound',
    occurred_at: input.at,
    agent_id: input.actor.kind === 'staff' ? input.actor.staffId : null,
    summary: inbound
      ? `Message from the resident about ${locked.reference}`
      : `Message to the resident about ${locked.reference}`,
    body,
  });
  if (inbound) {
    if (options.hooks?.onResidentReply) await options.hooks.onResidentReply(trx, caseId, input.at);
    // The default hook, on the row already locked here (no second read of the case and its service).
    else if (locked.sla_paused_at)
      await resumeSla(trx, locked, service, input.at, 'resident_replied', defaultCaseCalendar());
  } else {
    const current = statusOf(service.definition, locked.status);
    await sendCaseMessage(
      trx,
      'case.message',
      {
        caseId,
        authorityId: locked.authority_id,
        reference: locked.reference,
        serviceName: service.name,
        statusLabel: current?.customerLabel ?? locked.status,
        closed: locked.closed_at !== null,
        paused: locked.sla_paused_at !== null,
        dueAt: locked.due_at,
        customerId: locked.customer_id,
        guestEmail: locked.guest_email,
        guestPhone: locked.guest_phone,
      },
      `case.message:${eventId}`,
      options,
      { message: body },
    );
  }
  return { eventId };
}

/** An internal note: never shown to the resident. */
export async function addNote(trx: Tx, caseId: string, input: AddNoteInput): Promise<{ eventId: string }> {
  const body = input.body.trim();
  if (body === '') throw new DomainRuleError('A note needs some text');
  const { locked } = await lockCase(trx, caseId);
  const eventId = await repo.insertEvent(trx, {
    authority_id: locked.authority_id,
    case_id: caseId,
    kind: 'note',
    visible_to_customer: false,
    body,
    actor_staff_id: input.staffId,
    created_at: input.at,
  });
  return { eventId };
}

// ---------------------------------------------------------------------------------------------------
// Reads

function residentLabel(definition: ServiceDefinition, current: string, lastVisible: string | null): string {
  const status = statusOf(definition, current);
  if (status?.customerVisible) return status.customerLabel;
  const shown = lastVisible ? statusOf(definition, lastVisible) : undefined;
  return shown?.customerLabel ?? statusOf(definition, definition.workflow.initial)?.customerLabel ?? current;
}

/** A customer's cases, newest first, with resident-facing status labels ("Your requests"). */
export async function listCasesForCustomer(
  db: Db | Tx,
  customerId: string,
  options: { limit?: number } = {},
): Promise<CustomerCaseItem[]> {
  const rows = await repo.casesOfCustomer(db, customerId, options.limit ?? 100);
  const items: CustomerCaseItem[] = [];
  for (const row of rows) {
    const service = await loadCaseService(db, { id: row.service_id }, { includeInactive: true });
    const label = service
      ? residentLabel(
          service.definition,
          row.status,
          statusOf(service.definition, row.status)?.customerVisible
            ? null
            : await repo.lastVisibleStatus(db, row.id),
        )
      : row.status;
    items.push({
      id: row.id,
      reference: row.reference,
      serviceName: row.service_name,
      serviceSlug: row.service_slug,
      status: row.status,
      statusLabel: label,
      receivedAt: row.received_at,
      dueAt: row.due_at,
      closed: row.closed_at !== null,
    });
  }
  return items;
}

/** The case's timeline, newest first. Residents get only customer-visible events. */
export async function getCaseTimeline(
  db: Db | Tx,
  caseId: string,
  options: { customerVisibleOnly: boolean },
): Promise<TimelineEvent[]> {
  const [events, attachments] = await Promise.all([
    repo.listEvents(db, caseId, options.customerVisibleOnly),
    repo.attachmentsOfCase(db, caseId),
  ]);
  const byEvent = new Map<string, { id: string; filename: string; sizeBytes: number }[]>();
  for (const a of attachments) {
    if (!a.case_event_id) continue;
    const list = byEvent.get(a.case_event_id) ?? [];
    list.push({ id: a.id, filename: a.filename, sizeBytes: a.size_bytes });
    byEvent.set(a.case_event_id, list);
  }
  return events.map((e) => {
    const data = e.data;
    const str = (v: unknown) => (typeof v === 'string' ? v : '');
    const status =
      e.kind === 'status_changed' || e.kind === 'reopened'
        ? { code: str(data.to), label: str(data.label), customerLabel: str(data.customerLabel) }
        : null;
    // A message says which way it went; one that does not (written before `direction` was kept) went the
    // way of its author: from the resident when a customer wrote it, else from the council.
    const direction =
      data.direction === 'inbound' || data.direction === 'outbound'
        ? data.direction
        : e.kind === 'message'
          ? e.actor_customer_id && !e.actor_staff_id
            ? 'inbound'
            : 'outbound'
          : null;
    return {
      id: e.id,
      kind: e.kind,
      at: e.created_at,
      visibleToCustomer: e.visible_to_customer,
      body: e.body,
      status,
      direction,
      by: e.actor_staff_id ? 'staff' : e.actor_customer_id || direction === 'inbound' ? 'resident' : 'system',
      staffName: e.staff_name ?? null,
      attachments: byEvent.get(e.id) ?? [],
    };
  });
}

/** A case by the reference a resident typed (any case, spacing, hyphen); null when none. */
export async function findByReference(db: Db | Tx, input: string) {
  const reference = normaliseReference(input);
  if (!reference) return null;
  const row = await repo.findCaseRowByReference(db, reference);
  return row
    ? { id: row.id, reference: row.reference, authorityId: row.authority_id, status: row.status }
    : null;
}

/** What a resident may see about one case (the request page), or null. */
export async function getResidentCaseView(db: Db | Tx, caseId: string): Promise<ResidentCaseView | null> {
  const row = await repo.findCaseForView(db, caseId);
  if (!row) return null;
  const service = await loadCaseService(db, { id: row.service_id }, { includeInactive: true });
  const visible = service ? statusOf(service.definition, row.status)?.customerVisible : false;
  const label = service
    ? residentLabel(service.definition, row.status, visible ? null : await repo.lastVisibleStatus(db, row.id))
    : row.status;
  return {
    id: row.id,
    authorityId: row.authority_id,
    reference: row.reference,
    serviceName: row.service_name,
    serviceSlug: row.service_slug,
    statusLabel: label,
    closed: row.closed_at !== null,
    receivedAt: row.received_at,
    dueAt: row.due_at,
    waitingForResident: row.sla_paused_at !== null && row.closed_at === null,
    customerId: row.customer_id,
  };
}
