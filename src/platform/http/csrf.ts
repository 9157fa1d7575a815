/**
 * CSRF protection for every form (OWASP synchroniser token, HMAC-based). Forms carry a token in `_csrf`;
 * every POST must carry the right one.
 *
 * - Signed in (any session): the token is HMAC(secret, session id). It belongs to that session, so a
 *   token an attacker obtained for their own cookie or session is useless against a victim's session,
 *   even if the attacker can plant cookies in the victim's browser.
 * - Before sign-in: the token is HMAC(secret, a random HttpOnly cookie) (signed double-submit cookie).
 *   Signing in replaces both the session and this cookie.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const CSRF_COOKIE = 'fd_csrf';

export function newCsrfSecret(): string {
  return randomBytes(24).toString('base64url');
}

/** What a token is bound to: the session when there is one, otherwise the browser's CSRF cookie. */
export type CsrfBinding = { sessionId: string } | { cookie: string };

export function csrfTokenFor(secret: string, binding: CsrfBinding): string {
  const subject = 'sessionId' in binding ? `session:${binding.sessionId}` : `cookie:${binding.cookie}`;
  return createHmac('sha256', secret).update(`csrf:${subject}`).digest('base64url');
}

export function csrfTokenValid(secret: string, binding: CsrfBinding | null, submitted: unknown): boolean {
  if (!binding || typeof submitted !== 'string') return false;
  if ('cookie' in binding && !binding.cookie) return false;
  const expected = Buffer.from(csrfTokenFor(secret, binding));
  const given = Buffer.from(submitted);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
