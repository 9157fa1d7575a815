/**
 * Jobs the callbacks module owns (wired in worker.ts):
 * - `callbacks.scan`: reminds owners of callbacks due within the lead time and escalates overdue ones to
 *   their team leaders, each once (see `scanCallbacks`). Idempotent; scheduled every minute.
 */
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/index.ts';
import type { JobHandler } from '../../platform/jobs/index.ts';
import { DEFAULT_CALLBACK_SETTINGS, scanCallbacks, type CallbackSettings } from './callbacks.service.ts';

export const CALLBACKS_SCAN_TOPIC = 'callbacks.scan';

export function callbackJobHandlers(deps: {
  db: Db;
  clock: Clock;
  settings?: CallbackSettings;
}): Record<string, JobHandler> {
  return {
    [CALLBACKS_SCAN_TOPIC]: async () => {
      await scanCallbacks(deps.db, {
        now: deps.clock.now(),
        settings: deps.settings ?? DEFAULT_CALLBACK_SETTINGS,
      });
    },
  };
}
