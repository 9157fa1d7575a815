/**
 * Issue 13 item 1 (receiving by SMTP relay) and item 4 (mail authentication on the SMTP endpoint): real
 * mail sent by nodemailer to the endpoint (`startInboundSmtp`, smtp-server on 127.0.0.1, a free port).
 * DNS for DKIM, SPF and DMARC is answered by a local resolver holding a key made at the start of the file.
 * No database: `deliver` keeps what it is given.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import net from 'node:net';
import nodemailer from 'nodemailer';
import {
  senderTrusted,
  startInboundSmtp,
  type InboundSmtp,
  type ReceivedSmtpMail,
} from '../src/modules/email/index.ts';

const OUR_DOMAIN = 'frontdoor.example';
const SENDER_DOMAIN = 'resident-mail.example';
const SELECTOR = 'sel2026';
const MAX_BYTES = 64 * 1024;
const CLOCK = new Date('2026-03-02T09:15:00.000Z');

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const publicKeyB64 = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');

/** TXT records as DNS gives them: each record a list of strings of at most 255 characters. */
const txt = (value: string): string[] => value.match(/.{1,255}/g) ?? [];
const DNS: Record<string, string[][]> = {
  [`${SELECTOR}._domainkey.${SENDER_DOMAIN}`]: [txt(`v=DKIM1; k=rsa; p=${publicKeyB64}`)],
  [SENDER_DOMAIN]: [txt('v=spf1 ip4:127.0.0.1 -all')],
  [`_dmarc.${SENDER_DOMAIN}`]: [txt('v=DMARC1; p=reject')],
};
const lookups: string[] = [];
const resolver = async (name: string, rrtype: string): Promise<string[][]> => {
  lookups.push(`${rrtype} ${name}`);
  const records = rrtype === 'TXT' ? DNS[name.toLowerCase()] : undefined;
  if (records) return records;
  throw Object.assign(new Error(`no ${rrtype} for ${name}`), { code: 'ENOTFOUND' });
};

const delivered: ReceivedSmtpMail[] = [];
let deliverCalls = 0;
let endpoint: InboundSmtp;

before(async () => {
  endpoint = await startInboundSmtp({
    host: '127.0.0.1',
    port: 0,
    maxBytes: MAX_BYTES,
    hostname: 'mx.frontdoor.example',
    now: () => CLOCK,
    dnsResolver: resolver,
    acceptRecipient: (address) =>
      address.toLowerCase().endsWith(`@${OUR_DOMAIN}`) && !address.startsWith('nobody'),
    deliver: async (mail) => {
      deliverCalls += 1;
      if (mail.rcptTo.some((r) => r.startsWith('store-fails'))) throw new Error('database unavailable');
      delivered.push(mail);
    },
  });
});
after(async () => {
  await endpoint.close();
});

const transport = () =>
  nodemailer.createTransport({
    host: '127.0.0.1',
    port: endpoint.port,
    secure: false,
    ignoreTLS: true,
    name: 'relay.council.example',
  });

const mailbox = (local: string) => `${local}-${randomUUID()}@${OUR_DOMAIN}`;
const deliveredTo = (address: string) => delivered.filter((m) => m.rcptTo.includes(address));

/** A message written by hand, CRLF line ends, with a line starting with a dot (SMTP stuffs it). */
const rawMessage = (to: string, body: string) =>
  [
    `From: A Resident <resident@${SENDER_DOMAIN}>`,
    `To: ${to}`,
    'Subject: Pothole on Mill Lane',
    'Date: Tue, 01 Jan 2019 08:00:00 +0000',
    `Message-ID: <${randomUUID()}@${SENDER_DOMAIN}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    body,
    '.a line that starts with a dot',
    '',
  ].join('\r\n');

/** Sends and returns the SMTP error's response code, or 250 when accepted. */
const sendCode = async (send: () => Promise<unknown>): Promise<number> => {
  try {
    await send();
    return 250;
  } catch (error) {
    const code = (error as { responseCode?: unknown }).responseCode;
    assert.equal(typeof code, 'number', `no SMTP response code: ${String(error)}`);
    return code as number;
  }
};

describe('issue 13 receiving: the inbound SMTP endpoint', () => {
  test('issue 13 receiving: relayed mail is delivered with its raw bytes intact, our receipt time and the envelope recipients', async () => {
    const to = mailbox('highways');
    const cc = mailbox('foi');
    const raw = rawMessage(to, 'There is a pothole outside number 12.');
    const info = await transport().sendMail({
      envelope: { from: `resident@${SENDER_DOMAIN}`, to: [to, cc] },
      raw,
    });
    assert.deepEqual(info.accepted.sort(), [to, cc].sort());
    const [mail] = deliveredTo(to);
    assert.ok(mail, 'delivered');
    assert.equal(mail.raw.toString('utf8'), raw, 'the raw bytes as written (dot-stuffing undone)');
    assert.equal(
      mail.receivedAt.toISOString(),
      CLOCK.toISOString(),
      'the injected clock, not the Date header',
    );
    assert.deepEqual(mail.rcptTo, [to, cc]);
    assert.equal(mail.mailFrom, `resident@${SENDER_DOMAIN}`);
    assert.equal(mail.remoteAddress, '127.0.0.1');
    assert.equal(mail.helo, 'relay.council.example');
    // Unsigned, but SPF passes for an aligned envelope sender, so DMARC passes.
    assert.equal(mail.authentication.source, 'verified');
    assert.equal(mail.authentication.dkim, 'none');
    assert.equal(mail.authentication.spf, 'pass');
    assert.equal(mail.authentication.dmarc, 'pass');
  });

  test('issue 13 receiving: a message over the size limit is answered 552 after DATA and never delivered (SIZE only advertises)', async () => {
    const to = mailbox('highways');
    const calls = deliverCalls;
    const code = await sendCode(() =>
      transport().sendMail({
        from: `resident@${SENDER_DOMAIN}`,
        to,
        subject: 'Photos',
        text: 'x'.repeat(MAX_BYTES + 1000),
      }),
    );
    assert.equal(code, 552);
    assert.equal(deliveredTo(to).length, 0);
    assert.equal(deliverCalls, calls, 'deliver was not called');

    // The limit is advertised in EHLO (nodemailer declares no SIZE with MAIL FROM, so the 552 above came from onData).
    const ehlo = await ehloLines(endpoint.port);
    assert.ok(
      ehlo.some((line) => line === `250-SIZE ${MAX_BYTES}` || line === `250 SIZE ${MAX_BYTES}`),
      ehlo.join('\n'),
    );
    assert.ok(!ehlo.some((line) => /AUTH|STARTTLS/.test(line)), 'no AUTH, no STARTTLS without tls');
  });

  test('issue 13 receiving: an unknown recipient is refused with 550 at RCPT TO', async () => {
    const nobody = `nobody-${randomUUID()}@${OUR_DOMAIN}`;
    const calls = deliverCalls;
    const code = await sendCode(() =>
      transport().sendMail({
        from: `resident@${SENDER_DOMAIN}`,
        to: nobody,
        subject: 'Hello',
        text: 'Hello',
      }),
    );
    assert.equal(code, 550);
    assert.equal(deliverCalls, calls);
  });

  test('issue 13 receiving: when storing fails the relay is answered 451 (try again) and nothing is delivered', async () => {
    const to = mailbox('store-fails');
    const calls = deliverCalls;
    const code = await sendCode(() =>
      transport().sendMail({ from: `resident@${SENDER_DOMAIN}`, to, subject: 'Hello', text: 'Hello' }),
    );
    assert.equal(code, 451);
    assert.equal(deliverCalls, calls + 1, 'deliver was tried once');
    assert.equal(deliveredTo(to).length, 0);
  });

  test('issue 13 receiving: with allowedRelays set, a connection from any other address is refused with 554', async () => {
    let calls = 0;
    const guarded = await startInboundSmtp({
      host: '127.0.0.1',
      port: 0,
      maxBytes: MAX_BYTES,
      hostname: 'mx.frontdoor.example',
      allowedRelays: ['192.0.2.25'],
      acceptRecipient: () => true,
      authenticate: () => Promise.reject(new Error('not reached')),
      deliver: async () => {
        calls += 1;
      },
    });
    try {
      const code = await sendCode(() =>
        nodemailer
          .createTransport({ host: '127.0.0.1', port: guarded.port, secure: false, ignoreTLS: true })
          .sendMail({
            from: `resident@${SENDER_DOMAIN}`,
            to: mailbox('highways'),
            subject: 'Hello',
            text: 'Hello',
          }),
      );
      assert.equal(code, 554);
      assert.equal(calls, 0);
    } finally {
      await guarded.close();
    }
  });

  test('issue 13 mail authentication: when the sender check itself fails the mail is still taken, with a temperror verdict never trusted', async () => {
    const taken: ReceivedSmtpMail[] = [];
    const flaky = await startInboundSmtp({
      host: '127.0.0.1',
      port: 0,
      maxBytes: MAX_BYTES,
      hostname: 'mx.frontdoor.example',
      acceptRecipient: () => true,
      authenticate: () => Promise.reject(new Error('DNS timed out')),
      deliver: async (mail) => {
        taken.push(mail);
      },
    });
    try {
      await nodemailer
        .createTransport({ host: '127.0.0.1', port: flaky.port, secure: false, ignoreTLS: true })
        .sendMail({
          from: `resident@${SENDER_DOMAIN}`,
          to: mailbox('highways'),
          subject: 'Hello',
          text: 'Hello',
        });
      assert.equal(taken.length, 1);
      assert.equal(taken[0].authentication.dmarc, 'temperror');
      assert.equal(senderTrusted(taken[0].authentication), false);
    } finally {
      await flaky.close();
    }
  });
});

describe('issue 13 loops, bounces and spam: DKIM, SPF and DMARC verified on the SMTP endpoint', () => {
  const dkim = { domainName: SENDER_DOMAIN, keySelector: SELECTOR, privateKey: privateKeyPem };

  test('issue 13 mail authentication: a DKIM-signed message from an SPF-permitted relay passes DKIM, SPF and DMARC', async () => {
    const to = mailbox('highways');
    await transport().sendMail({
      from: `A Resident <resident@${SENDER_DOMAIN}>`,
      to,
      subject: 'Bin not collected',
      text: 'My bin was not collected on Monday.',
      dkim,
    });
    const [mail] = deliveredTo(to);
    assert.ok(mail);
    assert.equal(mail.authentication.dkim, 'pass');
    assert.equal(mail.authentication.aligned.dkim, true);
    assert.equal(mail.authentication.spf, 'pass');
    assert.equal(mail.authentication.dmarc, 'pass');
    assert.equal(senderTrusted(mail.authentication), true);
    assert.match(mail.authentication.header ?? '', /^mx\.frontdoor\.example; dkim=pass .*dmarc=pass/);
    assert.ok(
      lookups.includes(`TXT ${SELECTOR}._domainkey.${SENDER_DOMAIN}`),
      'the key came from the local resolver',
    );
  });

  /** A signed message as nodemailer writes it, not sent: to be changed on the way. */
  const signed = async (to: string): Promise<string> => {
    const built = await nodemailer
      .createTransport({ streamTransport: true, buffer: true, newline: 'windows' })
      .sendMail({
        from: `resident@${SENDER_DOMAIN}`,
        to,
        subject: 'Council tax',
        text: 'Please call me.',
        dkim,
      });
    return (built.message as Buffer).toString('utf8');
  };
  // Forwarded through a host the sender's SPF does not list: only DKIM could carry DMARC.
  const forwarded = (to: string, raw: string) =>
    transport().sendMail({ envelope: { from: `forwarder@other-host.example`, to: [to] }, raw });

  test('issue 13 mail authentication: a body changed after signing fails DKIM and DMARC, and the sender is not trusted', async () => {
    const to = mailbox('highways');
    const raw = (await signed(to)).replace('Please call me.', 'Please pay into account 12345678.');
    await forwarded(to, raw);
    const [mail] = deliveredTo(to);
    assert.ok(mail);
    assert.notEqual(mail.authentication.dkim, 'pass');
    assert.equal(mail.authentication.dkim, 'neutral', 'body hash did not verify');
    assert.equal(mail.authentication.dmarc, 'fail');
    assert.equal(senderTrusted(mail.authentication), false);
  });

  test('issue 13 mail authentication: a changed signature fails DKIM and DMARC, and the sender is not trusted', async () => {
    const to = mailbox('highways');
    const raw = (await signed(to)).replace(
      /(\bb=)([A-Za-z0-9+/])/,
      (_m, tag: string, c: string) => tag + (c === 'A' ? 'B' : 'A'),
    );
    await forwarded(to, raw);
    const [mail] = deliveredTo(to);
    assert.ok(mail);
    assert.equal(mail.authentication.dkim, 'fail');
    assert.equal(mail.authentication.dmarc, 'fail');
    assert.equal(senderTrusted(mail.authentication), false);
  });
});

/** EHLO over a plain socket: the capability lines the endpoint advertises. */
async function ehloLines(port: number): Promise<string[]> {
  const socket = net.connect(port, '127.0.0.1');
  socket.setEncoding('utf8');
  let buffer = '';
  const waitFor = (done: (text: string) => boolean) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!done(buffer)) return;
        socket.off('data', onData);
        resolve();
      };
      const onData = (chunk: string) => {
        buffer += chunk;
        check();
      };
      socket.on('data', onData);
      socket.once('error', reject);
      check();
    });
  await waitFor((t) => /^220 /m.test(t));
  buffer = '';
  socket.write('EHLO probe.example\r\n');
  await waitFor((t) => /^250 /m.test(t));
  socket.end('QUIT\r\n');
  return buffer.split('\r\n').filter(Boolean);
}
