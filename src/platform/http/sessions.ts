/**
 * Server-side sessions in the database. The cookie holds a random token; the table holds its SHA-256,
 * so a leaked database copy cannot be replayed as cookies. Sessions expire after an idle period; each
 * request pushes the expiry forward (at most one write a minute per session).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/index.ts';
import * as repo from './sessions.repository.ts';

export const SESSION_COOKIE = 'fd_session';

/** How long the row of a timed-out session is kept (a working day), see `purgeExpired`. */
export const EXPIRED_SESSION_GRACE_MS = 12 * 3_600_000;

export interface SessionRecord {
  id: string;
  kind: 'staff' | 'resident';
  staffUserId: string | null;
  customerId: string | null;
  data: Record<string, unknown>;
  expiresAt: Date;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');

export class SessionStore {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    readonly idleMinutes: number,
  ) {}

  private expiry(): Date {
    return new Date(this.clock.now().getTime() + this.idleMinutes * 60_000);
  }

  async create(
    kind: SessionRecord['kind'],
    owner: { staffUserId?: string; customerId?: string; data?: Record<string, unknown> },
  ): Promise<{ token: string; session: SessionRecord }> {
    const token = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const expiresAt = this.expiry();
    await repo.insertSession(this.db, {
      id: hashToken(token),
      kind,
      staff_user_id: owner.staffUserId ?? null,
      customer_id: owner.customerId ?? null,
      data: JSON.stringify(owner.data ?? {}),
      created_at: now,
      last_seen_at: now,
      expires_at: expiresAt,
    });
    return {
      token,
      session: {
        id: hashToken(token),
        kind,
        staffUserId: owner.staffUserId ?? null,
        customerId: owner.customerId ?? null,
        data: owner.data ?? {},
        expiresAt,
      },
    };
  }

  /** Loads a live session and slides its expiry; returns null for unknown or expired tokens. */
  async load(token: string | undefined): Promise<SessionRecord | null> {
    return (await this.loadOrExpired(token)).session;
  }

  /**
   * As `load`, and when the token is of a session that has timed out (ended, not signed out), says whose
   * it was: a form sent just after the time-out can then be kept for that member of staff (item 21).
   */
  async loadOrExpired(token: string | undefined): Promise<{
    session: SessionRecord | null;
    expired: { kind: SessionRecord['kind']; staffUserId: string | null } | null;
  }> {
    if (!token || token.length > 100) return { session: null, expired: null };
    const id = hashToken(token);
    const row = await repo.findSession(this.db, id);
    const now = this.clock.now();
    if (!row) return { session: null, expired: null };
    if (row.expires_at.getTime() <= now.getTime()) {
      await repo.deleteSession(this.db, id);
      return { session: null, expired: { kind: row.kind, staffUserId: row.staff_user_id } };
    }
    let expiresAt = row.expires_at;
    if (now.getTime() - row.last_seen_at.getTime() > 60_000) {
      expiresAt = this.expiry();
      await repo.touchSession(this.db, id, now, expiresAt);
    }
    return {
      session: {
        id,
        kind: row.kind,
        staffUserId: row.staff_user_id,
        customerId: row.customer_id,
        data: row.data,
        expiresAt,
      },
      expired: null,
    };
  }

  /** Explicit "stay signed in": always extends. */
  async extend(id: string): Promise<Date> {
    const expiresAt = this.expiry();
    await repo.touchSession(this.db, id, this.clock.now(), expiresAt);
    return expiresAt;
  }

  async setData(id: string, data: Record<string, unknown>): Promise<void> {
    await repo.setSessionData(this.db, id, data);
  }

  async destroy(id: string): Promise<void> {
    await repo.deleteSession(this.db, id);
  }

  async destroyAllFor(staffUserId: string): Promise<void> {
    await repo.deleteSessionsOfStaff(this.db, staffUserId);
  }

  /**
   * Deletes sessions that timed out more than {@link EXPIRED_SESSION_GRACE_MS} ago. An expired session is
   * never used again (`load` refuses and deletes it); its row is kept a while only so that a form sent
   * after the time-out is recognised as that member of staff's (their answers are kept, item 21).
   */
  async purgeExpired(): Promise<number> {
    return repo.deleteExpiredSessions(
      this.db,
      new Date(this.clock.now().getTime() - EXPIRED_SESSION_GRACE_MS),
    );
  }
}
