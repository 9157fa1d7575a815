/**
 * The feedback module's public surface: feedback after every contact (at most once a fortnight), "Was
 * this page helpful?", follow-ups on low scores, compliments and comments routed to teams, team pages,
 * "You said, we did" and the feedback report. See README.md and docs/feedback.md.
 */
import type { FastifyInstance } from 'fastify';
import { registerFeedbackPublicRoutes } from './feedback.public.routes.ts';
import { registerFeedbackStaffRoutes, type FeedbackStaffDeps } from './feedback.staff.routes.ts';

type FeedbackDeps = FeedbackStaffDeps;

/** Registers /feedback/…, /you-said-we-did, /staff/feedback…, /staff/you-said-we-did and /staff/reports/feedback. */
export async function registerFeedback(app: FastifyInstance, deps: FeedbackDeps): Promise<void> {
  await registerFeedbackPublicRoutes(app, deps);
  await registerFeedbackStaffRoutes(app, deps);
}

export {
  requestFeedbackAfterContacts,
  recordContactFeedback,
  recordCompliment,
  feedbackReport,
} from './feedback.service.ts';
export { feedbackJobHandlers, complimentCaseCreatedHandler, FEEDBACK_SCAN_TOPIC } from './feedback.jobs.ts';
