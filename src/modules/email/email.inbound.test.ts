import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseInbound } from './email.inbound.ts';

const receipt = { receivedAt: new Date('2026-12-07T09:30:00Z'), mailbox: ' FOI@Council.example.gov.uk ' };
const parse = (lines: string[]) => parseInbound(Buffer.from(lines.join('\r\n')), receipt);

void test('issue 13: parseInbound: addresses go through the one normaliser; groups open, unusable ones dropped', async () => {
  const m = await parse([
    'From: "BLOGGS, Jo" <Jo.Bloggs@Example.COM>',
    'To: Residents: a@example.com, "B" <b@example.com>;, Nobody <nobody@nowhere>, FOI <foi@council.example.gov.uk>',
    'Cc: undisclosed-recipients:;',
    'Reply-To: <Jo.Home@Example.com>',
    'Subject: Request',
    'Message-ID:   < spaced@example.com >  ',
    'In-Reply-To: <a@x> <b@x>',
    '',
    'Hello',
  ]);
  assert.deepEqual(m.from, { address: 'jo.bloggs@example.com', name: 'BLOGGS, Jo' });
  assert.deepEqual(m.to, [
    { address: 'a@example.com', name: null },
    { address: 'b@example.com', name: 'B' },
    { address: 'foi@council.example.gov.uk', name: 'FOI' },
  ]);
  assert.deepEqual(m.cc, []);
  assert.deepEqual(m.replyTo, [{ address: 'jo.home@example.com', name: null }]);
  assert.equal(m.messageId, 'spaced@example.com');
  assert.equal(m.inReplyTo, 'a@x');
  assert.equal(m.sentAt, null); // no Date header: no sent time (mailparser would say "now")
  assert.equal(m.mailbox, 'foi@council.example.gov.uk');
  assert.equal(m.dedupeKey, 'spaced@example.com foi@council.example.gov.uk');
});

void test('issue 13: parseInbound: no From, no subject, no date, no body', async () => {
  const m = await parse(['To: foi@council.example.gov.uk', 'Date: not a date', '', '']);
  assert.equal(m.from, null);
  assert.equal(m.subject, '');
  assert.equal(m.text, '');
  assert.equal(m.html, null);
  assert.equal(m.sentAt, null);
  assert.equal(m.messageIdSynthesised, true);
  assert.match(m.messageId, /^[0-9a-f]{32}@synthesised\.frontdoor\.invalid$/);
  assert.deepEqual(m.receivedAt, receipt.receivedAt);
});

void test('issue 13: parseInbound: HTML-only mail gets a plain text too (scripts and styles dropped, entities decoded)', async () => {
  const m = await parse([
    'From: jo@example.com',
    'Subject: HTML only',
    'Content-Type: multipart/related; boundary="r"',
    '',
    '--r',
    'Content-Type: text/html; charset=utf-8',
    '',
    '<html><head><style>p{}</style></head><body><script>x()</script><p>Fish &amp; chips &pound;5&#8203;</p><div>Ref:&nbsp;KX7P-3RMD</div>Bye&#x21;<br>J</body></html>',
    '--r--',
    '',
  ]);
  assert.equal(m.text, 'Fish & chips &pound;5\u200b\nRef: KX7P-3RMD\nBye!\nJ');
  assert.match(m.html ?? '', /<script>x\(\)<\/script>/); // the HTML itself is kept as sent
});

void test('issue 13: parseInbound: a winmail.dat sent as application/octet-stream is still flagged tnef', async () => {
  const m = await parse([
    'From: jo@example.com',
    'Subject: x',
    'Content-Type: multipart/mixed; boundary="m"',
    '',
    '--m',
    'Content-Type: text/plain',
    '',
    'See attached',
    '--m',
    'Content-Type: application/octet-stream; name="WINMAIL.DAT"',
    'Content-Disposition: attachment; filename="WINMAIL.DAT"',
    'Content-Transfer-Encoding: base64',
    '',
    'eJ8+IgEAAQaQCAAEAAAAAAABAAEAAQeQBgAIAAAA5AQAAAAAAADoAA==',
    '--m--',
    '',
  ]);
  assert.deepEqual(
    m.attachments.map((a) => [a.filename, a.contentType, a.tnef, a.size]),
    [['WINMAIL.DAT', 'application/octet-stream', true, 40]],
  );
});

void test('issue 13: parseInbound: HTML built to make text extraction slow is read in linear time', async () => {
  const html =
    '<p>Hi</p>' +
    '<script>'.repeat(20_000) +
    '<'.repeat(100_000) +
    ` ${' \t'.repeat(100_000)}x` +
    '<head>'.repeat(10_000);
  const started = performance.now();
  const m = await parse([
    'From: jo@example.com',
    'Subject: x',
    'Content-Type: multipart/related; boundary="r"',
    '',
    '--r',
    'Content-Type: text/html; charset=utf-8',
    '',
    html,
    '--r--',
    '',
  ]);
  assert.equal(m.text, 'Hi'); // an unclosed <script> hides the rest, as a browser would
  assert.ok(performance.now() - started < 3_000, 'linear time');
});
