/**
 * The knowledge module's public surface: articles with versions, review and publishing, the help pages
 * (/help), staff pages (/staff/knowledge), the articles API (/api/v1/articles), search for the portal and
 * the service pages, and the demo content loader. See README.md and docs/knowledge.md.
 */
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/index.ts';
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
