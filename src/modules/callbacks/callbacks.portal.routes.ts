/**
 * "Ask us to call you back" on the public contact page: GET/POST /contact/callback and its confirmation.
 * Works without JavaScript; the request is committed before it is acknowledged, and a retry of the same form
 * (its hidden token) returns the same callback.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/index.ts';
import { NotFoundError } from '../../platform/http/errors.ts';
import { idFromParams, parseForm, toFormErrors, type FormErrors } from '../../platform/http/validation.ts';
import { formatDate } from '../../platform/views/index.ts';
import { radioItems } from '../../platform/views/govuk-items.ts';
import { BEST_TIMES, requestSchema } from './callbacks.schemas.ts';
import * as service from './callbacks.service.ts';
import type { CallbackSettings } from './callbacks.service.ts';

export interface CallbacksPortalDeps {
  db: Db;
  clock: Clock;
  settings: CallbackSettings;
}

export async function registerCallbacksPortalRoutes(
  app: FastifyInstance,
  deps: CallbacksPortalDeps,
): Promise<void> {
  const { db, clock, settings } = deps;

  const render = async (
    reply: FastifyReply,
    values: Record<string, unknown>,
    problems?: { errors: FormErrors; status: number },
  ) => {
    const councils = await service.listAuthorities(db);
    if (problems) reply.status(problems.status);
    reply.header('cache-control', 'no-store');
    return reply.view('callbacks/request.njk', {
      pageTitle: 'Ask us to call you back',
      navActive: 'contact',
      values,
      councils:
        councils.length > 1
          ? councils.map((c) => ({ value: c.id, text: c.name, checked: c.id === values.council }))
          : [],
      bestTimes: radioItems(BEST_TIMES, values.bestTime),
      standardHours: settings.standardHours,
      ...(problems?.errors ?? {}),
    });
  };

  app.get('/contact/callback', { config: { permission: 'public' } }, async (_request, reply) =>
    render(reply, { formToken: randomUUID() }),
  );

  app.post(
    '/contact/callback',
    { config: { permission: 'public', rateLimit: { max: 10, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const body = (request.body && typeof request.body === 'object' ? request.body : {}) as Record<
        string,
        unknown
      >;
      const parsed = parseForm(requestSchema, body);
      const councils = await service.listAuthorities(db);
      const council = councils.length === 1 ? councils[0] : councils.find((c) => c.id === body.council);
      const problems = parsed.ok
        ? []
        : parsed.errors.errorList.map((e) => ({ field: e.href.slice(1), message: e.text }));
      if (!council)
        problems.unshift({ field: 'council', message: 'Choose which council you would like to talk to' });
      if (!parsed.ok || !council) return render(reply, body, { errors: toFormErrors(problems), status: 400 });
      const { id } = await service.requestCallback(db, {
        authorityId: council.id,
        name: parsed.value.name,
        phone: parsed.value.phone,
        bestTime: parsed.value.bestTime,
        topic: parsed.value.topic,
        formToken: parsed.value.formToken,
        now: clock.now(),
        settings,
      });
      return reply.redirect(`/contact/callback/${id}`, 303);
    },
  );

  // Shows only when we will call (no personal data), so the address is safe to keep or share.
  app.get('/contact/callback/:id', { config: { permission: 'public' } }, async (request, reply) => {
    const dueAt = await service.webRequestDue(db, idFromParams(request.params));
    if (!dueAt) throw new NotFoundError();
    reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
    return reply.view('callbacks/requested.njk', {
      pageTitle: 'We will call you back',
      navActive: 'contact',
      due: `${formatDate(dueAt, 'weekday')} at ${formatDate(dueAt, 'time')}`,
    });
  });
}
