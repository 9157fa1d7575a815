/**
 * Jobs the complaints module owns (wired in worker.ts):
 * - `case.created` (cases core's event, written with the case): {@link complaintCaseCreatedHandler} gives a
 *   complaint case made through the "Make a complaint" form its complaint record and stage 1 clock.
 *   Idempotent (one record per case), so a retried job does nothing twice.
 * - `complaints.adopt`: the safety net, scheduled hourly: adopts open complaint cases that still have no
 *   record (cases made before the event existed, or written straight into the database by imports and the
 *   demo history).
 */
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/index.ts';
import type { JobHandler } from '../../platform/jobs/index.ts';
import { adoptOnCaseCreated } from '../cases/index.ts';
import { adoptComplaintCase, adoptComplaintCases } from './complaints.service.ts';

export const COMPLAINTS_ADOPT_TOPIC = 'complaints.adopt';

/** The hourly safety net: adopts up to 500 open cases that still have no record. */
export function complaintJobHandlers(deps: { db: Db; clock: Clock }): Record<string, JobHandler> {
  const sweep = () => adoptComplaintCases(deps.db, { now: deps.clock.now(), limit: 500 });
  return { [COMPLAINTS_ADOPT_TOPIC]: async () => void (await sweep()) };
}

/** The complaints module's part of `case.created`: adopts the case when it is a complaint case. */
export function complaintCaseCreatedHandler(deps: { db: Db; clock: Clock }): JobHandler {
  return adoptOnCaseCreated(['complaint'], (caseId) =>
    adoptComplaintCase(deps.db, caseId, { now: deps.clock.now() }),
  );
}
