/**
 * The complaints module's public surface: complaints under the Ombudsman's Complaint Handling Code (and the
 * children's social care statutory procedure), their staff and resident routes, learning actions and the
 * data other modules read (the timeliness report, the SAR bundle, the API). See README.md.
 */
import type { FastifyInstance } from 'fastify';
import { registerComplaintPortalRoutes, type ComplaintPortalDeps } from './complaints.portal.routes.ts';
import { registerComplaintStaffRoutes, type ComplaintRoutesDeps } from './complaints.staff.routes.ts';

export interface ComplaintsDeps extends ComplaintRoutesDeps, ComplaintPortalDeps {
  /** The session store, so a guest who complains can come back to the complaint in the same browser. */
  sessions?: { setData(id: string, data: Record<string, unknown>): Promise<void> } | null;
}

/** Registers /staff/complaints… (complaints:manage) and the resident /complaints… routes. */
export async function registerComplaints(app: FastifyInstance, deps: ComplaintsDeps): Promise<void> {
  await registerComplaintStaffRoutes(app, deps);
  await registerComplaintPortalRoutes(app, deps);
}

export {
  createComplaint,
  adoptComplaintCases,
  acknowledgeComplaint,
  extendComplaint,
  respondToComplaint,
  refuseComplaint,
  escalateComplaint,
  assignHandler,
  addRemedy,
  completeRemedy,
  setRootCause,
  addLearningAction,
  completeLearningAction,
  getComplaint,
  currentDeadlines,
  findComplaintIdByCase,
  findComplaintByReference,
  listQueue,
  listLearningActions,
  listComplaintsForCustomer,
  listComplaintsAboutCase,
  respondedComplaintStages,
  openComplaintStages,
  DEFAULT_WINDOW_MONTHS,
  type ComplaintsOptions,
  type RespondInput,
  type StaffAction,
} from './complaints.service.ts';
export {
  stageClock,
  maxExtensionDays,
  workingDaysLeft,
  CHILDRENS_ACKNOWLEDGE_WORKING_DAYS,
} from './complaints.clock.ts';
export { complaintJobHandlers, COMPLAINTS_ADOPT_TOPIC } from './complaints.jobs.ts';
export { OMBUDSMAN, OMBUDSMAN_TEXT } from './complaints.letters.ts';
export { authorityScope, canSeeComplaint, isManager } from './complaints.policy.ts';
export { readDate, readDates, UUID, type DateRule } from './complaints.schemas.ts';
export { daysLeftTag } from './complaints.presenters.ts';
export { residentFor } from './complaints.portal.routes.ts';
export {
  WORKFLOW_TYPES,
  DECISIONS,
  REMEDY_KINDS,
  REFUSAL_REASONS,
  ROOT_CAUSES,
  ROOT_CAUSE_LABELS,
  type WorkflowType,
  type Decision,
  type RemedyKind,
  type RefusalReason,
  type RootCause,
  type ComplaintActor,
  type ComplaintView,
  type ComplaintDeadlines,
  type CreatedComplaint,
  type NewComplaintInput,
  type StageView,
  type QueueItem,
  type LearningActionView,
} from './complaints.types.ts';
export type { ComplaintRoutesDeps } from './complaints.staff.routes.ts';
