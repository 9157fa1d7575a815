/**
 * Resident accounts without passwords.
 *
 * Sign in: the resident gives an email address; we email a 6-digit code (through the notifications
 * outbox) and keep only a keyed hash of it. The code is single use, expires after 15 minutes and dies
 * after 5 wrong tries; each email address and each requesting address (IP) gets at most 3 codes in 15
 * minutes. Asking for a code does exactly the same work whether or not the address has an account (the
 * account is looked up only when a correct code is entered), so the response cannot reveal who has one.
 * The first correct code for a new address creates the account: a customer in the lead authority with
 * that address as a verified contact point. Every sign-in also adds to the account any request made as a
 * guest with that address (recorded on each case's timeline).
 */
import { createHmac, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { audit } from '../../platform/audit/index.ts';
import { normaliseEmail } from '../../platform/contact/index.ts';
import type { Clock } from '../../platform/clock.ts';
import { withTransaction, type Db, type Tx } from '../../platform/db/index.ts';
import { queueMessage } from '../notifications/index.ts';
import {
  attachGuestCases,
  countRecentCodes,
  createResidentCustomer,
  customerAuthorityId,
  customerIdByVerifiedEmail,
  findCode,
  findCodeForUpdate,
  guestCasesWithEmailForUpdate,
  insertCode,
  leadAuthorityId,
  lockEmail,
  markCodeUsed,
  recordWrongAttempt,
  survivingCustomerId,
} from './residents.repository.ts';
import { saveToProfile } from './residents.profile.ts';

export const CODE_TTL_MINUTES = 15;
export const MAX_CODE_ATTEMPTS = 5;
export const MAX_CODES_PER_WINDOW = 3;
export const RATE_WINDOW_MINUTES = 15;

export type CodePurpose = 'sign_in' | 'confirm_email';

export type CodeRequestResult = { ok: true; codeId: string } | { ok: false; reason: 'rate_limited' };
export type CodeCheckFailure = 'wrong' | 'expired' | 'used' | 'too_many' | 'unknown';
export type SignInResult =
  { ok: true; customerId: string; created: boolean } | { ok: false; reason: CodeCheckFailure };

export class ResidentAccounts {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly secret: string,
  ) {}

  private hash(purpose: string, id: string, value: string): string {
    return createHmac('sha256', this.secret).update(`${purpose}:${id}:${value}`).digest('hex');
  }

  /** A keyed fingerprint of the requester's IP address: enough to rate-limit, not to identify. */
  requesterHash(ip: string): string {
    return this.hash('requester', '', ip).slice(0, 32);
  }

  /**
   * Creates a code for `email` and queues it by email, in one transaction. Returns the code's id (kept in
   * a signed cookie so the next page knows which code to check), or `rate_limited`.
   */
  async requestCode(input: {
    email: string;
    purpose: CodePurpose;
    ip: string;
    customerId?: string | null;
    requestId?: string;
  }): Promise<CodeRequestResult> {
    const now = this.clock.now();
    const email = normaliseEmail(input.email) ?? input.email.trim().toLowerCase();
    const requesterHash = this.requesterHash(input.ip);
    return withTransaction(this.db, async (trx) => {
      await lockEmail(trx, email);
      const recent = await countRecentCodes(trx, {
        emailNormalised: email,
        requesterHash,
        since: new Date(now.getTime() - RATE_WINDOW_MINUTES * 60_000),
      });
      if (recent.byEmail >= MAX_CODES_PER_WINDOW || recent.byRequester >= MAX_CODES_PER_WINDOW) {
        await audit(trx, {
          actorType: input.customerId ? 'customer' : 'anonymous',
          actorId: input.customerId ?? null,
          action: 'resident.code_requested',
          outcome: 'denied',
          requestId: input.requestId ?? null,
          details: { purpose: input.purpose, reason: 'rate_limited' },
          at: now,
        });
        return { ok: false, reason: 'rate_limited' } as const;
      }
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      const codeId = randomUUID();
      await insertCode(trx, {
        id: codeId,
        purpose: input.purpose,
        email_normalised: email,
        customer_id: input.customerId ?? null,
        code_hash: this.hash('code', codeId, code),
        requester_hash: requesterHash,
        expires_at: new Date(now.getTime() + CODE_TTL_MINUTES * 60_000),
        created_at: now,
      });
      const authorityId = input.customerId
        ? await customerAuthorityId(trx, input.customerId)
        : await leadAuthorityId(trx);
      if (!authorityId) throw new Error('There is no council in the database to send sign-in codes for');
      // Sign-in codes go to the address typed, never to a customer record: the work is the same for
      // known and unknown addresses.
      await queueMessage(trx, {
        authorityId,
        customerId: input.purpose === 'confirm_email' ? (input.customerId ?? null) : null,
        channel: 'email',
        to: { email },
        template: 'resident.sign_in_code',
        personalisation: {
          code,
          expiresInMinutes: String(CODE_TTL_MINUTES),
          ...(input.purpose === 'confirm_email' ? { action: 'confirm your new email address' } : {}),
        },
        dedupeKey: `resident-code:${codeId}`,
      });
      return { ok: true, codeId } as const;
    });
  }

  /** The email address a pending code was sent to (to show on the "check your email" page). */
  async pendingCode(codeId: string, purpose: CodePurpose) {
    const row = await findCode(this.db, codeId);
    return row && row.purpose === purpose
      ? { email: row.email_normalised, customerId: row.customer_id }
      : null;
  }

  /** Checks `code` against the pending code; on success marks it used. Runs in the caller's transaction. */
  private async checkCode(
    trx: Tx,
    codeId: string,
    code: string,
    purpose: CodePurpose,
  ): Promise<
    { ok: true; email: string; customerId: string | null } | { ok: false; reason: CodeCheckFailure }
  > {
    const row = await findCodeForUpdate(trx, codeId);
    const now = this.clock.now();
    if (!row || row.purpose !== purpose) return { ok: false, reason: 'unknown' };
    if (row.used_at) return { ok: false, reason: 'used' };
    if (row.attempts >= MAX_CODE_ATTEMPTS) return { ok: false, reason: 'too_many' };
    if (row.expires_at.getTime() <= now.getTime()) return { ok: false, reason: 'expired' };
    const expected = Buffer.from(row.code_hash, 'hex');
    const given = Buffer.from(this.hash('code', row.id, code), 'hex');
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      const attempts = await recordWrongAttempt(trx, row.id);
      return { ok: false, reason: attempts >= MAX_CODE_ATTEMPTS ? 'too_many' : 'wrong' };
    }
    if (!(await markCodeUsed(trx, row.id, now))) return { ok: false, reason: 'used' };
    return { ok: true, email: row.email_normalised, customerId: row.customer_id };
  }

  /** Signs in with a code: finds the account for the address, or creates it on first use. */
  async signInWithCode(codeId: string, code: string, requestId?: string): Promise<SignInResult> {
    return withTransaction(this.db, async (trx) => {
      const checked = await this.checkCode(trx, codeId, code, 'sign_in');
      if (!checked.ok) {
        await audit(trx, {
          actorType: 'anonymous',
          action: 'resident.sign_in',
          outcome: 'failed',
          requestId: requestId ?? null,
          details: { method: 'email_code', reason: checked.reason },
          at: this.clock.now(),
        });
        return checked;
      }
      return this.signInVerifiedEmail(trx, checked.email, 'email_code', requestId);
    });
  }

  /** Sign-in where someone else verified the address (GOV.UK One Login). */
  async signInWithIdentityProvider(email: string, requestId?: string): Promise<SignInResult> {
    return withTransaction(this.db, (trx) =>
      this.signInVerifiedEmail(
        trx,
        normaliseEmail(email) ?? email.trim().toLowerCase(),
        'one_login',
        requestId,
      ),
    );
  }

  private async signInVerifiedEmail(
    trx: Tx,
    email: string,
    method: 'email_code' | 'one_login',
    requestId?: string,
  ): Promise<SignInResult> {
    const now = this.clock.now();
    await lockEmail(trx, email);
    let customerId = await customerIdByVerifiedEmail(trx, email);
    let created = false;
    let authorityId: string | null;
    if (customerId) {
      authorityId = await customerAuthorityId(trx, customerId);
    } else {
      authorityId = await leadAuthorityId(trx);
      if (!authorityId) throw new Error('There is no council in the database to hold resident accounts');
      customerId = await createResidentCustomer(trx, { authorityId, email, at: now });
      created = true;
    }
    // Requests made as a guest with this address become the account's: the resident has just proved
    // they control it, and it is where those requests' acknowledgements and tracking codes already went.
    const guestCases = await guestCasesWithEmailForUpdate(trx, email);
    await attachGuestCases(trx, guestCases, { customerId, method, at: now });
    await audit(trx, {
      actorType: 'customer',
      actorId: customerId,
      authorityId,
      action: 'resident.sign_in',
      recordType: 'customer',
      recordId: customerId,
      requestId: requestId ?? null,
      details: { method, accountCreated: created, guestRequestsAdded: guestCases.length },
      at: now,
    });
    return { ok: true, customerId, created };
  }

  /** Confirms a new email address with the code sent to it, then makes it the resident's sign-in address. */
  async confirmEmail(
    customerId: string,
    codeId: string,
    code: string,
    requestId?: string,
  ): Promise<{ ok: true } | { ok: false; reason: CodeCheckFailure }> {
    return withTransaction(this.db, async (trx) => {
      const checked = await this.checkCode(trx, codeId, code, 'confirm_email');
      if (!checked.ok) return checked;
      const surviving = await survivingCustomerId(trx, customerId);
      if (!surviving || checked.customerId !== customerId) return { ok: false, reason: 'unknown' } as const;
      await saveToProfile(
        trx,
        surviving,
        { email: checked.email },
        { at: this.clock.now(), emailVerified: true, requestId: requestId ?? null },
      );
      return { ok: true } as const;
    });
  }

  async signedOut(customerId: string, requestId?: string): Promise<void> {
    await audit(this.db, {
      actorType: 'customer',
      actorId: customerId,
      action: 'resident.sign_out',
      recordType: 'customer',
      recordId: customerId,
      requestId: requestId ?? null,
      at: this.clock.now(),
    });
  }
}
