/**
 * Published public articles as JSON, for a council's website or chat to reuse: `GET /api/v1/articles`
 * (the list, or `?q=` search) and `GET /api/v1/articles/:slug`. Public content, so no token is needed
 * (`permission: 'public'`, rate-limited); internal articles, drafts, withdrawn and archived articles and
 * those outside their dates are never returned. Described in the OpenAPI document (modules/api).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/index.ts';
import { parseQuery } from '../../platform/http/validation.ts';
import { markdownToText, renderMarkdown } from './knowledge.markdown.ts';
import { SLUG_PATTERN } from './knowledge.schemas.ts';
import * as service from './knowledge.service.ts';

const listQuery = z.object({
  q: z
    .string()
    .optional()
    .transform((v) => (v ?? '').trim().slice(0, 200))
    .catch(''),
  limit: z.coerce.number().int().min(1).max(100).catch(50),
  offset: z.coerce.number().int().min(0).max(100_000).catch(0),
});

const API_PUBLIC = {
  permission: 'public',
  csrfExempt: true,
  rateLimit: { max: 120, timeWindow: '1 minute' },
} as const;

function notFound() {
  return { error: { code: 'not_found', message: 'No published article with this address' } };
}

export async function registerKnowledgeApiRoutes(
  app: FastifyInstance,
  deps: { db: Db; clock: Clock; publicUrl?: string },
) {
  const base = (deps.publicUrl ?? '').replace(/\/$/, '');

  app.get('/api/v1/articles', { config: API_PUBLIC }, async (request, reply) => {
    const query = parseQuery(listQuery, request.query);
    const now = deps.clock.now();
    if (query.q) {
      const hits = await service.searchArticles(deps.db, {
        query: query.q,
        audience: 'public',
        now,
        limit: query.limit,
      });
      return reply.send({
        articles: hits.map((h) => ({
          slug: h.slug,
          title: h.title,
          summary: h.summary,
          snippet: h.snippet.map((p) => p.text).join(''),
          links: { self: `/api/v1/articles/${h.slug}`, html: `${base}/help/${h.slug}` },
        })),
      });
    }
    const rows = await service.listPublicArticles(deps.db, { now, limit: query.limit, offset: query.offset });
    return reply.send({
      articles: rows.map((a) => ({
        slug: a.slug,
        title: a.title,
        summary: a.summary,
        version: a.version,
        updatedAt: a.published_at?.toISOString() ?? null,
        links: { self: `/api/v1/articles/${a.slug}`, html: `${base}/help/${a.slug}` },
      })),
    });
  });

  app.get<{ Params: { slug: string } }>(
    '/api/v1/articles/:slug',
    { config: API_PUBLIC },
    async (request, reply) => {
      const { slug } = request.params;
      if (slug.length > 100 || !SLUG_PATTERN.test(slug)) return reply.status(404).send(notFound());
      let page: service.HelpPage;
      try {
        page = await service.helpPage(deps.db, slug, deps.clock.now());
      } catch {
        return reply.status(404).send(notFound());
      }
      if (page.kind === 'redirect')
        return reply
          .status(301)
          .header('location', `/api/v1/articles/${page.slug}`)
          .send({ movedTo: `/api/v1/articles/${page.slug}` });
      if (!page.current)
        return reply
          .status(410)
          .send({ error: { code: 'gone', message: 'This article is no longer current' } });
      const { version } = page;
      return reply.send({
        slug,
        title: version.title,
        summary: version.summary,
        body: version.body,
        bodyHtml: renderMarkdown(version.body),
        bodyText: markdownToText(version.body),
        keywords: version.keywords
          .split(',')
          .map((k) => k.trim())
          .filter(Boolean),
        version: version.number,
        updatedAt: (version.published_at ?? version.created_at).toISOString(),
        services: page.services.map((s) => ({ slug: s.slug, name: s.name })),
        links: { self: `/api/v1/articles/${slug}`, html: `${base}/help/${slug}` },
      });
    },
  );
}
