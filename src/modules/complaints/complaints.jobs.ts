/**
 * Jobs the complaints module owns (registered in worker.ts `jobHandlers`):
 * - `complaints.adopt`: gives complaint cases made through the "Make a complaint" form their complaint
 *   record and stage 1 clock. Idempotent; run it every few minutes (the staff queue also runs it on view).
 */
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/index.ts';
import type { JobHandler } from '../../platform/jobs/index.ts';
import { adoptComplaintCases } from './complaints.service.ts';

export const COMPLAINTS_ADOPT_TOPIC = 'complaints.adopt';

export function complaintJobHandlers(deps: { db: Db; clock: Clock }): Record<string, JobHandler> {
  return {
    [COMPLAINTS_ADOPT_TOPIC]: async () => {
      await adoptComplaintCases(deps.db, { now: deps.clock.now(), limit: 500 });
    },
  };
}
