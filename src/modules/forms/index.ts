/**
 * The forms engine's public surface: resident and staff routes that render any service's `form`
 * definition with GOV.UK patterns and submit it as a case, plus the engine rules and the gazetteer
 * helpers. See README.md.
 */
import type { FastifyInstance } from 'fastify';
import { staffNavItems } from '../identity/index.ts';
import { registerFormsRoutes as registerRoutes, type FormsRoutesDeps } from './forms.routes.ts';

/**
 * Registers /services/:slug/start, /apply/:draftId/..., /staff/services, /staff/services/:slug/start and
 * /staff/apply/:draftId/... (assisted digital), and adds "Start a request" to the staff navigation.
 */
export async function registerFormsRoutes(app: FastifyInstance, deps: FormsRoutesDeps): Promise<void> {
  if (!staffNavItems.some((item) => item.href === '/staff/services'))
    staffNavItems.push({ href: '/staff/services', text: 'Start a request', permission: 'cases:write' });
  await registerRoutes(app, deps);
}

export { startDraft, seedDemoAddresses, purgeExpiredDrafts } from './forms.service.ts';
export { expandForm } from './forms.engine.ts';
