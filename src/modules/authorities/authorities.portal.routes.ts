/**
 * Front-door information pages: contact details for every council in the area, the accessibility
 * statement and the privacy notice. Long prose is one template per language (`<page>.<lang>.njk`).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from '../../platform/db/index.ts';
import { listAuthorities } from './authorities.repository.ts';

const viewsDir = join(dirname(fileURLToPath(import.meta.url)), 'views');

function localised(request: FastifyRequest, page: string): string {
  const candidate = `authorities/${page}.${request.locale}.njk`;
  return existsSync(join(viewsDir, candidate)) ? candidate : `authorities/${page}.en.njk`;
}

export async function registerAuthorityPortalRoutes(app: FastifyInstance, deps: { db: Db }): Promise<void> {
  app.get('/contact', { config: { permission: 'public' } }, async (_request, reply: FastifyReply) => {
    const authorities = await listAuthorities(deps.db);
    return reply.view('authorities/contact.njk', { authorities, navActive: 'contact' });
  });
  app.get('/accessibility', { config: { permission: 'public' } }, async (request, reply) =>
    reply.view(localised(request, 'accessibility'), {}),
  );
  app.get('/privacy', { config: { permission: 'public' } }, async (request, reply) => {
    const authorities = await listAuthorities(deps.db);
    return reply.view(localised(request, 'privacy'), { authorities });
  });
}
