/** Signing call events the way a phone platform does (docs/telephony.md "Signatures"). */
import { createHmac, randomInt } from 'node:crypto';
import { normalisePhone } from '../../src/platform/contact/index.ts';

/** `X-Frontdoor-Signature` for `body`, computed independently of the code under test. */
export function genericSignatureFor(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** A valid UK mobile number no other test uses (1 in a million), as people write it. */
export function freshMobile(): string {
  for (;;) {
    const number = `07911 ${String(randomInt(0, 999_999)).padStart(6, '0')}`;
    if (normalisePhone(number)) return number;
  }
}
