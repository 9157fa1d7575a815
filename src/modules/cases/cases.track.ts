/**
 * "Track a request" for guests: reference + the email or phone they gave → a one-time code by that
 * channel → the request page. Every request for a code gets the same answer and creates a challenge,
 * whether or not anything matched (no enumeration of references or contacts); codes are only sent for a
 * match, at most {@link MAX_CODES_PER_CASE_PER_HOUR} an hour per case.
 */
import { withTransaction, type Db, type Tx } from '../../platform/db/index.ts';
import { audit } from '../../platform/audit/index.ts';
import { normaliseEmail, normalisePhone } from '../../platform/contact/index.ts';
import { queueMessage } from '../notifications/index.ts';
import { normaliseReference } from './cases.reference.ts';
import { countCodesSince, customerContactValues, findCaseRowByReference } from './cases.repository.ts';
import { CODE_TTL_MS, issueCode, verifyCode, type CodeCheck } from './cases.codes.ts';

export const TRACK_PURPOSE = 'track';
export const MAX_CODES_PER_CASE_PER_HOUR = 5;

export type TrackContact = { kind: 'email'; value: string } | { kind: 'phone'; value: string };

/** What the resident typed in "email address or mobile number", understood; null if it is neither. */
export function parseTrackContact(input: string): TrackContact | null {
  if (input.includes('@')) {
    const email = normaliseEmail(input);
    return email ? { kind: 'email', value: email } : null;
  }
  const phone = normalisePhone(input);
  return phone ? { kind: 'phone', value: phone } : null;
}

async function contactMatches(
  trx: Tx,
  row: NonNullable<Awaited<ReturnType<typeof findCaseRowByReference>>>,
  contact: TrackContact,
): Promise<boolean> {
  if (contact.kind === 'email' && normaliseEmail(row.guest_email) === contact.value) return true;
  if (contact.kind === 'phone' && normalisePhone(row.guest_phone) === contact.value) return true;
  if (!row.customer_id) return false;
  const points = await customerContactValues(trx, row.customer_id);
  return points.some((p) => p.kind === contact.kind && p.normalised === contact.value);
}

/**
 * Starts a tracking challenge. Returns the challenge id (always) — the code goes only to a matching
 * contact, through the notifications outbox.
 */
export async function requestTrackCode(
  db: Db,
  input: { reference: string; contact: TrackContact; now: Date; requestId?: string },
): Promise<{ challengeId: string; sent: boolean }> {
  return withTransaction(db, async (trx) => {
    const reference = normaliseReference(input.reference);
    const row = reference ? await findCaseRowByReference(trx, reference) : undefined;
    const matched = row ? await contactMatches(trx, row, input.contact) : false;
    const throttled =
      row && matched
        ? (await countCodesSince(trx, TRACK_PURPOSE, row.id, new Date(input.now.getTime() - 3_600_000))) >=
          MAX_CODES_PER_CASE_PER_HOUR
        : false;
    const send = row !== undefined && matched && !throttled;
    const { id, code } = await issueCode(trx, {
      purpose: TRACK_PURPOSE,
      subject: send ? row.id : null,
      authorityId: send ? row.authority_id : null,
      now: input.now,
    });
    if (send) {
      await queueMessage(trx, {
        authorityId: row.authority_id,
        caseId: row.id,
        channel: input.contact.kind === 'email' ? 'email' : 'sms',
        to: input.contact.kind === 'email' ? { email: input.contact.value } : { phone: input.contact.value },
        template: 'resident.track_code',
        personalisation: {
          code,
          reference: row.reference,
          service_name: row.service_name,
          expiresInMinutes: String(CODE_TTL_MS / 60_000),
        },
        dedupeKey: `resident.track_code:${id}`,
      });
    }
    await audit(trx, {
      actorType: 'anonymous',
      authorityId: row?.authority_id ?? null,
      action: 'case.track_code_requested',
      recordType: row ? 'case' : null,
      recordId: row?.id ?? null,
      outcome: send ? 'ok' : 'denied',
      requestId: input.requestId ?? null,
      details: { matched, throttled },
      at: input.now,
    });
    return { challengeId: id, sent: send };
  });
}

/** Checks a tracking code; on success returns the case id the browser may now see. */
export async function verifyTrackCode(
  db: Db,
  input: { challengeId: string; code: string; now: Date },
): Promise<CodeCheck> {
  return withTransaction(db, (trx) =>
    verifyCode(trx, { id: input.challengeId, purpose: TRACK_PURPOSE, code: input.code, now: input.now }),
  );
}
