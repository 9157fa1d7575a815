/**
 * The api module's public surface: the JSON API at /api/v1 (bearer tokens, OpenAPI 3.1 at
 * /api/v1/openapi.json, Idempotency-Key), the token administration page, and the demo token for the
 * start-up banner. See README.md and docs/api.md.
 */
import type { FastifyInstance } from 'fastify';
import { registerApiAdminRoutes } from './api.admin.routes.ts';
import { registerApiRoutes, type ApiRoutesDeps } from './api.routes.ts';

/** Registers /api/v1/… (permission `api`, CSRF exempt) and /staff/admin/api-tokens (admin:manage). */
export async function registerApi(app: FastifyInstance, deps: ApiRoutesDeps): Promise<void> {
  await registerApiRoutes(app, deps);
  await registerApiAdminRoutes(app, deps);
}

export { ensureDemoApiToken, issueApiToken } from './api.tokens.ts';
export { openApiDocument } from './api.openapi.ts';
