/**
 * One-time codes: 6 digits, stored only as a SHA-256 hash, valid for 15 minutes, single use, at most 5
 * attempts. Used to let a guest track a request (and, through the same table, resident sign-in codes).
 */
import { createHash, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Tx } from '../../platform/db/index.ts';
import { insertOneTimeCode, lockOneTimeCode, recordCodeAttempt } from './cases.repository.ts';

export const CODE_TTL_MS = 15 * 60_000;
export const CODE_MAX_ATTEMPTS = 5;

const hashCode = (id: string, code: string) => createHash('sha256').update(`${id}:${code}`).digest('hex');

export function newCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/**
 * Stores a new code for `subject` and returns it (to send) with the challenge id. With `subject: null`
 * it stores a decoy whose code is never sent, so a request that matched nothing looks the same.
 */
export async function issueCode(
  trx: Tx,
  input: { purpose: string; subject: string | null; authorityId?: string | null; now: Date },
): Promise<{ id: string; code: string }> {
  const code = newCode();
  const id = randomUUID();
  await insertOneTimeCode(trx, {
    id,
    authority_id: input.authorityId ?? null,
    purpose: input.purpose,
    subject: input.subject,
    code_hash: hashCode(id, code),
    expires_at: new Date(input.now.getTime() + CODE_TTL_MS),
    created_at: input.now,
  });
  return { id, code };
}

export type CodeCheck =
  | { ok: true; subject: string }
  | { ok: false; reason: 'wrong' | 'expired' | 'used' | 'too_many_attempts' | 'unknown' };

/** Checks a code typed for challenge `id`, counting the attempt; a right code is used up. */
export async function verifyCode(
  trx: Tx,
  input: { id: string; purpose: string; code: string; now: Date },
): Promise<CodeCheck> {
  if (!/^[0-9a-f-]{36}$/i.test(input.id)) return { ok: false, reason: 'unknown' };
  const row = await lockOneTimeCode(trx, input.id);
  if (!row || row.purpose !== input.purpose) return { ok: false, reason: 'unknown' };
  if (row.used_at) return { ok: false, reason: 'used' };
  if (row.attempts >= CODE_MAX_ATTEMPTS) return { ok: false, reason: 'too_many_attempts' };
  if (row.expires_at.getTime() <= input.now.getTime()) return { ok: false, reason: 'expired' };
  const typed = input.code.replace(/\s+/g, '');
  const right =
    /^\d{6}$/.test(typed) &&
    timingSafeEqual(Buffer.from(hashCode(row.id, typed), 'hex'), Buffer.from(row.code_hash, 'hex'));
  if (!right || row.subject === null) {
    await recordCodeAttempt(trx, row.id, null);
    return { ok: false, reason: row.attempts + 1 >= CODE_MAX_ATTEMPTS ? 'too_many_attempts' : 'wrong' };
  }
  await recordCodeAttempt(trx, row.id, input.now);
  return { ok: true, subject: row.subject };
}
