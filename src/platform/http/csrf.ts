/**
 * CSRF protection for every form (signed double-submit cookie, OWASP): each browser gets a random
 * HttpOnly cookie; forms carry HMAC(secret, cookie) in `_csrf`; every POST must match. A stolen form token
 * is useless without the cookie, and the cookie cannot be read or set by another site (SameSite=Lax).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const CSRF_COOKIE = 'fd_csrf';

export function newCsrfSecret(): string {
  return randomBytes(24).toString('base64url');
}

export function csrfTokenFor(secret: string, cookieValue: string): string {
  return createHmac('sha256', secret).update(`csrf:${cookieValue}`).digest('base64url');
}

export function csrfTokenValid(secret: string, cookieValue: string | undefined, submitted: unknown): boolean {
  if (!cookieValue || typeof submitted !== 'string') return false;
  const expected = Buffer.from(csrfTokenFor(secret, cookieValue));
  const given = Buffer.from(submitted);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
