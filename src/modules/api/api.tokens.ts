/**
 * Bearer tokens for partner systems. Administrators issue them (the plaintext is shown once); only the
 * SHA-256 is stored. Each token belongs to one council and acts for it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { audit } from '../../platform/audit/index.ts';
import { withTransaction, type Db } from '../../platform/db/index.ts';
import { NotFoundError } from '../../platform/http/errors.ts';
import * as repo from './api.repository.ts';

export interface ApiClient {
  tokenId: string;
  authorityId: string;
  name: string;
}

export const hashApiToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** Issues a new token for `authorityId`; returns the plaintext (shown once) and the row id. */
export async function issueApiToken(
  db: Db,
  input: { authorityId: string; name: string; createdBy: string | null; now: Date; requestId?: string },
): Promise<{ id: string; token: string }> {
  const token = `fd_${randomBytes(32).toString('base64url')}`;
  const id = await withTransaction(db, async (trx) => {
    const tokenId = await repo.insertToken(trx, {
      authority_id: input.authorityId,
      name: input.name,
      token_hash: hashApiToken(token),
      token_hint: token.slice(-4),
      created_by: input.createdBy,
      created_at: input.now,
    });
    await audit(trx, {
      actorType: input.createdBy ? 'staff' : 'system',
      actorId: input.createdBy,
      authorityId: input.authorityId,
      action: 'api_token.issued',
      recordType: 'api_token',
      recordId: tokenId,
      requestId: input.requestId ?? null,
      details: { name: input.name },
      at: input.now,
    });
    return tokenId;
  });
  return { id, token };
}

export async function revokeApiToken(
  db: Db,
  input: { id: string; authorityId: string; revokedBy: string; now: Date; requestId?: string },
): Promise<void> {
  await withTransaction(db, async (trx) => {
    if (!(await repo.revoke(trx, input.id, input.authorityId, input.revokedBy, input.now)))
      throw new NotFoundError('No such token');
    await audit(trx, {
      actorType: 'staff',
      actorId: input.revokedBy,
      authorityId: input.authorityId,
      action: 'api_token.revoked',
      recordType: 'api_token',
      recordId: input.id,
      requestId: input.requestId ?? null,
      at: input.now,
    });
  });
}

/** The client a presented token belongs to, or null (unknown or revoked). Records when it was last used. */
export async function authenticate(db: Db, token: string, now: Date): Promise<ApiClient | null> {
  if (!/^fd_[A-Za-z0-9_-]{16,100}$/.test(token)) return null;
  const row = await repo.findActiveByHash(db, hashApiToken(token));
  if (!row) return null;
  if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() > 60_000)
    await repo.touch(db, row.id, now);
  return { tokenId: row.id, authorityId: row.authority_id, name: row.name };
}

export async function listApiTokens(db: Db, authorityId: string) {
  return repo.tokensOf(db, authorityId);
}

/**
 * The demo token printed in the start-up banner. Only when the demo seed is on and the demo area exists:
 * a deterministic `fd_demo_…` token for the demo county, so the docs and examples work on every demo copy.
 * Returns null otherwise (real councils issue tokens at /staff/admin/api-tokens), and null if an
 * administrator has revoked it.
 */
export async function ensureDemoApiToken(
  db: Db,
  options: { demoSeed?: boolean } = {},
): Promise<string | null> {
  if (options.demoSeed === false) return null;
  const authorityId = await repo.demoAuthorityId(db);
  if (!authorityId) return null;
  const token = `fd_demo_${createHash('sha256').update('frontdoor-demo-api-token:county').digest('hex').slice(0, 32)}`;
  const row = await repo.upsertToken(db, {
    authority_id: authorityId,
    name: 'Demo partner (printed on start)',
    token_hash: hashApiToken(token),
    token_hint: token.slice(-4),
    created_by: null,
  });
  return row.revoked_at ? null : token;
}
