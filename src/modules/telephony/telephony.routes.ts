/**
 * `POST /telephony/v1/events`: call events from the council's phone platform (docs/telephony.md).
 *
 * The raw body is kept (signatures are over the bytes sent); JSON and form bodies are both understood. A
 * request with `X-Twilio-Signature` is read as a Twilio webhook and checked with Twilio's scheme against the
 * public URL; any other needs `X-Frontdoor-Signature` for the platform named by `X-Frontdoor-Platform`.
 * Answers: 200 `{"ok":true,…}` (also for a retry), `{"action":"reject"}` to a blocked number's newCall
 * (TwiML `<Reject/>` for Twilio), 400 with what is wrong, 401 for a bad or missing signature, 404 when no
 * secret is configured.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Db } from '../../platform/db/index.ts';
import type { Clock } from '../../platform/clock.ts';
import { CallEventError, parseGenericEvent, parseTwilioEvent } from './telephony.events.ts';
import { genericSignatureValid, twilioSignatureValid } from './telephony.signatures.ts';
import { ingestCallEvents, UnknownAuthorityError, type IngestOptions } from './telephony.ingest.ts';
import { CallEventBatcher } from './telephony.batcher.ts';

export interface TelephonyRoutesDeps {
  db: Db;
  clock: Clock;
  publicUrl: string;
  secrets: Record<string, string>;
  twilioAuthToken: string | null;
  authorityCode: string | null;
  onOutboundCallEnded?: IngestOptions['onOutboundCallEnded'];
}

const ROUTE = { permission: 'public', csrfExempt: true, auditEvent: false, machine: true } as const;
const MAX_BODY = 64 * 1024;

function fieldsOf(contentType: string | undefined, raw: string): Record<string, unknown> {
  if ((contentType ?? '').includes('json')) {
    const parsed: unknown = JSON.parse(raw);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new CallEventError('the body must be one JSON object', 'body');
    return parsed as Record<string, unknown>;
  }
  const fields: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    const name = key.endsWith('[]') ? key.slice(0, -2) : key;
    const existing = fields[name];
    if (key.endsWith('[]')) fields[name] = [...(Array.isArray(existing) ? existing : []), value];
    else fields[name] = value;
  }
  return fields;
}

function problem(reply: FastifyReply, status: number, message: string, field?: string) {
  return reply.code(status).send({ ok: false, error: message, ...(field ? { field } : {}) });
}

export async function registerTelephonyEvents(
  app: FastifyInstance,
  deps: TelephonyRoutesDeps,
): Promise<void> {
  const batcher = new CallEventBatcher((items) =>
    ingestCallEvents(deps.db, items, {
      fallbackAuthorityCode: deps.authorityCode,
      onOutboundCallEnded: deps.onOutboundCallEnded,
    }),
  );
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: MAX_BODY }, (_request, body, done) =>
      done(null, body),
    );
    scope.post('/telephony/v1/events', { config: ROUTE }, async (request, reply) => {
      const raw = typeof request.body === 'string' ? request.body : '';
      const twilioHeader = request.headers['x-twilio-signature'];
      const isTwilio = typeof twilioHeader === 'string';
      let platform: string;
      let fields: Record<string, unknown>;
      try {
        fields = fieldsOf(request.headers['content-type'], raw);
      } catch (error) {
        return problem(
          reply,
          400,
          error instanceof CallEventError ? error.message : 'the body is not valid JSON',
        );
      }
      if (isTwilio) {
        if (!deps.twilioAuthToken) return problem(reply, 404, 'Twilio webhooks are not configured');
        const url = new URL(request.url, deps.publicUrl).toString();
        const params = Object.fromEntries(
          Object.entries(fields).map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : String(v)]),
        );
        if (!twilioSignatureValid(deps.twilioAuthToken, url, params, twilioHeader))
          return problem(reply, 401, 'the X-Twilio-Signature does not match');
        platform = 'twilio';
        // The callback URL's own query (queue, extension) belongs to the event too; Twilio signed it.
        Object.assign(fields, Object.fromEntries(new URL(url).searchParams), fields);
      } else {
        const named = request.headers['x-frontdoor-platform'];
        platform = typeof named === 'string' && named.trim() ? named.trim().toLowerCase() : 'default';
        const secret = deps.secrets[platform];
        if (!secret) return problem(reply, Object.keys(deps.secrets).length ? 401 : 404, 'unknown platform');
        const signature = request.headers['x-frontdoor-signature'];
        if (!genericSignatureValid(secret, raw, typeof signature === 'string' ? signature : undefined))
          return problem(reply, 401, 'the X-Frontdoor-Signature does not match');
      }
      let event;
      try {
        event = isTwilio
          ? parseTwilioEvent(fields, deps.clock.now())
          : parseGenericEvent(fields, deps.clock.now());
      } catch (error) {
        if (error instanceof CallEventError) return problem(reply, 400, error.message, error.field);
        throw error;
      }
      if (!event)
        return isTwilio
          ? reply.type('text/xml').send('<Response/>')
          : reply.send({ ok: true, ignored: true });
      try {
        const result = await batcher.add({ event, platform });
        if (isTwilio)
          return reply
            .type('text/xml')
            .send(result.reject ? '<Response><Reject reason="rejected"/></Response>' : '<Response/>');
        if (result.reject) return reply.send({ action: 'reject' });
        return reply.send({ ok: true, duplicate: result.duplicate });
      } catch (error) {
        if (error instanceof UnknownAuthorityError) return problem(reply, 400, error.message);
        throw error;
      }
    });
  });
}
