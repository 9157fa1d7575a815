/**
 * Resident help pages: `/help` (search and the list of answers), `/help/:slug` (one answer in GOV.UK content
 * style, with "Was this page helpful?"), and the feedback form's POST and thank-you page. Internal articles
 * and drafts are never shown here; withdrawn articles carry a "no longer current" banner; archived ones
 * redirect to their replacement.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Clock } from '../../platform/clock.ts';
import { withTransaction, type Db } from '../../platform/db/index.ts';
import { NotFoundError } from '../../platform/http/errors.ts';
import { parseForm, parseQuery, type FormErrors } from '../../platform/http/validation.ts';
import { formatDate } from '../../platform/views/index.ts';
import { renderMarkdown } from './knowledge.markdown.ts';
import { feedbackSchema, searchQuerySchema, SLUG_PATTERN } from './knowledge.schemas.ts';
import * as service from './knowledge.service.ts';

export interface KnowledgePortalDeps {
  db: Db;
  clock: Clock;
}

const slugOf = (params: unknown): string => {
  const slug = (params as { slug?: unknown }).slug;
  if (typeof slug !== 'string' || slug.length > 100 || !SLUG_PATTERN.test(slug)) throw new NotFoundError();
  return slug;
};

export async function registerKnowledgePortalRoutes(app: FastifyInstance, deps: KnowledgePortalDeps) {
  const { db, clock } = deps;

  app.get('/help', { config: { permission: 'public' } }, async (request, reply) => {
    const { q } = parseQuery(searchQuerySchema, request.query);
    const now = clock.now();
    const results = q ? await service.searchArticles(db, { query: q, audience: 'public', now }) : [];
    const articles = q ? [] : await service.listPublicArticles(db, { now, limit: 500 });
    return reply.view('knowledge/portal/index.njk', {
      q,
      searched: q.length > 0,
      results,
      articles,
      navActive: 'help',
    });
  });

  const renderArticle = async (
    reply: FastifyReply,
    slug: string,
    extra: { errors?: FormErrors; values?: Record<string, unknown>; status?: number } = {},
  ) => {
    const page = await service.helpPage(db, slug, clock.now());
    if (page.kind === 'redirect') return reply.redirect(`/help/${page.slug}`, 301);
    if (extra.status) reply.status(extra.status);
    return reply.view('knowledge/portal/article.njk', {
      title: page.version.title,
      summary: page.version.summary,
      bodyHtml: renderMarkdown(page.version.body),
      slug,
      current: page.current,
      updated: formatDate(page.version.published_at ?? page.version.created_at),
      services: page.services,
      values: extra.values ?? {},
      ...extra.errors,
    });
  };

  app.get('/help/:slug', { config: { permission: 'public' } }, async (request, reply) =>
    renderArticle(reply, slugOf(request.params)),
  );

  app.post(
    '/help/:slug/feedback',
    { config: { permission: 'public', rateLimit: { max: 20, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const slug = slugOf(request.params);
      const parsed = parseForm(feedbackSchema, request.body);
      if (!parsed.ok)
        return renderArticle(reply, slug, { errors: parsed.errors, values: parsed.values, status: 400 });
      await withTransaction(db, (trx) =>
        service.recordFeedback(trx, slug, {
          helpful: parsed.value.helpful === 'yes',
          comment: parsed.value.comment,
          now: clock.now(),
        }),
      );
      return reply.redirect(`/help/${slug}/feedback`, 303);
    },
  );

  app.get('/help/:slug/feedback', { config: { permission: 'public' } }, async (request, reply) => {
    const slug = slugOf(request.params);
    const page = await service.helpPage(db, slug, clock.now());
    if (page.kind === 'redirect') return reply.redirect(`/help/${page.slug}`, 301);
    return reply.view('knowledge/portal/thanks.njk', { slug });
  });
}
