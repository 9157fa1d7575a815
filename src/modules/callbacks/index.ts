/**
 * The callbacks module's public surface (issue 14, "Callbacks kept"): promised callbacks with a due time,
 * an owner or team, attempts, reminders and escalation; residents' requests from the contact page; the
 * "callbacks kept on time" figure. See README.md and docs/callbacks.md.
 */
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/index.ts';
import { registerCallbacksPortalRoutes } from './callbacks.portal.routes.ts';
import { registerCallbacksStaffRoutes } from './callbacks.staff.routes.ts';
import { DEFAULT_CALLBACK_SETTINGS, type CallbackSettings } from './callbacks.service.ts';

/**
 * Registers /staff/callbacks… (list, promise, record an attempt, cancel; the "Callbacks" nav entry and the
 * staff home's "Callbacks due" panel) and /contact/callback….
 */
export async function registerCallbacks(
  app: FastifyInstance,
  deps: { db: Db; clock: Clock; settings?: CallbackSettings },
): Promise<void> {
  const settings = deps.settings ?? DEFAULT_CALLBACK_SETTINGS;
  await registerCallbacksStaffRoutes(app, { ...deps, settings });
  await registerCallbacksPortalRoutes(app, { ...deps, settings });
}

// The telephony module's wrap-up and outbound calls use these (their input types, `PromiseInput` and
// `CallbackCall`, are exported here when that module lands and imports them).
export { promiseCallback, recordCallbackCall, callbacksKept } from './callbacks.service.ts';
export { callbackJobHandlers, CALLBACKS_SCAN_TOPIC } from './callbacks.jobs.ts';
