/**
 * A real SMTP server for tests (`smtp-server` on 127.0.0.1, random port) that parses every message it
 * receives with `mailparser` and keeps it (and its raw bytes), so a test can read what nodemailer actually sent.
 * `failNext(n)` makes the next n messages fail with a temporary 451 error (the sender should retry).
 * `stallRecipient(address)` (an option) picks recipients for which the server never answers RCPT TO: the
 * connection stays open and silent, like a mail server that hangs mid-conversation; `stalls` counts them.
 *
 * `startSilentSmtpPeer()` is a plain TCP server that accepts connections and never sends the SMTP greeting.
 */
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import net, { type AddressInfo, type Socket } from 'node:net';

export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  messageId: string | null;
  headers: Map<string, unknown>;
  /** The message exactly as it arrived. */
  raw: Buffer;
}

export interface TestSmtpServer {
  /** SMTP_URL for Frontdoor: smtp://127.0.0.1:<port> */
  url: string;
  received: ReceivedMail[];
  /** Mail received for one recipient (tests share nothing, so filter by their own unique address). */
  to(address: string): ReceivedMail[];
  failNext(count: number): void;
  /** Conversations held silent at RCPT TO: open now, most open at once, in total, closed by the client. */
  stalls: { active: number; mostActive: number; total: number; closedByClient: number };
  /** Resolves once `condition` holds (checked now and after every stall, close and received mail). */
  until(condition: () => boolean): Promise<void>;
  stop(): Promise<void>;
}

export async function startSmtpServer(
  options: { stallRecipient?: (address: string) => boolean } = {},
): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  let failures = 0;
  const stalls = { active: 0, mostActive: 0, total: 0, closedByClient: 0 };
  const stalledSessions = new Set<string>();
  let waiters: { condition: () => boolean; resolve: () => void }[] = [];
  const changed = () => {
    waiters = waiters.filter((w) => {
      if (!w.condition()) return true;
      w.resolve();
      return false;
    });
  };
  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, session, callback) {
      if (!options.stallRecipient?.(address.address)) {
        callback();
        return;
      }
      // Never answer: the client waits in silence until its own timeout closes the connection.
      stalledSessions.add(session.id);
      stalls.active += 1;
      stalls.total += 1;
      stalls.mostActive = Math.max(stalls.mostActive, stalls.active);
      changed();
    },
    onClose(session) {
      if (!stalledSessions.delete(session.id)) return;
      stalls.active -= 1;
      stalls.closedByClient += 1;
      changed();
    },
    onData(stream, session, callback) {
      const envelopeFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
      const envelopeTo = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      const whole = new Promise<Buffer>((resolve, reject) => {
        stream.on('end', () => resolve(Buffer.concat(chunks)));
        stream.on('error', reject);
      });
      whole
        .then(async (raw) => ({ raw, parsed: await simpleParser(raw) }))
        .then(
          ({ raw, parsed }) => {
            if (failures > 0) {
              failures -= 1;
              const error = new Error('Temporary failure, try again later') as Error & {
                responseCode: number;
              };
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
              raw,
            });
            changed();
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
    stalls,
    until(condition) {
      if (condition()) return Promise.resolve();
      return new Promise<void>((resolve) => waiters.push({ condition, resolve }));
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface SilentSmtpPeer {
  /** SMTP_URL pointing at the peer. */
  url: string;
  /** Connections accepted so far, and how many the client has since closed. */
  connections: number;
  closedByClient: number;
  stop(): Promise<void>;
}

/** Accepts TCP connections and holds them without ever sending the SMTP greeting. */
export async function startSilentSmtpPeer(): Promise<SilentSmtpPeer> {
  const sockets = new Set<Socket>();
  const peer: SilentSmtpPeer = {
    url: '',
    connections: 0,
    closedByClient: 0,
    stop: async () => {
      const open = [...sockets];
      sockets.clear();
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = net.createServer((socket) => {
    peer.connections += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (sockets.delete(socket)) peer.closedByClient += 1;
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  peer.url = `smtp://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return peer;
}
