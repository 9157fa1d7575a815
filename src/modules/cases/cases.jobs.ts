/**
 * Jobs the cases module owns (registered in worker.ts `jobHandlers`):
 * - `cases.sla_scan`: SLA warnings (80% of the allowance used) to the assignee or the team leaders, and
 *   breach escalations to the team leaders, each sent once per case even with several workers. Idempotent;
 *   run it every few minutes.
 */
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/index.ts';
import type { JobHandler } from '../../platform/jobs/index.ts';
import { scanSla } from './cases.sla.ts';

export const CASES_SLA_SCAN_TOPIC = 'cases.sla_scan';

export function caseJobHandlers(deps: {
  db: Db;
  clock: Clock;
  publicUrl?: string;
}): Record<string, JobHandler> {
  return {
    [CASES_SLA_SCAN_TOPIC]: async () => {
      await scanSla(deps.db, { now: deps.clock.now(), publicUrl: deps.publicUrl });
    },
  };
}
