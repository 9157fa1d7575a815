/**
 * Answers kept after a staff session timed out (issue 12, item 21). Without JavaScript there is no
 * warning before the session ends, so a member of staff who spends more than the idle period on a form
 * would lose what they typed. Instead, when a form arrives on a session that has just timed out, its
 * fields are kept server-side for that member of staff, for {@link KEEP_FOR_MS}; after signing in again
 * they see what was kept and send it (the same POST, now with a valid session) or discard it.
 *
 * Never kept: file uploads (multipart forms are not stored), passwords and other secrets (any field whose
 * name mentions a password, token, secret or code), and the CSRF token (a new one is used).
 */
import type { Db } from '../../platform/db/index.ts';
import type { Clock } from '../../platform/clock.ts';
import * as repo from './identity.repository.ts';

/** Kept for two hours: long enough to sign in again, short enough not to linger. */
export const KEEP_FOR_MS = 2 * 3_600_000;

/** Field names never stored: passwords, one-time codes, tokens and secrets, and the CSRF token. */
const SECRET_FIELD = /password|passcode|secret|token|^code$|otp|^_csrf$/i;

export type KeptFields = Record<string, string | string[]>;

/** The fields of a urlencoded form body worth keeping (strings only, no secrets); null when none are. */
export function fieldsToKeep(body: unknown): KeptFields | null {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return null;
  const kept: KeptFields = {};
  for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
    if (SECRET_FIELD.test(name) || name.length > 100) continue;
    if (typeof value === 'string') kept[name] = value;
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) kept[name] = value;
  }
  return Object.keys(kept).length ? kept : null;
}

/** Keeps the answers of a form sent to `action` after the session of `staffUserId` timed out. */
export async function keepAnswers(
  db: Db,
  clock: Clock,
  input: { staffUserId: string; action: string; fields: KeptFields },
): Promise<string> {
  const now = clock.now();
  return repo.insertPendingAnswers(db, {
    staff_user_id: input.staffUserId,
    action: input.action,
    fields: JSON.stringify(input.fields),
    created_at: now,
    expires_at: new Date(now.getTime() + KEEP_FOR_MS),
  });
}

export function latestKeptAnswers(db: Db, clock: Clock, staffUserId: string) {
  return repo.latestPendingAnswers(db, staffUserId, clock.now());
}

export function keptAnswers(db: Db, clock: Clock, id: string, staffUserId: string) {
  return repo.findPendingAnswers(db, id, staffUserId, clock.now());
}

export function forgetKeptAnswers(db: Db, id: string, staffUserId: string): Promise<boolean> {
  return repo.deletePendingAnswers(db, id, staffUserId);
}

/** The maintenance job's sweep (with the sessions purge). */
export function purgeExpiredKeptAnswers(db: Db, clock: Clock): Promise<number> {
  return repo.deleteExpiredPendingAnswers(db, clock.now());
}

/** "serviceId" → "Service id", "location-description" → "Location description": a label for a kept field. */
export function fieldLabel(name: string): string {
  const words = name
    .replace(/\[\]$/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/[-_.]+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
