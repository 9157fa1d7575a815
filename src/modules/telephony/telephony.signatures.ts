/**
 * Proving a call event came from the council's phone platform (docs/telephony.md "Signatures").
 *
 * - generic: `X-Frontdoor-Signature: sha256=<hex>`, the HMAC-SHA256 of the raw request body with the
 *   platform's secret (`X-Frontdoor-Platform` names the platform; `default` when absent).
 * - Twilio: `X-Twilio-Signature`, Twilio's own scheme: base64 HMAC-SHA1, keyed with the account's auth
 *   token, of the full URL Twilio called followed by every POST parameter's name and value, sorted by name.
 *
 * Comparisons are constant-time. Pure functions.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function genericSignature(secret: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody, 'utf8').digest('hex')}`;
}

export function genericSignatureValid(secret: string, rawBody: string, header: string | undefined): boolean {
  if (!header) return false;
  return sameText(genericSignature(secret, rawBody), header.trim().toLowerCase());
}

/** Twilio's expected `X-Twilio-Signature` for a form POST to `url`. */
export function twilioSignature(
  authToken: string,
  url: string,
  params: Record<string, string | string[]>,
): string {
  let data = url;
  for (const key of Object.keys(params).sort()) {
    const value = params[key];
    for (const v of Array.isArray(value) ? [...value].sort() : [value]) data += key + v;
  }
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

/**
 * Twilio signs the URL exactly as configured; behind a proxy the port may be added or dropped, so (as
 * Twilio's own helper does) both forms are tried.
 */
export function twilioSignatureValid(
  authToken: string,
  url: string,
  params: Record<string, string | string[]>,
  header: string | undefined,
): boolean {
  if (!header) return false;
  const parsed = new URL(url);
  const candidates = new Set([url]);
  const defaultPort = parsed.protocol === 'https:' ? '443' : '80';
  if (parsed.port) {
    const without = new URL(url);
    without.port = '';
    candidates.add(without.toString());
  } else {
    candidates.add(url.replace(parsed.host, `${parsed.hostname}:${defaultPort}`));
  }
  return [...candidates].some((candidate) => sameText(twilioSignature(authToken, candidate, params), header));
}
