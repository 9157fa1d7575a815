/**
 * The knowledge module's public surface: articles with versions, review and publishing, the help pages
 * (/help), staff pages (/staff/knowledge), the articles API (/api/v1/articles), search for the portal and
 * the service pages, and the demo content loader. See README.md and docs/knowledge.md.
 */
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/index.ts';
import { findArticleBySlug, findVersion, servicesOfArticle } from './knowledge.repository.ts';
import { registerKnowledgeApiRoutes } from './knowledge.api.routes.ts';
import { registerKnowledgePortalRoutes } from './knowledge.portal.routes.ts';
import { registerKnowledgeStaffRoutes } from './knowledge.staff.routes.ts';
import { registerKnowledgeUsageRoutes } from './knowledge.usage.routes.ts';

/** Registers /help…, /staff/knowledge… and /api/v1/articles…. */
export async function registerKnowledge(
  app: FastifyInstance,
  deps: { db: Db; clock: Clock; publicUrl?: string },
): Promise<void> {
  await registerKnowledgePortalRoutes(app, deps);
  await registerKnowledgeUsageRoutes(app, deps);
  await registerKnowledgeStaffRoutes(app, deps);
  await registerKnowledgeApiRoutes(app, deps);
}

export { searchArticles, articlesForService, seedArticles } from './knowledge.service.ts';
export { loadArticleFiles } from './knowledge.content.ts';
export { phoneScripts, phoneScriptsFor, remindReviews, replyAnswersFor } from './knowledge.usage.ts';
export { KNOWLEDGE_REVIEW_TOPIC, knowledgeJobHandlers } from './knowledge.jobs.ts';

/**
 * The published text of a public article that residents may see now (published, within its dates), with
 * its version number and the services it is linked to (the webchat assistant quotes it and suggests the
 * service); null for anything else. Does not count a view.
 */
export async function publishedPublicArticle(db: Db, slug: string, now: Date) {
  const article = await findArticleBySlug(db, slug);
  if (
    !article ||
    article.audience !== 'public' ||
    article.state !== 'published' ||
    !article.published_version
  )
    return null;
  if ((article.valid_from && article.valid_from > now) || (article.valid_to && article.valid_to <= now))
    return null;
  const version = await findVersion(db, article.id, article.published_version);
  if (!version) return null;
  const services = await servicesOfArticle(db, article.id);
  return {
    slug: article.slug,
    title: version.title,
    summary: version.summary,
    keywords: version.keywords,
    body: version.body,
    version: version.number,
    services: services.map((s) => ({ slug: s.slug, name: s.name })),
  };
}
