/**
 * Staff sign-in use-cases: local accounts (argon2id) with lock-out after repeated failures, and sign-in
 * through the council's identity provider (OIDC) matched by email to an active local account.
 * Every attempt writes an audit row.
 */
import { createHash } from 'node:crypto';
import { audit } from '../../platform/audit/index.ts';
import type { Clock } from '../../platform/clock.ts';
import { withTransaction, type Db } from '../../platform/db/index.ts';
import { DUMMY_HASH, verifyPassword } from './passwords.ts';
import {
  findStaffByEmail,
  findStaffById,
  recordFailedSignIn,
  recordSuccessfulSignIn,
  teamsOfStaff,
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
  { ok: true; staffUserId: string } | { ok: false; reason: 'invalid' | 'locked' | 'inactive' };

const emailFingerprint = (email: string) =>
  createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 16);

export class IdentityService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly maxFailures: number,
  ) {}

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
      if (staff.locked_at) {
        await audit(trx, { ...base, outcome: 'denied', details: { reason: 'locked' } });
        return { ok: false, reason: 'locked' } as const;
      }
      if (!passwordOk || !staff.password_hash) {
        const { locked } = await recordFailedSignIn(trx, staff.id, this.maxFailures, now);
        await audit(trx, { ...base, outcome: 'failed', details: { reason: 'wrong_password', locked } });
        return { ok: false, reason: locked ? 'locked' : 'invalid' } as const;
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
    if (!staff || !staff.active || staff.locked_at) {
      await audit(this.db, {
        actorType: staff ? 'staff' : 'anonymous',
        actorId: staff?.id ?? null,
        action: 'staff.sign_in',
        outcome: 'denied',
        requestId,
        details: {
          method: 'oidc',
          reason: !staff ? 'no_matching_account' : staff.locked_at ? 'locked' : 'inactive',
          subject_sha256: emailFingerprint(subject),
        },
      });
      return { ok: false, reason: staff?.locked_at ? 'locked' : 'invalid' };
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

  async principal(staffUserId: string): Promise<StaffPrincipal | null> {
    const staff = await findStaffById(this.db, staffUserId);
    if (!staff || !staff.active || staff.locked_at) return null;
    const teams = await teamsOfStaff(this.db, staff.id);
    return {
      id: staff.id,
      name: staff.display_name,
      email: staff.email,
      authorityId: staff.authority_id,
      roles: staff.roles,
      permissions: permissionsFor(staff.roles),
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
