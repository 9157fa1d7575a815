/**
 * Jobs the feedback module owns (wired in worker.ts):
 * - `feedback.scan`: asks for feedback after recently closed cases and resolved contacts, and (the safety
 *   net behind `case.created`) adopts compliment cases that still have no record. Idempotent; run it every
 *   few minutes.
 * - `case.created` (cases core's event, written with the case): {@link complimentCaseCreatedHandler} gives a
 *   case made through the "Give a compliment" form its compliment record. Idempotent.
 */
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/index.ts';
import type { JobHandler } from '../../platform/jobs/index.ts';
import { adoptOnCaseCreated } from '../cases/index.ts';
import {
  adoptComplimentCase,
  adoptComplimentCases,
  requestFeedbackAfterContacts,
} from './feedback.service.ts';

export const FEEDBACK_SCAN_TOPIC = 'feedback.scan';

export function feedbackJobHandlers(deps: {
  db: Db;
  clock: Clock;
  publicUrl?: string;
}): Record<string, JobHandler> {
  return {
    [FEEDBACK_SCAN_TOPIC]: async () => {
      const now = deps.clock.now();
      await adoptComplimentCases(deps.db, { now });
      await requestFeedbackAfterContacts(deps.db, { now, publicUrl: deps.publicUrl });
    },
  };
}

/** The feedback module's part of `case.created`: adopts the case when it is a compliment case. */
export function complimentCaseCreatedHandler(deps: { db: Db; clock: Clock }): JobHandler {
  return adoptOnCaseCreated(['compliment'], (caseId) =>
    adoptComplimentCase(deps.db, caseId, { now: deps.clock.now() }),
  );
}
