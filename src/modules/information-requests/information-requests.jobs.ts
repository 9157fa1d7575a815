/**
 * Jobs the information-requests module owns (wired in worker.ts):
 * - `case.created` (cases core's event, written with the case): {@link informationRequestCaseCreatedHandler}
 *   gives an FOI or subject access case made through the forms engine its request record and statutory
 *   deadline. Idempotent (one record per case), so a retried job does nothing twice.
 * - `information-requests.adopt`: the safety net, scheduled hourly: adopts open FOI and SAR cases that
 *   still have no record (cases made before the event existed, or written straight into the database).
 */
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/index.ts';
import type { JobHandler } from '../../platform/jobs/index.ts';
import { adoptOnCaseCreated } from '../cases/index.ts';
import { adoptInformationRequestCase, adoptInformationRequestCases } from './information-requests.service.ts';

export const INFORMATION_REQUESTS_ADOPT_TOPIC = 'information-requests.adopt';

/** The hourly safety net: adopts up to 500 open cases that still have no record. */
export function informationRequestJobHandlers(deps: { db: Db; clock: Clock }): Record<string, JobHandler> {
  const sweep = () => adoptInformationRequestCases(deps.db, { now: deps.clock.now(), limit: 500 });
  return { [INFORMATION_REQUESTS_ADOPT_TOPIC]: async () => void (await sweep()) };
}

/** The information-requests module's part of `case.created`: adopts the case when it is an FOI or SAR case. */
export function informationRequestCaseCreatedHandler(deps: { db: Db; clock: Clock }): JobHandler {
  return adoptOnCaseCreated(['foi', 'sar'], (caseId) =>
    adoptInformationRequestCase(deps.db, caseId, { now: deps.clock.now() }),
  );
}
