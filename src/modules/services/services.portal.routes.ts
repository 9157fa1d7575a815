/** Resident catalogue: the home page ("Find a council service"), search and each service's start page. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/index.ts';
import { NotFoundError } from '../../platform/http/errors.ts';
import { articlesForService, searchArticles } from '../knowledge/index.ts';
import { findServiceBySlug, listActiveServices, searchServices } from './services.repository.ts';
import { groupByCategory, slaText } from './services.presenters.ts';

const searchQuery = z.object({ q: z.string().trim().max(200).optional().default('') });

/**
 * The knowledge base answers beside the catalogue: the search page lists matching help articles after the
 * services, and each service page links its articles ("Questions about this service").
 */
export async function registerServicePortalRoutes(
  app: FastifyInstance,
  deps: { db: Db; clock: Clock },
): Promise<void> {
  app.get('/', { config: { permission: 'public' } }, async (_request, reply) => {
    const services = await listActiveServices(deps.db);
    return reply.view('services/home.njk', { categories: groupByCategory(services), navActive: 'services' });
  });

  app.get('/search', { config: { permission: 'public' } }, async (request, reply) => {
    const parsed = searchQuery.safeParse(request.query);
    const q = parsed.success ? parsed.data.q : '';
    const [results, articles] = q
      ? await Promise.all([
          searchServices(deps.db, q),
          searchArticles(deps.db, { query: q, audience: 'public', now: deps.clock.now(), limit: 10 }),
        ])
      : [[], []];
    return reply.view('services/search.njk', {
      q,
      results,
      articles,
      searched: q.length > 0,
      navActive: 'services',
    });
  });

  app.get<{ Params: { slug: string } }>(
    '/services/:slug',
    { config: { permission: 'public' } },
    async (request, reply) => {
      const service = await findServiceBySlug(deps.db, request.params.slug);
      if (!service) throw new NotFoundError();
      const definition = service.definition as { beforeYouStart?: string[]; form?: { pages?: unknown[] } };
      const hasForm = Array.isArray(definition.form?.pages) && definition.form.pages.length > 0;
      return reply.view('services/service.njk', {
        service,
        beforeYouStart: Array.isArray(definition.beforeYouStart) ? definition.beforeYouStart : [],
        slaText: slaText(service.sla, service.kind),
        // The forms engine (modules/forms) serves /services/:slug/start for services with a form.
        startUrl: hasForm ? `/services/${service.slug}/start` : null,
        questions: await articlesForService(deps.db, service.id, deps.clock.now()),
        navActive: 'services',
      });
    },
  );
}
