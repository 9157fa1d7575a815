/**
 * Resident-facing feedback: the private feedback link (`/feedback/:token`), "Was this page helpful?"
 * (`POST /feedback/page`, works without JavaScript) and the public "You said, we did" page.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/index.ts';
import { ConflictError, NotFoundError } from '../../platform/http/errors.ts';
import { parseForm, type FormErrors } from '../../platform/http/validation.ts';
import { formatDate } from '../../platform/views/index.ts';
import { contactFeedbackSchema, pageFeedbackSchema, pagePath } from './feedback.schemas.ts';
import * as service from './feedback.service.ts';

export interface FeedbackPublicDeps {
  db: Db;
  clock: Clock;
}

const SATISFACTION = [
  'Very dissatisfied',
  'Dissatisfied',
  'Neither satisfied nor dissatisfied',
  'Satisfied',
  'Very satisfied',
];
const EFFORT = ['Very difficult', 'Difficult', 'Neither easy nor difficult', 'Easy', 'Very easy'];
const scale = (labels: string[], selected: unknown) =>
  labels.map((text, i) => ({ value: String(i + 1), text, checked: String(i + 1) === selected })).reverse();

export async function registerFeedbackPublicRoutes(
  app: FastifyInstance,
  deps: FeedbackPublicDeps,
): Promise<void> {
  const renderForm = async (
    reply: FastifyReply,
    token: string,
    extra: { errors?: FormErrors; values?: Record<string, unknown>; status?: number } = {},
  ) => {
    const link = await service.feedbackLink(deps.db, token, deps.clock.now());
    if (!link) throw new NotFoundError();
    if (extra.status) reply.status(extra.status);
    reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
    if (link.answered)
      return reply.view('feedback/public/thanks.njk', { pageTitle: 'Thank you for your feedback' });
    const values = extra.values ?? {};
    return reply.view('feedback/public/form.njk', {
      pageTitle: 'Tell us how we did',
      what: link.what,
      token,
      satisfaction: scale(SATISFACTION, values.satisfaction),
      effort: scale(EFFORT, values.effort),
      values,
      ...extra.errors,
    });
  };

  app.get<{ Params: { token: string } }>(
    '/feedback/:token',
    { config: { permission: 'public' } },
    async (request, reply) => renderForm(reply, request.params.token),
  );

  app.post<{ Params: { token: string } }>(
    '/feedback/:token',
    { config: { permission: 'public', rateLimit: { max: 20, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const { token } = request.params;
      const parsed = parseForm(contactFeedbackSchema, request.body);
      if (!parsed.ok)
        return renderForm(reply, token, { errors: parsed.errors, values: parsed.values, status: 400 });
      try {
        await service.recordContactFeedback(deps.db, token, { ...parsed.value, now: deps.clock.now() });
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
      }
      return reply.redirect(`/feedback/${token}`, 303);
    },
  );

  app.post(
    '/feedback/page',
    { config: { permission: 'public', rateLimit: { max: 30, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const parsed = parseForm(pageFeedbackSchema, request.body);
      const path = pagePath.parse((request.body as Record<string, unknown> | undefined)?.path);
      if (parsed.ok) {
        await service.recordPageFeedback(deps.db, {
          helpful: parsed.value.helpful === 'yes',
          comment: parsed.value.comment,
          path: parsed.value.path,
          customerId: request.session?.kind === 'resident' ? request.session.customerId : null,
          now: deps.clock.now(),
        });
      }
      return reply.redirect(`/feedback/page/thanks?${new URLSearchParams({ return: path }).toString()}`, 303);
    },
  );

  app.get<{ Querystring: { return?: string } }>(
    '/feedback/page/thanks',
    { config: { permission: 'public' } },
    async (request, reply) =>
      reply.view('feedback/public/page-thanks.njk', {
        pageTitle: 'Thank you for your feedback',
        back: pagePath.parse(request.query.return),
      }),
  );

  app.get('/you-said-we-did', { config: { permission: 'public' } }, async (_request, reply) => {
    const items = await service.listImprovements(deps.db, { limit: 100 });
    return reply.view('feedback/public/you-said-we-did.njk', {
      pageTitle: 'You said, we did',
      items: items.map((i) => ({
        ...i,
        published: formatDate(i.publishedOn),
        about: [i.serviceName ?? i.teamName, i.authorityName].filter(Boolean).join(', '),
      })),
    });
  });
}
