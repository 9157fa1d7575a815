/** Signing call events the way a phone platform does (docs/telephony.md "Signatures"). */
import { createHmac } from 'node:crypto';

/** `X-Frontdoor-Signature` for `body`, computed independently of the code under test. */
export function genericSignatureFor(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}
