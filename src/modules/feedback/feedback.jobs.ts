/**
 * Jobs the feedback module owns (registered in worker.ts `jobHandlers`):
 * - `feedback.scan`: asks for feedback after recently closed cases and resolved contacts, and adopts
 *   compliments made through the "Give a compliment" form. Idempotent; run it every few minutes.
 */
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/index.ts';
import type { JobHandler } from '../../platform/jobs/index.ts';
import { adoptComplimentCases, requestFeedbackAfterContacts } from './feedback.service.ts';

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
