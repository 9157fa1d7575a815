/**
 * Jobs the callbacks module owns (wired in worker.ts):
 * - `callbacks.scan`: reminds owners of callbacks due within the lead time and escalates overdue ones to
 *   their team leaders, each once (see `scanCallbacks`); first it promises a "call the resident" callback
 *   for each new request we had no way to acknowledge (`promiseCallsForUnreachable`). Idempotent; scheduled
 *   every minute.
 */
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/index.ts';
import type { JobHandler } from '../../platform/jobs/index.ts';
import {
  DEFAULT_CALLBACK_SETTINGS,
  promiseCallsForUnreachable,
  scanCallbacks,
  type CallbackSettings,
} from './callbacks.service.ts';

export const CALLBACKS_SCAN_TOPIC = 'callbacks.scan';

export function callbackJobHandlers(deps: {
  db: Db;
  clock: Clock;
  settings?: CallbackSettings;
}): Record<string, JobHandler> {
  return {
    [CALLBACKS_SCAN_TOPIC]: async () => {
      const options = { now: deps.clock.now(), settings: deps.settings ?? DEFAULT_CALLBACK_SETTINGS };
      await promiseCallsForUnreachable(deps.db, options);
      await scanCallbacks(deps.db, options);
    },
  };
}
