/**
 * helmet's security headers from a list made once. @fastify/helmet builds helmet's middleware, parsing the
 * CSP directives again, on every request: about 0.1 ms, a tenth of the app's time for a form submission.
 * Here the headers are what @fastify/helmet sends with the same options, read once at start-up from a probe
 * request to a throwaway instance; per request only the two CSP nonces are new (`reply.cspNonce`, 16 random
 * bytes each, as @fastify/helmet makes them).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import helmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import { randomBytes } from 'node:crypto';

/** Headers of the probe's response that are not helmet's. */
const NOT_HELMET = new Set(['content-type', 'content-length', 'date', 'connection', 'keep-alive']);

/** Sets on every response the headers @fastify/helmet would set with `options` (CSP nonces enabled). */
export async function registerSecurityHeaders(
  app: FastifyInstance,
  options: FastifyHelmetOptions,
): Promise<void> {
  const probe = Fastify({ logger: false });
  await probe.register(helmet, { ...options, enableCSPNonces: true } as FastifyHelmetOptions);
  let probeNonces = { script: '', style: '' };
  probe.get('/', async (_request, reply) => {
    probeNonces = reply.cspNonce;
    return '';
  });
  const response = await probe.inject({ method: 'GET', url: '/' });
  await probe.close();

  const fixed: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers))
    if (!NOT_HELMET.has(name) && name !== 'content-security-policy' && typeof value === 'string')
      fixed[name] = value;
  const csp = String(response.headers['content-security-policy'] ?? '');
  const [beforeScript, afterScript] = splitOnce(csp, probeNonces.script);
  const [between, afterStyle] = splitOnce(afterScript, probeNonces.style);

  if (!app.hasReplyDecorator('cspNonce')) app.decorateReply('cspNonce', null as never);
  app.addHook('onRequest', (request, reply, done) => {
    // A webhook's answer is not a page: the fixed headers, but no nonces to make.
    if (request.routeOptions.config.machine) {
      reply.headers(fixed);
      reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
      return done();
    }
    const random = randomBytes(32).toString('hex');
    const nonces = { script: random.slice(0, 32), style: random.slice(32) };
    reply.cspNonce = nonces;
    reply.headers(fixed);
    if (csp)
      reply.header(
        'content-security-policy',
        `${beforeScript}${nonces.script}${between}${nonces.style}${afterStyle}`,
      );
    done();
  });
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = separator ? text.indexOf(separator) : -1;
  if (at < 0) throw new Error('security headers: the probe CSP does not carry its nonces');
  return [text.slice(0, at), text.slice(at + separator.length)];
}
