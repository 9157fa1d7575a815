/**
 * Mail authentication (issue 13 item 4; docs/email.md "Mail authentication"): whether the sender of an
 * inbound message is who the From header says, so that a failing sender is never treated as a known
 * customer without staff confirmation.
 *
 * Two sources, one verdict:
 * - mail received on our own SMTP endpoint is verified here with `mailauth` (DKIM, SPF, DMARC):
 *   `verifyWithMailauth`, `source: 'verified'`;
 * - mail fetched by IMAP was verified by the receiving server (Microsoft 365, Gmail, …), which wrote an
 *   `Authentication-Results` header: `readAuthenticationResults` trusts only the topmost header of a
 *   server we name (a sender can write any header it likes), `source: 'header'`.
 *
 * `senderTrusted(verdict)` is the one rule the rest of the channel applies.
 */
import { authenticate, type AuthenticateResult, type DNSResolver } from 'mailauth';

/** RFC 8601 result values, as we keep them. Anything else a server writes is kept as `neutral`. */
export type AuthResult =
  'pass' | 'fail' | 'softfail' | 'neutral' | 'none' | 'temperror' | 'permerror' | 'policy';

export interface AuthVerdict {
  /** SPF for the envelope sender (MAIL FROM), or the HELO name when there is none. */
  spf: AuthResult;
  /**
   * DKIM: `pass` when a signature verified (an aligned one preferred), else the first signature's result;
   * `none` when unsigned. A body changed after signing is `neutral` ("body hash did not verify", as
   * mailauth and Gmail write it), a bad signature `fail`: neither is a pass.
   */
  dkim: AuthResult;
  /** DMARC for the From domain: `none` when the domain publishes no DMARC policy. */
  dmarc: AuthResult;
  /**
   * Whether a passing DKIM signature's domain, and the passing SPF domain, share the From header's
   * (organisational) domain: DMARC's relaxed alignment. False when that result is not a pass.
   */
  aligned: { dkim: boolean; spf: boolean };
  /** The Authentication-Results header value the verdict comes from (evidence), or null. */
  header: string | null;
  /** `verified` by us (SMTP endpoint), read from a trusted `header` (IMAP), or `none` to go on. */
  source: 'verified' | 'header' | 'none';
}

/** A verdict with nothing to go on: no trusted header, nothing verified. Never trusted. */
export const NO_VERDICT: AuthVerdict = Object.freeze({
  spf: 'none',
  dkim: 'none',
  dmarc: 'none',
  aligned: Object.freeze({ dkim: false, spf: false }),
  header: null,
  source: 'none',
});

/**
 * Whether the From address may be taken at its word (matched to a known customer without staff
 * confirmation). The rule:
 *
 * 1. DMARC `pass`: trusted (the From domain's owner vouches for this sender).
 * 2. DMARC `none` (the From domain publishes no DMARC policy): trusted only on a passing DKIM signature
 *    aligned with the From domain, or a passing SPF check for an envelope domain aligned with it. An
 *    unaligned pass proves only that *some* domain sent the mail, not the From domain, so it is not enough.
 * 3. Anything else (DMARC `fail`, `temperror`, `permerror`, …), or no verdict at all: not trusted.
 */
export function senderTrusted(verdict: AuthVerdict): boolean {
  if (verdict.source === 'none') return false;
  if (verdict.dmarc === 'pass') return true;
  if (verdict.dmarc !== 'none') return false;
  return (verdict.dkim === 'pass' && verdict.aligned.dkim) || (verdict.spf === 'pass' && verdict.aligned.spf);
}

const RESULT_ALIASES: Record<string, AuthResult> = {
  pass: 'pass',
  fail: 'fail',
  hardfail: 'fail',
  softfail: 'softfail',
  neutral: 'neutral',
  none: 'none',
  temperror: 'temperror',
  temperr: 'temperror',
  permerror: 'permerror',
  permerr: 'permerror',
  policy: 'policy',
  // mailauth's result for a check it did not run.
  skipped: 'none',
  // Microsoft 365: the domain publishes no DMARC policy, but the mail would pass one. No policy is `none`;
  // the aligned DKIM or SPF pass still counts under rule 2 of `senderTrusted`.
  bestguesspass: 'none',
};

function asResult(value: string | undefined): AuthResult {
  if (value === undefined) return 'none';
  return RESULT_ALIASES[value.trim().toLowerCase()] ?? 'neutral';
}

function domainOf(value: string | undefined | null): string | null {
  if (!value) return null;
  const domain = value
    .slice(value.lastIndexOf('@') + 1)
    .trim()
    .replace(/^[<"]+|[>".]+$/g, '')
    .toLowerCase();
  return domain.includes('.') ? domain : null;
}

/**
 * DMARC relaxed alignment without the public suffix list: the same domain, or one a subdomain of the
 * other (`mail.council.gov.uk` and `council.gov.uk`). Siblings (`a.x.com`, `b.x.com`) are not counted:
 * the cautious side. mailauth's own alignment (with the suffix list) is used where it gives one.
 */
export function domainsAligned(a: string | null, b: string | null): boolean {
  if (!a || !b) return false;
  return a === b || a.endsWith(`.${b}`) || b.endsWith(`.${a}`);
}

// ---------------------------------------------------------------------------------------------------
// Verified here: mail received on our SMTP endpoint.

export interface VerifyOptions {
  /** The connecting client's IP address. */
  ip: string;
  /** The client's EHLO/HELO name. */
  helo: string;
  /** The envelope sender (MAIL FROM), null for `<>` (bounces). */
  mailFrom: string | null;
  /** Our own host name: the authserv-id of the Authentication-Results header. */
  mta: string;
  /** DNS lookups (`(name, rrtype) => records`); Node's resolver by default. Tests answer locally. */
  resolver?: DNSResolver;
}

/**
 * Verifies DKIM, SPF and DMARC with mailauth's `authenticate` (ARC and BIMI are not needed: a relay
 * that forwards mail should be listed as trusted, and logos are not shown). `header` is the
 * Authentication-Results value mailauth writes (after `Authentication-Results: `), kept as evidence.
 */
export async function verifyWithMailauth(raw: Buffer, options: VerifyOptions): Promise<AuthVerdict> {
  const result = await authenticate(raw, {
    ip: options.ip,
    helo: options.helo,
    // '' makes SPF check the HELO name, as for a bounce (RFC 7208 2.4).
    sender: options.mailFrom ?? '',
    mta: options.mta,
    disableArc: true,
    disableBimi: true,
    ...(options.resolver ? { resolver: options.resolver } : {}),
  });
  return verdictFromMailauth(result);
}

function verdictFromMailauth(result: AuthenticateResult): AuthVerdict {
  const signatures = result.dkim.results ?? [];
  const passing = signatures.filter((s) => s.status.result === 'pass');
  const alignedPass = passing.find((s) => Boolean(s.status.aligned));
  const dkim: AuthResult =
    passing.length > 0 ? 'pass' : signatures.length > 0 ? asResult(signatures[0].status.result) : 'none';
  const spf: AuthResult = result.spf ? asResult(result.spf.status.result) : 'none';
  const fromDomains = result.dkim.headerFrom ?? [];
  // Several From addresses: DMARC cannot apply (mailauth gives no result), and nothing aligns.
  const fromDomain = fromDomains.length === 1 ? domainOf(fromDomains[0]) : null;
  const dmarc: AuthResult = result.dmarc
    ? asResult(result.dmarc.status.result)
    : fromDomain
      ? 'none'
      : 'permerror';
  const spfDomain = result.spf ? domainOf(result.spf.domain) : null;
  const headerLine = result.headers.split(/\r?\n(?=\S)/).find((h) => /^authentication-results:/i.test(h));
  return {
    spf,
    dkim,
    dmarc,
    aligned: {
      dkim: fromDomain !== null && alignedPass !== undefined,
      spf: spf === 'pass' && domainsAligned(spfDomain, fromDomain),
    },
    header: headerLine ? unfold(headerLine.slice(headerLine.indexOf(':') + 1)) : null,
    source: 'verified',
  };
}

function unfold(value: string): string {
  return value.replace(/\r?\n[ \t]+/g, ' ').trim();
}

// ---------------------------------------------------------------------------------------------------
// Read from the receiving server's header: mail fetched by IMAP.

/**
 * The verdict of the receiving server, from the `Authentication-Results` header values of a message,
 * topmost first (as `parseInbound(...).headers.get('authentication-results')` gives them).
 *
 * Only the topmost header whose authserv-id (the first word) is in `trustedAuthservIds` counts (case
 * does not matter); every other one is ignored, since anyone can write one into the mail they send, and a
 * server adds its own above those already there. Microsoft 365 writes its header **without** an
 * authserv-id (`spf=pass (sender IP is …) smtp.mailfrom=…; dkim=…`): list `''` to trust that, which
 * then counts only as the very topmost header of the message. No trusted header: `source: 'none'`.
 *
 * `fromDomain` (the From header's domain) is used for alignment when the header gives no `header.from`.
 */
export function readAuthenticationResults(
  headerValues: readonly string[],
  trustedAuthservIds: readonly string[],
  options: { fromDomain?: string | null } = {},
): AuthVerdict {
  const trusted = new Set(trustedAuthservIds.map((id) => id.trim().toLowerCase()));
  for (const [index, value] of headerValues.entries()) {
    const parsed = parseAuthenticationResults(value);
    if (!parsed) continue;
    const ok = parsed.authservId === null ? index === 0 && trusted.has('') : trusted.has(parsed.authservId);
    if (ok) return verdictFromHeader(parsed, unfold(stripFieldName(value)), options.fromDomain ?? null);
  }
  return { ...NO_VERDICT, aligned: { dkim: false, spf: false } };
}

interface ResInfo {
  method: string;
  result: string;
  /** `ptype.property` (lower case) → value, e.g. `header.d` → `council.gov.uk`. */
  properties: Map<string, string>;
}

interface ParsedResults {
  /** Lower case; null when the header starts straight with a result (Microsoft 365). */
  authservId: string | null;
  results: ResInfo[];
}

function stripFieldName(value: string): string {
  return value.replace(/^\s*authentication-results\s*:/i, '');
}

/**
 * A small RFC 8601 parser: comments (nested, with escapes) go, quoted strings stay whole, `;` outside
 * them separates the authserv-id from each method's result. Null for a header with nothing readable.
 */
export function parseAuthenticationResults(value: string): ParsedResults | null {
  const segments = splitSegments(stripFieldName(value));
  if (segments.length === 0) return null;
  let authservId: string | null = null;
  let rest = segments;
  const first = tokens(segments[0]);
  if (first.length > 0 && !first[0].includes('=')) {
    // authserv-id [version]
    authservId = unquote(first[0]).toLowerCase();
    rest = segments.slice(1);
  }
  const results: ResInfo[] = [];
  for (const segment of rest) {
    const words = tokens(segment);
    if (words.length === 0) continue;
    const [head, ...props] = words;
    const eq = head.indexOf('=');
    if (eq <= 0) continue; // `none` (no results) or junk
    const method = head.slice(0, eq).replace(/\/.*$/, '').toLowerCase();
    const result = unquote(head.slice(eq + 1)).toLowerCase();
    const properties = new Map<string, string>();
    for (const prop of props) {
      const at = prop.indexOf('=');
      if (at <= 0) continue;
      const key = prop.slice(0, at).toLowerCase();
      if (!properties.has(key)) properties.set(key, unquote(prop.slice(at + 1)));
    }
    results.push({ method, result, properties });
  }
  return { authservId, results };
}

/** Splits on `;` outside quotes, dropping comments. Microsoft 365 writes `…;dmarc=…` with no space. */
function splitSegments(value: string): string[] {
  const segments: string[] = [];
  let current = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i += 1) {
    const c = value[i];
    if (c === '\\' && (quoted || depth > 0)) {
      if (depth === 0) current += c + (value[i + 1] ?? '');
      i += 1;
      continue;
    }
    if (depth > 0) {
      if (c === '(') depth += 1;
      else if (c === ')') depth -= 1;
      if (depth === 0) current += ' ';
      continue;
    }
    if (quoted) {
      current += c;
      if (c === '"') quoted = false;
      continue;
    }
    if (c === '(') depth = 1;
    else if (c === '"') {
      quoted = true;
      current += c;
    } else if (c === ';') {
      segments.push(current);
      current = '';
    } else current += c;
  }
  segments.push(current);
  return segments.map((s) => s.replace(/\s+/g, ' ').trim()).filter((s) => s.length > 0);
}

/** Words separated by white space outside quotes; `a = b` is read as `a=b`. */
function tokens(segment: string): string[] {
  const words: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < segment.length; i += 1) {
    const c = segment[i];
    if (c === '\\' && quoted) {
      current += c + (segment[i + 1] ?? '');
      i += 1;
    } else if (c === '"') {
      quoted = !quoted;
      current += c;
    } else if (/\s/.test(c) && !quoted) {
      if (current) words.push(current);
      current = '';
    } else current += c;
  }
  if (current) words.push(current);
  // Join `a =b`, `a= b`, `a = b`.
  const joined: string[] = [];
  for (const word of words) {
    const last = joined.at(-1);
    if (last !== undefined && (last.endsWith('=') || word.startsWith('=')))
      joined[joined.length - 1] = last + word;
    else joined.push(word);
  }
  return joined;
}

function unquote(value: string): string {
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    return value.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  return value;
}

function verdictFromHeader(
  parsed: ParsedResults,
  header: string,
  fromDomainGiven: string | null,
): AuthVerdict {
  const of = (method: string) => parsed.results.filter((r) => r.method === method);
  const dmarcRows = of('dmarc');
  const fromDomain = domainOf(dmarcRows[0]?.properties.get('header.from')) ?? domainOf(fromDomainGiven);

  const dkimRows = of('dkim');
  const dkimDomain = (r: ResInfo) => domainOf(r.properties.get('header.d') ?? r.properties.get('header.i'));
  const dkimPasses = dkimRows.filter((r) => asResult(r.result) === 'pass');
  const dkim: AuthResult =
    dkimPasses.length > 0 ? 'pass' : dkimRows.length > 0 ? asResult(dkimRows[0].result) : 'none';

  const spfRow = of('spf')[0];
  const spf = asResult(spfRow?.result);
  const spfDomain = domainOf(spfRow?.properties.get('smtp.mailfrom') ?? spfRow?.properties.get('smtp.helo'));

  return {
    spf,
    dkim,
    dmarc: asResult(dmarcRows[0]?.result),
    aligned: {
      dkim: dkimPasses.some((r) => domainsAligned(dkimDomain(r), fromDomain)),
      spf: spf === 'pass' && domainsAligned(spfDomain, fromDomain),
    },
    header,
    source: 'header',
  };
}
