/**
 * SLA clocks of cases: the snapshot staff screens show (due date, state, fraction used), extensions with
 * a reason, and the warning/breach scan the worker runs every few minutes.
 *
 * A case's clock is `SlaClock` (src/platform/clocks/sla.ts) over its service's `sla` policy, started at
 * `received_at`, with the completed pauses recorded on the timeline (`sla_resumed` events carry
 * `{ from, to }`), the open pause (`sla_paused_at`) and `sla_extension_days` working days of extensions,
 * on the cases calendar ({@link defaultCaseCalendar}). `due_at` on the row is the same clock without the
 * open pause: it is recomputed whenever a pause ends or an extension is granted.
 *
 * The scan sends each warning (at {@link SLA_WARNING_THRESHOLD} of the allowance) and each breach
 * escalation once: the conditional UPDATE that sets `sla_warned_at` / `sla_breached_at` is the claim, and
 * the messages and timeline event are written in the same transaction, so only the claimant sends.
 */
import { audit } from '../../platform/audit/index.ts';
import type { WorkingDayCalendar } from '../../platform/calendar/index.ts';
import {
  SLA_WARNING_THRESHOLD,
  SlaClock,
  fixedDueSnapshot,
  type SlaPause,
  type SlaSnapshot,
} from '../../platform/clocks/index.ts';
import { withTransaction, type Db, type SlaPolicy, type Tx } from '../../platform/db/index.ts';
import { DomainRuleError, NotFoundError } from '../../platform/http/errors.ts';
import { formatDate } from '../../platform/views/index.ts';
import { queueMessage } from '../notifications/index.ts';
import * as repo from './cases.repository.ts';
import * as slaRepo from './cases.sla.repository.ts';
import { defaultCaseCalendar } from './cases.service.ts';
import { keepsStatutoryClock } from './cases.statutory.ts';
import type { CaseActor } from './cases.types.ts';

/** The most working days one extension may add. */
export const MAX_EXTENSION_DAYS = 60;

/** A case's SLA clock at a moment: the platform snapshot plus the case's own facts. */
export interface CaseSla extends SlaSnapshot {
  caseId: string;
  /** The clock is stopped (awaiting the resident). */
  paused: boolean;
  /** The case is closed: the snapshot is as of `closedAt`, the clock no longer runs. */
  closed: boolean;
  closedAt: Date | null;
  extensionDays: number;
  warnedAt: Date | null;
  breachedAt: Date | null;
}

type Clockable = Pick<
  slaRepo.ClockRow,
  | 'id'
  | 'sla'
  | 'service_kind'
  | 'received_at'
  | 'due_at'
  | 'sla_paused_at'
  | 'closed_at'
  | 'sla_extension_days'
>;

/**
 * The case's clock at `at`. A statutory case (cases.statutory.ts) is due when its record says, so its
 * snapshot is over the stored `due_at`; every other case counts its service's SLA.
 */
function clockSnapshot(
  row: Clockable,
  completed: SlaPause[],
  at: Date,
  calendar: WorkingDayCalendar,
): SlaSnapshot {
  if (keepsStatutoryClock(row.service_kind) && row.due_at)
    return fixedDueSnapshot(
      { startedAt: row.received_at, dueAt: row.due_at, paused: row.sla_paused_at !== null },
      calendar,
      at,
    );
  return clockOf(row, completed, calendar).snapshot(at);
}

function clockOf(row: Clockable, completed: SlaPause[], calendar: WorkingDayCalendar): SlaClock {
  const pauses: SlaPause[] = [...completed];
  if (row.sla_paused_at) pauses.push({ from: row.sla_paused_at, to: null });
  const days = row.sla_extension_days;
  return new SlaClock(
    {
      policy: row.sla,
      startedAt: row.received_at,
      pauses,
      extensions: days > 0 ? [{ days, reason: 'extended' }] : [],
    },
    calendar,
  );
}

/** `due_at` as stored on the case: the clock with its completed pauses and extensions, no open pause. */
export function storedDueAt(
  policy: SlaPolicy,
  receivedAt: Date,
  completed: SlaPause[],
  extensionDays: number,
  calendar: WorkingDayCalendar = defaultCaseCalendar(),
): Date {
  return new SlaClock(
    {
      policy,
      startedAt: receivedAt,
      pauses: completed,
      extensions: extensionDays > 0 ? [{ days: extensionDays, reason: 'extended' }] : [],
    },
    calendar,
  ).dueAt();
}

function snapshotOf(
  row: slaRepo.ClockRow,
  completed: SlaPause[],
  now: Date,
  calendar: WorkingDayCalendar,
): CaseSla {
  const at = row.closed_at && row.closed_at.getTime() < now.getTime() ? row.closed_at : now;
  const snapshot = clockSnapshot(row, completed, at, calendar);
  return {
    ...snapshot,
    caseId: row.id,
    paused: row.sla_paused_at !== null && row.closed_at === null,
    closed: row.closed_at !== null,
    closedAt: row.closed_at,
    extensionDays: row.sla_extension_days,
    warnedAt: row.sla_warned_at,
    breachedAt: row.sla_breached_at,
  };
}

/**
 * The SLA clocks of many cases at `now`, keyed by case id (two queries whatever the number: for queue
 * pages). Cases that do not exist are left out, and so are statutory cases with no due date (their record
 * has stopped the clock or expects nothing of the council yet). A closed case's clock is frozen at `closed_at`.
 */
export async function caseSlaSnapshots(
  db: Db | Tx,
  caseIds: readonly string[],
  now: Date,
  options: { calendar?: WorkingDayCalendar } = {},
): Promise<Map<string, CaseSla>> {
  const out = new Map<string, CaseSla>();
  if (caseIds.length === 0) return out;
  const calendar = options.calendar ?? defaultCaseCalendar();
  const rows = await slaRepo.clockRows(db, caseIds);
  const pauses = await slaRepo.completedPausesOf(db, caseIds);
  for (const row of rows) {
    // A statutory clock with no date (stopped, or nothing due until the resident acts) has no snapshot.
    if (keepsStatutoryClock(row.service_kind) && !row.due_at) continue;
    out.set(row.id, snapshotOf(row, pauses.get(row.id) ?? [], now, calendar));
  }
  return out;
}

/** The SLA clock of one case at `now` (see {@link caseSlaSnapshots}); null when there is no such case. */
export async function caseSlaSnapshot(
  db: Db | Tx,
  caseRef: string | { id: string },
  now: Date,
  options: { calendar?: WorkingDayCalendar } = {},
): Promise<CaseSla | null> {
  const id = typeof caseRef === 'string' ? caseRef : caseRef.id;
  return (await caseSlaSnapshots(db, [id], now, options)).get(id) ?? null;
}

// ---------------------------------------------------------------------------------------------------
// Extensions

export interface SlaExtensionResult {
  caseId: string;
  dueAt: Date;
  previousDueAt: Date | null;
  extensionDays: number;
  eventId: string;
}

/**
 * Gives a case `days` more working days (calendar days or 24-hour periods for such policies), for a
 * stated reason: adds to `sla_extension_days`, recomputes `due_at` exactly as resuming a pause does, and
 * writes a staff-only `sla_extended` event and a `case.sla_extended` audit row. If the new due date takes
 * the case out of breach or below the warning threshold, `sla_breached_at` / `sla_warned_at` are cleared
 * so the escalation can fire again against the new date.
 */
export async function extendSla(
  trx: Tx,
  caseId: string,
  input: { days: number; reason: string },
  actor: CaseActor,
  options: { at?: Date; calendar?: WorkingDayCalendar; requestId?: string } = {},
): Promise<SlaExtensionResult> {
  const reason = typeof input.reason === 'string' ? input.reason.trim() : '';
  if (reason === '') throw new DomainRuleError('Give a reason for the extension');
  if (!Number.isInteger(input.days) || input.days < 1 || input.days > MAX_EXTENSION_DAYS)
    throw new DomainRuleError(`An extension must be a whole number of days from 1 to ${MAX_EXTENSION_DAYS}`);
  const at = options.at ?? new Date();
  const calendar = options.calendar ?? defaultCaseCalendar();
  const row = await slaRepo.lockClockRow(trx, caseId);
  if (!row) throw new NotFoundError('No such case');
  if (row.closed_at) throw new DomainRuleError('A closed case cannot be extended');
  if (keepsStatutoryClock(row.service_kind))
    throw new DomainRuleError(
      'This deadline is set by law: extend it on the complaint or information request, where its rules apply',
    );

  const completed = (await slaRepo.completedPausesOf(trx, [caseId])).get(caseId) ?? [];
  const extensionDays = row.sla_extension_days + input.days;
  const dueAt = storedDueAt(row.sla, row.received_at, completed, extensionDays, calendar);
  const after = snapshotOf({ ...row, sla_extension_days: extensionDays }, completed, at, calendar);
  await slaRepo.updateExtension(trx, caseId, {
    sla_extension_days: extensionDays,
    due_at: dueAt,
    ...(after.state !== 'breached' ? { sla_breached_at: null } : {}),
    ...(after.fractionElapsed < SLA_WARNING_THRESHOLD ? { sla_warned_at: null } : {}),
    updated_at: at,
  });
  const staffId = actor.kind === 'staff' ? actor.staffId : null;
  const eventId = await repo.insertEvent(trx, {
    authority_id: row.authority_id,
    case_id: caseId,
    kind: 'sla_extended',
    visible_to_customer: false,
    body: reason,
    data: JSON.stringify({
      days: input.days,
      totalDays: extensionDays,
      reason,
      previousDueAt: row.due_at?.toISOString() ?? null,
      dueAt: dueAt.toISOString(),
    }),
    actor_staff_id: staffId,
    created_at: at,
  });
  await audit(trx, {
    actorType: staffId ? 'staff' : 'system',
    actorId: staffId,
    authorityId: row.authority_id,
    action: 'case.sla_extended',
    recordType: 'case',
    recordId: caseId,
    reason,
    requestId: options.requestId ?? null,
    details: { days: input.days, dueAt: dueAt.toISOString() },
    at,
  });
  return { caseId, dueAt, previousDueAt: row.due_at, extensionDays, eventId };
}

// ---------------------------------------------------------------------------------------------------
// Warning and breach scan

export interface SlaScanOptions {
  now: Date;
  /** Absolute base URL for the link to the case (relative `/staff/cases/:id` without it). */
  publicUrl?: string;
  calendar?: WorkingDayCalendar;
  batchSize?: number;
  /** Only this council's cases (tests; a per-tenant worker). Default: every authority. */
  authorityId?: string;
}

export interface SlaScanResult {
  /** Cases this call warned about / escalated (a racing worker's cases are not counted). */
  warned: number;
  breached: number;
}

type Kind = 'warning' | 'breach';

/** Who hears about it: warnings go to the assignee (else the team leaders), breaches to the leaders. */
async function recipientsFor(trx: Tx, row: slaRepo.ClockRow, kind: Kind): Promise<slaRepo.StaffRecipient[]> {
  const assignee = row.assignee_id ? await slaRepo.activeStaff(trx, row.assignee_id) : null;
  const leaders = await slaRepo.teamLeaders(trx, row.team_id);
  const chosen = kind === 'warning' ? (assignee ? [assignee] : leaders) : leaders.length ? leaders : [];
  if (chosen.length) return chosen;
  // Nobody leads the team: the team mailbox, else whoever has the case.
  const team = await slaRepo.teamContact(trx, row.team_id);
  if (team?.email) return [{ id: `team:${team.id}`, email: team.email, name: team.name }];
  return assignee ? [assignee] : [];
}

async function escalate(
  db: Db,
  row: slaRepo.ClockRow,
  kind: Kind,
  snapshot: SlaSnapshot,
  options: SlaScanOptions,
): Promise<boolean> {
  const { now } = options;
  return withTransaction(db, async (trx) => {
    const won =
      kind === 'warning'
        ? await slaRepo.claimWarning(trx, row.id, now)
        : await slaRepo.claimBreach(trx, row.id, now);
    if (!won) return false;
    const recipients = await recipientsFor(trx, row, kind);
    const caseUrl = `${(options.publicUrl ?? '').replace(/\/$/, '')}/staff/cases/${row.id}`;
    const dueAt = row.due_at ?? snapshot.dueAt;
    const template = kind === 'warning' ? 'case.sla_warning' : 'case.sla_breach';
    for (const person of recipients) {
      await queueMessage(trx, {
        authorityId: row.authority_id,
        customerId: null,
        caseId: row.id,
        channel: 'email',
        to: { email: person.email },
        template,
        personalisation: {
          name: person.name,
          reference: row.reference,
          serviceName: row.service_name,
          dueDate: formatDate(dueAt),
          caseUrl,
        },
        dedupeKey: `${template}:${row.id}:${person.id}:${now.getTime()}`,
      });
    }
    await repo.insertEvent(trx, {
      authority_id: row.authority_id,
      case_id: row.id,
      kind: kind === 'warning' ? 'sla_warning' : 'sla_breached',
      visible_to_customer: false,
      data: JSON.stringify({
        dueAt: dueAt.toISOString(),
        fractionElapsed: Math.round(snapshot.fractionElapsed * 1000) / 1000,
        notified: recipients.map((r) => ({ id: r.id, name: r.name })),
      }),
      created_at: now,
    });
    await audit(trx, {
      actorType: 'system',
      authorityId: row.authority_id,
      action: kind === 'warning' ? 'case.sla_warning' : 'case.sla_breached',
      recordType: 'case',
      recordId: row.id,
      details: { dueAt: dueAt.toISOString(), notified: recipients.length },
      at: now,
    });
    return true;
  });
}

/**
 * Finds open, running cases whose clock has reached the warning threshold or passed its due date and
 * sends each warning / escalation once (see the module comment). Safe to run from several workers at
 * once and as often as you like.
 */
export async function scanSla(db: Db, options: SlaScanOptions): Promise<SlaScanResult> {
  const calendar = options.calendar ?? defaultCaseCalendar();
  const limit = options.batchSize ?? 500;
  const result: SlaScanResult = { warned: 0, breached: 0 };
  let cursor: slaRepo.ScanCursor | null = null;
  for (;;) {
    const rows = await slaRepo.scanCandidates(db, options.now, cursor, limit, options.authorityId);
    if (rows.length === 0) break;
    const pauses = await slaRepo.completedPausesOf(
      db,
      rows.map((r) => r.id),
    );
    for (const row of rows) {
      const snapshot = clockSnapshot(row, pauses.get(row.id) ?? [], options.now, calendar);
      const overdue = row.due_at !== null && row.due_at.getTime() < options.now.getTime();
      if (overdue) {
        if (await escalate(db, row, 'breach', snapshot, options)) result.breached += 1;
      } else if (row.sla_warned_at === null && snapshot.fractionElapsed >= SLA_WARNING_THRESHOLD) {
        if (await escalate(db, row, 'warning', snapshot, options)) result.warned += 1;
      }
    }
    const last = rows[rows.length - 1];
    if (rows.length < limit || !last?.due_at) break;
    cursor = { dueAt: last.due_at, id: last.id };
  }
  return result;
}
