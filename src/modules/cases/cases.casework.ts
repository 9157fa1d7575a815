/**
 * What the casework modules (complaints, FOI/EIR/SAR requests, compliments) need from cases core beyond
 * `createCase` and `changeStatus`: one summary of a case, the case's state when their own record leads it
 * (a complaint's stage, a request's statutory clock), and staff-only notes of their own kinds.
 */
import { londonInstant, toIsoDate, type IsoDate } from '../../platform/calendar/index.ts';
import type { Channel, Db, Tx } from '../../platform/db/index.ts';
import { DomainRuleError } from '../../platform/http/errors.ts';
import { findServiceOfKind } from '../services/index.ts';
import { normaliseReference } from './cases.reference.ts';
import * as repo from './cases.casework.repository.ts';
import { createCase, loadCaseService } from './cases.service.ts';
import type { CaseOptions, CaseService, CreatedCase, GuestContact } from './cases.types.ts';

export interface CaseSummary {
  id: string;
  authorityId: string;
  reference: string;
  status: string;
  customerId: string | null;
  teamId: string;
  closedAt: Date | null;
  guest: { name: string | null; email: string | null; phone: string | null };
  answers: Record<string, unknown>;
  receivedAt: Date;
  originChannel: string;
  service: { id: string; name: string; kind: string };
}

function toSummary(row: repo.CaseSummaryRow): CaseSummary {
  return {
    id: row.id,
    authorityId: row.authority_id,
    reference: row.reference,
    status: row.status,
    customerId: row.customer_id,
    teamId: row.team_id,
    closedAt: row.closed_at,
    guest: { name: row.guest_name, email: row.guest_email, phone: row.guest_phone },
    answers: row.answers,
    receivedAt: row.received_at,
    originChannel: row.origin_channel,
    service: { id: row.service_id, name: row.service_name, kind: row.service_kind },
  };
}

/** A case with its service (name and kind) and answers, or null. */
export async function caseSummary(db: Db | Tx, caseId: string): Promise<CaseSummary | null> {
  const row = await repo.findCaseSummary(db, caseId);
  return row ? toSummary(row) : null;
}

/** The case with the reference a person typed (spaces, case and a missing hyphen forgiven), or null. */
export async function caseSummaryByReference(db: Db | Tx, typed: string): Promise<CaseSummary | null> {
  const reference = normaliseReference(typed);
  const row = reference ? await repo.findCaseSummaryByReference(db, reference) : undefined;
  return row ? toSummary(row) : null;
}

export interface LedCaseState {
  caseId: string;
  authorityId: string;
  /** The case's status now. */
  from: string;
  /** The status to move to with its labels (from the service's workflow); null leaves the status. */
  to: {
    code: string;
    label: string;
    customerLabel: string;
    visibleToCustomer: boolean;
    closed: boolean;
  } | null;
  /** The case's clock, when the record keeps it (a statutory deadline): `due_at` and `sla_paused_at`. */
  clock?: { dueAt: Date | null; pausedAt: Date | null };
  at: Date;
  staffId: string | null;
  customerId?: string | null;
  /** Which module moved the case (kept in the event's data). */
  by: string;
}

/**
 * Moves a case whose own record leads it (a complaint, an information request) without the checks and the
 * generic "your request is now …" message of `changeStatus`: the record's rules apply and its letters say
 * more. Writes the same `status_changed` event as `changeStatus` (so the resident's timeline shows the move)
 * when the status changes; the caller writes the audit row.
 */
export async function setLedCaseState(trx: Tx, state: LedCaseState): Promise<void> {
  const { to } = state;
  await repo.updateCaseState(trx, state.caseId, {
    ...(to ? { status: to.code, closed_at: to.closed ? state.at : null } : {}),
    ...(state.clock ? { due_at: state.clock.dueAt, sla_paused_at: state.clock.pausedAt } : {}),
    updated_at: state.at,
  });
  if (!to || to.code === state.from) return;
  await repo.insertCaseEvent(trx, {
    authorityId: state.authorityId,
    caseId: state.caseId,
    kind: 'status_changed',
    visibleToCustomer: to.visibleToCustomer,
    body: null,
    data: {
      from: state.from,
      to: to.code,
      label: to.label,
      customerLabel: to.customerLabel,
      by: state.by,
    },
    staffId: state.staffId,
    customerId: state.customerId ?? null,
    at: state.at,
  });
}

/** A staff-only timeline entry of a module's own kind (e.g. `complaint_linked`), with its data. */
export async function addCaseworkNote(
  trx: Tx,
  note: {
    caseId: string;
    authorityId: string;
    kind: string;
    body: string;
    data: Record<string, unknown>;
    at: Date;
    staffId: string | null;
  },
): Promise<void> {
  await repo.insertCaseEvent(trx, {
    authorityId: note.authorityId,
    caseId: note.caseId,
    kind: note.kind,
    visibleToCustomer: false,
    body: note.body,
    data: note.data,
    staffId: note.staffId,
    customerId: null,
    at: note.at,
  });
}

/**
 * The record another module keeps for the case with the reference a person typed (a complaint, an FOI
 * request), with the case's council: null when there is no such case, or it has no such record.
 */
export async function recordByCaseReference(
  db: Db | Tx,
  typed: string,
  recordOfCase: (caseId: string) => Promise<{ id: string } | undefined>,
): Promise<{ id: string; authorityId: string } | null> {
  const found = await caseSummaryByReference(db, typed);
  const record = found ? await recordOfCase(found.id) : undefined;
  return found && record ? { id: record.id, authorityId: found.authorityId } : null;
}

export interface RecordCaseInput {
  authorityId: string;
  /** The kind of service the case is opened under: the council's own, else the oldest active one. */
  kind: string;
  /** The refusal when no service of that kind is set up ("No complaint service is set up …"). */
  noService: string;
  customerId: string | null;
  contact: GuestContact | null;
  answers: Record<string, unknown>;
  channel: Channel;
  /** The day the council received it, which may be past: a back-dated case is received at noon London time. */
  receivedOn: IsoDate;
  now: Date;
  idempotencyKey: string;
  /** The member of staff who recorded it, if one did. */
  staffId: string | null;
}

/**
 * Opens the case of a record another module keeps (a complaint, an FOI or SAR request) with `createCase`.
 * On a retry with the same idempotency key, `existing` is the record the first attempt made (looked up
 * with `recordOfCase`), so the caller returns it instead of making another.
 */
export async function openRecordCase(
  trx: Tx,
  input: RecordCaseInput,
  options: CaseOptions,
  recordOfCase: (caseId: string) => Promise<{ id: string } | undefined>,
): Promise<{ service: CaseService; created: CreatedCase; existing: { id: string } | null }> {
  const serviceId = await findServiceOfKind(trx, input.authorityId, input.kind);
  const service = serviceId ? await loadCaseService(trx, { id: serviceId }) : null;
  if (!service) throw new DomainRuleError(input.noService);
  const created = await createCase(
    trx,
    {
      service,
      customerId: input.customerId,
      contact: input.contact,
      answers: input.answers,
      formVersion: service.definitionVersion,
      channel: input.channel,
      receivedAt:
        input.receivedOn === toIsoDate(input.now) ? input.now : londonInstant(input.receivedOn, '12:00'),
      idempotencyKey: input.idempotencyKey,
      createdByStaffId: input.staffId,
    },
    options,
  );
  const existing = created.created ? null : ((await recordOfCase(created.id)) ?? null);
  return { service, created, existing };
}
