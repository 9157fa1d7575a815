/**
 * GOV.UK Notify's callbacks (issue 17, item 4; docs/texts.md):
 * - `POST /notify/v1/delivery-status`: a message's status changed (`delivered`, `permanent-failure`…);
 * - `POST /notify/v1/received-text`: a resident texted the council's number.
 *
 * Notify sends the bearer token the council set in its callback settings (NOTIFY_CALLBACK_TOKEN), compared
 * in constant time. Answers: 200 `{"ok":true,"outcome":…}` (also for a duplicate: Notify retries until it
 * gets a 2xx, so a retry must succeed without doing anything twice), 400 for a body that is not a
 * callback, 401 for a wrong or missing token, 404 when no token is configured (the callbacks are closed).
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { applyProviderStatus } from '../notifications/index.ts';
import { receiveText, type TextsDeps } from './texts.service.ts';

export interface TextsCallbackDeps extends TextsDeps {
  callbackToken: string | null;
  publicUrl: string;
}

const ROUTE = { permission: 'public', csrfExempt: true, auditEvent: false, machine: true } as const;

const when = z.string().trim().max(40).nullish();

const deliveryReceipt = z.object({
  id: z.string().trim().min(1).max(64),
  status: z.string().trim().min(1).max(40),
  reference: z.string().max(200).nullish(),
  created_at: when,
  completed_at: when,
  sent_at: when,
});

const receivedText = z.object({
  id: z.string().trim().min(1).max(64),
  source_number: z.string().trim().min(3).max(32),
  destination_number: z.string().trim().max(32).nullish(),
  message: z.string().max(10_000),
  date_received: when,
});

function dateOr(value: string | null | undefined, fallback: Date): Date {
  if (!value) return fallback;
  // Notify's times are UTC, sometimes without a zone designator.
  const parsed = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`);
  return Number.isNaN(parsed.getTime()) ? fallback : parsed;
}

function tokenMatches(expected: string, header: string | undefined): boolean {
  const given = /^Bearer\s+(.+)$/i.exec(header ?? '')?.[1]?.trim();
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function registerTextsCallbacks(app: FastifyInstance, deps: TextsCallbackDeps): Promise<void> {
  /** The token check and body parse every callback shares; null when the reply has been sent. */
  function accepted<S extends z.ZodType>(
    request: FastifyRequest,
    reply: FastifyReply,
    schema: S,
  ): z.output<S> | null {
    if (!deps.callbackToken) {
      void reply.code(404).send({ ok: false, error: 'Notify callbacks are not configured' });
      return null;
    }
    if (!tokenMatches(deps.callbackToken, request.headers.authorization)) {
      void reply.code(401).send({ ok: false, error: 'the bearer token does not match' });
      return null;
    }
    const parsed = schema.safeParse(request.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      void reply
        .code(400)
        .send({ ok: false, error: `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'not valid'}` });
      return null;
    }
    return parsed.data;
  }

  app.post('/notify/v1/delivery-status', { config: ROUTE }, async (request, reply) => {
    const body = accepted(request, reply, deliveryReceipt);
    if (!body) return reply;
    const now = deps.clock.now();
    const outcome = await applyProviderStatus(
      { db: deps.db, publicUrl: deps.publicUrl },
      { providerId: body.id, status: body.status, at: dateOr(body.completed_at ?? body.sent_at, now) },
    );
    return reply.send({ ok: true, outcome });
  });

  app.post('/notify/v1/received-text', { config: ROUTE }, async (request, reply) => {
    const body = accepted(request, reply, receivedText);
    if (!body) return reply;
    const result = await receiveText(deps, {
      notifyId: body.id,
      from: body.source_number,
      body: body.message,
      receivedAt: dateOr(body.date_received, deps.clock.now()),
    });
    if (result.outcome === 'no-authority')
      return reply.code(503).send({ ok: false, error: 'no council is set up to take texts' });
    return reply.send({ ok: true, outcome: result.outcome });
  });
}
