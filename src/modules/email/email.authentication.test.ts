/**
 * Issue 13 item 4: the receiving server's Authentication-Results verdict (mail fetched by IMAP) and the
 * rule for trusting a sender. The verification itself (mailauth on the SMTP endpoint) is proved in
 * test/email.smtp-ingress.int.test.ts.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  readAuthenticationResults,
  senderTrusted,
  domainsAligned,
  type AuthVerdict,
} from './email.authentication.ts';

// As Microsoft 365 (Exchange Online Protection) writes them: no authserv-id, `;dmarc=` without a space.
const M365_PASS =
  'spf=pass (sender IP is 209.85.221.48) smtp.mailfrom=gmail.com; dkim=pass (signature was verified) header.d=gmail.com;dmarc=pass action=none header.from=gmail.com;compauth=pass reason=100';
const M365_SPOOF =
  'spf=fail (sender IP is 203.0.113.9) smtp.mailfrom=council-tax-refunds.example; dkim=none (message not signed) header.d=none;dmarc=fail action=quarantine header.from=hotmail.co.uk;compauth=fail reason=000';
const M365_NO_POLICY =
  'spf=pass (sender IP is 198.51.100.7) smtp.mailfrom=mail.smallbuilder.example; dkim=pass (signature was verified) header.d=smallbuilder.example;dmarc=bestguesspass action=none header.from=smallbuilder.example;compauth=pass reason=109';
// As Gmail writes them.
const GMAIL_PASS =
  'mx.google.com; dkim=pass header.i=@outlook.com header.s=selector1 header.b=Zk3aQ1bX; arc=pass (i=1); spf=pass (google.com: domain of resident@outlook.com designates 40.92.18.11 as permitted sender) smtp.mailfrom=resident@outlook.com; dmarc=pass (p=NONE sp=QUARANTINE dis=NONE) header.from=outlook.com';
const GMAIL_FAIL =
  'mx.google.com; dkim=neutral (body hash did not verify) header.i=@btinternet.com header.s=s1 header.b=9Q0aaB1c; spf=softfail (google.com: domain of transitioning resident@btinternet.com does not designate 203.0.113.50 as permitted sender) smtp.mailfrom=resident@btinternet.com; dmarc=fail (p=REJECT sp=REJECT dis=QUARANTINE) header.from=btinternet.com';
// What a sender can write into its own mail.
const FORGED_PASS =
  'mx.google.com; dkim=pass header.d=btinternet.com; spf=pass smtp.mailfrom=btinternet.com; dmarc=pass header.from=btinternet.com';

describe("issue 13 loops, bounces and spam: the receiving server's Authentication-Results", () => {
  test("issue 13 mail authentication: Microsoft 365's header (no authserv-id) is read when it is the topmost", () => {
    const verdict = readAuthenticationResults([M365_PASS], ['']);
    assert.deepEqual(verdict, {
      spf: 'pass',
      dkim: 'pass',
      dmarc: 'pass',
      aligned: { dkim: true, spf: true },
      header: M365_PASS,
      source: 'header',
    });
    assert.equal(senderTrusted(verdict), true);
  });

  test('issue 13 mail authentication: Microsoft 365 failing a spoofed sender is not trusted', () => {
    const verdict = readAuthenticationResults([M365_SPOOF, 'Received-by: x'], ['']);
    assert.equal(verdict.source, 'header');
    assert.equal(verdict.spf, 'fail');
    assert.equal(verdict.dkim, 'none');
    assert.equal(verdict.dmarc, 'fail');
    assert.equal(senderTrusted(verdict), false);
  });

  test("issue 13 mail authentication: Microsoft 365's bestguesspass is no DMARC policy, trusted on an aligned DKIM pass", () => {
    const verdict = readAuthenticationResults([M365_NO_POLICY], ['']);
    assert.equal(verdict.dmarc, 'none');
    assert.deepEqual(
      verdict.aligned,
      { dkim: true, spf: true },
      'mail.smallbuilder.example aligns with smallbuilder.example',
    );
    assert.equal(senderTrusted(verdict), true);
  });

  test("issue 13 mail authentication: Gmail's header is read by its authserv-id, comments and all", () => {
    const verdict = readAuthenticationResults([GMAIL_PASS], ['MX.Google.com']);
    assert.equal(verdict.source, 'header');
    assert.equal(verdict.dkim, 'pass');
    assert.equal(verdict.spf, 'pass');
    assert.equal(verdict.dmarc, 'pass');
    assert.deepEqual(verdict.aligned, { dkim: true, spf: true });
    assert.equal(senderTrusted(verdict), true);

    const failing = readAuthenticationResults([GMAIL_FAIL], ['mx.google.com']);
    assert.equal(failing.dkim, 'neutral');
    assert.equal(failing.spf, 'softfail');
    assert.equal(failing.dmarc, 'fail');
    assert.equal(senderTrusted(failing), false);
  });

  test("issue 13 mail authentication: a forged header below the server's own is ignored (the topmost trusted one counts)", () => {
    const verdict = readAuthenticationResults([GMAIL_FAIL, FORGED_PASS], ['mx.google.com']);
    assert.equal(verdict.dmarc, 'fail');
    assert.equal(verdict.header, GMAIL_FAIL);
    assert.equal(senderTrusted(verdict), false);
  });

  test('issue 13 mail authentication: a header from an untrusted authserv-id is ignored', () => {
    const forged =
      'mx.evil.example; dkim=pass header.d=gmail.com; spf=pass smtp.mailfrom=gmail.com; dmarc=pass header.from=gmail.com';
    const verdict = readAuthenticationResults([forged], ['mx.google.com']);
    assert.equal(verdict.source, 'none');
    assert.equal(senderTrusted(verdict), false);
  });

  test('issue 13 mail authentication: a header without authserv-id counts only as the topmost, and only when trusted', () => {
    // A sender's own M365-style header, below the receiving server's: ignored.
    assert.equal(readAuthenticationResults([GMAIL_FAIL, M365_PASS], ['']).source, 'none');
    // Microsoft 365's header is not trusted unless '' is listed.
    assert.equal(readAuthenticationResults([M365_PASS], ['mx.google.com']).source, 'none');
  });

  test('issue 13 mail authentication: no Authentication-Results header gives source none, never trusted', () => {
    const verdict = readAuthenticationResults([], ['', 'mx.google.com']);
    assert.deepEqual(verdict, {
      spf: 'none',
      dkim: 'none',
      dmarc: 'none',
      aligned: { dkim: false, spf: false },
      header: null,
      source: 'none',
    });
    assert.equal(senderTrusted(verdict), false);
  });

  test('issue 13 mail authentication: quoted strings and comments holding ";" or "=" do not split a result', () => {
    const header =
      'mx.council.example 1; spf=pass (domain of a;b=c (nested; comment) designates) smtp.mailfrom="resident@resident.example"; dkim=fail reason="bad; sig=x" header.d=resident.example; dkim = pass header.d=resident.example; dmarc=none header.from=resident.example';
    const verdict = readAuthenticationResults(['Authentication-Results: ' + header], ['mx.council.example']);
    assert.equal(verdict.spf, 'pass');
    assert.equal(verdict.dkim, 'pass', 'one passing signature among several');
    assert.equal(verdict.dmarc, 'none');
    assert.deepEqual(verdict.aligned, { dkim: true, spf: true });
    assert.equal(verdict.header, header);
  });

  test('issue 13 mail authentication: no header.from uses the given From domain for alignment', () => {
    const header = 'mx.council.example; spf=pass smtp.mailfrom=resident.example; dkim=none';
    assert.deepEqual(readAuthenticationResults([header], ['mx.council.example']).aligned, {
      dkim: false,
      spf: false,
    });
    const verdict = readAuthenticationResults([header], ['mx.council.example'], {
      fromDomain: 'resident.example',
    });
    assert.deepEqual(verdict.aligned, { dkim: false, spf: true });
    assert.equal(senderTrusted(verdict), true);
  });
});

describe('issue 13 loops, bounces and spam: when a sender is trusted', () => {
  const verdict = (
    dmarc: string,
    dkim: string,
    spf: string,
    aligned: { dkim: boolean; spf: boolean },
    source: AuthVerdict['source'] = 'verified',
  ) => ({ dmarc, dkim, spf, aligned, header: null, source }) as AuthVerdict;
  const both = { dkim: true, spf: true };
  const neither = { dkim: false, spf: false };

  const cases: [string, AuthVerdict, boolean][] = [
    ['DMARC pass', verdict('pass', 'pass', 'pass', both), true],
    ['DMARC pass by SPF alone', verdict('pass', 'none', 'pass', { dkim: false, spf: true }), true],
    ['DMARC fail, even with an unaligned DKIM pass', verdict('fail', 'pass', 'fail', neither), false],
    ['DMARC temperror', verdict('temperror', 'pass', 'pass', both), false],
    ['DMARC permerror', verdict('permerror', 'pass', 'pass', both), false],
    ['no DMARC policy, aligned DKIM pass', verdict('none', 'pass', 'fail', { dkim: true, spf: false }), true],
    ['no DMARC policy, aligned SPF pass', verdict('none', 'none', 'pass', { dkim: false, spf: true }), true],
    ['no DMARC policy, DKIM pass by another domain', verdict('none', 'pass', 'none', neither), false],
    ['no DMARC policy, SPF pass for another domain', verdict('none', 'none', 'pass', neither), false],
    ['no DMARC policy, DKIM body changed', verdict('none', 'neutral', 'softfail', neither), false],
    ['no DMARC policy, nothing passes', verdict('none', 'none', 'none', neither), false],
    ['nothing to go on', verdict('none', 'none', 'none', neither, 'none'), false],
  ];
  for (const [name, v, expected] of cases) {
    test(`issue 13 mail authentication: ${name} → ${expected ? 'trusted' : 'not trusted'}`, () => {
      assert.equal(senderTrusted(v), expected);
    });
  }

  test('issue 13 mail authentication: relaxed alignment is the same domain or a subdomain, not a sibling or a lookalike', () => {
    assert.equal(domainsAligned('council.gov.uk', 'council.gov.uk'), true);
    assert.equal(domainsAligned('mail.council.gov.uk', 'council.gov.uk'), true);
    assert.equal(domainsAligned('council.gov.uk', 'mail.council.gov.uk'), true);
    assert.equal(domainsAligned('evilcouncil.gov.uk', 'council.gov.uk'), false);
    assert.equal(domainsAligned('a.council.gov.uk', 'b.council.gov.uk'), false);
    assert.equal(domainsAligned(null, 'council.gov.uk'), false);
  });
});
