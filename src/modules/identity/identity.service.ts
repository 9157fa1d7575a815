/**
 * Staff sign-in use-cases: local accounts (argon2id) with lock-out after repeated failures, and sign-in
 * through the council's identity provider (OIDC) matched by email to an active local account.
 * Every attempt writes an audit row.
 *
 * A lock-out ends by itself: the first lasts `lockMinutes`, each further one (without a successful sign-in
 * in between) twice as long, at most 24 hours, so nobody can lock an account for good by guessing. An
 * administrator can end it sooner from the staff list. The account holder is emailed (through the outbox)
 * when the account is locked and when an administrator unlocks it.
 */
import { createHash } from 'node:crypto';
import { audit } from '../../platform/audit/index.ts';
import type { Clock } from '../../platform/clock.ts';
import { withTransaction, type Db } from '../../platform/db/index.ts';
import { NotFoundError } from '../../platform/http/errors.ts';
import { formatDate } from '../../platform/views/index.ts';
import { queueMessage } from '../notifications/index.ts';
import { DUMMY_HASH, verifyPassword } from './passwords.ts';
import {
  findStaffByEmail,
  findStaffById,
  findStaffOfAuthorityForUpdate,
  listStaffOfAuthority,
  lockStateForUpdate,
  recordFailedSignIn,
  recordSuccessfulSignIn,
  teamsOfStaff,
  unlockStaff,
} from './identity.repository.ts';
import { ROLE_LABELS, isRole, permissionsFor, type Permission } from './identity.policy.ts';

export interface StaffPrincipal {
  id: string;
  name: string;
  email: string;
  authorityId: string;
  roles: string[];
  permissions: Set<Permission>;
  teams: { id: string; name: string; isLeader: boolean; authorityName: string; authorityId: string }[];
}

export type SignInResult =
  | { ok: true; staffUserId: string }
  | { ok: false; reason: 'invalid' | 'inactive' }
  | { ok: false; reason: 'locked'; lockedUntil: Date | null };

/** The longest a lock-out lasts, however often it repeats. */
export const MAX_LOCK_MINUTES = 24 * 60;

/**
 * How long the `lockoutCount`-th lock-out in a row lasts: the base period, doubled for each repeat,
 * capped at 24 hours.
 */
export function lockMinutesFor(baseMinutes: number, lockoutCount: number): number {
  const doublings = Math.max(0, Math.min(lockoutCount - 1, 20));
  return Math.min(baseMinutes * 2 ** doublings, MAX_LOCK_MINUTES);
}

/** Whether an account is locked out at `now` (a lock-out ends by itself at `locked_until`). */
export function isLockedOut(staff: { locked_until: Date | null }, now: Date): boolean {
  return staff.locked_until !== null && staff.locked_until.getTime() > now.getTime();
}

/** One row of the administrators' staff list. */
export interface StaffListEntry {
  id: string;
  name: string;
  email: string;
  roles: string[];
  active: boolean;
  lockedUntil: Date | null;
  lastSignInAt: Date | null;
}

const emailFingerprint = (email: string) =>
  createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 16);

export class IdentityService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly maxFailures: number,
    private readonly lockMinutes = 15,
  ) {}

  /** What the sign-in page tells people about lock-outs. */
  get lockPolicy(): { maxFailures: number; lockMinutes: number } {
    return { maxFailures: this.maxFailures, lockMinutes: this.lockMinutes };
  }

  async signInWithPassword(email: string, password: string, requestId: string): Promise<SignInResult> {
    const staff = await findStaffByEmail(this.db, email);
    const passwordOk = await verifyPassword(staff?.password_hash ?? DUMMY_HASH, password);
    const now = this.clock.now();
    if (!staff) {
      await audit(this.db, {
        actorType: 'anonymous',
        action: 'staff.sign_in',
        outcome: 'failed',
        requestId,
        details: { reason: 'unknown_account', email_sha256: emailFingerprint(email) },
      });
      return { ok: false, reason: 'invalid' };
    }
    return withTransaction(this.db, async (trx) => {
      const base = {
        actorType: 'staff' as const,
        actorId: staff.id,
        authorityId: staff.authority_id,
        action: 'staff.sign_in',
        recordType: 'staff_user',
        recordId: staff.id,
        requestId,
      };
      if (!staff.active) {
        await audit(trx, { ...base, outcome: 'denied', details: { reason: 'inactive' } });
        return { ok: false, reason: 'inactive' } as const;
      }
      const state = await lockStateForUpdate(trx, staff.id);
      if (isLockedOut(state, now)) {
        await audit(trx, { ...base, outcome: 'denied', details: { reason: 'locked' } });
        return { ok: false, reason: 'locked', lockedUntil: state.locked_until } as const;
      }
      if (!passwordOk || !staff.password_hash) {
        // A lock-out that has ended gives a fresh set of attempts.
        const failed = (state.locked_until ? 0 : state.failed_sign_ins) + 1;
        if (failed < this.maxFailures) {
          await recordFailedSignIn(trx, staff.id, { failedSignIns: failed, lock: null });
          await audit(trx, {
            ...base,
            outcome: 'failed',
            details: { reason: 'wrong_password', locked: false },
          });
          return { ok: false, reason: 'invalid' } as const;
        }
        const count = state.lockout_count + 1;
        const minutes = lockMinutesFor(this.lockMinutes, count);
        const until = new Date(now.getTime() + minutes * 60_000);
        await recordFailedSignIn(trx, staff.id, {
          failedSignIns: 0,
          lock: { at: now, until, count },
        });
        await audit(trx, {
          ...base,
          outcome: 'failed',
          details: {
            reason: 'wrong_password',
            locked: true,
            locked_until: until.toISOString(),
            lockout_count: count,
          },
        });
        await queueMessage(trx, {
          authorityId: staff.authority_id,
          channel: 'email',
          to: { email: staff.email },
          template: 'staff.account_locked',
          personalisation: {
            name: staff.display_name,
            attempts: String(this.maxFailures),
            lockedUntil: formatDate(until, 'datetime'),
          },
          dedupeKey: `staff.account_locked:${staff.id}:${now.getTime()}`,
        });
        return { ok: false, reason: 'locked', lockedUntil: until } as const;
      }
      await recordSuccessfulSignIn(trx, staff.id, now);
      await audit(trx, { ...base, details: { method: 'password' } });
      return { ok: true, staffUserId: staff.id } as const;
    });
  }

  /** Sign-in via the council's identity provider: the verified email must match an active, unlocked account. */
  async signInWithIdentityProvider(
    email: string | null,
    subject: string,
    requestId: string,
  ): Promise<SignInResult> {
    const staff = email ? await findStaffByEmail(this.db, email) : undefined;
    const locked = staff ? isLockedOut(staff, this.clock.now()) : false;
    if (!staff || !staff.active || locked) {
      await audit(this.db, {
        actorType: staff ? 'staff' : 'anonymous',
        actorId: staff?.id ?? null,
        action: 'staff.sign_in',
        outcome: 'denied',
        requestId,
        details: {
          method: 'oidc',
          reason: !staff ? 'no_matching_account' : locked ? 'locked' : 'inactive',
          subject_sha256: emailFingerprint(subject),
        },
      });
      return staff && locked
        ? { ok: false, reason: 'locked', lockedUntil: staff.locked_until }
        : { ok: false, reason: 'invalid' };
    }
    await withTransaction(this.db, async (trx) => {
      await recordSuccessfulSignIn(trx, staff.id, this.clock.now());
      await audit(trx, {
        actorType: 'staff',
        actorId: staff.id,
        authorityId: staff.authority_id,
        action: 'staff.sign_in',
        recordType: 'staff_user',
        recordId: staff.id,
        requestId,
        details: { method: 'oidc' },
      });
    });
    return { ok: true, staffUserId: staff.id };
  }

  async signedOut(staffUserId: string, requestId: string): Promise<void> {
    await audit(this.db, {
      actorType: 'staff',
      actorId: staffUserId,
      action: 'staff.sign_out',
      recordType: 'staff_user',
      recordId: staffUserId,
      requestId,
    });
  }

  /** The administrator's council's staff, for the staff list. */
  async staffList(admin: StaffPrincipal): Promise<StaffListEntry[]> {
    const rows = await listStaffOfAuthority(this.db, admin.authorityId);
    const now = this.clock.now();
    return rows.map((r) => ({
      id: r.id,
      name: r.display_name,
      email: r.email,
      roles: r.roles,
      active: r.active,
      lockedUntil: isLockedOut(r, now) ? r.locked_until : null,
      lastSignInAt: r.last_sign_in_at,
    }));
  }

  /**
   * An administrator ends a lock-out now. Only accounts of the administrator's own council (others are
   * not found); the account holder is emailed. Unlocking an account that is not locked does nothing.
   */
  async unlock(
    admin: StaffPrincipal,
    staffUserId: string,
    requestId: string,
  ): Promise<{ unlocked: boolean }> {
    const now = this.clock.now();
    return withTransaction(this.db, async (trx) => {
      const staff = await findStaffOfAuthorityForUpdate(trx, admin.authorityId, staffUserId);
      if (!staff) throw new NotFoundError();
      if (!isLockedOut(staff, now)) return { unlocked: false };
      await unlockStaff(trx, staff.id);
      await audit(trx, {
        actorType: 'staff',
        actorId: admin.id,
        authorityId: admin.authorityId,
        action: 'staff.unlocked',
        recordType: 'staff_user',
        recordId: staff.id,
        requestId,
      });
      await queueMessage(trx, {
        authorityId: staff.authority_id,
        channel: 'email',
        to: { email: staff.email },
        template: 'staff.account_unlocked',
        personalisation: { name: staff.display_name, unlockedBy: admin.name },
        dedupeKey: `staff.account_unlocked:${staff.id}:${now.getTime()}`,
      });
      return { unlocked: true };
    });
  }

  async principal(staffUserId: string): Promise<StaffPrincipal | null> {
    const staff = await findStaffById(this.db, staffUserId);
    // A lock-out stops new sign-ins with a password; it does not end sessions already signed in, or anyone
    // could sign a colleague out by typing wrong passwords.
    if (!staff || !staff.active) return null;
    const teams = await teamsOfStaff(this.db, staff.id);
    return {
      id: staff.id,
      name: staff.display_name,
      email: staff.email,
      authorityId: staff.authority_id,
      roles: staff.roles,
      permissions: permissionsFor(staff.roles, {
        complaintsTeam: teams.some((t) => t.is_leader && Boolean(t.handles_complaints)),
      }),
      teams: teams.map((t) => ({
        id: t.id,
        name: t.name,
        isLeader: t.is_leader,
        authorityName: t.authority_name,
        authorityId: t.authority_id,
      })),
    };
  }
}

export function rolesLabel(roles: string[]): string {
  return roles.map((r) => (isRole(r) ? ROLE_LABELS[r] : r)).join(', ');
}
