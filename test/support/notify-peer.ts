/**
 * A local stand-in for the GOV.UK Notify API, for tests that drive the real `notifications-node-client`.
 *
 * It implements what the client calls — `POST /v2/notifications/email`, `POST /v2/notifications/sms`,
 * `GET /v2/notifications?reference=…`, `GET /v2/notifications/{id}` (the status a test set with
 * `setStatus`) and `GET /v2/received-text-messages[?older_than=id]` (texts a test added with
 * `receiveText`, newest first, `receivedPageSize` a page, with a `next` link while more remain) — and checks every request the way Notify does: a bearer JWT signed
 * with HS256 using the API key's secret, `iss` = the service id, `iat` within 30 seconds. Requests are
 * recorded (with the verified `iss`), so tests can assert what the client sent. `failNext(n, status)` makes
 * the next n sends fail with a Notify-shaped error. Anything else gets a 404 and is listed in `unexpected`.
 *
 * `guardOutbound()` makes any connection to a host other than loopback fail (and records it), so a test
 * cannot reach the real Notify or anything else on the internet by mistake.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import net, { type AddressInfo } from 'node:net';

export interface NotifyRequest {
  method: string;
  path: string;
  /** The JWT's `iss` (the service id), after the signature was verified. */
  serviceId: string;
  body: Record<string, unknown>;
}

export interface SentNotification {
  id: string;
  type: 'email' | 'sms' | 'letter';
  reference: string | null;
  templateId: string;
  to: string;
  personalisation: Record<string, string>;
}

export interface NotifyPeer {
  baseUrl: string;
  serviceId: string;
  /** An API key in Notify's format: `{name}-{service id}-{secret}`. */
  apiKey: string;
  requests: NotifyRequest[];
  sent: SentNotification[];
  /** Requests refused for a bad token, unknown paths, etc. */
  unexpected: string[];
  failNext(count: number, status?: number): void;
  /** What `GET /v2/notifications/{id}` says from now on about a sent notification. */
  setStatus(id: string, status: string): void;
  /** A text a resident sent to the service's number; returns its Notify id. */
  receiveText(text: { from: string; content: string; at: Date }): string;
  /** Received texts per page (Notify's is 250). */
  receivedPageSize: number;
  stop(): Promise<void>;
}

function base64url(input: Buffer | string): string {
  return Buffer.from(input).toString('base64url');
}

/** Verifies a Notify JWT; returns its `iss` or an error text. */
function verifyToken(
  header: string | undefined,
  serviceId: string,
  secret: string,
): string | { error: string } {
  const token = /^Bearer (.+)$/.exec(header ?? '')?.[1];
  if (!token) return { error: 'Unauthorized: authentication token must be provided' };
  const [head, payload, signature, ...rest] = token.split('.');
  if (!head || !payload || !signature || rest.length) return { error: 'Invalid token: not a JWT' };
  let parsedHead: { alg?: string; typ?: string };
  let claims: { iss?: string; iat?: number };
  try {
    parsedHead = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as typeof parsedHead;
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
  } catch {
    return { error: 'Invalid token: not JSON' };
  }
  if (parsedHead.alg !== 'HS256') return { error: 'Invalid token: algorithm must be HS256' };
  const expected = Buffer.from(base64url(createHmac('sha256', secret).update(`${head}.${payload}`).digest()));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given))
    return { error: 'Invalid token: signature, api token not found' };
  if (claims.iss !== serviceId) return { error: 'Invalid token: service id not found' };
  if (typeof claims.iat !== 'number' || Math.abs(Date.now() / 1000 - claims.iat) > 30)
    return { error: 'Error: Your system clock must be accurate to within 30 seconds' };
  return claims.iss;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

export async function startNotifyPeer(): Promise<NotifyPeer> {
  const serviceId = randomUUID();
  const secret = randomUUID();
  const requests: NotifyRequest[] = [];
  const sent: SentNotification[] = [];
  const unexpected: string[] = [];
  let failures = 0;
  let failureStatus = 500;
  const statuses = new Map<string, string>();
  const received: { id: string; from: string; content: string; at: Date }[] = [];
  const peer = { receivedPageSize: 250 };

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const verified = verifyToken(req.headers.authorization, serviceId, secret);
      if (typeof verified !== 'string') {
        unexpected.push(`${req.method} ${url.pathname}: ${verified.error}`);
        return send(res, 403, {
          status_code: 403,
          errors: [{ error: 'AuthError', message: verified.error }],
        });
      }
      const body = req.method === 'POST' ? await readJson(req) : {};
      requests.push({ method: req.method ?? '', path: url.pathname + url.search, serviceId: verified, body });

      const match = /^\/v2\/notifications\/(email|sms|letter)$/.exec(url.pathname);
      if (req.method === 'POST' && match) {
        if (failures > 0) {
          failures -= 1;
          return send(res, failureStatus, {
            status_code: failureStatus,
            errors: [
              { error: failureStatus >= 500 ? 'Exception' : 'BadRequestError', message: 'Test failure' },
            ],
          });
        }
        const type = match[1] as 'email' | 'sms' | 'letter';
        const fields = (body.personalisation ?? {}) as Record<string, string>;
        if (type === 'letter') {
          // Notify's own check: 3 to 7 address lines, the last a postcode (the peer knows none are real).
          const lines = Object.keys(fields).filter((k) => /^address_line_[1-7]$/.test(k));
          if (lines.length < 3 || lines.length > 7)
            return send(res, 400, {
              status_code: 400,
              errors: [{ error: 'ValidationError', message: 'Address must be at least 3 lines' }],
            });
        }
        const to = String(
          type === 'email' ? body.email_address : type === 'sms' ? body.phone_number : fields.address_line_1,
        );
        const notification: SentNotification = {
          id: randomUUID(),
          type,
          reference: typeof body.reference === 'string' ? body.reference : null,
          templateId: String(body.template_id),
          to,
          personalisation: (body.personalisation ?? {}) as Record<string, string>,
        };
        sent.push(notification);
        return send(res, 201, {
          id: notification.id,
          reference: notification.reference,
          content:
            type === 'email'
              ? {
                  subject: notification.personalisation.subject ?? '',
                  body: notification.personalisation.body ?? '',
                  from_email: 'council@notifications.service.gov.uk',
                }
              : { body: notification.personalisation.body ?? '', from_number: 'COUNCIL' },
          uri: `${baseUrl}/v2/notifications/${notification.id}`,
          template: {
            id: notification.templateId,
            version: 1,
            uri: `${baseUrl}/v2/template/${notification.templateId}`,
          },
        });
      }
      const byId = /^\/v2\/notifications\/([0-9a-f-]{36})$/.exec(url.pathname);
      if (req.method === 'GET' && byId) {
        const found = sent.find((n) => n.id === byId[1]);
        if (!found)
          return send(res, 404, {
            status_code: 404,
            errors: [{ error: 'NoResultFound', message: 'No result found' }],
          });
        return send(res, 200, {
          id: found.id,
          reference: found.reference,
          type: found.type,
          status: statuses.get(found.id) ?? 'sending',
          template: { id: found.templateId, version: 1, uri: '' },
          body: found.personalisation.body ?? '',
          created_at: new Date().toISOString(),
          completed_at: new Date().toISOString(),
        });
      }
      if (req.method === 'GET' && url.pathname === '/v2/received-text-messages') {
        const newestFirst = [...received].sort((a, b) => b.at.getTime() - a.at.getTime());
        const olderThan = url.searchParams.get('older_than');
        const start = olderThan ? newestFirst.findIndex((t) => t.id === olderThan) + 1 : 0;
        const page = newestFirst.slice(start, start + peer.receivedPageSize);
        const more = start + page.length < newestFirst.length;
        return send(res, 200, {
          received_text_messages: page.map((t) => ({
            id: t.id,
            user_number: t.from,
            notify_number: '07700900000',
            created_at: t.at.toISOString(),
            service_id: serviceId,
            content: t.content,
          })),
          links: {
            current: `${baseUrl}/v2/received-text-messages`,
            ...(more && page.length
              ? { next: `${baseUrl}/v2/received-text-messages?older_than=${page.at(-1)!.id}` }
              : {}),
          },
        });
      }
      if (req.method === 'GET' && url.pathname === '/v2/notifications') {
        const reference = url.searchParams.get('reference');
        const type = url.searchParams.get('template_type');
        const found = sent.filter(
          (n) => (!reference || n.reference === reference) && (!type || n.type === type),
        );
        return send(res, 200, {
          notifications: found.map((n) => ({
            id: n.id,
            reference: n.reference,
            type: n.type,
            status: 'delivered',
            template: { id: n.templateId, version: 1, uri: '' },
            body: n.personalisation.body ?? '',
            created_at: new Date().toISOString(),
          })),
          links: { current: `${baseUrl}/v2/notifications` },
        });
      }
      unexpected.push(`${req.method} ${url.pathname}`);
      return send(res, 404, { status_code: 404, errors: [{ error: 'NotFound', message: 'Not found' }] });
    })().catch((error: unknown) => {
      unexpected.push(`peer error: ${String(error)}`);
      send(res, 500, { status_code: 500, errors: [{ error: 'Exception', message: 'peer error' }] });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    get receivedPageSize() {
      return peer.receivedPageSize;
    },
    set receivedPageSize(size: number) {
      peer.receivedPageSize = size;
    },
    setStatus(id, status) {
      statuses.set(id, status);
    },
    receiveText(text) {
      const id = randomUUID();
      received.push({ id, ...text });
      return id;
    },
    baseUrl,
    serviceId,
    apiKey: `frontdoor_test-${serviceId}-${secret}`,
    requests,
    sent,
    unexpected,
    failNext(count, status = 500) {
      failures = count;
      failureStatus = status;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost', '::ffff:127.0.0.1']);

/**
 * Fails every TCP connection to a host that is not loopback, for the rest of the process (until
 * `restore()`), and lists the attempts in `blocked` so a test can assert there were none.
 */
export function guardOutbound(): { blocked: string[]; restore(): void } {
  const blocked: string[] = [];
  const prototype = net.Socket.prototype as unknown as { connect: (...args: unknown[]) => net.Socket };
  const original = prototype.connect;
  prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
    const [first, second] = args;
    let host: string | undefined;
    if (first && typeof first === 'object' && !Array.isArray(first)) {
      const options = first as { host?: string; path?: string };
      host = options.path ? undefined : (options.host ?? 'localhost');
    } else if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
      host = typeof second === 'string' ? second : 'localhost';
    }
    if (host !== undefined && !LOOPBACK.has(host)) {
      blocked.push(host);
      const error = new Error(`Blocked outbound connection to ${host} in a test`);
      process.nextTick(() => this.destroy(error));
      return this;
    }
    return original.apply(this, args);
  };
  return {
    blocked,
    restore() {
      prototype.connect = original;
    },
  };
}
