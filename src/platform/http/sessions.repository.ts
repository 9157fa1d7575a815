/** SQL for server-side sessions (`sessions`, keyed by the SHA-256 of the cookie's token). */
import type { Db, NewRow } from '../db/index.ts';

export async function insertSession(db: Db, row: NewRow<'sessions'>): Promise<void> {
  await db.insertInto('sessions').values(row).execute();
}

export function findSession(db: Db, id: string) {
  return db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Slides the expiry (and records the request) of one session. */
export async function touchSession(db: Db, id: string, at: Date, expiresAt: Date): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ last_seen_at: at, expires_at: expiresAt })
    .where('id', '=', id)
    .execute();
}

export async function setSessionData(db: Db, id: string, data: Record<string, unknown>): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ data: JSON.stringify(data) })
    .where('id', '=', id)
    .execute();
}

export async function deleteSession(db: Db, id: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', id).execute();
}

/** Signs a member of staff out everywhere. */
export async function deleteSessionsOfStaff(db: Db, staffUserId: string): Promise<void> {
  await db.deleteFrom('sessions').where('staff_user_id', '=', staffUserId).execute();
}

/** Deletes sessions that expired at or before `now`; returns how many. */
export async function deleteExpiredSessions(db: Db, now: Date): Promise<number> {
  const result = await db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
