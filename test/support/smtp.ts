/**
 * A real SMTP server for tests (`smtp-server` on 127.0.0.1, random port) that parses every message it
 * receives with `mailparser` and keeps it, so a test can read what nodemailer actually sent.
 * `failNext(n)` makes the next n messages fail with a temporary 451 error (the sender should retry).
 */
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import type { AddressInfo } from 'node:net';

export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  messageId: string | null;
  headers: Map<string, unknown>;
}

export interface TestSmtpServer {
  /** SMTP_URL for Frontdoor: smtp://127.0.0.1:<port> */
  url: string;
  received: ReceivedMail[];
  /** Mail received for one recipient (tests share nothing, so filter by their own unique address). */
  to(address: string): ReceivedMail[];
  failNext(count: number): void;
  stop(): Promise<void>;
}

export async function startSmtpServer(): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  let failures = 0;
  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const envelopeFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
      const envelopeTo = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
      simpleParser(stream).then(
        (parsed) => {
          if (failures > 0) {
            failures -= 1;
            const error = new Error('Temporary failure, try again later') as Error & { responseCode: number };
            error.responseCode = 451;
            callback(error);
            return;
          }
          received.push({
            from: envelopeFrom,
            to: envelopeTo,
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            messageId: parsed.messageId ?? null,
            headers: parsed.headers,
          });
          callback();
        },
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    to: (address) => received.filter((m) => m.to.includes(address.toLowerCase())),
    failNext(count) {
      failures = count;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
