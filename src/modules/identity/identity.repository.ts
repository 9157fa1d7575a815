import type { Db, Tx } from '../../platform/db/index.ts';

export function findStaffByEmail(db: Db | Tx, email: string) {
  return db
    .selectFrom('staff_users')
    .selectAll()
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.trim().toLowerCase()))
    .executeTakeFirst();
}

export function findStaffById(db: Db | Tx, id: string) {
  return db.selectFrom('staff_users').selectAll().where('id', '=', id).executeTakeFirst();
}

export function teamsOfStaff(db: Db | Tx, staffUserId: string) {
  return db
    .selectFrom('staff_team_members as m')
    .innerJoin('teams as t', 't.id', 'm.team_id')
    .innerJoin('authorities as a', 'a.id', 't.authority_id')
    .select(['t.id', 't.name', 't.code', 'm.is_leader', 'a.name as authority_name', 'a.id as authority_id'])
    .where('m.staff_user_id', '=', staffUserId)
    .orderBy('t.name')
    .execute();
}

export async function recordFailedSignIn(
  trx: Tx,
  id: string,
  maxFailures: number,
  now: Date,
): Promise<{ locked: boolean }> {
  const row = await trx
    .updateTable('staff_users')
    .set((eb) => ({ failed_sign_ins: eb('failed_sign_ins', '+', 1) }))
    .where('id', '=', id)
    .returning(['failed_sign_ins', 'locked_at'])
    .executeTakeFirstOrThrow();
  if (row.failed_sign_ins >= maxFailures && !row.locked_at) {
    await trx.updateTable('staff_users').set({ locked_at: now }).where('id', '=', id).execute();
    return { locked: true };
  }
  return { locked: row.locked_at !== null };
}

export async function recordSuccessfulSignIn(trx: Tx, id: string, now: Date): Promise<void> {
  await trx
    .updateTable('staff_users')
    .set({ failed_sign_ins: 0, last_sign_in_at: now })
    .where('id', '=', id)
    .execute();
}

export async function unlockStaff(db: Db | Tx, id: string): Promise<void> {
  await db
    .updateTable('staff_users')
    .set({ failed_sign_ins: 0, locked_at: null })
    .where('id', '=', id)
    .execute();
}

export async function openCaseCountsForTeams(db: Db | Tx, teamIds: string[]) {
  if (teamIds.length === 0) return [];
  return db
    .selectFrom('cases')
    .select((eb) => [
      'team_id',
      eb.fn.countAll<number>().as('open'),
      eb.fn.count<number>('assignee_id').as('assigned'),
    ])
    .where('team_id', 'in', teamIds)
    .where('closed_at', 'is', null)
    .groupBy('team_id')
    .execute();
}

/** Whether routing may offer this member of staff new cases (they set it on their home page). */
export async function setAvailability(db: Db | Tx, id: string, available: boolean): Promise<void> {
  await db.updateTable('staff_users').set({ available }).where('id', '=', id).execute();
}
