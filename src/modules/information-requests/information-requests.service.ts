/**
 * FOI, EIR and subject access request use-cases: make a request (back-datable), clarification and identity
 * checks that stop the clock, the EIR and SAR extensions (only when notified in time), the FOI public
 * interest extension, responses with exemptions and cost-limit estimates, internal reviews, the disclosure
 * log and SAR bundles. No request/reply and no SQL here. Changes take the caller's transaction so the
 * request, its case, the letter (outbox) and the audit row commit together.
 */
import { createHash, randomBytes } from 'node:crypto';
import { endOfLondonDay, toIsoDate, addCalendarDays, type IsoDate } from '../../platform/calendar/index.ts';
import { exceedsCostLimit, FOI_COST_LIMIT_HOURS } from '../../platform/clocks/index.ts';
import {
  assertDate,
  adoptEach,
  dateGiven,
  auditChange,
  auditStaffChange,
  cleanText,
  personName,
  type StaffCommand,
} from '../../platform/commands/index.ts';
import { withTransaction, type Db, type Tx } from '../../platform/db/index.ts';
import { ConflictError, DomainRuleError, NotFoundError } from '../../platform/http/errors.ts';
import {
  caseSummary,
  recordByCaseReference,
  openRecordCase,
  loadCaseService,
  setLedCaseState,
} from '../cases/index.ts';
import { activeStaffMember, staffPicker } from '../identity/index.ts';
import { queueMessage } from '../notifications/index.ts';
import { formatDate } from '../../platform/views/index.ts';
import {
  canNotifyExtension,
  deadlines,
  reviewDeadline,
  type ClockState,
} from './information-requests.clock.ts';
import { exemptionLabel, exemptionsFor } from './information-requests.exemptions.ts';
import * as letters from './information-requests.letters.ts';
import * as repo from './information-requests.repository.ts';
import { buildSarBundle, type SarBundle } from './sar-bundle.ts';
import {
  OUTCOME_LABELS,
  OUTCOMES,
  type CreatedRequest,
  type DisclosureEntry,
  type NewRequestInput,
  type Outcome,
  type QueueItem,
  type Regime,
  type RequestActor,
  type RequestStatus,
  type RequestView,
} from './information-requests.types.ts';

export interface InformationRequestOptions {
  /** Absolute base URL for links in letters (config.publicUrl). */
  publicUrl?: string;
}

/** Released SAR bundles can be downloaded for this long. */
export const BUNDLE_LINK_DAYS = 30;

const todayOf = (now: Date): IsoDate => toIsoDate(now);
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

function stateOf(row: repo.LockedRequest | repo.RequestRow): ClockState {
  return {
    regime: row.regime,
    receivedOn: row.received_on,
    clarificationRequestedOn: row.clarification_requested_on,
    clarificationReceivedOn: row.clarification_received_on,
    identityRequestedOn: row.identity_requested_on,
    identityVerifiedOn: row.identity_verified_on,
    publicInterestTarget: row.public_interest_target,
    extended: row.extended,
  };
}

/** The status that matches the clock: waiting for the requester, or open. */
function openStatus(state: ClockState): RequestStatus {
  const d = deadlines(state);
  return d.stopped === 'clarification'
    ? 'awaiting_clarification'
    : d.stopped === 'identity'
      ? 'awaiting_identity'
      : 'open';
}

interface Change {
  patch: Parameters<typeof repo.updateRequest>[2];
  /** Case status to move to (when the case's service workflow has it). */
  caseStatus?: string;
  staffId: string | null;
  now: Date;
}

/**
 * Applies a change to a locked request: recomputes the statutory deadline from the new state, stores it,
 * and keeps the case's status and clock in step.
 */
async function apply(
  trx: Tx,
  locked: repo.LockedRequest,
  change: Change,
): Promise<{ dueOn: IsoDate | null }> {
  const merged = { ...locked, ...change.patch } as repo.LockedRequest;
  const state = stateOf(merged);
  const d = deadlines(state);
  const finished = merged.status === 'responded' || merged.status === 'withdrawn';
  const dueOn = finished ? locked.due_on : d.dueOn;
  await repo.updateRequest(trx, locked.id, { ...change.patch, due_on: dueOn, updated_at: change.now });
  const service = await loadCaseService(trx, { id: locked.case_service_id }, { includeInactive: true });
  const target = change.caseStatus
    ? service?.definition.workflow.statuses.find((s) => s.code === change.caseStatus)
    : undefined;
  await setLedCaseState(trx, {
    caseId: locked.case_id,
    authorityId: locked.authority_id,
    from: locked.case_status,
    to: target
      ? {
          code: target.code,
          label: target.label,
          customerLabel: target.customerLabel,
          visibleToCustomer: target.customerVisible,
          closed: service?.definition.workflow.closed.includes(target.code) ?? false,
        }
      : null,
    clock: {
      dueAt: dueOn ? endOfLondonDay(dueOn) : null,
      pausedAt: !finished && d.stopped ? change.now : null,
    },
    at: change.now,
    staffId: change.staffId,
    by: 'information-requests',
  });
  if (target) locked.case_status = target.code;
  return { dueOn };
}

async function sendLetter(
  trx: Tx,
  locked: repo.LockedRequest,
  message: string,
  dedupeKey: string,
  nextSteps: string,
): Promise<void> {
  if (!locked.customer_id && !locked.guest_email && !locked.guest_phone) return;
  await queueMessage(trx, {
    authorityId: locked.authority_id,
    customerId: locked.customer_id,
    caseId: locked.case_id,
    channel: null,
    ...(locked.customer_id ? {} : { to: { email: locked.guest_email, phone: locked.guest_phone } }),
    template: 'case.message',
    personalisation: { reference: locked.reference, serviceName: 'your request', message, nextSteps },
    dedupeKey,
  });
}

async function lock(trx: Tx, id: string): Promise<repo.LockedRequest> {
  const locked = await repo.lockRequest(trx, id);
  if (!locked) throw new NotFoundError('No such request');
  return locked;
}

function assertOpen(locked: repo.LockedRequest): void {
  if (locked.status === 'responded') throw new DomainRuleError('This request has already been responded to');
  if (locked.status === 'withdrawn') throw new DomainRuleError('This request was withdrawn');
}

// ---------------------------------------------------------------------------------------------------
// Make a request

/**
 * Makes an FOI, EIR or subject access request: a case of the council's FOI (or SAR) service and the
 * request record, with its deadline counted from `receivedOn` (which may be in the past). Idempotent on
 * `idempotencyKey`.
 */
export async function createInformationRequest(
  trx: Tx,
  input: NewRequestInput,
  options: InformationRequestOptions & { now: Date },
): Promise<CreatedRequest> {
  const text = cleanText(input.requestText);
  if (!text) throw new DomainRuleError('Enter the request');
  assertDate(input.receivedOn, 'The date the request was received', { notAfter: todayOf(options.now) });
  const staffId = input.actor.kind === 'staff' ? input.actor.staffId : null;
  const sar = input.regime === 'sar';
  const { service, created, existing } = await openRecordCase(
    trx,
    {
      authorityId: input.authorityId,
      kind: sar ? 'sar' : 'foi',
      noService: `No ${sar ? 'subject access' : 'freedom of information'} service is set up for this council`,
      customerId: input.customerId ?? null,
      contact: input.customerId ? null : (input.contact ?? null),
      answers: sar ? { information: text } : { requestDetails: text, regime: input.regime },
      channel: input.channel,
      receivedOn: input.receivedOn,
      now: options.now,
      idempotencyKey: input.idempotencyKey,
      staffId,
    },
    { publicUrl: options.publicUrl },
    (caseId) => repo.findIdByCase(trx, caseId),
  );
  if (existing) return { id: existing.id, caseId: created.id, reference: created.reference, created: false };
  const state: ClockState = {
    regime: input.regime,
    receivedOn: input.receivedOn,
    clarificationRequestedOn: null,
    clarificationReceivedOn: null,
    identityRequestedOn: null,
    identityVerifiedOn: null,
    publicInterestTarget: null,
    extended: false,
  };
  const dueOn = deadlines(state).dueOn;
  const inserted = await repo.insertRequest(trx, {
    authority_id: service.authorityId,
    case_id: created.id,
    customer_id: input.customerId ?? null,
    regime: input.regime,
    status: 'open',
    received_on: input.receivedOn,
    request_text: text,
    due_on: dueOn,
    created_by: staffId,
    created_at: options.now,
    updated_at: options.now,
  });
  if (!inserted) {
    const existing = await repo.findIdByCase(trx, created.id);
    return { id: existing!.id, caseId: created.id, reference: created.reference, created: false };
  }
  const locked = await lock(trx, inserted.id);
  await apply(trx, locked, { patch: {}, staffId, now: options.now });
  const action = 'information_request.created';
  await auditChange(trx, 'information_request', locked, input.actor, options.now, action, {
    regime: input.regime,
    caseId: created.id,
    backdated: input.receivedOn !== todayOf(options.now),
  });
  return { id: inserted.id, caseId: created.id, reference: created.reference, created: true };
}

/**
 * Gives an FOI or subject access case made through the forms engine its request record: the date of
 * receipt is the case's London date (the day it arrived, whatever the hour), the text comes from the
 * answers. Run by the `case.created` job; safe to run again and from several processes: false when the case
 * is not an open FOI or SAR case without a record.
 */
export async function adoptInformationRequestCase(
  db: Db,
  caseId: string,
  options: { now: Date },
): Promise<boolean> {
  return withTransaction(db, async (trx) => {
    const c = await caseSummary(trx, caseId);
    if (!c || (c.service.kind !== 'foi' && c.service.kind !== 'sar') || c.closedAt) return false;
    const regime: Regime = c.service.kind === 'sar' ? 'sar' : c.answers.regime === 'eir' ? 'eir' : 'foi';
    const text = [c.answers.requestDetails, c.answers.information, c.answers.services]
      .flatMap((v: unknown): unknown[] => (Array.isArray(v) ? (v as unknown[]) : [v]))
      .filter((v): v is string => typeof v === 'string' && v.trim() !== '')
      .join('\n\n');
    const inserted = await repo.insertRequest(trx, {
      authority_id: c.authorityId,
      case_id: c.id,
      customer_id: c.customerId,
      regime,
      status: 'open',
      received_on: toIsoDate(c.receivedAt),
      request_text: text || 'See the answers on the case',
      created_at: options.now,
      updated_at: options.now,
    });
    if (!inserted) return false;
    const locked = await lock(trx, inserted.id);
    await apply(trx, locked, { patch: {}, staffId: null, now: options.now });
    await auditChange(
      trx,
      'information_request',
      locked,
      { kind: 'system' },
      options.now,
      'information_request.created',
      {
        regime,
        caseId: c.id,
        from: 'form',
      },
    );
    return true;
  });
}

/**
 * The safety net behind the `case.created` job: adopts open FOI and SAR cases that still have no request
 * record (cases made before the event existed, or written without `createCase`). Returns how many.
 */
export const adoptInformationRequestCases = async (db: Db, options: { now: Date; limit?: number }) =>
  adoptEach(await repo.unadoptedRequestCases(db, options.limit ?? 50), (id) =>
    adoptInformationRequestCase(db, id, options),
  );

// ---------------------------------------------------------------------------------------------------
// Stopping and restarting the clock

/** What a member of staff's change to an open request does (see {@link changeOpenRequest}). */
interface OpenRequestChange {
  patch: Change['patch'];
  /** Case status to move to (when the case's service workflow has it). */
  caseStatus?: string;
  /** The letter to the requester (its text may give the new deadline) and its dedupe key's kind. */
  letter?: { kind: string; text: (dueOn: IsoDate | null) => string; nextSteps: string };
  /** The audit action after `information_request.`, with its details (given the new deadline). */
  action: string;
  details?: (dueOn: IsoDate | null) => Record<string, unknown>;
}

/**
 * A member of staff's change to an open request, in one place: lock the request and check it is open, let
 * `decide` apply the change's rules (throwing `DomainRuleError` or `ConflictError`) and say what changes, then
 * store it with the statutory deadline and the case in step, write to the requester, and audit.
 */
async function changeOpenRequest(
  trx: Tx,
  id: string,
  by: StaffCommand,
  decide: (locked: repo.LockedRequest) => OpenRequestChange,
): Promise<{ dueOn: IsoDate | null }> {
  const locked = await lock(trx, id);
  assertOpen(locked);
  const change = decide(locked);
  const result = await apply(trx, locked, { ...change, staffId: by.staffId, now: by.now });
  if (change.letter)
    await sendLetter(
      trx,
      locked,
      change.letter.text(result.dueOn),
      `information_request.${change.letter.kind}:${id}`,
      change.letter.nextSteps,
    );
  const action = `information_request.${change.action}`;
  await auditStaffChange(trx, 'information_request', locked, by, action, change.details?.(result.dueOn));
  return result;
}

const REPLY_WITH_REFERENCE = 'Please reply to this message and give your reference.';
const NOTHING_TO_DO = 'You do not need to do anything.';

/** Asks the requester to clarify: the clock stops from the day we ask until the answer arrives. */
export async function askForClarification(
  trx: Tx,
  id: string,
  input: StaffCommand & { question: string; askedOn?: IsoDate },
): Promise<void> {
  await changeOpenRequest(trx, id, input, (locked) => {
    if (locked.clarification_requested_on)
      throw new ConflictError('Clarification has already been asked for on this request');
    const question = cleanText(input.question);
    if (!question) throw new DomainRuleError('Enter what you need the requester to clarify');
    const askedOn = dateGiven(input.askedOn, input.now, 'The date you asked', locked.received_on);
    const current = deadlines(stateOf(locked));
    if (current.dueOn && askedOn > current.dueOn)
      throw new DomainRuleError('Clarification must be asked for before the deadline');
    return {
      patch: { clarification_requested_on: askedOn, status: 'awaiting_clarification' },
      caseStatus: 'clarification_needed',
      letter: {
        kind: 'clarification',
        text: () => letters.clarificationLetter(locked.regime, question),
        nextSteps: REPLY_WITH_REFERENCE,
      },
      action: 'clarification_asked',
      details: () => ({ askedOn }),
    };
  });
}

/** Records the requester's answer: the clock runs again (FOI/EIR: 20 working days from the answer). */
export async function recordClarification(
  trx: Tx,
  id: string,
  input: StaffCommand & { receivedOn?: IsoDate },
): Promise<{ dueOn: IsoDate | null }> {
  return changeOpenRequest(trx, id, input, (locked) => {
    if (!locked.clarification_requested_on || locked.clarification_received_on)
      throw new DomainRuleError('There is no question waiting for an answer');
    const asked = locked.clarification_requested_on;
    const receivedOn = dateGiven(input.receivedOn, input.now, 'The date the answer arrived', asked);
    const patched = { ...stateOf(locked), clarificationReceivedOn: receivedOn };
    return {
      patch: { clarification_received_on: receivedOn, status: openStatus(patched) },
      caseStatus: 'searching',
      action: 'clarification_received',
      details: (dueOn) => ({ receivedOn, dueOn }),
    };
  });
}

function assertSar(locked: repo.LockedRequest): void {
  if (locked.regime !== 'sar')
    throw new DomainRuleError('Proof of identity is only asked for subject access requests');
}

/** SAR: asks for proof of identity. The month does not start until it arrives. */
export async function askForIdentity(
  trx: Tx,
  id: string,
  input: StaffCommand & { text?: string | null; askedOn?: IsoDate },
): Promise<void> {
  await changeOpenRequest(trx, id, input, (locked) => {
    assertSar(locked);
    if (locked.identity_requested_on) throw new ConflictError('Proof of identity has already been asked for');
    const askedOn = dateGiven(input.askedOn, input.now, 'The date you asked', locked.received_on);
    return {
      patch: { identity_requested_on: askedOn, status: 'awaiting_identity' },
      caseStatus: 'identity_check',
      letter: {
        kind: 'identity',
        text: () => letters.identityLetter(cleanText(input.text)),
        nextSteps: REPLY_WITH_REFERENCE,
      },
      action: 'identity_asked',
      details: () => ({ askedOn }),
    };
  });
}

export async function recordIdentityVerified(
  trx: Tx,
  id: string,
  input: StaffCommand & { verifiedOn?: IsoDate },
): Promise<{ dueOn: IsoDate | null }> {
  return changeOpenRequest(trx, id, input, (locked) => {
    assertSar(locked);
    if (locked.identity_verified_on) throw new ConflictError('Identity has already been confirmed');
    const verifiedOn = dateGiven(
      input.verifiedOn,
      input.now,
      'The date the proof arrived',
      locked.received_on,
    );
    const patched = { ...stateOf(locked), identityVerifiedOn: verifiedOn };
    return {
      patch: {
        identity_verified_on: verifiedOn,
        identity_requested_on: locked.identity_requested_on ?? verifiedOn,
        status: openStatus(patched),
      },
      caseStatus: 'searching',
      action: 'identity_verified',
      details: (dueOn) => ({ verifiedOn, dueOn }),
    };
  });
}

// ---------------------------------------------------------------------------------------------------
// Extensions

/** The day the requester was told of an extension: given (or today), not before receipt, not in the future. */
const toldOn = (locked: repo.LockedRequest, input: StaffCommand & { notifiedOn?: IsoDate }) =>
  dateGiven(input.notifiedOn, input.now, 'The date the requester was told', locked.received_on);

/**
 * EIR (complex and voluminous → 40 working days, reg 7) or SAR (complex → three months, Art 12(3)). Allowed
 * once, and only when the requester is told within the first 20 working days (EIR) or the first month (SAR).
 */
export async function extendRequest(
  trx: Tx,
  id: string,
  input: StaffCommand & { reason: string; notifiedOn?: IsoDate },
): Promise<{ dueOn: IsoDate | null }> {
  return changeOpenRequest(trx, id, input, (locked) => {
    if (locked.regime === 'foi')
      throw new DomainRuleError(
        'FOI requests cannot be extended; use a public interest extension if a qualified exemption applies',
      );
    if (locked.extended) throw new DomainRuleError('This request has already been extended');
    const reason = cleanText(input.reason);
    if (!reason) throw new DomainRuleError('Give the reason for the extension: it is sent to the requester');
    const state = stateOf(locked);
    if (deadlines(state).stopped)
      throw new DomainRuleError('The clock is stopped: record the answer from the requester first');
    const notifiedOn = toldOn(locked, input);
    if (!canNotifyExtension(state, notifiedOn)) {
      const limit = deadlines(state).extensionNoticeBy;
      throw new DomainRuleError(
        locked.regime === 'eir'
          ? `An EIR extension must be notified within 20 working days of receipt (by ${limit ?? ''})`
          : `A subject access extension must be notified within the first month (by ${limit ?? ''})`,
      );
    }
    return {
      patch: { extended: true, extension_notified_on: notifiedOn, extension_reason: reason },
      letter: {
        kind: 'extended',
        text: (dueOn) => letters.extensionLetter(locked.regime, reason, dueOn!),
        nextSteps: NOTHING_TO_DO,
      },
      action: 'extended',
      details: (dueOn) => ({ notifiedOn, dueOn }),
    };
  });
}

/**
 * FOI public interest extension (s.10(3)): a target date no earlier than the normal deadline, notified
 * within the normal 20 working days together with the exemptions being considered.
 */
export async function extendForPublicInterest(
  trx: Tx,
  id: string,
  input: StaffCommand & {
    targetDate: IsoDate;
    exemptions: readonly string[];
    notifiedOn?: IsoDate;
    reason?: string | null;
  },
): Promise<{ dueOn: IsoDate | null }> {
  return changeOpenRequest(trx, id, input, (locked) => {
    if (locked.regime !== 'foi')
      throw new DomainRuleError('Public interest extensions apply to FOI requests');
    if (locked.public_interest_target)
      throw new DomainRuleError('This request already has a public interest extension');
    const d = deadlines(stateOf(locked));
    if (!d.standardDueOn)
      throw new DomainRuleError('The clock is stopped: record the answer from the requester first');
    const notifiedOn = toldOn(locked, input);
    if (notifiedOn > d.standardDueOn)
      throw new DomainRuleError(
        `The requester must be told within the normal 20 working days (by ${d.standardDueOn})`,
      );
    assertDate(input.targetDate, 'The target date', { notBefore: d.standardDueOn });
    const exemptions = validExemptions('foi', input.exemptions);
    if (exemptions.length === 0)
      throw new DomainRuleError('Select the qualified exemptions you are considering');
    return {
      patch: {
        public_interest_target: input.targetDate,
        public_interest_notified_on: notifiedOn,
        exemptions: [...new Set([...locked.exemptions, ...exemptions])],
      },
      letter: {
        kind: 'public_interest',
        text: () =>
          letters.publicInterestLetter(
            exemptions.map((e) => exemptionLabel('foi', e)),
            input.targetDate,
            cleanText(input.reason),
          ),
        nextSteps: NOTHING_TO_DO,
      },
      action: 'public_interest_extended',
      details: () => ({ targetDate: input.targetDate }),
    };
  });
}

function validExemptions(regime: Regime, codes: readonly string[]): string[] {
  const known = new Set(exemptionsFor(regime).map((e) => e.code));
  const unknown = codes.filter((c) => !known.has(c));
  if (unknown.length) throw new DomainRuleError(`Unknown exemption: ${unknown.join(', ')}`);
  return [...new Set(codes)];
}

// ---------------------------------------------------------------------------------------------------
// Responding

export interface RespondInput extends StaffCommand {
  outcome: Outcome;
  responseText: string;
  exemptions?: readonly string[];
  /** FOI s.12 refusals: the estimated hours of work (must exceed 18 hours, £450 at £25 an hour). */
  costEstimateHours?: number | null;
  respondedOn?: IsoDate;
}

const RESPONSE_CASE_STATUS: Record<Outcome, string> = {
  released: 'response_sent',
  part_released: 'response_sent',
  refused: 'refused_exempt',
  not_held: 'not_held',
};

export async function respondToRequest(
  trx: Tx,
  id: string,
  input: RespondInput,
  options: InformationRequestOptions = {},
): Promise<{ onTime: boolean }> {
  let onTime = true;
  await changeOpenRequest(trx, id, input, (locked) => {
    const d = deadlines(stateOf(locked));
    if (d.stopped)
      throw new DomainRuleError(
        'The clock is stopped: record the answer from the requester first, or withdraw the request',
      );
    if (!(OUTCOMES as readonly string[]).includes(input.outcome))
      throw new DomainRuleError('Choose the outcome');
    const text = cleanText(input.responseText);
    if (!text) throw new DomainRuleError('Enter the response');
    const respondedOn = dateGiven(
      input.respondedOn,
      input.now,
      'The date of the response',
      locked.received_on,
    );
    const exemptions = validExemptions(locked.regime, input.exemptions ?? []);
    let hours: number | null = null;
    if (exemptions.includes('s12')) {
      hours = input.costEstimateHours ?? null;
      if (hours === null) throw new DomainRuleError('Enter the estimated hours for a cost limit refusal');
      if (!exceedsCostLimit(hours))
        throw new DomainRuleError(
          `${hours} hours is within the cost limit (${FOI_COST_LIMIT_HOURS} hours): the request must be answered`,
        );
    }
    if (
      (input.outcome === 'refused' || input.outcome === 'part_released') &&
      exemptions.length === 0 &&
      locked.regime !== 'sar'
    )
      throw new DomainRuleError('Select the exemptions (or exceptions) you are relying on');
    onTime = d.dueOn === null || respondedOn <= d.dueOn;
    const base = (options.publicUrl ?? '').replace(/\/$/, '');
    return {
      patch: {
        status: 'responded',
        outcome: input.outcome,
        responded_on: respondedOn,
        response_text: text,
        exemptions,
        cost_estimate_hours: hours,
        handler_id: locked.handler_id ?? input.staffId,
      },
      caseStatus: locked.regime === 'sar' ? 'response_sent' : RESPONSE_CASE_STATUS[input.outcome],
      letter: {
        kind: 'response',
        text: () =>
          letters.responseLetter({
            regime: locked.regime,
            outcomeText: OUTCOME_LABELS[input.outcome],
            responseText: text,
            exemptions: exemptions.map((e) => exemptionLabel(locked.regime, e)),
            costHours: hours,
            reviewUrl: `${base}/information-requests/${locked.case_id}/review`,
          }),
        nextSteps: 'If you are happy with our response, you do not need to do anything.',
      },
      action: 'responded',
      details: () => ({ outcome: input.outcome, onTime }),
    };
  });
  return { onTime };
}

export async function withdrawRequest(
  trx: Tx,
  id: string,
  input: StaffCommand & { reason?: string | null },
): Promise<void> {
  await changeOpenRequest(trx, id, input, () => ({
    patch: {
      status: 'withdrawn',
      outcome: 'withdrawn',
      responded_on: todayOf(input.now),
      response_text: cleanText(input.reason),
    },
    caseStatus: 'withdrawn',
    action: 'withdrawn',
  }));
}

export async function assignRequest(
  trx: Tx,
  id: string,
  input: StaffCommand & { handlerId: string },
): Promise<void> {
  const locked = await lock(trx, id);
  const handler = await activeStaffMember(trx, input.handlerId);
  if (!handler) throw new DomainRuleError('Choose an officer');
  await repo.updateRequest(trx, id, { handler_id: handler.id, updated_at: input.now });
  await auditStaffChange(trx, 'information_request', locked, input, 'information_request.assigned', {
    handlerId: handler.id,
  });
}

// ---------------------------------------------------------------------------------------------------
// Internal reviews

/** Records a request for an internal review (FOI: 20 working days; EIR: 40). */
export async function requestReview(
  trx: Tx,
  id: string,
  input: { actor: RequestActor; now: Date; requestedOn?: IsoDate; grounds?: string | null },
): Promise<{ dueOn: IsoDate }> {
  const locked = await lock(trx, id);
  if (locked.regime === 'sar')
    throw new DomainRuleError('Subject access requests have no statutory internal review');
  if (locked.status !== 'responded' || !locked.responded_on)
    throw new DomainRuleError('A review can be asked for once we have responded');
  const requestedOn = dateGiven(
    input.requestedOn,
    input.now,
    'The date the review was asked for',
    locked.responded_on,
  );
  const dueOn = reviewDeadline(locked.regime, requestedOn, false);
  const inserted = await repo.insertReview(trx, {
    authority_id: locked.authority_id,
    request_id: id,
    requested_on: requestedOn,
    due_on: dueOn,
    grounds: cleanText(input.grounds),
    created_at: input.now,
  });
  if (!inserted) throw new ConflictError('An internal review has already been asked for');
  await sendLetter(
    trx,
    locked,
    letters.reviewAcknowledgementLetter(dueOn),
    `information_request.review:${id}`,
    'You do not need to do anything now.',
  );
  await auditChange(
    trx,
    'information_request',
    locked,
    input.actor,
    input.now,
    'information_request.review_requested',
    {
      requestedOn,
      dueOn,
    },
  );
  return { dueOn };
}

/** FOI only: complex reviews may take 40 working days in all (s.45 Code para 5.4). */
export async function extendReview(trx: Tx, id: string, input: StaffCommand): Promise<{ dueOn: IsoDate }> {
  const locked = await lock(trx, id);
  const review = await repo.findReview(trx, id);
  if (!review) throw new NotFoundError('No review');
  if (locked.regime !== 'foi')
    throw new DomainRuleError('Only FOI internal reviews can be extended (EIR has a fixed 40 working days)');
  if (review.extended) throw new DomainRuleError('This review has already been extended');
  if (review.completed_on) throw new DomainRuleError('This review is complete');
  const dueOn = reviewDeadline('foi', review.requested_on, true);
  await repo.updateReview(trx, id, { extended: true, due_on: dueOn });
  await auditStaffChange(trx, 'information_request', locked, input, 'information_request.review_extended', {
    dueOn,
  });
  return { dueOn };
}

export async function completeReview(
  trx: Tx,
  id: string,
  input: StaffCommand & {
    outcome: 'upheld' | 'partly_upheld' | 'overturned';
    notes?: string | null;
    completedOn?: IsoDate;
  },
): Promise<{ onTime: boolean }> {
  const locked = await lock(trx, id);
  const review = await repo.findReview(trx, id);
  if (!review) throw new NotFoundError('No review');
  if (review.completed_on) throw new ConflictError('This review is already complete');
  if (locked.handler_id === input.staffId)
    throw new DomainRuleError(
      'An internal review must be done by someone other than the officer who responded',
    );
  const completedOn = dateGiven(
    input.completedOn,
    input.now,
    'The date of the review result',
    review.requested_on,
  );
  await repo.updateReview(trx, id, {
    completed_on: completedOn,
    outcome: input.outcome,
    notes: cleanText(input.notes),
    reviewer_id: input.staffId,
  });
  const text = {
    upheld: 'we agree with our original response',
    partly_upheld: 'we have changed part of our original response',
    overturned: 'we have changed our original response',
  }[input.outcome];
  await sendLetter(
    trx,
    locked,
    letters.reviewResultLetter(text, cleanText(input.notes)),
    `information_request.review_result:${id}`,
    'You do not need to do anything.',
  );
  const onTime = completedOn <= review.due_on;
  await auditStaffChange(trx, 'information_request', locked, input, 'information_request.review_completed', {
    outcome: input.outcome,
    onTime,
  });
  return { onTime };
}

// ---------------------------------------------------------------------------------------------------
// Disclosure log

/**
 * Publishes a response to the public disclosure log. The officer must confirm that personal data has been
 * removed from the title and summary (they are shown to anyone).
 */
export async function publishToDisclosureLog(
  trx: Tx,
  id: string,
  input: StaffCommand & { title: string; summary: string; personalDataRemoved: boolean },
): Promise<void> {
  const locked = await lock(trx, id);
  if (locked.regime === 'sar') throw new DomainRuleError('Subject access requests are never published');
  if (locked.status !== 'responded' || locked.outcome === 'withdrawn')
    throw new DomainRuleError('Only responses can be published');
  if (!input.personalDataRemoved)
    throw new DomainRuleError('Confirm that you have removed all personal data');
  const title = cleanText(input.title);
  const summary = cleanText(input.summary);
  if (!title || !summary) throw new DomainRuleError('Enter a title and the response to publish');
  await repo.updateRequest(trx, id, {
    disclosure_title: title,
    disclosure_summary: summary,
    published_at: input.now,
    published_by: input.staffId,
    updated_at: input.now,
  });
  await auditStaffChange(trx, 'information_request', locked, input, 'information_request.published');
}

export async function unpublishFromDisclosureLog(trx: Tx, id: string, input: StaffCommand): Promise<void> {
  const locked = await lock(trx, id);
  await repo.updateRequest(trx, id, { published_at: null, published_by: null, updated_at: input.now });
  await auditStaffChange(trx, 'information_request', locked, input, 'information_request.unpublished');
}

export async function searchDisclosureLog(
  db: Db | Tx,
  filter: { q?: string | null; page?: number; pageSize?: number },
): Promise<{ entries: DisclosureEntry[]; total: number }> {
  const pageSize = filter.pageSize ?? 20;
  const q = cleanText(filter.q)?.slice(0, 200) ?? null;
  const [rows, total] = await Promise.all([
    repo.searchDisclosureLog(db, {
      q,
      limit: pageSize,
      offset: Math.max(0, (filter.page ?? 1) - 1) * pageSize,
    }),
    repo.countDisclosureLog(db, q),
  ]);
  return {
    total,
    entries: rows.map((r) => ({
      id: r.id,
      reference: r.reference,
      regime: r.regime,
      title: r.disclosure_title ?? '',
      summary: r.disclosure_summary ?? '',
      publishedAt: r.published_at!,
      respondedOn: r.responded_on,
      outcome: r.outcome ? OUTCOME_LABELS[r.outcome] : null,
    })),
  };
}

export async function disclosureEntry(db: Db | Tx, id: string): Promise<DisclosureEntry | null> {
  const r = await repo.disclosureEntry(db, id);
  if (!r) return null;
  return {
    id: r.id,
    reference: r.reference,
    regime: r.regime,
    title: r.disclosure_title ?? '',
    summary: r.disclosure_summary ?? '',
    publishedAt: r.published_at!,
    respondedOn: r.responded_on,
    outcome: r.outcome ? OUTCOME_LABELS[r.outcome] : null,
  };
}

// ---------------------------------------------------------------------------------------------------
// SAR bundles

/** Assembles a draft bundle from everything Frontdoor holds about the requester, for the officer to review. */
export async function generateSarBundle(db: Db, id: string, input: StaffCommand): Promise<string> {
  return withTransaction(db, async (trx) => {
    const locked = await lock(trx, id);
    if (locked.regime !== 'sar') throw new DomainRuleError('Bundles are for subject access requests');
    if (!locked.customer_id)
      throw new DomainRuleError('Link the request to the requester’s customer record first');
    const bundle = await buildSarBundle(trx, locked.customer_id, input.now);
    const bundleId = await repo.insertBundle(trx, {
      authority_id: locked.authority_id,
      request_id: id,
      customer_id: locked.customer_id,
      status: 'draft',
      content: JSON.stringify(bundle),
      generated_at: input.now,
      generated_by: input.staffId,
      created_at: input.now,
    });
    await auditStaffChange(trx, 'information_request', locked, input, 'sar.bundle_generated', { bundleId });
    return bundleId;
  });
}

/**
 * Releases a reviewed bundle: the requester gets a private download link (valid for 30 days) by their
 * preferred channel. Returns the link token (only its hash is stored).
 */
export async function releaseSarBundle(
  trx: Tx,
  bundleId: string,
  input: StaffCommand & { reviewNote?: string | null },
  options: InformationRequestOptions = {},
): Promise<{ token: string }> {
  const bundle = await repo.lockBundle(trx, bundleId);
  if (!bundle) throw new NotFoundError('No such bundle');
  if (bundle.status === 'released') throw new ConflictError('This bundle has already been released');
  const locked = await lock(trx, bundle.request_id);
  const token = randomBytes(32).toString('base64url');
  const expires = new Date(input.now.getTime() + BUNDLE_LINK_DAYS * 86_400_000);
  await repo.updateBundle(trx, bundleId, {
    status: 'released',
    review_note: cleanText(input.reviewNote),
    released_at: input.now,
    released_by: input.staffId,
    download_token_hash: hashToken(token),
    download_expires_at: expires,
  });
  const base = (options.publicUrl ?? '').replace(/\/$/, '');
  if (locked.customer_id || locked.guest_email || locked.guest_phone)
    await queueMessage(trx, {
      authorityId: locked.authority_id,
      customerId: locked.customer_id,
      caseId: locked.case_id,
      channel: null,
      ...(locked.customer_id ? {} : { to: { email: locked.guest_email, phone: locked.guest_phone } }),
      template: 'sar.bundle_ready',
      personalisation: {
        reference: locked.reference,
        downloadUrl: `${base}/sar-bundles/${token}`,
        expiresOn: formatDate(addCalendarDays(todayOf(input.now), BUNDLE_LINK_DAYS)),
      },
      dedupeKey: `sar.bundle_released:${bundleId}`,
    });
  await auditStaffChange(trx, 'information_request', locked, input, 'sar.bundle_released', { bundleId });
  return { token };
}

export async function loadBundle(db: Db | Tx, bundleId: string) {
  const row = await repo.findBundle(db, bundleId);
  if (!row) return null;
  return {
    id: row.id,
    requestId: row.request_id,
    authorityId: row.authority_id,
    customerId: row.customer_id,
    status: row.status,
    content: row.content as unknown as SarBundle,
    generatedAt: row.generated_at,
    releasedAt: row.released_at,
  };
}

/** A released bundle by its download token, or null when unknown, not released or expired. */
export async function bundleForDownload(db: Db | Tx, token: string, now: Date) {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
  const row = await repo.findBundleByTokenHash(db, hashToken(token));
  if (!row || !row.download_expires_at || row.download_expires_at.getTime() <= now.getTime()) return null;
  return {
    id: row.id,
    authorityId: row.authority_id,
    customerId: row.customer_id,
    content: row.content as unknown as SarBundle,
    expiresAt: row.download_expires_at,
  };
}

export async function bundlesOfRequest(db: Db | Tx, requestId: string) {
  const rows = await repo.bundlesOfRequest(db, requestId);
  return rows.map((b) => ({
    id: b.id,
    status: b.status,
    generatedAt: b.generated_at,
    releasedAt: b.released_at,
    reviewNote: b.review_note,
    generatedBy: b.generated_by_name,
    releasedBy: b.released_by_name,
  }));
}

// ---------------------------------------------------------------------------------------------------
// Reads

export async function getInformationRequest(db: Db | Tx, id: string): Promise<RequestView | null> {
  const row = await repo.findRequestRow(db, id);
  if (!row) return null;
  const review = await repo.findReview(db, id);
  const state = stateOf(row);
  const d = deadlines(state);
  const finished = row.status === 'responded' || row.status === 'withdrawn';
  return {
    id: row.id,
    authorityId: row.authority_id,
    caseId: row.case_id,
    reference: row.reference,
    regime: row.regime,
    status: row.status,
    customerId: row.customer_id,
    requesterName: personName(row) ?? row.guest_name,
    requestText: row.request_text,
    receivedOn: row.received_on,
    handlerId: row.handler_id,
    handlerName: row.handler_name,
    clarificationRequestedOn: row.clarification_requested_on,
    clarificationReceivedOn: row.clarification_received_on,
    identityRequestedOn: row.identity_requested_on,
    identityVerifiedOn: row.identity_verified_on,
    publicInterestTarget: row.public_interest_target,
    publicInterestNotifiedOn: row.public_interest_notified_on,
    extended: row.extended,
    extensionNotifiedOn: row.extension_notified_on,
    extensionReason: row.extension_reason,
    dueOn: finished ? row.due_on : d.dueOn,
    standardDueOn: d.standardDueOn,
    extensionNoticeBy: d.extensionNoticeBy,
    stopped: finished ? null : d.stopped,
    respondedOn: row.responded_on,
    outcome: row.outcome,
    responseText: row.response_text,
    exemptions: row.exemptions,
    costEstimateHours: row.cost_estimate_hours === null ? null : Number(row.cost_estimate_hours),
    onTime:
      row.responded_on && row.outcome !== 'withdrawn'
        ? row.due_on === null || row.responded_on <= row.due_on
        : null,
    disclosure:
      row.published_at && row.disclosure_title
        ? {
            title: row.disclosure_title,
            summary: row.disclosure_summary ?? '',
            publishedAt: row.published_at,
          }
        : null,
    review: review
      ? {
          requestedOn: review.requested_on,
          dueOn: review.due_on,
          extended: review.extended,
          grounds: review.grounds,
          reviewerName: review.reviewer_name,
          completedOn: review.completed_on,
          outcome: review.outcome,
          notes: review.notes,
          onTime: review.completed_on ? review.completed_on <= review.due_on : null,
        }
      : null,
  };
}

/** The request record of a case (the resident's review page), or null. */
export async function requestOfCase(db: Db | Tx, caseId: string): Promise<RequestView | null> {
  const row = await repo.findIdByCase(db, caseId);
  return row ? getInformationRequest(db, row.id) : null;
}

/** The request with this case reference (as typed), with its council, or null. */
export const findRequestByReference = (db: Db | Tx, reference: string) =>
  recordByCaseReference(db, reference, (caseId) => repo.findIdByCase(db, caseId));

/** The request queue: open (or answered) items of the councils, most urgent first. */
export async function listQueue(
  db: Db | Tx,
  filter: { authorityIds: string[]; open: boolean; regime?: Regime | null },
): Promise<QueueItem[]> {
  return (await repo.queue(db, filter)).map(toQueueItem);
}

function toQueueItem(r: repo.QueueRow): QueueItem {
  return {
    id: r.id,
    reference: r.reference,
    regime: r.regime,
    status: r.status,
    requesterName: personName(r) ?? r.guest_name,
    receivedOn: r.received_on,
    dueOn: r.due_on,
    handlerName: r.handler_name,
    reviewDueOn: r.review_due_on && !r.review_completed_on ? r.review_due_on : null,
  };
}

/** Officers who may be assigned a request: active staff of the councils. */
export async function staffPickers(db: Db | Tx, authorityIds: string[]) {
  return staffPicker(db, authorityIds);
}
