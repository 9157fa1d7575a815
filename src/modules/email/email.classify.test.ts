import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classify, isAutomatedSender, mayAutoAcknowledge } from './email.classify.ts';
import { parseInbound } from './email.inbound.ts';

const OWN = { ownDomains: ['mail.frontdoor.example.gov.uk'] };

async function mail(headers: string, from = 'jo.bloggs@example.com', messageId = '<m1@example.com>') {
  const raw = `From: ${from}\nTo: highways@council.example.gov.uk\nSubject: Pothole\nMessage-ID: ${messageId}\n${headers}${headers ? '\n' : ''}\nHello\n`;
  return parseInbound(Buffer.from(raw), {
    receivedAt: new Date(0),
    mailbox: 'highways@council.example.gov.uk',
  });
}

void test('issue 13: classify: which headers mean "never answer automatically"', async () => {
  const TABLE: [string, string[]][] = [
    ['', []],
    ['Auto-Submitted: no', []],
    ['Auto-Submitted: No ; comment', []],
    ['Auto-Submitted: auto-generated', ['auto-submitted']],
    ['Auto-Submitted: auto-replied', ['auto-submitted']],
    ['Auto-Submitted: auto-notified; owner-email="x@example.com"', ['auto-submitted']],
    ['Precedence: bulk', ['precedence']],
    ['Precedence: List', ['precedence']],
    ['Precedence: junk', ['precedence']],
    ['Precedence: first-class', []],
    ['List-Unsubscribe: <mailto:leave@example.com>', ['list-unsubscribe']],
    ['X-Autoreply: yes', ['autoreply-header']],
    ['X-Auto-Response-Suppress: All', ['auto-response-suppress']],
    ['X-Auto-Response-Suppress: OOF', ['auto-response-suppress']],
    ['X-Auto-Response-Suppress: DR, RN, NRN, OOF, AutoReply', ['auto-response-suppress']],
    ['X-Auto-Response-Suppress: DR, RN, NRN', []],
    ['X-Auto-Response-Suppress: DR, NDR, RN, NRN, AutoReply', []],
    ['Return-Path: <>', ['null-return-path']],
    ['Return-Path: <jo.bloggs@example.com>', []],
  ];
  for (const [headers, reasons] of TABLE) {
    const result = classify(await mail(headers), OWN);
    assert.deepEqual(result.reasons, reasons, headers);
    assert.equal(result.autoReply, reasons.length > 0, headers);
  }
});

void test('issue 13: classify: automated senders and our own Message-ID domain', async () => {
  for (const from of [
    'MAILER-DAEMON@mx.example.net',
    'postmaster@example.com',
    'no-reply@service.example.com',
    'noreply@example.com',
    'do-not-reply@example.com',
    'donotreply@example.com',
    'bounces+123@sendgrid.example.net',
  ])
    assert.deepEqual(classify(await mail('', from), OWN).reasons, ['automated-sender'], from);
  for (const from of ['jo.bloggs@example.com', 'replies@example.com', 'postmasters-guild@example.com'])
    assert.deepEqual(classify(await mail('', from), OWN).reasons, [], from);
  const ours = await mail('', 'jo.bloggs@example.com', '<abc@Mail.Frontdoor.example.gov.uk>');
  assert.deepEqual(classify(ours, OWN).reasons, ['own-message-id']);
  // A synthesised id is never ours, whatever the settings say.
  const none = await parseInbound(Buffer.from('From: jo@example.com\nSubject: x\n\nHi\n'), {
    receivedAt: new Date(0),
    mailbox: 'highways@council.example.gov.uk',
  });
  assert.deepEqual(classify(none, { ownDomains: ['synthesised.frontdoor.invalid'] }).reasons, []);
});

void test('issue 13: classify: out of office is an automatic reply to a person, never a report', async () => {
  assert.equal(classify(await mail('Auto-Submitted: auto-replied'), OWN).outOfOffice, true);
  assert.equal(classify(await mail('Auto-Submitted: auto-generated'), OWN).outOfOffice, false);
  assert.equal(classify(await mail('X-Autoreply: yes'), OWN).outOfOffice, true);
  const subject = async (s: string) =>
    classify(
      await parseInbound(Buffer.from(`From: jo@example.com\nSubject: ${s}\nMessage-ID: <x@y>\n\nHi\n`), {
        receivedAt: new Date(0),
        mailbox: 'a@b.example',
      }),
      OWN,
    ).outOfOffice;
  assert.equal(await subject('Automatic reply: Pothole'), true);
  assert.equal(await subject('Out of Office: Pothole'), true);
  assert.equal(await subject('Autoreply: Pothole'), true);
  assert.equal(await subject('Re: Pothole out of office hours'), false);
});

void test('issue 13: classify: delivery status codes, permanent only for 5.1.x failures', async () => {
  const report = async (status: string, action = 'failed', extra = '') =>
    classify(
      await parseInbound(
        Buffer.from(
          [
            'From: MAILER-DAEMON@mx.example.net',
            'Subject: Undelivered',
            'Message-ID: <dsn@mx.example.net>',
            'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
            '',
            '--b',
            'Content-Type: text/plain',
            '',
            'It failed.',
            '--b',
            'Content-Type: message/delivery-status',
            '',
            'Reporting-MTA: dns; mx.example.net',
            '',
            `Final-Recipient: rfc822; Sam@Example.com${extra}`,
            `Action: ${action}`,
            `Status: ${status}`,
            '',
            '--b--',
            '',
          ].join('\n'),
        ),
        { receivedAt: new Date(0), mailbox: 'a@b.example' },
      ),
      OWN,
    ).dsn;
  const TABLE: [string, string, boolean, boolean][] = [
    ['5.1.1', 'failed', true, false],
    ['5.1.2', 'failed', true, false],
    ['5.1.10', 'failed', true, false],
    ['5.2.2', 'failed', false, true],
    ['4.2.2', 'delayed', false, true],
    ['5.7.1', 'failed', false, false],
    ['4.4.1', 'delayed', false, false],
    ['5.1.1', 'delayed', false, false],
  ];
  for (const [status, action, permanent, mailboxFull] of TABLE)
    assert.deepEqual(
      await report(status, action),
      { status, action, recipient: 'sam@example.com', permanent, mailboxFull, originalMessageId: null },
      `${status} ${action}`,
    );
  assert.equal(await report('not a status'), null);
  assert.equal(
    (await report('5.1.1', 'failed', '\nOriginal-Recipient: rfc822;sam.j@example.com'))?.recipient,
    'sam.j@example.com',
  );
});

void test('issue 13: mayAutoAcknowledge: at most one automatic acknowledgement per sender in 24 hours', () => {
  const now = new Date('2026-12-07T12:00:00Z');
  const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);
  assert.equal(mayAutoAcknowledge('jo.bloggs@example.com', null, now), true);
  assert.equal(mayAutoAcknowledge('jo.bloggs@example.com', hoursAgo(1), now), false);
  assert.equal(mayAutoAcknowledge('jo.bloggs@example.com', hoursAgo(23.99), now), false);
  assert.equal(mayAutoAcknowledge('jo.bloggs@example.com', hoursAgo(24), now), true);
  assert.equal(mayAutoAcknowledge('jo.bloggs@example.com', hoursAgo(-1), now), false); // dated ahead
  assert.equal(mayAutoAcknowledge('no-reply@example.com', null, now), false);
  assert.equal(mayAutoAcknowledge('MAILER-DAEMON@example.com', null, now), false);
  assert.equal(mayAutoAcknowledge('not an address', null, now), false);
  assert.equal(mayAutoAcknowledge(null, null, now), false);
  assert.equal(isAutomatedSender('Postmaster@Example.com'), true);
});
