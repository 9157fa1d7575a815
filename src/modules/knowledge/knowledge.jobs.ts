/**
 * Jobs the knowledge module owns (wired in worker.ts):
 * - `knowledge.review_scan`: reminds owners of articles past their review date once, and the owning team's
 *   leaders once more 10 working days later (see knowledge.usage.ts). Idempotent; run it every hour.
 */
import { loadDefaultCalendar, type WorkingDayCalendar } from '../../platform/calendar/index.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/index.ts';
import type { JobHandler } from '../../platform/jobs/index.ts';
import { remindReviews } from './knowledge.usage.ts';

export const KNOWLEDGE_REVIEW_TOPIC = 'knowledge.review_scan';

export function knowledgeJobHandlers(deps: {
  db: Db;
  clock: Clock;
  calendar?: WorkingDayCalendar;
}): Record<string, JobHandler> {
  const calendar = deps.calendar ?? loadDefaultCalendar({ outOfRange: 'weekends-only' });
  return {
    [KNOWLEDGE_REVIEW_TOPIC]: async () => {
      await remindReviews(deps.db, { now: deps.clock.now(), calendar });
    },
  };
}
