/**
 * Callback use-cases: promise one (staff, the portal, the phone channel's wrap-up), record an attempt (by
 * hand or from an outbound call), cancel, remind owners and escalate overdue ones, and the "callbacks kept
 * on time" figure. No request or reply here; SQL is in callbacks.repository.ts. See docs/callbacks.md.
 */
import {
  addWorkingHours,
  isWithinOfficeHours,
  loadDefaultCalendar,
  parseWallTime,
  zonedInstant,
  zonedParts,
  type OfficeHours,
  type WorkingDayCalendar,
} from '../../platform/calendar/index.ts';
import { audit, type AuditEntry } from '../../platform/audit/index.ts';
import type { Db, Tx } from '../../platform/db/index.ts';
import { withTransaction } from '../../platform/db/index.ts';
import type { CallbackAttemptOutcome } from '../../platform/db/schema.ts';
import { DomainRuleError } from '../../platform/http/errors.ts';
import { notifyStaff } from '../../platform/realtime/index.ts';
import { normalisePhone } from '../../platform/contact/index.ts';
import { formatDate } from '../../platform/views/index.ts';
import * as repo from './callbacks.repository.ts';

/** The callback settings (CALLBACK_* in docs/configuration.md). */
export interface CallbackSettings {
  /** The service standard: a callback without an agreed time is due this many working hours later. */
  standardHours: number;
  officeHours: OfficeHours;
  /** The owner is reminded this many minutes before a callback is due. */
  reminderLeadMinutes: number;
  /** Failed attempts before a callback is closed as not reached. */
  maxAttempts: number;
  /** The earliest next try after a failed attempt. */
  attemptSpacingMinutes: number;
}

export const DEFAULT_CALLBACK_SETTINGS: CallbackSettings = {
  standardHours: 2,
  officeHours: { open: '09:00', close: '17:00' },
  reminderLeadMinutes: 15,
  maxAttempts: 3,
  attemptSpacingMinutes: 30,
};

let calendarSingleton: WorkingDayCalendar | null = null;
/** England and Wales bank holidays; a date beyond the data counts weekends only (a callback is not statutory). */
export const callbackCalendar = (): WorkingDayCalendar =>
  (calendarSingleton ??= loadDefaultCalendar({ outOfRange: 'weekends-only' }));

/** When a callback promised at `now` within the service standard is due. */
export function dueWithinStandard(
  now: Date,
  settings: CallbackSettings,
  calendar = callbackCalendar(),
): Date {
  return addWorkingHours(calendar, now, settings.standardHours, settings.officeHours);
}

/** Why an agreed time cannot be promised (null when it can): in the future, within office hours, on a working day. */
export function agreedTimeProblem(
  at: Date,
  now: Date,
  settings: CallbackSettings,
  calendar = callbackCalendar(),
): string | null {
  if (at.getTime() <= now.getTime()) return 'The agreed time must be in the future';
  const { open, close } = settings.officeHours;
  if (!isWithinOfficeHours(calendar, at, settings.officeHours))
    return `The agreed time must be on a working day between ${open} and ${close}`;
  return null;
}

export type BestTime = 'morning' | 'afternoon' | 'any';

/**
 * When a callback asked for on the web is due: within the service standard, counted from when the caller
 * said they are free when that is later (morning 09:00–12:00, afternoon 12:00 to closing), so it is never
 * due before their best time starts.
 */
export function dueForRequest(
  now: Date,
  bestTime: BestTime,
  settings: CallbackSettings,
  calendar = callbackCalendar(),
): Date {
  const standard = dueWithinStandard(now, settings, calendar);
  if (bestTime !== 'afternoon') return standard;
  const day = zonedParts(standard).date;
  const noon = zonedInstant(day, '12:00');
  if (parseWallTime(settings.officeHours.close) <= 12 * 60 || standard.getTime() >= noon.getTime())
    return standard;
  return addWorkingHours(calendar, noon, settings.standardHours, settings.officeHours);
}

export interface PromiseInput {
  authorityId: string;
  customerId?: string | null;
  caseId?: string | null;
  serviceId?: string | null;
  teamId?: string | null;
  ownerId?: string | null;
  /** E.164. */
  phone: string;
  name?: string | null;
  topic: string;
  bestTime?: string | null;
  source: 'phone' | 'web' | 'staff' | 'system';
  originCallId?: string | null;
  originInteractionId?: string | null;
  dueAt: Date;
  /** A form token: the same key again returns the callback made the first time. */
  idempotencyKey?: string | null;
  createdBy?: string | null;
  now: Date;
  settings?: Pick<CallbackSettings, 'maxAttempts' | 'attemptSpacingMinutes'>;
  /** Who made the promise, for the audit row (default: the member of staff in createdBy, else the resident). */
  actor?: Pick<AuditEntry, 'actorType' | 'actorId'>;
}

/**
 * Promises a callback (in the caller's transaction). Idempotent on `idempotencyKey`: a retry returns the
 * first callback with `created: false` and changes nothing.
 */
export async function promiseCallback(
  trx: Tx,
  input: PromiseInput,
): Promise<{ id: string; dueAt: Date; created: boolean }> {
  const settings = input.settings ?? DEFAULT_CALLBACK_SETTINGS;
  if (!input.teamId && !input.ownerId && input.source === 'staff')
    throw new DomainRuleError('Choose who will call back');
  const result = await repo.insertCallback(trx, {
    authority_id: input.authorityId,
    customer_id: input.customerId ?? null,
    case_id: input.caseId ?? null,
    service_id: input.serviceId ?? null,
    team_id: input.teamId ?? null,
    owner_id: input.ownerId ?? null,
    phone: input.phone,
    name: input.name ?? null,
    topic: input.topic,
    best_time: input.bestTime ?? null,
    source: input.source,
    origin_call_id: input.originCallId ?? null,
    origin_interaction_id: input.originInteractionId ?? null,
    due_at: input.dueAt,
    max_attempts: settings.maxAttempts,
    attempt_spacing_minutes: settings.attemptSpacingMinutes,
    idempotency_key: input.idempotencyKey ?? null,
    created_by: input.createdBy ?? null,
    created_at: input.now,
  });
  if (result.created) {
    const actor =
      input.actor ??
      (input.createdBy
        ? { actorType: 'staff' as const, actorId: input.createdBy }
        : { actorType: 'anonymous' as const, actorId: null });
    await audit(trx, {
      ...actor,
      authorityId: input.authorityId,
      action: 'callbacks.promised',
      recordType: 'callback',
      recordId: result.id,
      details: {
        source: input.source,
        customerId: input.customerId ?? null,
        dueAt: input.dueAt.toISOString(),
      },
      at: input.now,
    });
  }
  return { id: result.id, dueAt: result.due_at, created: result.created };
}

type Locked = NonNullable<Awaited<ReturnType<typeof repo.lockCallback>>>;

/**
 * The attempt rules: answered ⇒ kept (on time when answered at or before the due time); a wrong number ⇒
 * not reached at once; any other failure ⇒ not reached once `max_attempts` attempts have failed, else the
 * next try is `attempt_spacing_minutes` later.
 */
async function applyAttempt(
  trx: Tx,
  callback: Locked,
  attempt: {
    outcome: CallbackAttemptOutcome;
    at: Date;
    staffId: string | null;
    note: string | null;
    callRowId: string | null;
  },
): Promise<void> {
  await repo.insertAttempt(trx, {
    callback_id: callback.id,
    call_row_id: attempt.callRowId,
    staff_id: attempt.staffId,
    at: attempt.at,
    outcome: attempt.outcome,
    note: attempt.note,
  });
  const attempts = callback.attempts + 1;
  if (attempt.outcome === 'answered') {
    await repo.updateAfterAttempt(trx, callback.id, {
      attempts,
      status: 'kept',
      next_attempt_at: null,
      completed_at: attempt.at,
      kept_on_time: attempt.at.getTime() <= callback.due_at.getTime(),
      outcome: 'answered',
    });
  } else if (attempt.outcome === 'wrong_number' || attempts >= callback.max_attempts) {
    await repo.updateAfterAttempt(trx, callback.id, {
      attempts,
      status: 'not_reached',
      next_attempt_at: null,
      completed_at: attempt.at,
      kept_on_time: false,
      outcome: attempt.outcome,
    });
  } else {
    await repo.updateAfterAttempt(trx, callback.id, {
      attempts,
      status: 'open',
      next_attempt_at: new Date(attempt.at.getTime() + callback.attempt_spacing_minutes * 60_000),
      completed_at: null,
      kept_on_time: null,
      outcome: null,
    });
  }
  if (attempt.callRowId) await repo.linkCall(trx, attempt.callRowId, callback.id);
}

/** Records an attempt by hand (the "Record an attempt" form). Refused when the callback is closed. */
export async function recordAttempt(
  trx: Tx,
  callbackId: string,
  input: { outcome: CallbackAttemptOutcome; note: string | null; staffId: string; at: Date },
): Promise<void> {
  const callback = await repo.lockCallback(trx, callbackId);
  if (!callback || callback.status !== 'open')
    throw new DomainRuleError('This callback is closed: no more attempts can be recorded');
  await applyAttempt(trx, callback, { ...input, callRowId: null });
  await audit(trx, {
    actorType: 'staff',
    actorId: input.staffId,
    authorityId: callback.authority_id,
    action: 'callbacks.attempt_recorded',
    recordType: 'callback',
    recordId: callbackId,
    details: { outcome: input.outcome },
    at: input.at,
  });
}

/** What a hang-up cause says about a call that was not answered. */
function outcomeOfCause(cause: string | undefined): CallbackAttemptOutcome {
  const c = (cause ?? '').toLowerCase();
  if (c.includes('busy')) return 'busy';
  if (c.includes('voicemail') || c.includes('machine')) return 'voicemail';
  if (c.includes('invalid') || c.includes('unallocated') || c.includes('wrong')) return 'wrong_number';
  return 'no_answer';
}

export interface CallbackCall {
  authorityId: string;
  /** `calls.id` of the outbound call. */
  callRowId: string;
  /** The resident's side of the call, E.164. */
  phone: string;
  staffId: string | null;
  /** When the call was answered, or ended unanswered. */
  at: Date;
  answered: boolean;
  /** The platform's hang-up cause for an unanswered call (busy, voicemail…); no answer when unknown. */
  cause?: string;
}

/**
 * An outbound call to a number with an open callback (the telephony module calls this when such a call is
 * answered or ends unanswered): records the attempt, linked to the call, on the council's open callback for
 * that number that is due first, with the same rules as a hand-recorded attempt. Idempotent per call: a
 * call already recorded returns its callback again and changes nothing. Returns the callback's id, or null
 * when the number has no open callback.
 */
export async function recordCallbackCall(trx: Tx, call: CallbackCall): Promise<string | null> {
  const earlier = await repo.attemptForCall(trx, call.callRowId);
  if (earlier) return earlier.callback_id;
  const callback = await repo.lockOpenCallbackForPhone(trx, call.authorityId, call.phone);
  if (!callback) return null;
  // Checked again under the lock: a concurrent retry of the same event may have recorded it meanwhile.
  const raced = await repo.attemptForCall(trx, call.callRowId);
  if (raced) return raced.callback_id;
  await applyAttempt(trx, callback, {
    outcome: call.answered ? 'answered' : outcomeOfCause(call.cause),
    at: call.at,
    staffId: call.staffId,
    note: null,
    callRowId: call.callRowId,
  });
  return callback.id;
}

export async function cancelCallback(
  trx: Tx,
  callbackId: string,
  input: { reason: string; staffId: string; now: Date },
): Promise<void> {
  const callback = await repo.lockCallback(trx, callbackId);
  if (
    !callback ||
    !(await repo.cancelCallback(trx, callbackId, { completed_at: input.now, outcome: input.reason }))
  )
    throw new DomainRuleError('This callback is already closed');
  await audit(trx, {
    actorType: 'staff',
    actorId: input.staffId,
    authorityId: callback.authority_id,
    action: 'callbacks.cancelled',
    recordType: 'callback',
    recordId: callbackId,
    details: { reason: input.reason },
    at: input.now,
  });
}

/** A callback's name for people: the customer's name, else the name given, else "Unknown caller". */
export function callbackName(row: {
  given_name?: string | null;
  family_name?: string | null;
  name: string | null;
}): string {
  const customer = [row.given_name, row.family_name].filter(Boolean).join(' ');
  return customer || row.name || 'Unknown caller';
}

type Claimed = Awaited<ReturnType<typeof repo.claimReminders>>[number];

async function namesOf(db: Db, rows: Claimed[]): Promise<Map<string, string>> {
  const ids = [...new Set(rows.map((r) => r.customer_id).filter((id): id is string => id !== null))];
  const names = await repo.customerNames(db, ids);
  return new Map(names.map((n) => [n.id, callbackName({ ...n, name: null })]));
}

/**
 * Reminders and escalations (the `callbacks.scan` job): an open callback due within the lead time is
 * marked reminded once and its owner told (a team-owned one: every member of the team); an overdue one is
 * marked escalated once and the team leaders told (its team's, else the owner's teams'). The marks commit
 * before anyone is told, so a push is never sent for a change that rolled back; a crash between the two
 * loses the push, and the staff home's "Callbacks due" panel still shows the callback.
 */
export async function scanCallbacks(
  db: Db,
  options: { now: Date; settings: CallbackSettings },
): Promise<{ reminded: number; escalated: number }> {
  const { now, settings } = options;
  const dueBefore = new Date(now.getTime() + settings.reminderLeadMinutes * 60_000);
  const { reminders, escalations } = await withTransaction(db, async (trx) => ({
    reminders: await repo.claimReminders(trx, dueBefore, now, 500),
    escalations: await repo.claimEscalations(trx, now, 500),
  }));
  const names = await namesOf(db, [...reminders, ...escalations]);
  const nameOf = (r: Claimed) =>
    (r.customer_id ? names.get(r.customer_id) : null) ?? r.name ?? 'Unknown caller';
  for (const r of reminders) {
    const to = r.owner_id ? [r.owner_id] : r.team_id ? await repo.teamMemberIds(db, r.team_id, false) : [];
    for (const staffId of to)
      await notifyStaff(db, staffId, {
        kind: 'callback_reminder',
        title: `Callback due at ${formatDate(r.due_at, 'time')}: ${nameOf(r)}`,
        body: r.topic,
        href: `/staff/callbacks/${r.id}`,
        callbackId: r.id,
      });
  }
  for (const r of escalations) {
    const to = r.team_id
      ? await repo.teamMemberIds(db, r.team_id, true)
      : r.owner_id
        ? await repo.leadersOfStaffTeams(db, r.owner_id)
        : [];
    for (const staffId of to)
      await notifyStaff(db, staffId, {
        kind: 'callback_overdue',
        title: `Callback overdue since ${formatDate(r.due_at, 'datetime')}: ${nameOf(r)}`,
        body: r.topic,
        href: `/staff/callbacks/${r.id}`,
        callbackId: r.id,
      });
  }
  return { reminded: reminders.length, escalated: escalations.length };
}

/** "Callbacks kept on time": callbacks due in [from, to) in these councils, cancelled ones left out. */
export async function callbacksKept(
  db: Db,
  period: { authorityIds: string[]; from: Date; to: Date },
): Promise<{ due: number; kept: number; keptOnTime: number; notReached: number; open: number }> {
  return repo.keptCounts(db, period.authorityIds, period.from, period.to);
}

/**
 * A resident asks for a callback on the web: it lands in the list of the council's callback team (see
 * {@link repo.callbackTeamOf}), linked to the customer when exactly one of the council's customers has that
 * number, and is due within the service standard (never before the best time starts). Durable before it is
 * acknowledged and idempotent on the form token.
 */
export async function requestCallback(
  db: Db,
  input: {
    authorityId: string;
    name: string;
    phone: string;
    bestTime: BestTime;
    topic: string;
    formToken: string;
    now: Date;
    settings: CallbackSettings;
  },
): Promise<{ id: string; dueAt: Date }> {
  return withTransaction(db, async (trx) => {
    const matches = await repo.customersWithPhone(trx, input.authorityId, input.phone);
    const promised = await promiseCallback(trx, {
      authorityId: input.authorityId,
      customerId: matches.length === 1 ? matches[0] : null,
      teamId: await repo.callbackTeamOf(trx, input.authorityId),
      phone: input.phone,
      name: input.name,
      topic: input.topic,
      bestTime: input.bestTime,
      source: 'web',
      dueAt: dueForRequest(input.now, input.bestTime, input.settings),
      idempotencyKey: `web:${input.formToken}`,
      now: input.now,
      settings: input.settings,
      actor: { actorType: 'anonymous', actorId: null },
    });
    return { id: promised.id, dueAt: promised.dueAt };
  });
}

/** The due time of a callback asked for on the web (for its confirmation page); null for any other. */
export async function webRequestDue(db: Db, id: string): Promise<Date | null> {
  const row = await repo.findCallback(db, id);
  return row && row.source === 'web' ? row.due_at : null;
}

export const listAuthorities = (db: Db) => repo.listAuthorities(db);
export const findCallback = (db: Db, id: string) => repo.findCallback(db, id);
export const listAttempts = (db: Db, id: string) => repo.listAttempts(db, id);
export const listOpenCallbacks = repo.listOpenCallbacks;
export const callbacksDueFor = repo.callbacksDueFor;

/** What the "Promise a callback" form starts from: the customer, their numbers and cases, and the call. */
export async function promiseContext(db: Db, ids: { customerId: string | null; callRowId: string | null }) {
  const call = ids.callRowId ? ((await repo.findCall(db, ids.callRowId)) ?? null) : null;
  const customerId = ids.customerId ?? call?.customer_id ?? null;
  const customer = customerId ? ((await repo.findCustomer(db, customerId)) ?? null) : null;
  return {
    call,
    customer,
    phones: customer ? await repo.customerPhones(db, customer.id) : [],
    cases: customer ? await repo.customerCases(db, customer.id) : [],
  };
}

export const findTeam = (db: Db, id: string) => repo.findTeam(db, id);

/** How far back the scan looks for requests we could not acknowledge. */
const UNREACHABLE_LOOKBACK_MS = 7 * 24 * 60 * 60_000;

/**
 * Honest contact (issue 17, item 3): a request whose acknowledgement could not be sent to anyone (the
 * resident gave only a landline, or nothing we can write to) becomes a "call the resident" callback for the
 * team that owns the case, due within the callback standard, once per case (`unreachable:<case id>`).
 * Part of the `callbacks.scan` job (every minute), so the submission itself costs nothing more. A request
 * with no number at all gets none (its failed message is in the staff outbox). Returns how many were made.
 */
export async function promiseCallsForUnreachable(
  db: Db,
  options: { now: Date; settings: CallbackSettings },
): Promise<number> {
  const rows = await repo.unreachableNewCases(
    db,
    new Date(options.now.getTime() - UNREACHABLE_LOOKBACK_MS),
    200,
  );
  let made = 0;
  for (const row of rows) {
    const phone = normalisePhone(row.guest_phone ?? row.customer_phone);
    if (!phone) continue;
    const name = row.guest_name ?? ([row.given_name, row.family_name].filter(Boolean).join(' ') || null);
    const result = await withTransaction(db, (trx) =>
      promiseCallback(trx, {
        authorityId: row.authority_id,
        customerId: row.customer_id,
        caseId: row.id,
        serviceId: row.service_id,
        teamId: row.team_id,
        phone,
        name,
        topic: `Call the resident about ${row.reference}: we have no email address or mobile number for them, so they have not had our acknowledgement`,
        source: 'system',
        dueAt: dueWithinStandard(options.now, options.settings),
        idempotencyKey: `unreachable:${row.id}`,
        now: options.now,
        settings: options.settings,
        actor: { actorType: 'system', actorId: null },
      }),
    );
    if (result.created) made += 1;
  }
  return made;
}
