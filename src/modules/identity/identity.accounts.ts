/**
 * Staff accounts without a password yet: the first administrator of a new installation
 * (`npm run admin -- create`) and one-time "set your password" links.
 *
 * A link is a random token in a URL (`/staff/set-password/<token>`); only its SHA-256 is stored, it
 * expires after {@link PASSWORD_LINK_HOURS} hours and works once. Setting a password through it hashes
 * with argon2id (as every password), ends any lock-out and stops the account's other links working.
 */
import { createHash, randomBytes } from 'node:crypto';
import { audit } from '../../platform/audit/index.ts';
import type { Clock } from '../../platform/clock.ts';
import { withTransaction, type Db, type Tx } from '../../platform/db/index.ts';
import { countAuthorities, findAuthoritiesByCodeOrName, insertAuthority } from '../authorities/index.ts';
import { hashPassword } from './passwords.ts';
import {
  addRolesToStaff,
  claimPasswordLink,
  findLivePasswordLink,
  findStaffByEmail,
  insertPasswordLink,
  insertStaffUser,
  setStaffPassword,
} from './identity.repository.ts';

export const PASSWORD_LINK_HOURS = 24;

const AUTHORITY_KINDS = ['county', 'district', 'city', 'unitary', 'parish'] as const;
export type AuthorityKind = (typeof AUTHORITY_KINDS)[number];
export const isAuthorityKind = (value: string): value is AuthorityKind =>
  (AUTHORITY_KINDS as readonly string[]).includes(value);

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

/** A problem the person running `npm run admin` can fix; the CLI prints the message without a stack. */
export class AccountSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AccountSetupError';
  }
}

export interface CreatedAdministrator {
  staffUserId: string;
  email: string;
  authority: { id: string; code: string; name: string; created: boolean };
  /** false: the account already existed and was made an administrator. */
  created: boolean;
  url: string;
  expiresAt: Date;
}

function authorityCode(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/\b(council|borough|county|district|city|of|the)\b/g, ' ')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'council'
  );
}

export class StaffAccounts {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly publicUrl: string,
  ) {}

  /**
   * Makes `email` an administrator of the council named by `authority` (its code or name) and returns a
   * one-time link to set the password. On a database with no councils yet, the council is created with
   * that name (and `kind`). An existing account of the same council is given the administrator role.
   */
  async createAdministrator(input: {
    email: string;
    authority: string;
    name?: string;
    kind?: AuthorityKind;
  }): Promise<CreatedAdministrator> {
    const email = input.email.trim();
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 254)
      throw new AccountSetupError(`"${input.email}" is not an email address.`);
    const wanted = input.authority.trim();
    if (!wanted) throw new AccountSetupError('Give the council with --authority (its code or name).');
    const now = this.clock.now();
    return withTransaction(this.db, async (trx) => {
      const matches = await findAuthoritiesByCodeOrName(trx, wanted);
      if (matches.length > 1)
        throw new AccountSetupError(
          `More than one council matches "${wanted}": ${matches.map((m) => m.code).join(', ')}. Use the code.`,
        );
      let authority: CreatedAdministrator['authority'];
      if (matches[0]) authority = { ...matches[0], created: false };
      else if ((await countAuthorities(trx)) === 0)
        authority = {
          ...(await insertAuthority(trx, {
            code: authorityCode(wanted),
            name: wanted,
            kind: input.kind ?? 'unitary',
          })),
          created: true,
        };
      else
        throw new AccountSetupError(
          `No council has the code or name "${wanted}". Use the code or the exact name of an existing council.`,
        );

      const existing = await findStaffByEmail(trx, email);
      if (existing && existing.authority_id !== authority.id)
        throw new AccountSetupError(`${email} already has an account with another council.`);
      let staffUserId: string;
      if (existing) {
        staffUserId = existing.id;
        await addRolesToStaff(trx, existing.id, [...new Set([...existing.roles, 'admin'])]);
      } else {
        staffUserId = await insertStaffUser(trx, {
          authorityId: authority.id,
          email,
          displayName: input.name?.trim() || email.split('@')[0],
          roles: ['admin'],
        });
      }
      const { url, expiresAt } = await this.issueLink(trx, authority.id, staffUserId, now);
      await audit(trx, {
        actorType: 'system',
        authorityId: authority.id,
        action: 'staff.administrator_created',
        recordType: 'staff_user',
        recordId: staffUserId,
        details: { created: !existing, authority_created: authority.created, via: 'admin_cli' },
      });
      return { staffUserId, email, authority, created: !existing, url, expiresAt };
    });
  }

  private async issueLink(
    trx: Tx,
    authorityId: string,
    staffUserId: string,
    now: Date,
  ): Promise<{ url: string; expiresAt: Date }> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + PASSWORD_LINK_HOURS * 3_600_000);
    await insertPasswordLink(trx, { authorityId, staffUserId, tokenSha256: sha256(token), now, expiresAt });
    return { url: `${this.publicUrl}/staff/set-password/${token}`, expiresAt };
  }

  /** The account a live link is for, or null (unknown, used or expired). */
  async passwordLink(token: string): Promise<{ email: string; name: string } | null> {
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
    const link = await findLivePasswordLink(this.db, sha256(token), this.clock.now());
    return link && link.active ? { email: link.email, name: link.display_name } : null;
  }

  /** Sets the password through a live link (validated by the caller); false if the link no longer works. */
  async setPassword(token: string, password: string, requestId: string): Promise<boolean> {
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return false;
    const now = this.clock.now();
    const link = await findLivePasswordLink(this.db, sha256(token), now);
    if (!link || !link.active) return false;
    const hash = await hashPassword(password);
    return withTransaction(this.db, async (trx) => {
      if (!(await claimPasswordLink(trx, link.id, now))) return false;
      await setStaffPassword(trx, link.staff_user_id, hash, now);
      await audit(trx, {
        actorType: 'staff',
        actorId: link.staff_user_id,
        authorityId: link.authority_id,
        action: 'staff.password_set',
        recordType: 'staff_user',
        recordId: link.staff_user_id,
        requestId,
        details: { via: 'one_time_link' },
      });
      return true;
    });
  }
}
