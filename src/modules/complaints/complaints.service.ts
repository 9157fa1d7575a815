/**
 * Complaint use-cases under the Ombudsman's Complaint Handling Code (and the children's social care
 * statutory procedure): make, acknowledge, extend once, respond from the template, refuse, escalate,
 * remedies, learning actions. No request/reply and no SQL here (see complaints.repository.ts). Functions
 * that change data take the caller's transaction, so the complaint, its case, the resident's letter (in
 * the outbox) and the audit row commit together or not at all.
 */
import {
  endOfLondonDay,
  isIsoDate,
  toIsoDate,
  type IsoDate,
  type WorkingDayCalendar,
} from '../../platform/calendar/index.ts';
import { ComplaintExtensionError, englandAndWalesCalendar } from '../../platform/clocks/index.ts';
import {
  assertDate,
  adoptEach,
  dateGiven,
  auditChange,
  auditStaffChange,
  cleanText as clean,
  personName,
  type StaffCommand,
} from '../../platform/commands/index.ts';
import { withTransaction, type Db, type Tx } from '../../platform/db/index.ts';
import { ConflictError, DomainRuleError, NotFoundError } from '../../platform/http/errors.ts';
import { teamPicker } from '../authorities/index.ts';
import {
  addCaseworkNote,
  caseSummary,
  caseSummaryByReference,
  recordByCaseReference,
  changeStatus,
  openRecordCase,
  loadCaseService,
  setLedCaseState,
  type CaseActor,
  type CaseSummary,
} from '../cases/index.ts';
import { activeStaffMember, staffPicker } from '../identity/index.ts';
import { queueMessage } from '../notifications/index.ts';
import { findServiceSummary, servicePicker } from '../services/index.ts';
import { formatDate } from '../../platform/views/index.ts';
import { stageClock, withinWindow } from './complaints.clock.ts';
import * as letters from './complaints.letters.ts';
import * as repo from './complaints.repository.ts';
import {
  DECISION_LABELS,
  DECISIONS,
  REFUSAL_REASONS,
  ROOT_CAUSES,
  type ComplaintActor,
  type ComplaintDeadlines,
  type ComplaintStageNumber,
  type ComplaintView,
  type CreatedComplaint,
  type Decision,
  type LearningActionView,
  type NewComplaintInput,
  type QueueItem,
  type RefusalReason,
  type RemedyKind,
  type RootCause,
  type StageView,
  type WorkflowType,
} from './complaints.types.ts';

export interface ComplaintsOptions {
  /** Working days for complaint clocks. Default: England and Wales. */
  calendar?: WorkingDayCalendar;
  /** Complaints are accepted within this many months of the matter. Default 12 (the Code). */
  windowMonths?: number;
  /** Absolute base URL for links in letters. */
  publicUrl?: string;
}

export const DEFAULT_WINDOW_MONTHS = 12;

const calendarOf = (options: ComplaintsOptions) => options.calendar ?? englandAndWalesCalendar();
const todayOf = (now: Date): IsoDate => toIsoDate(now);

function finalStageOf(workflowType: WorkflowType): ComplaintStageNumber {
  return workflowType === 'childrens_social_care' ? 3 : 2;
}

// ---------------------------------------------------------------------------------------------------
// Moving the complaint case and writing to the resident

async function moveCase(
  trx: Tx,
  locked: repo.LockedComplaint,
  to: string,
  at: Date,
  actor: ComplaintActor,
): Promise<void> {
  const service = await loadCaseService(trx, { id: locked.case_service_id }, { includeInactive: true });
  const workflow = service?.definition.workflow;
  // Services installed from version 1 of "Make a complaint" have no "Refused" status: close instead.
  const code = to === 'refused' && !workflow?.statuses.some((s) => s.code === to) ? 'closed' : to;
  const target = workflow?.statuses.find((s) => s.code === code);
  if (!service || !workflow || !target || locked.case_status === code) return;
  const current = workflow.statuses.find((s) => s.code === locked.case_status);
  if (current?.next.includes(code)) {
    // The letter says more than the generic "your request is now …" message, so that one is not sent.
    await changeStatus(trx, locked.case_id, code, caseActor(actor), { at, notify: false });
  } else {
    // A workflow that does not list this move (older definitions, custom complaint services): the complaint
    // record leads, so the case follows it directly.
    await setLedCaseState(trx, {
      caseId: locked.case_id,
      authorityId: locked.authority_id,
      from: locked.case_status,
      to: {
        code,
        label: target.label,
        customerLabel: target.customerLabel,
        visibleToCustomer: target.customerVisible,
        closed: workflow.closed.includes(code),
      },
      at,
      staffId: actor.kind === 'staff' ? actor.staffId : null,
      customerId: actor.kind === 'customer' ? actor.customerId : null,
      by: 'complaints',
    });
  }
  locked.case_status = code;
}

/**
 * Keeps the case's clock on the complaint's: due at the end of the day the current stage must be answered
 * by while a stage is open, and no due date once it is answered (the resident decides whether to ask for
 * the next stage) or the complaint is closed. Residents read the case's due date ("what happens next",
 * their requests) and staff queues count it, so it must always be the current stage's.
 */
async function followCase(
  trx: Tx,
  complaint: { case_id: string; authority_id: string; case_status: string },
  respondBy: IsoDate | null,
  at: Date,
): Promise<void> {
  await setLedCaseState(trx, {
    caseId: complaint.case_id,
    authorityId: complaint.authority_id,
    from: complaint.case_status,
    to: null,
    clock: { dueAt: respondBy ? endOfLondonDay(respondBy) : null, pausedAt: null },
    at,
    staffId: null,
    by: 'complaints',
  });
}

function caseActor(actor: ComplaintActor): CaseActor {
  switch (actor.kind) {
    case 'staff':
      return actor;
    case 'customer':
      return actor;
    case 'api':
      return { kind: 'system' };
  }
}

type ComplaintTemplate =
  | 'complaint.acknowledgement'
  | 'complaint.extension'
  | 'complaint.response'
  | 'complaint.escalation_acknowledgement'
  | 'complaint.final_response'
  | 'complaint.refusal';

/**
 * Queues one of the complaint letters (dedicated templates) on the resident's preferred channel, or on the
 * channel their reasonable adjustments ask for, with the adjustments and formats repeated in the message.
 */
async function sendLetter(
  trx: Tx,
  locked: repo.LockedComplaint,
  template: ComplaintTemplate,
  personalisation: Record<string, string | null | undefined>,
  dedupeKey: string,
  options: ComplaintsOptions,
): Promise<void> {
  if (!locked.customer_id && !locked.guest_email && !locked.guest_phone) return;
  const base = (options.publicUrl ?? '').replace(/\/$/, '');
  const needs = letters.adjustmentNeeds(locked.reasonable_adjustments);
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries({
    reference: locked.reference,
    summary: locked.summary,
    adjustments: locked.reasonable_adjustments,
    formats: needs.formats.join(' and '),
    trackUrl: base ? `${base}/complaints/${locked.case_id}` : null,
    ...personalisation,
  }))
    if (typeof value === 'string' && value.trim() !== '') values[key] = value;
  await queueMessage(trx, {
    authorityId: locked.authority_id,
    customerId: locked.customer_id,
    caseId: locked.case_id,
    channel: needs.channel,
    ...(locked.customer_id ? {} : { to: { email: locked.guest_email, phone: locked.guest_phone } }),
    template,
    personalisation: values,
    dedupeKey,
  });
}

async function lockOpen(
  trx: Tx,
  complaintId: string,
): Promise<{ locked: repo.LockedComplaint; stage: repo.StageRow; stages: repo.StageRow[] }> {
  const locked = await repo.lockComplaint(trx, complaintId);
  if (!locked) throw new NotFoundError('No such complaint');
  const stages = await repo.stagesOf(trx, complaintId);
  const stage = stages.find((s) => s.stage === locked.stage);
  if (!stage) throw new Error(`complaint ${complaintId} has no stage ${locked.stage}`);
  return { locked, stage, stages };
}

function assertOpen(locked: repo.LockedComplaint, stage: repo.StageRow): void {
  if (locked.status === 'refused') throw new DomainRuleError('This complaint was refused');
  if (locked.status === 'closed') throw new DomainRuleError('This complaint is closed');
  if (stage.responded_on) throw new DomainRuleError(`Stage ${stage.stage} has already been responded to`);
}

/**
 * Stage 2 (and 3) must be looked at by someone who did not handle an earlier stage (the Code: "a
 * different person"). Applies to assigning and to acting on the stage.
 */
function assertDifferentOfficer(stages: repo.StageRow[], stage: number, staffId: string): void {
  if (stage < 2) return;
  const earlier = stages.filter((s) => s.stage < stage).some((s) => s.handler_id === staffId);
  if (earlier)
    throw new DomainRuleError(
      `Stage ${stage} must be handled by a different officer from the one who handled the earlier stage`,
    );
}

// ---------------------------------------------------------------------------------------------------
// Make a complaint

/**
 * Makes a complaint: a case of the council's complaint service (reference, acknowledgement message,
 * timeline) and the complaint record with its stage 1 clock counted from `receivedOn` (which may be in
 * the past). A complaint about another case links to it and leaves that case open.
 *
 * Idempotent on `idempotencyKey` (through `createCase`).
 */
export async function createComplaint(
  trx: Tx,
  input: NewComplaintInput,
  options: ComplaintsOptions & { now: Date },
): Promise<CreatedComplaint> {
  const now = options.now;
  const summary = clean(input.summary);
  if (!summary) throw new DomainRuleError('Say what the complaint is about');
  assertDate(input.receivedOn, 'The date the complaint was received', { notAfter: todayOf(now) });
  const matterDate = clean(input.matterDate);
  if (matterDate) assertDate(matterDate, 'The date of the matter', { notAfter: input.receivedOn });

  let linked: CaseSummary | null = null;
  if (input.linkedCaseId) {
    linked = await caseSummary(trx, input.linkedCaseId);
    if (!linked) throw new NotFoundError('No such case to link the complaint to');
    if (linked.service.kind === 'complaint')
      throw new DomainRuleError('A complaint cannot be about another complaint case; escalate it instead');
  }
  const customerId = input.customerId ?? linked?.customerId ?? null;
  const staffId = input.actor.kind === 'staff' ? input.actor.staffId : null;
  const { service, created, existing } = await openRecordCase(
    trx,
    {
      authorityId: input.authorityId,
      kind: 'complaint',
      noService: 'No complaint service is set up for this council',
      customerId,
      contact: customerId === null ? (input.contact ?? linked?.guest ?? null) : null,
      answers: {
        whatHappened: summary,
        ...(input.desiredOutcome ? { desiredOutcome: input.desiredOutcome } : {}),
        ...(linked ? { reference: linked.reference } : {}),
        ...(matterDate ? { whenHappened: matterDate } : {}),
      },
      channel: input.channel,
      receivedOn: input.receivedOn,
      now,
      idempotencyKey: input.idempotencyKey,
      staffId,
    },
    { publicUrl: options.publicUrl },
    (caseId) => repo.findComplaintIdByCase(trx, caseId),
  );
  if (existing) return { id: existing.id, caseId: created.id, reference: created.reference, created: false };

  let aboutServiceId = input.aboutServiceId ?? linked?.service.id ?? null;
  let aboutTeamId: string | null = linked?.teamId ?? null;
  if (aboutServiceId) {
    const about = await findServiceSummary(trx, aboutServiceId);
    if (!about) aboutServiceId = null;
    else aboutTeamId ??= about.teamId;
  }
  const workflowType: WorkflowType = input.workflowType ?? 'corporate';
  const clock = stageClock({ workflowType, stage: 1, startedOn: input.receivedOn }, calendarOf(options));
  const inserted = await repo.insertComplaint(trx, {
    authority_id: service.authorityId,
    case_id: created.id,
    customer_id: customerId,
    linked_case_id: linked?.id ?? null,
    about_service_id: aboutServiceId,
    about_team_id: aboutTeamId,
    workflow_type: workflowType,
    stage: 1,
    status: 'open',
    received_on: input.receivedOn,
    matter_date: matterDate,
    summary,
    desired_outcome: clean(input.desiredOutcome),
    reasonable_adjustments: clean(input.reasonableAdjustments),
    created_by: staffId,
    created_at: now,
    updated_at: now,
  });
  if (!inserted) {
    const existing = await repo.findComplaintIdByCase(trx, created.id);
    return { id: existing!.id, caseId: created.id, reference: created.reference, created: false };
  }
  await repo.insertStage(trx, {
    authority_id: service.authorityId,
    complaint_id: inserted.id,
    stage: 1,
    started_on: input.receivedOn,
    acknowledge_by: clock.acknowledgeBy,
    respond_by: clock.respondBy,
    handler_id: null,
    created_at: now,
  });
  await followCase(
    trx,
    { case_id: created.id, authority_id: service.authorityId, case_status: created.status },
    clock.respondBy,
    now,
  );
  if (linked) {
    await addCaseworkNote(trx, {
      caseId: linked.id,
      authorityId: linked.authorityId,
      kind: 'complaint_linked',
      body: `A complaint (${created.reference}) was made about this request. The request stays open.`,
      data: { complaintCaseId: created.id, complaintReference: created.reference },
      at: now,
      staffId,
    });
  }
  const record = { id: inserted.id, authority_id: service.authorityId };
  await auditChange(trx, 'complaint', record, input.actor, now, 'complaint.created', {
    caseId: created.id,
    linkedCaseId: linked?.id ?? null,
    workflowType,
    backdated: input.receivedOn !== todayOf(now),
  });
  return { id: inserted.id, caseId: created.id, reference: created.reference, created: true };
}

/**
 * Gives a complaint case made through the "Make a complaint" form (the forms engine) its complaint record:
 * the date of receipt is the case's London date, the matter date and linked request come from the answers.
 * Run by the `case.created` job; safe to run again and from several processes (one record per case): false
 * when the case is not an open complaint case without a record.
 */
export async function adoptComplaintCase(
  db: Db,
  caseId: string,
  options: ComplaintsOptions & { now: Date },
): Promise<boolean> {
  return withTransaction(db, async (trx) => {
    const basics = await caseSummary(trx, caseId);
    if (!basics || basics.service.kind !== 'complaint' || basics.closedAt) return false;
    if (await repo.findComplaintIdByCase(trx, caseId)) return false;
    const answers = basics.answers;
    const text = (key: string) => (typeof answers[key] === 'string' ? answers[key].trim() : '');
    const receivedOn = toIsoDate(basics.receivedAt);
    const when = text('whenHappened');
    const matterDate = isIsoDate(when) && when <= receivedOn ? when : null;
    const linked = text('reference') ? await caseSummaryByReference(trx, text('reference')) : null;
    const about = linked && linked.id !== caseId && linked.service.kind !== 'complaint' ? linked : null;
    const clock = stageClock(
      { workflowType: 'corporate', stage: 1, startedOn: receivedOn },
      calendarOf(options),
    );
    const inserted = await repo.insertComplaint(trx, {
      authority_id: basics.authorityId,
      case_id: caseId,
      customer_id: basics.customerId,
      linked_case_id: about?.id ?? null,
      about_service_id: linked && linked.id !== caseId ? linked.service.id : null,
      about_team_id: linked && linked.id !== caseId ? linked.teamId : null,
      workflow_type: 'corporate',
      stage: 1,
      status: 'open',
      received_on: receivedOn,
      matter_date: matterDate,
      summary: text('whatHappened') || 'See the answers on the case',
      desired_outcome: text('putRight') || text('desiredOutcome') || null,
      created_at: options.now,
      updated_at: options.now,
    });
    if (!inserted) return false;
    await repo.insertStage(trx, {
      authority_id: basics.authorityId,
      complaint_id: inserted.id,
      stage: 1,
      started_on: receivedOn,
      acknowledge_by: clock.acknowledgeBy,
      respond_by: clock.respondBy,
      created_at: options.now,
    });
    await followCase(
      trx,
      { case_id: caseId, authority_id: basics.authorityId, case_status: basics.status },
      clock.respondBy,
      options.now,
    );
    const record = { id: inserted.id, authority_id: basics.authorityId };
    await auditChange(trx, 'complaint', record, { kind: 'system' }, options.now, 'complaint.created', {
      caseId,
      from: 'form',
    });
    return true;
  });
}

/**
 * The safety net behind the `case.created` job: adopts open complaint cases that still have no record
 * (cases made before the event existed, or written without `createCase`). Returns how many were adopted.
 */
export const adoptComplaintCases = async (
  db: Db,
  options: ComplaintsOptions & { now: Date; limit?: number },
) =>
  adoptEach(await repo.unadoptedComplaintCases(db, options.limit ?? 50), (id) =>
    adoptComplaintCase(db, id, options),
  );

// ---------------------------------------------------------------------------------------------------
// Stage actions (staff)

/** Records the acknowledgement (date given by the officer, not in the future) and restarts the response clock from it. */
export async function acknowledgeComplaint(
  trx: Tx,
  complaintId: string,
  input: StaffCommand & { acknowledgedOn?: IsoDate },
  options: ComplaintsOptions = {},
): Promise<{ respondBy: IsoDate }> {
  const { locked, stage, stages } = await lockOpen(trx, complaintId);
  assertOpen(locked, stage);
  assertDifferentOfficer(stages, stage.stage, input.staffId);
  if (stage.acknowledged_on) throw new ConflictError('This stage has already been acknowledged');
  if (stage.acknowledge_by === null) throw new DomainRuleError('This stage has no acknowledgement step');
  const acknowledgedOn = dateGiven(
    input.acknowledgedOn,
    input.now,
    'The acknowledgement date',
    stage.started_on,
  );
  const clock = stageClock(
    {
      workflowType: locked.workflow_type,
      stage: stage.stage as ComplaintStageNumber,
      startedOn: stage.started_on,
      acknowledgedOn,
      extensionDays: stage.extension_days,
    },
    calendarOf(options),
  );
  await repo.updateStage(trx, complaintId, stage.stage, {
    acknowledged_on: acknowledgedOn,
    respond_by: clock.respondBy,
    handler_id: stage.handler_id ?? input.staffId,
  });
  await repo.updateComplaint(trx, complaintId, { updated_at: input.now });
  if (stage.stage === 1)
    await moveCase(trx, locked, 'acknowledged', input.now, { kind: 'staff', staffId: input.staffId });
  await followCase(trx, locked, clock.respondBy, input.now);
  await sendLetter(
    trx,
    locked,
    'complaint.acknowledgement',
    {
      stageName: letters.stageName(stage.stage as ComplaintStageNumber, locked.workflow_type),
      respondBy: formatDate(clock.respondBy),
    },
    `complaint.acknowledged:${complaintId}:${stage.stage}`,
    options,
  );
  await auditStaffChange(trx, 'complaint', locked, input, 'complaint.acknowledged', {
    stage: stage.stage,
    acknowledgedOn,
    late: clock.acknowledgedLate,
  });
  return { respondBy: clock.respondBy };
}

/**
 * The one extension a stage may have: at most 10 working days at stage 1 and 20 at stage 2 (children's
 * complaints: to 20 and 65 working days in all). The reason is required and is sent to the resident with
 * the Ombudsman's details.
 */
export async function extendComplaint(
  trx: Tx,
  complaintId: string,
  input: StaffCommand & { days: number; reason: string },
  options: ComplaintsOptions = {},
): Promise<{ respondBy: IsoDate }> {
  const { locked, stage, stages } = await lockOpen(trx, complaintId);
  assertOpen(locked, stage);
  assertDifferentOfficer(stages, stage.stage, input.staffId);
  if (stage.extension_days !== null) throw new DomainRuleError('A complaint stage can only be extended once');
  const reason = clean(input.reason);
  if (!reason) throw new DomainRuleError('Give the reason for the extension: it is sent to the resident');
  const stageNumber = stage.stage as ComplaintStageNumber;
  const calendar = calendarOf(options);
  const base = {
    workflowType: locked.workflow_type,
    stage: stageNumber,
    startedOn: stage.started_on,
    acknowledgedOn: stage.acknowledged_on,
  };
  const max = stageClock(base, calendar).maxExtensionDays;
  const days = locked.workflow_type === 'childrens_social_care' ? max : input.days;
  let clock;
  try {
    clock = stageClock({ ...base, extensionDays: days }, calendar);
  } catch (error) {
    if (error instanceof ComplaintExtensionError)
      throw new DomainRuleError(error.message.replace(/^a /, 'A '));
    throw error;
  }
  if (days < 1) throw new DomainRuleError('An extension must be at least 1 working day');
  const today = todayOf(input.now);
  await repo.updateStage(trx, complaintId, stage.stage, {
    extension_days: days,
    extension_reason: reason,
    extended_on: today,
    respond_by: clock.respondBy,
    handler_id: stage.handler_id ?? input.staffId,
  });
  await repo.updateComplaint(trx, complaintId, { updated_at: input.now });
  await followCase(trx, locked, clock.respondBy, input.now);
  await sendLetter(
    trx,
    locked,
    'complaint.extension',
    {
      stageName: letters.stageName(stageNumber, locked.workflow_type),
      reason,
      days: String(days),
      respondBy: formatDate(clock.respondBy),
      ...letters.OMBUDSMAN_PERSONALISATION,
    },
    `complaint.extended:${complaintId}:${stage.stage}`,
    options,
  );
  await auditStaffChange(trx, 'complaint', locked, input, 'complaint.extended', {
    stage: stage.stage,
    days,
    respondBy: clock.respondBy,
  });
  return { respondBy: clock.respondBy };
}

export interface RespondInput extends StaffCommand {
  decision: Decision;
  reasons: string;
  outcome?: string | null;
  outstandingActions?: string | null;
  /** The date the response is sent (default today; not in the future). */
  respondedOn?: IsoDate;
}

/**
 * Sends the stage response from the template (what was complained about, decision and reasons, remedies
 * with dates, outstanding actions, how to escalate or go to the Ombudsman) and closes the stage. The final
 * stage closes the complaint and its case.
 */
export async function respondToComplaint(
  trx: Tx,
  complaintId: string,
  input: RespondInput,
  options: ComplaintsOptions = {},
): Promise<{ onTime: boolean; finalStage: boolean }> {
  const { locked, stage, stages } = await lockOpen(trx, complaintId);
  assertOpen(locked, stage);
  assertDifferentOfficer(stages, stage.stage, input.staffId);
  if (!(DECISIONS as readonly string[]).includes(input.decision))
    throw new DomainRuleError('Choose a decision');
  const reasons = clean(input.reasons);
  if (!reasons) throw new DomainRuleError('Give the reasons for the decision');
  const respondedOn = dateGiven(input.respondedOn, input.now, 'The response date', stage.started_on);
  const stageNumber = stage.stage as ComplaintStageNumber;
  const finalStage = stageNumber >= finalStageOf(locked.workflow_type);
  const remedies = (await repo.remediesOf(trx, complaintId)).filter((r) => r.stage === stage.stage);
  const responseRemedies = remedies.map((r) => ({
    kind: r.kind,
    description: r.description,
    dueOn: r.due_on,
    amountPence: r.amount_pence,
  }));
  const base = (options.publicUrl ?? '').replace(/\/$/, '');
  const text = letters.responseLetter({
    stage: stageNumber,
    workflowType: locked.workflow_type,
    finalStage,
    summary: locked.summary,
    decision: input.decision,
    reasons,
    outcome: clean(input.outcome),
    outstandingActions: clean(input.outstandingActions),
    remedies: responseRemedies,
    adjustments: locked.reasonable_adjustments,
    accountUrl: base ? `${base}/complaints/${locked.case_id}` : null,
  });
  await repo.updateStage(trx, complaintId, stage.stage, {
    acknowledged_on: stage.acknowledged_on ?? (stage.acknowledge_by ? respondedOn : null),
    responded_on: respondedOn,
    decision: input.decision,
    reasons,
    outcome: clean(input.outcome),
    outstanding_actions: clean(input.outstandingActions),
    response_text: text,
    handler_id: stage.handler_id ?? input.staffId,
  });
  await repo.updateComplaint(trx, complaintId, {
    status: finalStage ? 'closed' : 'responded',
    closed_on: finalStage ? respondedOn : null,
    updated_at: input.now,
  });
  const actor: ComplaintActor = { kind: 'staff', staffId: input.staffId };
  if (stageNumber === 1) {
    await moveCase(trx, locked, 'response_sent', input.now, actor);
  } else {
    await moveCase(trx, locked, 'stage2_response_sent', input.now, actor);
  }
  if (finalStage) await moveCase(trx, locked, 'closed', input.now, actor);
  await followCase(trx, locked, null, input.now);
  await sendLetter(
    trx,
    locked,
    finalStage ? 'complaint.final_response' : 'complaint.response',
    {
      stageName: letters.stageName(stageNumber, locked.workflow_type),
      decision: DECISION_LABELS[input.decision],
      reasons,
      remedies: letters.remedyList(responseRemedies),
      outcome: clean(input.outcome),
      outstandingActions: clean(input.outstandingActions),
      ...(finalStage
        ? letters.OMBUDSMAN_PERSONALISATION
        : {
            escalation: letters.escalationText({
              stage: stageNumber,
              workflowType: locked.workflow_type,
              accountUrl: base ? `${base}/complaints/${locked.case_id}` : null,
            }),
          }),
    },
    `complaint.response:${complaintId}:${stage.stage}`,
    options,
  );
  const onTime = respondedOn <= stage.respond_by;
  await auditStaffChange(trx, 'complaint', locked, input, 'complaint.responded', {
    stage: stage.stage,
    decision: input.decision,
    onTime,
    finalStage,
  });
  return { onTime, finalStage };
}

/**
 * Refuses to take a complaint through the process, with the reason recorded and sent to the resident
 * together with their right to go to the Ombudsman. "Out of time" is only allowed when the complaint
 * really was made outside the window (12 months by default) of the matter.
 */
export async function refuseComplaint(
  trx: Tx,
  complaintId: string,
  input: StaffCommand & { reason: RefusalReason; details?: string | null },
  options: ComplaintsOptions = {},
): Promise<void> {
  const { locked, stage } = await lockOpen(trx, complaintId);
  assertOpen(locked, stage);
  if (!(REFUSAL_REASONS as readonly string[]).includes(input.reason))
    throw new DomainRuleError('Choose a reason');
  const windowMonths = options.windowMonths ?? DEFAULT_WINDOW_MONTHS;
  const details = clean(input.details);
  if (input.reason === 'outside_time_limit') {
    if (!locked.matter_date)
      throw new DomainRuleError('Record the date of the matter before refusing a complaint as out of time');
    if (withinWindow(locked.matter_date, locked.received_on, windowMonths))
      throw new DomainRuleError(
        `The complaint was made within ${windowMonths} months of the matter, so it cannot be refused as out of time`,
      );
  }
  if (input.reason === 'other' && !details)
    throw new DomainRuleError('Explain the reason for refusing the complaint');
  const today = todayOf(input.now);
  await repo.updateComplaint(trx, complaintId, {
    status: 'refused',
    refusal_reason: input.reason,
    refusal_details: details,
    refused_on: today,
    closed_on: today,
    updated_at: input.now,
  });
  await repo.updateStage(trx, complaintId, stage.stage, { handler_id: stage.handler_id ?? input.staffId });
  await moveCase(trx, locked, 'refused', input.now, { kind: 'staff', staffId: input.staffId });
  await sendLetter(
    trx,
    locked,
    'complaint.refusal',
    {
      refusalReason: letters.refusalReasonText(input.reason, windowMonths),
      details,
      ...letters.OMBUDSMAN_PERSONALISATION,
    },
    `complaint.refused:${complaintId}`,
    options,
  );
  await auditStaffChange(trx, 'complaint', locked, input, 'complaint.refused', { reason: input.reason });
}

/**
 * Moves the complaint to the next stage at the resident's request (no reason needed) or when staff record
 * a request made by phone or letter. Allowed once the current stage has been answered, or when its response
 * is overdue.
 */
export async function escalateComplaint(
  trx: Tx,
  complaintId: string,
  input: { actor: ComplaintActor; now: Date; requestedOn?: IsoDate; reason?: string | null },
  options: ComplaintsOptions = {},
): Promise<{ stage: ComplaintStageNumber; respondBy: IsoDate }> {
  const { locked, stage } = await lockOpen(trx, complaintId);
  const today = todayOf(input.now);
  const overdue = locked.status === 'open' && !stage.responded_on && stage.respond_by < today;
  if (locked.status !== 'responded' && !overdue)
    throw new DomainRuleError(
      'A complaint can be escalated once the council has responded, or when its response is late',
    );
  const next = (stage.stage + 1) as ComplaintStageNumber;
  if (next > finalStageOf(locked.workflow_type))
    throw new DomainRuleError('This complaint is already at its final stage');
  const requestedOn = input.requestedOn ?? today;
  assertDate(requestedOn, 'The date of the request', { notBefore: stage.started_on, notAfter: today });
  const clock = stageClock(
    { workflowType: locked.workflow_type, stage: next, startedOn: requestedOn },
    calendarOf(options),
  );
  await repo.insertStage(trx, {
    authority_id: locked.authority_id,
    complaint_id: complaintId,
    stage: next,
    started_on: requestedOn,
    acknowledge_by: clock.acknowledgeBy,
    respond_by: clock.respondBy,
    escalation_reason: clean(input.reason),
    created_at: input.now,
  });
  await repo.updateComplaint(trx, complaintId, {
    stage: next,
    status: 'open',
    closed_on: null,
    updated_at: input.now,
  });
  await moveCase(trx, locked, 'escalated', input.now, input.actor);
  await followCase(trx, locked, clock.respondBy, input.now);
  await sendLetter(
    trx,
    locked,
    'complaint.escalation_acknowledgement',
    {
      stageName: letters.stageName(next, locked.workflow_type),
      acknowledgeBy: clock.acknowledgeBy ? formatDate(clock.acknowledgeBy) : null,
      respondBy: formatDate(clock.respondBy),
    },
    `complaint.escalated:${complaintId}:${next}`,
    options,
  );
  await auditChange(trx, 'complaint', locked, input.actor, input.now, 'complaint.escalated', {
    stage: next,
    requestedOn,
    reasonGiven: clean(input.reason) !== null,
  });
  return { stage: next, respondBy: clock.respondBy };
}

/** Assigns the current stage to an officer with `complaints:manage` (stage 2+: not an earlier stage's handler). */
export async function assignHandler(
  trx: Tx,
  complaintId: string,
  input: StaffCommand & { handlerId: string },
): Promise<void> {
  const { locked, stage, stages } = await lockOpen(trx, complaintId);
  assertOpen(locked, stage);
  const handler = await activeStaffMember(trx, input.handlerId, { permission: 'complaints:manage' });
  if (!handler) throw new DomainRuleError('Choose an officer who handles complaints');
  assertDifferentOfficer(stages, stage.stage, input.handlerId);
  await repo.updateStage(trx, complaintId, stage.stage, { handler_id: input.handlerId });
  await auditStaffChange(trx, 'complaint', locked, input, 'complaint.assigned', {
    stage: stage.stage,
    handlerId: input.handlerId,
  });
}

export async function addRemedy(
  trx: Tx,
  complaintId: string,
  input: StaffCommand & {
    kind: RemedyKind;
    description: string;
    dueOn?: IsoDate | null;
    amountPence?: number | null;
  },
): Promise<string> {
  const { locked, stage } = await lockOpen(trx, complaintId);
  if (locked.status === 'refused') throw new DomainRuleError('This complaint was refused');
  const description = clean(input.description);
  if (!description) throw new DomainRuleError('Describe the remedy');
  if (input.kind === 'financial' && (input.amountPence ?? 0) <= 0)
    throw new DomainRuleError('Enter the amount of the financial remedy');
  if (input.dueOn) assertDate(input.dueOn, 'The date the remedy is due', { notBefore: locked.received_on });
  const id = await repo.insertRemedy(trx, {
    authority_id: locked.authority_id,
    complaint_id: complaintId,
    stage: stage.stage,
    kind: input.kind,
    description,
    amount_pence: input.kind === 'financial' ? (input.amountPence ?? null) : null,
    due_on: input.dueOn ?? null,
    created_by: input.staffId,
    created_at: input.now,
  });
  await auditStaffChange(trx, 'complaint', locked, input, 'complaint.remedy_added', { kind: input.kind });
  return id;
}

export async function completeRemedy(
  trx: Tx,
  complaintId: string,
  remedyId: string,
  input: StaffCommand,
): Promise<void> {
  const locked = await repo.lockComplaint(trx, complaintId);
  if (!locked) throw new NotFoundError('No such complaint');
  if (!(await repo.completeRemedy(trx, complaintId, remedyId, todayOf(input.now))))
    throw new ConflictError('That remedy is already marked as done');
  await auditStaffChange(trx, 'complaint', locked, input, 'complaint.remedy_completed', { remedyId });
}

/** Records the root cause (and the service the complaint is about) for learning and reports. */
export async function setRootCause(
  trx: Tx,
  complaintId: string,
  input: StaffCommand & { rootCause: RootCause; aboutServiceId?: string | null },
): Promise<void> {
  const locked = await repo.lockComplaint(trx, complaintId);
  if (!locked) throw new NotFoundError('No such complaint');
  if (!(ROOT_CAUSES as readonly string[]).includes(input.rootCause))
    throw new DomainRuleError('Choose a root cause');
  const values: Parameters<typeof repo.updateComplaint>[2] = {
    root_cause: input.rootCause,
    updated_at: input.now,
  };
  if (input.aboutServiceId) {
    const service = await findServiceSummary(trx, input.aboutServiceId);
    if (!service) throw new DomainRuleError('Choose a service');
    values.about_service_id = service.id;
    values.about_team_id = service.teamId;
  }
  await repo.updateComplaint(trx, complaintId, values);
  await auditStaffChange(trx, 'complaint', locked, input, 'complaint.root_cause_set', {
    rootCause: input.rootCause,
  });
}

// ---------------------------------------------------------------------------------------------------
// Learning actions

export async function addLearningAction(
  trx: Tx,
  input: StaffCommand & {
    authorityId: string;
    complaintId?: string | null;
    teamId?: string | null;
    description: string;
    ownerId: string;
    dueOn: IsoDate;
  },
): Promise<string> {
  const description = clean(input.description);
  if (!description) throw new DomainRuleError('Describe the learning action');
  assertDate(input.dueOn, 'The due date', {});
  const owner = await activeStaffMember(trx, input.ownerId);
  if (!owner) throw new DomainRuleError('Choose an owner');
  const id = await repo.insertLearningAction(trx, {
    authority_id: input.authorityId,
    complaint_id: input.complaintId ?? null,
    team_id: input.teamId ?? null,
    description,
    owner_id: owner.id,
    due_on: input.dueOn,
    created_by: input.staffId,
    created_at: input.now,
  });
  await auditStaffChange(
    trx,
    'learning_action',
    { id, authority_id: input.authorityId },
    input,
    'complaint.learning_action_added',
    { complaintId: input.complaintId ?? null },
  );
  return id;
}

/** A learning action that comes out of a complaint (the complaint's council owns it). */
export async function addComplaintLearningAction(
  trx: Tx,
  complaintId: string,
  input: Omit<Parameters<typeof addLearningAction>[1], 'authorityId' | 'complaintId'>,
): Promise<string> {
  const complaint = await repo.findComplaintRow(trx, complaintId);
  if (!complaint) throw new NotFoundError('No such complaint');
  return addLearningAction(trx, { ...input, authorityId: complaint.authority_id, complaintId });
}

export async function completeLearningAction(
  trx: Tx,
  id: string,
  input: StaffCommand & { note?: string | null; authorityIds: string[] },
): Promise<void> {
  const action = await repo.findLearningAction(trx, id);
  if (!action || !input.authorityIds.includes(action.authority_id))
    throw new NotFoundError('No such learning action');
  if (
    !(await repo.completeLearningAction(trx, id, {
      on: todayOf(input.now),
      by: input.staffId,
      note: clean(input.note),
    }))
  )
    throw new ConflictError('That learning action is already complete');
  await auditStaffChange(trx, 'learning_action', action, input, 'complaint.learning_action_completed');
}

// ---------------------------------------------------------------------------------------------------
// Reads

function toStageView(row: repo.StageRow): StageView {
  return {
    stage: row.stage as ComplaintStageNumber,
    startedOn: row.started_on,
    acknowledgeBy: row.acknowledge_by,
    acknowledgedOn: row.acknowledged_on,
    respondBy: row.respond_by,
    extensionDays: row.extension_days,
    extensionReason: row.extension_reason,
    extendedOn: row.extended_on,
    handlerId: row.handler_id,
    handlerName: row.handler_name,
    respondedOn: row.responded_on,
    decision: row.decision,
    reasons: row.reasons,
    outcome: row.outcome,
    outstandingActions: row.outstanding_actions,
    responseText: row.response_text,
    escalationReason: row.escalation_reason,
    onTime: row.responded_on ? row.responded_on <= row.respond_by : null,
  };
}

function toLearningView(row: repo.LearningRow): LearningActionView {
  return {
    id: row.id,
    complaintId: row.complaint_id,
    complaintReference: row.complaint_reference,
    teamId: row.team_id,
    teamName: row.team_name,
    description: row.description,
    ownerId: row.owner_id,
    ownerName: row.owner_name,
    dueOn: row.due_on,
    completedOn: row.completed_on,
    completionNote: row.completion_note,
  };
}

/** Everything about one complaint, or null. Authority checks are the caller's (see complaints.policy.ts). */
export async function getComplaint(
  db: Db | Tx,
  complaintId: string,
  options: ComplaintsOptions = {},
): Promise<ComplaintView | null> {
  const row = await repo.findComplaintRow(db, complaintId);
  if (!row) return null;
  const [stages, remedies, learning, linked] = await Promise.all([
    repo.stagesOf(db, complaintId),
    repo.remediesOf(db, complaintId),
    repo.learningActionsOfComplaint(db, complaintId),
    row.linked_case_id ? caseSummary(db, row.linked_case_id) : Promise.resolve(null),
  ]);
  return {
    id: row.id,
    authorityId: row.authority_id,
    caseId: row.case_id,
    reference: row.reference,
    customerId: row.customer_id,
    customerName: personName(row),
    contactName: row.guest_name,
    linkedCase: linked
      ? {
          id: linked.id,
          reference: linked.reference,
          serviceName: linked.service.name,
          status: linked.status,
          closed: linked.closedAt !== null,
        }
      : null,
    aboutServiceId: row.about_service_id,
    aboutServiceName: row.about_service_name,
    aboutTeamId: row.about_team_id,
    workflowType: row.workflow_type,
    stage: row.stage as ComplaintStageNumber,
    status: row.status,
    receivedOn: row.received_on,
    matterDate: row.matter_date,
    summary: row.summary,
    desiredOutcome: row.desired_outcome,
    reasonableAdjustments: row.reasonable_adjustments,
    rootCause: (row.root_cause as RootCause | null) ?? null,
    refusalReason: (row.refusal_reason as RefusalReason | null) ?? null,
    refusalDetails: row.refusal_details,
    refusedOn: row.refused_on,
    closedOn: row.closed_on,
    withinWindow: withinWindow(
      row.matter_date,
      row.received_on,
      options.windowMonths ?? DEFAULT_WINDOW_MONTHS,
    ),
    stages: stages.map(toStageView),
    remedies: remedies.map((r) => ({
      id: r.id,
      stage: r.stage,
      kind: r.kind,
      description: r.description,
      amountPence: r.amount_pence,
      dueOn: r.due_on,
      completedOn: r.completed_on,
    })),
    learningActions: learning.map(toLearningView),
  };
}

export async function findComplaintIdByCase(db: Db | Tx, caseId: string): Promise<string | null> {
  return (await repo.findComplaintIdByCase(db, caseId))?.id ?? null;
}

/** The complaint with this case reference (as typed), with its council, or null. */
export const findComplaintByReference = (db: Db | Tx, reference: string) =>
  recordByCaseReference(db, reference, (caseId) => repo.findComplaintIdByCase(db, caseId));

/** The deadlines of the current stage (for the API and queues). */
export function currentDeadlines(view: ComplaintView): ComplaintDeadlines {
  const stage = view.stages.find((s) => s.stage === view.stage);
  if (!stage) throw new Error('complaint without its current stage');
  const open = view.status === 'open';
  return {
    acknowledgeBy: stage.acknowledgeBy,
    respondBy: stage.respondBy,
    next: !open
      ? null
      : stage.acknowledgedOn === null && stage.acknowledgeBy
        ? stage.acknowledgeBy
        : stage.respondBy,
  };
}

const complaintQueueItem = (r: repo.QueueRow): QueueItem => ({
  id: r.id,
  caseId: r.case_id,
  reference: r.reference,
  customerName: personName(r) ?? r.guest_name,
  stage: r.stage as ComplaintStageNumber,
  workflowType: r.workflow_type,
  status: r.status,
  receivedOn: r.received_on,
  acknowledgedOn: r.acknowledged_on,
  acknowledgeBy: r.acknowledge_by,
  respondBy: r.respond_by,
  extended: r.extension_days !== null,
  handlerName: r.handler_name,
  summary: r.summary,
});

/** Complaints of the councils, open (or answered and closed), the most urgent deadline first. */
export const listQueue = async (
  db: Db | Tx,
  filter: { authorityIds: string[]; open: boolean; handlerId?: string | null },
): Promise<QueueItem[]> => (await repo.queue(db, filter)).map(complaintQueueItem);

export async function listLearningActions(
  db: Db | Tx,
  authorityIds: string[],
  open: boolean,
): Promise<LearningActionView[]> {
  if (authorityIds.length === 0) return [];
  return (await repo.learningActionsOfAuthorities(db, authorityIds, open)).map(toLearningView);
}

/** Pickers for staff forms: officers who handle complaints, all active staff (owners), teams, services. */
export async function staffFormOptions(db: Db | Tx, authorityIds: string[]) {
  const [handlers, owners, teams, services] = await Promise.all([
    staffPicker(db, authorityIds, { permission: 'complaints:manage' }),
    staffPicker(db, authorityIds),
    teamPicker(db, authorityIds),
    servicePicker(db, authorityIds),
  ]);
  return { handlers, owners, teams, services };
}

/** Complaint stages responded to between two dates, for the timeliness report. */
export async function respondedComplaintStages(
  db: Db | Tx,
  filter: { from: IsoDate; to: IsoDate; authorityIds?: string[] },
): Promise<
  {
    stage: number;
    respondedOn: IsoDate;
    respondBy: IsoDate;
    onTime: boolean;
    workflowType: WorkflowType;
    serviceName: string | null;
    rootCause: string | null;
    authorityId: string;
  }[]
> {
  const rows = await repo.respondedStages(db, filter);
  return rows.map((r) => ({
    stage: r.stage,
    respondedOn: r.responded_on!,
    respondBy: r.respond_by,
    onTime: r.responded_on! <= r.respond_by,
    workflowType: r.workflow_type,
    serviceName: r.service_name,
    rootCause: r.root_cause,
    authorityId: r.authority_id,
  }));
}

/**
 * Complaint stages still open on `asOf`, each with whether its response deadline had already passed, so the
 * timeliness report can show what is waiting as well as what was answered.
 */
export async function openComplaintStages(
  db: Db | Tx,
  filter: { asOf: IsoDate; authorityIds?: string[] },
): Promise<
  {
    stage: number;
    respondBy: IsoDate;
    overdue: boolean;
    workflowType: WorkflowType;
    serviceName: string | null;
    authorityId: string;
  }[]
> {
  const rows = await repo.openStagesOn(db, filter);
  return rows.map((r) => ({
    stage: r.stage,
    respondBy: r.respond_by,
    overdue: r.respond_by < filter.asOf,
    workflowType: r.workflow_type,
    serviceName: r.service_name,
    authorityId: r.authority_id,
  }));
}
