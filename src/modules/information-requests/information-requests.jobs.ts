/**
 * Jobs the information-requests module owns (registered in worker.ts `jobHandlers`):
 * - `information-requests.adopt`: gives FOI and SAR cases made through the forms engine their request record
 *   and statutory deadline. Idempotent; run it every few minutes (the staff queue also runs it on view).
 */
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/index.ts';
import type { JobHandler } from '../../platform/jobs/index.ts';
import { adoptInformationRequestCases } from './information-requests.service.ts';

export const INFORMATION_REQUESTS_ADOPT_TOPIC = 'information-requests.adopt';

export function informationRequestJobHandlers(deps: { db: Db; clock: Clock }): Record<string, JobHandler> {
  return {
    [INFORMATION_REQUESTS_ADOPT_TOPIC]: async () => {
      await adoptInformationRequestCases(deps.db, { now: deps.clock.now(), limit: 500 });
    },
  };
}
