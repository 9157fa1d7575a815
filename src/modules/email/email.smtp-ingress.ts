/**
 * The inbound SMTP endpoint (issue 13 item 1; docs/email.md "Receiving by SMTP relay"), for councils
 * whose mail system relays a mailbox's mail to Frontdoor instead of letting us poll it by IMAP.
 *
 * - A relay, not a submission server: no AUTH. Only recipients `acceptRecipient` knows are taken (550 at
 *   RCPT otherwise); `allowedRelays` can limit who may connect at all.
 * - The size limit is advertised (`SIZE`), but advertising binds no client: it is enforced while the
 *   message streams in. Past `maxBytes` nothing more is kept, and the end of DATA is answered 552; the
 *   message is never delivered.
 * - `receivedAt` is our own clock at the end of DATA, never the sender's Date header.
 * - DKIM, SPF and DMARC are checked (mailauth by default) before delivery; the verdict goes with the mail.
 * - 250 is answered only once `deliver` has resolved (it commits the message durably); if it throws, 451
 *   (a temporary failure: the relay keeps the message and tries again later).
 * - Logs carry no email addresses or content: session id, sizes and outcomes only.
 */
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import type { DNSResolver } from 'mailauth';
import { verifyWithMailauth, type AuthVerdict } from './email.authentication.ts';

/** One message as the relay handed it over, with our verdict on its sender. */
export interface ReceivedSmtpMail {
  /** The message exactly as received (after SMTP dot-unstuffing): evidence for FOI and SAR. */
  raw: Buffer;
  /** Our clock at the end of DATA. */
  receivedAt: Date;
  /** The envelope sender (MAIL FROM), null for `<>` (bounces and other system mail). */
  mailFrom: string | null;
  /** The envelope recipients, each accepted by `acceptRecipient`, as the client wrote them. */
  rcptTo: string[];
  /** The connecting client's IP address (IPv4-mapped IPv6 written as IPv4). */
  remoteAddress: string;
  /** The client's EHLO/HELO name. */
  helo: string;
  authentication: AuthVerdict;
}

export interface SmtpEnvelope {
  ip: string;
  helo: string;
  mailFrom: string | null;
  rcptTo: string[];
}

/** The subset of a pino logger used. Never given addresses or content. */
export interface SmtpIngressLogger {
  info(obj: Record<string, unknown>, msg?: string): void;
  warn(obj: Record<string, unknown>, msg?: string): void;
  error(obj: Record<string, unknown>, msg?: string): void;
}

export interface InboundSmtpOptions {
  host: string;
  /** 0: a free port (see the returned `port`). */
  port: number;
  /** The largest message taken, in bytes (advertised with SIZE, enforced while receiving). */
  maxBytes: number;
  /** Whether mail for this envelope recipient is taken. No: 550 at RCPT TO; a lookup that fails: 451. */
  acceptRecipient: (address: string) => boolean | Promise<boolean>;
  /**
   * Stores the message durably. The relay is answered 250 only once this resolves; if it throws, 451
   * and the relay tries again later (so it must be safe to call again with the same message).
   */
  deliver: (mail: ReceivedSmtpMail) => Promise<void>;
  /** The verdict on the sender. Default: `verifyWithMailauth` with `hostname` as authserv-id. */
  authenticate?: (raw: Buffer, envelope: SmtpEnvelope) => Promise<AuthVerdict>;
  /** DNS lookups for the default `authenticate` (tests answer locally). Node's resolver by default. */
  dnsResolver?: DNSResolver;
  /** Our host name: in the greeting, and the authserv-id of the verdict. */
  hostname: string;
  logger?: SmtpIngressLogger;
  /** The receipt clock. Default: the system clock. */
  now?: () => Date;
  /** Offer STARTTLS with this key and certificate (PEM). Default: no TLS (a relay on a local network). */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** With `tls`: TLS from the first byte (port 465 style) instead of STARTTLS. */
  secure?: boolean;
  /** IP addresses allowed to connect; empty or absent: any. Others are refused with 554. */
  allowedRelays?: readonly string[];
}

export interface InboundSmtp {
  /** The port listened on (the one chosen when `port` was 0). */
  port: number;
  /** Stops accepting connections; open ones are given time to finish, then closed. */
  close(): Promise<void>;
}

const silent: SmtpIngressLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

function smtpError(responseCode: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode });
}

/** `::ffff:192.0.2.1` → `192.0.2.1`: one spelling for comparisons and SPF. */
function plainAddress(address: string): string {
  return address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
}

/** A verdict for mail whose check itself failed: a temporary error, never trusted. */
function failedCheck(): AuthVerdict {
  return {
    spf: 'temperror',
    dkim: 'temperror',
    dmarc: 'temperror',
    aligned: { dkim: false, spf: false },
    header: null,
    source: 'verified',
  };
}

/**
 * Starts the endpoint. Resolves once it listens. Not wired to the app: the caller gives `deliver`
 * (store the original, then hand it to the ingest pipeline) and `acceptRecipient` (a configured mailbox).
 */
export async function startInboundSmtp(options: InboundSmtpOptions): Promise<InboundSmtp> {
  const logger = options.logger ?? silent;
  const now = options.now ?? (() => new Date());
  const allowed = new Set((options.allowedRelays ?? []).map(plainAddress));
  const authenticate =
    options.authenticate ??
    ((raw: Buffer, envelope: SmtpEnvelope) =>
      verifyWithMailauth(raw, {
        ip: envelope.ip,
        helo: envelope.helo,
        mailFrom: envelope.mailFrom,
        mta: options.hostname,
        ...(options.dnsResolver ? { resolver: options.dnsResolver } : {}),
      }));

  const receive = async (raw: Buffer, session: SMTPServerSession): Promise<void> => {
    const receivedAt = now();
    const envelope: SmtpEnvelope = {
      ip: plainAddress(session.remoteAddress),
      helo: session.hostNameAppearsAs || '',
      mailFrom: (session.envelope.mailFrom && session.envelope.mailFrom.address) || null,
      rcptTo: session.envelope.rcptTo.map((r) => r.address),
    };
    let authentication: AuthVerdict;
    try {
      authentication = await authenticate(raw, envelope);
    } catch (error) {
      // The mail is still taken: a failed check only means the sender is not trusted.
      logger.warn({ session: session.id, err: errorName(error) }, 'smtp ingress: sender check failed');
      authentication = failedCheck();
    }
    try {
      await options.deliver({
        raw,
        receivedAt,
        mailFrom: envelope.mailFrom,
        rcptTo: envelope.rcptTo,
        remoteAddress: envelope.ip,
        helo: envelope.helo,
        authentication,
      });
    } catch (error) {
      logger.error(
        { session: session.id, bytes: raw.length, err: errorName(error) },
        'smtp ingress: delivery failed, 451',
      );
      throw smtpError(451, 'Temporary failure: message not stored, try again later');
    }
    logger.info(
      {
        session: session.id,
        bytes: raw.length,
        recipients: envelope.rcptTo.length,
        dmarc: authentication.dmarc,
      },
      'smtp ingress: message delivered',
    );
  };

  const server = new SMTPServer({
    name: options.hostname,
    banner: 'Frontdoor inbound mail',
    size: options.maxBytes,
    authOptional: true,
    disabledCommands: options.tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    secure: Boolean(options.tls && options.secure),
    ...(options.tls ? { key: options.tls.key, cert: options.tls.cert } : {}),
    disableReverseLookup: true,
    // smtp-server's own logger writes envelope addresses: off.
    logger: false,
    onConnect(session, callback) {
      if (allowed.size > 0 && !allowed.has(plainAddress(session.remoteAddress))) {
        logger.warn(
          { session: session.id, ip: plainAddress(session.remoteAddress) },
          'smtp ingress: relay refused',
        );
        callback(smtpError(554, 'Error: not a permitted relay'));
        return;
      }
      callback();
    },
    onRcptTo(address, _session, callback) {
      Promise.resolve()
        .then(() => options.acceptRecipient(address.address))
        .then(
          (accepted) => callback(accepted ? undefined : smtpError(550, 'Error: no such mailbox here')),
          () => callback(smtpError(451, 'Temporary failure: try again later')),
        );
    },
    onData(stream: SMTPServerDataStream, session, callback) {
      const chunks: Buffer[] = [];
      let bytes = 0;
      let over = false;
      let answered = false;
      const answer = (error?: Error) => {
        if (answered) return;
        answered = true;
        callback(error);
      };
      stream.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (over) return;
        if (bytes > options.maxBytes) {
          // Past the limit: keep reading (the client is still sending) but keep nothing.
          over = true;
          chunks.length = 0;
          return;
        }
        chunks.push(chunk);
      });
      stream.once('error', (error: unknown) => {
        logger.warn({ session: session.id, err: errorName(error) }, 'smtp ingress: data stream failed');
        answer(smtpError(451, 'Temporary failure reading the message, try again later'));
      });
      stream.once('end', () => {
        if (over) {
          logger.warn(
            { session: session.id, bytes, limit: options.maxBytes },
            'smtp ingress: message over the size limit, 552',
          );
          answer(smtpError(552, `Error: message exceeds fixed maximum message size ${options.maxBytes}`));
          return;
        }
        receive(Buffer.concat(chunks, bytes), session).then(
          () => answer(),
          (error: unknown) =>
            answer(error instanceof Error ? error : smtpError(451, 'Temporary failure, try again later')),
        );
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Errors after start (a client resetting its connection) are the client's; keep serving.
  server.on('error', (error: unknown) =>
    logger.warn({ err: errorName(error) }, 'smtp ingress: connection error'),
  );
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** An error's name and code, never its message (which may quote an address). */
function errorName(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as Error & { code?: unknown }).code;
    return typeof code === 'string' ? `${error.name} ${code}` : error.name;
  }
  return typeof error;
}
