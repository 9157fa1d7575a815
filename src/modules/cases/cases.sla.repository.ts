/**
 * SQL for SLA clocks, extensions and the warning/breach scan (cases, case_events; reads services,
 * staff_users, staff_team_members, teams). The scan's claims are single conditional UPDATEs, so two
 * workers racing for the same case cannot both win.
 */
import { sql } from 'kysely';
import type { Db, Tx } from '../../platform/db/index.ts';

type Q = Db | Tx;

const clockColumns = [
  'c.id',
  'c.authority_id',
  'c.reference',
  'c.received_at',
  'c.due_at',
  'c.sla_paused_at',
  'c.closed_at',
  'c.sla_extension_days',
  'c.sla_warned_at',
  'c.sla_breached_at',
  'c.team_id',
  'c.assignee_id',
  's.sla',
  's.kind as service_kind',
  's.name as service_name',
] as const;

/** What the SLA clock of each case needs (one query for many cases). */
export function clockRows(db: Q, caseIds: readonly string[]) {
  return db
    .selectFrom('cases as c')
    .innerJoin('services as s', 's.id', 'c.service_id')
    .select(clockColumns)
    .where('c.id', 'in', [...caseIds])
    .execute();
}

export type ClockRow = Awaited<ReturnType<typeof clockRows>>[number];

/** The case's clock facts, locked for the rest of the transaction. */
export function lockClockRow(trx: Tx, caseId: string) {
  return trx
    .selectFrom('cases as c')
    .innerJoin('services as s', 's.id', 'c.service_id')
    .select(clockColumns)
    .where('c.id', '=', caseId)
    .forUpdate('c')
    .executeTakeFirst();
}

/** Completed pauses (`sla_resumed` events carry `{ from, to }`) of many cases, keyed by case id. */
export async function completedPausesOf(
  db: Q,
  caseIds: readonly string[],
): Promise<Map<string, { from: Date; to: Date }[]>> {
  const out = new Map<string, { from: Date; to: Date }[]>();
  if (caseIds.length === 0) return out;
  const rows = await db
    .selectFrom('case_events')
    .select(['case_id', 'data'])
    .where('case_id', 'in', [...caseIds])
    .where('kind', '=', 'sla_resumed')
    .orderBy('created_at')
    .execute();
  for (const r of rows) {
    const from = typeof r.data.from === 'string' ? new Date(r.data.from) : null;
    const to = typeof r.data.to === 'string' ? new Date(r.data.to) : null;
    if (!from || !to || Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) continue;
    const list = out.get(r.case_id) ?? [];
    list.push({ from, to });
    out.set(r.case_id, list);
  }
  return out;
}

/** Working days added to the case's clock by extensions (0 when none, or no such case). */
export async function slaExtensionDays(db: Q, caseId: string): Promise<number> {
  const row = await db
    .selectFrom('cases')
    .select('sla_extension_days')
    .where('id', '=', caseId)
    .executeTakeFirst();
  return row?.sla_extension_days ?? 0;
}

export async function updateExtension(
  db: Q,
  caseId: string,
  values: {
    sla_extension_days: number;
    due_at: Date;
    sla_warned_at?: null;
    sla_breached_at?: null;
    updated_at: Date;
  },
): Promise<void> {
  await db.updateTable('cases').set(values).where('id', '=', caseId).execute();
}

export interface ScanCursor {
  dueAt: Date;
  id: string;
}

/**
 * Open, running (not paused), not yet escalated cases that may need a warning or an escalation at `now`,
 * in due order, `limit` at a time after `cursor`. Overdue cases always qualify; cases not yet warned
 * qualify when `due_at` is within half the time elapsed since receipt plus 7 days — a safe superset of
 * "80% of the allowance used" (consumed working time never exceeds elapsed days, and weekends and the
 * longest bank-holiday run fit in the slack); the caller decides exactly with the clock. Uses
 * `cases_sla_scan_idx`.
 */
export function scanCandidates(
  db: Q,
  now: Date,
  cursor: ScanCursor | null,
  limit: number,
  authorityId?: string,
) {
  let query = db
    .selectFrom('cases as c')
    .innerJoin('services as s', 's.id', 'c.service_id')
    .select(clockColumns)
    .where('c.closed_at', 'is', null)
    .where('c.due_at', 'is not', null)
    .where('c.sla_breached_at', 'is', null)
    .where('c.sla_paused_at', 'is', null)
    .where((eb) =>
      eb.or([
        eb('c.due_at', '<', now),
        eb.and([
          eb('c.sla_warned_at', 'is', null),
          sql<boolean>`c.due_at <= ${now}::timestamptz + (${now}::timestamptz - c.received_at) * 0.5 + interval '7 days'`,
        ]),
      ]),
    );
  if (authorityId) query = query.where('c.authority_id', '=', authorityId);
  if (cursor)
    query = query.where((eb) =>
      eb.or([
        eb('c.due_at', '>', cursor.dueAt),
        eb.and([eb('c.due_at', '=', cursor.dueAt), eb('c.id', '>', cursor.id)]),
      ]),
    );
  return query.orderBy('c.due_at').orderBy('c.id').limit(limit).execute();
}

/** Claims the warning: true for exactly one caller per case (the statement that set `sla_warned_at`). */
export async function claimWarning(trx: Tx, caseId: string, now: Date): Promise<boolean> {
  const row = await trx
    .updateTable('cases')
    .set({ sla_warned_at: now })
    .where('id', '=', caseId)
    .where('sla_warned_at', 'is', null)
    .where('sla_breached_at', 'is', null)
    .where('closed_at', 'is', null)
    .where('sla_paused_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Claims the breach escalation (and the warning, if it had not been sent): true for exactly one caller
 * per case, and only while the case is still open, running and past `due_at`.
 */
export async function claimBreach(trx: Tx, caseId: string, now: Date): Promise<boolean> {
  const row = await trx
    .updateTable('cases')
    .set((eb) => ({
      sla_breached_at: now,
      sla_warned_at: eb.fn.coalesce('sla_warned_at', sql<Date>`${now}::timestamptz`),
    }))
    .where('id', '=', caseId)
    .where('sla_breached_at', 'is', null)
    .where('closed_at', 'is', null)
    .where('sla_paused_at', 'is', null)
    .where('due_at', '<', now)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export interface StaffRecipient {
  id: string;
  email: string;
  name: string;
}

/** The assignee, if active. */
export async function activeStaff(db: Q, staffId: string): Promise<StaffRecipient | null> {
  const row = await db
    .selectFrom('staff_users')
    .select(['id', 'email', 'display_name as name'])
    .where('id', '=', staffId)
    .where('active', '=', true)
    .executeTakeFirst();
  return row ?? null;
}

/** The team's active leaders, by name. */
export function teamLeaders(db: Q, teamId: string): Promise<StaffRecipient[]> {
  return db
    .selectFrom('staff_team_members as m')
    .innerJoin('staff_users as u', 'u.id', 'm.staff_user_id')
    .select(['u.id', 'u.email', 'u.display_name as name'])
    .where('m.team_id', '=', teamId)
    .where('m.is_leader', '=', true)
    .where('u.active', '=', true)
    .orderBy('u.display_name')
    .execute();
}

export function teamContact(db: Q, teamId: string) {
  return db.selectFrom('teams').select(['id', 'name', 'email']).where('id', '=', teamId).executeTakeFirst();
}
