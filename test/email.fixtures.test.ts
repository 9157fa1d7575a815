/**
 * The inbound email fixture corpus (test/fixtures/email/*.eml, written for these tests): for each message,
 * exactly what parseInbound, classify and threadCandidates return (docs/email.md). Pure: no database, no
 * network. The signed reply addresses in the fixtures were made with SECRET below.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  classify,
  mayAutoAcknowledge,
  parseInbound,
  subjectTopic,
  threadCandidates,
  type InboundMessage,
} from '../src/modules/email/index.ts';

const SECRET = 'test-email-reply-secret-0123456789abcdef';
const OWN = { ownDomains: ['mail.frontdoor.example.gov.uk'] };
const RECEIVED = new Date('2026-12-07T09:30:00Z');
const MAILBOX = 'highways@council.example.gov.uk';
const US = 'mail.frontdoor.example.gov.uk';
const ACK = `0f2a5a1e-3c1b-4d7e-9a53-1d2e3f4a5b6c@${US}`; // our acknowledgement
const UPDATE = `1c9e8d7f-2b3a-4c5d-8e9f-0a1b2c3d4e5f@${US}`; // our later update on the same case
const SIGNED = `reply+kx7p-3rmd-9690tzngrd@${US}`; // signed reply address of KX7P-3RMD

const raw = (name: string) => readFileSync(new URL(`./fixtures/email/${name}`, import.meta.url));
const load = (name: string, mailbox = MAILBOX) => parseInbound(raw(name), { receivedAt: RECEIVED, mailbox });

/** Everything parseInbound returns but the header map and hashes (asserted on their own below). */
function summary(m: InboundMessage) {
  const { headers: _headers, fingerprint: _f, rawSha256: _r, attachments, ...rest } = m;
  return {
    ...rest,
    attachments: attachments.map(({ content, sha256, ...a }) => {
      assert.equal(sha256, createHash('sha256').update(content).digest('hex'));
      assert.equal(content.length, a.size);
      return a;
    }),
  };
}

const whole = (m: InboundMessage) => ({
  classify: classify(m, OWN),
  threadCandidates: threadCandidates(m, { secret: SECRET }),
});

const ordinary = { autoReply: false, reasons: [], outOfOffice: false, dsn: null };
const base = {
  messageIdSynthesised: false,
  replyTo: [],
  cc: [],
  html: null,
  attachments: [],
  receivedAt: RECEIVED,
  mailbox: MAILBOX,
};
const jo = { address: 'jo.bloggs@example.com', name: 'Jo Bloggs' };
const highways = { address: MAILBOX, name: null };

describe('issue 13: inbound fixture corpus', () => {
  test('issue 13: Outlook out-of-office is an automatic reply, recorded, threaded by the signed address', async () => {
    const m = await load('outlook-out-of-office.eml');
    assert.deepEqual(summary(m), {
      ...base,
      messageId: '7f3e2c9a1b4d4e0f8a6b5c4d3e2f1a0b@EX1P123MB0002.GBRP123.PROD.OUTLOOK.COM',
      inReplyTo: ACK,
      references: [ACK],
      from: jo,
      to: [{ address: SIGNED, name: 'Highways' }],
      subject: 'Automatic reply: Your report about a pothole [Ref: KX7P-3RMD]',
      text: 'I am out of the office until Monday 14 December with no access to email.\n',
      html: '<html><body><p>I am out of the office until Monday 14 December with no access to email.</p></body></html>\n',
      sentAt: new Date('2026-12-07T09:14:03Z'),
      dedupeKey: `7f3e2c9a1b4d4e0f8a6b5c4d3e2f1a0b@EX1P123MB0002.GBRP123.PROD.OUTLOOK.COM ${MAILBOX}`,
      size: 1334,
    });
    assert.deepEqual(whole(m), {
      classify: {
        autoReply: true,
        reasons: ['auto-submitted', 'auto-response-suppress'],
        outOfOffice: true,
        dsn: null,
      },
      threadCandidates: [
        { kind: 'reply-address', reference: 'KX7P-3RMD', address: SIGNED },
        { kind: 'message-id', messageId: ACK },
        { kind: 'subject-reference', reference: 'KX7P-3RMD' },
      ],
    });
    assert.equal(subjectTopic(m.subject), 'Your report about a pothole');
  });

  test('issue 13: Gmail vacation responder is an automatic reply (auto-replied) without a reference in its subject', async () => {
    const m = await load('gmail-vacation.eml');
    assert.deepEqual(summary(m), {
      ...base,
      messageId: 'CAGvacation0001@mail.gmail.com',
      inReplyTo: ACK,
      references: [ACK],
      from: { address: 'sam.jones.1990@gmail.com', name: 'Sam Jones' },
      to: [{ address: SIGNED, name: null }],
      subject: 'Away until 2 January',
      text: "Thanks for your email. I'm travelling until 2 January and will reply when I'm back.\n",
      sentAt: new Date('2026-12-07T09:20:00Z'),
      dedupeKey: `CAGvacation0001@mail.gmail.com ${MAILBOX}`,
      size: 725,
    });
    assert.deepEqual(whole(m), {
      classify: { autoReply: true, reasons: ['auto-submitted'], outOfOffice: true, dsn: null },
      threadCandidates: [
        { kind: 'reply-address', reference: 'KX7P-3RMD', address: SIGNED },
        { kind: 'message-id', messageId: ACK },
      ],
    });
  });

  test('issue 13: DSN 5.1.1 is a permanent failure for the recipient, naming the message that bounced', async () => {
    const m = await load('dsn-5.1.1.eml');
    const { attachments, ...rest } = summary(m);
    const { attachments: _none, ...noAttachments } = base;
    assert.deepEqual(rest, {
      ...noAttachments,
      messageId: '20261207090005.4A1B2C3D@mx.example.net',
      inReplyTo: null,
      references: [],
      from: { address: 'mailer-daemon@mx.example.net', name: 'Mail Delivery System' },
      to: [{ address: 'frontdoor@mail.frontdoor.example.gov.uk', name: null }],
      subject: 'Undelivered Mail Returned to Sender',
      text:
        'This is the mail system at host mx.example.net.\n\n' +
        "I'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients.\n\n" +
        '<jo.bloggs@example.com>: host mx.example.com said: 550 5.1.1 <jo.bloggs@example.com>:\n' +
        '    Recipient address rejected: User unknown in virtual mailbox table\n',
      sentAt: new Date('2026-12-07T09:00:05Z'),
      dedupeKey: `20261207090005.4A1B2C3D@mx.example.net ${MAILBOX}`,
      size: 1709,
    });
    assert.deepEqual(
      attachments.map((a) => [a.contentType, a.filename, a.inline, a.tnef]),
      [
        ['message/delivery-status', null, false, false],
        ['text/rfc822-headers', null, false, false],
      ],
    );
    assert.deepEqual(whole(m), {
      classify: {
        autoReply: true,
        reasons: ['auto-submitted', 'null-return-path', 'automated-sender', 'delivery-report'],
        outOfOffice: false,
        dsn: {
          status: '5.1.1',
          action: 'failed',
          recipient: 'jo.bloggs@example.com',
          permanent: true,
          mailboxFull: false,
          originalMessageId: ACK,
        },
      },
      threadCandidates: [],
    });
  });

  test('issue 13: DSN 5.2.2 (mailbox full) fails but is not permanent', async () => {
    const m = await load('dsn-5.2.2.eml');
    assert.equal(
      m.text,
      "Your message to sam.patel@outlook.com couldn't be delivered.\nThe recipient's mailbox is full and can't accept messages now.\n",
    );
    assert.deepEqual(
      m.attachments.map((a) => a.contentType),
      ['message/delivery-status', 'message/rfc822'],
    );
    const original = `6b1d7e2a-8f44-4c0e-b2a9-0c9d8e7f6a5b@${US}`;
    assert.deepEqual(whole(m), {
      classify: {
        autoReply: true,
        reasons: ['auto-submitted', 'null-return-path', 'automated-sender', 'delivery-report'],
        outOfOffice: false,
        dsn: {
          status: '5.2.2',
          action: 'failed',
          recipient: 'sam.patel@outlook.com',
          permanent: false,
          mailboxFull: true,
          originalMessageId: original,
        },
      },
      threadCandidates: [
        { kind: 'message-id', messageId: original },
        { kind: 'subject-reference', reference: 'QW4N-8HTL' },
      ],
    });
  });

  test('issue 13: winmail.dat is kept as an attachment flagged tnef (not decoded)', async () => {
    const m = await load('winmail-dat.eml');
    assert.deepEqual(summary(m), {
      ...base,
      messageId: 'DB7PR03MB4321.winmail@DB7PR03MB4321.eurprd03.prod.outlook.com',
      inReplyTo: null,
      references: [],
      from: { address: 'priya.patel@parish-council.example.org.uk', name: 'Patel, Priya' },
      to: [highways],
      subject: 'Drainage survey for Mill Lane',
      text: 'Please find the drainage survey attached.\n',
      attachments: [
        {
          filename: 'winmail.dat',
          contentType: 'application/ms-tnef',
          size: 40,
          inline: false,
          cid: null,
          tnef: true,
        },
      ],
      sentAt: new Date('2026-12-07T11:30:00Z'),
      dedupeKey: `DB7PR03MB4321.winmail@DB7PR03MB4321.eurprd03.prod.outlook.com ${MAILBOX}`,
      size: 784,
    });
    assert.deepEqual([...m.attachments[0].content.subarray(0, 4)], [0x78, 0x9f, 0x3e, 0x22]); // TNEF signature
    assert.deepEqual(whole(m), { classify: ordinary, threadCandidates: [] });
  });

  test('issue 13: an inline image keeps its cid link in the HTML and comes as an inline attachment', async () => {
    const m = await load('inline-image.eml');
    assert.deepEqual(summary(m), {
      ...base,
      messageId: 'inline-image-1@example.com',
      inReplyTo: null,
      references: [],
      from: jo,
      to: [highways],
      subject: 'Photo of the pothole',
      text: 'Here it is:',
      html: '<p>Here it is:</p><p><img src="cid:pothole@example.com" alt="pothole"></p>',
      attachments: [
        {
          filename: 'pothole.png',
          contentType: 'image/png',
          size: 70,
          inline: true,
          cid: 'pothole@example.com',
          tnef: false,
        },
        {
          filename: 'letter.pdf',
          contentType: 'application/pdf',
          size: 58,
          inline: false,
          cid: null,
          tnef: false,
        },
      ],
      sentAt: new Date('2026-12-07T12:00:00Z'),
      dedupeKey: `inline-image-1@example.com ${MAILBOX}`,
      size: 960,
    });
    assert.deepEqual(whole(m), { classify: ordinary, threadCandidates: [] });
  });

  test('issue 13: a reply to our mail threads by signed address, then In-Reply-To and References, subject, body', async () => {
    const m = await load('reply-to-frontdoor.eml');
    assert.deepEqual(summary(m), {
      ...base,
      messageId: 'CWLP265MB1234ABCD@CWLP265MB1234.GBRP265.PROD.OUTLOOK.COM',
      inReplyTo: UPDATE,
      references: [ACK, UPDATE],
      from: jo,
      to: [{ address: SIGNED, name: 'Highways' }],
      subject: 'RE: We have your report [Ref: KX7P-3RMD]',
      text:
        'The hole is still there and it is getting bigger.\n\n' +
        'From: Highways <frontdoor@mail.frontdoor.example.gov.uk>\nSent: 05 December 2026 10:00\n' +
        'Subject: We have your report [Ref: KX7P-3RMD]\n\nWe have your report. Your reference is KX7P-3RMD.\n',
      sentAt: new Date('2026-12-07T13:04:51Z'),
      dedupeKey: `CWLP265MB1234ABCD@CWLP265MB1234.GBRP265.PROD.OUTLOOK.COM ${MAILBOX}`,
      size: 1046,
    });
    assert.deepEqual(whole(m), {
      classify: ordinary, // X-Auto-Response-Suppress: DR, RN, NRN is ordinary Outlook mail
      threadCandidates: [
        { kind: 'reply-address', reference: 'KX7P-3RMD', address: SIGNED },
        { kind: 'message-id', messageId: UPDATE },
        { kind: 'message-id', messageId: ACK },
        { kind: 'subject-reference', reference: 'KX7P-3RMD' },
        { kind: 'body-reference', reference: 'KX7P-3RMD' },
      ],
    });
  });

  test("issue 13: a reply carrying another CRM's In-Reply-To falls back to the reference in the body", async () => {
    const m = await load('reply-foreign-crm.eml');
    assert.deepEqual(summary(m), {
      ...base,
      messageId: 'DU0PR01MB9876@DU0PR01MB9876.eurprd01.prod.outlook.com',
      inReplyTo: 'd3f0c0de.CAS-01234@crm.council.example.gov.uk',
      references: ['d3f0c0de.CAS-01234@crm.council.example.gov.uk'],
      from: jo,
      to: [highways],
      subject: 'RE: Case CAS-01234-Z9Y8X7 CRM:0012345',
      text: 'This is about the pothole on Mill Lane, your ref KX7P 3RMD.\nThe other team gave me this case number instead.\n',
      sentAt: new Date('2026-12-07T14:00:00Z'),
      dedupeKey: `DU0PR01MB9876@DU0PR01MB9876.eurprd01.prod.outlook.com ${MAILBOX}`,
      size: 519,
    });
    assert.deepEqual(whole(m), {
      classify: ordinary,
      threadCandidates: [
        { kind: 'message-id', messageId: 'd3f0c0de.CAS-01234@crm.council.example.gov.uk' },
        { kind: 'body-reference', reference: 'KX7P-3RMD' },
      ],
    });
  });

  test('issue 13: a reply with a new subject has no subject reference, and its topic differs', async () => {
    const m = await load('reply-new-subject.eml');
    assert.deepEqual(summary(m), {
      ...base,
      messageId: 'new-subject-1@example.com',
      inReplyTo: UPDATE,
      references: [UPDATE],
      from: jo,
      to: [{ address: SIGNED, name: null }],
      subject: 'Bin not collected on Friday',
      text: 'Separate problem: our green bin was not collected on Friday.\n',
      sentAt: new Date('2026-12-07T15:00:00Z'),
      dedupeKey: `new-subject-1@example.com ${MAILBOX}`,
      size: 500,
    });
    assert.deepEqual(whole(m), {
      classify: ordinary,
      threadCandidates: [
        { kind: 'reply-address', reference: 'KX7P-3RMD', address: SIGNED },
        { kind: 'message-id', messageId: UPDATE },
      ],
    });
    assert.equal(subjectTopic(m.subject), 'Bin not collected on Friday');
    assert.notEqual(subjectTopic(m.subject), subjectTopic('We have your report [Ref: KX7P-3RMD]'));
  });

  test("issue 13: a CC'd third party's reply threads like any reply; its sender is not the resident", async () => {
    const m = await load('cc-third-party.eml');
    assert.deepEqual(summary(m), {
      ...base,
      messageId: 'cllr-green-1@councillors.example.gov.uk',
      inReplyTo: UPDATE,
      references: [ACK, UPDATE],
      from: { address: 'alex.green@councillors.example.gov.uk', name: 'Cllr Alex Green' },
      to: [{ address: SIGNED, name: null }],
      cc: [jo],
      subject: 'Re: We have your report [Ref: KX7P-3RMD]',
      text: 'I have asked the area engineer to look at this.\n',
      sentAt: new Date('2026-12-07T16:00:00Z'),
      dedupeKey: `cllr-green-1@councillors.example.gov.uk ${MAILBOX}`,
      size: 643,
    });
    assert.deepEqual(whole(m), {
      classify: ordinary,
      threadCandidates: [
        { kind: 'reply-address', reference: 'KX7P-3RMD', address: SIGNED },
        { kind: 'message-id', messageId: UPDATE },
        { kind: 'message-id', messageId: ACK },
        { kind: 'subject-reference', reference: 'KX7P-3RMD' },
      ],
    });
  });

  test('issue 13: a reused Message-ID gives one dedupe key per mailbox; the fingerprint tells the messages apart', async () => {
    const a = await load('reused-message-id-a.eml');
    const b = await load('reused-message-id-b.eml');
    const again = await load('reused-message-id-a.eml');
    const elsewhere = await load('reused-message-id-a.eml', 'FOI@Council.example.gov.uk');
    assert.equal(a.messageId, 'same-id@old-mailer.example.org');
    assert.equal(b.messageId, 'same-id@old-mailer.example.org');
    assert.equal(a.dedupeKey, `same-id@old-mailer.example.org ${MAILBOX}`);
    assert.equal(b.dedupeKey, a.dedupeKey);
    assert.notEqual(b.fingerprint, a.fingerprint); // a different message: not a duplicate
    assert.equal(again.fingerprint, a.fingerprint); // the same message fetched twice: a duplicate
    assert.equal(elsewhere.dedupeKey, 'same-id@old-mailer.example.org foi@council.example.gov.uk');
    assert.deepEqual([a.subject, b.subject], ['Road closure notice', 'Road reopened notice']);
    assert.deepEqual(whole(a), { classify: ordinary, threadCandidates: [] });
    assert.deepEqual(whole(b), { classify: ordinary, threadCandidates: [] });
  });

  test('issue 13: a mailer-daemon failure notice without a report is automated, never acknowledged', async () => {
    const m = await load('mailer-daemon-loop.eml');
    assert.equal(m.from?.address, 'mailer-daemon@legacy-mta.example.net');
    assert.equal(m.subject, 'failure notice');
    assert.deepEqual(whole(m), {
      classify: {
        autoReply: true,
        reasons: ['null-return-path', 'automated-sender'],
        outOfOffice: false,
        dsn: null,
      },
      threadCandidates: [{ kind: 'body-reference', reference: 'KX7P-3RMD' }],
    });
    assert.equal(mayAutoAcknowledge(m.from?.address ?? null, null, RECEIVED), false);
  });

  test('issue 13: our own mail come back (Message-ID on our domain) is a loop', async () => {
    const m = await load('own-domain-loop.eml');
    assert.equal(m.messageId, `9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b@${US}`);
    assert.deepEqual(whole(m), {
      classify: { autoReply: true, reasons: ['own-message-id'], outOfOffice: false, dsn: null },
      threadCandidates: [
        { kind: 'subject-reference', reference: 'HB2X-7YKC' },
        { kind: 'body-reference', reference: 'HB2X-7YKC' },
      ],
    });
    assert.deepEqual(classify(m, { ownDomains: [] }), ordinary);
  });

  test('issue 13: ordinary Outlook mail with X-Auto-Response-Suppress: DR, RN, NRN may be acknowledged', async () => {
    const m = await load('outlook-ordinary.eml');
    assert.deepEqual(summary(m), {
      ...base,
      messageId: 'LO2P265MB0001ORDINARY@LO2P265MB0001.GBRP265.PROD.OUTLOOK.COM',
      inReplyTo: null,
      references: [],
      from: jo,
      to: [highways],
      subject: 'Streetlight out on Church Road',
      text: 'The streetlight outside number 12 has been out for a week.\n',
      sentAt: new Date('2026-12-07T19:00:00Z'),
      dedupeKey: `LO2P265MB0001ORDINARY@LO2P265MB0001.GBRP265.PROD.OUTLOOK.COM ${MAILBOX}`,
      size: 406,
    });
    assert.deepEqual(whole(m), { classify: ordinary, threadCandidates: [] });
    assert.equal(mayAutoAcknowledge(m.from?.address ?? null, null, RECEIVED), true);
  });

  test('issue 13: X-Auto-Response-Suppress with OOF asks for no automatic reply', async () => {
    const m = await load('outlook-suppress-oof.eml');
    assert.deepEqual(whole(m), {
      classify: { autoReply: true, reasons: ['auto-response-suppress'], outOfOffice: false, dsn: null },
      threadCandidates: [],
    });
  });

  test('issue 13: a windows-1252 body and subject decode to the right characters', async () => {
    const m = await load('windows-1252.eml');
    assert.deepEqual(summary(m), {
      ...base,
      messageId: 'cp1252-1@example.co.uk',
      inReplyTo: null,
      references: [],
      from: { address: 'renee.obrien@example.co.uk', name: 'Renée O’Brien' },
      to: [highways],
      subject: 'Fly-tipping – £200 fine?',
      text: 'It’s the third time – will there be a £200 fine? “Soon”, they said. Cost € 50.\n',
      sentAt: new Date('2026-12-07T20:00:00Z'),
      dedupeKey: `cp1252-1@example.co.uk ${MAILBOX}`,
      size: 420,
    });
    assert.deepEqual(whole(m), { classify: ordinary, threadCandidates: [] });
  });

  test('issue 13: an iso-2022-jp message without a Message-ID decodes and gets a stable synthesised id', async () => {
    const bytes = raw('iso-2022-jp-no-message-id.eml');
    const m = await load('iso-2022-jp-no-message-id.eml');
    const id = `${createHash('sha256').update(bytes).digest('hex').slice(0, 32)}@synthesised.frontdoor.invalid`;
    assert.deepEqual(summary(m), {
      ...base,
      messageId: id,
      messageIdSynthesised: true,
      inReplyTo: null,
      references: [],
      from: { address: 'taro.yamada@example.jp', name: '山田太郎' },
      to: [highways],
      subject: '道路の穴について',
      text: 'ミル・レーンの道路に大きな穴があります。\n',
      sentAt: new Date('2026-12-07T12:00:00Z'),
      dedupeKey: `${id} ${MAILBOX}`,
      size: bytes.length,
    });
    assert.equal((await load('iso-2022-jp-no-message-id.eml')).messageId, id); // stable
    assert.deepEqual(whole(m), { classify: ordinary, threadCandidates: [] });
  });

  test('issue 13: receivedAt is the receipt time, never the Date header; headers are kept raw', async () => {
    const m = await parseInbound(raw('gmail-vacation.eml'), {
      receivedAt: new Date('2027-01-04T08:00:00Z'),
      mailbox: MAILBOX,
    });
    assert.deepEqual(m.receivedAt, new Date('2027-01-04T08:00:00Z'));
    assert.deepEqual(m.sentAt, new Date('2026-12-07T09:20:00Z'));
    assert.deepEqual(m.headers.get('auto-submitted'), ['auto-replied']);
    assert.equal(m.rawSha256, createHash('sha256').update(raw('gmail-vacation.eml')).digest('hex'));
  });
});
