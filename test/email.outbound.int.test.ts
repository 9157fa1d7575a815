/**
 * Issue 13 item 4 (foundations): the threading headers of outbound email arrive at a real mail server.
 * The real SMTP adapter (nodemailer) sends to the local SMTP peer (test/support/smtp.ts, smtp-server +
 * mailparser); the raw bytes it received are read back with the email module's own parser, and a resident's
 * reply, sent by a real nodemailer client to the same peer, threads back onto the case. No database.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import { adaptersFromConfig } from '../src/modules/notifications/index.ts';
import { classify, parseInbound, threadCandidates } from '../src/modules/email/index.ts';
import { startSmtpServer, type TestSmtpServer } from './support/smtp.ts';

const FROM = 'Highways <frontdoor@council.example.gov.uk>';
const DOMAIN = 'mail.frontdoor.example.gov.uk';
const SECRET = 'test-email-reply-secret-0123456789abcdef';
const THREADING = { messageIdDomain: DOMAIN, replyAddress: `reply@${DOMAIN}`, replySecret: SECRET };
const ACK = `0f2a5a1e-3c1b-4d7e-9a53-1d2e3f4a5b6c@${DOMAIN}`;
const UPDATE = `1c9e8d7f-2b3a-4c5d-8e9f-0a1b2c3d4e5f@${DOMAIN}`;

let smtp: TestSmtpServer;
before(async () => {
  smtp = await startSmtpServer();
});
after(async () => {
  await smtp.stop();
});

const adapterWith = (email?: {
  messageIdDomain: string | null;
  replyAddress: string | null;
  replySecret: string | null;
}) => {
  const adapters = adaptersFromConfig({
    notify: null,
    smtp: { url: smtp.url, from: FROM, connectTimeoutMs: 2_000, responseTimeoutMs: 5_000 },
    ...(email ? { email } : {}),
  });
  assert.ok(adapters.email);
  return adapters.email;
};

const only = async (recipient: string) => {
  await smtp.until(() => smtp.to(recipient).length === 1);
  return smtp.to(recipient)[0];
};

describe('issue 13: outbound threading headers arrive over real SMTP', () => {
  test('issue 13: Message-ID on our domain, In-Reply-To, References, Auto-Submitted, [Ref] subject, signed Reply-To', async () => {
    const recipient = `resident-${randomUUID()}@example.com`;
    const id = randomUUID();
    const adapter = adapterWith(THREADING);
    const sent = await adapter.send({
      id,
      channel: 'email',
      template: 'case.status_changed',
      recipient,
      subject: 'Your report has been updated',
      body: 'We have fixed the pothole.',
      caseReference: 'kx7p-3rmd',
      inReplyTo: `<${UPDATE}>`,
      references: [ACK],
      automated: true,
    });
    assert.equal(sent.providerId, `<${id}@${DOMAIN}>`);

    const mail = await only(recipient);
    assert.equal(mail.messageId, `<${id}@${DOMAIN}>`);
    assert.equal(mail.subject, 'Your report has been updated [Ref: KX7P-3RMD]');
    assert.equal(mail.headers.get('in-reply-to'), `<${UPDATE}>`);
    assert.deepEqual(mail.headers.get('references'), [`<${ACK}>`, `<${UPDATE}>`]);
    assert.equal(mail.headers.get('auto-submitted'), 'auto-generated');
    assert.equal(mail.headers.get('x-auto-response-suppress'), 'All');
    assert.equal(mail.headers.get('x-frontdoor-message-id'), id);
    const replyTo = mail.headers.get('reply-to') as { value: { address: string }[] };
    assert.deepEqual(
      replyTo.value.map((a) => a.address),
      [`reply+kx7p-3rmd-9690tzngrd@${DOMAIN}`],
    );

    // Should it ever come back to us (a forwarding rule, a mailing list), it is recognised as our own.
    const echoed = await parseInbound(mail.raw, { receivedAt: new Date(), mailbox: `reply@${DOMAIN}` });
    assert.deepEqual(classify(echoed, { ownDomains: [DOMAIN] }).reasons, [
      'auto-submitted',
      'auto-response-suppress',
      'own-message-id',
    ]);

    // The resident's mail client answers it: the reply threads onto KX7P-3RMD, strongest key first.
    const client = nodemailer.createTransport({ url: smtp.url });
    try {
      await client.sendMail({
        from: `Jo Bloggs <${recipient}>`,
        to: `reply+kx7p-3rmd-9690tzngrd@${DOMAIN}`,
        subject: `RE: ${mail.subject}`,
        text: 'Thank you.',
        inReplyTo: mail.messageId ?? undefined,
        references: [`<${ACK}>`, `<${UPDATE}>`, mail.messageId ?? ''],
      });
    } finally {
      client.close();
    }
    const reply = await only(`reply+kx7p-3rmd-9690tzngrd@${DOMAIN}`);
    const parsed = await parseInbound(reply.raw, { receivedAt: new Date(), mailbox: `reply@${DOMAIN}` });
    assert.deepEqual(classify(parsed, { ownDomains: [DOMAIN] }), {
      autoReply: false,
      reasons: [],
      outOfOffice: false,
      dsn: null,
    });
    assert.deepEqual(threadCandidates(parsed, { secret: SECRET }), [
      { kind: 'reply-address', reference: 'KX7P-3RMD', address: `reply+kx7p-3rmd-9690tzngrd@${DOMAIN}` },
      { kind: 'message-id', messageId: `${id}@${DOMAIN}` },
      { kind: 'message-id', messageId: UPDATE },
      { kind: 'message-id', messageId: ACK },
      { kind: 'subject-reference', reference: 'KX7P-3RMD' },
    ]);
  });

  test('issue 13: existing callers are unchanged: no threading fields, no threading headers', async () => {
    const recipient = `resident-${randomUUID()}@example.com`;
    const id = randomUUID();
    await adapterWith().send({
      id,
      channel: 'email',
      template: 'sign_in.code',
      recipient,
      subject: 'Your sign-in code',
      body: '123456',
    });
    const mail = await only(recipient);
    assert.equal(mail.messageId, `<${id}@council.example.gov.uk>`); // MAIL_FROM's domain, as before
    assert.equal(mail.subject, 'Your sign-in code');
    for (const header of [
      'in-reply-to',
      'references',
      'auto-submitted',
      'x-auto-response-suppress',
      'reply-to',
    ])
      assert.equal(mail.headers.has(header), false, header);
  });

  test('issue 13: a case reference without a reply address still goes in the subject; no Reply-To', async () => {
    const recipient = `resident-${randomUUID()}@example.com`;
    await adapterWith({ ...THREADING, replyAddress: null }).send({
      id: randomUUID(),
      channel: 'email',
      template: 'case.received',
      recipient,
      subject: 'We have your report [Ref: KX7P-3RMD]',
      body: 'Thank you.',
      caseReference: 'KX7P-3RMD',
    });
    const mail = await only(recipient);
    assert.equal(mail.subject, 'We have your report [Ref: KX7P-3RMD]'); // not twice
    assert.equal(mail.headers.has('reply-to'), false);
    assert.equal(mail.headers.has('auto-submitted'), false);
    assert.match(mail.messageId ?? '', new RegExp(`@${DOMAIN.replace(/\./g, '\\.')}>$`));
  });
});
